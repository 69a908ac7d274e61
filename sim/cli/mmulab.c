/* mmulab: the command-line tool. `run` interprets a script (sim/script/script.h),
 * `params` prints the parameter table (model/params.def), `demo` runs the
 * seeded end-to-end demonstration (sim/cli/demo.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "demo.h"
#include "regress.h"
#include "script.h"

static const char usage_text[] =
    "usage: mmulab COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  run FILE [--backend model|rtl|cosim] [--config FILE] [--set KEY=VALUE]... [--jsonl OUT]\n"
    "           [--trace OUT.fst [--trace-from CYCLE]] [--trace-window N] [--no-wave]\n"
    "        run a script (docs/scripts.md); FILE '-' reads standard input.\n"
    "        Configuration: defaults, then --config, then the script's `config`\n"
    "        lines, then every --set in order (the command line wins).\n"
    "        --trace: FST waveform of the RTL from CYCLE on (mmulab-trace binaries);\n"
    "        a cosim mismatch prints the command for the N cycles before it (1000)\n"
    "        and, with mmulab-trace beside this binary, writes FILE.fst (--no-wave: not).\n"
    "  params [--config FILE] [--set KEY=VALUE]... [--verilator-flags | --markdown]\n"
    "        the parameter table (key, default, range, description), or one\n"
    "        -GRTL_NAME=VALUE per parameter of the resulting configuration, or the\n"
    "        table as Markdown for the docs\n"
    "  demo [ARGS]\n"
    "        seeded end-to-end run on the model with a readable summary\n"
    "        (`mmulab demo --help` for its options)\n"
    "  random [--seed N | --seeds A..B] [--ops N] [--backend model|rtl|cosim] [--junit OUT] [--coverage OUT] ...\n"
    "        constrained-random stimulus with self-checks, one line per seed, replay\n"
    "        commands for failures (`mmulab random --help`, docs/verification.md)\n"
    "  help  this text\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("mmulab: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n\n", stderr);
    fputs(usage_text, stderr);
    return 2;
}

typedef struct {
    const char *config_path;
    const char **sets;
    size_t nsets;
} cfg_args_t;

/* --config FILE / --set K=V. Returns 1 if argv[*i] was one of them, 0 if not,
 * -1 on a usage error (already reported). */
static int cfg_option(int argc, char **argv, int *i, cfg_args_t *ca)
{
    const char *v;
    const char *arg = argv[*i];
    if ((v = cli_option_value(argc, argv, i, "--config"))) {
        if (!*v)
            return usage_error("%s needs a FILE", arg), -1;
        if (ca->config_path)
            return usage_error("%s given twice", "--config"), -1;
        ca->config_path = v;
        return 1;
    }
    if ((v = cli_option_value(argc, argv, i, "--set"))) {
        if (!*v || !strchr(v, '='))
            return usage_error("%s needs KEY=VALUE", arg), -1;
        ca->sets[ca->nsets++] = v;
        return 1;
    }
    return 0;
}

/* Defaults, then --config. With apply_sets, then every --set too. Returns 0, or 1
 * after reporting the problem. */
static int build_config(const char *cmd, const cfg_args_t *ca, bool apply_sets, mmu_config_t *cfg)
{
    char err[CONFIG_ERR_LEN];
    config_defaults(cfg);
    if (ca->config_path && config_load_file(cfg, ca->config_path, err) < 0) {
        fprintf(stderr, "mmulab %s: %s\n", cmd, err);
        return 1;
    }
    mmu_config_t scratch = *cfg;
    for (size_t i = 0; i < ca->nsets; i++)
        if (config_set_assignment(&scratch, ca->sets[i], err) < 0) {
            fprintf(stderr, "mmulab %s: --set %s: %s\n", cmd, ca->sets[i], err);
            return 1;
        }
    if (apply_sets)
        *cfg = scratch;
    return 0;
}

static int cmd_run(const char *prog, int argc, char **argv)
{
    const char *file = NULL, *jsonl = NULL, *trace = NULL;
    uint64_t trace_from = 0, trace_window = 1000;
    bool no_wave = false;
    backend_kind_t backend = BACKEND_MODEL;
    cfg_args_t ca = {0};
    const char **sets = calloc((size_t)argc, sizeof *sets);
    if (!sets)
        return fputs("mmulab: out of memory\n", stderr), 1;
    ca.sets = sets;
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *v;
        int k = cfg_option(argc, argv, &i, &ca);
        if (k < 0) {
            rc = 2;
        } else if (k > 0) {
            continue;
        } else if ((v = cli_option_value(argc, argv, &i, "--jsonl"))) {
            if (!*v)
                rc = usage_error("%s needs a file name", "--jsonl");
            else
                jsonl = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--backend"))) {
            if (backend_parse_kind(v, &backend) != 0)
                rc = usage_error("run: --backend '%s' is not one of model, rtl, cosim", v);
        } else if ((v = cli_option_value(argc, argv, &i, "--trace"))) {
            if (!*v)
                rc = usage_error("%s needs a file name", "--trace");
            else
                trace = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--trace-from"))) {
            if (script_parse_number(v, &trace_from) < 0)
                rc = usage_error("run: --trace-from: bad number '%s'", v);
        } else if ((v = cli_option_value(argc, argv, &i, "--trace-window"))) {
            if (script_parse_number(v, &trace_window) < 0 || trace_window == 0)
                rc = usage_error("run: --trace-window: expected a number >= 1, got '%s'", v);
        } else if (!strcmp(argv[i], "--no-wave")) {
            no_wave = true;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            rc = usage_error("run: unknown option '%s'", argv[i]);
        } else if (file) {
            rc = usage_error("run: more than one script ('%s')", argv[i]);
        } else {
            file = argv[i];
        }
    }
    if (rc == 0 && !file)
        rc = usage_error("%s", "run: missing FILE");
    if (rc == 0 && trace && (backend == BACKEND_MODEL || !backend_can_trace()))
        rc = usage_error("%s", "run: --trace needs the rtl or cosim backend of an mmulab-trace binary");
    mmu_config_t cfg;
    if (rc == 0)
        rc = build_config("run", &ca, false, &cfg) ? 2 : 0;
    if (rc == 0) {
        int64_t mismatch = -1;
        script_opts_t o = {
            .path = file, .base = &cfg, .sets = sets, .nsets = ca.nsets, .jsonl_path = jsonl,
            .backend = backend, .backend_opts = { .trace_path = trace, .trace_from = trace_from },
            .mismatch_cycle = &mismatch,
        };
        rc = script_run(&o);
        int64_t c = rc && !trace && strcmp(file, "-") ? mismatch : -1;
        if (c >= 0) {   /* the waveform of the mismatch: the command, and the FST if it can */
            char tprog[4096], cmd[8192], fst[4096];
            cli_trace_prog(prog, tprog, sizeof tprog);
            snprintf(cmd, sizeof cmd, "%s", tprog);
            cli_append_arg(cmd, sizeof cmd, "run");
            cli_append_arg(cmd, sizeof cmd, file);
            cli_append_arg(cmd, sizeof cmd, "--backend");
            cli_append_arg(cmd, sizeof cmd, "cosim");
            if (ca.config_path) {
                cli_append_arg(cmd, sizeof cmd, "--config");
                cli_append_arg(cmd, sizeof cmd, ca.config_path);
            }
            for (size_t k = 0; k < ca.nsets; k++) {
                cli_append_arg(cmd, sizeof cmd, "--set");
                cli_append_arg(cmd, sizeof cmd, ca.sets[k]);
            }
            snprintf(fst, sizeof fst, "%s.fst", file);
            cli_append_wave_window(cmd, sizeof cmd, fst, (uint64_t)c, trace_window);
            fprintf(stderr, "  wave:   %s\n", cmd);
            if (!no_wave && cli_dump_wave(cmd, tprog, fst))
                fprintf(stderr, "  wave:   wrote %s (the %llu cycles before the first difference, cycle %lld)\n", fst,
                        (unsigned long long)trace_window, (long long)c);
        }
    }
    free(sets);
    return rc;
}

/* --- params ---------------------------------------------------------------- */

static void range_text(const config_param_t *p, char *buf, size_t len)
{
    switch (p->kind) {
    case P_BOOL:
        snprintf(buf, len, "0|1");
        break;
    case P_POW2:
        if (p->lo == 0)
            snprintf(buf, len, "0 or 2^n %d..%lld", 1, (long long)p->hi);
        else
            snprintf(buf, len, "2^n %lld..%lld", (long long)p->lo, (long long)p->hi);
        break;
    case P_ENUM_REPL:
    case P_ENUM_MEM: {
        size_t used = 0;
        buf[0] = '\0';
        for (int64_t v = p->lo; v <= p->hi && used < len; v++) {
            const char *n = config_enum_name(p->kind, v);
            used += (size_t)snprintf(buf + used, len - used, "%s%s", v == p->lo ? "" : "|", n ? n : "?");
        }
        break;
    }
    default:
        snprintf(buf, len, "%lld..%lld", (long long)p->lo, (long long)p->hi);
        break;
    }
}

static void value_text(const config_param_t *p, int64_t v, char *buf, size_t len)
{
    const char *n = config_enum_name(p->kind, v);
    if (n)
        snprintf(buf, len, "%s", n);
    else
        snprintf(buf, len, "%lld", (long long)v);
}

static int cmd_params(int argc, char **argv)
{
    enum { TABLE, VERILATOR, MARKDOWN } fmt = TABLE;
    cfg_args_t ca = {0};
    const char **sets = calloc((size_t)argc, sizeof *sets);
    if (!sets)
        return fputs("mmulab: out of memory\n", stderr), 1;
    ca.sets = sets;
    int rc = 0;
    bool fmt_given = false;
    for (int i = 1; i < argc && rc == 0; i++) {
        int k = cfg_option(argc, argv, &i, &ca);
        if (k < 0) {
            rc = 2;
        } else if (k > 0) {
            continue;
        } else if (!strcmp(argv[i], "--verilator-flags") || !strcmp(argv[i], "--markdown")) {
            if (fmt_given)
                rc = usage_error("%s", "params: --verilator-flags and --markdown exclude each other");
            fmt = argv[i][2] == 'v' ? VERILATOR : MARKDOWN;
            fmt_given = true;
        } else {
            rc = usage_error("params: unknown argument '%s'", argv[i]);
        }
    }
    mmu_config_t cfg;
    char err[CONFIG_ERR_LEN];
    if (rc == 0)
        rc = build_config("params", &ca, true, &cfg) ? 2 : 0;
    if (rc == 0 && config_validate(&cfg, err) < 0) {
        fprintf(stderr, "mmulab params: invalid configuration: %s\n", err);
        rc = 2;
    }
    bool changed = ca.config_path || ca.nsets;
    for (size_t i = 0; rc == 0 && i < config_num_params; i++) {
        const config_param_t *p = &config_params[i];
        char def[32], val[32], range[96];
        int64_t v = config_get(&cfg, p);
        value_text(p, p->def, def, sizeof def);
        value_text(p, v, val, sizeof val);
        range_text(p, range, sizeof range);
        switch (fmt) {
        case VERILATOR:
            printf("-G%s=%lld\n", p->rtl_name, (long long)v);
            break;
        case MARKDOWN:
            if (i == 0)
                printf(changed ? "| key | value | default | range | description |\n|---|---|---|---|---|\n"
                               : "| key | default | range | description |\n|---|---|---|---|\n");
            if (changed)
                printf("| `%s` | %s | %s | %s | %s |\n", p->key, val, def, range, p->doc);
            else
                printf("| `%s` | %s | %s | %s |\n", p->key, def, range, p->doc);
            break;
        case TABLE:
            if (i == 0) {
                if (changed)
                    printf("%-18s %-8s %-8s %-22s %s\n", "key", "value", "default", "range", "description");
                else
                    printf("%-18s %-8s %-22s %s\n", "key", "default", "range", "description");
            }
            if (changed)
                printf("%-18s %-8s %-8s %-22s %s%s\n", p->key, val, def, range, p->doc,
                       v != p->def ? "  (*)" : "");
            else
                printf("%-18s %-8s %-22s %s\n", p->key, def, range, p->doc);
            break;
        }
    }
    free(sets);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("%s", "missing command");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (!strcmp(cmd, "run"))
        return cmd_run(argv[0], argc - 1, argv + 1);
    if (!strcmp(cmd, "params"))
        return cmd_params(argc - 1, argv + 1);
    if (!strcmp(cmd, "demo"))
        return demo_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "random"))
        return regress_main(argv[0], argc - 1, argv + 1);
    return usage_error("unknown command '%s'", cmd);
}
