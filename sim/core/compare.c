/* Field-by-field agreement of two runs (compare.h). */
#include "compare.h"

#include <string.h>

#define CMP(f)             \
    if (a->f != b->f)      \
        return #f

const char *result_diff(const mmu_result_t *a, const mmu_result_t *b)
{
    CMP(complete_cycle); CMP(accept_cycle); CMP(fault); CMP(pa); CMP(error_code); CMP(cr2);
    CMP(tlb_hit); CMP(pwc_hit); CMP(page_shift); CMP(walked); CMP(dirty_assist);
    CMP(mem_reads); CMP(mem_writes); CMP(port);
    return NULL;
}

const char *ctrl_result_diff(const mmu_ctrl_result_t *a, const mmu_ctrl_result_t *b)
{
    CMP(fault); CMP(complete_cycle); CMP(accept_cycle); CMP(mem_reads);
    CMP(tlb_invalidated); CMP(pwc_invalidated);
    return NULL;
}

const char *arch_diff(const mmu_arch_t *a, const mmu_arch_t *b)
{
    CMP(cr0); CMP(cr2); CMP(cr3); CMP(cr4); CMP(efer); CMP(mode); CMP(pcid);
    if (memcmp(a->pdpte, b->pdpte, sizeof a->pdpte))
        return "pdpte";
    return NULL;
}

const char *memop_diff(const mmu_memop_t *a, const mmu_memop_t *b)
{
    CMP(is_write); CMP(pa); CMP(size); CMP(value); CMP(issue_cycle); CMP(complete_cycle);
    return NULL;
}
