/*
 * page_validate.c - walk a whole page pool and cross-check everything
 * mm/page.c keeps: the four bitmaps, the free lists, the per-order
 * counters and the per-hart caches.  The first inconsistency is reported
 * precisely and the walk stops.
 *
 * Checked:
 *   - every block on list k is inside managed memory, aligned to 2^k,
 *     has its head bit and a header saying order k, and all its pages are
 *     free and belong to no allocated run;
 *   - no head bit is set anywhere else, so no block is on two lists and
 *     no two blocks overlap;
 *   - no two free buddies of the same order are left unmerged;
 *   - every cached page is free, on no list and inside no block;
 *   - the counters agree with the lists, and the number of free bits
 *     with the pages on the lists plus those in the caches;
 *   - every allocated run is well formed (more/inner bits agree).
 *
 * The walk takes the pool lock and every cache lock, so it sees a still
 * picture; call it when no allocation is half done (tests call it between
 * operations).  It takes O(span) steps: a debugging tool, not a hot path.
 */
#include <kernel/page.h>
#include <kernel/printk.h>
#include "internal.h"

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

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("page_validate: page %p: %s\n", page_addr(pool, i), msg);
	return -1;
}

/* Is page i inside a block on the lists?  Returns its head or -1. */
static long covering_block(const struct page_pool *pool, size_t i)
{
	unsigned int o;

	for (o = 0; o <= MAX_ORDER; o++) {
		size_t head = i & ~(((size_t)1 << o) - 1);

		if (map_test(pool->head_map, head) &&
		    ((struct free_block *)page_addr(pool, head))->order >= o)
			return (long)head;
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
	if (!map_test(pool->head_map, i))
		return fail(pool, i, "block on list %u has no head bit", order);
	for (j = i; j < i + n; j++) {
		if (!managed(pool, j))
			return fail(pool, j,
				    "order-%u block covers "
				    "unmanaged memory",
				    order);
		if (!map_test(pool->free_map, j) ||
		    map_test(pool->more_map, j) || map_test(pool->inner_map, j))
			return fail(pool, j,
				    "page of a free order-%u block "
				    "is marked allocated",
				    order);
		if (j > i && map_test(pool->head_map, j))
			return fail(pool, j,
				    "a block head lies inside the "
				    "order-%u block at %p",
				    order, page_addr(pool, i));
	}
	if (order < MAX_ORDER && buddy < pool->span &&
	    map_test(pool->head_map, buddy) &&
	    ((struct free_block *)page_addr(pool, buddy))->order == order)
		return fail(pool, i, "free buddies of order %u not merged",
			    order);
	return 0;
}

static int check_lists(const struct page_pool *pool, size_t *pages,
		       size_t *heads)
{
	unsigned int o;

	for (o = 0; o <= MAX_ORDER; o++) {
		const struct list_head *head = &pool->area[o].blocks, *p;
		size_t count = 0;

		for (p = head->next; p != head; p = p->next) {
			size_t i = page_index(pool, p);

			if (count++ > pool->span)
				return fail(pool, i, "list %u loops", o);
			if (check_block(pool, i, o))
				return -1;
		}
		if (count != pool->area[o].nr_blocks)
			return fail(pool, 0,
				    "list %u holds %lu blocks, its "
				    "counter says %lu",
				    o, (unsigned long)count,
				    (unsigned long)pool->area[o].nr_blocks);
		*pages += count << o;
		*heads += count;
	}
	if (*pages != pool->nr_free)
		return fail(pool, 0, "lists hold %lu pages, nr_free says %lu",
			    (unsigned long)*pages,
			    (unsigned long)pool->nr_free);
	return 0;
}

static int check_caches(const struct page_pool *pool, size_t *pages)
{
	unsigned int h;

	for (h = 0; h < MAX_HARTS; h++) {
		const struct page_cache *c = &pool->cache[h];
		const void *p;
		size_t count = 0;

		for (p = c->head; p; p = *(void *const *)p) {
			size_t i = page_index(pool, p);

			if (count++ > c->count)
				return fail(pool, i,
					    "cache of hart %u holds "
					    "more than its count %u",
					    h, c->count);
			if ((uintptr_t)p % PAGE_SIZE || !managed(pool, i))
				return fail(pool, i,
					    "cache of hart %u holds "
					    "a bad address",
					    h);
			if (!map_test(pool->free_map, i) ||
			    map_test(pool->head_map, i))
				return fail(pool, i,
					    "page in the cache of "
					    "hart %u is not a free "
					    "single page",
					    h);
			if (covering_block(pool, i) >= 0)
				return fail(pool, i,
					    "page in the cache of "
					    "hart %u is also on a "
					    "free list",
					    h);
		}
		if (count != c->count)
			return fail(pool, 0,
				    "cache of hart %u holds %lu "
				    "pages, its count says %u",
				    h, (unsigned long)count, c->count);
		*pages += count;
	}
	return 0;
}

static int check_bitmaps(const struct page_pool *pool, size_t free_pages,
			 size_t heads)
{
	size_t i, free_bits = 0, head_bits = 0;

	for (i = 0; i < pool->span; i++) {
		bool f = map_test(pool->free_map, i),
		     more = map_test(pool->more_map, i);
		bool inner = map_test(pool->inner_map, i);

		free_bits += f;
		head_bits += map_test(pool->head_map, i);
		if (!managed(pool, i)) {
			if (f || more || !inner || map_test(pool->head_map, i))
				return fail(pool, i,
					    "unmanaged page is not marked "
					    "reserved");
			continue;
		}
		if (f)
			continue;
		if (more &&
		    (i + 1 >= pool->span || map_test(pool->free_map, i + 1) ||
		     !map_test(pool->inner_map, i + 1)))
			return fail(pool, i,
				    "run continues into a page "
				    "that is not part of it");
		if (inner && (i == 0 || !managed(pool, i - 1) ||
			      map_test(pool->free_map, i - 1) ||
			      !map_test(pool->more_map, i - 1)))
			return fail(pool, i,
				    "inner page of a run has no "
				    "run before it");
	}
	if (head_bits != heads)
		return fail(pool, 0, "%lu head bits for %lu listed blocks",
			    (unsigned long)head_bits, (unsigned long)heads);
	if (free_bits != free_pages)
		return fail(pool, 0,
			    "%lu free bits, but %lu pages on the "
			    "lists and in the caches",
			    (unsigned long)free_bits,
			    (unsigned long)free_pages);
	return 0;
}

int page_pool_validate(struct page_pool *pool)
{
	size_t pages = 0, heads = 0;
	unsigned int h;
	int err;

	mm_lock(pool->lock);
	for (h = 0; h < MAX_HARTS; h++)
		cache_lock(&pool->cache[h]);
	err = check_lists(pool, &pages, &heads);
	if (!err)
		err = check_caches(pool, &pages);
	if (!err)
		err = check_bitmaps(pool, pages, heads);
	for (h = 0; h < MAX_HARTS; h++)
		cache_unlock(&pool->cache[h]);
	mm_unlock(pool->lock);
	return err;
}

void page_pool_stats(struct page_pool *pool, struct page_stats *stats)
{
	unsigned int o, h;

	mm_lock(pool->lock);
	stats->total = pool->nr_total;
	stats->free = pool->nr_free;
	for (o = 0; o < PAGE_ORDERS; o++)
		stats->blocks[o] = pool->area[o].nr_blocks;
	mm_unlock(pool->lock);
	for (h = 0; h < MAX_HARTS; h++) {
		stats->cached[h] = __atomic_load_n(&pool->cache[h].count,
						   __ATOMIC_RELAXED);
		stats->free += stats->cached[h];
	}
	stats->metadata_bytes = pool->meta_bytes;
	stats->failures = __atomic_load_n(&pool->failures, __ATOMIC_RELAXED);
	stats->bad_frees = __atomic_load_n(&pool->bad_frees, __ATOMIC_RELAXED);
}
