/*
 * watch.h - what the allocators call in mm/watch.c (mm.debug=W): a free
 * of a block whose owner watches asks mm_watch_sample, and a sampled
 * block is handed to the quarantine instead of going back.  Private to
 * mm/.
 *
 *   a free, checked and done --(mm_watch_sample: 1 in N)--> mm_watch_hold
 *        |                                                     |
 *        +--(the other N-1)--> back to the slab or the lists    | armed on
 *                                                              v every hart
 *                 the oldest held block goes back: its owner's give_back
 *
 * As with the magazines (mm/magazine.h), the owner (a slab cache, or a
 * page pool) passes its side as callbacks, so mm/watch.c calls into
 * neither allocator.
 */
#ifndef MM_WATCH_H
#define MM_WATCH_H

#include <kernel/compiler.h>
#include <kernel/mm_report.h>

struct watch_owner_ops {
	/* The block, held back until now, goes home.  No lock is held. */
	void (*give_back)(void *owner, void *addr, size_t bytes);
	/*
	 * The report of bug (a use-after-free write or read) in the block
	 * by the access at pc, with the block's sites when the owner tracks
	 * them.  Called in a trap: it must take no lock.
	 */
	void (*report_init)(struct mm_report *r, void *owner, void *addr,
			    enum mm_bug bug, uintptr_t pc);
};

/*
 * Count a free of a block whose owner has W on: true for one in N (when
 * the machine has watches), and then the caller holds the block back and
 * hands it to mm_watch_hold, once it holds no lock of its own.  Lock-free:
 * an atomic add.
 */
bool mm_watch_sample(void);
/*
 * Hold the block of bytes at addr (freed in every other respect: its
 * poison, track and free mark done) and watch its first word.
 */
void mm_watch_hold(const struct watch_owner_ops *ops, void *owner, void *addr,
		   size_t bytes);
/* Give back the blocks of owner held here (NULL: every held block). */
void mm_watch_forget(void *owner);

#endif /* MM_WATCH_H */
