/*
 * page.c - the physical page allocator: a buddy system with bitmap
 * metadata, and per-hart magazines of single pages.
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
 * The metadata is six bitmaps, described with struct page_pool in
 * mm/internal.h; the state of any page, and so a double free, is known in
 * O(1) from them.  page_validate() (mm/page_validate.c) cross-checks all
 * of it.
 *
 * Single pages, the common case, go through a per-hart magazine
 * (mm/magazine.h), refilled from and flushed to the buddy lists
 * PAGE_MAG_BATCH pages at a time (a flush stops early once its merges
 * reach MAX_ORDER, which bounds one page_free), so the usual
 * page_alloc(1)/page_free pair takes no shared lock.  A page in a
 * magazine is free (its free bit is set), so a double free is still seen
 * at once.  When the buddy lists run dry, every hart's magazine is
 * drained before an allocation fails.
 *
 * Every allocation and free is checked once and then routed: the inline
 * fast path either completes the operation through the magazine or
 * changes nothing and calls the general path (pool_alloc, pool_free),
 * which handles every case, reports included, under the pool lock.
 *
 * Locking: pool->lock (LOCK_LEVEL_PAGE; the kernel's pool is "page")
 * protects the buddy lists; see struct page_pool.  Nothing is called with
 * it held but printk and the magazines' own small locks.
 *
 * Entry points: page_init, page_alloc, page_alloc_order, page_free, and
 * the page_pool_* calls of mm/internal.h for private pools.
 */
#include <kernel/bitmap.h>
#include <kernel/machine.h>
#include <kernel/mm_debug.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include "internal.h"
#include "report.h"
#include "watch.h"

/* Pages moved between a magazine and the lists at a time: a power of two. */
#define PAGE_MAG_BATCH 4
/*
 * Pages the magazines' depot may hold: none.  A depot of 8 or 28 pages
 * saved under 1% on make bench's random page frees (a flush of 4 pages
 * is cheap already), and the pages parked there could not merge into
 * the larger blocks that the buddy lists exist for.
 */
#define PAGE_DEPOT 0

static struct page_pool kernel_pool;

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
	list_add(&b->node, &pool->free_list[order]);
	pool->nr_blocks[order]++;
	pool->nonempty |= 1UL << order;
	pool->nr_free += (size_t)1 << order;
	__set_bit(i, pool->buddy_map);
}

static inline void __del_block(struct page_pool *pool, size_t i,
			       unsigned int order)
{
	struct free_block *b = block_at(pool, i);

	list_del(&b->node);
	b->magic = 0;
	if (unlikely(pool_debug(pool) & MM_DEBUG_POISON))
		page_debug_unheader(b);
	if (--pool->nr_blocks[order] == 0)
		pool->nonempty &= ~(1UL << order);
	pool->nr_free -= (size_t)1 << order;
	__clear_bit(i, pool->buddy_map);
}

/*
 * May a free block's list node point at p: a list head, or the header of
 * a free block (its buddy bit set)?  The bit says more than "a managed
 * page" and costs one load instead of a walk over the regions: about 10
 * instructions, twice for each merge of a free.
 */
static inline bool node_ok(const struct page_pool *pool,
			   const struct list_head *p)
{
	uintptr_t head = (uintptr_t)p - (uintptr_t)pool->free_list;
	size_t i = page_index(pool, p);

	if (head < sizeof(pool->free_list))
		return head % sizeof(struct list_head) == 0;
	return IS_ALIGNED((uintptr_t)p, PAGE_SIZE) && i < pool->span &&
	       test_bit(i, pool->buddy_map);
}

/*
 * Is the block at i free, on the lists, of this order, and sound: its
 * buddy bit, its header and its neighbours on the list all agree?  A bit
 * flipped in any of them fails this, and the block is not used: merges
 * pass it by, and __take_block rebuilds the lists.
 */
static inline bool __is_free_block(const struct page_pool *pool, size_t i,
				   unsigned int order)
{
	const struct free_block *b = block_at(pool, i);

	return i < pool->span && test_bit(i, pool->buddy_map) &&
	       b->order == order && b->magic == FREE_BLOCK_MAGIC &&
	       node_ok(pool, b->node.next) && node_ok(pool, b->node.prev) &&
	       b->node.next->prev == &b->node && b->node.prev->next == &b->node;
}

/* --- Mending broken lists (pool->lock held) ------------------------- */

/* Is the block at i, as its header says, free and whole? */
static bool __header_believable(const struct page_pool *pool, size_t i)
{
	const struct free_block *b = block_at(pool, i);
	size_t n;

	if (b->magic != FREE_BLOCK_MAGIC || b->order > MAX_ORDER)
		return false;
	n = (size_t)1 << b->order;
	return IS_ALIGNED(i, n) && i + n <= pool->span &&
	       find_next_bit(pool->buddy_map, i + n, i + 1) == i + n &&
	       find_next_bit(pool->single_map, i + n, i) == i + n &&
	       find_next_bit(pool->run_map, i + n, i) == i + n &&
	       find_next_bit(pool->tail_map, i + n, i) == i + n;
}

struct in_magazines {
	struct page_pool *pool;
	size_t dropped; /* blocks given up */
};

/* A page in a magazine must lie in no block: drop a block that holds it. */
static void __drop_block_over(void *page, void *arg)
{
	struct in_magazines *m = arg;
	struct page_pool *pool = m->pool;
	size_t j = page_index(pool, page), first;
	unsigned int o;

	for (o = 0; o <= MAX_ORDER; o++) {
		first = j & ~(((size_t)1 << o) - 1);
		if (first < pool->span && test_bit(first, pool->buddy_map) &&
		    block_at(pool, first)->order >= o) {
			__del_block(pool, first, block_at(pool, first)->order);
			m->dropped++;
			return;
		}
	}
}

/*
 * A list was found broken at `bad`, on list `order`: report it, and make
 * the lists again from the buddy bits, keeping each block whose header is
 * believable and giving up the others (their pages are lost, never handed
 * out).  O(span / BITS_PER_LONG + free blocks).
 */
static __noinline void __rebuild_free_lists(struct page_pool *pool,
					    const void *bad, unsigned int order)
{
	struct in_magazines m = { pool, 0 };
	unsigned int o;
	size_t i;

	for (o = 0; o < PAGE_ORDERS; o++) {
		list_init(&pool->free_list[o]);
		pool->nr_blocks[o] = 0;
	}
	pool->nonempty = 0;
	pool->nr_free = 0;
	for (i = find_next_bit(pool->buddy_map, pool->span, 0); i < pool->span;
	     i = find_next_bit(pool->buddy_map, pool->span, i + 1)) {
		__clear_bit(i, pool->buddy_map);
		if (__header_believable(pool, i))
			__add_block(pool, i, block_at(pool, i)->order);
		else
			m.dropped++;
	}
	__mag_for_each(&pool->mags, __drop_block_over, &m);
	{
		struct mm_report r = {
			.bug = MM_CORRUPTION,
			.addr = bad,
			.where = "page",
			.order = (int)order,
		};

		mm_report(
			&r,
			"a free list leads to no sound free block (caught by the free-block header check); lists made again from the bitmaps: %lu free pages kept, %lu blocks given up",
			(unsigned long)pool->nr_free, (unsigned long)m.dropped);
	}
}

/*
 * The free pages [i, i + 2^order) join the lists: merge with the buddy
 * while it is free and of the same order, one order up each time.
 * Returns how many merges it made.
 */
static unsigned int __free_block(struct page_pool *pool, size_t i,
				 unsigned int order)
{
	unsigned int from = order;

	while (order < MAX_ORDER &&
	       __is_free_block(pool, buddy_of(i, order), order)) {
		__del_block(pool, buddy_of(i, order), order);
		i &= ~((size_t)1 << order);
		order++;
	}
	__add_block(pool, i, order);
	return order - from;
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
 * block, putting the upper halves on the lower lists.  The smallest
 * non-empty order comes from one bit search in pool->nonempty.  Returns
 * the block's index, or -1 if no block is large enough.
 */
static long __take_block(struct page_pool *pool, unsigned int order)
{
	unsigned long larger = pool->nonempty >> order;
	struct list_head *first;
	unsigned int o;
	size_t i;

	if (!larger)
		return -1;
	o = order + (unsigned int)__builtin_ctzl(larger);
	first = pool->free_list[o].next;
	i = page_index(pool, first);
	if (unlikely(!node_ok(pool, first) || !__is_free_block(pool, i, o))) {
		__rebuild_free_lists(pool, first, o);
		return __take_block(pool,
				    order); /* once: the lists are sound */
	}
	__del_block(pool, i, o);
	while (o > order) {
		o--;
		__add_block(pool, i + ((size_t)1 << o), o);
	}
	return (long)i;
}

/*
 * Requests above the top order: the first row of free top-order blocks
 * long enough, in address order.  O(span / 2^MAX_ORDER); rare and slow on
 * purpose.
 */
static long __take_large(struct page_pool *pool, size_t n)
{
	size_t top = (size_t)1 << MAX_ORDER, start, i;

	for (start = 0; start + n <= pool->span; start += top) {
		/* Is every top-order block of [start, start + n) free? */
		for (i = start; i < start + n; i += top)
			if (!__is_free_block(pool, i, MAX_ORDER))
				break;
		if (i < start + n) {
			start = i; /* the row broke at i: go on after it */
			continue;
		}
		for (i = start; i < start + n; i += top)
			__del_block(pool, i, MAX_ORDER);
		/* The last block may be more than needed. */
		__free_range(pool, start + n, ALIGN_UP(n, top) - n);
		return (long)start;
	}
	return -1;
}

/*
 * The most pages one request can get now: the longest row of free
 * top-order blocks, which __take_large would take, or else the largest
 * free block.  O(span / 2^MAX_ORDER + orders), for the statistics.
 */
size_t __largest_free_block(struct page_pool *pool)
{
	size_t top = (size_t)1 << MAX_ORDER, i, row = 0, longest = 0;
	unsigned int o;

	for (i = 0; i + top <= pool->span; i += top) {
		row = __is_free_block(pool, i, MAX_ORDER) ? row + top : 0;
		longest = MAX(longest, row);
	}
	for (o = MAX_ORDER; !longest && o-- > 0;)
		if (pool->nr_blocks[o])
			longest = (size_t)1 << o;
	return longest;
}

/* Record [i, i + n) as one allocated run (its pages were free). */
static void __mark_run(struct page_pool *pool, size_t i, size_t n)
{
	bitmap_set(pool->run_map, i, n);
	bitmap_set(pool->tail_map, i + 1, n - 1);
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

/*
 * Length of the allocated run that starts at i: it and the tail pages
 * after it, found a word of bits at a time.
 */
static size_t run_length(const struct page_pool *pool, size_t i)
{
	size_t j = i + 1;

	while (j < pool->span) {
		size_t w = BIT_WORD(j), bit = j % BITS_PER_LONG;
		unsigned long tails = bitmap_load_word(&pool->tail_map[w]) &
				      bitmap_load_word(&pool->run_map[w]);
		unsigned long others = ~(tails >> bit); /* from page j on */

		if (others) {
			size_t k = (size_t)__builtin_ctzl(others);

			if (bit + k < BITS_PER_LONG)
				return j + k - i;
		}
		j += BITS_PER_LONG - bit;
	}
	return pool->span - i;
}

/* A new peak of pages off the free lists?  (pool->lock held) */
static void __note_peak(struct page_pool *pool)
{
	size_t taken = pool->nr_total - pool->nr_free;

	if (taken > pool->peak_taken) {
		pool->peak_taken = taken;
		pool->peak_ms = (uint32_t)(time_ns() / 1000000);
	}
}

/* --- The magazines' side (pool->lock held) -------------------------- */

/* Free single pages for a magazine, off the lists. */
/*
 * Free single pages for a magazine, off the lists: one aligned block of
 * n pages when there is one (a single take, and at most one split per
 * order), else page by page.  n is a power of two.
 */
static unsigned int page_refill(void *owner, void **pages, unsigned int n)
{
	struct page_pool *pool = owner;
	unsigned int got;
	long i = __take_block(pool, order_for(n));

	if (i >= 0) {
		for (got = 0; got < n; got++)
			pages[got] = page_addr(pool, (size_t)i + got);
	} else {
		for (got = 0; got < n; got++) {
			i = __take_block(pool, 0);
			if (i < 0)
				break;
			pages[got] = page_addr(pool, (size_t)i);
		}
	}
	pool->singles_out += got;
	__note_peak(pool);
	return got;
}

/*
 * Pages back to the lists, the oldest first, until a flush's merges
 * reach MAX_ORDER: then the rest wait for the next flush.  So the worst
 * single page_free pays for two pages that merge to the top order, not
 * for PAGE_MAG_BATCH of them (a merge is about 70 instructions), while
 * a usual flush, whose pages merge little, still moves a whole batch.
 */
static unsigned int page_flush(void *owner, void **pages, unsigned int n)
{
	struct page_pool *pool = owner;
	unsigned int k = 0, merges = 0;

	while (k < n && merges < MAX_ORDER)
		merges += __free_block(pool, page_index(pool, pages[k++]), 0);
	pool->singles_out -= k;
	return k;
}

static const struct magazine_ops page_mag_ops = {
	.refill = page_refill,
	.flush = page_flush,
};

/* --- Allocation ------------------------------------------------------ */

static const char *const owner_names[] = {
	[PAGE_OWNER_PAGE] = "page",
	[PAGE_OWNER_SLAB] = "slab",
	[PAGE_OWNER_KMALLOC] = "kmalloc",
};

/* What kind of call frees a run of this owner, for a report. */
static const char *const owner_free_calls[] = {
	[PAGE_OWNER_PAGE] = "page_free",
	[PAGE_OWNER_SLAB] = "kfree or kmem_cache_free",
	[PAGE_OWNER_KMALLOC] = "kfree",
};

static void __set_owner(struct page_pool *pool, size_t i, enum page_owner owner)
{
	if (owner == PAGE_OWNER_SLAB)
		__set_bit(i, pool->slab_run_map);
	else if (owner == PAGE_OWNER_KMALLOC)
		__set_bit(i, pool->kmalloc_run_map);
}

static void __clear_owner(struct page_pool *pool, size_t i)
{
	__clear_bit(i, pool->slab_run_map);
	__clear_bit(i, pool->kmalloc_run_map);
}

/*
 * A request no pool could serve: report it, as a bad call, in the bytes
 * asked for when the caller asked in bytes (0: in pages), and count it
 * as the owner's failure.
 */
static void bad_request(struct page_pool *pool, size_t npages, size_t bytes,
			enum page_owner owner, uintptr_t caller)
{
	struct mm_report r = {
		.bug = MM_BAD_CALL,
		.where = owner_names[owner],
		.order = -1,
		.caller = caller,
	};

	__atomic_fetch_add(&pool->failures[owner], 1, __ATOMIC_RELAXED);
	if (bytes)
		mm_report(
			&r,
			"%lu bytes asked for, more than the %lu pages managed: none given",
			(unsigned long)bytes, (unsigned long)pool->nr_total);
	else
		mm_report(&r, "%lu pages asked for, of %lu managed: none given",
			  (unsigned long)npages, (unsigned long)pool->nr_total);
}

/*
 * Is page, just taken from a magazine, one: a managed page, free, on no
 * list?  A magazine entry that a flipped bit (or a stray write) turned
 * into another address is not; the page it names, if any, belongs to
 * someone else.  Pool lock held.
 */
static bool __magazine_page_ok(const struct page_pool *pool, void *page)
{
	size_t i = page_index(pool, page);

	return IS_ALIGNED((uintptr_t)page, PAGE_SIZE) && i < pool->span &&
	       page_managed(pool, (uintptr_t)page) &&
	       !test_bit(i, pool->single_map) && !test_bit(i, pool->run_map) &&
	       !test_bit(i, pool->buddy_map) && !run_tail(pool, i);
}

static void report_bad_magazine_page(void *page)
{
	struct mm_report r = {
		.bug = MM_CORRUPTION,
		.addr = page,
		.where = "page",
		.order = 0,
	};

	mm_report(
		&r,
		"a per-hart magazine holds it, but it is no free page (caught by the magazine entry check); not handed out");
}

/*
 * Every allocation the fast path did not finish: a run, an empty
 * magazine, a run for a slab or kmalloc, a pool being debugged.  Single
 * pages for page_alloc come through this hart's magazine; everything
 * else is a run, marked with its owner.
 */
static __noinline void *pool_alloc(struct page_pool *pool, size_t npages,
				   enum page_owner owner, uintptr_t caller)
{
	bool single = npages == 1 && owner == PAGE_OWNER_PAGE;
	bool injected = false;
	void *page = NULL;
	long i;

	if (unlikely(npages == 0 || npages > pool->nr_total)) {
		bad_request(pool, npages, 0, owner, caller);
		return NULL;
	}
	if (pool == &kernel_pool &&
	    should_fail(FAULT_PAGE, NULL, order_for(npages), npages * PAGE_SIZE,
			caller)) {
		injected = true;
		goto failed;
	}
again:
	mm_lock(&pool->lock);
	if (npages == 1) {
		/* Even a one-page run comes through this hart's magazine. */
		page = __mag_take(&pool->mags, pool);
		if (!page) { /* pages may sit in other harts' magazines */
			__mag_drain_all(&pool->mags, pool);
			page = __mag_take(&pool->mags, pool);
		}
		if (page && unlikely(!__magazine_page_ok(pool, page))) {
			pool->singles_out--; /* counted as taken: it is not */
			mm_unlock(&pool->lock);
			report_bad_magazine_page(page);
			goto again; /* it left the magazine: the next one */
		}
		if (page && !single) {
			i = (long)page_index(pool, page);
			__set_bit((size_t)i, pool->run_map);
			pool->singles_out--;
		}
	} else {
		i = __take_run(pool, npages);
		if (i < 0) {
			__mag_drain_all(&pool->mags, pool);
			i = __take_run(pool, npages);
		}
		if (i >= 0)
			page = page_addr(pool, (size_t)i);
	}
	if (page && !single) {
		__set_owner(pool, (size_t)i, owner);
		pool->owner_pages[owner] += npages;
		pool->run_allocs[owner]++;
		if (owner == PAGE_OWNER_KMALLOC && pool == &kernel_pool)
			kmalloc_account_pages((long)npages);
		__note_peak(pool);
	}
	/* Under the lock, so that page_validate never sees it half taken. */
	if (page && single &&
	    test_and_set_bit(page_index(pool, page), pool->single_map))
		panic("page_alloc: page %p from this hart's magazine was taken meanwhile: page metadata corrupted",
		      page);
	mm_unlock(&pool->lock);
	if (!page)
		goto failed;
	if (unlikely(pool_debug(pool)))
		page_debug_alloc(pool, page_index(pool, page), npages, caller);
	return page;
failed:
	__atomic_fetch_add(&pool->failures[owner], 1, __ATOMIC_RELAXED);
	/* A slab's failure is its cache's: the slab layer reports it. */
	if (owner != PAGE_OWNER_SLAB)
		mm_report_failure(pool, owner_names[owner], npages, 0, caller,
				  injected);
	return NULL;
}

/*
 * The fast path of page_alloc(1): a page from this hart's magazine into
 * *page, its single bit set with one AMO.  About 25 instructions on
 * rv32.  false: nothing changed, and the caller goes to pool_alloc.
 *
 * The page it pops is not checked against the pool's bitmaps: that would
 * cost a range check and a bitmap load on every page_alloc.  A magazine
 * entry broken by a flipped bit is found by page_validate (memcheck and
 * its scrubber take it out) or when the slow path takes it, not here.
 */
static __always_inline bool pool_take_cached(struct page_pool *pool,
					     void **page)
{
	struct magazine *m;
	unsigned long flags;
	void **top;

	top = mag_open(&pool->mags, &m, &flags);
	if (likely(mag_has_objects(m, top))) {
		*page = top[-1];
		if (likely(!test_and_set_bit(page_index(pool, *page),
					     pool->single_map))) {
			mag_close(m, top - 1, flags);
			return true;
		}
	}
	mag_close_unchanged(m, top, flags);
	return false;
}

/* --- Free ------------------------------------------------------------ */

/* Say in words what p is to pool, for a refused free. */
static void pool_describe(const struct page_pool *pool, const void *p,
			  char *buf, size_t size)
{
	uintptr_t a = (uintptr_t)p, off = a % PAGE_SIZE;
	size_t i = page_index(pool, p), first;
	void *start;

	if (!page_managed(pool, a)) {
		snprintf(buf, size,
			 "it is outside the memory the page allocator manages");
		return;
	}
	if (run_tail(pool, i) || (test_bit(i, pool->run_map) && off)) {
		first = run_start(pool, i);
		start = page_addr(pool, first);
		snprintf(
			buf, size,
			"it is %lu bytes into the run of pages taken for %s at %p",
			(unsigned long)(a - (uintptr_t)start),
			owner_names[__run_owner(pool, first)], start);
	} else if (test_bit(i, pool->run_map)) {
		snprintf(buf, size, "it is a run of %lu pages taken for %s",
			 (unsigned long)run_length(pool, i),
			 owner_names[__run_owner(pool, i)]);
	} else if (test_bit(i, pool->single_map) && off) {
		snprintf(buf, size,
			 "it is %lu bytes into the page from page_alloc at %p",
			 (unsigned long)off, page_addr(pool, i));
	} else if (test_bit(i, pool->single_map)) {
		snprintf(buf, size, "it is a page from page_alloc");
	} else if (off) {
		snprintf(buf, size, "it is %lu bytes into the free page at %p",
			 (unsigned long)off, page_addr(pool, i));
	} else {
		snprintf(buf, size, "it is a free page");
	}
}

void page_describe(const void *p, char *buf, size_t size)
{
	pool_describe(&kernel_pool, p, buf, size);
}

/* Refuse a free of p, saying why; nothing changes. */
static void refuse(struct page_pool *pool, const void *p, enum mm_bug bug,
		   enum page_owner owner, uintptr_t caller, const char *why)
{
	struct mm_report r;

	/* A double free names where the run was taken and freed, if known. */
	if (bug == MM_DOUBLE_FREE && page_managed(pool, (uintptr_t)p))
		page_run_report(&r, pool, p, bug, caller);
	else
		r = (struct mm_report){
			.bug = bug,
			.addr = p,
			.order = -1,
			.caller = caller,
		};
	r.where = owner_names[owner];
	__atomic_fetch_add(&pool->refused_frees, 1, __ATOMIC_RELAXED);
	mm_report(&r, "%s; nothing freed", why);
}

/* The features of mm.debug a pool has (the others are the slabs'). */
#define PAGE_DEBUG_FEATURES                                                    \
	(MM_DEBUG_CHECKS | MM_DEBUG_POISON | MM_DEBUG_TRACK | MM_DEBUG_WATCH)

/*
 * Freed pages [i, i + n) go back the way they came, cheaply: a single
 * page to this hart's magazine, a run to the lists.
 */
static void __give_freed(struct page_pool *pool, size_t i, size_t n)
{
	if (n == 1)
		__mag_give(&pool->mags, pool, page_addr(pool, i));
	else
		__free_range(pool, i, n);
}

/*
 * Pages [i, i + n) of owner, just freed in the bitmaps of a pool that
 * debugs: poison and track the free.  true: mm.debug=W samples them, so
 * they are held back and watched (counted in nr_watched, on no list)
 * instead of going back, and the caller hands them to
 * mm_watch_hold once it drops the pool lock.  A slab's pages are
 * never held: its cache frees them under its lock, and making room in
 * the quarantine may give an object back to another cache (a second
 * cache lock); its objects were the blocks worth watching anyway.
 */
static bool __debug_freed(struct page_pool *pool, size_t i, size_t n,
			  enum page_owner owner, uintptr_t caller)
{
	page_debug_free(pool, i, n, caller);
	if (!(pool_debug(pool) & MM_DEBUG_WATCH) || owner == PAGE_OWNER_SLAB ||
	    !mm_watch_sample())
		return false;
	pool->nr_watched += n;
	return true;
}

/* The quarantine's callbacks (mm/watch.h), for page runs. */
static void watched_run_back(void *pool_, void *p, size_t bytes)
{
	struct page_pool *pool = pool_;
	size_t n = bytes / PAGE_SIZE;

	mm_lock(&pool->lock);
	pool->nr_watched -= n;
	__give_freed(pool, page_index(pool, p), n);
	mm_unlock(&pool->lock);
}

static void watched_run_report(struct mm_report *r, void *pool, void *p,
			       enum mm_bug bug, uintptr_t pc)
{
	page_run_report(r, pool, p, bug, pc);
}

static const struct watch_owner_ops watched_runs = {
	.give_back = watched_run_back,
	.report_init = watched_run_report,
};

/*
 * Every free the fast path did not finish: a run, a full magazine, a
 * pool being debugged, or something wrong with the free.  Checked from
 * the start, then refused with the reason, or done.  NULL is fine.
 */
static __noinline void pool_free(struct page_pool *pool, void *p,
				 enum page_owner owner, uintptr_t caller)
{
	enum page_owner was = PAGE_OWNER_PAGE;
	enum mm_bug bug = MM_BAD_FREE;
	const char *why = NULL;
	bool watched = false;
	char described[80];
	size_t i, n = 1;

	if (!p)
		return;
	if (!page_managed(pool, (uintptr_t)p) ||
	    !IS_ALIGNED((uintptr_t)p, PAGE_SIZE) ||
	    run_tail(pool, page_index(pool, p))) {
		if (mem_kind_of(p) != MEM_OTHER)
			mm_why_not_ours(p, described, sizeof(described));
		else
			pool_describe(pool, p, described, sizeof(described));
		refuse(pool, p, MM_BAD_FREE, owner, caller, described);
		return;
	}
	i = page_index(pool, p);

	mm_lock(&pool->lock);
	if (test_bit(i, pool->run_map)) {
		was = __run_owner(pool, i);
		if (was == owner) {
			n = run_length(pool, i);
			bitmap_clear(pool->run_map, i, n);
			bitmap_clear(pool->tail_map, i + 1, n - 1);
			__clear_owner(pool, i);
			pool->owner_pages[owner] -= n;
			pool->run_frees[owner]++;
			if (owner == PAGE_OWNER_KMALLOC && pool == &kernel_pool)
				kmalloc_account_pages(-(long)n);
			if (n == 1)
				pool->singles_out++; /* as a single page */
			watched = unlikely(pool_debug(pool)) &&
				  __debug_freed(pool, i, n, owner, caller);
			if (!watched)
				__give_freed(pool, i, n);
		}
	} else if (owner == PAGE_OWNER_PAGE &&
		   test_and_clear_bit(i, pool->single_map)) {
		/*
		 * A single page the fast path had no room for.  One AMO
		 * decides, against a fast-path free racing on another hart.
		 */
		watched = unlikely(pool_debug(pool)) &&
			  __debug_freed(pool, i, 1, owner, caller);
		if (!watched)
			__give_freed(pool, i, 1);
	} else if (test_bit(i, pool->single_map)) {
		why = "it is a page from page_alloc: free it with page_free";
	} else {
		bug = MM_DOUBLE_FREE; /* neither run nor single: free */
	}
	mm_unlock(&pool->lock);
	if (watched)
		mm_watch_hold(&watched_runs, pool, p, n * PAGE_SIZE);
	if (bug == MM_DOUBLE_FREE) {
		refuse(pool, p, bug, owner, caller, "already free");
	} else if (why) {
		refuse(pool, p, bug, owner, caller, why);
	} else if (was != owner) {
		snprintf(described, sizeof(described),
			 "it is a run of pages taken for %s: free it with %s",
			 owner_names[was], owner_free_calls[was]);
		refuse(pool, p, bug, owner, caller, described);
	}
}

/*
 * The fast path of page_free: an allocated single page into this hart's
 * magazine.  One AMO clears its single bit and says whether it was set:
 * if not, the page is free already, part of a run, or no page at all, and
 * nothing changed.  About 30 instructions on rv32.  false: nothing
 * changed, and the caller goes to pool_free, which says why.  NULL lands
 * outside the span.
 */
static __always_inline bool pool_give_cached(struct page_pool *pool, void *p)
{
	size_t i = page_index(pool, p);
	struct magazine *m;
	unsigned long flags;
	void **top;

	top = mag_open(&pool->mags, &m, &flags);
	if (likely(mag_has_room(m, top) &&
		   IS_ALIGNED((uintptr_t)p, PAGE_SIZE) && i < pool->span &&
		   test_and_clear_bit(i, pool->single_map))) {
		top = mag_push(m, top, p);
		mag_close(m, top, flags);
		return true;
	}
	mag_close_unchanged(m, top, flags);
	return false;
}

/* --- Set-up ---------------------------------------------------------- */

/* Carve the bitmaps out of the first region that can hold them. */
static bool place_metadata(struct page_pool *pool)
{
	size_t words = BITS_TO_LONGS(pool->span);
	size_t bytes = 6 * words * sizeof(unsigned long);
	int r;

	pool->meta_bytes = bytes;
	for (r = 0; r < pool->nr_regions; r++) {
		struct mem_region *reg = &pool->regions[r];
		uintptr_t need = ALIGN_UP(bytes, PAGE_SIZE);

		if (reg->end - reg->start <= need)
			continue;
		pool->single_map = (unsigned long *)reg->start;
		pool->run_map = pool->single_map + words;
		pool->tail_map = pool->run_map + words;
		pool->buddy_map = pool->tail_map + words;
		pool->slab_run_map = pool->buddy_map + words;
		pool->kmalloc_run_map = pool->slab_run_map + words;
		memset(pool->single_map, 0, bytes);
		reg->start += need;
		return true;
	}
	return false;
}

/*
 * Tracking (U): two tracks a page of the span, from the pool itself.
 * The run is listed (allocs) as made by whoever turned tracking on.
 */
static void make_tracks(struct page_pool *pool, uintptr_t caller)
{
	size_t bytes = 2 * pool->span * sizeof(struct mm_track);
	struct mm_track *t;

	t = pool_alloc(pool, (bytes + PAGE_SIZE - 1) / PAGE_SIZE,
		       PAGE_OWNER_PAGE, caller);
	if (!t)
		return;
	memset(t, 0, bytes);
	mm_track_here(&t[2 * page_index(pool, t)], caller);
	/* mm's own records: no allocation to list or scan */
	t[2 * page_index(pool, t)].flags = MM_TRACK_IGNORED;
	__atomic_store_n(&pool->tracks, t, __ATOMIC_RELEASE);
}

bool page_pool_init(struct page_pool *pool, const struct mem_region *regions,
		    int count, unsigned int mag_limit, unsigned int debug)
{
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	unsigned int o;
	int r;

	memset(pool, 0, sizeof(*pool));
	spinlock_init_level(&pool->lock, "page_pool", LOCK_LEVEL_PAGE);
	pool->debug = debug & PAGE_DEBUG_FEATURES;
	/* A pool being debugged sends every page through the slow paths. */
	magazines_init(&pool->mags, &page_mag_ops, pool->debug ? 0 : mag_limit,
		       PAGE_MAG_BATCH, PAGE_DEPOT);
	for (o = 0; o < PAGE_ORDERS; o++)
		list_init(&pool->free_list[o]);
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

	/* Pages of the span outside every region: tail, but of no run. */
	bitmap_set(pool->tail_map, 0, pool->span);
	for (r = 0; r < pool->nr_regions; r++) {
		size_t first = page_index(pool, (void *)pool->regions[r].start);
		size_t n = (pool->regions[r].end - pool->regions[r].start) /
			   PAGE_SIZE;

		bitmap_clear(pool->tail_map, first, n);
		__free_range(pool, first, n);
		pool->nr_total += n;
	}
	if (pool->debug & MM_DEBUG_POISON)
		__page_debug_poison_free_pages(pool);
	if (pool->debug & MM_DEBUG_TRACK)
		make_tracks(pool, CALLER_ADDR);
	return pool->nr_total > 0;
}

/* --- Private pools ----------------------------------------------------- */

void *page_pool_alloc(struct page_pool *pool, size_t npages)
{
	void *page;

	if (likely(npages == 1 && pool_take_cached(pool, &page)))
		return page;
	return pool_alloc(pool, npages, PAGE_OWNER_PAGE, CALLER_ADDR);
}

void page_pool_free(struct page_pool *pool, void *p)
{
	if (likely(pool_give_cached(pool, p)))
		return;
	pool_free(pool, p, PAGE_OWNER_PAGE, CALLER_ADDR);
}

void page_pool_drain(struct page_pool *pool)
{
	mm_lock(&pool->lock);
	__mag_drain_all(&pool->mags, pool);
	mm_unlock(&pool->lock);
}

size_t page_pool_free_count(struct page_pool *pool)
{
	size_t n;

	mm_lock(&pool->lock);
	n = pool->nr_free + __mag_snapshot(&pool->mags, NULL, NULL);
	mm_unlock(&pool->lock);
	return n;
}

/* --- The kernel's pool ------------------------------------------------- */

void page_init(const struct mem_region *regions, int count)
{
	uint64_t bytes, thousandths_of_a_percent;

	if (!page_pool_init(&kernel_pool, regions, count, MAG_SLOTS,
			    mm_debug_flags()))
		panic("page_init: no usable memory");
	spinlock_init_level(&kernel_pool.lock, "page", LOCK_LEVEL_PAGE);
	spinlock_register(&kernel_pool.lock); /* so lockstat lists it */
	bytes = (uint64_t)kernel_pool.nr_total * PAGE_SIZE;
	thousandths_of_a_percent =
		(uint64_t)kernel_pool.meta_bytes * 100000 / bytes;
	printk("page: %lu pages managed, %lu bytes of metadata (%llu.%03llu%%)\n",
	       (unsigned long)kernel_pool.nr_total,
	       (unsigned long)kernel_pool.meta_bytes,
	       (unsigned long long)(thousandths_of_a_percent / 1000),
	       (unsigned long long)(thousandths_of_a_percent % 1000));
}

void *page_alloc_as(size_t npages, enum page_owner owner, uintptr_t caller)
{
	void *page;

	if (owner == PAGE_OWNER_PAGE && npages == 1 &&
	    pool_take_cached(&kernel_pool, &page))
		return page;
	return pool_alloc(&kernel_pool, npages, owner, caller);
}

/*
 * Everything but a magazine hit.  Its own function, its arguments in
 * page_alloc's order, so that page_alloc's fast path moves no argument
 * into place for a call it does not make (about 2 instructions).
 */
static __noinline void *page_alloc_slow(size_t npages, uintptr_t caller)
{
	return pool_alloc(&kernel_pool, npages, PAGE_OWNER_PAGE, caller);
}

/* About 32 instructions on rv32 on a magazine hit. */
void *page_alloc(size_t npages)
{
	void *page;

	if (likely(npages == 1 && pool_take_cached(&kernel_pool, &page)))
		return page;
	return page_alloc_slow(npages, CALLER_ADDR);
}

void *page_alloc_bytes_as(size_t bytes, enum page_owner owner, uintptr_t caller)
{
	struct page_pool *pool = &kernel_pool;
	size_t npages = pages_for_bytes(bytes);

	if (npages > pool->nr_total) {
		bad_request(pool, npages, bytes, owner, caller);
		return NULL;
	}
	return page_alloc_as(npages, owner, caller);
}

void *page_alloc_order(unsigned int order)
{
	if (order > MAX_ORDER) {
		/* No 1 << order here: it is undefined past the word's width. */
		__atomic_fetch_add(&kernel_pool.failures[PAGE_OWNER_PAGE], 1,
				   __ATOMIC_RELAXED);
		struct mm_report r = {
			.bug = MM_BAD_CALL,
			.where = "page_alloc_order",
			.order = -1,
			.caller = CALLER_ADDR,
		};

		mm_report(&r, "order %u is above the largest, %u: none given",
			  order, (unsigned int)MAX_ORDER);
		return NULL;
	}
	return pool_alloc(&kernel_pool, (size_t)1 << order, PAGE_OWNER_PAGE,
			  CALLER_ADDR);
}

/* Everything but a magazine hit, as page_alloc_slow is. */
static __noinline void page_free_slow(void *p, uintptr_t caller)
{
	pool_free(&kernel_pool, p, PAGE_OWNER_PAGE, caller);
}

/* About 38 instructions on rv32 on a magazine hit. */
void page_free(void *p)
{
	if (likely(pool_give_cached(&kernel_pool, p)))
		return;
	page_free_slow(p, CALLER_ADDR);
}

void page_free_as(void *p, enum page_owner owner, uintptr_t caller)
{
	if (owner == PAGE_OWNER_PAGE && pool_give_cached(&kernel_pool, p))
		return;
	pool_free(&kernel_pool, p, owner, caller);
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

size_t page_run_pages(const void *p, enum page_owner owner)
{
	const struct page_pool *pool = &kernel_pool;
	size_t i = page_index(pool, p);

	if (!IS_ALIGNED((uintptr_t)p, PAGE_SIZE) || i >= pool->span ||
	    test_bit(i, pool->tail_map))
		return 0;
	if (test_bit(i, pool->single_map))
		return owner == PAGE_OWNER_PAGE;
	if (!test_bit(i, pool->run_map) || __run_owner(pool, i) != owner)
		return 0;
	return run_length(pool, i);
}

int page_validate(void)
{
	return page_pool_validate(&kernel_pool);
}

void page_map(uintptr_t addr, size_t npages, unsigned char *kind)
{
	page_pool_map(&kernel_pool, addr, npages, kind);
}

void page_get_stats(struct page_stats *stats)
{
	page_pool_stats(&kernel_pool, stats);
}

void page_for_each_tracked(void (*fn)(const struct mm_block *b, void *arg),
			   void *arg)
{
	struct page_pool *pool = &kernel_pool;
	struct mm_block b;
	size_t i, n;

	if (!page_track(pool, 0, 0))
		return;
	mm_lock(&pool->lock);
	for (i = 0; i < pool->span; i += n) {
		n = 1;
		if (test_bit(i, pool->single_map)) {
			b.where = owner_names[PAGE_OWNER_PAGE];
		} else if (test_bit(i, pool->run_map) &&
			   !test_bit(i, pool->tail_map)) {
			n = run_length(pool, i);
			if (__run_owner(pool, i) == PAGE_OWNER_SLAB)
				continue; /* its objects are the allocations */
			b.where = owner_names[__run_owner(pool, i)];
		} else {
			continue;
		}
		b.addr = page_addr(pool, i);
		b.size = n * PAGE_SIZE;
		b.track = page_track(pool, i, 0);
		b.alloc = *b.track;
		fn(&b, arg);
	}
	mm_unlock(&pool->lock);
}

void page_track_ignore(const void *p)
{
	struct page_pool *pool = &kernel_pool;
	struct mm_track *t;

	mm_lock(&pool->lock);
	t = page_track(pool, page_index(pool, p), 0);
	if (t)
		t->flags |= MM_TRACK_IGNORED;
	mm_unlock(&pool->lock);
}

/*
 * Change the kernel pool's debugging at run time (memdebug).  Turning
 * any feature on drains the magazines and keeps none, so every page then
 * passes the slow paths; poison first poisons every free page, tracking
 * first makes its records.  Pages allocated before carry no track.
 */
void page_debug_set(unsigned int flags)
{
	struct page_pool *pool = &kernel_pool;
	unsigned int want = flags & PAGE_DEBUG_FEATURES;

	if ((want & MM_DEBUG_TRACK) && !page_track(pool, 0, 0))
		make_tracks(pool, CALLER_ADDR); /* unlocked: it allocates */
	mm_lock(&pool->lock);
	if ((want & MM_DEBUG_POISON) && !(pool->debug & MM_DEBUG_POISON)) {
		__mag_drain_all(&pool->mags, pool); /* their pages too */
		__page_debug_poison_free_pages(pool);
	}
	__atomic_store_n(&pool->debug, want, __ATOMIC_RELAXED);
	mm_unlock(&pool->lock);
	page_refresh_magazines();
}

void page_refresh_magazines(void)
{
	struct page_pool *pool = &kernel_pool;

	mm_lock(&pool->lock);
	__mag_drain_all(&pool->mags, pool);
	__mag_set_limit(&pool->mags,
			pool_debug(pool) || fault_inject_armed() ? 0
								 : MAG_SLOTS,
			PAGE_MAG_BATCH, PAGE_DEPOT);
	mm_unlock(&pool->lock);
}

unsigned int page_debug_flags(void)
{
	return pool_debug(&kernel_pool);
}

void page_scrub(void)
{
	page_pool_scrub(&kernel_pool);
}

void page_reset_peak(void)
{
	page_pool_reset_peak(&kernel_pool);
}
