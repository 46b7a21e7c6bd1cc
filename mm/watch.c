/*
 * watch.c - catch a write into a freed slab object at the writing
 * instruction (mm.debug=W): a KFENCE for a kernel without an MMU, made
 * of the hardware watchpoints of include/kernel/machine.h.
 *
 * One free in every N (mm_watch_every) of an object of a cache with W
 * on is not given back to its slab: it is held here, in a quarantine of
 * one object per watch the machine has, and its first word (the link it
 * would carry on a free list, what a late write hurts most) is watched
 * on every hart.  A store into it is stopped before it is made; the trap
 * (arch/riscv/watch.c) decodes it and calls mm_watch_hit, which reports
 * it beside the poison reports:
 *
 *   mm: use-after-free write of 0x87e12000 (watch-test, hart 1) by
 *       store_byte+0x8: 1-byte store at byte 1 of 64: 0x5a over 0xff,
 *       task ktest/1; allocated by watch_one+0x36 on hart 0 at 16 ms;
 *       freed by watch_one+0x52 on hart 0 at 16 ms
 *
 * and the store runs.  The next sampled free takes the oldest held
 * object's place: its watch is released, and it goes back to its slab.
 *
 *   slab_free_slow --(1 in N)--> mm_watch_take --> held[slot], armed
 *                                      |
 *                          evicts the oldest: released, given back
 *
 * Costs: nothing with W off (a cache with W has no magazines, so its
 * frees come through slab_free_slow; other caches never call here).
 * With W on, a counter per free, and on a sampled free the arming.
 *
 * Locking: watch_lock (LOCK_LEVEL_LEAF) guards held[] and serialises
 * watch_arm and watch_release.  It is never held while an object goes
 * back to its slab (that takes the cache lock).  mm_watch_hit runs in a
 * trap, maybe with any lock held: it reads held[] with atomic loads and
 * takes no lock but the report's (mm_report, a leaf).
 */
#include <kernel/machine.h>
#include <kernel/mm_debug.h>
#include <kernel/spinlock.h>
#include "report.h"
#include "slab.h"

#define WATCH_HELD_MAX 2 /* watches QEMU's harts have */
#define WATCH_WINDOW 8	 /* bytes a watch may cover past its word */

struct held {
	struct kmem_cache *cache;
	void *obj; /* NULL: the slot is free */
};

static DEFINE_SPINLOCK(watch_lock, "mm_watch", LOCK_LEVEL_LEAF);
static struct held held[WATCH_HELD_MAX];
static unsigned int oldest;	  /* the slot the next sample takes */
static unsigned int every = 1024; /* a free in every this many */
static unsigned long frees;	  /* by caches with W on */

static unsigned int slots(void)
{
	unsigned int n = watch_slots();

	return n < WATCH_HELD_MAX ? n : WATCH_HELD_MAX;
}

unsigned int mm_watch_every(unsigned int n)
{
	unsigned int was = __atomic_load_n(&every, __ATOMIC_RELAXED);

	if (n)
		__atomic_store_n(&every, n, __ATOMIC_RELAXED);
	return was;
}

/* Stop watching slot i and empty it; its object into *out. */
static void __drop(unsigned int i, struct held *out)
{
	*out = held[i];
	if (!out->obj)
		return;
	watch_release(i);
	__atomic_store_n(&held[i].obj, NULL, __ATOMIC_RELEASE);
	held[i].cache = NULL;
}

/*
 * Called by slab_free_slow for an object of a cache with W on, freed
 * (its key set, poisoned and tracked as its cache does) but not yet
 * given back.  true: it is held now, and must not be given back.
 */
bool mm_watch_take(struct kmem_cache *c, void *obj)
{
	unsigned long n = __atomic_fetch_add(&frees, 1, __ATOMIC_RELAXED);
	struct held gone = { 0 };
	unsigned int i;

	if (!slots() || n % __atomic_load_n(&every, __ATOMIC_RELAXED))
		return false;
	acquire(&watch_lock);
	i = oldest;
	oldest = (oldest + 1) % slots();
	__drop(i, &gone);
	held[i].cache = c;
	__atomic_store_n(&held[i].obj, obj, __ATOMIC_RELEASE);
	watch_arm(i, obj);
	release(&watch_lock);
	if (gone.obj)
		slab_give_back(gone.cache, gone.obj);
	return true;
}

/* Give back the objects held for cache c (NULL: for every cache). */
void mm_watch_forget(struct kmem_cache *c)
{
	struct held gone[WATCH_HELD_MAX] = { 0 };
	unsigned int i;

	if (!slots())
		return;
	acquire(&watch_lock);
	for (i = 0; i < slots(); i++)
		if (held[i].obj && (!c || held[i].cache == c))
			__drop(i, &gone[i]);
	release(&watch_lock);
	for (i = 0; i < WATCH_HELD_MAX; i++)
		if (gone[i].obj)
			slab_give_back(gone[i].cache, gone[i].obj);
}

void mm_watch_flush(void)
{
	mm_watch_forget(NULL);
}

bool mm_watch_holds(const void *obj)
{
	unsigned int i;

	for (i = 0; i < slots(); i++)
		if (__atomic_load_n(&held[i].obj, __ATOMIC_ACQUIRE) == obj)
			return true;
	return false;
}

bool mm_watch_hit(const struct mm_watch_hit *hit)
{
	struct kmem_cache *c = NULL;
	struct mm_report r;
	unsigned int i;
	void *obj = NULL;

	for (i = 0; i < slots(); i++) {
		obj = __atomic_load_n(&held[i].obj, __ATOMIC_ACQUIRE);
		c = READ_ONCE(held[i].cache);
		/* The window may reach past a small object: that counts. */
		if (obj && c && hit->addr + hit->bytes > (uintptr_t)obj &&
		    hit->addr < (uintptr_t)obj + c->size + WATCH_WINDOW)
			break;
	}
	if (i == slots())
		return false; /* a watch released late: no bug */
	slab_object_report(&r, c, obj, MM_WATCHED_WRITE, hit->pc);
	r.caller_is_pc = true; /* the store itself: at +0 it is this function */
	mm_report(&r,
		  "%u-byte store at byte %ld of %lu: %#lx over %#lx, task %s",
		  hit->bytes, (long)(hit->addr - (uintptr_t)obj),
		  (unsigned long)c->size, hit->value, hit->old, hit->task);
	return true;
}
