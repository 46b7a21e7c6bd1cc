/*
 * stats.c - the figures of the page allocator and of the slab caches,
 * and get_memory_stats, which puts them together (include/kernel/
 * meminfo.h), with the watermarks.
 *
 * mm exports figures; the shell (kernel/meminfo.c) formats them.  Counts
 * of calls cost the fast paths as little as possible: a free counts
 * itself in its hart's magazine (gives), on a line the hart writes
 * anyway, and an allocation is not counted at all: allocations are the
 * frees plus what is in use, which the allocators know exactly.
 *
 * The page figures are one snapshot: the pool lock and every magazine
 * held at once.  Each cache's figures are a snapshot of that cache.
 */
#include <kernel/machine.h>
#include <kernel/meminfo.h>
#include <kernel/mm_debug.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include "internal.h"
#include "slab.h"

void page_pool_stats(struct page_pool *pool, struct page_stats *st)
{
	size_t in_magazines, singles_in_use;
	unsigned long single_frees;
	unsigned int o;

	memset(st, 0, sizeof(*st));
	mm_lock(&pool->lock);
	st->total = pool->nr_total;
	for (o = 0; o < PAGE_ORDERS; o++)
		st->blocks[o] = pool->nr_blocks[o];
	st->largest_free_block = __largest_free_block(pool);
	in_magazines = __mag_snapshot(&pool->mags, st->cached, &single_frees);
	st->free = pool->nr_free + in_magazines;
	singles_in_use = pool->singles_out - in_magazines;
	st->for_slabs = pool->owner_pages[PAGE_OWNER_SLAB];
	st->for_kmalloc = pool->owner_pages[PAGE_OWNER_KMALLOC];
	st->frees = single_frees + pool->run_frees[PAGE_OWNER_PAGE];
	st->kmalloc_allocs = pool->run_allocs[PAGE_OWNER_KMALLOC];
	st->kmalloc_frees = pool->run_frees[PAGE_OWNER_KMALLOC];
	st->allocs = single_frees + singles_in_use +
		     pool->run_allocs[PAGE_OWNER_PAGE];
	st->peak_taken = pool->peak_taken;
	st->peak_ms = pool->peak_ms;
	mm_unlock(&pool->lock);
	st->metadata_bytes = pool->meta_bytes;
	st->failures = __atomic_load_n(&pool->failures[PAGE_OWNER_PAGE],
				       __ATOMIC_RELAXED);
	st->kmalloc_failures = __atomic_load_n(
		&pool->failures[PAGE_OWNER_KMALLOC], __ATOMIC_RELAXED);
	st->refused_frees =
		__atomic_load_n(&pool->refused_frees, __ATOMIC_RELAXED);
}

void page_pool_reset_peak(struct page_pool *pool)
{
	mm_lock(&pool->lock);
	pool->peak_taken = pool->nr_total - pool->nr_free;
	pool->peak_ms = (uint32_t)(time_ns() / 1000000);
	mm_unlock(&pool->lock);
}

void kmem_cache_get_stats(struct kmem_cache *c, struct kmem_cache_stats *st)
{
	unsigned long frees;

	memset(st, 0, sizeof(*st));
	st->name = c->name;
	st->object_size = c->size;
	st->stride = c->stride;
	st->objects_per_slab = c->objects;
	st->pages_per_slab = 1u << c->order;
	st->debug = cache_debug(c);
	acquire(&c->lock);
	st->cached = __mag_snapshot(&c->mags, NULL, &frees);
	st->slabs = c->nr_slabs;
	st->total = c->nr_slabs * c->objects;
	st->active = c->objects_out - st->cached;
	st->peak_slabs = c->peak_slabs;
	st->peak_ms = c->peak_ms;
	release(&c->lock);
	st->frees = frees;
	st->allocs = frees + st->active;
	st->failures = __atomic_load_n(&c->failures, __ATOMIC_RELAXED);
	st->refused_frees =
		__atomic_load_n(&c->refused_frees, __ATOMIC_RELAXED);
}

/* --- Fragmentation ------------------------------------------------------ */

unsigned int page_unusable_index(const struct page_stats *s, unsigned int order)
{
	size_t usable = 0;
	unsigned int o;

	for (o = order; o < PAGE_ORDERS; o++)
		usable += s->blocks[o] << o;
	return s->free ? (unsigned int)((s->free - usable) * 1000 / s->free)
		       : 0;
}

unsigned int page_fragmentation(const struct page_stats *s)
{
	size_t largest = s->largest_free_block;

	return s->free ? (unsigned int)((s->free - largest) * 1000 / s->free)
		       : 0;
}

/* --- kmalloc's memory and its watermark ------------------------------ */

static long kmalloc_pages, kmalloc_peak_pages;
static uint32_t kmalloc_peak_ms;

void kmalloc_account_pages(long pages)
{
	long now = __atomic_add_fetch(&kmalloc_pages, pages, __ATOMIC_RELAXED);
	long peak = __atomic_load_n(&kmalloc_peak_pages, __ATOMIC_RELAXED);

	while (now > peak) {
		if (__atomic_compare_exchange_n(&kmalloc_peak_pages, &peak, now,
						false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED)) {
			__atomic_store_n(&kmalloc_peak_ms,
					 (uint32_t)(time_ns() / 1000000),
					 __ATOMIC_RELAXED);
			break;
		}
	}
}

/* --- All of it together ------------------------------------------------ */

static void add_cache(struct kmem_cache *c, void *arg)
{
	struct memory_stats *st = arg;
	struct kmem_cache_stats cs;

	kmem_cache_get_stats(c, &cs);
	st->slab_caches++;
	st->slab_active += cs.active;
	st->slab_total += cs.total;
	st->slab_pages += cs.slabs * cs.pages_per_slab;
	st->slab.allocs += cs.allocs;
	st->slab.frees += cs.frees;
	st->slab.failures += cs.failures;
	st->slab.refused_frees += cs.refused_frees;
	if (!c->for_kmalloc)
		return;
	st->kmalloc_bytes += cs.active * cs.object_size;
	st->kmalloc.allocs += cs.allocs;
	st->kmalloc.frees += cs.frees;
	st->kmalloc.failures += cs.failures;
	st->kmalloc.refused_frees += cs.refused_frees;
	if (cache_debug(c) & MM_DEBUG_TRACK)
		st->kmalloc_bytes_asked += slab_debug_asked_bytes(c);
	else
		st->kmalloc_asked_known = false;
}

void get_memory_stats(struct memory_stats *st)
{
	memset(st, 0, sizeof(*st));
	page_get_stats(&st->pages);
	st->kmalloc_asked_known = true;
	kmem_cache_for_each(add_cache, st);
	st->kmalloc_large_pages = st->pages.for_kmalloc;
	st->kmalloc_bytes += st->kmalloc_large_pages * PAGE_SIZE;
	st->kmalloc.allocs += st->pages.kmalloc_allocs;
	st->kmalloc.frees += st->pages.kmalloc_frees;
	st->kmalloc.failures += st->pages.kmalloc_failures;
	if (!st->kmalloc_asked_known)
		st->kmalloc_bytes_asked = 0;
	st->kmalloc_peak_pages =
		(size_t)__atomic_load_n(&kmalloc_peak_pages, __ATOMIC_RELAXED);
	st->kmalloc_peak_ms =
		__atomic_load_n(&kmalloc_peak_ms, __ATOMIC_RELAXED);
}

static void reset_cache_peak(struct kmem_cache *c, void *arg)
{
	(void)arg;
	acquire(&c->lock);
	c->peak_slabs = c->nr_slabs;
	c->peak_ms = (uint32_t)(time_ns() / 1000000);
	release(&c->lock);
}

void reset_memory_watermarks(void)
{
	page_reset_peak();
	kmem_cache_for_each(reset_cache_peak, NULL);
	__atomic_store_n(&kmalloc_peak_pages,
			 __atomic_load_n(&kmalloc_pages, __ATOMIC_RELAXED),
			 __ATOMIC_RELAXED);
	__atomic_store_n(&kmalloc_peak_ms, (uint32_t)(time_ns() / 1000000),
			 __ATOMIC_RELAXED);
}
