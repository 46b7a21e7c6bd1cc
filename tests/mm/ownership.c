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

void ownership_claim(struct ownership_map *map, const void *p, size_t bytes,
		     const char *what, unsigned long *errors)
{
	size_t first = first_unit(map, p), n = units(map, bytes), i;

	for (i = 0; i < n; i++)
		if (test_and_set_bit(first + i, map->bits))
			ktest_report(errors,
				     "%s %p handed out twice (unit %lu)", what,
				     p, (unsigned long)i);
}

void ownership_release(struct ownership_map *map, const void *p, size_t bytes)
{
	size_t first = first_unit(map, p), n = units(map, bytes), i;

	for (i = 0; i < n; i++)
		test_and_clear_bit(first + i, map->bits);
}
