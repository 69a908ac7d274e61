/* What every command that runs a workload as processes of the OS layer shares (`mmulab trace`,
 * `mmulab demo` with an OS option): the OS knobs on the command line, named as the `os boot`
 * script verb's keys (--mode --ram --kpti --pcid --invpcid --vmalloc --flush-ceiling --cpus
 * --smep --smap), their checks (os_params_check, and the co-simulation's one-CPU limit), and
 * the machine they boot: memory, one backend per CPU, os_boot.
 *
 * Flow: os_params_default(mode) -> cli_os_option per argument -> cli_os_check ->
 * cli_os_machine_start -> (run) -> cli_os_machine_release. */
#ifndef MMULAB_OS_ARGS_H
#define MMULAB_OS_ARGS_H

#include "machine.h"
#include "os.h"

/* A count ("12", "0x10"); -1 when not a non-negative number. */
int cli_parse_count(const char *s, uint64_t *out);
/* The paging mode given with --mode anywhere in argv (whose defaults the other knobs start
 * from), or dflt. */
paging_mode_t cli_os_mode(int argc, char **argv, paging_mode_t dflt);
/* One OS knob at argv[*i] into *p. skip_mode: --mode is left to the caller (returns 0).
 * 1 consumed, 0 not an OS knob, -1 bad value (reported as "mmulab CMD: ..."). */
int cli_os_option(const char *cmd, int argc, char **argv, int *i, os_params_t *p, bool skip_mode);
/* os_params_check, and more than one CPU on cosim refused (each cosim instance keeps its own RTL
 * copy of the memory). 0, or 2 after reporting. */
int cli_os_check(const char *cmd, const os_params_t *p, backend_kind_t backend);

typedef struct {
    machine_t m;                      /* the memory and CPU 0's backend */
    backend_t *cpus[OS_MAX_CPUS];     /* every CPU's backend (cpus[0] = m.be) */
    os_t *os;
} cli_os_machine_t;

/* Memory, one backend per CPU, then os_boot. 0, or -1 after reporting; release either way. */
int cli_os_machine_start(const char *cmd, cli_os_machine_t *om, const os_params_t *p, backend_kind_t backend,
                         const mmu_config_t *cfg);
void cli_os_machine_release(cli_os_machine_t *om);

#endif
