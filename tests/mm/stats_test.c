/*
 * stats_test.c - the memory manager's figures (mm/stats.c,
 * include/kernel/meminfo.h): that they add up, and that the watermarks
 * rise with use, stay after a free and start again from now on a reset.
 * The fuzz targets (tests/fuzz/) check the counts after every operation;
 * these cases check what the targets do not call.
 */
#include <kernel/ktest.h>
#include <kernel/meminfo.h>
#include <kernel/page.h>
#include <kernel/slab.h>

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
	KEXPECT_EQ(t, s.largest_free_block, largest);
	KEXPECT_GE(t, s.pages.peak_taken, pages_taken(&s));
}

KTEST(stats, watermarks_stay_after_a_free_and_start_again_on_a_reset)
{
	struct kmem_cache *c = kmem_cache_create("test-peak", 512, 0, 0, NULL);
	struct kmem_cache_stats cs;
	struct memory_stats s0, s1, s2;
	void *big, *obj[24];
	int i;

	KASSERT_NOT_NULL(t, c);
	reset_memory_watermarks();
	get_memory_stats(&s0);
	KEXPECT_EQ(t, s0.pages.peak_taken, pages_taken(&s0));

	big = kmalloc(16 * PAGE_SIZE);
	KASSERT_NOT_NULL(t, big);
	for (i = 0; i < 24; i++) { /* 8 objects a slab: three slabs */
		obj[i] = kmem_cache_alloc(c);
		KASSERT_NOT_NULL(t, obj[i]);
	}
	get_memory_stats(&s1);
	KEXPECT_EQ(t, s1.kmalloc_peak_pages, s0.kmalloc_peak_pages + 16);
	KEXPECT_GE(t, s1.pages.peak_taken, s0.pages.peak_taken + 16);

	kfree(big);
	for (i = 0; i < 24; i++)
		kmem_cache_free(c, obj[i]);
	kmem_cache_shrink(c);
	get_memory_stats(&s2);
	KEXPECT_EQ(t, s2.kmalloc_peak_pages, s1.kmalloc_peak_pages);
	KEXPECT_EQ(t, s2.pages.peak_taken, s1.pages.peak_taken);
	kmem_cache_get_stats(c, &cs);
	KEXPECT_EQ(t, cs.slabs, 0);
	KEXPECT_GE(t, cs.peak_slabs, 3);

	reset_memory_watermarks();
	get_memory_stats(&s2);
	KEXPECT_EQ(t, s2.kmalloc_peak_pages, s0.kmalloc_peak_pages);
	KEXPECT_EQ(t, s2.pages.peak_taken, pages_taken(&s2));
	kmem_cache_get_stats(c, &cs);
	KEXPECT_EQ(t, cs.peak_slabs, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}
