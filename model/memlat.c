/* Memory latency models of docs/timing.md "Memory latency models": a fixed
 * latency, or an open-page DRAM with one open row per bank. */
#include "memlat.h"

#include <string.h>

#define NO_ROW_OPEN UINT64_MAX
#define MEMLAT_MAX_BANKS (sizeof ((memlat_t *)0)->open_row / sizeof ((memlat_t *)0)->open_row[0])

/* A validated config never needs these clamps; they keep a bad one from
 * dividing by zero or indexing past open_row. */
static unsigned clamp_count(int64_t v, unsigned lo, unsigned hi)
{
    return v < (int64_t)lo ? lo : v > (int64_t)hi ? hi : (unsigned)v;
}

void memlat_init(memlat_t *ml, const mmu_config_t *cfg)
{
    memset(ml, 0, sizeof *ml);
    ml->model = cfg->mem_model == MEM_DRAM ? MEM_DRAM : MEM_FIXED;
    ml->fixed_latency = clamp_count(cfg->mem_latency, 1, UINT32_MAX >> 1);
    ml->banks = clamp_count(cfg->dram_banks, 1, (unsigned)MEMLAT_MAX_BANKS);
    ml->row_bytes = clamp_count(cfg->dram_row_bytes, 1, UINT32_MAX >> 1);
    ml->row_hit = clamp_count(cfg->dram_row_hit, 1, UINT32_MAX >> 1);
    ml->row_miss = clamp_count(cfg->dram_row_miss, 1, UINT32_MAX >> 1);
    memlat_reset(ml);
}

void memlat_reset(memlat_t *ml)
{
    for (size_t b = 0; b < MEMLAT_MAX_BANKS; b++)
        ml->open_row[b] = NO_ROW_OPEN;
    ml->row_hits = 0;
    ml->row_misses = 0;
}

unsigned memlat_access(memlat_t *ml, paddr_t pa, bool is_write)
{
    (void)is_write;   /* reads and writes cost the same */
    if (ml->model != MEM_DRAM)
        return ml->fixed_latency;
    uint64_t bank = (pa / ml->row_bytes) % ml->banks;
    uint64_t row = pa / ((uint64_t)ml->row_bytes * ml->banks);
    if (ml->open_row[bank] == row) {
        ml->row_hits++;
        return ml->row_hit;
    }
    ml->open_row[bank] = row;
    ml->row_misses++;
    return ml->row_miss;
}
