/* JSON pieces every OS-layer command writes (`mmulab trace`, `mmulab demo` through the OS layer): the OS
 * counters named as `expect os` names them (sim/script/os_script.c), and the tool object. */
#ifndef MMULAB_OS_JSON_H
#define MMULAB_OS_JSON_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "backend.h"
#include "os.h"

/* {"page_faults", "demand_faults", "zero_page_maps", "cow_faults", "vmalloc_faults",
 *  "vmalloc_synced", "segv", "oops", "cr3_writes", "cr3_noflush", "invlpg", "invpcid",
 *  "full_flushes", "ipis", "syscalls", "switches": events since *base (a snapshot of
 *  os->cnt; NULL: since boot), "frames", "pt_pages", "user_pages", "kernel_pages": at the end}. */
cJSON *os_counters_json(const os_t *os, const os_counters_t *base);
/* {"mode", "ram", "cpus", "kpti", "pcid", "invpcid", "vmalloc", "flush_ceiling", "smep", "smap",
 *  "backend"}: how the OS layer was booted and on which backend. */
cJSON *os_setup_json(const os_params_t *p, backend_kind_t backend);
/* Prints the same counters as two readable lines ("os: ..."). */
void os_counters_print(FILE *f, const os_t *os, const os_counters_t *base);

#endif
