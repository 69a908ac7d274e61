/* One MMU instance and its memory (sim/core/machine.h), and the per-instance backend
 * options and results of sim/core/backend.h, in a binary without the RTL. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "config.h"
#include "machine.h"

static void test_lifecycle(void **state)
{
    (void)state;
    mmu_config_t cfg;
    config_defaults(&cfg);
    char err[CONFIG_ERR_LEN] = "";
    machine_t m;
    assert_int_equal(machine_init(&m, (unsigned)cfg.maxphyaddr, 0x100000, 0x200000, err), 0);
    assert_non_null(m.mem);
    assert_null(m.be);
    /* the frame range is the one asked for */
    assert_int_equal(physmem_alloc_frame(m.mem), 0x100000);
    assert_int_equal(machine_start(&m, BACKEND_MODEL, &cfg, NULL, err), 0);
    assert_non_null(m.be);
    assert_int_equal(m.be->kind, BACKEND_MODEL);
    assert_int_equal(backend_mismatch_cycle(m.be), -1);   /* not a cosim backend */
    machine_release(&m);
    assert_null(m.mem);
    assert_null(m.be);
    machine_release(&m);                                   /* twice is harmless */
}

static void test_errors(void **state)
{
    (void)state;
    mmu_config_t cfg;
    config_defaults(&cfg);
    char err[CONFIG_ERR_LEN] = "";
    machine_t m;
    assert_int_equal(machine_init(&m, (unsigned)cfg.maxphyaddr, 0x100000, 0x200000, err), 0);
    /* this test binary has no RTL: the rtl and cosim backends are absent, and say how to get them */
    assert_false(backend_available(BACKEND_RTL));
    assert_false(backend_available(BACKEND_COSIM));
    assert_true(backend_available(BACKEND_MODEL));
    assert_false(backend_can_trace());
    assert_int_equal(machine_start(&m, BACKEND_COSIM, &cfg, NULL, err), -1);
    assert_non_null(strstr(err, "not built into this binary"));
    /* the model writes no waveform: asking for one is an error, not silently ignored */
    backend_opts_t opts = { .trace_path = "x.fst" };
    assert_int_equal(machine_start(&m, BACKEND_MODEL, &cfg, &opts, err), -1);
    assert_non_null(strstr(err, "waveform"));
    assert_null(m.be);
    machine_release(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
