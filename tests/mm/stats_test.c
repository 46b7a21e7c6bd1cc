/*
 * stats_test.c - the memory manager's figures (suite "stats"): the
 * counts of get_memory_stats move by exactly the calls made, the
 * watermarks rise with use and come down only on reset, fragmentation
 * matches a layout worked out by hand, and a failed allocation reports
 * what it asked for and who asked.
 *
 * Other harts may allocate meanwhile in QEMU (the timer, idle tasks), so
 * the kernel-wide cases count in caches of their own; the exact page
 * figures come from private pools.
 */
#include <kernel/ktest.h>
#include <kernel/meminfo.h>
#include <kernel/mm_report.h>
#include <kernel/page.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include "../../mm/internal.h"
#include "one_report.h"

#define OBJECTS 50

/* Pages off the free lists now: taken, as the page peak counts them. */
static size_t pages_taken(const struct memory_stats *s)
{
	size_t cached = 0;
	unsigned int h;

	for (h = 0; h < MAX_HARTS; h++)
		cached += s->pages.cached[h];
	return s->pages.total - s->pages.free + cached;
}

KTEST(stats, the_figures_add_up)
{
	struct memory_stats s;
	unsigned int o;
	size_t largest = 0;

	get_memory_stats(&s);
	KEXPECT_EQ(t, s.slab_pages, s.pages.for_slabs);
	KEXPECT_EQ(t, s.kmalloc_large_pages, s.pages.for_kmalloc);
	KEXPECT_LE(t, s.slab_active, s.slab_total);
	for (o = 0; o < PAGE_ORDERS; o++)
		if (s.pages.blocks[o])
			largest = (size_t)1 << o;
	/* a row of top-order blocks counts as one: at least the largest */
	KEXPECT_GE(t, s.pages.largest_free_block, largest);
	KEXPECT_GE(t, s.pages.peak_taken, pages_taken(&s));
}

/* The kernel-wide watermarks: a free leaves them, a reset restarts them. */
KTEST(stats, watermarks_stay_after_a_free_and_start_again_on_a_reset)
{
	struct kmem_cache *c = kmem_cache_create("test-marks", 512, 0, 0, NULL);
	struct kmem_cache_stats cs;
	struct memory_stats s0, s1, s2;
	void *big, *obj[24];
	int i;

	KASSERT_NOT_NULL(t, c);
	reset_memory_watermarks();
	get_memory_stats(&s0);
	KEXPECT_GE(t, s0.pages.peak_taken, pages_taken(&s0));

	big = kmalloc(16 * PAGE_SIZE);
	KASSERT_NOT_NULL(t, big);
	for (i = 0; i < 24; i++) { /* 8 objects a slab: three slabs */
		obj[i] = kmem_cache_alloc(c);
		KASSERT_NOT_NULL(t, obj[i]);
	}
	get_memory_stats(&s1);
	KEXPECT_GE(t, s1.kmalloc_peak_pages, s0.kmalloc_peak_pages + 16);
	KEXPECT_GE(t, s1.pages.peak_taken, s0.pages.peak_taken + 16);

	kfree(big);
	for (i = 0; i < 24; i++)
		kmem_cache_free(c, obj[i]);
	kmem_cache_shrink(c);
	get_memory_stats(&s2);
	KEXPECT_GE(t, s2.kmalloc_peak_pages, s1.kmalloc_peak_pages);
	KEXPECT_GE(t, s2.pages.peak_taken, s1.pages.peak_taken);
	kmem_cache_get_stats(c, &cs);
	KEXPECT_EQ(t, cs.slabs, 0);
	KEXPECT_GE(t, cs.peak_slabs, 3);

	reset_memory_watermarks();
	kmem_cache_get_stats(c, &cs);
	KEXPECT_EQ(t, cs.peak_slabs, 0);
	get_memory_stats(&s2);
	KEXPECT_LT(t, s2.kmalloc_peak_pages, s1.kmalloc_peak_pages);
	KEXPECT_LT(t, s2.pages.peak_taken, s1.pages.peak_taken);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

KTEST(stats, cache_counts_move_by_the_calls_made)
{
	struct kmem_cache *c = kmem_cache_create("test-counts", 48, 0, 0, NULL);
	struct kmem_cache_stats before, after;
	void *objs[OBJECTS];
	int i;

	KASSERT_NOT_NULL(t, c);
	kmem_cache_get_stats(c, &before);
	for (i = 0; i < OBJECTS; i++) {
		objs[i] = kmem_cache_alloc(c);
		KASSERT_NOT_NULL(t, objs[i]);
	}
	for (i = 0; i < OBJECTS / 2; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_free(c, objs[0]); /* refused: a double free */
	kmem_cache_get_stats(c, &after);
	KEXPECT_EQ(t, after.allocs - before.allocs, OBJECTS);
	KEXPECT_EQ(t, after.frees - before.frees, OBJECTS / 2);
	KEXPECT_EQ(t, after.active, OBJECTS - OBJECTS / 2);
	KEXPECT_EQ(t, after.refused_frees - before.refused_frees, 1);
	KEXPECT_EQ(t, after.failures, 0);
	KEXPECT_GE(t, after.total, after.active + after.cached);
	for (i = OBJECTS / 2; i < OBJECTS; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_get_stats(c, &after);
	KEXPECT_EQ(t, after.active, 0);
	KEXPECT_EQ(t, after.allocs, after.frees);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* A cache's peak is its most slabs at once, and reset brings it down. */
KTEST(stats, a_cache_watermark_holds_its_peak_until_reset)
{
	struct kmem_cache *c = kmem_cache_create("test-peak", 512, 0, 0, NULL);
	struct kmem_cache_stats s;
	void *objs[OBJECTS];
	size_t peak;
	int i;

	KASSERT_NOT_NULL(t, c);
	for (i = 0; i < OBJECTS; i++) {
		objs[i] = kmem_cache_alloc(c);
		KASSERT_NOT_NULL(t, objs[i]);
	}
	kmem_cache_get_stats(c, &s);
	peak = s.slabs;
	KEXPECT_EQ(t, s.peak_slabs, peak);
	for (i = 0; i < OBJECTS; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_shrink(c);
	kmem_cache_get_stats(c, &s);
	KEXPECT_LT(t, s.slabs, peak);
	KEXPECT_EQ(t, s.peak_slabs, peak); /* the peak stays */
	reset_memory_watermarks();
	kmem_cache_get_stats(c, &s);
	KEXPECT_EQ(t, s.peak_slabs, s.slabs);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* kmalloc's large blocks are runs of pages, counted with its calls. */
KTEST(stats, kmalloc_counts_its_large_blocks_and_their_peak)
{
	struct memory_stats before, during, after;
	void *big;

	get_memory_stats(&before);
	big = kmalloc(5 * PAGE_SIZE);
	KASSERT_NOT_NULL(t, big);
	get_memory_stats(&during);
	KEXPECT_EQ(t, during.kmalloc_large_pages - before.kmalloc_large_pages,
		   5); /* a run of exactly its pages */
	KEXPECT_GE(t, during.kmalloc_peak_pages, during.kmalloc_large_pages);
	KEXPECT_EQ(t, during.kmalloc.allocs - before.kmalloc.allocs, 1);
	kfree(big);
	get_memory_stats(&after);
	KEXPECT_EQ(t, after.kmalloc_large_pages, before.kmalloc_large_pages);
	KEXPECT_EQ(t, after.kmalloc.frees - before.kmalloc.frees, 1);
	KEXPECT_GE(t, after.kmalloc_peak_pages, during.kmalloc_large_pages);
}

/*
 * A pool of 32 pages, one aligned block (its bitmaps take the page just
 * before), with no magazines.  All taken one by one, then every other
 * page given back: 16 free pages, none next to another.
 *   fragmentation         1 - 1/16           = 0.9375 (937 thousandths)
 *   unusable index(0)     every page serves  = 0.000
 *   unusable index(1..)   no page serves     = 1.000
 * Given back whole, the pool is one block of 32 pages: 0.000 everywhere.
 */
#define POOL_PAGES 32

static struct page_pool pool;

/* A private pool of POOL_PAGES in one aligned block, at *mem's end. */
static bool make_pool(struct ktest *t, void **mem)
{
	struct mem_region region;

	*mem = page_alloc(2 * POOL_PAGES);
	if (!KEXPECT_NOT_NULL(t, *mem))
		return false;
	region = (struct mem_region){
		(uintptr_t)*mem + (POOL_PAGES - 1) * PAGE_SIZE,
		(uintptr_t)*mem + 2 * POOL_PAGES * PAGE_SIZE
	};
	return KEXPECT_TRUE(t, page_pool_init(&pool, &region, 1, 0, 0));
}

KTEST(stats, fragmentation_matches_a_layout_worked_out_by_hand)
{
	void *mem, *pages[POOL_PAGES];
	struct page_stats s;
	unsigned int o;
	int i;

	if (!make_pool(t, &mem))
		return;
	page_pool_stats(&pool, &s);
	KEXPECT_EQ(t, s.total, POOL_PAGES);
	KEXPECT_EQ(t, s.largest_free_block, POOL_PAGES);
	KEXPECT_EQ(t, page_fragmentation(&s), 0);
	for (i = 0; i < POOL_PAGES; i++) {
		pages[i] = page_pool_alloc(&pool, 1);
		KASSERT_NOT_NULL(t, pages[i]);
	}
	for (i = 0; i < POOL_PAGES; i++)
		if (((uintptr_t)pages[i] / PAGE_SIZE) % 2 == 0)
			page_pool_free(&pool, pages[i]);
	page_pool_stats(&pool, &s);
	KEXPECT_EQ(t, s.free, POOL_PAGES / 2);
	KEXPECT_EQ(t, s.largest_free_block, 1);
	KEXPECT_EQ(t, page_fragmentation(&s), 937);
	KEXPECT_EQ(t, page_unusable_index(&s, 0), 0);
	for (o = 1; o < PAGE_ORDERS; o++)
		KEXPECT_EQ(t, page_unusable_index(&s, o), 1000);
	KEXPECT_EQ(t, s.peak_taken, POOL_PAGES);
	for (i = 0; i < POOL_PAGES; i++)
		if (((uintptr_t)pages[i] / PAGE_SIZE) % 2 == 1)
			page_pool_free(&pool, pages[i]);
	page_pool_stats(&pool, &s);
	KEXPECT_EQ(t, s.free, POOL_PAGES);
	KEXPECT_EQ(t, s.largest_free_block, POOL_PAGES);
	KEXPECT_EQ(t, page_fragmentation(&s), 0);
	for (o = 0; o <= 5; o++)
		KEXPECT_EQ(t, page_unusable_index(&s, o), 0);
	KEXPECT_EQ(t, s.allocs, POOL_PAGES);
	KEXPECT_EQ(t, s.frees, POOL_PAGES);
	KEXPECT_EQ(t, s.peak_taken, POOL_PAGES); /* until reset */
	page_pool_reset_peak(&pool);
	page_pool_stats(&pool, &s);
	KEXPECT_EQ(t, s.peak_taken, 0);
	page_free(mem);
}

/*
 * The same pool, with free blocks of every order up to 3, taken one page
 * at a time and given back by the page's index in the pool:
 *
 *	page	 0 ..  7  8 .. 11  12..15  16 17  18 19  20 21  22 23  24..31
 *	free	 xxxxxxxx xxxx     ....    xx     ..     xx     ..     x.x.x.x.
 *	block	 order 3  order 2          1             1             4 of 0
 *
 * 20 pages free, the largest block 8 pages:
 *   fragmentation         1 - 8/20                       = 600 thousandths
 *   unusable index(0)     every page serves               =    0
 *   unusable index(1)     the 4 single pages              =  200
 *   unusable index(2)     those, and the 2 pairs          =  400
 *   unusable index(3)     all but the block of 8          =  600
 *   unusable index(4..)   no block of 16 or more          = 1000
 * Given back whole: one block of 32 pages, 0 everywhere.
 */
static bool free_in_layout(uintptr_t i)
{
	return i < 12 || i == 16 || i == 17 || i == 20 || i == 21 ||
	       (i >= 24 && i % 2 == 0);
}

KTEST(stats, fragmentation_of_blocks_of_every_order_matches_the_hand_figures)
{
	static const unsigned int unusable[] = { 0, 200, 400, 600 };
	void *mem, *pages[POOL_PAGES];
	uintptr_t base = UINTPTR_MAX;
	struct page_stats s;
	unsigned int o;
	int i;

	if (!make_pool(t, &mem))
		return;
	for (i = 0; i < POOL_PAGES; i++) {
		pages[i] = page_pool_alloc(&pool, 1);
		KASSERT_NOT_NULL(t, pages[i]);
		base = MIN(base, (uintptr_t)pages[i]);
	}
	for (i = 0; i < POOL_PAGES; i++)
		if (free_in_layout(((uintptr_t)pages[i] - base) / PAGE_SIZE))
			page_pool_free(&pool, pages[i]);
	page_pool_stats(&pool, &s);
	KEXPECT_EQ(t, s.free, 20);
	KEXPECT_EQ(t, s.largest_free_block, 8);
	KEXPECT_EQ(t, s.blocks[0], 4);
	KEXPECT_EQ(t, s.blocks[1], 2);
	KEXPECT_EQ(t, s.blocks[2], 1);
	KEXPECT_EQ(t, s.blocks[3], 1);
	KEXPECT_EQ(t, page_fragmentation(&s), 600);
	for (o = 0; o < PAGE_ORDERS; o++)
		KEXPECT_EQ(t, page_unusable_index(&s, o),
			   o < ARRAY_SIZE(unusable) ? unusable[o] : 1000);
	for (i = 0; i < POOL_PAGES; i++)
		if (!free_in_layout(((uintptr_t)pages[i] - base) / PAGE_SIZE))
			page_pool_free(&pool, pages[i]);
	page_pool_stats(&pool, &s);
	KEXPECT_EQ(t, s.free, POOL_PAGES);
	KEXPECT_EQ(t, s.largest_free_block, POOL_PAGES);
	KEXPECT_EQ(t, page_fragmentation(&s), 0);
	for (o = 0; o <= 5; o++)
		KEXPECT_EQ(t, page_unusable_index(&s, o), 0);
	page_free(mem);
}

static __noinline void *ask_too_much_here(void)
{
	return page_pool_alloc(&pool, POOL_PAGES);
}

/* What was asked, by whom, counted as a failure. */
KTEST(stats, a_failed_allocation_is_counted_and_reported)
{
	void *mem, *one;
	unsigned long before;
	struct page_stats s;
	struct mm_report r;

	if (!make_pool(t, &mem))
		return;
	one = page_pool_alloc(&pool, 1);
	KASSERT_NOT_NULL(t, one);
	before = mm_report_count();
	KEXPECT_NULL(t, ask_too_much_here());
	page_pool_stats(&pool, &s);
	KEXPECT_EQ(t, s.failures, 1);
	KEXPECT_EQ(t, s.free, POOL_PAGES - 1); /* nothing changed */
	if (one_report(t, before, &r)) {
		KEXPECT_EQ(t, r.bug, MM_ALLOC_FAILED);
		KEXPECT_TRUE(t, site_in(r.caller,
					(void (*)(void))ask_too_much_here));
		KEXPECT_TRUE(t, strstr(r.detail, "32 pages") != NULL);
	}
	page_pool_free(&pool, one);
	page_free(mem);
}
