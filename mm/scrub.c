/*
 * scrub.c - the poison scrubber (mm.debug=P): look at every free block
 * and check it still holds POISON_FREE, so that a write after free is
 * seen even when the block is never handed out again.  The shell's
 * memcheck runs it now; the kernel also runs it now and then
 * (kernel/memcheck.c).
 *
 * Free pages are those on the buddy lists of a pool that poisons (the
 * header each free block keeps in its first words is skipped); free
 * objects are those of caches that poison, on their slabs' free lists.
 * Each damaged block is reported (a write after free, with its offset)
 * and its poison mended, so it is reported once.  In caches with red
 * zones (mm.debug=Z) it also checks the red zones of every object, live
 * or free, so an overflow is seen before the object is freed.
 */
#include <kernel/mm_debug.h>
#include <kernel/poison.h>
#include <kernel/slab.h>
#include "internal.h"
#include "report.h"
#include "slab.h"

static unsigned long found;

/* The first word of [p, p + bytes) that is not the poison, or NULL. */
static unsigned long *first_unpoisoned(void *p, size_t bytes)
{
	unsigned long *w = p;
	size_t i;

	for (i = 0; i < bytes / sizeof(long); i++)
		if (w[i] != POISON_FREE)
			return &w[i];
	return NULL;
}

static void report_damage(void *block, unsigned long *at, size_t bytes,
			  const char *where, int order,
			  const struct mm_track *freed)
{
	struct mm_report r = {
		.bug = MM_WRITE_AFTER_FREE,
		.addr = block,
		.where = where,
		.order = order,
	};
	unsigned long *w;

	if (freed)
		r.free = *freed;
	mm_report(
		&r,
		"found by the scrubber: word at offset %lu holds %lx, not the poison %lx",
		(unsigned long)((char *)at - (char *)block), *at, POISON_FREE);
	for (w = at; (char *)w < (char *)block + bytes; w++)
		*w = POISON_FREE; /* mended: reported once */
	found++;
}

static void scrub_pages(struct page_pool *pool)
{
	struct free_block *b;
	unsigned int o;

	mm_lock(&pool->lock);
	for (o = 0; o < PAGE_ORDERS; o++)
		list_for_each_entry (b, &pool->free_list[o], node) {
			size_t bytes = ((size_t)PAGE_SIZE << o) - sizeof(*b);
			unsigned long *at = first_unpoisoned(b + 1, bytes);

			if (at)
				report_damage(b + 1, at, bytes, "page", (int)o,
					      page_track(pool,
							 page_index(pool, at),
							 1));
		}
	mm_unlock(&pool->lock);
}

/*
 * The free objects of the slabs on list: those on each slab's free list,
 * the only free objects a poisoning cache has (it keeps no magazines).
 * Not the objects whose key says free: an object on its way in or out
 * holds its key while its poison is being written or checked outside
 * the lock, and would be reported for it.  Cache lock held.
 */
static void scrub_list(struct kmem_cache *c, struct list_head *list)
{
	size_t words = c->size & ~(sizeof(long) - 1); /* whole words */
	unsigned int steps;
	struct slab *s;
	void *obj;

	list_for_each_entry (s, list, node)
		for (obj = s->free, steps = 0;
		     obj && link_ok(c, s, obj) && steps++ < c->objects;
		     obj = *link_of(c, obj)) {
			unsigned long *at = first_unpoisoned(obj, words);

			if (at)
				report_damage(obj, at, words, c->name, -1,
					      (c->debug & MM_DEBUG_TRACK)
						      ? slab_track(c, obj, 1)
						      : NULL);
		}
}

/*
 * The red zones of every object carved from the slabs on list, live or
 * free: an overflow of a live object is seen before it is freed.  They
 * change only when an object is carved (under the lock held here) or
 * mended, so no object in transit can look damaged.
 */
static void scrub_red_zones(struct kmem_cache *c, struct list_head *list)
{
	struct slab *s;
	char *obj;

	list_for_each_entry (s, list, node)
		for (obj = s->base; obj < s->bump; obj += c->stride)
			if (!red_zones_intact(c, obj, 0))
				found++;
}

static void scrub_cache(struct kmem_cache *c, void *arg)
{
	(void)arg;
	if (!(c->debug & (MM_DEBUG_POISON | MM_DEBUG_REDZONE)))
		return;
	acquire(&c->lock);
	if (c->debug & MM_DEBUG_POISON) {
		scrub_list(c, &c->partial);
		scrub_list(c, &c->empty);
	}
	if (c->debug & MM_DEBUG_REDZONE) {
		scrub_red_zones(c, &c->partial);
		scrub_red_zones(c, &c->full);
		scrub_red_zones(c, &c->empty);
	}
	release(&c->lock);
}

unsigned long mm_scrub(void)
{
	unsigned long before = __atomic_load_n(&found, __ATOMIC_RELAXED);

	page_scrub();
	kmem_cache_for_each(scrub_cache, NULL);
	return __atomic_load_n(&found, __ATOMIC_RELAXED) - before;
}

void page_pool_scrub(struct page_pool *pool)
{
	if (pool_debug(pool) & MM_DEBUG_POISON)
		scrub_pages(pool);
}
