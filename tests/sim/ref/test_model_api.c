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
#include <stdlib.h>
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
            mmulab_access_t a = {va, (int)((x >> 30) % 3), (x >> 31) & 1 ? 3 : 0, 0, 0};
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


/* ---- the model against the checker in every mode ---------------------------------------
 * Both get the same tables (built twice with the same allocator, so at the same addresses)
 * and the same operations: translations, edits of leaves and of an upper entry without
 * invalidation (remap, R/W, U/S, P, XD), INVLPG, CR3 reloads (with PCIDs: switches with and
 * without CR3[63]), INVPCID, CR4.PGE toggles; the model's A/D writes reach the checker as a
 * design's walker writes would. Every model result must be permitted. */

typedef struct {
    const char *name;
    int mode;                 /* MMULAB_MODE_* */
    bool pcid;
    const char *settings;
    unsigned large_shift;     /* the large page: 4M in 32-bit, else 2M */
} mcase_t;

static const mcase_t mcases[] = {
    {"32-bit", MMULAB_MODE_32BIT, false, "dtlb_4k_sets=4, dtlb_4k_ways=2, l2tlb=0", 22},
    {"PAE", MMULAB_MODE_PAE, false, "dtlb_4k_sets=4, dtlb_4k_ways=2, tlb_repl=random", 21},
    {"4-level", MMULAB_MODE_4LEVEL, false, "dtlb_4k_sets=4, dtlb_4k_ways=2, l2tlb=0", 21},
    {"4-level PCID", MMULAB_MODE_4LEVEL, true, "dtlb_4k_sets=4, dtlb_4k_ways=2, tlb_repl=plru", 21},
    {"5-level PCID", MMULAB_MODE_5LEVEL, true, "dtlb_4k_sets=2, dtlb_4k_ways=2, l2tlb=0", 21},
};

#define LVA 0x00400000ull             /* 4 KiB pages */
#define LVA_LARGE 0x00800000ull       /* the large page */

typedef struct {
    mmulab_model_t *m;
    mmulab_ref_t *r;
    mmulab_pt_t *mpt[2], *rpt[2];     /* [1]: a second address space, its PT for LVA's region the edit target */
    int mode;
    unsigned esz;
} pair_t;

static void both_reg(pair_t *p, int reg, uint64_t v)
{
    int a = mmulab_model_write_reg(p->m, reg, v), b = mmulab_ref_write_reg(p->r, reg, v);
    if (a != b)
        fail_msg("register %d <- 0x%llx: model %d, checker %d", reg, (unsigned long long)v, a, b);
}

static void both_mem(pair_t *p, uint64_t pa, uint64_t v)
{
    assert_int_equal(mmulab_model_mem_write(p->m, pa, v, p->esz), MMULAB_OK);
    assert_int_equal(mmulab_ref_mem_write(p->r, pa, v, p->esz), MMULAB_OK);
}

static uint64_t ref_entry(pair_t *p, uint64_t pa)
{
    uint64_t v;
    assert_int_equal(mmulab_ref_mem_read(p->r, pa, p->esz, &v), MMULAB_OK);
    return v;
}

static void run_mcase(const mcase_t *c, uint64_t seed)
{
    char err[256], why[512];
    pair_t p = {.mode = c->mode, .esz = c->mode == MMULAB_MODE_32BIT ? 4 : 8};
    p.m = mmulab_model_create(c->settings, err, sizeof err);
    if (!p.m)
        fail_msg("%s: %s", c->name, err);
    p.r = mmulab_ref_create(46);
    uint64_t xd = c->mode == MMULAB_MODE_32BIT ? 0 : 0;
    for (int s = 0; s < 2; s++) {
        p.mpt[s] = mmulab_model_pt_create(p.m, c->mode, 0x1000000, 0x2000000);
        p.rpt[s] = mmulab_pt_create(p.r, c->mode, 0x1000000, 0x2000000);
        assert_non_null(p.mpt[s]);
        assert_non_null(p.rpt[s]);
        for (int i = 0; i < NPAGES; i++) {
            uint64_t g = i == 0 ? 0x100 : 0;
            assert_int_equal(mmulab_pt_map(p.mpt[s], LVA + i * 0x1000ull, FRAME(i, s), 12, FLAGS | g | xd, TFLAGS), 0);
            assert_int_equal(mmulab_pt_map(p.rpt[s], LVA + i * 0x1000ull, FRAME(i, s), 12, FLAGS | g | xd, TFLAGS), 0);
        }
        assert_int_equal(mmulab_pt_map(p.mpt[s], LVA_LARGE, 0x80000000ull, c->large_shift, FLAGS, TFLAGS), 0);
        assert_int_equal(mmulab_pt_map(p.rpt[s], LVA_LARGE, 0x80000000ull, c->large_shift, FLAGS, TFLAGS), 0);
        assert_int_equal(mmulab_pt_cr3(p.mpt[s]), mmulab_pt_cr3(p.rpt[s]));
    }
    int top = c->mode == MMULAB_MODE_5LEVEL ? 5 : c->mode == MMULAB_MODE_4LEVEL ? 4 : c->mode == MMULAB_MODE_PAE ? 3 : 2;
    uint64_t pde = mmulab_pt_entry_addr(p.rpt[0], LVA, 2);
    uint64_t pde_vals[2] = {ref_entry(&p, pde), ref_entry(&p, mmulab_pt_entry_addr(p.rpt[1], LVA, 2))};
    bool lm = c->mode >= MMULAB_MODE_4LEVEL;
    uint64_t cr4 = 0x80 | (c->mode == MMULAB_MODE_32BIT ? 0x10 : 0x20) | (c->mode == MMULAB_MODE_5LEVEL ? 0x1000 : 0);
    both_reg(&p, MMULAB_CR4, cr4);
    both_reg(&p, MMULAB_EFER, (lm ? 0x100 : 0) | (c->mode != MMULAB_MODE_32BIT ? 0x800 : 0));
    both_reg(&p, MMULAB_CR3, mmulab_pt_cr3(p.rpt[0]));
    both_reg(&p, MMULAB_CR0, 0x80000001);
    if (c->pcid) {
        cr4 |= 0x20000;
        both_reg(&p, MMULAB_CR4, cr4);
        both_reg(&p, MMULAB_CR3, mmulab_pt_cr3(p.rpt[0]) | 1);
    }
    uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
    unsigned space = 0, pcid = 1, stale = 0;
    for (int op = 0; op < 3000; op++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        unsigned i = (unsigned)(x >> 40) % NPAGES, what = (unsigned)(x >> 20) % 100;
        uint64_t va = ((x >> 50) & 7) == 0 ? LVA_LARGE + ((x >> 8) & 0x1ffff8) : LVA + i * 0x1000ull + ((x >> 8) & 0xff8);
        uint64_t leaf = mmulab_pt_entry_addr(p.rpt[space], va, va >= LVA_LARGE ? 2 : 1);
        if (what < 70) {
            /* reads, writes and fetches: a #PF on one port invalidates the page's entries in
             * every TLB (4.10.4.1), so the D side cannot keep a page the I side faulted on */
            mmulab_access_t a = {va, (int)((x >> 30) % 3), (x >> 33) & 1 ? 3 : 0, (int)((x >> 34) & 1), 0};
            mmulab_result_t res;
            assert_int_equal(mmulab_model_translate(p.m, &a, &res, NULL), MMULAB_OK);
            mmulab_ref_stats_t before, after;
            mmulab_ref_get_stats(p.r, &before);
            if (mmulab_ref_check(p.r, &a, &res, why, sizeof why) != MMULAB_OK)
                fail_msg("%s seed %llu op %d: the model was flagged: %s", c->name, (unsigned long long)seed, op, why);
            mmulab_ref_get_stats(p.r, &after);
            stale += after.stale_permitted > before.stale_permitted;
            for (int l = 1; l <= top; l++) {
                uint64_t ea = mmulab_pt_entry_addr(p.rpt[space], va, l), mv;
                if (!ea)
                    continue;
                assert_int_equal(mmulab_model_mem_read(p.m, ea, p.esz, &mv), MMULAB_OK);
                if (mv != ref_entry(&p, ea) &&
                    mmulab_ref_ad_write(p.r, ea, mv, p.esz, why, sizeof why) != MMULAB_OK)
                    fail_msg("%s op %d: %s", c->name, op, why);
            }
        } else if (what < 85 && leaf) {
            static const uint64_t flips[] = {0x50000000ull, 0x2, 0x4, 0x1, 1ull << 63};
            uint64_t f = flips[(x >> 36) % (c->mode == MMULAB_MODE_32BIT ? 4 : 5)];
            if (f == 0x50000000ull && va >= LVA_LARGE)
                f = 0x40000000ull;
            both_mem(&p, leaf, ref_entry(&p, leaf) ^ f);
        } else if (what < 88 && space == 0) {
            both_mem(&p, pde, pde_vals[(x >> 36) & 1]);      /* the upper entry to the other PT */
        } else if (what < 93) {
            assert_int_equal(mmulab_model_invlpg(p.m, va), MMULAB_OK);
            assert_int_equal(mmulab_ref_invlpg(p.r, va), MMULAB_OK);
        } else if (what < 97) {
            unsigned ns = c->pcid ? (x >> 37) & 1 : space;
            unsigned np = c->pcid ? 1 + ns : 0;
            uint64_t keep = c->pcid && ((x >> 38) & 1) ? 1ull << 63 : 0;
            both_reg(&p, MMULAB_CR3, keep | mmulab_pt_cr3(p.rpt[ns]) | np);
            space = ns;
            pcid = np;
        } else if (what < 99 && c->pcid) {
            unsigned type = (x >> 39) & 3;
            int a = mmulab_model_invpcid(p.m, type, pcid, va), b = mmulab_ref_invpcid(p.r, type, pcid, va);
            assert_int_equal(a, b);
        } else {
            both_reg(&p, MMULAB_CR4, cr4 & ~0x80ull);
            both_reg(&p, MMULAB_CR4, cr4);
        }
    }
    if (getenv("MT_VERBOSE"))
        fprintf(stderr, "%s seed %llu: %u stale\n", c->name, (unsigned long long)seed, stale);
    if (stale < 5)
        fail_msg("%s seed %llu: only %u stale translations: the run proves little", c->name, (unsigned long long)seed, stale);
    for (int s = 0; s < 2; s++) {
        mmulab_pt_destroy(p.mpt[s]);
        mmulab_pt_destroy(p.rpt[s]);
    }
    mmulab_model_destroy(p.m);
    mmulab_ref_destroy(p.r);
}

static void test_model_is_permitted_modes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof mcases / sizeof mcases[0]; i++)
        for (uint64_t seed = 1; seed <= 3; seed++)
            run_mcase(&mcases[i], seed);
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
        cmocka_unit_test(test_model_is_permitted_modes),
        cmocka_unit_test(test_timing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
