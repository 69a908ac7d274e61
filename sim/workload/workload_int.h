/* Internal interface of the synthetic workloads (workload.h), split by job:
 *   wl_options.c  the knobs: defaults, parsing (--KEY VALUE), validation, formatting
 *   workload.c    the address space: layout of page sizes, page tables, control registers
 *   wl_stream.c   the request stream (uniform, hotcold, stride, seq, zipf, chase) and its description
 *   wl_gen.c      the table-based generators: Zipf ranks, the chase cycle (wl_gen.h)
 *   wl_run.c      running the stream on the backend, with its accounting
 * Only sim/workload/ includes this. */
#ifndef MMULAB_WORKLOAD_INT_H
#define MMULAB_WORKLOAD_INT_H

#include "workload.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "names.h"
#include "wl_gen.h"

#define GIB (1ull << 30)
#define TABLE_FRAMES_BASE (2ull << 20)   /* page tables come from [2 MiB, 2 GiB) */
#define TABLE_FRAMES_LIMIT (2ull << 30)

struct workload {
    wl_params_t p;
    machine_t m;              /* the memory the tables are built in, and the backend (cfg != NULL) */
    ptbuild_t ptb;
    bool two_ports;

    unsigned lshift;          /* large-page shift: 21, or 22 in 32-bit paging */
    uint64_t nslots;          /* region / large page */
    uint8_t *cls;             /* page class per slot */
    uint8_t *mapped;          /* per slot: 1 once its leaves are written */
    uint64_t pages[NUM_PSC], pages_mapped[NUM_PSC];
    bool lazy;
    bool map_failed;          /* lazy mapping ran out of table frames */

    paddr_t data_base;        /* va -> data_base + ((va - va_base) & (data_span - 1)) */
    uint64_t data_span;
    uint64_t leaf_flags;
    unsigned esize;           /* entry size: 4 or 8 */

    uint64_t *hot;            /* hotcold: region offsets of the hot 4 KiB pages */
    uint64_t nhot;
    double *zipf_cdf;         /* zipf: cumulative rank probabilities over the region's 4 KiB pages */
    uint32_t *chase_next;     /* chase: the cycle through the region's 4 KiB pages */
    uint64_t npages4k;        /* region / 4 KiB */

    /* stream state */
    rng_t rng;
    uint64_t produced;
    uint64_t stride_off;      /* stride and seq: the next offset */
    uint64_t chase_cur;       /* chase: the current page */
};

/* wl_options.c */
void wl_errf(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
unsigned wl_large_shift(paging_mode_t m);

/* workload.c */
int wl_map_slot(workload_t *w, uint64_t s);

#endif
