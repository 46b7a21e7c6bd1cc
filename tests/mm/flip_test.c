/*
 * flip_test.c - simulated hardware errors (suite "flip"): one bit of the
 * allocators' own memory flipped, as a cosmic ray or a bad DIMM would,
 * then the allocator used.  Each flip must be caught and reported (the
 * report naming the check that caught it), or be harmless: the
 * allocator never hands out memory it does not own, and never crashes.
 *
 * Each case flips every bit of one word in turn, each time in a fresh
 * setting, and logs how many flips were caught: the figures the README
 * quotes.  A flip that is neither caught nor harmless fails the case.
 *
 *   word                        met by
 *   a slab free-list link       the free-list link check (a refill)
 *   a slab's bump               the slab bump check (a refill carves)
 *   a per-hart magazine entry   kmem_cache_validate (memcheck)
 *   a red zone                  the red-zone check (the free)
 *   a buddy bitmap word         page_validate (memcheck)
 *   a page magazine entry       page_validate (memcheck)
 *   a free block's header       the free-block header check (an alloc)
 */
#include <kernel/ktest.h>
#include <kernel/mm_debug.h>
#include <kernel/mm_report.h>
#include <kernel/page.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include "../../mm/internal.h"
#include "../../mm/slab.h"

/* Reports since before that name the check that caught something. */
static unsigned long caught_since(unsigned long before)
{
	unsigned long n, caught = 0;
	struct mm_report r;

	for (n = before; n < mm_report_count(); n++)
		if (mm_report_get(n, &r) && r.bug == MM_CORRUPTION &&
		    strstr(r.detail, "caught by"))
			caught++;
	return caught;
}

static void log_figure(struct ktest *t, const char *word, unsigned int caught,
		       unsigned int bits)
{
	ktest_log(t, "%s: %u of %u flips caught", word, caught, bits);
}

/* --- Slab objects ---------------------------------------------------- */

#define OBJ_SIZE 64
#define FREED 4

/* A fresh cache whose slab's free list holds FREED objects; keep stays. */
struct slab_setting {
	struct kmem_cache *c;
	void *keep, *freed[FREED];
	struct slab *s;
};

static bool slab_setting(struct ktest *t, struct slab_setting *st)
{
	int i;

	st->c = kmem_cache_create("test-flip", OBJ_SIZE, 0, SLAB_NO_DEBUG,
				  NULL);
	if (!KEXPECT_NOT_NULL(t, st->c))
		return false;
	st->keep = kmem_cache_alloc(st->c);
	for (i = 0; i < FREED; i++)
		st->freed[i] = kmem_cache_alloc(st->c);
	for (i = 0; i < FREED; i++)
		kmem_cache_free(st->c, st->freed[i]);
	kmem_cache_shrink(st->c); /* magazines emptied onto the list */
	st->s = slab_of(st->keep);
	return KEXPECT_NOT_NULL(t, st->keep) && KEXPECT_NOT_NULL(t, st->s);
}

/*
 * Is p an object the cache may hand out: one of the freed ones, or new
 * from the slab's bump, and not handed out already (in got[0 .. n))?
 */
static bool sound_object(const struct slab_setting *st, void *p, void **got,
			 int n)
{
	int i;

	if (!p || p == st->keep)
		return false;
	for (i = 0; i < n; i++)
		if (got[i] == p)
			return false;
	return slab_of(p) == st->s &&
	       ((uintptr_t)p - (uintptr_t)st->s->base) % OBJ_SIZE == 0;
}

/* Take FREED + 2 objects and check each; free them; true if all sound. */
static bool take_and_check(struct slab_setting *st)
{
	void *got[FREED + 2];
	bool sound = true;
	int i;

	for (i = 0; i < FREED + 2; i++) {
		got[i] = kmem_cache_alloc(st->c);
		if (!sound_object(st, got[i], got, i))
			sound = false;
	}
	for (i = 0; i < FREED + 2; i++)
		if (got[i] && got[i] != st->keep)
			kmem_cache_free(st->c, got[i]);
	return sound;
}

/* Destroy the cache if nothing was given up; else it stays (a leak). */
static void slab_teardown(struct slab_setting *st)
{
	struct kmem_cache_stats s;

	kmem_cache_free(st->c, st->keep);
	kmem_cache_get_stats(st->c, &s);
	if (s.active == 0)
		kmem_cache_destroy(st->c);
}

/*
 * One flip at a time of the word at offset off (from the slab setting),
 * then the allocations that meet it; sound or caught, never silent.
 */
static unsigned int
flip_slab_word(struct ktest *t, const char *name,
	       unsigned long *(*word)(struct slab_setting *))
{
	unsigned int bit, caught = 0;
	struct slab_setting st;
	unsigned long before;
	bool sound;

	for (bit = 0; bit < BITS_PER_LONG; bit++) {
		if (!slab_setting(t, &st))
			return caught;
		before = mm_report_count();
		*word(&st) ^= 1UL << bit;
		sound = take_and_check(&st);
		if (caught_since(before))
			caught++;
		else if (!KEXPECT_TRUE(t, sound))
			ktest_log(t,
				  "%s, bit %u: bad memory handed out silently",
				  name, bit);
		slab_teardown(&st);
	}
	log_figure(t, name, caught, BITS_PER_LONG);
	return caught;
}

static unsigned long *free_list_link(struct slab_setting *st)
{
	return (unsigned long *)link_of(st->c, st->s->free);
}

static unsigned long *slab_bump(struct slab_setting *st)
{
	return (unsigned long *)&st->s->bump;
}

KTEST(flip, a_slab_free_list_link)
{
	/*
	 * A link moved to another free object of the slab cannot be told
	 * from a good one: a few objects are skipped (lost), never handed
	 * out twice.
	 */
	KEXPECT_GE(t, flip_slab_word(t, "slab free-list link", free_list_link),
		   BITS_PER_LONG - 4);
}

KTEST(flip, a_slabs_bump)
{
	KEXPECT_GE(t, flip_slab_word(t, "slab bump", slab_bump),
		   BITS_PER_LONG - 6);
}

/*
 * A per-hart magazine entry: objects freed into this hart's magazine,
 * one entry flipped, then the check memcheck runs.  What it takes out
 * is never handed out.
 */
KTEST(flip, a_per_hart_magazine_entry)
{
	unsigned int bit, caught = 0;
	struct slab_setting st;
	struct magazine *m;
	unsigned long before, n;
	void **top;
	bool sound;
	int i;

	for (bit = 0; bit < BITS_PER_LONG; bit++) {
		if (!slab_setting(t, &st))
			return;
		for (i = 0; i < FREED; i++) /* into this hart's magazine */
			st.freed[i] = kmem_cache_alloc(st.c);
		for (i = 0; i < FREED; i++)
			kmem_cache_free(st.c, st.freed[i]);
		push_off(); /* stay on this hart while its magazine is read */
		m = &st.c->mags.mag[this_hart()];
		top = __atomic_load_n(&m->top, __ATOMIC_ACQUIRE);
		n = top ? (unsigned long)(top - m->slot) : 0;
		if (n)
			m->slot[n - 1] = (void *)((uintptr_t)m->slot[n - 1] ^
						  (1UL << bit));
		pop_off();
		before = mm_report_count();
		kmem_cache_validate(st.c);
		sound = take_and_check(&st);
		if (caught_since(before))
			caught++;
		else if (!KEXPECT_TRUE(t, n && sound))
			ktest_log(t, "magazine entry, bit %u: not caught", bit);
		slab_teardown(&st);
	}
	log_figure(t, "per-hart magazine entry", caught, BITS_PER_LONG);
	KEXPECT_EQ(t, caught, BITS_PER_LONG);
}

/* A red zone word, flipped while the object is in use: seen at its free. */
KTEST(flip, a_red_zone)
{
	unsigned int bit, caught = 0;
	struct kmem_cache *c =
		kmem_cache_create("test-flip-zone", 40, 0, SLAB_RED_ZONE, NULL);
	unsigned long before, *zone;
	unsigned char *p;

	KASSERT_NOT_NULL(t, c);
	for (bit = 0; bit < BITS_PER_LONG; bit++) {
		p = kmem_cache_alloc(c);
		KASSERT_NOT_NULL(t, p);
		zone = (unsigned long *)(p + 40); /* 40: word-aligned */
		*zone ^= 1UL << bit;
		before = mm_report_count();
		kmem_cache_free(c, p);
		if (mm_report_count() > before)
			caught++;
	}
	log_figure(t, "red zone", caught, BITS_PER_LONG);
	KEXPECT_EQ(t, caught, BITS_PER_LONG);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* --- Pages ------------------------------------------------------------- */

#define POOL_PAGES 64

static struct page_pool pool;

/* A fresh private pool of POOL_PAGES with a few pages taken. */
static bool pool_setting(struct ktest *t, void *mem, void **taken)
{
	struct mem_region region = { (uintptr_t)mem,
				     (uintptr_t)mem + POOL_PAGES * PAGE_SIZE };
	int i;

	if (!KEXPECT_TRUE(t, page_pool_init(&pool, &region, 1, 0, 0)))
		return false;
	for (i = 0; i < 3; i++)
		taken[i] = page_pool_alloc(&pool, 1 + i);
	return KEXPECT_NOT_NULL(t, taken[2]);
}

/*
 * Every page the pool hands out now, checked: in it, never twice, and
 * none of the taken ones (if taken).
 */
static bool drain_pool(void **taken)
{
	static void *got[POOL_PAGES];
	bool sound = true;
	int n = 0, i;
	void *p;

	while (n < POOL_PAGES && (p = page_pool_alloc(&pool, 1))) {
		for (i = 0; i < n; i++)
			sound &= got[i] != p;
		for (i = 0; taken && i < 3; i++)
			sound &= (uintptr_t)p - (uintptr_t)taken[i] >=
				 (size_t)(1 + i) * PAGE_SIZE;
		sound &= page_managed(&pool, (uintptr_t)p);
		got[n++] = p;
	}
	return sound;
}

KTEST(flip, a_buddy_bitmap_word)
{
	void *mem = page_alloc(POOL_PAGES), *taken[3];
	unsigned int bit, caught = 0;
	unsigned long before, *word;

	KASSERT_NOT_NULL(t, mem);
	for (bit = 0; bit < BITS_PER_LONG; bit++) {
		if (!pool_setting(t, mem, taken))
			break;
		word = &pool.buddy_map[page_index(&pool, taken[0]) /
				       BITS_PER_LONG];
		*word ^= 1UL << bit;
		before = mm_report_count();
		page_pool_validate(&pool);
		if (caught_since(before))
			caught++;
		*word ^= 1UL << bit;
	}
	log_figure(t, "buddy bitmap word", caught, BITS_PER_LONG);
	KEXPECT_EQ(t, caught, BITS_PER_LONG);
	page_free(mem);
}

/*
 * A free block's header (its first word, the list link), flipped; then
 * the pool drained.  The lists are made again from the bitmaps.
 */
KTEST(flip, a_free_blocks_header)
{
	void *mem = page_alloc(POOL_PAGES), *taken[3];
	unsigned int bit, caught = 0;
	struct free_block *b;
	unsigned long before;
	bool sound;

	KASSERT_NOT_NULL(t, mem);
	for (bit = 0; bit < BITS_PER_LONG; bit++) {
		if (!pool_setting(t, mem, taken))
			break;
		if (!KEXPECT_FALSE(t, list_empty(&pool.free_list[0])))
			break;
		b = list_first_entry(&pool.free_list[0], struct free_block,
				     node);
		b->node.next = (struct list_head *)((uintptr_t)b->node.next ^
						    (1UL << bit));
		before = mm_report_count();
		sound = drain_pool(taken);
		if (caught_since(before))
			caught++;
		else if (!KEXPECT_TRUE(t, sound))
			ktest_log(
				t,
				"block header, bit %u: bad page handed out silently",
				bit);
	}
	log_figure(t, "free block header", caught, BITS_PER_LONG);
	KEXPECT_GE(t, caught, BITS_PER_LONG - 2);
	page_free(mem);
}

/*
 * A per-hart page magazine entry: single pages freed into this hart's
 * magazine of a private pool, the newest entry flipped, then the check
 * memcheck runs, which takes the bad entry out; then the pool drained.
 * (The page fast path itself pops unchecked: mm/page.c says why.)
 */
KTEST(flip, a_page_magazine_entry)
{
	struct mem_region region;
	void *mem = page_alloc(POOL_PAGES), *pages[4];
	unsigned int bit, caught = 0;
	unsigned long before;
	struct magazine *m;
	void **top;
	int i;

	KASSERT_NOT_NULL(t, mem);
	region.start = (uintptr_t)mem;
	region.end = (uintptr_t)mem + POOL_PAGES * PAGE_SIZE;
	for (bit = 0; bit < BITS_PER_LONG; bit++) {
		if (!KEXPECT_TRUE(t, page_pool_init(&pool, &region, 1, 8, 0)))
			break;
		for (i = 0; i < 4; i++)
			pages[i] = page_pool_alloc(&pool, 1);
		for (i = 0; i < 4; i++)
			page_pool_free(&pool, pages[i]);
		push_off(); /* stay on this hart while its magazine is read */
		m = &pool.mags.mag[this_hart()];
		top = __atomic_load_n(&m->top, __ATOMIC_ACQUIRE);
		if (top && top > m->slot)
			top[-1] = (void *)((uintptr_t)top[-1] ^ (1UL << bit));
		pop_off();
		before = mm_report_count();
		page_pool_validate(&pool);
		if (caught_since(before))
			caught++;
		KEXPECT_TRUE(t, drain_pool(NULL)); /* the bad entry taken out */
	}
	log_figure(t, "page magazine entry", caught, BITS_PER_LONG);
	KEXPECT_EQ(t, caught, BITS_PER_LONG);
	page_free(mem);
}
