/* Invalidations (docs/semantics.md section 8), PCID isolation and the
 * control-register #GP rules of section 7. TLB contents are observed through
 * re-accesses (L1 hit / L2 hit / walk); paging-structure caches through a
 * walk for a never-accessed sibling page in the same page table
 * (pwc_hit = 2 when the PDE cache still holds the path, 0 after a flush). */
#include "mmutest.h"

#include <stdio.h>
#include <string.h>

/* Regions in distinct PML4 slots (nothing shared in any paging-structure cache). */
#define RN  (1ull << 39)   /* non-global 4 KiB pages */
#define RG  (2ull << 39)   /* global 4 KiB pages */
#define R2M ((3ull << 39) + 0x200000ull)   /* one 2 MiB page */
#define R1G ((4ull << 39) + 0x40000000ull) /* one 1 GiB page */
#define RX  (5ull << 39)   /* spare non-global region */

static vaddr_t pg(vaddr_t region, int k) { return region + 0x1000ull * (unsigned)k; }

/* Tracked pages are k = 1..7; probe siblings are k = 40 + 16 j (all in DTLB set 8). */
#define NPROBE 29
static int probe_next[8];

static vaddr_t fresh(vaddr_t region)
{
    int r = (int)(region >> 39) & 7;
    assert_true(probe_next[r] < NPROBE);
    return pg(region, 40 + 16 * probe_next[r]++);
}

static paddr_t pa_of(vaddr_t va) { return 0x10000000ull + ((va >> 39) << 24) + (va & 0xfff000ull); }

static void map_region(mt_t *t, ptbuild_t *b, vaddr_t region, uint64_t flags)
{
    for (int k = 1; k <= 7; k++)
        mt_map_in(b, pg(region, k), pa_of(pg(region, k)), 12, flags, PTB_TABLE_FLAGS);
    for (int j = 0; j < NPROBE; j++)
        mt_map_in(b, pg(region, 40 + 16 * j), pa_of(pg(region, 40 + 16 * j)), 12, flags, PTB_TABLE_FLAGS);
    (void)t;
}

/* 4-level paging with PGE; PCIDE when asked (then CR3 = root | 1). */
static mt_t *env_long(bool pcide, const char *cfg)
{
    memset(probe_next, 0, sizeof probe_next);
    mt_t *t = cfg ? mt_newv(cfg, NULL) : mt_newv(NULL);
    mt_tables(t, PAGING_4LEVEL);
    map_region(t, &t->pt, RN, PTE_P | PTE_RW);
    map_region(t, &t->pt, RG, PTE_P | PTE_RW | PTE_G);
    map_region(t, &t->pt, RX, PTE_P | PTE_RW);
    mt_map(t, R2M, 0x80000000ull, 21, PTE_P | PTE_RW);
    mt_map(t, R1G, 0x1c0000000ull, 30, PTE_P | PTE_RW);
    mt_enter(t, PAGING_4LEVEL, 0, CR4_PGE | (pcide ? CR4_PCIDE : 0), EFER_NXE);
    if (pcide)
        mt_ctrl_ok(t, CTRL_CR3, ptb_cr3(&t->pt) | 1);
    return t;
}

static uint64_t root(mt_t *t) { return ptb_cr3(&t->pt); }

static void expect_at(mt_t *t, vaddr_t va, int how, int line)
{
    mmu_result_t r = mt_rd(t, va);
    mt_expect_how_at(&r, how, __FILE__, line);
    if (how == MT_L1 || how == MT_L2 || how == MT_WALK) {
        if (va >= R2M && va < R2M + 0x200000)
            assert_int_equal(r.pa, 0x80000000ull + (va - R2M));
        else if (va >= R1G && va < R1G + 0x40000000)
            assert_int_equal(r.pa, 0x1c0000000ull + (va - R1G));
        else
            assert_int_equal(r.pa, pa_of(va) | (va & 0xfff));
    }
}
#define EXPECT(t, va, how) expect_at((t), (va), (how), __LINE__)

static void expect_pwc_at(mt_t *t, vaddr_t region, int level, int line)
{
    mmu_result_t r = mt_rd(t, fresh(region));
    if (r.fault != FAULT_NONE || !r.walked || r.pwc_hit != level)
        fail_msg("%s:%d: PWC probe %#llx: expected a walk with pwc_hit=%d, got %s pwc_hit=%d", __FILE__, line,
                 (unsigned long long)r.va, level, mt_how_name(mt_how(&r)), r.pwc_hit);
}
#define EXPECT_PWC(t, region, level) expect_pwc_at((t), (region), (level), __LINE__)

static void cr3(mt_t *t, uint64_t v) { mt_ctrl_ok(t, CTRL_CR3, v); }

/* ---- the probes work ---------------------------------------------------------- */

static void test_observation_baseline(void **state)
{
    (void)state;
    mt_t *t = env_long(false, NULL);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RN, 1), MT_L1);
    EXPECT(t, pg(RN, 1) + 0x123, MT_L1);
    EXPECT_PWC(t, RN, 2);
    EXPECT_PWC(t, RX, 0);
    EXPECT_PWC(t, RX, 2);
    /* a fetch on port I: ITLB miss, L2 hit (the data walk filled the L2) */
    mmu_result_t r = mt_fetch(t, pg(RN, 1));
    mt_expect_how(&r, MT_L2);
    assert_int_equal(r.port, PORT_I);
    r = mt_fetch(t, pg(RN, 1));
    mt_expect_how(&r, MT_L1);
    mt_free(t);
}

/* ---- CR3 ------------------------------------------------------------------------ */

static void test_cr3_pcide0(void **state)
{
    (void)state;
    mt_t *t = env_long(false, NULL);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RG, 1), MT_WALK);
    EXPECT(t, R2M, MT_WALK);
    EXPECT(t, pg(RN, 1), MT_L1);
    EXPECT(t, pg(RG, 1), MT_L1);
    cr3(t, root(t));
    EXPECT_PWC(t, RN, 0);
    EXPECT_PWC(t, RG, 0);
    EXPECT(t, pg(RN, 1), MT_WALK);   /* non-global flushed (L1 and L2) */
    EXPECT(t, R2M + 0x5000, MT_WALK);
    EXPECT(t, pg(RG, 1), MT_L1);     /* global kept */
    EXPECT_PWC(t, RN, 2);
    mt_free(t);
}

static void test_cr3_pcide1_flush(void **state)
{
    (void)state;
    mt_t *t = env_long(true, NULL);
    EXPECT(t, pg(RN, 1), MT_WALK);   /* PCID 1 */
    EXPECT(t, pg(RG, 1), MT_WALK);   /* global */
    cr3(t, root(t) | 2);
    assert_int_equal(mt_arch(t).pcid, 2);
    EXPECT(t, pg(RN, 1), MT_WALK);   /* not tagged with PCID 2 */
    EXPECT(t, pg(RG, 1), MT_L1);     /* global: any PCID */
    EXPECT(t, pg(RN, 2), MT_WALK);   /* PCID 2 only */
    cr3(t, root(t) | 1);             /* flushes PCID 1 */
    EXPECT_PWC(t, RN, 0);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RG, 1), MT_L1);
    cr3(t, root(t) | 2 | CR3_NOFLUSH);   /* PCID 2 survived the PCID 1 flush */
    EXPECT_PWC(t, RN, 2);
    EXPECT(t, pg(RN, 1), MT_L1);
    EXPECT(t, pg(RN, 2), MT_L1);
    mt_free(t);
}

static void test_cr3_noflush(void **state)
{
    (void)state;
    mt_t *t = env_long(true, NULL);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RG, 1), MT_WALK);
    cr3(t, root(t) | 1 | CR3_NOFLUSH);
    mmu_arch_t a = mt_arch(t);
    assert_int_equal(a.cr3, root(t) | 1);   /* bit 63 not stored */
    assert_int_equal(a.pcid, 1);
    EXPECT(t, pg(RN, 1), MT_L1);
    EXPECT(t, pg(RG, 1), MT_L1);
    EXPECT_PWC(t, RN, 2);
    mt_free(t);
}

/* ---- INVLPG ----------------------------------------------------------------- */

static void test_invlpg(void **state)
{
    (void)state;
    mt_t *t = env_long(true, NULL);
    /* PCID 2 first (RG 3: a global entry tagged PCID 2), then PCID 1 */
    cr3(t, root(t) | 2);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RG, 3), MT_WALK);
    cr3(t, root(t) | 1 | CR3_NOFLUSH);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RN, 2), MT_WALK);
    EXPECT(t, pg(RG, 1), MT_WALK);
    EXPECT(t, pg(RG, 2), MT_WALK);
    EXPECT(t, pg(RX, 1), MT_WALK);
    EXPECT(t, R2M, MT_WALK);
    EXPECT(t, R1G, MT_WALK);

    assert_int_equal(mt_invlpg(t, pg(RN, 1) + 0x123, NULL), FAULT_NONE);
    EXPECT_PWC(t, RN, 0);              /* every PWC entry of PCID 1 */
    EXPECT_PWC(t, RX, 0);
    EXPECT(t, pg(RN, 1), MT_WALK);     /* matching page, current PCID */
    EXPECT(t, pg(RN, 2), MT_L1);       /* other page */
    EXPECT(t, pg(RG, 1), MT_L1);
    cr3(t, root(t) | 2 | CR3_NOFLUSH);
    EXPECT(t, pg(RN, 1), MT_L1);       /* other PCID kept */
    cr3(t, root(t) | 1 | CR3_NOFLUSH);

    /* global entry matching va: invalidated, whatever PCID it was filled under; other global kept */
    mt_invlpg(t, pg(RG, 1) + 0xff0, NULL);
    mt_invlpg(t, pg(RG, 3), NULL);
    EXPECT(t, pg(RG, 1), MT_WALK);
    EXPECT(t, pg(RG, 3), MT_WALK);
    EXPECT(t, pg(RG, 2), MT_L1);
    /* large pages: any address inside the page */
    mt_invlpg(t, R2M + 0x1ff000, NULL);
    EXPECT(t, R2M + 0x3456, MT_WALK);
    mt_invlpg(t, R1G + 0x3fffffff, NULL);
    EXPECT(t, R1G + 0x12345678, MT_WALK);
    /* an address just outside a large page does not touch it */
    mt_invlpg(t, R2M + 0x200000, NULL);
    mt_invlpg(t, R2M - 1, NULL);
    EXPECT(t, R2M + 0x100000, MT_L1);

    /* non-canonical: no-op, no fault */
    EXPECT(t, pg(RN, 3), MT_WALK);
    EXPECT_PWC(t, RN, 2);
    assert_int_equal(mt_invlpg(t, 0x8000000000000000ull | pg(RN, 3), NULL), FAULT_NONE);
    assert_int_equal(mt_invlpg(t, 0x0000800000000000ull, NULL), FAULT_NONE);
    EXPECT(t, pg(RN, 3), MT_L1);
    EXPECT_PWC(t, RN, 2);
    /* INVLPG of an unmapped address never faults */
    assert_int_equal(mt_invlpg(t, 0x7ffffffff000ull, NULL), FAULT_NONE);
    mt_free(t);
}

/* Invalidations apply to both L1s and the L2. */
static void test_invlpg_all_tlbs(void **state)
{
    (void)state;
    mt_t *t = env_long(false, NULL);
    vaddr_t v = pg(RN, 4);
    EXPECT(t, v, MT_WALK);                 /* DTLB + L2 */
    mmu_result_t r = mt_fetch(t, v);       /* ITLB from L2 */
    mt_expect_how(&r, MT_L2);
    mt_invlpg(t, v, NULL);
    r = mt_fetch(t, v);
    mt_expect_how(&r, MT_WALK);            /* ITLB and L2 gone */
    EXPECT(t, v, MT_L2);                   /* DTLB gone, L2 refilled by the fetch walk */
    mt_free(t);
}

/* ---- INVPCID ------------------------------------------------------------------- */

/* PCID 1 and 2 both cache RN 1, RN 2 and PWC entries for RN; RG 1 is global. Ends in PCID 1. */
static mt_t *env_two_pcids(void)
{
    mt_t *t = env_long(true, NULL);
    cr3(t, root(t) | 2);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RN, 2), MT_WALK);
    EXPECT(t, pg(RG, 1), MT_WALK);
    cr3(t, root(t) | 1 | CR3_NOFLUSH);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RN, 2), MT_WALK);
    EXPECT(t, pg(RG, 1), MT_L1);
    return t;
}

static void to_pcid(mt_t *t, unsigned pcid) { cr3(t, root(t) | pcid | CR3_NOFLUSH); }

static void test_invpcid_type0(void **state)
{
    (void)state;
    mt_t *t = env_two_pcids();
    assert_int_equal(mt_invpcid(t, 0, 2, pg(RN, 1) + 0x10, NULL), FAULT_NONE);
    assert_int_equal(mt_invpcid(t, 0, 2, pg(RG, 1), NULL), FAULT_NONE);
    EXPECT_PWC(t, RN, 2);            /* PCID 1 untouched */
    EXPECT(t, pg(RN, 1), MT_L1);
    EXPECT(t, pg(RG, 1), MT_L1);     /* global not invalidated by type 0 */
    to_pcid(t, 2);
    EXPECT_PWC(t, RN, 0);            /* all PWC entries of PCID 2 */
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RN, 2), MT_L1);     /* other va */
    EXPECT(t, pg(RG, 1), MT_L1);
    /* type 0 on the current PCID */
    assert_int_equal(mt_invpcid(t, 0, 2, pg(RN, 2), NULL), FAULT_NONE);
    EXPECT(t, pg(RN, 2), MT_WALK);
    mt_free(t);
}

static void test_invpcid_type1(void **state)
{
    (void)state;
    mt_t *t = env_two_pcids();
    assert_int_equal(mt_invpcid(t, 1, 2, 0, NULL), FAULT_NONE);
    EXPECT_PWC(t, RN, 2);
    EXPECT(t, pg(RN, 1), MT_L1);
    EXPECT(t, pg(RN, 2), MT_L1);
    to_pcid(t, 2);
    EXPECT_PWC(t, RN, 0);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RN, 2), MT_WALK);
    EXPECT(t, pg(RG, 1), MT_L1);
    mt_free(t);
}

static void test_invpcid_type2(void **state)
{
    (void)state;
    mt_t *t = env_two_pcids();
    assert_int_equal(mt_invpcid(t, 2, 0, 0, NULL), FAULT_NONE);
    EXPECT_PWC(t, RN, 0);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RG, 1), MT_WALK);
    to_pcid(t, 2);
    EXPECT_PWC(t, RN, 0);
    EXPECT(t, pg(RN, 2), MT_WALK);
    mt_free(t);
}

static void test_invpcid_type3(void **state)
{
    (void)state;
    mt_t *t = env_two_pcids();
    assert_int_equal(mt_invpcid(t, 3, 0, 0, NULL), FAULT_NONE);
    EXPECT_PWC(t, RN, 0);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RG, 1), MT_L1);
    to_pcid(t, 2);
    EXPECT_PWC(t, RN, 0);
    EXPECT(t, pg(RN, 2), MT_WALK);
    EXPECT(t, pg(RG, 1), MT_L1);
    mt_free(t);
}

static void test_invpcid_gp(void **state)
{
    (void)state;
    mt_t *t = env_two_pcids();
    mmu_arch_t a0 = mt_arch(t);
    assert_int_equal(mt_invpcid(t, 4, 1, 0, NULL), FAULT_GP);
    assert_int_equal(mt_invpcid(t, 0xffffffffu, 1, 0, NULL), FAULT_GP);
    for (unsigned type = 0; type < 4; type++)
        assert_int_equal(mt_invpcid(t, type, 4096, pg(RN, 1), NULL), FAULT_GP);
    assert_int_equal(mt_invpcid(t, 0, 1, 0x0000800000000000ull, NULL), FAULT_GP);
    assert_int_equal(mt_invpcid(t, 0, 1, 0x8000000000000000ull | pg(RN, 1), NULL), FAULT_GP);
    /* nothing was invalidated */
    EXPECT(t, pg(RN, 1), MT_L1);
    EXPECT(t, pg(RG, 1), MT_L1);
    EXPECT_PWC(t, RN, 2);
    mmu_arch_t a1 = mt_arch(t);
    assert_int_equal(a1.cr3, a0.cr3);
    assert_int_equal(a1.cr4, a0.cr4);
    /* legal edge values */
    assert_int_equal(mt_invpcid(t, 1, 4095, 0, NULL), FAULT_NONE);
    assert_int_equal(mt_invpcid(t, 0, 4095, 0xffff800000000000ull, NULL), FAULT_NONE);
    mt_free(t);

    /* PCIDE = 0: types 0/1 need PCID 0; types 2/3 ignore it */
    t = env_long(false, NULL);
    EXPECT(t, pg(RN, 1), MT_WALK);
    assert_int_equal(mt_invpcid(t, 0, 1, pg(RN, 1), NULL), FAULT_GP);
    assert_int_equal(mt_invpcid(t, 1, 1, 0, NULL), FAULT_GP);
    EXPECT(t, pg(RN, 1), MT_L1);
    assert_int_equal(mt_invpcid(t, 0, 0, pg(RN, 2), NULL), FAULT_NONE);
    assert_int_equal(mt_invpcid(t, 3, 7, 0, NULL), FAULT_NONE);
    EXPECT(t, pg(RN, 1), MT_WALK);
    assert_int_equal(mt_invpcid(t, 2, 7, 0, NULL), FAULT_NONE);
    assert_int_equal(mt_invpcid(t, 1, 0, 0, NULL), FAULT_NONE);
    mt_free(t);
}

/* ---- CR4 ------------------------------------------------------------------------ */

static void check_all_gone(mt_t *t)
{
    to_pcid(t, 1);
    EXPECT_PWC(t, RN, 0);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RG, 1), MT_WALK);
    to_pcid(t, 2);
    EXPECT_PWC(t, RN, 0);
    EXPECT(t, pg(RN, 2), MT_WALK);
}

static void test_cr4_pge_change(void **state)
{
    (void)state;
    for (int dir = 0; dir < 2; dir++) {
        mt_t *t;
        uint64_t cr4;
        if (dir) {   /* 0 -> 1: clear (flushes), fill, then set */
            t = env_long(true, NULL);
            cr4 = mt_arch(t).cr4;
            mt_ctrl_ok(t, CTRL_CR4, cr4 & ~CR4_PGE);
            cr3(t, root(t) | 2);
            EXPECT(t, pg(RN, 2), MT_WALK);
            to_pcid(t, 1);
            EXPECT(t, pg(RN, 1), MT_WALK);
            EXPECT(t, pg(RG, 1), MT_WALK);   /* not global: PGE=0 */
            mt_ctrl_ok(t, CTRL_CR4, cr4);
        } else {
            t = env_two_pcids();
            cr4 = mt_arch(t).cr4;
            mt_ctrl_ok(t, CTRL_CR4, cr4 & ~CR4_PGE);
        }
        check_all_gone(t);
        mt_free(t);
    }
}

static void test_cr4_pcide_off(void **state)
{
    (void)state;
    mt_t *t = env_two_pcids();
    uint64_t cr4 = mt_arch(t).cr4;
    mt_ctrl_ok(t, CTRL_CR4, cr4 & ~CR4_PCIDE);
    assert_int_equal(mt_arch(t).pcid, 0);
    EXPECT(t, pg(RG, 1), MT_WALK);
    /* back on: PCID 2's entries must be gone too */
    cr3(t, root(t));
    mt_ctrl_ok(t, CTRL_CR4, cr4);
    to_pcid(t, 2);
    EXPECT_PWC(t, RN, 0);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RN, 2), MT_WALK);
    /* PCIDE 0 -> 1 (with CR3[11:0] = 0) flushes nothing by itself */
    mt_free(t);
    t = env_long(false, NULL);
    EXPECT(t, pg(RN, 1), MT_WALK);
    mt_ctrl_ok(t, CTRL_CR4, mt_arch(t).cr4 | CR4_PCIDE);
    EXPECT(t, pg(RN, 1), MT_L1);
    mt_free(t);
}

static void test_cr4_smep(void **state)
{
    (void)state;
    mt_t *t = env_two_pcids();        /* RG 1: global, filled under PCID 2 */
    EXPECT(t, pg(RG, 3), MT_WALK);    /* global, filled under PCID 1 */
    uint64_t cr4 = mt_arch(t).cr4;
    mt_ctrl_ok(t, CTRL_CR4, cr4 | CR4_SMEP);     /* 0 -> 1: current PCID (global or not) */
    EXPECT_PWC(t, RN, 0);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RG, 3), MT_WALK);    /* global, tagged PCID 1 */
    EXPECT(t, pg(RG, 1), MT_L1);      /* global, tagged PCID 2 */
    to_pcid(t, 2);
    EXPECT_PWC(t, RN, 2);
    EXPECT(t, pg(RN, 2), MT_L1);
    mt_ctrl_ok(t, CTRL_CR4, cr4);                /* 1 -> 0: nothing */
    EXPECT(t, pg(RN, 2), MT_L1);
    EXPECT(t, pg(RG, 1), MT_L1);
    EXPECT_PWC(t, RN, 2);
    mt_free(t);
}

/* CR4.PAE change (32-bit -> PAE with PG=1): every PCID-0 entry, global or not.
 * PD slots 0..7 stay empty, so the PD read as a PDPT gives four not-present PDPTEs. */
static void test_cr4_pae_change(void **state)
{
    (void)state;
    mt_t *t = mt_newv(NULL);
    mt_tables(t, PAGING_32);
    mt_map(t, 0x04000000ull, 0x00500000ull, 12, PTE_P | PTE_RW | PTE_G);
    mt_map(t, 0x04400000ull, 0x00600000ull, 12, PTE_P | PTE_RW);
    mt_enter(t, PAGING_32, 0, CR4_PGE, 0);
    mmu_result_t r;
    for (int i = 0; i < 2; i++) {
        r = mt_rd(t, 0x04000000ull);
        mt_expect_how(&r, i ? MT_L1 : MT_WALK);
        r = mt_rd(t, 0x04400000ull);
        mt_expect_how(&r, i ? MT_L1 : MT_WALK);
    }
    mmu_ctrl_result_t cr;
    assert_int_equal(mt_ctrl(t, CTRL_CR4, CR4_PGE | CR4_PAE, &cr), FAULT_NONE);
    assert_int_equal(mt_arch(t).mode, PAGING_PAE);
    assert_int_equal(cr.mem_reads, 4);
    for (int j = 0; j < 4; j++)
        assert_int_equal(mt_arch(t).pdpte[j], 0);
    r = mt_rd(t, 0x04000000ull);
    mt_expect_how(&r, MT_PF);
    assert_int_equal(r.error_code, 0);
    assert_int_equal(r.mem_reads, 0);
    r = mt_rd(t, 0x04400000ull);
    mt_expect_how(&r, MT_PF);
    mt_free(t);
}

/* ---- CR0 ------------------------------------------------------------------------ */

static void test_cr0_pg_off(void **state)
{
    (void)state;
    mt_t *t = env_long(false, NULL);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RG, 1), MT_WALK);
    uint64_t cr0 = mt_arch(t).cr0;
    /* CR0 writes that keep PG: nothing */
    mt_ctrl_ok(t, CTRL_CR0, cr0 | CR0_WP);
    mt_ctrl_ok(t, CTRL_CR0, cr0);
    EXPECT(t, pg(RN, 1), MT_L1);
    EXPECT_PWC(t, RN, 2);
    /* PG 1 -> 0 -> 1 */
    mt_ctrl_ok(t, CTRL_CR0, cr0 & ~CR0_PG);
    mmu_arch_t a = mt_arch(t);
    assert_int_equal(a.mode, PAGING_OFF);
    assert_int_equal(a.efer & EFER_LMA, 0);
    mmu_result_t r = mt_rd(t, pg(RN, 1) + 0x10);
    mt_expect_how(&r, MT_OFF);
    assert_int_equal(r.pa, (pg(RN, 1) + 0x10) & 0xffffffffull);
    mt_ctrl_ok(t, CTRL_CR0, cr0);
    assert_int_equal(mt_arch(t).efer & EFER_LMA, EFER_LMA);
    EXPECT_PWC(t, RN, 0);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RG, 1), MT_WALK);
    mt_free(t);
}

/* CR0.WP, CR4.SMAP and EFER.NXE changes invalidate nothing. */
static void test_no_flush_bits(void **state)
{
    (void)state;
    mt_t *t = env_two_pcids();
    mmu_arch_t a = mt_arch(t);
    mt_ctrl_ok(t, CTRL_CR0, a.cr0 ^ CR0_WP);
    mt_ctrl_ok(t, CTRL_CR0, a.cr0);
    mt_ctrl_ok(t, CTRL_CR4, a.cr4 ^ CR4_SMAP);
    mt_ctrl_ok(t, CTRL_CR4, a.cr4);
    mt_ctrl_ok(t, CTRL_EFER, (a.efer ^ EFER_NXE) & ~EFER_LMA);
    mt_ctrl_ok(t, CTRL_EFER, a.efer & ~EFER_LMA);
    mt_ctrl_ok(t, CTRL_EFER, a.efer);   /* LMA as read: ignored */
    EXPECT_PWC(t, RN, 2);
    EXPECT(t, pg(RN, 1), MT_L1);
    EXPECT(t, pg(RG, 1), MT_L1);
    to_pcid(t, 2);
    EXPECT(t, pg(RN, 2), MT_L1);
    mt_free(t);
}

/* A #PF invalidates the current PCID's PWC entries that this VA would use. */
static void test_pf_invalidates_pwc(void **state)
{
    (void)state;
    mt_t *t = env_long(false, NULL);
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT_PWC(t, RN, 2);
    mt_set_flags(t, pg(RN, 5), 1, 0);     /* PTE not present */
    mmu_result_t r = mt_rd(t, pg(RN, 5));
    mt_expect_how(&r, MT_PF);
    assert_int_equal(r.pwc_hit, 2);
    EXPECT_PWC(t, RN, 0);                 /* PML4E/PDPTE/PDE entries for RN dropped */
    EXPECT(t, pg(RN, 1), MT_L1);          /* TLB untouched */
    mt_free(t);
}

/* ---- PCID isolation / global across PCIDs ---------------------------------------- */

static void test_pcid_isolation(void **state)
{
    (void)state;
    mt_t *t = env_long(true, NULL);
    ptbuild_t b;
    mt_tables_extra(t, &b, PAGING_4LEVEL);
    const vaddr_t x = pg(RN, 1);
    mt_map_in(&b, x, 0x7770000ull, 12, PTE_P | PTE_RW, PTB_TABLE_FLAGS);
    const uint64_t ra = root(t) | 1, rb = ptb_cr3(&b) | 2;
    mmu_result_t r;
    cr3(t, ra);
    r = mt_rd(t, x);
    mt_expect_how(&r, MT_WALK);
    assert_int_equal(r.pa, pa_of(x));
    cr3(t, rb);
    r = mt_rd(t, x);
    mt_expect_how(&r, MT_WALK);
    assert_int_equal(r.pa, 0x7770000ull);
    for (int i = 0; i < 2; i++) {
        cr3(t, ra | CR3_NOFLUSH);
        r = mt_rd(t, x);
        mt_expect_how(&r, MT_L1);
        assert_int_equal(r.pa, pa_of(x));
        cr3(t, rb | CR3_NOFLUSH);
        r = mt_rd(t, x);
        mt_expect_how(&r, MT_L1);
        assert_int_equal(r.pa, 0x7770000ull);
    }
    /* PWC entries are PCID-tagged: a sibling mapped only in table A faults under B */
    r = mt_rd(t, pg(RN, 2));
    mt_expect_how(&r, MT_PF);
    cr3(t, ra | CR3_NOFLUSH);
    r = mt_rd(t, pg(RN, 3));
    mt_expect_how(&r, MT_WALK);
    assert_int_equal(r.pwc_hit, 2);
    cr3(t, rb | CR3_NOFLUSH);
    r = mt_rd(t, pg(RN, 3));
    mt_expect_how(&r, MT_PF);
    mt_free(t);
}

static void test_global_across_pcids(void **state)
{
    (void)state;
    mt_t *t = env_long(true, NULL);
    ptbuild_t b;
    mt_tables_extra(t, &b, PAGING_4LEVEL);   /* maps nothing at RG */
    mt_map_in(&b, pg(RN, 1), 0x7770000ull, 12, PTE_P | PTE_RW, PTB_TABLE_FLAGS);
    mmu_result_t r;
    EXPECT(t, pg(RG, 1), MT_WALK);
    cr3(t, ptb_cr3(&b) | 2);
    r = mt_rd(t, pg(RG, 1) + 8);
    mt_expect_how(&r, MT_L1);
    assert_int_equal(r.pa, pa_of(pg(RG, 1)) + 8);
    assert_int_equal(mt_invpcid(t, 3, 0, 0, NULL), FAULT_NONE);
    EXPECT(t, pg(RG, 1), MT_L1);
    assert_int_equal(mt_invpcid(t, 2, 0, 0, NULL), FAULT_NONE);
    r = mt_rd(t, pg(RG, 1));
    mt_expect_how(&r, MT_PF);
    mt_free(t);
}

/* ---- section 7: control-register #GP rules ----------------------------------------- */

static void expect_gp_unchanged_at(mt_t *t, mmu_ctrl_kind_t kind, uint64_t v, int line)
{
    mmu_arch_t a0 = mt_arch(t);
    mmu_fault_t f = mt_ctrl(t, kind, v, NULL);
    if (f != FAULT_GP)
        fail_msg("%s:%d: write kind %d value %#llx: %s, expected GP", __FILE__, line, (int)kind,
                 (unsigned long long)v, mmu_fault_name(f));
    mmu_arch_t a1 = mt_arch(t);
    bool same = a0.cr0 == a1.cr0 && a0.cr2 == a1.cr2 && a0.cr3 == a1.cr3 && a0.cr4 == a1.cr4 &&
                a0.efer == a1.efer && a0.mode == a1.mode && a0.pcid == a1.pcid;
    for (int i = 0; i < 4; i++)
        same = same && a0.pdpte[i] == a1.pdpte[i];
    if (!same)
        fail_msg("%s:%d: a #GP write changed the architectural state (cr0 %#llx->%#llx cr3 %#llx->%#llx "
                 "cr4 %#llx->%#llx efer %#llx->%#llx)",
                 __FILE__, line, (unsigned long long)a0.cr0, (unsigned long long)a1.cr0, (unsigned long long)a0.cr3,
                 (unsigned long long)a1.cr3, (unsigned long long)a0.cr4, (unsigned long long)a1.cr4,
                 (unsigned long long)a0.efer, (unsigned long long)a1.efer);
}
#define EXPECT_GP(t, kind, v) expect_gp_unchanged_at((t), (kind), (v), __LINE__)

static void test_cr_gp_long_mode(void **state)
{
    (void)state;
    mt_t *t = env_long(false, NULL);   /* 4-level, PGE, NXE, PCIDE=0, M=46 */
    EXPECT(t, pg(RN, 1), MT_WALK);
    EXPECT(t, pg(RG, 1), MT_WALK);
    mmu_arch_t a = mt_arch(t);
    assert_int_equal(a.efer & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA);
    /* CR0 */
    EXPECT_GP(t, CTRL_CR0, a.cr0 | (1ull << 32));
    EXPECT_GP(t, CTRL_CR0, a.cr0 | (1ull << 63));
    EXPECT_GP(t, CTRL_CR0, a.cr0 & ~CR0_PE);
    /* CR3: bits 62:M with LMA=1, bit 63 with PCIDE=0 */
    EXPECT_GP(t, CTRL_CR3, root(t) | (1ull << 46));
    EXPECT_GP(t, CTRL_CR3, root(t) | (1ull << 51));
    EXPECT_GP(t, CTRL_CR3, root(t) | (1ull << 62));
    EXPECT_GP(t, CTRL_CR3, root(t) | CR3_NOFLUSH);
    /* CR4 */
    EXPECT_GP(t, CTRL_CR4, a.cr4 | (1ull << 32));
    EXPECT_GP(t, CTRL_CR4, a.cr4 | (1ull << 27));     /* LASS, not implemented */
    EXPECT_GP(t, CTRL_CR4, a.cr4 | (1ull << 23));
    EXPECT_GP(t, CTRL_CR4, a.cr4 & ~CR4_PAE);
    EXPECT_GP(t, CTRL_CR4, a.cr4 | CR4_LA57);
    EXPECT_GP(t, CTRL_CR4, (a.cr4 ^ CR4_PGE) | (1ull << 23));   /* illegal: must not flush either */
    /* EFER */
    EXPECT_GP(t, CTRL_EFER, a.efer | (1ull << 1));
    EXPECT_GP(t, CTRL_EFER, a.efer | (1ull << 9));
    EXPECT_GP(t, CTRL_EFER, a.efer | (1ull << 12));
    EXPECT_GP(t, CTRL_EFER, a.efer | (1ull << 63));
    EXPECT_GP(t, CTRL_EFER, a.efer & ~EFER_LME);   /* LME change while PG=1 */
    /* nothing was flushed by the failed writes */
    EXPECT(t, pg(RN, 1), MT_L1);
    EXPECT(t, pg(RG, 1), MT_L1);
    EXPECT_PWC(t, RN, 2);
    /* legal: an address bit below M, SCE */
    mt_ctrl_ok(t, CTRL_EFER, a.efer | EFER_SCE);
    mt_ctrl_ok(t, CTRL_EFER, a.efer);
    /* PCIDE 0 -> 1 with CR3[11:0] != 0 */
    cr3(t, root(t) | 0x18);
    EXPECT_GP(t, CTRL_CR4, a.cr4 | CR4_PCIDE);
    cr3(t, root(t));
    mt_ctrl_ok(t, CTRL_CR4, a.cr4 | CR4_PCIDE);
    /* with PCIDE=1: clearing PG is #GP; CR3 bit 63 legal and not stored */
    EXPECT_GP(t, CTRL_CR0, a.cr0 & ~CR0_PG);
    cr3(t, root(t) | 5 | CR3_NOFLUSH);
    assert_int_equal(mt_arch(t).cr3, root(t) | 5);
    EXPECT_GP(t, CTRL_CR3, root(t) | 5 | (1ull << 50));
    mt_free(t);

    /* CR3 bits 62:M depend on maxphyaddr */
    t = env_long(false, "maxphyaddr=40");
    EXPECT_GP(t, CTRL_CR3, root(t) | (1ull << 40));
    mt_ctrl_ok(t, CTRL_CR3, root(t) | (1ull << 39));
    mt_ctrl_ok(t, CTRL_CR3, root(t));
    mt_free(t);
}

static void test_cr_gp_legacy(void **state)
{
    (void)state;
    mt_t *t = mt_newv(NULL);
    /* paging off */
    EXPECT_GP(t, CTRL_CR0, CR0_PG);                     /* PG without PE */
    EXPECT_GP(t, CTRL_CR4, CR4_PAE | CR4_PCIDE);        /* PCIDE with LMA=0 */
    mt_ctrl_ok(t, CTRL_EFER, EFER_LME | EFER_LMA);      /* LMA write ignored */
    assert_int_equal(mt_arch(t).efer, EFER_LME);
    EXPECT_GP(t, CTRL_CR0, CR0_PE | CR0_PG);            /* LME=1, PAE=0 */
    mt_ctrl_ok(t, CTRL_EFER, 0);
    /* LMA=0: CR3 bits 63:32 are dropped */
    mt_ctrl_ok(t, CTRL_CR3, 0xffffffff00003000ull);
    assert_int_equal(mt_arch(t).cr3, 0x3000);
    mt_ctrl_ok(t, CTRL_CR3, 0x8000000000004018ull);
    assert_int_equal(mt_arch(t).cr3, 0x4018);
    /* LA57 may change while LMA=0 */
    mt_ctrl_ok(t, CTRL_CR4, CR4_LA57);
    mt_ctrl_ok(t, CTRL_CR4, 0);

    /* 32-bit paging */
    mt_tables(t, PAGING_32);
    mt_map(t, 0x04000000ull, 0x00500000ull, 12, PTE_P | PTE_RW);
    mt_enter(t, PAGING_32, 0, 0, 0);
    EXPECT_GP(t, CTRL_EFER, EFER_LME);                  /* LME change while PG=1 */
    EXPECT_GP(t, CTRL_CR4, CR4_PCIDE);
    mt_ctrl_ok(t, CTRL_CR3, ptb_cr3(&t->pt) | 0xabcd000000000000ull);
    assert_int_equal(mt_arch(t).cr3, ptb_cr3(&t->pt));
    /* PAE paging would result with a bad PDPTE: PD slot 0 as PDPTE 0 with bit 1 (R/W) */
    paddr_t pd0 = t->pt.root;
    ptb_write_entry(&t->pt, pd0, 0x00200003ull);
    EXPECT_GP(t, CTRL_CR4, CR4_PAE);
    ptb_write_entry(&t->pt, pd0, 0x00200001ull);
    mt_ctrl_ok(t, CTRL_CR4, CR4_PAE);                   /* now legal */
    assert_int_equal(mt_arch(t).mode, PAGING_PAE);
    assert_int_equal(mt_arch(t).pdpte[0], 0x00200001ull);
    mt_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_observation_baseline),
        cmocka_unit_test(test_cr3_pcide0),
        cmocka_unit_test(test_cr3_pcide1_flush),
        cmocka_unit_test(test_cr3_noflush),
        cmocka_unit_test(test_invlpg),
        cmocka_unit_test(test_invlpg_all_tlbs),
        cmocka_unit_test(test_invpcid_type0),
        cmocka_unit_test(test_invpcid_type1),
        cmocka_unit_test(test_invpcid_type2),
        cmocka_unit_test(test_invpcid_type3),
        cmocka_unit_test(test_invpcid_gp),
        cmocka_unit_test(test_cr4_pge_change),
        cmocka_unit_test(test_cr4_pcide_off),
        cmocka_unit_test(test_cr4_smep),
        cmocka_unit_test(test_cr4_pae_change),
        cmocka_unit_test(test_cr0_pg_off),
        cmocka_unit_test(test_no_flush_bits),
        cmocka_unit_test(test_pf_invalidates_pwc),
        cmocka_unit_test(test_pcid_isolation),
        cmocka_unit_test(test_global_across_pcids),
        cmocka_unit_test(test_cr_gp_long_mode),
        cmocka_unit_test(test_cr_gp_legacy),
    };
    return cmocka_run_group_tests(tests, NULL, mt_teardown);
}
