/* Latency histograms with exact buckets below HIST_MAX (hist_add is inline
 * in stats.h: it runs on every translation). */
#include "stats.h"

#include <math.h>

uint64_t hist_percentile(const histogram_t *h, double pct)
{
    if (h->count == 0)
        return 0;
    if (!(pct > 0.0))                 /* 0, negative or NaN */
        return h->min;
    if (pct >= 100.0)
        return h->max;
    /* rank = ceil(pct% of count), minus a relative epsilon so that e.g.
     * 99.9% of 1000 (999.0000000000001 in binary) is 999, not 1000. */
    double exact = pct / 100.0 * (double)h->count;
    double rank_f = ceil(exact - exact * 1e-12);
    uint64_t rank = rank_f < 1.0 ? 1 : (uint64_t)rank_f;
    if (rank > h->count)
        rank = h->count;
    uint64_t seen = 0;
    for (uint64_t v = h->min; v < HIST_MAX; v++) {
        seen += h->bucket[v];
        if (seen >= rank)
            return v;
    }
    return h->max;                    /* the rank falls among the overflow samples */
}

double hist_mean(const histogram_t *h)
{
    return h->count ? (double)h->sum / (double)h->count : 0.0;
}
