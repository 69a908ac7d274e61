/* Internal interface of libmmulab's checker (sim/ref/): the handle's state, shared by
 *   checker.c   the permissive checker (mmulab_ref_*)
 *   ptapi.c     page-table building in the checker's or a model's memory (mmulab_pt_*)
 *   model_api.c the model (mmulab_model_*)
 *   dpi.c       the DPI-C glue of rtl/dpi/mmulab_dpi.sv
 * Not installed; mmulab.h is the public interface. */
#ifndef MMULAB_REF_INT_H
#define MMULAB_REF_INT_H

#include "mmulab.h"
#include "physmem.h"
#include "ptbuild.h"
#include "refarch.h"

#define MAX_VALUES 16        /* distinct values per entry tried */
#define NPCID 4096
#define T_NOW UINT64_MAX     /* the value is in memory now */

typedef struct {
    paddr_t pa;              /* 8-byte aligned word */
    uint64_t old;
    uint64_t t_end;          /* tick at which it was overwritten */
} wlog_t;

typedef struct {
    vaddr_t va;
    uint16_t pcid;
    bool global;             /* also removes global TLB entries (INVLPG) */
    uint64_t t;
} pinv_t;

typedef struct {
    ref_cpu_t cpu;
    uint64_t t_last;         /* last tick it was current */
} ctx_t;

struct mmulab_ref {
    unsigned M;
    physmem_t *mem;
    ref_cpu_t cpu;
    uint64_t now;
    wlog_t *log;
    size_t nlog, caplog;
    pinv_t *pinv;
    size_t npinv, cappinv;
    ctx_t *ctx;
    size_t nctx, capctx;
    uint64_t flush_all, flush_nonglobal;
    uint64_t flush_pcid[NPCID], flush_pwc[NPCID];
    mmulab_ref_stats_t stats;
    uint64_t frame_base, frame_limit;   /* the page-table builder's frames (0, 0: not set yet) */
};


struct mmulab_pt {
    mmulab_ref_t *ref;           /* the checker whose write log records changed entries, or NULL */
    physmem_t *mem;
    ptbuild_t b;
};

mmulab_pt_t *ref_pt_create(physmem_t *mem, uint64_t *base, uint64_t *limit, mmulab_ref_t *log_to, int mode,
                           uint64_t frame_base, uint64_t frame_limit);

/* Reads an entry (4 or 8 bytes) of the checker's memory (ctx: its physmem_t). */
uint64_t ref_read_mem(void *ctx, paddr_t pa, unsigned size);
/* A mirrored write (aligned, in range): the overwritten word enters the write log. */
int ref_write_logged(mmulab_ref_t *r, uint64_t pa, uint64_t value, unsigned size);

#endif
