/*
 * fault_test.c - allocations failed on purpose (include/kernel/
 * fault_inject.h, suite "fault"): the knobs fail what they say, and every
 * operation that allocates more than once copes with each of its
 * allocations failing in turn (the walk of fault_walk.h): kmem_cache_create,
 * slab growth (which is also the magazine refill's one allocation: while
 * faults are injected a refill takes one object), krealloc and the leak
 * scan here, task_create in tests/kernel/task_fault_test.c.
 */
#include <kernel/fault_inject.h>
#include <kernel/ktest.h>
#include <kernel/meminfo.h>
#include <kernel/mm_leak.h>
#include <kernel/mm_report.h>
#include <kernel/page.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include "fault_walk.h"

/* --- kmem_cache_create ---------------------------------------------------- */

static bool create_cache(void *arg)
{
	struct kmem_cache **c = arg;

	*c = kmem_cache_create("test-walk", 72, 0, 0, NULL);
	return *c != NULL;
}

static void destroy_cache(void *arg)
{
	struct kmem_cache **c = arg;

	kmem_cache_destroy(*c);
}

KTEST(fault, kmem_cache_create_copes_with_each_failure)
{
	struct kmem_cache *c = NULL;
	struct operation op = { "kmem_cache_create", create_cache,
				destroy_cache, &c, false };

	KEXPECT_GE(t, walk(t, &op), 1);
}

/* --- Slab growth and the magazine refill --------------------------------- */

static struct kmem_cache *growing;
static void *grown;

static bool alloc_into_a_new_slab(void *arg)
{
	(void)arg;
	grown = kmem_cache_alloc(growing);
	return grown != NULL;
}

static void free_grown(void *arg)
{
	(void)arg;
	kmem_cache_free(growing, grown);
}

/*
 * The cache's slabs are full, so the next object needs a new slab: its
 * pages, and (objects of 1 KiB keep their slab header apart) a header
 * from the slab-header cache.  With the magazines empty the refill
 * takes one object at a time, through the same path.
 */
KTEST(fault, slab_growth_copes_with_each_failure)
{
	struct kmem_cache_stats s;
	struct operation op = { "slab growth", alloc_into_a_new_slab,
				free_grown, NULL, false };
	void *objs[64];
	unsigned int i, n;

	growing = kmem_cache_create("test-grow", 1024, 0, 0, NULL);
	KASSERT_NOT_NULL(t, growing);
	fault_inject_fail_nth(WALK_MAX + 1); /* no magazines: exact slabs */
	kmem_cache_get_stats(growing, &s);
	n = s.objects_per_slab;
	KASSERT_TRUE(t, n <= ARRAY_SIZE(objs));
	for (i = 0; i < n; i++) /* fill one slab exactly */
		KASSERT_NOT_NULL(t, objs[i] = kmem_cache_alloc(growing));
	kmem_cache_get_stats(growing, &s);
	KEXPECT_EQ(t, s.active, s.total);
	KEXPECT_GE(t, walk(t, &op), 2); /* the object, then the pages */
	for (i = 0; i < n; i++)
		kmem_cache_free(growing, objs[i]);
	KEXPECT_EQ(t, kmem_cache_destroy(growing), 0);
}

static void find_slab_headers(struct kmem_cache *c, void *arg)
{
	struct kmem_cache_stats s;

	kmem_cache_get_stats(c, &s);
	if (!strcmp(s.name, "kmem_slab"))
		*(struct kmem_cache_stats *)arg = s;
}

static struct kmem_cache_stats slab_header_stats(void)
{
	struct kmem_cache_stats s;

	memset(&s, 0, sizeof(s));
	kmem_cache_for_each(find_slab_headers, &s);
	return s;
}

static bool no_free_slab_header(void)
{
	struct kmem_cache_stats s = slab_header_stats();

	return s.name && s.active == s.total;
}

/*
 * A real failure (not an injected one) lists the caches under slab_lock.
 * A new slab's header is allocated under its cache's lock, so when the
 * header cache fails, the report must come from the outer cache, once
 * its lock is dropped, and only once.  Fill the slab-header cache
 * exactly, then let the page of its next slab fail.
 */
KTEST(fault, a_failed_slab_header_is_reported_once_by_its_cache)
{
	struct fault_knobs k = { .probability = 100, .times = 1 };
	struct kmem_cache_stats s;
	struct mm_report r;
	void *chain = NULL, *obj;
	unsigned long before, header_failures;
	bool full = false;
	int n;

	growing = kmem_cache_create("test-header", 1024, 0, 0, NULL);
	KASSERT_NOT_NULL(t, growing);
	kmem_cache_get_stats(growing, &s);
	fault_inject_fail_nth(~0ul); /* no magazines: exact slabs */
	for (n = 0; n < 100000 && !full; n++) {
		obj = kmem_cache_alloc(growing);
		KASSERT_NOT_NULL(t, obj);
		*(void **)obj = chain;
		chain = obj;
		kmem_cache_get_stats(growing, &s);
		full = s.active == s.total && no_free_slab_header();
	}
	KASSERT_TRUE(t, full);
	header_failures = slab_header_stats().failures;
	before = mm_report_count();
	k.space = s.pages_per_slab *
		  PAGE_SIZE; /* the slab's pages, not its header's */
	fault_inject_set(FAULT_PAGE, &k);
	obj = kmem_cache_alloc(growing);
	fault_inject_off(FAULT_PAGE);
	fault_inject_fail_nth(0);
	KEXPECT_NULL(t, obj);
	/* The header's allocation failed, not the slab's pages. */
	KEXPECT_EQ(t, slab_header_stats().failures, header_failures + 1);
	KEXPECT_EQ(t, mm_report_count() - before, 1);
	KASSERT_TRUE(t, mm_report_get(before, &r));
	KEXPECT_EQ(t, r.bug, MM_ALLOC_FAILED);
	KEXPECT_STREQ(t, r.where, "test-header");
	while (chain) {
		obj = *(void **)chain;
		kmem_cache_free(growing, chain);
		chain = obj;
	}
	KEXPECT_EQ(t, kmem_cache_destroy(growing), 0);
}

/* --- krealloc ------------------------------------------------------------ */

static char *block;

static bool grow_block(void *arg)
{
	char *bigger = krealloc(block, 3 * PAGE_SIZE);

	(void)arg;
	if (!bigger)
		return false;
	block = bigger;
	return true;
}

static void shrink_block(void *arg)
{
	(void)arg;
	block = krealloc(block, 100);
}

/* A failed krealloc leaves the block as it was: there, and intact. */
KTEST(fault, krealloc_keeps_the_block_when_it_fails)
{
	struct operation op = { "krealloc", grow_block, shrink_block, NULL,
				false };
	size_t i;

	block = kmalloc(100);
	KASSERT_NOT_NULL(t, block);
	for (i = 0; i < 100; i++)
		block[i] = (char)i;
	KEXPECT_GE(t, walk(t, &op), 1);
	for (i = 0; i < 100; i++)
		if (!KEXPECT_EQ(t, block[i], (char)i))
			break;
	kfree(block);
}

/* --- The leak scanner's own allocations ------------------------------------ */

/*
 * A scan copies the tracked blocks into pages of its own, then sorts the
 * copy, merging through more pages or, without them, in place.  Failing
 * the copy's pages fails the scan; failing the merge's leaves it slower
 * but the same: the blocks it saw and the leaks it found are those of a
 * scan with nothing failed.  Each way it gives back every page it took.
 * The blocks are objects of many slabs of two caches, so that the copy
 * comes out of order and the sort matters.
 */
#define SCANNED 64

static struct {
	struct kmem_cache *cache;
	struct kmem_cache *other;
	void *held[SCANNED]; /* a global: each is reached, none a leak */
	struct mm_leak_stats want, got;
	unsigned int seen_wrong;
} ls;

static bool scan_for_leaks(void *arg)
{
	(void)arg;
	if (mm_leak_scan(0, &ls.got) < 0)
		return false;
	ls.seen_wrong += ls.got.blocks != ls.want.blocks ||
			 ls.got.leaks != ls.want.leaks || ls.got.reported;
	return true;
}

static void nothing_to_undo(void *arg)
{
	(void)arg;
}

KTEST(fault, the_leak_scan_copes_with_each_failure)
{
	struct operation op = { "mm_leak_scan", scan_for_leaks, nothing_to_undo,
				NULL, true };
	unsigned int i;

	memset(&ls, 0, sizeof(ls));
	ls.cache =
		kmem_cache_create("test-walk-leak", 1024, 0, SLAB_TRACK, NULL);
	ls.other =
		kmem_cache_create("test-walk-leak-2", 512, 0, SLAB_TRACK, NULL);
	KASSERT_NOT_NULL(t, ls.cache);
	KASSERT_NOT_NULL(t, ls.other);
	for (i = 0; i < SCANNED; i++) /* many slabs of two caches */
		KASSERT_NOT_NULL(t, ls.held[i] = kmem_cache_alloc(
					    i % 2 ? ls.other : ls.cache));
	/* Older leaks reported now: the scans of the walk report none. */
	KASSERT_EQ(t, mm_leak_scan(0, &ls.want), 0);
	KASSERT_EQ(t, mm_leak_scan(0, &ls.want), 0);
	KEXPECT_GE(t, ls.want.blocks, SCANNED);
	KEXPECT_EQ(t, ls.want.reported, 0);
	KEXPECT_EQ(t, walk(t, &op), 2); /* the copy, then the merge */
	KEXPECT_EQ(t, ls.seen_wrong, 0);
	for (i = 0; i < SCANNED; i++)
		kmem_cache_free(i % 2 ? ls.other : ls.cache, ls.held[i]);
	KEXPECT_EQ(t, kmem_cache_destroy(ls.cache), 0);
	KEXPECT_EQ(t, kmem_cache_destroy(ls.other), 0);
}

/* --- The knobs ------------------------------------------------------------ */

static __noinline void *alloc_here(struct kmem_cache *c)
{
	return kmem_cache_alloc(c);
}

/* probability 100, times 3: exactly three failures, then none. */
KTEST(fault, times_bounds_the_failures)
{
	struct kmem_cache *c = kmem_cache_create("test-times", 32, 0, 0, NULL);
	struct fault_knobs k = { .probability = 100,
				 .times = 3,
				 .cache = "test-times" };
	struct fault_counts n;
	unsigned long before;
	void *objs[5];
	int i, failed = 0;

	KASSERT_NOT_NULL(t, c);
	before = mm_report_count();
	fault_inject_set(FAULT_SLAB, &k);
	for (i = 0; i < 5; i++) {
		objs[i] = alloc_here(c);
		failed += !objs[i];
	}
	fault_inject_get(FAULT_SLAB, NULL, &n);
	fault_inject_off(FAULT_SLAB);
	KEXPECT_EQ(t, failed, 3);
	KEXPECT_EQ(t, n.failed, 3);
	KEXPECT_EQ(t, n.candidates, 5);
	KEXPECT_NULL(t, objs[0]); /* the first three */
	KEXPECT_NOT_NULL(t, objs[3]);
	KEXPECT_EQ(t, mm_report_count() - before, 3);
	for (i = 0; i < 5; i++)
		kmem_cache_free(c, objs[i]);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* The filters: another cache, or another call site, is no candidate. */
KTEST(fault, filters_spare_other_caches_and_sites)
{
	struct kmem_cache *c = kmem_cache_create("test-filter", 32, 0, 0, NULL);
	struct fault_knobs k = { .probability = 100, .times = -1 };
	void *p;

	KASSERT_NOT_NULL(t, c);
	k.cache = "test-other";
	fault_inject_set(FAULT_SLAB, &k);
	p = alloc_here(c);
	KEXPECT_NOT_NULL(t, p);
	kmem_cache_free(c, p);
	k.cache = NULL;
	k.site_start = (uintptr_t)alloc_here;
	k.site_end = k.site_start + 256;
	fault_inject_set(FAULT_SLAB, &k);
	KEXPECT_NULL(t, alloc_here(c));
	p = kmem_cache_alloc(c); /* from this case: another site */
	KEXPECT_NOT_NULL(t, p);
	fault_inject_off(FAULT_SLAB);
	kmem_cache_free(c, p);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* The same seed fails the same calls; space lets the first bytes by. */
static unsigned long pattern(struct kmem_cache *c, uint64_t seed)
{
	struct fault_knobs k = {
		.probability = 50, .times = -1, .space = 4 * 32, .seed = seed
	};
	unsigned long bits = 0;
	void *p;
	int i;

	fault_inject_set(FAULT_SLAB, &k);
	for (i = 0; i < 32; i++) {
		p = alloc_here(c);
		if (!p)
			bits |= 1UL << i;
		kmem_cache_free(c, p);
	}
	fault_inject_off(FAULT_SLAB);
	return bits;
}

KTEST(fault, a_seed_replays_the_same_failures)
{
	struct kmem_cache *c = kmem_cache_create("test-seed", 32, 0, 0, NULL);
	unsigned long a, b;

	KASSERT_NOT_NULL(t, c);
	a = pattern(c, 42);
	b = pattern(c, 42);
	KEXPECT_EQ(t, a, b);
	KEXPECT_EQ(t, a & 0xf, 0); /* space: 4 objects of 32 bytes */
	KEXPECT_NE(t, a, 0);
	KEXPECT_NE(t, a, ~0UL << 4 & 0xffffffffUL);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

KTEST(fault, knobs_parse_as_linux_writes_them)
{
	struct fault_knobs k = { 0 };

	KEXPECT_TRUE(t, fault_knobs_parse("10,25,4096,-1,7", &k));
	KEXPECT_EQ(t, k.interval, 10);
	KEXPECT_EQ(t, k.probability, 25);
	KEXPECT_EQ(t, k.space, 4096);
	KEXPECT_EQ(t, k.times, -1);
	KEXPECT_EQ(t, k.seed, 7);
	KEXPECT_TRUE(t, fault_knobs_parse("1,100,0,5", &k));
	KEXPECT_EQ(t, k.times, 5);
	KEXPECT_FALSE(t, fault_knobs_parse("1,101,0,5", &k));
	KEXPECT_FALSE(t, fault_knobs_parse("1,100", &k));
	KEXPECT_FALSE(t, fault_knobs_parse("1,x,0,5", &k));
	KEXPECT_EQ(t, k.times, 5); /* unchanged by what failed */
}
