/*
 * bitmap.c - the range operations of include/kernel/bitmap.h, and
 * bitmap_weight.
 *
 * A range touches a partial first word, whole middle words and a partial
 * last word; one walk (for_each_word_of) serves both range operations,
 * which differ only in what they do to a word under a mask.
 *
 * Bits at or beyond size in the last word are never trusted: callers may
 * leave garbage there, so bitmap_weight masks them off.
 */
#include <kernel/bitmap.h>

/* Bits start % BITS_PER_LONG and up of start's word. */
static inline unsigned long first_word_mask(size_t start)
{
	return ~0UL << (start % BITS_PER_LONG);
}

/*
 * Bits below end % BITS_PER_LONG of the word holding bit end - 1; all of
 * them when end is a multiple of the word size.
 */
static inline unsigned long last_word_mask(size_t end)
{
	return ~0UL >> (-end % BITS_PER_LONG);
}

/* Call fn(word, mask) for each word of [start, start + len), mask its bits. */
static void for_each_word_of(unsigned long *map, size_t start, size_t len,
			     void (*fn)(unsigned long *word,
					unsigned long mask))
{
	size_t end = start + len, word, last;

	if (len == 0)
		return;
	word = BIT_WORD(start);
	last = BIT_WORD(end - 1);
	if (word == last) {
		fn(&map[word], first_word_mask(start) & last_word_mask(end));
		return;
	}
	fn(&map[word++], first_word_mask(start));
	while (word < last)
		fn(&map[word++], ~0UL);
	fn(&map[last], last_word_mask(end));
}

static void or_locked(unsigned long *word, unsigned long mask)
{
	bitmap_store_word(word, bitmap_load_word(word) | mask);
}

static void andnot_locked(unsigned long *word, unsigned long mask)
{
	bitmap_store_word(word, bitmap_load_word(word) & ~mask);
}

void bitmap_set(unsigned long *map, size_t start, size_t len)
{
	for_each_word_of(map, start, len, or_locked);
}

void bitmap_clear(unsigned long *map, size_t start, size_t len)
{
	for_each_word_of(map, start, len, andnot_locked);
}

size_t find_next_bit(const unsigned long *map, size_t size, size_t start)
{
	size_t word = BIT_WORD(start);
	unsigned long bits;

	if (start >= size)
		return size;
	bits = bitmap_load_word(&map[word]) & first_word_mask(start);
	while (!bits) {
		if (++word >= BITS_TO_LONGS(size))
			return size;
		bits = bitmap_load_word(&map[word]);
	}
	start = word * BITS_PER_LONG + (size_t)__builtin_ctzl(bits);
	return MIN(start, size);
}

size_t bitmap_weight(const unsigned long *map, size_t size)
{
	size_t word, full = size / BITS_PER_LONG;
	size_t count = 0;

	for (word = 0; word < full; word++)
		count += (size_t)__builtin_popcountl(
			bitmap_load_word(&map[word]));
	if (size % BITS_PER_LONG)
		count += (size_t)__builtin_popcountl(
			bitmap_load_word(&map[full]) & last_word_mask(size));
	return count;
}
