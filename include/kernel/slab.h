/*
 * slab.h - object caches and kmalloc, on top of the page allocator
 * (mm/slab.c, mm/kmalloc.c).
 *
 *	static struct kmem_cache *task_cache;
 *
 *	task_cache = kmem_cache_create("task", sizeof(struct task), 0, 0,
 *				       NULL);
 *	t = kmem_cache_alloc(task_cache);
 *	...
 *	kmem_cache_free(task_cache, t);
 *
 * Objects are at least 8-byte aligned (more if align asks for it).  A
 * constructor runs once for every object, the first time it is handed
 * out; objects must be given back in their constructed state.  The
 * allocator keeps its free-list link in a word after the object when
 * there is a constructor, and in the object's first word otherwise.
 */
#ifndef KERNEL_SLAB_H
#define KERNEL_SLAB_H

#include <kernel/compiler.h>

/* Largest object a cache may hold. */
#define SLAB_MAX_OBJECT 4096
/* Largest kmalloc served by a cache; larger ones are whole pages. */
#define KMALLOC_MAX_CACHED 2048

struct kmem_cache;

/*
 * kmem_cache_create's flags: debugging for this cache on top of what
 * mm.debug turns on for all (the same letters: include/kernel/mm_debug.h),
 * or none at all.  They decide the cache's layout, so they are given when
 * it is made.  A cache with a constructor is never poisoned: its objects
 * keep their constructed state while free.
 */
#define SLAB_CHECKS (1u << 0)	/* F */
#define SLAB_RED_ZONE (1u << 1) /* Z */
#define SLAB_POISON (1u << 2)	/* P */
#define SLAB_TRACK (1u << 3)	/* U */
#define SLAB_WATCH (1u << 5)	/* W */
#define SLAB_NO_DEBUG (1u << 8) /* the plain layout, whatever mm.debug says */

/* Set up the allocator and the kmalloc caches; after page_init. */
void slab_init(void);

struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align, unsigned int flags,
				     void (*ctor)(void *obj));
void *kmem_cache_alloc(struct kmem_cache *cache);
void kmem_cache_free(struct kmem_cache *cache, void *obj);
/*
 * Give every empty slab back to the page allocator, after the objects the
 * per-hart magazines and the watch quarantine (mm.debug=W) keep.
 */
void kmem_cache_shrink(struct kmem_cache *cache);
/*
 * The same for every cache, kmalloc's included, after the watch
 * quarantine gives back all it holds, the pages too.
 */
void kmem_cache_shrink_all(void);
/* 0, or -1 with a report (and nothing done) while objects are allocated. */
int kmem_cache_destroy(struct kmem_cache *cache);

struct kmem_cache_stats {
	const char *name;
	size_t object_size; /* as asked */
	size_t stride;	    /* bytes per object in a slab */
	unsigned int objects_per_slab;
	unsigned int pages_per_slab;
	size_t active; /* objects handed out */
	size_t total;  /* objects in all slabs */
	size_t slabs;
	size_t cached;		     /* free objects in per-hart magazines */
	unsigned long allocs, frees; /* calls done since it was made */
	unsigned long failures;	     /* allocations that returned NULL */
	unsigned long refused_frees; /* bad frees refused, with a report */
	size_t peak_slabs;	     /* most slabs held at once */
	uint32_t peak_ms;	     /* when, in ms since boot */
	unsigned int debug;	     /* MM_DEBUG_* features on for it */
};

void kmem_cache_get_stats(struct kmem_cache *cache,
			  struct kmem_cache_stats *stats);
/* Call fn for every cache (kmalloc's included). */
void kmem_cache_for_each(void (*fn)(struct kmem_cache *cache, void *arg),
			 void *arg);

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void *krealloc(void *p, size_t size);
void kfree(void *p);
/* Usable size of a kmalloc block (>= the size asked); 0 for NULL. */
size_t ksize(const void *p);

#endif /* KERNEL_SLAB_H */
