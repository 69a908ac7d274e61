/* `mmulab random`: the command line of the constrained-random regression (regress.h) —
 * its options, the configuration, then the run or the coverage merge. */
#include "cli.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "config.h"
#include "names.h"
#include "regress.h"
#include "script.h"

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
    "  --ops N                   operations per seed: accesses, control operations, syncs and\n"
    "                            page-table edits, N in all (default 2000)\n"
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

static int parse_args(int argc, char **argv, regress_args_t *a)
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
            if (!strcmp(v, "-"))   /* the one output that cannot be standard output */
                return usage_error("%s: an FST waveform is written to a file (it seeks), not to '-'", "--trace");
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

static int build_config(const regress_args_t *a, mmu_config_t *cfg)
{
    cli_config_args_t ca = {.config_path = a->config_path, .sets = a->sets, .nsets = a->nsets};
    return cli_build_config("random", &ca, true, cfg) ? -1 : 0;
}

int cmd_random(const char *prog, int argc, char **argv)
{
    regress_args_t a = {.seed_lo = 1, .seed_hi = 1, .ops = 2000, .mode = PAGING_OFF, .backend = BACKEND_MODEL,
                        .log_dir = ".", .replay = true, .rerun = true, .trace_window = 1000};
    a.sets = calloc((size_t)argc + 1, sizeof *a.sets);
    a.merge = calloc((size_t)argc + 1, sizeof *a.merge);
    int rc = 0;
    mmu_config_t cfg;
    if (!a.sets || !a.merge) {
        fputs("mmulab random: out of memory\n", stderr);
        rc = 1;
    } else if ((rc = parse_args(argc, argv, &a)) != 0) {
        rc = rc == 1 ? 0 : rc;    /* --help */
    } else if (build_config(&a, &cfg) < 0) {
        rc = 2;
    } else {
        rc = a.merging ? regress_merge(&a, &cfg) : regress_run(prog, &a, &cfg);
    }
    free(a.sets);
    free(a.merge);
    return rc;
}
