/* memlat: the fixed model, the open-page DRAM model and the cache hierarchy,
 * on access sequences whose latencies are worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "memlat.h"
#include "mmutest.h"

#include <string.h>

typedef struct {
    paddr_t pa;
    bool is_write;
    unsigned latency;     /* expected */
} access_step_t;

static void run_steps(memlat_t *ml, const access_step_t *steps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned got = memlat_access(ml, steps[i].pa, steps[i].is_write);
        if (got != steps[i].latency)
            fail_msg("step %zu (pa 0x%llx): latency %u, expected %u", i,
                     (unsigned long long)steps[i].pa, got, steps[i].latency);
    }
}

static void test_fixed_model(void **state)
{
    (void)state;
    mmu_config_t cfg;
    config_defaults(&cfg);
    cfg.mem_latency = 37;
    memlat_t ml;
    memlat_init(&ml, &cfg);
    const access_step_t steps[] = {
        { 0, false, 37 }, { 0, false, 37 }, { 0x12345678, true, 37 }, { 1ull << 45, false, 37 },
    };
    run_steps(&ml, steps, sizeof steps / sizeof steps[0]);
    assert_int_equal(ml.row_hits, 0);
    assert_int_equal(ml.row_misses, 0);
}

/* Defaults: 8 banks of 2048-byte rows, hit 12, miss 36.
 * bank = (pa / 2048) % 8, row = pa / 16384. */
static void test_dram_defaults(void **state)
{
    (void)state;
    mmu_config_t cfg;
    config_defaults(&cfg);
    cfg.mem_model = MEM_DRAM;
    memlat_t ml;
    memlat_init(&ml, &cfg);
    const access_step_t steps[] = {
        { 0x0000, false, 36 },   /* bank 0 row 0: nothing open at reset */
        { 0x0040, false, 12 },   /* bank 0 row 0 open */
        { 0x07F8, true,  12 },   /* last bytes of the same row; writes cost the same */
        { 0x0800, false, 36 },   /* bank 1 row 0 */
        { 0x0008, false, 12 },   /* bank 0 still holds row 0 */
        { 0x4000, false, 36 },   /* bank 0 row 1: replaces row 0 */
        { 0x0000, false, 36 },   /* bank 0 row 0 again: miss */
        { 0x0810, false, 12 },   /* bank 1 row 0 untouched by bank 0 */
        { 0x3800, false, 36 },   /* bank 7 row 0 */
        { 0x7800, false, 36 },   /* bank 7 row 1 */
        { 0x7FF8, false, 12 },   /* bank 7 row 1 */
    };
    run_steps(&ml, steps, sizeof steps / sizeof steps[0]);
    assert_int_equal(ml.row_hits, 5);
    assert_int_equal(ml.row_misses, 6);

    memlat_reset(&ml);
    assert_int_equal(ml.row_hits, 0);
    assert_int_equal(ml.row_misses, 0);
    assert_int_equal(memlat_access(&ml, 0x0040, false), 36);   /* rows closed again */
    assert_int_equal(memlat_access(&ml, 0x0040, false), 12);
}

/* 2 banks of 256-byte rows, hit 3, miss 50: bank = (pa / 256) % 2, row = pa / 512. */
static void test_dram_small_geometry(void **state)
{
    (void)state;
    mmu_config_t cfg;
    config_defaults(&cfg);
    cfg.mem_model = MEM_DRAM;
    cfg.dram_banks = 2;
    cfg.dram_row_bytes = 256;
    cfg.dram_row_hit = 3;
    cfg.dram_row_miss = 50;
    cfg.mem_latency = 999;         /* unused by the dram model */
    memlat_t ml;
    memlat_init(&ml, &cfg);
    const access_step_t steps[] = {
        { 0x000, false, 50 },   /* bank 0 row 0 */
        { 0x100, false, 50 },   /* bank 1 row 0 */
        { 0x0F8, false, 3 },    /* bank 0 row 0 */
        { 0x1F8, false, 3 },    /* bank 1 row 0 */
        { 0x200, false, 50 },   /* bank 0 row 1 */
        { 0x300, false, 50 },   /* bank 1 row 1 */
        { 0x2FF, false, 3 },    /* bank 1 row 1 */
        { 0x000, true,  50 },   /* bank 0 row 0 */
        { 0x300, false, 3 },    /* bank 1 row 1 */
        /* a high address: bank (2^40 / 256) % 2 = 0, row 2^40 / 512 = 2^31 */
        { 1ull << 40, false, 50 },
        { (1ull << 40) + 8, false, 3 },
        { 0x000, false, 50 },
    };
    run_steps(&ml, steps, sizeof steps / sizeof steps[0]);
    assert_int_equal(ml.row_hits, 5);
    assert_int_equal(ml.row_misses, 7);
}

/* All 64 banks are independent. */
static void test_dram_max_banks(void **state)
{
    (void)state;
    mmu_config_t cfg;
    config_defaults(&cfg);
    cfg.mem_model = MEM_DRAM;
    cfg.dram_banks = 64;
    cfg.dram_row_bytes = 4096;
    memlat_t ml;
    memlat_init(&ml, &cfg);
    for (unsigned bank = 0; bank < 64; bank++)
        assert_int_equal(memlat_access(&ml, bank * 4096ull, false), 36);
    for (unsigned bank = 0; bank < 64; bank++)
        assert_int_equal(memlat_access(&ml, bank * 4096ull + 0x10, false), 12);
    assert_int_equal(memlat_access(&ml, 64 * 4096ull, false), 36);   /* bank 0 row 1 */
    assert_int_equal(ml.row_hits, 64);
    assert_int_equal(ml.row_misses, 65);
}

/* Two levels: L1 256 B, 2 ways, 64-byte lines -> 2 sets, set = line & 1, lookup 3;
 * L2 1 KiB, 4 ways -> 4 sets, set = line & 3, lookup 10; DRAM 50.
 * Hit in L1: 3; in L2: 3 + 10 = 13; DRAM: 3 + 10 + 50 = 63. */
static void test_cache_two_levels(void **state)
{
    (void)state;
    mmu_config_t cfg;
    config_defaults(&cfg);
    cfg.mem_model = MEM_CACHE;
    cfg.cache_levels = 2;
    cfg.cache_l1_bytes = 256;
    cfg.cache_l1_ways = 2;
    cfg.cache_l1_line = 64;
    cfg.cache_l1_latency = 3;
    cfg.cache_l2_bytes = 1024;
    cfg.cache_l2_ways = 4;
    cfg.cache_l2_line = 64;
    cfg.cache_l2_latency = 10;
    cfg.cache_dram_latency = 50;
    cfg.cache_l3_latency = 999;    /* level 3 is not in use */
    char err[CONFIG_ERR_LEN];
    assert_int_equal(config_validate(&cfg, err), 0);
    memlat_t ml;
    assert_int_equal(memlat_init(&ml, &cfg), 0);
    const access_step_t steps[] = {
        { 0x000, false, 63 },   /* line 0: misses both, fills L1 set 0 and L2 set 0 */
        { 0x008, false, 3 },    /* line 0 again: L1 */
        { 0x080, false, 63 },   /* line 2: L1 set 0 (second way), L2 set 2 */
        { 0x100, false, 63 },   /* line 4: L1 set 0 full: evicts line 0 (least recently used) */
        { 0x000, false, 13 },   /* line 0: L2 hit; its L1 fill evicts line 2 (older than line 4) */
        { 0x080, false, 13 },   /* line 2: L2 hit */
        { 0x040, false, 63 },   /* line 1: L1 set 1, L2 set 1 */
        { 0x0c0, true,  63 },   /* line 3, a write: allocates like a read */
        { 0x044, false, 3 },    /* line 1: L1 */
    };
    run_steps(&ml, steps, sizeof steps / sizeof steps[0]);
    assert_int_equal(ml.walk_hits[0], 2);
    assert_int_equal(ml.walk_hits[1], 2);
    assert_int_equal(ml.walk_hits[2], 0);   /* no level 3 */
    assert_int_equal(ml.walk_hits[MEMLAT_DRAM], 5);
    memlat_reset(&ml);
    assert_int_equal(ml.walk_hits[0], 0);
    assert_int_equal(memlat_access(&ml, 0x044, false), 63);   /* empty again */
    memlat_destroy(&ml);
}

/* One level of one set (128 B, 2 ways, 64-byte lines), lookup 2, DRAM 40: data
 * accesses compete with walker lines for the same ways. */
static void test_cache_data_competes(void **state)
{
    (void)state;
    mmu_config_t cfg;
    config_defaults(&cfg);
    cfg.mem_model = MEM_CACHE;
    cfg.cache_levels = 1;
    cfg.cache_l1_bytes = 128;
    cfg.cache_l1_ways = 2;
    cfg.cache_l1_line = 64;
    cfg.cache_l1_latency = 2;
    cfg.cache_dram_latency = 40;
    memlat_t ml;
    assert_int_equal(memlat_init(&ml, &cfg), 0);
    assert_int_equal(memlat_access(&ml, 0x1000, false), 42);
    assert_int_equal(memlat_access(&ml, 0x1008, false), 2);
    assert_int_equal(memlat_data_access(&ml, 0x2000, false), 42);   /* the other way */
    assert_int_equal(memlat_data_access(&ml, 0x2010, true), 2);
    assert_int_equal(memlat_data_access(&ml, 0x3000, false), 42);   /* evicts the PTE line 0x1000 */
    assert_int_equal(memlat_access(&ml, 0x1000, false), 42);        /* ... so the walker misses */
    assert_int_equal(ml.walk_hits[0], 1);
    assert_int_equal(ml.walk_hits[MEMLAT_DRAM], 2);
    assert_int_equal(ml.data_hits[0], 1);
    assert_int_equal(ml.data_hits[MEMLAT_DRAM], 2);
    memlat_destroy(&ml);

    /* the other models do not model data accesses: no latency, no state */
    config_defaults(&cfg);
    cfg.mem_model = MEM_DRAM;
    assert_int_equal(memlat_init(&ml, &cfg), 0);
    assert_int_equal(memlat_access(&ml, 0x0000, false), 36);
    assert_int_equal(memlat_data_access(&ml, 0x4000, false), 0);   /* bank 0, another row */
    assert_int_equal(memlat_access(&ml, 0x0008, false), 12);        /* row 0 still open */
    memlat_destroy(&ml);
}

/* The defaults (48 KiB 12-way, 512 KiB 8-way, 2 MiB 16-way, 64-byte lines) have 64, 1024
 * and 2048 sets, lookups 5, 10, 20, DRAM 100: a cold access costs 135, then 5. */
static void test_cache_defaults_and_validation(void **state)
{
    (void)state;
    mmu_config_t cfg;
    config_defaults(&cfg);
    char err[CONFIG_ERR_LEN];
    assert_int_equal(config_set(&cfg, "mem_model", "cache", err), 0);
    assert_int_equal(config_validate(&cfg, err), 0);
    memlat_t ml;
    assert_int_equal(memlat_init(&ml, &cfg), 0);
    assert_int_equal(ml.cache[0].sets, 64);
    assert_int_equal(ml.cache[1].sets, 1024);
    assert_int_equal(ml.cache[2].sets, 2048);
    assert_int_equal(memlat_access(&ml, 0x123440, false), 135);
    assert_int_equal(memlat_access(&ml, 0x123478, false), 5);
    memlat_destroy(&ml);

    cfg.cache_l1_ways = 8;          /* 49152 / (8 x 64) = 96 sets */
    assert_int_equal(config_validate(&cfg, err), -1);
    assert_non_null(strstr(err, "cache_l1_bytes: 49152 bytes / (8 ways x 64-byte lines) is not a power-of-two number of sets"));
    cfg.cache_levels = 1;
    cfg.cache_l1_ways = 12;
    cfg.cache_l2_bytes = 100;       /* level 2 not in use: not checked */
    assert_int_equal(config_validate(&cfg, err), 0);
    cfg.mem_model = MEM_FIXED;
    cfg.cache_l1_bytes = 1000;      /* the cache model not in use: not checked */
    assert_int_equal(config_validate(&cfg, err), 0);
}

/* The model: the walker's reads go through the hierarchy, the stats count where they
 * were served, and data fed with mmu_data_access evicts PTE lines. The caches of
 * tests/scripts/cache_hierarchy.mmu (every line below falls in set 0 of both levels):
 * L1 2 ways lookup 3, L2 4 ways lookup 10, DRAM 50. Timing: docs/timing.md step 7. */
static void test_cache_model_walks(void **state)
{
    (void)state;
    mt_t *t = mt_newv("mem_model=cache", "cache_levels=2", "cache_l1_bytes=256", "cache_l1_ways=2",
                      "cache_l1_latency=3", "cache_l2_bytes=1024", "cache_l2_ways=4",
                      "cache_l2_latency=10", "cache_dram_latency=50", NULL);
    mt_tables(t, PAGING_4LEVEL);
    for (unsigned i = 0; i < 3; i++)
        mt_map(t, 0x400000 + 0x1000ull * i, 0x200000 + 0x1000ull * i, 12, PTE_P | PTE_RW | PTE_A | PTE_D);
    mt_enter(t, PAGING_4LEVEL, 0, 0, 0);
    const mmu_stats_t *st = mmu_stats(t->mmu);

    mmu_result_t r = mt_rd(t, 0x400000);                 /* cold: 4 reads from DRAM */
    assert_int_equal(r.mem_reads, 4);
    assert_int_equal(st->walk_cache_hits[CACHE_HIT_SLOTS - 1], 4);
    r = mt_rd(t, 0x401000);                              /* PDE-cache hit, the PT line is in L1 */
    assert_int_equal(r.complete_cycle - r.issue_cycle, 1 + 4 + 1 + 1 + 3 + 1);
    assert_int_equal(st->walk_cache_hits[0], 1);

    /* two data lines in set 0: they take both L1 ways, and in L2 the two least recently
     * used lines (PML4E's and PDPTE's); the PT line stays in L2 */
    mmu_data_access(t->mmu, 0x200000, false);
    mmu_data_access(t->mmu, 0x201000, true);
    assert_int_equal(st->data_cache_hits[CACHE_HIT_SLOTS - 1], 2);
    r = mt_rd(t, 0x402000);                              /* the PTE is now an L2 hit: 13 */
    assert_int_equal(r.mem_reads, 1);
    assert_int_equal(r.complete_cycle - r.issue_cycle, 1 + 4 + 1 + 1 + 13 + 1);
    assert_int_equal(st->walk_cache_hits[1], 1);
    assert_int_equal(st->walk_cache_hits[0] + st->walk_cache_hits[1] + st->walk_cache_hits[CACHE_HIT_SLOTS - 1],
                     st->walk_reads + st->walk_writes);
    mt_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_model),
        cmocka_unit_test(test_dram_defaults),
        cmocka_unit_test(test_dram_small_geometry),
        cmocka_unit_test(test_dram_max_banks),
        cmocka_unit_test(test_cache_two_levels),
        cmocka_unit_test(test_cache_data_competes),
        cmocka_unit_test(test_cache_defaults_and_validation),
        cmocka_unit_test(test_cache_model_walks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
