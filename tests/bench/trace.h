/*
 * trace.h - the seeded random allocation trace that make bench (in QEMU,
 * tests/bench/trace_bench.c) and make bench-host (tests/host/
 * malloc_bench.c) replay on every allocator: the same operations, in the
 * same order, on every machine.
 *
 * Each step either allocates one block or frees one live block:
 *
 *   alloc  with probability 1 - live / (2 * max_live), a block of a
 *          log-uniform size in [8, 2048) bytes (each octave, 8-16, 16-32,
 *          ... 1024-2048, is as likely as any other);
 *   free   otherwise, of a live block chosen uniformly at random;
 *          always when max_live blocks are live.
 *
 * So the heap fills toward max_live, then churns near it, with frees
 * scattered over all of it: the pattern that fragments a heap.
 *
 * The generator is xorshift32 (Marsaglia, "Xorshift RNGs", 2003) from a
 * fixed seed, one 32-bit draw per decision.  Everything is integer
 * arithmetic, so the kernel and the host get the same trace.
 *
 * The caller keeps the live blocks in an array of max_live slots:
 *
 *	struct trace tr;
 *	struct trace_op op;
 *
 *	trace_start(&tr, TRACE_SEED, max_live);
 *	for (i = 0; i < ops; i++) {
 *		op = trace_next(&tr);
 *		if (op.size) {
 *			slot[op.slot] = alloc(op.size);
 *		} else {
 *			free(slot[op.slot]);
 *			slot[op.slot] = slot[tr.live];  (the last moves in)
 *		}
 *	}
 */
#ifndef TESTS_BENCH_TRACE_H
#define TESTS_BENCH_TRACE_H

#include <stdint.h>

#define TRACE_SEED 2463534242u /* Marsaglia's example seed */
#define TRACE_MIN_SIZE 8u
#define TRACE_MAX_SIZE 2048u /* exclusive */

struct trace {
	uint32_t state;
	uint32_t live;	   /* blocks allocated and not yet freed */
	uint32_t max_live; /* at most this many */
};

struct trace_op {
	uint32_t size; /* bytes to allocate, or 0 for a free */
	uint32_t slot; /* where the block goes, or which one to free */
};

static inline uint32_t trace_draw(struct trace *tr)
{
	uint32_t x = tr->state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	tr->state = x;
	return x;
}

/* A draw mapped onto [0, n): the high half of a 32x32-bit product. */
static inline uint32_t trace_below(struct trace *tr, uint32_t n)
{
	return (uint32_t)(((uint64_t)trace_draw(tr) * n) >> 32);
}

/*
 * 2^(f / 65536) in Q16 (65536 means 1.0), for 0 <= f < 65536: the cubic
 * 1 + a f + b f^2 + c f^3 with a + b + c = 1 fitted to 2^f, within
 * 0.011% of it.
 */
static inline uint32_t trace_exp2_q16(uint32_t f)
{
	uint64_t p = 5127; /* c = 0.07823 */

	p = 14829 + ((p * f) >> 16); /* b = 0.22627 */
	p = 45580 + ((p * f) >> 16); /* a = 0.69550 */
	return 65536 + (uint32_t)((p * f) >> 16);
}

/* 8 * 256^u for u uniform in [0, 1): 3 bits of octave, 16 of fraction. */
static inline uint32_t trace_size(struct trace *tr)
{
	uint32_t r = trace_draw(tr);
	uint32_t octave = r >> 29, frac = (r >> 13) & 0xffff;

	return ((TRACE_MIN_SIZE << octave) * trace_exp2_q16(frac)) >> 16;
}

static inline void trace_start(struct trace *tr, uint32_t seed,
			       uint32_t max_live)
{
	tr->state = seed ? seed : TRACE_SEED; /* xorshift never leaves 0 */
	tr->live = 0;
	tr->max_live = max_live;
}

static inline struct trace_op trace_next(struct trace *tr)
{
	struct trace_op op;

	if (tr->live < tr->max_live &&
	    trace_below(tr, 2 * tr->max_live) >= tr->live) {
		op.size = trace_size(tr);
		op.slot = tr->live++;
	} else {
		op.size = 0;
		op.slot = trace_below(tr, tr->live);
		tr->live--;
	}
	return op;
}

#endif /* TESTS_BENCH_TRACE_H */
