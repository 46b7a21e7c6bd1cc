/*
 * prng.c - xorshift64*, a seedable pseudo-random generator for tests.
 *
 * The state is a nonzero 64-bit word stepped by three xor-shifts (a full
 * period of 2^64 - 1 over the nonzero states); the output is the state
 * times an odd constant, whose high bits are well mixed even where the
 * plain xorshift state is not.  See Vigna, "An experimental exploration
 * of Marsaglia's xorshift generators, scrambled" (2016).
 */
#include <kernel/prng.h>

#define XORSHIFT_MULT 0x2545f4914f6cdd1dULL

/* Used instead of the one state xorshift can never leave. */
#define PRNG_ZERO_STATE 0x9e3779b97f4a7c15ULL

/*
 * Tests seed with small neighbouring numbers (a case index, a hart id).
 * Fed to xorshift as they are, such sparse states give correlated first
 * outputs, so the seed goes through the bijective SplitMix64 finaliser
 * first: distinct seeds still give distinct streams.
 */
static uint64_t mix_seed(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void prng_seed(struct prng *r, uint64_t seed)
{
	uint64_t state = mix_seed(seed);

	r->state = state ? state : PRNG_ZERO_STATE;
}

uint64_t prng_next(struct prng *r)
{
	uint64_t x = r->state;

	/* A zeroed struct prng that was never seeded must not stick at 0. */
	if (unlikely(x == 0))
		x = PRNG_ZERO_STATE;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->state = x;
	return x * XORSHIFT_MULT;
}

/*
 * Lemire's multiply-shift: the high half of a 32x32-bit product maps
 * [0, 2^32) onto [0, bound) with each value hit floor or ceil of
 * 2^32 / bound times.  Rejecting the products whose low half falls below
 * 2^32 mod bound evens that out.  The usual path is one multiply; the
 * division that computes the threshold runs only when the low half is
 * already below bound, which is rare for small bounds.
 */
uint32_t prng_below(struct prng *r, uint32_t bound)
{
	uint64_t m = (prng_next(r) >> 32) * (uint64_t)bound;

	if ((uint32_t)m < bound) {
		uint32_t threshold = -bound % bound;

		while ((uint32_t)m < threshold)
			m = (prng_next(r) >> 32) * (uint64_t)bound;
	}
	return (uint32_t)(m >> 32);
}
