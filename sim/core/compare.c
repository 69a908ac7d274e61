/* Field-by-field agreement of two runs (compare.h). */
#include "compare.h"

#include <string.h>

/* the first differing field's name, and its two values into *va, *vb when they are not NULL */
#define CMP(f)                              \
    if (a->f != b->f) {                     \
        if (va)                             \
            *va = (uint64_t)a->f;           \
        if (vb)                             \
            *vb = (uint64_t)b->f;           \
        return #f;                          \
    }

const char *result_diff(const mmu_result_t *a, const mmu_result_t *b)
{
    return result_diff_values(a, b, NULL, NULL);
}

const char *ctrl_result_diff(const mmu_ctrl_result_t *a, const mmu_ctrl_result_t *b)
{
    return ctrl_result_diff_values(a, b, NULL, NULL);
}

const char *arch_diff(const mmu_arch_t *a, const mmu_arch_t *b)
{
    return arch_diff_values(a, b, NULL, NULL);
}

const char *memop_diff(const mmu_memop_t *a, const mmu_memop_t *b)
{
    return memop_diff_values(a, b, NULL, NULL);
}

const char *result_diff_values(const mmu_result_t *a, const mmu_result_t *b, uint64_t *va, uint64_t *vb)
{
    CMP(complete_cycle); CMP(accept_cycle); CMP(fault); CMP(pa); CMP(error_code); CMP(cr2);
    CMP(tlb_hit); CMP(pwc_hit); CMP(page_shift); CMP(walked); CMP(dirty_assist);
    CMP(mem_reads); CMP(mem_writes); CMP(port);
    return NULL;
}

const char *ctrl_result_diff_values(const mmu_ctrl_result_t *a, const mmu_ctrl_result_t *b, uint64_t *va,
                                    uint64_t *vb)
{
    CMP(fault); CMP(complete_cycle); CMP(accept_cycle); CMP(mem_reads);
    CMP(tlb_invalidated); CMP(pwc_invalidated);
    return NULL;
}

const char *arch_diff_values(const mmu_arch_t *a, const mmu_arch_t *b, uint64_t *va, uint64_t *vb)
{
    CMP(cr0); CMP(cr2); CMP(cr3); CMP(cr4); CMP(efer); CMP(mode); CMP(pcid); CMP(pkru); CMP(pkrs);
    static const char *const pdpte_names[4] = { "pdpte0", "pdpte1", "pdpte2", "pdpte3" };
    for (size_t i = 0; i < 4; i++)
        if (a->pdpte[i] != b->pdpte[i]) {
            if (va)
                *va = a->pdpte[i];
            if (vb)
                *vb = b->pdpte[i];
            return pdpte_names[i];
        }
    return NULL;
}

const char *memop_diff_values(const mmu_memop_t *a, const mmu_memop_t *b, uint64_t *va, uint64_t *vb)
{
    CMP(is_write); CMP(pa); CMP(size); CMP(value); CMP(issue_cycle); CMP(complete_cycle);
    return NULL;
}
