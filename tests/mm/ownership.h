/*
 * ownership.h - the scaffolding the allocator tortures share
 * (tests/mm/ownership.c): stamps that say who owns a block, and an
 * ownership map that catches a block handed out twice.
 *
 * A stamp is a word with the owner in its top byte and a serial below,
 * written over a block when it is taken and checked before it is given
 * back: a block handed out twice, or written by the allocator while
 * allocated, shows up as a wrong stamp.  The ownership map has one bit
 * per unit (a page, or a granule of a smaller block) of some memory,
 * set with an atomic or when a block is taken: a bit set already is a
 * block handed out twice, seen at once.  Errors are counted and the
 * first few reported (ktest_report).
 */
#ifndef TESTS_MM_OWNERSHIP_H
#define TESTS_MM_OWNERSHIP_H

#include <kernel/compiler.h>

/* A new stamp for owner (0 .. 254): never 0, never repeated soon. */
unsigned long stamp_next(unsigned int owner, unsigned long *serial);
/* Owner of a stamp, or -1 if the word is no stamp at all. */
int stamp_owner(unsigned long stamp);

/*
 * Write the stamp over [p, p + bytes), one word in every "every" (1: all
 * of them), and the last word; check the same words.  bytes is a
 * multiple of the word size.
 */
void stamp_fill(void *p, size_t bytes, size_t every, unsigned long stamp);
bool stamp_intact(const void *p, size_t bytes, size_t every,
		  unsigned long stamp, unsigned long *errors);

struct ownership_map {
	uintptr_t lo; /* the memory the map covers starts here */
	size_t unit;  /* bytes per bit */
	unsigned long *bits;
};

/* Claim the units of [p, p + bytes); report any one claimed already. */
void ownership_claim(struct ownership_map *map, const void *p, size_t bytes,
		     const char *what, unsigned long *errors);
void ownership_release(struct ownership_map *map, const void *p, size_t bytes);

#endif /* TESTS_MM_OWNERSHIP_H */
