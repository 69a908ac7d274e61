/* Latency models of the memory the page walker reads and writes. The same
 * code serves the C model and the RTL's memory port in the harness, so both
 * see identical latencies for identical request sequences.
 *
 * Models (docs/timing.md "Memory latency models"): a fixed latency, an
 * open-page DRAM, or a hierarchy of up to MEMLAT_MAX_LEVELS set-associative
 * LRU caches in front of a fixed-latency DRAM. The cache hierarchy is also fed
 * the workload's own data accesses (memlat_data_access), so PTE lines compete
 * with data lines as on hardware; those accesses cost no walker time.
 *
 * Contract: memlat_init once (it allocates the cache arrays: memlat_destroy
 * frees them; the fixed and dram models allocate nothing), memlat_reset to
 * start again from empty caches and closed rows. */
#ifndef MMULAB_MEMLAT_H
#define MMULAB_MEMLAT_H

#include "config.h"
#include "types.h"

#define MEMLAT_MAX_LEVELS 3
#define MEMLAT_DRAM MEMLAT_MAX_LEVELS   /* index of DRAM in the per-level counters */

typedef struct {
    unsigned sets, ways, line_shift, latency;
    uint64_t *tags;     /* [set * ways + way]: line number + 1; 0 = invalid */
    uint64_t *stamps;   /* [set * ways + way]: last use (larger = more recent) */
} memlat_cache_t;

typedef struct {
    int model;                 /* MEM_FIXED, MEM_DRAM or MEM_CACHE */
    unsigned fixed_latency;
    unsigned banks, row_bytes, row_hit, row_miss;
    uint64_t open_row[64];     /* per bank; UINT64_MAX = no row open */
    uint64_t row_hits, row_misses;
    /* cache model */
    unsigned levels, dram_latency;
    memlat_cache_t cache[MEMLAT_MAX_LEVELS];
    uint64_t use_clock;        /* LRU time: one tick per lookup */
    unsigned last_level;       /* where the last access hit: 0..levels-1, or MEMLAT_DRAM */
    /* [level]: walker accesses (PTE reads, A/D writes) / data accesses served
     * by that level, [MEMLAT_DRAM] by DRAM */
    uint64_t walk_hits[MEMLAT_MAX_LEVELS + 1], data_hits[MEMLAT_MAX_LEVELS + 1];
} memlat_t;

/* Returns 0, or -1 when the cache arrays cannot be allocated (the model is then
 * fixed latency, so a caller that ignores the error still runs deterministically). */
int memlat_init(memlat_t *ml, const mmu_config_t *cfg);
void memlat_destroy(memlat_t *ml);
/* Back to the state after init: rows closed, caches empty, counters 0. */
void memlat_reset(memlat_t *ml);
/* Latency in cycles of one walker access (read or write) to pa, and updates the model's state. */
unsigned memlat_access(memlat_t *ml, paddr_t pa, bool is_write);
/* A data access of the workload to pa: under the cache model, updates the
 * caches and returns its latency (nothing waits for it); the other models do
 * not model data accesses and return 0. */
unsigned memlat_data_access(memlat_t *ml, paddr_t pa, bool is_write);

#endif
