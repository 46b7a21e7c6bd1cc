/*
 * slab_bench.c - instructions of kmalloc, kfree, kmem_cache_alloc and
 * kmem_cache_free, each measured on its own: on a per-hart cache hit and,
 * with 1,000 objects live, through the slow paths; and the same with the
 * old first-fit malloc (tests/bench/firstfit_malloc.c) holding 1,000 live
 * blocks.
 */
#include <kernel/printk.h>
#include <kernel/slab.h>
#include "bench.h"
#include "firstfit_malloc.h"

#define PAIRS 1000
#define LIVE 1000

static const size_t sizes[] = { 8, 64, 256, 1024, 2048 };
static char names[ARRAY_SIZE(sizes)][48];
static void *live[LIVE];

KTEST_FLAGS(bench, kmalloc_pairs, KTEST_MANUAL)
{
	struct bench_row cache_hit =
		BENCH_ROW("slab", "kmem_cache_alloc+free (64 B), hit", "pair");
	struct bench_row cache_live = BENCH_ROW(
		"slab", "kmem_cache_alloc+free (64 B), 1000 live", "pair");
	struct bench_row kmalloc_live =
		BENCH_ROW("slab", "kmalloc(64)+kfree, 1000 live", "pair");
	struct kmem_cache *cache;
	void *p;
	unsigned int i, k;

	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		struct bench_row hit = BENCH_ROW("slab", names[k], "pair");

		snprintf(names[k], sizeof(names[k]),
			 "kmalloc(%lu)+kfree, cache hit",
			 (unsigned long)sizes[k]);
		kfree(kmalloc(sizes[k])); /* warm this hart's cache */
		for (i = 0; i < PAIRS; i++) {
			BENCH_OP(&hit, BENCH_ALLOC, p = kmalloc(sizes[k]));
			BENCH_OP(&hit, BENCH_FREE, kfree(p));
		}
		KEXPECT_NOT_NULL(t, p);
		bench_print(&hit);
	}

	cache = kmem_cache_create("bench", 64, 0, 0, NULL);
	KASSERT_NOT_NULL(t, cache);
	kmem_cache_free(cache, kmem_cache_alloc(cache));
	for (i = 0; i < PAIRS; i++) {
		BENCH_OP(&cache_hit, BENCH_ALLOC, p = kmem_cache_alloc(cache));
		BENCH_OP(&cache_hit, BENCH_FREE, kmem_cache_free(cache, p));
	}
	bench_print(&cache_hit);

	/*
	 * The slow paths: LIVE objects at once, so that the per-hart cache
	 * is refilled from the slabs (and new slabs made) on the way up and
	 * given back on the way down.
	 */
	for (i = 0; i < LIVE; i++)
		BENCH_OP(&cache_live, BENCH_ALLOC,
			 live[i] = kmem_cache_alloc(cache));
	for (i = 0; i < LIVE; i++)
		BENCH_OP(&cache_live, BENCH_FREE,
			 kmem_cache_free(cache, live[i]));
	bench_print(&cache_live);
	kmem_cache_shrink(cache); /* the slabs go back: next time, new ones */
	for (i = 0; i < LIVE; i++)
		BENCH_OP(&kmalloc_live, BENCH_ALLOC, live[i] = kmalloc(64));
	for (i = 0; i < LIVE; i++)
		BENCH_OP(&kmalloc_live, BENCH_FREE, kfree(live[i]));
	bench_print(&kmalloc_live);
	KEXPECT_EQ(t, kmem_cache_destroy(cache), 0);
}

/* The reference: first fit with 1,000 blocks of mixed sizes live. */
KTEST_FLAGS(bench, firstfit_reference, KTEST_MANUAL)
{
	void *p;
	unsigned int i, k;

	for (i = 0; i < LIVE; i++)
		live[i] = firstfit_malloc(16 + (i * 37) % 300);
	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		struct bench_row ref = BENCH_ROW("reference", names[k], "pair");

		snprintf(names[k], sizeof(names[k]),
			 "REFERENCE first-fit malloc(%lu)+free",
			 (unsigned long)sizes[k]);
		for (i = 0; i < PAIRS / 10; i++) {
			BENCH_OP(&ref, BENCH_ALLOC,
				 p = firstfit_malloc(sizes[k]));
			BENCH_OP(&ref, BENCH_FREE, firstfit_free(p));
		}
		KEXPECT_NOT_NULL(t, p);
		bench_print(&ref);
	}
	for (i = 0; i < LIVE; i++)
		firstfit_free(live[i]);
}
