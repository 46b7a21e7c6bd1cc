/*
 * tracked.c - the live allocations that tracking (mm.debug=U) knows of,
 * one by one: the shell's allocs, the leak scanner, and a report that
 * must say which allocation holds an address use them.
 *
 * A cache that tracks has no magazines and keeps its free key apart from
 * the payload (mm/slab_debug.c), so an object below its slab's bump is
 * live exactly when it does not hold its key.  A tracked page pool marks
 * every allocated run (mm/page.c); its tracks are those of a run's first
 * page.
 */
#include <kernel/mm_debug.h>
#include <kernel/slab.h>
#include "internal.h"
#include "slab.h"

struct visit {
	void (*fn)(const struct mm_block *b, void *arg);
	void *arg;
};

static void visit_list(struct kmem_cache *c, struct list_head *list,
		       struct visit *v)
{
	struct mm_block b = { .size = c->size, .where = c->name };
	struct slab *s;
	char *obj;

	list_for_each_entry (s, list, node)
		for (obj = s->base; obj < s->bump; obj += c->stride) {
			if (*free_key(c, obj) == key_of(obj))
				continue;
			b.addr = obj;
			b.alloc = *slab_track(c, obj, 0);
			v->fn(&b, v->arg);
		}
}

static void visit_cache(struct kmem_cache *c, void *arg)
{
	if (!(cache_debug(c) & MM_DEBUG_TRACK))
		return;
	acquire(&c->lock);
	visit_list(c, &c->partial, arg);
	visit_list(c, &c->full, arg);
	release(&c->lock);
}

void mm_for_each_tracked(void (*fn)(const struct mm_block *b, void *arg),
			 void *arg)
{
	struct visit v = { fn, arg };

	kmem_cache_for_each(visit_cache, &v);
	page_for_each_tracked(fn, arg);
}

struct finding {
	const void *p;
	struct mm_block *out;
	bool found;
};

static void match(const struct mm_block *b, void *arg)
{
	struct finding *f = arg;

	if ((uintptr_t)f->p - (uintptr_t)b->addr < b->size) {
		*f->out = *b;
		f->found = true;
	}
}

bool mm_find_tracked(const void *p, struct mm_block *out)
{
	struct finding f = { p, out, false };

	mm_for_each_tracked(match, &f);
	return f.found;
}
