/*
 * leak_bench.c - what a leak scan costs (suite "leak_bench", manual):
 * the instructions of mm_leak_scan with N tracked blocks of 64 bytes, in
 * the two shapes that bound it:
 *
 *   chain   every block reached, through a chain from one global: each
 *           block is found, made gray and read (the normal case)
 *   loose   no block reached: none read, every one swept (as young, so
 *           that no report is printed)
 *
 * and one scan with a single block, whose cost is the roots'.  Run it on
 * one hart under qemu -icount shift=0, where minstret counts exactly
 * (docs/leaks.md has the command and the figures).  One line a scan:
 *
 *   # leak_bench: SHAPE|N|INSTRUCTIONS|BYTES_READ|TICKS
 *
 * TICKS is the timer interrupts during the scan, whose handlers'
 * instructions the count includes.
 */
#include <kernel/mm_leak.h>
#include <kernel/slab.h>
#include "../mm/leak_test.h"
#include "bench.h"

#define MAX_BLOCKS 10000

static struct kmem_cache *cache;
static void **chain; /* the head: the only root of the chain */

static void measure(const char *shape, unsigned int n, uint32_t grace_ms)
{
	struct mm_leak_stats st;
	unsigned long ticks = bench_ticks();
	uint64_t before = bench_now(), insns;

	mm_leak_scan(grace_ms, &st);
	insns = bench_now() - before;
	ktest_log(NULL, "leak_bench: %s|%u|%llu|%lu|%lu", shape, n,
		  (unsigned long long)insns, (unsigned long)st.scanned_bytes,
		  bench_ticks() - ticks);
}

/* n blocks, chained from the global "chain"; NULL if memory ran out. */
static bool make_chain(unsigned int n)
{
	void **b;
	unsigned int i;

	chain = NULL;
	for (i = 0; i < n; i++) {
		b = kmem_cache_alloc(cache);
		if (!b)
			return false;
		b[0] = chain;
		chain = b;
	}
	return true;
}

static void free_chain(void)
{
	void **next;

	while (chain) {
		next = chain[0];
		kmem_cache_free(cache, chain);
		chain = next;
	}
}

KTEST_FLAGS(leak_bench, scan, KTEST_MANUAL)
{
	static const unsigned int sizes[] = { 1, 100, 1000, MAX_BLOCKS };
	unsigned int i;

	/*
	 * Red zones keep object 0 off the start of its slab's first page,
	 * where stale words (a per-hart magazine's slots above its top,
	 * for one) may still point at a page it once cached.
	 */
	cache = kmem_cache_create("bench-leak", 64, 0,
				  SLAB_TRACK | SLAB_RED_ZONE, NULL);
	KASSERT_NOT_NULL(t, cache);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		KASSERT_TRUE(t, make_chain(sizes[i]));
		measure("chain", sizes[i], 0);
		free_chain();
	}
	for (i = 1; i < ARRAY_SIZE(sizes); i++) {
		KASSERT_TRUE(t, make_chain(sizes[i]));
		/* The chain let go, but kept as a value no word holds. */
		chain = (void **)~(uintptr_t)chain;
		leak_test_wipe(); /* make_chain's frame held the head too */
		measure("loose", sizes[i], UINT32_MAX);
		chain = (void **)~(uintptr_t)chain;
		free_chain();
	}
	KEXPECT_EQ(t, kmem_cache_destroy(cache), 0);
}
