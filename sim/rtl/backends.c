/* The `rtl` backend behind sim/core/backend.h: the Verilated MMU alone, a thin adapter
 * over rtl_mmu.h, and the waveform option both RTL-based backends share (rtl_backends.h).
 * The `cosim` backend is cosim.c. */
#include "rtl_backends.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- waveforms (backend.h) ------------------------------------------------------ */

bool backend_rtl_has_trace(void)
{
    return rtl_sim_has_trace();
}

int rtl_backend_start_trace(rtl_mmu_t *r, const backend_opts_t *opts, char *err)
{
    if (!opts || !opts->trace_path)
        return 0;
    if (!rtl_sim_has_trace()) {
        snprintf(err, CONFIG_ERR_LEN, "this binary was Verilated without tracing (use mmulab-trace: make cosim-trace)");
        return -1;
    }
    /* an unwritable path fails now, not silently at the start cycle */
    FILE *probe = fopen(opts->trace_path, "w");
    if (!probe) {
        snprintf(err, CONFIG_ERR_LEN, "cannot write the waveform %s: %s", opts->trace_path, strerror(errno));
        return -1;
    }
    fclose(probe);
    int rc = rtl_mmu_trace_from(r, opts->trace_path, opts->trace_from);
    if (rc != 0)
        snprintf(err, CONFIG_ERR_LEN, "cannot trace to %s", opts->trace_path);
    return rc;
}

/* --- rtl: a thin adapter ---------------------------------------------------- */

static int rtl_submit(void *impl, const mmu_req_t *req, mmu_result_t *out)
{
    return rtl_mmu_submit(impl, req, out);
}
static int rtl_sync(void *impl)
{
    rtl_mmu_sync(impl);
    return 0;
}
static int rtl_control(void *impl, const mmu_ctrl_t *op, mmu_ctrl_result_t *out)
{
    return rtl_mmu_control(impl, op, out);
}
static cycle_t rtl_horizon(const void *impl)
{
    return rtl_mmu_horizon(impl);
}
static void rtl_arch_state(const void *impl, mmu_arch_t *out)
{
    rtl_mmu_arch_state(impl, out);
}
static const mmu_stats_t *rtl_stats(const void *impl)
{
    return rtl_mmu_stats(impl);
}
static void rtl_clear_stats(void *impl)
{
    rtl_mmu_clear_stats(impl);
}
static int rtl_finish(void *impl)
{
    return rtl_mmu_trace_check(impl);
}
static void rtl_destroy(void *impl)
{
    rtl_mmu_destroy(impl);
}

static int rtl_data_access(void *impl, paddr_t pa, bool is_write)
{
    rtl_mmu_data_access(impl, pa, is_write);
    return 0;
}

static const backend_ops_t rtl_ops = {
    rtl_submit, rtl_sync, rtl_control, rtl_horizon, rtl_arch_state, rtl_stats, rtl_clear_stats,
    rtl_finish, rtl_destroy, rtl_data_access,
};

backend_t *backend_create_rtl(const mmu_config_t *cfg, physmem_t *mem, const backend_opts_t *opts, char *err)
{
    rtl_mmu_t *r = rtl_mmu_create(cfg, mem, err);
    if (!r)
        return NULL;
    if (rtl_backend_start_trace(r, opts, err) != 0) {
        rtl_mmu_destroy(r);
        return NULL;
    }
    backend_t *b = backend_wrap(BACKEND_RTL, &rtl_ops, r, err);
    if (!b)
        rtl_mmu_destroy(r);
    return b;
}
