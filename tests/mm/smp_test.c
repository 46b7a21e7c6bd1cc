/*
 * smp_test.c - the allocators from every hart at once (suite "smp"; make
 * test runs it on 1, 4 and 8 harts, and under ThreadSanitizer): pages,
 * kmalloc and caches at a high rate from a task on every hart and, in the
 * kernel, from the timer interrupt; blocks freed on another hart than the
 * one that took them; many caches at once, and caches made and destroyed
 * while others allocate; exhaustion on every hart at once.
 *
 * Every block is claimed in one ownership map with a bit per 8-byte
 * granule of all memory (tests/mm/ownership.h), whatever allocator gave
 * it: a granule handed out twice, even once as a page and once as an
 * object, is seen at once.  Its words carry a stamp naming its owner,
 * checked before it is freed.  Each case ends with get_memory_stats back
 * exactly where it started (stress_settled_stats, lib/stress.c) and a
 * clean page_validate.  Orderings are forced with handshakes that wait as
 * long as they must; no verdict comes from time.
 */
#include <kernel/ktest.h>
#include <kernel/bitmap.h>
#include <kernel/machine.h>
#include <kernel/page.h>
#include <kernel/prng.h>
#include <kernel/slab.h>
#include <kernel/spinlock.h>
#include <kernel/stress.h>
#include <kernel/string.h>
#include "ownership.h"
#ifndef HOST_TEST
#include <kernel/timer.h>
#endif

#define GRANULE 8	    /* kmalloc and cache objects are 8-byte multiples */
#define STAMP_EVERY 16	    /* words between two stamps in a block */
#define SLOTS 16	    /* blocks a hart holds at once */
#define IRQ_SLOTS 4	    /* blocks the timer interrupt holds on a hart */
#define IRQ_STEPS 20	    /* interrupt steps each hart makes, at least */
#define QUEUE 16	    /* blocks in flight to a hart */
#define NR_CACHES 8	    /* shared caches, made for each case */
#define ROUNDS 2000	    /* operations a hart, times ktest.scale */
#define CHURN_ROUNDS 40	    /* caches a hart makes and destroys */
#define CHURN_OBJECTS 24    /* objects in each */
#define IRQ_OWNER MAX_HARTS /* stamps of the interrupt: MAX_HARTS + hart */

enum kind { KIND_PAGES, KIND_KMALLOC, KIND_CACHE, KINDS };

struct blk {
	void *p;
	size_t bytes;
	unsigned long stamp;
	struct kmem_cache *cache; /* KIND_CACHE's */
	enum kind kind;
};

/* A hart's (or its interrupt's) blocks, and its stream of choices. */
struct holder {
	struct blk b[SLOTS];
	struct prng rng;
	unsigned long serial, steps;
} __aligned(CACHELINE_SIZE);

/* Blocks in flight to one hart; see handoff below. */
struct inbox {
	unsigned long head __aligned(CACHELINE_SIZE);
	unsigned long tail __aligned(CACHELINE_SIZE);
	bool closed;
	struct blk slot[QUEUE];
};

/* Cache object sizes: small, on-slab and off-slab, and multi-page slabs. */
static const size_t cache_sizes[NR_CACHES] = { 16,  24,	 40,   96,
					       200, 512, 1000, 3000 };
static const char *const cache_names[NR_CACHES] = {
	"smp-16",  "smp-24",  "smp-40",	  "smp-96",
	"smp-200", "smp-512", "smp-1000", "smp-3000",
};
static const char *const own_names[MAX_HARTS] = {
	"smp-own-0", "smp-own-1", "smp-own-2", "smp-own-3",
	"smp-own-4", "smp-own-5", "smp-own-6", "smp-own-7",
};

static struct smp {
	struct ownership_map map;
	size_t map_pages;
	uintptr_t lo, hi;
	unsigned long errors;
	struct kmem_cache *caches[NR_CACHES];
	struct memory_stats start;
	unsigned int harts, arrived;
	unsigned long cross_hart_frees, failures;
	struct holder hart[MAX_HARTS], irq[MAX_HARTS];
	struct inbox inbox[MAX_HARTS];
	void *chain[MAX_HARTS]; /* exhaustion: what each hart took */
} s;

#define smp_error(...) ktest_report(&s.errors, __VA_ARGS__)

/* --- Blocks: claimed, stamped, checked, released ---------------------- */

static bool take(struct blk *b, enum kind kind, struct prng *rng,
		 unsigned int owner, unsigned long *serial)
{
	size_t n;

	b->kind = kind;
	if (kind == KIND_PAGES) {
		n = 1 + prng_below(rng, 4);
		b->p = page_alloc(n);
		b->bytes = n * PAGE_SIZE;
	} else if (kind == KIND_KMALLOC) {
		/* 8 to 4096 bytes: every kmalloc class, and a page run. */
		b->bytes = GRANULE * (1 + prng_below(rng, 512));
		b->p = kmalloc(b->bytes);
	} else {
		n = prng_below(rng, NR_CACHES);
		b->cache = s.caches[n];
		b->bytes = cache_sizes[n];
		b->p = kmem_cache_alloc(b->cache);
	}
	if (!b->p)
		return false;
	if ((uintptr_t)b->p < s.lo || (uintptr_t)b->p + b->bytes > s.hi) {
		smp_error("%p of %lu bytes is outside memory", b->p,
			  (unsigned long)b->bytes);
		b->p = NULL; /* not ours to free */
		return false;
	}
	ownership_claim(&s.map, b->p, b->bytes, "block", &s.errors);
	b->stamp = stamp_next(owner, serial);
	stamp_fill(b->p, b->bytes, STAMP_EVERY, b->stamp);
	return true;
}

/* Check b's stamps (and, if from >= 0, that hart from made it), free it. */
static void give_back(struct blk *b, int from)
{
	stamp_intact(b->p, b->bytes, STAMP_EVERY, b->stamp, &s.errors);
	if (from >= 0 && stamp_owner(b->stamp) != from)
		smp_error("block %p came from hart %d, its stamp says %d", b->p,
			  from, stamp_owner(b->stamp));
	ownership_release(&s.map, b->p, b->bytes);
	if (b->kind == KIND_PAGES)
		page_free(b->p);
	else if (b->kind == KIND_KMALLOC)
		kfree(b->p);
	else
		kmem_cache_free(b->cache, b->p);
	b->p = NULL;
}

/* Empty slot: take a block of any kind; full slot: give it back. */
static void toggle(struct holder *h, struct blk *b, unsigned int owner)
{
	if (b->p)
		give_back(b, -1);
	else if (!take(b, prng_below(&h->rng, KINDS), &h->rng, owner,
		       &h->serial))
		__atomic_fetch_add(&s.failures, 1, __ATOMIC_RELAXED);
}

static void empty(struct holder *h, unsigned int slots)
{
	unsigned int i;

	for (i = 0; i < slots; i++)
		if (h->b[i].p)
			give_back(&h->b[i], -1);
}

/* --- Set-up and the check at the end ----------------------------------- */

static bool smp_setup(struct ktest *t, bool caches)
{
	size_t units;
	unsigned int i;

	memset(&s, 0, sizeof(s));
	s.harts = nr_harts_online();
	page_span(&s.lo, &s.hi);
	units = (s.hi - s.lo) / GRANULE;
	s.map_pages = (BITS_TO_LONGS(units) * sizeof(long) + PAGE_SIZE - 1) /
		      PAGE_SIZE;
	s.map = (struct ownership_map){ s.lo, GRANULE, NULL };
	s.map.bits = page_alloc(s.map_pages);
	if (!KEXPECT_NOT_NULL(t, s.map.bits))
		return false;
	memset(s.map.bits, 0, s.map_pages * PAGE_SIZE);
	stress_settled_stats(&s.start);
	for (i = 0; caches && i < NR_CACHES; i++) {
		s.caches[i] = kmem_cache_create(cache_names[i], cache_sizes[i],
						0, 0, NULL);
		if (!KEXPECT_NOT_NULL(t, s.caches[i]))
			return false;
	}
	for (i = 0; i < MAX_HARTS; i++) {
		prng_seed(&s.hart[i].rng, 0x5310 + i);
		prng_seed(&s.irq[i].rng, 0x1a90 + i);
	}
	return true;
}

/* No block handed out twice; the figures back; every cache destroyed. */
static void smp_check(struct ktest *t)
{
	struct memory_stats now;
	unsigned int i;

	for (i = 0; i < NR_CACHES; i++)
		if (s.caches[i])
			KEXPECT_EQ(t, kmem_cache_destroy(s.caches[i]), 0);
	KEXPECT_EQ(t, s.errors, 0);
	stress_settled_stats(&now);
	KEXPECT_EQ(t, stress_stats_differ(&s.start, &now), 0);
	KEXPECT_EQ(t, page_validate(), 0);
	page_free(s.map.bits);
}

/* Every hart waits here until all have come to meeting n (a handshake). */
static void meet(unsigned int n)
{
	__atomic_fetch_add(&s.arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&s.arrived, __ATOMIC_ACQUIRE) < n * s.harts)
		cpu_relax();
}

/* --- At a high rate, from tasks and the timer interrupt ------------------ */

#ifndef HOST_TEST
/* A few steps on every tick, with blocks of its own and its own stamps. */
static void smp_tick(void)
{
	unsigned int me = this_hart(); /* interrupts are off here */
	struct holder *h = &s.irq[me];

	toggle(h, &h->b[prng_below(&h->rng, IRQ_SLOTS)], IRQ_OWNER + me);
	WRITE_ONCE(h->steps, h->steps + 1);
}
#endif

static void high_rate(void *arg)
{
	unsigned int me = ktest_hart(), i;
	struct holder *h = &s.hart[me];

	(void)arg;
	for (i = 0; i < ROUNDS * ktest_scale(); i++)
		toggle(h, &h->b[prng_below(&h->rng, SLOTS)], me);
	empty(h, SLOTS);
#ifndef HOST_TEST
	/* The interrupt's share, counted in ticks: not a wait for time. */
	while (READ_ONCE(s.irq[me].steps) < IRQ_STEPS)
		cpu_relax();
#endif
}

KTEST(smp, pages_kmalloc_and_caches_on_every_hart_and_in_the_timer_interrupt)
{
	unsigned int i;

	if (!smp_setup(t, true))
		return;
#ifndef HOST_TEST
	timer_tick_hook = smp_tick;
#endif
	ktest_on_each_hart(high_rate, NULL);
#ifndef HOST_TEST
	timer_tick_hook_stop(); /* no tick takes a block after this */
	for (i = 0; i < s.harts; i++)
		empty(&s.irq[i], IRQ_SLOTS);
	ktest_log(t, "%lu interrupt steps on hart 0", s.irq[0].steps);
#endif
	for (i = 0; i < s.harts; i++)
		KEXPECT_GT(t, s.hart[i].serial, 0);
	KEXPECT_EQ(t, s.failures, 0);
	smp_check(t);
}

/* --- Frees on another hart ------------------------------------------------ */

/*
 * Hart h sends each block it takes to hart h + 1 through that hart's
 * inbox (one producer, one consumer: the indexes are published with a
 * store-release after the slot is written or read), and checks and frees
 * what hart h - 1 sends it, until that one says it is done.
 */
static bool inbox_put(struct inbox *q, const struct blk *b)
{
	if (q->tail - __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) == QUEUE)
		return false;
	q->slot[q->tail % QUEUE] = *b;
	__atomic_store_n(&q->tail, q->tail + 1, __ATOMIC_RELEASE);
	return true;
}

/* 1: took one; 0: none yet; -1: none, and none will come. */
static int inbox_get(struct inbox *q, struct blk *b)
{
	bool closed = __atomic_load_n(&q->closed, __ATOMIC_ACQUIRE);

	if (q->head == __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE))
		return closed ? -1 : 0;
	*b = q->slot[q->head % QUEUE];
	__atomic_store_n(&q->head, q->head + 1, __ATOMIC_RELEASE);
	return 1;
}

/* One more block sent (or failed to be made): close after the last. */
static void sent(struct inbox *out, unsigned long *made, unsigned long to_make)
{
	if (++*made == to_make)
		__atomic_store_n(&out->closed, true, __ATOMIC_RELEASE);
}

static void handoff(void *arg)
{
	unsigned int me = ktest_hart(), prev = (me + s.harts - 1) % s.harts;
	struct inbox *out = &s.inbox[(me + 1) % s.harts];
	struct holder *h = &s.hart[me];
	unsigned long made = 0, to_make = ROUNDS * ktest_scale(), cross = 0;
	struct blk b = { 0 };
	int got = 0;

	(void)arg;
	while (made < to_make || got >= 0) {
		if (made < to_make && !b.p &&
		    !take(&b, prng_below(&h->rng, KINDS), &h->rng, me,
			  &h->serial)) {
			__atomic_fetch_add(&s.failures, 1, __ATOMIC_RELAXED);
			sent(out, &made, to_make);
		}
		if (b.p && inbox_put(out, &b)) {
			b.p = NULL;
			sent(out, &made, to_make);
		}
		got = inbox_get(&s.inbox[me], &h->b[0]);
		if (got > 0) {
			cross += prev != me;
			give_back(&h->b[0], (int)prev);
		}
	}
	__atomic_fetch_add(&s.cross_hart_frees, cross, __ATOMIC_RELAXED);
}

KTEST(smp, blocks_freed_on_another_hart)
{
	if (!smp_setup(t, true))
		return;
	ktest_on_each_hart(handoff, NULL);
	KEXPECT_EQ(t, s.failures, 0);
	if (s.harts > 1)
		KEXPECT_EQ(t, s.cross_hart_frees,
			   (unsigned long)ROUNDS * ktest_scale() * s.harts);
	else
		ktest_log(t, "one hart: it frees what it takes");
	smp_check(t);
}

/* --- Caches made and destroyed while others run ---------------------------- */

/*
 * Each hart makes a cache of its own, fills it with objects and blocks
 * of the shared caches, frees them and destroys it, CHURN_ROUNDS times;
 * hart 0 also shrinks every cache each round, draining the magazines of
 * harts that are allocating from them.  Up to NR_CACHES + harts caches
 * live at once.
 */
static void churn(void *arg)
{
	unsigned int me = ktest_hart(), i, k;
	struct holder *h = &s.hart[me];
	struct blk objs[CHURN_OBJECTS];
	struct kmem_cache *own;

	(void)arg;
	for (i = 0; i < CHURN_ROUNDS * ktest_scale(); i++) {
		own = kmem_cache_create(own_names[me],
					cache_sizes[(me + i) % NR_CACHES], 0, 0,
					NULL);
		if (!own) {
			smp_error("hart %u: no cache made in round %u", me, i);
			return;
		}
		for (k = 0; k < CHURN_OBJECTS; k++) {
			struct blk *b = &objs[k];

			if (k % 2) { /* one of the shared caches */
				if (!take(b, KIND_CACHE, &h->rng, me,
					  &h->serial))
					smp_error(
						"hart %u: a shared cache gave NULL",
						me);
				continue;
			}
			b->kind = KIND_CACHE;
			b->cache = own;
			b->bytes = cache_sizes[(me + i) % NR_CACHES];
			b->p = kmem_cache_alloc(own);
			if (!b->p) {
				smp_error("hart %u: its own cache gave NULL",
					  me);
				continue;
			}
			ownership_claim(&s.map, b->p, b->bytes, "object",
					&s.errors);
			b->stamp = stamp_next(me, &h->serial);
			stamp_fill(b->p, b->bytes, STAMP_EVERY, b->stamp);
		}
		if (me == 0)
			kmem_cache_shrink_all();
		for (k = 0; k < CHURN_OBJECTS; k++)
			if (objs[k].p)
				give_back(&objs[k], -1);
		if (kmem_cache_destroy(own))
			smp_error("hart %u: its cache was not destroyed", me);
	}
}

KTEST(smp, caches_made_and_destroyed_while_others_allocate)
{
	if (!smp_setup(t, true))
		return;
	ktest_on_each_hart(churn, NULL);
	smp_check(t);
}

/* --- Exhaustion on every hart at once -------------------------------------- */

/*
 * Every hart takes blocks until the allocators say no: runs of 16 pages,
 * then single pages, then kmalloc of 2048, 256 and 32 bytes, so that the
 * page allocator runs dry first and then each cache, all harts at once
 * (largest first: a few thousand blocks empty even 512 MiB, where blocks
 * of 2 KiB would take a slab for every two).  Each holds the next in its
 * chain, its size and its stamp, and the stamp over the rest.  When all
 * have seen no (a handshake), each hart checks and frees the chain of the
 * next one.
 */
struct link {
	struct link *next;
	size_t bytes;
	unsigned long stamp;
	unsigned long rest[]; /* stamped */
};

static const size_t exhaust_sizes[] = { 16 * PAGE_SIZE, PAGE_SIZE, 2048, 256,
					32 };

static void *exhaust_take(size_t bytes)
{
	return bytes >= PAGE_SIZE ? page_alloc(bytes / PAGE_SIZE)
				  : kmalloc(bytes);
}

/* One more block of bytes onto the chain; false when there is none. */
static bool take_link(struct link **chain, size_t bytes, unsigned int me)
{
	struct link *l = exhaust_take(bytes);

	if (!l)
		return false;
	ownership_claim(&s.map, l, bytes, "block", &s.errors);
	*l = (struct link){ *chain, bytes, stamp_next(me, &s.hart[me].serial) };
	stamp_fill(l->rest, bytes - sizeof(*l), STAMP_EVERY, l->stamp);
	*chain = l;
	return true;
}

static void exhaust(void *arg)
{
	unsigned int me = ktest_hart(), next = (me + 1) % s.harts, i;
	struct link *l, *chain = NULL;
	size_t bytes;

	(void)arg;
	/* Each hart holds a block before any runs memory dry. */
	if (!take_link(&chain, exhaust_sizes[0], me))
		smp_error("hart %u: no first block, with memory still free",
			  me);
	meet(1);
	for (i = 0; i < ARRAY_SIZE(exhaust_sizes); i++)
		while (take_link(&chain, exhaust_sizes[i], me))
			;
	s.chain[me] = chain;
	meet(2);
	for (l = s.chain[next]; l; l = chain) {
		chain = l->next;
		bytes = l->bytes;
		if (stamp_owner(l->stamp) != (int)next)
			smp_error("block %p of hart %u has a stamp of %d", l,
				  next, stamp_owner(l->stamp));
		stamp_intact(l->rest, bytes - sizeof(*l), STAMP_EVERY, l->stamp,
			     &s.errors);
		ownership_release(&s.map, l, bytes);
		if (bytes >= PAGE_SIZE)
			page_free(l);
		else
			kfree(l);
	}
}

KTEST(smp, exhaustion_on_every_hart_at_once)
{
	unsigned long blocks = 0;
	unsigned int i;

	if (!smp_setup(t, false))
		return;
	ktest_on_each_hart(exhaust, NULL);
	for (i = 0; i < s.harts; i++) {
		KEXPECT_GT(t, s.hart[i].serial, 0);
		blocks += s.hart[i].serial;
	}
	ktest_log(t, "%lu blocks taken on %u harts before memory ran out",
		  blocks, s.harts);
	smp_check(t);
}

/* --- The checks themselves ------------------------------------------------- */

/*
 * The ownership map and the stamps on memory of the case's own: a claim
 * over units already claimed is one error, wherever it starts and ends
 * in the map's words, and a claim after a release none; a stamp changed,
 * inside a block or in its last word, is one error each.
 */
#define CHECK_UNITS 256

static unsigned long check_mem[CHECK_UNITS * GRANULE / sizeof(long)];
static unsigned long check_bits[BITS_TO_LONGS(CHECK_UNITS)];

KTEST(smp, the_checks_see_a_block_handed_out_twice_or_overwritten)
{
	struct ownership_map map = { (uintptr_t)check_mem, GRANULE,
				     check_bits };
	unsigned long errors = 0, serial = 0, stamp, *w = check_mem;
	char *base = (char *)check_mem;
	size_t words = 512 / sizeof(long);

	memset(check_bits, 0, sizeof(check_bits));
	ownership_claim(&map, base, 80 * GRANULE, "unit", &errors);
	KEXPECT_EQ(t, errors, 0);
	ownership_claim(&map, base + 70 * GRANULE, 20 * GRANULE, "unit",
			&errors);
	KEXPECT_EQ(t, errors, 1); /* units 70 to 79, in one word */
	ownership_claim(&map, base + 100 * GRANULE, 100 * GRANULE, "unit",
			&errors);
	KEXPECT_EQ(t, errors, 1); /* over several words, none taken */
	ownership_claim(&map, base + 199 * GRANULE, GRANULE, "unit", &errors);
	KEXPECT_EQ(t, errors, 2); /* the last unit of that run */
	ownership_release(&map, base + 100 * GRANULE, 100 * GRANULE);
	ownership_claim(&map, base + 150 * GRANULE, 10 * GRANULE, "unit",
			&errors);
	KEXPECT_EQ(t, errors, 2);

	stamp = stamp_next(3, &serial);
	KEXPECT_EQ(t, stamp_owner(stamp), 3);
	stamp_fill(w, 512, STAMP_EVERY, stamp);
	KEXPECT_TRUE(t, stamp_intact(w, 512, STAMP_EVERY, stamp, &errors));
	w[STAMP_EVERY] ^= 1;
	KEXPECT_FALSE(t, stamp_intact(w, 512, STAMP_EVERY, stamp, &errors));
	w[STAMP_EVERY] ^= 1;
	w[words - 1] = 0;
	KEXPECT_FALSE(t, stamp_intact(w, 512, STAMP_EVERY, stamp, &errors));
	KEXPECT_EQ(t, errors, 4);
	ktest_log(t, "the four reports above are this case's own");
}
