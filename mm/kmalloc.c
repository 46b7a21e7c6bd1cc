/*
 * kmalloc.c - kmalloc and friends over a set of slab caches.
 *
 * Requests up to KMALLOC_MAX_CACHED bytes are rounded up to a size class
 * and served by that class's cache; larger ones are whole pages from
 * page_alloc.  kfree tells them apart by the slab map (mm/slab.c).
 *
 * The classes are 8, 16, 24, ... 64 and then four per power of two
 * (80, 96, 112, 128, 160, ...), so from 64 bytes on a request is rounded
 * up by at most 25%.  A free object holds two pointers (mm/slab.c), so on
 * 64-bit machines there is no 8-byte class: the first is 16.  A table
 * indexed by (size - 1) / 8 gives the cache in O(1).
 */
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include "internal.h"
#include "report.h"
#include "slab.h"

static const unsigned short class_sizes[] = {
	8,   16,  24,  32,   40,   48,	 56,   64,   80,  96,
	112, 128, 160, 192,  224,  256,	 320,  384,  448, 512,
	640, 768, 896, 1024, 1280, 1536, 1792, 2048,
};

#define KMALLOC_MIN (2 * sizeof(void *))
#define CLASS_NAME_LEN sizeof("kmalloc-2048")

static char class_names[ARRAY_SIZE(class_sizes)][CLASS_NAME_LEN];

/* The cache for a request of size bytes: cache_for[(size - 1) / 8]. */
static struct kmem_cache *cache_for[KMALLOC_MAX_CACHED / 8] __read_mostly;

void kmalloc_init(void)
{
	unsigned int c, i = 0;

	for (c = 0; c < ARRAY_SIZE(class_sizes); c++) {
		struct kmem_cache *cache;

		if (class_sizes[c] < KMALLOC_MIN)
			continue;
		snprintf(class_names[c], CLASS_NAME_LEN, "kmalloc-%u",
			 class_sizes[c]);
		cache = kmem_cache_create(class_names[c], class_sizes[c], 0, 0,
					  NULL);
		if (!cache)
			panic("kmalloc_init: cannot create %s", class_names[c]);
		kmem_cache_serve_kmalloc(cache);
		for (; i < class_sizes[c] / 8; i++)
			cache_for[i] = cache;
	}
}

/* Everything but a magazine hit: an empty magazine, large, or zero. */
static __noinline void *kmalloc_slow(size_t size, uintptr_t caller)
{
	if (size - 1 < KMALLOC_MAX_CACHED)
		return slab_alloc_slow(cache_for[(size - 1) / 8], size, caller);
	if (size == 0)
		return NULL;
	return page_alloc_bytes_as(size, PAGE_OWNER_KMALLOC, caller);
}

/* About 26 instructions on rv32 on a magazine hit. */
void *kmalloc(size_t size)
{
	void *obj;

	/* size - 1 wraps for 0, which is no cached size either. */
	if (likely(size - 1 < KMALLOC_MAX_CACHED &&
		   slab_alloc_fast(cache_for[(size - 1) / 8], &obj,
				   PLAIN_KEY_OFFSET)))
		return obj;
	return kmalloc_slow(size, CALLER_ADDR);
}

/* Everything but a magazine hit: a full magazine, large, or bad. */
static __noinline void kfree_slow(void *p, uintptr_t caller)
{
	struct slab *s = slab_of(p);

	if (s)
		slab_free_slow(s->cache, p, caller);
	else if (p)
		page_free_as(p, PAGE_OWNER_KMALLOC, caller); /* large, or bad */
}

/* About 41 instructions on rv32 on a magazine hit. */
void kfree(void *p)
{
	struct slab *s = slab_of(p);

	if (likely(s && slab_free_fast(s->cache, s, p, PLAIN_KEY_OFFSET)))
		return;
	kfree_slow(p, CALLER_ADDR);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* Usable size of the live block at p, or 0 (kfree would refuse it). */
static size_t live_size(const void *p)
{
	struct slab *s = slab_of(p);

	if (!p)
		return 0;
	if (!s)
		return page_run_pages(p, PAGE_OWNER_KMALLOC) * PAGE_SIZE;
	/* Only the start of a handed-out object that is not free has one. */
	if (!object_in_use_range(s->cache, s, (void *)p) ||
	    slab_object_is_free(s->cache, (void *)p))
		return 0;
	return s->cache->size;
}

size_t ksize(const void *p)
{
	return live_size(p);
}

/* What kmalloc(size) would hand out, in usable bytes. */
static size_t usable_size_for(size_t size)
{
	if (size - 1 < KMALLOC_MAX_CACHED)
		return cache_for[(size - 1) / 8]->size;
	return pages_for_bytes(size) * PAGE_SIZE;
}

/*
 * The block keeps its place while the new size fits and is more than
 * half of it (or no smaller block would do); otherwise it moves, so a
 * block shrunk below half gives its space back.
 */
void *krealloc(void *p, size_t size)
{
	uintptr_t caller = CALLER_ADDR;
	size_t old = live_size(p);
	void *q;

	if (!p)
		return kmalloc(size);
	if (old == 0) {
		struct mm_report r = {
			.bug = MM_BAD_CALL,
			.addr = p,
			.where = "krealloc",
			.order = -1,
			.caller = caller,
		};

		mm_report(&r, "no live kmalloc block; nothing changed");
		return NULL;
	}
	if (size == 0) {
		kfree_slow(p, caller);
		return NULL;
	}
	if (size <= old && (size > old / 2 || usable_size_for(size) == old))
		return p;
	q = kmalloc(size);
	if (q) {
		memcpy(q, p, MIN(old, size));
		kfree_slow(p, caller);
	}
	return q;
}
