/*
 * bench.c - the measuring side of tests/bench/bench.h: the cost of the
 * measurement itself, counting one operation, printing a row.
 */
#include <kernel/hart.h>
#include "bench.h"

#define NO_OVERHEAD_YET UINT64_MAX

static uint64_t overhead = NO_OVERHEAD_YET;

unsigned long bench_ticks(void)
{
	return (unsigned long)READ_ONCE(my_hart()->ticks);
}

/*
 * An empty BENCH_OP counts the instructions between the two reads of
 * minstret: the second read's own and the subtraction's set-up.  Under
 * -icount the count is the same every time (a tick's sample is dropped);
 * if it were not, the output would say so.
 */
uint64_t bench_overhead(void)
{
	struct bench_row empty = BENCH_ROW("", "", "op");
	unsigned int i;

	if (overhead != NO_OVERHEAD_YET)
		return overhead;
	overhead = 0; /* while the empty ones are counted */
	for (i = 0; i < 8; i++)
		BENCH_OP(&empty, BENCH_ALLOC, (void)0);
	overhead = empty.total[BENCH_ALLOC] / empty.count[BENCH_ALLOC];
	if (empty.worst[BENCH_ALLOC] != overhead)
		ktest_log(
			NULL,
			"bench: the empty measurement varies: mean %llu, worst %llu",
			(unsigned long long)overhead,
			(unsigned long long)empty.worst[BENCH_ALLOC]);
	ktest_log(NULL, "bench: overhead|%llu", (unsigned long long)overhead);
	return overhead;
}

void bench_add(struct bench_row *row, enum bench_kind kind, uint64_t insns,
	       unsigned long ticks_before)
{
	uint64_t ovh =
		overhead == NO_OVERHEAD_YET ? bench_overhead() : overhead;
	uint64_t net = insns - MIN(insns, ovh);

	if (bench_ticks() != ticks_before) {
		row->dropped++;
		return;
	}
	row->count[kind]++;
	row->total[kind] += net;
	if (net > row->worst[kind])
		row->worst[kind] = net;
}

void bench_print(const struct bench_row *row)
{
	ktest_log(NULL, "bench: row|%s|%s|%s|%llu|%llu|%llu|%llu|%llu|%llu|%lu",
		  row->section, row->name, row->unit,
		  (unsigned long long)row->count[BENCH_ALLOC],
		  (unsigned long long)row->total[BENCH_ALLOC],
		  (unsigned long long)row->worst[BENCH_ALLOC],
		  (unsigned long long)row->count[BENCH_FREE],
		  (unsigned long long)row->total[BENCH_FREE],
		  (unsigned long long)row->worst[BENCH_FREE], row->dropped);
}
