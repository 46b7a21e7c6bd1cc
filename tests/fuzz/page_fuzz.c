/*
 * page_fuzz.c - fuzz the page allocator (mm/page.c) against a model.
 *
 * Each input builds a private pool (mm/internal.h) over an arena of host
 * memory, cut where the input says, then runs its operations on it:
 *
 *   byte 0      first page of the region in the arena (0-255)
 *   byte 1      its length: 8 + 2 * byte pages (up to 518), or with
 *               bit 7 of byte 2, 8 + 12 * byte (up to 3068: runs above
 *               the top order; every check walks the pool, so large
 *               pools are slow and only asked for)
 *   byte 2      bit 0: a hole of 1-8 pages (where: byte 3, width: byte
 *               4); bit 1: ends not on page boundaries; bits 2-3:
 *               magazines of 0, 4, 8 or MAG_SLOTS pages; bits 4, 5, 6:
 *               the debugging F, P, U (include/kernel/mm_debug.h)
 *   then        operations: alloc, free, a bad free, drain, free all
 *
 * The model is a map of the arena's pages (managed, in use) and the live
 * runs.  After every operation the pool must validate, its statistics
 * must equal the model's counts, and exactly the reports the model
 * expects must have been made.  An allocation must succeed exactly when
 * the model finds a free aligned block that holds it (the buddy system
 * merges every free buddy pair, so that block exists on its lists), and
 * must return pages the model has free.  A bad free must be refused with
 * one report of the right kind and change nothing.  Every page of a run
 * carries a stamp at both ends (where the allocator's own writes would
 * land: a free block's header, poison), checked when the run is freed.
 */
#include <kernel/page.h>
#include <kernel/mm_debug.h>
#include <kernel/string.h>
#include "../../mm/internal.h"
#include "fuzz.h"

#include <stdlib.h>

#define TOP ((size_t)1 << MAX_ORDER) /* pages in a top-order block */
#define ARENA_PAGES (4 * TOP)	     /* 16 MiB with 4 KiB pages */
#define MAX_LIVE 64		     /* runs the model holds at once */
#define STAMP 32		     /* bytes at each end of a page */
#define TRACKS_OWNER MAX_LIVE	     /* the pool's own records (U) */

static struct page_pool pool;
static uint8_t *arena;

static struct model {
	size_t total, used;
	unsigned long allocs, frees, failures, refused;
	struct {
		uint8_t *p; /* NULL: the slot is empty */
		size_t n;
		uint64_t seed;
	} live[MAX_LIVE];
	struct fuzz_ranges ranges;
	struct fuzz_freed freed;
	bool managed[ARENA_PAGES];
	bool in_use[ARENA_PAGES];
	size_t blocks_at_start[PAGE_ORDERS];
	size_t peak;
} m;

static size_t index_of(const void *p)
{
	return (size_t)((const uint8_t *)p - arena) / PAGE_SIZE;
}

static bool page_free_in_model(size_t i)
{
	return i < ARENA_PAGES && m.managed[i] && !m.in_use[i];
}

static bool all_free(size_t i, size_t n)
{
	for (; n; i++, n--)
		if (!page_free_in_model(i))
			return false;
	return true;
}

static unsigned int order_for(size_t n)
{
	unsigned int order = 0;

	while (((size_t)1 << order) < n)
		order++;
	return order;
}

/*
 * Can the pool serve n pages?  Up to a top-order block: iff some aligned
 * block of the order that holds n is free.  Above: iff some row of
 * top-order blocks, from a multiple of TOP, is free.
 */
static bool model_can_serve(size_t n)
{
	size_t step, len, i;

	if (n == 0 || n > m.total)
		return false;
	step = n <= TOP ? (size_t)1 << order_for(n) : TOP;
	len = n <= TOP ? step : ALIGN_UP(n, TOP);
	for (i = 0; i + len <= ARENA_PAGES; i += step)
		if (all_free(i, len))
			return true;
	return false;
}

/* --- Stamps ------------------------------------------------------------ */

static void stamp(uint8_t *p, size_t n, uint64_t seed)
{
	size_t k;

	for (k = 0; k < n; k++, p += PAGE_SIZE) {
		fuzz_fill(p, STAMP, seed + k);
		fuzz_fill(p + PAGE_SIZE - STAMP, STAMP, ~(seed + k));
	}
}

static void check_stamps(const uint8_t *p, size_t n, uint64_t seed)
{
	size_t k;

	for (k = 0; k < n; k++, p += PAGE_SIZE) {
		long a = fuzz_changed(p, STAMP, seed + k);
		long b =
			fuzz_changed(p + PAGE_SIZE - STAMP, STAMP, ~(seed + k));

		FUZZ_CHECK(
			a < 0 && b < 0,
			"page %zu of the live run at %p was written to (byte %ld)",
			k, (const void *)(p - k * PAGE_SIZE),
			a >= 0 ? a : (long)PAGE_SIZE - STAMP + b);
	}
}

/* --- The model's bookkeeping -------------------------------------------- */

static void mark(const uint8_t *p, size_t n, int owner)
{
	size_t i = index_of(p), k;

	for (k = 0; k < n; k++) {
		FUZZ_CHECK(page_free_in_model(i + k),
			   "page %p of the new run at %p is not free",
			   (const void *)(p + k * PAGE_SIZE), (const void *)p);
		m.in_use[i + k] = true;
	}
	fuzz_range_add(&m.ranges, (uintptr_t)p, (uintptr_t)p + n * PAGE_SIZE,
		       owner);
	m.used += n;
	m.peak = MAX(m.peak, m.used);
}

static void unmark(const uint8_t *p, size_t n)
{
	size_t i = index_of(p), k;

	for (k = 0; k < n; k++)
		m.in_use[i + k] = false;
	fuzz_range_remove(&m.ranges, (uintptr_t)p);
	m.used -= n;
}

static void snapshot_blocks(size_t blocks[PAGE_ORDERS])
{
	unsigned int o;

	for (o = 0; o < PAGE_ORDERS; o++)
		blocks[o] = pool.nr_blocks[o];
}

/* After every operation: the pool as the model says. */
static void check_pool(void)
{
	struct page_stats st;
	unsigned int h;

	FUZZ_CHECK(page_pool_validate(&pool) == 0,
		   "page_pool_validate failed (see the line above)");
	page_pool_stats(&pool, &st);
	FUZZ_CHECK(st.total == m.total, "total %zu, model %zu", st.total,
		   m.total);
	FUZZ_CHECK(st.free == m.total - m.used, "free %zu, model %zu", st.free,
		   m.total - m.used);
	FUZZ_CHECK(st.allocs == m.allocs, "allocs %lu, model %lu", st.allocs,
		   m.allocs);
	FUZZ_CHECK(st.frees == m.frees, "frees %lu, model %lu", st.frees,
		   m.frees);
	FUZZ_CHECK(st.failures == m.failures, "failures %lu, model %lu",
		   st.failures, m.failures);
	FUZZ_CHECK(st.refused_frees == m.refused,
		   "refused frees %lu, model %lu", st.refused_frees, m.refused);
	FUZZ_CHECK(st.peak_taken >= m.peak, "peak %zu, below the model's %zu",
		   st.peak_taken, m.peak);
	for (h = 1; h < MAX_HARTS; h++)
		FUZZ_CHECK(st.cached[h] == 0,
			   "hart %u, never run, has %zu pages", h,
			   st.cached[h]);
	fuzz_expect_reports(0);
}

/* --- Set-up ------------------------------------------------------------- */

static void mark_managed(uintptr_t start, uintptr_t end)
{
	size_t i;

	start = ALIGN_UP(start, PAGE_SIZE);
	end = ALIGN_DOWN(end, PAGE_SIZE);
	for (i = index_of((void *)start); i < index_of((void *)end); i++)
		m.managed[i] = true;
}

/* Build the pool the input asks for: false if it cannot be made. */
static bool set_up(struct fuzz_input *in)
{
	static const unsigned int mag_limits[] = { 0, 4, 8, MAG_SLOTS };
	size_t first = fuzz_u8(in), len = fuzz_u8(in);
	uint8_t how = fuzz_u8(in), hole_at = fuzz_u8(in), hole = fuzz_u8(in);
	struct mem_region r[2];
	size_t given = 0, meta, i;
	unsigned int debug;
	int n = 1, k;

	fuzz_op = "page_pool_init";
	memset(&m, 0, sizeof(m));
	len = 8 + (how & 0x80 ? 12 : 2) * len;
	r[0].start = (uintptr_t)arena + first * PAGE_SIZE;
	r[0].end = r[0].start + len * PAGE_SIZE;
	if (how & 1) { /* a hole of 1-8 pages inside */
		uintptr_t cut =
			r[0].start + (1 + hole_at % (len - 2)) * PAGE_SIZE;

		r[1].start = cut + (1 + hole % 8) * PAGE_SIZE;
		r[1].end = r[0].end;
		r[0].end = cut;
		n = r[1].start < r[1].end ? 2 : 1;
	}
	if (how & 2) { /* the pool must round inwards */
		r[0].start += 100;
		r[n - 1].end -= 100;
	}
	for (k = 0; k < n; k++)
		mark_managed(r[k].start, r[k].end);
	for (i = 0; i < ARENA_PAGES; i++)
		given += m.managed[i];

	debug = (how & 0x10 ? MM_DEBUG_CHECKS : 0) |
		(how & 0x20 ? MM_DEBUG_POISON : 0) |
		(how & 0x40 ? MM_DEBUG_TRACK : 0);
	if (!page_pool_init(&pool, r, n, mag_limits[(how >> 2) & 3], debug)) {
		/* Allowed only when no region has room for the bitmaps too. */
		size_t span = index_of((void *)r[n - 1].end);

		meta = ALIGN_UP(6 * BITS_TO_LONGS(span) * sizeof(long),
				PAGE_SIZE) /
		       PAGE_SIZE;
		for (k = 0; k < n; k++) {
			size_t lo = index_of(
				(void *)ALIGN_UP(r[k].start, PAGE_SIZE));
			size_t hi = index_of((void *)r[k].end);

			FUZZ_CHECK(hi <= lo + meta,
				   "page_pool_init refused %zu pages", given);
		}
		return false;
	}
	FUZZ_CHECK(pool.base_pfn == (uintptr_t)arena >> PAGE_SHIFT,
		   "the pool's first page is not the arena's");
	/* The bitmaps took the first pages of a region. */
	meta = ALIGN_UP(pool.meta_bytes, PAGE_SIZE) / PAGE_SIZE;
	FUZZ_CHECK(pool.nr_total == given - meta,
		   "%zu pages managed of %zu given, %zu for the bitmaps",
		   pool.nr_total, given, meta);
	for (i = 0; i < ARENA_PAGES; i++)
		m.managed[i] =
			m.managed[i] &&
			page_managed(&pool, (uintptr_t)(arena + i * PAGE_SIZE));
	m.total = pool.nr_total;
	if (pool.tracks) { /* U: the pool's records, one run of its own */
		size_t pages = ALIGN_UP(2 * pool.span * sizeof(struct mm_track),
					PAGE_SIZE) /
			       PAGE_SIZE;

		mark((uint8_t *)pool.tracks, pages, TRACKS_OWNER);
		m.allocs = 1;
	} else if (debug & MM_DEBUG_TRACK) { /* no room for them: reported */
		m.failures = 1;
		fuzz_expect_reports(1);
	}
	snapshot_blocks(m.blocks_at_start);
	check_pool();
	return true;
}

/* --- Operations ---------------------------------------------------------- */

static size_t size_to_ask(struct fuzz_input *in)
{
	uint8_t kind = fuzz_u8(in), b = fuzz_u8(in);

	switch (kind % 4) {
	case 0:
		return 1;
	case 1:
		return 1 + b % 16;
	case 2:
		return (size_t)1 << (b % PAGE_ORDERS);
	default: /* anything, up to past the pool's end */
		return (size_t)(b | fuzz_u8(in) << 8) % (m.total + 8);
	}
}

static void do_alloc(struct fuzz_input *in)
{
	size_t n = size_to_ask(in), i;
	bool can = model_can_serve(n);
	int slot;
	uint8_t *p;

	fuzz_op = "page_pool_alloc";
	for (slot = 0; slot < MAX_LIVE && m.live[slot].p; slot++)
		;
	if (slot == MAX_LIVE)
		return;
	p = page_pool_alloc(&pool, n);
	if (!p) {
		FUZZ_CHECK(!can, "%zu pages refused, but the model has room",
			   n);
		m.failures++;
		fuzz_expect_reports(1); /* a bad request, or a failure */
		return;
	}
	FUZZ_CHECK(can, "%zu pages given at %p, where the model has no room", n,
		   (void *)p);
	FUZZ_CHECK(IS_ALIGNED((uintptr_t)p, PAGE_SIZE),
		   "run %p not page aligned", (void *)p);
	i = index_of(p);
	FUZZ_CHECK(i % (n <= TOP ? (size_t)1 << order_for(n) : TOP) == 0,
		   "a run of %zu pages at page %zu: not aligned to its block",
		   n, i);
	mark(p, n, slot);
	m.live[slot].p = p;
	m.live[slot].n = n;
	m.live[slot].seed = fuzz_seed(p);
	stamp(p, n, m.live[slot].seed);
	m.allocs++;
}

static void free_slot(int slot)
{
	uint8_t *p = m.live[slot].p;

	fuzz_op = "page_pool_free";
	check_stamps(p, m.live[slot].n, m.live[slot].seed);
	page_pool_free(&pool, p);
	unmark(p, m.live[slot].n);
	fuzz_freed_add(&m.freed, (uintptr_t)p, slot);
	m.live[slot].p = NULL;
	m.frees++;
}

static void do_free(struct fuzz_input *in)
{
	int slot = fuzz_u8(in) % MAX_LIVE, k;

	/* The slot named, or the next one in use. */
	for (k = 0; k < MAX_LIVE; k++)
		if (m.live[(slot + k) % MAX_LIVE].p)
			break;
	if (k < MAX_LIVE)
		free_slot((slot + k) % MAX_LIVE);
}

static bool slot_used(int slot)
{
	return m.live[slot].p != NULL;
}

/* A live slot, from a byte, or -1. */
static int live_slot(uint8_t b)
{
	return fuzz_live_slot(b, MAX_LIVE, slot_used);
}

/* An arena page, from two bytes, that pick() accepts, or -1. */
static long arena_page(uint16_t from, bool (*pick)(size_t i))
{
	size_t k;

	for (k = 0; k < ARENA_PAGES; k++)
		if (pick((from + k) % ARENA_PAGES))
			return (long)((from + k) % ARENA_PAGES);
	return -1;
}

static bool unmanaged(size_t i)
{
	return !m.managed[i];
}

/*
 * A free the pool must refuse: with one report of the kind the model
 * expects (a double free, or a bad free), counted, and nothing changed.
 */
static void do_bad_free(struct fuzz_input *in)
{
	uint8_t kind = fuzz_u8(in), b = fuzz_u8(in);
	uint16_t where = fuzz_u16(in);
	enum mm_bug bug = MM_BAD_FREE;
	size_t blocks[PAGE_ORDERS], after[PAGE_ORDERS];
	const uint8_t *p = NULL;
	int slot = live_slot(b), stack_byte;
	long i;
	unsigned int k;

	switch (kind % 6) {
	case 0: /* a run freed lately, if it is still free; else any */
		fuzz_op = "double free";
		bug = MM_DOUBLE_FREE;
		for (k = 0; k < FUZZ_FREED && !p; k++) {
			uintptr_t a = m.freed.addr[(b + k) % FUZZ_FREED];

			if (a && page_free_in_model(index_of((void *)a)))
				p = (const uint8_t *)a;
		}
		if (!p && (i = arena_page(where, page_free_in_model)) >= 0)
			p = arena + (size_t)i * PAGE_SIZE;
		break;
	case 1: /* a page inside a run */
		fuzz_op = "free of a page inside a run";
		if (slot >= 0 && m.live[slot].n > 1)
			p = m.live[slot].p +
			    (1 + where % (m.live[slot].n - 1)) * PAGE_SIZE;
		break;
	case 2: /* an address that is no page's first byte */
		fuzz_op = "free of an unaligned address";
		if (slot >= 0)
			p = m.live[slot].p + 1 +
			    where % (m.live[slot].n * PAGE_SIZE - 1);
		else if ((i = arena_page(where, page_free_in_model)) >= 0)
			p = arena + (size_t)i * PAGE_SIZE + 1 + b;
		break;
	case 3: /* a page of the arena the pool does not manage */
		fuzz_op = "free of an unmanaged page";
		if ((i = arena_page(where, unmanaged)) >= 0)
			p = arena + (size_t)i * PAGE_SIZE + (b & 1) * 8;
		break;
	case 4: /* memory no allocator has */
		fuzz_op = "free of foreign memory";
		p = fuzz_foreign(b, &stack_byte);
		break;
	default:
		fuzz_op = "page_pool_free(NULL)";
		page_pool_free(&pool, NULL);
		return;
	}
	if (!p)
		return;
	snapshot_blocks(blocks);
	page_pool_free(&pool, (void *)p);
	m.refused++;
	fuzz_expect_report(bug, bug, p, "page");
	snapshot_blocks(after);
	for (k = 0; k < PAGE_ORDERS; k++)
		FUZZ_CHECK(blocks[k] == after[k],
			   "a refused free changed the blocks of order %u", k);
}

static void do_drain(void)
{
	fuzz_op = "page_pool_drain";
	page_pool_drain(&pool);
}

/* Free every run and drain: the blocks must be those of the start. */
static void do_free_all(void)
{
	size_t now[PAGE_ORDERS];
	unsigned int o;
	int slot;

	for (slot = 0; slot < MAX_LIVE; slot++)
		if (m.live[slot].p)
			free_slot(slot);
	do_drain();
	check_pool();
	fuzz_op = "free all";
	snapshot_blocks(now);
	for (o = 0; o < PAGE_ORDERS; o++)
		FUZZ_CHECK(now[o] == m.blocks_at_start[o],
			   "%zu free blocks of order %u, %zu at the start",
			   now[o], o, m.blocks_at_start[o]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_boot(); /* for the reports of failures, which look at it */
	arena = aligned_alloc(TOP * PAGE_SIZE, ARENA_PAGES * PAGE_SIZE);
	if (!arena)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	fuzz_step = 0;
	fuzz_reports_start();
	if (!set_up(&in))
		return 0;
	while (fuzz_more(&in)) {
		fuzz_step++;
		switch (fuzz_u8(&in) % 8) {
		case 0:
		case 1:
		case 2:
			do_alloc(&in);
			break;
		case 3:
		case 4:
			do_free(&in);
			break;
		case 5:
			do_bad_free(&in);
			break;
		case 6:
			do_drain();
			break;
		default:
			do_free_all();
			break;
		}
		check_pool();
	}
	do_free_all();
	return 0;
}
