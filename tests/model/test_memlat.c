/* memlat: the fixed model and the open-page DRAM model, on access sequences
 * whose latencies are worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "memlat.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_model),
        cmocka_unit_test(test_dram_defaults),
        cmocka_unit_test(test_dram_small_geometry),
        cmocka_unit_test(test_dram_max_banks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
