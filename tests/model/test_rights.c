/* Access rights (docs/semantics.md section 4, with the walk of section 3):
 * table-driven enumeration of paging mode x page size x access x CPL x AC x
 * implicit x CR0.WP x CR4.SMEP x CR4.SMAP x EFER.NXE x per-level U/S, R/W
 * and XD. The expectation comes from a reference predicate written here from
 * the rules text; the model is only observed through its public API. */
#include "mmutest.h"

#include <stdio.h>
#include <string.h>

/* ---- geometry -------------------------------------------------------------- */

typedef struct {
    const char *name;
    paging_mode_t mode;
    vaddr_t va;        /* request VA (also what ptb maps) */
    paddr_t pa;        /* page base */
    unsigned shift;    /* page size */
    int top, leaf;     /* memory levels walked: top .. leaf (PAE: PDPTE register above) */
} geom_t;

#define VA4(l4, l3, l2, l1, off) \
    (((uint64_t)(l4) << 39) | ((uint64_t)(l3) << 30) | ((uint64_t)(l2) << 21) | ((uint64_t)(l1) << 12) | (off))

static const geom_t geoms[] = {
    {"32-bit 4K", PAGING_32, 0x12345678ull, 0x0abcd000ull, 12, 2, 1},
    {"32-bit 4M", PAGING_32, 0x12345678ull, 0x3fc00000ull, 22, 2, 2},
    {"PAE 4K", PAGING_PAE, 0xd2345678ull, 0x7654321000ull, 12, 2, 1},
    {"PAE 2M", PAGING_PAE, 0xd2345678ull, 0x7654200000ull, 21, 2, 2},
    {"4-level 4K", PAGING_4LEVEL, VA4(0xab, 0x1cd, 0xef, 0x123, 0x456), 0x123456789000ull, 12, 4, 1},
    {"4-level 2M", PAGING_4LEVEL, VA4(0xab, 0x1cd, 0xef, 0x123, 0x456), 0x123456600000ull, 21, 4, 2},
    {"4-level 1G", PAGING_4LEVEL, VA4(0xab, 0x1cd, 0xef, 0x123, 0x456), 0x123440000000ull, 30, 4, 3},
    {"4-level 4K high", PAGING_4LEVEL, 0xffff000000000000ull | VA4(0x1ab, 0x0cd, 0x0ef, 0x123, 0x456), 0x023456789000ull, 12, 4, 1},
    /* 5-level: PML5 index 0x1f0 (bit 56 set -> upper half, sign-extended) */
    {"5-level 4K", PAGING_5LEVEL, 0xfff0000000000000ull | VA4(0x1a5, 0x0c3, 0x1e1, 0x0f7, 0x9a8), 0x0a9876543000ull, 12, 5, 1},
    {"5-level 2M", PAGING_5LEVEL, 0xfff0000000000000ull | VA4(0x1a5, 0x0c3, 0x1e1, 0x0f7, 0x9a8), 0x0a9876400000ull, 21, 5, 2},
    {"5-level 1G", PAGING_5LEVEL, 0xfff0000000000000ull | VA4(0x1a5, 0x0c3, 0x1e1, 0x0f7, 0x9a8), 0x0a9840000000ull, 30, 5, 3},
};
#define NGEOMS (sizeof geoms / sizeof geoms[0])

static bool wide(const geom_t *g) { return g->mode != PAGING_32; }

static vaddr_t va_used(const geom_t *g)
{
    return (g->mode == PAGING_32 || g->mode == PAGING_PAE) ? (g->va & 0xffffffffull) : g->va;
}

/* ---- one case -------------------------------------------------------------- */

typedef struct {
    mmu_access_t acc;
    unsigned cpl;
    bool ac, implicit;
} acc_t;

typedef struct {
    bool wp, smep, smap, nxe;
} crs_t;

typedef struct {
    bool rw[6], us[6], xd[6];   /* per memory level (index = level) */
} bits_t;

typedef struct {
    mmu_fault_t fault;
    uint32_t ec;
    int fault_level;   /* level of a reserved-bit fault, 0 otherwise */
} expect_t;

/* The reference predicate of section 4 (violation of the access rules). */
static bool violates(const acc_t *a, const crs_t *c, bool rw, bool us, bool xd)
{
    bool user = a->cpl == 3 && !a->implicit;
    if (user) {
        if (!us)
            return true;
        if (a->acc == ACC_WRITE && !rw)
            return true;
        if (a->acc == ACC_EXEC && xd && c->nxe)
            return true;
        return false;
    }
    if (a->acc == ACC_WRITE && !rw && c->wp)
        return true;
    if (a->acc != ACC_EXEC && us && c->smap && (a->implicit || !a->ac))
        return true;
    if (a->acc == ACC_EXEC && us && c->smep)
        return true;
    if (a->acc == ACC_EXEC && xd && c->nxe)
        return true;
    return false;
}

static expect_t reference(const geom_t *g, const acc_t *a, const crs_t *c, const bits_t *b)
{
    expect_t e = {FAULT_NONE, 0, 0};
    bool user = a->cpl == 3 && !a->implicit;
    bool pae = g->mode != PAGING_32;   /* CR4.PAE */
    uint32_t ec = (a->acc == ACC_WRITE ? PFEC_W : 0) | (user ? PFEC_U : 0) |
                  (a->acc == ACC_EXEC && (c->smep || (pae && c->nxe)) ? PFEC_I : 0);
    /* walk top-down: the first entry with a reserved bit (XD with NXE=0) stops it */
    for (int l = g->top; l >= g->leaf; l--) {
        if (wide(g) && b->xd[l] && !c->nxe) {
            e.fault = FAULT_PF;
            e.ec = ec | PFEC_P | PFEC_RSVD;
            e.fault_level = l;
            return e;
        }
    }
    bool rw = true, us = true, xd = false;   /* PAE PDPTE: R/W=1, U/S=1, XD=0 */
    for (int l = g->top; l >= g->leaf; l--) {
        rw = rw && b->rw[l];
        us = us && b->us[l];
        xd = xd || (wide(g) && b->xd[l]);
    }
    if (violates(a, c, rw, us, xd)) {
        e.fault = FAULT_PF;
        e.ec = ec | PFEC_P;
    }
    return e;
}

static const char *acc_name(mmu_access_t a) { return a == ACC_READ ? "r" : a == ACC_WRITE ? "w" : "x"; }

static void describe(char *buf, size_t n, const geom_t *g, const acc_t *a, const crs_t *c, const bits_t *b)
{
    int k = snprintf(buf, n, "%s %s cpl=%u ac=%d impl=%d wp=%d smep=%d smap=%d nxe=%d |", g->name,
                     acc_name(a->acc), a->cpl, a->ac, a->implicit, c->wp, c->smep, c->smap, c->nxe);
    for (int l = g->top; l >= g->leaf && k > 0 && (size_t)k < n; l--)
        k += snprintf(buf + k, n - (size_t)k, " L%d:%s%s%s", l, b->rw[l] ? "W" : "-", b->us[l] ? "U" : "S",
                      b->xd[l] ? "X" : "");
}

typedef struct {
    mt_t *t;
    const geom_t *g;
    long cases, failures;
} ctx_t;

#ifndef MAX_REPORTS
#define MAX_REPORTS 12
#endif

static void report(ctx_t *x, const char *desc, const char *fmt, unsigned long long got, unsigned long long want)
{
    x->failures++;
    if (x->failures <= MAX_REPORTS) {
        print_message("MISMATCH [%s]: ", desc);
        print_message(fmt, got, want);
        print_message("\n");
    }
}

static void run_case(ctx_t *x, const acc_t *a, const crs_t *c, const bits_t *b)
{
    mt_t *t = x->t;
    const geom_t *g = x->g;
    uint64_t before[6] = {0}, after[6] = {0};
    char desc[256];

    x->cases++;
    mmu_reset(t->mmu);
    for (int l = g->top; l >= g->leaf; l--) {
        uint64_t f = PTE_P | (b->rw[l] ? PTE_RW : 0) | (b->us[l] ? PTE_US : 0) | (b->xd[l] ? PTE_XD : 0);
        mt_set_flags(t, g->va, l, f);   /* A = D = 0 */
        before[l] = mt_entry(t, g->va, l);
    }
    mt_enter(t, g->mode, c->wp ? CR0_WP : 0,
             (c->smep ? CR4_SMEP : 0) | (c->smap ? CR4_SMAP : 0) | (g->shift == 22 ? CR4_PSE : 0),
             c->nxe ? EFER_NXE : 0);
    mmu_result_t r = mt_access(t, g->va, a->acc, a->cpl, a->ac, a->implicit);
    expect_t e = reference(g, a, c, b);
    for (int l = g->top; l >= g->leaf; l--)
        after[l] = mt_entry(t, g->va, l);

    describe(desc, sizeof desc, g, a, c, b);
    if (r.fault != e.fault) {
        report(x, desc, "fault %llu, expected %llu", r.fault, e.fault);
        return;
    }
    int nlev = g->top - g->leaf + 1;
    if (e.fault == FAULT_PF) {
        if (r.error_code != e.ec)
            report(x, desc, "error code %#llx, expected %#llx", r.error_code, e.ec);
        if (r.cr2 != va_used(g))
            report(x, desc, "CR2 %#llx, expected %#llx", r.cr2, va_used(g));
        for (int l = g->top; l >= g->leaf; l--)
            if (after[l] != before[l])
                report(x, desc, "faulting walk changed an entry: %#llx, was %#llx", after[l], before[l]);
        if (r.mem_writes != 0)
            report(x, desc, "faulting walk: mem_writes %llu, expected %llu", r.mem_writes, 0);
        int reads = e.fault_level ? g->top - e.fault_level + 1 : nlev;
        if (r.mem_reads != reads)
            report(x, desc, "faulting walk: mem_reads %llu, expected %llu", r.mem_reads, (unsigned)reads);
    } else {
        paddr_t pa = g->pa | (va_used(g) & ((1ull << g->shift) - 1));
        if (r.pa != pa)
            report(x, desc, "PA %#llx, expected %#llx", r.pa, pa);
        if (r.page_shift != g->shift)
            report(x, desc, "page_shift %llu, expected %llu", r.page_shift, g->shift);
        if (r.cr2 != 0)
            report(x, desc, "CR2 %#llx after a successful access after reset, expected %#llx", r.cr2, 0);
        if (!r.walked || r.tlb_hit != TLB_HIT_NONE)
            report(x, desc, "cold access: walked=%llu tlb_hit=%llu", r.walked, r.tlb_hit);
        for (int l = g->top; l >= g->leaf; l--) {
            uint64_t want = before[l] | PTE_A | (l == g->leaf && a->acc == ACC_WRITE ? PTE_D : 0);
            if (after[l] != want)
                report(x, desc, "entry after success %#llx, expected %#llx", after[l], want);
        }
        if (r.mem_reads != nlev)
            report(x, desc, "mem_reads %llu, expected %llu", r.mem_reads, (unsigned)nlev);
        if (r.mem_writes != nlev)
            report(x, desc, "mem_writes %llu, expected %llu (A=0 in every entry)", r.mem_writes, (unsigned)nlev);
    }
}

/* ---- enumerations -------------------------------------------------------- */

static mt_t *setup_geom(const geom_t *g)
{
    mt_t *t = mt_newv(NULL);
    mt_tables(t, g->mode);
    mt_map(t, g->va & ~((1ull << g->shift) - 1), g->pa, g->shift, PTE_P | PTE_RW | PTE_US);
    return t;
}

static void for_each_access(ctx_t *x, const crs_t *c, const bits_t *b, const unsigned *cpls, int ncpl)
{
    static const mmu_access_t accs[] = {ACC_READ, ACC_WRITE, ACC_EXEC};
    for (int ai = 0; ai < 3; ai++)
        for (int ci = 0; ci < ncpl; ci++)
            for (int ac = 0; ac < 2; ac++)
                for (int im = 0; im < 2; im++) {
                    if (im && accs[ai] == ACC_EXEC)
                        continue;   /* no implicit fetch (section 4 Choice) */
                    acc_t a = {accs[ai], cpls[ci], ac, im};
                    run_case(x, &a, c, b);
                }
}

/* Part A: the complete rule table on the leaf (upper levels permissive):
 * leaf R/W x U/S x XD x WP x SMEP x SMAP x NXE x every access. */
static void rule_table(const geom_t *g, const unsigned *cpls, int ncpl, ctx_t *x)
{
    x->t = setup_geom(g);
    x->g = g;
    int nleaf = wide(g) ? 8 : 4;
    for (int lb = 0; lb < nleaf; lb++)
        for (int cb = 0; cb < 16; cb++) {
            bits_t b;
            memset(&b, 0, sizeof b);
            for (int l = g->top; l >= g->leaf; l--) {
                b.rw[l] = b.us[l] = true;
                b.xd[l] = false;
            }
            b.rw[g->leaf] = lb & 1;
            b.us[g->leaf] = (lb >> 1) & 1;
            b.xd[g->leaf] = (lb >> 2) & 1;
            crs_t c = {cb & 1, (cb >> 1) & 1, (cb >> 2) & 1, (cb >> 3) & 1};
            for_each_access(x, &c, &b, cpls, ncpl);
        }
    mt_free(x->t);
}

static void test_rule_table(void **state)
{
    (void)state;
    static const unsigned cpls[] = {0, 3};
    long failures = 0, cases = 0;
    for (size_t i = 0; i < NGEOMS; i++) {
        ctx_t x = {0};
        rule_table(&geoms[i], cpls, 2, &x);
        if (x.failures)
            print_message("%s: %ld of %ld cases failed\n", geoms[i].name, x.failures, x.cases);
        failures += x.failures;
        cases += x.cases;
    }
    print_message("rule table: %ld cases, %ld failures\n", cases, failures);
    assert_int_equal(failures, 0);
}

/* CPL 1 and 2 are supervisor-mode accesses like CPL 0. */
static void test_rule_table_cpl12(void **state)
{
    (void)state;
    static const unsigned cpls[] = {1, 2};
    ctx_t x = {0};
    rule_table(&geoms[4], cpls, 2, &x);   /* 4-level 4K */
    assert_int_equal(x.failures, 0);
}

/* Part B: rights combine over every level: every per-level combination of
 * R/W, U/S (and XD in 8-byte modes) under probes that are sensitive to each
 * combined bit, plus NXE=0 (XD reserved, the topmost XD level faults). */
static const struct {
    acc_t a;
    crs_t c;
} probes[] = {
    {{ACC_READ, 3, false, false}, {true, true, true, true}},
    {{ACC_WRITE, 3, false, false}, {true, true, true, true}},
    {{ACC_EXEC, 3, false, false}, {true, true, true, true}},
    {{ACC_WRITE, 0, true, false}, {true, true, true, true}},
    {{ACC_READ, 0, false, false}, {true, true, true, true}},
    {{ACC_EXEC, 0, false, false}, {true, true, true, true}},
    {{ACC_WRITE, 3, false, true}, {true, false, false, true}},
    {{ACC_READ, 0, false, false}, {false, false, false, false}},
    {{ACC_EXEC, 3, false, false}, {false, false, false, false}},
};
#define NPROBES (sizeof probes / sizeof probes[0])

static void combine(const geom_t *g, ctx_t *x)
{
    x->t = setup_geom(g);
    x->g = g;
    int nlev = g->top - g->leaf + 1, bpl = wide(g) ? 3 : 2;
    int nbits = nlev * bpl;
    /* Full cross product up to 12 bits; above that (5-level 4K: 15 bits) every
     * mask whose XD part has at most two levels set (all R/W x U/S combinations). */
    for (uint32_t m = 0; m < (1u << nbits); m++) {
        bits_t b;
        memset(&b, 0, sizeof b);
        int xdcount = 0;
        for (int i = 0; i < nlev; i++) {
            int l = g->top - i;
            uint32_t v = m >> (i * bpl);
            b.rw[l] = v & 1;
            b.us[l] = (v >> 1) & 1;
            b.xd[l] = bpl == 3 && ((v >> 2) & 1);
            xdcount += b.xd[l];
        }
        if (nbits > 12 && xdcount > 2)
            continue;
        for (size_t p = 0; p < NPROBES; p++)
            run_case(x, &probes[p].a, &probes[p].c, &b);
    }
    mt_free(x->t);
}

static void test_combine(void **state)
{
    (void)state;
    long failures = 0, cases = 0;
    for (size_t i = 0; i < NGEOMS; i++) {
        ctx_t x = {0};
        combine(&geoms[i], &x);
        if (x.failures)
            print_message("%s: %ld of %ld cases failed\n", geoms[i].name, x.failures, x.cases);
        failures += x.failures;
        cases += x.cases;
    }
    print_message("per-level combinations: %ld cases, %ld failures\n", cases, failures);
    assert_int_equal(failures, 0);
}

/* The reference itself must be able to fail: spot checks of the rules text. */
static void test_reference_sanity(void **state)
{
    (void)state;
    crs_t none = {0, 0, 0, 0}, all = {1, 1, 1, 1};
    acc_t ur = {ACC_READ, 3, 0, 0}, sw = {ACC_WRITE, 0, 0, 0}, sr_ac = {ACC_READ, 0, 1, 0},
          si_ac = {ACC_READ, 3, 1, 1}, ux = {ACC_EXEC, 3, 0, 0}, sx = {ACC_EXEC, 0, 0, 0};
    assert_true(violates(&ur, &none, 1, 0, 0));        /* user on supervisor page */
    assert_false(violates(&sw, &none, 0, 0, 0));       /* WP=0 */
    assert_true(violates(&sw, &all, 0, 0, 0));         /* WP=1 */
    assert_false(violates(&sr_ac, &all, 1, 1, 0));     /* SMAP overridden by AC */
    assert_true(violates(&si_ac, &all, 1, 1, 0));      /* implicit ignores AC, even at CPL 3 */
    assert_false(violates(&ux, &none, 1, 1, 1));       /* XD ignored with NXE=0 */
    assert_true(violates(&sx, &all, 1, 1, 0));         /* SMEP */
    assert_false(violates(&sx, &all, 1, 0, 0));
}

/* In 32-bit and PAE paging VA bits 63:32 are ignored; CR2 gets the 32-bit VA. */
static void test_high_va_bits_ignored(void **state)
{
    (void)state;
    for (int i = 0; i < 4; i++) {
        const geom_t *g = &geoms[i];
        mt_t *t = setup_geom(g);
        mt_enter(t, g->mode, 0, g->shift == 22 ? CR4_PSE : 0, 0);
        vaddr_t hi = 0xdeadbeef00000000ull | (g->va & 0xffffffffull);
        mmu_result_t r = mt_rd(t, hi);
        assert_int_equal(r.fault, FAULT_NONE);
        assert_int_equal(r.pa, g->pa | (g->va & ((1ull << g->shift) - 1)));
        /* and a fault reports the 32-bit VA */
        mt_set_flags(t, g->va, g->leaf, 0);   /* leaf not present */
        mt_invlpg(t, g->va, NULL);
        r = mt_rd(t, hi);
        assert_int_equal(r.fault, FAULT_PF);
        assert_int_equal(r.error_code, 0);
        assert_int_equal(r.cr2, g->va & 0xffffffffull);
        mt_free(t);
    }
}

/* Paging off: VA[31:0] = PA, no rights, no walk. */
static void test_paging_off(void **state)
{
    (void)state;
    mt_t *t = mt_newv(NULL);
    for (int acc = 0; acc < 3; acc++)
        for (unsigned cpl = 0; cpl < 4; cpl += 3) {
            mmu_result_t r = mt_access(t, 0xffffffff12345678ull, (mmu_access_t)acc, cpl, false, false);
            assert_int_equal(r.fault, FAULT_NONE);
            assert_int_equal(r.pa, 0x12345678ull);
            assert_false(r.walked);
            assert_int_equal(r.tlb_hit, TLB_HIT_NONE);
            assert_int_equal(r.mem_reads, 0);
        }
    mt_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_sanity),
        cmocka_unit_test(test_paging_off),
        cmocka_unit_test(test_rule_table),
        cmocka_unit_test(test_rule_table_cpl12),
        cmocka_unit_test(test_combine),
        cmocka_unit_test(test_high_va_bits_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, mt_teardown);
}
