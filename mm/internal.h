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
#include <kernel/mm_debug.h>
#include <kernel/mm_report.h>
#include <kernel/fault_inject.h>
#include "magazine.h"

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
 * The metadata is six bitmaps with one bit per page of the span
 * (6 bits per 4 KiB page, about 0.018% of the memory):
 *
 *   single 1: an allocated single page (page_alloc(1)).  The only bit the
 *             lock-free fast paths change, with one AMO each: page_alloc
 *             sets it, page_free clears it, and a page_free that finds it
 *             clear already is a double free (or no single page): O(1).
 *   run    1: a page of an allocated run of 2 or more pages.
 *   tail   1: a page of a run that is not its first (Linux: PageTail), or
 *             a page of the span that no region covers (never freeable;
 *             its run bit is 0, so no run grows into it).
 *   buddy  1: the page starts a free block on a buddy list; the block's
 *             order is in its header (struct free_block, in the page).
 *             Linux calls such a page PageBuddy.
 *   slab, kmalloc
 *          1: the first page of a run taken for a slab, or for a large
 *             kmalloc block (Linux: PageSlab).  A run's owner must free
 *             it: page_free refuses a slab's pages, kfree a page_alloc
 *             run.  Runs for slabs and kmalloc are runs even of one page.
 *
 *   single page:       single 1        run 0 0 0        tail 0
 *   run of 3 pages:    single 0 0 0    run 1 1 1        tail 0 1 1
 *   free block of 4:   all 0, and      buddy 1 0 0 0
 *   in a magazine:     all 0 (a free single page, on no list)
 *   watched:           all 0 (freed pages held back from reuse while a
 *                      hardware watch covers them, mm.debug=W: on no
 *                      list, counted in nr_watched, mm/watch.c)
 *   no region:         tail 1, the rest 0
 *
 * A page is free when its single and run bits are both 0.
 *
 * Locking: pool->lock protects the free lists, the counters and the run,
 * tail and buddy bits (written with __set_bit and bitmap_set); the single
 * bits are atomic.  The per-hart magazines of free single pages are taken
 * after pool->lock, never before (mm/magazine.h).
 */
#define MAX_ORDER (PAGE_ORDERS - 1)
#define FREE_BLOCK_MAGIC 0xf4eeb10cu

/* The header written into the first page of every free buddy block. */
struct free_block {
	struct list_head node;
	unsigned int order;
	unsigned int magic;
};

struct page_pool {
	/* Free single pages, per hart: first, as the fast paths start here. */
	struct magazines mags;
	struct spinlock lock;
	uintptr_t base_pfn;
	size_t span; /* pages covered by the bitmaps */
	unsigned long *single_map, *run_map, *tail_map, *buddy_map;
	unsigned long *slab_run_map, *kmalloc_run_map;
	unsigned int debug;	 /* MM_DEBUG_* features on for it */
	struct mm_track *tracks; /* U: two a page, alloc and free */
	size_t meta_bytes;
	struct mem_region regions[PAGE_MAX_REGIONS]; /* managed pages */
	int nr_regions;
	size_t nr_total;
	size_t nr_free;		/* pages on the buddy lists */
	size_t nr_watched;	/* freed, held back and watched (mm.debug=W) */
	unsigned long nonempty; /* bit k: free_list[k] holds a block */
	struct list_head free_list[PAGE_ORDERS];
	size_t nr_blocks[PAGE_ORDERS];
	unsigned long failures[3], refused_frees; /* failures by owner */
	/* For the statistics (mm/stats.c), all under pool->lock. */
	size_t singles_out;    /* pages in magazines or given singly */
	size_t owner_pages[3]; /* pages of allocated runs, by owner */
	unsigned long run_allocs[3], run_frees[3]; /* calls, by owner */
	size_t peak_taken; /* most pages ever off the free lists */
	uint32_t peak_ms;  /* and when (ms since boot) */
};

/*
 * The debugging a pool or cache does now.  memdebug may change it while
 * other harts allocate, so it is read with a (free) relaxed atomic load.
 */
static inline unsigned int pool_debug(const struct page_pool *pool)
{
	return __atomic_load_n(&pool->debug, __ATOMIC_RELAXED);
}

/* Small helpers of mm/page.c that mm/page_validate.c uses too. */
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

/*
 * Set up pool over regions, with per-hart magazines of up to mag_limit
 * single pages (0: none, so every page goes through the buddy lists) and
 * the debugging features in debug (MM_DEBUG_*: then no magazines);
 * false if the regions hold no usable page.
 */
bool page_pool_init(struct page_pool *pool, const struct mem_region *regions,
		    int count, unsigned int mag_limit, unsigned int debug);
void *page_pool_alloc(struct page_pool *pool, size_t npages);
void page_pool_free(struct page_pool *pool, void *p);
size_t page_pool_free_count(struct page_pool *pool);
int page_pool_validate(struct page_pool *pool);
/* page_map for pool (mm/page_map.c). */
void page_pool_map(struct page_pool *pool, uintptr_t addr, size_t npages,
		   unsigned char *kind);
/* Give every per-hart magazine back to the buddy lists. */
void page_pool_drain(struct page_pool *pool);

/* Who a run of pages was taken for: only its owner may free it. */
enum page_owner { PAGE_OWNER_PAGE, PAGE_OWNER_SLAB, PAGE_OWNER_KMALLOC };

/* Is page i a tail page of an allocated run (not a reserved page)? */
static inline bool run_tail(const struct page_pool *pool, size_t i)
{
	return i < pool->span && test_bit(i, pool->tail_map) &&
	       test_bit(i, pool->run_map);
}

/* First page of the run that tail page i lies inside. */
static inline size_t run_start(const struct page_pool *pool, size_t i)
{
	while (run_tail(pool, i))
		i--;
	return i;
}

/* The owner of the allocated run starting at i (pool->lock held). */
static inline enum page_owner __run_owner(const struct page_pool *pool,
					  size_t i)
{
	if (test_bit(i, pool->slab_run_map))
		return PAGE_OWNER_SLAB;
	if (test_bit(i, pool->kmalloc_run_map))
		return PAGE_OWNER_KMALLOC;
	return PAGE_OWNER_PAGE;
}

/* Pages that hold bytes; not (bytes + PAGE_SIZE - 1) / PAGE_SIZE, which wraps. */
static inline size_t pages_for_bytes(size_t bytes)
{
	return bytes / PAGE_SIZE + (bytes % PAGE_SIZE != 0);
}

/* page_alloc and page_free for an owner, on behalf of caller. */
void *page_alloc_as(size_t npages, enum page_owner owner, uintptr_t caller);
/*
 * The same for a run of bytes, rounded up to pages; a request larger
 * than the memory is refused and reported in the bytes asked for.
 */
void *page_alloc_bytes_as(size_t bytes, enum page_owner owner,
			  uintptr_t caller);
void page_free_as(void *p, enum page_owner owner, uintptr_t caller);
/* Say in words what p is to the page allocator (a refused free). */
void page_describe(const void *p, char *buf, size_t size);

/* mm/page_debug.c: poison and tracking for pool->debug, slow paths only. */
void page_debug_alloc(struct page_pool *pool, size_t i, size_t n,
		      uintptr_t caller);
void page_debug_free(struct page_pool *pool, size_t i, size_t n,
		     uintptr_t caller);
/* A report of bug on the run at p, with its tracks when pool keeps them. */
void page_run_report(struct mm_report *r, struct page_pool *pool, const void *p,
		     enum mm_bug bug, uintptr_t caller);
/* A block left the lists: poison its header too. */
void page_debug_unheader(struct free_block *b);
void __page_debug_poison_free_pages(struct page_pool *pool);
/* Page i's alloc (which 0) or free (1) track, or NULL if untracked. */
struct mm_track *page_track(struct page_pool *pool, size_t i, int which);

/* mm/scrub.c: check the poison of pool's free pages; the kernel's. */
void page_pool_scrub(struct page_pool *pool);
void page_scrub(void);
/*
 * Empty the magazines of every cache and of the kernel pool, and size
 * them anew: none while debugged or while faults are injected.
 */
void mm_refresh_magazines(void);
void page_refresh_magazines(void);
/* The kernel pool's debugging, changed at run time (mm_debug_set). */
void page_debug_set(unsigned int flags);
unsigned int page_debug_flags(void);

/* Call fn for every tracked live run of the kernel's pool (mm/tracked.c). */
void page_for_each_tracked(void (*fn)(const struct mm_block *b, void *arg),
			   void *arg);
/* Mark the kernel pool's run at p as mm's own (MM_TRACK_IGNORED). */
void page_track_ignore(const void *p);

/*
 * mm/tracked.c: a copy of the live tracked blocks, for the leak scanner
 * and mm_sites.  fill turns block b into the element at elem (size
 * bytes), or returns false to leave b out.  The array is allocated
 * before any allocator lock is taken (mm_for_each_tracked's fn must not
 * allocate), with room for blocks made meanwhile, and is marked as mm's
 * own, so that it lists neither itself nor another copy.  False if there
 * is no memory for it.
 */
struct tracked_copy {
	void *elems; /* n elements, in the order mm_for_each_tracked gave */
	size_t n;
	size_t pages; /* of the array; 0 if there was nothing to copy */
};

bool tracked_copy(struct tracked_copy *tc, size_t size,
		  bool (*fill)(void *elem, const struct mm_block *b, void *arg),
		  void *arg);
void tracked_copy_free(struct tracked_copy *tc);

/* mm/address.c: why p, in no slab, is nothing slab or kfree may free. */
void mm_why_not_ours(const void *p, char *why, size_t size);
/* Pages of the run allocated for owner that starts at p, or 0 (ksize). */
size_t page_run_pages(const void *p, enum page_owner owner);

/* mm/kmalloc.c, for slab_init, and the statistics. */
void kmalloc_init(void);
/* mm/stats.c: kmalloc's slabs and large blocks took (or gave) pages. */
void kmalloc_account_pages(long pages);
void page_pool_stats(struct page_pool *pool, struct page_stats *stats);
/* The most pages one request can get now (mm/page.c); pool lock held. */
size_t __largest_free_block(struct page_pool *pool);
void page_pool_reset_peak(struct page_pool *pool);
void page_reset_peak(void);

#endif /* MM_INTERNAL_H */
