/*
 * magazine.c - the slow side of the per-hart magazines (mm/magazine.h):
 * refill an empty one, flush a full one, drain them all.
 *
 * Every call here runs with the owner's lock held (and so with interrupts
 * off, on one hart), so no other hart can drain a magazine meanwhile; each still takes the magazine's own lock
 * (its count), because the magazine's hart may be on its fast path, which
 * takes no owner's lock.  The owner's lock comes first, then the
 * magazine: see the lock argument in mm/magazine.h.
 *
 * Refill and flush move up to mags->batch objects at a time: a refilled
 * magazine can then give that many objects, and a flushed one take as
 * many more, before the owner's lock is needed again.  The owner may
 * move fewer, to bound one call's work.
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
		    unsigned int limit, unsigned int batch)
{
	unsigned int h;

	memset(mags, 0, sizeof(*mags));
	for (h = 0; h < MAX_HARTS; h++)
		mags->mag[h].top = mags->mag[h].slot;
	mags->ops = ops;
	__mag_set_limit(mags, limit, batch);
}

void __mag_set_limit(struct magazines *mags, unsigned int limit,
		     unsigned int batch)
{
	unsigned int h;

	limit = MIN(limit, (unsigned int)MAG_SLOTS);
#ifdef CONFIG_MM_NO_MAGAZINES
	limit = 0; /* the benchmark's image without per-hart caches */
#endif
	mags->limit = limit;
	mags->batch = MIN(batch, limit);
	/* The fast paths read it with no lock: a whole word at once. */
	for (h = 0; h < MAX_HARTS; h++)
		__atomic_store_n(&mags->mag[h].end, mags->mag[h].slot + limit,
				 __ATOMIC_RELAXED);
}

void *__mag_take(struct magazines *mags, void *owner)
{
	struct magazine *m = &mags->mag[this_hart()];
	unsigned long n = mag_lock(m);
	void *obj = NULL;

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
		 * Flush the oldest batch, or as much of it as the owner
		 * takes: the newest stay, being warmest.
		 */
		unsigned int out = MIN((unsigned int)n, MAX(mags->batch, 1u));

		out = mags->ops->flush(owner, m->slot, out);
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
	void *objs[MAG_SLOTS];
	unsigned int h;

	for (h = 0; h < MAX_HARTS; h++) {
		struct magazine *m = &mags->mag[h];
		unsigned long n = mag_lock(m);

		memcpy(objs, m->slot, n * sizeof(void *));
		mag_unlock(m, 0);
		flush_all(mags, owner, objs, (unsigned int)n);
	}
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
	__mag_release_all(mags, n);
	return total;
}

unsigned long __mag_filter(struct magazines *mags,
			   bool (*keep)(void *obj, void *arg), void *arg)
{
	unsigned long i, n, kept, dropped = 0;
	unsigned int h;

	for (h = 0; h < MAX_HARTS; h++) {
		struct magazine *m = &mags->mag[h];

		n = mag_lock(m);
		for (i = kept = 0; i < n; i++)
			if (keep(m->slot[i], arg))
				m->slot[kept++] = m->slot[i];
		dropped += n - kept;
		mag_unlock(m, kept);
	}
	return dropped;
}

/* Is obj among the first n objects of m? */
static bool held_in(const struct magazine *m, unsigned long n, const void *obj)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		if (m->slot[i] == obj)
			return true;
	return false;
}

unsigned long __mag_drop_duplicates(struct magazines *mags,
				    void (*dropped)(void *obj, void *arg),
				    void *arg)
{
	unsigned long n[MAX_HARTS], i, kept, count = 0;
	unsigned int h, g;

	for (h = 0; h < MAX_HARTS; h++) /* all at once, in hart order */
		n[h] = mag_lock(&mags->mag[h]);
	for (h = 0; h < MAX_HARTS; h++) {
		struct magazine *m = &mags->mag[h];

		for (i = kept = 0; i < n[h]; i++) {
			bool twice = held_in(m, kept, m->slot[i]);

			for (g = 0; g < h && !twice; g++)
				twice = held_in(&mags->mag[g], n[g],
						m->slot[i]);
			if (twice) {
				dropped(m->slot[i], arg);
				count++;
			} else {
				m->slot[kept++] = m->slot[i];
			}
		}
		n[h] = kept;
	}
	for (h = 0; h < MAX_HARTS; h++)
		mag_unlock(&mags->mag[h], n[h]);
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
}
