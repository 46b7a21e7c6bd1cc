/*
 * slab_bench.c - instructions per kmalloc+kfree and kmem_cache_alloc+free
 * pair on a per-hart cache hit and, with 1,000 objects live, through the
 * slow paths; and the same with the old first-fit malloc
 * (tests/bench/firstfit_malloc.c) holding 1,000 live blocks.
 */
#include <kernel/printk.h>
#include <kernel/slab.h>
#include "bench.h"

#define PAIRS 1000
#define LIVE 1000

void *firstfit_malloc(size_t size);
void firstfit_free(void *ptr);

KTEST_FLAGS(bench, kmalloc_pairs, KTEST_MANUAL)
{
	static const size_t sizes[] = { 8, 64, 256, 1024, 2048 };
	static void *live[LIVE];
	struct kmem_cache *cache;
	char what[64];
	uint64_t start;
	unsigned int i, k;

	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		kfree(kmalloc(sizes[k])); /* warm this hart's magazine */
		snprintf(what, sizeof(what), "kmalloc(%lu)+kfree, cache hit",
			 (unsigned long)sizes[k]);
		start = bench_start();
		for (i = 0; i < PAIRS; i++)
			kfree(kmalloc(sizes[k]));
		bench_report(t, what, start, PAIRS);
	}

	cache = kmem_cache_create("bench", 64, 0, 0, NULL);
	KASSERT_NOT_NULL(t, cache);
	kmem_cache_free(cache, kmem_cache_alloc(cache));
	start = bench_start();
	for (i = 0; i < PAIRS; i++)
		kmem_cache_free(cache, kmem_cache_alloc(cache));
	bench_report(t, "kmem_cache_alloc+free (64 B), hit", start, PAIRS);

	/*
	 * The slow paths: LIVE objects at once, so that the magazine is
	 * refilled from the slabs (and new slabs made) on the way up and
	 * flushed back on the way down, MAG_BATCH objects a time.
	 */
	start = bench_start();
	for (i = 0; i < LIVE; i++)
		live[i] = kmem_cache_alloc(cache);
	for (i = 0; i < LIVE; i++)
		kmem_cache_free(cache, live[i]);
	bench_report(t, "kmem_cache_alloc+free (64 B), 1000 live", start, LIVE);
	kmem_cache_shrink(cache); /* the slabs go back: next time, new ones */
	start = bench_start();
	for (i = 0; i < LIVE; i++)
		live[i] = kmalloc(64);
	for (i = 0; i < LIVE; i++)
		kfree(live[i]);
	bench_report(t, "kmalloc(64)+kfree, 1000 live", start, LIVE);
	kmem_cache_destroy(cache);

	/* The reference: first fit with 1,000 blocks of mixed sizes live. */
	for (i = 0; i < LIVE; i++)
		live[i] = firstfit_malloc(16 + (i * 37) % 300);
	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		snprintf(what, sizeof(what),
			 "REFERENCE first-fit malloc(%lu)+free",
			 (unsigned long)sizes[k]);
		start = bench_start();
		for (i = 0; i < PAIRS / 10; i++)
			firstfit_free(firstfit_malloc(sizes[k]));
		bench_report(t, what, start, PAIRS / 10);
	}
	for (i = 0; i < LIVE; i++)
		firstfit_free(live[i]);
}
