/* Set-associative TLB arrays and their replacement policies. */
#include "tlb.h"
#include "config.h"

#include <stdlib.h>
#include <string.h>

static uint32_t lfsr_step(uint32_t x)
{
    return (x >> 1) ^ ((x & 1) ? 0xA3000000u : 0);
}

static uint32_t lfsr_seed(uint32_t seed, unsigned array_id)
{
    uint32_t x = (seed ? seed : 1) ^ array_id;
    if (x == 0)
        x = 1;
    return lfsr_step(x);
}

static void array_reset(tlb_array_t *a, uint32_t seed, unsigned array_id)
{
    size_t n = (size_t)a->sets * a->ways;
    if (n) {
        memset(a->entries, 0, n * sizeof *a->entries);
        memset(a->plru, 0, a->sets * sizeof *a->plru);
    }
    a->clock = 0;
    a->lfsr = lfsr_seed(seed, array_id);
}

int tlb_init(tlb_t *t, const unsigned sets[NUM_PSC], const unsigned ways[NUM_PSC], int repl,
             uint32_t seed, unsigned id)
{
    memset(t, 0, sizeof *t);
    for (int c = 0; c < NUM_PSC; c++) {
        tlb_array_t *a = &t->cls[c];
        a->sets = sets[c];
        a->ways = ways[c];
        a->set_mask = sets[c] - 1;
        a->repl = repl;
        size_t n = (size_t)a->sets * a->ways;
        if (n == 0)
            continue;
        a->entries = calloc(n, sizeof *a->entries);
        a->plru = calloc(a->sets, sizeof *a->plru);
        if (!a->entries || !a->plru) {
            tlb_free(t);
            return -1;
        }
        if (a->sets > t->max_sets)
            t->max_sets = a->sets;
    }
    tlb_reset(t, seed, id);
    return 0;
}

void tlb_free(tlb_t *t)
{
    for (int c = 0; c < NUM_PSC; c++) {
        free(t->cls[c].entries);
        free(t->cls[c].plru);
        t->cls[c].entries = NULL;
        t->cls[c].plru = NULL;
    }
}

void tlb_reset(tlb_t *t, uint32_t seed, unsigned id)
{
    for (unsigned c = 0; c < NUM_PSC; c++)
        array_reset(&t->cls[c], seed, id * NUM_PSC + c);
}

/* plru: every node on way's path points away from it (bit 1 = victim on the right). */
void tlb_plru_touch(uint32_t *bits, unsigned ways, unsigned way)
{
    unsigned node = 1;
    for (unsigned half = ways / 2; half >= 1; half /= 2) {
        bool right = way & half;
        if (right)
            *bits &= ~(1u << node);
        else
            *bits |= 1u << node;
        node = 2 * node + (right ? 1 : 0);
    }
}

static unsigned plru_victim(uint32_t bits, unsigned ways)
{
    unsigned node = 1, way = 0;
    for (unsigned half = ways / 2; half >= 1; half /= 2) {
        bool right = bits & (1u << node);
        if (right)
            way |= half;
        node = 2 * node + (right ? 1 : 0);
    }
    return way;
}

static unsigned choose_victim(tlb_array_t *a, size_t set)
{
    tlb_entry_t *row = &a->entries[set * a->ways];
    for (unsigned w = 0; w < a->ways; w++)
        if (!row[w].key)
            return w;
    switch (a->repl) {
    case REPL_LRU: {
        unsigned oldest = 0;
        for (unsigned w = 1; w < a->ways; w++)
            if (row[w].last_use < row[oldest].last_use)
                oldest = w;
        return oldest;
    }
    case REPL_PLRU:
        return plru_victim(a->plru[set], a->ways);
    default: {
        unsigned w = a->lfsr % a->ways;
        a->lfsr = lfsr_step(a->lfsr);
        return w;
    }
    }
}

bool tlb_array_fill(tlb_array_t *a, vaddr_t va, unsigned shift, const tlb_entry_t *value)
{
    if (a->ways == 0)
        return false;
    size_t set = (size_t)((va >> shift) & a->set_mask);
    unsigned way = choose_victim(a, set);
    tlb_entry_t *e = &a->entries[set * a->ways + way];
    bool evicted = e->key != 0;
    *e = *value;
    e->key = tlb_key(va, shift);
    tlb_array_touch(a, va, shift, way);
    return evicted;
}

static bool inval_matches(const tlb_entry_t *e, const tlb_inval_t *f, uint64_t va_key)
{
    if (!e->key)
        return false;
    if (f->by_va && e->key != va_key)
        return false;
    if (e->global) {
        if (f->keep_global)
            return false;
        if (f->global_any_pcid)
            return true;
    }
    return !f->by_pcid || e->pcid == f->pcid;
}

unsigned tlb_invalidate(tlb_t *t, const tlb_inval_t *f, const unsigned shifts[NUM_PSC])
{
    unsigned dropped = 0;
    for (int c = 0; c < NUM_PSC; c++) {
        tlb_array_t *a = &t->cls[c];
        if (!a->ways)
            continue;
        uint64_t va_key = f->by_va ? tlb_key(f->va, shifts[c]) : 0;
        size_t first = 0, count = (size_t)a->sets * a->ways;
        if (f->by_va) {
            first = (size_t)((f->va >> shifts[c]) & a->set_mask) * a->ways;
            count = a->ways;
        }
        for (size_t i = first; i < first + count; i++) {
            if (inval_matches(&a->entries[i], f, va_key)) {
                a->entries[i].key = 0;
                dropped++;
            }
        }
    }
    return dropped;
}
