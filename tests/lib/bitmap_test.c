/*
 * bitmap_test.c - tests for lib/bitmap.c and include/kernel/bitmap.h
 * (suite "bitmap").
 *
 * Positions are written in terms of BITS_PER_LONG so that the same cases
 * hit the word boundaries on rv32, rv64 and the host.  A randomised case
 * compares the word-at-a-time code with a bit-by-bit model, and harts
 * that share words show the atomic operations lose no bit.
 */
#include <kernel/ktest.h>
#include <kernel/bitmap.h>
#include <kernel/machine.h>
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

		if (test_bit(i, map) != (in_range ? inside : !inside))
			bad++;
	}
	return bad;
}

KTEST(bitmap, set_clear_and_test_single_bits)
{
	unsigned long map[NWORDS] = { 0 };

	__set_bit(0, map);
	__set_bit(BPL - 1, map);
	__set_bit(BPL, map);
	__set_bit(NBITS - 1, map);
	KEXPECT_TRUE(t, test_bit(0, map));
	KEXPECT_FALSE(t, test_bit(1, map));
	KEXPECT_TRUE(t, test_bit(BPL - 1, map));
	KEXPECT_TRUE(t, test_bit(BPL, map));
	KEXPECT_TRUE(t, test_bit(NBITS - 1, map));
	KEXPECT_EQ(t, map[0], 1UL | 1UL << (BPL - 1));
	KEXPECT_EQ(t, map[1], 1UL);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS), 4);

	__clear_bit(BPL - 1, map);
	KEXPECT_FALSE(t, test_bit(BPL - 1, map));
	KEXPECT_EQ(t, map[0], 1UL);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS), 3);
}

KTEST(bitmap, set_range_within_one_word)
{
	unsigned long map[NWORDS] = { 0 };

	bitmap_set(map, 3, 5);
	KEXPECT_EQ(t, map[0], 0xf8UL);
	KEXPECT_EQ(t, map[1], 0);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS), 5);
}

KTEST(bitmap, set_range_crosses_word_boundaries)
{
	unsigned long map[NWORDS] = { 0 };

	/* Partial first word, two whole words, partial last word. */
	bitmap_set(map, BPL - 3, 2 * BPL + 5);
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

	bitmap_set(map, BPL, BPL);
	KEXPECT_EQ(t, map[0], 0);
	KEXPECT_EQ(t, map[1], ~0UL);
	KEXPECT_EQ(t, map[2], 0);

	bitmap_set(map, 0, NBITS);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS), NBITS);
}

KTEST(bitmap, empty_range_changes_nothing)
{
	unsigned long map[NWORDS] = { 0 };

	bitmap_set(map, BPL, 0);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS), 0);
	bitmap_set(map, 0, NBITS);
	bitmap_clear(map, 2 * BPL, 0);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS), NBITS);
}

KTEST(bitmap, clear_range_crosses_word_boundaries)
{
	unsigned long map[NWORDS];

	memset(map, 0xff, sizeof(map));
	bitmap_clear(map, 5, 2 * BPL);
	KEXPECT_EQ(t, count_mismatches(map, NBITS, 5, 2 * BPL + 5, false), 0);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS), NBITS - 2 * BPL);
	KEXPECT_EQ(t, map[0], 0x1fUL);
	KEXPECT_EQ(t, map[1], 0);
	KEXPECT_EQ(t, map[2], ~0UL << 5);
	KEXPECT_EQ(t, map[3], ~0UL);
}

KTEST(bitmap, bits_beyond_size_are_ignored)
{
	unsigned long map[2] = { 0, 0 };
	size_t size = BPL + 10;

	/* Garbage past the end of a map that ends mid-word. */
	map[1] = ~0UL << 10;
	KEXPECT_EQ(t, bitmap_weight(map, size), 0);

	map[0] = ~0UL;
	map[1] = ~0UL;
	__clear_bit(BPL + 9, map);
	KEXPECT_EQ(t, bitmap_weight(map, size), size - 1);

	__set_bit(BPL + 9, map);
	map[1] = (1UL << 10) - 1;
	KEXPECT_EQ(t, bitmap_weight(map, size), size);
}

KTEST(bitmap, weight_counts_partial_last_word)
{
	unsigned long map[NWORDS] = { 0 };

	bitmap_set(map, 0, NBITS);
	KEXPECT_EQ(t, bitmap_weight(map, 0), 0);
	KEXPECT_EQ(t, bitmap_weight(map, 1), 1);
	KEXPECT_EQ(t, bitmap_weight(map, BPL), BPL);
	KEXPECT_EQ(t, bitmap_weight(map, BPL + 1), BPL + 1);
	KEXPECT_EQ(t, bitmap_weight(map, NBITS - 1), NBITS - 1);
}

/* The range operations against a bit-by-bit model. */
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

		if (set)
			bitmap_set(map, start, len);
		else
			bitmap_clear(map, start, len);
		for (i = start; i < start + len; i++)
			model[i] = set;
	}
	for (i = 0; i < NBITS; i++)
		if (test_bit(i, map) != model[i])
			bad++;
	KEXPECT_EQ(t, bad, 0);
}

KTEST(bitmap, test_and_set_and_clear_say_what_was_there)
{
	unsigned long map[NWORDS] = { 0 };

	KEXPECT_FALSE(t, test_and_set_bit(BPL + 3, map));
	KEXPECT_TRUE(t, test_and_set_bit(BPL + 3, map));
	KEXPECT_EQ(t, map[1], 1UL << 3);
	KEXPECT_TRUE(t, test_and_clear_bit(BPL + 3, map));
	KEXPECT_FALSE(t, test_and_clear_bit(BPL + 3, map));
	KEXPECT_EQ(t, map[1], 0);
	KEXPECT_FALSE(t, test_and_set_bit(NBITS - 1, map));
	KEXPECT_EQ(t, map[NWORDS - 1], 1UL << (BPL - 1));
}

/*
 * Why the atomic operations exist: harts that each flip their own bits of
 * the same words, with no lock, lose none of them.  Each hart owns every
 * n-th bit; the words are shared by all.
 */
#define SHARED_ROUNDS 2001 /* odd: the last round sets */

static unsigned long shared_map[NWORDS];

static void flip_own_bits(void *arg)
{
	unsigned int me = ktest_hart(), n = *(unsigned int *)arg, round;
	size_t i;

	for (round = 0; round < SHARED_ROUNDS * ktest_scale(); round++)
		for (i = me; i < NBITS; i += n) {
			if (round % 2)
				test_and_clear_bit(i, shared_map);
			else
				test_and_set_bit(i, shared_map);
		}
}

KTEST(bitmap, atomic_bits_of_shared_words_are_never_lost)
{
	unsigned int n = nr_harts_online();

	memset(shared_map, 0, sizeof(shared_map));
	ktest_on_each_hart(flip_own_bits, &n);
	KEXPECT_EQ(t, bitmap_weight(shared_map, NBITS), NBITS);
}

KTEST(bitmap, find_next_bit_finds_each_set_bit_and_stops_at_size)
{
	unsigned long map[3] = { 0 };
	size_t size = 3 * BITS_PER_LONG - 5, at;

	KEXPECT_EQ(t, find_next_bit(map, size, 0), size);
	__set_bit(0, map);
	__set_bit(BITS_PER_LONG - 1, map);
	__set_bit(BITS_PER_LONG + 3, map);
	__set_bit(size + 2, map); /* past size: never found */
	at = find_next_bit(map, size, 0);
	KEXPECT_EQ(t, at, 0);
	at = find_next_bit(map, size, at + 1);
	KEXPECT_EQ(t, at, BITS_PER_LONG - 1);
	at = find_next_bit(map, size, at + 1);
	KEXPECT_EQ(t, at, BITS_PER_LONG + 3);
	KEXPECT_EQ(t, find_next_bit(map, size, at + 1), size);
	KEXPECT_EQ(t, find_next_bit(map, size, size), size);
	KEXPECT_EQ(t, find_next_bit(map, BITS_PER_LONG + 3, 1),
		   BITS_PER_LONG - 1);
}
