/* Zipf tables and the pointer-chase cycle (wl_gen.h). */
#include "wl_gen.h"

#include <math.h>
#include <stdlib.h>

double *wl_zipf_table(uint64_t n, double s)
{
    double *cdf = malloc((n ? n : 1) * sizeof *cdf);
    if (!cdf)
        return NULL;
    double sum = 0;
    for (uint64_t k = 0; k < n; k++)
        cdf[k] = sum += pow((double)(k + 1), -s);
    for (uint64_t k = 0; k < n; k++)
        cdf[k] /= sum;
    if (n)
        cdf[n - 1] = 1.0;   /* no rounding gap at the top */
    return cdf;
}

uint64_t wl_zipf_rank(const double *cdf, uint64_t n, double u)
{
    uint64_t lo = 0, hi = n - 1;   /* the first k with u < cdf[k] */
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (u < cdf[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

uint32_t *wl_chase_cycle(uint64_t n, rng_t *r)
{
    uint32_t *perm = malloc((n ? n : 1) * sizeof *perm), *next = malloc((n ? n : 1) * sizeof *next);
    if (!perm || !next) {
        free(perm);
        free(next);
        return NULL;
    }
    for (uint64_t i = 0; i < n; i++)
        perm[i] = (uint32_t)i;
    for (uint64_t i = n; i-- > 1;) {   /* Fisher-Yates: a uniformly random order */
        uint64_t j = rng_below(r, i + 1);
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (uint64_t i = 0; i < n; i++)   /* the cycle visits perm[0], perm[1], ... */
        next[perm[i]] = perm[(i + 1) % n];
    free(perm);
    return next;
}
