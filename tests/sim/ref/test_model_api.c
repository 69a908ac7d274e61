/* libmmulab's model API (mmulab_model_*) and the checker against it: mmulab's own model, with
 * its TLBs and paging-structure caches, is a design the checker must never flag (every stale
 * translation it keeps is one the SDM permits, 4.10.4.3), and a result the tables never gave
 * must be flagged. Expectations come from the mappings the test makes and the SDM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mmulab.h"

#define FLAGS 0x67ull        /* P RW US A D */
#define TFLAGS 0x27ull
#define VA0 0x0000004000000000ull
#define NPAGES 16
#define FRAME(i, alt) (0x40000000ull + (alt) * 0x10000000ull + (uint64_t)(i) * 0x1000)

static void test_settings(void **state)
{
    (void)state;
    char err[256];
    assert_null(mmulab_model_create("dtlb_4k_sets=3", err, sizeof err));
    assert_non_null(strstr(err, "dtlb_4k_sets"));
    assert_null(mmulab_model_create("no_such_key=1", err, sizeof err));
    assert_non_null(strstr(err, "no_such_key"));
    mmulab_model_t *m = mmulab_model_create("dtlb_4k_sets=8, tlb_repl=random", err, sizeof err);
    assert_non_null(m);
    mmulab_model_destroy(m);
}

/* the model and the checker side by side on one random sequence */
static void test_model_is_permitted(void **state)
{
    (void)state;
    char err[256], why[512];
    mmulab_model_t *m = mmulab_model_create("dtlb_4k_sets=4, dtlb_4k_ways=2, l2tlb=0", err, sizeof err);
    mmulab_ref_t *r = mmulab_ref_create(46);
    assert_non_null(m);
    assert_non_null(r);
    mmulab_pt_t *mpt = mmulab_model_pt_create(m, MMULAB_MODE_4LEVEL, 0x1000000, 0x2000000);
    mmulab_pt_t *rpt = mmulab_pt_create(r, MMULAB_MODE_4LEVEL, 0x1000000, 0x2000000);
    assert_non_null(mpt);
    assert_non_null(rpt);
    for (int i = 0; i < NPAGES; i++) {
        uint64_t g = i == 0 ? 0x100 : 0;
        assert_int_equal(mmulab_pt_map(mpt, VA0 + i * 0x1000ull, FRAME(i, 0), 12, FLAGS | g, TFLAGS), MMULAB_OK);
        assert_int_equal(mmulab_pt_map(rpt, VA0 + i * 0x1000ull, FRAME(i, 0), 12, FLAGS | g, TFLAGS), MMULAB_OK);
    }
    assert_int_equal(mmulab_pt_cr3(mpt), mmulab_pt_cr3(rpt));
    const struct { int reg; uint64_t v; } boot[] = {
        {MMULAB_CR4, 0xa0}, {MMULAB_EFER, 0x100}, {MMULAB_CR3, mmulab_pt_cr3(rpt)}, {MMULAB_CR0, 0x80000001}};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(mmulab_model_write_reg(m, boot[i].reg, boot[i].v), MMULAB_OK);
        assert_int_equal(mmulab_ref_write_reg(r, boot[i].reg, boot[i].v), MMULAB_OK);
    }
    uint64_t x = 12345, stale_before = 0;
    unsigned hits_old = 0;
    for (int op = 0; op < 4000; op++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        unsigned i = (unsigned)(x >> 40) % NPAGES, what = (unsigned)(x >> 20) % 100;
        uint64_t va = VA0 + i * 0x1000ull + ((x >> 8) & 0xff8);
        if (what < 80) {
            mmulab_access_t a = {va, (int)((x >> 30) & 1), (x >> 31) & 1 ? 3 : 0, 0, 0};
            mmulab_result_t res;
            uint64_t done;
            assert_int_equal(mmulab_model_translate(m, &a, &res, &done), MMULAB_OK);
            int rc = mmulab_ref_check(r, &a, &res, why, sizeof why);
            if (rc != MMULAB_OK)
                fail_msg("op %d: the model was flagged: %s", op, why);
            /* the model's A/D updates reach the checker like a design's walker writes */
            uint64_t ea = mmulab_pt_entry_addr(rpt, va, 1), mv, rv;
            assert_int_equal(mmulab_model_mem_read(m, ea, 8, &mv), MMULAB_OK);
            assert_int_equal(mmulab_ref_mem_read(r, ea, 8, &rv), MMULAB_OK);
            if (mv != rv)
                assert_int_equal(mmulab_ref_ad_write(r, ea, mv, 8, why, sizeof why), MMULAB_OK);
        } else if (what < 92) {
            /* remap the leaf to the other frame set, no invalidation */
            uint64_t ea = mmulab_pt_entry_addr(rpt, va, 1), v;
            assert_int_equal(mmulab_ref_mem_read(r, ea, 8, &v), MMULAB_OK);
            v ^= FRAME(0, 0) ^ FRAME(0, 1);
            assert_int_equal(mmulab_model_mem_write(m, ea, v, 8), MMULAB_OK);
            assert_int_equal(mmulab_ref_mem_write(r, ea, v, 8), MMULAB_OK);
        } else if (what < 97) {
            assert_int_equal(mmulab_model_invlpg(m, va), MMULAB_OK);
            assert_int_equal(mmulab_ref_invlpg(r, va), MMULAB_OK);
        } else {
            assert_int_equal(mmulab_model_write_reg(m, MMULAB_CR3, mmulab_pt_cr3(rpt)), MMULAB_OK);
            assert_int_equal(mmulab_ref_write_reg(r, MMULAB_CR3, mmulab_pt_cr3(rpt)), MMULAB_OK);
        }
        mmulab_ref_stats_t st;
        mmulab_ref_get_stats(r, &st);
        hits_old += st.stale_permitted > stale_before;
        stale_before = st.stale_permitted;
    }
    /* the run exercised stale translations (else it proves nothing) */
    assert_true(hits_old > 10);
    /* and a result the tables never gave is still caught */
    mmulab_access_t a = {VA0, MMULAB_READ, 0, 0, 0};
    mmulab_result_t wrong = {MMULAB_FAULT_NONE, 0, 0x7000000, 12};
    assert_int_equal(mmulab_ref_check(r, &a, &wrong, why, sizeof why), MMULAB_MISMATCH);
    mmulab_pt_destroy(mpt);
    mmulab_pt_destroy(rpt);
    mmulab_model_destroy(m);
    mmulab_ref_destroy(r);
}

/* docs/timing.md: a TLB hit completes sooner than the walk that filled it. */
static void test_timing(void **state)
{
    (void)state;
    char err[256];
    mmulab_model_t *m = mmulab_model_create(NULL, err, sizeof err);
    assert_non_null(m);
    mmulab_pt_t *pt = mmulab_model_pt_create(m, MMULAB_MODE_4LEVEL, 0x1000000, 0x2000000);
    assert_int_equal(mmulab_pt_map(pt, VA0, FRAME(0, 0), 12, FLAGS, TFLAGS), MMULAB_OK);
    assert_int_equal(mmulab_model_write_reg(m, MMULAB_CR4, 0x20), MMULAB_OK);
    assert_int_equal(mmulab_model_write_reg(m, MMULAB_EFER, 0x100), MMULAB_OK);
    assert_int_equal(mmulab_model_write_reg(m, MMULAB_CR3, mmulab_pt_cr3(pt)), MMULAB_OK);
    assert_int_equal(mmulab_model_write_reg(m, MMULAB_CR0, 0x80000001), MMULAB_OK);
    assert_int_equal(mmulab_model_write_reg(m, MMULAB_CR0, 0x80000000), MMULAB_E_GP);   /* PG without PE */
    mmulab_access_t a = {VA0 + 0x10, MMULAB_READ, 0, 0, 0};
    mmulab_result_t res;
    uint64_t walk, hit, cr0;
    assert_int_equal(mmulab_model_read_reg(m, MMULAB_CR0, &cr0), MMULAB_OK);
    assert_int_equal(cr0, 0x80000001);
    assert_int_equal(mmulab_model_translate(m, &a, &res, &walk), MMULAB_OK);
    assert_int_equal(res.fault, MMULAB_FAULT_NONE);
    assert_int_equal(res.pa, FRAME(0, 0) + 0x10);
    assert_int_equal(res.page_shift, 12);
    assert_int_equal(mmulab_model_translate(m, &a, &res, &hit), MMULAB_OK);
    assert_int_equal(res.pa, FRAME(0, 0) + 0x10);
    assert_true(hit > 0);
    assert_true(hit < walk);
    mmulab_pt_destroy(pt);
    mmulab_model_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_model_is_permitted),
        cmocka_unit_test(test_timing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
