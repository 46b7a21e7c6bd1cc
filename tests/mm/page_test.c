/*
 * page_test.c - basic behaviour of the page allocator, through its public
 * interface, on the kernel's memory (QEMU) or a host buffer.
 */
#include <kernel/ktest.h>
#include <kernel/mm_report.h>
#include <kernel/page.h>
#include <kernel/string.h>
#include <kernel/bitmap.h>
#include <kernel/slab.h>

KTEST(page, alloc_one_gives_an_aligned_usable_page)
{
	size_t before = page_free_count();
	uint8_t *p = page_alloc(1);

	KASSERT_NOT_NULL(t, p);
	KEXPECT_TRUE(t, IS_ALIGNED((uintptr_t)p, PAGE_SIZE));
	KEXPECT_EQ(t, page_free_count(), before - 1);
	memset(p, 0xa5, PAGE_SIZE);
	KEXPECT_EQ(t, p[PAGE_SIZE - 1], 0xa5);
	page_free(p);
	KEXPECT_EQ(t, page_free_count(), before);
}

KTEST(page, runs_do_not_overlap)
{
	uint8_t *a = page_alloc(3), *b = page_alloc(1), *c = page_alloc(2);

	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	KASSERT_NOT_NULL(t, c);
	KEXPECT_TRUE(t, b >= a + 3 * PAGE_SIZE || b + PAGE_SIZE <= a);
	KEXPECT_TRUE(t, c >= a + 3 * PAGE_SIZE || c + 2 * PAGE_SIZE <= a);
	KEXPECT_TRUE(t, c >= b + PAGE_SIZE || c + 2 * PAGE_SIZE <= b);
	page_free(b);
	page_free(a);
	page_free(c);
}

KTEST(page, free_gives_back_the_whole_run)
{
	size_t before = page_free_count();
	void *p = page_alloc(5);

	KASSERT_NOT_NULL(t, p);
	KEXPECT_EQ(t, page_free_count(), before - 5);
	page_free(p);
	KEXPECT_EQ(t, page_free_count(), before);
}

KTEST(page, alloc_zero_and_too_large_return_null)
{
	size_t before = page_free_count();

	KEXPECT_NULL(t, page_alloc(0));
	KEXPECT_NULL(t, page_alloc(page_total_count() + 1));
	KEXPECT_EQ(t, page_free_count(), before);
}

KTEST(page, double_free_is_refused)
{
	size_t before = page_free_count();
	void *p = page_alloc(2);

	KASSERT_NOT_NULL(t, p);
	page_free(p);
	page_free(p); /* reported, changes nothing */
	KEXPECT_EQ(t, page_free_count(), before);
	page_free(NULL);
	KEXPECT_EQ(t, page_free_count(), before);
}

/*
 * The cases below build a private pool (mm/internal.h) over memory taken
 * from the kernel's allocator, so they start from a known state and may
 * do anything to it.  The region is cut at odd places on purpose: the
 * pool must use every page of any range.
 */
#include <kernel/mm_debug.h>
#include <kernel/poison.h>
#include <kernel/prng.h>
#include "../../mm/internal.h"

#define POOL_PAGES 512 /* an order-9 block from the kernel's pool */

static struct page_pool pool;
static void *pool_mem;

/*
 * A pool over [mem + 3 pages, mem + POOL_PAGES - 5 pages): unaligned.
 * mag_limit 0 gives it no per-hart magazines: every page then goes
 * through the locked buddy path, whose own checks must hold alone.
 */
static bool make_pool_with(struct ktest *t, int holes, unsigned int mag_limit)
{
	struct mem_region r[2];
	uintptr_t m;
	int n = 1;

	pool_mem = page_alloc_order(9);
	if (!KEXPECT_NOT_NULL(t, pool_mem))
		return false;
	m = (uintptr_t)pool_mem;
	r[0] = (struct mem_region){ m + 3 * PAGE_SIZE,
				    m + (POOL_PAGES - 5) * PAGE_SIZE };
	if (holes) { /* two regions with a 7-page hole between them */
		r[1] = (struct mem_region){ m + 200 * PAGE_SIZE, r[0].end };
		r[0].end = m + 193 * PAGE_SIZE;
		n = 2;
	}
	return KEXPECT_TRUE(t, page_pool_init(&pool, r, n, mag_limit, 0));
}

static bool make_pool(struct ktest *t, int holes)
{
	return make_pool_with(t, holes, MAG_SLOTS);
}

static void drop_pool(void)
{
	page_free(pool_mem);
}

static void snapshot(size_t blocks[PAGE_ORDERS])
{
	unsigned int o;

	for (o = 0; o < PAGE_ORDERS; o++)
		blocks[o] = pool.nr_blocks[o];
}

static bool same_blocks(struct ktest *t, const size_t a[PAGE_ORDERS])
{
	size_t b[PAGE_ORDERS];
	unsigned int o;
	bool same = true;

	snapshot(b);
	for (o = 0; o < PAGE_ORDERS; o++)
		same &= KEXPECT_EQ(t, b[o], a[o]);
	return same;
}

KTEST(page, metadata_is_under_a_thousandth_of_memory)
{
	KASSERT_TRUE(t, make_pool(t, 0));
	KEXPECT_LE(t, pool.meta_bytes * 1000, pool.nr_total * PAGE_SIZE);
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	drop_pool();
}

KTEST(page, every_page_of_an_unaligned_region_is_usable)
{
	size_t n = 0, managed;

	KASSERT_TRUE(t, make_pool_with(t, 1, 0));
	/* POOL_PAGES - 8 cut at the ends - 7 in the hole - the bitmaps. */
	managed = POOL_PAGES - 8 - 7 -
		  ALIGN_UP(pool.meta_bytes, PAGE_SIZE) / PAGE_SIZE;
	KEXPECT_EQ(t, pool.nr_total, managed);
	while (page_pool_alloc(&pool, 1))
		n++;
	KEXPECT_EQ(t, n, managed);
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	drop_pool();
}

KTEST(page, odd_sizes_cost_exactly_their_pages)
{
	size_t sizes[] = { 3, 5, 7, 100, 1, 33 }, before, i;
	void *p[ARRAY_SIZE(sizes)];

	KASSERT_TRUE(t, make_pool(t, 0));
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		before = page_pool_free_count(&pool);
		p[i] = page_pool_alloc(&pool, sizes[i]);
		KASSERT_NOT_NULL(t, p[i]);
		KEXPECT_EQ(t, before - page_pool_free_count(&pool), sizes[i]);
		KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		page_pool_free(&pool, p[i]);
	KEXPECT_EQ(t, page_pool_free_count(&pool), pool.nr_total);
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	drop_pool();
}

KTEST(page, order_blocks_are_aligned_to_their_size)
{
	unsigned int k;

	for (k = 0; k <= 6; k++) {
		uintptr_t p = (uintptr_t)page_alloc_order(k);

		KASSERT_TRUE(t, p != 0);
		KEXPECT_EQ(t, p % ((uintptr_t)PAGE_SIZE << k), 0);
		page_free((void *)p);
	}
	KEXPECT_NULL(t, page_alloc_order(PAGE_ORDERS));
	/* Past the word's width too (UBSan checks the shift on the host). */
	KEXPECT_NULL(t, page_alloc_order(8 * sizeof(size_t)));
	KEXPECT_NULL(t, page_alloc_order(~0u));
}

KTEST(page, split_and_merge_are_exact)
{
	size_t initial[PAGE_ORDERS];
	void *p[64];
	struct prng rng;
	int i, n;

	KASSERT_TRUE(t, make_pool(t, 1));
	snapshot(initial);
	prng_seed(&rng, 7);
	for (n = 0; n < 64; n++) {
		p[n] = page_pool_alloc(&pool, 1 + prng_below(&rng, 9));
		if (!p[n])
			break;
	}
	/* Free in a shuffled order. */
	for (i = n - 1; i > 0; i--) {
		int j = (int)prng_below(&rng, (uint32_t)i + 1);
		void *tmp = p[i];

		p[i] = p[j];
		p[j] = tmp;
	}
	for (i = 0; i < n; i++)
		page_pool_free(&pool, p[i]);
	page_pool_drain(&pool);
	KEXPECT_TRUE(t, same_blocks(t, initial));
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	drop_pool();
}

/*
 * Model check: random allocations (any size, or an order) and frees in
 * random order, against a plain map of which pages are in use; after
 * every step the pool must validate and agree with the model.
 */
#define MODEL_LIVE 48

KTEST(page, random_operations_match_a_reference_model)
{
	static uint8_t in_use[POOL_PAGES];
	struct {
		void *p;
		size_t n;
	} live[MODEL_LIVE] = { { NULL, 0 } };
	size_t initial[PAGE_ORDERS], used = 0, i;
	unsigned int step, steps = 400 * ktest_scale();
	unsigned long reports = mm_report_count();
	uintptr_t base;
	struct prng rng;

#ifdef HOST_TEST
	steps *= 25;
#endif
	KASSERT_TRUE(t, make_pool(t, 1));
	snapshot(initial);
	base = (uintptr_t)pool_mem;
	memset(in_use, 0, sizeof(in_use));
	prng_seed(&rng, 2026);
	for (step = 0; step < steps; step++) {
		unsigned int slot = prng_below(&rng, MODEL_LIVE);

		if (live[slot].p) {
			page_pool_free(&pool, live[slot].p);
			for (i = 0; i < live[slot].n; i++)
				in_use[((uintptr_t)live[slot].p - base) /
					       PAGE_SIZE +
				       i] = 0;
			used -= live[slot].n;
			live[slot].p = NULL;
		} else {
			bool by_order = prng_below(&rng, 4) == 0;
			unsigned int order = prng_below(&rng, 4);
			size_t n = by_order ? (size_t)1 << order
					    : 1 + prng_below(&rng, 12);
			uint8_t *p = page_pool_alloc(&pool, n);
			size_t first;

			if (!p)
				continue; /* full: allowed */
			first = ((uintptr_t)p - base) / PAGE_SIZE;
			if (by_order && !KEXPECT_EQ(t, first % n, 0))
				break;
			for (i = 0; i < n; i++) {
				if (!KEXPECT_EQ(t, in_use[first + i], 0))
					break;
				in_use[first + i] = 1;
			}
			live[slot].p = p;
			live[slot].n = n;
			used += n;
		}
		if (!KEXPECT_EQ(t, page_pool_validate(&pool), 0) ||
		    !KEXPECT_EQ(t, page_pool_free_count(&pool),
				pool.nr_total - used))
			break;
	}
	ktest_log(t, "%u steps, validated after each", step);
	KEXPECT_EQ(t, mm_bugs_since(reports), 0);
	for (i = 0; i < MODEL_LIVE; i++)
		page_pool_free(&pool, live[i].p);
	page_pool_drain(&pool);
	KEXPECT_TRUE(t, same_blocks(t, initial));
	drop_pool();
}

KTEST(page, requests_above_the_top_order_are_served)
{
	size_t big = ((size_t)1 << (PAGE_ORDERS - 1)) + 300;
	size_t before = page_free_count();
	void *p = page_alloc(big);

	KASSERT_NOT_NULL(t, p);
	KEXPECT_EQ(t, before - page_free_count(), big);
	page_free(p);
	KEXPECT_EQ(t, page_free_count(), before);
}

KTEST(page, bad_frees_are_refused_and_change_nothing)
{
	struct page_stats before, after;
	uint8_t *run = page_alloc(4);
	size_t free_before;

	KASSERT_NOT_NULL(t, run);
	page_get_stats(&before);
	free_before = page_free_count();
	/* Each refused on its own: one more bad free, no page freed. */
	page_free(run + PAGE_SIZE); /* inside a run */
	page_get_stats(&after);
	KEXPECT_EQ(t, after.refused_frees - before.refused_frees, 1);
	KEXPECT_EQ(t, page_free_count(), free_before);
	page_free(run + 100); /* not aligned */
	page_get_stats(&after);
	KEXPECT_EQ(t, after.refused_frees - before.refused_frees, 2);
	KEXPECT_EQ(t, page_free_count(), free_before);
	page_free((void *)PAGE_SIZE); /* outside the memory */
	page_get_stats(&after);
	KEXPECT_EQ(t, after.refused_frees - before.refused_frees, 3);
	KEXPECT_EQ(t, page_free_count(), free_before);
	page_free(run);
	page_free(run); /* double free */
	page_get_stats(&after);
	KEXPECT_EQ(t, after.refused_frees - before.refused_frees, 4);
	KEXPECT_EQ(t, page_free_count(), free_before + 4);
}

/*
 * Without per-hart magazines (a private pool may have none), every free
 * takes the locked path: its own double-free check must hold alone.
 */
KTEST(page, double_free_without_magazines_is_refused)
{
	size_t before, blocks[PAGE_ORDERS];
	void *one, *run;

	if (!make_pool_with(t, 0, 0))
		return;
	before = page_pool_free_count(&pool);
	one = page_pool_alloc(&pool, 1);
	run = page_pool_alloc(&pool, 3);
	KASSERT_NOT_NULL(t, one);
	KASSERT_NOT_NULL(t, run);
	page_pool_free(&pool, one);
	page_pool_free(&pool, run);
	snapshot(blocks);
	page_pool_free(&pool, one); /* reported, changes nothing */
	page_pool_free(&pool, run);
	KEXPECT_EQ(t, pool.refused_frees, 2);
	KEXPECT_EQ(t, page_pool_free_count(&pool), before);
	same_blocks(t, blocks);
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	drop_pool();
}

/*
 * A pool made with poison (P) keeps every free block's header whole, and
 * poisons the rest of its pages.  Its first implementation filled the
 * header too and copied it back, which a compiler may drop (the fill
 * writes longs, the order is an int): clang's build lost every header.
 */
KTEST(page, a_pool_made_with_poison_keeps_its_block_headers)
{
	struct mem_region r;
	struct free_block *b;
	unsigned long *w;
	unsigned int o;
	void *p;

	pool_mem = page_alloc_order(9);
	KASSERT_NOT_NULL(t, pool_mem);
	r = (struct mem_region){ (uintptr_t)pool_mem + 3 * PAGE_SIZE,
				 (uintptr_t)pool_mem +
					 (POOL_PAGES - 5) * PAGE_SIZE };
	KASSERT_TRUE(t, page_pool_init(&pool, &r, 1, 0, MM_DEBUG_POISON));
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	for (o = 0; o < PAGE_ORDERS; o++)
		list_for_each_entry (b, &pool.free_list[o], node) {
			KEXPECT_EQ(t, b->order, o);
			KEXPECT_EQ(t, b->magic, FREE_BLOCK_MAGIC);
			/* The first word after the header, the page's last. */
			w = (unsigned long *)(b + 1);
			KEXPECT_EQ(t, w[0], POISON_FREE);
			w = (unsigned long *)((char *)b + PAGE_SIZE) - 1;
			KEXPECT_EQ(t, *w, POISON_FREE);
		}
	p = page_pool_alloc(&pool, 3); /* the poison checked: no report */
	KEXPECT_NOT_NULL(t, p);
	page_pool_free(&pool, p);
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	drop_pool();
}

/* Exhaustion, on every hart at once, from one private pool. */
static void drain_pool_on_this_hart(void *arg)
{
	void **chain = arg, *p;

	while ((p = page_pool_alloc(&pool, 1))) {
		/* Chain the pages through themselves; atomic: all harts. */
		*(void **)p = __atomic_load_n(chain, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(chain, (void **)p, p, false,
						    __ATOMIC_RELAXED,
						    __ATOMIC_RELAXED))
			;
	}
}

KTEST(page, exhaustion_on_every_hart_recovers_all_memory)
{
	size_t initial[PAGE_ORDERS], n = 0;
	void *chain = NULL;

	KASSERT_TRUE(t, make_pool(t, 1));
	snapshot(initial);
	ktest_on_each_hart(drain_pool_on_this_hart, &chain);
	while (chain) {
		void *next = *(void **)chain;

		page_pool_free(&pool, chain);
		chain = next;
		n++;
	}
	KEXPECT_EQ(t, n, pool.nr_total); /* no page left in any magazine */
	page_pool_drain(&pool);
	KEXPECT_EQ(t, page_pool_free_count(&pool), pool.nr_total);
	KEXPECT_TRUE(t, same_blocks(t, initial));
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	drop_pool();
}

/* A hart's magazine keeps a few pages; they must not make page_alloc fail. */
static void leave_pages_in_my_magazine(void *arg)
{
	void *p[4];
	int i;

	(void)arg;
	for (i = 0; i < 4; i++)
		p[i] = page_pool_alloc(&pool, 1);
	for (i = 0; i < 4; i++)
		page_pool_free(&pool, p[i]);
}

KTEST(page, magazines_are_drained_before_an_allocation_fails)
{
	size_t n = 0;
	void *chain = NULL, *p;

	KASSERT_TRUE(t, make_pool(t, 0));
	ktest_on_each_hart(leave_pages_in_my_magazine, NULL);
	/* Two-page runs bypass the magazines: they need the drain. */
	while ((p = page_pool_alloc(&pool, 2))) {
		*(void **)p = chain;
		chain = p;
		n += 2;
	}
	KEXPECT_GE(t, n + 1, pool.nr_total); /* at most one odd page left */
	while (chain) {
		p = *(void **)chain;
		page_pool_free(&pool, chain);
		chain = p;
	}
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	drop_pool();
}

/*
 * A full magazine flushes its oldest pages, but stops once their merges
 * reach MAX_ORDER, so that one page_free never pays for PAGE_MAG_BATCH
 * pages that each merge high.  Four pages, each the last missing page of
 * its own 16-page block (whose buddy stays taken), wait in a magazine of
 * 4; the next free flushes them, each merging 4 orders: as many go as it
 * takes to reach MAX_ORDER merges, and the rest stay for the next flush.
 */
/* Page k of group g: blocks 16, 48, 80, 112, none another's buddy. */
static size_t first_of(unsigned int g, unsigned int k)
{
	return 32 * g + 16 + k;
}

KTEST(page, a_flush_stops_once_its_merges_reach_the_top_order)
{
	/* FLUSHED: groups one flush takes, fewer than GROUPS (a bound). */
	enum {
		GROUP = 16,
		GROUPS = 4,
		MERGES = 4, /* GROUP = 2^4 */
		FLUSHED = (MAX_ORDER + MERGES - 1) / MERGES,
	};
	_Static_assert(FLUSHED < GROUPS, "the flush must stop early");
	char *m, *p;
	size_t before;
	unsigned int g, k;

	KASSERT_TRUE(t, make_pool_with(t, 0, GROUPS));
	KASSERT_EQ(t, pool.mags.batch, GROUPS);
	m = pool_mem;
	while (page_pool_alloc(&pool, 1)) /* every page, as a single page */
		;
	for (g = 0; g < GROUPS; g++) /* all of each group but its first */
		for (k = 1; k < GROUP; k++)
			page_pool_free(&pool, m + first_of(g, k) * PAGE_SIZE);
	page_pool_drain(&pool);
	before = pool.nr_blocks[4];
	for (g = 0; g < GROUPS; g++) /* the magazine is full now */
		page_pool_free(&pool, m + first_of(g, 0) * PAGE_SIZE);
	KEXPECT_EQ(t, pool.nr_blocks[4], before);
	p = m + 200 * PAGE_SIZE; /* its buddy is taken: it merges nothing */
	page_pool_free(&pool, p);
	KEXPECT_EQ(t, pool.nr_blocks[4], before + FLUSHED);
	page_pool_drain(&pool);
	KEXPECT_EQ(t, pool.nr_blocks[4], before + GROUPS);
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	drop_pool();
}

/* page_validate exists to catch corruption: corrupt a pool on purpose. */
KTEST(page, validate_catches_injected_corruption)
{
	struct free_block *b;
	void *p;
	size_t i;

	KASSERT_TRUE(t, make_pool(t, 0));
	KASSERT_EQ(t, page_pool_validate(&pool), 0);

	/* 1. A block header that lies about its order. */
	b = list_first_entry(&pool.free_list[3], struct free_block, node);
	b->order = 2;
	KEXPECT_EQ(t, page_pool_validate(&pool), -1);
	b->order = 3;
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);

	/* 2. An allocated single page whose bits say free. */
	p = page_pool_alloc(&pool, 1);
	KASSERT_NOT_NULL(t, p);
	i = ((uintptr_t)p >> PAGE_SHIFT) - pool.base_pfn;
	pool.single_map[BIT_WORD(i)] &= ~BIT_MASK(i);
	KEXPECT_EQ(t, page_pool_validate(&pool), -1);
	pool.single_map[BIT_WORD(i)] |= BIT_MASK(i);
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);

	/* 3. A free-list counter that is off by one. */
	pool.nr_blocks[0]++;
	KEXPECT_EQ(t, page_pool_validate(&pool), -1);
	pool.nr_blocks[0]--;
	page_pool_free(&pool, p);
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	drop_pool();
}

/*
 * page_map says what each page is from the bitmaps and magazines: a
 * single page and a run are page_alloc's, the pages the pool's magazines
 * hold are cached, a hole and the pages before the first region are
 * reserved, the bitmaps are the bitmaps, and every other page is free.
 */
KTEST(page, map_tells_each_page_of_a_pool)
{
	static unsigned char kind[POOL_PAGES];
	size_t count[PAGE_KINDS] = { 0 }, i, cached;
	uintptr_t m;
	char *one, *run;

	KASSERT_TRUE(t, make_pool(t, 1));
	m = (uintptr_t)pool_mem;
	one = page_pool_alloc(&pool, 1);
	run = page_pool_alloc(&pool, 5);
	KASSERT_NOT_NULL(t, one);
	KASSERT_NOT_NULL(t, run);
	page_pool_map(&pool, m, POOL_PAGES, kind);
	for (i = 0; i < POOL_PAGES; i++)
		count[kind[i]]++;
	mm_lock(&pool.lock); /* the owner's lock, as __mag_* want */
	cached = __mag_snapshot(&pool.mags, NULL, NULL);
	mm_unlock(&pool.lock);
	KEXPECT_EQ(t, kind[0], PAGE_KIND_RESERVED);
	KEXPECT_EQ(t, kind[3], PAGE_KIND_BITMAPS);
	KEXPECT_EQ(t, kind[195], PAGE_KIND_RESERVED); /* in the hole */
	KEXPECT_EQ(t, kind[POOL_PAGES - 1], PAGE_KIND_RESERVED);
	KEXPECT_EQ(t, kind[(one - (char *)m) / PAGE_SIZE], PAGE_KIND_PAGE);
	for (i = 0; i < 5; i++)
		KEXPECT_EQ(t, kind[(run - (char *)m) / PAGE_SIZE + i],
			   PAGE_KIND_PAGE);
	KEXPECT_EQ(t, count[PAGE_KIND_PAGE], 6);
	KEXPECT_GT(t, cached, 0); /* the single page came through them */
	KEXPECT_EQ(t, count[PAGE_KIND_CACHED], cached);
	KEXPECT_EQ(t, count[PAGE_KIND_FREE] + cached,
		   page_pool_free_count(&pool));
	KEXPECT_EQ(t, count[PAGE_KIND_RESERVED] + count[PAGE_KIND_BITMAPS],
		   POOL_PAGES - pool.nr_total);
	page_pool_free(&pool, one);
	page_pool_free(&pool, run);
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	drop_pool();
}

/*
 * The kernel's pool keeps no depot, but the walks over a pool's
 * magazines must still see one: give a private pool a depot of 8 pages,
 * free FREED_PAGES pages through it, and the ones parked are free to
 * page_validate, cached to page_map, refused a second free, and back on
 * the lists after a drain.
 */
#define FREED_PAGES 16

KTEST(page, pages_in_a_depot_are_free_cached_and_drained)
{
	static unsigned char kind[POOL_PAGES];
	size_t cached, count = 0, i;
	void *p[FREED_PAGES], *parked;
	unsigned long refused;

	KASSERT_TRUE(t, make_pool(t, 0));
	mm_lock(&pool.lock);
	__mag_set_limit(&pool.mags, 8, 4, 8);
	mm_unlock(&pool.lock);
	for (i = 0; i < FREED_PAGES; i++) {
		p[i] = page_pool_alloc(&pool, 1);
		KASSERT_NOT_NULL(t, p[i]);
	}
	for (i = 0; i < FREED_PAGES; i++)
		page_pool_free(&pool, p[i]);
	KASSERT_TRUE(t, pool.mags.depot_n > 0);
	parked = pool.mags.depot[0];
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	KEXPECT_EQ(t, page_pool_free_count(&pool), pool.nr_total);
	page_pool_map(&pool, (uintptr_t)pool_mem, POOL_PAGES, kind);
	mm_lock(&pool.lock); /* the owner's lock, as __mag_* want */
	cached = __mag_snapshot(&pool.mags, NULL, NULL);
	mm_unlock(&pool.lock);
	for (i = 0; i < POOL_PAGES; i++)
		count += kind[i] == PAGE_KIND_CACHED;
	KEXPECT_EQ(t, count, cached);
	KEXPECT_EQ(t, kind[((char *)parked - (char *)pool_mem) / PAGE_SIZE],
		   PAGE_KIND_CACHED);
	refused = pool.refused_frees;
	page_pool_free(&pool, parked); /* reported, nothing freed */
	KEXPECT_EQ(t, pool.refused_frees, refused + 1);
	page_pool_drain(&pool);
	KEXPECT_EQ(t, pool.mags.depot_n, 0);
	KEXPECT_EQ(t, pool.nr_free, pool.nr_total);
	KEXPECT_EQ(t, page_pool_validate(&pool), 0);
	drop_pool();
}

/* The kernel's pool: slab and large kmalloc runs are told by owner. */
KTEST(page, map_tells_slab_and_kmalloc_runs)
{
	unsigned char kind[3];
	void *large = kmalloc(2 * PAGE_SIZE);
	void *small = kmalloc(64);
	void *pages = page_alloc(3);

	KASSERT_NOT_NULL(t, large);
	KASSERT_NOT_NULL(t, small);
	KASSERT_NOT_NULL(t, pages);
	page_map((uintptr_t)large, 2, kind);
	KEXPECT_EQ(t, kind[0], PAGE_KIND_KMALLOC);
	KEXPECT_EQ(t, kind[1], PAGE_KIND_KMALLOC);
	page_map((uintptr_t)large + PAGE_SIZE, 1, kind); /* its owner is back */
	KEXPECT_EQ(t, kind[0], PAGE_KIND_KMALLOC);
	page_map(ALIGN_DOWN((uintptr_t)small, PAGE_SIZE), 1, kind);
	KEXPECT_EQ(t, kind[0], PAGE_KIND_SLAB);
	page_map((uintptr_t)pages + PAGE_SIZE, 2, kind); /* from its middle */
	KEXPECT_EQ(t, kind[0], PAGE_KIND_PAGE);
	KEXPECT_EQ(t, kind[1], PAGE_KIND_PAGE);
	page_free(pages);
	kfree(small);
	kfree(large);
}
