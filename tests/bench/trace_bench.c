/*
 * trace_bench.c - the seeded random trace (tests/bench/trace.h: 200,000
 * operations, at most 1,000 blocks of 8 to 2047 bytes live) on kmalloc
 * and, as the REFERENCE, on the first-fit malloc: instructions of every
 * operation, and the memory it took.
 *
 * The footprint is the pages taken from the page allocator, counted after
 * every operation from page_get_stats: total - free + the free pages in
 * per-hart caches.  Pages sitting in a hart's cache are free, but no other
 * hart can have them, so they count as taken.  What was taken before the
 * trace started (after kmem_cache_shrink_all) is subtracted.  The ratio
 * printed by tools/bench.py is peak bytes taken over peak bytes live,
 * each peak on its own: 1.0 would be a perfect allocator.
 *
 * Lines printed, besides the row of instructions:
 *
 *   # bench: trace|OPS|MAX_LIVE|MIN_SIZE|MAX_SIZE|SEED   (once)
 *   # bench: footprint|NAME|PEAK_LIVE_BYTES|PEAK_LIVE_BLOCKS|PEAK_PAGES|PAGE_SIZE
 *   # bench: sample|NAME|OPS_DONE|LIVE_BYTES|PAGES   (every SAMPLE_EVERY ops)
 */
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include "bench.h"
#include "firstfit_malloc.h"
#include "trace.h"

#define TRACE_OPS 200000u
#define TRACE_MAX_LIVE 1000u
#define SAMPLE_EVERY 2000

struct heap {
	const char *name; /* the row's name */
	void *(*alloc)(size_t size);
	void (*free)(void *p);
};

static void *slot[TRACE_MAX_LIVE];
static uint32_t slot_size[TRACE_MAX_LIVE];

/* Pages no one else can allocate right now, per-hart caches included. */
static size_t pages_taken(void)
{
	struct page_stats st;
	size_t cached = 0;
	unsigned int h;

	page_get_stats(&st);
	for (h = 0; h < MAX_HARTS; h++)
		cached += st.cached[h];
	return st.total - st.free + cached;
}

static void run_trace(struct ktest *t, const struct heap *heap)
{
	struct bench_row row = BENCH_ROW("trace", heap->name, "op");
	size_t base = pages_taken(), pages, peak_pages = 0;
	size_t live_bytes = 0, peak_bytes = 0, peak_blocks = 0;
	struct trace tr;
	struct trace_op op;
	unsigned int i;

	trace_start(&tr, TRACE_SEED, TRACE_MAX_LIVE);
	for (i = 0; i < TRACE_OPS; i++) {
		op = trace_next(&tr);
		if (op.size) {
			BENCH_OP(&row, BENCH_ALLOC,
				 slot[op.slot] = heap->alloc(op.size));
			if (!slot[op.slot]) {
				KEXPECT_NOT_NULL(t, slot[op.slot]);
				break;
			}
			slot_size[op.slot] = op.size;
			live_bytes += op.size;
		} else {
			BENCH_OP(&row, BENCH_FREE, heap->free(slot[op.slot]));
			live_bytes -= slot_size[op.slot];
			slot[op.slot] = slot[tr.live];
			slot_size[op.slot] = slot_size[tr.live];
		}
		pages = pages_taken() - base;
		peak_pages = MAX(peak_pages, pages);
		peak_bytes = MAX(peak_bytes, live_bytes);
		peak_blocks = MAX(peak_blocks, (size_t)tr.live);
		if ((i + 1) % SAMPLE_EVERY == 0)
			ktest_log(t, "bench: sample|%s|%u|%lu|%lu", heap->name,
				  i + 1, (unsigned long)live_bytes,
				  (unsigned long)pages);
	}
	bench_print(&row);
	ktest_log(t, "bench: footprint|%s|%lu|%lu|%lu|%lu", heap->name,
		  (unsigned long)peak_bytes, (unsigned long)peak_blocks,
		  (unsigned long)peak_pages, (unsigned long)PAGE_SIZE);
	while (tr.live > 0)
		heap->free(slot[--tr.live]);
}

/*
 * First fit never gives an arena back, so it must start empty here: this
 * case runs before any other that uses it (tests/bench/ link order).
 */
KTEST_FLAGS(bench, random_trace, KTEST_MANUAL)
{
	static const struct heap kmalloc_heap = { "kmalloc+kfree, random trace",
						  kmalloc, kfree };
	static const struct heap firstfit_heap = {
		"REFERENCE first-fit, random trace", firstfit_malloc,
		firstfit_free
	};

	ktest_log(t, "bench: trace|%u|%u|%u|%u|%lu", TRACE_OPS, TRACE_MAX_LIVE,
		  TRACE_MIN_SIZE, TRACE_MAX_SIZE, (unsigned long)TRACE_SEED);
	kmem_cache_shrink_all();
	run_trace(t, &kmalloc_heap);
	KASSERT_EQ(t, firstfit_arena_pages(), 0);
	run_trace(t, &firstfit_heap);
}
