/*
 * watch.c - catch a write into a freed slab object or page at the
 * writing instruction (mm.debug=W): a KFENCE for a kernel without an
 * MMU, made of the hardware watchpoints of include/kernel/machine.h.
 *
 * One free in every N (mm_watch_every) of an object of a cache with W
 * on, or of pages while the page allocator has W, is not given back: it
 * is held here, in a quarantine of one block per watch the machine has,
 * and its first word (the link it would carry on a free list, what a
 * late write hurts most) is watched on every hart.  A store into it is
 * stopped before it is made; the trap (arch/riscv/watch.c) decodes it
 * and calls mm_watch_hit, which reports it beside the poison reports:
 *
 *   mm: use-after-free write of 0x87e12000 (watch-test, hart 1) by
 *       store_byte+0x8: 1-byte store at byte 1 of 64: 0x5a over 0xff,
 *       task ktest/1; allocated by watch_one+0x36 on hart 0 at 16 ms;
 *       freed by watch_one+0x52 on hart 0 at 16 ms
 *
 * and the store runs.  With loads watched too (mm_watch_set_loads), a
 * load is reported the same way, as a "use-after-free read" of the
 * value it reads.  The next sampled free takes the oldest held block's
 * place: its watch is released, and it goes back to its slab or to the
 * buddy lists.
 *
 *   slab_free_slow --+                         held[slot], armed
 *                    +--(1 in N)--> mm_watch_hold        |
 *   pool_free -------+                                   v
 *                     the oldest: released, its owner's give_back
 *
 * Costs: nothing with W off (a cache or pool with W keeps no magazines,
 * so its frees come through the slow paths; others never call here).
 * With W on, an atomic add per free, and on a sampled free the arming:
 * about 5 instructions a hart, by IPI.
 *
 * Locking: watch_lock (LOCK_LEVEL_LEAF) guards held[] and serialises
 * watch_arm and watch_release.  It is never held while a block goes back
 * (that takes the cache's or the pool's lock), and the allocators hand a
 * block over only once they hold no lock of their own (so a slab's own
 * pages, freed under its cache's lock, are never held).  mm_watch_hit
 * runs in a trap, maybe with any lock held: it reads held[] with atomic
 * loads and takes no lock but the report's (mm_report, a leaf), and only
 * when the lock order allows it: a hit under a leaf or the console's
 * lock is only counted (mm_watch_unreported).
 */
#include <kernel/machine.h>
#include <kernel/mm_debug.h>
#include <kernel/spinlock.h>
#include "report.h"
#include "watch.h"

#define WATCH_HELD_MAX 2 /* watches QEMU's harts have */
#define WATCH_WINDOW 8	 /* bytes a watch covers at most (QEMU's) */

struct held {
	const struct watch_owner_ops *ops;
	void *owner; /* a slab cache, or a page pool */
	void *addr;  /* NULL: the slot is free */
	size_t bytes;
};

static DEFINE_SPINLOCK(watch_lock, "mm_watch", LOCK_LEVEL_LEAF);
static struct held held[WATCH_HELD_MAX];
static unsigned int oldest;	  /* the slot the next sample takes */
static unsigned int every = 1024; /* a free in every this many */
static unsigned long frees;	  /* of blocks whose owner has W */
static unsigned long unreported;  /* hits under a leaf lock: no report */
static unsigned int loads;	  /* 1: watch loads too (word-sized: an AMO) */

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

/* Stop watching slot i and empty it; its block into *out. */
static void __drop(unsigned int i, struct held *out)
{
	*out = held[i];
	if (!out->addr)
		return;
	watch_release(i);
	__atomic_store_n(&held[i].addr, NULL, __ATOMIC_RELEASE);
}

/* Back to its slab or its pool: no lock held. */
static void give_back(const struct held *h)
{
	if (h->addr)
		h->ops->give_back(h->owner, h->addr, h->bytes);
}

bool mm_watch_set_loads(bool on)
{
	return __atomic_exchange_n(&loads, on ? 1u : 0u, __ATOMIC_RELAXED);
}

bool mm_watch_loads(void)
{
	return __atomic_load_n(&loads, __ATOMIC_RELAXED);
}

bool mm_watch_sample(void)
{
	unsigned long n = __atomic_fetch_add(&frees, 1, __ATOMIC_RELAXED);

	return slots() && n % __atomic_load_n(&every, __ATOMIC_RELAXED) == 0;
}

void mm_watch_hold(const struct watch_owner_ops *ops, void *owner, void *addr,
		   size_t bytes)
{
	struct held gone = { 0 };
	unsigned int i;

	acquire(&watch_lock);
	i = oldest;
	oldest = (oldest + 1) % slots();
	__drop(i, &gone);
	held[i].ops = ops;
	held[i].owner = owner;
	held[i].bytes = bytes;
	__atomic_store_n(&held[i].addr, addr, __ATOMIC_RELEASE);
	watch_arm(i, addr, mm_watch_loads());
	release(&watch_lock);
	give_back(&gone);
}

void mm_watch_forget(void *owner)
{
	struct held gone[WATCH_HELD_MAX] = { 0 };
	unsigned int i;

	if (!slots())
		return;
	acquire(&watch_lock);
	for (i = 0; i < slots(); i++)
		if (held[i].addr && (!owner || held[i].owner == owner))
			__drop(i, &gone[i]);
	release(&watch_lock);
	for (i = 0; i < WATCH_HELD_MAX; i++)
		give_back(&gone[i]);
}

void mm_watch_flush(void)
{
	mm_watch_forget(NULL);
}

unsigned long mm_watch_unreported(void)
{
	return __atomic_load_n(&unreported, __ATOMIC_RELAXED);
}

bool mm_watch_holds(const void *obj)
{
	unsigned int i;

	for (i = 0; i < slots(); i++)
		if (__atomic_load_n(&held[i].addr, __ATOMIC_ACQUIRE) == obj)
			return true;
	return false;
}

bool mm_watch_hit(const struct mm_watch_hit *hit)
{
	struct held h = { 0 };
	struct mm_report r;
	unsigned int i;

	for (i = 0; i < slots(); i++) {
		h.addr = __atomic_load_n(&held[i].addr, __ATOMIC_ACQUIRE);
		h.ops = READ_ONCE(held[i].ops);
		h.owner = READ_ONCE(held[i].owner);
		h.bytes = READ_ONCE(held[i].bytes);
		/*
		 * Its watch's window, which may reach past a small object
		 * (that counts), but not the rest of a large block: only a
		 * stale watch of a block given back fires there.
		 */
		if (h.addr && hit->addr + hit->bytes > (uintptr_t)h.addr &&
		    hit->addr < (uintptr_t)h.addr + WATCH_WINDOW)
			break;
	}
	if (i == slots())
		return false; /* a watch released late: no bug */
	/*
	 * Made under a lock the report's cannot nest in (a leaf, or the
	 * console's): taking it would break the lock order.  Counted, and
	 * the store runs.
	 */
	if (!may_acquire_level(LOCK_LEVEL_LEAF)) {
		__atomic_fetch_add(&unreported, 1, __ATOMIC_RELAXED);
		return true;
	}
	h.ops->report_init(&r, h.owner, h.addr,
			   hit->load ? MM_WATCHED_READ : MM_WATCHED_WRITE,
			   hit->pc);
	r.caller_is_pc =
		true; /* the access itself: at +0 it is this function */
	if (hit->load)
		mm_report(
			&r,
			"%u-byte load at byte %ld of %lu: reads %#lx, task %s",
			hit->bytes, (long)(hit->addr - (uintptr_t)h.addr),
			(unsigned long)h.bytes, hit->value, hit->task);
	else
		mm_report(
			&r,
			"%u-byte store at byte %ld of %lu: %#lx over %#lx, task %s",
			hit->bytes, (long)(hit->addr - (uintptr_t)h.addr),
			(unsigned long)h.bytes, hit->value, hit->old,
			hit->task);
	return true;
}
