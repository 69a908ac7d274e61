/* The constrained-random regression behind `mmulab random` (sim/cli/cmd_random.c parses
 * its command line): seeds of the generator (stimgen.h) on a backend, one line per seed,
 * a one-line replay command (and the waveform command of a cosim mismatch) for every
 * failure, the failing logs, JUnit XML (junit.h) and merged functional coverage
 * (coverage.h). docs/verification.md describes it. */
#ifndef MMULAB_REGRESS_H
#define MMULAB_REGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "config.h"
#include "coverage.h"

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
} regress_args_t;

/* Runs seeds a->seed_lo..seed_hi in configuration cfg. prog: how the tool was invoked
 * (argv[0] of main), for the replay commands. Returns 0 all passed, 1 a seed failed or
 * could not run (or an output could not be written). */
int regress_run(const char *prog, const regress_args_t *a, const mmu_config_t *cfg);

/* --merge: merges a->merge[] coverage files, prints the table, saves a->coverage.
 * Returns 0 or 1. */
int regress_merge(const regress_args_t *a, const mmu_config_t *cfg);

#endif
