/* The one pseudo-random generator of mmulab: xoshiro256** seeded through splitmix64.
 * Workloads, the random stimulus and future experiments draw from it, so a seed means
 * the same stream everywhere. A value type: no global state. */
#ifndef MMULAB_RNG_H
#define MMULAB_RNG_H

#include <stdint.h>

typedef struct { uint64_t s[4]; } rng_t;

void rng_seed(rng_t *r, uint64_t seed);
uint64_t rng_next(rng_t *r);
/* Uniform in [0, n) (n > 0), unbiased. */
uint64_t rng_below(rng_t *r, uint64_t n);
/* Uniform in [0, 1). */
double rng_double(rng_t *r);

#endif
