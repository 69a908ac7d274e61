/* The constrained-random regression (regress.h): seeds, replay and waveform commands,
 * failing logs, JUnit XML, coverage. */
#include "regress.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hostclock.h"
#include "junit.h"
#include "machine.h"
#include "names.h"
#include "outfile.h"
#include "stimgen.h"

static int write_log(const char *path, const sg_report_t *r)
{
    FILE *f = outfile_open(path);
    if (!f) {
        fprintf(stderr, "mmulab random: cannot write the log %s: %s\n", path, strerror(errno));
        return -1;
    }
    fwrite(r->log, 1, r->log_len, f);
    if (outfile_close(f) != 0) {
        fprintf(stderr, "mmulab random: writing the log %s failed: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The command that reruns one seed exactly as this run did. */
static void replay_command(const char *prog, const regress_args_t *a, uint64_t seed, char *buf, size_t len)
{
    char num[32];
    snprintf(buf, len, "%s", prog);
    cli_append_arg(buf, len, "random");
    snprintf(num, sizeof num, "%" PRIu64, seed);
    cli_append_arg(buf, len, "--seed");
    cli_append_arg(buf, len, num);
    snprintf(num, sizeof num, "%" PRIu64, a->ops);
    cli_append_arg(buf, len, "--ops");
    cli_append_arg(buf, len, num);
    if (a->mode != PAGING_OFF) {
        cli_append_arg(buf, len, "--mode");
        cli_append_arg(buf, len, names_mode(a->mode));
    }
    cli_append_arg(buf, len, "--backend");
    cli_append_arg(buf, len, backend_kind_name(a->backend));
    if (a->config_path) {
        cli_append_arg(buf, len, "--config");
        cli_append_arg(buf, len, a->config_path);
    }
    for (size_t i = 0; i < a->nsets; i++) {
        cli_append_arg(buf, len, "--set");
        cli_append_arg(buf, len, a->sets[i]);
    }
}

/* The command that dumps the waveform of a cosim mismatch: the same seed in the trace
 * binary next to prog (its path in tprog), into fst, from trace_window cycles before the
 * first difference. */
static void wave_command(const char *prog, const regress_args_t *a, uint64_t seed, int64_t cycle, char *buf, size_t len,
                         char tprog[4096], char fst[4096])
{
    cli_trace_prog(prog, tprog, 4096);
    replay_command(tprog, a, seed, buf, len);
    cli_append_arg(buf, len, "--no-replay");
    cli_append_arg(buf, len, "--no-rerun");
    cli_append_arg(buf, len, "--log-dir");   /* its log (the same script) goes beside the FST */
    cli_append_arg(buf, len, a->log_dir);
    snprintf(fst, 4096, "%s/random.%" PRIu64 ".fst", a->log_dir, seed);
    cli_append_wave_window(buf, len, fst, (uint64_t)cycle, a->trace_window);
}

/* Where the readable lines go: standard output, unless an output file (--junit, --coverage,
 * --log) is '-' and standard output carries that alone. */
static FILE *text_out(const regress_args_t *a)
{
    return outfile_is_stdout(a->junit) || outfile_is_stdout(a->coverage) || outfile_is_stdout(a->log_path)
               ? stderr : stdout;
}

int regress_merge(const regress_args_t *a, const mmu_config_t *cfg)
{
    char err[COV_ERR_LEN];
    cov_t *cov = calloc(1, sizeof *cov);
    if (!cov) {
        fputs("mmulab random: out of memory\n", stderr);
        return 1;
    }
    int rc = 0;
    cov_init(cov, cfg);
    for (size_t i = 0; i < a->nmerge; i++)
        if (cov_load_merge(cov, a->merge[i], err) < 0) {
            fprintf(stderr, "mmulab random: %s\n", err);
            rc = 1;
            break;
        }
    if (rc == 0)
        cov_print(cov, text_out(a));
    if (rc == 0 && a->coverage && cov_save(cov, a->coverage, err) < 0) {
        fprintf(stderr, "mmulab random: %s\n", err);
        rc = 1;
    }
    free(cov);
    return rc;
}

/* Whether the chosen backend can run cfg at all (an RTL build runs only the configuration it
 * was Verilated with): checked once, before the first seed, instead of failing every seed. */
static int backend_takes(const regress_args_t *a, const mmu_config_t *cfg)
{
    if (a->backend == BACKEND_MODEL)
        return 0;
    machine_t m = {0};
    char err[CONFIG_ERR_LEN] = "";
    int rc = machine_init(&m, (unsigned)cfg->maxphyaddr, SG_FRAME_BASE, SG_FRAME_LIMIT, err);
    if (rc == 0)
        rc = machine_start(&m, a->backend, cfg, NULL, err);
    machine_release(&m);
    if (rc != 0)
        fprintf(stderr, "mmulab random: the %s backend cannot run this configuration: %s\n",
                backend_kind_name(a->backend), err);
    return rc;
}

/* JUnit names. The suite: "random.BACKEND.CONFIG", one per configuration and backend, so a
 * dashboard keeps them apart (CONFIG: the --config file's name without .cfg, or "default", then
 * "+KEY=VALUE" per --set). The test cases' classname adds the build that ran them first:
 * "BUILD.random.BACKEND.CONFIG", BUILD from the program's path (build/rtl/small/mmulab:
 * "rtl-small"; build/rel/mmulab: "rel"). */
static void junit_names(const char *prog, const regress_args_t *a, char *suite, size_t suite_len, char *cls,
                        size_t cls_len)
{
    char config[256];
    const char *base = a->config_path ? strrchr(a->config_path, '/') : NULL;
    base = base ? base + 1 : a->config_path ? a->config_path : "default";
    size_t n = strlen(base);
    if (n > 4 && !strcmp(base + n - 4, ".cfg"))
        n -= 4;
    int used = snprintf(config, sizeof config, "%.*s", (int)(n < 128 ? n : 128), base);
    for (size_t i = 0; i < a->nsets && used > 0 && (size_t)used < sizeof config; i++)
        used += snprintf(config + used, sizeof config - (size_t)used, "+%s", a->sets[i]);
    snprintf(suite, suite_len, "random.%s.%s", backend_kind_name(a->backend), config);

    char dir[256] = "", parent[256] = "";
    const char *slash = strrchr(prog, '/');
    if (slash) {   /* .../PARENT/DIR/mmulab */
        const char *p = slash, *d0 = p;
        while (d0 > prog && d0[-1] != '/')
            d0--;
        snprintf(dir, sizeof dir, "%.*s", (int)(p - d0), d0);
        if (d0 > prog) {
            const char *p1 = d0 - 1, *e0 = p1;
            while (e0 > prog && e0[-1] != '/')
                e0--;
            snprintf(parent, sizeof parent, "%.*s", (int)(p1 - e0), e0);
        }
    }
    char build[300];
    if (!strcmp(parent, "rtl"))
        snprintf(build, sizeof build, "rtl-%s", dir);
    else
        snprintf(build, sizeof build, "%s", dir[0] ? dir : "mmulab");
    snprintf(cls, cls_len, "%s.%s", build, suite);
}

int regress_run(const char *prog, const regress_args_t *a, const mmu_config_t *cfg)
{
    if (backend_takes(a, cfg) != 0)
        return 2;
    char suite[512], classname[1024];
    junit_names(prog, a, suite, sizeof suite, classname, sizeof classname);
    FILE *txt = text_out(a);
    char jerr[256];
    junit_t *junit = NULL;
    if (a->junit && !(junit = junit_open(a->junit, jerr, sizeof jerr))) {
        fprintf(stderr, "mmulab random: %s\n", jerr);
        return 1;
    }
    cov_t *total = calloc(1, sizeof *total), *seed_cov = calloc(1, sizeof *seed_cov);
    if (!total || !seed_cov) {
        fputs("mmulab random: out of memory\n", stderr);
        free(total);
        free(seed_cov);
        if (junit)
            junit_close(junit, suite, 0, jerr, sizeof jerr);
        return 1;
    }
    int rc = 0;
    cov_init(total, cfg);
    uint64_t passed = 0, failed = 0, errors = 0;
    unsigned waves_dumped = 0;
    double t0 = host_seconds();
    for (uint64_t seed = a->seed_lo;; seed++) {
        sg_opts_t o;
        sg_defaults(&o);
        o.seed = seed;
        o.ops = a->ops;
        o.mode = a->mode;
        o.backend = a->backend;
        o.cfg = cfg;
        o.replay = a->replay;
        o.rerun = a->rerun;
        o.backend_opts = (backend_opts_t){ .trace_path = a->trace, .trace_from = a->trace_from };
        sg_report_t r;
        cov_init(seed_cov, cfg);
        int st = sg_run(&o, &r, seed_cov);
        seed_cov->seeds = 1;
        cov_summary_t cs;
        cov_summary(seed_cov, &cs);
        if (st >= 0)
            cov_merge(total, seed_cov);

        char log_path[4096] = "";
        if (a->log_path)
            snprintf(log_path, sizeof log_path, "%s", a->log_path);
        else if (st != 0 && r.log)
            snprintf(log_path, sizeof log_path, "%s/random.%" PRIu64 ".mmu", a->log_dir, seed);
        bool log_written = log_path[0] && r.log && write_log(log_path, &r) == 0;
        if (log_path[0] && r.log && !log_written)
            rc = 1;   /* reported by write_log; the seeds still run */

        char cmd[8192], run_cmd[8192] = "", wave_cmd[8192] = "", tprog[4096], fst[4096];
        replay_command(prog, a, seed, cmd, sizeof cmd);
        int64_t mcycle = st > 0 ? r.mismatch_cycle : -1;
        if (mcycle >= 0 && !a->trace)
            wave_command(prog, a, seed, mcycle, wave_cmd, sizeof wave_cmd, tprog, fst);
        bool wave_written = wave_cmd[0] && !a->no_wave && waves_dumped < 5 && cli_dump_wave(wave_cmd, tprog, fst);
        waves_dumped += wave_written;
        if (log_written) {
            snprintf(run_cmd, sizeof run_cmd, "%s", prog);
            cli_append_arg(run_cmd, sizeof run_cmd, "run");
            cli_append_arg(run_cmd, sizeof run_cmd, log_path);
            cli_append_arg(run_cmd, sizeof run_cmd, "--backend");
            cli_append_arg(run_cmd, sizeof run_cmd, backend_kind_name(a->backend));
        }
        if (st == 0) {
            passed++;
            if (!a->quiet)
                fprintf(txt, "seed %" PRIu64 ": ok %" PRIu64 " ops, %" PRIu64 " checks (%" PRIu64 " PA, %" PRIu64
                       " walks), cov %u+%u+%u bins, %s, %.3f s\n", seed, r.ops, r.checks, r.pa_checks, r.walk_checks,
                       cs.access_hit, cs.inval_hit, cs.keys_hit, names_mode(r.mode), r.seconds);
        } else {
            if (st > 0)
                failed++;
            else
                errors++;
            fprintf(txt, "seed %" PRIu64 ": %s: %s\n", seed, st > 0 ? "FAIL" : "ERROR", r.failure);
            fprintf(txt, "  replay: %s\n", cmd);
            if (log_written)
                fprintf(txt, "  replay: %s\n", run_cmd);
            if (wave_cmd[0])
                fprintf(txt, "  wave:   %s\n", wave_cmd);
            if (wave_written)
                fprintf(txt, "  wave:   wrote %s (the %" PRIu64 " cycles before the first difference, cycle %" PRId64
                       ")\n", fst, a->trace_window, mcycle);
        }
        fflush(txt);
        if (junit) {
            char name[64], details[4 * 8192 + 64] = "", out[256];
            snprintf(name, sizeof name, "random.%" PRIu64, seed);
            snprintf(out, sizeof out, "%" PRIu64 " ops, %" PRIu64 " checks, %s", r.ops, r.checks, names_mode(r.mode));
            if (st != 0) {
                size_t n = (size_t)snprintf(details, sizeof details, "replay: %s", cmd);
                if (log_written && n < sizeof details)
                    n += (size_t)snprintf(details + n, sizeof details - n, "\nreplay: %s", run_cmd);
                if (wave_cmd[0] && n < sizeof details)
                    n += (size_t)snprintf(details + n, sizeof details - n, "\nwave: %s", wave_cmd);
                if (wave_written && n < sizeof details)
                    snprintf(details + n, sizeof details - n, "\nwaveform: %s", fst);
            }
            junit_case(junit, classname, name, r.seconds, st, r.failure, details, out);
        }
        sg_report_free(&r);
        if (seed == a->seed_hi)
            break;
    }
    double secs = host_seconds() - t0;
    uint64_t nseeds = passed + failed + errors;
    total->seeds = passed + failed;
    cov_summary_t ts;
    cov_summary(total, &ts);
    if (a->range || a->quiet)
        fprintf(txt, "random: seeds %" PRIu64 "..%" PRIu64 " on %s: %" PRIu64 " passed, %" PRIu64
               " failed%s, %.2f s (%.1f seeds/s); "
               "coverage translations %u/%u bins, control %u/%u bins, keys %u/%u bins\n",
               a->seed_lo, a->seed_hi, backend_kind_name(a->backend), passed, failed + errors,
               errors ? " or could not run" : "", secs, secs > 0 ? (double)nseeds / secs : 0.0, ts.access_hit,
               ts.access_possible, ts.inval_hit, ts.inval_possible, ts.keys_hit, ts.keys_possible);
    if (a->table)
        cov_print(total, txt);
    char err[COV_ERR_LEN];
    if (a->coverage && cov_save(total, a->coverage, err) < 0) {
        fprintf(stderr, "mmulab random: %s\n", err);
        rc = 1;
    }
    if (junit) {
        if (junit_close(junit, suite, secs, jerr, sizeof jerr) != 0) {
            fprintf(stderr, "mmulab random: %s\n", jerr);
            rc = 1;
        }
    }
    if (failed || errors)
        rc = 1;
    free(total);
    free(seed_cov);
    return rc;
}
