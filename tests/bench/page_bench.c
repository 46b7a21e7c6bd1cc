/*
 * page_bench.c - instructions of page_alloc and page_free, each measured
 * on its own: the per-hart cache hit, runs of several sizes, and the
 * locked buddy path at its worst (ten splits and ten merges).  make bench
 * runs it at 32, 128 and 512 MiB: the figures should not move with the
 * memory size.
 */
#include <kernel/page.h>
#include "../../mm/internal.h"
#include <kernel/printk.h>
#include "bench.h"

#define PAIRS 1000

static struct page_pool bench_pool;

KTEST_FLAGS(bench, page_pairs, KTEST_MANUAL)
{
	static const size_t sizes[] = { 2, 3, 16, 100, 1000 };
	struct bench_row hit =
		BENCH_ROW("page", "page_alloc(1)+page_free, cache hit", "pair");
	char what[ARRAY_SIZE(sizes)][40];
	void *p;
	unsigned int i, k;

	page_free(page_alloc(1)); /* warm the cache */
	for (i = 0; i < PAIRS; i++) {
		BENCH_OP(&hit, BENCH_ALLOC, p = page_alloc(1));
		BENCH_OP(&hit, BENCH_FREE, page_free(p));
	}
	bench_print(&hit);

	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		struct bench_row run = BENCH_ROW("page", what[k], "pair");

		snprintf(what[k], sizeof(what[k]), "page_alloc(%lu)+page_free",
			 (unsigned long)sizes[k]);
		for (i = 0; i < PAIRS / 10; i++) {
			BENCH_OP(&run, BENCH_ALLOC, p = page_alloc(sizes[k]));
			BENCH_OP(&run, BENCH_FREE, page_free(p));
		}
		KEXPECT_NOT_NULL(t, p);
		bench_print(&run);
	}
}

/*
 * The global path's worst case: a private pool without caches in which
 * the only free block has the top order, so page_alloc(1) splits it ten
 * times and page_free merges ten times.
 */
KTEST_FLAGS(bench, page_global_worst_case, KTEST_MANUAL)
{
	struct bench_row row =
		BENCH_ROW("page", "global path, 10 splits + 10 merges", "pair");
	size_t top = (size_t)1 << (PAGE_ORDERS - 1);
	uint8_t *mem = page_alloc(2 * top);
	struct mem_region r;
	void *p;
	unsigned int i, o;

	KASSERT_NOT_NULL(t, mem);
	r = (struct mem_region){ (uintptr_t)mem,
				 (uintptr_t)mem + 2 * top * PAGE_SIZE };
	/* No magazines: every page goes through the buddy lists. */
	KASSERT_TRUE(t, page_pool_init(&bench_pool, &r, 1, 0, 0));
	/* Take every block below the top order. */
	for (o = 0; o < PAGE_ORDERS - 1; o++)
		while (!list_empty(&bench_pool.free_list[o]))
			page_pool_alloc(&bench_pool, (size_t)1 << o);
	KASSERT_EQ(t, bench_pool.nr_free, top);
	for (i = 0; i < PAIRS; i++) {
		BENCH_OP(&row, BENCH_ALLOC,
			 p = page_pool_alloc(&bench_pool, 1));
		BENCH_OP(&row, BENCH_FREE, page_pool_free(&bench_pool, p));
	}
	bench_print(&row);
	page_free(mem);
}
