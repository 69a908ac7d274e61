/* `mmulab trace FILE`: a real program's memory trace (docs/traces.md) replayed as a process
 * of the OS layer (docs/os.md) on the default OS set-up, then the report of `mmulab demo`
 * (per-TLB and per-page-size hit rates, PWC per level, walk-latency histogram, faults) plus
 * the OS counters, and with --json the same numbers under the demo's names.
 *
 * Flow: options -> configuration -> memory, one backend per CPU, os_boot (cli_os_machine_start,
 * os_args.h) -> pass 1 (trace_infer_regions: the VMAs) -> process set-up
 * (trace_regions_round for --page 2m|4m|1g, trace_os_start) -> statistics cleared -> pass 2 (trace_os_replay) -> report. */
#include "cli.h"
#include "os_args.h"
#include "os_json.h"
#include "outfile.h"
#include "version.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "hostclock.h"
#include "machine.h"
#include "names.h"
#include "report.h"
#include "script.h"
#include "trace_os.h"

static const char trace_usage[] =
    "usage: mmulab trace FILE [--backend model|rtl|cosim] [--config FILE] [--set key=value]...\n"
    "                    [--json OUT] [--ops N] [--mode 4level|5level|32bit|pae] [--ram SIZE]\n"
    "                    [--kpti 0|1] [--pcid 0|1] [--invpcid 0|1] [--vmalloc lazy|sync|prealloc|shared-pmd]\n"
    "                    [--flush-ceiling N] [--cpus N] [--smep 0|1] [--smap 0|1] [--page 4k|2m|4m|1g]\n"
    "  FILE: a valgrind lackey or ChampSim trace, plain, gzip, xz or zstd (docs/traces.md);\n"
    "  --ops N: replay the first N accesses (0, the default: all);\n"
    "  --page: the page size of the inferred VMAs (default 4k; 2m and 1g need pae or 4/5-level paging,\n"
    "  1g 4/5-level, 4m is 32-bit paging's huge page). docs/workloads.md.\n";

/* The page sizes a paging mode maps (SDM Vol. 3A 4.3, 4.4, 4.5): NULL, or why not. */
static const char *page_size_problem(paging_mode_t mode, unsigned shift)
{
    switch (shift) {
    case 21: return mode == PAGING_32 ? "2m pages need pae or 4/5-level paging (32-bit paging's huge page is 4m)" : NULL;
    case 22: return mode == PAGING_32 ? NULL : "4m pages exist in 32-bit paging only (the others' huge page is 2m)";
    case 30: return mode >= PAGING_4LEVEL ? NULL : "1g pages need 4-level or 5-level paging";
    default: return NULL;
    }
}

/* Options of `mmulab demo` that do not apply to a trace: named in the error. (The pre-OS demo's
 * --mix, --user, --global, --preset-a/d, --map, --interval, --batch are no one's now: unknown.) */
static const char *const demo_only[] = {
    "--workload", "--ws", "--region", "--stride", "--zipf-s", "--seed", "--issue", "--prefault",
    "--procs", "--switch-every", "--syscall-every", "--syscall-touches", "--threads", "--churn-every",
    "--churn-pages", "--kernel-every", "--base", "--rwx", "--hot", "--hot-frac", NULL,
};

static int bad(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "mmulab trace: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n%s", trace_usage);
    return 2;
}

int cmd_trace(int argc, char **argv)
{
    const char *file = NULL, *json_out = NULL, *v;
    uint64_t ops = 0;
    unsigned page_shift = 12;
    const char *page_name = "4k";
    backend_kind_t backend = BACKEND_MODEL;
    cli_config_args_t ca = { 0 };
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    if (!sets)
        return fputs("mmulab trace: out of memory\n", stderr), 1;
    ca.sets = sets;
    /* The OS knobs are read twice: first for --mode (whose defaults come first), then all. */
    os_params_t p;
    os_params_default(&p, cli_os_mode(argc, argv, PAGING_4LEVEL));
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(trace_usage, stdout);
            free(sets);
            return 0;
        }
        int k = cli_config_option(argc, argv, &i, &ca);
        if (k < 0) {
            rc = 2;
            continue;
        }
        if (k > 0)
            continue;
        if ((k = cli_os_option("trace", argc, argv, &i, &p, false)) != 0) {
            rc = k < 0 ? 2 : 0;
            continue;
        }
        if ((v = cli_option_value(argc, argv, &i, "--json"))) {
            if (!*v)
                rc = bad("%s needs a file name%s", "--json", "");
            json_out = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--backend"))) {
            if (backend_parse_kind(v, &backend) != 0)
                rc = bad("--backend '%s' is not one of model, rtl, cosim%s", v, "");
        } else if ((v = cli_option_value(argc, argv, &i, "--ops"))) {
            if (cli_parse_count(v, &ops) < 0)
                rc = bad("--ops: bad count '%s'%s", v, "");
        } else if ((v = cli_option_value(argc, argv, &i, "--page"))) {
            if (script_parse_size(v, &page_shift) != 0)
                rc = bad("--page '%s' is not one of 4k, 2m, 4m, 1g%s", v, "");
            page_name = v;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            const char *name = argv[i];
            size_t len = strcspn(name, "=");
            bool demo = false;
            for (int d = 0; demo_only[d]; d++)
                demo |= strlen(demo_only[d]) == len && !strncmp(name, demo_only[d], len);
            char opt[64];
            snprintf(opt, sizeof opt, "%.*s", (int)(len < 63 ? len : 63), name);
            rc = demo ? bad("%s applies to `mmulab demo`'s synthetic workloads, not to a trace%s", opt, "")
                      : bad("unknown option '%s'%s", opt, "");
        } else if (file) {
            rc = bad("more than one trace ('%s', '%s')", file, argv[i]);
        } else {
            file = argv[i];
        }
    }
    if (rc == 0 && !file)
        rc = bad("missing FILE%s%s", "", "");
    char err[TRACE_OS_ERR_LEN];
    if (rc == 0)
        rc = cli_os_check("trace", &p, backend);
    const char *page_problem = page_size_problem(p.mode, page_shift);
    if (rc == 0 && page_problem) {
        fprintf(stderr, "mmulab trace: --page %s in %s paging: %s\n", page_name, names_mode(p.mode), page_problem);
        rc = 2;
    }
    /* A huge page is a naturally aligned run of frames (hugetlb_no_page); the kernel's own frames
     * sit in the first such run, so the RAM holds a huge page only if it spans two. */
    if (rc == 0 && page_shift > 12 && p.ram < (2ull << page_shift)) {
        fprintf(stderr, "mmulab trace: --ram %" PRIu64 " MiB is too small for a %s page: give --ram %" PRIu64 "M or more "
                "(the kernel's frames take the first naturally aligned %s of RAM)\n",
                p.ram >> 20, page_name, (uint64_t)((2ull << page_shift) >> 20), page_name);
        rc = 2;
    }
    mmu_config_t cfg;
    if (rc == 0 && cli_build_config("trace", &ca, true, &cfg) != 0)
        rc = 2;
    char cerr[CONFIG_ERR_LEN];
    if (rc == 0 && config_validate(&cfg, cerr) != 0) {
        fprintf(stderr, "mmulab trace: configuration: %s\n", cerr);
        rc = 2;
    }
    if (rc) {
        free(sets);
        return rc;
    }
    FILE *json_file = NULL;
    if (json_out && !(json_file = outfile_open(json_out))) {
        fprintf(stderr, "mmulab trace: cannot write %s: %s\n", json_out, strerror(errno));
        free(sets);
        return 1;
    }

    cli_os_machine_t om = { 0 };
    os_t *os = NULL;
    trace_t *t = NULL;
    trace_regions_t rg = { 0 };
    trace_os_stats_t st = { 0 };
    char terr[TRACE_ERR_LEN];
    rc = 1;
    const double t0 = host_seconds();
    if (cli_os_machine_start("trace", &om, &p, backend, &cfg) < 0)
        goto out;
    os = om.os;
    if (!(t = trace_open(file, TRACE_AUTO, terr))) {
        fprintf(stderr, "mmulab trace: %s\n", terr);
        goto out;
    }
    if (trace_infer_regions(t, file, ops, os->layout.task_size, &rg, err) < 0) {
        fprintf(stderr, "mmulab trace: %s\n", err);
        goto out;
    }
    const char *format = trace_format_name(trace_format(t));
    trace_close(t);
    t = NULL;
    if (page_shift > 12 && trace_regions_round(&rg, page_shift, os->layout.task_size, err) < 0) {
        fprintf(stderr, "mmulab trace: --page %s: %s\n", page_name, err);
        goto out;
    }
    if (!trace_os_start(os, &rg, page_shift, err)) {
        fprintf(stderr, "mmulab trace: %s\n", err);
        goto out;
    }
    /* statistics of the replay alone: the MMU's and the memory's cleared, the OS's from here */
    backend_clear_stats(om.m.be);
    physmem_reset_counters(om.m.mem);
    const os_counters_t base = os->cnt;
    const double t_build = host_seconds() - t0;
    report_config_line(stdout, &cfg);
    printf("trace: %s (%s), %" PRIu64 " accesses%s, page %s; OS %s, %u cpu%s, kpti %d, pcid %d, invpcid %d, vmalloc %s, "
           "flush ceiling %u, smep %d, smap %d\n", file, format, rg.accesses, ops ? " (--ops)" : "", page_name,
           names_mode(p.mode), p.cpus, p.cpus == 1 ? "" : "s", p.kpti, p.pcid, p.invpcid,
           vmalloc_policy_name(p.vmalloc), p.flush_ceiling, p.smep, p.smap);
    for (size_t i = 0; i < rg.n; i++)
        printf("region: %-5s [0x%012" PRIx64 ", 0x%012" PRIx64 ") %c%c%c, %" PRIu64 " pages touched\n", rg.r[i].kind,
               rg.r[i].start, rg.r[i].end, 'r', rg.r[i].prot & PROT_W ? 'w' : '-', rg.r[i].prot & PROT_X ? 'x' : '-',
               rg.r[i].pages);
    fflush(stdout);
    if (!(t = trace_open(file, TRACE_AUTO, terr))) {
        fprintf(stderr, "mmulab trace: %s\n", terr);
        goto out;
    }
    const double t1 = host_seconds();
    if (trace_os_replay(os, t, ops, &st, err) < 0) {
        fprintf(stderr, "mmulab trace: %s\n", err);
        goto out;
    }
    if (backend_finish(om.m.be) != 0) {
        fprintf(stderr, "mmulab trace: the %s backend's end-of-run check failed\n", backend_kind_name(backend));
        goto out;
    }
    const double t_run = host_seconds() - t1;
    const cycle_t span = st.last_cycle - st.first_cycle;
    printf("run: %" PRIu64 " accesses (fetch/read/write %" PRIu64 "/%" PRIu64 "/%" PRIu64 ") in %" PRIu64
           " cycles (%.3f cycles per access), %" PRIu64 " SIGSEGV\n",
           st.accesses, st.by_kind[ACC_EXEC], st.by_kind[ACC_READ], st.by_kind[ACC_WRITE], span,
           st.accesses ? (double)span / (double)st.accesses : 0.0, st.segv);
    if (backend == BACKEND_COSIM)
        printf("%s\n", BACKEND_LOCKSTEP_AGREED);
    printf("host: build %.3f s, run %.3f s (%.2f M accesses/s)\n", t_build, t_run,
           t_run > 0 ? (double)st.accesses / t_run / 1e6 : 0.0);
    const mmu_stats_t *ms = backend_stats(om.m.be);
    const physmem_stats_t *pm = physmem_stats(om.m.mem);
    report_print(stdout, ms, pm, &cfg);
    os_counters_print(stdout, os, &base);
    rc = 0;
    if (json_out) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddItemToObject(root, "tool", tool_json());
        cJSON *to = cJSON_AddObjectToObject(root, "trace");
        cJSON_AddStringToObject(to, "file", file);
        cJSON_AddStringToObject(to, "format", format);
        cJSON_AddNumberToObject(to, "ops_limit", (double)ops);
        cJSON_AddStringToObject(to, "page", page_name);
        cJSON *ra = cJSON_AddArrayToObject(to, "regions");
        for (size_t i = 0; i < rg.n; i++) {
            cJSON *r = cJSON_CreateObject();
            char hex[32];
            cJSON_AddStringToObject(r, "kind", rg.r[i].kind);
            snprintf(hex, sizeof hex, "0x%" PRIx64, rg.r[i].start);
            cJSON_AddStringToObject(r, "start", hex);
            snprintf(hex, sizeof hex, "0x%" PRIx64, rg.r[i].end);
            cJSON_AddStringToObject(r, "end", hex);
            snprintf(hex, sizeof hex, "r%c%c", rg.r[i].prot & PROT_W ? 'w' : '-', rg.r[i].prot & PROT_X ? 'x' : '-');
            cJSON_AddStringToObject(r, "prot", hex);
            cJSON_AddNumberToObject(r, "pages", (double)rg.r[i].pages);
            cJSON_AddItemToArray(ra, r);
        }
        cJSON_AddItemToObject(root, "os_setup", os_setup_json(&p, backend));
        cJSON *ro = cJSON_AddObjectToObject(root, "run");
        cJSON_AddNumberToObject(ro, "ops", (double)st.accesses);
        cJSON_AddNumberToObject(ro, "reads", (double)st.by_kind[ACC_READ]);
        cJSON_AddNumberToObject(ro, "writes", (double)st.by_kind[ACC_WRITE]);
        cJSON_AddNumberToObject(ro, "fetches", (double)st.by_kind[ACC_EXEC]);
        cJSON_AddNumberToObject(ro, "segv", (double)st.segv);
        cJSON_AddNumberToObject(ro, "cycles", (double)span);
        cJSON_AddNumberToObject(ro, "cycles_per_access", st.accesses ? (double)span / (double)st.accesses : 0.0);
        cJSON_AddNumberToObject(ro, "host_build_seconds", t_build);
        cJSON_AddNumberToObject(ro, "host_run_seconds", t_run);
        cJSON_AddItemToObject(root, "stats", report_json(ms, pm, &cfg));
        cJSON_AddItemToObject(root, "os", os_counters_json(os, &base));
        const bool written = outfile_put_json(json_file, root) == 0;
        cJSON_Delete(root);
        json_file = NULL;
        if (!written) {
            fprintf(stderr, "mmulab trace: cannot write %s\n", json_out);
            rc = 1;
        }
    }
out:
    if (json_file)
        outfile_close(json_file);   /* an early exit: the JSON was not written */
    trace_close(t);
    trace_regions_free(&rg);
    cli_os_machine_release(&om);
    free(sets);
    return rc;
}
