/* Command-line helpers shared by the mmulab subcommands. */
#ifndef MMULAB_CLI_H
#define MMULAB_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The value of option `opt` at argv[*i], given as "--opt VALUE" or "--opt=VALUE"
 * (advancing *i past VALUE); "" when VALUE is missing; NULL when argv[*i] is
 * another option. */
const char *cli_option_value(int argc, char **argv, int *i, const char *opt);

/* Appends " s" to the NUL-terminated command line in buf (len bytes), single-
 * quoted for the shell when it needs to be, so printed replay commands can be
 * pasted as they are. An argument that does not fit (room for it and for the marker
 * is kept) is not appended: the line ends with " <command-line-truncated>" instead, and
 * nothing is appended after that, so a pasted truncated command fails rather than running
 * without some of its arguments. Never writes past len. */
void cli_append_arg(char *buf, size_t len, const char *s);

/* The trace variant of the mmulab binary prog (mk/cosim.mk): "X/mmulab-trace" for
 * "X/mmulab", "X/mmulab-san" and "X/mmulab-trace". */
void cli_trace_prog(const char *prog, char *out, size_t len);

/* Appends " --trace FST --trace-from N" to the command in buf: the waveform of the `window`
 * cycles before `cycle` (from cycle 0 when it is earlier). */
void cli_append_wave_window(char *buf, size_t len, const char *fst, uint64_t cycle, uint64_t window);

/* Runs cmd (a command line that writes the FST waveform fst with the trace binary tprog)
 * when tprog exists, its output into fst.txt; true if fst was written. A failing run thus
 * leaves its waveform, while normal builds carry no tracing cost. */
bool cli_dump_wave(const char *cmd, const char *tprog, const char *fst);

/* --- shared by the subcommands (sim/cli/cmd_*.c) ----------------------------- */

#include "config.h"

/* The program's usage text, and its usage error: each program that links sim/cli/ defines both
 * (mmulab: sim/cli/mmulab.c; the SystemC example: sim/tlm/sc_demo.cpp). */
extern const char cli_usage_text[];

/* "mmulab: " + the message (fmt with one %s) + the usage text on stderr; returns 2. */
int cli_usage_error(const char *fmt, const char *arg);

/* --config FILE and --set KEY=VALUE, shared by every subcommand. */
typedef struct {
    const char *config_path;
    const char **sets;           /* argc entries, allocated by the caller */
    size_t nsets;
} cli_config_args_t;

/* Returns 1 if argv[*i] was --config or --set (consumed), 0 if not, -1 on a usage
 * error (already reported). */
int cli_config_option(int argc, char **argv, int *i, cli_config_args_t *ca);

/* Defaults, then --config, then (with apply_sets) every --set, then config_validate (its
 * cross-parameter errors name the --config file and --set options they came from). Returns 0,
 * or 1 after reporting the problem; every --set is checked either way. Without apply_sets
 * (`run`: the script's config lines go between the file and the --set options) nothing is
 * validated yet. */
int cli_build_config(const char *cmd, const cli_config_args_t *ca, bool apply_sets, mmu_config_t *cfg);

/* " --config F --set K=V ..." (each word shell-quoted, a leading blank), or "" when neither
 * was given: where a configuration came from, for cross-parameter errors no line owns. */
void cli_config_origin(const cli_config_args_t *ca, char *out, size_t len);

/* The subcommands. */
int cmd_run(const char *prog, int argc, char **argv);
int cmd_params(int argc, char **argv);
int cmd_backends(int argc, char **argv);
/* argv[0] is "exp" (sim/exp/, docs/experiments.md). */
int cmd_exp(int argc, char **argv);
/* prog: argv[0] of main (for the replay commands); argv[0] is "random". */
int cmd_random(const char *prog, int argc, char **argv);
/* argv[0] is "trace" (cmd_trace.c: a trace replayed through the OS layer). */
int cmd_trace(int argc, char **argv);

#endif
