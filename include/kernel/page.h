/*
 * page.h - the physical page allocator (mm/page.c).
 *
 * Memory is handed over as one or more regions at boot; afterwards pages
 * are allocated in runs of npages contiguous pages and freed by the
 * address of the first page.
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

/* Manage the given regions (rounded inwards to whole pages). */
void page_init(const struct mem_region *regions, int count);
/* npages contiguous pages, page aligned, or NULL. */
void *page_alloc(size_t npages);
/* Free the run that starts at p; NULL is ignored, bad input reported. */
void page_free(void *p);

size_t page_free_count(void);
size_t page_total_count(void);
/* Lowest managed address and one past the highest (tests, diagnostics). */
void page_span(uintptr_t *lo, uintptr_t *hi);

#endif /* KERNEL_PAGE_H */
