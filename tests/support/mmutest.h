/* Shared support of the unit tests: an MMU instance with its physical memory
 * and page-table builder, entering each paging mode through legal control
 * writes, and access shortcuts. Every helper asserts with cmocka, so call
 * them only from inside a cmocka test. Linked into every unit test. */
#ifndef MMULAB_MMUTEST_H
#define MMULAB_MMUTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "mmu.h"
#include "physmem.h"
#include "ptbuild.h"
#include "types.h"

/* Frames the page-table builder allocates from (below 4 GiB for 32-bit/PAE CR3). */
#define MT_FRAMES_BASE  0x00100000ull
#define MT_FRAMES_LIMIT 0x04000000ull

typedef struct {
    mmu_config_t cfg;
    physmem_t *mem;
    mmu_t *mmu;
    ptbuild_t pt;          /* primary page tables (mt_tables) */
    paging_mode_t mode;    /* mode of pt */
} mt_t;

/* Config defaults, then each "key=value" override (NULL-terminated list). */
mt_t *mt_new(const char *const *overrides);
/* Variadic form: mt_newv("l2tlb=0", "ports=1", NULL). */
mt_t *mt_newv(const char *first, ...);
void mt_free(mt_t *t);
/* Group teardown: frees every instance a failed test left behind (no leak reports). */
int mt_teardown(void **state);

/* (Re)creates t->pt for mode (new root from the frame allocator). */
void mt_tables(mt_t *t, paging_mode_t mode);
/* A second, independent page-table tree in the same memory. */
void mt_tables_extra(mt_t *t, ptbuild_t *b, paging_mode_t mode);
/* ptb_map with PTB_TABLE_FLAGS for intermediate entries; asserts success. */
void mt_map(mt_t *t, vaddr_t va, paddr_t pa, unsigned shift, uint64_t leaf_flags);
void mt_map_in(ptbuild_t *b, vaddr_t va, paddr_t pa, unsigned shift, uint64_t leaf_flags,
               uint64_t table_flags);

/* Number of memory levels walked from the top (5-level 5, 4-level 4, PAE 2, 32-bit 2). */
int mt_top_level(paging_mode_t mode);
/* Entry bits that mt_set_flags replaces (everything but the address and PS). */
uint64_t mt_flag_mask(paging_mode_t mode);
/* Replaces the flag bits (mt_flag_mask) of the entry at `level` on va's path. */
void mt_set_flags(mt_t *t, vaddr_t va, int level, uint64_t flags);
uint64_t mt_entry(mt_t *t, vaddr_t va, int level);
paddr_t mt_entry_pa(mt_t *t, vaddr_t va, int level);
void mt_entry_write(mt_t *t, vaddr_t va, int level, uint64_t value);

/* Control operation issued at mmu_horizon(); asserts the call returns 0.
 * Returns the fault (FAULT_NONE, FAULT_GP or FAULT_UD). out may be NULL. */
mmu_fault_t mt_ctrl(mt_t *t, mmu_ctrl_kind_t kind, uint64_t value, mmu_ctrl_result_t *out);
/* Like mt_ctrl but asserts FAULT_NONE. */
void mt_ctrl_ok(mt_t *t, mmu_ctrl_kind_t kind, uint64_t value);
mmu_fault_t mt_invlpg(mt_t *t, vaddr_t va, mmu_ctrl_result_t *out);
mmu_fault_t mt_invpcid(mt_t *t, unsigned type, uint64_t pcid, vaddr_t va, mmu_ctrl_result_t *out);

/* Enters `mode` with t->pt as CR3 through legal writes in this order:
 * CR4 (without PCIDE), EFER, CR3, CR0 = PE|PG|cr0_extra, then CR4 with PCIDE
 * if cr4_extra has it. PAE/LA57/LME are added by the mode. */
void mt_enter(mt_t *t, paging_mode_t mode, uint64_t cr0_extra, uint64_t cr4_extra, uint64_t efer_extra);
/* Same with an explicit CR3 value. */
void mt_enter_cr3(mt_t *t, paging_mode_t mode, uint64_t cr3, uint64_t cr0_extra, uint64_t cr4_extra,
                  uint64_t efer_extra);

/* One translation issued at mmu_horizon() (mmu_translate); asserts it returns 0. */
mmu_result_t mt_access(mt_t *t, vaddr_t va, mmu_access_t acc, unsigned cpl, bool ac, bool implicit);
mmu_result_t mt_rd(mt_t *t, vaddr_t va);        /* supervisor read */
mmu_result_t mt_wr(mt_t *t, vaddr_t va);        /* supervisor write */
mmu_result_t mt_fetch(mt_t *t, vaddr_t va);     /* supervisor fetch */

mmu_arch_t mt_arch(mt_t *t);

/* Outcome classes of a translation as seen by the invalidation/policy tests. */
#define MT_L1   1   /* L1 TLB hit */
#define MT_L2   2   /* L2 TLB hit */
#define MT_WALK 3   /* walked (success) */
#define MT_PF   4   /* page fault */
#define MT_GP   5
#define MT_OFF  6   /* success without lookup or walk (paging off) */
int mt_how(const mmu_result_t *r);
const char *mt_how_name(int how);

/* Asserts a translation's outcome class, with a readable message. */
#define mt_expect_how(r, want) mt_expect_how_at((r), (want), __FILE__, __LINE__)
void mt_expect_how_at(const mmu_result_t *r, int want, const char *file, int line);

/* Sign-extends a 48- or 57-bit VA. */
vaddr_t mt_canon(vaddr_t va, int bits);

/* Memory-op recorder for mmu_set_memop_observer. */
#define MT_MAX_OPS 64
typedef struct {
    int n;
    mmu_memop_t op[MT_MAX_OPS];
} mt_ops_t;
void mt_ops_record(void *ctx, const mmu_memop_t *op);
void mt_ops_start(mt_t *t, mt_ops_t *ops);
void mt_ops_stop(mt_t *t);

#endif
