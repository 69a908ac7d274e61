/* The TLB invalidation of a page fault (docs/semantics.md section 3, docs/timing.md "#PF
 * invalidation"), written from SDM Vol 3A 4.10.4.1: "A page-fault exception resulting from an
 * attempt to use a linear address will invalidate any TLB entries that are for a page number
 * corresponding to that linear address and that are associated with the current PCID."
 * The model applies INVLPG's filter for the faulting address (current PCID, plus global
 * entries) to every TLB (both L1s, the L2) and every page-size class.
 *
 * Each case leaves a stale translation for va in some TLB (the page table changed without an
 * INVLPG), makes an access to va fault without using that entry, then probes va again: the
 * stale entry must be gone (a walk, which faults), or, where the filter does not cover it (an
 * entry of another PCID), still there. */
#include "mmutest.h"

#include <string.h>

#define VA   0x0000100000200000ull     /* a 2 MiB-aligned region (PML4 slot 32) */
#define VA4K (VA + 0x5000ull)          /* the page of the cases, inside that region */
#define PA2M 0x0000000080000000ull
#define PA4K 0x0000000090005000ull
#define FL   (PTE_P | PTE_RW | PTE_A)  /* supervisor, writable, accessed, clean */

/* How the stale entry is made and how the fault avoids it. */
typedef enum {
    STALE_OTHER_PORT,       /* a fetch caches va in the ITLB (and L2); a clean-L2 write on D faults */
    STALE_OTHER_CLASS,      /* DTLB holds a 2 MiB entry and a 4 KiB one; a user read drops the 4 KiB */
} stale_how_t;

typedef struct {
    const char *name;
    stale_how_t how;
    unsigned stale_shift;    /* page size of the stale entry */
    uint64_t stale_g;        /* PTE_G on the stale mapping (CR4.PGE is set) */
    const char *cfg;         /* configuration override, or NULL */
} pf_case_t;

static const pf_case_t cases[] = {
    {"ITLB 4 KiB entry, fault on port D", STALE_OTHER_PORT, 12, 0, NULL},
    {"ITLB 2 MiB entry, fault on port D", STALE_OTHER_PORT, 21, 0, NULL},
    {"ITLB global 4 KiB entry, fault on port D", STALE_OTHER_PORT, 12, PTE_G, NULL},
    {"ITLB 2 MiB entry, no L2", STALE_OTHER_PORT, 21, 0, "l2tlb=0"},
    {"DTLB 2 MiB entry beside the dropped 4 KiB one", STALE_OTHER_CLASS, 21, 0, NULL},
    {"DTLB global 2 MiB entry beside the dropped 4 KiB one", STALE_OTHER_CLASS, 21, PTE_G, NULL},
};

static mt_t *enter(const char *cfg)
{
    mt_t *t = cfg ? mt_newv(cfg, NULL) : mt_newv(NULL);
    mt_tables(t, PAGING_4LEVEL);
    return t;
}

/* The PDE of VA's region: a 2 MiB leaf, or a table with VA4K's PTE. */
static void map_stale(mt_t *t, unsigned shift, uint64_t flags)
{
    if (shift == 21)
        mt_map(t, VA, PA2M, 21, flags | PTE_US);
    else
        mt_map(t, VA4K, PA4K, 12, flags | PTE_US);
}

static void run_case(const pf_case_t *c)
{
    mt_t *t = enter(c->cfg);
    mmu_result_t r;
    if (c->how == STALE_OTHER_PORT) {
        map_stale(t, c->stale_shift, FL | c->stale_g);
        mt_enter(t, PAGING_4LEVEL, 0, CR4_PGE, EFER_NXE);
        r = mt_fetch(t, VA4K);                           /* ITLB (and the L2): clean entry */
        mt_expect_how(&r, MT_WALK);
        /* unflushed change: VA4K's page is no longer present */
        if (c->stale_shift == 21) {
            mt_entry_write(t, VA, 2, 0);
        } else {
            mt_set_flags(t, VA4K, 1, 0);
        }
        r = mt_wr(t, VA4K);                              /* DTLB miss, L2 clean: dropped; walk */
        mt_expect_how(&r, MT_PF);
        assert_int_equal(r.error_code & PFEC_P, 0);
        r = mt_fetch(t, VA4K);                           /* the ITLB entry went with the #PF */
        mt_expect_how(&r, MT_PF);
    } else {
        /* a supervisor 4 KiB page, then (unflushed) a supervisor 2 MiB page over its region */
        mt_map(t, VA4K, PA4K, 12, FL);
        mt_enter(t, PAGING_4LEVEL, 0, CR4_PGE, EFER_NXE);
        r = mt_rd(t, VA4K);                              /* DTLB + L2: 4 KiB entry, supervisor */
        mt_expect_how(&r, MT_WALK);
        mt_entry_write(t, VA, 2, PA2M | PTE_PS | PTE_P | PTE_RW | PTE_A | PTE_D | c->stale_g);
        mt_invlpg(t, VA + 0x100000ull, NULL);            /* drops the PDE cache's old PDE, not VA4K's entry */
        r = mt_rd(t, VA + 0x100000ull);                  /* another page of the region: 2 MiB entry */
        mt_expect_how(&r, MT_WALK);
        assert_int_equal(r.page_shift, 21);
        /* a user read of VA4K: the 4 KiB entries are dropped (rights), the walk faults (U/S=0) */
        r = mt_access(t, VA4K, ACC_READ, 3, false, false);
        mt_expect_how(&r, MT_PF);
        assert_int_equal(r.error_code, PFEC_P | PFEC_U);
        /* the 2 MiB entry covering VA4K went with the #PF: a walk, of the 2 MiB page */
        r = mt_rd(t, VA4K);
        mt_expect_how(&r, MT_WALK);
        assert_int_equal(r.pa, PA2M + (VA4K - VA));
        /* that walk refilled the 2 MiB entry: another page of the region hits it */
        r = mt_rd(t, VA + 0x100000ull);
        mt_expect_how(&r, MT_L1);
    }
    mt_free(t);
}

static void test_pf_invalidates_every_tlb(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("case: %s\n", cases[i].name);
        run_case(&cases[i]);
    }
}

/* The filter is the current PCID's (plus global): another PCID's entry for va survives. */
static void test_pf_keeps_other_pcids(void **state)
{
    (void)state;
    mt_t *t = enter(NULL);
    mt_map(t, VA4K, PA4K, 12, FL);
    mt_enter(t, PAGING_4LEVEL, 0, CR4_PGE | CR4_PCIDE, EFER_NXE);
    uint64_t root = ptb_cr3(&t->pt);
    mt_ctrl_ok(t, CTRL_CR3, root | 2);
    mmu_result_t r = mt_rd(t, VA4K);                     /* PCID 2 caches VA4K */
    mt_expect_how(&r, MT_WALK);
    mt_ctrl_ok(t, CTRL_CR3, root | 1 | CR3_NOFLUSH);
    mt_set_flags(t, VA4K, 1, 0);
    r = mt_rd(t, VA4K);                                  /* PCID 1: walk, #PF */
    mt_expect_how(&r, MT_PF);
    mt_ctrl_ok(t, CTRL_CR3, root | 2 | CR3_NOFLUSH);
    r = mt_rd(t, VA4K);                                  /* PCID 2's entry is still there */
    mt_expect_how(&r, MT_L1);
    assert_int_equal(r.pa, PA4K);
    mt_free(t);
}

/* Timing (docs/timing.md "#PF invalidation"): a #PF completing at c invalidates at c + 1; the
 * other port's lookups accepted before c still see the entry, no port accepts at c, and the
 * first lookup after it misses. Fetches of the stale page are issued on every cycle of the walk. */
static void test_pf_invalidation_timing(void **state)
{
    (void)state;
    mt_t *t = enter(NULL);
    mt_map(t, VA4K, PA4K, 12, FL | PTE_US);
    mt_enter(t, PAGING_4LEVEL, 0, CR4_PGE, EFER_NXE);
    mmu_result_t r = mt_fetch(t, VA4K);
    mt_expect_how(&r, MT_WALK);
    mt_set_flags(t, VA4K, 1, 0);

    enum { N = 400 };
    static mmu_req_t q[N + 1];
    static mmu_result_t out[N + 1];
    cycle_t h = mmu_horizon(t->mmu);
    memset(q, 0, sizeof q);
    q[0] = (mmu_req_t){ .va = VA4K, .access = ACC_WRITE, .issue_cycle = h };
    for (int i = 1; i <= N; i++)
        q[i] = (mmu_req_t){ .va = VA4K, .access = ACC_EXEC, .issue_cycle = h + (cycle_t)i };
    for (int i = 0; i <= N; i++)
        assert_int_equal(mmu_submit(t->mmu, &q[i], &out[i]), 0);
    mmu_sync(t->mmu);

    mt_expect_how(&out[0], MT_PF);
    cycle_t c = out[0].complete_cycle;
    assert_true(c < h + N);
    int first_after = 0;
    for (int i = 1; i <= N; i++) {
        assert_true(out[i].accept_cycle != c);
        if (out[i].accept_cycle < c) {
            mt_expect_how(&out[i], MT_L1);               /* stale, but before the fault */
        } else if (!first_after) {
            first_after = i;
            assert_int_equal(out[i].accept_cycle, c + 1);
            mt_expect_how(&out[i], MT_PF);               /* the entry is gone */
        }
    }
    assert_true(first_after > 1);
    assert_int_equal(q[first_after].issue_cycle, c);  /* the fetch issued at c waited one cycle */
    mt_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pf_invalidates_every_tlb),
        cmocka_unit_test(test_pf_keeps_other_pcids),
        cmocka_unit_test(test_pf_invalidation_timing),
    };
    return cmocka_run_group_tests(tests, NULL, mt_teardown);
}
