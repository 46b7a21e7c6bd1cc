/*
 * page_map.c - what each page of a pool is, read from the allocator's own
 * metadata, for maps of memory (the shell's memmap draws them).
 *
 * The bitmaps give the kind of a page (mm/internal.h has the legend):
 *
 *   no region covers it              RESERVED, or BITMAPS if the
 *                                    bitmaps themselves are there
 *   single 1                         PAGE (page_alloc of one page)
 *   run 1, and its run's first page  SLAB if slab_run 1, KMALLOC if
 *                                    kmalloc_run 1, else PAGE
 *   single 0, run 0                  FREE, or CACHED if a magazine
 *                                    holds it
 *
 * A still picture: the pool lock stops the slow paths, and holding every
 * magazine at once (as page_validate does) stops the fast paths, which
 * change a single bit and a magazine together.  So every page is counted
 * once, and the free and cached pages add up to page_free_count.
 */
#include <kernel/page.h>
#include "internal.h"

/* The kind of a run's pages, by the run's owner. */
static unsigned char run_kind(const struct page_pool *pool, size_t first)
{
	static const unsigned char kinds[] = {
		[PAGE_OWNER_PAGE] = PAGE_KIND_PAGE,
		[PAGE_OWNER_SLAB] = PAGE_KIND_SLAB,
		[PAGE_OWNER_KMALLOC] = PAGE_KIND_KMALLOC,
	};

	return kinds[__run_owner(pool, first)];
}

/* Is a in the pages that hold the bitmaps (place_metadata's)? */
static bool in_bitmaps(const struct page_pool *pool, uintptr_t a)
{
	uintptr_t start = (uintptr_t)pool->single_map;

	return a >= start && a - start < ALIGN_UP(pool->meta_bytes, PAGE_SIZE);
}

/* The bitmaps' word on the pages; a free page is FREE for now. */
static void __map_bitmaps(const struct page_pool *pool, uintptr_t addr,
			  size_t npages, unsigned char *kind)
{
	unsigned char owner = PAGE_KIND_PAGE;
	size_t j, i;

	for (j = 0; j < npages; j++) {
		uintptr_t a = addr + j * PAGE_SIZE;

		i = page_index(pool, (void *)a);
		if (in_bitmaps(pool, a)) {
			kind[j] = PAGE_KIND_BITMAPS;
		} else if (i >= pool->span || !page_managed(pool, a)) {
			kind[j] = PAGE_KIND_RESERVED;
		} else if (test_bit(i, pool->single_map)) {
			kind[j] = PAGE_KIND_PAGE;
		} else if (!test_bit(i, pool->run_map)) {
			kind[j] = PAGE_KIND_FREE;
		} else {
			/* A run's owner bits are on its first page. */
			if (!test_bit(i, pool->tail_map))
				owner = run_kind(pool, i);
			else if (j == 0) /* a run seen from its middle */
				owner = run_kind(pool, run_start(pool, i));
			kind[j] = owner;
		}
	}
}

/* Mark n pages of pages[], if in [addr, addr + npages pages), cached. */
static void map_cached(void *const *pages, unsigned long n, uintptr_t addr,
		       size_t npages, unsigned char *kind)
{
	unsigned long k;

	for (k = 0; k < n; k++) {
		uintptr_t a = (uintptr_t)pages[k];

		if (a >= addr && (a - addr) / PAGE_SIZE < npages)
			kind[(a - addr) / PAGE_SIZE] = PAGE_KIND_CACHED;
	}
}

/*
 * The free pages the magazines (all held by the caller) and the depot
 * (under the pool lock) hold.
 */
static void __map_magazines(const struct page_pool *pool, uintptr_t addr,
			    size_t npages, unsigned char *kind,
			    const unsigned long *held)
{
	unsigned int h;

	for (h = 0; h < MAX_HARTS; h++)
		map_cached(pool->mags.mag[h].slot, held[h], addr, npages, kind);
	map_cached(pool->mags.depot, pool->mags.depot_n, addr, npages, kind);
}

void page_pool_map(struct page_pool *pool, uintptr_t addr, size_t npages,
		   unsigned char *kind)
{
	unsigned long held[MAX_HARTS];

	mm_lock(&pool->lock);
	__mag_hold_all(&pool->mags, held);
	__map_bitmaps(pool, addr, npages, kind);
	__map_magazines(pool, addr, npages, kind, held);
	__mag_release_all(&pool->mags, held);
	mm_unlock(&pool->lock);
}
