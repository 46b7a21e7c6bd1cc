/*
 * fault_walk.h - the walk through an operation's allocations, for the
 * cases of suite "fault" (tests/mm/fault_test.c, tests/kernel/).
 *
 * Fail the 1st allocation the operation makes, then the 2nd, the 3rd, ...
 * (fault_inject_fail_nth) until it succeeds.  After each failure the
 * caller must have an error, and the memory manager must be exactly as
 * before: the same free pages, the same pages in slabs and for kmalloc,
 * the same objects in use, and page metadata that validates.
 */
#ifndef TESTS_MM_FAULT_WALK_H
#define TESTS_MM_FAULT_WALK_H

#include <kernel/ktest.h>

/*
 * An operation under the walk: run does it and says whether it worked;
 * undo undoes it (called only when it worked).  An operation that copes
 * with a failed allocation another way (the leak scan sorts in place
 * without the memory to merge in) may work though its Nth allocation
 * failed: only one with copes set, and then the walk goes on to N + 1.
 */
struct operation {
	const char *name;
	bool (*run)(void *arg);
	void (*undo)(void *arg);
	void *arg;
	bool copes;
};

/* More allocations than any operation walked here makes. */
#define WALK_MAX 64

/*
 * Walk op; returns how many allocations failed before it worked without
 * a failure (those it coped with included).
 */
unsigned long walk(struct ktest *t, const struct operation *op);

#endif /* TESTS_MM_FAULT_WALK_H */
