/*
 * page.c - the physical page allocator: a buddy system with bitmap
 * metadata and per-hart caches of single pages.
 *
 * Free memory is kept as blocks of 2^k pages (order k, 0 <= k < 11), each
 * aligned to its size, on one list per order.  Two blocks of order k that
 * together form an aligned block of order k + 1 are "buddies":
 *
 *   order 2   [ 0  1  2  3 ][ 4  5  6  7 ]      buddy of block 0 is 4,
 *   order 1   [ 0  1 ][ 2  3 ]                  buddy of i is i ^ 2^k
 *
 * page_alloc(n) takes a block of the smallest order that holds n pages,
 * splitting a larger one if need be (the unused halves go on the lower
 * lists), and gives back the tail it does not need, so 3 pages cost 3.
 * page_free merges the run with its buddy while the buddy is free and of
 * the same order, up to the top order.  Both take O(number of orders).
 *
 * Single pages, the common case, come from a per-hart cache that is
 * refilled and drained in batches of PCP_BATCH under the pool lock, so
 * the usual page_alloc(1)/page_free pair takes no shared lock.  When the
 * buddy lists run dry, the caches of all harts are drained before an
 * allocation fails.
 *
 * The metadata is four bitmaps, described with struct page_pool in
 * mm/internal.h; the state of any page, and so a double free, is known in
 * O(1) from them.  page_validate() (mm/page_validate.c) cross-checks all
 * of it.
 *
 * Locking: see struct page_pool.  The kernel's pool uses page_lock
 * (LOCK_LEVEL_PAGE); nothing is called with it held but printk.
 *
 * Entry points: page_init, page_alloc, page_alloc_order, page_free, and
 * the page_pool_* calls of mm/internal.h for private pools.
 */
#include <kernel/bitmap.h>
#include <kernel/machine.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include "internal.h"

#define PCP_BATCH 16 /* pages moved between a cache and the lists */
#define PCP_HIGH 64  /* a cache above this gives a batch back */

static DEFINE_SPINLOCK(page_lock, "page", LOCK_LEVEL_PAGE);
static struct page_pool kernel_pool;

/* --- Bitmap access --------------------------------------------------
 *
 * The free bits change under no lock (per-hart caches), so every access
 * to any map word is atomic; relaxed loads and stores compile to plain
 * lw/sw, the read-modify-writes of the free map to amoor/amoand.
 */

/* Set bit i; returns its old value. */
static inline bool map_fetch_set(unsigned long *map, size_t i)
{
	return __atomic_fetch_or(&map[BIT_WORD(i)], BIT_MASK(i),
				 __ATOMIC_RELAXED) &
	       BIT_MASK(i);
}

static inline bool map_fetch_clear(unsigned long *map, size_t i)
{
	return __atomic_fetch_and(&map[BIT_WORD(i)], ~BIT_MASK(i),
				  __ATOMIC_RELAXED) &
	       BIT_MASK(i);
}

/* Set or clear bits [i, i + n), a word at a time. */
static void map_update(unsigned long *map, size_t i, size_t n, bool set)
{
	while (n) {
		size_t bit = i % BITS_PER_LONG;
		size_t len = MIN(n, BITS_PER_LONG - bit);
		unsigned long mask =
			(len == BITS_PER_LONG ? ~0UL : (1UL << len) - 1) << bit;

		if (set)
			__atomic_fetch_or(&map[BIT_WORD(i)], mask,
					  __ATOMIC_RELAXED);
		else
			__atomic_fetch_and(&map[BIT_WORD(i)], ~mask,
					   __ATOMIC_RELAXED);
		i += len;
		n -= len;
	}
}

/* --- Small helpers ------------------------------------------------- */

static inline size_t buddy_of(size_t i, unsigned int order)
{
	return i ^ ((size_t)1 << order);
}

static inline struct free_block *block_at(const struct page_pool *pool,
					  size_t i)
{
	return page_addr(pool, i);
}

/* Smallest order whose block holds n pages. */
static unsigned int order_for(size_t n)
{
	unsigned int order = 0;

	while (((size_t)1 << order) < n)
		order++;
	return order;
}

/* Largest order of an aligned block that starts at i and fits in n. */
static unsigned int largest_fit(size_t i, size_t n)
{
	unsigned int order = 0;

	while (order < MAX_ORDER && !(i & ((size_t)1 << order)) &&
	       ((size_t)2 << order) <= n)
		order++;
	return order;
}

/* --- The buddy lists (pool->lock held) ----------------------------- */

static inline void __add_block(struct page_pool *pool, size_t i,
			       unsigned int order)
{
	struct free_block *b = block_at(pool, i);

	b->order = order;
	b->magic = FREE_BLOCK_MAGIC;
	list_add(&b->node, &pool->area[order].blocks);
	pool->area[order].nr_blocks++;
	pool->nr_free += (size_t)1 << order;
	map_fetch_set(pool->head_map, i);
}

static inline void __del_block(struct page_pool *pool, size_t i,
			       unsigned int order)
{
	struct free_block *b = block_at(pool, i);

	list_del(&b->node);
	b->magic = 0;
	pool->area[order].nr_blocks--;
	pool->nr_free -= (size_t)1 << order;
	map_fetch_clear(pool->head_map, i);
}

/* Is the block at i free, on the lists, and of this order? */
static inline bool __is_free_block(const struct page_pool *pool, size_t i,
				   unsigned int order)
{
	return i < pool->span && map_test(pool->head_map, i) &&
	       block_at(pool, i)->order == order;
}

/*
 * The free pages [i, i + 2^order) join the lists: merge with the buddy
 * while it is free and of the same order, one order up each time.
 */
static void __free_block(struct page_pool *pool, size_t i, unsigned int order)
{
	while (order < MAX_ORDER &&
	       __is_free_block(pool, buddy_of(i, order), order)) {
		__del_block(pool, buddy_of(i, order), order);
		i &= ~((size_t)1 << order);
		order++;
	}
	__add_block(pool, i, order);
}

/* Free pages [i, i + n) join the lists as the largest aligned blocks. */
static void __free_range(struct page_pool *pool, size_t i, size_t n)
{
	while (n) {
		unsigned int order = largest_fit(i, n);

		__free_block(pool, i, order);
		i += (size_t)1 << order;
		n -= (size_t)1 << order;
	}
}

/*
 * Take a block of this order: from its list, or split the smallest larger
 * block, putting the upper halves on the lower lists.  Returns its index,
 * or -1 if no block is large enough.
 */
static long __take_block(struct page_pool *pool, unsigned int order)
{
	unsigned int o = order;
	size_t i;

	while (o <= MAX_ORDER && list_empty(&pool->area[o].blocks))
		o++;
	if (o > MAX_ORDER)
		return -1;
	i = page_index(pool, list_first_entry(&pool->area[o].blocks,
					      struct free_block, node));
	__del_block(pool, i, o);
	while (o > order) {
		o--;
		__add_block(pool, i + ((size_t)1 << o), o);
	}
	return (long)i;
}

/*
 * Requests above the top order: look for a row of free top-order blocks
 * in address order.  O(span / 2^MAX_ORDER); rare and slow on purpose.
 */
static long __take_large(struct page_pool *pool, size_t n)
{
	size_t top = (size_t)1 << MAX_ORDER, start, i;

	for (start = 0; start + n <= pool->span; start = i + top) {
		for (i = start; i < start + n; i += top)
			if (!__is_free_block(pool, i, MAX_ORDER))
				break;
		if (i >= start + n) {
			for (i = start; i < start + n; i += top)
				__del_block(pool, i, MAX_ORDER);
			/* The last block may be more than needed. */
			__free_range(pool, start + n, ALIGN_UP(n, top) - n);
			return (long)start;
		}
	}
	return -1;
}

/* Record [i, i + n) as one allocated run (its pages were free). */
static void __mark_run(struct page_pool *pool, size_t i, size_t n)
{
	map_update(pool->free_map, i, n, false);
	if (n > 1) {
		map_update(pool->more_map, i, n - 1, true);
		map_update(pool->inner_map, i + 1, n - 1, true);
	}
}

/*
 * Take npages as one allocated run: the smallest block that holds them
 * with its unused tail given back, or a row of top-order blocks.  Returns
 * the first page's index, or -1 if nothing large enough is free.
 */
static long __take_run(struct page_pool *pool, size_t npages)
{
	unsigned int order = order_for(npages);
	long i;

	if (order > MAX_ORDER) {
		i = __take_large(pool, npages); /* gives its own tail back */
	} else {
		i = __take_block(pool, order);
		if (i >= 0)
			__free_range(pool, (size_t)i + npages,
				     ((size_t)1 << order) - npages);
	}
	if (i >= 0)
		__mark_run(pool, (size_t)i, npages);
	return i;
}

/* --- Per-hart caches ----------------------------------------------- */

/* This hart's cache; interrupts must be off. */
static inline struct page_cache *this_cache(struct page_pool *pool)
{
	struct page_cache *c = &pool->cache[this_hart()];

	/* Make the compiler address c's fields from c, not the hart id. */
	__asm__("" : "+r"(c));
	return c;
}

/* Move up to n pages from a cache to a chain; returns the count. */
static unsigned int cache_take(struct page_cache *c, void **chain,
			       unsigned int n)
{
	unsigned int taken = 0;

	while (taken < n && c->head) {
		void *p = c->head;

		c->head = *(void **)p;
		*(void **)p = *chain;
		*chain = p;
		taken++;
	}
	c->count -= taken;
	return taken;
}

/* The pages of a chain go back on the buddy lists (pool->lock held). */
static void __free_chain(struct page_pool *pool, void *chain)
{
	while (chain) {
		void *next = *(void **)chain;

		__free_block(pool, page_index(pool, chain), 0);
		chain = next;
	}
}

/* Every cache back to the lists; pool->lock held. */
static void __drain_caches(struct page_pool *pool)
{
	unsigned int h;

	for (h = 0; h < MAX_HARTS; h++) {
		struct page_cache *c = &pool->cache[h];
		void *chain = NULL;

		cache_lock(c);
		cache_take(c, &chain, c->count);
		cache_unlock(c);
		__free_chain(pool, chain);
	}
}

void page_pool_drain(struct page_pool *pool)
{
	mm_lock(pool->lock);
	__drain_caches(pool);
	mm_unlock(pool->lock);
}

/*
 * Refill this hart's cache with a batch and take one page of it.  Slow
 * path: the cache lock is dropped while the pool lock is held.
 */
static void *cache_refill(struct page_pool *pool)
{
	void *chain = NULL, *page;
	unsigned int n = 0;
	unsigned long flags;
	struct page_cache *c;
	long i;

	mm_lock(pool->lock);
	while (n < PCP_BATCH) {
		i = __take_block(pool, 0);
		if (i < 0 && n == 0) {
			__drain_caches(pool); /* pages may sit elsewhere */
			i = __take_block(pool, 0);
		}
		if (i < 0)
			break;
		page = page_addr(pool, (size_t)i);
		*(void **)page = chain;
		chain = page;
		n++;
	}
	mm_unlock(pool->lock);
	if (!chain)
		return NULL;

	page = chain;
	chain = *(void **)page;
	map_fetch_clear(pool->free_map, page_index(pool, page)); /* ours */
	if (chain) {
		flags = irq_save();
		c = this_cache(pool);
		cache_lock(c);
		while (chain) {
			void *next = *(void **)chain;

			*(void **)chain = c->head;
			c->head = chain;
			c->count++;
			chain = next;
		}
		cache_unlock(c);
		irq_restore(flags);
	}
	return page;
}

/* The cache grew past PCP_HIGH: give a batch back to the lists. */
static void cache_drain_batch(struct page_pool *pool, struct page_cache *c)
{
	void *chain = NULL;
	unsigned long flags = irq_save();

	cache_lock(c);
	cache_take(c, &chain, PCP_BATCH);
	cache_unlock(c);
	irq_restore(flags);
	mm_lock(pool->lock);
	__free_chain(pool, chain);
	mm_unlock(pool->lock);
}

/*
 * The fast paths, inline in page_alloc and page_free: one page from or to
 * this hart's cache, with interrupts off and no shared lock.  Anything
 * unusual (an empty cache, a page that is not a plain single page of the
 * first region) returns "not handled" and takes the general path, which
 * also does the reporting.
 */
static inline void *cache_alloc(struct page_pool *pool)
{
	unsigned long flags = irq_save();
	struct page_cache *c = this_cache(pool);
	void *page;

	cache_lock(c);
	page = c->head;
	if (likely(page)) {
		c->head = *(void **)page;
		c->count--;
	}
	cache_unlock(c);
	irq_restore(flags);
	if (likely(page) &&
	    unlikely(!map_fetch_clear(pool->free_map, page_index(pool, page))))
		panic("page_alloc: cached page %p is not free: allocator "
		      "metadata corrupted",
		      page);
	return page;
}

static inline bool cache_free(struct page_pool *pool, void *p)
{
	uintptr_t addr = (uintptr_t)p;
	struct page_cache *c;
	unsigned long flags;
	unsigned int count;
	size_t i;

	i = page_index(pool, p);
	/* Unmanaged pages in the span carry an inner bit: no region loop. */
	if (unlikely(!IS_ALIGNED(addr, PAGE_SIZE) || i >= pool->span))
		return false;
	if (unlikely(map_test(pool->inner_map, i) ||
		     map_test(pool->more_map, i) ||
		     map_fetch_set(pool->free_map, i)))
		return false; /* not a single page, or a double free */
	flags = irq_save();
	c = this_cache(pool);
	cache_lock(c);
	*(void **)p = c->head;
	c->head = p;
	count = ++c->count;
	cache_unlock(c);
	irq_restore(flags);
	if (unlikely(count > PCP_HIGH))
		cache_drain_batch(pool, c);
	return true;
}

/* --- Reports --------------------------------------------------------- */

static void report_bad_free(struct page_pool *pool, const void *p,
			    const char *why, uintptr_t caller)
{
	__atomic_fetch_add(&pool->bad_frees, 1, __ATOMIC_RELAXED);
	printk("page_free: %p %s (caller %p); nothing freed\n", p, why,
	       (void *)caller);
}

static void *report_bad_alloc(struct page_pool *pool, size_t npages,
			      const char *why, uintptr_t caller)
{
	__atomic_fetch_add(&pool->failures, 1, __ATOMIC_RELAXED);
	printk("page_alloc(%lu): %s (caller %p)\n", (unsigned long)npages, why,
	       (void *)caller);
	return NULL;
}

/* --- Allocation ------------------------------------------------------ */

static void *pool_alloc(struct page_pool *pool, size_t npages, uintptr_t caller)
{
	long i;

	if (unlikely(npages == 0))
		return report_bad_alloc(pool, npages, "zero pages", caller);
	if (unlikely(npages > pool->nr_total))
		return report_bad_alloc(
			pool, npages, "more pages than the memory has", caller);

	if (npages == 1 && pool->use_caches) {
		void *page = cache_alloc(pool);

		if (!page)
			page = cache_refill(pool);
		if (unlikely(!page))
			goto out_of_memory;
		return page;
	}

	mm_lock(pool->lock);
	i = __take_run(pool, npages);
	if (i < 0) {
		__drain_caches(pool); /* pages may sit in other harts' caches */
		i = __take_run(pool, npages);
	}
	mm_unlock(pool->lock);
	if (i >= 0)
		return page_addr(pool, (size_t)i);
out_of_memory:
	__atomic_fetch_add(&pool->failures, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* --- Free ------------------------------------------------------------ */

/* Length of the allocated run that starts at i (more bits + 1). */
static size_t run_length(const struct page_pool *pool, size_t i)
{
	size_t n = 1;

	while (map_test(pool->more_map, i + n - 1))
		n++;
	return n;
}

/* First page of the run that page i lies inside. */
static size_t run_start(const struct page_pool *pool, size_t i)
{
	while (i > 0 && map_test(pool->inner_map, i))
		i--;
	return i;
}

static void pool_free(struct page_pool *pool, void *p, uintptr_t caller)
{
	uintptr_t addr = (uintptr_t)p;
	size_t i, n;

	if (!p)
		return;
	if (unlikely(!IS_ALIGNED(addr, PAGE_SIZE))) {
		report_bad_free(pool, p, "is not page aligned", caller);
		return;
	}
	if (unlikely(!page_managed(pool, addr))) {
		report_bad_free(pool, p, "is outside the managed memory",
				caller);
		return;
	}
	i = page_index(pool, p);
	if (unlikely(map_test(pool->inner_map, i))) {
		char why[80];

		snprintf(why, sizeof(why),
			 "is inside the allocated run that starts at %p",
			 page_addr(pool, run_start(pool, i)));
		report_bad_free(pool, p, why, caller);
		return;
	}

	if (!map_test(pool->more_map, i) && pool->use_caches) {
		/* A single page: cache_free refuses it only if already free. */
		if (!cache_free(pool, p))
			report_bad_free(pool, p,
					"is already free (double free)",
					caller);
		return;
	}

	mm_lock(pool->lock);
	/* Checked again under the lock: another hart may free it too. */
	if (map_test(pool->free_map, i) || map_test(pool->inner_map, i)) {
		mm_unlock(pool->lock);
		report_bad_free(pool, p, "is already free (double free)",
				caller);
		return;
	}
	n = run_length(pool, i);
	if (n > 1) {
		map_update(pool->more_map, i, n - 1, false);
		map_update(pool->inner_map, i + 1, n - 1, false);
	}
	map_update(pool->free_map, i, n, true);
	__free_range(pool, i, n);
	mm_unlock(pool->lock);
}

/* --- Set-up ---------------------------------------------------------- */

/* Carve the bitmaps out of the first region that can hold them. */
static bool place_metadata(struct page_pool *pool)
{
	size_t words = BITS_TO_LONGS(pool->span);
	size_t bytes = 4 * words * sizeof(unsigned long);
	int r;

	pool->meta_bytes = bytes;
	for (r = 0; r < pool->nr_regions; r++) {
		struct mem_region *reg = &pool->regions[r];
		uintptr_t need = ALIGN_UP(bytes, PAGE_SIZE);

		if (reg->end - reg->start <= need)
			continue;
		pool->free_map = (unsigned long *)reg->start;
		pool->head_map = pool->free_map + words;
		pool->more_map = pool->head_map + words;
		pool->inner_map = pool->more_map + words;
		memset(pool->free_map, 0, bytes);
		reg->start += need;
		return true;
	}
	return false;
}

bool page_pool_init(struct page_pool *pool, const struct mem_region *regions,
		    int count)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	unsigned int o;
	int r;

	memset(pool, 0, sizeof(*pool));
	spinlock_init_level(&pool->own_lock, "page_pool", LOCK_LEVEL_PAGE);
	pool->lock = &pool->own_lock;
	pool->use_caches = true;
	for (o = 0; o < PAGE_ORDERS; o++)
		list_init(&pool->area[o].blocks);
	for (r = 0; r < count && pool->nr_regions < PAGE_MAX_REGIONS; r++) {
		uintptr_t start = ALIGN_UP(regions[r].start, PAGE_SIZE);
		uintptr_t end = ALIGN_DOWN(regions[r].end, PAGE_SIZE);

		if (end <= start)
			continue;
		pool->regions[pool->nr_regions++] =
			(struct mem_region){ start, end };
		lo = MIN(lo, start);
		hi = MAX(hi, end);
	}
	if (!pool->nr_regions)
		return false;
	pool->base_pfn =
		ALIGN_DOWN(lo >> PAGE_SHIFT, (uintptr_t)1 << MAX_ORDER);
	pool->span = (hi >> PAGE_SHIFT) - pool->base_pfn;
	if (!place_metadata(pool))
		return false;

	/* Pages of the span outside every region look like run interiors. */
	map_update(pool->inner_map, 0, pool->span, true);
	for (r = 0; r < pool->nr_regions; r++) {
		size_t first = page_index(pool, (void *)pool->regions[r].start);
		size_t n = (pool->regions[r].end - pool->regions[r].start) /
			   PAGE_SIZE;

		map_update(pool->inner_map, first, n, false);
		map_update(pool->free_map, first, n, true);
		__free_range(pool, first, n);
		pool->nr_total += n;
	}
	return pool->nr_total > 0;
}

/* --- Public calls ---------------------------------------------------- */

void *page_pool_alloc(struct page_pool *pool, size_t npages)
{
	return pool_alloc(pool, npages, CALLER_ADDR);
}

void page_pool_free(struct page_pool *pool, void *p)
{
	pool_free(pool, p, CALLER_ADDR);
}

size_t page_pool_free_count(struct page_pool *pool)
{
	size_t n = __atomic_load_n(&pool->nr_free, __ATOMIC_RELAXED);
	unsigned int h;

	for (h = 0; h < MAX_HARTS; h++)
		n += __atomic_load_n(&pool->cache[h].count, __ATOMIC_RELAXED);
	return n;
}

void page_init(const struct mem_region *regions, int count)
{
	if (!page_pool_init(&kernel_pool, regions, count))
		panic("page_init: no usable memory");
	kernel_pool.lock = &page_lock;
	{
		uint64_t bytes = (uint64_t)kernel_pool.nr_total * PAGE_SIZE;
		uint64_t permille =
			(uint64_t)kernel_pool.meta_bytes * 100000 / bytes;

		printk("page: %lu pages managed, %lu bytes of metadata (%llu.%03llu%%)\n",
		       (unsigned long)kernel_pool.nr_total,
		       (unsigned long)kernel_pool.meta_bytes,
		       (unsigned long long)(permille / 1000),
		       (unsigned long long)(permille % 1000));
	}
}

/*
 * The slow paths of page_alloc and page_free, reached by tail calls
 * (__fast_path): CALLER_ADDR here is the fast path's caller.
 */
static __noinline void *page_alloc_slow(size_t npages)
{
	return pool_alloc(&kernel_pool, npages, CALLER_ADDR);
}

static __noinline void page_free_slow(void *p)
{
	pool_free(&kernel_pool, p, CALLER_ADDR);
}

__fast_path void *page_alloc(size_t npages)
{
	if (likely(npages == 1)) {
		void *page = cache_alloc(&kernel_pool);

		if (likely(page))
			return page;
	}
	return page_alloc_slow(npages);
}

void *page_alloc_order(unsigned int order)
{
	if (order > MAX_ORDER) {
		/* No 1 << order here: it is undefined past the word's width. */
		__atomic_fetch_add(&kernel_pool.failures, 1, __ATOMIC_RELAXED);
		printk("page_alloc_order(%u): order above the largest block, "
		       "%u (caller %p)\n",
		       order, (unsigned int)MAX_ORDER, (void *)CALLER_ADDR);
		return NULL;
	}
	return pool_alloc(&kernel_pool, (size_t)1 << order, CALLER_ADDR);
}

__fast_path void page_free(void *p)
{
	if (likely(p && cache_free(&kernel_pool, p)))
		return;
	page_free_slow(p);
}

size_t page_free_count(void)
{
	return page_pool_free_count(&kernel_pool);
}

size_t page_total_count(void)
{
	return kernel_pool.nr_total;
}

void page_span(uintptr_t *lo, uintptr_t *hi)
{
	*lo = kernel_pool.base_pfn << PAGE_SHIFT;
	*hi = (kernel_pool.base_pfn + kernel_pool.span) << PAGE_SHIFT;
}

size_t page_run_pages(const void *p)
{
	const struct page_pool *pool = &kernel_pool;
	size_t i = page_index(pool, p);

	if (!IS_ALIGNED((uintptr_t)p, PAGE_SIZE) || i >= pool->span ||
	    map_test(pool->free_map, i) || map_test(pool->inner_map, i))
		return 0;
	return run_length(pool, i);
}

int page_validate(void)
{
	return page_pool_validate(&kernel_pool);
}

void page_get_stats(struct page_stats *stats)
{
	page_pool_stats(&kernel_pool, stats);
}
