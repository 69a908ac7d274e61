/* One C interface over the three ways of running the MMU: the C model, the
 * Verilated RTL, and both in lockstep (co-simulation). Everything downstream
 * (script runner, workloads, experiments) talks to a backend_t. */
#ifndef MMULAB_BACKEND_H
#define MMULAB_BACKEND_H

#include "mmu.h"

typedef enum { BACKEND_MODEL, BACKEND_RTL, BACKEND_COSIM } backend_kind_t;

typedef struct backend_ops {
    int (*submit)(void *impl, const mmu_req_t *req, mmu_result_t *out);
    int (*sync)(void *impl);          /* -1: the backend found a problem (a cosim mismatch) */
    int (*control)(void *impl, const mmu_ctrl_t *op, mmu_ctrl_result_t *out);
    cycle_t (*horizon)(const void *impl);
    void (*arch_state)(const void *impl, mmu_arch_t *out);
    const mmu_stats_t *(*stats)(const void *impl);
    void (*clear_stats)(void *impl);
    int (*finish)(void *impl);        /* end-of-run checks (cosim: the memory images); -1 on failure */
    void (*destroy)(void *impl);
} backend_ops_t;

typedef struct backend {
    backend_kind_t kind;
    const backend_ops_t *ops;
    void *impl;
} backend_t;

/* Parses "model" | "rtl" | "cosim"; returns -1 for anything else. */
int backend_parse_kind(const char *name, backend_kind_t *out);
const char *backend_kind_name(backend_kind_t kind);

/* Creates a backend over mem (the memory the driver builds page tables in).
 * Returns NULL with a message in err (CONFIG_ERR_LEN bytes), e.g. when this
 * binary was built without the RTL. */
backend_t *backend_create(backend_kind_t kind, const mmu_config_t *cfg, physmem_t *mem, char *err);
void backend_destroy(backend_t *b);

static inline int backend_submit(backend_t *b, const mmu_req_t *req, mmu_result_t *out)
{
    return b->ops->submit(b->impl, req, out);
}
/* Processes everything submitted. Returns -1 when the backend found a problem
 * (a co-simulation mismatch, already reported on stderr); then stop. */
static inline int backend_sync(backend_t *b)
{
    return b->ops->sync(b->impl);
}
static inline int backend_finish(backend_t *b)
{
    return b->ops->finish(b->impl);
}
/* Returns -1 for a bad issue cycle or (cosim) a mismatch. */
static inline int backend_control(backend_t *b, const mmu_ctrl_t *op, mmu_ctrl_result_t *out)
{
    return b->ops->control(b->impl, op, out);
}
static inline cycle_t backend_horizon(const backend_t *b)
{
    return b->ops->horizon(b->impl);
}
static inline void backend_arch_state(const backend_t *b, mmu_arch_t *out)
{
    b->ops->arch_state(b->impl, out);
}
static inline const mmu_stats_t *backend_stats(const backend_t *b)
{
    return b->ops->stats(b->impl);
}
static inline void backend_clear_stats(backend_t *b)
{
    b->ops->clear_stats(b->impl);
}
/* The model instance behind a model backend (NULL for the others): for benchmarks
 * that measure the model itself without the dispatch. */
static inline mmu_t *backend_model(backend_t *b)
{
    return b->kind == BACKEND_MODEL ? (mmu_t *)b->impl : NULL;
}
/* submit + sync of one request; -1 if either fails. */
int backend_translate(backend_t *b, const mmu_req_t *req, mmu_result_t *out);

/* Factories of the RTL-based backends. They are defined only in binaries linked
 * with the Verilated RTL (sim/rtl/); elsewhere they stay NULL (weak). */
extern backend_t *backend_create_rtl(const mmu_config_t *cfg, physmem_t *mem, char *err) __attribute__((weak));
extern backend_t *backend_create_cosim(const mmu_config_t *cfg, physmem_t *mem, char *err) __attribute__((weak));

/* Waveforms and mismatch cycles of the RTL-based backends (sim/rtl/backends.c; weak like
 * the factories, so NULL in binaries without the RTL). backend_rtl_trace_request: the next
 * rtl or cosim backend created dumps an FST waveform to path from RTL cycle `from` until it
 * is destroyed (one backend only). Returns -1 if this binary was Verilated without tracing
 * (use build/rtl/CONFIG/mmulab-trace, mk/cosim.mk). backend_cosim_mismatch_cycle: the cycle
 * of the first difference of the last cosim mismatch in this process (the earliest cycle of
 * the differing operation), or -1 if there was none. */
extern int backend_rtl_trace_request(const char *path, cycle_t from) __attribute__((weak));
extern int64_t backend_cosim_mismatch_cycle(void) __attribute__((weak));

#endif
