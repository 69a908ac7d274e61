/* Directed tests of the RTL (through sim/rtl/rtl_mmu.c). Expected values are written
 * from docs/semantics.md and docs/timing.md, with the latency symbols of this build
 * (L1, L2, P, O, C, M, S); every operation is also compared with the C model. */
#include "rtltest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rtl_shim.h"

#define PF_NP   0u
#define FL      (PTE_P | PTE_RW | PTE_US | PTE_A)   /* a user, writable, accessed leaf */

/* Deepest PWC level the mode has entries for (the level a re-walk starts below). */
static int pwc_deepest(const rt_t *t, paging_mode_t mode)
{
    if (t->cfg.pwc_pd_entries)
        return 2;
    if (mode >= PAGING_4LEVEL && t->cfg.pwc_pdpt_entries)
        return 3;
    if (mode >= PAGING_4LEVEL && t->cfg.pwc_pml4_entries)
        return 4;
    if (mode == PAGING_5LEVEL && t->cfg.pwc_pml5_entries)
        return 5;
    return 0;
}

/* Cycles of a walk with n memory operations after the grant (L2 miss). */
static cycle_t walk_cycles(const rt_t *t, paging_mode_t mode, unsigned n)
{
    return rt_L2(t) + rt_P(t, mode) + n * (rt_O(t) + rt_M(t)) + rt_O(t);
}

static void expect_walk(const rt_t *t, const mmu_result_t *r, paging_mode_t mode, unsigned reads, unsigned writes)
{
    assert_true(r->walked);
    assert_int_equal(r->tlb_hit, TLB_HIT_NONE);
    assert_int_equal(r->mem_reads, reads);
    assert_int_equal(r->mem_writes, writes);
    if (t->cfg.mem_model == MEM_FIXED)       /* dram: per-access latencies, checked against the model */
        assert_int_equal(r->complete_cycle, r->accept_cycle + rt_L1(t) + walk_cycles(t, mode, reads + writes));
}

static void expect_l1_hit(const rt_t *t, const mmu_result_t *r, paddr_t pa)
{
    assert_int_equal(r->fault, FAULT_NONE);
    assert_int_equal(r->tlb_hit, TLB_HIT_L1);
    assert_false(r->walked);
    assert_int_equal(r->pa, pa);
    assert_int_equal(r->complete_cycle, r->accept_cycle + rt_L1(t));
}

static void expect_pf(const mmu_result_t *r, uint32_t ec, vaddr_t cr2)
{
    assert_int_equal(r->fault, FAULT_PF);
    assert_int_equal(r->error_code, ec);
    assert_int_equal(r->cr2, cr2);
    assert_int_equal(r->page_shift, 0);
}

/* --- paging off ---------------------------------------------------------------------- */

static void test_paging_off(void **state)
{
    (void)state;
    rt_t *t = rt_new();
    mmu_result_t r = rt_rd(t, 0xffff000012345678ull);   /* VA bits 63:32 are ignored */
    assert_int_equal(r.fault, FAULT_NONE);
    assert_int_equal(r.pa, 0x12345678);
    assert_int_equal(r.tlb_hit, TLB_HIT_NONE);
    assert_int_equal(r.page_shift, 0);
    assert_int_equal(r.accept_cycle, 0);
    assert_int_equal(r.complete_cycle, rt_L1(t));
    r = rt_fetch(t, 0x1000);
    assert_int_equal(r.complete_cycle, r.accept_cycle + rt_L1(t));
    rt_expect_model_agrees(t);
    rt_free(t);
}

/* --- 4-level: the worked example, hits, dirty assist --------------------------------- */

static void test_4level_walk_hit_dirty(void **state)
{
    (void)state;
    rt_t *t = rt_new();
    rt_tables(t, PAGING_4LEVEL);
    rt_map(t, 0x7f0000401000ull, 0x2345000, 12, FL);
    rt_enter(t, PAGING_4LEVEL, 0, 0, 0);

    mmu_result_t r = rt_rd(t, 0x7f0000401abcull);
    assert_int_equal(r.fault, FAULT_NONE);
    assert_int_equal(r.pa, 0x2345abc);
    assert_int_equal(r.page_shift, 12);
    assert_int_equal(r.pwc_hit, 0);
    expect_walk(t, &r, PAGING_4LEVEL, 4, 0);
    if (t->cfg.mem_latency == 20 && t->cfg.l1_latency == 1 && t->cfg.l2tlb)
        assert_int_equal(r.complete_cycle - r.accept_cycle, 91);   /* timing.md worked example */

    r = rt_rd(t, 0x7f0000401ff8ull);
    expect_l1_hit(t, &r, 0x2345ff8);
    assert_int_equal(r.page_shift, 12);

    /* a write to a clean page: the L1 (and L2) drop the entry, the walk sets D */
    r = rt_wr(t, 0x7f0000401010ull);
    assert_int_equal(r.fault, FAULT_NONE);
    assert_true(r.dirty_assist);
    assert_int_equal(r.pwc_hit, pwc_deepest(t, PAGING_4LEVEL));
    unsigned reads = (unsigned)(pwc_deepest(t, PAGING_4LEVEL) ? pwc_deepest(t, PAGING_4LEVEL) - 1 : 4);
    expect_walk(t, &r, PAGING_4LEVEL, reads, 1);
    assert_true(rt_entry(t, 0x7f0000401000ull, 1) & PTE_D);

    r = rt_wr(t, 0x7f0000401020ull);       /* now dirty: an L1 hit */
    expect_l1_hit(t, &r, 0x2345020);
    rt_expect_model_agrees(t);
    rt_free(t);
}

/* A/D: A=0 everywhere costs one write per entry, top down; a faulting walk writes nothing. */
static void test_accessed_dirty(void **state)
{
    (void)state;
    rt_t *t = rt_new();
    rt_tables(t, PAGING_4LEVEL);
    rt_map_tf(t, 0x1000, 0x5000, 12, PTE_P | PTE_RW, PTE_P | PTE_RW);
    rt_map_tf(t, 0x40000000ull, 0x9000, 12, PTE_P, PTE_P | PTE_RW);   /* read-only leaf, A=0 */
    rt_enter(t, PAGING_4LEVEL, CR0_WP, 0, 0);

    mmu_result_t r = rt_rd(t, 0x1008);
    expect_walk(t, &r, PAGING_4LEVEL, 4, 4);
    if (t->cfg.mem_latency == 20 && t->cfg.l1_latency == 1 && t->cfg.l2tlb)
        assert_int_equal(r.complete_cycle - r.accept_cycle, 175);  /* 91 + 4 x 21 */
    for (int lv = 1; lv <= 4; lv++) {
        assert_true(rt_entry(t, 0x1000, lv) & PTE_A);
        assert_false(rt_entry(t, 0x1000, lv) & PTE_D && lv == 1);
    }

    r = rt_wr(t, 0x40000000ull);            /* WP=1: write to read-only faults, no A set */
    expect_pf(&r, PFEC_P | PFEC_W, 0x40000000ull);
    assert_false(rt_entry(t, 0x40000000ull, 1) & PTE_A);
    assert_int_equal(r.mem_writes, 0);
    rt_expect_model_agrees(t);
    rt_free(t);
}

/* --- leaf sizes in each mode ------------------------------------------------------------- */

static void test_4level_large_pages(void **state)
{
    (void)state;
    rt_t *t = rt_new();
    rt_tables(t, PAGING_4LEVEL);
    rt_map(t, 0x40000000ull, 0x80000000ull, 30, FL | PTE_D);
    rt_map(t, 0x00600000ull, 0x00a00000ull, 21, FL | PTE_D);
    rt_enter(t, PAGING_4LEVEL, 0, 0, 0);

    mmu_result_t r = rt_wr(t, 0x4abcdef0ull);
    assert_int_equal(r.fault, FAULT_NONE);
    assert_int_equal(r.pa, 0x8abcdef0ull);
    assert_int_equal(r.page_shift, 30);
    expect_walk(t, &r, PAGING_4LEVEL, 2, 0);
    r = rt_rd(t, 0x40000008ull);
    if (rt_has_class(t, TLB_DTLB, PSC_1G))
        expect_l1_hit(t, &r, 0x80000008ull);
    r = rt_rd(t, 0x6ffff0);
    assert_int_equal(r.pa, 0xaffff0);
    assert_int_equal(r.page_shift, 21);
    r = rt_rd(t, 0x600010);
    expect_l1_hit(t, &r, 0xa00010);
    rt_expect_model_agrees(t);
    rt_free(t);
}

static void test_5level(void **state)
{
    (void)state;
    rt_t *t = rt_new();
    rt_tables(t, PAGING_5LEVEL);
    vaddr_t va = rt_canon(0x00ab123456789000ull, 57);
    rt_map(t, va, 0x3456000, 12, FL);
    rt_enter(t, PAGING_5LEVEL, 0, 0, 0);
    mmu_result_t r = rt_rd(t, va + 0x10);
    assert_int_equal(r.pa, 0x3456010);
    expect_walk(t, &r, PAGING_5LEVEL, 5, 0);
    r = rt_rd(t, va + 0x18);
    expect_l1_hit(t, &r, 0x3456018);
    /* bits 63:57 must copy bit 56 */
    r = rt_rd(t, va ^ (1ull << 60));
    assert_int_equal(r.fault, FAULT_GP);
    assert_int_equal(r.complete_cycle, r.accept_cycle + rt_L1(t));
    rt_expect_model_agrees(t);
    rt_free(t);
}

static void test_32bit(void **state)
{
    (void)state;
    rt_t *t = rt_new();
    rt_tables(t, PAGING_32);
    rt_map(t, 0x00401000, 0x00777000, 12, FL);
    rt_map(t, 0x00800000, 0x3c00000ull | (0x12ull << 32), 22, FL | PTE_D);   /* PSE-36 */
    rt_enter(t, PAGING_32, 0, CR4_PSE, 0);
    mmu_result_t r = rt_rd(t, 0x00401234);
    assert_int_equal(r.pa, 0x777234);
    expect_walk(t, &r, PAGING_32, 2, 0);
    r = rt_rd(t, 0xabcd000000401238ull);                  /* 32-bit linear address */
    expect_l1_hit(t, &r, 0x777238);
    r = rt_wr(t, 0x00a12345);
    assert_int_equal(r.fault, FAULT_NONE);
    assert_int_equal(r.page_shift, 22);
    assert_int_equal(r.pa, (0x12ull << 32) | 0x3e12345ull);
    r = rt_rd(t, 0x00800010);
    if (rt_has_class(t, TLB_DTLB, PSC_2M))
        expect_l1_hit(t, &r, (0x12ull << 32) | 0x3c00010ull);
    /* not present PDE */
    r = rt_rd(t, 0x40000000);
    expect_pf(&r, PF_NP, 0x40000000);
    assert_int_equal(r.mem_reads, 1);
    rt_expect_model_agrees(t);
    rt_free(t);
}

static void test_pae(void **state)
{
    (void)state;
    rt_t *t = rt_new();
    rt_tables(t, PAGING_PAE);
    rt_map(t, 0x00401000, 0x00555000, 12, FL);
    rt_map(t, 0x40200000, 0x01e00000, 21, FL | PTE_D);
    rt_enter(t, PAGING_PAE, 0, 0, EFER_NXE);
    mmu_arch_t a = rt_arch(t);
    assert_true(a.pdpte[0] & PTE_P);
    assert_true(a.pdpte[1] & PTE_P);
    assert_false(a.pdpte[3] & PTE_P);

    /* CR3 write in PAE: 4 PDPTE loads, then a selective flush */
    mmu_ctrl_result_t c = rt_ctrl(t, CTRL_CR3, ptb_cr3(&t->pt[1]));
    assert_int_equal(c.fault, FAULT_NONE);
    assert_int_equal(c.mem_reads, 4);
    if (t->cfg.mem_model == MEM_FIXED)
        assert_int_equal(c.complete_cycle, c.accept_cycle + rt_C(t) + 4 * (rt_O(t) + rt_M(t)) + rt_S(t));

    mmu_result_t r = rt_rd(t, 0x00401008);
    assert_int_equal(r.pa, 0x555008);
    expect_walk(t, &r, PAGING_PAE, 2, 0);
    r = rt_rd(t, 0x40300000);
    assert_int_equal(r.pa, 0x01f00000);
    assert_int_equal(r.page_shift, 21);
    /* PDPTE register 3 not present: #PF without a memory read */
    r = rt_fetch(t, 0xc0000000);
    expect_pf(&r, PFEC_I, 0xc0000000);
    assert_int_equal(r.mem_reads, 0);
    assert_int_equal(r.complete_cycle, r.accept_cycle + rt_L1(t) + walk_cycles(t, PAGING_PAE, 0));

    /* a present PDPTE with a reserved bit: the CR3 load fails with #GP, nothing changes */
    rt_poke64(t, (t->pt[1].root & ~31ull) + 24, PTE_P | (1ull << 5) | 0x7000);
    uint64_t cr3 = rt_arch(t).cr3;
    c = rt_ctrl(t, CTRL_CR3, ptb_cr3(&t->pt[1]));
    assert_int_equal(c.fault, FAULT_GP);
    assert_int_equal(c.mem_reads, 4);
    if (t->cfg.mem_model == MEM_FIXED)
        assert_int_equal(c.complete_cycle, c.accept_cycle + rt_C(t) + 4 * (rt_O(t) + rt_M(t)));
    assert_int_equal(rt_arch(t).cr3, cr3);
    rt_expect_model_agrees(t);
    rt_free(t);
}

/* --- faults ------------------------------------------------------------------------------- */

static void test_faults(void **state)
{
    (void)state;
    rt_t *t = rt_new();
    unsigned m = (unsigned)t->cfg.maxphyaddr;
    rt_tables(t, PAGING_4LEVEL);
    rt_map(t, 0x1000, 0x11000, 12, FL);                                 /* user, rw */
    rt_map(t, 0x2000, 0x12000, 12, PTE_P | PTE_A | PTE_D);              /* supervisor, ro */
    rt_map(t, 0x3000, 0x13000, 12, FL | PTE_XD);                        /* user, nx */
    rt_map(t, 0x4000, 0x14000, 12, FL);                                 /* becomes reserved */
    rt_map(t, 0x8000000000ull, 0x15000, 12, FL);                        /* second PML4 entry */
    rt_enter(t, PAGING_4LEVEL, CR0_WP, CR4_SMEP | CR4_SMAP, EFER_NXE);

    mmu_result_t r = rt_user(t, 0x2000, ACC_READ);                     /* user -> supervisor page */
    expect_pf(&r, PFEC_P | PFEC_U, 0x2000);
    r = rt_wr(t, 0x2000);                                              /* WP */
    expect_pf(&r, PFEC_P | PFEC_W, 0x2000);
    r = rt_user(t, 0x3000, ACC_EXEC);                                  /* NX */
    expect_pf(&r, PFEC_P | PFEC_U | PFEC_I, 0x3000);
    r = rt_fetch(t, 0x1000);                                           /* SMEP */
    expect_pf(&r, PFEC_P | PFEC_I, 0x1000);
    r = rt_rd(t, 0x1000);                                              /* SMAP, AC=0 */
    expect_pf(&r, PFEC_P, 0x1000);
    r = rt_access(t, 0x1000, ACC_READ, 0, true, false);                /* AC=1: allowed */
    assert_int_equal(r.fault, FAULT_NONE);
    r = rt_access(t, 0x1010, ACC_READ, 0, true, true);                 /* implicit: SMAP anyway */
    expect_pf(&r, PFEC_P, 0x1010);
    assert_int_equal(r.tlb_hit, TLB_HIT_NONE);                         /* recheck drops the hit */
    r = rt_user(t, 0x1000, ACC_WRITE);
    assert_int_equal(r.fault, FAULT_NONE);

    /* reserved bits: 51:M in the PTE, then XD with NXE=0, then PS in a PML4E */
    rt_entry_write(t, 0x4000, 1, rt_entry(t, 0x4000, 1) | (1ull << m));
    r = rt_rd(t, 0x4000);
    expect_pf(&r, PFEC_P | PFEC_RSVD, 0x4000);
    rt_entry_write(t, 0x8000000000ull, 4, rt_entry(t, 0x8000000000ull, 4) | PTE_PS);
    r = rt_user(t, 0x8000000100ull, ACC_WRITE);
    expect_pf(&r, PFEC_P | PFEC_RSVD | PFEC_W | PFEC_U, 0x8000000100ull);
    assert_int_equal(r.mem_reads, 1);
    rt_ctrl_ok(t, CTRL_EFER, EFER_LME);                                /* NXE off: bit 63 reserved */
    r = rt_user(t, 0x3008, ACC_READ);
    expect_pf(&r, PFEC_P | PFEC_RSVD | PFEC_U, 0x3008);

    /* not present, non-canonical */
    r = rt_rd(t, 0x7f0000000000ull);
    expect_pf(&r, PF_NP, 0x7f0000000000ull);
    uint64_t cr2 = rt_arch(t).cr2;
    r = rt_rd(t, 0x0000800000000000ull);
    assert_int_equal(r.fault, FAULT_GP);
    assert_int_equal(r.error_code, 0);
    assert_int_equal(r.cr2, cr2);
    assert_int_equal(r.complete_cycle, r.accept_cycle + rt_L1(t));
    rt_expect_model_agrees(t);
    rt_free(t);
}

/* CR2 gets the full VA in 4/5-level paging (semantics.md section 3). */
static void test_cr2_upper_half(void **state)
{
    (void)state;
    rt_t *t = rt_new();
    rt_tables(t, PAGING_4LEVEL);
    rt_map(t, 0xffff800000001000ull, 0x7000, 12, FL);
    rt_enter(t, PAGING_4LEVEL, 0, 0, 0);
    mmu_result_t r = rt_rd(t, 0xffff800000001008ull);
    assert_int_equal(r.pa, 0x7008);
    r = rt_rd(t, 0xffff800000005000ull);
    expect_pf(&r, PF_NP, 0xffff800000005000ull);
    assert_int_equal(rt_arch(t).cr2, 0xffff800000005000ull);
    rt_expect_model_agrees(t);
    rt_free(t);
}

/* --- control registers ------------------------------------------------------------------------- */

static void test_illegal_cr_writes(void **state)
{
    (void)state;
    rt_t *t = rt_new();
    struct { mmu_ctrl_kind_t kind; uint64_t value; } gp0[] = {
        { CTRL_CR0, 1ull << 32 },                 /* bits 63:32 */
        { CTRL_CR0, CR0_PG },                     /* PG without PE */
        { CTRL_CR4, 1ull << 40 },
        { CTRL_CR4, 1ull << 27 },                 /* LASS: not implemented */
        { CTRL_CR4, 1ull << 23 },                 /* CET */
        { CTRL_CR4, CR4_PCIDE },                  /* PCIDE while LMA=0 */
        { CTRL_EFER, 1ull << 1 },                 /* unknown bit */
    };
    for (size_t i = 0; i < sizeof gp0 / sizeof gp0[0]; i++) {
        mmu_ctrl_result_t c = rt_ctrl(t, gp0[i].kind, gp0[i].value);
        assert_int_equal(c.fault, FAULT_GP);
        assert_int_equal(c.complete_cycle, c.accept_cycle + rt_C(t));
    }
    mmu_arch_t a = rt_arch(t);
    assert_int_equal(a.cr0 | a.cr4 | a.efer, 0);
    /* setting PG with LME=1 and PAE=0 */
    rt_ctrl_ok(t, CTRL_EFER, EFER_LME);
    assert_int_equal(rt_ctrl(t, CTRL_CR0, CR0_PE | CR0_PG).fault, FAULT_GP);
    /* LMA is read-only */
    rt_ctrl_ok(t, CTRL_EFER, EFER_LME | EFER_LMA);
    assert_int_equal(rt_arch(t).efer, EFER_LME);

    rt_tables(t, PAGING_4LEVEL);
    rt_enter(t, PAGING_4LEVEL, 0, 0, 0);
    assert_int_equal(rt_arch(t).efer, EFER_LME | EFER_LMA);
    assert_int_equal(rt_ctrl(t, CTRL_EFER, 0).fault, FAULT_GP);                       /* LME with PG=1 */
    assert_int_equal(rt_ctrl(t, CTRL_CR4, 0).fault, FAULT_GP);                        /* PAE off, LMA=1 */
    assert_int_equal(rt_ctrl(t, CTRL_CR4, CR4_PAE | CR4_LA57).fault, FAULT_GP);       /* LA57, LMA=1 */
    uint64_t cr3 = rt_arch(t).cr3;
    assert_int_equal(rt_ctrl(t, CTRL_CR3, cr3 | (1ull << t->cfg.maxphyaddr)).fault, FAULT_GP);
    assert_int_equal(rt_ctrl(t, CTRL_CR3, cr3 | CR3_NOFLUSH).fault, FAULT_GP);        /* PCIDE=0 */
    rt_ctrl_ok(t, CTRL_CR3, cr3 | 5);                                                 /* PWT/PCD bits */
    assert_int_equal(rt_ctrl(t, CTRL_CR4, CR4_PAE | CR4_PCIDE).fault, FAULT_GP);      /* CR3[11:0] != 0 */
    rt_ctrl_ok(t, CTRL_CR3, cr3);
    rt_ctrl_ok(t, CTRL_CR4, CR4_PAE | CR4_PCIDE);
    assert_int_equal(rt_ctrl(t, CTRL_CR0, CR0_PE).fault, FAULT_GP);                   /* PG off, PCIDE=1 */
    rt_expect_model_agrees(t);
    rt_free(t);
}

/* --- PCID and invalidations ----------------------------------------------------------------------- */

static void test_pcid_and_invalidations(void **state)
{
    (void)state;
    rt_t *t = rt_new();
    rt_tables(t, PAGING_4LEVEL);
    rt_map(t, 0x1000, 0x21000, 12, FL);
    rt_map(t, 0x2000, 0x22000, 12, FL | PTE_G);
    rt_map(t, 0x3000, 0x23000, 12, FL);
    uint64_t root = ptb_cr3(&t->pt[1]);
    rt_enter(t, PAGING_4LEVEL, 0, CR4_PGE | CR4_PCIDE, 0);
    rt_ctrl_ok(t, CTRL_CR3, root | 1);                    /* PCID 1 */
    assert_int_equal(rt_arch(t).pcid, 1);

    assert_true(rt_rd(t, 0x1000).walked);
    assert_true(rt_rd(t, 0x2000).walked);
    assert_true(rt_rd(t, 0x3000).walked);
    expect_l1_hit(t, (mmu_result_t[]){ rt_rd(t, 0x1008) }, 0x21008);

    /* PCID 2 (no flush of PCID 1): only the global entry hits */
    mmu_ctrl_result_t c = rt_ctrl(t, CTRL_CR3, root | 2 | CR3_NOFLUSH);
    assert_int_equal(c.complete_cycle, c.accept_cycle + rt_C(t));          /* F = 0 */
    assert_int_equal(c.tlb_invalidated, 0);
    assert_int_equal(rt_arch(t).cr3, root | 2);                              /* bit 63 not stored */
    assert_true(rt_rd(t, 0x1000).walked);
    expect_l1_hit(t, (mmu_result_t[]){ rt_rd(t, 0x2000) }, 0x22000);
    /* back to PCID 1 without flush: its entries survived */
    rt_ctrl_ok(t, CTRL_CR3, root | 1 | CR3_NOFLUSH);
    expect_l1_hit(t, (mmu_result_t[]){ rt_rd(t, 0x3000) }, 0x23000);

    /* INVLPG: one page of the current PCID, F = 1 */
    c = rt_invlpg(t, 0x3000);
    assert_int_equal(c.fault, FAULT_NONE);
    assert_int_equal(c.complete_cycle, c.accept_cycle + rt_C(t) + 1);
    assert_true(c.tlb_invalidated >= 1);
    assert_true(rt_rd(t, 0x3000).walked);
    expect_l1_hit(t, (mmu_result_t[]){ rt_rd(t, 0x1000) }, 0x21000);
    /* INVLPG of a non-canonical address: a no-op */
    c = rt_invlpg(t, 0x0000900000000000ull);
    assert_int_equal(c.fault, FAULT_NONE);
    assert_int_equal(c.complete_cycle, c.accept_cycle + rt_C(t));

    /* INVPCID 0 (address, not global), 1 (context), 3 (all but global), 2 (everything) */
    c = rt_invpcid(t, 0, 1, 0x1000);
    assert_int_equal(c.complete_cycle, c.accept_cycle + rt_C(t) + 1);
    assert_true(rt_rd(t, 0x1000).walked);
    c = rt_invpcid(t, 1, 1, 0);
    assert_int_equal(c.complete_cycle, c.accept_cycle + rt_C(t) + rt_S(t));
    assert_true(rt_rd(t, 0x1000).walked);
    expect_l1_hit(t, (mmu_result_t[]){ rt_rd(t, 0x2000) }, 0x22000);         /* global survives */
    c = rt_invpcid(t, 3, 0, 0);
    assert_int_equal(c.complete_cycle, c.accept_cycle + rt_C(t) + rt_S(t));
    expect_l1_hit(t, (mmu_result_t[]){ rt_rd(t, 0x2000) }, 0x22000);
    c = rt_invpcid(t, 2, 0, 0);
    assert_int_equal(c.complete_cycle, c.accept_cycle + rt_C(t) + 1);
    assert_true(rt_rd(t, 0x2000).walked);
    /* INVPCID #GP: type > 3, PCID > 4095, non-canonical type 0 */
    assert_int_equal(rt_invpcid(t, 4, 0, 0).fault, FAULT_GP);
    assert_int_equal(rt_invpcid(t, 1, 4096, 0).fault, FAULT_GP);
    assert_int_equal(rt_invpcid(t, 0, 1, 0x0000800000000000ull).fault, FAULT_GP);

    /* CR4: SMEP 0->1 flushes the current PCID (selective), PGE change flushes all (F = 1) */
    rt_rd(t, 0x1000);
    c = rt_ctrl(t, CTRL_CR4, CR4_PAE | CR4_PGE | CR4_PCIDE | CR4_SMEP);
    assert_int_equal(c.complete_cycle, c.accept_cycle + rt_C(t) + rt_S(t));
    assert_true(rt_rd(t, 0x1000).walked);
    c = rt_ctrl(t, CTRL_CR4, CR4_PAE | CR4_PCIDE | CR4_SMEP);
    assert_int_equal(c.complete_cycle, c.accept_cycle + rt_C(t) + 1);
    assert_int_equal(rt_arch(t).pcid, 1);
    /* CR3 with PCIDE=1, bit 63 = 0: non-global entries of the new PCID, F = S */
    c = rt_ctrl(t, CTRL_CR3, root | 1);
    assert_int_equal(c.complete_cycle, c.accept_cycle + rt_C(t) + rt_S(t));
    rt_expect_model_agrees(t);
    rt_free(t);
}

static void test_cr0_pg_off_flushes(void **state)
{
    (void)state;
    rt_t *t = rt_new();
    rt_tables(t, PAGING_32);
    rt_map(t, 0x1000, 0x9000, 12, FL);
    rt_enter(t, PAGING_32, 0, CR4_PGE, 0);
    rt_rd(t, 0x1000);
    mmu_ctrl_result_t c = rt_ctrl(t, CTRL_CR0, CR0_PE);
    assert_int_equal(c.complete_cycle, c.accept_cycle + rt_C(t) + 1);
    assert_true(c.tlb_invalidated >= 1);
    rt_ctrl_ok(t, CTRL_CR0, CR0_PE | CR0_PG);
    assert_true(rt_rd(t, 0x1000).walked);
    rt_expect_model_agrees(t);
    rt_free(t);
}

/* --- two ports, overlap, replacement ------------------------------------------------------------- */

static void test_two_ports_overlap(void **state)
{
    (void)state;
    rt_t *t = rt_new();
    rt_tables(t, PAGING_4LEVEL);
    for (int i = 0; i < 8; i++)
        rt_map(t, 0x10000 + 0x1000ull * (unsigned)i, 0x100000 + 0x1000ull * (unsigned)i, 12, FL | PTE_D);
    rt_enter(t, PAGING_4LEVEL, 0, 0, 0);
    rt_rd(t, 0x10000);
    rt_fetch(t, 0x11000);
    cycle_t h = rtl_mmu_horizon(t->rtl);
    /* D misses while I streams hits; then both miss in the same cycle (D first) */
    mmu_req_t reqs[] = {
        { .va = 0x12000, .access = ACC_READ, .issue_cycle = h },
        { .va = 0x11000, .access = ACC_EXEC, .issue_cycle = h },
        { .va = 0x11008, .access = ACC_EXEC, .issue_cycle = h + 1 },
        { .va = 0x11010, .access = ACC_EXEC, .issue_cycle = h + 2 },
        { .va = 0x13000, .access = ACC_EXEC, .issue_cycle = h + 3 },
        { .va = 0x10000, .access = ACC_READ, .issue_cycle = h + 4 },
    };
    mmu_result_t r[6];
    rt_batch(t, reqs, 6, r);
    if (t->cfg.ports == 2) {
        for (int i = 1; i <= 3; i++) {
            assert_int_equal(r[i].port, PORT_I);
            assert_int_equal(r[i].tlb_hit, TLB_HIT_L1);
            assert_int_equal(r[i].complete_cycle, h + (unsigned)i - 1 + rt_L1(t));
        }
        assert_true(r[4].walked);
        assert_true(r[4].complete_cycle > r[0].complete_cycle);   /* waits for the walker */
    }
    rt_expect_model_agrees(t);
    rt_free(t);
}

static void test_replacement(void **state)
{
    (void)state;
    rt_t *t = rt_new();
    rt_tables(t, PAGING_4LEVEL);
    unsigned sets = (unsigned)t->cfg.dtlb_4k_sets, n = 3 * (unsigned)t->cfg.dtlb_4k_ways + 2;
    for (unsigned i = 0; i < n; i++)
        rt_map(t, 0x100000ull + 0x1000ull * sets * i, 0x400000ull + 0x1000ull * i, 12, FL | PTE_D);
    rt_enter(t, PAGING_4LEVEL, 0, 0, 0);
    /* one set of the DTLB: fill, re-touch some, overflow; the model decides who stays */
    unsigned order[] = { 0, 1, 2, 0, 3, 4, 1, 5, 0, 6, 2, 7, 3, 0, 8, 1, 9, 4, 10, 0, 2 };
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
        rt_rd(t, 0x100000ull + 0x1000ull * sets * (order[k] % n));
    rt_expect_model_agrees(t);
    rt_free(t);
}

/* --- random lockstep: overlapping requests on both ports and control operations ------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void random_run(paging_mode_t mode, int ops)
{
    rt_t *t = rt_new();
    rt_tables(t, mode);
    bool long_mode = mode >= PAGING_4LEVEL;
    unsigned vbits = mode == PAGING_5LEVEL ? 57 : 48;
    vaddr_t pages[48];
    unsigned np = 0;
    static const uint64_t leaf_flags[] = { FL, FL | PTE_D, PTE_P | PTE_A, PTE_P | PTE_RW, FL | PTE_G | PTE_D,
                                           FL | PTE_XD, PTE_P | PTE_US, 0 };
    for (unsigned i = 0; i < 40; i++) {
        unsigned shift = (i % 5 == 3) ? (mode == PAGING_32 ? 22 : 21) : (i % 11 == 7 && long_mode) ? 30 : 12;
        vaddr_t va = ((vaddr_t)(i % 6) << (mode == PAGING_32 ? 28 : mode == PAGING_PAE ? 30 : 33)) |
                     ((vaddr_t)i << (shift == 30 ? 30 : 22)) | (shift == 12 ? (vaddr_t)(i & 3) << 12 : 0);
        if (long_mode && (i & 8))
            va = rt_canon(va | (1ull << (vbits - 1)), (int)vbits);
        if (mode == PAGING_PAE && ((va >> 30) & 3) == 3)
            continue;                       /* PDPTE 3 stays not present */
        uint64_t fl = leaf_flags[i % 8];
        if (mode == PAGING_32 || !long_mode)
            fl &= ~PTE_XD;
        if (ptb_map(&t->pt[0], va, 0x2000000ull + ((vaddr_t)i << 30 >> (mode == PAGING_32 ? 8 : 0)), shift, fl,
                    (i % 7 == 5) ? (PTE_P | PTE_RW | PTE_US) : PTB_TABLE_FLAGS) != 0)
            continue;
        assert_int_equal(ptb_map(&t->pt[1], va, 0x2000000ull + ((vaddr_t)i << 30 >> (mode == PAGING_32 ? 8 : 0)),
                                 shift, fl, (i % 7 == 5) ? (PTE_P | PTE_RW | PTE_US) : PTB_TABLE_FLAGS), 0);
        pages[np++] = va;
    }
    uint64_t cr4x = CR4_PGE | (mode == PAGING_32 ? CR4_PSE : 0) | (long_mode ? CR4_PCIDE : 0);
    rt_enter(t, mode, CR0_WP, cr4x, mode == PAGING_32 ? 0 : EFER_NXE);
    uint64_t root = ptb_cr3(&t->pt[1]);
    unsigned seen[9] = { 0 };   /* walk-ok, L1, L2, #PF, #GP, -, dirty assist, PWC hit, A/D write */
    for (int n = 0; n < ops; n++) {
        unsigned k = (unsigned)(rnd() % 100);
        if (k < 4) {
            switch (rnd() % 6) {
            case 0: rt_invlpg(t, pages[rnd() % np] + (rnd() & 0xfff)); break;
            case 1: if (long_mode) rt_invpcid(t, (unsigned)(rnd() % 4), rnd() % 3, pages[rnd() % np]); break;
            case 2: rt_ctrl(t, CTRL_CR3, root | (long_mode ? (rnd() % 3) | (rnd() & 1 ? CR3_NOFLUSH : 0) : 0)); break;
            case 3: rt_ctrl(t, CTRL_CR4, rt_arch(t).cr4 ^ (rnd() & 1 ? CR4_SMEP : CR4_SMAP)); break;
            case 4: rt_ctrl(t, CTRL_CR0, rt_arch(t).cr0 ^ CR0_WP); break;
            default: rt_ctrl(t, CTRL_CR4, rt_arch(t).cr4 ^ CR4_PGE); break;
            }
            continue;
        }
        mmu_req_t reqs[6];
        mmu_result_t res[6];
        int nb = 1 + (int)(rnd() % 6);
        cycle_t c = rtl_mmu_horizon(t->rtl);
        for (int i = 0; i < nb; i++) {
            vaddr_t va = pages[rnd() % np] + (rnd() & 0x1ff8) + ((rnd() % 8 == 0) ? 0x200000 : 0);
            if (rnd() % 40 == 0)
                va ^= 1ull << 60;                     /* non-canonical in long modes */
            mmu_access_t acc = (mmu_access_t)(rnd() % 3);
            unsigned cpl = rnd() % 3 == 0 ? 3 : 0;
            reqs[i] = (mmu_req_t){ .va = va, .access = acc, .cpl = (uint8_t)cpl, .ac = rnd() & 1,
                                   .implicit = acc != ACC_EXEC && rnd() % 8 == 0, .issue_cycle = c };
            c += rnd() % 3;
        }
        rt_batch(t, reqs, nb, res);
        for (int i = 0; i < nb; i++)
            seen[res[i].fault == FAULT_NONE ? res[i].tlb_hit : 2 + res[i].fault] += 1;
        for (int i = 0; i < nb; i++)
            seen[6] += res[i].dirty_assist, seen[7] += res[i].pwc_hit != 0, seen[8] += res[i].mem_writes != 0;
        if (t->model_mismatches) {
            print_message("mode %d: divergence after %d operations\n", (int)mode, n);
            break;
        }
    }
    /* the run must have exercised every outcome class */
    print_message("mode %d: walked %u, L1 %u, L2 %u, #PF %u, #GP %u, assists %u, PWC hits %u, A/D %u\n",
                  (int)mode, seen[0], seen[1], seen[2], seen[3], seen[4], seen[6], seen[7], seen[8]);
    assert_true(seen[0] && seen[1] && seen[3] && seen[6] && seen[8]);
    assert_true(seen[2] || !t->cfg.l2tlb);
    assert_true(seen[4] || !long_mode);
    rt_expect_model_agrees(t);
    rt_free(t);
}

/* mem_model=cache on this build: the harness serves the RTL's memory port with the same
 * hierarchy as the model's walker, data accesses fed to both evict PTE lines on both.
 * L1 256 B 2-way (lookup 3), L2 1 KiB 4-way (10), DRAM 50: M = 3, 13 or 63; every
 * entry below is in the first line of a 4 KiB table, so all share set 0
 * (docs/timing.md "Memory latency models", tests/scripts/cache_hierarchy.mmu). */
static void test_cache_model_lockstep(void **state)
{
    (void)state;
    static const char *const cache[] = { "mem_model=cache", "cache_levels=2", "cache_l1_bytes=256",
                                         "cache_l1_ways=2", "cache_l1_latency=3", "cache_l2_bytes=1024",
                                         "cache_l2_ways=4", "cache_l2_latency=10", "cache_dram_latency=50",
                                         NULL };
    rt_t *t = rt_new_with(cache);
    rt_tables(t, PAGING_4LEVEL);
    for (unsigned i = 0; i < 3; i++)
        rt_map(t, 0x400000 + 0x1000ull * i, 0x200000 + 0x1000ull * i, 12, PTE_P | PTE_RW | PTE_A | PTE_D);
    rt_enter(t, PAGING_4LEVEL, 0, 0, 0);
    const unsigned front = rt_L1(t) + rt_L2(t) + rt_P(t, PAGING_4LEVEL), O = rt_O(t);

    mmu_result_t r = rt_rd(t, 0x400000);                    /* cold: four DRAM reads */
    assert_int_equal(r.complete_cycle - r.accept_cycle, front + 4 * (O + 63) + O);
    r = rt_rd(t, 0x401000);                                 /* PDE-cache hit, PTE line in L1 */
    assert_int_equal(r.complete_cycle - r.accept_cycle, front + (O + 3) + O);
    mmu_data_access(t->model, 0x200000, false);             /* two data lines take both L1 ways */
    rtl_mmu_data_access(t->rtl, 0x200000, false);
    mmu_data_access(t->model, 0x201000, true);
    rtl_mmu_data_access(t->rtl, 0x201000, true);
    r = rt_rd(t, 0x402000);                                 /* the PTE line is now in L2 only */
    assert_int_equal(r.complete_cycle - r.accept_cycle, front + (O + 13) + O);
    rt_expect_model_agrees(t);
    const mmu_stats_t *ms = mmu_stats(t->model), *rs = rtl_mmu_stats(t->rtl);
    for (int i = 0; i < CACHE_HIT_SLOTS; i++) {
        assert_int_equal(rs->walk_cache_hits[i], ms->walk_cache_hits[i]);
        assert_int_equal(rs->data_cache_hits[i], ms->data_cache_hits[i]);
    }
    assert_int_equal(rs->walk_cache_hits[0], 1);
    assert_int_equal(rs->walk_cache_hits[1], 1);
    assert_int_equal(rs->data_cache_hits[CACHE_HIT_SLOTS - 1], 2);
    rt_free(t);
}

static void test_random_lockstep(void **state)
{
    (void)state;
    random_run(PAGING_4LEVEL, 1500);
    random_run(PAGING_5LEVEL, 500);
    random_run(PAGING_PAE, 800);
    random_run(PAGING_32, 800);
}

/* The lockstep comparison itself: a page table changed on the model side only must show. */
static void test_harness_detects_divergence(void **state)
{
    (void)state;
    rt_t *t = rt_new();
    rt_tables(t, PAGING_4LEVEL);
    rt_map(t, 0x1000, 0x5000, 12, FL);
    rt_enter(t, PAGING_4LEVEL, 0, 0, 0);
    paddr_t pte = ptb_entry_addr(&t->pt[0], 0x1000, 1);
    physmem_poke64(t->mem[0], pte, 0x6000 | FL);
    print_message("(self-check: the difference printed next is expected)\n");
    rt_rd(t, 0x1000);
    assert_true(t->model_mismatches > 0);
    rt_free(t);
}

/* --- the TLB invalidation of a #PF (semantics.md section 3, timing.md "#PF invalidation") ------ */

#define PFV     0x0000100000200000ull     /* a 2 MiB-aligned region */
#define PFV4K   (PFV + 0x5000ull)
#define PFPA2M  0x0000000080000000ull
#define PFPA4K  0x0000000090005000ull

/* Two ports: a write on D walks and faults at c while I fetches the page (stale in the ITLB) on
 * every cycle: fetches accepted before c hit, none is accepted at c, the next one walks. */
static void pf_other_port(void)
{
    rt_t *t = rt_new();
    if (t->cfg.ports != 2) {
        rt_free(t);
        return;
    }
    rt_tables(t, PAGING_4LEVEL);
    rt_map(t, PFV4K, PFPA4K, 12, PTE_P | PTE_RW | PTE_US | PTE_A);      /* clean: D=0 */
    rt_enter(t, PAGING_4LEVEL, 0, CR4_PGE, EFER_NXE);
    mmu_result_t r = rt_fetch(t, PFV4K);                                  /* ITLB (and L2) */
    assert_int_equal(r.fault, FAULT_NONE);
    rt_entry_write(t, PFV4K, 1, 0);                                       /* no INVLPG */

    enum { N = 400 };
    static mmu_req_t q[N + 1];
    static mmu_result_t out[N + 1];
    cycle_t h = rtl_mmu_horizon(t->rtl);
    memset(q, 0, sizeof q);
    q[0] = (mmu_req_t){ .va = PFV4K, .access = ACC_WRITE, .issue_cycle = h };   /* L2 clean: dropped */
    for (int i = 1; i <= N; i++)
        q[i] = (mmu_req_t){ .va = PFV4K, .access = ACC_EXEC, .issue_cycle = h + (cycle_t)i };
    rt_batch(t, q, N + 1, out);
    expect_pf(&out[0], PFEC_W, PFV4K);
    cycle_t c = out[0].complete_cycle;
    assert_true(c < h + N);
    int first_after = 0;
    for (int i = 1; i <= N && !first_after; i++) {
        assert_true(out[i].accept_cycle != c);
        if (out[i].accept_cycle < c) {
            assert_int_equal(out[i].tlb_hit, TLB_HIT_L1);                 /* stale, before the fault */
            assert_int_equal(out[i].fault, FAULT_NONE);
        } else {
            first_after = i;
        }
    }
    assert_true(first_after > 1);
    assert_int_equal(q[first_after].issue_cycle, c);
    assert_int_equal(out[first_after].accept_cycle, c + 1);
    assert_int_equal(out[first_after].fault, FAULT_PF);                  /* the ITLB entry is gone */
    assert_true(out[first_after].walked);
    rt_expect_model_agrees(t);
    rt_free(t);
}

/* The faulting port's own L1, another page-size class: a 2 MiB entry beside a stale 4 KiB one
 * (the PDE became a 2 MiB leaf without INVLPG); a user read drops the 4 KiB entry (rights) and
 * faults: the 2 MiB entry goes too. */
static void pf_other_class(void)
{
    rt_t *t = rt_new();
    if (!rt_has_class(t, TLB_DTLB, PSC_2M)) {
        rt_free(t);
        return;
    }
    rt_tables(t, PAGING_4LEVEL);
    rt_map(t, PFV4K, PFPA4K, 12, PTE_P | PTE_RW | PTE_A);                /* supervisor */
    rt_enter(t, PAGING_4LEVEL, 0, CR4_PGE, EFER_NXE);
    mmu_result_t r = rt_rd(t, PFV4K);
    assert_true(r.walked);
    rt_entry_write(t, PFV, 2, PFPA2M | PTE_PS | PTE_P | PTE_RW | PTE_A | PTE_D);
    rt_invlpg(t, PFV + 0x100000ull);            /* drops the PDE cache's old PDE, not PFV4K's entry */
    r = rt_rd(t, PFV + 0x100000ull);                                      /* the 2 MiB entry */
    assert_true(r.walked);
    assert_int_equal(r.page_shift, 21);
    r = rt_user(t, PFV4K, ACC_READ);
    expect_pf(&r, PFEC_P | PFEC_U, PFV4K);
    r = rt_rd(t, PFV4K);                                                  /* no stale 2 MiB hit */
    assert_true(r.walked);
    assert_int_equal(r.pa, PFPA2M + (PFV4K - PFV));
    rt_expect_model_agrees(t);
    rt_free(t);
}

static void test_pf_invalidation(void **state)
{
    (void)state;
    pf_other_port();
    pf_other_class();
}

/* Operand rules (semantics.md section 7): CR0.NW without CD, CR0's reserved low bits, CR4's
 * reserved and unimplemented bits, INVPCID type 0's canonical check outside IA-32e paging; the
 * protection-key operations (semantics.md 4a): WRPKRU #UD while CR4.PKE=0, PKE/PKS writable (PK=1),
 * IA32_PKRS bits 63:32 #GP. */
static void test_operand_rules(void **state)
{
    (void)state;
    rt_t *t = rt_new();
    mmu_ctrl_result_t c = rt_ctrl(t, CTRL_CR0, CR0_NW);                  /* paging off */
    assert_int_equal(c.fault, FAULT_GP);
    c = rt_ctrl(t, CTRL_CR0, CR0_NW | CR0_CD | (1ull << 6) | (1ull << 17));
    assert_int_equal(c.fault, FAULT_NONE);
    assert_int_equal(rt_arch(t).cr0, CR0_NW | CR0_CD);                    /* 6, 17 ignored */
    rt_ctrl_ok(t, CTRL_CR0, 0);
    static const unsigned bad[] = {15, 23, 26, 27, 28, 29, 30, 31, 32, 63};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(rt_ctrl(t, CTRL_CR4, 1ull << bad[i]).fault, FAULT_GP);
    if (t->cfg.pk) {
        mmu_ctrl_result_t u = rt_ctrl(t, CTRL_WRPKRU, 0xc);
        assert_int_equal(u.fault, FAULT_UD);
        assert_int_equal(u.complete_cycle, u.accept_cycle + rt_C(t));
        assert_int_equal(rt_ctrl(t, CTRL_WRPKRS, 1ull << 32).fault, FAULT_GP);
        rt_ctrl_ok(t, CTRL_WRPKRS, 0x30);
        rt_ctrl_ok(t, CTRL_CR4, CR4_PKE | CR4_PKS);
        rt_ctrl_ok(t, CTRL_WRPKRU, 0xffffffff0000000cull);
        assert_int_equal(rt_arch(t).pkru, 0xc);
        assert_int_equal(rt_arch(t).pkrs, 0x30);
        rt_ctrl_ok(t, CTRL_CR4, 0);
    } else {
        assert_int_equal(rt_ctrl(t, CTRL_CR4, CR4_PKE).fault, FAULT_GP);
        assert_int_equal(rt_ctrl(t, CTRL_CR4, CR4_PKS).fault, FAULT_GP);
        assert_int_equal(rt_ctrl(t, CTRL_WRPKRU, 0).fault, FAULT_UD);
        assert_int_equal(rt_ctrl(t, CTRL_WRPKRS, 0).fault, FAULT_GP);
    }
    rt_ctrl_ok(t, CTRL_CR4, (1ull << 19) | (1ull << 25) | (1ull << 9));  /* KL, UINTR, OSFXSR */
    assert_int_equal(rt_arch(t).cr4, (1ull << 19) | (1ull << 25) | (1ull << 9));
    rt_ctrl_ok(t, CTRL_CR4, 0);
    assert_int_equal(rt_invpcid(t, 0, 0, 0x0000800000000000ull).fault, FAULT_GP);
    assert_int_equal(rt_invpcid(t, 0, 0, 0xffff800000000000ull).fault, FAULT_NONE);
    assert_int_equal(rt_invpcid(t, 1, 0, 0x0000800000000000ull).fault, FAULT_NONE);
    rt_ctrl_ok(t, CTRL_CR4, CR4_LA57);
    assert_int_equal(rt_invpcid(t, 0, 0, 0x0000800000000000ull).fault, FAULT_NONE);
    assert_int_equal(rt_invpcid(t, 0, 0, 0x0100000000000000ull).fault, FAULT_GP);
    rt_expect_model_agrees(t);
    rt_free(t);
}

/* On the --assert build (make test runs this file on it too) a failing RTL assertion must end
 * the simulation with an error, so the test that hits it fails. A child process drives an
 * undefined access code (3) on port D, which mmu_top's pin-protocol assertion rejects (every 3-bit
 * control-operation code is defined since WRPKRU (6) and WRMSR IA32_PKRS (7)). */
static void test_assertion_failure_fails(void **state)
{
    (void)state;
    if (!rtl_sim_has_assertions())
        skip();          /* a --noassert build: nothing to check */
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        rtl_sim_t *s = rtl_sim_create();
        rtl_sim_reset(s);
        rtl_in_t in = {.req[PORT_D] = {.valid = true, .access = 3}};
        for (int i = 0; i < 4; i++) {
            rtl_sim_eval(s, &in);
            rtl_sim_clock(s);
        }
        _exit(0);        /* not stopped: the assertion did not run */
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    print_message("(self-check: the assertion failure printed above is expected)\n");
    assert_false(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_paging_off, rt_teardown),
        cmocka_unit_test_teardown(test_4level_walk_hit_dirty, rt_teardown),
        cmocka_unit_test_teardown(test_accessed_dirty, rt_teardown),
        cmocka_unit_test_teardown(test_4level_large_pages, rt_teardown),
        cmocka_unit_test_teardown(test_5level, rt_teardown),
        cmocka_unit_test_teardown(test_32bit, rt_teardown),
        cmocka_unit_test_teardown(test_pae, rt_teardown),
        cmocka_unit_test_teardown(test_faults, rt_teardown),
        cmocka_unit_test_teardown(test_cr2_upper_half, rt_teardown),
        cmocka_unit_test_teardown(test_illegal_cr_writes, rt_teardown),
        cmocka_unit_test_teardown(test_pcid_and_invalidations, rt_teardown),
        cmocka_unit_test_teardown(test_cr0_pg_off_flushes, rt_teardown),
        cmocka_unit_test_teardown(test_two_ports_overlap, rt_teardown),
        cmocka_unit_test_teardown(test_replacement, rt_teardown),
        cmocka_unit_test_teardown(test_random_lockstep, rt_teardown),
        cmocka_unit_test_teardown(test_cache_model_lockstep, rt_teardown),
        cmocka_unit_test_teardown(test_harness_detects_divergence, rt_teardown),
        cmocka_unit_test_teardown(test_pf_invalidation, rt_teardown),
        cmocka_unit_test_teardown(test_operand_rules, rt_teardown),
        cmocka_unit_test(test_assertion_failure_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
