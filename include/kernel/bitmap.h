/*
 * bitmap.h - arrays of bits stored in unsigned longs, with Linux's split
 * between atomic and non-atomic operations (lib/bitmap.c has the loops).
 *
 * Bit n lives in word n / BITS_PER_LONG at position n % BITS_PER_LONG, so
 * the layout is the same on rv32 and rv64 apart from the word size.
 *
 *   operation                   atomic?  use it when
 *   test_and_set_bit,           yes      others may change other bits of
 *   test_and_clear_bit                   the word at the same time, with
 *                                        no lock
 *   __set_bit, __clear_bit      no       every writer of the map holds a
 *   bitmap_set, bitmap_clear    no       lock (the latter two: a range)
 *   test_bit                             any time
 *
 * The atomic ones are relaxed AMOs (amoor.w / amoand.w, .d on rv64): they
 * order nothing but the bit itself.  The non-atomic writers still load and
 * store each word as a whole (never torn), so test_bit may read a map
 * under change without a lock and see each bit either before or after.
 */
#ifndef KERNEL_BITMAP_H
#define KERNEL_BITMAP_H

#include <kernel/compiler.h>

#define BITS_PER_LONG (8 * sizeof(unsigned long))
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define BIT_WORD(n) ((n) / BITS_PER_LONG)
#define BIT_MASK(n) (1UL << ((n) % BITS_PER_LONG))

static inline bool test_bit(size_t n, const unsigned long *map)
{
	return __atomic_load_n(&map[BIT_WORD(n)], __ATOMIC_RELAXED) &
	       BIT_MASK(n);
}

/* Set bit n; returns whether it was set already. */
static inline bool test_and_set_bit(size_t n, unsigned long *map)
{
	return __atomic_fetch_or(&map[BIT_WORD(n)], BIT_MASK(n),
				 __ATOMIC_RELAXED) &
	       BIT_MASK(n);
}

/* Clear bit n; returns whether it was set. */
static inline bool test_and_clear_bit(size_t n, unsigned long *map)
{
	return __atomic_fetch_and(&map[BIT_WORD(n)], ~BIT_MASK(n),
				  __ATOMIC_RELAXED) &
	       BIT_MASK(n);
}

/* The word as a whole, for the non-atomic writers. */
static inline void bitmap_store_word(unsigned long *word, unsigned long value)
{
	__atomic_store_n(word, value, __ATOMIC_RELAXED);
}

static inline unsigned long bitmap_load_word(const unsigned long *word)
{
	return __atomic_load_n(word, __ATOMIC_RELAXED);
}

static inline void __set_bit(size_t n, unsigned long *map)
{
	unsigned long *word = &map[BIT_WORD(n)];

	bitmap_store_word(word, bitmap_load_word(word) | BIT_MASK(n));
}

static inline void __clear_bit(size_t n, unsigned long *map)
{
	unsigned long *word = &map[BIT_WORD(n)];

	bitmap_store_word(word, bitmap_load_word(word) & ~BIT_MASK(n));
}

/* Set or clear bits [start, start + len), under the map's lock. */
void bitmap_set(unsigned long *map, size_t start, size_t len);
void bitmap_clear(unsigned long *map, size_t start, size_t len);

/* Number of set bits among the first size bits. */
size_t bitmap_weight(const unsigned long *map, size_t size);

/* The first set bit at or after start and below size, or size if none. */
size_t find_next_bit(const unsigned long *map, size_t size, size_t start);

#endif /* KERNEL_BITMAP_H */
