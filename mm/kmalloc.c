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
#include "slab.h"

static const unsigned short class_sizes[] = {
	8,   16,  24,  32,   40,   48,	 56,   64,   80,  96,
	112, 128, 160, 192,  224,  256,	 320,  384,  448, 512,
	640, 768, 896, 1024, 1280, 1536, 1792, 2048,
};

static const char *const class_names[] = {
	"kmalloc-8",	"kmalloc-16",	"kmalloc-24",	"kmalloc-32",
	"kmalloc-40",	"kmalloc-48",	"kmalloc-56",	"kmalloc-64",
	"kmalloc-80",	"kmalloc-96",	"kmalloc-112",	"kmalloc-128",
	"kmalloc-160",	"kmalloc-192",	"kmalloc-224",	"kmalloc-256",
	"kmalloc-320",	"kmalloc-384",	"kmalloc-448",	"kmalloc-512",
	"kmalloc-640",	"kmalloc-768",	"kmalloc-896",	"kmalloc-1024",
	"kmalloc-1280", "kmalloc-1536", "kmalloc-1792", "kmalloc-2048",
};

#define KMALLOC_MIN (2 * sizeof(void *))

/* The cache for a request of size bytes: cache_for[(size - 1) / 8]. */
static struct kmem_cache *cache_for[KMALLOC_MAX_CACHED / 8] __read_mostly;

void kmalloc_init(void)
{
	unsigned int c, i = 0;

	for (c = 0; c < ARRAY_SIZE(class_sizes); c++) {
		struct kmem_cache *cache;

		if (class_sizes[c] < KMALLOC_MIN)
			continue;
		cache = kmem_cache_create(class_names[c], class_sizes[c], 0, 0,
					  NULL);
		if (!cache)
			panic("kmalloc_init: cannot create %s", class_names[c]);
		for (; i < class_sizes[c] / 8; i++)
			cache_for[i] = cache;
	}
}

static __noinline void *kmalloc_large(size_t size)
{
	if (size == 0 || size > page_total_count() * (size_t)PAGE_SIZE)
		return NULL;
	return page_alloc((size + PAGE_SIZE - 1) / PAGE_SIZE);
}

__fast_path void *kmalloc(size_t size)
{
	/* size - 1 wraps for 0, which is no cached size either. */
	if (likely(size - 1 < KMALLOC_MAX_CACHED))
		return slab_alloc(cache_for[(size - 1) / 8]);
	return kmalloc_large(size);
}

__fast_path void kfree(void *p)
{
	struct kmem_cache *c = slab_cache_of(p);

	if (likely(c))
		return slab_free(c, p);
	if (p)
		page_free(
			p); /* a tail call: a bad p is reported as our caller's */
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

size_t ksize(const void *p)
{
	struct kmem_cache *c = slab_cache_of(p);

	if (!p)
		return 0;
	if (!c)
		return page_run_pages(p) * PAGE_SIZE;
	/* Only the start of an object that is not free has a size. */
	if (!slab_offset_ok(c->off_magic, c->off_limit,
			    (uintptr_t)p & (SLAB_SIZE - 1)) ||
	    slab_object_is_free(c, (void *)p))
		return 0;
	return c->size;
}

void *krealloc(void *p, size_t size)
{
	size_t old = ksize(p);
	void *q;

	if (!p)
		return kmalloc(size);
	if (size == 0) {
		kfree(p);
		return NULL;
	}
	if (old == 0) {
		printk("krealloc: %p is no live kmalloc block (caller %p); "
		       "nothing changed\n",
		       p, (void *)CALLER_ADDR);
		return NULL;
	}
	if (size <= old)
		return p;
	q = kmalloc(size);
	if (q) {
		memcpy(q, p, old);
		kfree(p);
	}
	return q;
}
