/* Internal interface of the constrained-random stimulus (stimgen.h), split by job:
 *   stim_knobs.c   the seed's knobs (mode, leaf mix, operation weights)
 *   stim_tables.c  random page tables in the generator's image of memory
 *   shadow.c       the shadow reference: sim/ref/refarch.c (the architecture as docs/semantics.md
 *                  states it, shared with libmmulab's checker) over the generator's state
 *   scoreboard.c   which cached translations may be stale (what may be PA-checked)
 *   stim_digest.c  digests of results, the JSONL replay through the script interpreter
 *   stim_ops.c     the operation sequence (accesses, control operations, table edits)
 *   stimgen.c      failures, the log, memory images, set-up and the run loop
 * One sg_t holds a run; no global mutable state. Only sim/verif/stim*.c, shadow.c and
 * scoreboard.c include this. */
#ifndef MMULAB_STIMGEN_INT_H
#define MMULAB_STIMGEN_INT_H

#include "stimgen.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine.h"
#include "names.h"
#include "ptbuild.h"
#include "record.h"
#include "refarch.h"
#include "rng.h"
#include "script.h"

#define MAX_ROOTS 3
#define MAX_SETS 2
#define MAX_PCIDS 4
#define RING 32
#define PEND_MAX 1024             /* accesses queued before the generator inserts a sync */
#define MAX_CTX 64
#define DATA_BASE 0x40000000ull      /* data frames live above the table frames */
#define AD_BITS (PTE_A | PTE_D)

/* ========================================================================= */
/* State                                                                      */
/* ========================================================================= */

enum { OP_ACCESS, OP_SYNC, OP_CR3, OP_CR4, OP_CR0, OP_EFER, OP_ILLEGAL, OP_INVLPG, OP_INVPCID, OP_EDIT,
       OP_SWITCH, OP_PKEY, OP_N };

typedef struct {
    paging_mode_t modes[MAX_SETS];
    unsigned nsets, nroots, nregions, npcids;
    bool use_pcid;
    double p_large, p_1g, p_alias_frame, p_rw, p_xd, p_g, p_a, p_d;
    double p_key;                /* a 4/5-level leaf gets a random protection key (else key 0) */
    unsigned n_np, n_rsvd, n_share;
    double w[OP_N];
    double p_hot, p_wild, p_mismatch, p_ac, p_implicit, r_read, r_write;
    unsigned max_burst;
    bool nxe, pge, smep, smap, wp, pse;
    bool pke, pks;               /* CR4.PKE / CR4.PKS at the start (pk=1 configurations) */
} knobs_t;

typedef struct {
    paging_mode_t mode;
    unsigned nroots;
    paddr_t root[MAX_ROOTS];
    paddr_t bad_root;            /* PAE: a PDPT whose present PDPTE has a reserved bit (0: none) */
    size_t first_leaf, nleaves;  /* the set's leaves in g->leaves */
    size_t victim_first, victim_n;   /* a region whose upper-level entries get damaged */
    size_t *by_root[MAX_ROOTS];      /* leaf indices of each address space */
    size_t nby_root[MAX_ROOTS];
} set_t;

typedef ref_cpu_t cpu_t;          /* the shadow CPU state (sim/ref/refarch.h) */

typedef struct {
    paging_mode_t mode;
    paddr_t base;
    bool pse;
} ctxkey_t;

typedef struct {
    mmu_req_t req;
    mmu_result_t res;
    uint64_t line;
    bool stale_free;             /* no TLB/PWC entry of another context or of remapped tables can exist */
} pend_t;

typedef ref_flush_t tflush_t;

/* A granule key: (PCID, or TK_GLOBAL for global TLB entries) x VA granule
 * (12, 21, 22, 30: TLB classes; 21, 22, 30, 39, 48: PWC levels). */
typedef struct {
    uint64_t key;                /* 0: empty */
    uint64_t mask;               /* contexts that may have filled entries for it */
} tk_slot_t;
#define TK_SLOTS 16384
#define TK_GLOBAL 0x1000u

struct sg {
    sg_opts_t o;
    mmu_config_t cfg;
    unsigned M;
    rng_t rng;
    knobs_t k;
    char knobs_text[512];

    physmem_t *img;              /* what the generator wrote */
    machine_t m;                 /* m.mem: what the backend sees; m.be: the backend */

    set_t set[MAX_SETS];
    unsigned nsets;
    sg_leaf_t *leaves;
    size_t nleaves, leaves_cap;
    uint16_t pcid[MAX_PCIDS];

    cpu_t cpu;

    /* the log */
    FILE *log;
    char *logbuf;
    size_t loglen;
    uint64_t line;

    /* stream state */
    struct { vaddr_t va; paddr_t root; bool user; } ring[RING];   /* recently used addresses */
    unsigned nring, ring_pos;
    pend_t *pend;                /* PEND_MAX slots, allocated once */
    size_t npend;
    cycle_t base;                /* horizon at the last synchronising command */
    uint64_t rel;                /* last @+N of the current window */
    unsigned off_left;           /* operations left with paging off before re-entering */
    struct { paddr_t ea; uint64_t value; unsigned size; } undo[4];   /* destructive edits to repair */
    unsigned nundo;
    unsigned target_set;
    uint64_t nctrl;

    /* protection-key coverage (sg_cov_keys): a successful WRPKRU / WRMSR IA32_PKRS that changed
     * the register bumps pkr_epoch; the page and epoch of the last TLB hit under a key */
    uint64_t pkr_epoch;
    vaddr_t key_hit_page;
    uint64_t key_hit_epoch;
    bool key_hit_valid;

    /* staleness tracking (docs/verification.md): which translation contexts may have
     * left TLB or PWC entries for a VA granule under a PCID (or global ones) */
    ctxkey_t ctx[MAX_CTX];
    unsigned nctx;
    bool overflow;               /* too many contexts or granules: nothing is PA-checked until a full flush */
    tk_slot_t *tk;               /* TK_SLOTS, open addressing */
    unsigned tk_used;
    bool remapped;               /* an entry's address (or PS) changed since the last full flush */
    bool any_32bit;              /* 32-bit paging ran: a mode of the knobs, or a CR4.PAE toggle */

    sg_report_t *rep;
    cov_t *cov;
    uint64_t digest;
    bool failed;
};

/* what the shadow predicts for one translation (sim/ref/refarch.h) */
typedef ref_pred_t pred_t;

/* the fields a digest covers (stim_digest.c) */
typedef struct {
    uint64_t seq, va, access, cpl, ac, implicit, port, fault, ec, pa, cr2, issue, accept, complete, tlb, pwc, shift,
        walked, assist, reads, writes;
} dig_access_t;

typedef struct {
    uint64_t kind, seq, value, va, type, pcid, fault, issue, accept, complete, reads, tlb_inv, pwc_inv;
} dig_ctrl_t;

#define FNV_INIT 0xcbf29ce484222325ull   /* digest seed (stim_digest.c) */

/* ========================================================================= */
/* Small helpers                                                              */
/* ========================================================================= */

static inline uint64_t rnd(sg_t *g, uint64_t n)
{
    return n <= 1 ? 0 : rng_below(&g->rng, n);
}

static inline double unif(sg_t *g)
{
    return rng_double(&g->rng);
}

static inline bool chance(sg_t *g, double p)
{
    return unif(g) < p;
}

/* bits(), canonical(), the level geometry: sim/ref/refarch.h */

static inline int leaf_level_of(unsigned shift)
{
    return shift == 12 ? 1 : shift == 30 ? 3 : 2;
}

/* stimgen.c: failures, the log, memory images, set-up and the run */
void sg_emit(sg_t *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sg_failf(sg_t *g, uint64_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The backend's one-line first difference (backend_mismatch_text), or "details on stderr". */
const char *sg_backend_why(const sg_t *g);
uint64_t sg_img_entry(const sg_t *g, paddr_t pa, unsigned size);
void sg_img_write(sg_t *g, paddr_t pa, unsigned size, uint64_t v);
uint64_t sg_mem_entry(const sg_t *g, paddr_t pa, unsigned size);

/* stim_knobs.c: the seed's knobs */
void sg_choose_knobs(sg_t *g);

/* stim_tables.c: random page tables */
int sg_build_set(sg_t *g, set_t *s, paging_mode_t mode);
paddr_t sg_data_frame(sg_t *g, const set_t *s, paging_mode_t mode, unsigned shift);
int sg_img_path(const sg_t *g, paging_mode_t mode, paddr_t root, vaddr_t va, paddr_t ea[MAX_LEVELS + 1]);
const sg_leaf_t *sg_random_leaf(sg_t *g, const set_t *s);
int sg_rsvd_bit(sg_t *g, paging_mode_t mode, int level, uint64_t e);

/* shadow.c: the independent shadow reference */
void sg_cpu_arch(const sg_t *g, mmu_arch_t *a);
mmu_fault_t sg_shadow_ctrl(sg_t *g, const mmu_ctrl_t *op, tflush_t *fl, uint16_t *fl_pcid);
void sg_shadow_translate(const sg_t *g, const mmu_req_t *r, pred_t *out);

/* scoreboard.c: staleness of cached translations */
void sg_apply_flush(sg_t *g, tflush_t fl, uint16_t pcid);
bool sg_note_access(sg_t *g, vaddr_t va);

/* stim_digest.c: digests, JSONL, replay */
void sg_dig_from_ctrl(dig_ctrl_t *d, uint64_t seq, const mmu_ctrl_t *op, const mmu_ctrl_result_t *r);
void sg_dig_from_result(dig_access_t *d, const mmu_req_t *q, const mmu_result_t *r);
uint64_t sg_digest_access(uint64_t h, const dig_access_t *d);
uint64_t sg_digest_ctrl(uint64_t h, const dig_ctrl_t *d);

/* stim_ops.c: the operation sequence */
void sg_do_sync(sg_t *g);
void sg_enter_paging(sg_t *g, const set_t *s);
void sg_initial_paging(sg_t *g);
void sg_leave_paging(sg_t *g);
void sg_op_access(sg_t *g, uint64_t budget);
void sg_op_cr0(sg_t *g);
void sg_op_cr3(sg_t *g);
void sg_op_cr4(sg_t *g);
void sg_op_edit(sg_t *g);
void sg_op_efer(sg_t *g);
void sg_op_illegal(sg_t *g);
void sg_op_invlpg(sg_t *g);
void sg_op_invpcid(sg_t *g);
void sg_op_pkey(sg_t *g);
void sg_op_sync(sg_t *g);

#endif
