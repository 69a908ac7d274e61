/* The MMU instance, shared by the model's own files (mmu.c: ports and timing,
 * walker.c: the page walk, mmu_ctrl.c: control operations (rtl/mmu_ctrl.sv)). Not a public header. */
#ifndef MMULAB_MMU_INTERNAL_H
#define MMULAB_MMU_INTERNAL_H

#include "memlat.h"
#include "mmu.h"
#include "paging.h"
#include "pwc.h"
#include "tlb.h"

typedef struct {
    mmu_req_t req;
    mmu_result_t *out;
    uint64_t seq;
} pending_t;

typedef struct {
    pending_t *buf;
    size_t cap, head, count;
} req_queue_t;

/* The other port's share of a #PF's TLB invalidation (docs/timing.md "#PF invalidation"):
 * it acts at cycle c + 1 of the fault's completion c, while the walk was computed at its
 * grant. Applied before that port's first event (accept or grant) after c, or at mmu_sync's
 * end; one is enough (a later fault's grant comes after that port's events up to c). */
typedef struct {
    bool active;
    cycle_t c;
    tlb_inval_t f;
} pf_inval_t;

/* A port's L1 miss waiting for (or being served by) the walker. */
typedef struct {
    bool active;
    cycle_t m;            /* cycle the miss reaches the walker */
    pending_t p;
} miss_t;

struct mmu {
    mmu_config_t cfg;
    physmem_t *mem;
    memlat_t memlat;

    /* architectural state */
    uint64_t cr0, cr2, cr3, cr4, efer;
    uint32_t pkru, pkrs;      /* protection-key rights (IA32_PKRS bits 63:32 are reserved) */
    uint64_t cr2_before;      /* CR2 before the latest #PF, which took effect at cr2_cycle: */
    cycle_t cr2_cycle;        /* results completing earlier still report cr2_before */
    uint64_t pdpte[4];
    paging_ctx_t pc;
    uint16_t pcid;
    unsigned class_shift[NUM_PSC];   /* per page-size class in the current mode */
    unsigned pwc_latency;            /* P: 0 when no PWC of the current mode has entries */

    /* structures */
    tlb_t tlb[NUM_TLBS];
    bool two_ports, has_l2;
    pwc_t pwc;

    /* timing (docs/timing.md) */
    cycle_t port_free[MMU_MAX_PORTS];
    cycle_t walker_free;
    cycle_t last_issue;       /* issue cycle of the latest submission */
    cycle_t horizon;          /* earliest issue cycle allowed */
    cycle_t last_complete;    /* latest completion so far */
    bool any_complete;
    req_queue_t queue[MMU_MAX_PORTS];
    miss_t miss[MMU_MAX_PORTS];
    uint64_t next_seq;
    pf_inval_t pf_pending[MMU_MAX_PORTS];
    bool pf_any;              /* a #PF completed: neither port accepts on cycle pf_cycle */
    cycle_t pf_cycle;

    mmu_stats_t stats;
    mmu_memop_fn memop_fn;
    void *memop_ctx;
};

/* Recomputes everything derived from CR0/CR3/CR4/EFER. */
void mmu_update_derived(mmu_t *m);

/* One timed walker memory operation at *t (docs/timing.md step 7); advances *t to
 * its completion. Returns the value read (or written). */
uint64_t walker_memop(mmu_t *m, cycle_t *t, paddr_t pa, unsigned size, bool is_write, uint64_t value);

/* Serves an L1 miss granted at cycle s: L2 lookup, then a walk. Fills res and
 * returns the completion cycle. */
cycle_t walker_serve(mmu_t *m, mmu_port_t port, const mmu_req_t *req, cycle_t s, mmu_result_t *res);

/* Writes the fill of a completed translation into the L1 of `port` (and optionally the L2). */
void tlb_fill_translation(mmu_t *m, tlb_id_t id, vaddr_t va, page_class_t cls, const tlb_entry_t *value);

static inline tlb_id_t l1_of_port(const mmu_t *m, mmu_port_t port)
{
    return m->two_ports && port == PORT_I ? TLB_ITLB : TLB_DTLB;
}

/* Looks up every class of a TLB, smallest first (the smallest class wins). */
static inline tlb_entry_t *tlb_lookup(mmu_t *m, tlb_id_t id, vaddr_t va, page_class_t *cls, unsigned *way)
{
    for (int c = 0; c < NUM_PSC; c++) {
        tlb_entry_t *e = tlb_array_find(&m->tlb[id].cls[c], va, m->class_shift[c], m->pcid, way);
        if (e) {
            *cls = (page_class_t)c;
            return e;
        }
    }
    return NULL;
}

/* Is a TLB hit usable, or must it be dropped (dirty assist / rights recheck)? */
static inline bool tlb_hit_usable(mmu_t *m, tlb_id_t id, tlb_entry_t *e, const mmu_req_t *req, mmu_result_t *res)
{
    if (req->access == ACC_WRITE && !e->dirty) {
        res->dirty_assist = true;
        m->stats.dirty_assists++;
    } else if (rights_violation(&m->pc, e->rights, req)) {
        m->stats.rights_rechecks++;
    } else {
        return true;
    }
    e->key = 0;
    m->stats.tlb[id].dropped++;
    return false;
}

/* Probes one TLB for va; on a usable hit writes pa/page_shift into res and returns true.
 * Inline: it is the whole of the L1 hit path. */
static inline __attribute__((always_inline)) bool mmu_tlb_probe(mmu_t *m, tlb_id_t id, vaddr_t va, const mmu_req_t *req, mmu_result_t *res,
                   page_class_t *cls_out)
{
    page_class_t cls;
    unsigned way;
    tlb_entry_t *e = tlb_lookup(m, id, va, &cls, &way);
    if (!e || !tlb_hit_usable(m, id, e, req, res))
        return false;
    tlb_array_t *arr = &m->tlb[id].cls[cls];
    if (arr->repl == REPL_LRU)
        e->last_use = ++arr->clock;   /* the probe already holds the entry */
    else
        tlb_array_touch(arr, va, m->class_shift[cls], way);
    m->stats.tlb[id].hits[cls]++;
    unsigned shift = m->class_shift[cls];
    res->pa = e->frame | (va & ((1ull << shift) - 1));
    res->page_shift = (uint8_t)shift;
    *cls_out = cls;
    return true;
}

#endif
