/*
 * lock_bench.c - instructions per uncontended acquire+release pair.
 *
 * Run by make bench under qemu -icount shift=0 with one hart, where the
 * minstret counter is exact and repeatable.  It prints figures rather
 * than asserting them: performance is measured, not timed in tests.
 */
#include <kernel/ktest.h>
#include <kernel/spinlock.h>
#include <asm/csr.h>

#define PAIRS 1000

static DEFINE_SPINLOCK(bench_lock, "bench", LOCK_LEVEL_LEAF);

/* Instructions of an empty loop of PAIRS rounds, to subtract. */
static uint64_t empty_loop(void)
{
	uint64_t start = rdinstret64();
	int i;

	for (i = 0; i < PAIRS; i++)
		__asm__ volatile("" ::: "memory");
	return rdinstret64() - start;
}

static void report(struct ktest *t, const char *what, uint64_t total)
{
	uint64_t net = total - empty_loop();

	ktest_log(t, "bench: %-28s %4llu.%01llu instructions", what,
		  (unsigned long long)(net / PAIRS),
		  (unsigned long long)(net * 10 / PAIRS % 10));
}

KTEST_FLAGS(bench, spinlock_pair, KTEST_MANUAL)
{
	uint64_t start;
	int i;

	acquire(&bench_lock); /* warm up */
	release(&bench_lock);
	start = rdinstret64();
	for (i = 0; i < PAIRS; i++) {
		acquire(&bench_lock);
		release(&bench_lock);
	}
	report(t, "acquire+release", rdinstret64() - start);

	start = rdinstret64();
	for (i = 0; i < PAIRS; i++) {
		push_off();
		pop_off();
	}
	report(t, "push_off+pop_off", rdinstret64() - start);
}
