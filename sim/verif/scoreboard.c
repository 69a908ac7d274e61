/* The staleness scoreboard: which translation contexts may have left TLB or PWC entries
 * for a VA granule (per PCID, or global), and whether tables were remapped since the last
 * full flush. A translation's PA is checked against the shadow only when no stale entry can
 * be involved (docs/verification.md, "self-checks"). */
#include "stimgen_int.h"

/* --- staleness: which cached entries could disagree with the tables ----------- */

static void full_flush(sg_t *g)
{
    memset(g->tk, 0, TK_SLOTS * sizeof *g->tk);
    g->tk_used = 0;
    g->remapped = false;
    g->nctx = 0;
    g->overflow = false;
}

static uint64_t tk_key(unsigned tag, unsigned gsh, uint64_t vpn)
{
    return (vpn << 19) | ((uint64_t)gsh << 13) | tag;   /* gsh >= 12: never 0 */
}

static unsigned tk_tag(uint64_t key)
{
    return (unsigned)(key & 0x1fff);
}

/* The slot of key, created if asked (NULL when absent, or the table is too full). */
static tk_slot_t *tk_slot(sg_t *g, uint64_t key, bool create)
{
    uint64_t h = key * 0x9e3779b97f4a7c15ull;
    for (unsigned i = 0, at = (unsigned)(h >> 50) & (TK_SLOTS - 1); i < TK_SLOTS; i++, at = (at + 1) & (TK_SLOTS - 1)) {
        tk_slot_t *t = &g->tk[at];
        if (t->key == key)
            return t;
        if (t->key == 0) {
            if (!create || g->tk_used >= TK_SLOTS * 3 / 4)
                return NULL;
            t->key = key;
            g->tk_used++;
            return t;
        }
    }
    return NULL;
}

void sg_apply_flush(sg_t *g, tflush_t fl, uint16_t pcid)
{
    if (fl == REF_FLUSH_ALL) {
        full_flush(g);
        return;
    }
    if (fl == REF_FLUSH_NONE)
        return;
    for (unsigned i = 0; i < TK_SLOTS; i++) {
        unsigned tag = tk_tag(g->tk[i].key);
        if (g->tk[i].key && tag != TK_GLOBAL && (fl == REF_FLUSH_NONGLOBAL || tag == pcid))
            g->tk[i].mask = 0;
    }
}

/* The current translation context (mode, tables, PSE), or -1 if there are too many. */
static int ctx_index(sg_t *g)
{
    paging_mode_t mode = ref_cpu_mode(&g->cpu);
    ctxkey_t k = {.mode = mode, .base = ref_cr3_table(g->M, mode, g->cpu.cr3),
                  .pse = mode == PAGING_32 && (g->cpu.cr4 & CR4_PSE)};
    for (unsigned i = 0; i < g->nctx; i++)
        if (g->ctx[i].mode == k.mode && g->ctx[i].base == k.base && g->ctx[i].pse == k.pse)
            return (int)i;
    if (g->nctx == MAX_CTX) {
        g->overflow = true;
        return -1;
    }
    g->ctx[g->nctx] = k;
    return (int)g->nctx++;
}

/* Decides whether the access can be PA-checked (no TLB or PWC entry that another
 * context filled can serve it, and no table was remapped), then records what it may fill. */
bool sg_note_access(sg_t *g, vaddr_t va)
{
    static const unsigned granules[] = {12, 21, 22, 30, 39, 48};
    paging_mode_t mode = ref_cpu_mode(&g->cpu);
    if (mode == PAGING_OFF)
        return false;
    int ci = ctx_index(g);
    if (ci < 0)
        return false;
    uint64_t bit = 1ull << ci;
    vaddr_t vu = mode <= PAGING_PAE ? va & 0xffffffffull : va & ((1ull << 57) - 1);
    unsigned pcid = ref_cpu_pcid(&g->cpu);
    bool pge = g->cpu.cr4 & CR4_PGE;
    bool ok = !g->remapped && !g->overflow;
    for (unsigned i = 0; i < sizeof granules / sizeof granules[0]; i++) {
        unsigned gsh = granules[i];
        tk_slot_t *t = tk_slot(g, tk_key(pcid, gsh, vu >> gsh), true);
        if (!t) {
            g->overflow = true;
            return false;
        }
        ok = ok && !(t->mask & ~bit);
        t->mask |= bit;
        if (gsh > 30)
            continue;                            /* global entries are TLB entries only */
        t = tk_slot(g, tk_key(TK_GLOBAL, gsh, vu >> gsh), pge);
        if (!t && pge) {
            g->overflow = true;
            return false;
        }
        if (t) {
            ok = ok && !(t->mask & ~bit);
            if (pge)
                t->mask |= bit;
        }
    }
    return ok;
}
