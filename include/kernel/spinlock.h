/*
 * spinlock.h - ticket spinlocks with interrupt-safe nesting.
 *
 * Holding any lock keeps interrupts off on the local hart, so code that an
 * interrupt handler may also run (page_alloc, malloc, printk) can take the
 * same lock without deadlocking its own hart.  See kernel/spinlock.c.
 */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <kernel/compiler.h>

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
};

#define SPINLOCK_INIT(lockname)                                                \
	{                                                                      \
		.word = 0, .hart = -1, .acquire_pc = 0, .name = (lockname)     \
	}

void spinlock_init(struct spinlock *lock, const char *name);
void acquire(struct spinlock *lock);
void release(struct spinlock *lock);
/* Take the lock only if it is free right now; returns true if taken. */
bool try_acquire(struct spinlock *lock);
/* True if this hart holds the lock (call with interrupts off). */
bool holding(const struct spinlock *lock);

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

#endif /* KERNEL_SPINLOCK_H */
