/*
 * leak_test.c - the leak scanner (mm/leak.c; suite "leak"): a block that
 * nothing points to is reported once, with its site; one that a global,
 * another hart's stack, another live block or a pointer into its middle
 * keeps is never reported; one younger than the grace period waits; and
 * mm_sites lists exactly what was allocated since a mark.  The cases of
 * task stacks and saved registers are kernel-only, in
 * tests/kernel/leak_roots_test.c.
 *
 * leak_test.h says how the cases keep their own locals from holding the
 * blocks they leak.  A stale word elsewhere (a global of an earlier case
 * that still holds an address since reused) could keep a block too, and
 * the scan would be right to keep it.  So a case that expects reports
 * leaks a few blocks, looks for itself for any word that points into
 * each (pointed_to: every root, every tracked block but the stacks, read
 * as roots), and expects a report of every block that nothing points
 * to, of which there must be at least one.  The grace period is a parameter of the scan: no case
 * depends on how long anything takes.
 */
#include <kernel/kallsyms.h>
#include <kernel/ktest.h>
#include <kernel/machine.h>
#include <kernel/mm_debug.h>
#include <kernel/mm_leak.h>
#include <kernel/mm_report.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include "../../mm/report.h"
#include "leak_test.h"
#include "one_report.h"

/* --- Helpers, shared with tests/kernel/leak_roots_test.c ------------------ */

struct kmem_cache *leak_test_cache(void)
{
	return kmem_cache_create("test-leak", LEAK_SIZE, 0,
				 SLAB_TRACK | SLAB_RED_ZONE, NULL);
}

static __noinline void *leak_here(struct kmem_cache *c)
{
	char *p = kmem_cache_alloc(c);

	if (p) {
		memset(p, 0, LEAK_SIZE);
		memcpy(p, "leaked!", 8);
	}
	return p;
}

static struct {
	struct kmem_cache *cache;
	uintptr_t *hidden;
	unsigned int n;
} elsewhere;

static void alloc_on_hart_0(void *arg)
{
	unsigned int i;

	(void)arg;
	if (ktest_hart() == 0)
		for (i = 0; i < elsewhere.n; i++)
			elsewhere.hidden[i] =
				(uintptr_t)leak_here(elsewhere.cache) ^
				LEAK_HIDE;
}

void leak_test_alloc_elsewhere(struct kmem_cache *c, uintptr_t *hidden,
			       unsigned int n)
{
	elsewhere.cache = c;
	elsewhere.hidden = hidden;
	elsewhere.n = n;
	ktest_on_each_hart(alloc_on_hart_0, NULL);
}

#define WIPE_WORDS 256

__noinline void leak_test_wipe(void)
{
	volatile unsigned long words[WIPE_WORDS];
	size_t i;

	for (i = 0; i < WIPE_WORDS; i++)
		words[i] = 0;
	(void)words[0]; /* volatile: each store is made, and this read */
}

__noinline unsigned int leak_test_reports(unsigned long since, uintptr_t hidden,
					  unsigned int *leaks)
{
	unsigned long seq, end = mm_report_count();
	unsigned int n = 0;
	struct mm_report r;

	*leaks = 0;
	for (seq = since; seq < end; seq++)
		if (mm_report_get(seq, &r) &&
		    ((uintptr_t)r.addr ^ LEAK_HIDE) == hidden) {
			n++;
			*leaks += r.bug == MM_LEAK;
		}
	return n;
}

__noinline void leak_test_free(struct kmem_cache *c, uintptr_t hidden)
{
	kmem_cache_free(c, (void *)(hidden ^ LEAK_HIDE));
}

/* --- Who points into a block: the case's own look ------------------------- */

#define PROBE_STACKS 32

struct probe {
	uintptr_t hidden;
	const void *ring_start, *ring_end; /* of reports: not a root */
	/* A byte of each stack: tracked stack pages are read as roots only. */
	uintptr_t stack[PROBE_STACKS];
	unsigned int stacks;
	bool hit;
};

/* Reads what is not its own, as the scanner does: not instrumented. */
static __attribute__((no_sanitize("address", "thread"))) void
probe_words(const void *start, const void *end, struct probe *pr)
{
	uintptr_t lo = pr->hidden ^ LEAK_HIDE;
	const uintptr_t *w = (const uintptr_t *)ALIGN_UP((uintptr_t)start,
							 sizeof(uintptr_t));
	const uintptr_t *stop = (const uintptr_t *)ALIGN_DOWN(
		(uintptr_t)end, sizeof(uintptr_t));

	for (; w < stop; w++)
		if (READ_ONCE(*w) - lo < LEAK_SIZE &&
		    ((const void *)w < pr->ring_start ||
		     (const void *)w >= pr->ring_end))
			pr->hit = true;
}

static void probe_root(const void *start, const void *end, enum mem_root kind,
		       void *arg)
{
	struct probe *pr = arg;

	if (kind == MEM_ROOT_STACK && end > start && pr->stacks < PROBE_STACKS)
		pr->stack[pr->stacks++] = (uintptr_t)end - 1;
	probe_words(start, end, pr);
}

static void probe_block(const struct mm_block *b, void *arg)
{
	struct probe *pr = arg;
	unsigned int i;

	if (((uintptr_t)b->addr ^ LEAK_HIDE) == pr->hidden)
		return;
	for (i = 0; i < pr->stacks; i++)
		if (pr->stack[i] - (uintptr_t)b->addr < b->size)
			return; /* its live part was read as a root */
	probe_words(b->addr, (const char *)b->addr + b->size, pr);
}

/* Does any word of a root or of a tracked block point into the block? */
static __noinline bool pointed_to(uintptr_t hidden)
{
	struct probe pr = { .hidden = hidden };

	mm_report_ring_bounds(&pr.ring_start, &pr.ring_end);
	for_each_memory_root(probe_root, &pr);
	mm_for_each_tracked(probe_block, &pr);
	return pr.hit;
}

/* --- Blocks leaked, and what their reports say ------------------------------ */

#define CANDIDATES 8

static struct leak_case {
	struct kmem_cache *cache;
	uintptr_t hidden[CANDIDATES];
	bool clean[CANDIDATES]; /* nothing pointed into it before the scan */
	unsigned int nclean;
} lc;

/* Report whatever leaks earlier cases left, so that only ours come next. */
static void report_older_leaks(void)
{
	struct mm_leak_stats st;

	mm_leak_scan(0, &st);
}

static bool leak_candidates(struct ktest *t)
{
	unsigned int i;

	memset(&lc, 0, sizeof(lc));
	lc.cache = leak_test_cache();
	if (!KEXPECT_NOT_NULL(t, lc.cache))
		return false;
	leak_test_alloc_elsewhere(lc.cache, lc.hidden, CANDIDATES);
	for (i = 0; i < CANDIDATES; i++) {
		if (!KEXPECT_NE(t, lc.hidden[i], LEAK_HIDE)) /* NULL */
			return false;
		lc.clean[i] = !pointed_to(lc.hidden[i]);
		lc.nclean += lc.clean[i];
	}
	if (lc.nclean < CANDIDATES)
		ktest_log(t, "%u of %u blocks had a stale word pointing in",
			  CANDIDATES - lc.nclean, CANDIDATES);
	return KEXPECT_GT(t, lc.nclean, 0);
}

static void free_candidates(struct ktest *t)
{
	unsigned int i;

	for (i = 0; i < CANDIDATES; i++)
		if (lc.hidden[i] != LEAK_HIDE)
			leak_test_free(lc.cache, lc.hidden[i]);
	KEXPECT_EQ(t, kmem_cache_destroy(lc.cache), 0);
}

/* What a case may check of a report, with no address kept. */
struct seen {
	enum mm_bug bug;
	bool in_cache, alloc_site_ok, caller_ok, says_size, dumps_head;
};

static __noinline bool leak_report_of(unsigned long since, uintptr_t hidden,
				      struct seen *out)
{
	unsigned long seq, end = mm_report_count();
	struct mm_report r;

	for (seq = since; seq < end; seq++) {
		if (!mm_report_get(seq, &r) ||
		    ((uintptr_t)r.addr ^ LEAK_HIDE) != hidden)
			continue;
		out->bug = r.bug;
		out->in_cache = strcmp(r.where, "test-leak") == 0;
		out->alloc_site_ok =
			site_in(r.alloc.site, (void (*)(void))leak_here);
		out->caller_ok = site_in(r.caller, (void (*)(void))leak_here);
		out->says_size = strstr(r.detail, "16 bytes") != NULL;
		/* "leaked!" */
		out->dumps_head = strstr(r.detail, "6c65616b 65642100") != NULL;
		return true;
	}
	return false;
}

static void expect_leak_reported(struct ktest *t, unsigned long since,
				 unsigned int i)
{
	unsigned int leaks, n = leak_test_reports(since, lc.hidden[i], &leaks);
	struct seen s = { .bug = MM_BUGS };

	if (!lc.clean[i]) {
		KEXPECT_LE(t, n, 1);
		return;
	}
	KEXPECT_EQ(t, n, 1);
	KEXPECT_EQ(t, leaks, 1);
	if (KEXPECT_TRUE(t, leak_report_of(since, lc.hidden[i], &s))) {
		KEXPECT_EQ(t, s.bug, MM_LEAK);
		KEXPECT_TRUE(t, s.in_cache);
		KEXPECT_TRUE(t, s.alloc_site_ok);
		KEXPECT_TRUE(t, s.caller_ok);
		KEXPECT_TRUE(t, s.says_size);
		KEXPECT_TRUE(t, s.dumps_head);
	}
}

/* A scan with the dead stack wiped first; its reports start at *since. */
static void scan(struct ktest *t, uint32_t grace_ms, unsigned long *since,
		 struct mm_leak_stats *st)
{
	leak_test_wipe();
	*since = mm_report_count();
	KEXPECT_EQ(t, mm_leak_scan(grace_ms, st), 0);
}

KTEST(leak, a_block_nothing_points_to_is_reported_once)
{
	struct mm_leak_stats st;
	unsigned long since;
	unsigned int i, leaks;

	report_older_leaks();
	if (!leak_candidates(t))
		return;
	scan(t, 0, &since, &st);
	for (i = 0; i < CANDIDATES; i++)
		expect_leak_reported(t, since, i);
	KEXPECT_GE(t, st.reported, lc.nclean);
	KEXPECT_GE(t, st.blocks, CANDIDATES);

	/* Still leaks, and seen as such, but not reported again. */
	scan(t, 0, &since, &st);
	for (i = 0; i < CANDIDATES; i++)
		if (lc.clean[i])
			KEXPECT_EQ(
				t,
				leak_test_reports(since, lc.hidden[i], &leaks),
				0);
	KEXPECT_GE(t, st.leaks, lc.nclean);
	free_candidates(t);
}

KTEST(leak, a_block_younger_than_the_grace_period_waits)
{
	struct mm_leak_stats st;
	unsigned long since;
	unsigned int i, leaks;

	report_older_leaks();
	if (!leak_candidates(t))
		return;
	/* A grace period no block can be older than: every one waits. */
	scan(t, UINT32_MAX, &since, &st);
	for (i = 0; i < CANDIDATES; i++)
		KEXPECT_EQ(t, leak_test_reports(since, lc.hidden[i], &leaks),
			   0);
	KEXPECT_GE(t, st.young, lc.nclean);
	/* Then none: each is old enough, and reported. */
	scan(t, 0, &since, &st);
	for (i = 0; i < CANDIDATES; i++)
		expect_leak_reported(t, since, i);
	free_candidates(t);
}

/* --- What keeps a block --------------------------------------------------- */

static void *kept_by_a_global;
static uintptr_t also_kept; /* a second block a case keeps, hidden */

/* The only pointer to the block hidden as hidden, offset bytes in. */
static __noinline void point_at(void **where, uintptr_t hidden, size_t offset)
{
	*where = (char *)(hidden ^ LEAK_HIDE) + offset;
}

/* One block, kept as a test arranges; no report must name it. */
static void expect_kept(struct ktest *t, void (*keep)(uintptr_t hidden))
{
	struct kmem_cache *c = leak_test_cache();
	struct mm_leak_stats st;
	unsigned long since;
	unsigned int leaks;
	uintptr_t hidden;

	KASSERT_NOT_NULL(t, c);
	report_older_leaks();
	leak_test_alloc_elsewhere(c, &hidden, 1);
	KASSERT_TRUE(t, hidden != LEAK_HIDE);
	also_kept = 0;
	keep(hidden);
	scan(t, 0, &since, &st);
	KEXPECT_EQ(t, leak_test_reports(since, hidden, &leaks), 0);
	if (also_kept)
		KEXPECT_EQ(t, leak_test_reports(since, also_kept, &leaks), 0);
	kept_by_a_global = NULL;
	leak_test_free(c, hidden);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

static void keep_by_a_global(uintptr_t hidden)
{
	point_at(&kept_by_a_global, hidden, 0);
}

KTEST(leak, a_block_a_global_points_to_is_not_reported)
{
	expect_kept(t, keep_by_a_global);
}

static void keep_by_an_interior_pointer(uintptr_t hidden)
{
	point_at(&kept_by_a_global, hidden, LEAK_SIZE - 8);
}

KTEST(leak, a_pointer_into_the_middle_of_a_block_keeps_it)
{
	expect_kept(t, keep_by_an_interior_pointer);
}

static struct kmem_cache *chain_cache;

/*
 * A global points to a block that is the only one to point to ours; the
 * block in between must not be reported either.
 */
static void keep_by_another_block(uintptr_t hidden)
{
	leak_test_alloc_elsewhere(chain_cache, &also_kept, 1);
	point_at(&kept_by_a_global, also_kept, 0);
	point_at((void **)(also_kept ^ LEAK_HIDE), hidden, 0);
}

KTEST(leak, a_block_only_another_live_block_points_to_is_not_reported)
{
	chain_cache = leak_test_cache();
	KASSERT_NOT_NULL(t, chain_cache);
	expect_kept(t, keep_by_another_block);
	if (KEXPECT_NE(t, also_kept, 0))
		leak_test_free(chain_cache, also_kept);
	KEXPECT_EQ(t, kmem_cache_destroy(chain_cache), 0);
}

/*
 * Hart 1 holds the only pointer in a local while hart 0 scans: another
 * hart's stack is a root, read whole, as its stack pointer moves.
 */
static struct {
	struct kmem_cache *cache;
	uintptr_t hidden;
	unsigned int holding, scanned, reports;
	int result;
} held;

static void wait_for(unsigned int *flag)
{
	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static __noinline void hold_on_my_stack(void)
{
	volatile uintptr_t slot = (uintptr_t)leak_here(held.cache);

	held.hidden = slot ^ LEAK_HIDE;
	__atomic_store_n(&held.holding, 1, __ATOMIC_RELEASE);
	wait_for(&held.scanned);
	kmem_cache_free(held.cache, (void *)slot);
	slot = 0;
}

static __noinline void scan_while_held(void)
{
	struct mm_leak_stats st;
	unsigned long since;
	unsigned int leaks;

	wait_for(&held.holding);
	leak_test_wipe();
	since = mm_report_count();
	held.result = mm_leak_scan(0, &st);
	held.reports = leak_test_reports(since, held.hidden, &leaks);
	__atomic_store_n(&held.scanned, 1, __ATOMIC_RELEASE);
}

static void hold_or_scan(void *arg)
{
	(void)arg;
	if (ktest_hart() == 1)
		hold_on_my_stack();
	else if (ktest_hart() == 0)
		scan_while_held();
}

KTEST(leak, a_block_on_another_harts_stack_is_not_reported)
{
	if (nr_harts_online() < 2) {
		ktest_log(t, "needs 2 harts: skipped");
		return;
	}
	memset(&held, 0, sizeof(held));
	held.cache = leak_test_cache();
	KASSERT_NOT_NULL(t, held.cache);
	report_older_leaks();
	ktest_on_each_hart(hold_or_scan, NULL);
	KEXPECT_EQ(t, held.result, 0);
	KEXPECT_EQ(t, held.reports, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(held.cache), 0);
}

/* --- Since a mark ------------------------------------------------------------ */

static struct kmem_cache *small, *large;
static void *kept[6];

static __noinline void *alloc_before_the_mark(void)
{
	return kmem_cache_alloc(small);
}

static __noinline void *alloc_small_after(void)
{
	return kmem_cache_alloc(small);
}

static __noinline void *alloc_large_after(void)
{
	return kmem_cache_alloc(large);
}

/* The group of the site in fn, or -1. */
static long group_of(const struct mm_site *s, long n, void *(*fn)(void))
{
	long i;

	for (i = 0; i < n; i++)
		if (site_in(s[i].site, (void (*)(void))fn))
			return i;
	return -1;
}

KTEST(leak, since_a_mark_lists_exactly_what_was_allocated_after_it)
{
	struct mm_site s[16];
	long n, i, before, after_small, after_large;
	uint32_t mark;

	small = kmem_cache_create("test-small", 40, 0, SLAB_TRACK, NULL);
	large = kmem_cache_create("test-large", 200, 0, SLAB_TRACK, NULL);
	KASSERT_NOT_NULL(t, small);
	KASSERT_NOT_NULL(t, large);
	kept[0] = alloc_before_the_mark();
	kept[1] = alloc_before_the_mark();
	mark = mm_mark(); /* maybe in the millisecond of the two above */
	kept[2] = alloc_small_after();
	kept[3] = alloc_small_after();
	kept[4] = alloc_small_after();
	kept[5] = alloc_large_after();

	n = mm_sites(mark, s, ARRAY_SIZE(s));
	KASSERT_TRUE(t, n >= 2 && n <= (long)ARRAY_SIZE(s));
	before = group_of(s, n, alloc_before_the_mark);
	after_small = group_of(s, n, alloc_small_after);
	after_large = group_of(s, n, alloc_large_after);
	KEXPECT_EQ(t, before, -1);
	KASSERT_TRUE(t, after_small >= 0 && after_large >= 0);
	KEXPECT_EQ(t, s[after_small].count, 3);
	KEXPECT_EQ(t, s[after_small].bytes, 3 * 40);
	KEXPECT_EQ(t, s[after_large].count, 1);
	KEXPECT_EQ(t, s[after_large].bytes, 200);
	KEXPECT_LT(t, after_large, after_small); /* the most bytes first */
	for (i = 1; i < n; i++)
		KEXPECT_GE(t, s[i - 1].bytes, s[i].bytes);

	/* Without a mark, the ones from before are there too. */
	n = mm_sites(0, s, ARRAY_SIZE(s));
	before =
		group_of(s, MIN(n, (long)ARRAY_SIZE(s)), alloc_before_the_mark);
	if (KEXPECT_GE(t, before, 0))
		KEXPECT_EQ(t, s[before].count, 2);

	for (i = 0; i < 6; i++)
		kmem_cache_free(i < 5 ? small : large, kept[i]);
	KEXPECT_EQ(t, kmem_cache_destroy(small), 0);
	KEXPECT_EQ(t, kmem_cache_destroy(large), 0);
}
