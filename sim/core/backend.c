/* Backend selection and the model backend (a thin adapter over model/mmu.h). */
#include "backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int model_submit(void *impl, const mmu_req_t *req, mmu_result_t *out)
{
    return mmu_submit(impl, req, out);
}
static int model_sync(void *impl)
{
    mmu_sync(impl);
    return 0;
}
static int model_control(void *impl, const mmu_ctrl_t *op, mmu_ctrl_result_t *out)
{
    return mmu_control(impl, op, out);
}
static cycle_t model_horizon(const void *impl)
{
    return mmu_horizon(impl);
}
static void model_arch_state(const void *impl, mmu_arch_t *out)
{
    mmu_arch_state(impl, out);
}
static const mmu_stats_t *model_stats(const void *impl)
{
    return mmu_stats(impl);
}
static void model_clear_stats(void *impl)
{
    mmu_clear_stats(impl);
}
static int model_finish(void *impl)
{
    (void)impl;
    return 0;
}
static void model_destroy(void *impl)
{
    mmu_destroy(impl);
}

static int model_data_access(void *impl, paddr_t pa, bool is_write)
{
    mmu_data_access(impl, pa, is_write);
    return 0;
}

static const backend_ops_t model_ops = {
    model_submit, model_sync, model_control, model_horizon, model_arch_state, model_stats, model_clear_stats,
    model_finish, model_destroy, model_data_access,
};

int backend_parse_kind(const char *name, backend_kind_t *out)
{
    static const char *const names[] = { "model", "rtl", "cosim" };
    for (int k = 0; k < 3; k++) {
        if (strcmp(name, names[k]) == 0) {
            *out = (backend_kind_t)k;
            return 0;
        }
    }
    return -1;
}

const char *backend_kind_name(backend_kind_t kind)
{
    return kind == BACKEND_MODEL ? "model" : kind == BACKEND_RTL ? "rtl" : kind == BACKEND_COSIM ? "cosim" : "?";
}

backend_t *backend_create(backend_kind_t kind, const mmu_config_t *cfg, physmem_t *mem, char *err)
{
    return backend_create_opts(kind, cfg, mem, NULL, err);
}

bool backend_available(backend_kind_t kind)
{
    return kind == BACKEND_MODEL || (kind == BACKEND_RTL && backend_create_rtl) ||
           (kind == BACKEND_COSIM && backend_create_cosim);
}

bool backend_can_trace(void)
{
    return backend_rtl_has_trace && backend_rtl_has_trace();
}

int64_t backend_mismatch_cycle(const backend_t *b)
{
    return b && b->kind == BACKEND_COSIM && backend_cosim_mismatch_cycle ? backend_cosim_mismatch_cycle(b) : -1;
}

const char *backend_mismatch_text(const backend_t *b)
{
    return b && b->kind == BACKEND_COSIM && backend_cosim_mismatch_text ? backend_cosim_mismatch_text(b) : NULL;
}

backend_t *backend_create_opts(backend_kind_t kind, const mmu_config_t *cfg, physmem_t *mem,
                               const backend_opts_t *opts, char *err)
{
    if (kind == BACKEND_RTL || kind == BACKEND_COSIM) {
        backend_t *(*factory)(const mmu_config_t *, physmem_t *, const backend_opts_t *, char *) =
            kind == BACKEND_RTL ? backend_create_rtl : backend_create_cosim;
        if (!factory) {
            snprintf(err, CONFIG_ERR_LEN, "backend '%s' is not built into this binary (use build/rtl/default/mmulab: make rtl-tool)",
                     backend_kind_name(kind));
            return NULL;
        }
        return factory(cfg, mem, opts, err);
    }
    if (opts && opts->trace_path) {
        snprintf(err, CONFIG_ERR_LEN, "the model backend writes no waveform (--trace needs rtl or cosim)");
        return NULL;
    }
    mmu_t *m = mmu_create(cfg, mem, err);
    if (!m)
        return NULL;
    backend_t *b = backend_wrap(BACKEND_MODEL, &model_ops, m, err);
    if (!b)
        mmu_destroy(m);
    return b;
}

backend_t *backend_wrap(backend_kind_t kind, const backend_ops_t *ops, void *impl, char *err)
{
    backend_t *b = malloc(sizeof *b);
    if (!b) {
        snprintf(err, CONFIG_ERR_LEN, "out of memory");
        return NULL;
    }
    *b = (backend_t){ kind, ops, impl };
    return b;
}

void backend_destroy(backend_t *b)
{
    if (!b)
        return;
    b->ops->destroy(b->impl);
    free(b);
}

int backend_translate(backend_t *b, const mmu_req_t *req, mmu_result_t *out)
{
    if (backend_submit(b, req, out) != 0)
        return -1;
    return backend_sync(b);
}

uint64_t backend_max_ahead(const backend_t *b)
{
    return b->kind == BACKEND_MODEL ? UINT64_MAX : BACKEND_RTL_MAX_AHEAD;
}
