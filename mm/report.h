/*
 * report.h - how mm makes a report (mm/report.c); what a report holds
 * and how it reads is in include/kernel/mm_report.h.
 *
 *	struct mm_report r = {
 *		.bug = MM_DOUBLE_FREE, .addr = obj, .where = c->name,
 *		.order = -1, .caller = caller,
 *	};
 *	mm_report(&r, "already free");
 */
#ifndef MM_REPORT_H
#define MM_REPORT_H

#include <kernel/mm_report.h>

/*
 * The first REPORT_BURST reports of each second are printed; the rest
 * are counted, and the next one printed says how many were left out.
 */
#define REPORT_BURST 10

/*
 * Fill in the hart and the detail, keep it in the ring, and print it,
 * unless too many came this second: returns whether it was printed.
 */
__printf(2, 3) bool mm_report(struct mm_report *r, const char *fmt, ...);

/*
 * The report of a failed allocation (mm/failure.c): of pages from pool
 * (NULL: the kernel's), or of bytes (bytes non-zero) from a cache or
 * kmalloc, with the state that made it fail, or made to fail on purpose
 * (injected: include/kernel/fault_inject.h).  Call it with no lock of
 * the allocators held.
 */
struct page_pool;
void mm_report_failure(struct page_pool *pool, const char *where, size_t pages,
		       size_t bytes, uintptr_t caller, bool injected);

/*
 * Where the ring of reports lies.  The leak scanner (mm/leak.c) does not
 * read it as a root: it holds the addresses of blocks that were reported
 * on, and would keep them, or blocks at their addresses now, from ever
 * being reported.
 */
void mm_report_ring_bounds(const void **start, const void **end);

/* A track for the calling hart, now, at site. */
void mm_track_here(struct mm_track *t, uintptr_t site);

#endif /* MM_REPORT_H */
