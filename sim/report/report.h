/* Readable and JSON summaries of an MMU's statistics (mmu_stats_t) and of
 * its physical memory's access counters. */
#ifndef MMULAB_REPORT_H
#define MMULAB_REPORT_H

#include "config.h"
#include "physmem.h"
#include "stats.h"

#include <cjson/cJSON.h>
#include <stdio.h>

/* count / min / mean / percentiles / max of a histogram (all 0 when empty). */
typedef struct {
    uint64_t count, min, max, p50, p90, p99;
    double mean;
} report_hist_summary_t;

void report_hist_summary(const histogram_t *h, report_hist_summary_t *out);

/* num / den, or 0 when den is 0. */
double report_rate(uint64_t num, uint64_t den);

/* Lookups of one TLB: hits + misses (all classes) + misses_unresolved. */
uint64_t report_tlb_lookups(const tlb_stats_t *t);

/* One line summarising the configuration (geometry, replacement, PWC, latencies, memory),
 * starting with "config: ". */
void report_config_line(FILE *f, const mmu_config_t *cfg);

/* The readable report. cfg (may be NULL) selects what applies: the ITLB is
 * left out with ports=1, the L2 with l2tlb=0 (unless their counters are not
 * zero). pm may be NULL. */
void report_print(FILE *f, const mmu_stats_t *s, const physmem_stats_t *pm, const mmu_config_t *cfg);

/* A histogram's summary line and its ASCII bar chart (half-octave buckets). */
void report_print_hist(FILE *f, const char *name, const histogram_t *h);

/* The same numbers as report_print as a JSON object (caller frees with cJSON_Delete):
 * { "requests", "requests_by_port": {"d","i"}, "tlb": {"itlb"|"dtlb"|"l2": {"lookups","hits",
 *   "misses","misses_unresolved","hit_rate","dropped","fills","evictions",
 *   "by_class": {"4k"|"2m"|"1g": {"hits","misses","hit_rate"}}}},
 *   "pwc": {"lookups","hits","hit_rate","fills","by_level": {"pd"|"pdpt"|"pml4"|"pml5": {"hits","rate"}}},
 *   "walks": {"count","reads","writes","reads_per_walk","writes_per_walk"},
 *   "dirty_assists","rights_rechecks", "faults": {"pf","gp","pf_not_present","pf_reserved","pf_rights"},
 *   "control": {...}, "walk_latency"|"translation_latency": {"count","min","mean","p50","p90","p99",
 *   "max","over"}, "physmem": {...} }
 * cfg and pm may be NULL (then "config" / "physmem" are left out). */
cJSON *report_json(const mmu_stats_t *s, const physmem_stats_t *pm, const mmu_config_t *cfg);

/* The configuration as a JSON object { key: value } (enum values by name). */
cJSON *report_config_json(const mmu_config_t *cfg);

#endif
