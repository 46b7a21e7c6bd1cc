/*
 * slab_test.c - object caches (mm/slab.c) through their public interface:
 * alignment, constructors, giving pages back, refused frees, frees from
 * another hart, every hart at once, and the space 100000 objects take.
 *
 * Page counts are compared after every cache has been shrunk: other
 * caches (the task cache, which ktest_on_each_hart uses, and kmalloc's)
 * may keep empty slabs, and that is not what these cases measure.
 */
#include <kernel/ktest.h>
#include <kernel/machine.h>
#include <kernel/mm_debug.h>
#include <kernel/mm_report.h>
#include <kernel/page.h>
#include <kernel/prng.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include "../../mm/slab.h" /* free_key, object_start_ok */
#include "ownership.h"
#include "one_report.h"

/* Free pages once every cache has given its empty slabs back. */
static size_t settled_free_pages(void)
{
	kmem_cache_shrink_all();
	return page_free_count();
}

static struct kmem_cache_stats stats_of(struct kmem_cache *cache)
{
	struct kmem_cache_stats s;

	kmem_cache_get_stats(cache, &s);
	return s;
}

static void fill_words(void *obj, size_t size, unsigned long v)
{
	unsigned long *w = obj;
	size_t i;

	for (i = 0; i < size / sizeof(long); i++)
		w[i] = v;
}

static bool words_are(const void *obj, size_t size, unsigned long v)
{
	const unsigned long *w = obj;
	size_t i;

	for (i = 0; i < size / sizeof(long); i++)
		if (w[i] != v)
			return false;
	return true;
}

/* --- Alignment and disjointness ------------------------------------- */

#define ALIGN_OBJECTS 300

static void *align_objs[ALIGN_OBJECTS];

KTEST(slab, objects_are_aligned_and_disjoint)
{
	static const struct {
		size_t size, align, expect;
	} kinds[] = {
		{ 40, 0, 8 },	 /* default: 8 bytes */
		{ 40, 64, 64 },	 /* asked for more than the size */
		{ 24, 16, 16 },	 /* asked for less than the size */
		{ 200, 32, 32 }, /* stride must keep every object aligned */
	};
	size_t before = settled_free_pages(), k;
	int i, n;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct kmem_cache *c = kmem_cache_create(
			"test-align", kinds[k].size, kinds[k].align, 0, NULL);
		struct kmem_cache_stats s;
		bool aligned = true, ok = true;

		KASSERT_NOT_NULL(t, c);
		s = stats_of(c);
		KEXPECT_EQ(t, s.object_size, kinds[k].size);
		KEXPECT_GE(t, s.stride, kinds[k].size);
		KEXPECT_EQ(t, s.stride % kinds[k].expect, 0);
		for (n = 0; n < ALIGN_OBJECTS; n++) {
			uint8_t *p = kmem_cache_alloc(c);

			if (!KEXPECT_NOT_NULL(t, p))
				break;
			align_objs[n] = p;
			if (aligned)
				aligned = KEXPECT_EQ(
					t, (uintptr_t)p % kinds[k].expect, 0);
			memset(p, n & 0xff, kinds[k].size);
		}
		/* Nobody wrote over anybody: the objects are disjoint. */
		for (i = 0; i < n && ok; i++) {
			const uint8_t *p = align_objs[i];
			size_t j;

			for (j = 0; j < kinds[k].size; j++)
				if (p[j] != (i & 0xff))
					break;
			ok = KEXPECT_EQ(t, j, kinds[k].size);
		}
		KEXPECT_EQ(t, stats_of(c).active, (size_t)n);
		for (i = 0; i < n; i++)
			kmem_cache_free(c, align_objs[i]);
		KEXPECT_EQ(t, stats_of(c).active, 0);
		KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
	}
	KEXPECT_EQ(t, settled_free_pages(), before);
}

/* --- Constructors --------------------------------------------------- */

#define CTOR_SIZE 48
#define CTOR_MARK 0xc0de5eedUL
#define CTOR_MAX_OBJECTS 600

static unsigned long ctor_calls;
static void *ctor_objs[CTOR_MAX_OBJECTS];

static void marking_ctor(void *obj)
{
	fill_words(obj, CTOR_SIZE, CTOR_MARK);
	__atomic_fetch_add(&ctor_calls, 1, __ATOMIC_RELAXED);
}

static unsigned long ctor_count(void)
{
	return __atomic_load_n(&ctor_calls, __ATOMIC_RELAXED);
}

/* Allocate n objects into ctor_objs; each must be in constructed state. */
static int alloc_constructed(struct ktest *t, struct kmem_cache *c, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		ctor_objs[i] = kmem_cache_alloc(c);
		if (!KEXPECT_NOT_NULL(t, ctor_objs[i]))
			break;
		if (!KEXPECT_TRUE(
			    t, words_are(ctor_objs[i], CTOR_SIZE, CTOR_MARK))) {
			i++;
			break;
		}
	}
	return i;
}

KTEST(slab, constructor_runs_once_per_object_when_first_handed_out)
{
	size_t before = settled_free_pages(), total_after_free;
	struct kmem_cache_stats s;
	struct kmem_cache *c;
	unsigned long calls;
	int i, n, want;

	__atomic_store_n(&ctor_calls, 0, __ATOMIC_RELAXED);
	c = kmem_cache_create("test-ctor", CTOR_SIZE, 0, 0, marking_ctor);
	KASSERT_NOT_NULL(t, c);
	s = stats_of(c);
	KEXPECT_EQ(t, ctor_count(), 0); /* slabs are carved lazily */
	/* Enough objects for two slabs. */
	want = (int)MIN((size_t)s.objects_per_slab + 50, CTOR_MAX_OBJECTS);
	n = alloc_constructed(t, c, want);
	s = stats_of(c);
	KEXPECT_EQ(t, s.active, (size_t)n);
	KEXPECT_GE(t, s.total, (size_t)n);
	/* Nothing went back yet: constructed = handed out or in magazines. */
	KEXPECT_EQ(t, ctor_count(), s.active + s.cached);
	ktest_log(t, "%d objects, %lu slabs, %lu constructor calls", n,
		  (unsigned long)s.slabs, ctor_count());

	/* Free one and take one, the others held: no constructor call. */
	calls = ctor_count();
	for (i = 0; i < 100 && n > 1; i++) {
		kmem_cache_free(c, ctor_objs[0]);
		ctor_objs[0] = kmem_cache_alloc(c);
		if (!KEXPECT_NOT_NULL(t, ctor_objs[0]) ||
		    !KEXPECT_TRUE(
			    t, words_are(ctor_objs[0], CTOR_SIZE, CTOR_MARK)))
			break;
	}
	KEXPECT_EQ(t, ctor_count(), calls);

	/*
	 * Free all and take them again.  Objects keep their constructed
	 * state while free; only objects of slabs made anew (the others
	 * went back to the pages meanwhile) meet the constructor, once.
	 */
	for (i = 0; i < n; i++)
		kmem_cache_free(c, ctor_objs[i]);
	KEXPECT_EQ(t, stats_of(c).active, 0);
	total_after_free = stats_of(c).total;
	calls = ctor_count();
	n = alloc_constructed(t, c, n);
	s = stats_of(c);
	KEXPECT_LE(t, ctor_count() - calls, (unsigned long)n);
	ktest_log(
		t,
		"%lu of %d objects taken again met the constructor (%lu objects in slabs before)",
		ctor_count() - calls, n, (unsigned long)total_after_free);

	for (i = 0; i < n; i++)
		kmem_cache_free(c, ctor_objs[i]);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KEXPECT_EQ(t, settled_free_pages(), before);
}

/* --- Pages go back --------------------------------------------------- */

#define MANY_OBJECTS 2000

static void *many_objs[MANY_OBJECTS];

KTEST(slab, empty_slabs_go_back_to_the_page_allocator)
{
	size_t before = settled_free_pages();
	struct kmem_cache_stats s;
	struct kmem_cache *c;
	int i, n;

	c = kmem_cache_create("test-pages", 100, 0, 0, NULL);
	KASSERT_NOT_NULL(t, c);
	for (n = 0; n < MANY_OBJECTS; n++) {
		many_objs[n] = kmem_cache_alloc(c);
		if (!KEXPECT_NOT_NULL(t, many_objs[n]))
			break;
	}
	s = stats_of(c);
	KEXPECT_EQ(t, s.active, (size_t)n);
	KEXPECT_GE(t, s.total, (size_t)n);
	KEXPECT_LT(t, page_free_count(), before);
	ktest_log(t, "%d objects of 100 bytes in %lu slabs of %u pages", n,
		  (unsigned long)s.slabs, s.pages_per_slab);
	for (i = 0; i < n; i++)
		kmem_cache_free(c, many_objs[i]);
	KEXPECT_EQ(t, stats_of(c).active, 0);
	/*
	 * Without a shrink, only the spare empty slabs (2) and the one or
	 * two that hold the objects freed last, now in this hart's
	 * magazine, are left: the rest went back as they emptied.
	 */
	KEXPECT_LE(t, stats_of(c).slabs, 4);

	kmem_cache_shrink(c);
	s = stats_of(c);
	KEXPECT_EQ(t, s.slabs, 0);
	KEXPECT_EQ(t, s.total, 0);
	KEXPECT_EQ(t, s.cached, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KEXPECT_EQ(t, settled_free_pages(), before);
}

/* --- Refused operations --------------------------------------------- */

/* Sizes and alignments a cache cannot have are refused, not served. */
KTEST(slab, create_refuses_bad_sizes_and_alignments)
{
	KEXPECT_NULL(t, kmem_cache_create("test-bad", 0, 0, 0, NULL));
	KEXPECT_NULL(t, kmem_cache_create("test-bad", SLAB_MAX_OBJECT + 1, 0, 0,
					  NULL));
	KEXPECT_NULL(t, kmem_cache_create("test-bad", 64, 24, 0, NULL));
	KEXPECT_NULL(t, kmem_cache_create("test-bad", 64, 2 * SLAB_MAX_OBJECT,
					  0, NULL));
}

KTEST(slab, destroy_refuses_while_objects_are_allocated)
{
	size_t before = settled_free_pages();
	struct kmem_cache *c =
		kmem_cache_create("test-destroy", 32, 0, 0, NULL);
	void *a, *b;

	KASSERT_NOT_NULL(t, c);
	a = kmem_cache_alloc(c);
	KASSERT_NOT_NULL(t, a);
	KEXPECT_EQ(t, kmem_cache_destroy(c), -1); /* reported */
	/* Nothing was done: the cache and its object are still there. */
	KEXPECT_EQ(t, stats_of(c).active, 1);
	fill_words(a, 32, 0xabcdUL);
	b = kmem_cache_alloc(c);
	KASSERT_NOT_NULL(t, b);
	KEXPECT_TRUE(t, a != b);
	KEXPECT_TRUE(t, words_are(a, 32, 0xabcdUL));
	kmem_cache_free(c, b);
	KEXPECT_EQ(t, kmem_cache_destroy(c), -1);
	kmem_cache_free(c, a);
	KEXPECT_EQ(t, stats_of(c).active, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KEXPECT_EQ(t, settled_free_pages(), before);
}

/*
 * A second destroy finds the cache on no list: refused with a report.
 * The search walks to the list's end, past the last cache, and must not
 * take the list's head for a cache there (clang's UBSan checks it).
 */
KTEST(slab, destroy_of_a_destroyed_cache_is_refused)
{
	struct kmem_cache *c =
		kmem_cache_create("test-destroy", 32, 0, 0, NULL);
	unsigned long reports;
	struct mm_report r;

	KASSERT_NOT_NULL(t, c);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
	reports = mm_report_count();
	KEXPECT_EQ(t, kmem_cache_destroy(c), -1);
	KASSERT_EQ(t, mm_report_count(), reports + 1);
	KASSERT_TRUE(t, mm_report_get(reports, &r));
	KEXPECT_EQ(t, r.bug, MM_BAD_CALL);
	KEXPECT_PTR_EQ(t, r.addr, c);
	KEXPECT_STREQ(t, r.where, "kmem_cache_destroy");
}

#define REUSE_CHECK 40

/* The next allocations must all differ from each other and from avoid. */
static void expect_distinct_allocations(struct ktest *t, struct kmem_cache *c,
					const void *avoid)
{
	void *p[REUSE_CHECK];
	bool distinct = true;
	int i, j, n;

	for (n = 0; n < REUSE_CHECK; n++) {
		p[n] = kmem_cache_alloc(c);
		if (!KEXPECT_NOT_NULL(t, p[n]))
			break;
		if (!KEXPECT_TRUE(t, p[n] != avoid))
			break; /* handed out twice: leave it alone */
	}
	for (i = 0; i < n && distinct; i++)
		for (j = i + 1; j < n && distinct; j++)
			distinct = KEXPECT_TRUE(t, p[i] != p[j]);
	for (i = 0; i < n; i++)
		kmem_cache_free(c, p[i]);
}

KTEST(slab, wrong_cache_free_is_refused)
{
	size_t before = settled_free_pages();
	struct kmem_cache *a = kmem_cache_create("test-a", 64, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("test-b", 64, 0, 0, NULL);
	void *obj, *other;

	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	obj = kmem_cache_alloc(a);
	other = kmem_cache_alloc(b); /* b has a slab of the same size */
	KASSERT_NOT_NULL(t, obj);
	KASSERT_NOT_NULL(t, other);
	fill_words(obj, 64, 0x600dUL);

	kmem_cache_free(b, obj); /* reported, nothing freed */
	KEXPECT_EQ(t, stats_of(b).refused_frees, 1);
	KEXPECT_EQ(t, stats_of(a).refused_frees, 0);
	KEXPECT_EQ(t, stats_of(a).active, 1);
	KEXPECT_EQ(t, stats_of(b).active, 1);
	KEXPECT_TRUE(t, words_are(obj, 64, 0x600dUL));
	/* Neither cache hands it out again. */
	expect_distinct_allocations(t, b, obj);
	expect_distinct_allocations(t, a, obj);
	KEXPECT_TRUE(t, words_are(obj, 64, 0x600dUL));

	kmem_cache_free(a, obj);
	kmem_cache_free(b, other);
	KEXPECT_EQ(t, stats_of(a).active, 0);
	KEXPECT_EQ(t, stats_of(b).active, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(a), 0);
	KEXPECT_EQ(t, kmem_cache_destroy(b), 0);
	KEXPECT_EQ(t, settled_free_pages(), before);
}

KTEST(slab, double_free_is_refused)
{
	size_t before = settled_free_pages();
	struct kmem_cache *c = kmem_cache_create("test-double", 64, 0, 0, NULL);
	void *a, *b;

	KASSERT_NOT_NULL(t, c);
	a = kmem_cache_alloc(c);
	b = kmem_cache_alloc(c); /* keeps the slab from being empty */
	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	fill_words(b, 64, 0xb0b0UL);

	/* Freed just now: the object may still be in a per-hart cache. */
	kmem_cache_free(c, a);
	KEXPECT_EQ(t, stats_of(c).active, 1);
	kmem_cache_free(c, a); /* reported, nothing freed */
	KEXPECT_EQ(t, stats_of(c).refused_frees, 1);
	KEXPECT_EQ(t, stats_of(c).active, 1);
	expect_distinct_allocations(t, c, b);
	KEXPECT_EQ(t, stats_of(c).active, 1);

	/* Freed long ago: the object is back on its slab. */
	a = kmem_cache_alloc(c);
	KASSERT_NOT_NULL(t, a);
	kmem_cache_free(c, a);
	kmem_cache_shrink(c); /* the slab stays: b is in it */
	kmem_cache_free(c, a);
	KEXPECT_EQ(t, stats_of(c).refused_frees, 2);
	KEXPECT_EQ(t, stats_of(c).active, 1);
	expect_distinct_allocations(t, c, b);

	KEXPECT_TRUE(t, words_are(b, 64, 0xb0b0UL));
	kmem_cache_free(c, b);
	KEXPECT_EQ(t, stats_of(c).active, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KEXPECT_EQ(t, settled_free_pages(), before);
}

/* --- The depot (mm/magazine.c) ------------------------------------------ */

#define DEPOT_OBJECTS 40 /* more than a magazine holds: one flush */

static void *depot_objs[DEPOT_OBJECTS];

/*
 * A full magazine parks objects in the cache's depot.  They stay free:
 * counted as cached, each free counted once, a second free of one
 * refused; validate accepts them, and a shrink gives them back.
 */
KTEST(slab, an_object_in_the_depot_is_counted_and_refused_twice)
{
	size_t before = settled_free_pages(), out;
	struct kmem_cache *c =
		kmem_cache_create("test-depot", 64, 0, SLAB_NO_DEBUG, NULL);
	struct kmem_cache_stats s;
	unsigned int i, parked, bound;
	void *obj;

	KASSERT_NOT_NULL(t, c);
	for (i = 0; i < DEPOT_OBJECTS; i++) {
		depot_objs[i] = kmem_cache_alloc(c);
		KASSERT_NOT_NULL(t, depot_objs[i]);
	}
	for (i = 0; i < DEPOT_OBJECTS; i++)
		kmem_cache_free(c, depot_objs[i]);
	acquire(&c->lock);
	parked = c->mags.depot_n;
	bound = c->mags.depot_max;
	obj = parked ? c->mags.depot[0] : NULL;
	out = c->objects_out;
	release(&c->lock);
	KASSERT_NOT_NULL(t, obj); /* the flush parked some of its batch */
	KEXPECT_LE(t, parked, bound);
	s = stats_of(c);
	KEXPECT_EQ(t, s.cached, out); /* the magazine's and the depot's */
	KEXPECT_EQ(t, s.active, 0);
	KEXPECT_EQ(t, s.frees, DEPOT_OBJECTS);
	KEXPECT_EQ(t, s.allocs, DEPOT_OBJECTS);

	kmem_cache_free(c, obj); /* reported, nothing freed */
	s = stats_of(c);
	KEXPECT_EQ(t, s.refused_frees, 1);
	KEXPECT_EQ(t, s.cached, out);
	KEXPECT_EQ(t, s.frees, DEPOT_OBJECTS);
	KEXPECT_EQ(t, kmem_cache_validate(c), 0);

	kmem_cache_shrink(c);
	KEXPECT_EQ(t, c->mags.depot_n, 0);
	KEXPECT_EQ(t, stats_of(c).cached, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KEXPECT_EQ(t, settled_free_pages(), before);
}

/*
 * A cache of large objects with few out keeps its depot small in bytes:
 * its magazine's flushes go back to the slabs, not to the depot.
 */
KTEST(slab, a_quiet_cache_of_large_objects_parks_little)
{
	struct kmem_cache *c = kmem_cache_create("test-depot-big", 1024, 0,
						 SLAB_NO_DEBUG, NULL);
	unsigned int i, parked, limit;

	KASSERT_NOT_NULL(t, c);
	for (i = 0; i < 8; i++) {
		depot_objs[i] = kmem_cache_alloc(c);
		KASSERT_NOT_NULL(t, depot_objs[i]);
	}
	for (i = 0; i < 8; i++)
		kmem_cache_free(c, depot_objs[i]);
	acquire(&c->lock);
	parked = c->mags.depot_n;
	limit = c->mags.limit;
	release(&c->lock);
	KEXPECT_GT(t, limit, 0);
	KEXPECT_LT(t, limit, 8);  /* so its magazine was flushed */
	KEXPECT_EQ(t, parked, 0); /* 512 bytes hold no object of 1024 */
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/*
 * The free key is a hint, not a verdict: an object whose own data looks
 * like its key is still freed, after the slow path has made sure.
 */
KTEST(slab, live_data_that_looks_free_is_still_freed)
{
	size_t before = settled_free_pages();
	/* The plain layout: the key is where the caller's data is. */
	struct kmem_cache *c =
		kmem_cache_create("test-key", 64, 0, SLAB_NO_DEBUG, NULL);
	void *a, *b;

	KASSERT_NOT_NULL(t, c);
	a = kmem_cache_alloc(c);
	KASSERT_NOT_NULL(t, a);
	*free_key(c, a) = key_of(a); /* the caller's data, as it happens */
	kmem_cache_free(c, a);
	KEXPECT_EQ(t, stats_of(c).refused_frees, 0);
	KEXPECT_EQ(t, stats_of(c).active, 0);
	b = kmem_cache_alloc(c); /* the hart's magazine gives a back */
	KEXPECT_PTR_EQ(t, b, a);
	kmem_cache_free(c, b);
	kmem_cache_free(c, b); /* and a true double free is still caught */
	KEXPECT_EQ(t, stats_of(c).refused_frees, 1);
	KEXPECT_EQ(t, stats_of(c).active, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KEXPECT_EQ(t, settled_free_pages(), before);
}

/* Nonsense given to kmem_cache_free is refused, never followed. */
KTEST(slab, free_with_a_bad_cache_or_pointer_is_refused)
{
	static unsigned long not_in_a_slab[4];
	struct kmem_cache *c = kmem_cache_create("test-bad", 32, 0, 0, NULL);
	char *a;

	KASSERT_NOT_NULL(t, c);
	a = kmem_cache_alloc(c);
	KASSERT_NOT_NULL(t, a);
	kmem_cache_free(NULL, NULL);
	kmem_cache_free(c, NULL);
	KEXPECT_EQ(t, stats_of(c).refused_frees, 0);
	kmem_cache_free(NULL, a);	   /* no cache */
	kmem_cache_free(c, not_in_a_slab); /* not a slab */
	kmem_cache_free(c, a + 8);	   /* inside an object */
	kmem_cache_free(c, (char *)-1L);   /* nowhere */
	KEXPECT_EQ(t, stats_of(c).refused_frees, 3);
	KEXPECT_EQ(t, stats_of(c).active, 1);
	kmem_cache_free(c, a);
	KEXPECT_EQ(t, stats_of(c).active, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/*
 * A slab is carved lazily: its objects past the bump were never handed
 * out, so a free of one is no free of an allocated object.  The last
 * object of a fresh slab is past the bump after one allocation: refused,
 * and nothing changes.
 */
KTEST(slab, free_of_an_object_never_handed_out_is_refused)
{
	struct kmem_cache *c = kmem_cache_create("test-bump", 32, 0, 0, NULL);
	struct kmem_cache_stats s;
	char *a, *last;

	KASSERT_NOT_NULL(t, c);
	a = kmem_cache_alloc(c);
	KASSERT_NOT_NULL(t, a);
	s = stats_of(c);
	KASSERT_TRUE(t, s.objects_per_slab > s.cached + 1);
	last = (char *)((uintptr_t)a & ~(uintptr_t)(PAGE_SIZE - 1)) +
	       (s.objects_per_slab - 1) * s.stride;
	kmem_cache_free(c, last);
	s = stats_of(c);
	KEXPECT_EQ(t, s.refused_frees, 1);
	KEXPECT_EQ(t, s.active, 1);
	kmem_cache_free(c, a);
	KEXPECT_EQ(t, stats_of(c).active, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/*
 * One multiplication decides whether an offset starts an object: check
 * it for every stride a cache can have (multiples of 8 up to the largest
 * object) against every offset in a slab.
 */
KTEST(slab, object_start_check_is_exact_for_every_stride)
{
	size_t stride, off, wrong = 0, strides = 0;

	for (stride = 2 * sizeof(void *); stride <= SLAB_MAX_OBJECT;
	     stride += 8) {
		struct kmem_cache *c = kmem_cache_create(
			"test-stride", stride, 8, SLAB_NO_DEBUG, NULL);
		unsigned int objects;
		size_t bytes;

		KASSERT_NOT_NULL(t, c);
		KEXPECT_EQ(t, c->stride, stride);
		objects = c->objects;
		bytes = (size_t)PAGE_SIZE << c->order;
		for (off = 0; off < bytes; off++) {
			bool starts =
				off % stride == 0 && off / stride < objects;

			if (object_start_ok(c->off_magic, objects * c->off_step,
					    off) != starts &&
			    wrong++ < 3)
				KEXPECT_EQ(t, off, (size_t)-1); /* name it */
		}
		strides++;
		KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
	}
	ktest_log(t, "%lu strides x every offset of their slabs, %lu wrong",
		  (unsigned long)strides, (unsigned long)wrong);
	KEXPECT_EQ(t, wrong, 0);
}

/*
 * Out of memory: allocate 2 KiB objects until there is no page left for
 * a slab.  The cache says NULL (again and again), its counts stay
 * exact, and every page comes back.  The objects are chained through
 * themselves, so the case needs no memory of its own.
 */
KTEST(slab, out_of_memory_returns_null_and_recovers)
{
	size_t before = settled_free_pages(), n = 0;
	struct kmem_cache *c =
		kmem_cache_create("test-oom", 2048, 0, SLAB_NO_DEBUG, NULL);
	void *chain = NULL, *p;

	KASSERT_NOT_NULL(t, c);
	while ((p = kmem_cache_alloc(c))) {
		*(void **)p = chain;
		chain = p;
		n++;
	}
	KEXPECT_NULL(t, kmem_cache_alloc(c));
	KEXPECT_NULL(t, kmem_cache_alloc(c));
	KEXPECT_EQ(t, stats_of(c).active, n);
	KEXPECT_GT(t, (uint64_t)n * 2048, (uint64_t)before * PAGE_SIZE / 2);
	ktest_log(t, "%lu objects of 2 KiB before memory ran out",
		  (unsigned long)n);
	while (chain) {
		p = chain;
		chain = *(void **)p;
		kmem_cache_free(c, p);
	}
	KEXPECT_EQ(t, stats_of(c).active, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
	KEXPECT_EQ(t, settled_free_pages(), before);
}

/*
 * A write into a freed object that breaks its slab's free list (here its
 * link, pointed inside another object) is reported when the list is next
 * used, and the rest of the list is given up: the allocator never hands
 * out memory it does not own, and goes on.
 */
KTEST(slab, a_free_list_broken_by_a_write_after_free_is_given_up)
{
	/* The plain layout: the link is in the freed object. */
	struct kmem_cache *c =
		kmem_cache_create("test-uaf", 64, 0, SLAB_NO_DEBUG, NULL);
	void *a, *b, *keep, *objs[8];
	unsigned long before;
	struct mm_report r;
	int i;

	KASSERT_NOT_NULL(t, c);
	a = kmem_cache_alloc(c);
	b = kmem_cache_alloc(c);
	keep = kmem_cache_alloc(c); /* so that the slab stays */
	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	KASSERT_NOT_NULL(t, keep);
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	kmem_cache_shrink(c); /* a and b are back on their slab's list */
	*(void **)a = (char *)keep + 8; /* the write after free, ... */
	*(void **)b = (char *)keep + 8; /* ... whichever is first */
	before = mm_report_count();
	for (i = 0; i < 8; i++) {
		objs[i] = kmem_cache_alloc(c);
		KEXPECT_NOT_NULL(t, objs[i]);
		KEXPECT_TRUE(t, objs[i] != (char *)keep + 8);
		KEXPECT_TRUE(t, objs[i] != keep);
	}
	if (one_report(t, before, &r)) {
		KEXPECT_EQ(t, r.bug, MM_CORRUPTION);
		KEXPECT_TRUE(t, strstr(r.detail,
				       "caught by the free-list link check") !=
					NULL);
	}
	for (i = 0; i < 8; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_free(c, keep);
	KEXPECT_EQ(t, page_validate(), 0);
	/* The objects given up count as in use: the cache stays. */
}

/* --- Checking a whole cache, and naming an address ------------------- */

/*
 * A fresh cache whose one slab holds keep in use and VAL_FREED objects
 * on its free list (the magazines emptied onto it).
 */
#define VAL_FREED 4

static struct kmem_cache *val_cache(struct ktest *t, const char *name,
				    void **keep)
{
	struct kmem_cache *c =
		kmem_cache_create(name, 64, 0, SLAB_NO_DEBUG, NULL);
	void *freed[VAL_FREED];
	int i;

	if (!KEXPECT_NOT_NULL(t, c))
		return NULL;
	*keep = kmem_cache_alloc(c);
	for (i = 0; i < VAL_FREED; i++)
		freed[i] = kmem_cache_alloc(c);
	for (i = 0; i < VAL_FREED; i++)
		kmem_cache_free(c, freed[i]);
	kmem_cache_shrink(c);
	if (!KEXPECT_NOT_NULL(t, *keep))
		return NULL;
	/* Live data: whatever the page held before is no free key. */
	memset(*keep, 0xa5, 64);
	return c;
}

/* kmem_cache_validate finds one problem, reported with these words. */
static void expect_caught(struct ktest *t, struct kmem_cache *c,
			  const char *words)
{
	unsigned long before = mm_report_count();
	struct mm_report r = { 0 }; /* cppcheck: mm_report_get fills it */

	KEXPECT_EQ(t, kmem_cache_validate(c), 1);
	if (one_report(t, before, &r)) {
		KEXPECT_EQ(t, r.bug, MM_CORRUPTION);
		if (!KEXPECT_TRUE(
			    t, strstr(r.detail, words) &&
				       strstr(r.detail, "kmem_cache_validate")))
			ktest_log(t, "report \"%s\", not \"%s\"", r.detail,
				  words);
	}
}

/*
 * Each part of a cache broken on purpose, one at a time, is named by
 * kmem_cache_validate (and counted by mm_validate); put back, the cache
 * checks clean again.
 */
KTEST(slab, validate_names_each_broken_part)
{
	void *keep, *more, *saved_free, **top;
	struct list_head *saved_prev;
	struct kmem_cache *c = val_cache(t, "test-validate", &keep);
	struct magazine *m;
	struct slab *s;
	unsigned long n;
	bool pushed;

	KASSERT_NOT_NULL(t, c);
	s = slab_of(keep);
	KASSERT_NOT_NULL(t, s);
	KASSERT_EQ(t, kmem_cache_validate(c), 0);

	s->cache = NULL;
	expect_caught(t, c, "not this cache's slab");
	s->cache = c;

	s->bump++;
	expect_caught(t, c, "is no object boundary in it");
	s->bump--;

	s->reach++;
	expect_caught(t, c, "does not match its bump");
	s->reach--;

	s->inuse = 0; /* an empty slab on the partial list */
	expect_caught(t, c, "is on the wrong list");
	s->inuse = 1;

	saved_free = s->free;
	s->free = keep; /* a list that leads to a live object */
	expect_caught(t, c, "no free object of it");
	s->free = NULL; /* a list that lost its objects */
	expect_caught(t, c, "free list holds 0 objects");
	s->free = saved_free;

	saved_prev = s->node.next->prev;
	s->node.next->prev = NULL;
	expect_caught(t, c, "a slab list of the cache is broken");
	s->node.next->prev = saved_prev;

	c->nr_slabs++;
	expect_caught(t, c, "the cache counts 2 slabs");
	KEXPECT_EQ(t, mm_validate(), 1); /* and only this cache */
	c->nr_slabs--;
	KEXPECT_EQ(t, mm_validate(), 0);

	/*
	 * This hart's magazine refilled by an allocation, and its newest
	 * object pushed again: held twice.
	 */
	more = kmem_cache_alloc(c);
	KASSERT_NOT_NULL(t, more);
	push_off();
	m = &c->mags.mag[this_hart()];
	while (!(top = __atomic_exchange_n(&m->top, NULL, __ATOMIC_ACQUIRE)))
		cpu_relax();
	n = (unsigned long)(top - m->slot);
	pushed = n > 0 && top < m->end;
	if (pushed) {
		*top = top[-1];
		top++;
	}
	__atomic_store_n(&m->top, top, __ATOMIC_RELEASE);
	pop_off();
	if (KEXPECT_TRUE(t, pushed))
		expect_caught(t, c, "per-hart magazines hold");

	KEXPECT_EQ(t, kmem_cache_validate(c), 0);
	kmem_cache_free(c, more);
	kmem_cache_free(c, keep);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* What mm_describe (the shell's allocs ADDR) says of an address. */
static bool described_as(struct ktest *t, const void *p, const char *words)
{
	char buf[120];

	mm_describe(p, buf, sizeof(buf));
	if (strstr(buf, words))
		return true;
	ktest_log(t, "%p: \"%s\", not \"%s\"", p, buf, words);
	return KEXPECT_TRUE(t, false);
}

KTEST(slab, an_address_is_described_by_what_holds_it)
{
	void *keep, *freed;
	struct kmem_cache *c = val_cache(t, "test-describe", &keep);
	struct slab *s;
	int on_stack;

	KASSERT_NOT_NULL(t, c);
	s = slab_of(keep);
	KASSERT_NOT_NULL(t, s);
	freed = s->free;
	KASSERT_NOT_NULL(t, freed);
	described_as(t, (char *)keep + 8,
		     "8 bytes into the live object of test-describe");
	described_as(t, freed, "0 bytes into the free object of test-describe");
	described_as(t, s->bump + 3,
		     "in an object of test-describe never handed out");
	/* Past the last object, still in the slab's last page. */
	if ((uintptr_t)slab_end(c, s) % PAGE_SIZE)
		described_as(t, slab_end(c, s),
			     "in the own bytes of a slab of test-describe");
	described_as(t, &on_stack, "it is on a stack");
	described_as(t, &slab_map, "it is in the kernel image");
	kmem_cache_free(c, keep);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* --- Frees from another hart ---------------------------------------- */

#define XHART_OBJECTS 500
#define XHART_SIZE 56

static struct {
	struct kmem_cache *cache;
	void *objs[XHART_OBJECTS];
	unsigned long failed; /* a dummy, published when alloc fails */
	unsigned long errors;
	unsigned int freed_on;
} xh;

static void xhart_free_all(void)
{
	unsigned int i;

	for (i = 0; i < XHART_OBJECTS; i++) {
		void *p;

		while (!(p = __atomic_load_n(&xh.objs[i], __ATOMIC_ACQUIRE)))
			cpu_relax();
		if (p == &xh.failed)
			continue;
		if (!words_are(p, XHART_SIZE, i))
			__atomic_fetch_add(&xh.errors, 1, __ATOMIC_RELAXED);
		kmem_cache_free(xh.cache, p);
	}
	xh.freed_on = ktest_hart();
}

static void xhart_role(void *arg)
{
	unsigned int me = ktest_hart(), i;

	(void)arg;
	if (me == 0) {
		for (i = 0; i < XHART_OBJECTS; i++) {
			void *p = kmem_cache_alloc(xh.cache);

			if (p) {
				fill_words(p, XHART_SIZE, i);
			} else {
				__atomic_fetch_add(&xh.errors, 1,
						   __ATOMIC_RELAXED);
				p = &xh.failed;
			}
			__atomic_store_n(&xh.objs[i], p, __ATOMIC_RELEASE);
		}
		if (nr_harts_online() == 1)
			xhart_free_all();
	} else if (me == 1) {
		xhart_free_all();
	}
}

KTEST(slab, frees_from_another_hart_work)
{
	size_t before = settled_free_pages();
	struct kmem_cache_stats s;

	memset(&xh, 0, sizeof(xh));
	xh.cache = kmem_cache_create("test-xhart", XHART_SIZE, 0, 0, NULL);
	KASSERT_NOT_NULL(t, xh.cache);
	ktest_on_each_hart(xhart_role, NULL);
	KEXPECT_EQ(t, xh.errors, 0);
	if (nr_harts_online() > 1)
		KEXPECT_EQ(t, xh.freed_on, 1);
	s = stats_of(xh.cache);
	KEXPECT_EQ(t, s.active, 0);
	ktest_log(t, "%u objects freed on hart %u; %lu left in per-hart caches",
		  XHART_OBJECTS, xh.freed_on, (unsigned long)s.cached);
	/* The objects freed over there are good to use here. */
	expect_distinct_allocations(t, xh.cache, NULL);
	KEXPECT_EQ(t, stats_of(xh.cache).active, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(xh.cache), 0);
	KEXPECT_EQ(t, settled_free_pages(), before);
}

/*
 * A double free whose first free went into another hart's magazine: the
 * slow path must look through every hart's magazine, not just its own.
 */
static struct {
	struct kmem_cache *cache;
	void *obj;
} dx;

static void free_on_hart_1(void *arg)
{
	(void)arg;
	if (ktest_hart() == 1)
		kmem_cache_free(dx.cache, dx.obj);
}

KTEST(slab, double_free_across_harts_is_refused)
{
	void *keep;

	if (nr_harts_online() < 2) {
		ktest_log(t, "needs 2 harts: skipped");
		return;
	}
	dx.cache = kmem_cache_create("test-dx", 48, 0, 0, NULL);
	KASSERT_NOT_NULL(t, dx.cache);
	dx.obj = kmem_cache_alloc(dx.cache);
	keep = kmem_cache_alloc(dx.cache);
	KASSERT_NOT_NULL(t, dx.obj);
	KASSERT_NOT_NULL(t, keep);
	ktest_on_each_hart(free_on_hart_1, NULL);
	KEXPECT_EQ(t, stats_of(dx.cache).active, 1);
	if (ktest_hart() == 1) { /* it must be another hart's magazine */
		ktest_log(t, "the case runs on hart 1: skipped");
		kmem_cache_free(dx.cache, keep);
		return;
	}
	kmem_cache_free(dx.cache, dx.obj); /* refused */
	KEXPECT_EQ(t, stats_of(dx.cache).refused_frees, 1);
	KEXPECT_EQ(t, stats_of(dx.cache).active, 1);
	expect_distinct_allocations(t, dx.cache, keep);
	kmem_cache_free(dx.cache, keep);
	KEXPECT_EQ(t, kmem_cache_destroy(dx.cache), 0);
}

/*
 * Drains race the fast paths: hart 0 shrinks the cache (which empties
 * every hart's magazine) and reads its statistics over and over, while
 * the other harts allocate and free as fast as they can.  Every object
 * carries an owner word (after the allocator's link and key): taking an
 * object that another hart still owns, or finding one's own word
 * changed, means the magazine lock let a drain and a hart both have an
 * object.
 */
#define DRAIN_SIZE 64
#define DRAIN_KEEP 12 /* objects each hart holds: magazines fill and empty */
#define DRAIN_LIVE 0x11fe0000UL

static struct {
	struct kmem_cache *cache;
	unsigned long errors, rounds;
	unsigned int workers_done;
} dr;

static unsigned long *owner_word(void *obj)
{
	return (unsigned long *)obj + 2;
}

static void drain_worker(void)
{
	unsigned long me = DRAIN_LIVE | ktest_hart(), i;
	void *held[DRAIN_KEEP] = { NULL };

	for (i = 0; i < dr.rounds; i++) {
		unsigned int slot = i % DRAIN_KEEP;
		void *p = kmem_cache_alloc(dr.cache);
		unsigned long was;

		if (!p) {
			__atomic_fetch_add(&dr.errors, 1, __ATOMIC_RELAXED);
			break;
		}
		was = __atomic_exchange_n(owner_word(p), me, __ATOMIC_RELAXED);
		if ((was & ~0xffffUL) == DRAIN_LIVE)
			__atomic_fetch_add(&dr.errors, 1, __ATOMIC_RELAXED);
		if (held[slot]) {
			was = __atomic_exchange_n(owner_word(held[slot]), 0,
						  __ATOMIC_RELAXED);
			if (was != me)
				__atomic_fetch_add(&dr.errors, 1,
						   __ATOMIC_RELAXED);
			kmem_cache_free(dr.cache, held[slot]);
		}
		held[slot] = p;
	}
	for (i = 0; i < DRAIN_KEEP; i++) {
		if (!held[i])
			continue;
		__atomic_store_n(owner_word(held[i]), 0, __ATOMIC_RELAXED);
		kmem_cache_free(dr.cache, held[i]);
	}
}

static void drain_role(void *arg)
{
	struct kmem_cache_stats s;

	(void)arg;
	if (ktest_hart() != 0) {
		drain_worker();
		__atomic_fetch_add(&dr.workers_done, 1, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&dr.workers_done, __ATOMIC_ACQUIRE) <
	       nr_harts_online() - 1) {
		kmem_cache_shrink(dr.cache);
		kmem_cache_get_stats(dr.cache, &s);
	}
}

KTEST(slab, drains_race_the_fast_paths)
{
	if (nr_harts_online() < 2) {
		ktest_log(t, "needs 2 harts: skipped");
		return;
	}
	memset(&dr, 0, sizeof(dr));
	dr.rounds = 20000 * ktest_scale();
	dr.cache = kmem_cache_create("test-drain", DRAIN_SIZE, 0, 0, NULL);
	KASSERT_NOT_NULL(t, dr.cache);
	ktest_on_each_hart(drain_role, NULL);
	KEXPECT_EQ(t, dr.errors, 0);
	KEXPECT_EQ(t, stats_of(dr.cache).active, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(dr.cache), 0);
}

/* --- Every hart at once ---------------------------------------------- */

/*
 * Each hart owns SLOTS slots and, at random, fills an empty one (alloc,
 * then stamp every word of the object with owner and serial), empties a
 * full one (check the stamp, free), swaps one with a mailbox shared by
 * all harts (so objects are freed on other harts than their own), or now
 * and then frees everything it holds or shrinks the cache under the
 * others' feet.  An object handed out twice, or written by the allocator
 * while allocated, shows up as a wrong stamp.
 */
#define SLOTS 128
#define MAILBOXES 16
#define OBJ_SIZE 72
#define ROUNDS 3000

struct slot {
	unsigned long *p;
	unsigned long stamp;
};

struct owner {
	struct slot slots[SLOTS];
	struct prng rng;
	unsigned long serial;
	unsigned long handoffs;
} __aligned(CACHELINE_SIZE);

static struct {
	struct kmem_cache *cache;
	unsigned long *mailbox[MAILBOXES];
	unsigned int rounds;
	unsigned long errors;
	struct owner harts[MAX_HARTS];
} tt;

#define torture_error(...) ktest_report(&tt.errors, __VA_ARGS__)

static void check_stamp(const struct slot *s)
{
	stamp_intact(s->p, OBJ_SIZE, 1, s->stamp, &tt.errors);
}

static void free_slot(struct slot *s)
{
	check_stamp(s);
	kmem_cache_free(tt.cache, s->p);
	s->p = NULL;
}

/* An object from a mailbox: one stamp throughout, from a valid owner. */
static void check_handed_over(const unsigned long *p)
{
	struct slot s = { (unsigned long *)p, p[0] };

	if (stamp_owner(p[0]) < 0 || stamp_owner(p[0]) >= MAX_HARTS)
		torture_error("object %p from a mailbox has no stamp: %lx",
			      (const void *)p, p[0]);
	else
		check_stamp(&s);
}

static void swap_with_mailbox(unsigned int me, struct owner *o, struct slot *s)
{
	unsigned long *got;

	if (s->p)
		check_stamp(s);
	got = __atomic_exchange_n(&tt.mailbox[prng_below(&o->rng, MAILBOXES)],
				  s->p, __ATOMIC_ACQ_REL);
	s->p = got;
	if (got) {
		check_handed_over(got);
		s->stamp = stamp_next(me, &o->serial);
		stamp_fill(got, OBJ_SIZE, 1, s->stamp);
		o->handoffs++;
	}
}

static void torture_hart(void *arg)
{
	unsigned int me = ktest_hart(), i, j;
	struct owner *o = &tt.harts[me];

	(void)arg;
	prng_seed(&o->rng, 0x51ab + me);
	for (i = 0; i < tt.rounds; i++) {
		unsigned int op = prng_below(&o->rng, 1000);
		struct slot *s = &o->slots[prng_below(&o->rng, SLOTS)];

		if (op == 0) {
			for (j = 0; j < SLOTS; j++)
				if (o->slots[j].p)
					free_slot(&o->slots[j]);
		} else if (op == 1) {
			kmem_cache_shrink(tt.cache);
		} else if (op < 100) {
			swap_with_mailbox(me, o, s);
		} else if (s->p) {
			free_slot(s);
		} else {
			s->p = kmem_cache_alloc(tt.cache);
			if (!s->p) {
				torture_error("hart %u: allocation failed", me);
				continue;
			}
			if ((uintptr_t)s->p % 8)
				torture_error("object %p is not aligned",
					      (void *)s->p);
			s->stamp = stamp_next(me, &o->serial);
			stamp_fill(s->p, OBJ_SIZE, 1, s->stamp);
		}
	}
	for (j = 0; j < SLOTS; j++)
		if (o->slots[j].p)
			free_slot(&o->slots[j]);
}

KTEST(slab, torture_on_every_hart)
{
	size_t before = settled_free_pages();
	unsigned long handoffs = 0;
	unsigned int i, harts;

	memset(&tt, 0, sizeof(tt));
	tt.rounds = ROUNDS * ktest_scale();
#ifdef HOST_TEST
	tt.rounds *= 10;
#endif
	tt.cache = kmem_cache_create("test-torture", OBJ_SIZE, 0, 0, NULL);
	KASSERT_NOT_NULL(t, tt.cache);
	harts = ktest_on_each_hart(torture_hart, NULL);
	for (i = 0; i < MAILBOXES; i++) {
		if (!tt.mailbox[i])
			continue;
		check_handed_over(tt.mailbox[i]);
		kmem_cache_free(tt.cache, tt.mailbox[i]);
	}
	for (i = 0; i < MAX_HARTS; i++)
		handoffs += tt.harts[i].handoffs;
	ktest_log(t,
		  "%u rounds on each of %u harts, %lu objects through the "
		  "mailboxes",
		  tt.rounds, harts, handoffs);
	KEXPECT_EQ(t, tt.errors, 0);
	KEXPECT_EQ(t, stats_of(tt.cache).active, 0);
	kmem_cache_shrink(tt.cache);
	KEXPECT_EQ(t, stats_of(tt.cache).slabs, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(tt.cache), 0);
	KEXPECT_EQ(t, settled_free_pages(), before);
}

/* --- Space ------------------------------------------------------------ */

#define SPACE_OBJECTS 100000
#define SPACE_SIZE 64

KTEST(slab, space_for_100000_objects_of_64_bytes)
{
	size_t settled = settled_free_pages(), before, used, i, n;
	size_t array_pages =
		(SPACE_OBJECTS * sizeof(void *) + PAGE_SIZE - 1) / PAGE_SIZE;
	struct kmem_cache_stats s;
	struct kmem_cache *c;
	void **objs;

	objs = page_alloc(array_pages);
	KASSERT_NOT_NULL(t, objs);
	c = kmem_cache_create("test-space", SPACE_SIZE, 0, SLAB_NO_DEBUG, NULL);
	if (!KEXPECT_NOT_NULL(t, c)) {
		page_free(objs);
		return;
	}
	before = page_free_count();
	for (n = 0; n < SPACE_OBJECTS; n++) {
		objs[n] = kmem_cache_alloc(c);
		if (!KEXPECT_NOT_NULL(t, objs[n]))
			break;
	}
	used = before - page_free_count();
	s = stats_of(c);
	KEXPECT_EQ(t, n, SPACE_OBJECTS);
	KEXPECT_EQ(t, s.active, n);
	/* At most 7% over the objects' own bytes. */
	KEXPECT_LE(t, (uint64_t)used * PAGE_SIZE * 100,
		   (uint64_t)SPACE_OBJECTS * SPACE_SIZE * 107);
	ktest_log(
		t,
		"%lu objects of %d bytes in %lu pages (%lu slabs, "
		"%u objects each): %lu bytes per 100 objects",
		(unsigned long)n, SPACE_SIZE, (unsigned long)used,
		(unsigned long)s.slabs, s.objects_per_slab,
		(unsigned long)(n ? (uint64_t)used * PAGE_SIZE * 100 / n : 0));
	for (i = 0; i < n; i++)
		kmem_cache_free(c, objs[i]);
	KEXPECT_EQ(t, stats_of(c).active, 0);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
	page_free(objs);
	KEXPECT_EQ(t, settled_free_pages(), settled);
}
