/*
 * magazine_test.c - the per-hart magazines' depot (mm/magazine.c), on an
 * owner of the test's own: a stack of numbered objects behind the two
 * callbacks, which counts its refills and flushes.  So each case knows
 * exactly which objects a magazine, the depot and the owner hold, as
 * neither the slab nor the page allocator would let it know.
 *
 * Every call runs with the owner's lock held, as mm/magazine.h asks, and
 * so on one hart: the cases look at this hart's magazine.  The last case
 * opens the magazine as a fast path does, and checks the lock its top is.
 */
#include <kernel/ktest.h>
#include <kernel/machine.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include "../../mm/magazine.h"

#define OBJECTS 40

/* The objects: their addresses are all that the magazines hold. */
static char object[OBJECTS];

struct owner {
	struct spinlock lock;
	struct magazines mags;
	void *free[OBJECTS]; /* the owner's own free objects, a stack */
	unsigned int nr_free;
	unsigned int refills, flushes, flushed; /* calls, objects flushed */
};

static struct owner owner;

static unsigned int owner_refill(void *arg, void **objs, unsigned int n)
{
	struct owner *o = arg;
	unsigned int got = 0;

	o->refills++;
	while (got < n && o->nr_free)
		objs[got++] = o->free[--o->nr_free];
	return got;
}

static unsigned int owner_flush(void *arg, void **objs, unsigned int n)
{
	struct owner *o = arg;
	unsigned int k;

	o->flushes++;
	o->flushed += n;
	for (k = 0; k < n; k++)
		o->free[o->nr_free++] = objs[k];
	return n;
}

static const struct magazine_ops owner_ops = {
	.refill = owner_refill,
	.flush = owner_flush,
};

static void give(unsigned int i)
{
	acquire(&owner.lock);
	__mag_give(&owner.mags, &owner, &object[i]);
	release(&owner.lock);
}

/*
 * An owner with no free objects of its own and these bounds, and objects
 * 0 .. given - 1 given to this hart's magazine, in that order.
 */
static void owner_given(unsigned int limit, unsigned int batch,
			unsigned int depot, unsigned int given)
{
	unsigned int i;

	memset(&owner, 0, sizeof(owner));
	spinlock_init_level(&owner.lock, "test-magazine", LOCK_LEVEL_SLAB);
	acquire(&owner.lock);
	magazines_init(&owner.mags, &owner_ops, limit, batch, depot);
	release(&owner.lock);
	for (i = 0; i < given; i++)
		give(i);
}

/* The index of the object a take gives, or -1 for none. */
static int take(void)
{
	void *obj;

	acquire(&owner.lock);
	obj = __mag_take(&owner.mags, &owner);
	release(&owner.lock);
	return obj ? (int)((char *)obj - object) : -1;
}

/* The index of depot[k]. */
static int parked(unsigned int k)
{
	return (int)((char *)owner.mags.depot[k] - object);
}

/* Objects held by this hart's magazine, all of them, and the frees. */
static size_t held(size_t *all, unsigned long *gives)
{
	size_t per_hart[MAX_HARTS], total;
	unsigned int me;

	acquire(&owner.lock); /* interrupts off: this hart stays this hart */
	me = this_hart();
	total = __mag_snapshot(&owner.mags, per_hart, gives);
	release(&owner.lock);
	if (all)
		*all = total;
	return per_hart[me];
}

/*
 * limit 4, batch 4: the fifth free finds the magazine full, and its
 * oldest four go to the depot, not to the owner.
 */
KTEST(magazine, a_full_magazine_parks_its_batch_in_the_depot)
{
	unsigned long gives;
	size_t all;
	unsigned int i;

	owner_given(4, 4, 8, 5);
	KEXPECT_EQ(t, owner.flushes, 0);
	KEXPECT_EQ(t, owner.mags.depot_n, 4);
	for (i = 0; i < 4; i++)
		KEXPECT_EQ(t, parked(i), (int)i);
	KEXPECT_EQ(t, held(&all, &gives), 1);
	KEXPECT_EQ(t, all, 5); /* the depot's four are counted */
	KEXPECT_EQ(t, gives, 5);
}

/*
 * An empty magazine takes the depot's newest batch back, before it asks
 * the owner; once both are empty, the owner is asked.
 */
KTEST(magazine, an_empty_magazine_takes_the_newest_batch_from_the_depot)
{
	unsigned int i;

	owner_given(4, 4, 8, 5); /* the magazine holds 4, the depot 0 .. 3 */
	KEXPECT_EQ(t, take(), 4);
	for (i = 4; i-- > 0;) /* the newest first */
		KEXPECT_EQ(t, take(), (int)i);
	KEXPECT_EQ(t, owner.refills, 0);
	KEXPECT_EQ(t, owner.mags.depot_n, 0);
	KEXPECT_EQ(t, take(), -1); /* the owner has none either */
	KEXPECT_EQ(t, owner.refills, 1);
}

/*
 * A depot of 6 takes what room it has of a batch, and the owner the
 * rest; a full depot leaves the whole batch to the owner.  It never
 * holds more than its bound.
 */
KTEST(magazine, a_full_depot_leaves_the_rest_of_a_batch_to_the_owner)
{
	unsigned int i;

	owner_given(4, 4, 6, 9);
	KEXPECT_EQ(t, owner.mags.depot_n, 6); /* 0 .. 3, then 4 and 5 */
	KEXPECT_EQ(t, parked(5), 5);
	KEXPECT_EQ(t, owner.flushes, 1);
	KEXPECT_EQ(t, owner.flushed, 2); /* 6 and 7 */
	KEXPECT_EQ(t, owner.nr_free, 2);
	for (i = 9; i < 13; i++)
		give(i);
	KEXPECT_EQ(t, owner.mags.depot_n, 6);
	KEXPECT_EQ(t, owner.flushes, 2);
	KEXPECT_EQ(t, owner.flushed, 6); /* and 8 .. 11 */
	KEXPECT_EQ(t, held(NULL, NULL), 1);
}

/*
 * A drain gives the depot's objects back to the owner too, and the
 * counts agree at every step: nothing lost, nothing counted twice.
 */
KTEST(magazine, a_drain_empties_the_depot)
{
	unsigned long gives;
	size_t all;

	owner_given(4, 4, 8, 11);
	KEXPECT_EQ(t, owner.mags.depot_n, 8);
	KEXPECT_EQ(t, held(&all, &gives), 3);
	KEXPECT_EQ(t, all + owner.nr_free, 11);
	acquire(&owner.lock);
	__mag_drain_all(&owner.mags, &owner);
	release(&owner.lock);
	KEXPECT_EQ(t, owner.mags.depot_n, 0);
	KEXPECT_EQ(t, held(&all, &gives), 0);
	KEXPECT_EQ(t, all, 0);
	KEXPECT_EQ(t, owner.nr_free, 11);
	KEXPECT_EQ(t, gives, 11); /* frees stay counted once */
}

static void count_one(void *obj, void *arg)
{
	(void)obj;
	(*(unsigned int *)arg)++;
}

static bool not_object_1(void *obj, void *arg)
{
	(void)arg;
	return obj != &object[1];
}

/*
 * The walks the checks make see the depot: every object visited once,
 * a bad entry filtered out, an entry held twice (in a magazine and in
 * the depot, or twice in the depot) taken out.
 */
KTEST(magazine, the_walks_see_the_depot)
{
	unsigned int visited = 0, dropped = 0;
	size_t all;

	owner_given(4, 4, 8, 6); /* the depot 0 .. 3, the magazine 4 and 5 */
	acquire(&owner.lock);
	__mag_for_each(&owner.mags, count_one, &visited);
	KEXPECT_EQ(t, visited, 6);
	KEXPECT_EQ(t, __mag_filter(&owner.mags, not_object_1, NULL), 1);
	KEXPECT_EQ(t, owner.mags.depot_n, 3);
	/* A magazine's object and a depot one, parked again: twice. */
	owner.mags.depot[owner.mags.depot_n++] = &object[5];
	owner.mags.depot[owner.mags.depot_n++] = &object[2];
	KEXPECT_EQ(t, __mag_drop_duplicates(&owner.mags, count_one, &dropped),
		   2);
	release(&owner.lock);
	KEXPECT_EQ(t, dropped, 2);
	KEXPECT_EQ(t, owner.mags.depot_n, 3);
	KEXPECT_EQ(t, held(&all, NULL), 2);
	KEXPECT_EQ(t, all, 5);
}

/*
 * With no magazines there is no depot either (a debugged cache keeps
 * none): objects left over a limit lowered to 0 go to the owner.
 */
KTEST(magazine, no_magazines_means_no_depot)
{
	owner_given(4, 4, 8, 2);
	acquire(&owner.lock);
	__mag_set_limit(&owner.mags, 0, 0, 8);
	release(&owner.lock);
	KEXPECT_EQ(t, owner.mags.depot_max, 0);
	give(2); /* the magazine gives back its oldest, 0, and 2 goes too */
	KEXPECT_EQ(t, owner.mags.depot_n, 0);
	KEXPECT_EQ(t, owner.flushed, 2);
	KEXPECT_EQ(t, take(), 1); /* still in the magazine */
	KEXPECT_EQ(t, take(), 2); /* from the owner */
	KEXPECT_EQ(t, owner.refills, 1);
}

/*
 * A magazine's top is its lock (mm/magazine.h): from mag_open to
 * mag_close the fast path owns it, so a drain on another hart, which
 * swaps NULL in to take it, must find NULL there and wait its turn.
 * Asked of the top itself, so no interleaving of harts is hoped for.
 */
KTEST(magazine, an_open_magazine_reads_as_held_until_it_is_closed)
{
	struct magazine *m;
	unsigned long flags;
	void **top, **while_open;

	owner_given(4, 4, 0, 2);
	top = mag_open(&owner.mags, &m, &flags);
	while_open = READ_ONCE(m->top);
	mag_close_unchanged(m, top, flags);
	KEXPECT_PTR_EQ(t, m, &owner.mags.mag[this_hart()]);
	KEXPECT_TRUE(t, mag_has_objects(m, top));
	KEXPECT_NULL(t, while_open);		   /* held */
	KEXPECT_PTR_EQ(t, READ_ONCE(m->top), top); /* given back as it was */
	KEXPECT_EQ(t, take(), 1);
}
