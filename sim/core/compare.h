/* What two runs of the MMU must agree on, field by field: used by the
 * co-simulation backend and by the directed RTL tests. Each function returns
 * the name of the first field that differs, or NULL when they agree. */
#ifndef MMULAB_COMPARE_H
#define MMULAB_COMPARE_H

#include "mmu.h"

const char *result_diff(const mmu_result_t *a, const mmu_result_t *b);
const char *ctrl_result_diff(const mmu_ctrl_result_t *a, const mmu_ctrl_result_t *b);
const char *arch_diff(const mmu_arch_t *a, const mmu_arch_t *b);
const char *memop_diff(const mmu_memop_t *a, const mmu_memop_t *b);

/* The same, with the two values of that field (as numbers) in *va and *vb (each may be NULL),
 * so a report can say what differed, not only where. */
const char *result_diff_values(const mmu_result_t *a, const mmu_result_t *b, uint64_t *va, uint64_t *vb);
const char *ctrl_result_diff_values(const mmu_ctrl_result_t *a, const mmu_ctrl_result_t *b, uint64_t *va,
                                    uint64_t *vb);
const char *arch_diff_values(const mmu_arch_t *a, const mmu_arch_t *b, uint64_t *va, uint64_t *vb);
const char *memop_diff_values(const mmu_memop_t *a, const mmu_memop_t *b, uint64_t *va, uint64_t *vb);

#endif
