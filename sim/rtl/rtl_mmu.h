/* The RTL backend: the Verilated mmu_top driven cycle by cycle, with the same
 * shape as model/mmu.h. Requests are presented from their issue cycle, the
 * memory port is served from physmem with model/memlat.c (latency counted from
 * the cycle the RTL's request is accepted), and results carry the cycles the
 * RTL produced. The RTL's parameters are fixed when it is Verilated: create
 * fails unless cfg matches them (memory-model keys excepted, they configure
 * the responder here). */
#ifndef MMULAB_RTL_MMU_H
#define MMULAB_RTL_MMU_H

#include "mmu.h"

typedef struct rtl_mmu rtl_mmu_t;

rtl_mmu_t *rtl_mmu_create(const mmu_config_t *cfg, physmem_t *mem, char *err);
void rtl_mmu_destroy(rtl_mmu_t *r);
/* Reset: the RTL's reset sequence, then cycle 0; statistics cleared. */
void rtl_mmu_reset(rtl_mmu_t *r);
const mmu_config_t *rtl_mmu_config(const rtl_mmu_t *r);

/* As mmu_submit / mmu_sync / mmu_translate / mmu_control / mmu_horizon. */
int rtl_mmu_submit(rtl_mmu_t *r, const mmu_req_t *req, mmu_result_t *out);
void rtl_mmu_sync(rtl_mmu_t *r);
int rtl_mmu_translate(rtl_mmu_t *r, const mmu_req_t *req, mmu_result_t *out);
int rtl_mmu_control(rtl_mmu_t *r, const mmu_ctrl_t *op, mmu_ctrl_result_t *out);
cycle_t rtl_mmu_horizon(const rtl_mmu_t *r);

void rtl_mmu_arch_state(const rtl_mmu_t *r, mmu_arch_t *out);
/* Statistics: what the results and the RTL's counters tell (per-class TLB
 * hits/misses from the results' page sizes; no eviction or drop counts). */
const mmu_stats_t *rtl_mmu_stats(const rtl_mmu_t *r);
void rtl_mmu_clear_stats(rtl_mmu_t *r);
void rtl_mmu_set_memop_observer(rtl_mmu_t *r, mmu_memop_fn fn, void *ctx);
/* As mmu_data_access: the harness's memory hierarchy serves the RTL's memory port. */
void rtl_mmu_data_access(rtl_mmu_t *r, paddr_t pa, bool is_write);

/* The next cycle the RTL will evaluate (cycles simulated since reset). */
cycle_t rtl_mmu_cycle(const rtl_mmu_t *r);
/* FST waveform of everything from now on (trace builds only; -1 otherwise). */
int rtl_mmu_trace(rtl_mmu_t *r, const char *path);
/* The same from cycle `from` on (opened when the cycle loop reaches it; path is copied).
 * -1 if this build cannot trace. */
int rtl_mmu_trace_from(rtl_mmu_t *r, const char *path, cycle_t from);
/* End of run: -1 (reported on stderr) if a requested waveform was not written: the file
 * could not be opened, or the run ended before its start cycle. */
int rtl_mmu_trace_check(const rtl_mmu_t *r);

#endif
