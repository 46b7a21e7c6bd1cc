/*
 * page_debug.c - poison and tracking for page runs (mm.debug=P and U;
 * include/kernel/mm_debug.h), beside the buddy core in mm/page.c, which
 * calls in here from its slow paths only: a pool with any debugging on
 * keeps no per-hart magazines, so every allocation and free passes here.
 *
 *   free    the run is filled with POISON_FREE; the free is tracked
 *   alloc   the poison is checked (a write after free is reported, with
 *           the offset, the bytes found and the last free), the run is
 *           filled with POISON_NEW, the allocation is tracked
 *
 * Tracks live in pool->tracks, two for each page of the span (the first
 * page of a run holds the run's), made when tracking is turned on.
 */
#include <kernel/mm_debug.h>
#include <kernel/poison.h>
#include <kernel/string.h>
#include "internal.h"
#include "report.h"

static void fill_words(void *p, size_t bytes, unsigned long word)
{
	unsigned long *w = p;
	size_t i;

	for (i = 0; i < bytes / sizeof(long); i++)
		w[i] = word;
}

struct mm_track *page_track(struct page_pool *pool, size_t i, int which)
{
	struct mm_track *tracks =
		__atomic_load_n(&pool->tracks, __ATOMIC_ACQUIRE);

	return tracks ? &tracks[2 * i + which] : NULL;
}

/* Record an allocation (which 0) or a free (1) of the run at i. */
static void track(struct page_pool *pool, size_t i, int which, uintptr_t caller)
{
	struct mm_track *t = page_track(pool, i, which);

	if (t && (pool_debug(pool) & MM_DEBUG_TRACK))
		mm_track_here(t, caller);
}

void page_run_report(struct mm_report *r, struct page_pool *pool, const void *p,
		     enum mm_bug bug, uintptr_t caller)
{
	size_t i = page_index(pool, p);

	*r = (struct mm_report){
		.bug = bug,
		.addr = p,
		.where = "page",
		.order = -1,
		.caller = caller,
	};
	if (page_track(pool, i, 0)) {
		r->alloc = *page_track(pool, i, 0);
		r->free = *page_track(pool, i, 1);
	}
}

void page_debug_free(struct page_pool *pool, size_t i, size_t n,
		     uintptr_t caller)
{
	if (pool_debug(pool) & MM_DEBUG_POISON)
		fill_words(page_addr(pool, i), n * PAGE_SIZE, POISON_FREE);
	track(pool, i, 1, caller);
}

void page_debug_alloc(struct page_pool *pool, size_t i, size_t n,
		      uintptr_t caller)
{
	unsigned long *w = page_addr(pool, i);
	size_t k, words = n * PAGE_SIZE / sizeof(long);

	if (pool_debug(pool) & MM_DEBUG_POISON) {
		for (k = 0; k < words && w[k] == POISON_FREE; k++)
			;
		if (k < words) {
			struct mm_report r = {
				.bug = MM_WRITE_AFTER_FREE,
				.addr = w,
				.order = -1,
				.caller = caller,
			};
			struct mm_track *freed = page_track(pool, i, 1);

			if (freed)
				r.free = *freed;
			mm_report(
				&r,
				"word at offset %lu of %lu pages holds %lx, not the poison %lx",
				(unsigned long)(k * sizeof(long)),
				(unsigned long)n, w[k], POISON_FREE);
		}
		fill_words(w, n * PAGE_SIZE, POISON_NEW);
	}
	track(pool, i, 0, caller);
}

void page_debug_unheader(struct free_block *b)
{
	fill_words(b, sizeof(*b), POISON_FREE);
}

/* Poison every free page, when poison is turned on. */
void __page_debug_poison_free_pages(struct page_pool *pool)
{
	unsigned int o;
	struct free_block *b;

	/*
	 * Everything after the header the list needs (which gets its poison
	 * when the block leaves the list).  Not a fill over the header and
	 * a copy back: fill_words writes longs, the header's order is an
	 * int, and a compiler may drop a store of the int it just read.
	 */
	_Static_assert(sizeof(*b) % sizeof(long) == 0,
		       "the poison after a header starts on a word");
	for (o = 0; o < PAGE_ORDERS; o++)
		list_for_each_entry (b, &pool->free_list[o], node)
			fill_words(b + 1, ((size_t)PAGE_SIZE << o) - sizeof(*b),
				   POISON_FREE);
}
