/* mmulab: the command-line tool. One file per subcommand in sim/cli/: `run`
 * (cmd_run.c, a script of sim/script/), `params` (cmd_params.c), `demo` (demo.c, a
 * seeded workload with a report), `random` (cmd_random.c over sim/verif/regress.c, the
 * constrained-random regression), `exp` (cmd_exp.c over sim/exp/, experiments), `backends` (cmd_backends.c, what this binary has). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "demo.h"

const char cli_usage_text[] =
    "usage: mmulab COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  run FILE [--backend model|rtl|cosim] [--config FILE] [--set KEY=VALUE]... [--jsonl OUT]\n"
    "           [--trace OUT.fst [--trace-from CYCLE]] [--trace-window N] [--no-wave]\n"
    "        run a script (docs/scripts.md); FILE '-' reads standard input;\n"
    "        --jsonl -: the JSONL records on stdout, the text on stderr.\n"
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
    "  trace FILE [--backend model|rtl|cosim] [--config F] [--set KEY=VALUE]... [--json OUT] [--ops N]\n"
    "        [--mode M] [--kpti 0|1] [--pcid 0|1] [--invpcid 0|1] [--vmalloc P] [--flush-ceiling N] [--cpus N] ...\n"
    "        a program's memory trace (lackey or ChampSim) replayed as a process of the OS layer,\n"
    "        with the demo's report and the OS counters (`mmulab trace --help`, docs/workloads.md)\n"
    "  exp FILE|NAME [--backend B] [--set KEY=VALUE]... [--out DIR] [-j N] [--shard K/N]\n"
    "  exp merge DIR... --out DIR;  exp list\n"
    "        an experiment: a sweep over parameters x workloads x seeds, run in parallel\n"
    "        or sharded; table, results.json/csv, gnuplot plots, index.html\n"
    "        (`mmulab exp --help`, docs/experiments.md)\n"
    "  backends\n"
    "        the backends this binary has (build/rel/mmulab: model; build/rtl/CONFIG/mmulab:\n"
    "        model, rtl, cosim; its -trace variant also writes waveforms)\n"
    "  help  this text (also --help, -h, and COMMAND --help);  --version: the tool and its\n"
    "        backends on one line\n"
    "Output files: '-' is standard output (the text report then goes to standard error);\n"
    "a file that cannot be written is an error (exit 1).\n";

int cli_usage_error(const char *fmt, const char *arg)
{
    fputs("mmulab: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n\n", stderr);
    fputs(cli_usage_text, stderr);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error("%s", "missing command");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        fputs(cli_usage_text, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version"))
        return cmd_backends(-1, NULL);
    if (!strcmp(cmd, "backends"))
        return cmd_backends(argc - 1, argv + 1);
    if (!strcmp(cmd, "run"))
        return cmd_run(argv[0], argc - 1, argv + 1);
    if (!strcmp(cmd, "params"))
        return cmd_params(argc - 1, argv + 1);
    if (!strcmp(cmd, "demo"))
        return demo_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "trace"))
        return cmd_trace(argc - 1, argv + 1);
    if (!strcmp(cmd, "exp"))
        return cmd_exp(argc - 1, argv + 1);
    if (!strcmp(cmd, "random"))
        return cmd_random(argv[0], argc - 1, argv + 1);
    return cli_usage_error("unknown command '%s'", cmd);
}
