/* `mmulab demo`: a seeded synthetic workload run as processes of the OS layer, with a readable
 * summary (demo.c: the options; demo_os.c: the run and the report). */
#ifndef MMULAB_DEMO_H
#define MMULAB_DEMO_H

#include <stdio.h>

#include "backend.h"
#include "config.h"
#include "os.h"
#include "wl_os.h"
#include "workload.h"

int demo_main(int argc, char **argv);

#define DEMO_CMD_LEN 8192

/* The demo's command line, read and resolved. */
typedef struct {
    wl_params_t wp;              /* validated; user accesses; frac_* say --page */
    mmu_config_t cfg;            /* defaults, --config, every --set; validated */
    os_params_t osp;             /* the mode's defaults, the OS knobs given, --ram's default */
    wl_os_mix_t mx;              /* the process mix, its page shift and --prefault */
    backend_kind_t backend;
    const char *json_out;        /* --json OUT or NULL */
    char cmd[2 * DEMO_CMD_LEN + 64];   /* the reproduce line ("mmulab demo ...") */
} demo_opts_t;

/* Reads the demo's options (argv[0] is the subcommand or the program; a leading "demo" is
 * skipped) into *o with every default resolved (docs/workloads.md): the same options give the
 * same run to every caller (`mmulab demo`, the SystemC example sim/tlm/sc_demo.cpp). Returns 0;
 * 1 after printing the usage for --help; 2 after reporting a usage error on stderr. */
int demo_parse(int argc, char **argv, demo_opts_t *o);

/* The run through the OS layer: boots osp on backend (one backend per CPU), runs wp's stream
 * with the mix mx (wl_os.h), prints the report with the OS counters to txt and, with json_file,
 * writes the JSON (closing json_file). cmd: the reproduce line. Returns the exit status. */
int demo_os_run(const wl_params_t *wp, const mmu_config_t *cfg, backend_kind_t backend, const os_params_t *osp,
                const wl_os_mix_t *mx, FILE *txt, FILE *json_file, const char *json_out, const char *cmd);

#endif
