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
 *
 * tracked_copy() copies them all into an array, for the users that must
 * look at them with no lock held (the leak scanner, mm_sites).
 */
#include <kernel/mm_debug.h>
#include <kernel/page.h>
#include <kernel/slab.h>
#include "internal.h"
#include "slab.h"

struct visit {
	void (*fn)(const struct mm_block *b, void *arg);
	void *arg;
};

/* Every visit passes here: mm's own working memory is not listed. */
static void visit_one(const struct mm_block *b, void *arg)
{
	struct visit *v = arg;

	if (!(b->track->flags & MM_TRACK_IGNORED))
		v->fn(b, v->arg);
}

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
			b.track = slab_track(c, obj, 0);
			b.alloc = *b.track;
			visit_one(&b, v);
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
	page_for_each_tracked(visit_one, &v);
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

/* --- A copy of them all ---------------------------------------------------- */

struct copying {
	char *at, *end;
	size_t size, n;
	bool (*fill)(void *elem, const struct mm_block *b, void *arg);
	void *arg;
	bool full; /* more blocks came than there was room for */
};

static void count_one(const struct mm_block *b, void *arg)
{
	(void)b;
	(*(size_t *)arg)++;
}

static void copy_one(const struct mm_block *b, void *arg)
{
	struct copying *c = arg;

	if (c->at + c->size > c->end) {
		c->full = true;
		return;
	}
	if (c->fill(c->at, b, c->arg)) {
		c->at += c->size;
		c->n++;
	}
}

/* Tries before giving up on allocations that outgrow every count. */
#define COPY_TRIES 4

bool tracked_copy(struct tracked_copy *tc, size_t size,
		  bool (*fill)(void *elem, const struct mm_block *b, void *arg),
		  void *arg)
{
	struct copying c = { .size = size, .fill = fill, .arg = arg };
	size_t count, room, try;

	for (try = 0; try < COPY_TRIES; try++) {
		count = 0;
		mm_for_each_tracked(count_one, &count);
		tc->elems = NULL;
		tc->n = 0;
		tc->pages = 0;
		if (!count)
			return true;
		/* Room for an eighth more, made between the count and the copy. */
		room = count + count / 8 + 16;
		tc->pages = (room * size + PAGE_SIZE - 1) / PAGE_SIZE;
		tc->elems = page_alloc(tc->pages);
		if (!tc->elems)
			return false;
		page_track_ignore(tc->elems);
		c.at = tc->elems;
		c.end = c.at + tc->pages * PAGE_SIZE;
		c.n = 0;
		c.full = false;
		mm_for_each_tracked(copy_one, &c);
		tc->n = c.n;
		if (!c.full)
			return true;
		tracked_copy_free(tc);
	}
	return false;
}

void tracked_copy_free(struct tracked_copy *tc)
{
	if (tc->pages)
		page_free(tc->elems);
	tc->elems = NULL;
	tc->n = 0;
	tc->pages = 0;
}
