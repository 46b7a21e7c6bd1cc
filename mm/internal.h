/*
 * internal.h - private to mm/: how the allocators take their locks.
 *
 * mm_lock/mm_unlock are acquire/release.  Only the torture test's own
 * build defines CONFIG_MM_NOLOCK, which compiles the allocator locks out
 * (interrupts are still masked, so only races between harts remain): that
 * build must find the corruption the locks prevent, proving that the
 * torture test can fail (tests/mm/torture_test.c).
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include <kernel/spinlock.h>

#ifdef CONFIG_MM_NOLOCK
static inline void mm_lock(struct spinlock *lock)
{
	(void)lock;
	push_off();
}

static inline void mm_unlock(struct spinlock *lock)
{
	(void)lock;
	pop_off();
}
#else
#define mm_lock(lock) acquire(lock)
#define mm_unlock(lock) release(lock)
#endif

#endif /* MM_INTERNAL_H */
