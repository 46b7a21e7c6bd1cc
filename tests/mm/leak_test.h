/*
 * leak_test.h - what the leak scanner's portable cases (tests/mm/
 * leak_test.c) share with its kernel-only ones (tests/kernel/
 * leak_roots_test.c).
 *
 * The scan is conservative: any word that holds a block's address keeps
 * the block, and that includes the cases' own locals.  So a case keeps
 * the blocks it leaks only as hidden values (address ^ LEAK_HIDE, which
 * points nowhere in memory), allocates them on another hart, in a task
 * or thread that is gone when the scan runs, and reads the reports back
 * in functions of their own, whose frames are wiped (leak_test_wipe)
 * before the next scan.
 */
#ifndef TESTS_MM_LEAK_TEST_H
#define TESTS_MM_LEAK_TEST_H

#include <kernel/compiler.h>

#define LEAK_HIDE ((uintptr_t)0xa5a5a5a5a5a5a5a5ull)

/*
 * The size of the objects of the cache the cases leak from: small, as
 * a stale word that an earlier case left pointing into one would keep it.
 */
#define LEAK_SIZE 16

struct kmem_cache;

/* A cache that tracks (and has red zones), for the cases to leak from. */
struct kmem_cache *leak_test_cache(void);
/*
 * Allocate n blocks from c on another hart, in a task or thread that then
 * ends, into hidden[] (LEAK_HIDE for one that could not be had).
 */
void leak_test_alloc_elsewhere(struct kmem_cache *c, uintptr_t *hidden,
			       unsigned int n);
/* Zero the dead stack below the caller. */
void leak_test_wipe(void);
/*
 * The reports made since report number "since" about the block hidden
 * as hidden: how many, and in *leaks how many of them are leak reports.
 */
unsigned int leak_test_reports(unsigned long since, uintptr_t hidden,
			       unsigned int *leaks);
/* Free the block hidden as hidden to c. */
void leak_test_free(struct kmem_cache *c, uintptr_t hidden);

#endif /* TESTS_MM_LEAK_TEST_H */
