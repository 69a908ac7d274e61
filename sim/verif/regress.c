/* `mmulab random` (regress.h): seeds, replay commands, JUnit XML, coverage. */
#include "hostclock.h"
#include "cli.h"
#include "regress.h"
#include "names.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "coverage.h"
#include "script.h"
#include "stimgen.h"

static const char usage_text[] =
    "usage: mmulab random [--seed N | --seeds A..B] [--ops N] [--mode 32bit|pae|4level|5level]\n"
    "                     [--backend model|rtl|cosim] [--config FILE] [--set KEY=VALUE]...\n"
    "                     [--log FILE.mmu] [--log-dir DIR] [--junit OUT.xml] [--coverage OUT.json]\n"
    "                     [--table] [--quiet] [--no-replay] [--no-rerun]\n"
    "                     [--trace OUT.fst [--trace-from CYCLE]] [--trace-window N] [--no-wave]\n"
    "       mmulab random --merge IN.json... [--coverage OUT.json] [--config FILE] [--set KEY=VALUE]...\n"
    "Runs seeds of the constrained-random generator on a backend (default: the model),\n"
    "one line per seed. A failing seed prints a one-line replay command and writes its\n"
    "script log (DIR/random.SEED.mmu, DIR defaults to '.'); exit status 1.\n"
    "  --seed N / --seeds A..B   one seed (default 1) / a range, inclusive\n"
    "  --ops N                   operations per seed (default 2000)\n"
    "  --mode M                  force the primary paging mode (default: chosen by the seed)\n"
    "  --log FILE.mmu            write the script of this (single) seed, pass or fail\n"
    "  --junit OUT.xml           one testcase per seed, named random.SEED\n"
    "  --coverage OUT.json       the merged functional coverage of this run\n"
    "  --table                   print the coverage table and its holes at the end\n"
    "  --quiet                   print only failures and the summary\n"
    "  --no-replay, --no-rerun   skip replaying the log through the script interpreter /\n"
    "                            skip the second run of each seed (determinism)\n"
    "  --trace OUT.fst           (one seed, an mmulab-trace binary) FST waveform of the RTL\n"
    "  --trace-from CYCLE        start the waveform at this cycle (default 0)\n"
    "  --trace-window N          a cosim mismatch dumps the N cycles before its first\n"
    "                            difference (default 1000) as DIR/random.SEED.fst: the seed\n"
    "                            rerun in the mmulab-trace binary beside this one (make\n"
    "                            cosim-trace), at most 5 seeds a run; the command is printed\n"
    "  --no-wave                 only print that command\n"
    "  --merge IN.json...        no run: merge coverage files, print the table\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("mmulab random: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n\n", stderr);
    fputs(usage_text, stderr);
    return 2;
}

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\n': fputs("&#10;", f); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t')
                fputc(*s, f);
            break;
        }
    }
}

typedef struct {
    uint64_t seed_lo, seed_hi, ops;
    bool range;
    paging_mode_t mode;
    backend_kind_t backend;
    const char *config_path, *log_path, *log_dir, *junit, *coverage, *trace;
    uint64_t trace_from, trace_window;
    const char **sets;
    size_t nsets;
    const char **merge;
    size_t nmerge;
    bool table, quiet, replay, rerun, merging, no_wave;
} args_t;

static int parse_args(int argc, char **argv, args_t *a)
{
    bool seed_given = false, ops_given = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v;
        if ((v = cli_option_value(argc, argv, &i, "--seed"))) {
            if (seed_given)
                return usage_error("%s: give one --seed or --seeds", arg);
            if (script_parse_number(v, &a->seed_lo) < 0)
                return usage_error("--seed: bad number '%s'", v);
            a->seed_hi = a->seed_lo;
            seed_given = true;
        } else if ((v = cli_option_value(argc, argv, &i, "--seeds"))) {
            char lo[32], hi[32];
            const char *dots = strstr(v, "..");
            if (seed_given)
                return usage_error("%s: give one --seed or --seeds", arg);
            if (!dots || (size_t)(dots - v) >= sizeof lo || strlen(dots + 2) >= sizeof hi)
                return usage_error("--seeds: expected A..B, got '%s'", v);
            memcpy(lo, v, (size_t)(dots - v));
            lo[dots - v] = '\0';
            strcpy(hi, dots + 2);
            if (script_parse_number(lo, &a->seed_lo) < 0 || script_parse_number(hi, &a->seed_hi) < 0 ||
                a->seed_lo > a->seed_hi)
                return usage_error("--seeds: expected A..B with A <= B, got '%s'", v);
            a->range = seed_given = true;
        } else if ((v = cli_option_value(argc, argv, &i, "--ops"))) {
            if (script_parse_number(v, &a->ops) < 0 || a->ops == 0 || a->ops > 100000000)
                return usage_error("--ops: expected 1..100000000, got '%s'", v);
            ops_given = true;
        } else if ((v = cli_option_value(argc, argv, &i, "--mode"))) {
            if (names_parse_mode(v, &a->mode) < 0 || a->mode == PAGING_OFF)
                return usage_error("--mode: '%s' is not one of 32bit, pae, 4level, 5level", v);
        } else if ((v = cli_option_value(argc, argv, &i, "--backend"))) {
            if (backend_parse_kind(v, &a->backend) < 0)
                return usage_error("--backend: '%s' is not one of model, rtl, cosim", v);
        } else if ((v = cli_option_value(argc, argv, &i, "--config"))) {
            if (!*v)
                return usage_error("%s needs a FILE", "--config");
            if (a->config_path)
                return usage_error("%s given twice", "--config");
            a->config_path = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--set"))) {
            if (!*v || !strchr(v, '='))
                return usage_error("%s needs KEY=VALUE", "--set");
            a->sets[a->nsets++] = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--log"))) {
            if (!*v)
                return usage_error("%s needs a FILE", "--log");
            a->log_path = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--log-dir"))) {
            if (!*v)
                return usage_error("%s needs a DIR", "--log-dir");
            a->log_dir = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--junit"))) {
            if (!*v)
                return usage_error("%s needs a FILE", "--junit");
            a->junit = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--coverage"))) {
            if (!*v)
                return usage_error("%s needs a FILE", "--coverage");
            a->coverage = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--trace"))) {
            if (!*v)
                return usage_error("%s needs a FILE", "--trace");
            a->trace = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--trace-from"))) {
            if (script_parse_number(v, &a->trace_from) < 0)
                return usage_error("--trace-from: bad number '%s'", v);
        } else if ((v = cli_option_value(argc, argv, &i, "--trace-window"))) {
            if (script_parse_number(v, &a->trace_window) < 0 || a->trace_window == 0)
                return usage_error("--trace-window: expected a number >= 1, got '%s'", v);
        } else if (!strcmp(arg, "--table")) {
            a->table = true;
        } else if (!strcmp(arg, "--quiet")) {
            a->quiet = true;
        } else if (!strcmp(arg, "--no-replay")) {
            a->replay = false;
        } else if (!strcmp(arg, "--no-rerun")) {
            a->rerun = false;
        } else if (!strcmp(arg, "--no-wave")) {
            a->no_wave = true;
        } else if (!strcmp(arg, "--merge")) {
            a->merging = true;
            while (i + 1 < argc && argv[i + 1][0] != '-')
                a->merge[a->nmerge++] = argv[++i];
            if (!a->nmerge)
                return usage_error("%s needs at least one coverage file", "--merge");
        } else if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            fputs(usage_text, stdout);
            return 1;
        } else {
            return usage_error("unknown argument '%s'", arg);
        }
    }
    if (a->merging && (seed_given || ops_given || a->junit || a->log_path))
        return usage_error("%s: --merge runs nothing (no --seed, --seeds, --ops, --junit, --log)", "--merge");
    if (a->trace && (a->seed_lo != a->seed_hi || a->backend == BACKEND_MODEL))
        return usage_error("%s: one seed on the rtl or cosim backend", "--trace");
    if (a->trace && !backend_can_trace())
        return usage_error("%s: this mmulab cannot trace (build/rtl/CONFIG/mmulab-trace can)", "--trace");
    if (a->log_path && a->range && a->seed_lo != a->seed_hi)
        return usage_error("%s writes the log of one seed; with --seeds failing logs go to --log-dir", "--log");
    return 0;
}

static int build_config(const args_t *a, mmu_config_t *cfg)
{
    char err[CONFIG_ERR_LEN];
    config_defaults(cfg);
    if (a->config_path && config_load_file(cfg, a->config_path, err) < 0) {
        fprintf(stderr, "mmulab random: %s\n", err);
        return -1;
    }
    for (size_t i = 0; i < a->nsets; i++)
        if (config_set_assignment(cfg, a->sets[i], err) < 0) {
            fprintf(stderr, "mmulab random: --set %s: %s\n", a->sets[i], err);
            return -1;
        }
    if (config_validate(cfg, err) < 0) {
        fprintf(stderr, "mmulab random: invalid configuration: %s\n", err);
        return -1;
    }
    return 0;
}

static int write_log(const char *path, const sg_report_t *r)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "mmulab random: cannot write the log %s: %s\n", path, strerror(errno));
        return -1;
    }
    fwrite(r->log, 1, r->log_len, f);
    if (fclose(f) != 0) {
        fprintf(stderr, "mmulab random: writing the log %s failed: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* The command that reruns one seed exactly as this run did. */
static void replay_command(const char *prog, const args_t *a, uint64_t seed, char *buf, size_t len)
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
static void wave_command(const char *prog, const args_t *a, uint64_t seed, int64_t cycle, char *buf, size_t len,
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

static int do_merge(const args_t *a, const mmu_config_t *cfg, cov_t *cov)
{
    char err[COV_ERR_LEN];
    cov_init(cov, cfg);
    for (size_t i = 0; i < a->nmerge; i++)
        if (cov_load_merge(cov, a->merge[i], err) < 0) {
            fprintf(stderr, "mmulab random: %s\n", err);
            return 1;
        }
    cov_print(cov, stdout);
    if (a->coverage && cov_save(cov, a->coverage, err) < 0) {
        fprintf(stderr, "mmulab random: %s\n", err);
        return 1;
    }
    return 0;
}

int regress_main(const char *prog, int argc, char **argv)
{
    args_t a = {.seed_lo = 1, .seed_hi = 1, .ops = 2000, .mode = PAGING_OFF, .backend = BACKEND_MODEL,
                .log_dir = ".", .replay = true, .rerun = true, .trace_window = 1000};
    a.sets = calloc((size_t)argc + 1, sizeof *a.sets);
    a.merge = calloc((size_t)argc + 1, sizeof *a.merge);
    cov_t *total = calloc(1, sizeof *total), *seed_cov = calloc(1, sizeof *seed_cov);
    int rc = 0;
    if (!a.sets || !a.merge || !total || !seed_cov) {
        fputs("mmulab random: out of memory\n", stderr);
        rc = 1;
        goto out;
    }
    rc = parse_args(argc, argv, &a);
    if (rc) {
        rc = rc == 1 ? 0 : rc;    /* --help */
        goto out;
    }
    mmu_config_t cfg;
    if (build_config(&a, &cfg) < 0) {
        rc = 2;
        goto out;
    }
    if (a.merging) {
        rc = do_merge(&a, &cfg, total);
        goto out;
    }

    FILE *junit = NULL;
    if (a.junit && !(junit = fopen(a.junit, "w"))) {
        fprintf(stderr, "mmulab random: cannot write %s: %s\n", a.junit, strerror(errno));
        rc = 1;
        goto out;
    }
    /* JUnit: the testcases go to a buffer first (the testsuite element carries the totals) */
    char *cases = NULL;
    size_t cases_len = 0;
    FILE *cf = junit ? open_memstream(&cases, &cases_len) : NULL;

    cov_init(total, &cfg);
    uint64_t passed = 0, failed = 0, errors = 0;
    unsigned waves_dumped = 0;
    double t0 = host_seconds();
    for (uint64_t seed = a.seed_lo;; seed++) {
        sg_opts_t o;
        sg_defaults(&o);
        o.seed = seed;
        o.ops = a.ops;
        o.mode = a.mode;
        o.backend = a.backend;
        o.cfg = &cfg;
        o.replay = a.replay;
        o.rerun = a.rerun;
        o.backend_opts = (backend_opts_t){ .trace_path = a.trace, .trace_from = a.trace_from };
        sg_report_t r;
        cov_init(seed_cov, &cfg);
        int st = sg_run(&o, &r, seed_cov);
        seed_cov->seeds = 1;
        cov_summary_t cs;
        cov_summary(seed_cov, &cs);
        if (st >= 0)
            cov_merge(total, seed_cov);

        char log_path[4096] = "";
        if (a.log_path)
            snprintf(log_path, sizeof log_path, "%s", a.log_path);
        else if (st != 0 && r.log)
            snprintf(log_path, sizeof log_path, "%s/random.%" PRIu64 ".mmu", a.log_dir, seed);
        bool log_written = log_path[0] && r.log && write_log(log_path, &r) == 0;

        char cmd[8192], run_cmd[8192] = "", wave_cmd[8192] = "", tprog[4096], fst[4096];
        replay_command(prog, &a, seed, cmd, sizeof cmd);
        int64_t mcycle = st > 0 ? r.mismatch_cycle : -1;
        if (mcycle >= 0 && !a.trace)
            wave_command(prog, &a, seed, mcycle, wave_cmd, sizeof wave_cmd, tprog, fst);
        bool wave_written = wave_cmd[0] && !a.no_wave && waves_dumped < 5 && cli_dump_wave(wave_cmd, tprog, fst);
        waves_dumped += wave_written;
        if (log_written) {
            snprintf(run_cmd, sizeof run_cmd, "%s", prog);
            cli_append_arg(run_cmd, sizeof run_cmd, "run");
            cli_append_arg(run_cmd, sizeof run_cmd, log_path);
            cli_append_arg(run_cmd, sizeof run_cmd, "--backend");
            cli_append_arg(run_cmd, sizeof run_cmd, backend_kind_name(a.backend));
        }
        if (st == 0) {
            passed++;
            if (!a.quiet)
                printf("seed %" PRIu64 ": ok %" PRIu64 " ops, %" PRIu64 " checks (%" PRIu64 " PA, %" PRIu64
                       " walks), cov %u+%u bins, %s, %.3f s\n", seed, r.ops, r.checks, r.pa_checks, r.walk_checks,
                       cs.access_hit, cs.inval_hit, names_mode(r.mode), r.seconds);
        } else {
            if (st > 0)
                failed++;
            else
                errors++;
            printf("seed %" PRIu64 ": %s: %s\n", seed, st > 0 ? "FAIL" : "ERROR", r.failure);
            printf("  replay: %s\n", cmd);
            if (log_written)
                printf("  replay: %s\n", run_cmd);
            if (wave_cmd[0])
                printf("  wave:   %s\n", wave_cmd);
            if (wave_written)
                printf("  wave:   wrote %s (the %" PRIu64 " cycles before the first difference, cycle %" PRId64
                       ")\n", fst, a.trace_window, mcycle);
        }
        fflush(stdout);
        if (cf) {
            fprintf(cf, "  <testcase classname=\"random\" name=\"random.%" PRIu64 "\" time=\"%.3f\">", seed, r.seconds);
            if (st != 0) {
                fprintf(cf, "\n    <%s message=\"", st > 0 ? "failure" : "error");
                xml_text(cf, r.failure);
                fprintf(cf, "\" type=\"%s\">", st > 0 ? "mismatch" : "setup");
                xml_text(cf, "replay: ");
                xml_text(cf, cmd);
                if (log_written) {
                    xml_text(cf, "\nreplay: ");
                    xml_text(cf, run_cmd);
                }
                if (wave_cmd[0]) {
                    xml_text(cf, "\nwave: ");
                    xml_text(cf, wave_cmd);
                }
                if (wave_written) {
                    xml_text(cf, "\nwaveform: ");
                    xml_text(cf, fst);
                }
                fprintf(cf, "</%s>\n  ", st > 0 ? "failure" : "error");
            } else {
                fprintf(cf, "<system-out>");
                char line[256];
                snprintf(line, sizeof line, "%" PRIu64 " ops, %" PRIu64 " checks, %s", r.ops, r.checks,
                         names_mode(r.mode));
                xml_text(cf, line);
                fprintf(cf, "</system-out>");
            }
            fprintf(cf, "</testcase>\n");
        }
        sg_report_free(&r);
        if (seed == a.seed_hi)
            break;
    }
    double secs = host_seconds() - t0;
    uint64_t nseeds = passed + failed + errors;
    total->seeds = passed + failed;
    cov_summary_t ts;
    cov_summary(total, &ts);
    if (a.range || a.quiet)
        printf("random: seeds %" PRIu64 "..%" PRIu64 " on %s: %" PRIu64 " passed, %" PRIu64
               " failed%s, %.2f s (%.1f seeds/s); "
               "coverage translations %u/%u bins, control %u/%u bins\n",
               a.seed_lo, a.seed_hi, backend_kind_name(a.backend), passed, failed + errors,
               errors ? " or could not run" : "", secs, secs > 0 ? (double)nseeds / secs : 0.0, ts.access_hit,
               ts.access_possible, ts.inval_hit, ts.inval_possible);
    if (a.table)
        cov_print(total, stdout);
    char err[COV_ERR_LEN];
    if (a.coverage && cov_save(total, a.coverage, err) < 0) {
        fprintf(stderr, "mmulab random: %s\n", err);
        rc = 1;
    }
    if (cf) {
        fclose(cf);
        fprintf(junit, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        fprintf(junit, "<testsuite name=\"random.%s\" tests=\"%" PRIu64 "\" failures=\"%" PRIu64 "\" errors=\"%" PRIu64
                "\" time=\"%.3f\">\n", backend_kind_name(a.backend), nseeds, failed, errors, secs);
        fwrite(cases, 1, cases_len, junit);
        fprintf(junit, "</testsuite>\n");
        free(cases);
        if (fclose(junit) != 0) {
            fprintf(stderr, "mmulab random: writing %s failed: %s\n", a.junit, strerror(errno));
            rc = 1;
        }
    }
    if (failed || errors)
        rc = 1;
out:
    free(a.sets);
    free(a.merge);
    free(total);
    free(seed_cov);
    return rc;
}
