/*
 * page_bench.c - instructions per page_alloc+page_free pair: the per-hart
 * cache hit, the locked buddy path at its worst (ten splits and ten
 * merges), and runs of several sizes.  make bench runs it at 32, 128 and
 * 512 MiB: the figures should not move with the memory size.
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
	char what[64];
	uint64_t start;
	unsigned int i, k;

	page_free(page_alloc(1)); /* warm the cache */
	start = bench_start();
	for (i = 0; i < PAIRS; i++)
		page_free(page_alloc(1));
	bench_report(t, "page_alloc(1)+page_free, cache hit", start, PAIRS);

	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		snprintf(what, sizeof(what), "page_alloc(%lu)+page_free",
			 (unsigned long)sizes[k]);
		start = bench_start();
		for (i = 0; i < PAIRS / 10; i++)
			page_free(page_alloc(sizes[k]));
		bench_report(t, what, start, PAIRS / 10);
	}
}

/*
 * The global path's worst case: a private pool without caches in which
 * the only free block has the top order, so page_alloc(1) splits it ten
 * times and page_free merges ten times.
 */
KTEST_FLAGS(bench, page_global_worst_case, KTEST_MANUAL)
{
	size_t top = (size_t)1 << (PAGE_ORDERS - 1);
	uint8_t *mem = page_alloc(2 * top);
	struct mem_region r;
	uint64_t start;
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
	start = bench_start();
	for (i = 0; i < PAIRS; i++)
		page_pool_free(&bench_pool, page_pool_alloc(&bench_pool, 1));
	bench_report(t, "global path, 10 splits + 10 merges", start, PAIRS);
	page_free(mem);
}
