/*
 * bitmap_test.c - tests for lib/bitmap.c and include/kernel/bitmap.h
 * (suite "bitmap").
 *
 * Positions are written in terms of BITS_PER_LONG so that the same cases
 * hit the word boundaries on rv32, rv64 and the host.  A randomised case
 * compares the word-at-a-time code with a bit-by-bit model.
 */
#include <kernel/ktest.h>
#include <kernel/bitmap.h>
#include <kernel/prng.h>
#include <kernel/string.h>

#define BPL BITS_PER_LONG
#define NWORDS 4
#define NBITS (NWORDS * BPL)

/*
 * Bits of map in [0, n) that are wrong if exactly [lo, hi) should read as
 * inside and all others as !inside.
 */
static size_t count_mismatches(const unsigned long *map, size_t n, size_t lo,
			       size_t hi, bool inside)
{
	size_t i, bad = 0;

	for (i = 0; i < n; i++) {
		bool in_range = i >= lo && i < hi;

		if (bitmap_test(map, i) != (in_range ? inside : !inside))
			bad++;
	}
	return bad;
}

KTEST(bitmap, set_clear_and_test_single_bits)
{
	unsigned long map[NWORDS] = { 0 };

	bitmap_set(map, 0);
	bitmap_set(map, BPL - 1);
	bitmap_set(map, BPL);
	bitmap_set(map, NBITS - 1);
	KEXPECT_TRUE(t, bitmap_test(map, 0));
	KEXPECT_FALSE(t, bitmap_test(map, 1));
	KEXPECT_TRUE(t, bitmap_test(map, BPL - 1));
	KEXPECT_TRUE(t, bitmap_test(map, BPL));
	KEXPECT_TRUE(t, bitmap_test(map, NBITS - 1));
	KEXPECT_EQ(t, map[0], 1UL | 1UL << (BPL - 1));
	KEXPECT_EQ(t, map[1], 1UL);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS), 4);

	bitmap_clear(map, BPL - 1);
	KEXPECT_FALSE(t, bitmap_test(map, BPL - 1));
	KEXPECT_EQ(t, map[0], 1UL);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS), 3);
}

KTEST(bitmap, set_range_within_one_word)
{
	unsigned long map[NWORDS] = { 0 };

	bitmap_set_range(map, 3, 5);
	KEXPECT_EQ(t, map[0], 0xf8UL);
	KEXPECT_EQ(t, map[1], 0);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS), 5);
}

KTEST(bitmap, set_range_crosses_word_boundaries)
{
	unsigned long map[NWORDS] = { 0 };

	/* Partial first word, two whole words, partial last word. */
	bitmap_set_range(map, BPL - 3, 2 * BPL + 5);
	KEXPECT_EQ(t, count_mismatches(map, NBITS, BPL - 3, 3 * BPL + 2, true),
		   0);
	KEXPECT_EQ(t, map[1], ~0UL);
	KEXPECT_EQ(t, map[2], ~0UL);
	KEXPECT_EQ(t, map[3], 3UL);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS), 2 * BPL + 5);
}

KTEST(bitmap, set_range_on_exact_words)
{
	unsigned long map[NWORDS] = { 0 };

	bitmap_set_range(map, BPL, BPL);
	KEXPECT_EQ(t, map[0], 0);
	KEXPECT_EQ(t, map[1], ~0UL);
	KEXPECT_EQ(t, map[2], 0);

	bitmap_set_range(map, 0, NBITS);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS), NBITS);
}

KTEST(bitmap, empty_range_changes_nothing)
{
	unsigned long map[NWORDS] = { 0 };

	bitmap_set_range(map, BPL, 0);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS), 0);
	bitmap_set_range(map, 0, NBITS);
	bitmap_clear_range(map, 2 * BPL, 0);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS), NBITS);
}

KTEST(bitmap, clear_range_crosses_word_boundaries)
{
	unsigned long map[NWORDS];

	memset(map, 0xff, sizeof(map));
	bitmap_clear_range(map, 5, 2 * BPL);
	KEXPECT_EQ(t, count_mismatches(map, NBITS, 5, 2 * BPL + 5, false), 0);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS), NBITS - 2 * BPL);
	KEXPECT_EQ(t, map[0], 0x1fUL);
	KEXPECT_EQ(t, map[1], 0);
	KEXPECT_EQ(t, map[2], ~0UL << 5);
	KEXPECT_EQ(t, map[3], ~0UL);
}

KTEST(bitmap, find_next_set_walks_all_bits)
{
	unsigned long map[NWORDS] = { 0 };
	size_t bits[] = { 0, 1, BPL - 1, BPL, 2 * BPL + 7, NBITS - 1 };
	size_t i, pos;

	for (i = 0; i < ARRAY_SIZE(bits); i++)
		bitmap_set(map, bits[i]);
	pos = bitmap_find_next_set(map, NBITS, 0);
	for (i = 0; i < ARRAY_SIZE(bits); i++) {
		KEXPECT_EQ(t, pos, bits[i]);
		pos = bitmap_find_next_set(map, NBITS, pos + 1);
	}
	KEXPECT_EQ(t, pos, NBITS);
}

KTEST(bitmap, find_next_at_edges)
{
	unsigned long map[NWORDS] = { 0 };

	KEXPECT_EQ(t, bitmap_find_next_set(map, NBITS, 0), NBITS);
	KEXPECT_EQ(t, bitmap_find_next_clear(map, NBITS, 0), 0);
	KEXPECT_EQ(t, bitmap_find_next_set(map, NBITS, NBITS), NBITS);
	KEXPECT_EQ(t, bitmap_find_next_set(map, NBITS, NBITS + 5), NBITS);
	KEXPECT_EQ(t, bitmap_find_next_clear(map, NBITS, NBITS), NBITS);
	KEXPECT_EQ(t, bitmap_find_next_set(map, 0, 0), 0);

	bitmap_set(map, NBITS - 1);
	KEXPECT_EQ(t, bitmap_find_next_set(map, NBITS, 0), NBITS - 1);
	KEXPECT_EQ(t, bitmap_find_next_set(map, NBITS, NBITS - 1), NBITS - 1);
	/* A start just past a word boundary must not see the earlier word. */
	bitmap_set(map, BPL - 1);
	KEXPECT_EQ(t, bitmap_find_next_set(map, NBITS, BPL - 1), BPL - 1);
	KEXPECT_EQ(t, bitmap_find_next_set(map, NBITS, BPL), NBITS - 1);
}

KTEST(bitmap, find_next_clear_in_full_map)
{
	unsigned long map[NWORDS];

	memset(map, 0xff, sizeof(map));
	KEXPECT_EQ(t, bitmap_find_next_clear(map, NBITS, 0), NBITS);
	bitmap_clear(map, 2 * BPL);
	KEXPECT_EQ(t, bitmap_find_next_clear(map, NBITS, 0), 2 * BPL);
	KEXPECT_EQ(t, bitmap_find_next_clear(map, NBITS, 2 * BPL), 2 * BPL);
	KEXPECT_EQ(t, bitmap_find_next_clear(map, NBITS, 2 * BPL + 1), NBITS);
	KEXPECT_EQ(t, bitmap_find_next_set(map, NBITS, 2 * BPL), 2 * BPL + 1);
}

KTEST(bitmap, bits_beyond_size_are_ignored)
{
	unsigned long map[2] = { 0, 0 };
	size_t size = BPL + 10;

	/* Garbage past the end of a map that ends mid-word. */
	map[1] = ~0UL << 10;
	KEXPECT_EQ(t, bitmap_find_next_set(map, size, 0), size);
	KEXPECT_EQ(t, bitmap_find_next_set(map, size, BPL + 3), size);
	KEXPECT_EQ(t, bitmap_weight(map, size), 0);

	map[0] = ~0UL;
	map[1] = ~0UL;
	bitmap_clear(map, BPL + 9);
	KEXPECT_EQ(t, bitmap_weight(map, size), size - 1);
	KEXPECT_EQ(t, bitmap_find_next_clear(map, size, 0), BPL + 9);

	bitmap_set(map, BPL + 9);
	map[1] = (1UL << 10) - 1;
	KEXPECT_EQ(t, bitmap_find_next_clear(map, size, 0), size);
	KEXPECT_EQ(t, bitmap_weight(map, size), size);

	/* The first hit lies beyond size: the answer is still size. */
	map[1] = ~(1UL << 20);
	KEXPECT_EQ(t, bitmap_find_next_clear(map, size, 0), size);
	map[0] = 0;
	map[1] = 1UL << 20;
	KEXPECT_EQ(t, bitmap_find_next_set(map, size, 0), size);
}

KTEST(bitmap, weight_counts_partial_last_word)
{
	unsigned long map[NWORDS] = { 0 };

	bitmap_set_range(map, 0, NBITS);
	KEXPECT_EQ(t, bitmap_weight(map, 0), 0);
	KEXPECT_EQ(t, bitmap_weight(map, 1), 1);
	KEXPECT_EQ(t, bitmap_weight(map, BPL), BPL);
	KEXPECT_EQ(t, bitmap_weight(map, BPL + 1), BPL + 1);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS - 1), NBITS - 1);
}

KTEST(bitmap, random_ranges_match_bitwise_model)
{
	unsigned long map[NWORDS];
	bool model[NBITS];
	struct prng r;
	size_t i, bad = 0;
	unsigned int round;

	prng_seed(&r, 42);
	memset(map, 0, sizeof(map));
	memset(model, 0, sizeof(model));
	for (round = 0; round < 500 * ktest_scale(); round++) {
		size_t start = prng_below(&r, NBITS);
		size_t len = prng_below(&r, (uint32_t)(NBITS - start + 1));
		bool set = prng_below(&r, 2);
		size_t from = prng_below(&r, NBITS + 1);
		size_t want_set = NBITS, want_clear = NBITS;

		if (set)
			bitmap_set_range(map, start, len);
		else
			bitmap_clear_range(map, start, len);
		for (i = start; i < start + len; i++)
			model[i] = set;

		for (i = NBITS; i-- > from;) {
			if (model[i])
				want_set = i;
			else
				want_clear = i;
		}
		if (bitmap_find_next_set(map, NBITS, from) != want_set)
			bad++;
		if (bitmap_find_next_clear(map, NBITS, from) != want_clear)
			bad++;
	}
	for (i = 0; i < NBITS; i++)
		if (bitmap_test(map, i) != model[i])
			bad++;
	KEXPECT_EQ(t, bad, 0);
}
