/* Protection keys in the independent reference (sim/ref/refarch.c: the random stimulus's shadow
 * and libmmulab's checker) against the same SDM table as the model's test
 * (tests/support/pkeys_table.h; SDM Vol 3A 4.6.1, 4.6.2, 4.7), and the control operations through
 * refarch and through libmmulab's public API (1.1: MMULAB_PKRU, MMULAB_PKRS, MMULAB_E_UD). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mmulab.h"
#include "physmem.h"
#include "pkeys_table.h"
#include "ptbuild.h"
#include "refarch.h"

#define M 46
#define VA_4L 0x00007f1234567000ull
#define VA_5L 0x00f01234567ab000ull
#define VA_PAE 0x00000000b2345000ull
#define PA 0x0000000123456000ull

static uint64_t read_mem(void *ctx, paddr_t pa, unsigned size)
{
    uint64_t w = physmem_peek64(ctx, pa & ~7ull);
    return size == 8 ? w : (pa & 4) ? w >> 32 : w & 0xffffffffull;
}

static void ctrl_ok(ref_cpu_t *c, physmem_t *mem, mmu_ctrl_kind_t kind, uint64_t v)
{
    mmu_ctrl_t op = {.kind = kind, .value = v};
    ref_flush_t fl;
    uint16_t pcid;
    assert_int_equal(ref_ctrl(c, M, &op, read_mem, mem, &fl, &pcid), FAULT_NONE);
}

static mmu_fault_t ctrl(ref_cpu_t *c, mmu_ctrl_kind_t kind, uint64_t v)
{
    mmu_ctrl_t op = {.kind = kind, .value = v};
    ref_flush_t fl;
    uint16_t pcid;
    return ref_ctrl(c, M, &op, read_mem, NULL, &fl, &pcid);
}

static void test_refarch_table(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < PK_ROWS; i++) {
        const pk_row_t *r = &pk_rows[i];
        physmem_t *mem = physmem_create(M);
        assert_non_null(mem);
        ptbuild_t b;
        assert_int_equal(ptb_init(&b, mem, r->mode), 0);
        vaddr_t va = r->mode == PAGING_5LEVEL ? VA_5L : r->mode == PAGING_PAE ? VA_PAE : VA_4L;
        uint64_t leaf = PTE_P | PTE_A | PTE_D | (r->writable ? PTE_RW : 0) | (r->user_addr ? PTE_US : 0) |
                        PTE_PKEY(r->key);
        assert_int_equal(ptb_map(&b, va, PA, 12, leaf, PTB_TABLE_FLAGS), 0);
        ref_cpu_t c;
        memset(&c, 0, sizeof c);
        c.pk = true;
        uint64_t cr4 = CR4_PAE | (r->mode == PAGING_5LEVEL ? CR4_LA57 : 0);
        ctrl_ok(&c, mem, CTRL_CR4, cr4 | CR4_PKE | CR4_PKS);
        ctrl_ok(&c, mem, CTRL_EFER, EFER_NXE | (r->mode >= PAGING_4LEVEL ? EFER_LME : 0));
        ctrl_ok(&c, mem, CTRL_CR3, ptb_cr3(&b));
        ctrl_ok(&c, mem, CTRL_CR0, CR0_PE | CR0_PG);
        ctrl_ok(&c, mem, CTRL_WRPKRU, r->pkru);
        ctrl_ok(&c, mem, CTRL_WRPKRS, r->pkrs);
        ctrl_ok(&c, mem, CTRL_CR4, cr4 | (r->pke ? CR4_PKE : 0) | (r->pks ? CR4_PKS : 0));
        ctrl_ok(&c, mem, CTRL_CR0, CR0_PE | CR0_PG | (r->wp ? CR0_WP : 0));
        mmu_req_t q = {.va = va, .access = r->acc, .cpl = r->cpl, .implicit = r->implicit};
        ref_pred_t p;
        ref_translate(&c, M, &q, read_mem, mem, &p);
        bool fault = p.fault != REF_F_NONE;
        if (fault != r->fault || (fault && (p.fault != REF_F_RIGHTS || p.ec != r->ec)) ||
            (!fault && p.pa != PA)) {
            print_message("row %zu (%s): refarch fault class %d ec %#x, expected %s ec %#x\n", i, r->what,
                          p.fault, p.ec, r->fault ? "rights #PF" : "none", r->ec);
            failures++;
        }
        physmem_destroy(mem);
    }
    assert_int_equal(failures, 0);
}

/* SDM Vol 2B WRPKRU (#UD while CR4.PKE = 0, RAX[63:32] ignored), WRMSR IA32_PKRS (#GP for bits
 * 63:32 or a processor without it), MOV CR4 (PKE/PKS reserved without the feature). */
static void test_refarch_control(void **state)
{
    (void)state;
    ref_cpu_t c;
    memset(&c, 0, sizeof c);
    c.pk = true;
    assert_int_equal(ctrl(&c, CTRL_WRPKRU, 4), FAULT_UD);
    assert_int_equal(ctrl(&c, CTRL_WRPKRS, 1ull << 32), FAULT_GP);
    assert_int_equal(ctrl(&c, CTRL_WRPKRS, 0x40), FAULT_NONE);
    assert_int_equal(c.pkrs, 0x40);
    assert_int_equal(ctrl(&c, CTRL_CR4, CR4_PKE | CR4_PKS), FAULT_NONE);
    assert_int_equal(ctrl(&c, CTRL_WRPKRU, 0xffffffff0000000cull), FAULT_NONE);
    assert_int_equal(c.pkru, 0xc);
    memset(&c, 0, sizeof c);     /* pk = false */
    assert_int_equal(ctrl(&c, CTRL_CR4, CR4_PKE), FAULT_GP);
    assert_int_equal(ctrl(&c, CTRL_CR4, CR4_PKS), FAULT_GP);
    assert_int_equal(ctrl(&c, CTRL_WRPKRU, 0), FAULT_UD);
    assert_int_equal(ctrl(&c, CTRL_WRPKRS, 0), FAULT_GP);
}

/* The checker (public API 1.1): register writes with their faults, and a PK fault accepted with
 * exactly the error code 4.7 gives (P|U|PK), rejected without PK. */
static void test_checker_keys(void **state)
{
    (void)state;
    assert_int_equal(mmulab_api_version(), 101);
    mmulab_ref_t *ref = mmulab_ref_create(M);
    assert_non_null(ref);
    mmulab_pt_t *pt = mmulab_pt_create(ref, MMULAB_MODE_4LEVEL, 0x01000000, 0x02000000);
    assert_non_null(pt);
    assert_int_equal(mmulab_pt_map(pt, VA_4L, PA, 12, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_PKEY(6),
                                   PTB_TABLE_FLAGS), MMULAB_OK);
    assert_int_equal(mmulab_ref_write_reg(ref, MMULAB_PKRU, PKR_AD(6)), MMULAB_E_UD);
    assert_int_equal(mmulab_ref_write_reg(ref, MMULAB_CR4, CR4_PAE | CR4_PKE), MMULAB_OK);
    assert_int_equal(mmulab_ref_write_reg(ref, MMULAB_EFER, EFER_LME), MMULAB_OK);
    assert_int_equal(mmulab_ref_write_reg(ref, MMULAB_CR3, mmulab_pt_cr3(pt)), MMULAB_OK);
    assert_int_equal(mmulab_ref_write_reg(ref, MMULAB_CR0, CR0_PE | CR0_PG), MMULAB_OK);
    assert_int_equal(mmulab_ref_write_reg(ref, MMULAB_PKRU, PKR_AD(6)), MMULAB_OK);
    assert_int_equal(mmulab_ref_write_reg(ref, MMULAB_PKRS, 1ull << 40), MMULAB_E_GP);
    uint64_t v = 0;
    assert_int_equal(mmulab_ref_read_reg(ref, MMULAB_PKRU, &v), MMULAB_OK);
    assert_int_equal(v, PKR_AD(6));
    mmulab_access_t a = {.va = VA_4L, .access = MMULAB_READ, .cpl = 3};
    mmulab_result_t want = {.fault = MMULAB_FAULT_PF, .error_code = PFEC_P | PFEC_U | PFEC_PK};
    mmulab_result_t no_pk = {.fault = MMULAB_FAULT_PF, .error_code = PFEC_P | PFEC_U};
    mmulab_result_t ok = {.fault = MMULAB_FAULT_NONE, .pa = PA, .page_shift = 12};
    char why[256];
    assert_int_equal(mmulab_ref_check(ref, &a, &no_pk, why, sizeof why), MMULAB_MISMATCH);
    assert_int_equal(mmulab_ref_check(ref, &a, &ok, why, sizeof why), MMULAB_MISMATCH);
    assert_int_equal(mmulab_ref_check(ref, &a, &want, why, sizeof why), MMULAB_OK);
    mmulab_pt_destroy(pt);
    mmulab_ref_destroy(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refarch_table),
        cmocka_unit_test(test_refarch_control),
        cmocka_unit_test(test_checker_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
