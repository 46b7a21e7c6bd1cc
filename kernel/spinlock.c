/*
 * spinlock.c - FIFO ticket spinlocks, the per-hart interrupt nesting, and
 * the checks that catch misuse of both.
 *
 * A ticket lock is a bakery queue: each acquirer takes the next ticket
 * with one atomic add and waits until the "now serving" counter shows its
 * number; release advances the counter.  Harts are served strictly in the
 * order they arrived, so none can starve.
 *
 *   word:  | next (16 bits) | owner (16 bits) |
 *            ^ acquire: amoadd.w.aq 1<<16
 *                             ^ release: fence rw,w; sh owner+1
 *
 * Interrupts stay off while a hart holds any lock (push_off/pop_off,
 * nesting counted per hart): otherwise an interrupt handler that takes the
 * same lock would spin forever on its own hart.
 *
 * Each hart also keeps the chain of locks it holds, newest first, linked
 * through the locks themselves (prev_held).  That makes the checks cheap
 * and exact: taking a lock twice, releasing one not held (or never
 * initialised), and taking locks against the order of enum lock_level
 * all panic with a message that names the locks, the hart and where each
 * was taken.  A hart that waits longer than spinlock_report_ns says once
 * who holds the lock it wants, then keeps waiting.
 *
 * How a waiter waits is the machine's business: cpu_wait_turn() in
 * include/kernel/machine.h (QEMU may run more harts than the host has
 * CPUs, so a waiter far back in the queue should not spin).
 *
 * This file talks to the machine only through include/kernel/machine.h,
 * so it builds unchanged for the host runner, where pthreads play harts.
 */
#include <kernel/spinlock.h>
#include <kernel/machine.h>
#include <kernel/printk.h>
#include <kernel/console.h>

/*
 * The locks a hart holds form a chain, newest first: last_held, then
 * each lock's prev_held, down to no_lock.  no_lock stands above every
 * level, so the order check needs no test for an empty chain.
 */
static struct spinlock no_lock = SPINLOCK_INIT("(none)", LOCK_LEVELS);

struct hart_locks {
	int depth;	     /* push_off calls not yet undone */
	unsigned long saved; /* irq state before the outermost push_off */
	struct spinlock *last_held; /* the lock taken last, or &no_lock */
} __aligned(CACHELINE_SIZE);

static struct hart_locks hart_locks[MAX_HARTS] = {
	[0 ... MAX_HARTS - 1] = { .last_held = &no_lock },
};

uint64_t spinlock_report_ns = 1000000000; /* 1 s */
static int report_busy;

/* push_off/pop_off on a known hart: the lock paths inline these. */
static inline void __push_off(struct hart_locks *hl, unsigned long flags)
{
	if (hl->depth++ == 0)
		hl->saved = flags;
}

static __noinline __noreturn void pop_off_misuse(const struct hart_locks *hl)
{
	if (hl->depth < 1)
		panic("pop_off: without push_off on hart %u (unbalanced interrupt nesting)",
		      this_hart());
	panic("pop_off: interrupts are on inside a push_off section on hart %u",
	      this_hart());
}

static inline void __pop_off(struct hart_locks *hl)
{
	if (unlikely(hl->depth < 1 || irqs_enabled()))
		pop_off_misuse(hl);
	if (--hl->depth == 0)
		irq_restore(hl->saved);
}

void push_off(void)
{
	unsigned long flags = irq_save(); /* before this_hart: no migration */

	__push_off(&hart_locks[this_hart()], flags);
}

void pop_off(void)
{
	__pop_off(&hart_locks[this_hart()]);
}

unsigned long irq_nesting_saved(void)
{
	return hart_locks[this_hart()].saved;
}

void irq_nesting_set_saved(unsigned long saved)
{
	hart_locks[this_hart()].saved = saved;
}

int irq_nesting_depth(void)
{
	return hart_locks[this_hart()].depth;
}

void spinlock_init_level(struct spinlock *lock, const char *name,
			 enum lock_level level)
{
	*lock = (struct spinlock)SPINLOCK_INIT(name, level);
}

void spinlock_init(struct spinlock *lock, const char *name)
{
	spinlock_init_level(lock, name, LOCK_LEVEL_LEAF);
}

/* Other harts read these two fields in reports, hence the atomics. */
static int holder_of(const struct spinlock *lock)
{
	return __atomic_load_n(&lock->hart, __ATOMIC_RELAXED);
}

static void *holder_pc(const struct spinlock *lock)
{
	return (void *)__atomic_load_n(&lock->acquire_pc, __ATOMIC_RELAXED);
}

bool may_acquire_level(enum lock_level level)
{
	bool ok;

	push_off(); /* stay on this hart while its chain is read */
	ok = level < hart_locks[this_hart()].last_held->level;
	pop_off();
	return ok;
}

bool holding(const struct spinlock *lock)
{
	bool held;

	push_off(); /* stay on this hart between the two reads */
	held = holder_of(lock) == (int)this_hart();
	pop_off();
	return held;
}

/* Caller bugs end here; the message format is the same for all. */
static __noinline __noreturn void
lock_misuse(const char *what, const struct spinlock *lock, uintptr_t pc)
{
	panic("spinlock: %s: lock \"%s\" (level %d) on hart %u at %pB; holder hart %d took it at %pB",
	      what, lock->name, lock->level, this_hart(), (void *)pc,
	      holder_of(lock), holder_pc(lock));
}

/*
 * Why acquire_ok said no: panic with the whole story.  The lock was
 * either held by this hart already (the order check catches that too:
 * see acquire_ok) or below the order of the last lock taken.
 */
static __noinline __noreturn void acquire_misuse(const struct spinlock *lock,
						 struct hart_locks *hl,
						 unsigned int me, uintptr_t pc)
{
	const struct spinlock *last = hl->last_held;

	if (holder_of(lock) == (int)me)
		lock_misuse("recursive acquire", lock, pc);
	panic("spinlock: lock order violation on hart %u: taking \"%s\" (level %d) at %pB while holding \"%s\" (level %d, taken at %pB)",
	      me, lock->name, lock->level, (void *)pc, last->name, last->level,
	      (void *)last->acquire_pc);
}

/*
 * Every lock must be below the last one taken.  That is the whole check:
 * locks are taken in falling level order, so the last one has the
 * lowest level of all that are held.  It also catches a recursive
 * acquire (the lock held is at or above the last one's level).
 */
static __always_inline bool acquire_ok(const struct spinlock *lock,
				       const struct hart_locks *hl)
{
	return lock->level < hl->last_held->level;
}

static __noinline void report_long_wait(struct spinlock *lock, uintptr_t pc)
{
	char msg[256];
	int n;

	n = snprintf(
		msg, sizeof(msg),
		"spinlock: hart %u has waited over %llu ms for \"%s\" (wanted at %pB); held by hart %d, taken at %pB\n",
		this_hart(), (unsigned long long)(spinlock_report_ns / 1000000),
		lock->name, (void *)pc, holder_of(lock), holder_pc(lock));
	n = MIN(n, (int)sizeof(msg) - 1);
	if (lock->level != LOCK_LEVEL_CONSOLE) {
		/* Under the console lock, or other harts' lines mix with it. */
		console_write_locked(msg, (size_t)n);
	} else {
		/*
		 * Stuck on the console lock itself: straight to the console,
		 * one report at a time.
		 */
		while (__atomic_exchange_n(&report_busy, 1, __ATOMIC_ACQUIRE))
			cpu_relax();
		console_write(msg, (size_t)n);
		__atomic_store_n(&report_busy, 0, __ATOMIC_RELEASE);
	}
	__atomic_fetch_add(&lock->long_waits, 1, __ATOMIC_RELEASE);
}

/*
 * Our ticket was not served at once: wait for it, in the machine's way
 * (cpu_wait_turn), and say so once if it takes too long.
 */
static __noinline void wait_turn(struct spinlock *lock, uint16_t ticket,
				 uintptr_t pc)
{
	uint64_t start = time_ns();
#ifdef CONFIG_LOCK_STATS
	uint64_t cycles = read_cycles();
#endif
	bool reported = false;

	/* Returns with acquire ordering: the section cannot start before. */
	while (!cpu_wait_turn(&lock->tickets.owner, ticket)) {
		if (!reported && time_ns() - start > spinlock_report_ns) {
			report_long_wait(lock, pc);
			reported = true;
		}
	}
#ifdef CONFIG_LOCK_STATS
	/* The lock is ours now, and the holder keeps the statistics. */
	cycles = read_cycles() - cycles;
	lock->stats.contended++;
	if (cycles > lock->stats.wait_max)
		lock->stats.wait_max = cycles;
#endif
}

/* We own the lock now: record it. */
static __always_inline void mark_held(struct spinlock *lock,
				      struct hart_locks *hl, unsigned int me,
				      uintptr_t pc)
{
	__atomic_store_n(&lock->hart, (int)me, __ATOMIC_RELAXED);
	__atomic_store_n(&lock->acquire_pc, pc, __ATOMIC_RELAXED);
	lock->prev_held = hl->last_held;
	hl->last_held = lock;
#ifdef CONFIG_LOCK_STATS
	lock->stats.acquisitions++;
	lock->stats.hold_start = read_cycles();
#endif
}

/* This hart's record; interrupts must be off, so that we cannot move. */
static __always_inline struct hart_locks *this_hart_locks(unsigned int me)
{
	return &hart_locks[me];
}

/*
 * Everything unusual about an acquire, in one place: a misuse (which
 * panics), or a ticket that is not served yet.
 */
static __noinline void acquire_slow(struct spinlock *lock, uint32_t old,
				    uintptr_t pc)
{
	unsigned int me = this_hart();
	struct hart_locks *hl = this_hart_locks(me);

	if (!acquire_ok(lock, hl))
		acquire_misuse(lock, hl, me, pc);
	wait_turn(lock, (uint16_t)(old >> 16), pc);
	mark_held(lock, hl, me, pc);
}

/*
 * The fast path: the lock was free and the order is kept.  It calls
 * nothing but acquire_slow, once, so the compiler gives it no frame (the
 * kernel is built with -fno-optimize-sibling-calls, and GCC then
 * shrink-wraps the frame onto that one call).  acquire+release is about
 * 101 instructions on rv32 with lock statistics, 64 without (make
 * bench).  A misuse takes its ticket before it is seen; it panics anyway.
 */
void acquire(struct spinlock *lock)
{
	unsigned long flags = irq_save(); /* before this_hart: no migration */
	unsigned int me = this_hart();
	struct hart_locks *hl = this_hart_locks(me);
	uint32_t old;

	__push_off(hl, flags);
	/* amoadd.w.aq: take a ticket and read "now serving" in one step. */
	old = __atomic_fetch_add(&lock->word, 1u << 16, __ATOMIC_ACQUIRE);
	if (likely(acquire_ok(lock, hl) &&
		   (uint16_t)(old >> 16) == (uint16_t)old)) {
		mark_held(lock, hl, me, CALLER_ADDR);
		return;
	}
	acquire_slow(lock, old, CALLER_ADDR);
}

bool try_acquire(struct spinlock *lock)
{
	uintptr_t pc = CALLER_ADDR;
	unsigned long flags = irq_save();
	unsigned int me = this_hart();
	struct hart_locks *hl = this_hart_locks(me);
	uint32_t old;

	__push_off(hl, flags);
	if (unlikely(!acquire_ok(lock, hl)))
		acquire_misuse(lock, hl, me, pc); /* panics */
	old = __atomic_load_n(&lock->word, __ATOMIC_RELAXED);
	/* Free means next == owner; then take ticket "next" by CAS. */
	if ((uint16_t)(old >> 16) == (uint16_t)old &&
	    __atomic_compare_exchange_n(&lock->word, &old, old + (1u << 16),
					false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED)) {
		mark_held(lock, hl, me, pc);
		return true;
	}
	__pop_off(hl);
	return false;
}

/*
 * Take lock out of this hart's held chain, wherever it is (task_sleep_on
 * releases a lock taken before the one it holds last).  Returns false if
 * it is not on the chain.
 */
static bool forget_held(struct hart_locks *hl, const struct spinlock *lock)
{
	struct spinlock **link;

	for (link = &hl->last_held; *link != &no_lock;
	     link = &(*link)->prev_held) {
		if (*link == lock) {
			*link = lock->prev_held;
			return true;
		}
	}
	return false;
}

/* Give the lock to the next ticket; returns the ticket now served. */
static __always_inline uint16_t hand_on(struct spinlock *lock)
{
	uint16_t owner;

#ifdef CONFIG_LOCK_STATS
	{
		uint64_t held = read_cycles() - lock->stats.hold_start;

		lock->stats.hold_total += held;
		if (held > lock->stats.hold_max)
			lock->stats.hold_max = held;
	}
#endif
	__atomic_store_n(&lock->hart, -1, __ATOMIC_RELAXED);
	/*
	 * fence rw,w; sh: the critical section's accesses complete before
	 * the next ticket holder can see the new owner.  Only the holder
	 * writes "owner", so reading it needs no ordering.
	 */
	owner = (uint16_t)(__atomic_load_n(&lock->tickets.owner,
					   __ATOMIC_RELAXED) +
			   1);
	__atomic_store_n(&lock->tickets.owner, owner, __ATOMIC_RELEASE);
	return owner;
}

/* A lock that no spinlock_init or SPINLOCK_INIT has touched. */
static bool never_initialised(const struct spinlock *lock)
{
	return lock->name == NULL;
}

/*
 * Everything unusual about a release, in one place: the lock was not the
 * last one this hart took (a misuse, or task_sleep_on releasing an outer
 * lock), or interrupts were turned on inside the section.
 */
static __noinline void release_slow(struct spinlock *lock, bool handed_on,
				    uintptr_t pc)
{
	unsigned int me = this_hart();
	struct hart_locks *hl = this_hart_locks(me);

	if (!handed_on) {
		if (never_initialised(lock))
			panic("spinlock: release of a lock that was never initialised (all zero) at %p on hart %u at %p",
			      (void *)lock, me, (void *)pc);
		if (!forget_held(hl, lock))
			lock_misuse("release of a lock this hart does not hold",
				    lock, pc);
		hand_on(lock);
	}
	__pop_off(hl);
}

/*
 * The fast path, frameless like acquire's, and with nothing to wake:
 * waiters wake each other (cpu_wait_turn).
 */
void release(struct spinlock *lock)
{
	unsigned int me = this_hart(); /* interrupts are off: we hold a lock */
	struct hart_locks *hl = this_hart_locks(me);
	bool last = hl->last_held == lock;

	if (likely(last)) {
		hl->last_held = lock->prev_held;
		hand_on(lock);
		if (likely(hl->depth > 0 && !irqs_enabled())) {
			if (--hl->depth == 0)
				irq_restore(hl->saved);
			return;
		}
	}
	release_slow(lock, last, CALLER_ADDR);
}

/* --- The registry ---------------------------------------------------- */

extern struct spinlock __start_spinlocks[], __stop_spinlocks[];
static DEFINE_SPINLOCK(registry_lock, "lock_registry", LOCK_LEVEL_LEAF);
static struct spinlock *registered; /* run-time locks, newest first */

void spinlock_register(struct spinlock *lock)
{
	acquire(&registry_lock);
	lock->next_registered = registered;
	registered = lock;
	release(&registry_lock);
}

void spinlock_unregister(struct spinlock *lock)
{
	struct spinlock **p;

	acquire(&registry_lock);
	for (p = &registered; *p; p = &(*p)->next_registered) {
		if (*p == lock) {
			*p = lock->next_registered;
			break;
		}
	}
	release(&registry_lock);
}

void spinlock_for_each(void (*fn)(struct spinlock *lock, void *arg), void *arg)
{
	struct spinlock *lock;

	acquire(&registry_lock);
	for (lock = __start_spinlocks; lock < __stop_spinlocks; lock++)
		fn(lock, arg);
	for (lock = registered; lock; lock = lock->next_registered)
		fn(lock, arg);
	release(&registry_lock);
}
