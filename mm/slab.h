/*
 * mm/slab.h - private to mm/slab.c and mm/kmalloc.c: a cache's layout and
 * the fast paths of alloc and free, inline so that kmalloc and kfree are
 * one function each on a per-hart hit.  The design is explained at the
 * top of mm/slab.c.
 */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include <kernel/machine.h>
#include <kernel/slab.h>
#include <kernel/spinlock.h>
#include <kernel/list.h>

#define SLAB_SHIFT 14 /* SLAB_SIZE == 1 << SLAB_SHIFT */

/*
 * A hart's magazine of free objects for one cache.  count doubles as the
 * magazine's lock: whoever swaps MAG_LOCKED into it owns the magazine
 * until it stores the new count back.  One swap and one store, where a
 * separate lock would cost a swap, a load, a store and a store.
 */
#define MAG_SIZE 15 /* with count: 64 bytes on rv32, 128 on rv64 */
#define MAG_LOCKED (~0UL)

struct magazine {
	unsigned long count; /* objects[0..count) are free, or MAG_LOCKED */
	void *objects[MAG_SIZE];
};

struct kmem_cache {
	/* First, so that this_hart's magazine is c + (hart << 6 or 7). */
	struct magazine mag[MAX_HARTS];
	/* What the fast paths read, together. */
	size_t key;	    /* offset of the free key in an object */
	uint32_t off_magic; /* see slab_offset_check() */
	uint32_t off_limit;
	size_t link;	      /* offset of the free-list link */
	size_t stride;	      /* bytes per object */
	size_t size;	      /* as asked */
	unsigned int objects; /* per slab */
	const char *name;
	void (*ctor)(void *obj);
	struct spinlock lock;
	struct list_head partial, full, empty; /* slabs */
	size_t nr_slabs, nr_empty;
	size_t out; /* objects off their slabs: with callers or in magazines */
	unsigned long refused;	 /* frees refused with a report */
	struct list_head caches; /* on the list of all caches */
};

_Static_assert(sizeof(struct magazine) == 16 * sizeof(void *),
	       "a magazine is a power of two bytes: hart << shift finds it");

/* Which cache owns each SLAB_SIZE block of the memory span. */
struct slab_space {
	uintptr_t first_block; /* span start >> SLAB_SHIFT */
	size_t blocks;
	struct kmem_cache **cache_of; /* NULL for a block that is no slab */
};

extern struct slab_space slab_space;

/* The cache whose slab holds p, or NULL: O(1), safe for any p. */
static __always_inline struct kmem_cache *slab_cache_of(const void *p)
{
	size_t b = ((uintptr_t)p >> SLAB_SHIFT) - slab_space.first_block;

	if (unlikely(b >= slab_space.blocks))
		return NULL;
	return __atomic_load_n(&slab_space.cache_of[b], __ATOMIC_RELAXED);
}

/*
 * A free object carries its free key, the complement of its own address:
 * a value live data almost never holds.  A free whose object already
 * carries it is probably a double free, and the slow path makes sure.
 */
static __always_inline unsigned long *free_key(const struct kmem_cache *c,
					       void *obj)
{
	return (unsigned long *)((char *)obj + c->key);
}

static __always_inline unsigned long key_of(const void *obj)
{
	return ~(unsigned long)obj;
}

/* This hart's magazine of c; interrupts must be off. */
static __always_inline struct magazine *this_magazine(struct kmem_cache *c)
{
	struct magazine *m = &c->mag[this_hart()];

	/* Make the compiler index m->objects from m, not from the hart id. */
	__asm__("" : "+r"(m));
	return m;
}

/*
 * Try to take a magazine; interrupts must be off.  Returns its count, or
 * MAG_LOCKED if someone else has it: then a fast path takes its slow
 * path, which waits its turn under the cache lock.
 */
static __always_inline unsigned long mag_trylock(struct magazine *m)
{
	return __atomic_exchange_n(&m->count, MAG_LOCKED, __ATOMIC_ACQUIRE);
}

static __always_inline void mag_unlock(struct magazine *m, unsigned long n)
{
	__atomic_store_n(&m->count, n, __ATOMIC_RELEASE);
}

/*
 * The slow paths, in mm/slab.c.  The fast paths reach them by tail calls
 * (__fast_path), so their CALLER_ADDR is the fast path's caller: the
 * caller a report names, at no cost to the fast path.
 */
void *slab_alloc_slow(struct kmem_cache *c);
void slab_free_slow(struct kmem_cache *c, void *obj);
void slab_free_suspect(struct kmem_cache *c, void *obj);
void slab_bad_free(struct kmem_cache *c, void *obj);
/* Is obj, the start of one of c's objects, free?  Exact, not fast. */
bool slab_object_is_free(struct kmem_cache *c, void *obj);

/* Pop an object from this hart's magazine, or go the slow way. */
static __always_inline void *slab_alloc(struct kmem_cache *c)
{
	unsigned long flags = irq_save();
	struct magazine *m = this_magazine(c);
	unsigned long n = mag_trylock(m);
	void *obj;

	if (unlikely(n - 1 >= MAG_SIZE)) { /* empty, or MAG_LOCKED */
		if (n == 0)
			mag_unlock(m, 0);
		irq_restore(flags);
		return slab_alloc_slow(c);
	}
	obj = m->objects[--n];
	mag_unlock(m, n);
	irq_restore(flags);
	*free_key(c, obj) = 0;
	return obj;
}

/*
 * Whether off, an offset in a slab, starts one of its objects is one
 * multiplication and one comparison: off * magic (mod 2^32) <= limit.
 * slab_offset_check() in mm/slab.c explains why.
 */
static __always_inline bool slab_offset_ok(uint32_t magic, uint32_t limit,
					   uint32_t off)
{
	return off * magic <= limit;
}

/*
 * Check obj, which lies in one of c's slabs, and push it on this hart's
 * magazine.  It must start an object and must not carry its free key.
 */
static __always_inline void slab_free(struct kmem_cache *c, void *obj)
{
	uint32_t off = (uintptr_t)obj & (SLAB_SIZE - 1);
	unsigned long *key = free_key(c, obj);
	unsigned long flags, n;
	struct magazine *m;

	if (unlikely(!slab_offset_ok(c->off_magic, c->off_limit, off)))
		return slab_bad_free(c, obj);
	if (unlikely(*key == key_of(obj)))
		return slab_free_suspect(c, obj);
	*key = key_of(obj);
	flags = irq_save();
	m = this_magazine(c);
	n = mag_trylock(m);
	if (unlikely(n >= MAG_SIZE)) { /* full, or MAG_LOCKED */
		if (n == MAG_SIZE)
			mag_unlock(m, n);
		irq_restore(flags);
		return slab_free_slow(c, obj);
	}
	m->objects[n] = obj;
	mag_unlock(m, n + 1);
	irq_restore(flags);
}

#endif /* MM_SLAB_H */
