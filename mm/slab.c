/*
 * slab.c - object caches on top of the page allocator.
 *
 * A cache hands out objects of one size.  It keeps them in slabs: runs of
 * 2^order pages from page_alloc, each cut into equal objects.  The order
 * is the smallest that wastes at most an eighth of the slab and holds at
 * least 2 objects, so most caches use one-page slabs.  A slab's header,
 * struct slab, sits at the end of the slab for small objects, where it
 * costs at most one small object, and apart (from the "kmem_slab" cache)
 * for objects of 512 bytes and more, where it would cost a whole one:
 *
 *   small objects (on-slab header)
 *   +--------+--------+--------+-----+----------+-------+-------------+
 *   | obj 0  | obj 1  | obj 2  | ... | obj n-1  | waste | struct slab |
 *   +--------+--------+--------+-----+----------+-------+-------------+
 *   large objects (off-slab header: the slab is all objects)
 *   +----------------+----------------+----------------+--------------+
 *   | obj 0          | obj 1          | obj 2          | obj 3        |
 *   +----------------+----------------+----------------+--------------+
 *   ^ base                       ^ bump: objects from here on were
 *                                  never handed out (carved lazily)
 *
 *   free object (stride bytes):   | link | key | ...                  |
 *   with a constructor:           | payload (size) | link | key | pad |
 *
 * A new slab is carved lazily: its objects are handed out from the bump
 * one by one as they are first needed, so making a slab costs the same
 * whatever its size (a constructor, if any, runs then, once per object).
 * Objects given back go on the slab's free list, and are handed out
 * again before the bump moves.
 *
 * Finding things from an address, in O(1) and without a header in front
 * of each object:
 *   - slab_map.slab_of has one entry per page of memory: the slab it
 *     belongs to, or NULL.  kfree learns the slab, and so the cache,
 *     there, and any pointer that is in no slab is refused there.
 *   - the offset of an object from object 0 must be a multiple of the
 *     stride, below the last object: one multiplication and one
 *     comparison check both (object_start_check, below); and below the
 *     bump, or it was never handed out.
 *   - a free object holds its free key, the complement of its own
 *     address, in the word after the free-list link.  Freeing an object
 *     that holds its key is probably a double free; the slow path looks
 *     through the magazines and the slab's free list to be sure, so live
 *     data that happens to look like a key costs time, never correctness.
 *     A constructor's state survives because link and key then sit after
 *     the payload.
 *   - every link taken off a slab's free list must be NULL or a handed-out
 *     object of the same slab: a write after free that broke it stops the
 *     kernel there, before the allocator hands out memory it does not own.
 *
 * Each hart has a magazine of free objects per cache (mm/magazine.h): the
 * common alloc and free touch only it, with interrupts off and no shared
 * lock.  A magazine holds up to a sixteenth of the objects the cache has
 * out or 2 KiB of them (4 to MAG_SLOTS), so a cache of few large objects
 * keeps few in its magazines and a busy one gets large ones; it is
 * refilled or flushed
 * whole under the cache lock, taking at most one new slab a refill.  An
 * object freed on another hart than the one that allocated it just goes
 * into that hart's magazine.
 *
 * Slabs sit on three lists, partial (some objects free or never handed
 * out), full and empty, and move only when the list they belong on
 * changes.  An empty slab goes back to the pages, one a flush, unless it
 * is the cache's last (__spare_empty); kmem_cache_shrink gives back that
 * one too.  The cache
 * descriptors are objects too, of the "kmem_cache" cache, whose own
 * descriptor is static, like that of "kmem_slab".
 *
 * Locking: cache->lock (LOCK_LEVEL_SLAB) protects the slab lists, the
 * slabs' free lists and bumps, and the counters; slab_lock
 * (LOCK_LEVEL_SLAB_CACHES, taken before any cache lock) the list of
 * caches.  page_alloc and page_free are called with a cache lock held,
 * and so is kmem_slab, whose lock is one level lower
 * (LOCK_LEVEL_SLAB_HEADERS).  The magazines' own locks come after the
 * cache lock (mm/magazine.h).
 */
#include <kernel/mm_debug.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include "internal.h"
#include "report.h"
#include "slab.h"
#include "watch.h"

_Static_assert(SLAB_CHECKS == MM_DEBUG_CHECKS &&
		       SLAB_RED_ZONE == MM_DEBUG_REDZONE &&
		       SLAB_POISON == MM_DEBUG_POISON &&
		       SLAB_TRACK == MM_DEBUG_TRACK &&
		       SLAB_WATCH == MM_DEBUG_WATCH,
	       "a cache's debug flags are mm.debug's letters");

#define MAX_SLAB_ORDER 3  /* slabs of 1 to 8 pages */
#define MIN_OBJECTS 2	  /* per slab, unless the largest slab holds fewer */
#define OFF_SLAB_FROM 512 /* objects this large keep their header apart */
#define MAG_SHARE 16	  /* a magazine holds 1/16 of the objects out, */
#define MAG_BYTES 2048	  /* or this many bytes of them, if that is more, */
#define MAG_MIN 2	  /* and at least 2 */
#define DEPOT_BYTES 512	  /* a depot: 1/16 too, or this many bytes, */
#define MAX_EMPTY 0	  /* spare empty slabs a cache keeps ... */

static DEFINE_SPINLOCK(slab_lock, "slab_caches", LOCK_LEVEL_SLAB_CACHES);
static LIST_HEAD(all_caches);
struct slab_map slab_map __read_mostly;

/* The caches of slab headers and of cache descriptors: static. */
static struct kmem_cache slab_header_cache __aligned(CACHELINE_SIZE);
static struct kmem_cache cache_cache __aligned(CACHELINE_SIZE);

/* --- Objects and slabs ----------------------------------------------- */

static void set_slab_map(void *base, unsigned int order, struct slab *s)
{
	size_t i = ((uintptr_t)base >> PAGE_SHIFT) - slab_map.first_pfn;
	size_t n = (size_t)1 << order;

	while (n--)
		__atomic_store_n(&slab_map.slab_of[i++], s, __ATOMIC_RELEASE);
}

/* Which list s belongs on. */
/* --- Slabs (cache->lock held) ----------------------------------------- */

static struct slab *__new_slab(struct kmem_cache *c)
{
	char *base =
		page_alloc_as(1u << c->order, PAGE_OWNER_SLAB, CALLER_ADDR);
	struct slab *s;

	if (!base)
		return NULL;
	if (c->off_slab) {
		s = kmem_cache_alloc(&slab_header_cache);
		if (!s) {
			page_free_as(base, PAGE_OWNER_SLAB, CALLER_ADDR);
			return NULL;
		}
	} else {
		s = (struct slab *)(base + slab_bytes(c) - sizeof(struct slab));
	}
	s->cache = c;
	s->base = base + c->left; /* object 0, after its red zone */
	s->bump = s->base;
	s->reach = 0;
	s->free = NULL;
	s->inuse = 0;
	list_add(&s->node, &c->empty);
	c->nr_slabs++;
	c->nr_empty++;
	if (c->nr_slabs > c->peak_slabs) {
		c->peak_slabs = c->nr_slabs;
		c->peak_ms = (uint32_t)(time_ns() / 1000000);
	}
	if (c->for_kmalloc)
		kmalloc_account_pages(1L << c->order);
	set_slab_map(base, c->order, s);
	return s;
}

/* The first page of slab s (object 0 may sit after a red zone). */
static inline char *slab_start(const struct kmem_cache *c, const struct slab *s)
{
	return s->base - c->left;
}

static void __release_slab(struct kmem_cache *c, struct slab *s)
{
	char *base = slab_start(c, s);

	list_del(&s->node);
	c->nr_slabs--;
	c->nr_empty--;
	if (c->for_kmalloc)
		kmalloc_account_pages(-(1L << c->order));
	set_slab_map(base, c->order, NULL);
	if (c->off_slab)
		kmem_cache_free(&slab_header_cache, s);
	page_free_as(base, PAGE_OWNER_SLAB, CALLER_ADDR);
}

/* s was on list "was": move it if its list has changed. */
static void __refile(struct kmem_cache *c, struct slab *s, enum slab_list was)
{
	enum slab_list now = list_for(c, s);

	if (now == was)
		return;
	if (was == SLAB_EMPTY)
		c->nr_empty--;
	if (now == SLAB_EMPTY)
		c->nr_empty++;
	list_move(&s->node, now == SLAB_EMPTY  ? &c->empty
			    : now == SLAB_FULL ? &c->full
					       : &c->partial);
}

/* A report of slab s of c, found broken by a check of its own records. */
static void slab_corruption(struct mm_report *r, const struct kmem_cache *c,
			    const struct slab *s)
{
	*r = (struct mm_report){
		.bug = MM_CORRUPTION,
		.addr = s->base,
		.where = c->name,
		.order = (int)c->order,
	};
}

/*
 * A free list found broken at obj: report it, and give up the rest of
 * the list.  Those objects are lost, counted as in use for ever (a
 * leak), but never handed out: better than trusting a bad link.
 */
static void __give_up_free_list(struct kmem_cache *c, struct slab *s, void *obj,
				unsigned int taken)
{
	unsigned int carved = (unsigned int)((s->bump - s->base) / c->stride);
	unsigned int lost = carved - s->inuse - taken;
	struct mm_report r;

	slab_corruption(&r, c, s);
	mm_report(
		&r,
		"free list leads to %p, no free object of the slab (caught by the free-list link check); %u objects given up",
		obj, lost);
	s->free = NULL;
	s->inuse += lost;
	c->objects_out += lost;
}

/*
 * Up to n objects off slab s's free list into objs[], each checked
 * before it is taken, as free_object_ok checks: the head with link_ok,
 * then each object with free_rest_ok (its free key and its link on).  So
 * every object meets link_ok once, as the head or as a link, not twice.
 */
static unsigned int __take_free(struct kmem_cache *c, struct slab *s,
				void **objs, unsigned int n)
{
	unsigned int got = 0;
	void *obj = s->free, *next;

	if (unlikely(!link_ok(c, s, obj))) {
		__give_up_free_list(c, s, obj, 0);
		return 0;
	}
	while (got < n && obj) {
		if (unlikely(!free_rest_ok(c, s, obj))) {
			__give_up_free_list(c, s, obj, got);
			return got;
		}
		next = *link_of(c, obj);
		*link_of(c, obj) = LINK_TAKEN;
		objs[got++] = obj;
		obj = next;
	}
	s->free = obj;
	return got;
}

/* Out of line: a report is a large struct, to be built only when needed. */
static __noinline void report_bad_bump(struct kmem_cache *c, struct slab *s)
{
	struct mm_report r;

	slab_corruption(&r, c, s);
	mm_report(
		&r,
		"slab's bump %p and reach %lu disagree (caught by the slab bump check); no more objects carved from it",
		(void *)s->bump, (unsigned long)s->reach);
}

/*
 * Do slab s's bump and reach agree, on an object boundary in the slab?
 * A bump moved back by a flipped bit would carve objects again that are
 * in use: report it, and carve no more from this slab.  The objects not
 * on its free list count as in use from then on, so its books balance
 * again; those never handed out are given up.  Checked before a refill
 * takes anything from s.
 */
static bool __bump_sound(struct kmem_cache *c, struct slab *s)
{
	size_t off = (size_t)(s->bump - s->base), listed = 0, out;
	void *p;

	if (s->bump >= s->base && s->bump <= slab_end(c, s) &&
	    off % c->stride == 0 && s->reach == off / c->stride * c->off_step)
		return true;
	report_bad_bump(c, s);
	for (p = s->free; p && listed < c->objects; p = *link_of(c, p))
		listed++;
	out = c->objects - listed;
	c->objects_out += out - s->inuse;
	s->inuse = (unsigned int)out;
	s->bump = slab_end(c, s);
	__atomic_store_n(&s->reach, c->objects * c->off_step, __ATOMIC_RELAXED);
	return false;
}

/*
 * Up to n objects of slab s that were never handed out, carved off its
 * bump into objs[]; a constructor meets each now.  They go to a
 * magazine, so each gets its free key.
 */
static unsigned int __carve(struct kmem_cache *c, struct slab *s, void **objs,
			    unsigned int n)
{
	unsigned int got = 0;

	while (got < n && s->bump < slab_end(c, s)) {
		void *obj = s->bump;

		s->bump += c->stride;
		if (unlikely(cache_debug(c)))
			slab_debug_carve(c, obj);
		if (c->ctor)
			c->ctor(obj);
		*free_key(c, obj) = key_of(obj);
		objs[got++] = obj;
	}
	/* Frees on other harts check against the reach: grow it once. */
	__atomic_store_n(&s->reach, s->reach + got * c->off_step,
			 __ATOMIC_RELAXED);
	return got;
}

/*
 * Size the magazines to the cache: a sixteenth of the objects it has out
 * or MAG_BYTES of them, whichever is more, and from MAG_MIN to MAG_SLOTS
 * objects.  Small objects are cheap to keep; large ones are kept in
 * numbers only when the cache has many out.  The depot holds at most
 * one magazine-load, and only a sixteenth of the objects out or
 * DEPOT_BYTES of them: a busy cache of large objects, whose small
 * magazines fill and empty often, parks whole loads there, while a quiet
 * one keeps few bytes away from its slabs (at the peak of make bench's
 * trace, a full load for every cache took 5% more pages; this, 2.5%).
 * Called as objects go out and come back.  A debugged cache keeps none,
 * nor does any while faults are injected (kmem_cache_refresh_magazines
 * empties them then), nor one whose mag_max is 0
 * (kmem_cache_serve_kmalloc).
 */
static void __size_magazines(struct kmem_cache *c)
{
	size_t by_use = c->objects_out / MAG_SHARE;
	unsigned int want = 0, depot = 0;

	if (!cache_debug(c) && !fault_inject_armed()) {
		want = (unsigned int)MIN(MAX(by_use, MAX(MAG_BYTES / c->stride,
							 (size_t)MAG_MIN)),
					 (size_t)c->mag_max);
		depot = (unsigned int)MIN(MAX(by_use, DEPOT_BYTES / c->stride),
					  (size_t)want);
	}
	if (want != c->mags.limit || depot != c->mags.depot_max)
		__mag_set_limit(&c->mags, want, want, depot);
}

/*
 * The magazines' refill: up to n free objects off the slabs into objs[],
 * given-back ones first.  At most one new slab a refill, so that one
 * allocation never pays for more.
 */
static unsigned int slab_refill(void *owner, void **objs, unsigned int n)
{
	struct kmem_cache *c = owner;
	unsigned int got = 0, took;
	bool made = false;

	while (got < n) {
		struct slab *s;
		enum slab_list was;

		if (!list_empty(&c->partial))
			s = list_first_entry(&c->partial, struct slab, node);
		else if (!list_empty(&c->empty))
			s = list_first_entry(&c->empty, struct slab, node);
		else if (made || !(s = __new_slab(c)))
			break;
		else
			made = true;
		was = list_for(c, s);
		__bump_sound(c, s);
		took = __take_free(c, s, objs + got, n - got);
		took += __carve(c, s, objs + got + took, n - got - took);
		s->inuse += took;
		got += took;
		__refile(c, s, was);
		if (unlikely(!took))
			break; /* only a slab found broken gives nothing */
	}
	c->objects_out += got;
	__size_magazines(c);
	return got;
}

/*
 * Has c an empty slab to give back?  It keeps MAX_EMPTY, and always its
 * last slab: a cache in light use does not make and unmake a slab for
 * every object, and a free after its last object went back is still
 * told a double free, its slab still there.
 */
static bool __spare_empty(const struct kmem_cache *c)
{
	return c->nr_empty > MAX_EMPTY && c->nr_slabs > 1;
}

/*
 * The magazines' flush: objects back onto their slabs.  A slab changes
 * lists only when it stops being full or becomes empty.  One flush gives
 * at most one spare empty slab back to the pages, so that one free never
 * pays for more; the next flush takes the next.
 */
static unsigned int slab_flush(void *owner, void **objs, unsigned int n)
{
	struct kmem_cache *c = owner;
	bool released = false;
	unsigned int k;

	for (k = 0; k < n; k++) {
		struct slab *s = slab_of(objs[k]);
		enum slab_list was;

		*link_of(c, objs[k]) = s->free;
		s->free = objs[k];
		if (likely(s->inuse != c->objects && s->inuse != 1)) {
			s->inuse--; /* it stays partial */
			continue;
		}
		was = list_for(c, s);
		s->inuse--;
		__refile(c, s, was);
		if (s->inuse == 0 && __spare_empty(c) && !released) {
			__release_slab(c, s);
			released = true;
		}
	}
	if (!released && __spare_empty(c)) /* one left over before */
		__release_slab(c,
			       list_first_entry(&c->empty, struct slab, node));
	c->objects_out -= n;
	__size_magazines(c);
	return n;
}

static const struct magazine_ops slab_mag_ops = {
	.refill = slab_refill,
	.flush = slab_flush,
};

/*
 * F (checks): before a free, walk the slab's free list and check it holds
 * only the slab's own objects, as many as are not in use.  A broken list
 * is reported and the free refused, rather than built upon.
 */
static bool slab_intact(struct kmem_cache *c, struct slab *s, void *obj,
			uintptr_t caller)
{
	size_t carved, n = 0;
	unsigned int inuse;
	void *p;

	acquire(&c->lock);
	carved = (size_t)(s->bump - s->base) / c->stride;
	inuse = s->inuse;
	for (p = s->free; p && n <= carved; p = *link_of(c, p), n++)
		if (!link_ok(c, s, p))
			break;
	release(&c->lock);
	if (!p && n + inuse == carved)
		return true;
	{
		struct mm_report r;

		slab_corruption(&r, c, s);
		r.caller = caller;
		mm_report(
			&r,
			"its free list is broken (%lu objects carved, %u in use, %lu linked, bad link %p); free of %p refused",
			(unsigned long)carved, inuse, (unsigned long)n, p, obj);
	}
	return false;
}

/* Is obj free: in some hart's magazine or on its slab's free list? */
static void match_object(void *obj, void *arg)
{
	void **wanted = arg;

	if (obj == *wanted)
		*wanted = NULL; /* found */
}

static bool __object_is_free(struct kmem_cache *c, void *obj)
{
	struct slab *s = slab_of(obj);
	unsigned long steps = 0;
	void *wanted = obj, *p;

	__mag_for_each(&c->mags, match_object, &wanted);
	if (!wanted)
		return true;
	for (p = s->free; p; p = *link_of(c, p)) {
		if (p == obj)
			return true;
		/* A broken list: __slab_take will say so. */
		if (!link_ok(c, s, *link_of(c, p)) || ++steps > c->objects)
			break;
	}
	return false;
}

bool slab_object_is_free(struct kmem_cache *c, void *obj)
{
	bool is_free;

	if (*free_key(c, obj) != key_of(obj))
		return false; /* freeing writes the key: never freed since */
	acquire(&c->lock);
	is_free = __object_is_free(c, obj);
	release(&c->lock);
	return is_free;
}

/* --- The slow paths of mm/slab.h --------------------------------------- */

/* The magazine was empty: refill it from the slabs. */
__noinline void *slab_alloc_slow(struct kmem_cache *c, size_t asked,
				 uintptr_t caller)
{
	bool injected = should_fail(FAULT_SLAB, c->name, 0, asked, caller);
	void *obj = NULL;

	if (!injected) {
		acquire(&c->lock);
		obj = __mag_take(&c->mags, c);
		release(&c->lock);
	}
	if (!obj) {
		__atomic_fetch_add(&c->failures, 1, __ATOMIC_RELAXED);
		/*
		 * A slab header's failure is its slab's: __new_slab asked
		 * for it under its cache's lock, and that cache reports the
		 * failure once it holds no lock (the report lists the
		 * caches, under slab_lock).
		 */
		if (c != &slab_header_cache)
			mm_report_failure(NULL, c->name, 0, asked, caller,
					  injected);
		return NULL;
	}
	if (unlikely(cache_debug(c)))
		slab_debug_alloc(c, obj, asked, caller);
	__atomic_store_n(free_key(c, obj), 0, __ATOMIC_RELEASE);
	return obj;
}

/* Why obj, in slab s of c, is no object handed out, in words. */
static void why_not_an_object(const struct kmem_cache *c, const struct slab *s,
			      const void *obj, char *why, size_t size)
{
	uintptr_t off = (uintptr_t)obj - (uintptr_t)s->base;
	const char *start = s->base + off / c->stride * c->stride;

	if ((uintptr_t)obj < (uintptr_t)s->base ||
	    off >= (size_t)c->objects * c->stride)
		snprintf(why, size, "it is in the slab's own bytes, no object");
	else if (start >= s->bump)
		snprintf(why, size, "it is an object never handed out");
	else
		snprintf(why, size, "it is %lu bytes into the object at %p",
			 (unsigned long)((const char *)obj - start), start);
}

/*
 * What p, in a slab, is: a byte of an object in use or free, of one never
 * handed out, or of the slab's own.  Whether an object is free is told by
 * its key: exactly when the cache keeps it apart (key_apart), else almost
 * always.
 */
void slab_describe(const void *p, char *buf, size_t size)
{
	struct slab *s = slab_of(p);
	struct kmem_cache *c;
	const char *start;
	uintptr_t off;
	bool is_free;

	if (!s) {
		snprintf(buf, size, "it is in no slab");
		return;
	}
	c = s->cache;
	off = (uintptr_t)p - (uintptr_t)s->base;
	start = s->base + off / c->stride * c->stride;
	acquire(&c->lock);
	if ((uintptr_t)p < (uintptr_t)s->base ||
	    off >= (size_t)c->objects * c->stride) {
		release(&c->lock);
		snprintf(buf, size, "it is in the own bytes of a slab of %s",
			 c->name);
		return;
	}
	if (start >= s->bump) {
		release(&c->lock);
		snprintf(buf, size,
			 "it is in an object of %s never handed out, at %p",
			 c->name, start);
		return;
	}
	is_free = *free_key(c, (void *)start) == key_of(start);
	release(&c->lock);
	snprintf(buf, size, "it is %lu bytes into the %s object of %s at %p",
		 (unsigned long)((const char *)p - start),
		 is_free ? "free" : "live", c->name, start);
}

/* Report a free of obj to c (NULL: kfree) that is refused, and why. */
static void refuse(struct kmem_cache *c, void *obj, uintptr_t caller,
		   enum mm_bug bug, const char *why)
{
	struct mm_report r = {
		.bug = bug,
		.addr = obj,
		.where = c ? c->name : "kfree",
		.order = -1,
		.caller = caller,
	};

	if (c)
		__atomic_fetch_add(&c->refused_frees, 1, __ATOMIC_RELAXED);
	mm_report(&r, "%s; nothing freed", why);
}

/* obj, freed in every other respect, goes to its slab now. */
static void slab_give_back(struct kmem_cache *c, void *obj)
{
	acquire(&c->lock);
	__mag_give(&c->mags, c, obj);
	release(&c->lock);
}

/* The quarantine's callbacks (mm/watch.h), for objects. */
static void watched_object_back(void *cache, void *obj, size_t bytes)
{
	(void)bytes;
	slab_give_back(cache, obj);
}

static void watched_object_report(struct mm_report *r, void *cache, void *obj,
				  enum mm_bug bug, uintptr_t pc)
{
	slab_object_report(r, cache, obj, bug, pc);
}

static const struct watch_owner_ops watched_objects = {
	.give_back = watched_object_back,
	.report_init = watched_object_report,
};

/*
 * Every free the fast path did not finish: a full magazine, a debugged
 * cache, or something wrong with the free.  Checked again from the start,
 * then refused with the reason, or done.  kmem_cache_free(c, NULL) does
 * nothing.
 */
__noinline void slab_free_slow(struct kmem_cache *c, void *obj,
			       uintptr_t caller)
{
	struct slab *s = slab_of(obj);
	char why[80];
	bool is_free;

	if (!obj)
		return;
	if (!s) {
		mm_why_not_ours(obj, why, sizeof(why));
		refuse(c, obj, caller, MM_BAD_FREE, why);
		return;
	}
	if (s->cache != c) {
		snprintf(why, sizeof(why), "it belongs to cache %s%s",
			 s->cache->name, c ? "" : ", and no cache was named");
		refuse(c, obj, caller, MM_BAD_FREE, why);
		return;
	}
	if (!object_in_use_range(c, s, obj)) {
		why_not_an_object(c, s, obj, why, sizeof(why));
		refuse(c, obj, caller, MM_BAD_FREE, why);
		return;
	}
	if (unlikely(cache_debug(c) & MM_DEBUG_CHECKS) &&
	    !slab_intact(c, s, obj, caller)) {
		__atomic_fetch_add(&c->refused_frees, 1, __ATOMIC_RELAXED);
		return;
	}
	if (unlikely(cache_debug(c)) && key_apart(c)) {
		if (!slab_debug_free(c, obj, caller)) { /* reported */
			__atomic_fetch_add(&c->refused_frees, 1,
					   __ATOMIC_RELAXED);
			return;
		}
		/* mm.debug=W: held back and watched, one free in N. */
		if ((cache_debug(c) & MM_DEBUG_WATCH) && mm_watch_sample())
			mm_watch_hold(&watched_objects, c, obj, c->size);
		else
			slab_give_back(c, obj);
		return;
	}
	acquire(&c->lock);
	/* The key may be the caller's own data: only a search tells. */
	is_free = *free_key(c, obj) == key_of(obj) && __object_is_free(c, obj);
	if (!is_free) {
		*free_key(c, obj) = key_of(obj);
		__mag_give(&c->mags, c, obj);
	}
	release(&c->lock);
	if (is_free)
		refuse(c, obj, caller, MM_DOUBLE_FREE, "already free");
}

void kmem_cache_serve_kmalloc(struct kmem_cache *c)
{
	acquire(&c->lock);
	c->for_kmalloc = true;
	/*
	 * kmalloc's fast paths look for the free key at PLAIN_KEY_OFFSET.
	 * A cache made with a debugging letter keeps its key apart for
	 * good: memdebug may turn F off, never the layout.  So it never
	 * gets magazines, and those paths never push or pop its objects.
	 */
	if (c->key_offset != PLAIN_KEY_OFFSET) {
		/* Only a debugging layout may put it elsewhere. */
		if (!cache_debug(c))
			panic("%s: a plain layout keeps its free key at %lu, not at PLAIN_KEY_OFFSET",
			      c->name, (unsigned long)c->key_offset);
		c->mag_max = 0;
	}
	__size_magazines(c);
	release(&c->lock);
}

/* --- Allocation and free ------------------------------------------------- */

void *kmem_cache_alloc(struct kmem_cache *c)
{
	void *obj;

	if (likely(slab_alloc_fast(c, &obj, c->key_offset)))
		return obj;
	return slab_alloc_slow(c, c->size, CALLER_ADDR);
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	struct slab *s = slab_of(obj);

	if (likely(s && s->cache == c &&
		   slab_free_fast(c, s, obj, c->key_offset)))
		return;
	slab_free_slow(c, obj, CALLER_ADDR);
}

/* --- Caches ------------------------------------------------------------- */

/*
 * The numbers for object_start_ok(): off starts one of the first n
 * objects of a slab (off == q * stride with q < n) iff off * magic
 * (mod 2^32) < n * step.  With magic = ceil(2^32 / stride), off * magic
 * is q * stride * magic = q * step (mod 2^32), where step = stride *
 * magic - 2^32 is below the stride: small, and growing with q, so the
 * reach n * step also rules out offsets past object n - 1.  An offset
 * that is no multiple of the stride, off = q * stride + r with
 * 0 < r < stride, gives q * step + r * magic, at least 2^32 / stride:
 * above any reach, which is below objects * stride, a slab's size.  This
 * is Lemire, Kaser and Kurz's divisibility test ("Faster remainder by
 * direct computation", 2019), exact while off * stride < 2^32.  A
 * power-of-two stride has step 0, so it takes magic + 1 instead.  A
 * slab's reach grows by one step each time an object is carved, so the
 * one comparison also refuses objects never handed out.
 * tests/mm/slab_test.c checks every stride a cache can have against
 * every offset in a slab.
 */
static void object_start_check(struct kmem_cache *c)
{
	uint32_t m = UINT32_MAX / c->stride + 1;

	if ((uint32_t)(m * c->stride) == 0)
		m++;
	c->off_magic = m;
	c->off_step = (uint32_t)(m * c->stride);
}

/*
 * The slab order: the smallest that holds MIN_OBJECTS and wastes at most
 * an eighth of the slab, or the largest.
 */
static void choose_slab_size(struct kmem_cache *c)
{
	size_t header = c->off_slab ? 0 : sizeof(struct slab);

	for (c->order = 0;; c->order++) {
		size_t room = slab_bytes(c) - header;

		c->objects = (unsigned int)(room / c->stride);
		if (c->order == MAX_SLAB_ORDER ||
		    (c->objects >= MIN_OBJECTS &&
		     (room - c->objects * c->stride) * 8 <= slab_bytes(c)))
			break;
	}
	/* A header that fits in the waste stays on the slab: it is free. */
	if (c->off_slab &&
	    slab_bytes(c) - c->objects * c->stride >= sizeof(struct slab))
		c->off_slab = false;
}

static void cache_setup(struct kmem_cache *c, const char *name, size_t size,
			size_t align, void (*ctor)(void *obj),
			enum lock_level level, unsigned int debug)
{
	memset(c, 0, sizeof(*c));
	spinlock_init_level(&c->lock, name, level);
	spinlock_register(&c->lock); /* so lockstat lists it */
	c->name = name;
	c->size = size;
	c->ctor = ctor;
	c->debug = debug;
	align = MAX(align, (size_t)8); /* the minimum promised */
	/* Natural alignment for power-of-two sizes (kmalloc promises it). */
	if (!(size & (size - 1)))
		align = MAX(align, size);
	if (debug) {
		slab_debug_layout(c, align); /* the allocator's words apart */
	} else {
		/* A free object holds a link and a key: after a constructed
		 * payload, else in the object's first words. */
		c->link_offset = ctor ? ALIGN_UP(size, sizeof(void *)) : 0;
		c->key_offset = c->link_offset + sizeof(void *);
		c->stride = ALIGN_UP(
			MAX(c->key_offset + sizeof(void *), ctor ? 0 : size),
			align);
	}
	c->off_slab = c->stride >= OFF_SLAB_FROM;
	choose_slab_size(c);
	object_start_check(c);
	/*
	 * A full magazine is flushed whole: a batch is the whole magazine.
	 * A cache being debugged has none: every call takes the slow path.
	 */
	/*
	 * The caches of the allocator's own records keep small magazines:
	 * their refills happen inside another cache's slow path.
	 */
	c->mag_max = level == LOCK_LEVEL_SLAB ? MAG_SLOTS : MAG_MIN;
	/* Sized with nothing out yet; no other hart sees c yet: no lock. */
	magazines_init(&c->mags, &slab_mag_ops, 0, 0, 0);
	__size_magazines(c);
	list_init(&c->partial);
	list_init(&c->full);
	list_init(&c->empty);
	acquire(&slab_lock);
	list_add_tail(&c->caches, &all_caches);
	release(&slab_lock);
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align, unsigned int flags,
				     void (*ctor)(void *obj))
{
	const unsigned int features = MM_DEBUG_CHECKS | MM_DEBUG_REDZONE |
				      MM_DEBUG_POISON | MM_DEBUG_TRACK |
				      MM_DEBUG_WATCH;
	struct kmem_cache *c;
	unsigned int debug;

	if (!name || size == 0 || size > SLAB_MAX_OBJECT ||
	    (align & (align - 1)) || align > SLAB_MAX_OBJECT ||
	    (flags & ~(features | SLAB_NO_DEBUG))) {
		struct mm_report r = {
			.bug = MM_BAD_CALL,
			.where = "kmem_cache_create",
			.order = -1,
			.caller = CALLER_ADDR,
		};

		mm_report(
			&r,
			"no cache made: name %s, size %lu, align %lu, flags %x",
			name ? name : "missing", (unsigned long)size,
			(unsigned long)align, flags);
		return NULL;
	}
	debug = (flags & SLAB_NO_DEBUG) ? 0 : (mm_debug_flags() | flags);
	debug &= features;
	if (ctor)
		debug &= ~MM_DEBUG_POISON; /* constructed state survives */
	c = kmem_cache_alloc(&cache_cache);
	if (c)
		cache_setup(c, name, size, align, ctor, LOCK_LEVEL_SLAB, debug);
	return c;
}

void kmem_cache_shrink(struct kmem_cache *c)
{
	struct slab *s, *n;

	mm_watch_forget(c); /* objects held back (mm.debug=W) go home too */
	acquire(&c->lock);
	__mag_drain_all(&c->mags, c);
	list_for_each_entry_safe (s, n, &c->empty, node)
		__release_slab(c, s);
	release(&c->lock);
}

static void shrink_one(struct kmem_cache *c, void *arg)
{
	(void)arg;
	kmem_cache_shrink(c);
}

void kmem_cache_shrink_all(void)
{
	mm_watch_flush(); /* held pages (mm.debug=W) too, not only objects */
	kmem_cache_for_each(shrink_one, NULL);
	/* Emptied off-slab slabs gave their headers back just now. */
	kmem_cache_shrink(&slab_header_cache);
}

void kmem_cache_refresh_magazines(struct kmem_cache *c)
{
	acquire(&c->lock);
	__mag_drain_all(&c->mags, c);
	__size_magazines(c);
	release(&c->lock);
}

void kmem_cache_debug_checks(struct kmem_cache *c, bool on)
{
	if (on)
		__atomic_fetch_or(&c->debug, MM_DEBUG_CHECKS, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&c->debug, ~MM_DEBUG_CHECKS,
				   __ATOMIC_RELAXED);
	kmem_cache_refresh_magazines(c); /* a debugged cache keeps none */
}

/*
 * Is c a live cache, one kmem_cache_create made and nobody destroyed?
 * The walk compares list nodes: list_for_each_entry would end on the
 * entry of the list's head, which is no cache (its alignment is wrong
 * for one: UBSan says so).
 */
static bool __cache_is_live(const struct kmem_cache *c)
{
	const struct list_head *pos;

	list_for_each (pos, &all_caches)
		if (pos == &c->caches)
			return true;
	return false;
}

int kmem_cache_destroy(struct kmem_cache *c)
{
	size_t active;
	bool live;

	if (!c)
		return 0;
	acquire(&slab_lock);
	live = __cache_is_live(c) && c != &cache_cache &&
	       c != &slab_header_cache;
	release(&slab_lock);
	if (!live) {
		struct mm_report r = {
			.bug = MM_BAD_CALL,
			.addr = c,
			.where = "kmem_cache_destroy",
			.order = -1,
			.caller = CALLER_ADDR,
		};

		mm_report(
			&r,
			"no cache kmem_cache_create made, or one destroyed already; nothing done");
		return -1;
	}
	kmem_cache_shrink(c); /* magazines drained: out is what callers hold */
	acquire(&c->lock);
	active = c->objects_out;
	release(&c->lock);
	if (active) {
		struct mm_report r = {
			.bug = MM_BAD_CALL,
			.addr = c,
			.where = c->name,
			.order = -1,
			.caller = CALLER_ADDR,
		};

		mm_report(
			&r,
			"kmem_cache_destroy with %lu objects still allocated; cache kept",
			(unsigned long)active);
		return -1;
	}
	acquire(&slab_lock);
	list_del(&c->caches);
	release(&slab_lock);
	spinlock_unregister(&c->lock);
	kmem_cache_free(&cache_cache, c);
	return 0;
}

void kmem_cache_for_each(void (*fn)(struct kmem_cache *cache, void *arg),
			 void *arg)
{
	struct list_head *pos;

	acquire(&slab_lock); /* above the caches' own locks */
	list_for_each (pos, &all_caches)
		fn(list_entry(pos, struct kmem_cache, caches), arg);
	release(&slab_lock);
}

void slab_init(void)
{
	uintptr_t lo, hi;
	size_t bytes;
	struct slab **map;

	page_span(&lo, &hi);
	slab_map.pages = (hi - lo) >> PAGE_SHIFT;
	bytes = slab_map.pages * sizeof(*map);
	map = page_alloc((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
	if (!map)
		panic("slab_init: no memory for the slab map");
	page_track_ignore(map); /* mm's own: no allocation to list or scan */
	memset(map, 0, bytes);
	slab_map.first_pfn = lo >> PAGE_SHIFT;
	slab_map.slab_of = map;
	printk("slab: a %lu-byte map gives each of %lu pages its slab\n",
	       (unsigned long)bytes, (unsigned long)slab_map.pages);
	/* Headers first: the cache of caches keeps its own apart. */
	cache_setup(&slab_header_cache, "kmem_slab", sizeof(struct slab), 0,
		    NULL, LOCK_LEVEL_SLAB_HEADERS, 0);
	/* Magazines in whole cache lines, as each hart writes only its own. */
	cache_setup(&cache_cache, "kmem_cache", sizeof(struct kmem_cache),
		    CACHELINE_SIZE, NULL, LOCK_LEVEL_SLAB, 0);
	kmalloc_init();
}
