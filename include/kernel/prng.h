/*
 * prng.h - a small, fast, seedable pseudo-random generator for tests
 * (xorshift64*, lib/prng.c).  Not for anything that needs real randomness.
 */
#ifndef KERNEL_PRNG_H
#define KERNEL_PRNG_H

#include <kernel/compiler.h>

struct prng {
	uint64_t state;
};

/* Any seed works, including 0. */
void prng_seed(struct prng *r, uint64_t seed);
uint64_t prng_next(struct prng *r);
/* Uniform in [0, bound), bound > 0. */
uint32_t prng_below(struct prng *r, uint32_t bound);

#endif /* KERNEL_PRNG_H */
