/*
 * smp_bench.c - how the allocators scale over harts (suite bench_smp).
 *
 * tools/bench.py boots this with 1, 2, 4 and 8 harts under QEMU's
 * multi-threaded TCG (no -icount: every hart is a host thread).  Every
 * hart runs the same loops at once, each on objects of its own:
 *
 *   kmalloc      kmalloc/kfree of log-uniform sizes 8..2047 (trace.h)
 *   kmem_cache   kmem_cache_alloc/free of one shared 64-byte cache
 *   page         page_alloc(1)/page_free
 *   page runs    page_alloc(2..16)/page_free
 *
 * A loop keeps RING blocks per hart: each step frees the oldest and
 * allocates a new one, STEPS times (2 * STEPS operations), or fewer if a
 * second has gone by: a hart that waits for a lock held by a hart the
 * host has descheduled can wait a host time slice, and the run must stay
 * short.  Harts meet at a barrier before and after each loop; in between,
 * each times its own loop with time_ns().  Hart 0 reads the lock
 * registry's statistics at both barriers, so the lock counts are those of
 * the loop alone.
 *
 * Wall-clock figures in QEMU are noisy (the host runs other work, and
 * harts may outnumber host CPUs); the lock counts do not depend on time.
 * Lines printed by hart 0, one per loop, then one per allocator lock the
 * loop took:
 *
 *   # bench: smp|LOOP|HARTS|OPS0:NS0,OPS1:NS1,...   (operations, time of each hart)
 *   # bench: smp_lock|LOOP|LEVEL|NAME|ACQUISITIONS|CONTENDED
 *
 * LEVEL is "page" (LOCK_LEVEL_PAGE) or "cache" (LOCK_LEVEL_SLAB).  Built
 * without CONFIG_LOCK_STATS there are no smp_lock lines.
 */
#include <kernel/machine.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <kernel/spinlock.h>
#include "bench.h"
#include "trace.h"

#define STEPS 20000
#define TIME_LIMIT 1000000000ull /* ns: a loop stops after a second */
#define RING 16
#define MAX_LOCKS 64

struct loop {
	const char *name;
	void *(*alloc)(struct trace *rng);
	void (*free)(void *p);
};

static struct kmem_cache *bench_cache;

static void *kmalloc_any(struct trace *rng)
{
	return kmalloc(trace_size(rng));
}

static void *cache_alloc(struct trace *rng)
{
	(void)rng;
	return kmem_cache_alloc(bench_cache);
}

static void cache_free(void *p)
{
	kmem_cache_free(bench_cache, p);
}

static void *page_one(struct trace *rng)
{
	(void)rng;
	return page_alloc(1);
}

static void *page_run(struct trace *rng)
{
	return page_alloc(2 + trace_below(rng, 15));
}

static const struct loop loops[] = {
	{ "kmalloc", kmalloc_any, kfree },
	{ "kmem_cache", cache_alloc, cache_free },
	{ "page", page_one, page_free },
	{ "page runs", page_run, page_free },
};

/* --- A barrier ----------------------------------------------------------
 *
 * The last hart to arrive starts the next round; the others spin on the
 * round with interrupts off.  Nothing is counted while they wait.
 */
static unsigned int barrier_arrived;
static unsigned int barrier_round;

static void barrier(unsigned int harts)
{
	unsigned int round = __atomic_load_n(&barrier_round, __ATOMIC_ACQUIRE);

	push_off();
	if (__atomic_add_fetch(&barrier_arrived, 1, __ATOMIC_ACQ_REL) ==
	    harts) {
		__atomic_store_n(&barrier_arrived, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&barrier_round, round + 1, __ATOMIC_RELEASE);
	} else {
		while (__atomic_load_n(&barrier_round, __ATOMIC_ACQUIRE) ==
		       round)
			cpu_relax();
	}
	pop_off();
}

/* --- The lock registry's counts, before and after a loop -------------- */

struct lock_count {
	struct spinlock *lock;
	uint64_t acquisitions;
	uint64_t contended;
};

struct lock_snapshot {
	unsigned int n;
	struct lock_count lock[MAX_LOCKS];
};

static struct lock_snapshot before, after;

static void count_lock(struct spinlock *lock, void *arg)
{
	struct lock_snapshot *s = arg;

	if (s->n == MAX_LOCKS)
		return;
#ifdef CONFIG_LOCK_STATS
	s->lock[s->n] = (struct lock_count){ lock, lock->stats.acquisitions,
					     lock->stats.contended };
#else
	s->lock[s->n] = (struct lock_count){ lock, 0, 0 }; /* nothing printed */
#endif
	s->n++;
}

static void snapshot(struct lock_snapshot *s)
{
	s->n = 0;
	spinlock_for_each(count_lock, s);
}

static const char *level_name(enum lock_level level)
{
	if (level == LOCK_LEVEL_PAGE)
		return "page";
	if (level == LOCK_LEVEL_SLAB)
		return "cache";
	return NULL;
}

static void print_locks(const struct loop *l)
{
	unsigned int i, j;

	for (i = 0; i < after.n; i++) {
		const struct lock_count *a = &after.lock[i];
		uint64_t acq = a->acquisitions, cont = a->contended;
		const char *level = level_name(a->lock->level);

		for (j = 0; j < before.n; j++) {
			if (before.lock[j].lock == a->lock) {
				acq -= before.lock[j].acquisitions;
				cont -= before.lock[j].contended;
				break;
			}
		}
		if (level && acq)
			ktest_log(NULL, "bench: smp_lock|%s|%s|%s|%llu|%llu",
				  l->name, level, a->lock->name,
				  (unsigned long long)acq,
				  (unsigned long long)cont);
	}
}

/* --- The loops ------------------------------------------------------- */

struct hart_result {
	unsigned int ops;
	uint64_t ns;
};

static struct hart_result result[MAX_HARTS];

/* One hart's part of loop l: at most STEPS steps, for at most TIME_LIMIT. */
static void run_loop(const struct loop *l, void **ring, struct trace *rng,
		     struct ktest *t)
{
	uint64_t start = time_ns(), now = start;
	unsigned int step, i = 0;

	for (step = 0; step < STEPS; step++) {
		if (step % 16 == 0 && (now = time_ns()) - start > TIME_LIMIT)
			break;
		l->free(ring[i]);
		ring[i] = l->alloc(rng);
		if (!ring[i])
			KEXPECT_NOT_NULL(t, ring[i]);
		i = (i + 1) % RING;
	}
	now = time_ns();
	result[this_hart()] = (struct hart_result){ 2 * step, now - start };
}

static void print_results(const struct loop *l, unsigned int harts)
{
	char list[MAX_HARTS * 32] = "";
	size_t used = 0;
	unsigned int h;

	for (h = 0; h < harts; h++)
		used += snprintf(list + used, sizeof(list) - used, "%s%u:%llu",
				 h ? "," : "", result[h].ops,
				 (unsigned long long)result[h].ns);
	ktest_log(NULL, "bench: smp|%s|%u|%s", l->name, harts, list);
	print_locks(l);
}

static void run_loops(void *arg)
{
	unsigned int harts = nr_harts_online(), me = this_hart();
	struct ktest *t = arg;
	void *ring[RING];
	struct trace rng;
	unsigned int k, i;

	trace_start(&rng, TRACE_SEED + me, 1);
	for (k = 0; k < ARRAY_SIZE(loops); k++) {
		const struct loop *l = &loops[k];

		for (i = 0; i < RING; i++)
			ring[i] = l->alloc(&rng);
		barrier(harts);
		if (me == 0)
			snapshot(&before);
		barrier(harts);
		run_loop(l, ring, &rng, t);
		barrier(harts);
		if (me == 0) {
			snapshot(&after);
			print_results(l, harts);
		}
		barrier(harts);
		for (i = 0; i < RING; i++)
			l->free(ring[i]);
	}
}

KTEST_FLAGS(bench_smp, scaling, KTEST_MANUAL)
{
	bench_cache = kmem_cache_create("bench-smp", 64, 0, 0, NULL);
	KASSERT_NOT_NULL(t, bench_cache);
	ktest_on_each_hart(run_loops, t);
	KEXPECT_EQ(t, kmem_cache_destroy(bench_cache), 0);
}
