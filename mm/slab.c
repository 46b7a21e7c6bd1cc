/*
 * slab.c - object caches on top of the page allocator.
 *
 * A cache hands out objects of one size.  It keeps them in slabs: blocks
 * of SLAB_SIZE bytes (4 pages) from page_alloc_order, aligned to their
 * size, each cut into equal objects behind a small header:
 *
 *   slab (16 KiB, aligned)
 *   +-------------+--------+--------+--------+-----+--------+-------+
 *   | struct slab | obj 0  | obj 1  | obj 2  | ... | obj n-1| waste |
 *   | + alloc map |        |        |        |     |        |       |
 *   +-------------+--------+--------+--------+-----+--------+-------+
 *
 *   object (stride bytes):  | payload (size) | free link (if ctor) | pad |
 *
 * The slab of any object is its address rounded down to SLAB_SIZE: O(1),
 * no header in front of each object.  A free object holds the link of
 * its slab's free list in its first word, or, for caches with a
 * constructor, in the word after the payload, so constructed state
 * survives.  The space between payload and stride is where step 4 of the
 * roadmap will put red zones.  The alloc map has one bit per object, set
 * while a caller owns it: a double free is one atomic test-and-clear.
 *
 * Each hart has a magazine of up to MAG_SIZE free objects per cache: the
 * common alloc and free touch only it, with interrupts off and no shared
 * lock.  An empty magazine is refilled, and a full one flushed, MAG_BATCH
 * objects at a time under the cache lock.  Objects freed on another hart
 * than the one that allocated them just go into that hart's magazine.
 *
 * Slabs sit on three lists: partial (some free objects), full and empty.
 * At most MAX_EMPTY empty slabs are kept per cache; kmem_cache_shrink
 * returns all of them to the page allocator.
 *
 * Locking: cache->lock (LOCK_LEVEL_SLAB) protects the slab lists and the
 * slabs' free lists and counters; slab_lock (LOCK_LEVEL_SLAB_CACHES, taken
 * before any cache lock) the list of caches.
 * page_alloc is called with a cache lock held.  A magazine has its own
 * small lock, as the page allocator's per-hart caches do, taken by its
 * hart and by shrink/destroy; it is never held while taking cache->lock.
 */
#include <kernel/bitmap.h>
#include <kernel/machine.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include "internal.h"

#define SLAB_ORDER 2 /* SLAB_SIZE == PAGE_SIZE << SLAB_ORDER */
#define MAG_SIZE 16  /* free objects a hart keeps per cache */
#define MAG_BATCH 8  /* objects moved between a magazine and the slabs */
#define SLAB_MAGIC 0x51ab51abu
#define MAX_EMPTY 2
#define MAX_OBJECTS (SLAB_SIZE / 8)

struct slab {
	struct list_head node; /* on its cache's partial/full/empty list */
	struct kmem_cache *cache;
	void *free;	    /* free objects on this slab */
	unsigned int inuse; /* objects not on the free list */
	unsigned int magic;
	unsigned long allocated[]; /* one bit per object, set while owned */
};

struct magazine {
	int lock; /* 0 free, 1 held: a bare amoswap lock */
	unsigned int count;
	void *objects[MAG_SIZE];
} __aligned(CACHELINE_SIZE);

struct kmem_cache {
	struct spinlock lock;
	const char *name;
	size_t size;	      /* as asked */
	size_t stride;	      /* bytes per object */
	size_t link;	      /* offset of the free link in an object */
	size_t first;	      /* offset of object 0 in a slab */
	unsigned int objects; /* per slab */
	void (*ctor)(void *obj);
	struct list_head partial, full, empty;
	size_t nr_slabs, nr_empty;
	size_t out; /* objects off their slabs: with callers or in magazines */
	struct list_head caches; /* on the list of all caches */
	struct magazine mag[MAX_HARTS];
};

static DEFINE_SPINLOCK(slab_lock, "slab_caches", LOCK_LEVEL_SLAB_CACHES);
static LIST_HEAD(all_caches);
static unsigned long *slab_map; /* one bit per SLAB_SIZE block: a slab */
static uintptr_t span_lo, span_hi;

/* --- Finding things from an address ---------------------------------- */

static inline size_t block_of(const void *p)
{
	return ((uintptr_t)p - span_lo) / SLAB_SIZE;
}

/* The slab that holds p, or NULL if p is not inside a slab. */
static inline struct slab *slab_of(const void *p)
{
	if ((uintptr_t)p < span_lo || (uintptr_t)p >= span_hi ||
	    !(__atomic_load_n(&slab_map[BIT_WORD(block_of(p))],
			      __ATOMIC_RELAXED) &
	      BIT_MASK(block_of(p))))
		return NULL;
	return (struct slab *)ALIGN_DOWN((uintptr_t)p, SLAB_SIZE);
}

/* Index of the object at p, or -1 if p is not the start of an object. */
static inline long obj_to_index(const struct slab *s, const void *p)
{
	const struct kmem_cache *c = s->cache;
	size_t off = (uintptr_t)p - (uintptr_t)s;

	if (off < c->first || (off - c->first) % c->stride ||
	    (off - c->first) / c->stride >= c->objects)
		return -1;
	return (long)((off - c->first) / c->stride);
}

static inline void *index_to_obj(const struct slab *s, size_t i)
{
	return (char *)s + s->cache->first + i * s->cache->stride;
}

static inline void **link_of(const struct kmem_cache *c, void *obj)
{
	return (void **)((char *)obj + c->link);
}

/* --- Slabs (cache->lock held) ------------------------------------------ */

static struct slab *__new_slab(struct kmem_cache *c)
{
	struct slab *s = page_alloc_order(SLAB_ORDER);
	size_t i;

	if (!s)
		return NULL;
	s->cache = c;
	s->inuse = 0;
	s->magic = SLAB_MAGIC;
	s->free = NULL;
	memset(s->allocated, 0, BITS_TO_LONGS(c->objects) * sizeof(long));
	for (i = c->objects; i-- > 0;) {
		void *obj = index_to_obj(s, i);

		if (c->ctor)
			c->ctor(obj);
		*link_of(c, obj) = s->free;
		s->free = obj;
	}
	__atomic_fetch_or(&slab_map[BIT_WORD(block_of(s))],
			  BIT_MASK(block_of(s)), __ATOMIC_RELAXED);
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
	s->magic = 0;
	__atomic_fetch_and(&slab_map[BIT_WORD(block_of(s))],
			   ~BIT_MASK(block_of(s)), __ATOMIC_RELAXED);
	page_free(s);
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

/* --- Magazines ----------------------------------------------------------- */

static inline void mag_lock(struct magazine *m)
{
	while (__atomic_exchange_n(&m->lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static inline void mag_unlock(struct magazine *m)
{
	__atomic_store_n(&m->lock, 0, __ATOMIC_RELEASE);
}

/* Empty every hart's magazine back into the slabs. */
static void drain_magazines(struct kmem_cache *c)
{
	void *objs[MAG_SIZE];
	unsigned int h, n;

	for (h = 0; h < MAX_HARTS; h++) {
		struct magazine *m = &c->mag[h];
		unsigned long flags = irq_save();

		mag_lock(m);
		n = m->count;
		memcpy(objs, m->objects, n * sizeof(void *));
		m->count = 0;
		mag_unlock(m);
		irq_restore(flags);
		acquire(&c->lock);
		__put_objects(c, objs, n);
		release(&c->lock);
	}
}

/* --- Reports --------------------------------------------------------------- */

static void report(const struct kmem_cache *c, const void *obj, const char *why,
		   uintptr_t caller)
{
	printk("slab: free of %p %s (cache %s, caller %p); nothing freed\n",
	       obj, why, c ? c->name : "-", (void *)caller);
}

/* --- Allocation and free ------------------------------------------------- */

static __always_inline void *cache_alloc(struct kmem_cache *c)
{
	unsigned long flags = irq_save();
	struct magazine *m = &c->mag[this_hart()];
	void *obj = NULL;

	mag_lock(m);
	if (likely(m->count))
		obj = m->objects[--m->count];
	mag_unlock(m);
	irq_restore(flags);
	if (unlikely(!obj)) {
		/* Refill: a batch from the slabs, one of them for us. */
		void *objs[MAG_BATCH];
		unsigned int n, i;

		acquire(&c->lock);
		n = __take_objects(c, objs, MAG_BATCH);
		release(&c->lock);
		if (!n)
			return NULL;
		obj = objs[--n];
		flags = irq_save();
		m = &c->mag[this_hart()];
		mag_lock(m);
		for (i = 0; i < n && m->count < MAG_SIZE; i++)
			m->objects[m->count++] = objs[i];
		mag_unlock(m);
		irq_restore(flags);
		if (i < n) { /* the magazine filled meanwhile */
			acquire(&c->lock);
			__put_objects(c, objs + i, n - i);
			release(&c->lock);
		}
	}
	return obj;
}

void *kmem_cache_alloc(struct kmem_cache *c)
{
	void *obj = cache_alloc(c);
	struct slab *s;
	long i;

	if (unlikely(!obj))
		return NULL;
	s = slab_of(obj);
	i = obj_to_index(s, obj);
	if (__atomic_fetch_or(&s->allocated[BIT_WORD(i)], BIT_MASK(i),
			      __ATOMIC_RELAXED) &
	    BIT_MASK(i))
		panic("slab: cache %s handed out %p twice: metadata corrupted",
		      c->name, obj);
	return obj;
}

/*
 * Check obj and take it from its owner; false after a report.  A NULL
 * cache means "whatever cache the object belongs to" (kfree).
 */
static __always_inline bool release_object(struct kmem_cache *c, struct slab *s,
					   void *obj, uintptr_t caller)
{
	long i;

	if (!s || s->magic != SLAB_MAGIC) {
		report(c, obj, "is not in any slab", caller);
		return false;
	}
	if (c && s->cache != c) {
		printk("slab: free of %p to cache %s, but it belongs to cache "
		       "%s (caller %p); nothing freed\n",
		       obj, c->name, s->cache->name, (void *)caller);
		return false;
	}
	i = obj_to_index(s, obj);
	if (i < 0) {
		report(s->cache, obj, "is not the start of an object", caller);
		return false;
	}
	if (!(__atomic_fetch_and(&s->allocated[BIT_WORD(i)], ~BIT_MASK(i),
				 __ATOMIC_RELAXED) &
	      BIT_MASK(i))) {
		report(s->cache, obj, "is already free (double free)", caller);
		return false;
	}
	return true;
}

static __always_inline void cache_free(struct kmem_cache *c, void *obj)
{
	unsigned long flags = irq_save();
	struct magazine *m = &c->mag[this_hart()];
	void *flush[MAG_BATCH];
	unsigned int n = 0;

	mag_lock(m);
	if (unlikely(m->count == MAG_SIZE)) {
		n = MAG_BATCH;
		m->count -= n;
		memcpy(flush, &m->objects[m->count], n * sizeof(void *));
	}
	m->objects[m->count++] = obj;
	mag_unlock(m);
	irq_restore(flags);
	if (unlikely(n)) {
		acquire(&c->lock);
		__put_objects(c, flush, n);
		release(&c->lock);
	}
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	if (!obj)
		return;
	if (release_object(c, slab_of(obj), obj, CALLER_ADDR))
		cache_free(c, obj);
}

/* kfree's way in: the cache is found from the object. */
bool slab_free_object(void *obj, uintptr_t caller)
{
	struct slab *s = slab_of(obj);

	if (!s)
		return false; /* not a slab object: the caller decides */
	if (release_object(NULL, s, obj, caller))
		cache_free(s->cache, obj);
	return true;
}

size_t slab_object_size(const void *obj)
{
	struct slab *s = slab_of(obj);

	return s && s->magic == SLAB_MAGIC ? s->cache->size : 0;
}

/* --- Caches ------------------------------------------------------------- */

struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align, unsigned int flags,
				     void (*ctor)(void *obj))
{
	struct kmem_cache *c;
	size_t header, h;

	(void)flags;
	if (size == 0 || size > SLAB_MAX_OBJECT || (align & (align - 1))) {
		printk("kmem_cache_create(%s): bad size %lu or align %lu\n",
		       name, (unsigned long)size, (unsigned long)align);
		return NULL;
	}
	c = page_alloc((sizeof(*c) + PAGE_SIZE - 1) / PAGE_SIZE);
	if (!c)
		return NULL;
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
	c->link = ctor ? ALIGN_UP(size, sizeof(void *)) : 0;
	c->stride = ALIGN_UP(c->link + (ctor ? sizeof(void *) : size), align);
	/* The header holds one bit per object: find how many fit. */
	c->objects = (SLAB_SIZE - sizeof(struct slab)) / c->stride;
	for (;;) {
		h = sizeof(struct slab) +
		    BITS_TO_LONGS(c->objects) * sizeof(long);
		header = ALIGN_UP(h, align);
		if (header + c->objects * c->stride <= SLAB_SIZE)
			break;
		c->objects--;
	}
	c->first = header;
	list_init(&c->partial);
	list_init(&c->full);
	list_init(&c->empty);
	acquire(&slab_lock);
	list_add_tail(&c->caches, &all_caches);
	release(&slab_lock);
	return c;
}

void kmem_cache_shrink(struct kmem_cache *c)
{
	struct slab *s, *n;

	drain_magazines(c);
	acquire(&c->lock);
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
	page_free(c);
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
	for (st->cached = 0, h = 0; h < MAX_HARTS; h++)
		st->cached +=
			__atomic_load_n(&c->mag[h].count, __ATOMIC_RELAXED);
	acquire(&c->lock);
	st->slabs = c->nr_slabs;
	st->total = c->nr_slabs * c->objects;
	/* Read while other harts work: a snapshot, not a ledger. */
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
	size_t blocks;

	page_span(&span_lo, &span_hi);
	span_lo = ALIGN_DOWN(span_lo, SLAB_SIZE);
	blocks = (span_hi - span_lo) / SLAB_SIZE + 1;
	slab_map = page_alloc(
		(BITS_TO_LONGS(blocks) * sizeof(long) + PAGE_SIZE - 1) /
		PAGE_SIZE);
	if (!slab_map)
		panic("slab_init: no memory for the slab map");
	memset(slab_map, 0, BITS_TO_LONGS(blocks) * sizeof(long));
	kmalloc_init();
}
