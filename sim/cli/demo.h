/* `mmulab demo`: a seeded end-to-end run on the model with a readable summary; with an OS or
 * process-mix option (or --os 1) the same stream runs as processes of the OS layer (demo_os.c). */
#ifndef MMULAB_DEMO_H
#define MMULAB_DEMO_H

#include <stdio.h>

#include "config.h"
#include "os.h"
#include "wl_os.h"
#include "workload.h"

int demo_main(int argc, char **argv);

/* The run through the OS layer: boots osp on backend (one backend per CPU), runs wp's stream
 * with the mix mx (wl_os.h), prints the report with the OS counters to txt and, with json_file,
 * writes the JSON (closing json_file). cmd: the reproduce line. Returns the exit status. */
int demo_os_run(const wl_params_t *wp, const mmu_config_t *cfg, backend_kind_t backend, const os_params_t *osp,
                const wl_os_mix_t *mx, FILE *txt, FILE *json_file, const char *json_out, const char *cmd);

#endif
