/*
 * spinlock.c - FIFO ticket spinlocks, and the per-hart interrupt nesting.
 *
 * A ticket lock is a bakery queue: each acquirer takes the next ticket
 * with one atomic add and waits until the "now serving" counter shows its
 * number; release advances the counter.  Harts are served strictly in the
 * order they arrived, so none can starve.
 *
 *   word:  | next (16 bits) | owner (16 bits) |
 *            ^ amoadd 1<<16    ^ release stores owner + 1
 *
 * Interrupts stay off while a hart holds any lock (push_off/pop_off,
 * nesting counted per hart): otherwise an interrupt handler that takes the
 * same lock would spin forever on its own hart.
 *
 * This file talks to the machine only through include/kernel/machine.h,
 * so it builds unchanged for the host runner, where pthreads play harts.
 */
#include <kernel/spinlock.h>
#include <kernel/machine.h>

struct irq_nesting {
	int depth;	     /* push_off calls not yet undone */
	unsigned long saved; /* irq state before the outermost push_off */
} __aligned(CACHELINE_SIZE);

static struct irq_nesting irq_nesting[MAX_HARTS];

void push_off(void)
{
	unsigned long flags = irq_save();
	struct irq_nesting *n = &irq_nesting[this_hart()];

	if (n->depth++ == 0)
		n->saved = flags;
}

void pop_off(void)
{
	struct irq_nesting *n = &irq_nesting[this_hart()];

	if (irqs_enabled())
		panic("pop_off: interrupts enabled on hart %u", this_hart());
	if (n->depth < 1)
		panic("pop_off: unbalanced on hart %u", this_hart());
	if (--n->depth == 0)
		irq_restore(n->saved);
}

unsigned long irq_nesting_saved(void)
{
	return irq_nesting[this_hart()].saved;
}

void irq_nesting_set_saved(unsigned long saved)
{
	irq_nesting[this_hart()].saved = saved;
}

int irq_nesting_depth(void)
{
	return irq_nesting[this_hart()].depth;
}

void spinlock_init(struct spinlock *lock, const char *name)
{
	lock->word = 0;
	lock->hart = -1;
	lock->acquire_pc = 0;
	lock->name = name;
}

bool holding(const struct spinlock *lock)
{
	return __atomic_load_n(&lock->hart, __ATOMIC_RELAXED) ==
	       (int)this_hart();
}

static void mark_held(struct spinlock *lock, uintptr_t pc)
{
	__atomic_store_n(&lock->hart, (int)this_hart(), __ATOMIC_RELAXED);
	lock->acquire_pc = pc;
}

static __noinline void acquire_slow(struct spinlock *lock, uint16_t ticket)
{
	/* Acquire ordering: nothing in the critical section moves above. */
	while (__atomic_load_n(&lock->tickets.owner, __ATOMIC_ACQUIRE) !=
	       ticket)
		cpu_relax();
}

void acquire(struct spinlock *lock)
{
	uint32_t old;

	push_off();
	if (holding(lock))
		panic("acquire: %s already held by hart %u (taken at %p)",
		      lock->name, this_hart(), (void *)lock->acquire_pc);

	/* amoadd.w.aq: take a ticket and read "now serving" in one step. */
	old = __atomic_fetch_add(&lock->word, 1u << 16, __ATOMIC_ACQUIRE);
	if ((uint16_t)(old >> 16) != (uint16_t)old)
		acquire_slow(lock, (uint16_t)(old >> 16));
	mark_held(lock, CALLER_ADDR);
}

bool try_acquire(struct spinlock *lock)
{
	uint32_t old;

	push_off();
	old = __atomic_load_n(&lock->word, __ATOMIC_RELAXED);
	/* Free means next == owner; then take ticket "next" by CAS. */
	if ((uint16_t)(old >> 16) == (uint16_t)old &&
	    __atomic_compare_exchange_n(&lock->word, &old, old + (1u << 16),
					false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED)) {
		mark_held(lock, CALLER_ADDR);
		return true;
	}
	pop_off();
	return false;
}

void release(struct spinlock *lock)
{
	uint16_t owner;

	if (!holding(lock))
		panic("release: %s not held by hart %u (holder %d)", lock->name,
		      this_hart(),
		      __atomic_load_n(&lock->hart, __ATOMIC_RELAXED));
	__atomic_store_n(&lock->hart, -1, __ATOMIC_RELAXED);
	/*
	 * fence rw,w; sh: the critical section's accesses complete before
	 * the next ticket holder can see the new owner.  Only the holder
	 * writes "owner", so reading it needs no ordering.
	 */
	owner = __atomic_load_n(&lock->tickets.owner, __ATOMIC_RELAXED);
	__atomic_store_n(&lock->tickets.owner, (uint16_t)(owner + 1),
			 __ATOMIC_RELEASE);
	pop_off();
}
