/*
 * lock_bench.c - instructions per uncontended acquire+release pair, and
 * the bench_report helper shared by all benchmarks.
 */
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include "bench.h"

#define PAIRS 1000

static DEFINE_SPINLOCK(bench_lock, "bench", LOCK_LEVEL_LEAF);

/* Instructions of an empty loop of ops rounds, to subtract. */
static uint64_t empty_loop(unsigned int ops)
{
	uint64_t start = rdinstret64();
	unsigned int i;

	for (i = 0; i < ops; i++)
		__asm__ volatile("" ::: "memory");
	return rdinstret64() - start;
}

void bench_report(struct ktest *t, const char *what, uint64_t start,
		  unsigned int ops)
{
	uint64_t total = rdinstret64() - start;
	uint64_t net = total - MIN(total, empty_loop(ops));

	ktest_log(t, "bench: %-44s %8llu.%01llu", what,
		  (unsigned long long)(net / ops),
		  (unsigned long long)(net * 10 / ops % 10));
}

KTEST_FLAGS(bench, spinlock_pair, KTEST_MANUAL)
{
	uint64_t start;
	int i;

	acquire(&bench_lock); /* warm up */
	release(&bench_lock);
	start = bench_start();
	for (i = 0; i < PAIRS; i++) {
		acquire(&bench_lock);
		release(&bench_lock);
	}
	bench_report(t, "acquire+release", start, PAIRS);

	start = bench_start();
	for (i = 0; i < PAIRS; i++) {
		push_off();
		pop_off();
	}
	bench_report(t, "push_off+pop_off", start, PAIRS);
}
