/* Statistics of an MMU known only by its results (the Verilated RTL, in the C++
 * harness sim/rtl/rtl_mmu.c and under SystemC sim/tlm/): what each completed
 * translation's and control operation's result tells, in the model's mmu_stats_t
 * (per-class TLB hits/misses from the page sizes; no eviction or drop counts). */
#ifndef MMULAB_RESULT_STATS_H
#define MMULAB_RESULT_STATS_H

#include "mmu.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One completed translation (res->port, cycles and fields as the MMU produced them). */
void result_stats_translation(mmu_stats_t *s, const mmu_config_t *cfg, const mmu_result_t *res);
/* One completed control operation. */
void result_stats_control(mmu_stats_t *s, const mmu_ctrl_result_t *res);

#ifdef __cplusplus
}
#endif
#endif
