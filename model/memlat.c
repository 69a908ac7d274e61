/* Memory latency models of docs/timing.md "Memory latency models": a fixed
 * latency, an open-page DRAM with one open row per bank, or a cache hierarchy
 * (levels looked up in order, each lookup costs its latency; a miss in every
 * level costs the DRAM latency on top; every level that missed is filled,
 * evicting its least recently used way). */
#include "memlat.h"

#include <stdlib.h>
#include <string.h>

#include "stats.h"

_Static_assert(MEMLAT_DRAM + 1 == CACHE_HIT_SLOTS, "stats.h CACHE_HIT_SLOTS: cache levels + DRAM");

#define NO_ROW_OPEN UINT64_MAX
#define MEMLAT_MAX_BANKS (sizeof ((memlat_t *)0)->open_row / sizeof ((memlat_t *)0)->open_row[0])

/* A validated config never needs these clamps; they keep a bad one from
 * dividing by zero or indexing past open_row. */
static unsigned clamp_count(int64_t v, unsigned lo, unsigned hi)
{
    return v < (int64_t)lo ? lo : v > (int64_t)hi ? hi : (unsigned)v;
}

static unsigned log2_of(uint64_t v)
{
    unsigned s = 0;
    while ((1ull << (s + 1)) <= v)
        s++;
    return s;
}

static void free_caches(memlat_t *ml)
{
    for (unsigned i = 0; i < MEMLAT_MAX_LEVELS; i++) {
        free(ml->cache[i].tags);
        free(ml->cache[i].stamps);
        ml->cache[i].tags = ml->cache[i].stamps = NULL;
    }
}

/* Geometry of level i from the configuration. A validated config has a
 * power-of-two set count; otherwise the set count is rounded down to one. */
static int init_cache_level(memlat_cache_t *c, int64_t bytes, int64_t ways, int64_t line, int64_t latency)
{
    c->ways = clamp_count(ways, 1, 32);
    c->line_shift = log2_of((uint64_t)clamp_count(line, 1, 1u << 20));
    uint64_t sets = (uint64_t)clamp_count(bytes, 1, 1u << 30) / ((uint64_t)c->ways << c->line_shift);
    c->sets = sets ? 1u << log2_of(sets) : 1;
    c->latency = clamp_count(latency, 1, UINT32_MAX >> 4);
    size_t n = (size_t)c->sets * c->ways;
    c->tags = calloc(n, sizeof *c->tags);
    c->stamps = calloc(n, sizeof *c->stamps);
    return c->tags && c->stamps ? 0 : -1;
}

int memlat_init(memlat_t *ml, const mmu_config_t *cfg)
{
    memset(ml, 0, sizeof *ml);
    ml->model = cfg->mem_model == MEM_DRAM ? MEM_DRAM : cfg->mem_model == MEM_CACHE ? MEM_CACHE : MEM_FIXED;
    ml->fixed_latency = clamp_count(cfg->mem_latency, 1, UINT32_MAX >> 1);
    ml->banks = clamp_count(cfg->dram_banks, 1, (unsigned)MEMLAT_MAX_BANKS);
    ml->row_bytes = clamp_count(cfg->dram_row_bytes, 1, UINT32_MAX >> 1);
    ml->row_hit = clamp_count(cfg->dram_row_hit, 1, UINT32_MAX >> 1);
    ml->row_miss = clamp_count(cfg->dram_row_miss, 1, UINT32_MAX >> 1);
    int rc = 0;
    if (ml->model == MEM_CACHE) {
        const int64_t geometry[MEMLAT_MAX_LEVELS][4] = {
            { cfg->cache_l1_bytes, cfg->cache_l1_ways, cfg->cache_l1_line, cfg->cache_l1_latency },
            { cfg->cache_l2_bytes, cfg->cache_l2_ways, cfg->cache_l2_line, cfg->cache_l2_latency },
            { cfg->cache_l3_bytes, cfg->cache_l3_ways, cfg->cache_l3_line, cfg->cache_l3_latency },
        };
        ml->levels = clamp_count(cfg->cache_levels, 1, MEMLAT_MAX_LEVELS);
        ml->dram_latency = clamp_count(cfg->cache_dram_latency, 1, UINT32_MAX >> 4);
        for (unsigned i = 0; i < ml->levels && rc == 0; i++)
            rc = init_cache_level(&ml->cache[i], geometry[i][0], geometry[i][1], geometry[i][2],
                                  geometry[i][3]);
        if (rc != 0) {
            free_caches(ml);
            ml->levels = 0;
            ml->model = MEM_FIXED;
        }
    }
    memlat_reset(ml);
    return rc;
}

void memlat_destroy(memlat_t *ml)
{
    free_caches(ml);
    ml->levels = 0;
}

void memlat_reset(memlat_t *ml)
{
    for (size_t b = 0; b < MEMLAT_MAX_BANKS; b++)
        ml->open_row[b] = NO_ROW_OPEN;
    ml->row_hits = 0;
    ml->row_misses = 0;
    for (unsigned i = 0; i < ml->levels; i++) {
        size_t n = (size_t)ml->cache[i].sets * ml->cache[i].ways;
        memset(ml->cache[i].tags, 0, n * sizeof *ml->cache[i].tags);
        memset(ml->cache[i].stamps, 0, n * sizeof *ml->cache[i].stamps);
    }
    ml->use_clock = 0;
    ml->last_level = 0;
    memset(ml->walk_hits, 0, sizeof ml->walk_hits);
    memset(ml->data_hits, 0, sizeof ml->data_hits);
}

/* Looks pa up in one level; on a miss fills it (the least recently used way,
 * the lowest-numbered among equals, i.e. an invalid way first). */
static bool cache_lookup_fill(memlat_cache_t *c, uint64_t clock, paddr_t pa)
{
    uint64_t line = pa >> c->line_shift;
    size_t base = (size_t)(line & (c->sets - 1)) * c->ways;
    uint64_t *tags = c->tags + base, *stamps = c->stamps + base;
    unsigned victim = 0;
    for (unsigned w = 0; w < c->ways; w++) {
        if (tags[w] == line + 1) {
            stamps[w] = clock;
            return true;
        }
        if (stamps[w] < stamps[victim])
            victim = w;
    }
    tags[victim] = line + 1;
    stamps[victim] = clock;
    return false;
}

/* Cache model: returns the latency; sets last_level. Writes allocate like reads. */
static unsigned hierarchy_access(memlat_t *ml, paddr_t pa)
{
    unsigned latency = 0;
    uint64_t clock = ++ml->use_clock;
    for (unsigned i = 0; i < ml->levels; i++) {
        latency += ml->cache[i].latency;
        if (cache_lookup_fill(&ml->cache[i], clock, pa)) {
            ml->last_level = i;
            return latency;
        }
    }
    ml->last_level = MEMLAT_DRAM;
    return latency + ml->dram_latency;
}

unsigned memlat_access(memlat_t *ml, paddr_t pa, bool is_write)
{
    (void)is_write;   /* reads and writes cost the same */
    if (ml->model == MEM_CACHE) {
        unsigned latency = hierarchy_access(ml, pa);
        ml->walk_hits[ml->last_level]++;
        return latency;
    }
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

unsigned memlat_data_access(memlat_t *ml, paddr_t pa, bool is_write)
{
    (void)is_write;
    if (ml->model != MEM_CACHE)
        return 0;
    unsigned latency = hierarchy_access(ml, pa);
    ml->data_hits[ml->last_level]++;
    return latency;
}
