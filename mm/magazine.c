/*
 * magazine.c - the slow side of the per-hart magazines (mm/magazine.h):
 * refill an empty one, flush a full one, drain them all.
 *
 * Every call here runs with the owner's lock held (and so with interrupts
 * off, on one hart), so no other hart can drain a magazine or touch the
 * depot meanwhile; each still takes the magazine's own lock (its top),
 * because the magazine's hart may be on its fast path, which takes no
 * owner's lock.  The owner's lock comes first, then the magazine: see
 * the lock argument in mm/magazine.h.
 *
 * Refill and flush move up to mags->batch objects at a time: a refilled
 * magazine can then give that many objects, and a flushed one take as
 * many more, before the owner's lock is needed again.  The owner may
 * move fewer, to bound one call's work.
 *
 * The depot sits between the magazines and the owner.  A flush parks
 * its batch there while the depot has room, and a refill takes the
 * newest batch there before it asks the owner: a memcpy of up to a
 * batch of pointers, about 4 instructions an object (some 130 for a
 * whole magazine of 29, measured on the host), where the owner's refill
 * or flush costs some 30 to 40 instructions an object (a slab lookup,
 * link checks, its counts, list moves).  Objects in the depot stay free
 * in every sense the owner keeps (a slab object keeps its free key, a
 * page its free bits), so a double free of one is still caught, and
 * every walk below sees them.
 */
#include <kernel/string.h>
#include "magazine.h"

/*
 * Take a magazine, waiting for a fast path to finish with it; returns
 * how many objects it holds.
 */
static unsigned long mag_lock(struct magazine *m)
{
	void **top;

	while (!(top = __atomic_exchange_n(&m->top, NULL, __ATOMIC_ACQUIRE)))
		cpu_relax();
	return (unsigned long)(top - m->slot);
}

/* Give it back holding slot[0 .. n). */
static void mag_unlock(struct magazine *m, unsigned long n)
{
	__atomic_store_n(&m->top, m->slot + n, __ATOMIC_RELEASE);
}

void magazines_init(struct magazines *mags, const struct magazine_ops *ops,
		    unsigned int limit, unsigned int batch, unsigned int depot)
{
	unsigned int h;

	memset(mags, 0, sizeof(*mags));
	for (h = 0; h < MAX_HARTS; h++)
		mags->mag[h].top = mags->mag[h].slot;
	mags->ops = ops;
	__mag_set_limit(mags, limit, batch, depot);
}

void __mag_set_limit(struct magazines *mags, unsigned int limit,
		     unsigned int batch, unsigned int depot)
{
	unsigned int h;

	limit = MIN(limit, (unsigned int)MAG_SLOTS);
#ifdef CONFIG_MM_NO_MAGAZINES
	limit = 0; /* the benchmark's image without per-hart caches */
#endif
	mags->limit = limit;
	mags->batch = MIN(batch, limit);
	/* No magazines, no depot: every call reaches the owner. */
	mags->depot_max = limit ? MIN(depot, (unsigned int)DEPOT_SLOTS) : 0;
	/* The fast paths read it with no lock: a whole word at once. */
	for (h = 0; h < MAX_HARTS; h++)
		__atomic_store_n(&mags->mag[h].end, mags->mag[h].slot + limit,
				 __ATOMIC_RELAXED);
}

/*
 * Up to n objects, the newest, from the depot into objs[]; how many.
 * About 10 instructions, and 4 an object for the memcpy; 3 when the
 * depot is empty (always, for an owner that keeps none), where a call
 * to memcpy for nothing would cost more than the rest.
 */
static unsigned int depot_take(struct magazines *mags, void **objs,
			       unsigned int n)
{
	n = MIN(n, mags->depot_n);
	if (!n)
		return 0;
	mags->depot_n -= n;
	memcpy(objs, mags->depot + mags->depot_n, n * sizeof(void *));
	return n;
}

/*
 * Park as many of objs[0 .. n) in the depot as it has room for; how
 * many.  About 10 instructions, and 4 an object for the memcpy.
 */
static unsigned int depot_park(struct magazines *mags, void *const *objs,
			       unsigned int n)
{
	if (mags->depot_n >= mags->depot_max)
		return 0; /* a bound lowered meanwhile may leave it over */
	n = MIN(n, mags->depot_max - mags->depot_n);
	memcpy(mags->depot + mags->depot_n, objs, n * sizeof(void *));
	mags->depot_n += n;
	return n;
}

void *__mag_take(struct magazines *mags, void *owner)
{
	struct magazine *m = &mags->mag[this_hart()];
	unsigned long n = mag_lock(m);
	void *obj = NULL;

	if (n == 0)
		n = depot_take(mags, m->slot, mags->batch);
	if (n == 0)
		n = mags->ops->refill(owner, m->slot, MAX(mags->batch, 1u));
	if (n)
		obj = m->slot[--n];
	mag_unlock(m, n);
	return obj;
}

void __mag_give(struct magazines *mags, void *owner, void *obj)
{
	struct magazine *m = &mags->mag[this_hart()];
	unsigned long n = mag_lock(m);

	if (n >= mags->limit && n > 0) {
		/*
		 * Move out the oldest batch: the newest stay, being warmest.
		 * It goes to the depot while there is room, and the rest to
		 * the owner, or as much of it as the owner takes.
		 */
		unsigned int out = MIN((unsigned int)n, MAX(mags->batch, 1u));
		unsigned int parked = depot_park(mags, m->slot, out);

		if (parked < out)
			out = parked + mags->ops->flush(owner, m->slot + parked,
							out - parked);
		n -= out;
		memmove(m->slot, m->slot + out, n * sizeof(void *));
	}
	if (n < mags->limit)
		m->slot[n++] = obj;
	else
		mags->ops->flush(owner, &obj, 1); /* limit 0: no magazines */
	m->gives++;
	mag_unlock(m, n);
}

/* Give all n objects back, however many calls the owner needs. */
static void flush_all(struct magazines *mags, void *owner, void **objs,
		      unsigned int n)
{
	unsigned int done = 0;

	while (done < n)
		done += mags->ops->flush(owner, objs + done, n - done);
}

void __mag_drain_all(struct magazines *mags, void *owner)
{
	/* Copied out: the owner's flush finds them in no magazine. */
	void *objs[DEPOT_SLOTS];

	_Static_assert(DEPOT_SLOTS >= MAG_SLOTS, "objs holds a magazine too");
	unsigned int h, n;

	for (h = 0; h < MAX_HARTS; h++) {
		struct magazine *m = &mags->mag[h];

		n = (unsigned int)mag_lock(m);
		memcpy(objs, m->slot, n * sizeof(void *));
		mag_unlock(m, 0);
		flush_all(mags, owner, objs, n);
	}
	n = mags->depot_n;
	memcpy(objs, mags->depot, n * sizeof(void *));
	mags->depot_n = 0;
	flush_all(mags, owner, objs, n);
}

void __mag_hold_all(struct magazines *mags, unsigned long *held)
{
	unsigned int h;

	for (h = 0; h < MAX_HARTS; h++) /* in hart order, as every drain */
		held[h] = mag_lock(&mags->mag[h]);
}

void __mag_release_all(struct magazines *mags, const unsigned long *held)
{
	unsigned int h;

	for (h = 0; h < MAX_HARTS; h++)
		mag_unlock(&mags->mag[h], held[h]);
}

size_t __mag_snapshot(struct magazines *mags, size_t *per_hart,
		      unsigned long *gives)
{
	unsigned long n[MAX_HARTS];
	size_t total = 0;
	unsigned int h;

	/* All at once: no object moves between two of them meanwhile. */
	__mag_hold_all(mags, n);
	if (gives)
		*gives = 0;
	for (h = 0; h < MAX_HARTS; h++) {
		if (gives)
			*gives += mags->mag[h].gives;
		total += n[h];
		if (per_hart)
			per_hart[h] = n[h];
	}
	total += mags->depot_n;
	__mag_release_all(mags, n);
	return total;
}

/* Keep only objs[i] that keep() says yes to, in order; how many kept. */
static unsigned long keep_only(void **objs, unsigned long n,
			       bool (*keep)(void *obj, void *arg), void *arg)
{
	unsigned long i, kept;

	for (i = kept = 0; i < n; i++)
		if (keep(objs[i], arg))
			objs[kept++] = objs[i];
	return kept;
}

unsigned long __mag_filter(struct magazines *mags,
			   bool (*keep)(void *obj, void *arg), void *arg)
{
	unsigned long n, kept, dropped = 0;
	unsigned int h;

	for (h = 0; h < MAX_HARTS; h++) {
		struct magazine *m = &mags->mag[h];

		n = mag_lock(m);
		kept = keep_only(m->slot, n, keep, arg);
		dropped += n - kept;
		mag_unlock(m, kept);
	}
	kept = keep_only(mags->depot, mags->depot_n, keep, arg);
	dropped += mags->depot_n - kept;
	mags->depot_n = (unsigned int)kept;
	return dropped;
}

/* Is obj among objs[0 .. n)? */
static bool held_in(void *const *objs, unsigned long n, const void *obj)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		if (objs[i] == obj)
			return true;
	return false;
}

/*
 * Take out of objs[0 .. n) every object held earlier in it or in the
 * first `before` magazines (held[g] objects each); how many kept.
 */
static unsigned long drop_repeats(struct magazines *mags, unsigned int before,
				  const unsigned long *held, void **objs,
				  unsigned long n,
				  void (*dropped)(void *obj, void *arg),
				  void *arg, unsigned long *count)
{
	unsigned long i, kept;
	unsigned int g;

	for (i = kept = 0; i < n; i++) {
		bool twice = held_in(objs, kept, objs[i]);

		for (g = 0; g < before && !twice; g++)
			twice = held_in(mags->mag[g].slot, held[g], objs[i]);
		if (twice) {
			dropped(objs[i], arg);
			(*count)++;
		} else {
			objs[kept++] = objs[i];
		}
	}
	return kept;
}

unsigned long __mag_drop_duplicates(struct magazines *mags,
				    void (*dropped)(void *obj, void *arg),
				    void *arg)
{
	unsigned long n[MAX_HARTS], count = 0;
	unsigned int h;

	__mag_hold_all(mags, n);
	for (h = 0; h < MAX_HARTS; h++)
		n[h] = drop_repeats(mags, h, n, mags->mag[h].slot, n[h],
				    dropped, arg, &count);
	mags->depot_n =
		(unsigned int)drop_repeats(mags, MAX_HARTS, n, mags->depot,
					   mags->depot_n, dropped, arg, &count);
	__mag_release_all(mags, n);
	return count;
}

void __mag_for_each(struct magazines *mags, void (*fn)(void *obj, void *arg),
		    void *arg)
{
	unsigned int h, self = this_hart();
	unsigned long i, n;

	for (h = 0; h < MAX_HARTS; h++) {
		struct magazine *m = &mags->mag[h];

		/*
		 * This hart's magazine, already taken: with interrupts off,
		 * only our own caller can hold it, and that is a refill,
		 * called because it was empty.  Waiting would never end.
		 */
		if (h == self && !__atomic_load_n(&m->top, __ATOMIC_RELAXED))
			continue;
		n = mag_lock(m);
		for (i = 0; i < n; i++)
			fn(m->slot[i], arg);
		mag_unlock(m, n);
	}
	for (i = 0; i < mags->depot_n; i++)
		fn(mags->depot[i], arg);
}
