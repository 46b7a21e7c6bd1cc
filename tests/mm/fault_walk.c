/*
 * fault_walk.c - the walk of tests/mm/fault_walk.h: fail an operation's
 * allocations one by one, and check that each failure left nothing behind.
 */
#include <kernel/fault_inject.h>
#include <kernel/meminfo.h>
#include <kernel/page.h>
#include "fault_walk.h"

/* What must not change when an operation fails. */
struct snapshot {
	size_t free, for_slabs, for_kmalloc, objects;
};

static void take_snapshot(struct snapshot *s)
{
	struct memory_stats st;

	get_memory_stats(&st);
	s->free = st.pages.free;
	s->for_slabs = st.pages.for_slabs;
	s->for_kmalloc = st.pages.for_kmalloc;
	s->objects = st.slab_active;
}

static bool same_as(struct ktest *t, const struct snapshot *before)
{
	struct snapshot now;

	take_snapshot(&now);
	return KEXPECT_EQ(t, now.free, before->free) &&
	       KEXPECT_EQ(t, now.for_slabs, before->for_slabs) &&
	       KEXPECT_EQ(t, now.for_kmalloc, before->for_kmalloc) &&
	       KEXPECT_EQ(t, now.objects, before->objects) &&
	       KEXPECT_EQ(t, page_validate(), 0);
}

unsigned long walk(struct ktest *t, const struct operation *op)
{
	struct snapshot before;
	unsigned long n;
	bool worked;

	fault_inject_fail_nth(WALK_MAX + 1); /* magazines empty from here */
	take_snapshot(&before);
	for (n = 1; n <= WALK_MAX; n++) {
		fault_inject_fail_nth(n);
		worked = op->run(op->arg);
		if (worked && fault_inject_nth_left() != 0) {
			/* Not failed: it made fewer than n allocations. */
			fault_inject_fail_nth(0);
			op->undo(op->arg);
			break;
		}
		KEXPECT_EQ(t, fault_inject_nth_left(), 0);
		if (worked) { /* its nth failed, and it coped another way */
			KEXPECT_TRUE(t, op->copes);
			fault_inject_fail_nth(WALK_MAX + 1);
			op->undo(op->arg);
		}
		if (!same_as(t, &before)) {
			ktest_log(
				t,
				"%s: not as before after allocation %lu failed",
				op->name, n);
			break;
		}
	}
	fault_inject_fail_nth(0);
	KEXPECT_LE(t, n, WALK_MAX);
	ktest_log(t, "%s: %lu allocations failed in turn, then it worked",
		  op->name, n - 1);
	return n - 1;
}
