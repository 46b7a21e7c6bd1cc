/*
 * spinlock_test.c - the ticket lock: mutual exclusion, fairness, the
 * interrupt nesting, the statistics, and every misuse it must catch.
 *
 * Portable: in QEMU the harts are real; on the host they are pthreads
 * (and the suite runs under ThreadSanitizer too).
 */
#include <kernel/ktest.h>
#include <kernel/machine.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>

#define COUNTER_ROUNDS 20000

static struct contention {
	struct spinlock lock;
	unsigned long counter_a, counter_b; /* plain: the lock guards them */
	unsigned int arrived;		    /* start barrier */
	unsigned long total, stop_at;
	unsigned long per_hart[MAX_HARTS];
} c;

static void wait_for_harts(unsigned int n)
{
	__atomic_fetch_add(&c.arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&c.arrived, __ATOMIC_ACQUIRE) < n)
		cpu_relax();
}

static void wait_for_all_harts(void)
{
	wait_for_harts(nr_harts_online());
}

/* The fairness bound is for four contending harts. */
#define FAIR_HARTS 4

static unsigned int fair_harts(void)
{
	return MIN(nr_harts_online(), FAIR_HARTS);
}

static void count_rounds(void *arg)
{
	unsigned int i, rounds = *(unsigned int *)arg;

	wait_for_all_harts();
	for (i = 0; i < rounds; i++) {
		acquire(&c.lock);
		/* Two counters: a torn section shows as a difference. */
		c.counter_a++;
		c.counter_b = c.counter_a;
		release(&c.lock);
	}
}

static void reset_contention(const char *name)
{
	unsigned int i;

	spinlock_init(&c.lock, name);
	c.counter_a = c.counter_b = 0;
	c.arrived = 0;
	c.total = 0;
	for (i = 0; i < MAX_HARTS; i++)
		c.per_hart[i] = 0;
}

KTEST(spinlock, counters_are_exact_under_contention)
{
	unsigned int rounds =
		COUNTER_ROUNDS * ktest_scale() / nr_harts_online();
	unsigned int n;

	reset_contention("test_counter");
	n = ktest_on_each_hart(count_rounds, &rounds);
	KEXPECT_EQ(t, c.counter_a, (unsigned long)n * rounds);
	KEXPECT_EQ(t, c.counter_b, c.counter_a);
#ifdef CONFIG_LOCK_STATS
	KEXPECT_EQ(t, c.lock.stats.acquisitions, (unsigned long)n * rounds);
	KEXPECT_LE(t, c.lock.stats.contended, c.lock.stats.acquisitions);
#endif
}

/*
 * Up to four harts take the lock in a loop for the same stretch of time
 * and count their grants.  A FIFO lock serves the queue in order, so each
 * hart that keeps asking gets its turn every round; an unfair lock lets
 * the releasing hart take it again at once.  The window is long next to
 * a host time slice, so that QEMU's vCPU threads, which the host runs in
 * turn, all get to ask.
 */
#define FAIR_WINDOW_NS 2000000000ull

static void take_turns(void *arg)
{
	uint64_t until;
	unsigned int me = ktest_hart();

	(void)arg;
	if (me >= fair_harts())
		return; /* more harts than the bound is about: sit out */
	wait_for_harts(fair_harts());
	until = time_ns() + FAIR_WINDOW_NS;
	while (time_ns() < until) {
		acquire(&c.lock);
		c.total++;
		c.per_hart[me]++;
		release(&c.lock);
	}
}

KTEST(spinlock, every_hart_gets_a_fair_share)
{
	unsigned long sum = 0, mean;
	unsigned int i, n;

	reset_contention("test_fair");
	ktest_on_each_hart(take_turns, NULL);
	n = fair_harts();
	for (i = 0; i < n; i++)
		sum += c.per_hart[i];
	KEXPECT_EQ(t, sum, c.total);
	mean = sum / n;
	for (i = 0; i < n; i++) {
		ktest_log(t, "hart %u: %lu of %lu acquisitions (mean %lu)", i,
			  c.per_hart[i], sum, mean);
#ifndef HOST_TEST
		/* FIFO tickets: nobody below two thirds of the mean. */
		KEXPECT_GE(t, c.per_hart[i] * 3, mean * 2);
#endif
	}
	/*
	 * On the host, Linux decides which thread runs when; the shares are
	 * logged there and checked on real harts in QEMU.
	 */
}

/*
 * First come, first served, exactly: hart 0 holds the lock while the
 * other harts queue for it one after another (each starts only once the
 * one before has taken its ticket), then lets go and at once asks again.
 * A FIFO lock must serve the waiters in the order they queued, and hart
 * 0 after them, every time.  A lock that lets whoever is quickest win
 * lets hart 0, which is running right there, take it straight back.  No
 * timing decides the order a FIFO lock must keep: the queue is forced,
 * by waiting for the tickets themselves, as long as that takes.  A lock
 * that hands out no tickets hangs here, and the harness fails the case.
 */
#define QUEUE_ROUNDS 20

static struct {
	uint16_t first; /* the ticket the first waiter takes */
	unsigned int go, served;
	unsigned int order[MAX_HARTS];
} q;

static uint16_t tickets_taken(void)
{
	return (uint16_t)(__atomic_load_n(&c.lock.word, __ATOMIC_ACQUIRE) >>
			  16);
}

/* Wait until n waiters have their tickets. */
static void wait_for_queue(unsigned int n)
{
	while ((uint16_t)(tickets_taken() - q.first) < n)
		cpu_relax();
}

static void served(unsigned int me)
{
	acquire(&c.lock);
	q.order[q.served++] = me;
	release(&c.lock);
}

static void queue_in_order(void *arg)
{
	unsigned int me = ktest_hart(), n = fair_harts();

	(void)arg;
	if (me >= n)
		return;
	if (me == 0) {
		acquire(&c.lock);
		q.first = tickets_taken();
		__atomic_store_n(&q.go, 1, __ATOMIC_RELEASE);
		wait_for_queue(n - 1);
		release(&c.lock);
		served(0); /* straight back in line: last */
		return;
	}
	while (!__atomic_load_n(&q.go, __ATOMIC_ACQUIRE))
		cpu_relax();
	wait_for_queue(me - 1); /* the harts before me are in line */
	served(me);
}

KTEST(spinlock, waiters_are_served_in_the_order_they_queued)
{
	unsigned int round, i, n = fair_harts();
	bool in_order = true;

	if (n < 2) {
		ktest_log(t, "needs 2 harts: skipped");
		return;
	}
	for (round = 0; round < QUEUE_ROUNDS && in_order; round++) {
		reset_contention("test_queue");
		memset(&q, 0, sizeof(q));
		ktest_on_each_hart(queue_in_order, NULL);
		KEXPECT_EQ(t, q.served, n);
		/* Harts 1 .. n-1 in the order they queued, then hart 0. */
		for (i = 0; i < q.served && in_order; i++)
			in_order = KEXPECT_EQ(t, q.order[i], (i + 1) % n);
	}
}

static struct spinlock held_elsewhere;
static bool is_held;
static unsigned int tried, try_successes;

/* Hart 0 holds the lock until every other hart has tried to take it. */
static void hold_while_others_try(void *arg)
{
	unsigned int others = nr_harts_online() - 1;

	(void)arg;
	if (ktest_hart() == 0) {
		acquire(&held_elsewhere);
		__atomic_store_n(&is_held, true, __ATOMIC_RELEASE);
		while (__atomic_load_n(&tried, __ATOMIC_ACQUIRE) < others)
			cpu_relax();
		release(&held_elsewhere);
		return;
	}
	while (!__atomic_load_n(&is_held, __ATOMIC_ACQUIRE))
		cpu_relax();
	if (try_acquire(&held_elsewhere)) {
		__atomic_fetch_add(&try_successes, 1, __ATOMIC_RELAXED);
		release(&held_elsewhere);
	}
	__atomic_fetch_add(&tried, 1, __ATOMIC_RELEASE);
}

KTEST(spinlock, try_acquire_fails_on_other_harts_while_held)
{
	spinlock_init(&held_elsewhere, "test_try_held");
	is_held = false;
	tried = try_successes = 0;
	ktest_on_each_hart(hold_while_others_try, NULL);
	KEXPECT_EQ(t, tried, nr_harts_online() - 1);
	KEXPECT_EQ(t, try_successes, 0);
	/* Free again: now anyone gets it. */
	KEXPECT_TRUE(t, try_acquire(&held_elsewhere));
	release(&held_elsewhere);
}

KTEST(spinlock, interrupts_stay_off_while_held)
{
	struct spinlock a, b;
	bool was_on = irqs_enabled();

	spinlock_init_level(&a, "test_outer", LOCK_LEVEL_TEST);
	spinlock_init(&b, "test_inner");
	acquire(&a);
	KEXPECT_FALSE(t, irqs_enabled());
	acquire(&b);
	release(&b);
	KEXPECT_FALSE(t, irqs_enabled()); /* still inside a */
	release(&a);
	KEXPECT_EQ(t, irqs_enabled(), was_on);
}

KTEST(spinlock, nesting_restores_the_outermost_state)
{
	bool was_on = irqs_enabled();

	push_off();
	push_off();
	KEXPECT_EQ(t, irq_nesting_depth(), 2);
	pop_off();
	KEXPECT_FALSE(t, irqs_enabled());
	pop_off();
	KEXPECT_EQ(t, irqs_enabled(), was_on);
}

KTEST(spinlock, locks_may_be_released_out_of_order)
{
	struct spinlock outer, inner;

	spinlock_init_level(&outer, "test_outer", LOCK_LEVEL_TEST);
	spinlock_init(&inner, "test_inner");
	acquire(&outer);
	acquire(&inner);
	release(&outer); /* as task_sleep_on does */
	KEXPECT_TRUE(t, holding(&inner));
	KEXPECT_FALSE(t, holding(&outer));
	release(&inner);
	KEXPECT_EQ(t, irq_nesting_depth(), 0);
}

/*
 * Hart 0 takes the lock and holds it until a waiter has reported its
 * long wait; the others queue only once it is held.  Handshakes both
 * ways: how the host schedules the harts changes nothing.  Without the
 * report the case hangs, which the harness catches.
 */
static struct spinlock slow_lock;
static struct {
	unsigned long before; /* spinlock_long_waits at the start */
	unsigned int held;
} lw;

static void hold_or_wait(void *arg)
{
	(void)arg;
	wait_for_all_harts();
	if (ktest_hart() == 0) {
		acquire(&slow_lock);
		__atomic_store_n(&lw.held, 1, __ATOMIC_RELEASE);
		while (__atomic_load_n(&spinlock_long_waits,
				       __ATOMIC_RELAXED) == lw.before)
			cpu_relax();
		release(&slow_lock);
	} else {
		while (!__atomic_load_n(&lw.held, __ATOMIC_ACQUIRE))
			cpu_relax();
		acquire(&slow_lock);
		release(&slow_lock);
	}
}

KTEST(spinlock, a_long_wait_is_reported)
{
	uint64_t saved = spinlock_report_ns;

	if (nr_harts_online() < 2) {
		ktest_log(t, "needs two harts; nothing to wait for");
		return;
	}
	spinlock_init(&slow_lock, "test_slow");
	c.arrived = 0;
	lw.before = spinlock_long_waits;
	lw.held = 0;
	spinlock_report_ns = 20000000; /* 20 ms */
	ktest_on_each_hart(hold_or_wait, NULL);
	spinlock_report_ns = saved;
	KEXPECT_GT(t, spinlock_long_waits, lw.before); /* this case's wait */
}

static void find_lock(struct spinlock *lock, void *arg)
{
	struct spinlock **wanted = arg;

	if (lock == *wanted)
		*wanted = NULL; /* found */
}

static bool registered(struct spinlock *lock)
{
	struct spinlock *wanted = lock;

	spinlock_for_each(find_lock, &wanted);
	return wanted == NULL;
}

KTEST(spinlock, the_registry_lists_static_and_registered_locks)
{
	static DEFINE_SPINLOCK(static_lock, "test_static", LOCK_LEVEL_LEAF);
	static struct spinlock dynamic;

	KEXPECT_TRUE(t, registered(&static_lock));
	spinlock_init(&dynamic, "test_dynamic");
	KEXPECT_FALSE(t, registered(&dynamic));
	spinlock_register(&dynamic);
	KEXPECT_TRUE(t, registered(&dynamic));
	spinlock_unregister(&dynamic);
	KEXPECT_FALSE(t, registered(&dynamic));
}

/* The misuses: each must panic, naming the lock. */

KTEST_PANICS(spinlock, recursive_acquire_panics, "recursive acquire")
{
	static struct spinlock lock;

	(void)t;
	spinlock_init(&lock, "test_recursive");
	acquire(&lock);
	acquire(&lock);
}

KTEST_PANICS(spinlock, release_of_unheld_lock_panics,
	     "release of a lock this hart does not hold")
{
	static struct spinlock lock;

	(void)t;
	spinlock_init(&lock, "test_unheld");
	release(&lock);
}

KTEST_PANICS(spinlock, lock_order_violation_panics, "lock order violation")
{
	static struct spinlock low, high;

	(void)t;
	spinlock_init_level(&low, "test_low", LOCK_LEVEL_PAGE);
	spinlock_init_level(&high, "test_high", LOCK_LEVEL_SCHED);
	acquire(&low);
	acquire(&high); /* sched is taken before page, never after */
}

KTEST_PANICS(spinlock, unbalanced_pop_off_panics, "without push_off")
{
	(void)t;
	(void)irq_save(); /* interrupts off: only the nesting is wrong */
	pop_off();
}

KTEST_PANICS(spinlock, pop_off_with_interrupts_on_panics,
	     "interrupts are on inside a push_off section")
{
	unsigned long on;

	KASSERT_TRUE(t, irqs_enabled()); /* cases run with interrupts on */
	on = irq_save();
	irq_restore(on);
	push_off();
	irq_restore(on); /* interrupts back on inside the section */
	pop_off();
}
