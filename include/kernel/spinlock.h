/*
 * spinlock.h - FIFO ticket spinlocks that keep interrupts off, check their
 * own use and keep statistics (kernel/spinlock.c, docs/locking.md).
 *
 *	DEFINE_SPINLOCK(page_lock, "page", LOCK_LEVEL_PAGE);
 *
 *	acquire(&page_lock);
 *	... touch what page_lock protects ...
 *	release(&page_lock);
 *
 * Holding any lock keeps interrupts off on the local hart, so code that
 * an interrupt handler may also run (page_alloc, malloc, printk) can take
 * the same lock without deadlocking its own hart.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <kernel/compiler.h>

/*
 * The lock order.  A hart holding a lock may only take locks of a lower
 * level; acquire() panics otherwise, naming both locks.  docs/locking.md
 * lists every lock and what it protects.
 */
enum lock_level {
	/* console output: printk works under any lock */
	LOCK_LEVEL_CONSOLE = 0,
	LOCK_LEVEL_LEAF,	 /* takes no other lock (but may printk) */
	LOCK_LEVEL_PAGE,	 /* page allocator */
	LOCK_LEVEL_SLAB_HEADERS, /* the cache of slab headers (kmem_slab) */
	LOCK_LEVEL_SLAB,	 /* one slab cache; calls page_alloc */
	LOCK_LEVEL_SLAB_CACHES,	 /* the list of slab caches */
	LOCK_LEVEL_SCHED,	 /* scheduler; frees dead tasks' memory */
	LOCK_LEVEL_WAIT,	 /* locks a task sleeps on (task_sleep_on) */
	LOCK_LEVEL_TEST,	 /* test code that wraps all of the above */
	LOCK_LEVELS
};

/* Statistics, in read_cycles() units; updated by the holder only. */
struct lock_stats {
	uint64_t acquisitions;
	uint64_t contended; /* acquisitions that had to wait */
	uint64_t wait_max;  /* longest wait for the lock */
	uint64_t hold_max;  /* longest time held */
	uint64_t hold_total;
	uint64_t hold_start; /* when the current holder took it */
};

struct spinlock {
	/*
	 * One 32-bit word: the low half is the ticket now served, the high
	 * half the next ticket to hand out (little-endian, so "owner" is the
	 * halfword at offset 0).
	 */
	union {
		uint32_t word;
		struct {
			uint16_t owner;
			uint16_t next;
		} tickets;
	};
	int hart;	      /* holder's hart id, or -1 when free */
	uintptr_t acquire_pc; /* where the holder took it */
	const char *name;
	enum lock_level level;
	unsigned int long_waits;	  /* waits reported as too long */
	struct spinlock *prev_held;	  /* what the holder took before it */
	struct spinlock *next_registered; /* spinlock_register's list */
#ifdef CONFIG_LOCK_STATS
	struct lock_stats stats;
#endif
} __aligned(CACHELINE_SIZE); /* no false sharing between locks */

#define SPINLOCK_INIT(lockname, lvl)                                           \
	{                                                                      \
		.word = 0, .hart = -1, .acquire_pc = 0, .name = (lockname),    \
		.level = (lvl)                                                 \
	}

/*
 * A lock with static storage, in the lock registry (spinlock_for_each,
 * the shell's lockstat).  The linker collects them into one table.
 */
#define DEFINE_SPINLOCK(var, lockname, lvl)                                    \
	struct spinlock var __section("spinlocks") __used =                    \
		SPINLOCK_INIT(lockname, lvl)

/* Initialise a lock at run time at LOCK_LEVEL_LEAF ... */
void spinlock_init(struct spinlock *lock, const char *name);
/* ... or with an explicit place in the lock order. */
void spinlock_init_level(struct spinlock *lock, const char *name,
			 enum lock_level level);

void acquire(struct spinlock *lock);
void release(struct spinlock *lock);
/* Take the lock only if it is free right now; returns true if taken. */
bool try_acquire(struct spinlock *lock);
/* True if this hart holds the lock. */
bool holding(const struct spinlock *lock);
/*
 * True if the lock order lets this hart take a lock of this level now:
 * a trap handler, which may have come with any lock held, asks before
 * it takes one.
 */
bool may_acquire_level(enum lock_level level);

/*
 * push_off/pop_off disable interrupts on this hart, counting the nesting:
 * the state saved by the outermost push_off is restored by the last
 * pop_off.  acquire/release use them; call them directly only to keep a
 * hart-local section free of interrupts without a lock.
 */
void push_off(void);
void pop_off(void);

/* The state pop_off would restore; the scheduler carries it per task. */
unsigned long irq_nesting_saved(void);
void irq_nesting_set_saved(unsigned long saved);
int irq_nesting_depth(void);

/*
 * A hart waiting this long for one lock reports who holds it (once), and
 * counts the report in the lock's long_waits.
 */
extern uint64_t spinlock_report_ns;

/*
 * The lock registry, which lockstat prints: every DEFINE_SPINLOCK lock,
 * and the long-lived locks made at run time that spinlock_register adds
 * (a slab cache's, say; unregister before the lock's memory goes).
 */
void spinlock_register(struct spinlock *lock);
void spinlock_unregister(struct spinlock *lock);
/* Call fn for every registered lock, under the registry's own lock. */
void spinlock_for_each(void (*fn)(struct spinlock *lock, void *arg), void *arg);

#endif /* KERNEL_SPINLOCK_H */
