/*
 * meminfo.h - all the memory manager's figures in one struct
 * (get_memory_stats, mm/stats.c), which the shell's meminfo prints in the
 * form of Linux's /proc/meminfo, and the watermarks.
 *
 * The page figures are one snapshot of the page allocator; each cache's
 * are a snapshot of that cache, summed.  Calls are counted since boot.
 * A peak ("watermark") is the most ever held at once, with the time it
 * was reached (ms since boot); meminfo reset starts them again from now.
 */
#ifndef KERNEL_MEMINFO_H
#define KERNEL_MEMINFO_H

#include <kernel/page.h>

struct call_counts {
	unsigned long allocs, frees, failures, refused_frees;
};

struct memory_stats {
	struct page_stats pages;

	size_t slab_caches;
	size_t slab_active, slab_total; /* objects, all caches */
	size_t slab_pages;		/* pages their slabs take */
	struct call_counts slab; /* kmem_cache_alloc/free, kmalloc's too */

	size_t kmalloc_bytes;	    /* live: whole objects and pages */
	size_t kmalloc_bytes_asked; /* live, as asked; with tracking only */
	bool kmalloc_asked_known;
	size_t kmalloc_large_pages;
	struct call_counts kmalloc;
	size_t kmalloc_peak_pages; /* watermark of the pages kmalloc held */
	uint32_t kmalloc_peak_ms;
};

void get_memory_stats(struct memory_stats *stats);
/* Start every watermark again from what is held now. */
void reset_memory_watermarks(void);

#endif /* KERNEL_MEMINFO_H */
