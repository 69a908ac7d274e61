/* libmmulab's permissive checker (sim/ref/checker.c) through its public API (mmulab.h).
 * Each row of the table: a translation is made and seen once (so a design may have cached it),
 * then the tables are edited, an invalidation may follow, and the design returns a result; the
 * row says whether the SDM permits that result and cites the rule. Expectations come from the
 * SDM (vol. 3A), never from the checker's or the model's output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mmulab.h"

#define P 0x1ull
#define RW 0x2ull
#define US 0x4ull
#define A 0x20ull
#define D 0x40ull
#define PS 0x80ull
#define G 0x100ull
#define CR0_PE_PG 0x80000001ull
#define CR4_PAE 0x20ull
#define CR4_PGE 0x80ull
#define CR4_PCIDE 0x20000ull
#define EFER_LME 0x100ull
#define PFEC_P 1u
#define PFEC_W 2u
#define PFEC_U 4u

#define VA 0x0000000000400123ull     /* the address under test (4 KiB page 0x400000) */
#define VA2 0x0000000000801000ull    /* another page, in another 2 MiB region */
#define OLD 0x0000000000200000ull    /* the frame VA maps to first */
#define NEW 0x0000000000300000ull    /* the frame an edit remaps it to */
#define OTHER 0x0000000000500000ull  /* a frame VA never maps to */
#define FLAGS (P | RW | US | A | D)

typedef struct {
    mmulab_ref_t *ref;
    mmulab_pt_t *pt;
} fx_t;

static void must(int rc)
{
    assert_int_equal(rc, MMULAB_OK);
}

/* 4-level paging, VA -> OLD (extra leaf flags), VA2 -> OTHER, CR4.PGE as asked. */
static void setup(fx_t *f, uint64_t leaf_extra, bool pge, bool pcide)
{
    f->ref = mmulab_ref_create(46);
    assert_non_null(f->ref);
    f->pt = mmulab_pt_create(f->ref, MMULAB_MODE_4LEVEL, 0x01000000, 0x02000000);
    assert_non_null(f->pt);
    must(mmulab_pt_map(f->pt, VA & ~0xfffull, OLD, 12, FLAGS | leaf_extra, P | RW | US | A));
    must(mmulab_pt_map(f->pt, VA2, OTHER, 12, FLAGS, P | RW | US | A));
    must(mmulab_ref_write_reg(f->ref, MMULAB_CR4, CR4_PAE | (pge ? CR4_PGE : 0)));
    must(mmulab_ref_write_reg(f->ref, MMULAB_EFER, EFER_LME));
    must(mmulab_ref_write_reg(f->ref, MMULAB_CR3, mmulab_pt_cr3(f->pt) | (pcide ? 0 : 0)));
    must(mmulab_ref_write_reg(f->ref, MMULAB_CR0, CR0_PE_PG));
    if (pcide) {
        must(mmulab_ref_write_reg(f->ref, MMULAB_CR4, CR4_PAE | (pge ? CR4_PGE : 0) | CR4_PCIDE));
        must(mmulab_ref_write_reg(f->ref, MMULAB_CR3, mmulab_pt_cr3(f->pt) | 1));   /* PCID 1 */
    }
}

static void teardown(fx_t *f)
{
    mmulab_pt_destroy(f->pt);
    mmulab_ref_destroy(f->ref);
}

static int check(fx_t *f, uint64_t va, int access, unsigned cpl, mmulab_result_t res, char *why)
{
    mmulab_access_t a = {.va = va, .access = access, .cpl = cpl};
    return mmulab_ref_check(f->ref, &a, &res, why, 256);
}

static mmulab_result_t ok_at(uint64_t frame, uint64_t va)
{
    return (mmulab_result_t){.fault = MMULAB_FAULT_NONE, .pa = frame | (va & 0xfff), .page_shift = 12};
}

static mmulab_result_t pf(uint32_t ec)
{
    return (mmulab_result_t){.fault = MMULAB_FAULT_PF, .error_code = ec};
}

static uint64_t leaf_ea(fx_t *f, uint64_t va)
{
    return mmulab_pt_entry_addr(f->pt, va, 1);
}

static void set_leaf(fx_t *f, uint64_t va, uint64_t v)
{
    must(mmulab_ref_mem_write(f->ref, leaf_ea(f, va), v, 8));
}

/* ---- the table ------------------------------------------------------------------------- */

enum { ED_NONE, ED_REMAP, ED_CLEAR_P, ED_RW_TO_0, ED_RW_TO_1, ED_MAP_NEW };
enum { INV_NONE, INV_INVLPG, INV_INVLPG_OTHER, INV_CR3, INV_INVPCID_ADDR, INV_INVPCID_CTX, INV_INVPCID_ALL,
       INV_CR3_NOFLUSH, INV_CR4_PGE };
enum { R_OLD, R_NEW, R_OTHER, R_PF_NP, R_PF_W, R_OLD_2M };

typedef struct {
    const char *name;
    const char *sdm;         /* the rule that permits or forbids the result */
    uint64_t leaf_extra;     /* G */
    bool pge, pcide;
    int edit, inval, access, result;
    int verdict;             /* MMULAB_OK or MMULAB_MISMATCH */
} row_t;

static const row_t rows[] = {
    {"remap, no invalidation: the old translation", "4.10.4.3 (a stale TLB entry may be used until invalidated)",
     0, false, false, ED_REMAP, INV_NONE, 0, R_OLD, MMULAB_OK},
    {"remap, no invalidation: the new translation", "4.10.2.3 (a walk reads the tables as they are)",
     0, false, false, ED_REMAP, INV_NONE, 0, R_NEW, MMULAB_OK},
    {"remap, no invalidation: a frame never mapped", "4.10.2 (every translation comes from the tables)",
     0, false, false, ED_REMAP, INV_NONE, 0, R_OTHER, MMULAB_MISMATCH},
    {"remap, INVLPG: the old translation", "4.10.4.1 INVLPG (entries for the page are invalidated)",
     0, false, false, ED_REMAP, INV_INVLPG, 0, R_OLD, MMULAB_MISMATCH},
    {"remap, INVLPG of another page: the old translation", "4.10.4.1 INVLPG (only that page's TLB entries)",
     0, false, false, ED_REMAP, INV_INVLPG_OTHER, 0, R_OLD, MMULAB_OK},
    {"remap, MOV to CR3: the old translation", "4.10.4.1 MOV to CR3 (non-global entries invalidated)",
     0, false, false, ED_REMAP, INV_CR3, 0, R_OLD, MMULAB_MISMATCH},
    {"remap, MOV to CR3: a global old translation", "4.10.2.4 (global pages survive MOV to CR3)",
     G, true, false, ED_REMAP, INV_CR3, 0, R_OLD, MMULAB_OK},
    {"remap, MOV to CR3 without CR4.PGE: G is ignored", "4.10.2.4 (G counts only with CR4.PGE=1)",
     G, false, false, ED_REMAP, INV_CR3, 0, R_OLD, MMULAB_MISMATCH},
    {"remap, INVLPG: a global old translation", "4.10.4.1 INVLPG (global entries of the page too)",
     G, true, false, ED_REMAP, INV_INVLPG, 0, R_OLD, MMULAB_MISMATCH},
    {"remap, CR4.PGE toggled: a global old translation", "4.10.4.1 MOV to CR4 changing PGE (all entries)",
     G, true, false, ED_REMAP, INV_CR4_PGE, 0, R_OLD, MMULAB_MISMATCH},
    {"clear P, no invalidation: the old translation", "4.10.4.3 (a stale entry may remain after P 1->0)",
     0, false, false, ED_CLEAR_P, INV_NONE, 0, R_OLD, MMULAB_OK},
    {"clear P, no invalidation: #PF not present", "4.10.2.3 / 4.7 (a walk sees P=0)",
     0, false, false, ED_CLEAR_P, INV_NONE, 0, R_PF_NP, MMULAB_OK},
    {"set P on an unmapped page, no invalidation: #PF not present",
     "4.10.4.3 (P 0->1 needs no invalidation: nothing is cached from a not-present entry)",
     0, false, false, ED_MAP_NEW, INV_NONE, 0, R_PF_NP, MMULAB_MISMATCH},
    {"R/W 0->1, no invalidation: a write #PF", "4.10.4.3 (R/W 0->1 without invalidation: a spurious #PF)",
     0, false, false, ED_RW_TO_1, INV_NONE, 1, R_PF_W, MMULAB_OK},
    {"R/W 1->0, no invalidation: the write succeeds", "4.10.4.3 (the stale entry still allows writes)",
     0, false, false, ED_RW_TO_0, INV_NONE, 1, R_OLD, MMULAB_OK},
    {"R/W 1->0, INVLPG: the write succeeds", "4.10.4.1 INVLPG, 4.6 (the write must fault)",
     0, false, false, ED_RW_TO_0, INV_INVLPG, 1, R_OLD, MMULAB_MISMATCH},
    {"remap, PCID: CR3 with bit 63 to PCID 2 and back: the old translation",
     "4.10.4.1 MOV to CR3 with CR3[63]=1 (no invalidation), 4.10.1 (entries tagged by PCID)",
     0, false, true, ED_REMAP, INV_CR3_NOFLUSH, 0, R_OLD, MMULAB_OK},
    {"remap, PCID: INVPCID single context: the old translation", "4.10.4.1 INVPCID type 1",
     0, false, true, ED_REMAP, INV_INVPCID_CTX, 0, R_OLD, MMULAB_MISMATCH},
    {"remap, PCID: INVPCID individual address: the old translation", "4.10.4.1 INVPCID type 0",
     0, false, true, ED_REMAP, INV_INVPCID_ADDR, 0, R_OLD, MMULAB_MISMATCH},
    {"remap, INVPCID all but global: a global old translation", "4.10.4.1 INVPCID type 3 (keeps global entries)",
     G, true, true, ED_REMAP, INV_INVPCID_ALL, 0, R_OLD, MMULAB_OK},
    {"no edit: the right PA with a wrong page size", "4.10.2.3 (the page size is the tables')",
     0, false, false, ED_NONE, INV_NONE, 0, R_OLD_2M, MMULAB_MISMATCH},
};

static void run_row(const row_t *r)
{
    fx_t f;
    char why[256];
    setup(&f, r->leaf_extra, r->pge, r->pcide);
    uint64_t leaf = (r->edit == ED_RW_TO_1 ? FLAGS & ~RW : FLAGS) | r->leaf_extra;
    set_leaf(&f, VA, OLD | leaf);
    if (r->edit == ED_MAP_NEW)
        set_leaf(&f, VA, 0);
    /* the design translates once (and may cache it) */
    int first = check(&f, VA, r->access, 3,
                      r->edit == ED_MAP_NEW ? pf(PFEC_U | (r->access ? PFEC_W : 0))
                      : r->edit == ED_RW_TO_1 && r->access ? pf(PFEC_P | PFEC_W | PFEC_U)
                                                            : ok_at(OLD, VA),
                      why);
    assert_int_equal(first, MMULAB_OK);
    if (r->edit == ED_RW_TO_1)   /* the first write faulted: fill with a read */
        assert_int_equal(check(&f, VA, 0, 3, ok_at(OLD, VA), why), MMULAB_OK);
    switch (r->edit) {
    case ED_REMAP: set_leaf(&f, VA, NEW | FLAGS | r->leaf_extra); break;
    case ED_CLEAR_P: set_leaf(&f, VA, (OLD | FLAGS | r->leaf_extra) & ~P); break;
    case ED_RW_TO_0: set_leaf(&f, VA, (OLD | FLAGS | r->leaf_extra) & ~RW); break;
    case ED_RW_TO_1: set_leaf(&f, VA, OLD | FLAGS | r->leaf_extra); break;
    case ED_MAP_NEW: set_leaf(&f, VA, OLD | FLAGS); break;
    }
    uint64_t cr3, cr4;
    must(mmulab_ref_read_reg(f.ref, MMULAB_CR3, &cr3));
    must(mmulab_ref_read_reg(f.ref, MMULAB_CR4, &cr4));
    switch (r->inval) {
    case INV_INVLPG: must(mmulab_ref_invlpg(f.ref, VA)); break;
    case INV_INVLPG_OTHER: must(mmulab_ref_invlpg(f.ref, VA2)); break;
    case INV_CR3: must(mmulab_ref_write_reg(f.ref, MMULAB_CR3, cr3)); break;
    case INV_INVPCID_ADDR: must(mmulab_ref_invpcid(f.ref, 0, 1, VA)); break;
    case INV_INVPCID_CTX: must(mmulab_ref_invpcid(f.ref, 1, 1, 0)); break;
    case INV_INVPCID_ALL: must(mmulab_ref_invpcid(f.ref, 3, 0, 0)); break;
    case INV_CR3_NOFLUSH:
        must(mmulab_ref_write_reg(f.ref, MMULAB_CR3, (1ull << 63) | (cr3 & ~0xfffull) | 2));
        must(mmulab_ref_write_reg(f.ref, MMULAB_CR3, (1ull << 63) | cr3));
        break;
    case INV_CR4_PGE:
        must(mmulab_ref_write_reg(f.ref, MMULAB_CR4, cr4 & ~CR4_PGE));
        must(mmulab_ref_write_reg(f.ref, MMULAB_CR4, cr4));
        break;
    }
    mmulab_result_t res;
    switch (r->result) {
    case R_OLD: res = ok_at(OLD, VA); break;
    case R_NEW: res = ok_at(NEW, VA); break;
    case R_OTHER: res = ok_at(OTHER, VA); break;
    case R_PF_NP: res = pf(PFEC_U | (r->access ? PFEC_W : 0)); break;
    case R_PF_W: res = pf(PFEC_P | PFEC_W | PFEC_U); break;
    default: res = ok_at(OLD, VA); res.page_shift = 21; break;
    }
    int got = check(&f, VA, r->access, 3, res, why);
    if (got != r->verdict)
        fail_msg("%s (SDM %s): got %s, expected %s; why: %s", r->name, r->sdm, got ? "MISMATCH" : "OK",
                 r->verdict ? "MISMATCH" : "OK", why);
    if (got == MMULAB_MISMATCH)
        assert_non_null(strstr(why, "SDM"));     /* the one line names the rule */
    teardown(&f);
}

static void test_rule_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        run_row(&rows[i]);
}

/* SDM 4.10.4.1: a page fault invalidates the faulting address's entries, so a spurious #PF
 * (R/W 0->1 not invalidated) cannot repeat. */
static void test_spurious_fault_once(void **state)
{
    (void)state;
    fx_t f;
    char why[256];
    setup(&f, 0, false, false);
    set_leaf(&f, VA, OLD | (FLAGS & ~RW));
    assert_int_equal(check(&f, VA, 0, 3, ok_at(OLD, VA), why), MMULAB_OK);
    set_leaf(&f, VA, OLD | FLAGS);
    assert_int_equal(check(&f, VA, 1, 3, pf(PFEC_P | PFEC_W | PFEC_U), why), MMULAB_OK);
    assert_int_equal(check(&f, VA, 1, 3, pf(PFEC_P | PFEC_W | PFEC_U), why), MMULAB_MISMATCH);
    assert_int_equal(check(&f, VA, 1, 3, ok_at(OLD, VA), why), MMULAB_OK);
    teardown(&f);
}

/* SDM 4.10.3.1 / 4.10.4.3: an upper-level entry pointed at another table without invalidation:
 * a walk may still use the cached old pointer (paging-structure cache) or the new one; after
 * INVLPG (which empties the PCID's paging-structure caches) only the new one. */
static void test_pwc_stale_pointer(void **state)
{
    (void)state;
    fx_t f;
    char why[256];
    setup(&f, 0, false, false);
    assert_int_equal(check(&f, VA, 0, 0, ok_at(OLD, VA), why), MMULAB_OK);
    /* a second page table for the same 2 MiB region, mapping VA to NEW */
    mmulab_pt_t *pt2 = mmulab_pt_create(f.ref, MMULAB_MODE_4LEVEL, 0x01000000, 0x02000000);
    assert_non_null(pt2);
    must(mmulab_pt_map(pt2, VA & ~0xfffull, NEW, 12, FLAGS, P | RW | US | A));
    uint64_t pde = mmulab_pt_entry_addr(f.pt, VA, 2), pde2 = mmulab_pt_entry_addr(pt2, VA, 2), v2;
    must(mmulab_ref_mem_read(f.ref, pde2, 8, &v2));
    must(mmulab_ref_mem_write(f.ref, pde, v2, 8));
    assert_int_equal(check(&f, VA, 0, 0, ok_at(OLD, VA), why), MMULAB_OK);
    assert_int_equal(check(&f, VA, 0, 0, ok_at(NEW, VA), why), MMULAB_OK);
    must(mmulab_ref_invlpg(f.ref, VA));
    assert_int_equal(check(&f, VA, 0, 0, ok_at(OLD, VA), why), MMULAB_MISMATCH);
    assert_int_equal(check(&f, VA, 0, 0, ok_at(NEW, VA), why), MMULAB_OK);
    mmulab_pt_destroy(pt2);
    teardown(&f);
}

/* SDM 4.8: the walker sets A and D, never clears them, never changes another bit. */
static void test_ad_writes(void **state)
{
    (void)state;
    fx_t f;
    char why[256];
    setup(&f, 0, false, false);
    uint64_t ea = leaf_ea(&f, VA);
    set_leaf(&f, VA, OLD | P | RW | US);
    assert_int_equal(mmulab_ref_ad_write(f.ref, ea, OLD | P | RW | US | A, 8, why, sizeof why), MMULAB_OK);
    assert_int_equal(mmulab_ref_ad_write(f.ref, ea, OLD | P | RW | US | A | D, 8, why, sizeof why), MMULAB_OK);
    assert_int_equal(mmulab_ref_ad_write(f.ref, ea, OLD | P | RW | US | A, 8, why, sizeof why), MMULAB_MISMATCH);
    assert_non_null(strstr(why, "4.8"));
    assert_int_equal(mmulab_ref_ad_write(f.ref, ea, NEW | P | RW | US | A | D, 8, why, sizeof why), MMULAB_MISMATCH);
    uint64_t v;
    must(mmulab_ref_mem_read(f.ref, ea, 8, &v));
    assert_int_equal(v, OLD | P | RW | US | A | D);     /* a refused write is not applied */
    teardown(&f);
}

/* SDM 4.1.1 / 3.3.7.1: paging off maps VA[31:0] to itself; a non-canonical 4-level address is #GP. */
static void test_off_and_canonical(void **state)
{
    (void)state;
    char why[256];
    mmulab_ref_t *r = mmulab_ref_create(46);
    assert_non_null(r);
    mmulab_access_t a = {.va = 0x12345678, .access = MMULAB_READ};
    mmulab_result_t res = {.fault = MMULAB_FAULT_NONE, .pa = 0x12345678};
    assert_int_equal(mmulab_ref_check(r, &a, &res, why, sizeof why), MMULAB_OK);
    res.pa = 0x12345000;
    assert_int_equal(mmulab_ref_check(r, &a, &res, why, sizeof why), MMULAB_MISMATCH);
    mmulab_ref_destroy(r);
    fx_t f;
    setup(&f, 0, false, false);
    mmulab_result_t gp = {.fault = MMULAB_FAULT_GP};
    assert_int_equal(check(&f, 0x0000800000000000ull, 0, 0, gp, why), MMULAB_OK);
    assert_int_equal(check(&f, 0x0000800000000000ull, 0, 0, ok_at(OLD, 0), why), MMULAB_MISMATCH);
    assert_non_null(strstr(why, "canonical"));
    assert_int_equal(check(&f, VA, 0, 0, gp, why), MMULAB_MISMATCH);
    teardown(&f);
}

/* Bad arguments are errors, never crashes; #GP register writes leave the state alone (SDM 2.5). */
static void test_errors(void **state)
{
    (void)state;
    assert_null(mmulab_ref_create(20));
    assert_int_equal(mmulab_api_version() / 100, MMULAB_API_VERSION_MAJOR);
    mmulab_ref_t *r = mmulab_ref_create(40);
    assert_non_null(r);
    uint64_t v;
    assert_int_equal(mmulab_ref_mem_write(r, 0x1004, 1, 8), MMULAB_E_ARG);
    assert_int_equal(mmulab_ref_mem_write(r, 0x1000, 1, 2), MMULAB_E_ARG);
    assert_int_equal(mmulab_ref_mem_write(r, 1ull << 40, 1, 8), MMULAB_E_RANGE);
    assert_int_equal(mmulab_ref_write_reg(r, 7, 0), MMULAB_E_ARG);
    assert_int_equal(mmulab_ref_write_reg(r, MMULAB_CR0, CR0_PE_PG & ~1ull), MMULAB_E_GP);   /* PG without PE */
    must(mmulab_ref_read_reg(r, MMULAB_CR0, &v));
    assert_int_equal(v & CR0_PE_PG, 0);
    assert_int_equal(mmulab_ref_invpcid(r, 4, 0, 0), MMULAB_E_GP);
    mmulab_access_t a = {.va = 0, .access = 9};
    mmulab_result_t res = {0};
    assert_int_equal(mmulab_ref_check(r, &a, &res, NULL, 0), MMULAB_E_ARG);
    assert_int_equal(mmulab_ref_check(NULL, &a, &res, NULL, 0), MMULAB_E_ARG);
    assert_null(mmulab_pt_create(r, 9, 0x1000000, 0x2000000));
    mmulab_pt_t *pt = mmulab_pt_create(r, MMULAB_MODE_PAE, 0x1000000, 0x2000000);
    assert_non_null(pt);
    assert_int_equal(mmulab_pt_map(pt, 0x1000, 0x2000, 30, P, P), MMULAB_E_MAP);   /* no 1G pages in PAE */
    assert_null(mmulab_pt_create(r, MMULAB_MODE_4LEVEL, 0x3000000, 0x4000000));   /* another frame range */
    mmulab_pt_destroy(pt);
    mmulab_ref_destroy(r);
}

/* The operand rules of docs/semantics.md section 7 (shared with the stimulus's shadow through
 * refarch): a #GP leaves the register as it was, an ignored bit is not stored. */
static void test_operand_rules(void **state)
{
    (void)state;
    static const struct {
        int reg;
        uint64_t value;
        int rc;
        uint64_t reads_back;     /* after the write (the old value after a #GP) */
        const char *why;
    } rules[] = {
        {MMULAB_CR0, 0, MMULAB_OK, 0, "from the reset value (CD NW ET, SDM 10.1.1 / 9.1.1) to 0"},
        {MMULAB_CR0, 1ull << 29, MMULAB_E_GP, 0, "NW without CD: #GP (Vol 2B MOV CR)"},
        {MMULAB_CR0, (1ull << 29) | (1ull << 30) | 0x40, MMULAB_OK, 0x60000000,
         "NW with CD; reserved bit 6 ignored (Vol 3A 2.5)"},
        {MMULAB_CR0, 1ull << 40, MMULAB_E_GP, 0x60000000, "a bit of 63:32: #GP (Vol 2B MOV CR)"},
        {MMULAB_CR0, 0, MMULAB_OK, 0, "back to 0"},
        {MMULAB_CR4, 1ull << 15, MMULAB_E_GP, 0, "CR4 bit 15: reserved (Vol 3A 2.5)"},
        {MMULAB_CR4, 1ull << 27, MMULAB_E_GP, 0, "LASS: not implemented"},
        {MMULAB_CR4, 1ull << 28, MMULAB_E_GP, 0, "LAM_SUP: not implemented"},
        {MMULAB_CR4, 1ull << 31, MMULAB_E_GP, 0, "CR4 bit 31: reserved"},
        {MMULAB_CR4, 1ull << 32, MMULAB_E_GP, 0, "CR4 63:32: reserved"},
        {MMULAB_CR4, 0x2000200, MMULAB_OK, 0x2000200, "UINTR, OSFXSR: stored"},
    };
    mmulab_ref_t *r = mmulab_ref_create(40);
    assert_non_null(r);
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        uint64_t v;
        if (mmulab_ref_write_reg(r, rules[i].reg, rules[i].value) != rules[i].rc)
            fail_msg("rule %zu (%s): wrong outcome", i, rules[i].why);
        must(mmulab_ref_read_reg(r, rules[i].reg, &v));
        if (v != rules[i].reads_back)
            fail_msg("rule %zu (%s): reads back 0x%llx", i, rules[i].why, (unsigned long long)v);
    }
    /* INVPCID type 0 with a non-canonical address: #GP outside IA-32e paging too (Vol 2A INVPCID) */
    assert_int_equal(mmulab_ref_invpcid(r, 0, 0, 0x0000800000000000ull), MMULAB_E_GP);
    assert_int_equal(mmulab_ref_invpcid(r, 0, 0, 0xffff800000001000ull), MMULAB_OK);
    mmulab_ref_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_table),
        cmocka_unit_test(test_spurious_fault_once),
        cmocka_unit_test(test_pwc_stale_pointer),
        cmocka_unit_test(test_ad_writes),
        cmocka_unit_test(test_off_and_canonical),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_operand_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
