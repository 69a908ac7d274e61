/* A TLB: one set-associative array per page-size class, PCID-tagged, with
 * selectable replacement (docs/semantics.md section 5). */
#ifndef MMULAB_TLB_H
#define MMULAB_TLB_H

#include "config.h"
#include "stats.h"
#include "types.h"

#include <stddef.h>

typedef struct {
    uint64_t key;          /* (VPN << 1) | 1 while valid, 0 when invalid */
    paddr_t frame;         /* page base */
    uint64_t last_use;     /* lru: value of the array's clock at the latest hit or fill */
    uint16_t pcid;
    uint8_t rights;        /* RIGHT_* */
    bool global, dirty;
} tlb_entry_t;

typedef struct {
    unsigned sets, ways;   /* ways == 0: this class is not cached */
    unsigned set_mask;
    int repl;              /* REPL_* */
    tlb_entry_t *entries;  /* [set * ways + way] */
    uint64_t clock;        /* lru: ticks on every hit and fill (true LRU by timestamps; the RTL
                              keeps ranks, which orders the ways identically) */
    uint32_t *plru;        /* plru: node bits per set, node 1 = root */
    uint32_t lfsr;         /* random */
} tlb_array_t;

typedef struct {
    tlb_array_t cls[NUM_PSC];
    unsigned max_sets;     /* largest sets among classes with ways > 0 */
} tlb_t;

/* Geometry per class: sets[c], ways[c]. id picks the LFSR seed (docs section 5). */
int tlb_init(tlb_t *t, const unsigned sets[NUM_PSC], const unsigned ways[NUM_PSC], int repl,
             uint32_t seed, unsigned id);
void tlb_free(tlb_t *t);
void tlb_reset(tlb_t *t, uint32_t seed, unsigned id);

static inline uint64_t tlb_key(vaddr_t va, unsigned shift)
{
    return ((va >> shift) << 1) | 1;
}

/* Finds the entry of class cls that maps va for pcid; NULL if none. Does not touch replacement state. */
static inline tlb_entry_t *tlb_array_find(tlb_array_t *a, vaddr_t va, unsigned shift, uint16_t pcid,
                                          unsigned *way_out)
{
    if (a->ways == 0)
        return NULL;
    uint64_t key = tlb_key(va, shift);
    tlb_entry_t *set = &a->entries[(size_t)((va >> shift) & a->set_mask) * a->ways];
    /* Every way is compared and the lowest match kept without a branch per way: which way
     * hits is data, and a mispredicted early exit cost more than the whole compare. */
    unsigned hit = a->ways;
    for (unsigned w = a->ways; w-- > 0;) {
        const tlb_entry_t *e = &set[w];
        bool match = (e->key == key) & (e->global | (e->pcid == pcid));
        hit = match ? w : hit;
    }
    if (hit == a->ways)
        return NULL;
    *way_out = hit;
    return &set[hit];
}

void tlb_plru_touch(uint32_t *bits, unsigned ways, unsigned way);

/* Records a hit or fill of (set of va, way) for lru/plru. */
static inline void tlb_array_touch(tlb_array_t *a, vaddr_t va, unsigned shift, unsigned way)
{
    size_t set = (size_t)((va >> shift) & a->set_mask);
    if (a->repl == REPL_LRU)
        a->entries[set * a->ways + way].last_use = ++a->clock;
    else if (a->repl == REPL_PLRU)
        tlb_plru_touch(&a->plru[set], a->ways, way);
}

/* Inserts an entry for va (caller guarantees no valid duplicate). Returns true if a valid entry was evicted. */
bool tlb_array_fill(tlb_array_t *a, vaddr_t va, unsigned shift, const tlb_entry_t *value);

/* Which entries an invalidation removes (docs/semantics.md section 8). */
typedef struct {
    bool by_va;            /* only entries whose page contains va */
    vaddr_t va;
    bool by_pcid;          /* only entries tagged with pcid ... */
    uint16_t pcid;
    bool keep_global;      /* global entries survive */
    bool global_any_pcid;  /* global entries match whatever their PCID tag (INVLPG) */
} tlb_inval_t;

/* Returns the number of valid entries invalidated. shifts[c] = class_shift(mode, c). */
unsigned tlb_invalidate(tlb_t *t, const tlb_inval_t *f, const unsigned shifts[NUM_PSC]);

#endif
