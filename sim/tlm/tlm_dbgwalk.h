/* Side-effect-free translation for the SystemC module (sim/tlm/mmu_tlm.h): the page
 * walk of docs/semantics.md without timing, TLB, paging-structure caches or A/D
 * writes, reading the tables through a callback (the TLM module's transport_dbg to
 * memory). Serves transport_dbg and DMI for both backends alike (the RTL has no
 * debug port). Built from model/paging.h's pure functions, so the rules are the
 * model's; what it adds is only the loop over the levels.
 * Contract: arch is the MMU's architectural state (CRs, PDPTE registers); the result
 * is what a translation would give on a TLB miss, which differs from the MMU's own
 * answer only while the MMU holds a stale TLB entry (software did not invalidate). */
#ifndef MMULAB_TLM_DBGWALK_H
#define MMULAB_TLM_DBGWALK_H

#include "mmu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads one paging-structure entry of `size` bytes (4 or 8); false if the memory
 * cannot be read (the walk then reports a not-present fault). */
typedef bool (*dbgwalk_read_fn)(void *ctx, paddr_t pa, unsigned size, uint64_t *value);

typedef struct {
    mmu_fault_t fault;
    uint32_t error_code;       /* #PF error code */
    paddr_t pa;                /* translated address (fault == FAULT_NONE) */
    unsigned page_shift;       /* 12, 21, 22, 30; 32 with paging off (the 4 GiB identity map) */
    vaddr_t page_va;           /* first VA of the page (as the request's va, sign bits kept) */
    paddr_t page_pa;           /* first PA of the page */
    bool global;               /* leaf G with CR4.PGE (survives CR3 writes and INVPCID 1/3) */
    bool accessed;             /* every entry used has A = 1 (a real access writes none) */
    bool dirty;                /* the leaf has D = 1 */
} dbgwalk_result_t;

void dbgwalk_translate(const mmu_arch_t *arch, unsigned maxphyaddr, const mmu_req_t *req,
                       dbgwalk_read_fn read, void *ctx, dbgwalk_result_t *out);

#ifdef __cplusplus
}
#endif
#endif
