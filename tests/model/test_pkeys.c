/* Protection keys in the model (docs/semantics.md "Protection keys"): every row of
 * tests/support/pkeys_table.h (expectations from the SDM Vol 3A 4.6.1, 4.6.2, 4.7), each run twice:
 * cold (the access walks) and warm (a TLB entry filled under permissive keys, then PKRU / IA32_PKRS /
 * CR4 / CR0.WP changed with no invalidation: the hit path must apply the key the entry carries).
 * Then the control operations (SDM Vol 2B WRPKRU, WRMSR; Vol 2B MOV CR4) with pk=1 and pk=0. */
#include "mmutest.h"
#include "pkeys_table.h"

#include <stdio.h>
#include <string.h>

#define VA_4L 0x00007f1234567000ull
#define VA_5L 0x00f01234567ab000ull   /* bits 56:48 non-zero */
#define VA_PAE 0x00000000b2345000ull
#define PA 0x0000000123456000ull

static vaddr_t row_va(const pk_row_t *r)
{
    return r->mode == PAGING_5LEVEL ? VA_5L : r->mode == PAGING_PAE ? VA_PAE : VA_4L;
}

/* Builds the row's table, enters its mode with PKE|PKS set, loads PKRU / IA32_PKRS, then sets
 * CR4 and CR0 to the row's values (none of which invalidates a TLB entry). warm: a supervisor read
 * under all-zero keys fills the DTLB first. */
static mmu_result_t run_row(const pk_row_t *r, bool warm)
{
    mt_t *t = mt_newv(NULL);
    vaddr_t va = row_va(r);
    mt_tables(t, r->mode);
    uint64_t leaf = PTE_P | PTE_A | PTE_D | (r->writable ? PTE_RW : 0) | (r->user_addr ? PTE_US : 0) |
                    PTE_PKEY(r->key);
    mt_map(t, va, PA, 12, leaf);
    mt_enter(t, r->mode, 0, CR4_PKE | CR4_PKS, EFER_NXE);
    if (warm) {
        mmu_result_t w = mt_access(t, va, ACC_READ, 0, false, false);
        assert_int_equal(w.fault, FAULT_NONE);
    }
    mt_ctrl_ok(t, CTRL_WRPKRU, r->pkru);
    mt_ctrl_ok(t, CTRL_WRPKRS, r->pkrs);
    mmu_arch_t a;
    mmu_arch_state(t->mmu, &a);
    uint64_t cr4 = (a.cr4 & ~(CR4_PKE | CR4_PKS)) | (r->pke ? CR4_PKE : 0) | (r->pks ? CR4_PKS : 0);
    mmu_ctrl_result_t cr;
    assert_int_equal(mt_ctrl(t, CTRL_CR4, cr4, &cr), FAULT_NONE);
    assert_int_equal(cr.tlb_invalidated, 0);    /* PKE/PKS are not in the SDM 4.10.4.1 list */
    mt_ctrl_ok(t, CTRL_CR0, a.cr0 | (r->wp ? CR0_WP : 0));
    mmu_result_t res = mt_access(t, va, r->acc, r->cpl, false, r->implicit);
    mt_free(t);
    return res;
}

static void test_pk_table(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < PK_ROWS; i++) {
        const pk_row_t *r = &pk_rows[i];
        for (int warm = 0; warm < 2; warm++) {
            mmu_result_t res = run_row(r, warm);
            bool fault = res.fault == FAULT_PF;
            if (fault != r->fault || res.fault == FAULT_GP || (fault && res.error_code != r->ec)) {
                print_message("row %zu (%s, %s): fault %s ec %#x, expected %s ec %#x\n", i, r->what,
                              warm ? "warm" : "cold", mmu_fault_name(res.fault), res.error_code,
                              r->fault ? "pf" : "none", r->ec);
                failures++;
            }
            if (!fault && res.fault == FAULT_NONE)
                assert_int_equal(res.pa, PA);
        }
    }
    assert_int_equal(failures, 0);
}

/* WRPKRU (SDM Vol 2B): #UD while CR4.PKE = 0; PKRU <- EAX, RAX[63:32] ignored; invalidates nothing
 * (ctrl_latency only). WRMSR IA32_PKRS: #GP with bits 63:32 set; allowed with CR4.PKS = 0. MOV CR4:
 * PKE and PKS writable in any mode (even paging off). */
static void test_pk_control(void **state)
{
    (void)state;
    mt_t *t = mt_newv("ctrl_latency=3", NULL);
    mmu_ctrl_result_t r;
    assert_int_equal(mt_ctrl(t, CTRL_WRPKRU, 0xc, &r), FAULT_UD);
    assert_int_equal(mt_arch(t).pkru, 0);
    assert_int_equal(mmu_stats(t->mmu)->ctrl_ud, 1);
    assert_int_equal(mt_ctrl(t, CTRL_WRPKRS, 0x30, &r), FAULT_NONE);
    assert_int_equal(mt_arch(t).pkrs, 0x30);
    assert_int_equal(mt_ctrl(t, CTRL_WRPKRS, 1ull << 32, &r), FAULT_GP);
    assert_int_equal(mt_arch(t).pkrs, 0x30);
    mt_ctrl_ok(t, CTRL_CR4, CR4_PKE | CR4_PKS);       /* paging off: allowed, no mode condition */
    assert_int_equal(mt_ctrl(t, CTRL_WRPKRU, 0xdeadbeef0000000cull, &r), FAULT_NONE);
    assert_int_equal(mt_arch(t).pkru, 0xc);
    assert_int_equal(r.complete_cycle - r.accept_cycle, 3);   /* ctrl_latency, no sweep */
    assert_int_equal(r.tlb_invalidated + r.pwc_invalidated, 0);
    mt_free(t);

    /* pk=0: a processor without protection keys */
    t = mt_newv("pk=0", NULL);
    assert_int_equal(mt_ctrl(t, CTRL_CR4, CR4_PKE, NULL), FAULT_GP);
    assert_int_equal(mt_ctrl(t, CTRL_CR4, CR4_PKS, NULL), FAULT_GP);
    assert_int_equal(mt_arch(t).cr4, 0);
    assert_int_equal(mt_ctrl(t, CTRL_WRPKRU, 0, NULL), FAULT_UD);
    assert_int_equal(mt_ctrl(t, CTRL_WRPKRS, 0, NULL), FAULT_GP);
    /* the key bits of a 4-level leaf are then ignored (Vol 3A 4.5: bits 62:52 ignored) */
    mt_tables(t, PAGING_4LEVEL);
    mt_map(t, VA_4L, PA, 12, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_PKEY(7));
    mt_enter(t, PAGING_4LEVEL, CR0_WP, 0, EFER_NXE);
    mmu_result_t a = mt_access(t, VA_4L, ACC_WRITE, 3, false, false);
    assert_int_equal(a.fault, FAULT_NONE);
    mt_free(t);
}

/* A PKRU change between two hits on the same TLB entry: the second hit applies the new value. */
static void test_pk_hit_after_wrpkru(void **state)
{
    (void)state;
    mt_t *t = mt_newv(NULL);
    mt_tables(t, PAGING_4LEVEL);
    mt_map(t, VA_4L, PA, 12, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_PKEY(4));
    mt_enter(t, PAGING_4LEVEL, 0, CR4_PKE, EFER_NXE);
    assert_int_equal(mt_access(t, VA_4L, ACC_READ, 3, false, false).fault, FAULT_NONE);
    mmu_result_t h = mt_access(t, VA_4L, ACC_READ, 3, false, false);
    assert_int_equal(h.tlb_hit, TLB_HIT_L1);
    mt_ctrl_ok(t, CTRL_WRPKRU, PKR_AD(4));
    mmu_result_t f = mt_access(t, VA_4L, ACC_READ, 3, false, false);
    assert_int_equal(f.fault, FAULT_PF);
    assert_int_equal(f.error_code, PFEC_P | PFEC_U | PFEC_PK);
    assert_true(f.walked);    /* faults come from a fresh walk (docs/semantics.md 5) */
    mt_ctrl_ok(t, CTRL_WRPKRU, 0);
    assert_int_equal(mt_access(t, VA_4L, ACC_READ, 3, false, false).fault, FAULT_NONE);
    assert_int_equal(mt_access(t, VA_4L, ACC_READ, 3, false, false).tlb_hit, TLB_HIT_L1);
    mt_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pk_table),
        cmocka_unit_test(test_pk_control),
        cmocka_unit_test(test_pk_hit_after_wrpkru),
    };
    return cmocka_run_group_tests(tests, NULL, mt_teardown);
}
