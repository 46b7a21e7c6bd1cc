/*
 * bench.h - counting instructions for the benchmarks in tests/bench/.
 *
 * make bench runs these manual cases under qemu -icount shift=0 with one
 * hart, where minstret counts exactly and the same binary gives the same
 * figures every time.  Results are printed, never asserted.
 */
#ifndef TESTS_BENCH_BENCH_H
#define TESTS_BENCH_BENCH_H

#include <kernel/ktest.h>
#include <asm/csr.h>

static inline uint64_t bench_start(void)
{
	return rdinstret64();
}

/* Print instructions per operation, less the loop's own instructions. */
void bench_report(struct ktest *t, const char *what, uint64_t start,
		  unsigned int ops);

#endif /* TESTS_BENCH_BENCH_H */
