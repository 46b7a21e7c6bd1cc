/*
 * magazine.h - per-hart caches of free things, the one mechanism the page
 * allocator (single pages) and the slab allocator (objects) use to skip
 * their shared lock on the common path (mm/magazine.c has the slow side).
 *
 * Each hart has a magazine (Bonwick's word, from "Magazines and Vmem",
 * 2001): a small stack of free objects it takes from and gives to with
 * interrupts off and no shared lock.  An empty magazine is refilled, and
 * a full one flushed, a batch at a time under the owner's lock (the page
 * pool's or the slab cache's), through the owner's two callbacks.
 *
 *   struct magazines (one per page pool or slab cache)
 *   +-----------------------------------------------------+
 *   | mag[0]   | top | end | slot[0] ... slot[28] | gives |  hart 0
 *   | mag[1]   | top | end | ...                           |  hart 1
 *   |  ...                                                |
 *   | limit    objects a magazine may hold (<= MAG_SLOTS; 0: no magazines)
 *   | batch    objects refilled or flushed at a time       |
 *   | ops      refill, flush: the owner's side             |
 *   | depot_max, depot_n, depot[0] ... depot[28]           |  the depot
 *   +-----------------------------------------------------+
 *               slot[0] .. top[-1] are free objects, the newest last;
 *               so are depot[0] .. depot[depot_n - 1]
 *
 * The depot (Bonwick's too) is the owner's store of flushed batches, on
 * no hart: a full magazine parks its batch there, a memcpy of pointers,
 * and an empty one takes the newest batch back, so a hart whose use goes
 * up and down moves objects between its magazine and the depot instead
 * of to and from the owner's lists one object at a time.  Only when the
 * depot has no room does a flush reach the owner (objects back on their
 * slabs, pages back on the buddy lists), and only when it is empty does
 * a refill.  It holds at most depot_max objects (<= DEPOT_SLOTS), a
 * bound the owner sets (the slab allocator by bytes and by the objects a
 * cache has out; the page allocator keeps no depot), so it never holds
 * much memory.
 *
 * top is a stack pointer: pop is *--top, push is *top++, and a magazine
 * is empty when top == slot and full when top == end (slot + limit), so
 * no index is scaled on the fast path, and both tests read only the
 * magazine's own line.
 * gives counts the objects ever given to it: the frees that went through
 * this hart, for the statistics, written on a line the hart writes
 * anyway (3 instructions a free).  The allocations need no counter of
 * their own: they are the frees plus what is in use.
 *
 * The locks.  The depot is under the owner's lock: only the slow side
 * (mm/magazine.c), which holds it, touches the depot, never a fast path,
 * so the depot adds no lock of its own.  A magazine is changed by its
 * own hart, on the fast path, and now and then by another hart that
 * holds the owner's lock and drains every magazine (memory is short, a
 * cache shrinks, statistics).
 * Its top is its lock: whoever swaps NULL into it owns the magazine until
 * it stores a top back.  That is one amoswap.w.aq (of a register the
 * compiler zeroes first) to take it and one store-release to give it
 * back, where a separate lock word would need a swap, a load, a store and
 * a store.
 *   - The fast path only tries: if a drain has the magazine, it takes the
 *     slow path, which waits its turn under the owner's lock.  So a hart
 *     never waits for the owner's lock while it holds its magazine, and
 *     the two locks cannot deadlock (the order is: owner's lock, then
 *     magazine).
 *   - Interrupts are off while a hart holds its magazine, so an interrupt
 *     handler that allocates cannot find it held by its own hart.
 *   - The acquire and release orderings make each holder see every slot
 *     the previous holder wrote.
 *
 * Usage, on a fast path:
 *
 *	top = mag_open(&pool->mags, &m, &flags);
 *	if (likely(mag_has_objects(m, top))) {
 *		obj = *--top;
 *		mag_close(m, top, flags);
 *		return obj;
 *	}
 *	mag_close_unchanged(m, top, flags);
 *	return slow_path(...);		// which takes the owner's lock
 */
#ifndef MM_MAGAZINE_H
#define MM_MAGAZINE_H

#include <kernel/machine.h>

/* With top, end and gives, a magazine is 32 words: 128 bytes on rv32. */
#define MAG_SLOTS 29

struct magazine {
	void **top; /* one past the newest free object; NULL while held */
	void **end; /* slot + the limit: a top that reaches it means full */
	void *slot[MAG_SLOTS];
	unsigned long gives; /* objects given to it since boot */
};

_Static_assert(sizeof(struct magazine) == 32 * sizeof(void *),
	       "a magazine is a power of two bytes: hart << shift finds it");

/* Objects a depot may hold: one full magazine. */
#define DEPOT_SLOTS MAG_SLOTS

/*
 * The owner's side, called with the owner's lock held.  refill takes up
 * to n free objects into objs[] and returns how many.  flush takes back
 * objs[0 .. k) for a k from 1 to n, and returns k: an owner may stop
 * early to bound the work of one call (the page allocator stops once a
 * flush's merges reach a budget), and the rest wait for the next flush.
 */
struct magazine_ops {
	unsigned int (*refill)(void *owner, void **objs, unsigned int n);
	unsigned int (*flush)(void *owner, void **objs, unsigned int n);
};

struct magazines {
	struct magazine mag[MAX_HARTS]; /* first: hart << shift finds one */
	unsigned int limit; /* objects a magazine may hold, <= MAG_SLOTS */
	unsigned int batch; /* objects refilled or flushed at a time */
	const struct magazine_ops *ops;
	/* The depot, under the owner's lock: flushed batches, newest last. */
	unsigned int depot_max; /* objects it may hold, <= DEPOT_SLOTS */
	unsigned int depot_n;	/* objects it holds: depot[0 .. depot_n) */
	void *depot[DEPOT_SLOTS];
};

/*
 * Turn interrupts off and try to take this hart's magazine.  Returns its
 * top, or NULL if a drain has it: then it is not ours, and
 * mag_close_unchanged leaves it alone.  About 6 instructions.
 */
static __always_inline void **
mag_open(struct magazines *mags, struct magazine **m, unsigned long *flags)
{
	*flags = irq_save(); /* before this_hart: no migration */
	*m = &mags->mag[this_hart()];
	return __atomic_exchange_n(&(*m)->top, NULL, __ATOMIC_ACQUIRE);
}

/* Does the magazine mag_open gave us hold an object? */
static __always_inline bool mag_has_objects(const struct magazine *m,
					    void **top)
{
	return top > m->slot; /* NULL, a held magazine, is below any slot */
}

/* Has it room for one more object, within the owner's limit? */
static __always_inline bool mag_has_room(const struct magazine *m, void **top)
{
	/* The owner may move the limit meanwhile: read it once. */
	return top && top < READ_ONCE(m->end);
}

/* A push of the fast path: count it (the magazine is ours). */
static __always_inline void **mag_push(struct magazine *m, void **top,
				       void *obj)
{
	*top++ = obj;
	m->gives++;
	return top;
}

/* Give the magazine back with this top; interrupts back on. */
static __always_inline void mag_close(struct magazine *m, void **top,
				      unsigned long flags)
{
	__atomic_store_n(&m->top, top, __ATOMIC_RELEASE);
	irq_restore(flags);
}

/* The fast path changed nothing: put back what mag_open found. */
static __always_inline void mag_close_unchanged(struct magazine *m, void **top,
						unsigned long flags)
{
	if (top)
		__atomic_store_n(&m->top, top, __ATOMIC_RELEASE);
	irq_restore(flags);
}

/* The slow side (mm/magazine.c); all with the owner's lock held. */

/* Set up mags: every magazine and the depot empty. */
void magazines_init(struct magazines *mags, const struct magazine_ops *ops,
		    unsigned int limit, unsigned int batch, unsigned int depot);
/*
 * Let each magazine hold up to limit objects, batch moved at a time, and
 * the depot up to depot objects (none when limit is 0).  A magazine that
 * holds more gives them back at its next flush; a depot that holds more
 * parks no more until refills have taken it below its new bound.
 */
void __mag_set_limit(struct magazines *mags, unsigned int limit,
		     unsigned int batch, unsigned int depot);
/*
 * Take one object for this hart: from its magazine, refilled with a
 * batch from the depot, or from the owner if the depot is empty (or
 * straight from the owner when limit is 0).  NULL if the owner has none.
 */
void *__mag_take(struct magazines *mags, void *owner);
/*
 * Give obj back through this hart's magazine; a full one parks a batch
 * in the depot, or flushes it to the owner if the depot has no room.
 */
void __mag_give(struct magazines *mags, void *owner, void *obj);
/* Flush every hart's magazine, and the depot, back to the owner. */
void __mag_drain_all(struct magazines *mags, void *owner);
/*
 * Hold every magazine at once, held[h] getting what hart h's holds, so
 * that no fast path changes any until __mag_release_all gives them back
 * (their fast paths meanwhile take the slow path, and wait for the
 * owner's lock).  The depot needs no holding: the caller's owner's lock
 * keeps it still, depot[0 .. depot_n).
 */
void __mag_hold_all(struct magazines *mags, unsigned long *held);
void __mag_release_all(struct magazines *mags, const unsigned long *held);
/*
 * Objects held in all magazines and the depot, and in each magazine
 * (per_hart may be NULL; the depot is no hart's), taken with every
 * magazine held at once, and the objects ever given to all of them (the
 * frees through them, fast or slow; gives may be NULL).
 */
size_t __mag_snapshot(struct magazines *mags, size_t *per_hart,
		      unsigned long *gives);
/*
 * Keep in the magazines and the depot only the objects keep(obj, arg)
 * says yes to, in their order; returns how many were taken out (they are
 * dropped, not given back: the checks use it for entries that are no
 * object at all).
 */
unsigned long __mag_filter(struct magazines *mags,
			   bool (*keep)(void *obj, void *arg), void *arg);
/*
 * Take out every object a magazine holds twice, or that an earlier
 * magazine holds too (the depot counts as the last magazine), calling
 * dropped(obj, arg) for each; returns how many.  Every magazine is held
 * at once while it looks.
 */
unsigned long __mag_drop_duplicates(struct magazines *mags,
				    void (*dropped)(void *obj, void *arg),
				    void *arg);
/* Call fn(obj, arg) for every object in every magazine and the depot. */
void __mag_for_each(struct magazines *mags, void (*fn)(void *obj, void *arg),
		    void *arg);

#endif /* MM_MAGAZINE_H */
