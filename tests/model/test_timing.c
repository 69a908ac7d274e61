/* Timing (docs/timing.md): every expected completion cycle is computed here
 * by hand from the equations, written out term by term:
 *   L1 hit          c = a + L1
 *   L2 hit          c = a + L1 + L2
 *   walk            c = a + L1 + L2 + P + n * (O + M) + O     (grant at m = a + L1, no wait)
 *   control         c = k + C + [PAE loads] 4 * (O + M) + F
 *                   F = 0 (nothing invalidated, #GP), 1 (everything / by address), S (selective)
 * Defaults: L1 = 1, L2 = 4, P = 1, O = 1, M = 20, C = 1, S = 128 (l2_4k_sets). */
#include "mmutest.h"

#include <stdio.h>
#include <string.h>

#define VA4(l4, l3, l2, l1, off) \
    (((uint64_t)(l4) << 39) | ((uint64_t)(l3) << 30) | ((uint64_t)(l2) << 21) | ((uint64_t)(l1) << 12) | (off))

/* 4-level layout: V0 cold; V_PT shares V0's page table (PDE cache hit), V_PD shares its PD
 * (PDPTE cache hit), V_PDPT shares its PDPT (PML4E cache hit), V_NEW shares nothing. */
#define V0     VA4(1, 2, 3, 4, 0)
#define V_PT   VA4(1, 2, 3, 5, 0)
#define V_PT2  VA4(1, 2, 3, 6, 0)
#define V_PD   VA4(1, 2, 5, 4, 0)
#define V_PDPT VA4(1, 7, 3, 4, 0)
#define V_NEW  VA4(9, 2, 3, 4, 0)
#define V_NEW2 VA4(10, 2, 3, 4, 0)
#define V_NEW3 VA4(11, 2, 3, 4, 0)

static const vaddr_t layout[] = {V0, V_PT, V_PT2, V_PD, V_PDPT, V_NEW, V_NEW2, V_NEW3};
#define NLAYOUT (sizeof layout / sizeof layout[0])

static paddr_t pa_for(vaddr_t va) { return 0x40000000ull + ((va >> 12) & 0xffffull) * 0x1000; }

/* 4-level tables with A (and D) already set everywhere unless told. */
static mt_t *long_env(const char *const *cfg, paging_mode_t mode, uint64_t table_flags, uint64_t leaf_flags)
{
    mt_t *t = mt_new(cfg);
    mt_tables(t, mode);
    for (size_t i = 0; i < NLAYOUT; i++) {
        vaddr_t va = mode == PAGING_5LEVEL ? (layout[i] | (3ull << 48)) : layout[i];
        mt_map_in(&t->pt, va, pa_for(layout[i]), 12, leaf_flags, table_flags);
    }
    mt_enter(t, mode, 0, 0, 0);
    return t;
}

#define ALL_AD (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)
#define NO_AD  (PTE_P | PTE_RW | PTE_US)

static mmu_result_t at_c(mt_t *t, vaddr_t va, mmu_access_t acc, cycle_t issue)
{
    mmu_req_t q;
    mmu_result_t r;
    memset(&q, 0, sizeof q);
    memset(&r, 0, sizeof r);
    q.va = va;
    q.access = acc;
    q.issue_cycle = issue;
    assert_int_equal(mmu_translate(t->mmu, &q, &r), 0);
    assert_int_equal(r.issue_cycle, issue);
    return r;
}

static void submit(mt_t *t, vaddr_t va, mmu_access_t acc, cycle_t issue, mmu_result_t *out)
{
    mmu_req_t q;
    memset(&q, 0, sizeof q);
    q.va = va;
    q.access = acc;
    q.issue_cycle = issue;
    assert_int_equal(mmu_submit(t->mmu, &q, out), 0);
}

static void expect_cycles_at(const mmu_result_t *r, cycle_t accept, cycle_t complete, int line)
{
    if (r->accept_cycle != accept || r->complete_cycle != complete)
        fail_msg("line %d: va %#llx (%s): accept %llu complete %llu, expected accept %llu complete %llu", line,
                 (unsigned long long)r->va, mt_how_name(mt_how(r)), (unsigned long long)r->accept_cycle,
                 (unsigned long long)r->complete_cycle, (unsigned long long)accept, (unsigned long long)complete);
}
#define EXPECT_CYCLES(r, a, c) expect_cycles_at(&(r), (a), (c), __LINE__)

static cycle_t ctrl_at(mt_t *t, mmu_ctrl_kind_t kind, uint64_t value, cycle_t issue, mmu_ctrl_result_t *out)
{
    mmu_ctrl_t op;
    memset(&op, 0, sizeof op);
    memset(out, 0, sizeof *out);
    op.kind = kind;
    op.value = value;
    op.issue_cycle = issue;
    assert_int_equal(mmu_control(t->mmu, &op, out), 0);
    return out->complete_cycle;
}

/* ---- basic latencies, defaults ------------------------------------------------------ */

static void test_cold_walk_and_hits(void **state)
{
    (void)state;
    mt_t *t = long_env(NULL, PAGING_4LEVEL, PTB_TABLE_FLAGS, ALL_AD);
    cycle_t h = mmu_horizon(t->mmu);
    mmu_result_t r = at_c(t, V0, ACC_READ, h);
    /* worked example of timing.md: m = a+1, s = m, L2 miss [s, s+4), w = s+5, 4 reads of 1+20, +1 */
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + 4 * (1 + 20) + 1);
    assert_int_equal(r.complete_cycle - r.issue_cycle, 91);
    assert_true(r.walked);
    assert_int_equal(r.mem_reads, 4);
    assert_int_equal(r.mem_writes, 0);
    const mmu_stats_t *st = mmu_stats(t->mmu);
    assert_int_equal(st->walk_latency.count, 1);
    assert_int_equal(st->walk_latency.sum, 90);   /* c - m */
    assert_int_equal(st->translation_latency.sum, 91);
    assert_int_equal(mmu_horizon(t->mmu), r.complete_cycle + 1);

    /* L1 hit: c = a + 1, issued later than the horizon */
    cycle_t t1 = r.complete_cycle + 10;
    r = at_c(t, V0 + 8, ACC_READ, t1);
    mt_expect_how(&r, MT_L1);
    EXPECT_CYCLES(r, t1, t1 + 1);

    /* L2 hit on port I: c = a + L1 + L2 */
    cycle_t t2 = mmu_horizon(t->mmu);
    r = at_c(t, V0, ACC_EXEC, t2);
    mt_expect_how(&r, MT_L2);
    EXPECT_CYCLES(r, t2, t2 + 1 + 4);
    mt_free(t);
}

static void test_ad_writes(void **state)
{
    (void)state;
    /* A = 0 in all four entries, a read: 4 more writes of 1 + 20 */
    mt_t *t = long_env(NULL, PAGING_4LEVEL, NO_AD, NO_AD);
    cycle_t h = mmu_horizon(t->mmu);
    mmu_result_t r = at_c(t, V0, ACC_READ, h);
    EXPECT_CYCLES(r, h, h + 91 + 4 * (1 + 20));
    assert_int_equal(r.mem_writes, 4);
    /* a write to a sibling: PDE cache hit, PTE read, PTE A+D in one write */
    h = mmu_horizon(t->mmu);
    r = at_c(t, V_PT, ACC_WRITE, h);
    assert_int_equal(r.pwc_hit, 2);
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + (1 + 20) + (1 + 20) + 1);
    assert_int_equal(r.mem_writes, 1);
    mt_free(t);

    /* A set everywhere, leaf D = 0, a write: one write (D) */
    t = long_env(NULL, PAGING_4LEVEL, PTB_TABLE_FLAGS, NO_AD | PTE_A);
    h = mmu_horizon(t->mmu);
    r = at_c(t, V0, ACC_WRITE, h);
    EXPECT_CYCLES(r, h, h + 91 + (1 + 20));
    assert_int_equal(r.mem_writes, 1);
    /* dirty assist: the cached entry has D = 0 after a read walk of V_PT */
    h = mmu_horizon(t->mmu);
    r = at_c(t, V_PT, ACC_READ, h);
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + (1 + 20) + 1);
    h = mmu_horizon(t->mmu);
    r = at_c(t, V_PT, ACC_WRITE, h);
    assert_true(r.dirty_assist);
    /* L1 hit dropped -> walker at a+1; L2 entry also clean -> dropped; PDE cache hit; PTE read + D write */
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + (1 + 20) + (1 + 20) + 1);
    h = mmu_horizon(t->mmu);
    r = at_c(t, V_PT, ACC_WRITE, h);
    mt_expect_how(&r, MT_L1);
    EXPECT_CYCLES(r, h, h + 1);
    mt_free(t);
}

static void test_pwc_levels(void **state)
{
    (void)state;
    mt_t *t = long_env(NULL, PAGING_4LEVEL, PTB_TABLE_FLAGS, ALL_AD);
    mmu_result_t r = at_c(t, V0, ACC_READ, mmu_horizon(t->mmu));
    assert_int_equal(r.pwc_hit, 0);
    static const struct {
        vaddr_t va;
        int pwc, reads;
    } cases[] = {{V_PT, 2, 1}, {V_PD, 3, 2}, {V_PDPT, 4, 3}, {V_NEW, 0, 4}};
    for (size_t i = 0; i < 4; i++) {
        cycle_t h = mmu_horizon(t->mmu);
        r = at_c(t, cases[i].va, ACC_READ, h);
        assert_int_equal(r.pwc_hit, cases[i].pwc);
        assert_int_equal(r.mem_reads, cases[i].reads);
        EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + (cycle_t)cases[i].reads * (1 + 20) + 1);
    }
    /* #PF at the PML4E (not present): one read, same response rule */
    cycle_t h = mmu_horizon(t->mmu);
    r = at_c(t, VA4(200, 0, 0, 0, 0), ACC_READ, h);
    mt_expect_how(&r, MT_PF);
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + (1 + 20) + 1);
    mt_free(t);
}

static void test_five_level(void **state)
{
    (void)state;
    mt_t *t = long_env(NULL, PAGING_5LEVEL, PTB_TABLE_FLAGS, ALL_AD);
    cycle_t h = mmu_horizon(t->mmu);
    mmu_result_t r = at_c(t, V0 | (3ull << 48), ACC_READ, h);
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + 5 * (1 + 20) + 1);
    /* PML5E cache hit: 4 reads */
    h = mmu_horizon(t->mmu);
    r = at_c(t, V_NEW | (3ull << 48), ACC_READ, h);
    assert_int_equal(r.pwc_hit, 5);
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + 4 * (1 + 20) + 1);
    /* PDE cache hit: 1 read */
    h = mmu_horizon(t->mmu);
    r = at_c(t, V_PT | (3ull << 48), ACC_READ, h);
    assert_int_equal(r.pwc_hit, 2);
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + (1 + 20) + 1);
    mt_free(t);
}

/* P = 0 when no PWC of the current mode has entries (4-level uses PML4/PDPT/PD). */
static void test_no_pwc(void **state)
{
    (void)state;
    static const char *cfg[] = {"pwc_pml4_entries=0", "pwc_pdpt_entries=0", "pwc_pd_entries=0",
                                "pwc_pml5_entries=8", NULL};
    mt_t *t = long_env(cfg, PAGING_4LEVEL, PTB_TABLE_FLAGS, ALL_AD);
    cycle_t h = mmu_horizon(t->mmu);
    mmu_result_t r = at_c(t, V0, ACC_READ, h);
    EXPECT_CYCLES(r, h, h + 1 + 4 + 0 + 4 * (1 + 20) + 1);
    h = mmu_horizon(t->mmu);
    r = at_c(t, V_PT, ACC_READ, h);
    assert_int_equal(r.pwc_hit, 0);
    EXPECT_CYCLES(r, h, h + 1 + 4 + 0 + 4 * (1 + 20) + 1);
    mt_free(t);
    /* only the PML4E cache: P = 1 again */
    static const char *cfg2[] = {"pwc_pml4_entries=1", "pwc_pdpt_entries=0", "pwc_pd_entries=0", NULL};
    t = long_env(cfg2, PAGING_4LEVEL, PTB_TABLE_FLAGS, ALL_AD);
    h = mmu_horizon(t->mmu);
    r = at_c(t, V0, ACC_READ, h);
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + 4 * (1 + 20) + 1);
    h = mmu_horizon(t->mmu);
    r = at_c(t, V_PT, ACC_READ, h);
    assert_int_equal(r.pwc_hit, 4);
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + 3 * (1 + 20) + 1);
    mt_free(t);
    /* no L2: L2 = 0 */
    static const char *cfg3[] = {"l2tlb=0", NULL};
    t = long_env(cfg3, PAGING_4LEVEL, PTB_TABLE_FLAGS, ALL_AD);
    h = mmu_horizon(t->mmu);
    r = at_c(t, V0, ACC_READ, h);
    EXPECT_CYCLES(r, h, h + 1 + 0 + 1 + 4 * (1 + 20) + 1);
    h = mmu_horizon(t->mmu);
    r = at_c(t, V0, ACC_EXEC, h);   /* ITLB miss, no L2: walk again with the PDE cache */
    assert_int_equal(r.pwc_hit, 2);
    EXPECT_CYCLES(r, h, h + 1 + 0 + 1 + (1 + 20) + 1);
    mt_free(t);
}

/* ---- PAE / 32-bit ---------------------------------------------------------------- */

static void test_pae_and_32bit(void **state)
{
    (void)state;
    for (int pae = 0; pae < 2; pae++)
        for (int nopwc = 0; nopwc < 2; nopwc++) {
            static const char *cfg_nopd[] = {"pwc_pd_entries=0", NULL};
            mt_t *t = mt_new(nopwc ? cfg_nopd : NULL);
            paging_mode_t mode = pae ? PAGING_PAE : PAGING_32;
            mt_tables(t, mode);
            mt_map(t, 0xc0001000ull, 0x300000ull, 12, ALL_AD);
            mt_map(t, 0xc0002000ull, 0x301000ull, 12, ALL_AD);
            /* entering PAE paging: the CR0 write loads the PDPTE registers */
            mt_ctrl_ok(t, CTRL_CR4, pae ? CR4_PAE : 0);
            mt_ctrl_ok(t, CTRL_CR3, ptb_cr3(&t->pt));
            cycle_t k = mmu_horizon(t->mmu);
            mmu_ctrl_result_t cr;
            cycle_t c = ctrl_at(t, CTRL_CR0, CR0_PE | CR0_PG, k, &cr);
            assert_int_equal(cr.fault, FAULT_NONE);
            assert_int_equal(cr.accept_cycle, k);
            assert_int_equal(c, k + 1 + (pae ? 4 * (1 + 20) : 0));
            assert_int_equal(cr.mem_reads, pae ? 4 : 0);
            cycle_t P = nopwc ? 0 : 1;
            cycle_t h = mmu_horizon(t->mmu);
            assert_int_equal(h, c + 1);
            mmu_result_t r = at_c(t, 0xc0001000ull, ACC_READ, h);
            /* PAE: PDPTE from the register, then PD and PT; 32-bit: PD and PT */
            EXPECT_CYCLES(r, h, h + 1 + 4 + P + 2 * (1 + 20) + 1);
            assert_int_equal(r.mem_reads, 2);
            h = mmu_horizon(t->mmu);
            r = at_c(t, 0xc0002000ull, ACC_READ, h);
            assert_int_equal(r.pwc_hit, nopwc ? 0 : 2);
            EXPECT_CYCLES(r, h, h + 1 + 4 + P + (nopwc ? 2 : 1) * (1 + 20) + 1);
            mt_free(t);
        }
}

/* ---- control operations --------------------------------------------------------------- */

static void test_control_costs(void **state)
{
    (void)state;
    mt_t *t = mt_newv(NULL);
    mt_tables(t, PAGING_PAE);
    mt_map(t, 0xc0001000ull, 0x300000ull, 12, ALL_AD);
    mt_enter(t, PAGING_PAE, 0, 0, 0);
    mmu_ctrl_result_t cr;
    const cycle_t load = 4 * (1 + 20), S = 128;
    struct {
        mmu_ctrl_kind_t kind;
        uint64_t value;
        cycle_t loads, F;
        mmu_fault_t fault;
    } ops[] = {
        {CTRL_CR3, ptb_cr3(&t->pt), load, S, FAULT_NONE},                /* non-global flush: selective */
        {CTRL_CR4, CR4_PAE | CR4_PGE, load, 1, FAULT_NONE},              /* PGE change: everything */
        {CTRL_CR4, CR4_PAE | CR4_PGE | CR4_SMAP, 0, 0, FAULT_NONE},      /* SMAP: no load, no flush */
        {CTRL_CR4, CR4_PAE | CR4_PGE | CR4_SMAP | CR4_SMEP, load, S, FAULT_NONE},   /* SMEP 0->1 */
        {CTRL_CR4, CR4_PAE | CR4_PGE | CR4_SMAP | CR4_SMEP | CR4_PSE, load, 0, FAULT_NONE},
        {CTRL_CR4, CR4_PAE | CR4_PGE | CR4_SMAP | CR4_PSE, load, 0, FAULT_NONE},    /* SMEP 1->0 */
        {CTRL_CR0, CR0_PE | CR0_PG | CR0_WP, 0, 0, FAULT_NONE},          /* WP: no load */
        {CTRL_CR0, CR0_PE | CR0_PG | CR0_WP | CR0_CD, load, 0, FAULT_NONE},
        {CTRL_EFER, EFER_NXE, 0, 0, FAULT_NONE},
        {CTRL_INVLPG, 0, 0, 1, FAULT_NONE},                               /* by address */
        {CTRL_CR4, CR4_PAE | (1ull << 27), 0, 0, FAULT_GP},              /* #GP (LASS): no load, F = 0 */
        {CTRL_WRPKRU, 0x4, 0, 0, FAULT_UD},                               /* #UD: C only */
        {CTRL_CR4, CR4_PAE | CR4_PGE | CR4_SMAP | CR4_PSE | CR4_PKE | CR4_PKS, 0, 0, FAULT_NONE},   /* no load, no flush */
        {CTRL_WRPKRU, 0x4, 0, 0, FAULT_NONE},                             /* WRPKRU: C, F = 0 */
        {CTRL_WRPKRS, 0x8, 0, 0, FAULT_NONE},                             /* WRMSR IA32_PKRS: C, F = 0 */
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        cycle_t k = mmu_horizon(t->mmu) + (cycle_t)i;   /* issue later than idle: k = t */
        cycle_t c = ctrl_at(t, ops[i].kind, ops[i].value, k, &cr);
        cycle_t want = k + 1 + ops[i].loads + ops[i].F;
        if (cr.fault != ops[i].fault || cr.accept_cycle != k || c != want)
            fail_msg("op %zu: fault %s accept %llu complete %llu, expected %s %llu %llu", i,
                     mmu_fault_name(cr.fault), (unsigned long long)cr.accept_cycle, (unsigned long long)c,
                     mmu_fault_name(ops[i].fault), (unsigned long long)k, (unsigned long long)want);
        assert_int_equal(cr.mem_reads, ops[i].loads ? 4 : 0);
        assert_int_equal(mmu_horizon(t->mmu), c + 1);
    }
    /* a CR3 write whose PDPTE load fails: #GP, and the loads are still paid */
    ptbuild_t b;
    mt_tables_extra(t, &b, PAGING_PAE);
    mt_map_in(&b, 0xc0001000ull, 0x300000ull, 12, ALL_AD, PTB_TABLE_FLAGS);
    ptb_write_entry(&b, ptb_entry_addr(&b, 0xc0001000ull, 3), ptb_read_entry(&b, ptb_entry_addr(&b, 0xc0001000ull, 3)) | 2);
    cycle_t k = mmu_horizon(t->mmu);
    cycle_t c = ctrl_at(t, CTRL_CR3, ptb_cr3(&b), k, &cr);
    assert_int_equal(cr.fault, FAULT_GP);
    assert_int_equal(c, k + 1 + load);
    assert_int_equal(cr.mem_reads, 4);

    /* a control op waits for queued translations: k = max(t, latest completion + 1) */
    mt_ctrl_ok(t, CTRL_CR3, ptb_cr3(&t->pt));   /* flush */
    cycle_t h = mmu_horizon(t->mmu);
    mmu_result_t r;
    submit(t, 0xc0001000ull, ACC_READ, h, &r);   /* a walk: 2 reads */
    c = ctrl_at(t, CTRL_INVLPG, 0, h + 1, &cr);
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + 2 * (1 + 20) + 1);
    assert_int_equal(cr.accept_cycle, r.complete_cycle + 1);
    assert_int_equal(c, r.complete_cycle + 1 + 1 + 1);   /* k + C + F(by address) */
    /* and translations after it are accepted no earlier than c + 1 */
    r = at_c(t, 0xc0001000ull, ACC_READ, c + 1);
    assert_int_equal(r.accept_cycle, c + 1);
    mt_free(t);
}

/* F for every invalidation class of semantics.md section 8, and S from the configuration. */
static void test_invalidation_costs(void **state)
{
    (void)state;
    static const struct {
        const char *cfg[12];
        cycle_t S;
    } geoms[] = {
        /* itlb_1g (1024 sets, 0 ways) and l2_1g (4096 sets, 0 ways) do not count */
        {{"dtlb_4k_sets=8", "dtlb_2m_sets=4", "itlb_4k_sets=32", "itlb_1g_sets=1024", "itlb_1g_ways=0",
          "l2_4k_sets=16", "l2_2m_sets=64", "l2_1g_sets=4096", "l2_1g_ways=0", NULL}, 64},
        {{"dtlb_4k_sets=8", "dtlb_2m_sets=4", "itlb_4k_sets=32", "l2tlb=0", NULL}, 32},
        {{"dtlb_4k_sets=8", "dtlb_2m_sets=4", "itlb_4k_sets=32", "l2tlb=0", "ports=1", NULL}, 8},
        {{"dtlb_4k_sets=8", "dtlb_2m_sets=4", "dtlb_1g_sets=512", "dtlb_1g_ways=1", "l2tlb=0", "ports=1", NULL}, 512},
    };
    for (size_t g = 0; g < sizeof geoms / sizeof geoms[0]; g++) {
        mt_t *t = mt_new(geoms[g].cfg);
        mt_tables(t, PAGING_4LEVEL);
        mt_map(t, V0, 0x5000, 12, ALL_AD);
        mt_enter(t, PAGING_4LEVEL, 0, CR4_PGE | CR4_PCIDE, 0);
        uint64_t cr3 = ptb_cr3(&t->pt), cr4 = mt_arch(t).cr4, cr0 = mt_arch(t).cr0;
        const cycle_t S = geoms[g].S;
        struct {
            mmu_ctrl_kind_t kind;
            uint64_t value;
            unsigned type;
            uint64_t pcid;
            cycle_t F;
            const char *what;
        } ops[] = {
            {CTRL_CR3, cr3 | 1, 0, 0, S, "CR3 flush"},
            {CTRL_CR3, cr3 | 2 | CR3_NOFLUSH, 0, 0, 0, "CR3 no-flush"},
            {CTRL_INVPCID, 0, 0, 1, 1, "INVPCID 0"},
            {CTRL_INVPCID, 0, 1, 1, S, "INVPCID 1"},
            {CTRL_INVPCID, 0, 2, 0, 1, "INVPCID 2"},
            {CTRL_INVPCID, 0, 3, 0, S, "INVPCID 3"},
            {CTRL_INVPCID, 0, 5, 0, 0, "INVPCID #GP"},
            {CTRL_INVLPG, 0, 0, 0, 1, "INVLPG"},
            {CTRL_CR4, cr4 | CR4_SMEP, 0, 0, S, "SMEP 0->1"},
            {CTRL_CR4, cr4, 0, 0, 0, "SMEP 1->0"},
            {CTRL_CR4, cr4 | CR4_SMAP, 0, 0, 0, "SMAP"},
            {CTRL_CR4, cr4 & ~CR4_PGE, 0, 0, 1, "PGE 1->0"},
            {CTRL_CR4, cr4, 0, 0, 1, "PGE 0->1"},
            {CTRL_CR4, cr4 & ~CR4_PCIDE, 0, 0, 1, "PCIDE 1->0"},
            {CTRL_CR3, cr3, 0, 0, S, "CR3 flush, PCIDE=0"},
            {CTRL_CR4, (cr4 & ~CR4_PCIDE) | CR4_PKE, 0, 0, 0, "CR4 #GP"},
            {CTRL_CR0, cr0 | CR0_WP, 0, 0, 0, "CR0.WP"},
            {CTRL_EFER, EFER_LME | EFER_NXE, 0, 0, 0, "EFER.NXE"},
            {CTRL_CR0, cr0 & ~CR0_PG, 0, 0, 1, "CR0.PG 1->0"},
            {CTRL_CR0, cr0, 0, 0, 0, "CR0.PG 0->1"},
        };
        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
            mmu_ctrl_t op;
            mmu_ctrl_result_t cr;
            memset(&op, 0, sizeof op);
            op.kind = ops[i].kind;
            op.value = ops[i].value;
            op.invpcid_type = ops[i].type;
            op.pcid = ops[i].pcid;
            op.va = V0;
            cycle_t k = mmu_horizon(t->mmu);
            op.issue_cycle = k;
            assert_int_equal(mmu_control(t->mmu, &op, &cr), 0);
            if (cr.complete_cycle != k + 1 + ops[i].F)
                fail_msg("config %zu, %s: complete %llu, expected k + C + F = %llu + 1 + %llu", g, ops[i].what,
                         (unsigned long long)cr.complete_cycle, (unsigned long long)k,
                         (unsigned long long)ops[i].F);
        }
        mt_free(t);
    }
}

/* PAE with a not-present PDPTE register: n = 0, c = w + O. */
static void test_pae_pdpte_not_present_timing(void **state)
{
    (void)state;
    mt_t *t = mt_newv(NULL);
    mt_tables(t, PAGING_PAE);
    mt_map(t, 0xc0001000ull, 0x300000ull, 12, ALL_AD);
    mt_enter(t, PAGING_PAE, 0, 0, 0);
    cycle_t h = mmu_horizon(t->mmu);
    mmu_result_t r = at_c(t, 0x00001000ull, ACC_READ, h);
    mt_expect_how(&r, MT_PF);
    assert_int_equal(r.mem_reads, 0);
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + 1);
    mt_free(t);
}

/* ---- two ports ------------------------------------------------------------------------ */

static void test_ports_overlap(void **state)
{
    (void)state;
    mt_t *t = long_env(NULL, PAGING_4LEVEL, PTB_TABLE_FLAGS, ALL_AD);
    /* ITLB holds V0 */
    mmu_result_t r0 = at_c(t, V0, ACC_EXEC, mmu_horizon(t->mmu));
    mt_expect_how(&r0, MT_WALK);
    cycle_t t0 = mmu_horizon(t->mmu);
    mmu_result_t rd, ri, ri2;
    submit(t, V_NEW, ACC_READ, t0, &rd);       /* port D: cold walk (nothing shared) */
    submit(t, V0, ACC_EXEC, t0 + 1, &ri);      /* port I: hit while D walks */
    submit(t, V0 + 4, ACC_EXEC, t0 + 2, &ri2); /* pipelined */
    mmu_sync(t->mmu);
    mt_expect_how(&rd, MT_WALK);
    assert_int_equal(rd.port, PORT_D);
    EXPECT_CYCLES(rd, t0, t0 + 91);
    mt_expect_how(&ri, MT_L1);
    assert_int_equal(ri.port, PORT_I);
    EXPECT_CYCLES(ri, t0 + 1, t0 + 2);
    EXPECT_CYCLES(ri2, t0 + 2, t0 + 3);
    assert_int_equal(mmu_horizon(t->mmu), t0 + 91 + 1);
    mt_free(t);
}

static void test_ports_both_miss(void **state)
{
    (void)state;
    for (int order = 0; order < 2; order++) {
        mt_t *t = long_env(NULL, PAGING_4LEVEL, PTB_TABLE_FLAGS, ALL_AD);
        cycle_t t0 = mmu_horizon(t->mmu);
        mmu_result_t rd, ri;
        /* submission order must not matter: port D is granted first */
        if (order) {
            submit(t, V_NEW2, ACC_EXEC, t0, &ri);
            submit(t, V_NEW, ACC_READ, t0, &rd);
        } else {
            submit(t, V_NEW, ACC_READ, t0, &rd);
            submit(t, V_NEW2, ACC_EXEC, t0, &ri);
        }
        mmu_sync(t->mmu);
        cycle_t cd = t0 + 1 + 4 + 1 + 4 * (1 + 20) + 1;
        EXPECT_CYCLES(rd, t0, cd);
        /* port I: m = t0 + 1, granted at s = cd + 1; nothing shared with D's walk */
        cycle_t s = cd + 1;
        EXPECT_CYCLES(ri, t0, s + 4 + 1 + 4 * (1 + 20) + 1);
        const mmu_stats_t *st = mmu_stats(t->mmu);
        assert_int_equal(st->walk_latency.count, 2);
        assert_int_equal(st->walk_latency.sum, (cd - (t0 + 1)) + (ri.complete_cycle - (t0 + 1)));
        mt_free(t);
    }
    /* both ports miss the same page: port I's L2 lookup happens at its grant, after port D's
     * walk completed and filled the L2 (timing.md "Visibility"): an L2 hit at s + L2 */
    {
        mt_t *t = long_env(NULL, PAGING_4LEVEL, PTB_TABLE_FLAGS, ALL_AD);
        cycle_t t0 = mmu_horizon(t->mmu);
        mmu_result_t rd, ri;
        submit(t, V_NEW3, ACC_EXEC, t0, &ri);
        submit(t, V_NEW3, ACC_READ, t0, &rd);
        mmu_sync(t->mmu);
        mt_expect_how(&rd, MT_WALK);
        EXPECT_CYCLES(rd, t0, t0 + 91);
        mt_expect_how(&ri, MT_L2);
        EXPECT_CYCLES(ri, t0, (t0 + 92) + 4);
        mt_free(t);
    }
    /* a later miss on port I waits for the walker */
    mt_t *t = long_env(NULL, PAGING_4LEVEL, PTB_TABLE_FLAGS, ALL_AD);
    cycle_t t0 = mmu_horizon(t->mmu);
    mmu_result_t rd, ri, ri2;
    submit(t, V_NEW, ACC_READ, t0, &rd);
    submit(t, V_NEW2, ACC_EXEC, t0 + 50, &ri);
    submit(t, V_NEW2 + 8, ACC_EXEC, t0 + 51, &ri2);   /* blocked behind its own port's miss */
    mmu_sync(t->mmu);
    EXPECT_CYCLES(rd, t0, t0 + 91);
    EXPECT_CYCLES(ri, t0 + 50, (t0 + 92) + 4 + 1 + 4 * 21 + 1);
    EXPECT_CYCLES(ri2, ri.complete_cycle + 1, ri.complete_cycle + 2);
    mt_expect_how(&ri2, MT_L1);
    mt_free(t);
}

static void test_back_to_back(void **state)
{
    (void)state;
    for (int l1 = 1; l1 <= 3; l1 += 2) {
        char cfg[32];
        snprintf(cfg, sizeof cfg, "l1_latency=%d", l1);
        const char *cfgs[] = {cfg, NULL};
        mt_t *t = long_env(cfgs, PAGING_4LEVEL, PTB_TABLE_FLAGS, ALL_AD);
        for (size_t i = 0; i < 4; i++)
            at_c(t, layout[i], ACC_READ, mmu_horizon(t->mmu));
        /* one per cycle at consecutive issue cycles */
        cycle_t h = mmu_horizon(t->mmu);
        mmu_result_t r[4];
        for (size_t i = 0; i < 4; i++)
            submit(t, layout[i], ACC_READ, h + i, &r[i]);
        mmu_sync(t->mmu);
        for (size_t i = 0; i < 4; i++) {
            mt_expect_how(&r[i], MT_L1);
            EXPECT_CYCLES(r[i], h + i, h + i + (cycle_t)l1);
        }
        /* all issued in the same cycle: accepted one per cycle */
        h = mmu_horizon(t->mmu);
        for (size_t i = 0; i < 4; i++)
            submit(t, layout[i], ACC_READ, h, &r[i]);
        mmu_sync(t->mmu);
        for (size_t i = 0; i < 4; i++)
            EXPECT_CYCLES(r[i], h + i, h + i + (cycle_t)l1);
        /* a miss blocks its port until it completes */
        h = mmu_horizon(t->mmu);
        submit(t, V_NEW2, ACC_READ, h, &r[0]);
        submit(t, V0, ACC_READ, h + 1, &r[1]);
        mmu_sync(t->mmu);
        EXPECT_CYCLES(r[0], h, h + (cycle_t)l1 + 4 + 1 + 4 * 21 + 1);
        EXPECT_CYCLES(r[1], r[0].complete_cycle + 1, r[0].complete_cycle + 1 + (cycle_t)l1);
        /* paging off / non-canonical: c = a + L1, pipelined */
        h = mmu_horizon(t->mmu);
        submit(t, 0x8000000000000000ull, ACC_READ, h, &r[0]);
        submit(t, 0x8000000000001000ull, ACC_READ, h, &r[1]);
        mmu_sync(t->mmu);
        assert_int_equal(r[0].fault, FAULT_GP);
        EXPECT_CYCLES(r[0], h, h + (cycle_t)l1);
        EXPECT_CYCLES(r[1], h + 1, h + 1 + (cycle_t)l1);
        mt_free(t);
    }
    mt_t *t = mt_newv(NULL);
    mmu_result_t r = at_c(t, 0x1234, ACC_READ, 7);
    EXPECT_CYCLES(r, 7, 8);
    mt_free(t);
}

/* ---- non-default parameters --------------------------------------------------------- */

static void test_params(void **state)
{
    (void)state;
    static const char *cfg[] = {"l1_latency=3", "l2_latency=7", "walk_overhead=2", "mem_latency=5",
                                "pwc_latency=3", "ctrl_latency=4", NULL};
    mt_t *t = mt_new(cfg);
    mt_tables(t, PAGING_4LEVEL);
    for (size_t i = 0; i < NLAYOUT; i++)
        mt_map_in(&t->pt, layout[i], pa_for(layout[i]), 12, i == 0 ? NO_AD : ALL_AD, i == 0 ? NO_AD : PTB_TABLE_FLAGS);
    cycle_t k = mmu_horizon(t->mmu);
    mmu_ctrl_result_t cr;
    assert_int_equal(ctrl_at(t, CTRL_CR4, CR4_PAE, k, &cr), k + 4 + 128);   /* PAE change: F = S */
    mt_enter(t, PAGING_4LEVEL, 0, 0, 0);
    /* V0: A = 0 in all four entries (its tables were created first with NO_AD) */
    cycle_t h = mmu_horizon(t->mmu);
    mmu_result_t r = at_c(t, V0, ACC_READ, h);
    EXPECT_CYCLES(r, h, h + 3 + 7 + 3 + 4 * (2 + 5) + 4 * (2 + 5) + 2);
    /* PDE cache hit, A set */
    h = mmu_horizon(t->mmu);
    r = at_c(t, V_PT, ACC_READ, h);
    EXPECT_CYCLES(r, h, h + 3 + 7 + 3 + 1 * (2 + 5) + 2);
    /* L1 hit, L2 hit */
    h = mmu_horizon(t->mmu);
    r = at_c(t, V_PT, ACC_READ, h);
    EXPECT_CYCLES(r, h, h + 3);
    h = mmu_horizon(t->mmu);
    r = at_c(t, V_PT, ACC_EXEC, h);
    mt_expect_how(&r, MT_L2);
    EXPECT_CYCLES(r, h, h + 3 + 7);
    mt_free(t);

    /* PAE load cost with the same parameters: C + 4 * (O + M) */
    t = mt_new(cfg);
    mt_tables(t, PAGING_PAE);
    mt_map(t, 0x1000, 0x5000, 12, ALL_AD);
    mt_enter(t, PAGING_PAE, 0, 0, 0);
    k = mmu_horizon(t->mmu) + 3;
    assert_int_equal(ctrl_at(t, CTRL_CR3, ptb_cr3(&t->pt), k, &cr), k + 4 + 4 * (2 + 5) + 128);
    mt_free(t);
}

/* ---- dram memory model -------------------------------------------------------------- */

typedef struct {
    unsigned banks, row_bytes, hit, miss;
    uint64_t open[64];
    bool valid[64];
} dram_ref_t;

static unsigned dram_ref(dram_ref_t *d, paddr_t pa)
{
    uint64_t bank = (pa / d->row_bytes) % d->banks, row = pa / ((uint64_t)d->row_bytes * d->banks);
    bool hit = d->valid[bank] && d->open[bank] == row;
    d->valid[bank] = true;
    d->open[bank] = row;
    return hit ? d->hit : d->miss;
}

static void test_dram_hand(void **state)
{
    (void)state;
    /* one bank, 64 KiB rows: the tables (first frames from 0x100000) share one row.
     * Cold walk with A = 0: read L4 (miss) + 3 reads (hit) + 4 A writes (hit). */
    static const char *cfg1[] = {"mem_model=dram", "dram_banks=1", "dram_row_bytes=65536", "dram_row_hit=12",
                                 "dram_row_miss=36", NULL};
    mt_t *t = long_env(cfg1, PAGING_4LEVEL, NO_AD, NO_AD);
    cycle_t h = mmu_horizon(t->mmu);
    mmu_result_t r = at_c(t, V0, ACC_READ, h);
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + (1 + 36) + 3 * (1 + 12) + 4 * (1 + 12) + 1);
    /* PDE cache hit: PTE read (row open: hit) + A write (hit) */
    h = mmu_horizon(t->mmu);
    r = at_c(t, V_PT, ACC_READ, h);
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + 2 * (1 + 12) + 1);
    mt_free(t);

    /* one bank, 256-byte rows: consecutive operations always change rows: all misses */
    static const char *cfg2[] = {"mem_model=dram", "dram_banks=1", "dram_row_bytes=256", NULL};
    t = long_env(cfg2, PAGING_4LEVEL, NO_AD, NO_AD);
    h = mmu_horizon(t->mmu);
    r = at_c(t, V0, ACC_READ, h);
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + 8 * (1 + 36) + 1);
    /* V_PT's PTE (PT + 0x28) is in the row of V0's PTE (PT + 0x20), written last: hit, then its A write: hit */
    h = mmu_horizon(t->mmu);
    r = at_c(t, V_PT, ACC_READ, h);
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + 2 * (1 + 12) + 1);
    /* V_PD: PDPTE cache hit; its PDE (PD + 0x28) is in the row just used? no: PD row, then new PT row */
    h = mmu_horizon(t->mmu);
    r = at_c(t, V_PD, ACC_READ, h);
    assert_int_equal(r.pwc_hit, 3);
    /* PDE read (miss: row of the PD), PT read (miss), PDE A write (miss), PTE A write (miss) */
    EXPECT_CYCLES(r, h, h + 1 + 4 + 1 + 4 * (1 + 36) + 1);
    mt_free(t);
}

/* Against a reference of the dram rules over the observed operation trace, with 8 banks. */
static void test_dram_trace(void **state)
{
    (void)state;
    static const char *cfg[] = {"mem_model=dram", "dram_banks=8", "dram_row_bytes=2048", "dram_row_hit=10",
                                "dram_row_miss=30", "walk_overhead=2", NULL};
    mt_t *t = long_env(cfg, PAGING_4LEVEL, NO_AD, NO_AD);
    dram_ref_t d;
    memset(&d, 0, sizeof d);
    d.banks = 8;
    d.row_bytes = 2048;
    d.hit = 10;
    d.miss = 30;
    mt_ops_t ops;
    unsigned hits = 0, misses = 0;
    for (size_t i = 0; i < NLAYOUT; i++) {
        for (int acc = 0; acc < 2; acc++) {
            mt_ops_start(t, &ops);
            cycle_t h = mmu_horizon(t->mmu);
            mmu_result_t r = at_c(t, layout[i], acc ? ACC_WRITE : ACC_READ, h);
            mt_ops_stop(t);
            assert_int_equal(r.fault, FAULT_NONE);
            if (!r.walked) {
                assert_int_equal(ops.n, 0);
                continue;
            }
            assert_true(ops.n > 0 && ops.n <= MT_MAX_OPS);
            assert_int_equal(ops.n, r.mem_reads + r.mem_writes);
            /* w = s + L2 + P = a + 1 + 4 + 1; op k issued O after the previous completes */
            cycle_t issue = h + 1 + 4 + 1 + 2;
            for (int k = 0; k < ops.n; k++) {
                unsigned lat = dram_ref(&d, ops.op[k].pa);
                lat == d.hit ? hits++ : misses++;
                if (ops.op[k].issue_cycle != issue || ops.op[k].complete_cycle != issue + lat)
                    fail_msg("va %#llx op %d pa %#llx: issue %llu complete %llu, expected %llu %llu",
                             (unsigned long long)layout[i], k, (unsigned long long)ops.op[k].pa,
                             (unsigned long long)ops.op[k].issue_cycle, (unsigned long long)ops.op[k].complete_cycle,
                             (unsigned long long)issue, (unsigned long long)(issue + lat));
                issue += lat + 2;
            }
            assert_int_equal(r.complete_cycle, issue);   /* last completion + O */
        }
    }
    assert_true(hits > 0 && misses > 0);
    mt_free(t);
}

/* The walk's operations: entry reads top-down at the entries' addresses, then the A/D writes. */
static void test_memop_order(void **state)
{
    (void)state;
    mt_t *t = long_env(NULL, PAGING_4LEVEL, NO_AD, NO_AD);
    mt_ops_t ops;
    paddr_t e[5];
    uint64_t v[5];
    for (int l = 4; l >= 1; l--) {
        e[l] = mt_entry_pa(t, V0, l);
        v[l] = ptb_read_entry(&t->pt, e[l]);
    }
    mt_ops_start(t, &ops);
    mmu_result_t r = mt_wr(t, V0);
    mt_ops_stop(t);
    assert_int_equal(r.fault, FAULT_NONE);
    assert_int_equal(ops.n, 8);
    for (int k = 0; k < 4; k++) {
        int l = 4 - k;
        assert_false(ops.op[k].is_write);
        assert_int_equal(ops.op[k].pa, e[l]);
        assert_int_equal(ops.op[k].size, 8);
        assert_int_equal(ops.op[k].value, v[l]);
        assert_true(ops.op[4 + k].is_write);
        assert_int_equal(ops.op[4 + k].pa, e[l]);
        assert_int_equal(ops.op[4 + k].value, v[l] | PTE_A | (l == 1 ? PTE_D : 0));
    }
    for (int k = 1; k < 8; k++)
        assert_int_equal(ops.op[k].issue_cycle, ops.op[k - 1].complete_cycle + 1);
    mt_free(t);
}

/* ---- submission rules ------------------------------------------------------------- */

static void test_submit_rules(void **state)
{
    (void)state;
    mt_t *t = long_env(NULL, PAGING_4LEVEL, PTB_TABLE_FLAGS, ALL_AD);
    cycle_t h = mmu_horizon(t->mmu);
    mmu_req_t q;
    mmu_result_t r;
    memset(&q, 0, sizeof q);
    q.va = V0;
    q.issue_cycle = h - 1;
    assert_int_equal(mmu_submit(t->mmu, &q, &r), -1);          /* before the horizon */
    q.issue_cycle = h + 5;
    assert_int_equal(mmu_submit(t->mmu, &q, &r), 0);
    q.issue_cycle = h + 4;
    assert_int_equal(mmu_submit(t->mmu, &q, &r), -1);          /* decreasing */
    q.issue_cycle = h + 5;
    assert_int_equal(mmu_submit(t->mmu, &q, &r), 0);           /* equal is fine */
    mmu_sync(t->mmu);
    cycle_t h2 = mmu_horizon(t->mmu);
    assert_true(h2 > h + 5);
    q.issue_cycle = h2 - 1;
    assert_int_equal(mmu_translate(t->mmu, &q, &r), -1);
    q.issue_cycle = 0;
    assert_int_equal(mmu_submit(t->mmu, &q, &r), -1);
    /* control operations: an issue cycle below the last submission's is refused; one
     * below the horizon waits for idle (k = max(t, idle)) */
    mmu_ctrl_t op;
    mmu_ctrl_result_t cr;
    memset(&op, 0, sizeof op);
    op.kind = CTRL_INVLPG;
    op.issue_cycle = h + 4;
    assert_int_equal(mmu_control(t->mmu, &op, &cr), -1);
    op.issue_cycle = h2 - 1;
    assert_int_equal(mmu_control(t->mmu, &op, &cr), 0);
    assert_int_equal(cr.accept_cycle, h2);
    assert_int_equal(cr.complete_cycle, h2 + 1 + 1);
    assert_int_equal(mmu_horizon(t->mmu), cr.complete_cycle + 1);
    /* the refused submissions queued nothing */
    assert_int_equal(mmu_stats(t->mmu)->requests, 2);
    mt_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cold_walk_and_hits),
        cmocka_unit_test(test_ad_writes),
        cmocka_unit_test(test_pwc_levels),
        cmocka_unit_test(test_five_level),
        cmocka_unit_test(test_no_pwc),
        cmocka_unit_test(test_pae_and_32bit),
        cmocka_unit_test(test_control_costs),
        cmocka_unit_test(test_invalidation_costs),
        cmocka_unit_test(test_pae_pdpte_not_present_timing),
        cmocka_unit_test(test_ports_overlap),
        cmocka_unit_test(test_ports_both_miss),
        cmocka_unit_test(test_back_to_back),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_dram_hand),
        cmocka_unit_test(test_dram_trace),
        cmocka_unit_test(test_memop_order),
        cmocka_unit_test(test_submit_rules),
    };
    return cmocka_run_group_tests(tests, NULL, mt_teardown);
}
