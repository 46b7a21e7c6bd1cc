/*
 * ownership.c - stamps and ownership maps for the allocator tortures
 * (tests/mm/ownership.h).  Portable: built for QEMU and the host.
 */
#include <kernel/bitmap.h>
#include <kernel/ktest.h>
#include "ownership.h"

#define OWNER_SHIFT (8 * sizeof(long) - 8)

unsigned long stamp_next(unsigned int owner, unsigned long *serial)
{
	unsigned long s = ++*serial & ((1UL << OWNER_SHIFT) - 1);

	return ((unsigned long)(owner + 1) << OWNER_SHIFT) | s;
}

int stamp_owner(unsigned long stamp)
{
	unsigned long owner = stamp >> OWNER_SHIFT;

	return owner ? (int)owner - 1 : -1;
}

void stamp_fill(void *p, size_t bytes, size_t every, unsigned long stamp)
{
	unsigned long *w = p;
	size_t i, words = bytes / sizeof(long);

	for (i = 0; i < words; i += every)
		w[i] = stamp;
	w[words - 1] = stamp;
}

bool stamp_intact(const void *p, size_t bytes, size_t every,
		  unsigned long stamp, unsigned long *errors)
{
	const unsigned long *w = p;
	size_t i, words = bytes / sizeof(long);

	for (i = 0; i < words; i += every)
		if (w[i] != stamp)
			break;
	if (i >= words && w[words - 1] == stamp)
		return true;
	if (i >= words)
		i = words - 1;
	ktest_report(errors,
		     "block %p overwritten: word %lu is %lx, its stamp %lx", p,
		     (unsigned long)i, w[i], stamp);
	return false;
}

static size_t first_unit(const struct ownership_map *map, const void *p)
{
	return ((uintptr_t)p - map->lo) / map->unit;
}

static size_t units(const struct ownership_map *map, size_t bytes)
{
	return (bytes + map->unit - 1) / map->unit;
}

/*
 * A claim or a release is one atomic or (and) of a mask per word of the
 * map, so a run of pages costs a few AMOs, not one per unit: the mask of
 * the k units from unit at, all in at's word.
 */
static unsigned long mask_of(size_t at, size_t k)
{
	return (k == BITS_PER_LONG ? ~0UL : (1UL << k) - 1)
	       << (at % BITS_PER_LONG);
}

static size_t units_in_word(size_t at, size_t left)
{
	return MIN(left, BITS_PER_LONG - at % BITS_PER_LONG);
}

void ownership_claim(struct ownership_map *map, const void *p, size_t bytes,
		     const char *what, unsigned long *errors)
{
	size_t first = first_unit(map, p), n = units(map, bytes), at, k;
	unsigned long mask, was;

	for (at = first; at < first + n; at += k) {
		k = units_in_word(at, first + n - at);
		mask = mask_of(at, k);
		was = __atomic_fetch_or(&map->bits[BIT_WORD(at)], mask,
					__ATOMIC_RELAXED) &
		      mask;
		if (was)
			ktest_report(errors,
				     "%s %p handed out twice (unit %lu)", what,
				     p,
				     (unsigned long)(at - first +
						     __builtin_ctzl(was) -
						     at % BITS_PER_LONG));
	}
}

void ownership_release(struct ownership_map *map, const void *p, size_t bytes)
{
	size_t first = first_unit(map, p), n = units(map, bytes), at, k;

	for (at = first; at < first + n; at += k) {
		k = units_in_word(at, first + n - at);
		__atomic_fetch_and(&map->bits[BIT_WORD(at)], ~mask_of(at, k),
				   __ATOMIC_RELAXED);
	}
}
