/*
 * kmalloc_fuzz.c - fuzz kmalloc and friends (mm/kmalloc.c) against a
 * model, over the kernel's pool (fuzz_boot).
 *
 * The input is operations only: kmalloc, kzalloc, kfree, krealloc (to
 * any size, 0 included, from NULL too), ksize, and the calls that must be
 * refused: kfree of a freed block, of a pointer inside one, of memory
 * kmalloc never had; krealloc of the same; page_free of a large block.
 * Sizes run from nothing through every size class to several pages and
 * past the memory's end.
 *
 * The model keeps every live block (range, size asked, pattern) and what
 * kmalloc should have done: the size class each size falls in (a table
 * of its own), whether krealloc keeps a block in place, the counts.
 * After every operation get_memory_stats must agree with it (bytes held,
 * large pages, calls, failures, refused frees), no two live blocks may
 * overlap, and exactly the reports the model expects must have been
 * made.  Contents must survive: checked at every free and every krealloc,
 * up to the smaller size.  At the end everything is freed and every page
 * must have come back.
 */
#include <kernel/meminfo.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include "fuzz.h"

#include <stdlib.h>

#define MAX_LIVE 96

/* The size classes, as the model knows them: kmalloc must agree. */
static const size_t classes[] = {
	8,   16,  24,  32,   40,   48,	 56,   64,   80,  96,
	112, 128, 160, 192,  224,  256,	 320,  384,  448, 512,
	640, 768, 896, 1024, 1280, 1536, 1792, 2048,
};

static struct model {
	struct {
		uint8_t *p;	      /* NULL: the slot is empty */
		size_t asked, usable; /* a krealloc in place keeps usable */
		uint64_t seed;
	} live[MAX_LIVE];
	struct fuzz_ranges ranges;
	struct fuzz_freed freed;
	size_t bytes, large_pages;
	/* calls since the start, large blocks' too */
	unsigned long allocs, frees, failures, refused;
	struct memory_stats at_start;
	size_t free_pages_at_start;
} m;

/* A run and a single page of page_alloc's: no kmalloc blocks. */
static uint8_t *page_run, *page_one;

/* What kmalloc(size) holds: its class, or whole pages; 0 for 0. */
static size_t usable_for(size_t size)
{
	unsigned int k;

	if (size == 0)
		return 0;
	if (size > KMALLOC_MAX_CACHED)
		return ALIGN_UP(size, (size_t)PAGE_SIZE);
	for (k = 0; classes[k] < size || classes[k] < 2 * sizeof(void *); k++)
		;
	return classes[k];
}

static bool is_large(size_t size)
{
	return size > KMALLOC_MAX_CACHED;
}

/* Who holds a block of this usable size, as reports name it. */
static const char *where_for(size_t usable)
{
	static char name[24];

	if (is_large(usable))
		return "kmalloc";
	snprintf(name, sizeof(name), "kmalloc-%zu", usable);
	return name;
}

/* --- Checks ------------------------------------------------------------ */

static void check_all(void)
{
	struct memory_stats st;
	unsigned long refused;

	get_memory_stats(&st);
	FUZZ_CHECK(st.kmalloc_bytes == m.at_start.kmalloc_bytes + m.bytes,
		   "kmalloc holds %zu bytes, model %zu", st.kmalloc_bytes,
		   m.at_start.kmalloc_bytes + m.bytes);
	FUZZ_CHECK(st.kmalloc_large_pages ==
			   m.at_start.kmalloc_large_pages + m.large_pages,
		   "%zu large pages, model %zu", st.kmalloc_large_pages,
		   m.at_start.kmalloc_large_pages + m.large_pages);
	FUZZ_CHECK(st.kmalloc.allocs - m.at_start.kmalloc.allocs == m.allocs,
		   "%lu kmalloc allocations, model %lu",
		   st.kmalloc.allocs - m.at_start.kmalloc.allocs, m.allocs);
	FUZZ_CHECK(st.kmalloc.frees - m.at_start.kmalloc.frees == m.frees,
		   "%lu kmalloc frees, model %lu",
		   st.kmalloc.frees - m.at_start.kmalloc.frees, m.frees);
	FUZZ_CHECK(
		st.kmalloc.failures - m.at_start.kmalloc.failures == m.failures,
		"%lu failures, model %lu",
		st.kmalloc.failures - m.at_start.kmalloc.failures, m.failures);
	/*
	 * Refused by the cache whose slab holds the pointer (a class's, or
	 * one of the allocator's own when a freed block's page went on to
	 * be its slab), or by the page allocator.
	 */
	refused = st.slab.refused_frees + st.pages.refused_frees -
		  m.at_start.slab.refused_frees -
		  m.at_start.pages.refused_frees;
	FUZZ_CHECK(refused == m.refused, "%lu frees refused, model %lu",
		   refused, m.refused);
	FUZZ_CHECK(
		st.slab_pages == st.pages.for_slabs,
		"the caches' slabs hold %zu pages, the page allocator says %zu",
		st.slab_pages, st.pages.for_slabs);
	fuzz_expect_reports(0);
}

/* --- The model's bookkeeping ------------------------------------------- */

static int empty_slot(void)
{
	int slot;

	for (slot = 0; slot < MAX_LIVE; slot++)
		if (!m.live[slot].p)
			return slot;
	return -1;
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

static void count_alloc(size_t usable)
{
	if (is_large(usable))
		m.large_pages += usable / PAGE_SIZE;
	m.allocs++;
	m.bytes += usable;
}

static void count_free(size_t usable)
{
	if (is_large(usable))
		m.large_pages -= usable / PAGE_SIZE;
	m.frees++;
	m.bytes -= usable;
}

/* A new block p of size bytes: check it, fill it, hold it in slot. */
static void take(int slot, uint8_t *p, size_t size)
{
	size_t u = usable_for(size);
	/* Pages for large blocks; a power-of-two class's own size; else 8. */
	size_t align = is_large(size) ? PAGE_SIZE : u & (u - 1) ? 8 : u;

	FUZZ_CHECK(IS_ALIGNED((uintptr_t)p, align),
		   "block %p of %zu bytes is not aligned to %zu", (void *)p,
		   size, align);
	FUZZ_CHECK(ksize(p) == usable_for(size),
		   "ksize of a block of %zu bytes is %zu, not %zu", size,
		   ksize(p), usable_for(size));
	fuzz_range_add(&m.ranges, (uintptr_t)p, (uintptr_t)p + size, slot);
	m.live[slot].p = p;
	m.live[slot].asked = size;
	m.live[slot].usable = u;
	m.live[slot].seed = fuzz_seed(p);
	fuzz_fill(p, size, m.live[slot].seed);
	count_alloc(u);
}

/* The block in slot leaves the model (kmalloc freed it, or moved it). */
static void drop(int slot)
{
	fuzz_range_remove(&m.ranges, (uintptr_t)m.live[slot].p);
	fuzz_freed_add(&m.freed, (uintptr_t)m.live[slot].p, slot);
	count_free(m.live[slot].usable);
	m.live[slot].p = NULL;
}

static void check_contents(int slot, size_t n)
{
	long at = fuzz_changed(m.live[slot].p, n, m.live[slot].seed);

	FUZZ_CHECK(at < 0,
		   "live block %p of %zu bytes was written to (byte %ld)",
		   (void *)m.live[slot].p, m.live[slot].asked, at);
}

/* --- Operations ---------------------------------------------------------- */

/* A size: nothing, tiny, any class, pages, or more than the memory. */
static size_t size_to_ask(struct fuzz_input *in)
{
	uint8_t kind = fuzz_u8(in);
	uint16_t b = fuzz_u16(in);

	switch (kind % 8) {
	case 0:
		return 0;
	case 1:
	case 2:
	case 3:
		return 1 + b % 64;
	case 4:
	case 5:
		return 1 + b % KMALLOC_MAX_CACHED;
	case 6:
		return KMALLOC_MAX_CACHED + 1 +
		       b % (5 * PAGE_SIZE - KMALLOC_MAX_CACHED);
	default:
		return b & 1 ? (size_t)-1
			     : (page_total_count() + 1) * PAGE_SIZE;
	}
}

static bool too_large(size_t size)
{
	return size / PAGE_SIZE >= page_total_count();
}

/* kmalloc or kzalloc. */
static void do_alloc(struct fuzz_input *in, bool zero)
{
	size_t size = size_to_ask(in), k;
	int slot = empty_slot();
	uint8_t *p;

	fuzz_op = zero ? "kzalloc" : "kmalloc";
	if (slot < 0)
		return;
	p = zero ? kzalloc(size) : kmalloc(size);
	if (size == 0 || too_large(size)) {
		FUZZ_CHECK(!p, "%zu bytes given", size);
		if (size) { /* reported, and counted */
			fuzz_expect_report(MM_BAD_CALL, MM_BAD_CALL, NULL,
					   "kmalloc");
			m.failures++;
		}
		return;
	}
	FUZZ_CHECK(p, "%zu bytes refused", size);
	for (k = 0; zero && k < size; k++)
		FUZZ_CHECK(!p[k], "byte %zu of kzalloc(%zu) is %u", k, size,
			   p[k]);
	take(slot, p, size);
}

static void do_free(struct fuzz_input *in)
{
	int slot = live_slot(fuzz_u8(in));

	fuzz_op = "kfree";
	if (slot < 0)
		return;
	check_contents(slot, m.live[slot].asked);
	kfree(m.live[slot].p);
	drop(slot);
}

/*
 * krealloc of a live block: in place while the new size fits and is
 * more than half the block (or no smaller block would do); else moved,
 * the contents kept up to the smaller size.  0 frees it; a size past the
 * memory fails, reported, and the block stays.
 */
static void do_realloc(struct fuzz_input *in)
{
	int slot = live_slot(fuzz_u8(in)), to;
	uint8_t edge = fuzz_u8(in);
	size_t size = size_to_ask(in), old, keep;
	uint8_t *p, *q;

	fuzz_op = "krealloc";
	if (slot < 0)
		return;
	p = m.live[slot].p;
	old = m.live[slot].usable;
	if (edge % 4 == 0) /* a size at the block's end: 4 below to 4 past */
		size = old - 4 + (edge >> 2) % 9;
	keep = MIN(m.live[slot].asked, size);
	check_contents(slot, m.live[slot].asked);
	q = krealloc(p, size);
	if (size == 0) {
		FUZZ_CHECK(!q, "krealloc(p, 0) returned %p", (void *)q);
		drop(slot);
		return;
	}
	if (too_large(size)) {
		FUZZ_CHECK(!q, "krealloc to %zu bytes succeeded", size);
		fuzz_expect_report(MM_BAD_CALL, MM_BAD_CALL, NULL, "kmalloc");
		m.failures++;
		check_contents(slot, m.live[slot].asked);
		return;
	}
	FUZZ_CHECK(q, "krealloc to %zu bytes failed", size);
	if (size <= old && (size > old / 2 || usable_for(size) == old)) {
		FUZZ_CHECK(q == p, "krealloc from %zu to %zu bytes moved",
			   m.live[slot].asked, size);
		FUZZ_CHECK(ksize(p) == old, "ksize %zu after krealloc, not %zu",
			   ksize(p), old);
		check_contents(slot, keep);
		fuzz_range_remove(&m.ranges, (uintptr_t)p);
		m.live[slot].p = NULL;
		/* The block, with the size now asked. */
		fuzz_range_add(&m.ranges, (uintptr_t)p, (uintptr_t)p + size,
			       slot);
		m.live[slot].p = p;
		m.live[slot].asked = size;
		fuzz_fill(p, size, m.live[slot].seed = fuzz_seed(p));
		return;
	}
	FUZZ_CHECK(q != p, "krealloc from %zu to %zu bytes stayed in place",
		   m.live[slot].asked, size);
	FUZZ_CHECK(fuzz_changed(q, keep, m.live[slot].seed) < 0,
		   "krealloc from %zu to %zu bytes lost contents",
		   m.live[slot].asked, size);
	drop(slot);
	to = empty_slot(); /* the one just emptied, at least */
	take(to, q, size);
}

static void do_realloc_null(struct fuzz_input *in)
{
	size_t size = size_to_ask(in);
	int slot = empty_slot();
	uint8_t *p;

	fuzz_op = "krealloc(NULL, size)";
	if (slot < 0)
		return;
	p = krealloc(NULL, size);
	if (size == 0 || too_large(size)) {
		FUZZ_CHECK(!p, "%zu bytes given", size);
		if (size) {
			fuzz_expect_report(MM_BAD_CALL, MM_BAD_CALL, NULL,
					   "kmalloc");
			m.failures++;
		}
		return;
	}
	FUZZ_CHECK(p, "%zu bytes refused", size);
	take(slot, p, size);
}

/*
 * Pointers no call may take as a block: a block freed lately and not
 * live again, a pointer inside a live block, memory kmalloc never had.
 * Returns NULL if the input's choice has none now.
 */
static uint8_t *not_a_block(uint8_t kind, uint8_t b, uint16_t off,
			    const char **where, enum mm_bug *bug)
{
	int slot = live_slot(b), stack_byte, k;
	size_t asked;

	*bug = MM_BAD_FREE;
	*where = "kmalloc";
	switch (kind % 4) {
	case 0:
		fuzz_op = "a block freed already";
		*bug = MM_DOUBLE_FREE; /* or bad, if its memory moved on */
		*where = NULL;
		for (k = 0; k < FUZZ_FREED; k++) {
			uintptr_t a = m.freed.addr[(b + k) % FUZZ_FREED];

			if (a && !fuzz_range_at(&m.ranges, a))
				return (uint8_t *)a;
		}
		return NULL;
	case 1:
		fuzz_op = "a pointer inside a block";
		if (slot < 0 || m.live[slot].asked < 2)
			return NULL;
		asked = m.live[slot].asked;
		*where = where_for(m.live[slot].usable);
		return m.live[slot].p + 1 + off % (asked - 1);
	case 2: /* a run of two pages, a page inside it, a single page */
		fuzz_op = "pages of page_alloc's";
		return off % 3 == 2 ? page_one
				    : page_run + (off % 3) * PAGE_SIZE;
	default:
		fuzz_op = "memory kmalloc never had";
		return (uint8_t *)fuzz_foreign(b, &stack_byte);
	}
}

/* kfree must refuse it: one report, counted, nothing changed. */
static void do_bad_free(struct fuzz_input *in)
{
	uint8_t kind = fuzz_u8(in), b = fuzz_u8(in);
	uint16_t off = fuzz_u16(in);
	const char *where;
	enum mm_bug bug;
	uint8_t *p;
	int slot;

	if (kind % 8 == 7) { /* page_free of a large block */
		slot = live_slot(b);
		fuzz_op = "page_free of a large kmalloc block";
		if (slot < 0 || !is_large(m.live[slot].asked))
			return;
		page_free(m.live[slot].p);
		m.refused++;
		fuzz_expect_report(MM_BAD_FREE, MM_BAD_FREE, m.live[slot].p,
				   "page");
		return;
	}
	if (kind % 8 == 6) {
		fuzz_op = "kfree(NULL)";
		kfree(NULL);
		return;
	}
	p = not_a_block(kind, b, off, &where, &bug);
	if (!p)
		return;
	kfree(p);
	m.refused++;
	fuzz_expect_report(bug, MM_BAD_FREE, p, where);
}

/* krealloc and ksize must see no block there: NULL and 0. */
static void do_bad_realloc(struct fuzz_input *in)
{
	uint8_t kind = fuzz_u8(in), b = fuzz_u8(in);
	uint16_t off = fuzz_u16(in);
	size_t size = 1 + fuzz_u8(in);
	const char *where;
	enum mm_bug bug;
	uint8_t *p = not_a_block(kind, b, off, &where, &bug);

	if (!p)
		return;
	fuzz_op = "ksize of no block";
	FUZZ_CHECK(ksize(p) == 0, "ksize(%p) is %zu", (void *)p, ksize(p));
	fuzz_op = "krealloc of no block";
	FUZZ_CHECK(!krealloc(p, size), "krealloc(%p) succeeded", (void *)p);
	fuzz_expect_report(MM_BAD_CALL, MM_BAD_CALL, p, "krealloc");
}

static void free_everything(void)
{
	int slot;

	for (slot = 0; slot < MAX_LIVE; slot++)
		if (m.live[slot].p) {
			fuzz_op = "kfree at the end";
			check_contents(slot, m.live[slot].asked);
			kfree(m.live[slot].p);
			drop(slot);
		}
	check_all();
	kmem_cache_shrink_all();
	FUZZ_CHECK(page_free_count() == m.free_pages_at_start,
		   "%zu pages free at the end, %zu at the start",
		   page_free_count(), m.free_pages_at_start);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_boot();
	page_run = page_alloc(2);
	page_one = page_alloc(1);
	if (!page_run || !page_one)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	fuzz_step = 0;
	memset(&m, 0, sizeof(m));
	kmem_cache_shrink_all();
	get_memory_stats(&m.at_start);
	m.free_pages_at_start = page_free_count();
	fuzz_reports_start();
	while (fuzz_more(&in)) {
		fuzz_step++;
		switch (fuzz_u8(&in) % 10) {
		case 0:
		case 1:
		case 2:
			do_alloc(&in, false);
			break;
		case 3:
			do_alloc(&in, true);
			break;
		case 4:
		case 5:
			do_free(&in);
			break;
		case 6:
			do_realloc(&in);
			break;
		case 7:
			do_realloc_null(&in);
			break;
		case 8:
			do_bad_free(&in);
			break;
		default:
			do_bad_realloc(&in);
			break;
		}
		check_all();
	}
	free_everything();
	return 0;
}
