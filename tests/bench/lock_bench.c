/*
 * lock_bench.c - instructions of an uncontended acquire and release, and
 * of push_off and pop_off, each measured on its own.
 */
#include <kernel/spinlock.h>
#include "bench.h"

#define PAIRS 1000

static DEFINE_SPINLOCK(bench_lock, "bench", LOCK_LEVEL_LEAF);

KTEST_FLAGS(bench, spinlock_pair, KTEST_MANUAL)
{
	struct bench_row locks = BENCH_ROW("lock", "acquire+release", "pair");
	struct bench_row irqs = BENCH_ROW("lock", "push_off+pop_off", "pair");
	int i;

	(void)t;
	acquire(&bench_lock); /* warm up */
	release(&bench_lock);
	for (i = 0; i < PAIRS; i++) {
		BENCH_OP(&locks, BENCH_ALLOC, acquire(&bench_lock));
		BENCH_OP(&locks, BENCH_FREE, release(&bench_lock));
	}
	bench_print(&locks);

	for (i = 0; i < PAIRS; i++) {
		BENCH_OP(&irqs, BENCH_ALLOC, push_off());
		BENCH_OP(&irqs, BENCH_FREE, pop_off());
	}
	bench_print(&irqs);
}
