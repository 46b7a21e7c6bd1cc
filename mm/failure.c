/*
 * failure.c - the report of an allocation that failed: what was asked
 * for, by whom, and the state that made it fail, in the spirit of Linux's
 * warn_alloc and show_mem:
 *
 *   mm: allocation failure (kmalloc, hart 0) by load_file+0x2c: 600 pages
 *   mm:   free pages by order: 0:1 1:1 2:1 3:1 4:1 5:0 6:0 7:0 8:0 9:0 10:0
 *   mm:   31 pages free, the largest block 16 pages; unusable index for order 10: 1.000
 *   mm:   largest caches: kmalloc-2048 64 pages, task 12 pages, kmem_cache 1 pages
 *   mm:   pages in each hart's magazine: 0:5 1:0
 *
 * It goes through mm_report, so it is rate-limited, counted and kept in
 * the ring like every report; the lines after the first are printed only
 * when the first was.  It takes the list of caches (slab_lock): the
 * allocators call it only once they hold no lock of their own.
 */
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include "internal.h"
#include "report.h"

#define LARGEST_CACHES 5

struct largest {
	const char *name[LARGEST_CACHES];
	size_t pages[LARGEST_CACHES];
};

static void rank_cache(struct kmem_cache *c, void *arg)
{
	struct largest *l = arg;
	struct kmem_cache_stats s;
	size_t pages;
	int i;

	kmem_cache_get_stats(c, &s);
	pages = s.slabs * s.pages_per_slab;
	for (i = LARGEST_CACHES - 1; i >= 0 && pages > l->pages[i]; i--) {
		if (i + 1 < LARGEST_CACHES) {
			l->pages[i + 1] = l->pages[i];
			l->name[i + 1] = l->name[i];
		}
		l->pages[i] = pages;
		l->name[i] = s.name;
	}
}

void mm_report_failure(struct page_pool *pool, const char *where, size_t pages,
		       size_t bytes, uintptr_t caller, bool injected)
{
	struct mm_report r = {
		.bug = MM_ALLOC_FAILED,
		.where = where,
		.order = -1,
		.caller = caller,
	};
	struct largest l;
	struct page_stats s;
	char line[160];
	size_t n, index;
	unsigned int o, order = 0, h;
	int i;

	while (order < PAGE_ORDERS - 1 && ((size_t)1 << order) < pages)
		order++;
	if (!mm_report(&r, "%lu %s%s", (unsigned long)(bytes ? bytes : pages),
		       bytes ? "bytes" : "pages",
		       injected ? ", failed on purpose (fault injection)"
				: "") ||
	    injected)
		return;
	if (pool)
		page_pool_stats(pool, &s);
	else
		page_get_stats(&s);
	for (n = 0, o = 0; o < PAGE_ORDERS; o++)
		n += snprintf(line + n, sizeof(line) - n, " %u:%lu", o,
			      (unsigned long)s.blocks[o]);
	printk("mm:   free pages by order:%s\n", line);
	index = page_unusable_index(&s, order);
	printk("mm:   %lu pages free, the largest block %lu pages; unusable index for order %u: %lu.%03lu\n",
	       (unsigned long)s.free, (unsigned long)s.largest_free_block,
	       order, (unsigned long)(index / 1000),
	       (unsigned long)(index % 1000));
	memset(&l, 0, sizeof(l));
	kmem_cache_for_each(rank_cache, &l);
	for (n = 0, i = 0; i < LARGEST_CACHES && l.name[i]; i++)
		n += snprintf(line + n, sizeof(line) - n, "%s %s %lu pages",
			      i ? "," : "", l.name[i],
			      (unsigned long)l.pages[i]);
	printk("mm:   largest caches:%s\n", line);
	for (n = 0, h = 0; h < nr_harts_online(); h++)
		n += snprintf(line + n, sizeof(line) - n, " %u:%lu", h,
			      (unsigned long)s.cached[h]);
	printk("mm:   pages in each hart's magazine:%s\n", line);
}
