/*
 * mm/slab.h - private to mm/slab.c, mm/kmalloc.c and their tests: a
 * cache's layout, the slab map, and the fast paths of alloc and free,
 * inline so that kmalloc and kfree are one function each on a per-hart
 * hit.  The design is explained at the top of mm/slab.c.
 */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include <kernel/list.h>
#include <kernel/machine.h>
#include <kernel/mm_report.h>
#include <kernel/slab.h>
#include <kernel/spinlock.h>
#include "magazine.h"

/*
 * One slab: 2^order pages cut into objects of one cache.  inuse counts
 * the objects off the slab: with callers, or in magazines.  reach is
 * object_start_ok's limit for the objects below bump.
 */
struct slab {
	struct kmem_cache *cache;
	char *base;	       /* object 0 */
	char *bump;	       /* objects from here on were never handed out */
	uint32_t reach;	       /* see object_start_check() in mm/slab.c */
	unsigned int inuse;    /* objects off the slab */
	void *free;	       /* objects given back, linked */
	struct list_head node; /* on the cache's partial, full or empty list */
};

/*
 * A cache.  The magazines come first, as the fast paths start there;
 * then what the fast paths read, together.  A free object keeps its
 * free key at key_offset, and its link on a slab's free list at
 * link_offset.  objects_out counts the objects off their slabs.
 */
struct kmem_cache {
	struct magazines mags;
	size_t key_offset;
	uint32_t off_magic; /* see object_start_check() in mm/slab.c */
	uint32_t off_step;
	size_t link_offset;
	size_t stride;	      /* bytes per object */
	size_t size;	      /* as asked */
	unsigned int objects; /* per slab */
	unsigned int order;   /* a slab is 2^order pages */
	bool off_slab;	      /* struct slab kept apart */
	unsigned int debug;   /* MM_DEBUG_* features (mm/slab_debug.c) */
	size_t left;	      /* bytes of red zone before an object */
	size_t right_end;     /* where the red zone after it ends */
	size_t track_offset;  /* where its alloc and free tracks are */
	const char *name;
	void (*ctor)(void *obj);
	struct spinlock lock;
	struct list_head partial, full, empty; /* slabs */
	size_t nr_slabs, nr_empty;
	size_t objects_out;
	unsigned long refused_frees, failures;
	size_t peak_slabs;	 /* the most slabs held at once */
	uint32_t peak_ms;	 /* when */
	bool for_kmalloc;	 /* one of kmalloc's caches */
	unsigned int mag_max;	 /* the most a magazine may hold (0: none) */
	struct list_head caches; /* on the list of all caches */
};

/*
 * The debugging c does now.  Its layout bits (Z, P, U) are fixed when c
 * is made; memdebug may flip F while other harts allocate, so it is read
 * with a (free) relaxed atomic load.
 */
static inline unsigned int cache_debug(const struct kmem_cache *c)
{
	return __atomic_load_n(&c->debug, __ATOMIC_RELAXED);
}

/*
 * Does c keep its free key apart from what callers write (a debugging
 * layout, or a constructor's)?  Then one atomic swap of the key tells a
 * double free exactly; otherwise the key may be the caller's own data and
 * only a search of the free objects tells.
 */
static inline bool key_apart(const struct kmem_cache *c)
{
	return c->key_offset >= c->size;
}

/* What p, in a slab, is, in words (mm_describe). */
void slab_describe(const void *p, char *buf, size_t size);

/*
 * Empty c's magazines and size them anew, after its debugging or the
 * fault injection changed: none while either is on.
 */
void kmem_cache_refresh_magazines(struct kmem_cache *c);

/* Turn c's checks (F) on or off at run time; its layout stays. */
void kmem_cache_debug_checks(struct kmem_cache *c, bool on);

/* Which slab each page of the memory span belongs to, or NULL. */
struct slab_map {
	uintptr_t first_pfn;
	size_t pages;
	struct slab **slab_of;
};

extern struct slab_map slab_map;

/* The slab that holds p, or NULL: O(1), safe for any p. */
static __always_inline struct slab *slab_of(const void *p)
{
	size_t i = ((uintptr_t)p >> PAGE_SHIFT) - slab_map.first_pfn;

	if (unlikely(i >= slab_map.pages))
		return NULL;
	return __atomic_load_n(&slab_map.slab_of[i], __ATOMIC_RELAXED);
}

/*
 * A free object carries its free key, the complement of its own address:
 * a value live data almost never holds.  A free whose object already
 * carries it is probably a double free, and the slow path makes sure.
 */
static __always_inline unsigned long *free_key_at(void *obj, size_t key_offset)
{
	return (unsigned long *)((char *)obj + key_offset);
}

static __always_inline unsigned long *free_key(const struct kmem_cache *c,
					       void *obj)
{
	return free_key_at(obj, c->key_offset);
}

static __always_inline unsigned long key_of(const void *obj)
{
	return ~(unsigned long)obj;
}

/*
 * Whether off, an offset from a slab's object 0, starts one of its first
 * n objects is one multiplication and one comparison: off * magic
 * (mod 2^32) < n * step.  object_start_check() in mm/slab.c explains why.
 */
static __always_inline bool object_start_ok(uint32_t magic, uint32_t reach,
					    uint32_t off)
{
	return off * magic < reach;
}

/*
 * Is obj, which lies in slab s of cache c, an object that has been handed
 * out, and so one that may be freed?  It must start one of the objects
 * below the bump: s->reach says which.  Other harts move the bump under
 * the cache lock: read the reach once, atomically.
 */
static __always_inline bool object_in_use_range(const struct kmem_cache *c,
						struct slab *s, void *obj)
{
	uint32_t off = (uint32_t)((char *)obj - s->base);

	return object_start_ok(c->off_magic,
			       __atomic_load_n(&s->reach, __ATOMIC_RELAXED),
			       off);
}

/* --- Objects and slabs, for mm/slab.c and its checks (mm/slab_validate.c) */

static inline void **link_of(const struct kmem_cache *c, void *obj)
{
	return (void **)((char *)obj + c->link_offset);
}

static inline size_t slab_bytes(const struct kmem_cache *c)
{
	return (size_t)PAGE_SIZE << c->order;
}

static inline char *slab_end(const struct kmem_cache *c, const struct slab *s)
{
	return s->base + (size_t)c->objects * c->stride;
}

/*
 * Is next a link the free list of slab s may hold: NULL, or a handed-out
 * object of s?  A use after free can overwrite a link; follow a bad one
 * and the allocator hands out, or walks, memory it does not own.
 */
static inline bool link_ok(const struct kmem_cache *c, struct slab *s,
			   const void *next)
{
	uintptr_t off = (uintptr_t)next - (uintptr_t)s->base;

	return !next || (off < (size_t)c->objects * c->stride &&
			 object_in_use_range(c, s, (void *)next));
}

enum slab_list { SLAB_PARTIAL, SLAB_FULL, SLAB_EMPTY };

static inline enum slab_list list_for(const struct kmem_cache *c,
				      const struct slab *s)
{
	if (s->inuse == 0)
		return SLAB_EMPTY;
	return s->inuse == c->objects ? SLAB_FULL : SLAB_PARTIAL;
}

/*
 * The link of an object taken off a free list: one link_ok refuses, so a
 * list sent back to it (a cycle) is caught, not handed out twice.
 */
#define LINK_TAKEN ((void *)1)

/*
 * The part of free_object_ok past link_ok(obj): obj carries its free key
 * and links on to another link_ok.  A walk that met obj as a link it
 * checked already needs only this.
 */
static inline bool free_rest_ok(const struct kmem_cache *c, struct slab *s,
				void *obj)
{
	return *free_key(c, obj) == key_of(obj) &&
	       link_ok(c, s, *link_of(c, obj));
}

/*
 * Is obj, met on slab s's free list, a free object of s: one handed out
 * once (link_ok) that carries its free key, and links on to another
 * link_ok?  A link that a flipped bit or a write after free sent
 * elsewhere fails this almost always: into the middle of an object,
 * outside the slab, at a live object, or back to one taken (LINK_TAKEN).
 */
static inline bool free_object_ok(const struct kmem_cache *c, struct slab *s,
				  void *obj)
{
	return link_ok(c, s, obj) && free_rest_ok(c, s, obj);
}

/* The slow paths, in mm/slab.c; caller is whom a report names. */
void *slab_alloc_slow(struct kmem_cache *c, size_t asked, uintptr_t caller);
void slab_free_slow(struct kmem_cache *c, void *obj, uintptr_t caller);
/* Is obj, an object of c below the bump, free?  Exact, not fast. */
bool slab_object_is_free(struct kmem_cache *c, void *obj);

/* Red zones, poison and tracking (mm/slab_debug.c), for c->debug. */
void slab_debug_layout(struct kmem_cache *c, size_t align);
void slab_debug_carve(struct kmem_cache *c, void *obj);
void slab_debug_alloc(struct kmem_cache *c, void *obj, size_t asked,
		      uintptr_t caller);
/*
 * Are obj's red zones intact (true, too, if c has none)?  If not, report
 * it (naming caller, 0 for a check) and mend them.
 */
bool red_zones_intact(const struct kmem_cache *c, void *obj, uintptr_t caller);
/* Bytes asked for by the live objects of c, which tracks them. */
size_t slab_debug_asked_bytes(struct kmem_cache *c);
/* false: obj was free already (reported); nothing changed. */
bool slab_debug_free(struct kmem_cache *c, void *obj, uintptr_t caller);
/* A report of bug on obj of c, with its tracks when c keeps them. */
void slab_object_report(struct mm_report *r, struct kmem_cache *c, void *obj,
			enum mm_bug bug, uintptr_t caller);
/* obj's alloc (which 0) or free (1) track. */
struct mm_track *slab_track(const struct kmem_cache *c, void *obj, int which);

/*
 * Where a cache with neither a constructor nor debugging keeps its free
 * key: the word after the link (kmem_cache_create's layout).  kmalloc's
 * caches have no constructor, and one whose key is elsewhere has no
 * magazines (kmem_cache_serve_kmalloc), so kmalloc's fast paths pass this
 * constant as their key_offset below, and skip loading c->key_offset: 2
 * instructions an alloc, 2 a free.
 */
#define PLAIN_KEY_OFFSET sizeof(void *)

/*
 * Make c one of kmalloc's caches (kmalloc_init); one whose free key is
 * not at PLAIN_KEY_OFFSET keeps no magazines from now on.
 */
void kmem_cache_serve_kmalloc(struct kmem_cache *c);

/*
 * The fast path of alloc: pop this hart's magazine into *obj.  About 20
 * instructions on rv32.  false: it was empty (or a drain had it), and
 * nothing changed.  key_offset is c->key_offset, or PLAIN_KEY_OFFSET
 * where the caller knows it is (it is inlined, so a constant folds).
 */
static __always_inline bool slab_alloc_fast(struct kmem_cache *c, void **obj,
					    size_t key_offset)
{
	struct magazine *m;
	unsigned long flags;
	void **top;

	top = mag_open(&c->mags, &m, &flags);
	if (likely(mag_has_objects(m, top))) {
		*obj = *--top;
		mag_close(m, top, flags);
		*free_key_at(*obj, key_offset) = 0; /* ours: no longer free */
		return true;
	}
	mag_close_unchanged(m, top, flags);
	return false;
}

/*
 * The fast path of free: check obj and push it on this hart's magazine.
 * obj must lie in slab s of c, start an object that was handed out, and
 * not carry its free key.  About 35 instructions on rv32.  false: nothing
 * changed, and the slow path will look again and say why.  key_offset as
 * for slab_alloc_fast: if c is debugged, PLAIN_KEY_OFFSET may name a
 * word of the caller's data, but then c has no magazines, so the word is
 * never read, and the slow path checks the real key.
 */
static __always_inline bool slab_free_fast(struct kmem_cache *c, struct slab *s,
					   void *obj, size_t key_offset)
{
	unsigned long *key = free_key_at(obj, key_offset);
	struct magazine *m;
	unsigned long flags;
	void **top;

	if (likely(object_in_use_range(c, s, obj))) {
		top = mag_open(&c->mags, &m, &flags);
		/*
		 * The key is read only once there is room: a debugged cache
		 * has none, so its objects' words (which a watch may guard)
		 * are never read here.  A plain load, but other harts may swap
		 * the key (mm.debug): atomic.
		 */
		if (likely(mag_has_room(m, top) &&
			   __atomic_load_n(key, __ATOMIC_RELAXED) !=
				   key_of(obj))) {
			*key = key_of(obj);
			top = mag_push(m, top, obj);
			mag_close(m, top, flags);
			return true;
		}
		mag_close_unchanged(m, top, flags);
	}
	return false;
}

#endif /* MM_SLAB_H */
