/*
 * slab.c - object caches on top of the page allocator.
 *
 * A cache hands out objects of one size.  It keeps them in slabs: blocks
 * of SLAB_SIZE bytes (4 pages) from page_alloc_order, aligned to their
 * size, each cut into equal objects with a small header at the end:
 *
 *   slab (16 KiB, aligned)
 *   +--------+--------+--------+-----+----------+-------+-------------+
 *   | obj 0  | obj 1  | obj 2  | ... | obj n-1  | waste | struct slab |
 *   +--------+--------+--------+-----+----------+-------+-------------+
 *   ^ SLAB_SIZE aligned: object i is at i * stride
 *
 *   free object (stride bytes):   | link | key | ...         |
 *   with a constructor:           | payload (size) | link | key | pad |
 *
 * Finding things from an address, in O(1) and without a header in front
 * of each object:
 *   - slab_space.cache_of has one entry per SLAB_SIZE block of memory:
 *     the cache whose slab it is, or NULL.  kfree learns the cache there,
 *     and any pointer that is in no slab is refused there.
 *   - the offset of an object in its slab must be a multiple of the
 *     stride, below the last object: one multiplication and one
 *     comparison check both (slab_offset_check, below).
 *   - a free object holds its free key, the complement of its own
 *     address, in the word after the free-list link.  Freeing an object
 *     that holds its key is probably a double free; the slow path looks
 *     through the magazines and the slab's free list to be sure, so live
 *     data that happens to look like a key costs time, never correctness.
 *     A constructor's state survives because link and key then sit after
 *     the payload.  Step 4 of the roadmap puts red zones in the padding.
 *   - every link taken off a slab's free list must be NULL or an object
 *     of the same slab: a write after free that broke it stops the
 *     kernel there, before the allocator hands out memory it does not own.
 *
 * Each hart has a magazine of up to MAG_SIZE free objects per cache (see
 * mm/slab.h): the common alloc and free touch only it, with interrupts
 * off and no shared lock.  An empty magazine is refilled, and a full one
 * flushed, MAG_BATCH objects at a time under the cache lock.  An object
 * freed on another hart than the one that allocated it just goes into
 * that hart's magazine.
 *
 * Slabs sit on three lists: partial (some free objects), full and empty.
 * At most MAX_EMPTY empty slabs are kept per cache; kmem_cache_shrink
 * returns all of them to the page allocator.  The cache descriptors are
 * objects too, of the "kmem_cache" cache, whose own descriptor is static.
 *
 * Locking: cache->lock (LOCK_LEVEL_SLAB) protects the slab lists, the
 * slabs' free lists and the counters; slab_lock (LOCK_LEVEL_SLAB_CACHES,
 * taken before any cache lock) the list of caches.  page_alloc is called
 * with a cache lock held.  A magazine is changed only by its own hart,
 * or by a hart that holds cache->lock, and either must hold the
 * magazine's own lock (its count, see mm/slab.h).  Its hart never waits
 * for cache->lock while holding it.
 */
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include "internal.h"
#include "slab.h"

#define SLAB_ORDER 2 /* SLAB_SIZE == PAGE_SIZE << SLAB_ORDER */
#define MAG_BATCH 8  /* objects moved between a magazine and the slabs */
#define MAX_EMPTY 2

_Static_assert(SLAB_SIZE == 1 << SLAB_SHIFT, "SLAB_SHIFT");
_Static_assert(SLAB_SIZE == PAGE_SIZE << SLAB_ORDER, "SLAB_ORDER");

struct slab {
	struct list_head node; /* on its cache's partial/full/empty list */
	void *free;	       /* free objects on this slab */
	unsigned int inuse;    /* objects not on the free list */
};

static DEFINE_SPINLOCK(slab_lock, "slab_caches", LOCK_LEVEL_SLAB_CACHES);
static LIST_HEAD(all_caches);
struct slab_space slab_space __read_mostly;

/* --- Finding things from an address ---------------------------------- */

static inline void *slab_base(const void *p)
{
	return (void *)ALIGN_DOWN((uintptr_t)p, SLAB_SIZE);
}

/* The header of the slab that holds p. */
static inline struct slab *slab_of(const void *p)
{
	return (struct slab *)((char *)slab_base(p) + SLAB_SIZE -
			       sizeof(struct slab));
}

static inline void **link_of(const struct kmem_cache *c, void *obj)
{
	return (void **)((char *)obj + c->link);
}

/*
 * Is next a link the free list of the slab at base may hold: NULL, or
 * an object of that slab?  A use after free can overwrite a link; follow
 * a bad one and the allocator hands out, or walks, memory it does not own.
 */
static bool link_ok(const struct kmem_cache *c, const void *base,
		    const void *next)
{
	return !next || (slab_base(next) == base &&
			 slab_offset_ok(c->off_magic, c->off_limit,
					(uintptr_t)next & (SLAB_SIZE - 1)));
}

static void set_cache_of(void *base, struct kmem_cache *c)
{
	size_t b = ((uintptr_t)base >> SLAB_SHIFT) - slab_space.first_block;

	__atomic_store_n(&slab_space.cache_of[b], c, __ATOMIC_RELAXED);
}

/* --- Slabs (cache->lock held) ------------------------------------------ */

static struct slab *__new_slab(struct kmem_cache *c)
{
	char *base = page_alloc_order(SLAB_ORDER);
	struct slab *s;
	size_t i;

	if (!base)
		return NULL;
	s = slab_of(base);
	s->inuse = 0;
	s->free = NULL;
	for (i = c->objects; i-- > 0;) {
		void *obj = base + i * c->stride;

		if (c->ctor)
			c->ctor(obj);
		*link_of(c, obj) = s->free;
		*free_key(c, obj) = key_of(obj);
		s->free = obj;
	}
	set_cache_of(base, c);
	list_add(&s->node, &c->empty);
	c->nr_slabs++;
	c->nr_empty++;
	return s;
}

static void __release_slab(struct kmem_cache *c, struct slab *s)
{
	list_del(&s->node);
	c->nr_slabs--;
	c->nr_empty--;
	set_cache_of(slab_base(s), NULL);
	page_free(slab_base(s));
}

/* Put a slab on the list its free count says. */
static void __file_slab(struct kmem_cache *c, struct slab *s, bool was_empty)
{
	list_del(&s->node);
	if (was_empty)
		c->nr_empty--;
	if (s->inuse == 0) {
		list_add(&s->node, &c->empty);
		c->nr_empty++;
	} else if (s->free) {
		list_add(&s->node, &c->partial);
	} else {
		list_add(&s->node, &c->full);
	}
}

/* Take up to n free objects off the slabs into out[]; returns how many. */
static unsigned int __take_objects(struct kmem_cache *c, void **out,
				   unsigned int n)
{
	unsigned int got = 0;

	while (got < n) {
		struct slab *s;
		bool was_empty = false;

		if (!list_empty(&c->partial)) {
			s = list_first_entry(&c->partial, struct slab, node);
		} else if (!list_empty(&c->empty)) {
			s = list_first_entry(&c->empty, struct slab, node);
			was_empty = true;
		} else {
			s = __new_slab(c);
			if (!s)
				break;
			was_empty = true;
		}
		while (got < n && s->free) {
			void *obj = s->free;

			s->free = *link_of(c, obj);
			if (unlikely(!link_ok(c, slab_base(obj), s->free)))
				panic("slab: cache %s: free object %p links to "
				      "%p, which is no object of its slab: "
				      "written after it was freed?",
				      c->name, obj, s->free);
			s->inuse++;
			c->out++;
			out[got++] = obj;
		}
		__file_slab(c, s, was_empty);
	}
	return got;
}

/* Objects go back onto their slabs; spare empty slabs to the pages. */
static void __put_objects(struct kmem_cache *c, void **objs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct slab *s = slab_of(objs[i]);
		bool was_empty = s->inuse == 0;

		*link_of(c, objs[i]) = s->free;
		s->free = objs[i];
		s->inuse--;
		c->out--;
		__file_slab(c, s, was_empty);
		if (s->inuse == 0 && c->nr_empty > MAX_EMPTY)
			__release_slab(c, s);
	}
}

/* --- Magazines ------------------------------------------------------------ */

/* Take a magazine, waiting if need be; interrupts must be off. */
static unsigned long mag_lock(struct magazine *m)
{
	unsigned long n;

	while ((n = mag_trylock(m)) == MAG_LOCKED)
		cpu_relax();
	return n;
}

/* The rest with cache->lock held. */

/* Push obj on this hart's magazine, first flushing the oldest if full. */
static void __mag_push(struct kmem_cache *c, void *obj)
{
	struct magazine *m = &c->mag[this_hart()];
	unsigned long n = mag_lock(m);

	if (n == MAG_SIZE) {
		__put_objects(c, m->objects, MAG_BATCH);
		n -= MAG_BATCH;
		memmove(m->objects, m->objects + MAG_BATCH, n * sizeof(void *));
	}
	m->objects[n++] = obj;
	mag_unlock(m, n);
}

/* Empty every hart's magazine back into the slabs. */
static void __drain_magazines(struct kmem_cache *c)
{
	void *objs[MAG_SIZE];
	unsigned int h;

	for (h = 0; h < MAX_HARTS; h++) {
		struct magazine *m = &c->mag[h];
		unsigned long n = mag_lock(m);

		memcpy(objs, m->objects, n * sizeof(void *));
		mag_unlock(m, 0);
		__put_objects(c, objs, n);
	}
}

/* Is obj free: in some hart's magazine or on its slab's free list? */
static bool __object_is_free(struct kmem_cache *c, void *obj)
{
	unsigned long i, n, steps = 0;
	unsigned int h;
	void *p;

	for (h = 0; h < MAX_HARTS; h++) {
		struct magazine *m = &c->mag[h];
		bool found = false;

		n = mag_lock(m);
		for (i = 0; i < n && !found; i++)
			found = m->objects[i] == obj;
		mag_unlock(m, n);
		if (found)
			return true;
	}
	for (p = slab_of(obj)->free; p; p = *link_of(c, p)) {
		if (p == obj)
			return true;
		/* A broken list: __take_objects will say so. */
		if (!link_ok(c, slab_base(obj), *link_of(c, p)) ||
		    ++steps > c->objects)
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

/* Say why a free of obj to c (NULL: no cache) was refused; count it. */
static void report(struct kmem_cache *c, const void *obj, const char *why,
		   uintptr_t caller)
{
	if (c)
		__atomic_fetch_add(&c->refused, 1, __ATOMIC_RELAXED);
	printk("slab: free of %p %s (cache %s, caller %p); nothing freed\n",
	       obj, why, c ? c->name : "none", (void *)caller);
}

/* The magazine was empty: refill it from the slabs. */
__noinline void *slab_alloc_slow(struct kmem_cache *c)
{
	struct magazine *m;
	unsigned long n;
	void *obj = NULL;

	acquire(&c->lock);
	m = &c->mag[this_hart()];
	/* Nobody else may touch m while we hold c->lock: fill it in place. */
	n = mag_lock(m);
	if (n == 0)
		n = __take_objects(c, m->objects, MAG_BATCH);
	if (n)
		obj = m->objects[--n];
	mag_unlock(m, n);
	release(&c->lock);
	if (obj)
		*free_key(c, obj) = 0;
	return obj;
}

/* The magazine was full. */
__noinline void slab_free_slow(struct kmem_cache *c, void *obj)
{
	acquire(&c->lock);
	__mag_push(c, obj);
	release(&c->lock);
}

/* obj holds its free key: a double free, or live data that looks free. */
__noinline void slab_free_suspect(struct kmem_cache *c, void *obj)
{
	uintptr_t caller = CALLER_ADDR; /* see mm/slab.h */
	bool is_free;

	acquire(&c->lock);
	is_free = __object_is_free(c, obj);
	if (!is_free)
		__mag_push(c, obj); /* the key was the caller's own data */
	release(&c->lock);
	if (is_free)
		report(c, obj, "is already free (double free)", caller);
}

/* obj is not an object of c: say why.  kmem_cache_free(c, NULL) is fine. */
__noinline void slab_bad_free(struct kmem_cache *c, void *obj)
{
	uintptr_t caller = CALLER_ADDR; /* see mm/slab.h */
	struct kmem_cache *owner = slab_cache_of(obj);
	char why[64];

	if (!obj)
		return;
	if (!owner) {
		report(c, obj, "is not in any slab", caller);
	} else if (owner != c) {
		snprintf(why, sizeof(why), "belongs to cache %s", owner->name);
		report(c, obj, why, caller);
	} else {
		report(c, obj, "is not the start of an object", caller);
	}
}

/* --- Allocation and free ------------------------------------------------- */

__fast_path void *kmem_cache_alloc(struct kmem_cache *c)
{
	return slab_alloc(c);
}

__fast_path void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	if (unlikely(slab_cache_of(obj) != c || !c))
		return slab_bad_free(c, obj);
	slab_free(c, obj);
}

/* --- Caches ------------------------------------------------------------- */

/*
 * The numbers for slab_offset_ok(): off starts one of the objects of a
 * slab (off == q * stride with q < objects) iff off * magic (mod 2^32)
 * <= limit.  With magic = ceil(2^32 / stride), off * magic is
 * q * stride * magic = q * err (mod 2^32), where err = stride * magic -
 * 2^32 is below the stride: small, and growing with q, so limit =
 * (objects - 1) * err also rules out offsets past the last object.  An
 * offset that is no multiple of the stride lands above limit: this is
 * Lemire, Kaser and Kurz's divisibility test ("Faster remainder by
 * direct computation", 2019), exact while off * stride < 2^32.  A
 * power-of-two stride has err 0, so it takes magic + 1 instead.
 * tests/mm/slab_test.c checks every stride a cache can have against
 * every offset in a slab.
 */
static void slab_offset_check(struct kmem_cache *c)
{
	uint32_t m = UINT32_MAX / c->stride + 1;

	if ((uint32_t)(m * c->stride) == 0)
		m++;
	c->off_magic = m;
	c->off_limit = (c->objects - 1) * (uint32_t)(m * c->stride);
}

/* The cache of the caches themselves; its own descriptor is static. */
static struct kmem_cache cache_cache __aligned(CACHELINE_SIZE);

static void cache_setup(struct kmem_cache *c, const char *name, size_t size,
			size_t align, void (*ctor)(void *obj))
{
	memset(c, 0, sizeof(*c));
	spinlock_init_level(&c->lock, name, LOCK_LEVEL_SLAB);
	spinlock_register(&c->lock); /* so lockstat lists it */
	c->name = name;
	c->size = size;
	c->ctor = ctor;
	align = MAX(align, (size_t)8); /* the minimum promised */
	/* Natural alignment for power-of-two sizes (kmalloc promises it). */
	if (!(size & (size - 1)))
		align = MAX(align, size);
	/* A free object holds a link and a key: after a constructed payload. */
	c->link = ctor ? ALIGN_UP(size, sizeof(void *)) : 0;
	c->key = c->link + sizeof(void *);
	c->stride =
		ALIGN_UP(MAX(c->key + sizeof(void *), ctor ? 0 : size), align);
	c->objects = (SLAB_SIZE - sizeof(struct slab)) / c->stride;
	slab_offset_check(c);
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
	struct kmem_cache *c;

	(void)flags;
	if (size == 0 || size > SLAB_MAX_OBJECT || (align & (align - 1)) ||
	    align > SLAB_MAX_OBJECT) {
		printk("kmem_cache_create(%s): bad size %lu or align %lu\n",
		       name, (unsigned long)size, (unsigned long)align);
		return NULL;
	}
	c = kmem_cache_alloc(&cache_cache);
	if (c)
		cache_setup(c, name, size, align, ctor);
	return c;
}

void kmem_cache_shrink(struct kmem_cache *c)
{
	struct slab *s, *n;

	acquire(&c->lock);
	__drain_magazines(c);
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
	kmem_cache_for_each(shrink_one, NULL);
}

int kmem_cache_destroy(struct kmem_cache *c)
{
	size_t active;

	if (!c)
		return 0;
	kmem_cache_shrink(c); /* magazines drained: out is what callers hold */
	acquire(&c->lock);
	active = c->out;
	release(&c->lock);
	if (active) {
		printk("kmem_cache_destroy(%s): %lu objects still allocated "
		       "(caller %p); cache kept\n",
		       c->name, (unsigned long)active, (void *)CALLER_ADDR);
		return -1;
	}
	acquire(&slab_lock);
	list_del(&c->caches);
	release(&slab_lock);
	spinlock_unregister(&c->lock);
	kmem_cache_free(&cache_cache, c);
	return 0;
}

void kmem_cache_get_stats(struct kmem_cache *c, struct kmem_cache_stats *st)
{
	unsigned int h;

	st->name = c->name;
	st->object_size = c->size;
	st->stride = c->stride;
	st->objects_per_slab = c->objects;
	st->pages_per_slab = SLAB_SIZE / PAGE_SIZE;
	st->cached = 0;
	acquire(&c->lock);
	for (h = 0; h < MAX_HARTS; h++) {
		unsigned long n = mag_lock(&c->mag[h]);

		st->cached += n;
		mag_unlock(&c->mag[h], n);
	}
	st->refused = __atomic_load_n(&c->refused, __ATOMIC_RELAXED);
	st->slabs = c->nr_slabs;
	st->total = c->nr_slabs * c->objects;
	/* Counts read one magazine at a time: a snapshot, not a ledger. */
	st->active = c->out > st->cached ? c->out - st->cached : 0;
	release(&c->lock);
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
	size_t blocks, bytes;
	struct kmem_cache **map;

	page_span(&lo, &hi);
	blocks = ((hi - 1) >> SLAB_SHIFT) - (lo >> SLAB_SHIFT) + 1;
	bytes = blocks * sizeof(*map);
	map = page_alloc((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
	if (!map)
		panic("slab_init: no memory for the slab map");
	memset(map, 0, bytes);
	slab_space.first_block = lo >> SLAB_SHIFT;
	slab_space.cache_of = map;
	slab_space.blocks = blocks;
	printk("slab: %lu bytes map %lu blocks of %u KiB to their caches\n",
	       (unsigned long)bytes, (unsigned long)blocks, SLAB_SIZE / 1024);
	/* Magazines in whole cache lines, as each hart writes only its own. */
	cache_setup(&cache_cache, "kmem_cache", sizeof(struct kmem_cache),
		    CACHELINE_SIZE, NULL);
	kmalloc_init();
}
