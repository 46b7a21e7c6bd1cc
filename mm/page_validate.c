/*
 * page_validate.c - walk a whole page pool and cross-check everything
 * mm/page.c keeps: the six bitmaps, the free lists, the per-order
 * counters and the per-hart magazines.  The first inconsistency is
 * reported precisely (an mm_report, "caught by page_validate") and the
 * walk stops.
 *
 * Checked:
 *   - every block on list k is inside managed memory, aligned to 2^k,
 *     has its buddy bit and a header saying order k, and all its pages
 *     are free (neither single nor run);
 *   - no buddy bit is set anywhere else, so no block is on two lists and
 *     no two blocks overlap;
 *   - no two free buddies of the same order are left unmerged;
 *   - every page in a magazine is free, managed, on no list and inside no
 *     block, and no magazine holds more than its limit;
 *   - the counters agree with the lists, and the number of free pages
 *     with the pages on the lists plus those in the magazines and those
 *     held back while watched (mm.debug=W);
 *   - no page is both single and run; every run starts with a page that
 *     is no tail, and every tail page follows a page of its run;
 *   - a page no region covers is tail and nothing else.
 *
 * The walk holds the pool lock, and each magazine's lock while it looks
 * at it, so it sees a still picture of the lists; call it when no
 * allocation is half done (tests call it between operations).  It takes
 * O(span) steps: a debugging tool, not a hot path.
 */
#include <kernel/page.h>
#include <kernel/printk.h>
#include "internal.h"
#include "report.h"

/* Is page i of the span in one of the pool's regions? */
static bool managed(const struct page_pool *pool, size_t i)
{
	return page_managed(pool, (uintptr_t)page_addr(pool, i));
}

static __printf(3, 4) int fail(const struct page_pool *pool, size_t i,
			       const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	struct mm_report r = {
		.bug = MM_CORRUPTION,
		.addr = page_addr(pool, i),
		.where = "page",
		.order = -1,
	};

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mm_report(&r, "%s (caught by page_validate)", msg);
	return -1;
}

static bool is_buddy(const struct page_pool *pool, size_t i)
{
	return test_bit(i, pool->buddy_map);
}

static bool is_free(const struct page_pool *pool, size_t i)
{
	return !test_bit(i, pool->single_map) && !test_bit(i, pool->run_map);
}

static unsigned int order_of_block(const struct page_pool *pool, size_t i)
{
	return ((struct free_block *)page_addr(pool, i))->order;
}

/* Is page i inside a block on the lists?  Returns its first page or -1. */
static long covering_block(const struct page_pool *pool, size_t i)
{
	unsigned int o;

	for (o = 0; o <= MAX_ORDER; o++) {
		size_t first = i & ~(((size_t)1 << o) - 1);

		if (is_buddy(pool, first) && order_of_block(pool, first) >= o)
			return (long)first;
	}
	return -1;
}

static int check_block(const struct page_pool *pool, size_t i,
		       unsigned int order)
{
	const struct free_block *b = page_addr(pool, i);
	size_t n = (size_t)1 << order, j, buddy = i ^ n;

	if (i >= pool->span || (i & (n - 1)))
		return fail(pool, i, "block on list %u is misplaced", order);
	if (b->magic != FREE_BLOCK_MAGIC || b->order != order)
		return fail(pool, i, "block on list %u has header order %u",
			    order, b->order);
	if (!is_buddy(pool, i))
		return fail(pool, i, "block on list %u has no buddy bit",
			    order);
	for (j = i; j < i + n; j++) {
		if (!managed(pool, j))
			return fail(pool, j,
				    "order-%u block covers unmanaged memory",
				    order);
		if (!is_free(pool, j) || test_bit(j, pool->tail_map))
			return fail(
				pool, j,
				"page of a free order-%u block is marked allocated",
				order);
		if (j > i && is_buddy(pool, j))
			return fail(
				pool, j,
				"a block starts inside the order-%u block at %p",
				order, page_addr(pool, i));
	}
	if (order < MAX_ORDER && buddy < pool->span && is_buddy(pool, buddy) &&
	    order_of_block(pool, buddy) == order)
		return fail(pool, i, "free buddies of order %u not merged",
			    order);
	return 0;
}

static int check_lists(const struct page_pool *pool, size_t *pages,
		       size_t *blocks)
{
	unsigned int o;

	for (o = 0; o <= MAX_ORDER; o++) {
		const struct list_head *head = &pool->free_list[o], *p;
		size_t count = 0;

		for (p = head->next; p != head; p = p->next) {
			size_t i = page_index(pool, p);

			if (count++ > pool->span)
				return fail(pool, i, "list %u loops", o);
			if (check_block(pool, i, o))
				return -1;
		}
		if (count != pool->nr_blocks[o])
			return fail(
				pool, 0,
				"list %u holds %lu blocks, its counter says %lu",
				o, (unsigned long)count,
				(unsigned long)pool->nr_blocks[o]);
		if (!count != !(pool->nonempty & (1UL << o)))
			return fail(
				pool, 0,
				"list %u holds %lu blocks, its nonempty bit says otherwise",
				o, (unsigned long)count);
		*pages += count << o;
		*blocks += count;
	}
	if (*pages != pool->nr_free)
		return fail(pool, 0, "lists hold %lu pages, nr_free says %lu",
			    (unsigned long)*pages,
			    (unsigned long)pool->nr_free);
	return 0;
}

/*
 * A magazine entry must be a free single page of the pool, on no list:
 * else the fast path would hand out a page it does not own, or one it
 * hands out again.  A bad entry is reported and taken out.
 */
static bool magazine_page_ok(void *page, void *arg)
{
	struct page_pool *pool = arg;
	size_t i = page_index(pool, page);

	if ((uintptr_t)page % PAGE_SIZE || i >= pool->span || !managed(pool, i))
		fail(pool, 0, "a magazine holds %p, a bad address; taken out",
		     page);
	else if (!is_free(pool, i) || is_buddy(pool, i))
		fail(pool, i,
		     "page in a magazine is not a free single page; taken out");
	else if (covering_block(pool, i) >= 0)
		fail(pool, i,
		     "page in a magazine is also on a free list; taken out");
	else
		return true;
	return false;
}

static void page_held_twice(void *page, void *arg)
{
	struct page_pool *pool = arg;

	fail(pool, page_index(pool, page),
	     "per-hart magazines hold the page twice; taken out");
}

/* Each magazine entry a free single page, none held twice. */
static int check_magazine_entries(struct page_pool *pool)
{
	if (__mag_filter(&pool->mags, magazine_page_ok, pool) +
	    __mag_drop_duplicates(&pool->mags, page_held_twice, pool))
		return -1; /* the page counts cannot add up this time */
	return 0;
}

/*
 * held[h]: what hart h's magazine holds, all held from here to the end;
 * and the depot's pages, still under the pool lock.
 */
static int count_magazines(struct page_pool *pool, const unsigned long *held,
			   size_t *pages)
{
	unsigned int h;

	for (h = 0; h < MAX_HARTS; h++) {
		if (held[h] > pool->mags.limit)
			return fail(
				pool, 0,
				"hart %u's magazine holds %lu pages, over its limit %u",
				h, held[h], pool->mags.limit);
		*pages += held[h];
	}
	*pages += pool->mags.depot_n;
	return 0;
}

static int check_bitmaps(const struct page_pool *pool, size_t free_pages,
			 size_t blocks)
{
	size_t i, free_bits = 0, buddy_bits = 0;

	for (i = 0; i < pool->span; i++) {
		bool single = test_bit(i, pool->single_map);
		bool run = test_bit(i, pool->run_map);
		bool tail = test_bit(i, pool->tail_map);

		buddy_bits += is_buddy(pool, i);
		if (!managed(pool, i)) {
			if (single || run || !tail || is_buddy(pool, i))
				return fail(
					pool, i,
					"unmanaged page is not marked reserved");
			continue;
		}
		free_bits += !single && !run;
		if (single && (run || tail))
			return fail(pool, i,
				    "single page is also marked part of a run");
		if (tail && !run)
			return fail(pool, i, "tail page of no run");
		if (tail && (i == 0 || !test_bit(i - 1, pool->run_map)))
			return fail(pool, i,
				    "tail page of a run has no run before it");
	}
	if (buddy_bits != blocks)
		return fail(pool, 0, "%lu buddy bits for %lu listed blocks",
			    (unsigned long)buddy_bits, (unsigned long)blocks);
	if (free_bits != free_pages)
		return fail(
			pool, 0,
			"%lu free pages in the bitmaps, but %lu pages on the lists and in the magazines",
			(unsigned long)free_bits, (unsigned long)free_pages);
	return 0;
}

int page_pool_validate(struct page_pool *pool)
{
	unsigned long held[MAX_HARTS];
	size_t pages = 0, blocks = 0;
	int err;

	mm_lock(&pool->lock);
	err = check_lists(pool, &pages, &blocks);
	if (!err)
		err = check_magazine_entries(pool);
	if (!err) {
		/*
		 * The fast paths change a page's bit and its magazine
		 * together, under the magazine and not the pool's lock: hold
		 * every magazine while the bits are counted, or a page taken
		 * or given meanwhile would be counted twice or not at all.
		 */
		__mag_hold_all(&pool->mags, held);
		pages += pool->nr_watched; /* held back, on no list */
		err = count_magazines(pool, held, &pages);
		if (!err)
			err = check_bitmaps(pool, pages, blocks);
		__mag_release_all(&pool->mags, held);
	}
	mm_unlock(&pool->lock);
	return err;
}
