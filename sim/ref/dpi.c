/* The C side of the SystemVerilog DPI-C package rtl/dpi/mmulab_dpi.sv: mmulab.h in the types
 * DPI-C passes directly (chandle = void *, int, longint unsigned = uint64_t, string =
 * const char *), so it needs no svdpi.h and lives in libmmulab itself: a testbench links
 * -lmmulab and compiles mmulab_dpi.sv, nothing else.
 *
 * Contracts (docs/reference-model.md): every function takes the handle mmulab_dpi_create
 * returned; status values are mmulab.h's; the reason of the last mismatch or error of a
 * handle is mmulab_dpi_why (valid until the next call on the handle). */
#include "mmulab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    mmulab_ref_t *ref;
    char why[512];
} dpi_ref_t;

typedef struct {
    mmulab_pt_t *pt;
    uint64_t *words;             /* pa, value pairs of the last mmulab_dpi_pt_collect */
    size_t n, cap, next;
} dpi_pt_t;

static void note(dpi_ref_t *d, int rc, const char *what)
{
    if (rc < 0)
        snprintf(d->why, sizeof d->why, "%s: error %d", what, rc);
}

void *mmulab_dpi_create(int maxphyaddr)
{
    dpi_ref_t *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->ref = mmulab_ref_create((unsigned)maxphyaddr);
    if (!d->ref) {
        free(d);
        return NULL;
    }
    return d;
}

void mmulab_dpi_destroy(void *h)
{
    dpi_ref_t *d = h;
    if (!d)
        return;
    mmulab_ref_destroy(d->ref);
    free(d);
}

int mmulab_dpi_reset(void *h)
{
    return h ? mmulab_ref_reset(((dpi_ref_t *)h)->ref) : MMULAB_E_ARG;
}

int mmulab_dpi_mem_write(void *h, uint64_t pa, uint64_t value, int size)
{
    if (!h)
        return MMULAB_E_ARG;
    dpi_ref_t *d = h;
    int rc = mmulab_ref_mem_write(d->ref, pa, value, (unsigned)size);
    note(d, rc, "mem_write");
    return rc;
}

uint64_t mmulab_dpi_mem_read(void *h, uint64_t pa, int size)
{
    uint64_t v = 0;
    if (h)
        mmulab_ref_mem_read(((dpi_ref_t *)h)->ref, pa, (unsigned)size, &v);
    return v;
}

int mmulab_dpi_ad_write(void *h, uint64_t pa, uint64_t value, int size)
{
    if (!h)
        return MMULAB_E_ARG;
    dpi_ref_t *d = h;
    return mmulab_ref_ad_write(d->ref, pa, value, (unsigned)size, d->why, sizeof d->why);
}

int mmulab_dpi_write_reg(void *h, int reg, uint64_t value)
{
    if (!h)
        return MMULAB_E_ARG;
    dpi_ref_t *d = h;
    int rc = mmulab_ref_write_reg(d->ref, reg, value);
    note(d, rc, "write_reg");
    return rc;
}

int mmulab_dpi_invlpg(void *h, uint64_t va)
{
    return h ? mmulab_ref_invlpg(((dpi_ref_t *)h)->ref, va) : MMULAB_E_ARG;
}

int mmulab_dpi_invpcid(void *h, int type, uint64_t pcid, uint64_t va)
{
    return h ? mmulab_ref_invpcid(((dpi_ref_t *)h)->ref, (unsigned)type, pcid, va) : MMULAB_E_ARG;
}

int mmulab_dpi_check(void *h, uint64_t va, int access, int cpl, int ac, int implicit, int fault, int error_code,
                     uint64_t pa, int page_shift)
{
    if (!h)
        return MMULAB_E_ARG;
    dpi_ref_t *d = h;
    mmulab_access_t a = {.va = va, .access = access, .cpl = (unsigned)cpl, .ac = ac, .implicit = implicit};
    mmulab_result_t r = {.fault = fault, .error_code = (uint32_t)error_code, .pa = pa, .page_shift = (unsigned)page_shift};
    int rc = mmulab_ref_check(d->ref, &a, &r, d->why, sizeof d->why);
    note(d, rc, "check");
    return rc;
}

const char *mmulab_dpi_why(void *h)
{
    return h ? ((dpi_ref_t *)h)->why : "no reference handle";
}

/* stats: 0 checks, 1 mismatches, 2 checks only a cached (stale) translation explains, 3 A/D writes */
uint64_t mmulab_dpi_stat(void *h, int which)
{
    mmulab_ref_stats_t s;
    if (!h || mmulab_ref_get_stats(((dpi_ref_t *)h)->ref, &s))
        return 0;
    switch (which) {
    case 0: return s.checks;
    case 1: return s.mismatches;
    case 2: return s.stale_permitted;
    case 3: return s.ad_writes;
    default: return 0;
    }
}

void *mmulab_dpi_pt_create(void *h, int mode, uint64_t frame_base, uint64_t frame_limit)
{
    if (!h)
        return NULL;
    dpi_pt_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->pt = mmulab_pt_create(((dpi_ref_t *)h)->ref, mode, frame_base, frame_limit);
    if (!p->pt) {
        free(p);
        return NULL;
    }
    return p;
}

void mmulab_dpi_pt_destroy(void *hp)
{
    dpi_pt_t *p = hp;
    if (!p)
        return;
    mmulab_pt_destroy(p->pt);
    free(p->words);
    free(p);
}

int mmulab_dpi_pt_map(void *hp, uint64_t va, uint64_t pa, int page_shift, uint64_t leaf_flags, uint64_t table_flags)
{
    return hp ? mmulab_pt_map(((dpi_pt_t *)hp)->pt, va, pa, (unsigned)page_shift, leaf_flags, table_flags) : MMULAB_E_ARG;
}

uint64_t mmulab_dpi_pt_cr3(void *hp)
{
    return hp ? mmulab_pt_cr3(((dpi_pt_t *)hp)->pt) : 0;
}

uint64_t mmulab_dpi_pt_entry_addr(void *hp, uint64_t va, int level)
{
    return hp ? mmulab_pt_entry_addr(((dpi_pt_t *)hp)->pt, va, level) : 0;
}

static void collect_word(void *ctx, uint64_t pa, uint64_t value)
{
    dpi_pt_t *p = ctx;
    if (value == 0)
        return;                  /* absent memory reads as zero: only non-zero words matter */
    if (p->n + 2 > p->cap) {
        size_t ncap = p->cap ? p->cap * 2 : 1024;
        uint64_t *w = realloc(p->words, ncap * sizeof *w);
        if (!w)
            return;
        p->words = w;
        p->cap = ncap;
    }
    p->words[p->n++] = pa;
    p->words[p->n++] = value;
}

/* Gathers the non-zero words written since the last call; mmulab_dpi_pt_next hands them out. */
int mmulab_dpi_pt_collect(void *hp)
{
    dpi_pt_t *p = hp;
    if (!p)
        return MMULAB_E_ARG;
    p->n = p->next = 0;
    return mmulab_pt_for_each_write(p->pt, collect_word, p);
}

int mmulab_dpi_pt_next(void *hp, uint64_t *pa, uint64_t *value)
{
    dpi_pt_t *p = hp;
    if (!p || p->next >= p->n)
        return 0;
    *pa = p->words[p->next++];
    *value = p->words[p->next++];
    return 1;
}
