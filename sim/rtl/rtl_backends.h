/* What the two RTL-based backends (backends.c: rtl, cosim.c: cosim) share. */
#ifndef MMULAB_RTL_BACKENDS_H
#define MMULAB_RTL_BACKENDS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "rtl_mmu.h"
#include "rtl_shim.h"

/* Starts the FST waveform an instance's options ask for (none without opts->trace_path).
 * Returns 0, or -1 with a message in err (a binary Verilated without tracing, a file
 * that cannot be written). */
int rtl_backend_start_trace(rtl_mmu_t *r, const backend_opts_t *opts, char *err);

#endif
