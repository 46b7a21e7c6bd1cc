/*
 * slab_fuzz.c - fuzz the slab allocator (mm/slab.c) against a model.
 *
 * Each input makes 1 to 4 caches of its own, then runs its operations
 * on them, over the kernel's pool (fuzz_boot):
 *
 *   byte 0      how many caches (1-4); then for each, 4 bytes: size
 *               (1-4096, mostly small; 2 bytes), alignment, debugging
 *               (F, Z, P, U, or SLAB_NO_DEBUG) and a constructor
 *   then        operations: alloc, free, a bad free, shrink, destroy
 *               (and make it again), checks on or off, a bad create
 *
 * The model knows every live object (its cache, its range, the pattern
 * it was filled with) and each cache's counts.  After every operation
 * each cache's statistics must equal the model's, no two live objects
 * may overlap, the slabs' pages must add up to the page allocator's
 * count of pages for slabs, and exactly the reports the model expects
 * must have been made.  A bad free (a double free, a pointer inside an
 * object, the wrong cache, no cache, memory no cache owns) must be
 * refused with one report naming the address and the cache, and change
 * nothing.  At the end every object is freed and every cache destroyed,
 * and every page must have come back.
 */
#include <kernel/meminfo.h>
#include <kernel/page.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include "../../mm/slab.h"
#include "fuzz.h"

#include <stdlib.h>

#define MAX_CACHES 4
#define MAX_LIVE 128
#define CTOR_MAGIC 0xc5

static const char *const names[MAX_CACHES] = { "fuzz-a", "fuzz-b", "fuzz-c",
					       "fuzz-d" };

static struct model {
	struct cache {
		struct kmem_cache *c; /* NULL: none */
		size_t size, align;
		unsigned int flags, debug;
		bool ctor;
		size_t live;
		unsigned long allocs, frees, refused;
	} caches[MAX_CACHES];
	int nr_caches;
	struct {
		uint8_t *p; /* NULL: the slot is empty */
		int cache;
		uint64_t seed;
	} live[MAX_LIVE];
	struct fuzz_ranges ranges;
	struct fuzz_freed freed;
	size_t live_caches;
	struct memory_stats at_start;
	size_t free_pages_at_start;
} m;

/* A page run of the page allocator's: memory no cache owns. */
static uint8_t *page_run;

/*
 * The constructor: a constructed object's first byte (objects may be one
 * byte) is a mark made from its address.
 */
static uint8_t ctor_mark(const void *obj)
{
	return (uint8_t)(((uintptr_t)obj >> 3) ^ CTOR_MAGIC);
}

static void construct(void *obj)
{
	*(uint8_t *)obj = ctor_mark(obj);
}

static bool constructed(const void *obj)
{
	return *(const uint8_t *)obj == ctor_mark(obj);
}

/* --- Checks ---------------------------------------------------------- */

/* Check cache i against the model; returns its slabs' headers apart. */
static size_t check_cache(int i)
{
	struct cache *mc = &m.caches[i];
	struct kmem_cache_stats st;

	kmem_cache_get_stats(mc->c, &st);
	FUZZ_CHECK(st.active == mc->live, "%s: %zu active, model %zu", names[i],
		   st.active, mc->live);
	FUZZ_CHECK(st.allocs == mc->allocs, "%s: %lu allocs, model %lu",
		   names[i], st.allocs, mc->allocs);
	FUZZ_CHECK(st.frees == mc->frees, "%s: %lu frees, model %lu", names[i],
		   st.frees, mc->frees);
	FUZZ_CHECK(st.refused_frees == mc->refused,
		   "%s: %lu refused frees, model %lu", names[i],
		   st.refused_frees, mc->refused);
	FUZZ_CHECK(st.failures == 0, "%s: %lu failures", names[i], st.failures);
	FUZZ_CHECK(st.object_size == mc->size, "%s: size %zu, not %zu",
		   names[i], st.object_size, mc->size);
	FUZZ_CHECK(st.total == st.slabs * st.objects_per_slab &&
			   st.active + st.cached <= st.total,
		   "%s: %zu objects in %zu slabs of %u, %zu active, %zu cached",
		   names[i], st.total, st.slabs, st.objects_per_slab, st.active,
		   st.cached);
	FUZZ_CHECK(st.stride >= mc->size, "%s: stride %zu below size %zu",
		   names[i], st.stride, mc->size);
	FUZZ_CHECK(st.debug == mc->debug, "%s: debug %x, model %x", names[i],
		   st.debug, mc->debug);
	return mc->c->off_slab ? st.slabs : 0;
}

static void check_all(void)
{
	struct memory_stats st;
	size_t live = 0;
	int i;

	for (i = 0; i < m.nr_caches; i++)
		if (m.caches[i].c) {
			live += check_cache(
				i); /* headers: kmem_slab's objects */
			live += m.caches[i].live;
		}
	get_memory_stats(&st);
	FUZZ_CHECK(
		st.slab_pages == st.pages.for_slabs,
		"the caches' slabs hold %zu pages, the page allocator says %zu",
		st.slab_pages, st.pages.for_slabs);
	/* The caches' descriptors are objects too (of kmem_cache). */
	FUZZ_CHECK(
		st.slab_active == m.at_start.slab_active + live + m.live_caches,
		"%zu objects active in all caches, model %zu", st.slab_active,
		m.at_start.slab_active + live + m.live_caches);
	FUZZ_CHECK(st.slab.failures == m.at_start.slab.failures,
		   "an allocation failed");
	fuzz_expect_reports(0);
}

/* --- Caches ------------------------------------------------------------ */

static void make_cache(struct fuzz_input *in, int i)
{
	static const size_t aligns[] = { 0, 0, 0, 8, 16, 64, 128, 512 };
	const unsigned int features =
		SLAB_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_TRACK;
	struct cache *mc = &m.caches[i];
	uint16_t size = fuzz_u16(in);
	uint8_t align = fuzz_u8(in), how = fuzz_u8(in), ctor = fuzz_u8(in);

	fuzz_op = "kmem_cache_create";
	memset(mc, 0, sizeof(*mc));
	/* Mostly small objects: 1-256 bytes three times in four. */
	mc->size = 1 + (size & 3 ? (size >> 2) % 256 : (size >> 2) % 4096);
	mc->align = aligns[align % ARRAY_SIZE(aligns)];
	mc->flags = how & 0x10 ? SLAB_NO_DEBUG : how & features;
	mc->ctor = ctor & 1;
	mc->c = kmem_cache_create(names[i], mc->size, mc->align, mc->flags,
				  mc->ctor ? construct : NULL);
	FUZZ_CHECK(mc->c, "kmem_cache_create(%s, %zu, %zu, %x) failed",
		   names[i], mc->size, mc->align, mc->flags);
	mc->debug = mc->flags & features;
	if (mc->ctor) /* constructed state survives: no poison */
		mc->debug &= ~SLAB_POISON;
	m.live_caches++;
}

/* --- Operations -------------------------------------------------------- */

static int pick_cache(uint8_t b)
{
	return b % m.nr_caches;
}

static void do_alloc(struct fuzz_input *in)
{
	int i = pick_cache(fuzz_u8(in)), slot;
	struct cache *mc = &m.caches[i];
	size_t align = MAX(mc->align, (size_t)8);
	uint8_t *p;

	fuzz_op = "kmem_cache_alloc";
	for (slot = 0; slot < MAX_LIVE && m.live[slot].p; slot++)
		;
	if (slot == MAX_LIVE)
		return;
	p = kmem_cache_alloc(mc->c);
	FUZZ_CHECK(p, "%s: no object", names[i]);
	if (!(mc->size & (mc->size - 1)))
		align = MAX(align, mc->size); /* natural alignment */
	FUZZ_CHECK(IS_ALIGNED((uintptr_t)p, align),
		   "%s: object %p not aligned to %zu", names[i], (void *)p,
		   align);
	FUZZ_CHECK(!mc->ctor || constructed(p),
		   "%s: object %p not in its constructed state", names[i],
		   (void *)p);
	fuzz_range_add(&m.ranges, (uintptr_t)p, (uintptr_t)p + mc->size, slot);
	m.live[slot].p = p;
	m.live[slot].cache = i;
	m.live[slot].seed = fuzz_seed(p);
	fuzz_fill(p, mc->size, m.live[slot].seed);
	mc->live++;
	mc->allocs++;
}

static void free_slot(int slot)
{
	struct cache *mc = &m.caches[m.live[slot].cache];
	uint8_t *p = m.live[slot].p;
	long at = fuzz_changed(p, mc->size, m.live[slot].seed);

	fuzz_op = "kmem_cache_free";
	FUZZ_CHECK(at < 0, "%s: live object %p was written to (byte %ld)",
		   names[m.live[slot].cache], (void *)p, at);
	if (mc->ctor) /* given back in its constructed state */
		construct(p);
	kmem_cache_free(mc->c, p);
	fuzz_range_remove(&m.ranges, (uintptr_t)p);
	fuzz_freed_add(&m.freed, (uintptr_t)p, m.live[slot].cache);
	m.live[slot].p = NULL;
	mc->live--;
	mc->frees++;
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

static void do_free(struct fuzz_input *in)
{
	int slot = live_slot(fuzz_u8(in));

	if (slot >= 0)
		free_slot(slot);
}

/*
 * A free every cache must refuse: one report of the kind expected,
 * naming the address and the cache it was given to ("kfree" for none),
 * counted by that cache, and nothing changed.
 */
static void do_bad_free(struct fuzz_input *in)
{
	uint8_t kind = fuzz_u8(in), b = fuzz_u8(in), to = fuzz_u8(in);
	uint16_t off = fuzz_u16(in);
	enum mm_bug bug = MM_BAD_FREE, or_bug = MM_BAD_FREE;
	int slot = live_slot(b), i = pick_cache(to), stack_byte, k;
	struct kmem_cache *c = m.caches[i].c;
	struct fuzz_range *r;
	const char *where = names[i];
	uint8_t *p = NULL;

	switch (kind % 7) {
	case 0: /* freed lately, and not live again: a double free */
		fuzz_op = "double free";
		bug = MM_DOUBLE_FREE; /* or bad, if its slab went back */
		for (k = 0; k < FUZZ_FREED && !p; k++) {
			uintptr_t a = m.freed.addr[(b + k) % FUZZ_FREED];

			if (a && !fuzz_range_at(&m.ranges, a)) {
				p = (uint8_t *)a;
				i = m.freed.owner[(b + k) % FUZZ_FREED];
				c = m.caches[i].c;
				where = names[i];
			}
		}
		break;
	case 1: /* inside a live object */
		fuzz_op = "free of a pointer inside an object";
		if (slot >= 0 && m.caches[m.live[slot].cache].size > 1) {
			i = m.live[slot].cache;
			c = m.caches[i].c;
			where = names[i];
			p = m.live[slot].p + 1 + off % (m.caches[i].size - 1);
		}
		break;
	case 2: /* to another cache */
		fuzz_op = "free to the wrong cache";
		if (slot >= 0 && m.live[slot].cache != i)
			p = m.live[slot].p;
		break;
	case 3: /* to no cache */
		fuzz_op = "kmem_cache_free(NULL, object)";
		if (slot >= 0) {
			p = m.live[slot].p;
			c = NULL;
			where = "kfree";
		}
		break;
	case 4: /* memory no cache has */
		fuzz_op = "free of foreign memory";
		p = off & 1 ? page_run + (off >> 1) % (2 * PAGE_SIZE)
			    : (uint8_t *)fuzz_foreign(b, &stack_byte);
		break;
	case 5: /* the last word of a live object's page: a slab's own */
		fuzz_op = "free of a slab's last word";
		if (slot < 0)
			break;
		i = m.live[slot].cache;
		c = m.caches[i].c;
		where = names[i];
		p = (uint8_t *)ALIGN_DOWN((uintptr_t)m.live[slot].p,
					  PAGE_SIZE) +
		    PAGE_SIZE - sizeof(long);
		if ((r = fuzz_range_at(&m.ranges, (uintptr_t)p)) &&
		    r->start == (uintptr_t)p)
			p = NULL; /* a live object starts there: no bad free */
		or_bug = MM_DOUBLE_FREE; /* a free object may start there */
		break;
	default:
		fuzz_op = "kmem_cache_free(cache, NULL)";
		kmem_cache_free(c, NULL);
		return;
	}
	if (!p)
		return;
	if (bug == MM_DOUBLE_FREE)
		or_bug = MM_BAD_FREE;
	if (or_bug == MM_DOUBLE_FREE) /* a free object: never handed out? */
		bug = MM_BAD_FREE;
	kmem_cache_free(c, p);
	if (c)
		m.caches[i].refused++;
	fuzz_expect_report(bug, or_bug, p, where);
}

static void do_shrink(struct fuzz_input *in)
{
	uint8_t b = fuzz_u8(in);

	fuzz_op = "kmem_cache_shrink";
	if (b & 1)
		kmem_cache_shrink_all();
	else
		kmem_cache_shrink(m.caches[pick_cache(b >> 1)].c);
}

/*
 * Destroy a cache: refused with a report while it has objects out;
 * else done, a second destroy refused, and the cache made anew.
 */
static void do_destroy(struct fuzz_input *in)
{
	int i = pick_cache(fuzz_u8(in));
	struct cache *mc = &m.caches[i];
	struct kmem_cache *c = mc->c;
	int k;

	fuzz_op = "kmem_cache_destroy";
	if (mc->live) {
		FUZZ_CHECK(kmem_cache_destroy(c) == -1,
			   "%s destroyed with %zu objects out", names[i],
			   mc->live);
		fuzz_expect_report(MM_BAD_CALL, MM_BAD_CALL, c, names[i]);
		return;
	}
	FUZZ_CHECK(kmem_cache_destroy(c) == 0, "%s, empty, not destroyed",
		   names[i]);
	m.live_caches--;
	fuzz_expect_reports(0);
	fuzz_op = "kmem_cache_destroy again";
	FUZZ_CHECK(kmem_cache_destroy(c) == -1, "%s destroyed twice", names[i]);
	fuzz_expect_report(MM_BAD_CALL, MM_BAD_CALL, c, "kmem_cache_destroy");
	for (k = 0; k < FUZZ_FREED; k++) /* its frees are no double frees */
		if (m.freed.owner[k] == i)
			m.freed.addr[k] = 0;
	make_cache(in, i);
}

static void do_checks(struct fuzz_input *in)
{
	uint8_t b = fuzz_u8(in);
	struct cache *mc = &m.caches[pick_cache(b >> 1)];

	fuzz_op = "kmem_cache_debug_checks";
	kmem_cache_debug_checks(mc->c, b & 1);
	mc->debug = (mc->debug & ~SLAB_CHECKS) | (b & 1 ? SLAB_CHECKS : 0);
}

/* kmem_cache_create of what no cache can be: NULL, and a report. */
static void do_bad_create(struct fuzz_input *in)
{
	static const struct {
		const char *name;
		size_t size, align;
		unsigned int flags;
	} bad[] = {
		{ "fuzz-bad", 0, 0, 0 },
		{ "fuzz-bad", SLAB_MAX_OBJECT + 1, 0, 0 },
		{ "fuzz-bad", 64, 24, 0 },
		{ "fuzz-bad", 64, 2 * SLAB_MAX_OBJECT, 0 },
		{ "fuzz-bad", 64, 0, 1u << 6 },
		{ NULL, 64, 0, 0 },
	};
	unsigned int k = fuzz_u8(in) % ARRAY_SIZE(bad);

	fuzz_op = "kmem_cache_destroy(NULL)";
	FUZZ_CHECK(kmem_cache_destroy(NULL) == 0, "no cache not destroyed");
	fuzz_expect_reports(0);
	fuzz_op = "kmem_cache_create of a bad cache";
	FUZZ_CHECK(!kmem_cache_create(bad[k].name, bad[k].size, bad[k].align,
				      bad[k].flags, NULL),
		   "bad cache %u made", k);
	fuzz_expect_report(MM_BAD_CALL, MM_BAD_CALL, NULL, "kmem_cache_create");
}

/* Free everything, destroy the caches: every page comes back. */
static void tear_down(void)
{
	struct memory_stats st;
	int slot, i;

	for (slot = 0; slot < MAX_LIVE; slot++)
		if (m.live[slot].p)
			free_slot(slot);
	check_all();
	fuzz_op = "kmem_cache_destroy at the end";
	for (i = 0; i < m.nr_caches; i++) {
		FUZZ_CHECK(kmem_cache_destroy(m.caches[i].c) == 0,
			   "%s, empty, not destroyed", names[i]);
		m.caches[i].c = NULL;
	}
	m.live_caches = 0;
	kmem_cache_shrink_all();
	fuzz_expect_reports(0);
	get_memory_stats(&st);
	FUZZ_CHECK(page_free_count() == m.free_pages_at_start,
		   "%zu pages free at the end, %zu at the start",
		   page_free_count(), m.free_pages_at_start);
	FUZZ_CHECK(st.slab_active == m.at_start.slab_active,
		   "%zu objects active at the end, %zu at the start",
		   st.slab_active, m.at_start.slab_active);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_boot();
	page_run = page_alloc(2);
	if (!page_run)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	int i;

	fuzz_step = 0;
	memset(&m, 0, sizeof(m));
	kmem_cache_shrink_all();
	get_memory_stats(&m.at_start);
	m.free_pages_at_start = page_free_count();
	fuzz_reports_start();
	m.nr_caches = 1 + fuzz_u8(&in) % MAX_CACHES;
	for (i = 0; i < m.nr_caches; i++)
		make_cache(&in, i);
	check_all();
	while (fuzz_more(&in)) {
		fuzz_step++;
		switch (fuzz_u8(&in) % 12) {
		case 0:
		case 1:
		case 2:
		case 3:
			do_alloc(&in);
			break;
		case 4:
		case 5:
		case 6:
			do_free(&in);
			break;
		case 7:
			do_bad_free(&in);
			break;
		case 8:
			do_shrink(&in);
			break;
		case 9:
			do_destroy(&in);
			break;
		case 10:
			do_checks(&in);
			break;
		default:
			do_bad_create(&in);
			break;
		}
		check_all();
	}
	tear_down();
	return 0;
}
