/*
 * linear_page.c - REFERENCE ONLY: the page allocator RVOS started with,
 * kept so that make bench can show what the buddy system replaced.
 *
 * One descriptor byte per page; page_alloc(n) scans the descriptors for
 * the first n free pages in a row (first fit, O(pages)).  The benchmark
 * never touches the pages themselves, only the descriptors, so it can
 * model any memory size.
 */
#include <kernel/page.h>
#include <kernel/string.h>
#include "bench.h"

#define PAGE_TAKEN (1 << 0)
#define PAGE_LAST (1 << 1)
#define SAMPLES 50

struct linear_pages {
	uint8_t *desc;
	uintptr_t base;
	size_t npages;
};

static void *linear_alloc(struct linear_pages *lp, size_t npages)
{
	size_t i, run = 0;

	for (i = 0; i < lp->npages; i++) {
		if (lp->desc[i] & PAGE_TAKEN) {
			run = 0;
			continue;
		}
		if (++run == npages) {
			size_t first = i + 1 - npages, j;

			for (j = first; j <= i; j++)
				lp->desc[j] = PAGE_TAKEN;
			lp->desc[i] |= PAGE_LAST;
			return (void *)(lp->base + first * PAGE_SIZE);
		}
	}
	return NULL;
}

static void linear_free(struct linear_pages *lp, void *p)
{
	size_t i = ((uintptr_t)p - lp->base) / PAGE_SIZE;

	for (;; i++) {
		uint8_t d = lp->desc[i];

		lp->desc[i] = 0;
		if (d & PAGE_LAST)
			break;
	}
}

/*
 * page_alloc(1) and free while memory fills up: sampled with the first
 * quarter, half and three quarters of the pages taken (first fit keeps
 * the taken pages at the front), and with none.  The worst alloc is the
 * scan past three quarters of memory.
 */
KTEST_FLAGS(bench, linear_scan_reference, KTEST_MANUAL)
{
	struct bench_row row = BENCH_ROW(
		"reference", "REFERENCE linear scan: alloc(1)+free, filling",
		"pair");
	struct linear_pages lp = { .base = 0x80000000u };
	size_t pages_for_desc;
	void *p;
	unsigned int q, i;

	lp.npages = page_total_count();
	pages_for_desc = (lp.npages + PAGE_SIZE - 1) / PAGE_SIZE;
	lp.desc = page_alloc(pages_for_desc);
	KASSERT_NOT_NULL(t, lp.desc);
	memset(lp.desc, 0, lp.npages);
	for (q = 0; q < 4; q++) {
		memset(lp.desc, PAGE_TAKEN, lp.npages * q / 4);
		for (i = 0; i < SAMPLES; i++) {
			BENCH_OP(&row, BENCH_ALLOC, p = linear_alloc(&lp, 1));
			BENCH_OP(&row, BENCH_FREE, linear_free(&lp, p));
		}
	}
	bench_print(&row);
	page_free(lp.desc);
}
