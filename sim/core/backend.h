/* One C interface over the three ways of running the MMU: the C model, the
 * Verilated RTL, and both in lockstep (co-simulation). Everything downstream
 * (script runner, workloads, experiments) talks to a backend_t. */
#ifndef MMULAB_BACKEND_H
#define MMULAB_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

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
    /* mmu_data_access: synchronises, then feeds one data access to the memory
     * hierarchy (cosim: to both sides, after comparing); -1 on a cosim mismatch */
    int (*data_access)(void *impl, paddr_t pa, bool is_write);
} backend_ops_t;

typedef struct backend {
    backend_kind_t kind;
    const backend_ops_t *ops;
    void *impl;
} backend_t;

/* The line a command prints after a co-simulation in which nothing differed (demo, run, trace;
 * the experiment runner looks for it in each point's output). */
#define BACKEND_LOCKSTEP_AGREED "lockstep: model and RTL agreed on every result field and cycle, every walker " \
                                "memory operation, and the final memory image"

/* Parses "model" | "rtl" | "cosim"; returns -1 for anything else. */
int backend_parse_kind(const char *name, backend_kind_t *out);
const char *backend_kind_name(backend_kind_t kind);

/* Options of one backend instance (every field per instance: several backends, e.g. one
 * MMU per CPU, can live side by side). */
typedef struct {
    const char *trace_path;      /* rtl/cosim: FST waveform of this instance's RTL, from RTL cycle
                                    trace_from until it is destroyed; NULL: none */
    cycle_t trace_from;
} backend_opts_t;

/* Creates a backend over mem (the memory the driver builds page tables in).
 * Returns NULL with a message in err (CONFIG_ERR_LEN bytes), e.g. when this
 * binary was built without the RTL. */
backend_t *backend_create(backend_kind_t kind, const mmu_config_t *cfg, physmem_t *mem, char *err);
/* The same with options (opts may be NULL). A trace_path on a binary Verilated without
 * tracing, or on the model backend, is an error. */
backend_t *backend_create_opts(backend_kind_t kind, const mmu_config_t *cfg, physmem_t *mem,
                               const backend_opts_t *opts, char *err);
void backend_destroy(backend_t *b);
/* Wraps an implementation (impl, driven through ops) in a new backend_t, for the factories
 * of the backends. Returns NULL with a message in err when out of memory. */
backend_t *backend_wrap(backend_kind_t kind, const backend_ops_t *ops, void *impl, char *err);

/* Which backends this binary has: a kind is available when its factory is linked in. */
bool backend_available(backend_kind_t kind);
/* Whether this binary's RTL can write waveforms (the mmulab-trace binaries, mk/cosim.mk). */
bool backend_can_trace(void);
/* The cycle of the first difference of this backend's co-simulation mismatch (the
 * earliest cycle of the differing operation), or -1 if there was none (or b is not cosim). */
int64_t backend_mismatch_cycle(const backend_t *b);
/* One line on the first difference of this backend's co-simulation: which operation and
 * field, and both values ("operation 7 (translation seq 5, va 0x400000): pa differs: model
 * 0x200000, rtl 0x300000"), or NULL if there was none (or b is not cosim). */
const char *backend_mismatch_text(const backend_t *b);

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
/* One data access of the workload fed to the walker's memory hierarchy (mem_model=cache;
 * see mmu_data_access). Returns -1 when the backend found a problem (a cosim mismatch). */
static inline int backend_data_access(backend_t *b, paddr_t pa, bool is_write)
{
    return b->ops->data_access(b->impl, pa, is_write);
}
/* The model instance behind a model backend (NULL for the others): for benchmarks
 * that measure the model itself without the dispatch. */
static inline mmu_t *backend_model(backend_t *b)
{
    return b->kind == BACKEND_MODEL ? (mmu_t *)b->impl : NULL;
}
/* How many cycles after its horizon an operation may be issued. The model skips idle time;
 * the rtl and cosim backends clock the RTL through every idle cycle (about a million a
 * second), so they take at most BACKEND_RTL_MAX_AHEAD: a far `@CYCLE` fails with a clear
 * error instead of running for hours (docs/scripts.md). */
#define BACKEND_RTL_MAX_AHEAD (UINT64_C(1) << 20)
uint64_t backend_max_ahead(const backend_t *b);

/* submit + sync of one request; -1 if either fails. */
int backend_translate(backend_t *b, const mmu_req_t *req, mmu_result_t *out);

/* The RTL-based backends (sim/rtl/backends.c, sim/rtl/cosim.c). They are defined only in binaries linked
 * with the Verilated RTL; elsewhere they stay NULL (weak). Use the functions above. */
extern backend_t *backend_create_rtl(const mmu_config_t *cfg, physmem_t *mem, const backend_opts_t *opts, char *err)
    __attribute__((weak));
extern backend_t *backend_create_cosim(const mmu_config_t *cfg, physmem_t *mem, const backend_opts_t *opts, char *err)
    __attribute__((weak));
extern bool backend_rtl_has_trace(void) __attribute__((weak));
extern int64_t backend_cosim_mismatch_cycle(const backend_t *b) __attribute__((weak));
extern const char *backend_cosim_mismatch_text(const backend_t *b) __attribute__((weak));

#endif
