/* Per-instance statistics: counters live next to what they count; histograms
 * give exact percentiles up to HIST_MAX cycles (zero-initialise them). */
#ifndef MMULAB_STATS_H
#define MMULAB_STATS_H

#include "types.h"

#define HIST_MAX 4096   /* exact buckets 0..HIST_MAX-1; larger values go to `over` */
#define CACHE_HIT_SLOTS 4   /* up to 3 cache levels + DRAM (memlat.h: MEMLAT_MAX_LEVELS + 1) */

typedef struct {
    uint64_t count, sum, min, max, over;
    uint64_t bucket[HIST_MAX];
} histogram_t;

/* Inline: every translation adds a sample. */
static inline void hist_add(histogram_t *h, uint64_t v)
{
    if (h->count == 0 || v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    h->count++;
    h->sum += v;
    if (v < HIST_MAX)
        h->bucket[v]++;
    else
        h->over++;
}
/* Smallest value v such that at least pct% of samples are <= v (pct in 0..100).
 * Returns max for percentiles that fall in the overflow range. */
uint64_t hist_percentile(const histogram_t *h, double pct);
double hist_mean(const histogram_t *h);

typedef struct {
    uint64_t hits[NUM_PSC];      /* by page-size class of the entry that hit */
    uint64_t misses[NUM_PSC];    /* by page-size class of the translation that was then found */
    uint64_t misses_unresolved;  /* misses whose walk faulted (no size known) */
    uint64_t dropped;            /* hits dropped for a rights recheck or a dirty assist */
    uint64_t fills, evictions;
} tlb_stats_t;

typedef enum { TLB_ITLB = 0, TLB_DTLB = 1, TLB_L2 = 2, NUM_TLBS = 3 } tlb_id_t;

typedef struct {
    uint64_t requests, requests_by_port[MMU_MAX_PORTS];
    tlb_stats_t tlb[NUM_TLBS];
    uint64_t pwc_lookups;
    uint64_t pwc_hits[MAX_LEVELS + 1];   /* [level] of the deepest hit, 2..5 */
    uint64_t pwc_fills;
    uint64_t walks, walk_reads, walk_writes;
    uint64_t dirty_assists, rights_rechecks;   /* TLB hits dropped for that reason (a request may drop at L1 and L2) */
    uint64_t faults_pf, faults_gp;
    uint64_t pf_not_present, pf_reserved, pf_rights;
    uint64_t ctrl_ops, ctrl_gp, pdpte_loads;
    uint64_t ctrl_ud;            /* control operations refused with #UD (WRPKRU while CR4.PKE = 0) */
    uint64_t flushes_tlb_entries, flushes_pwc_entries;   /* entries invalidated */
    /* cache model (mem_model=cache): memory operations served by cache level 1..3
     * ([0]..[2]) or by DRAM ([CACHE_HIT_SLOTS - 1]); walker = PTE reads and A/D
     * writes, data = the workload's accesses fed with mmu_data_access */
    uint64_t walk_cache_hits[CACHE_HIT_SLOTS], data_cache_hits[CACHE_HIT_SLOTS];
    histogram_t walk_latency;         /* completion - L1 miss cycle, for requests that walked */
    histogram_t translation_latency;  /* completion - issue, every request */
} mmu_stats_t;

#endif
