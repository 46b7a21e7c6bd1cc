/*
 * debug_test.c - each memory debugging detector, shown catching the bug
 * it exists for (suite "debug"): the case commits the bug on purpose and
 * reads the report back from the ring (include/kernel/mm_report.h), to
 * check its kind, its address and its sites.
 *
 * The bugs are made in functions of their own (noinline), so that a
 * report's sites can be checked to lie in exactly that function: a site
 * that named the caller's caller (a tail call) would fail the case.
 * Caches get their debugging from SLAB_* flags and the page pools from
 * page_pool_init, so the cases need no mm.debug at boot.
 */
#include <kernel/ktest.h>
#include <kernel/machine.h>
#include <kernel/mm_debug.h>
#include <kernel/mm_report.h>
#include <kernel/page.h>
#include <kernel/poison.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include "../../mm/internal.h"
#include "../../mm/slab.h"
#include "one_report.h"

/* The one report since before, in r: a double free of p. */
static bool one_double_free(struct ktest *t, unsigned long before,
			    const void *p, struct mm_report *r)
{
	if (!one_report(t, before, r))
		return false;
	KEXPECT_EQ(t, r->bug, MM_DOUBLE_FREE);
	return KEXPECT_PTR_EQ(t, r->addr, p);
}

static size_t active_objects(struct kmem_cache *c)
{
	struct kmem_cache_stats s;

	kmem_cache_get_stats(c, &s);
	return s.active;
}

/* --- Double free ------------------------------------------------------- */

static struct kmem_cache *tracked;

static __noinline void alloc_here(void **p)
{
	*p = kmem_cache_alloc(tracked);
}

static __noinline void free_here(void *p)
{
	kmem_cache_free(tracked, p);
}

static __noinline void free_again_here(void *p)
{
	kmem_cache_free(tracked, p);
}

KTEST(debug, double_free_of_an_object_names_all_three_sites)
{
	unsigned long before;
	struct mm_report r;
	void *p;

	tracked = kmem_cache_create("test-tracked", 40, 0,
				    SLAB_TRACK | SLAB_CHECKS, NULL);
	KASSERT_NOT_NULL(t, tracked);
	alloc_here(&p);
	KASSERT_NOT_NULL(t, p);
	free_here(p);
	before = mm_report_count();
	free_again_here(p);
	if (one_double_free(t, before, p, &r)) {
		KEXPECT_STREQ(t, r.where, "test-tracked");
		KEXPECT_TRUE(
			t, site_in(r.caller, (void (*)(void))free_again_here));
		KEXPECT_TRUE(t,
			     site_in(r.alloc.site, (void (*)(void))alloc_here));
		KEXPECT_TRUE(t,
			     site_in(r.free.site, (void (*)(void))free_here));
	}
	KEXPECT_EQ(t, kmem_cache_destroy(tracked), 0);
}

static struct page_pool pool;

static __noinline void free_page_again_here(void *p)
{
	page_pool_free(&pool, p);
}

KTEST(debug, double_free_of_a_page_names_its_sites)
{
	void *mem = page_alloc_order(6), *p;
	struct mem_region region;
	unsigned long before;
	struct mm_report r;

	KASSERT_NOT_NULL(t, mem);
	region = (struct mem_region){ (uintptr_t)mem,
				      (uintptr_t)mem + 64 * PAGE_SIZE };
	KASSERT_TRUE(t, page_pool_init(&pool, &region, 1, MAG_SLOTS,
				       MM_DEBUG_TRACK));
	p = page_pool_alloc(&pool, 1);
	KASSERT_NOT_NULL(t, p);
	page_pool_free(&pool, p);
	before = mm_report_count();
	free_page_again_here(p);
	if (one_report(t, before, &r)) {
		KEXPECT_EQ(t, r.bug, MM_DOUBLE_FREE);
		KEXPECT_PTR_EQ(t, r.addr, p);
		KEXPECT_TRUE(t, site_in(r.caller,
					(void (*)(void))free_page_again_here));
		KEXPECT_NE(t, r.alloc.site, 0);
		KEXPECT_NE(t, r.free.site, 0);
	}
	page_free(mem);
}

/*
 * Two harts free one object at the same instant, again and again: with
 * debugging the free key is swapped in atomically, so exactly one of the
 * two frees gets through each time and the other is reported.  A handshake
 * lines the harts up; nothing is timed.
 *
 * The cache poisons (P) and does not check its slabs (F): F's walk takes
 * the cache's lock before the swap, and a lock both harts take orders a
 * late hart's swap after the other's, so ThreadSanitizer would see no race
 * in a swap made of a plain load and store whenever one hart lagged.  With
 * P alone nothing orders the two frees, and every round is a race to it.
 */
#define RACES 500

static struct {
	struct kmem_cache *cache;
	void *obj;
	unsigned int round, ready, done;
} race;

static void wait_until(unsigned int *word, unsigned int value)
{
	while (__atomic_load_n(word, __ATOMIC_ACQUIRE) < value)
		cpu_relax();
}

static void race_to_free(void *arg)
{
	unsigned int me = ktest_hart(), round;

	(void)arg;
	if (me > 1)
		return;
	for (round = 1; round <= RACES; round++) {
		if (me == 0) {
			race.obj = kmem_cache_alloc(race.cache);
			__atomic_store_n(&race.round, round, __ATOMIC_RELEASE);
		}
		wait_until(&race.round, round);
		__atomic_fetch_add(&race.ready, 1, __ATOMIC_ACQ_REL);
		wait_until(&race.ready, 2 * round);
		kmem_cache_free(race.cache, race.obj);
		__atomic_fetch_add(&race.done, 1, __ATOMIC_ACQ_REL);
		wait_until(&race.done, 2 * round);
	}
}

KTEST(debug, racing_double_frees_on_two_harts_are_all_caught)
{
	struct kmem_cache_stats s;
	unsigned long before = mm_report_count();

	if (nr_harts_online() < 2) {
		ktest_log(t, "needs 2 harts: skipped");
		return;
	}
	memset(&race, 0, sizeof(race));
	race.cache = kmem_cache_create("test-race", 32, 0, SLAB_POISON, NULL);
	KASSERT_NOT_NULL(t, race.cache);
	ktest_on_each_hart(race_to_free, NULL);
	kmem_cache_get_stats(race.cache, &s);
	KEXPECT_EQ(t, s.refused_frees, RACES);
	KEXPECT_EQ(t, mm_report_count() - before, RACES);
	KEXPECT_EQ(t, s.active, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(race.cache), 0);
}

/* --- Poison and red zones ------------------------------------------------ */

static struct kmem_cache *poisoned;

static __noinline void free_poisoned_here(void *p)
{
	kmem_cache_free(poisoned, p);
}

static __noinline void write_after_free_here(unsigned char *p)
{
	p[21] = 0x2a;
}

KTEST(debug, a_write_after_free_is_seen_when_the_object_comes_back)
{
	unsigned long before;
	struct mm_report r;
	unsigned char *p, *q;

	poisoned = kmem_cache_create("test-poison", 64, 0,
				     SLAB_POISON | SLAB_TRACK, NULL);
	KASSERT_NOT_NULL(t, poisoned);
	p = kmem_cache_alloc(poisoned);
	KASSERT_NOT_NULL(t, p);
	free_poisoned_here(p);
	write_after_free_here(p);
	before = mm_report_count();
	q = kmem_cache_alloc(poisoned); /* the same object, first in line */
	KEXPECT_PTR_EQ(t, q, p);
	if (one_report(t, before, &r)) {
		KEXPECT_EQ(t, r.bug, MM_WRITE_AFTER_FREE);
		KEXPECT_PTR_EQ(t, r.addr, p);
		KEXPECT_TRUE(t, strstr(r.detail, "byte 21 of 64"));
		KEXPECT_TRUE(t, site_in(r.free.site,
					(void (*)(void))free_poisoned_here));
	}
	kmem_cache_free(poisoned, q);
	KEXPECT_EQ(t, kmem_cache_destroy(poisoned), 0);
}

/* A free block written and never handed out again: the scrubber sees it. */
KTEST(debug, the_scrubber_finds_a_write_into_a_free_object)
{
	struct kmem_cache *c =
		kmem_cache_create("test-scrub", 64, 0, SLAB_POISON, NULL);
	unsigned long before, *keep, *p;
	struct mm_report r;

	KASSERT_NOT_NULL(t, c);
	keep = kmem_cache_alloc(c); /* the slab stays */
	p = kmem_cache_alloc(c);
	KASSERT_NOT_NULL(t, p);
	kmem_cache_free(c, p);
	p[3] = 42;
	before = mm_report_count();
	KEXPECT_EQ(t, mm_scrub(), 1);
	if (one_report(t, before, &r)) {
		KEXPECT_EQ(t, r.bug, MM_WRITE_AFTER_FREE);
		KEXPECT_PTR_EQ(t, r.addr, p);
		KEXPECT_TRUE(t, strstr(r.detail, "scrubber"));
	}
	KEXPECT_EQ(t, mm_scrub(), 0); /* mended: reported once */
	kmem_cache_free(c, keep);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* An overflow of a live object: the scrubber sees it before any free. */
KTEST(debug, the_scrubber_finds_an_overflow_of_a_live_object)
{
	struct kmem_cache *c = kmem_cache_create("test-scrub-zone", 40, 0,
						 SLAB_RED_ZONE, NULL);
	unsigned long before;
	struct mm_report r;
	char *p;

	KASSERT_NOT_NULL(t, c);
	p = kmem_cache_alloc(c);
	KASSERT_NOT_NULL(t, p);
	p[40] = 'x'; /* one byte past the end, and still live */
	before = mm_report_count();
	KEXPECT_EQ(t, mm_scrub(), 1);
	if (one_report(t, before, &r)) {
		KEXPECT_EQ(t, r.bug, MM_RED_ZONE);
		KEXPECT_PTR_EQ(t, r.addr, p);
		KEXPECT_TRUE(t, strstr(r.detail, "byte +40"));
	}
	KEXPECT_EQ(t, mm_scrub(), 0); /* mended: reported once */
	kmem_cache_free(c, p);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

KTEST(debug, the_scrubber_finds_a_write_into_a_free_page)
{
	void *mem = page_alloc_order(6);
	struct mem_region region;
	unsigned long before, *p;

	KASSERT_NOT_NULL(t, mem);
	region = (struct mem_region){ (uintptr_t)mem,
				      (uintptr_t)mem + 64 * PAGE_SIZE };
	KASSERT_TRUE(t, page_pool_init(&pool, &region, 1, MAG_SLOTS,
				       MM_DEBUG_POISON));
	p = page_pool_alloc(&pool, 1);
	KASSERT_NOT_NULL(t, p);
	page_pool_free(&pool, p);
	p[100] = 42;
	before = mm_report_count();
	page_pool_scrub(&pool);
	KEXPECT_EQ(t, mm_report_count(), before + 1);
	before = mm_report_count();
	page_pool_scrub(&pool);
	KEXPECT_EQ(t, mm_report_count(), before);
	page_free(mem);
}

KTEST(debug, new_objects_hold_the_uninitialised_pattern)
{
	struct kmem_cache *c =
		kmem_cache_create("test-new", 48, 0, SLAB_POISON, NULL);
	unsigned long *p;
	size_t i;

	KASSERT_NOT_NULL(t, c);
	p = kmem_cache_alloc(c);
	KASSERT_NOT_NULL(t, p);
	for (i = 0; i < 48 / sizeof(long); i++)
		KEXPECT_EQ(t, p[i], POISON_NEW);
	kmem_cache_free(c, p);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

static struct kmem_cache *zoned;

static __noinline void alloc_zoned_here(unsigned char **p)
{
	*p = kmem_cache_alloc(zoned);
}

KTEST(debug, a_one_byte_overflow_hits_the_red_zone)
{
	unsigned long before;
	struct mm_report r;
	unsigned char *p;

	zoned = kmem_cache_create("test-zone", 24, 0,
				  SLAB_RED_ZONE | SLAB_TRACK, NULL);
	KASSERT_NOT_NULL(t, zoned);
	alloc_zoned_here(&p);
	KASSERT_NOT_NULL(t, p);
	p[24] = 0; /* one byte past the end */
	before = mm_report_count();
	kmem_cache_free(zoned, p);
	if (one_report(t, before, &r)) {
		KEXPECT_EQ(t, r.bug, MM_RED_ZONE);
		KEXPECT_PTR_EQ(t, r.addr, p);
		KEXPECT_TRUE(t, strstr(r.detail, "byte +24"));
		KEXPECT_TRUE(t, site_in(r.alloc.site,
					(void (*)(void))alloc_zoned_here));
	}
	/* Mended: the object came back, and the next free is clean. */
	KEXPECT_EQ(t, active_objects(zoned), 0);
	p = kmem_cache_alloc(zoned);
	before = mm_report_count();
	kmem_cache_free(zoned, p);
	KEXPECT_EQ(t, mm_report_count(), before);
	KEXPECT_EQ(t, kmem_cache_destroy(zoned), 0);
}

/* --- Address validation ---------------------------------------------------- */

static __noinline void kfree_a_local_here(void)
{
	long local = 0;

	kfree(&local);
}

KTEST(debug, a_free_of_a_stack_address_says_so)
{
	unsigned long before = mm_report_count();
	struct mm_report r;

	kfree_a_local_here();
	if (one_report(t, before, &r)) {
		KEXPECT_EQ(t, r.bug, MM_BAD_FREE);
		KEXPECT_TRUE(t, strstr(r.detail, "on a stack"));
		KEXPECT_TRUE(t, site_in(r.caller,
					(void (*)(void))kfree_a_local_here));
	}
}

static unsigned long a_global;

KTEST(debug, a_free_of_a_global_says_so)
{
	unsigned long before = mm_report_count();
	struct mm_report r;

	kfree(&a_global);
	if (one_report(t, before, &r)) {
		KEXPECT_EQ(t, r.bug, MM_BAD_FREE);
		KEXPECT_TRUE(t, strstr(r.detail, "kernel image"));
	}
}

KTEST(debug, a_free_to_the_wrong_cache_names_the_right_one)
{
	struct kmem_cache *a = kmem_cache_create("test-a", 32, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("test-b", 32, 0, 0, NULL);
	unsigned long before;
	struct mm_report r;
	void *p;

	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	p = kmem_cache_alloc(a);
	before = mm_report_count();
	kmem_cache_free(b, p);
	if (one_report(t, before, &r)) {
		KEXPECT_EQ(t, r.bug, MM_BAD_FREE);
		KEXPECT_PTR_EQ(t, r.addr, p);
		KEXPECT_STREQ(t, r.where, "test-b");
		KEXPECT_TRUE(t, strstr(r.detail, "belongs to cache test-a"));
	}
	kmem_cache_free(a, p);
	KEXPECT_EQ(t, kmem_cache_destroy(a), 0);
	KEXPECT_EQ(t, kmem_cache_destroy(b), 0);
}

KTEST(debug, page_free_refuses_a_slab_page_and_kfree_a_page_run)
{
	void *obj = kmalloc(64), *page = page_alloc(1);
	void *slab_page =
		(void *)((uintptr_t)obj & ~(uintptr_t)(PAGE_SIZE - 1));
	unsigned long before = mm_report_count();
	size_t free_pages = page_free_count();
	struct mm_report r;

	KASSERT_NOT_NULL(t, obj);
	KASSERT_NOT_NULL(t, page);
	page_free(slab_page);
	if (one_report(t, before, &r))
		KEXPECT_TRUE(t, strstr(r.detail, "taken for slab"));
	kfree(page);
	if (one_report(t, before + 1, &r))
		KEXPECT_TRUE(t, strstr(r.detail, "page from page_alloc"));
	KEXPECT_EQ(t, page_free_count(), free_pages);
	page_free(page);
	kfree(obj);
}

/*
 * A call that is a function's last statement is still a call (the
 * kernel is built with -fno-optimize-sibling-calls): the report names
 * the function that made it, not the one that called that function.
 */
static __noinline void free_twice_the_last_free_a_tail_call(void *p)
{
	kfree(p);
	kfree(p);
}

KTEST(debug, a_free_in_tail_position_is_named_by_its_own_function)
{
	unsigned long before;
	struct mm_report r;
	void *p = kmalloc(16);

	KASSERT_NOT_NULL(t, p);
	before = mm_report_count();
	free_twice_the_last_free_a_tail_call(p);
	if (one_report(t, before, &r)) {
		KEXPECT_EQ(t, r.bug, MM_DOUBLE_FREE);
		KEXPECT_TRUE(
			t,
			site_in(r.caller,
				(void (*)(void))
					free_twice_the_last_free_a_tail_call));
	}
}

/* --- Switching at run time ------------------------------------------------ */

/*
 * memdebug's switch: F turns on and off for the caches that exist and
 * for the page allocator, and comes back to what it was.
 */
KTEST(debug, checks_switch_on_and_off_at_run_time)
{
	unsigned int old = mm_debug_flags();
	struct kmem_cache *c = kmem_cache_create("test-switch", 24, 0, 0, NULL);
	struct kmem_cache_stats s;

	KASSERT_NOT_NULL(t, c);
	mm_debug_set(old ^ MM_DEBUG_CHECKS);
	kmem_cache_get_stats(c, &s);
	KEXPECT_EQ(t, s.debug & MM_DEBUG_CHECKS, ~old & MM_DEBUG_CHECKS);
	KEXPECT_EQ(t, mm_debug_page_flags() & MM_DEBUG_CHECKS,
		   ~old & MM_DEBUG_CHECKS);
	mm_debug_set(old);
	kmem_cache_get_stats(c, &s);
	KEXPECT_EQ(t, s.debug & MM_DEBUG_CHECKS, old & MM_DEBUG_CHECKS);
	KEXPECT_EQ(t, mm_debug_page_flags() & MM_DEBUG_CHECKS,
		   old & MM_DEBUG_CHECKS);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/*
 * With F a free walks its slab's free list first: a link some stray write
 * broke is reported, and the free is refused rather than built on it.
 */
KTEST(debug, checks_find_a_broken_free_list)
{
	struct kmem_cache *c = kmem_cache_create("test-links", 40, 0, 0, NULL);
	void *a, *b, **link, *saved;
	unsigned long before;
	struct mm_report r;

	KASSERT_NOT_NULL(t, c);
	kmem_cache_debug_checks(c, true); /* as memdebug F would */
	a = kmem_cache_alloc(c);
	b = kmem_cache_alloc(c);
	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	kmem_cache_free(c, a); /* onto the slab's free list: no magazines */
	link = (void **)((char *)a + c->link_offset);
	saved = *link;
	*link = &a_global; /* the stray write */
	before = mm_report_count();
	kmem_cache_free(c, b);
	if (one_report(t, before, &r)) {
		KEXPECT_EQ(t, r.bug, MM_CORRUPTION);
		KEXPECT_STREQ(t, r.where, "test-links");
	}
	KEXPECT_EQ(t, active_objects(c), 1); /* b was not freed */
	*link = saved;
	kmem_cache_free(c, b);
	KEXPECT_EQ(t, active_objects(c), 0);
	kmem_cache_debug_checks(c, false);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/*
 * A kmalloc cache made with F keeps F's layout, its free key apart, when
 * F goes off.  kfree looks for the key at PLAIN_KEY_OFFSET: were the
 * cache to get magazines back, a double kfree would not be seen.
 */
KTEST(debug, a_kmalloc_cache_made_with_checks_still_sees_a_double_free_without)
{
	struct kmem_cache *c =
		kmem_cache_create("test-kmalloc-f", 64, 0, SLAB_CHECKS, NULL);
	unsigned long before;
	struct mm_report r;
	void *p;

	KASSERT_NOT_NULL(t, c);
	KASSERT_TRUE(t, c->key_offset != PLAIN_KEY_OFFSET); /* F's layout */
	kmem_cache_serve_kmalloc(c);	   /* as kmalloc_init does */
	kmem_cache_debug_checks(c, false); /* as memdebug would */
	p = kmem_cache_alloc(c);
	KASSERT_NOT_NULL(t, p);
	kfree(p);
	before = mm_report_count();
	kfree(p);
	one_double_free(t, before, p, &r);
	KEXPECT_EQ(t, active_objects(c), 0);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* --- The switches and the tracked allocations --------------------------- */

/* mm.debug='s letters, read and written; a letter it does not know. */
KTEST(debug, letters_name_the_switches_both_ways)
{
	unsigned int old = mm_debug_flags(), flags;
	char buf[8], was[8];

	KEXPECT_TRUE(t, mm_debug_parse("FZPU", &flags));
	KEXPECT_EQ(t, flags,
		   MM_DEBUG_CHECKS | MM_DEBUG_REDZONE | MM_DEBUG_POISON |
			   MM_DEBUG_TRACK);
	KEXPECT_TRUE(t, mm_debug_parse("L", &flags));
	KEXPECT_EQ(t, flags, MM_DEBUG_LEAKS | MM_DEBUG_TRACK); /* L needs U */
	KEXPECT_TRUE(t, mm_debug_parse("-", &flags));
	KEXPECT_EQ(t, flags, 0);
	KEXPECT_FALSE(t, mm_debug_parse("FX", &flags));
	mm_debug_letters(MM_DEBUG_ALL, buf);
	KEXPECT_STREQ(t, buf, "FZPULW");
	mm_debug_letters(MM_DEBUG_POISON | MM_DEBUG_CHECKS, buf);
	KEXPECT_STREQ(t, buf, "FP");
	mm_debug_letters(0, buf);
	KEXPECT_STREQ(t, buf, "-");

	/* A letter it does not know changes nothing; known ones do. */
	mm_debug_letters(old, was);
	KEXPECT_EQ(t, mm_debug_setup("ZQ"), -1);
	KEXPECT_EQ(t, mm_debug_flags(), old);
	KEXPECT_EQ(t, mm_debug_setup("Z"), 0);
	KEXPECT_EQ(t, mm_debug_flags(), MM_DEBUG_REDZONE);
	KEXPECT_EQ(t, mm_debug_setup(was), 0);
	KEXPECT_EQ(t, mm_debug_flags(), old);
}

struct listed {
	const char *where;
	unsigned int n;
};

static void count_listed(const struct mm_block *b, void *arg)
{
	struct listed *l = arg;

	if (!strcmp(b->where, l->where))
		l->n++;
}

/* The live objects of a cache that tracks: each listed, and found. */
KTEST(debug, tracked_objects_are_listed_and_found)
{
	struct kmem_cache *c =
		kmem_cache_create("test-listed", 48, 0, SLAB_TRACK, NULL);
	struct listed l = { "test-listed", 0 };
	struct mm_block b;
	char *p[3];
	int i;

	KASSERT_NOT_NULL(t, c);
	for (i = 0; i < 3; i++) {
		p[i] = kmem_cache_alloc(c);
		KASSERT_NOT_NULL(t, p[i]);
	}
	kmem_cache_free(c, p[1]);
	mm_for_each_tracked(count_listed, &l);
	KEXPECT_EQ(t, l.n, 2);
	KEXPECT_TRUE(t, mm_find_tracked(p[2] + 47, &b)); /* its last byte */
	KEXPECT_PTR_EQ(t, b.addr, p[2]);
	KEXPECT_EQ(t, b.size, 48);
	KEXPECT_STREQ(t, b.where, "test-listed");
	KEXPECT_NE(t, b.alloc.site, 0); /* where it was allocated */
	KEXPECT_FALSE(t, mm_find_tracked(p[1], &b)); /* freed */
	kmem_cache_free(c, p[0]);
	kmem_cache_free(c, p[2]);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/*
 * Tracking switched on at run time (memdebug U) for the page allocator:
 * its runs are listed by owner from then on.
 */
KTEST(debug, tracked_page_runs_are_found_by_any_address_inside)
{
	unsigned int old = mm_debug_flags();
	struct mm_block b;
	char *run, *big, *one;

	mm_debug_set(old | MM_DEBUG_TRACK);
	run = page_alloc(3);
	big = kmalloc(3 * PAGE_SIZE);
	one = page_alloc(1);
	KASSERT_NOT_NULL(t, run);
	KASSERT_NOT_NULL(t, big);
	KASSERT_NOT_NULL(t, one);
	KEXPECT_TRUE(t, mm_find_tracked(one + 7, &b));
	KEXPECT_PTR_EQ(t, b.addr, one);
	KEXPECT_EQ(t, b.size, PAGE_SIZE);
	page_free(one);
	KEXPECT_TRUE(t, mm_find_tracked(run + 2 * PAGE_SIZE + 5, &b));
	KEXPECT_PTR_EQ(t, b.addr, run);
	KEXPECT_EQ(t, b.size, 3 * PAGE_SIZE);
	KEXPECT_STREQ(t, b.where, "page");
	KEXPECT_NE(t, b.alloc.site, 0);
	KEXPECT_TRUE(t, mm_find_tracked(big, &b));
	KEXPECT_STREQ(t, b.where, "kmalloc");
	page_free(run);
	kfree(big);
	KEXPECT_FALSE(t, mm_find_tracked(run, &b));
	mm_debug_set(old);
}

/*
 * A write into a free page of a pool that poisons (P) is seen when the
 * page is handed out again.  The pool is full but for that page, so the
 * next allocation must be it.
 */
KTEST(debug, a_write_after_free_of_a_page_is_seen_when_it_comes_back)
{
	static struct page_pool pool;
	void *mem = page_alloc_order(4), *chain = NULL, *p, *victim;
	struct mem_region r;
	unsigned long before;
	struct mm_report rep;

	KASSERT_NOT_NULL(t, mem);
	r = (struct mem_region){ (uintptr_t)mem,
				 (uintptr_t)mem + 16 * PAGE_SIZE };
	KASSERT_TRUE(t, page_pool_init(&pool, &r, 1, 0, MM_DEBUG_POISON));
	while ((p = page_pool_alloc(&pool, 1))) {
		*(void **)p = chain;
		chain = p;
	}
	victim = chain;
	chain = *(void **)victim;
	page_pool_free(&pool, victim);
	((unsigned long *)victim)[100] = 0x1234; /* the write after free */
	before = mm_report_count();
	KEXPECT_PTR_EQ(t, page_pool_alloc(&pool, 1), victim);
	if (one_report(t, before, &rep)) {
		KEXPECT_EQ(t, rep.bug, MM_WRITE_AFTER_FREE);
		KEXPECT_PTR_EQ(t, rep.addr, victim);
	}
	page_pool_free(&pool, victim);
	while (chain) {
		p = *(void **)chain;
		page_pool_free(&pool, chain);
		chain = p;
	}
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	page_free(mem);
}
