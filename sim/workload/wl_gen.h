/* The address generators of the synthetic workloads whose set-up needs more than the
 * stream's RNG: Zipf ranks over the working set's pages and the pointer-chase cycle.
 * Pure functions of their inputs (the RNG passed in), shared by every workload that
 * uses them (sim/workload/wl_stream.c; docs/workloads.md gives the formulas).
 *
 *   zipf:  page rank k (0-based) is drawn with P(k) = (k+1)^-s / H(n, s), by inverting
 *          the cumulative table; rank k is page (k * WL_ZIPF_SCRAMBLE) mod n, a bijection
 *          (the multiplier, 2^61-1, is prime and larger than any n), so the popular pages
 *          are spread over the working set instead of packed at its start.
 *   chase: the n elements in a random order (a Fisher-Yates shuffle) linked into one
 *          cycle: following next[] from any element visits every element exactly once
 *          per n steps. */
#ifndef MMULAB_WL_GEN_H
#define MMULAB_WL_GEN_H

#include "rng.h"

#include <stdint.h>

#define WL_ZIPF_SCRAMBLE ((1ull << 61) - 1)
#define WL_GEN_MAX_ELEMS (1ull << 24)    /* table-based generators: at most 16 Mi entries */

/* cdf[k] = sum_{j<=k} (j+1)^-s / H(n, s), cdf[n-1] = 1. NULL when out of memory. */
double *wl_zipf_table(uint64_t n, double s);
/* The rank whose cumulative interval holds u in [0, 1). */
uint64_t wl_zipf_rank(const double *cdf, uint64_t n, double u);
static inline uint64_t wl_zipf_page(uint64_t rank, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)rank * WL_ZIPF_SCRAMBLE) % n);
}

/* next[] of a single cycle through 0..n-1 in a random order. NULL when out of memory. */
uint32_t *wl_chase_cycle(uint64_t n, rng_t *r);

#endif
