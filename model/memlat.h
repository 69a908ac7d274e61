/* Latency models of the memory the page walker reads and writes. The same
 * code serves the C model and the RTL's memory port in the harness, so both
 * see identical latencies for identical request sequences. */
#ifndef MMULAB_MEMLAT_H
#define MMULAB_MEMLAT_H

#include "config.h"
#include "types.h"

typedef struct {
    int model;                 /* MEM_FIXED or MEM_DRAM */
    unsigned fixed_latency;
    unsigned banks, row_bytes, row_hit, row_miss;
    uint64_t open_row[64];     /* per bank; UINT64_MAX = no row open */
    uint64_t row_hits, row_misses;
} memlat_t;

void memlat_init(memlat_t *ml, const mmu_config_t *cfg);
void memlat_reset(memlat_t *ml);
/* Latency in cycles of one access (read or write) to pa, and updates the model's state. */
unsigned memlat_access(memlat_t *ml, paddr_t pa, bool is_write);

#endif
