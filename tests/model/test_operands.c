/* Operand rules of the control operations (docs/semantics.md section 7, "Operand rules"), one
 * table row per rule, written from the SDM: Vol 2B MOV CR (exceptions), Vol 3A 2.5 (CR0 and
 * CR4 bits, reserved bits), Vol 2A INVPCID (exceptions, the 128-bit descriptor).
 * A row names the state it runs in, the operation and its operand, and the outcome: #GP (and
 * nothing changed), or success and the value the register reads back. */
#include "mmutest.h"

#include <string.h>

typedef enum { ENV_OFF, ENV_OFF_LA57, ENV_32, ENV_PAE, ENV_4L } env_t;

static const char *const env_names[] = {"paging off", "paging off, CR4.LA57=1", "32-bit", "PAE", "4-level"};

static mt_t *env(env_t e)
{
    mt_t *t = mt_newv(NULL);
    switch (e) {
    case ENV_OFF:
        break;
    case ENV_OFF_LA57:
        mt_ctrl_ok(t, CTRL_CR4, CR4_LA57);     /* legal while LMA=0 (SDM Vol 2B MOV CR) */
        break;
    case ENV_32:
        mt_tables(t, PAGING_32);
        mt_enter(t, PAGING_32, 0, 0, 0);
        break;
    case ENV_PAE:
        mt_tables(t, PAGING_PAE);
        mt_enter(t, PAGING_PAE, 0, 0, 0);
        break;
    case ENV_4L:
        mt_tables(t, PAGING_4LEVEL);
        mt_enter(t, PAGING_4LEVEL, 0, CR4_PGE, EFER_NXE);
        break;
    }
    return t;
}

/* --- MOV to CR0 / CR4 ------------------------------------------------------------------ */

typedef struct {
    const char *rule;
    env_t env;
    mmu_ctrl_kind_t kind;      /* CTRL_CR0 or CTRL_CR4 */
    uint64_t set;              /* bits set in the current value */
    bool gp;
    uint64_t reads_without;    /* on success: bits of `set` the register does not keep */
} cr_row_t;

#define B(n) (1ull << (n))

static const cr_row_t cr_rows[] = {
    /* CR0 (SDM Vol 2B MOV CR: "setting the NW flag to 1 when the CD flag is 0"; Vol 3A 2.5:
     * reserved bits of CR0 ignored when written; Vol 2B: bits 63:32 #GP) */
    {"CR0.NW without CD", ENV_4L, CTRL_CR0, CR0_NW, true, 0},
    {"CR0.NW without CD, paging off", ENV_OFF, CTRL_CR0, CR0_NW, true, 0},
    {"CR0.NW with CD", ENV_4L, CTRL_CR0, CR0_NW | CR0_CD, false, 0},
    {"CR0.CD alone", ENV_4L, CTRL_CR0, CR0_CD, false, 0},
    {"CR0.NW with CD, PAE (PDPTE reload)", ENV_PAE, CTRL_CR0, CR0_NW | CR0_CD, false, 0},
    {"CR0 MP EM TS ET NE AM stored", ENV_4L, CTRL_CR0, CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_AM,
     false, 0},
    {"CR0 reserved bit 6 ignored", ENV_4L, CTRL_CR0, B(6), false, B(6)},
    {"CR0 reserved bits 15:7 ignored", ENV_4L, CTRL_CR0, 0xff80ull, false, 0xff80ull},
    {"CR0 reserved bit 17 ignored", ENV_4L, CTRL_CR0, B(17), false, B(17)},
    {"CR0 reserved bits 28:19 ignored", ENV_32, CTRL_CR0, 0x1ff80000ull, false, 0x1ff80000ull},
    {"CR0 reserved bit 6 ignored with NW+CD", ENV_OFF, CTRL_CR0, B(6) | CR0_NW | CR0_CD, false, B(6)},
    {"CR0 bit 32", ENV_4L, CTRL_CR0, B(32), true, 0},
    {"CR0 bit 63", ENV_OFF, CTRL_CR0, B(63), true, 0},
    /* CR4 (SDM Vol 2B MOV CR: "a 1 to any reserved bit in CR4"; bits of features this MMU does
     * not implement count as reserved: it is a processor without them) */
    {"CR4 bit 15 (reserved)", ENV_4L, CTRL_CR4, B(15), true, 0},
    {"CR4 bit 15 (reserved), paging off", ENV_OFF, CTRL_CR4, B(15), true, 0},
    {"CR4.PKE (22), implemented (pk=1; pk=0: test_pkeys.c)", ENV_4L, CTRL_CR4, CR4_PKE, false, 0},
    {"CR4.PKE (22), paging off: no mode condition", ENV_OFF, CTRL_CR4, CR4_PKE, false, 0},
    {"CR4.CET (23)", ENV_4L, CTRL_CR4, B(23), true, 0},
    {"CR4.PKS (24), implemented (pk=1)", ENV_4L, CTRL_CR4, CR4_PKS, false, 0},
    {"CR4.PKS (24), 32-bit paging: no mode condition", ENV_32, CTRL_CR4, CR4_PKS, false, 0},
    {"CR4 bit 26 (reserved)", ENV_4L, CTRL_CR4, B(26), true, 0},
    {"CR4.LASS (27)", ENV_4L, CTRL_CR4, B(27), true, 0},
    {"CR4.LASS (27), 32-bit", ENV_32, CTRL_CR4, B(27), true, 0},
    {"CR4.LAM_SUP (28)", ENV_4L, CTRL_CR4, B(28), true, 0},
    {"CR4 bit 29 (reserved)", ENV_4L, CTRL_CR4, B(29), true, 0},
    {"CR4 bit 30 (reserved)", ENV_PAE, CTRL_CR4, B(30), true, 0},
    {"CR4 bit 31 (reserved)", ENV_4L, CTRL_CR4, B(31), true, 0},
    {"CR4 bit 32 (FRED, not offered)", ENV_4L, CTRL_CR4, B(32), true, 0},
    {"CR4 bit 63", ENV_OFF, CTRL_CR4, B(63), true, 0},
    {"CR4 VME PVI TSD DE MCE PCE stored", ENV_4L, CTRL_CR4, B(0) | B(1) | B(2) | B(3) | B(6) | B(8), false, 0},
    {"CR4 OSFXSR OSXMMEXCPT UMIP VMXE SMXE stored", ENV_4L, CTRL_CR4, B(9) | B(10) | B(11) | B(13) | B(14),
     false, 0},
    {"CR4 FSGSBASE OSXSAVE KL UINTR stored", ENV_4L, CTRL_CR4, B(16) | B(18) | B(19) | B(25), false, 0},
    {"CR4 SMEP SMAP stored", ENV_4L, CTRL_CR4, CR4_SMEP | CR4_SMAP, false, 0},
};

static uint64_t reg_of(const mmu_arch_t *a, mmu_ctrl_kind_t kind)
{
    return kind == CTRL_CR0 ? a->cr0 : a->cr4;
}

static void test_cr_operand_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cr_rows / sizeof cr_rows[0]; i++) {
        const cr_row_t *row = &cr_rows[i];
        mt_t *t = env(row->env);
        mmu_arch_t before = mt_arch(t);
        uint64_t v = reg_of(&before, row->kind) | row->set;
        mmu_fault_t f = mt_ctrl(t, row->kind, v, NULL);
        mmu_arch_t after = mt_arch(t);
        uint64_t want = row->gp ? reg_of(&before, row->kind) : v & ~row->reads_without;
        if ((f == FAULT_GP) != row->gp || reg_of(&after, row->kind) != want || after.mode != before.mode)
            fail_msg("%s (%s): write %#llx gave %s, reads %#llx; expected %s, %#llx", row->rule,
                     env_names[row->env], (unsigned long long)v, mmu_fault_name(f),
                     (unsigned long long)reg_of(&after, row->kind), row->gp ? "#GP" : "success",
                     (unsigned long long)want);
        mt_free(t);
    }
}

/* --- INVPCID -------------------------------------------------------------------------- */

typedef struct {
    const char *rule;
    env_t env;
    unsigned type;
    uint64_t pcid;
    vaddr_t va;
    bool gp;
} invpcid_row_t;

/* SDM Vol 2A INVPCID: the descriptor is 128 bits in every mode, "for INVPCID type 0, the processor
 * uses the full 64 bits of the linear address even outside 64-bit mode"; #GP(0) "if the INVPCID
 * type is 0 and the linear address in the INVPCID descriptor is not canonical" (57-bit with
 * CR4.LA57=1, else 48-bit). The address is not used by the other types. */
static const invpcid_row_t invpcid_rows[] = {
    {"type 0, non-canonical (bit 47), paging off", ENV_OFF, 0, 0, 0x0000800000000000ull, true},
    {"type 0, non-canonical (bit 63), paging off", ENV_OFF, 0, 0, 0x8000000000001000ull, true},
    {"type 0, canonical high half, paging off", ENV_OFF, 0, 0, 0xffff800000000000ull, false},
    {"type 0, canonical, paging off", ENV_OFF, 0, 0, 0x00007ffffffff000ull, false},
    {"type 0, non-canonical, 32-bit", ENV_32, 0, 0, 0x0000800000000000ull, true},
    {"type 0, non-canonical, PAE", ENV_PAE, 0, 0, 0x1234000000001000ull, true},
    {"type 0, 32-bit address, PAE", ENV_PAE, 0, 0, 0x00000000fffff000ull, false},
    {"type 0, 57-bit canonical with LA57, paging off", ENV_OFF_LA57, 0, 0, 0x0000800000000000ull, false},
    {"type 0, 57-bit non-canonical with LA57, paging off", ENV_OFF_LA57, 0, 0, 0x0100000000000000ull, true},
    {"type 0, non-canonical, 4-level", ENV_4L, 0, 0, 0x0000800000000000ull, true},
    {"type 1, non-canonical address unused, PAE", ENV_PAE, 1, 0, 0x0000800000000000ull, false},
    {"type 2, non-canonical address unused, paging off", ENV_OFF, 2, 0, 0x8000000000000000ull, false},
    {"type 3, non-canonical address unused, 32-bit", ENV_32, 3, 0, 0x0000800000000000ull, false},
    {"type 0, PCID 1 with PCIDE=0", ENV_PAE, 0, 1, 0x1000, true},
    {"type 2, PCID 4096", ENV_OFF, 2, 4096, 0, true},
    {"type 4", ENV_32, 4, 0, 0, true},
};

static void test_invpcid_operand_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof invpcid_rows / sizeof invpcid_rows[0]; i++) {
        const invpcid_row_t *row = &invpcid_rows[i];
        mt_t *t = env(row->env);
        mmu_fault_t f = mt_invpcid(t, row->type, row->pcid, row->va, NULL);
        if ((f == FAULT_GP) != row->gp)
            fail_msg("INVPCID %s (%s): got %s, expected %s", row->rule, env_names[row->env], mmu_fault_name(f),
                     row->gp ? "#GP" : "success");
        mt_free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cr_operand_rules),
        cmocka_unit_test(test_invpcid_operand_rules),
    };
    return cmocka_run_group_tests(tests, NULL, mt_teardown);
}
