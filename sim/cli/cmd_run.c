/* `mmulab run FILE`: a script (sim/script/) on a backend, and, when a co-simulation
 * diverges, the command (and, with the trace binary beside this one, the FST file) of
 * the waveform of the cycles before the first difference. */
#include "cli.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "script.h"

int cmd_run(const char *prog, int argc, char **argv)
{
    const char *file = NULL, *jsonl = NULL, *trace = NULL;
    uint64_t trace_from = 0, trace_window = 1000;
    bool no_wave = false;
    backend_kind_t backend = BACKEND_MODEL;
    cli_config_args_t ca = {0};
    const char **sets = calloc((size_t)argc, sizeof *sets);
    if (!sets)
        return fputs("mmulab: out of memory\n", stderr), 1;
    ca.sets = sets;
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *v;
        int k = cli_config_option(argc, argv, &i, &ca);
        if (k < 0) {
            rc = 2;
        } else if (k > 0) {
            continue;
        } else if ((v = cli_option_value(argc, argv, &i, "--jsonl"))) {
            if (!*v)
                rc = cli_usage_error("%s needs a file name", "--jsonl");
            else
                jsonl = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--backend"))) {
            if (backend_parse_kind(v, &backend) != 0)
                rc = cli_usage_error("run: --backend '%s' is not one of model, rtl, cosim", v);
        } else if ((v = cli_option_value(argc, argv, &i, "--trace"))) {
            if (!*v)
                rc = cli_usage_error("%s needs a file name", "--trace");
            else if (!strcmp(v, "-"))   /* the one output that cannot be standard output */
                rc = cli_usage_error("%s: an FST waveform is written to a file (it seeks), not to '-'", "--trace");
            else
                trace = v;
        } else if ((v = cli_option_value(argc, argv, &i, "--trace-from"))) {
            if (script_parse_number(v, &trace_from) < 0)
                rc = cli_usage_error("run: --trace-from: bad number '%s'", v);
        } else if ((v = cli_option_value(argc, argv, &i, "--trace-window"))) {
            if (script_parse_number(v, &trace_window) < 0 || trace_window == 0)
                rc = cli_usage_error("run: --trace-window: expected a number >= 1, got '%s'", v);
        } else if (!strcmp(argv[i], "--no-wave")) {
            no_wave = true;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(cli_usage_text, stdout);
            free(sets);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            rc = cli_usage_error("run: unknown option '%s'", argv[i]);
        } else if (file) {
            rc = cli_usage_error("run: more than one script ('%s')", argv[i]);
        } else {
            file = argv[i];
        }
    }
    if (rc == 0 && !file)
        rc = cli_usage_error("%s", "run: missing FILE");
    if (rc == 0 && trace && (backend == BACKEND_MODEL || !backend_can_trace()))
        rc = cli_usage_error("%s", "run: --trace needs the rtl or cosim backend of an mmulab-trace binary");
    mmu_config_t cfg;
    if (rc == 0)
        rc = cli_build_config("run", &ca, false, &cfg) ? 2 : 0;
    if (rc == 0) {
        int64_t mismatch = -1;
        char origin[1024];
        cli_config_origin(&ca, origin, sizeof origin);
        bool config_error = false;
        script_opts_t o = {
            .path = file, .base = &cfg, .sets = sets, .nsets = ca.nsets, .config_origin = origin, .cli_config_error = &config_error, .jsonl_path = jsonl,
            .backend = backend, .backend_opts = { .trace_path = trace, .trace_from = trace_from },
            .mismatch_cycle = &mismatch,
            .out = jsonl && !strcmp(jsonl, "-") ? stderr : NULL,   /* stdout holds only the JSONL */
        };
        rc = script_run(&o);
        if (config_error)
            rc = 2;   /* a command-line configuration error, like every other subcommand's */
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
