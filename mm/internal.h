/*
 * internal.h - private to mm/ and its tests: how the allocators lock, and
 * the page pool that the page allocator is built from.
 *
 * mm_lock/mm_unlock are acquire/release.  Only the torture test's own
 * build defines CONFIG_MM_NOLOCK, which compiles the allocator locks out
 * (interrupts are still masked, so only races between harts remain): that
 * build must find the corruption the locks prevent, proving that the
 * torture test can fail (tests/mm/torture_test.c).
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include <kernel/bitmap.h>
#include <kernel/list.h>
#include <kernel/machine.h>
#include <kernel/page.h>
#include <kernel/spinlock.h>

#ifdef CONFIG_MM_NOLOCK
static inline void mm_lock(struct spinlock *lock)
{
	(void)lock;
	push_off();
}

static inline void mm_unlock(struct spinlock *lock)
{
	(void)lock;
	pop_off();
}
#else
#define mm_lock(lock) acquire(lock)
#define mm_unlock(lock) release(lock)
#endif

/*
 * A page pool: one buddy allocator over some regions.  The kernel has one
 * (page_alloc and friends use it); tests build private pools over memory
 * of their own, so that they can start from a known state.
 *
 * Page index i means the page at address (base_pfn + i) << PAGE_SHIFT.
 * base_pfn is aligned to the largest block, so a block of order k starts
 * at an index that is a multiple of 2^k and its buddy is i ^ (1 << k).
 *
 * The metadata is four bitmaps with one bit per page of the span
 * (4 bits per 4 KiB page, about 0.012% of the memory):
 *
 *   free   1: the page is free, in a buddy block or a per-hart cache.
 *             Changed with atomic AMOs: it is how a double free is seen.
 *   head   1: the page starts a free block on a buddy list; the order is
 *             in the block's header (struct free_block, in the page).
 *   more   1: an allocated page with more of its run after it.
 *   inner  1: an allocated page that is not the first of its run, or a
 *             page of the span that no region covers (never freeable).
 *
 *   run of 3 pages:   free 0 0 0   more 1 1 0   inner 0 1 1
 *   single page:      free 0       more 0       inner 0
 *
 * Locking: pool->lock protects the free lists, the counters and the head,
 * more and inner bits.  Each per-hart cache (struct page_cache) has its
 * own small lock, taken by its hart on the fast path and by a hart that
 * drains all caches when memory runs short; it is never held while
 * taking pool->lock, and pool->lock may be held while taking it.
 */
#define MAX_ORDER (PAGE_ORDERS - 1)
#define FREE_BLOCK_MAGIC 0xf4eeb10cu

/* The header written into the first page of every free buddy block. */
struct free_block {
	struct list_head node;
	unsigned int order;
	unsigned int magic;
};

struct page_cache {
	int lock;	    /* 0 free, 1 held: a bare amoswap lock */
	unsigned int count; /* pages on the list */
	void *head;	    /* free pages, linked through their first word */
} __aligned(CACHELINE_SIZE);

struct free_area {
	struct list_head blocks;
	size_t nr_blocks;
};

struct page_pool {
	struct spinlock *lock;
	struct spinlock own_lock; /* the lock of a private pool */
	uintptr_t base_pfn;
	size_t span; /* pages covered by the bitmaps */
	unsigned long *free_map, *head_map, *more_map, *inner_map;
	size_t meta_bytes;
	struct mem_region regions[PAGE_MAX_REGIONS]; /* managed pages */
	int nr_regions;
	size_t nr_total;
	size_t nr_free; /* pages on the buddy lists */
	struct free_area area[PAGE_ORDERS];
	bool use_caches; /* per-hart caches on (default) */
	unsigned long failures, bad_frees;
	struct page_cache cache[MAX_HARTS];
};

/*
 * Small helpers of mm/page.c that mm/page_validate.c uses too.  The free
 * bits change under no lock (per-hart caches), so map words are read
 * with relaxed atomic loads.
 */
static inline bool map_test(const unsigned long *map, size_t i)
{
	return __atomic_load_n(&map[BIT_WORD(i)], __ATOMIC_RELAXED) &
	       BIT_MASK(i);
}

static inline void *page_addr(const struct page_pool *pool, size_t i)
{
	return (void *)((pool->base_pfn + i) << PAGE_SHIFT);
}

static inline size_t page_index(const struct page_pool *pool, const void *p)
{
	return ((uintptr_t)p >> PAGE_SHIFT) - pool->base_pfn;
}

static inline bool page_managed(const struct page_pool *pool, uintptr_t addr)
{
	int r;

	for (r = 0; r < pool->nr_regions; r++)
		if (addr >= pool->regions[r].start &&
		    addr < pool->regions[r].end)
			return true;
	return false;
}

static inline void cache_lock(struct page_cache *c)
{
	while (__atomic_exchange_n(&c->lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static inline void cache_unlock(struct page_cache *c)
{
	__atomic_store_n(&c->lock, 0, __ATOMIC_RELEASE);
}

/* Set up pool over regions; false if they hold no usable page. */
bool page_pool_init(struct page_pool *pool, const struct mem_region *regions,
		    int count);
void *page_pool_alloc(struct page_pool *pool, size_t npages);
void page_pool_free(struct page_pool *pool, void *p);
size_t page_pool_free_count(struct page_pool *pool);
int page_pool_validate(struct page_pool *pool);
void page_pool_stats(struct page_pool *pool, struct page_stats *stats);
/* Give every per-hart cache back to the buddy lists. */
void page_pool_drain(struct page_pool *pool);

/* mm/kmalloc.c, for slab_init. */
void kmalloc_init(void);
/* mm/page.c, for ksize: pages of the allocated run that starts at p, or 0. */
size_t page_run_pages(const void *p);

#endif /* MM_INTERNAL_H */
