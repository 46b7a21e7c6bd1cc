/*
 * watch_test.c - a write into a freed object, stopped at the writing
 * instruction by a hardware watch (mm.debug=W, mm/watch.c) and reported
 * (suite "watch").
 *
 * Each case makes a cache with SLAB_WATCH, watches every free
 * (mm_watch_every(1)), frees an object and writes into it from a
 * function of its own: a plain store, one of a register's width (sd on
 * rv64), a compressed one, and a store from another hart.  The report read back from the ring must name that
 * function, the object, the byte written and both values; and the store
 * must have been made after the report (the kernel ran on).
 *
 * Where the machine has no triggers (the host runner, a QEMU or a board
 * without Sdtrig), each case says so and skips.
 */
#include <kernel/ktest.h>
#include <kernel/machine.h>
#include <kernel/mm_debug.h>
#include <kernel/mm_report.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include "../../mm/internal.h"
#include "one_report.h"

#define OBJECT_BYTES 64u

/*
 * The writers.  The stores are written in assembly where the case is
 * about their encoding: the compiler picks c.sw or sw as it likes.
 */
#ifdef __riscv
/* One store instruction, never compressed: v at p. */
#define STORE_NORVC(insn, p, v)                                                \
	__asm__ volatile(".option push\n\t.option norvc\n\t" insn              \
			 " %1, 0(%0)\n\t.option pop"                           \
			 :                                                     \
			 : "r"(p), "r"(v)                                      \
			 : "memory")
#if __riscv_xlen == 64
#define STORE_REGISTER "sd" /* a register's width */
#else
#define STORE_REGISTER "sw"
#endif
#endif

static __noinline void store_word(void *p, uint32_t v)
{
#ifdef __riscv
	STORE_NORVC("sw", p, v);
#else
	*(volatile uint32_t *)p = v;
#endif
}

/* sd on rv64, sw on rv32: a register's width. */
static __noinline void store_long(void *p, unsigned long v)
{
#ifdef __riscv
	STORE_NORVC(STORE_REGISTER, p, v);
#else
	*(volatile unsigned long *)p = v;
#endif
}

static __noinline void store_word_compressed(void *p, uint32_t v)
{
#ifdef __riscv
	/* c.sw takes x8-x15 only: a0 and a1 are x10 and x11. */
	register void *base __asm__("a0") = p;
	register uint32_t value __asm__("a1") = v;

	__asm__ volatile(".option push\n\t.option rvc\n\t"
			 "c.sw a1, 0(a0)\n\t.option pop"
			 :
			 : "r"(base), "r"(value)
			 : "memory");
#else
	*(volatile uint32_t *)p = v;
#endif
}

static __noinline void store_byte(void *p, unsigned char v)
{
	((volatile unsigned char *)p)[1] = v;
}

static __noinline uint32_t load_word(const void *p)
{
	uint32_t v;

#ifdef __riscv
	__asm__ volatile(".option push\n\t.option norvc\n\t"
			 "lw %0, 0(%1)\n\t.option pop"
			 : "=r"(v)
			 : "r"(p)
			 : "memory");
#else
	v = *(const volatile uint32_t *)p;
#endif
	return v;
}

struct watched {
	struct kmem_cache *cache;
	unsigned int every;
	unsigned long before;
	void *obj;
};

/* A cache that watches every free, and one of its objects, freed. */
static bool watch_one(struct ktest *t, struct watched *w)
{
	if (!watch_slots()) {
		ktest_log(t, "no debug triggers (Sdtrig): skipped");
		return false;
	}
	w->cache = kmem_cache_create("watch-test", OBJECT_BYTES, 0,
				     SLAB_WATCH | SLAB_TRACK, NULL);
	if (!KEXPECT_NOT_NULL(t, w->cache))
		return false;
	w->obj = kmem_cache_alloc(w->cache);
	if (!KEXPECT_NOT_NULL(t, w->obj)) {
		kmem_cache_destroy(w->cache);
		return false;
	}
	w->every = mm_watch_every(1);
	w->before = mm_report_count();
	kmem_cache_free(w->cache, w->obj);
	KEXPECT_TRUE(t, mm_watch_holds(w->obj));
	return true;
}

/* The one report since the free: of fn's store of bytes at byte at. */
static void expect_report(struct ktest *t, struct watched *w, void (*fn)(void),
			  unsigned int at, unsigned int bytes,
			  unsigned int hart)
{
	char words[48];
	struct mm_report r = { .bug = MM_BUGS };

	if (!one_report(t, w->before, &r))
		return;
	KEXPECT_EQ(t, r.bug, MM_WATCHED_WRITE);
	KEXPECT_PTR_EQ(t, r.addr, w->obj);
	KEXPECT_STREQ(t, r.where, "watch-test");
	KEXPECT_TRUE(t, pc_in(r.caller, fn));
	KEXPECT_EQ(t, r.hart, hart);
	snprintf(words, sizeof(words), "%u-byte store at byte %u of %u", bytes,
		 at, OBJECT_BYTES);
	KEXPECT_TRUE(t, strstr(r.detail, words) != NULL);
	/* Tracking is on: the free names this case's free. */
	KEXPECT_NE(t, r.free.site, 0);
}

static void unwatch(struct watched *w)
{
	mm_watch_every(w->every);
	mm_watch_flush();
	kmem_cache_destroy(w->cache);
}

KTEST(watch, plain_store_into_a_freed_object_is_stopped)
{
	struct watched w;

	if (!watch_one(t, &w))
		return;
	store_word(w.obj, 0x5eed1234);
	expect_report(t, &w, (void (*)(void))store_word, 0, 4, ktest_hart());
	/* The store was made after the report: the kernel ran on. */
	KEXPECT_EQ(t, *(volatile uint32_t *)w.obj, 0x5eed1234);
	unwatch(&w);
}

KTEST(watch, register_wide_store_into_a_freed_object_is_stopped)
{
	unsigned long v = (unsigned long)0x0123456789abcdefull;
	struct watched w;

	if (!watch_one(t, &w))
		return;
	store_long(w.obj, v);
	expect_report(t, &w, (void (*)(void))store_long, 0,
		      sizeof(unsigned long), ktest_hart());
	KEXPECT_EQ(t, *(volatile unsigned long *)w.obj, v);
	unwatch(&w);
}

KTEST(watch, compressed_store_into_a_freed_object_is_stopped)
{
	struct watched w;

	if (!watch_one(t, &w))
		return;
	store_word_compressed(w.obj, 0xc0ffee);
	expect_report(t, &w, (void (*)(void))store_word_compressed, 0, 4,
		      ktest_hart());
	KEXPECT_EQ(t, *(volatile uint32_t *)w.obj, 0xc0ffee);
	unwatch(&w);
}

struct other_hart {
	void *obj;
	unsigned int writer;
};

/*
 * On the writer hart only: wait until its triggers hold the watch (the
 * IPI or the next tick brings it), then write.
 */
static void write_from_hart(void *arg)
{
	struct other_hart *o = arg;

	if (ktest_hart() != o->writer)
		return;
	while (!watch_synced())
		cpu_relax();
	store_byte(o->obj, 0x5a);
}

KTEST(watch, store_from_another_hart_is_stopped)
{
	struct other_hart o;
	struct watched w;

	if (nr_harts_online() < 2) {
		ktest_log(t, "needs 2 harts: skipped");
		return;
	}
	if (!watch_one(t, &w))
		return;
	o.obj = w.obj;
	o.writer = (ktest_hart() + 1) % nr_harts_online();
	ktest_on_each_hart(write_from_hart, &o);
	expect_report(t, &w, (void (*)(void))store_byte, 1, 1, o.writer);
	KEXPECT_EQ(t, ((volatile unsigned char *)w.obj)[1], 0x5a);
	unwatch(&w);
}

KTEST(watch, an_object_given_back_is_watched_no_more)
{
	struct watched w;
	unsigned long before;

	if (!watch_one(t, &w))
		return;
	mm_watch_flush();
	KEXPECT_FALSE(t, mm_watch_holds(w.obj));
	before = mm_report_count();
	/* Reallocated, written as its new owner: no report. */
	w.obj = kmem_cache_alloc(w.cache);
	if (KEXPECT_NOT_NULL(t, w.obj)) {
		store_word(w.obj, 1);
		kmem_cache_free(w.cache, w.obj);
	}
	KEXPECT_EQ(t, mm_bugs_since(before), 0);
	unwatch(&w);
}

/*
 * One free in N is held, and the quarantine holds one object per watch:
 * the next sample gives the oldest back.  (The count of frees is mm's,
 * shared by every cache with W: nothing else frees into one meanwhile.)
 */
KTEST(watch, one_free_in_n_is_held_and_the_oldest_goes_back)
{
	enum { N = 3, FREES = 4 * N };
	struct kmem_cache *c;
	void *obj[FREES], *first = NULL;
	unsigned int i, held = 0, was;

	if (!watch_slots()) {
		ktest_log(t, "no debug triggers (Sdtrig): skipped");
		return;
	}
	c = kmem_cache_create("watch-n", OBJECT_BYTES, 0, SLAB_WATCH, NULL);
	KASSERT_NOT_NULL(t, c);
	for (i = 0; i < FREES; i++) {
		obj[i] = kmem_cache_alloc(c);
		KASSERT_NOT_NULL(t, obj[i]);
	}
	was = mm_watch_every(N);
	for (i = 0; i < FREES; i++) {
		kmem_cache_free(c, obj[i]);
		if (mm_watch_holds(obj[i])) {
			held++;
			if (!first)
				first = obj[i];
		}
	}
	KEXPECT_EQ(t, held, FREES / N);
	/* More samples than watches: the first went back to its slab. */
	KEXPECT_GT(t, held, watch_slots());
	KEXPECT_FALSE(t, mm_watch_holds(first));
	mm_watch_every(was);
	mm_watch_flush();
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

static DEFINE_SPINLOCK(leaf_lock, "watch-test-leaf", LOCK_LEVEL_LEAF);

/*
 * A store made while its hart holds a leaf lock: the report's lock is a
 * leaf too, so the trap may not take it.  The hit is counted, and the
 * store runs; nothing panics.
 */
KTEST(watch, a_store_under_a_leaf_lock_is_counted_not_reported)
{
	unsigned long unreported;
	struct watched w;

	if (!watch_one(t, &w))
		return;
	unreported = mm_watch_unreported();
	acquire(&leaf_lock);
	store_word(w.obj, 0x1eaf);
	release(&leaf_lock);
	KEXPECT_EQ(t, mm_report_count(), w.before);
	KEXPECT_EQ(t, mm_watch_unreported(), unreported + 1);
	KEXPECT_EQ(t, *(volatile uint32_t *)w.obj, 0x1eaf);
	unwatch(&w);
}

/*
 * Loads are watched only when asked (mm_watch_set_loads): then a load
 * from the held object is stopped and reported as a read, with what it
 * reads, and made; without, it runs unseen.
 */
KTEST(watch, a_load_is_stopped_only_when_loads_are_watched)
{
	char words[64];
	struct mm_report r = { .bug = MM_BUGS };
	struct watched w;
	uint32_t seen;
	bool was;

	was = mm_watch_set_loads(false);
	if (!watch_one(t, &w)) {
		mm_watch_set_loads(was);
		return;
	}
	seen = load_word(w.obj);
	KEXPECT_EQ(t, mm_report_count(), w.before); /* stores only */
	unwatch(&w);

	mm_watch_set_loads(true);
	if (!watch_one(t, &w)) {
		mm_watch_set_loads(was);
		return;
	}
	seen = load_word(w.obj);
	mm_watch_set_loads(was);
	if (one_report(t, w.before, &r)) {
		KEXPECT_EQ(t, r.bug, MM_WATCHED_READ);
		KEXPECT_PTR_EQ(t, r.addr, w.obj);
		KEXPECT_TRUE(t, pc_in(r.caller, (void (*)(void))load_word));
		snprintf(words, sizeof(words),
			 "4-byte load at byte 0 of %u: reads %#lx",
			 OBJECT_BYTES, (unsigned long)seen);
		KEXPECT_TRUE(t, strstr(r.detail, words) != NULL);
		KEXPECT_NE(t, r.free.site, 0);
	}
	unwatch(&w);
}

/* --- Pages ------------------------------------------------------------- */

static struct page_pool pool;

/* A private pool with W and U, over pages of the kernel's. */
struct watched_pool {
	void *mem;
	unsigned int every; /* mm_watch_every's before the case */
};

/* The pool, with every free watched; false (and skipped) without watches. */
static bool watch_pool(struct ktest *t, struct watched_pool *w)
{
	struct mem_region region;

	if (!watch_slots()) {
		ktest_log(t, "no debug triggers (Sdtrig): skipped");
		return false;
	}
	w->mem = page_alloc_order(4);
	if (!KEXPECT_NOT_NULL(t, w->mem))
		return false;
	region = (struct mem_region){ (uintptr_t)w->mem,
				      (uintptr_t)w->mem + 16 * PAGE_SIZE };
	if (!KEXPECT_TRUE(t, page_pool_init(&pool, &region, 1, 0,
					    MM_DEBUG_WATCH | MM_DEBUG_TRACK))) {
		page_free(w->mem);
		return false;
	}
	w->every = mm_watch_every(1);
	return true;
}

/* A run of n pages of the pool, allocated, freed, and so held. */
static void *held_run(struct ktest *t, size_t n)
{
	void *run = page_pool_alloc(&pool, n);

	if (!KEXPECT_NOT_NULL(t, run))
		return NULL;
	page_pool_free(&pool, run);
	KEXPECT_TRUE(t, mm_watch_holds(run));
	return run;
}

/* Everything held goes back, the pool is sound, its pages go home. */
static void unwatch_pool(struct ktest *t, struct watched_pool *w)
{
	mm_watch_every(w->every);
	mm_watch_flush();
	KEXPECT_EQ(t, pool.nr_watched, 0);
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	page_free(w->mem);
}

KTEST(watch, store_into_a_freed_page_is_stopped)
{
	char words[48];
	struct mm_report r = { .bug = MM_BUGS };
	struct watched_pool w;
	unsigned long before;
	void *p;

	if (!watch_pool(t, &w))
		return;
	p = held_run(t, 1);
	before = mm_report_count();
	if (p)
		store_word(p, 0x5eed1234);
	if (p && one_report(t, before, &r)) {
		KEXPECT_EQ(t, r.bug, MM_WATCHED_WRITE);
		KEXPECT_PTR_EQ(t, r.addr, p);
		KEXPECT_STREQ(t, r.where, "page");
		KEXPECT_TRUE(t, pc_in(r.caller, (void (*)(void))store_word));
		snprintf(words, sizeof(words), "4-byte store at byte 0 of %lu",
			 (unsigned long)PAGE_SIZE);
		KEXPECT_TRUE(t, strstr(r.detail, words) != NULL);
		KEXPECT_NE(t, r.free.site, 0);
		KEXPECT_EQ(t, *(volatile uint32_t *)p, 0x5eed1234);
	}
	unwatch_pool(t, &w);
}

/*
 * Held pages are free in the bitmaps but on no list: the pool counts
 * them apart, a second free of one is a double free, and they all come
 * back when the watches are given up.
 */
KTEST(watch, pages_held_back_are_counted_and_come_back)
{
	struct mm_report r = { .bug = MM_BUGS };
	struct watched_pool w;
	unsigned long before;
	void *single, *run;
	size_t free;

	if (!watch_pool(t, &w))
		return;
	if (watch_slots() < 2) {
		ktest_log(t, "needs 2 watches: skipped");
		unwatch_pool(t, &w);
		return;
	}
	free = page_pool_free_count(&pool); /* the tracks took some */
	single = held_run(t, 1);
	run = held_run(t, 2);
	KEXPECT_TRUE(t, mm_watch_holds(single)); /* two watches: both held */
	KEXPECT_EQ(t, pool.nr_watched, 3);
	KEXPECT_EQ(t, page_pool_free_count(&pool), free - 3);
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	before = mm_report_count();
	page_pool_free(&pool, run);
	if (one_report(t, before, &r))
		KEXPECT_EQ(t, r.bug, MM_DOUBLE_FREE);
	unwatch_pool(t, &w);
	KEXPECT_FALSE(t, mm_watch_holds(single));
	KEXPECT_EQ(t, page_pool_free_count(&pool), free);
}

/*
 * A watch covers a block's first word only: a hit further into a held
 * run can only be a stale watch of a block given back (a hart that has
 * not yet let it go), and is no bug.  Asked of mm_watch_hit directly,
 * as the trap would ask it.
 */
KTEST(watch, a_hit_past_a_held_runs_first_word_is_no_bug)
{
	struct mm_watch_hit hit = { .pc = (uintptr_t)store_word,
				    .bytes = 4,
				    .task = "ktest" };
	struct watched_pool w;
	unsigned long before;
	char *run;

	if (!watch_pool(t, &w))
		return;
	run = held_run(t, 2);
	before = mm_report_count();
	if (run) {
		hit.addr = (uintptr_t)run + PAGE_SIZE;
		KEXPECT_FALSE(t, mm_watch_hit(&hit));
		KEXPECT_EQ(t, mm_report_count(), before);
		hit.addr = (uintptr_t)run;
		KEXPECT_TRUE(t, mm_watch_hit(&hit));
		KEXPECT_EQ(t, mm_report_count(), before + 1);
	}
	unwatch_pool(t, &w);
}

/* --- Rate of detection ------------------------------------------------ */

struct tally {
	unsigned long seen; /* reports read so far */
	unsigned int by_watch, by_poison, other;
};

/* Sort the reports made since the last call by kind. */
static void tally_reports(struct ktest *t, struct tally *y)
{
	unsigned long end = mm_report_count();
	struct mm_report r = { .bug = MM_BUGS };

	for (; y->seen < end; y->seen++) {
		if (!KEXPECT_TRUE(t, mm_report_get(y->seen, &r)))
			continue; /* left the ring: read too late */
		if (r.bug == MM_WATCHED_WRITE)
			y->by_watch++;
		else if (r.bug == MM_WRITE_AFTER_FREE)
			y->by_poison++;
		else
			y->other++;
	}
}

/*
 * A torture run with one late write per LATE frees, sampled one free in
 * EVERY: a write is stopped at its instruction exactly when its object
 * is held (asked before the write), and poison finds every one of them
 * later, when the object is handed out again or scrubbed.  The periods
 * are coprime, so the writes meet held and unheld objects alike.
 */
KTEST(watch, late_writes_are_caught_when_held_and_by_poison_otherwise)
{
	enum { EVERY = 16, LATE = 7, BATCH = 6, ROUNDS = 120 };
	struct tally y = { 0 };
	unsigned int i, r, frees = 0, late = 0, held = 0, was;
	struct kmem_cache *c;
	void *obj[BATCH];

	if (!watch_slots()) {
		ktest_log(t, "no debug triggers (Sdtrig): skipped");
		return;
	}
	c = kmem_cache_create("watch-late", OBJECT_BYTES, 0,
			      SLAB_WATCH | SLAB_POISON, NULL);
	KASSERT_NOT_NULL(t, c);
	was = mm_watch_every(EVERY);
	y.seen = mm_report_count();
	for (r = 0; r < ROUNDS; r++) {
		for (i = 0; i < BATCH; i++)
			obj[i] = kmem_cache_alloc(c);
		tally_reports(t, &y);
		for (i = 0; i < BATCH; i++) {
			if (!obj[i])
				continue;
			kmem_cache_free(c, obj[i]);
			if (++frees % LATE)
				continue;
			late++;
			held += mm_watch_holds(obj[i]);
			store_word(obj[i], 0x12345678);
			tally_reports(t, &y);
		}
	}
	mm_watch_every(was);
	mm_watch_flush();
	mm_scrub(); /* the poison of what is free now */
	tally_reports(t, &y);
	ktest_log(
		t,
		"%u late writes in %u frees (1 in %u sampled): %u caught at the store, %u by poison later",
		late, frees, EVERY, y.by_watch, y.by_poison);
	KEXPECT_EQ(t, frees, ROUNDS * BATCH);
	KEXPECT_EQ(t, y.by_watch, held);
	KEXPECT_GT(t, y.by_watch, 0);
	KEXPECT_EQ(t, y.by_poison, late);
	KEXPECT_EQ(t, y.other, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}
