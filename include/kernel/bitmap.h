/*
 * bitmap.h - arrays of bits stored in unsigned longs (lib/bitmap.c).
 *
 * Bit n lives in word n / BITS_PER_LONG at position n % BITS_PER_LONG, so
 * the layout is the same on rv32 and rv64 apart from the word size.  These
 * helpers are not atomic: callers hold the lock that protects the map.
 */
#ifndef KERNEL_BITMAP_H
#define KERNEL_BITMAP_H

#include <kernel/compiler.h>

#define BITS_PER_LONG (8 * sizeof(unsigned long))
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define BIT_WORD(n) ((n) / BITS_PER_LONG)
#define BIT_MASK(n) (1UL << ((n) % BITS_PER_LONG))

static inline void bitmap_set(unsigned long *map, size_t n)
{
	map[BIT_WORD(n)] |= BIT_MASK(n);
}

static inline void bitmap_clear(unsigned long *map, size_t n)
{
	map[BIT_WORD(n)] &= ~BIT_MASK(n);
}

static inline bool bitmap_test(const unsigned long *map, size_t n)
{
	return (map[BIT_WORD(n)] & BIT_MASK(n)) != 0;
}

/* Set or clear bits [start, start + len). */
void bitmap_set_range(unsigned long *map, size_t start, size_t len);
void bitmap_clear_range(unsigned long *map, size_t start, size_t len);

/* Index of the first set / clear bit at or after start, or size if none. */
size_t bitmap_find_next_set(const unsigned long *map, size_t size,
			    size_t start);
size_t bitmap_find_next_clear(const unsigned long *map, size_t size,
			      size_t start);

/* Number of set bits among the first size bits. */
size_t bitmap_weight(const unsigned long *map, size_t size);

#endif /* KERNEL_BITMAP_H */
