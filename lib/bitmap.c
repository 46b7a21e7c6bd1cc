/*
 * bitmap.c - range and search operations on bitmaps (include/kernel/bitmap.h).
 *
 * Everything works a word at a time: a range touches a partial first word,
 * whole middle words and a partial last word; a search skips words that
 * hold nothing of interest and finds the bit inside a word with ctz.
 *
 * Bits at or beyond size in the last word are never trusted: callers may
 * leave garbage there, so searches clamp their result to size and the
 * weight masks them off.
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

void bitmap_set_range(unsigned long *map, size_t start, size_t len)
{
	size_t end = start + len;
	size_t word, last;

	if (len == 0)
		return;
	word = BIT_WORD(start);
	last = BIT_WORD(end - 1);
	if (word == last) {
		map[word] |= first_word_mask(start) & last_word_mask(end);
		return;
	}
	map[word++] |= first_word_mask(start);
	while (word < last)
		map[word++] = ~0UL;
	map[last] |= last_word_mask(end);
}

void bitmap_clear_range(unsigned long *map, size_t start, size_t len)
{
	size_t end = start + len;
	size_t word, last;

	if (len == 0)
		return;
	word = BIT_WORD(start);
	last = BIT_WORD(end - 1);
	if (word == last) {
		map[word] &= ~(first_word_mask(start) & last_word_mask(end));
		return;
	}
	map[word++] &= ~first_word_mask(start);
	while (word < last)
		map[word++] = 0;
	map[last] &= ~last_word_mask(end);
}

/*
 * The search shared by find_next_set and find_next_clear: invert is 0 to
 * look for a 1 bit and ~0UL to look for a 0 bit, so one loop serves both.
 */
static size_t find_next(const unsigned long *map, size_t size, size_t start,
			unsigned long invert)
{
	size_t word, nwords = BITS_TO_LONGS(size);
	unsigned long bits;
	size_t found;

	if (start >= size)
		return size;

	word = BIT_WORD(start);
	bits = (map[word] ^ invert) & first_word_mask(start);
	while (bits == 0) {
		if (++word >= nwords)
			return size;
		bits = map[word] ^ invert;
	}
	found = word * BITS_PER_LONG + (size_t)__builtin_ctzl(bits);
	return MIN(found, size);
}

size_t bitmap_find_next_set(const unsigned long *map, size_t size, size_t start)
{
	return find_next(map, size, start, 0);
}

size_t bitmap_find_next_clear(const unsigned long *map, size_t size,
			      size_t start)
{
	return find_next(map, size, start, ~0UL);
}

size_t bitmap_weight(const unsigned long *map, size_t size)
{
	size_t word, full = size / BITS_PER_LONG;
	size_t count = 0;

	for (word = 0; word < full; word++)
		count += (size_t)__builtin_popcountl(map[word]);
	if (size % BITS_PER_LONG)
		count += (size_t)__builtin_popcountl(map[full] &
						     last_word_mask(size));
	return count;
}
