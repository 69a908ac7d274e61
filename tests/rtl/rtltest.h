/* Support of the RTL directed tests: the RTL backend and the C model side by side,
 * each over its own physical memory holding the same page tables. Every operation
 * runs on both; the RTL's result is returned for the hand-written expectations and
 * compared field by field and cycle by cycle with the model's (and the memories
 * afterwards). Helpers assert with cmocka: call them inside a test. */
#ifndef MMULAB_RTLTEST_H
#define MMULAB_RTLTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "mmu.h"
#include "physmem.h"
#include "ptbuild.h"
#include "rtl_mmu.h"

#define RT_FRAMES_BASE  0x00100000ull
#define RT_FRAMES_LIMIT 0x04000000ull

typedef struct {
    mmu_config_t cfg;          /* the configuration the RTL was Verilated with */
    physmem_t *mem[2];         /* [0] model, [1] RTL */
    mmu_t *model;
    rtl_mmu_t *rtl;
    ptbuild_t pt[2];
    paging_mode_t mode;
    int model_mismatches;      /* differences from the model (each printed) */
} rt_t;

rt_t *rt_new(void);
/* The same with "key=value" overrides of memory-model (harness) keys, NULL-terminated. */
rt_t *rt_new_with(const char *const *harness_overrides);
void rt_free(rt_t *t);
int rt_teardown(void **state);

/* Latency symbols of docs/timing.md for this build. */
unsigned rt_L1(const rt_t *t);
unsigned rt_L2(const rt_t *t);
unsigned rt_P(const rt_t *t, paging_mode_t mode);
unsigned rt_O(const rt_t *t);
unsigned rt_C(const rt_t *t);
unsigned rt_M(const rt_t *t);
unsigned rt_S(const rt_t *t);   /* selective-flush sweep length */
bool rt_has_class(const rt_t *t, tlb_id_t id, page_class_t cls);

void rt_tables(rt_t *t, paging_mode_t mode);
void rt_map(rt_t *t, vaddr_t va, paddr_t pa, unsigned shift, uint64_t leaf_flags);
void rt_map_tf(rt_t *t, vaddr_t va, paddr_t pa, unsigned shift, uint64_t leaf_flags, uint64_t table_flags);
uint64_t rt_entry(rt_t *t, vaddr_t va, int level);          /* from the RTL's memory */
void rt_entry_write(rt_t *t, vaddr_t va, int level, uint64_t v);
void rt_poke64(rt_t *t, paddr_t pa, uint64_t v);

mmu_ctrl_result_t rt_ctrl(rt_t *t, mmu_ctrl_kind_t kind, uint64_t value);
mmu_ctrl_result_t rt_ctrl_full(rt_t *t, const mmu_ctrl_t *op);
void rt_ctrl_ok(rt_t *t, mmu_ctrl_kind_t kind, uint64_t value);
mmu_ctrl_result_t rt_invlpg(rt_t *t, vaddr_t va);
mmu_ctrl_result_t rt_invpcid(rt_t *t, unsigned type, uint64_t pcid, vaddr_t va);
/* Enters mode with t->pt: CR4 (no PCIDE), EFER, CR3, CR0 = PE|PG|cr0x, then CR4 with PCIDE if asked. */
void rt_enter(rt_t *t, paging_mode_t mode, uint64_t cr0x, uint64_t cr4x, uint64_t eferx);
void rt_enter_cr3(rt_t *t, paging_mode_t mode, uint64_t cr3, uint64_t cr0x, uint64_t cr4x, uint64_t eferx);

mmu_result_t rt_access(rt_t *t, vaddr_t va, mmu_access_t acc, unsigned cpl, bool ac, bool implicit);
mmu_result_t rt_rd(rt_t *t, vaddr_t va);
mmu_result_t rt_wr(rt_t *t, vaddr_t va);
mmu_result_t rt_fetch(rt_t *t, vaddr_t va);
mmu_result_t rt_user(rt_t *t, vaddr_t va, mmu_access_t acc);
/* Several requests submitted together (overlapping), then synchronised; results in out[]. */
void rt_batch(rt_t *t, const mmu_req_t *reqs, int n, mmu_result_t *out);

mmu_arch_t rt_arch(rt_t *t);
/* Asserts the model and the RTL agreed on everything so far. */
void rt_expect_model_agrees(rt_t *t);

vaddr_t rt_canon(vaddr_t va, int bits);

#endif
