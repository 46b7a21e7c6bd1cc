/*
 * page.h - the physical page allocator: a buddy system (mm/page.c).
 *
 * Memory is handed over as one or more regions at boot; afterwards pages
 * are allocated in runs of npages contiguous pages and freed by the
 * address of the first page.  Any npages works (3 pages cost 3 pages);
 * page_alloc_order(k) gives a block of 2^k pages aligned to 2^k pages.
 */
#ifndef KERNEL_PAGE_H
#define KERNEL_PAGE_H

#include <kernel/compiler.h>
#include <kernel/config.h>

struct mem_region {
	uintptr_t start; /* first byte */
	uintptr_t end;	 /* one past the last byte */
};

#define PAGE_MAX_REGIONS 4
/* Orders 0 .. PAGE_ORDERS - 1: blocks of 1 page up to 4 MiB. */
#define PAGE_ORDERS 11

/* Manage the given regions (rounded inwards to whole pages). */
void page_init(const struct mem_region *regions, int count);
/* npages contiguous pages, page aligned, or NULL. */
void *page_alloc(size_t npages);
/* 2^order pages aligned to 2^order pages, or NULL; free with page_free. */
void *page_alloc_order(unsigned int order);
/* Free the run that starts at p; NULL is ignored, bad input reported. */
void page_free(void *p);

/* Free pages, counting those held in per-hart magazines. */
size_t page_free_count(void);
size_t page_total_count(void);
/* Lowest managed address and one past the highest (tests, diagnostics). */
void page_span(uintptr_t *lo, uintptr_t *hi);
/* Check every invariant of the allocator; 0, or -1 after a report. */
int page_validate(void);

/*
 * The page allocator's figures, taken as one snapshot (mm/stats.c).
 * "Taken" pages are off the free lists: allocated, or free in a magazine.
 */
struct page_stats {
	size_t total;		     /* managed pages */
	size_t free;		     /* free pages, magazines included */
	size_t cached[MAX_HARTS];    /* free pages in each hart's magazine */
	size_t blocks[PAGE_ORDERS];  /* free blocks of each order */
	size_t largest_free_block;   /* the most pages one request gets */
	size_t for_slabs;	     /* allocated pages in slabs */
	size_t for_kmalloc;	     /* allocated for large kmalloc blocks */
	size_t metadata_bytes;	     /* the bitmaps */
	unsigned long allocs, frees; /* page_alloc and page_free calls done */
	unsigned long failures;	     /* allocations that returned NULL */
	/* kmalloc's large blocks, runs of their own: calls and failures */
	unsigned long kmalloc_allocs, kmalloc_frees, kmalloc_failures;
	unsigned long refused_frees; /* page_free calls refused */
	size_t peak_taken;	     /* most pages ever taken at once */
	uint32_t peak_ms;	     /* when, in ms since boot */
};

void page_get_stats(struct page_stats *stats);

/*
 * How fragmented the free memory of a snapshot is, in thousandths
 * (0: not at all, 1000: wholly), as Linux's extfrag measures it:
 *   page_unusable_index(s, k)  the share of free pages that cannot serve
 *                              a request of order k, being in smaller
 *                              blocks or in the per-hart magazines;
 *   page_fragmentation(s)      1 - largest free block / free pages.
 * The largest free block is the most pages one request can get: a row of
 * free top-order blocks one after another counts as one block, since a
 * request above the top order takes such a row.
 */
unsigned int page_unusable_index(const struct page_stats *s,
				 unsigned int order);
unsigned int page_fragmentation(const struct page_stats *s);

/*
 * What a page is to the page allocator, for a map of memory (page_map).
 * Read from the allocator's own bitmaps and magazines.
 */
enum page_kind {
	PAGE_KIND_RESERVED, /* not the allocator's: no region covers it */
	PAGE_KIND_BITMAPS,  /* the allocator's own bitmaps */
	PAGE_KIND_FREE,	    /* in a free block on the buddy lists */
	PAGE_KIND_CACHED,   /* free, held in a hart's magazine */
	PAGE_KIND_PAGE,	    /* allocated with page_alloc */
	PAGE_KIND_SLAB,	    /* in a slab of some cache */
	PAGE_KIND_KMALLOC,  /* in a large kmalloc block (a run of its own) */
	PAGE_KINDS
};

/*
 * kind[j] = the kind of the page at addr + j * PAGE_SIZE, for j below
 * npages, all taken at one instant (allocations wait meanwhile).  O(npages
 * + magazine slots); addr is page aligned.
 */
void page_map(uintptr_t addr, size_t npages, unsigned char *kind);

#endif /* KERNEL_PAGE_H */
