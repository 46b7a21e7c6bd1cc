/*
 * bench.h - counting the instructions of single operations, for the
 * benchmarks in tests/bench/.
 *
 * make bench runs these manual cases (suite "bench") under
 * qemu -icount shift=0 with one hart, where minstret counts exactly and
 * the same binary gives the same figures every time.  Results are
 * printed, never asserted: tools/bench.py reads them.
 *
 * Every operation is measured on its own, so a row has its worst single
 * operation beside its mean:
 *
 *	struct bench_row row = BENCH_ROW("kmalloc(64)+kfree", "pair");
 *
 *	BENCH_OP(&row, BENCH_ALLOC, p = kmalloc(64));
 *	BENCH_OP(&row, BENCH_FREE, kfree(p));
 *	...
 *	bench_print(&row);
 *
 * BENCH_OP reads minstret before and after the operation and subtracts
 * what the two reads cost on their own (bench_overhead(), measured once
 * per boot the same way).  An operation during which the timer ticked is
 * not counted but tallied as "dropped": its count would be the interrupt
 * handler's, not the allocator's.
 *
 * One line per row goes to the console, fields separated by '|':
 *
 *   # bench: row|SECTION|NAME|UNIT|N0|TOTAL0|WORST0|N1|TOTAL1|WORST1|DROPPED
 *
 * kind 0 is the taking operation (alloc, acquire), kind 1 the giving one
 * (free, release).  UNIT says how tools/bench.py divides: "pair" (the
 * mean of kind 0 plus the mean of kind 1) or "op" (all instructions over
 * all operations).  Other lines ("# bench: NAME|...") carry figures of
 * their own; tools/bench.py knows each.
 */
#ifndef TESTS_BENCH_BENCH_H
#define TESTS_BENCH_BENCH_H

#include <kernel/ktest.h>
#include <asm/csr.h>

enum bench_kind {
	BENCH_ALLOC, /* alloc, acquire, push_off: the first of a pair */
	BENCH_FREE,  /* free, release, pop_off: the second */
	BENCH_KINDS
};

struct bench_row {
	const char *section; /* groups rows in the table */
	const char *name;    /* unique: the row's key in results.json */
	const char *unit;    /* "pair" or "op" */
	uint64_t count[BENCH_KINDS];
	uint64_t total[BENCH_KINDS]; /* instructions, overhead removed */
	uint64_t worst[BENCH_KINDS];
	unsigned long dropped; /* operations a timer tick ran into */
};

#define BENCH_ROW(sec, what, how)                                              \
	{                                                                      \
		.section = (sec), .name = (what), .unit = (how)                \
	}

/* The compiler must not move the operation across a read of the counter. */
#define bench_barrier() __asm__ volatile("" ::: "memory")

static inline uint64_t bench_now(void)
{
	uint64_t n;

	bench_barrier();
	n = rdinstret64();
	bench_barrier();
	return n;
}

/* Timer interrupts taken on this hart so far (benchmarks run on one). */
unsigned long bench_ticks(void);

/* Instructions that an empty BENCH_OP counts: subtracted from each. */
uint64_t bench_overhead(void);

/* Count one operation that took insns instructions, reads included. */
void bench_add(struct bench_row *row, enum bench_kind kind, uint64_t insns,
	       unsigned long ticks_before);

#define BENCH_OP(row, kind, op)                                                \
	do {                                                                   \
		unsigned long ticks_ = bench_ticks();                          \
		uint64_t start_ = bench_now();                                 \
		op;                                                            \
		bench_add((row), (kind), bench_now() - start_, ticks_);        \
	} while (0)

/* Print the row's line (format above). */
void bench_print(const struct bench_row *row);

#endif /* TESTS_BENCH_BENCH_H */
