/* Reserved bits, not-present entries, canonical addresses and PAE PDPTE
 * loads (docs/semantics.md sections 1-3 and 7). Expected error codes are
 * computed here from the section 4 error-code rules. */
#include "mmutest.h"

#include <stdio.h>
#include <string.h>

#define VA4(l4, l3, l2, l1, off) \
    (((uint64_t)(l4) << 39) | ((uint64_t)(l3) << 30) | ((uint64_t)(l2) << 21) | ((uint64_t)(l1) << 12) | (off))

typedef struct {
    paging_mode_t mode;
    vaddr_t va;
    unsigned shift;
    int top, leaf;
} rgeom_t;

static vaddr_t geom_va(paging_mode_t mode)
{
    switch (mode) {
    case PAGING_32: return 0x12345678ull;
    case PAGING_PAE: return 0xd2345678ull;
    case PAGING_4LEVEL: return VA4(0xab, 0x1cd, 0xef, 0x123, 0x456);
    default: return 0xfff0000000000000ull | VA4(0x1a5, 0x0c3, 0x1e1, 0x0f7, 0x9a8);
    }
}

static rgeom_t mkgeom(paging_mode_t mode, unsigned shift)
{
    rgeom_t g = {mode, geom_va(mode), shift, mt_top_level(mode), shift == 12 ? 1 : shift == 30 ? 3 : 2};
    return g;
}

/* Page base below 2^M (M >= 32) for the data page: 1 GiB aligned, below 4 GiB. */
#define DATA_PA 0x40000000ull

static mt_t *build(const rgeom_t *g, const char *mpa)
{
    mt_t *t = mpa ? mt_newv(mpa, NULL) : mt_newv(NULL);
    mt_tables(t, g->mode);
    mt_map(t, g->va & ~((1ull << g->shift) - 1), DATA_PA, g->shift, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D);
    return t;
}

/* ---- access variants and the error code ---------------------------------- */

typedef struct {
    mmu_access_t acc;
    unsigned cpl;
    bool implicit, smep, nxe;
} var_t;

static const var_t variants[] = {
    {ACC_READ, 0, false, false, true},
    {ACC_WRITE, 3, false, false, false},
    {ACC_EXEC, 3, false, true, false},    /* I/D via SMEP */
    {ACC_EXEC, 0, false, false, true},    /* I/D via PAE && NXE (not in 32-bit) */
    {ACC_EXEC, 0, false, false, false},   /* no I/D */
    {ACC_READ, 3, true, false, false},    /* implicit: supervisor, U=0 */
    {ACC_WRITE, 0, false, true, true},
};
#define NVARIANTS (sizeof variants / sizeof variants[0])

static uint32_t ec_bits(paging_mode_t mode, const var_t *v, bool nxe)
{
    uint32_t ec = 0;
    if (v->acc == ACC_WRITE)
        ec |= PFEC_W;
    if (v->cpl == 3 && !v->implicit)
        ec |= PFEC_U;
    if (v->acc == ACC_EXEC && (v->smep || (mode != PAGING_32 && nxe)))
        ec |= PFEC_I;
    return ec;
}

#ifndef MAXREP
#define MAXREP 20
#endif
static long failures;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (!(cond)) {                                                     \
            failures++;                                                    \
            if (failures <= MAXREP) {                                      \
                print_message("MISMATCH %s:%d: ", __FILE__, __LINE__);     \
                print_message(__VA_ARGS__);                                \
                print_message("\n");                                       \
            }                                                              \
        }                                                                  \
    } while (0)

enum { EXPECT_OK, EXPECT_NP, EXPECT_RSVD };

/* Runs every access variant on the current tables (entries already set up).
 * fault_level: level of the expected fault (for mem_reads); ok_pa: PA for EXPECT_OK.
 * nxe_mode: -1 as the variant says, 0 / 1 forced. */
static void get_path(mt_t *t, const rgeom_t *g, paddr_t path[6])
{
    for (int l = 0; l < 6; l++)
        path[l] = l >= g->leaf && l <= g->top ? ptb_entry_addr(&t->pt, g->va, l) : 0;
}

/* path: entry addresses of va's path, taken before any entry was modified. */
static void run_variants(mt_t *t, const rgeom_t *g, const paddr_t *path, int expect, int fault_level, int nxe_mode,
                         uint64_t cr4x, paddr_t ok_pa, const char *what)
{
    uint64_t before[6] = {0};
    for (int l = g->top; l >= g->leaf; l--)
        if (path[l])
            before[l] = ptb_read_entry(&t->pt, path[l]);
    for (size_t i = 0; i < NVARIANTS; i++) {
        const var_t *v = &variants[i];
        bool nxe = nxe_mode < 0 ? v->nxe : nxe_mode;
        mmu_reset(t->mmu);
        mt_enter(t, g->mode, 0, cr4x | (v->smep ? CR4_SMEP : 0), nxe ? EFER_NXE : 0);
        mmu_result_t r = mt_access(t, g->va, v->acc, v->cpl, false, v->implicit);
        vaddr_t va = g->mode <= PAGING_PAE ? (g->va & 0xffffffffull) : g->va;
        if (expect == EXPECT_OK) {
            /* rights are permissive except SMEP/SMAP: user page; supervisor fetch with SMEP faults */
            bool smep_fault = v->acc == ACC_EXEC && v->smep && (v->cpl != 3 || v->implicit);
            if (smep_fault)
                continue;
            CHECK(r.fault == FAULT_NONE, "%s [variant %zu]: fault %s ec %#x, expected success", what, i,
                  mmu_fault_name(r.fault), r.error_code);
            if (r.fault == FAULT_NONE)
                CHECK(r.pa == ok_pa, "%s [variant %zu]: PA %#llx, expected %#llx", what, i,
                      (unsigned long long)r.pa, (unsigned long long)ok_pa);
            /* restore A/D state for the next variant */
            for (int l = g->top; l >= g->leaf; l--)
                if (path[l])
                    ptb_write_entry(&t->pt, path[l], before[l]);
            continue;
        }
        uint32_t ec = ec_bits(g->mode, v, nxe) | (expect == EXPECT_RSVD ? PFEC_P | PFEC_RSVD : 0);
        CHECK(r.fault == FAULT_PF, "%s [variant %zu]: fault %s, expected #PF", what, i, mmu_fault_name(r.fault));
        if (r.fault != FAULT_PF)
            continue;
        CHECK(r.error_code == ec, "%s [variant %zu]: error code %#x, expected %#x", what, i, r.error_code, ec);
        CHECK(r.cr2 == va, "%s [variant %zu]: CR2 %#llx, expected %#llx", what, i, (unsigned long long)r.cr2,
              (unsigned long long)va);
        int reads = fault_level > 0 ? g->top - fault_level + 1 : 0;
        CHECK(r.mem_reads == reads, "%s [variant %zu]: mem_reads %u, expected %d", what, i, r.mem_reads, reads);
        CHECK(r.mem_writes == 0, "%s [variant %zu]: mem_writes %u, expected 0", what, i, r.mem_writes);
        for (int l = g->top; l >= g->leaf; l--)
            if (path[l])
                CHECK(ptb_read_entry(&t->pt, path[l]) == before[l], "%s [variant %zu]: level %d entry changed", what,
                      i, l);
    }
}

/* Sets `bits` in the entry at level, runs the variants, restores the entry. */
static void with_bits(mt_t *t, const rgeom_t *g, int level, uint64_t bits, int expect, int nxe_mode, uint64_t cr4x,
                      paddr_t ok_pa, const char *what)
{
    paddr_t path[6];
    get_path(t, g, path);
    paddr_t pa = mt_entry_pa(t, g->va, level);
    uint64_t old = ptb_read_entry(&t->pt, pa);
    ptb_write_entry(&t->pt, pa, old | bits);
    run_variants(t, g, path, expect, level, nxe_mode, cr4x, ok_pa, what);
    ptb_write_entry(&t->pt, pa, old);
}

static paddr_t ok_pa_of(const rgeom_t *g)
{
    vaddr_t va = g->mode <= PAGING_PAE ? (g->va & 0xffffffffull) : g->va;
    return DATA_PA | (va & ((1ull << g->shift) - 1));
}

/* ---- 4/5-level ------------------------------------------------------------ */

static void test_long_mode_reserved(void **state)
{
    (void)state;
    static const unsigned ms[] = {36, 40, 46, 52};
    static const paging_mode_t modes[] = {PAGING_4LEVEL, PAGING_5LEVEL};
    static const unsigned shifts[] = {12, 21, 30};
    char what[160], mpa[32];
    failures = 0;
    for (size_t mi = 0; mi < 2; mi++)
        for (size_t si = 0; si < 3; si++)
            for (size_t k = 0; k < 4; k++) {
                unsigned M = ms[k];
                rgeom_t g = mkgeom(modes[mi], shifts[si]);
                snprintf(mpa, sizeof mpa, "maxphyaddr=%u", M);
                mt_t *t = build(&g, mpa);
                const char *mn = paging_mode_name(g.mode);
                for (int l = g.top; l >= g.leaf; l--) {
                    /* bits 51:M */
                    if (M <= 51) {
                        unsigned bs[] = {M, (M + 51) / 2, 51};
                        for (int j = 0; j < 3; j++) {
                            snprintf(what, sizeof what, "%s shift %u M=%u L%d bit %u", mn, g.shift, M, l, bs[j]);
                            with_bits(t, &g, l, 1ull << bs[j], EXPECT_RSVD, -1, 0, 0, what);
                        }
                    }
                    /* bits 62:52 are ignored */
                    snprintf(what, sizeof what, "%s shift %u M=%u L%d bits 62:52 (ignored)", mn, g.shift, M, l);
                    with_bits(t, &g, l, 0x7ffull << 52, EXPECT_OK, -1, 0, ok_pa_of(&g), what);
                    /* XD with NXE=0 is reserved; with NXE=1 it is not (reads succeed) */
                    snprintf(what, sizeof what, "%s shift %u M=%u L%d XD, NXE=0", mn, g.shift, M, l);
                    with_bits(t, &g, l, PTE_XD, EXPECT_RSVD, 0, 0, 0, what);
                }
                /* the leaf's bit M-1 is an address bit */
                if (M <= 51) {
                    snprintf(what, sizeof what, "%s shift %u M=%u leaf bit %u (address)", mn, g.shift, M, M - 1);
                    with_bits(t, &g, g.leaf, 1ull << (M - 1), EXPECT_OK, -1, 0, ok_pa_of(&g) | (1ull << (M - 1)),
                              what);
                }
                /* PS in PML4E / PML5E */
                for (int l = 4; l <= g.top; l++) {
                    snprintf(what, sizeof what, "%s shift %u M=%u L%d PS", mn, g.shift, M, l);
                    with_bits(t, &g, l, PTE_PS, EXPECT_RSVD, -1, 0, 0, what);
                }
                /* 1 GiB: bits 29:13 reserved, bit 12 (PAT) not */
                if (g.shift == 30) {
                    for (unsigned b = 13; b <= 29; b++) {
                        snprintf(what, sizeof what, "%s 1G M=%u PDPTE bit %u", mn, M, b);
                        with_bits(t, &g, 3, 1ull << b, EXPECT_RSVD, -1, 0, 0, what);
                    }
                    snprintf(what, sizeof what, "%s 1G M=%u PDPTE bit 12 (PAT)", mn, M);
                    with_bits(t, &g, 3, 1ull << 12, EXPECT_OK, -1, 0, ok_pa_of(&g), what);
                }
                /* 2 MiB: bits 20:13 reserved, bit 12 (PAT) not */
                if (g.shift == 21) {
                    for (unsigned b = 13; b <= 20; b++) {
                        snprintf(what, sizeof what, "%s 2M M=%u PDE bit %u", mn, M, b);
                        with_bits(t, &g, 2, 1ull << b, EXPECT_RSVD, -1, 0, 0, what);
                    }
                    snprintf(what, sizeof what, "%s 2M M=%u PDE bit 12 (PAT)", mn, M);
                    with_bits(t, &g, 2, 1ull << 12, EXPECT_OK, -1, 0, ok_pa_of(&g), what);
                }
                mt_free(t);
            }
    assert_int_equal(failures, 0);
}

/* ---- PAE -------------------------------------------------------------------- */

static void test_pae_reserved(void **state)
{
    (void)state;
    static const unsigned ms[] = {36, 46, 52};
    static const unsigned shifts[] = {12, 21};
    char what[160], mpa[32];
    failures = 0;
    for (size_t si = 0; si < 2; si++)
        for (size_t k = 0; k < 3; k++) {
            unsigned M = ms[k];
            rgeom_t g = mkgeom(PAGING_PAE, shifts[si]);
            snprintf(mpa, sizeof mpa, "maxphyaddr=%u", M);
            mt_t *t = build(&g, mpa);
            for (int l = g.top; l >= g.leaf; l--) {
                /* bits 62:M, including 62:52 (no ignored high bits in PAE) */
                unsigned bs[] = {M, (M + 62) / 2, 52, 62};
                for (int j = 0; j < 4; j++) {
                    if (bs[j] < M)
                        continue;
                    snprintf(what, sizeof what, "PAE shift %u M=%u L%d bit %u", g.shift, M, l, bs[j]);
                    with_bits(t, &g, l, 1ull << bs[j], EXPECT_RSVD, -1, 0, 0, what);
                }
                snprintf(what, sizeof what, "PAE shift %u M=%u L%d XD, NXE=0", g.shift, M, l);
                with_bits(t, &g, l, PTE_XD, EXPECT_RSVD, 0, 0, 0, what);
            }
            if (g.shift == 21) {
                for (unsigned b = 13; b <= 20; b++) {
                    snprintf(what, sizeof what, "PAE 2M M=%u PDE bit %u", M, b);
                    with_bits(t, &g, 2, 1ull << b, EXPECT_RSVD, -1, 0, 0, what);
                }
            }
            snprintf(what, sizeof what, "PAE shift %u M=%u leaf bit %u (address)", g.shift, M, M - 1);
            with_bits(t, &g, g.leaf, 1ull << (M - 1), EXPECT_OK, -1, 0, ok_pa_of(&g) | (1ull << (M - 1)), what);
            mt_free(t);
        }
    assert_int_equal(failures, 0);
}

/* ---- 32-bit ----------------------------------------------------------------- */

static void test_32bit_pse(void **state)
{
    (void)state;
    static const unsigned ms[] = {32, 36, 40, 46};
    char what[160], mpa[32];
    failures = 0;
    for (size_t k = 0; k < 4; k++) {
        unsigned M = ms[k];
        rgeom_t g = mkgeom(PAGING_32, 22);
        snprintf(mpa, sizeof mpa, "maxphyaddr=%u", M);
        mt_t *t = build(&g, mpa);
        snprintf(what, sizeof what, "32-bit 4M M=%u PDE bit 21", M);
        with_bits(t, &g, 2, 1ull << 21, EXPECT_RSVD, -1, CR4_PSE, 0, what);
        for (unsigned b = 13; b <= 20; b++) {
            bool rsvd = M < 40 && b >= M - 19;
            snprintf(what, sizeof what, "32-bit 4M M=%u PDE bit %u (%s)", M, b, rsvd ? "reserved" : "PA bit");
            /* PDE[20:13] = PA[39:32] */
            with_bits(t, &g, 2, 1ull << b, rsvd ? EXPECT_RSVD : EXPECT_OK, -1, CR4_PSE,
                      ok_pa_of(&g) | (1ull << (b - 13 + 32)), what);
        }
        mt_free(t);
    }
    assert_int_equal(failures, 0);
}

/* 32-bit: PS is ignored with CR4.PSE=0; no reserved bits in PTEs or PDEs that point to tables. */
static void test_32bit_no_reserved(void **state)
{
    (void)state;
    failures = 0;
    rgeom_t g = mkgeom(PAGING_32, 12);
    mt_t *t = build(&g, "maxphyaddr=32");
    with_bits(t, &g, 2, PTE_PS, EXPECT_OK, -1, 0, ok_pa_of(&g), "32-bit PDE.PS with PSE=0");
    with_bits(t, &g, 2, PTE_PS | PTE_D | PTE_G | (7u << 9), EXPECT_OK, -1, 0, ok_pa_of(&g),
              "32-bit PDE.PS|D|G|avl with PSE=0");
    with_bits(t, &g, 1, PTE_PS | PTE_G | (7u << 9), EXPECT_OK, -1, 0, ok_pa_of(&g), "32-bit PTE PAT|G|avl");
    with_bits(t, &g, 1, PTE_PS | PTE_G | (7u << 9), EXPECT_OK, -1, CR4_PSE, ok_pa_of(&g), "32-bit PTE PAT, PSE=1");
    mt_free(t);
    assert_int_equal(failures, 0);
}

/* ---- not present ------------------------------------------------------------ */

static void test_not_present(void **state)
{
    (void)state;
    static const paging_mode_t modes[] = {PAGING_32, PAGING_PAE, PAGING_4LEVEL, PAGING_5LEVEL};
    char what[160];
    failures = 0;
    for (size_t mi = 0; mi < 4; mi++)
        for (unsigned shift = 12; shift <= 30; shift += 9) {
            unsigned sh = modes[mi] == PAGING_32 && shift == 21 ? 22 : shift;
            if (shift == 30 && mt_top_level(modes[mi]) < 4)
                continue;
            rgeom_t g = mkgeom(modes[mi], sh);
            mt_t *t = build(&g, NULL);
            paddr_t path[6];
            get_path(t, &g, path);
            for (int l = g.top; l >= g.leaf; l--) {
                paddr_t pa = mt_entry_pa(t, g.va, l);
                uint64_t old = ptb_read_entry(&t->pt, pa);
                /* P=0 with every other bit as it was, plus would-be reserved bits: still P=0 */
                uint64_t junk = g.mode == PAGING_32 ? (1ull << 21) : (PTE_XD | (1ull << 50) | PTE_PS);
                ptb_write_entry(&t->pt, pa, (old & ~PTE_P) | junk);
                snprintf(what, sizeof what, "%s shift %u L%d P=0", paging_mode_name(g.mode), sh, l);
                run_variants(t, &g, path, EXPECT_NP, l, -1, sh == 22 ? CR4_PSE : 0, 0, what);
                ptb_write_entry(&t->pt, pa, old);
            }
            mt_free(t);
        }
    assert_int_equal(failures, 0);
}

/* PAE: a PDPTE register with P=0 faults with P=0 and no memory read. */
static void test_pae_pdpte_not_present(void **state)
{
    (void)state;
    failures = 0;
    rgeom_t g = mkgeom(PAGING_PAE, 12);
    mt_t *t = build(&g, NULL);
    /* quadrants 0..2 were never mapped: their PDPTEs are 0 */
    rgeom_t g0 = g;
    g0.va = 0x40123456ull;
    paddr_t path[6];
    get_path(t, &g0, path);
    run_variants(t, &g0, path, EXPECT_NP, 0, -1, 0, 0, "PAE PDPTE[1] not present");
    /* a not-present PDPTE with "reserved" bits loads fine (not checked) */
    paddr_t p1 = t->pt.root + 8;
    ptb_write_entry(&t->pt, p1, 0x8000000000000006ull | (1ull << 50));
    run_variants(t, &g0, path, EXPECT_NP, 0, -1, 0, 0, "PAE PDPTE[1] P=0 with junk");
    mmu_arch_t a = mt_arch(t);
    assert_int_equal(a.mode, PAGING_PAE);
    mt_free(t);
    assert_int_equal(failures, 0);
}

/* ---- canonical addresses ---------------------------------------------------- */

static void test_non_canonical(void **state)
{
    (void)state;
    static const vaddr_t bad4[] = {0x0000800000000000ull, 0xffff7fffffffffffull, 0x8000000000000000ull,
                                   0x7fffffffffffffffull, 0x0001000000000000ull, 0xfffe000000000000ull};
    static const vaddr_t bad5[] = {0x0100000000000000ull, 0xfeffffffffffffffull, 0x8000000000000000ull,
                                   0x7fffffffffffffffull, 0x0200000000000000ull};
    for (int five = 0; five < 2; five++) {
        paging_mode_t mode = five ? PAGING_5LEVEL : PAGING_4LEVEL;
        rgeom_t g = mkgeom(mode, 12);
        mt_t *t = build(&g, NULL);
        mt_enter(t, mode, 0, 0, EFER_NXE);
        /* put a known value in CR2 */
        mmu_result_t r = mt_rd(t, 0x1000);
        assert_int_equal(r.fault, FAULT_PF);
        assert_int_equal(r.cr2, 0x1000);
        const vaddr_t *bad = five ? bad5 : bad4;
        size_t n = five ? sizeof bad5 / sizeof bad5[0] : sizeof bad4 / sizeof bad4[0];
        for (size_t i = 0; i < n; i++)
            for (int acc = 0; acc < 3; acc++)
                for (unsigned cpl = 0; cpl <= 3; cpl += 3) {
                    mt_ops_t ops;
                    mt_ops_start(t, &ops);
                    r = mt_access(t, bad[i], (mmu_access_t)acc, cpl, false, false);
                    mt_ops_stop(t);
                    if (r.fault != FAULT_GP)
                        fail_msg("%s va %#llx: fault %s, expected GP", paging_mode_name(mode),
                                 (unsigned long long)bad[i], mmu_fault_name(r.fault));
                    assert_int_equal(r.error_code, 0);
                    assert_int_equal(r.cr2, 0x1000);
                    assert_int_equal(mt_arch(t).cr2, 0x1000);
                    assert_false(r.walked);
                    assert_int_equal(r.tlb_hit, TLB_HIT_NONE);
                    assert_int_equal(r.mem_reads, 0);
                    assert_int_equal(ops.n, 0);
                }
        mt_free(t);
    }
}

static void test_canonical_edges(void **state)
{
    (void)state;
    static const vaddr_t ok4[] = {0x00007ffffffff000ull, 0xffff800000000000ull, 0xfffffffffffff000ull, 0};
    static const vaddr_t ok5[] = {0x00fffffffffff000ull, 0xff00000000000000ull, 0xfffffffffffff000ull,
                                  0x0000800000000000ull, 0xffff7ffffffff000ull};
    for (int five = 0; five < 2; five++) {
        paging_mode_t mode = five ? PAGING_5LEVEL : PAGING_4LEVEL;
        mt_t *t = mt_newv(NULL);
        mt_tables(t, mode);
        const vaddr_t *ok = five ? ok5 : ok4;
        size_t n = five ? sizeof ok5 / sizeof ok5[0] : sizeof ok4 / sizeof ok4[0];
        for (size_t i = 0; i < n; i++)
            mt_map(t, ok[i], 0x200000ull + i * 0x1000, 12, PTE_P | PTE_RW);
        mt_enter(t, mode, 0, 0, 0);
        for (size_t i = 0; i < n; i++) {
            vaddr_t last = ok[i] | 0xfff;
            mmu_result_t r = mt_rd(t, last);
            if (r.fault != FAULT_NONE)
                fail_msg("%s canonical va %#llx: fault %s", paging_mode_name(mode), (unsigned long long)last,
                         mmu_fault_name(r.fault));
            assert_int_equal(r.pa, 0x200000ull + i * 0x1000 + 0xfff);
            r = mt_rd(t, ok[i]);
            assert_int_equal(r.fault, FAULT_NONE);
            assert_int_equal(r.pa, 0x200000ull + i * 0x1000);
        }
        mt_free(t);
    }
}

/* ---- PAE PDPTE loads -------------------------------------------------------- */

static void test_pae_pdpte_load_gp(void **state)
{
    (void)state;
    static const unsigned bad_bits[] = {1, 2, 5, 6, 7, 8, 46, 51, 52, 62, 63};
    static const unsigned ok_bits[] = {3, 4, 9, 10, 11, 45};
    const vaddr_t va = 0xd2345678ull;
    mt_t *t = mt_newv("maxphyaddr=46", NULL);
    mt_tables(t, PAGING_PAE);
    mt_map(t, va & ~0xfffull, 0x11111000ull, 12, PTE_P | PTE_RW);
    ptbuild_t b;
    mt_tables_extra(t, &b, PAGING_PAE);
    mt_map_in(&b, va & ~0xfffull, 0x22222000ull, 12, PTE_P | PTE_RW, PTB_TABLE_FLAGS);
    paddr_t pdpte_b = ptb_entry_addr(&b, va, 3);
    uint64_t good = ptb_read_entry(&b, pdpte_b);
    mt_enter(t, PAGING_PAE, 0, 0, 0);
    mmu_arch_t a0 = mt_arch(t);
    assert_int_equal(a0.mode, PAGING_PAE);
    assert_int_equal(a0.pdpte[3], ptb_read_entry(&t->pt, ptb_entry_addr(&t->pt, va, 3)));

    for (size_t i = 0; i < sizeof bad_bits / sizeof bad_bits[0]; i++) {
        ptb_write_entry(&b, pdpte_b, good | (1ull << bad_bits[i]));
        mmu_ctrl_result_t cr;
        mmu_fault_t f = mt_ctrl(t, CTRL_CR3, ptb_cr3(&b), &cr);
        if (f != FAULT_GP)
            fail_msg("PDPTE bit %u: CR3 write %s, expected GP", bad_bits[i], mmu_fault_name(f));
        mmu_arch_t a = mt_arch(t);
        assert_int_equal(a.cr3, a0.cr3);
        for (int j = 0; j < 4; j++)
            assert_int_equal(a.pdpte[j], a0.pdpte[j]);
        mmu_result_t r = mt_rd(t, va);
        assert_int_equal(r.fault, FAULT_NONE);
        assert_int_equal(r.pa, 0x11111678ull);
    }
    /* bits that are not reserved load fine */
    for (size_t i = 0; i < sizeof ok_bits / sizeof ok_bits[0]; i++) {
        uint64_t v = good | (1ull << ok_bits[i]);
        ptb_write_entry(&b, pdpte_b, v);
        mmu_fault_t f = mt_ctrl(t, CTRL_CR3, ptb_cr3(&b), NULL);
        if (f != FAULT_NONE)
            fail_msg("PDPTE bit %u: CR3 write %s, expected success", ok_bits[i], mmu_fault_name(f));
        assert_int_equal(mt_arch(t).pdpte[3], v);
        mt_ctrl_ok(t, CTRL_CR3, a0.cr3);
    }
    ptb_write_entry(&b, pdpte_b, good);
    mt_ctrl_ok(t, CTRL_CR3, ptb_cr3(&b));
    mmu_result_t r = mt_rd(t, va);
    assert_int_equal(r.fault, FAULT_NONE);
    assert_int_equal(r.pa, 0x22222678ull);

    /* CR4 write that reloads (PGE change) with a now-bad PDPTE in memory: GP, CR4 unchanged */
    ptb_write_entry(&b, pdpte_b, good | (1ull << 5));
    uint64_t cr4 = mt_arch(t).cr4;
    assert_int_equal(mt_ctrl(t, CTRL_CR4, cr4 | CR4_PGE, NULL), FAULT_GP);
    assert_int_equal(mt_arch(t).cr4, cr4);
    /* CR4 write that does not reload (SMAP) succeeds */
    assert_int_equal(mt_ctrl(t, CTRL_CR4, cr4 | CR4_SMAP, NULL), FAULT_NONE);
    assert_int_equal(mt_ctrl(t, CTRL_CR4, cr4, NULL), FAULT_NONE);
    /* CR0: clearing PG is fine, setting it again with the bad PDPTE is GP */
    uint64_t cr0 = mt_arch(t).cr0;
    assert_int_equal(mt_ctrl(t, CTRL_CR0, cr0 & ~CR0_PG, NULL), FAULT_NONE);
    assert_int_equal(mt_ctrl(t, CTRL_CR0, cr0, NULL), FAULT_GP);
    assert_int_equal(mt_arch(t).cr0, cr0 & ~CR0_PG);
    assert_int_equal(mt_arch(t).mode, PAGING_OFF);
    mt_free(t);
}

/* A 32-bit PDE with PS=1 and PSE=1: the PSE-36 PA bits (M=40 makes 20:13 all address). */
static void test_pse36_pa(void **state)
{
    (void)state;
    mt_t *t = mt_newv("maxphyaddr=40", NULL);
    mt_tables(t, PAGING_32);
    const vaddr_t va = 0x12345678ull;
    mt_map(t, 0x12000000ull, 0x3fc00000ull, 22, PTE_P | PTE_RW);
    paddr_t pde = mt_entry_pa(t, va, 2);
    uint64_t e = ptb_read_entry(&t->pt, pde);
    ptb_write_entry(&t->pt, pde, e | (0xabull << 13));
    mt_enter(t, PAGING_32, 0, CR4_PSE, 0);
    mmu_result_t r = mt_rd(t, va);
    assert_int_equal(r.fault, FAULT_NONE);
    assert_int_equal(r.pa, 0xab3fc00000ull | 0x345678ull);
    assert_int_equal(r.page_shift, 22);
    mt_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_long_mode_reserved),
        cmocka_unit_test(test_pae_reserved),
        cmocka_unit_test(test_32bit_pse),
        cmocka_unit_test(test_32bit_no_reserved),
        cmocka_unit_test(test_pse36_pa),
        cmocka_unit_test(test_not_present),
        cmocka_unit_test(test_pae_pdpte_not_present),
        cmocka_unit_test(test_non_canonical),
        cmocka_unit_test(test_canonical_edges),
        cmocka_unit_test(test_pae_pdpte_load_gp),
    };
    return cmocka_run_group_tests(tests, NULL, mt_teardown);
}
