/*
 * fault_inject.h - allocations made to fail on purpose, to test the code
 * that must cope when memory runs out (mm/fault_inject.c), in the spirit
 * of Linux's failslab and fail_page_alloc.
 *
 * Two sets of knobs: fail_slab for kmem_cache_alloc and kmalloc's caches,
 * fail_page for the page allocator (kmalloc's large blocks and new slabs
 * included).  A call is a candidate when it passes the filters; of the
 * candidates, one fails when all of these agree, as in Linux:
 *
 *   space        the first `space` bytes asked for still succeed
 *   interval     only every interval-th candidate may fail (1: each)
 *   probability  then it fails with this chance, in percent
 *   times        at most this many failures (-1: no end)
 *
 * The chance comes from a seeded generator, so a run that failed can be
 * replayed exactly with the same seed.  Apart from the knobs, fail-nth
 * makes exactly the nth allocation from now fail, of any kind, filters
 * or not (Linux's fail-nth): walking n = 1, 2, 3... fails each allocation
 * an operation makes in turn.
 *
 *   filter       a candidate is a call
 *   cache        ...to this cache (by name; slab only)
 *   min_order,   ...for a block of this order or between (page only)
 *   max_order
 *   site_start,  ...made by code in [site_start, site_end)
 *   site_end
 *
 * Set from tests (fault_inject_set), at boot (fail.slab= and fail.page=,
 * "interval,probability,space,times[,seed]" as Linux's), and from the
 * shell (faultinject).  While any is armed, every allocation takes its
 * slow path, where the check is, so that none escapes it; the fast paths
 * cost the same when none is.  Each injected failure is reported as an
 * allocation failure, with "injected" in its detail.
 */
#ifndef KERNEL_FAULT_INJECT_H
#define KERNEL_FAULT_INJECT_H

#include <kernel/compiler.h>

struct fault_knobs {
	unsigned int probability; /* percent */
	unsigned int interval;	  /* 0 or 1: every candidate */
	long times;		  /* failures left; -1: no end */
	size_t space;		  /* bytes that still succeed */
	uint64_t seed;
	/* Filters. */
	const char *cache; /* NULL: any */
	unsigned int min_order, max_order;
	uintptr_t site_start, site_end; /* both 0: any */
};

enum fault_kind { FAULT_SLAB, FAULT_PAGE, FAULT_KINDS };

/* What a set of knobs has done since it was last set. */
struct fault_counts {
	unsigned long candidates, failed;
};

/* Arm kind with these knobs (a copy is kept; cache must stay valid). */
void fault_inject_set(enum fault_kind kind, const struct fault_knobs *k);
/* Disarm kind: nothing fails any more. */
void fault_inject_off(enum fault_kind kind);
/* The knobs (all 0 when off) and counts of kind; is it armed? */
bool fault_inject_get(enum fault_kind kind, struct fault_knobs *k,
		      struct fault_counts *c);
/*
 * Make the nth allocation from now fail (n >= 1), once; 0: none.  How
 * many are left to go: fault_inject_nth_left (0 once it failed).
 */
void fault_inject_fail_nth(unsigned long n);
unsigned long fault_inject_nth_left(void);
/* Is anything armed?  Then the magazines hold nothing. */
bool fault_inject_armed(void);

/*
 * Parse "interval,probability,space,times[,seed]" into k (the rest of k
 * as it was).  False for anything else.
 */
bool fault_knobs_parse(const char *text, struct fault_knobs *k);

/*
 * The allocators ask this on their slow paths: should this call fail?
 * cache is the cache's name (slab) or NULL (page); order the block's.
 */
bool should_fail(enum fault_kind kind, const char *cache, unsigned int order,
		 size_t bytes, uintptr_t caller);

#endif /* KERNEL_FAULT_INJECT_H */
