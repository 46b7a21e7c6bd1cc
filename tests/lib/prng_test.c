/*
 * prng_test.c - tests for lib/prng.c (suite "prng").
 *
 * Stress tests rely on a seed reproducing a run exactly, and on
 * prng_below() neither leaving its range nor favouring some values.  The
 * statistical case uses a fixed seed, so it cannot fail by bad luck: with
 * the generator unchanged it passes or fails the same way every time.
 */
#include <kernel/ktest.h>
#include <kernel/prng.h>

KTEST(prng, same_seed_same_sequence)
{
	struct prng a, b;
	int i, diff = 0;

	prng_seed(&a, 12345);
	prng_seed(&b, 12345);
	for (i = 0; i < 1000; i++)
		if (prng_next(&a) != prng_next(&b))
			diff++;
	KEXPECT_EQ(t, diff, 0);

	/* Reseeding restarts the sequence. */
	prng_seed(&a, 7);
	prng_seed(&b, 7);
	prng_next(&a);
	prng_seed(&a, 7);
	KEXPECT_EQ(t, prng_next(&a), prng_next(&b));
}

/*
 * A failing stress run is reproduced from its seed, so the sequence for a
 * seed must not change by accident.  These values come from a separate
 * model of the algorithm (SplitMix64 finaliser on the seed, then
 * xorshift64* with shifts 12, 25, 27), not from this implementation.
 */
KTEST(prng, matches_reference_sequence)
{
	static const uint64_t seed0[] = {
		0x0d83b3e29a21487aULL,
		0x54c44c79f1fe9d67ULL,
		0xa845f342007a0e78ULL,
	};
	static const uint64_t seed1[] = {
		0x35179db9677bdd16ULL,
		0xdea5f7f93d89ed5aULL,
		0xefacf7aff49d840fULL,
	};
	struct prng r;
	size_t i;

	prng_seed(&r, 0);
	for (i = 0; i < ARRAY_SIZE(seed0); i++)
		KEXPECT_EQ(t, prng_next(&r), seed0[i]);
	prng_seed(&r, 1);
	for (i = 0; i < ARRAY_SIZE(seed1); i++)
		KEXPECT_EQ(t, prng_next(&r), seed1[i]);
}

KTEST(prng, neighbouring_seeds_differ)
{
	struct prng r;
	uint64_t first[8];
	int i, j, same = 0;

	for (i = 0; i < 8; i++) {
		prng_seed(&r, (uint64_t)i);
		first[i] = prng_next(&r);
	}
	for (i = 0; i < 8; i++)
		for (j = i + 1; j < 8; j++)
			if (first[i] == first[j])
				same++;
	KEXPECT_EQ(t, same, 0);
}

KTEST(prng, zero_seed_is_not_stuck)
{
	struct prng r;
	uint64_t prev, cur;
	int i, zeros = 0, repeats = 0;

	prng_seed(&r, 0);
	KEXPECT_NE(t, r.state, 0);
	prev = prng_next(&r);
	for (i = 0; i < 100; i++) {
		cur = prng_next(&r);
		if (cur == 0)
			zeros++;
		if (cur == prev)
			repeats++;
		prev = cur;
	}
	KEXPECT_EQ(t, zeros, 0);
	KEXPECT_EQ(t, repeats, 0);
}

KTEST(prng, outputs_use_all_bits)
{
	struct prng r;
	uint64_t ored = 0, anded = ~0ULL;
	int i;

	prng_seed(&r, 99);
	for (i = 0; i < 200; i++) {
		uint64_t v = prng_next(&r);

		ored |= v;
		anded &= v;
	}
	/* Every bit position is seen both set and clear. */
	KEXPECT_EQ(t, ored, ~0ULL);
	KEXPECT_EQ(t, anded, 0);
}

KTEST(prng, below_stays_in_bounds)
{
	static const uint32_t bounds[] = {
		1, 2, 3, 7, 10, 1000, 0x80000000u, 0x80000001u, 0xffffffffu,
	};
	struct prng r;
	size_t b;
	int i, out = 0, ones = 0;

	prng_seed(&r, 2024);
	for (b = 0; b < ARRAY_SIZE(bounds); b++)
		for (i = 0; i < 2000; i++)
			if (prng_below(&r, bounds[b]) >= bounds[b])
				out++;
	KEXPECT_EQ(t, out, 0);

	for (i = 0; i < 100; i++)
		if (prng_below(&r, 1) != 0)
			ones++;
	KEXPECT_EQ(t, ones, 0);
}

KTEST(prng, below_reaches_both_ends)
{
	struct prng r;
	bool seen[5] = { false };
	int i, missing = 0;

	prng_seed(&r, 5);
	for (i = 0; i < 200; i++)
		seen[prng_below(&r, 5)] = true;
	for (i = 0; i < 5; i++)
		if (!seen[i])
			missing++;
	KEXPECT_EQ(t, missing, 0);
}

/*
 * Pearson's chi-squared statistic over 16 buckets (15 degrees of
 * freedom): a uniform source exceeds 37.7 with probability 0.1%.
 * Scaled by 1000 to stay in integers.
 */
KTEST(prng, below_is_roughly_uniform)
{
	enum { BUCKETS = 16, PER_BUCKET = 1000 };
	unsigned int count[BUCKETS] = { 0 };
	struct prng r;
	uint64_t chi2_x1000 = 0;
	int i;

	prng_seed(&r, 31337);
	for (i = 0; i < BUCKETS * PER_BUCKET; i++)
		count[prng_below(&r, 3 * BUCKETS) / 3]++;
	for (i = 0; i < BUCKETS; i++) {
		int64_t d = (int64_t)count[i] - PER_BUCKET;

		chi2_x1000 += (uint64_t)(d * d) * 1000 / PER_BUCKET;
		KEXPECT_GT(t, count[i], PER_BUCKET * 3 / 4);
		KEXPECT_LT(t, count[i], PER_BUCKET * 5 / 4);
	}
	ktest_log(t, "chi-squared = %u.%03u (15 dof)",
		  (unsigned int)(chi2_x1000 / 1000),
		  (unsigned int)(chi2_x1000 % 1000));
	KEXPECT_LT(t, chi2_x1000, 37700);
}

/*
 * With bound 3 * 2^30, multiply-shift alone maps each 4 consecutive
 * 32-bit inputs to x, x, x + 1, x + 2, so multiples of 3 would come out
 * half of the time instead of a third.  Only the rejection step in
 * prng_below() evens that out, and here it rejects a quarter of the
 * draws, so this case exercises it.
 */
KTEST(prng, below_rejects_biased_draws)
{
	enum { SAMPLES = 3000 };
	unsigned int residue[3] = { 0 };
	struct prng r;
	int i;

	prng_seed(&r, 77);
	for (i = 0; i < SAMPLES; i++)
		residue[prng_below(&r, 0xc0000000u) % 3]++;
	for (i = 0; i < 3; i++) {
		KEXPECT_GT(t, residue[i], SAMPLES / 3 - 150);
		KEXPECT_LT(t, residue[i], SAMPLES / 3 + 150);
	}
}

KTEST(prng, every_output_bit_is_balanced)
{
	enum { SAMPLES = 4096 };
	struct prng r;
	int bit, i, low = SAMPLES, high = 0;

	/* Each output bit should be set about half the time. */
	for (bit = 0; bit < 64; bit++) {
		int ones = 0;

		prng_seed(&r, (uint64_t)bit + 1);
		for (i = 0; i < SAMPLES; i++)
			ones += (int)((prng_next(&r) >> bit) & 1);
		low = MIN(low, ones);
		high = MAX(high, ones);
	}
	KEXPECT_GT(t, low, SAMPLES * 45 / 100);
	KEXPECT_LT(t, high, SAMPLES * 55 / 100);
}
