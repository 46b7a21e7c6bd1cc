/*
 * worst_bench.c - the worst single operation in sequences that reach the
 * slow paths: new slabs, a fresh cache, per-hart caches refilled and
 * drained, buddy blocks split and merged.  The mean of such a row says
 * little; its worst operation is the figure.
 *
 *   kmalloc, 48 KiB of each size, then kfree:   after kmem_cache_shrink_all
 *       every size 8, 16, ... 2048 starts from its cache's empty state,
 *       so its first allocations make new slabs;
 *   a new cache of 8-byte objects:              its first allocation makes
 *       its first slab;
 *   page_alloc(1) x 4096, freed in random order: caches refilled and
 *       drained, blocks split on the way up and merged on the way down;
 *   page runs of 1 to 32 pages, 256 live:        every kind of split and
 *       merge, freed in random order.
 */
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include "bench.h"
#include "trace.h"

#define BYTES_PER_SIZE (48 * 1024)
#define MAX_OBJECTS (BYTES_PER_SIZE / 8)
#define SINGLE_PAGES 4096
#define RUNS_LIVE 256
#define RUN_STEPS 4096

static void *obj[MAX_OBJECTS];

/* Shuffle p[0..n) with the trace's generator (Fisher-Yates). */
static void shuffle(void **p, unsigned int n, struct trace *rng)
{
	unsigned int i, j;
	void *tmp;

	for (i = n; i > 1; i--) {
		j = trace_below(rng, i);
		tmp = p[i - 1];
		p[i - 1] = p[j];
		p[j] = tmp;
	}
}

KTEST_FLAGS(bench, worst_kmalloc, KTEST_MANUAL)
{
	struct bench_row row = BENCH_ROW(
		"worst", "kmalloc 8..2048 B, 48 KiB each, then kfree", "pair");
	size_t size;
	unsigned int i, n;

	kmem_cache_shrink_all();
	for (size = 8; size <= KMALLOC_MAX_CACHED; size *= 2) {
		n = BYTES_PER_SIZE / size;
		for (i = 0; i < n; i++) {
			BENCH_OP(&row, BENCH_ALLOC, obj[i] = kmalloc(size));
			KASSERT_NOT_NULL(t, obj[i]);
		}
		for (i = 0; i < n; i++)
			BENCH_OP(&row, BENCH_FREE, kfree(obj[i]));
	}
	bench_print(&row);
}

KTEST_FLAGS(bench, worst_new_cache, KTEST_MANUAL)
{
	struct bench_row row = BENCH_ROW(
		"worst", "new 8 B kmem_cache, 48 KiB, then free", "pair");
	struct kmem_cache *cache = kmem_cache_create("bench-8", 8, 0, 0, NULL);
	unsigned int i;

	KASSERT_NOT_NULL(t, cache);
	for (i = 0; i < MAX_OBJECTS; i++) {
		BENCH_OP(&row, BENCH_ALLOC, obj[i] = kmem_cache_alloc(cache));
		KASSERT_NOT_NULL(t, obj[i]);
	}
	for (i = 0; i < MAX_OBJECTS; i++)
		BENCH_OP(&row, BENCH_FREE, kmem_cache_free(cache, obj[i]));
	bench_print(&row);
	KEXPECT_EQ(t, kmem_cache_destroy(cache), 0);
}

KTEST_FLAGS(bench, worst_page, KTEST_MANUAL)
{
	struct bench_row singles = BENCH_ROW(
		"worst", "page_alloc(1) x4096, page_free in random order",
		"pair");
	struct bench_row runs = BENCH_ROW(
		"worst", "page_alloc(1..32), 256 live, random frees", "pair");
	struct trace rng;
	unsigned int i, k;

	trace_start(&rng, TRACE_SEED, 1);
	for (i = 0; i < SINGLE_PAGES; i++) {
		BENCH_OP(&singles, BENCH_ALLOC, obj[i] = page_alloc(1));
		KASSERT_NOT_NULL(t, obj[i]);
	}
	shuffle(obj, SINGLE_PAGES, &rng);
	for (i = 0; i < SINGLE_PAGES; i++)
		BENCH_OP(&singles, BENCH_FREE, page_free(obj[i]));
	bench_print(&singles);

	/* Runs: replace a random live run with a new one, RUN_STEPS times. */
	for (i = 0; i < RUNS_LIVE; i++)
		BENCH_OP(&runs, BENCH_ALLOC,
			 obj[i] = page_alloc(1 + trace_below(&rng, 32)));
	for (i = 0; i < RUN_STEPS; i++) {
		size_t npages = 1 + trace_below(&rng, 32);

		k = trace_below(&rng, RUNS_LIVE);
		BENCH_OP(&runs, BENCH_FREE, page_free(obj[k]));
		BENCH_OP(&runs, BENCH_ALLOC, obj[k] = page_alloc(npages));
		KASSERT_NOT_NULL(t, obj[k]);
	}
	shuffle(obj, RUNS_LIVE, &rng);
	for (i = 0; i < RUNS_LIVE; i++)
		BENCH_OP(&runs, BENCH_FREE, page_free(obj[i]));
	bench_print(&runs);
}
