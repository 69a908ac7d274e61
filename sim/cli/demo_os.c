/* `mmulab demo`'s run (docs/workloads.md "The demo through the OS layer"): the workload's stream
 * (wl_create_stream: the generators, no address space of their own) as user accesses of
 * processes of the OS layer, with the process mix of wl_os.h.
 *
 * Flow: memory + one backend per CPU + os_boot (cli_os_machine_start) -> wl_os_prepare (the
 * processes, their working sets prefaulted or not, MMU and memory statistics cleared, OS
 * counters noted) -> wl_os_run -> report (CPU 0's MMU statistics, the OS counters since the
 * note) -> JSON (the demo's keys plus "os_setup", "mix" and "os", the last as `mmulab trace`
 * writes it, os_json.h). The SystemC traffic generator (sim/tlm/traffic.cpp) runs the same
 * wl_os_prepare and wl_os_run. */
#include "demo.h"
#include "os_args.h"
#include "os_json.h"
#include "version.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hostclock.h"
#include "names.h"
#include "outfile.h"
#include "report.h"

int demo_os_run(const wl_params_t *wp, const mmu_config_t *cfg, backend_kind_t backend, const os_params_t *osp,
                const wl_os_mix_t *mx, FILE *txt, FILE *json_file, const char *json_out, const char *cmd)
{
    char err[WL_OS_ERR_LEN], werr[WL_ERR_LEN], line[1024];
    cli_os_machine_t om = { 0 };
    wl_os_procs_t *pr = calloc(1, sizeof *pr);
    workload_t *w = NULL;
    int rc = 1;
    const double t0 = host_seconds();
    if (!pr) {
        fprintf(stderr, "mmulab demo: out of memory\n");
        goto out;
    }
    if (!(w = wl_create_stream(wp, werr))) {
        fprintf(stderr, "mmulab demo: %s\n", werr);
        goto out;
    }
    if (cli_os_machine_start("demo", &om, osp, backend, cfg) < 0)
        goto out;
    os_counters_t base;
    const int prep = wl_os_prepare(om.os, wl_params(w), mx, pr, &base, err);
    if (prep != 0) {
        fprintf(stderr, "mmulab demo: %s\n", err);
        rc = prep > 0 ? 2 : 1;
        goto out;
    }
    const double t_build = host_seconds() - t0;

    report_config_line(txt, cfg);
    wl_describe(w, line, sizeof line);
    fprintf(txt, "%s\n", line);
    char ps[16];
    char ram[16];
    fprintf(txt, "os: %s, %u cpu%s, ram %s, kpti %d, pcid %d, invpcid %d, vmalloc %s, flush ceiling %u, smep %d, "
            "smap %d; %u process%s on %u cpu%s, %s pages %s, switch every %" PRIu64 ", syscall every %" PRIu64
            " (%u kernel lines), churn every %" PRIu64 " (%" PRIu64 " pages), kernel every %" PRIu64 "\n",
            names_mode(osp->mode), osp->cpus, osp->cpus == 1 ? "" : "s", wl_format_size(osp->ram, ram, sizeof ram),
            osp->kpti, osp->pcid, osp->invpcid, vmalloc_policy_name(osp->vmalloc), osp->flush_ceiling, osp->smep,
            osp->smap, mx->procs, mx->procs == 1 ? "" : "es", mx->threads, mx->threads == 1 ? "" : "s",
            wl_format_size(1ull << mx->page_shift, ps, sizeof ps), mx->prefault ? "prefaulted" : "demand paged",
            mx->switch_every, mx->syscall_every, mx->syscall_touches, mx->churn_every, mx->churn_pages,
            mx->kernel_every);
    fflush(txt);

    wl_os_stats_t st;
    const double t1 = host_seconds();
    if (wl_os_run(om.os, w, mx, pr, &st, err) < 0) {
        fprintf(stderr, "mmulab demo: %s\n", err);
        goto out;
    }
    for (unsigned c = 0; c < osp->cpus; c++)
        if (backend_finish(om.cpus[c]) != 0) {
            fprintf(stderr, "mmulab demo: the %s backend's end-of-run check failed (CPU %u)\n",
                    backend_kind_name(backend), c);
            goto out;
        }
    const double t_run = host_seconds() - t1;
    const cycle_t span = st.last_cycle - st.first_cycle;
    const double cpa = st.accesses ? (double)span / (double)st.accesses : 0.0;
    fprintf(txt, "run: %" PRIu64 " accesses (r/w/x %" PRIu64 "/%" PRIu64 "/%" PRIu64 ") in %" PRIu64
            " cycles (%.3f cycles per access), %" PRIu64 " switches, %" PRIu64 " syscalls, %" PRIu64 " churns, %" PRIu64
            " vmallocs, %" PRIu64 " SIGSEGV\n",
            st.accesses, st.by_kind[ACC_READ], st.by_kind[ACC_WRITE], st.by_kind[ACC_EXEC], span, cpa, st.switches,
            st.syscalls, st.churns, st.kernel_ops, st.segv);
    if (backend == BACKEND_COSIM)
        fprintf(txt, "%s\n", BACKEND_LOCKSTEP_AGREED);
    fprintf(txt, "host: build %.3f s, run %.3f s (%.2f M accesses/s)\n", t_build, t_run,
            t_run > 0 ? (double)st.accesses / t_run / 1e6 : 0.0);
    /* CPU 0's MMU: with --threads the other CPUs' MMUs run the same process (os counters cover all) */
    const mmu_stats_t *ms = backend_stats(om.cpus[0]);
    const physmem_stats_t *pm = physmem_stats(om.m.mem);
    report_print(txt, ms, pm, cfg);
    os_counters_print(txt, om.os, &base);
    rc = st.segv ? 1 : 0;
    if (st.segv)
        fprintf(stderr, "mmulab demo: CHECK FAILED: %" PRIu64 " accesses got SIGSEGV (every page of the working set "
                        "is in a VMA)\n", st.segv);
    if (json_file) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddItemToObject(root, "tool", tool_json());
        cJSON_AddStringToObject(root, "command", cmd);
        cJSON_AddStringToObject(root, "workload_line", line);
        cJSON *wo = cJSON_AddObjectToObject(root, "workload");
        cJSON_AddStringToObject(wo, "kind", wl_kind_name(wp->kind));
        cJSON_AddStringToObject(wo, "mode", names_mode(wp->mode));
        cJSON_AddNumberToObject(wo, "region_bytes", (double)wl_params(w)->region_bytes);
        cJSON_AddNumberToObject(wo, "va_base", (double)wl_params(w)->va_base);
        cJSON_AddNumberToObject(wo, "page_bytes", (double)(1ull << mx->page_shift));
        cJSON_AddNumberToObject(wo, "frac_write", wp->frac_write);
        cJSON_AddNumberToObject(wo, "frac_exec", wp->frac_exec);
        cJSON_AddBoolToObject(wo, "user", true);
        cJSON_AddNumberToObject(wo, "ops", (double)wp->ops);
        cJSON_AddNumberToObject(wo, "seed", (double)wp->seed);
        cJSON_AddStringToObject(wo, "issue", "serial");
        cJSON_AddItemToObject(root, "os_setup", os_setup_json(osp, backend));
        cJSON *mo = cJSON_AddObjectToObject(root, "mix");
        cJSON_AddBoolToObject(mo, "prefault", mx->prefault);
        cJSON_AddNumberToObject(mo, "procs", mx->procs);
        cJSON_AddNumberToObject(mo, "threads", mx->threads);
        cJSON_AddNumberToObject(mo, "switch_every", (double)mx->switch_every);
        cJSON_AddNumberToObject(mo, "syscall_every", (double)mx->syscall_every);
        cJSON_AddNumberToObject(mo, "syscall_touches", mx->syscall_touches);
        cJSON_AddNumberToObject(mo, "churn_every", (double)mx->churn_every);
        cJSON_AddNumberToObject(mo, "churn_pages", (double)mx->churn_pages);
        cJSON_AddNumberToObject(mo, "kernel_every", (double)mx->kernel_every);
        cJSON *ro = cJSON_AddObjectToObject(root, "run");
        cJSON_AddNumberToObject(ro, "ops", (double)st.accesses);
        cJSON_AddNumberToObject(ro, "reads", (double)st.by_kind[ACC_READ]);
        cJSON_AddNumberToObject(ro, "writes", (double)st.by_kind[ACC_WRITE]);
        cJSON_AddNumberToObject(ro, "fetches", (double)st.by_kind[ACC_EXEC]);
        cJSON_AddNumberToObject(ro, "segv", (double)st.segv);
        cJSON_AddNumberToObject(ro, "switches", (double)st.switches);
        cJSON_AddNumberToObject(ro, "syscalls", (double)st.syscalls);
        cJSON_AddNumberToObject(ro, "churns", (double)st.churns);
        cJSON_AddNumberToObject(ro, "kernel_ops", (double)st.kernel_ops);
        cJSON_AddNumberToObject(ro, "first_issue", (double)st.first_cycle);
        cJSON_AddNumberToObject(ro, "last_complete", (double)st.last_cycle);
        cJSON_AddNumberToObject(ro, "cycles", (double)span);
        cJSON_AddNumberToObject(ro, "cycles_per_access", cpa);
        cJSON_AddNumberToObject(ro, "host_build_seconds", t_build);
        cJSON_AddNumberToObject(ro, "host_run_seconds", t_run);
        cJSON_AddItemToObject(root, "stats", report_json(ms, pm, cfg));
        cJSON_AddItemToObject(root, "os", os_counters_json(om.os, &base));
        const bool written = outfile_put_json(json_file, root) == 0;
        cJSON_Delete(root);
        json_file = NULL;
        if (!written) {
            fprintf(stderr, "mmulab demo: cannot write %s\n", json_out);
            rc = rc ? rc : 1;
        }
    }
    fprintf(txt, "reproduce: %s\n", cmd);
out:
    if (json_file)
        outfile_close(json_file);
    wl_destroy(w);
    free(pr);
    cli_os_machine_release(&om);
    return rc;
}
