/*
 * slab_validate.c - check a whole slab cache, as page_validate checks
 * the pages: its slabs, their free lists, its counters and its per-hart
 * magazines, each against the others.  memcheck runs it on every cache
 * (mm_validate), and so do the tests that flip bits on purpose.
 *
 * Checked, for each slab on each of the cache's lists:
 *   - the slab is one (the slab map names it for its own first object)
 *     of this cache, on the list its count of objects in use says;
 *   - its bump lies on an object boundary within the slab, and its reach
 *     agrees with the bump (the frees check objects against the reach);
 *   - its free list holds free objects of the slab only (each carries
 *     its free key), as many as are neither in use nor never handed out;
 * and then that the counts of slabs and objects agree with the lists,
 * and that every magazine entry is a free object of the cache.
 *
 * Each inconsistency is reported (an mm_report, "caught by
 * kmem_cache_validate") and the walk of that slab stops; a magazine
 * entry that is no free object is taken out, so that it is never handed
 * out.  The walk holds the cache lock: O(objects), a debugging tool.
 */
#include <kernel/mm_debug.h>
#include <kernel/printk.h>
#include "internal.h"
#include "report.h"
#include "slab.h"

static __printf(3, 4) void fail(const struct kmem_cache *c, const void *addr,
				const char *fmt, ...)
{
	struct mm_report r = {
		.bug = MM_CORRUPTION,
		.addr = addr,
		.where = c->name,
		.order = (int)c->order,
	};
	char msg[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mm_report(&r, "%s (caught by kmem_cache_validate)", msg);
}

/* Is s, met on one of c's lists, a slab header it can read at all? */
static bool header_readable(const struct kmem_cache *c, const struct slab *s)
{
	(void)c;
	return IS_ALIGNED((uintptr_t)s, sizeof(void *)) && slab_of(s);
}

/* One slab; the number of problems found (0 or 1: it stops at one). */
static int check_slab(struct kmem_cache *c, struct slab *s, enum slab_list on,
		      size_t *inuse)
{
	size_t carved, listed = 0;
	void *p;

	if (s->cache != c || slab_of(s->base) != s) {
		fail(c, s,
		     "slab header %p: of cache %p, base %p, not this cache's slab",
		     (void *)s, (void *)s->cache, (void *)s->base);
		return 1;
	}
	if (s->bump < s->base || s->bump > slab_end(c, s) ||
	    (size_t)(s->bump - s->base) % c->stride) {
		fail(c, s->base, "slab's bump %p is no object boundary in it",
		     (void *)s->bump);
		return 1;
	}
	carved = (size_t)(s->bump - s->base) / c->stride;
	if (s->reach != carved * c->off_step) {
		fail(c, s->base,
		     "slab's reach %lu does not match its bump (%lu objects handed out once)",
		     (unsigned long)s->reach, (unsigned long)carved);
		return 1;
	}
	if (s->inuse > carved || list_for(c, s) != on) {
		fail(c, s->base,
		     "slab has %u objects in use of %lu, and is on the wrong list",
		     s->inuse, (unsigned long)carved);
		return 1;
	}
	for (p = s->free; p; p = *link_of(c, p)) {
		if (listed++ > carved || !free_object_ok(c, s, p)) {
			fail(c, s->base,
			     "slab's free list leads to %p, no free object of it",
			     p);
			return 1;
		}
	}
	if (listed + s->inuse != carved) {
		fail(c, s->base,
		     "slab's free list holds %lu objects, %u are in use, of %lu",
		     (unsigned long)listed, s->inuse, (unsigned long)carved);
		return 1;
	}
	*inuse += s->inuse;
	return 0;
}

/* One of c's lists; counts its slabs and their objects in use. */
static int check_list(struct kmem_cache *c, struct list_head *head,
		      enum slab_list on, size_t *slabs, size_t *inuse)
{
	struct list_head *n;
	int problems = 0;

	for (n = head->next; n != head; n = n->next) {
		struct slab *s = container_of(n, struct slab, node);

		if (!header_readable(c, s) || n->next->prev != n ||
		    ++*slabs > c->nr_slabs) {
			fail(c, s, "a slab list of the cache is broken at %p",
			     (void *)n);
			return problems + 1;
		}
		problems += check_slab(c, s, on, inuse);
	}
	return problems;
}

/* Is obj on slab s's free list? */
static bool listed_free(const struct kmem_cache *c, const struct slab *s,
			const void *obj)
{
	unsigned int steps = 0;
	void *p;

	for (p = s->free; p && steps++ < c->objects; p = *link_of(c, p))
		if (p == obj)
			return true;
	return false;
}

/*
 * A magazine entry must be a free object of the cache, in no other
 * magazine and on no free list: else it would be handed out twice.
 */
static bool entry_ok(void *obj, void *arg)
{
	struct kmem_cache *c = arg;
	struct slab *s = slab_of(obj);

	if (s && s->cache == c && object_in_use_range(c, s, obj) &&
	    *free_key(c, obj) == key_of(obj) && !listed_free(c, s, obj))
		return true;
	fail(c, obj,
	     "a per-hart magazine holds %p, no free object of the cache; taken out",
	     obj);
	return false;
}

static void held_twice(void *obj, void *arg)
{
	fail(arg, obj, "per-hart magazines hold %p twice; taken out", obj);
}

int kmem_cache_validate(struct kmem_cache *c)
{
	size_t slabs = 0, inuse = 0;
	int problems;

	acquire(&c->lock);
	problems = check_list(c, &c->full, SLAB_FULL, &slabs, &inuse) +
		   check_list(c, &c->partial, SLAB_PARTIAL, &slabs, &inuse) +
		   check_list(c, &c->empty, SLAB_EMPTY, &slabs, &inuse);
	if (!problems && (slabs != c->nr_slabs || inuse != c->objects_out)) {
		fail(c, c,
		     "the cache counts %lu slabs and %lu objects out; its lists hold %lu and %lu",
		     (unsigned long)c->nr_slabs, (unsigned long)c->objects_out,
		     (unsigned long)slabs, (unsigned long)inuse);
		problems++;
	}
	problems += (int)__mag_filter(&c->mags, entry_ok, c);
	problems += (int)__mag_drop_duplicates(&c->mags, held_twice, c);
	release(&c->lock);
	return problems;
}

static void validate_one(struct kmem_cache *c, void *arg)
{
	unsigned long *problems = arg;

	*problems += (unsigned long)kmem_cache_validate(c);
}

unsigned long mm_validate(void)
{
	unsigned long problems = page_validate() ? 1 : 0;

	kmem_cache_for_each(validate_one, &problems);
	return problems;
}
