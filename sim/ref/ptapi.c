/* libmmulab's page-table building (mmulab.h, mmulab_pt_*): sim/os/ptbuild.c over the checker's
 * memory (or a model's, mmulab_model_pt_create). In a checker, entries a mapping changes enter
 * the write log like mirrored writes, so a translation the old entry gave stays permitted until
 * it is invalidated. */
#include "ref_int.h"

#include <stdlib.h>

#include "ptbuild.h"


static const paging_mode_t modes[] = {
    [MMULAB_MODE_32BIT] = PAGING_32, [MMULAB_MODE_PAE] = PAGING_PAE,
    [MMULAB_MODE_4LEVEL] = PAGING_4LEVEL, [MMULAB_MODE_5LEVEL] = PAGING_5LEVEL,
};

/* One frame allocator per memory: every address space of a handle draws from one range
 * (*base, *limit: the handle's, 0 until the first address space). */
mmulab_pt_t *ref_pt_create(physmem_t *mem, uint64_t *base, uint64_t *limit, mmulab_ref_t *log_to, int mode,
                           uint64_t frame_base, uint64_t frame_limit)
{
    if (!mem || mode < MMULAB_MODE_32BIT || mode > MMULAB_MODE_5LEVEL || (frame_base & 0xfff) ||
        (frame_limit & 0xfff) || frame_base >= frame_limit)
        return NULL;
    if (*limit && (frame_base != *base || frame_limit != *limit))
        return NULL;
    if (!*limit) {
        physmem_set_frame_range(mem, frame_base, frame_limit);
        *base = frame_base;
        *limit = frame_limit;
    }
    mmulab_pt_t *pt = calloc(1, sizeof *pt);
    if (!pt)
        return NULL;
    pt->ref = log_to;
    pt->mem = mem;
    if (ptb_init(&pt->b, mem, modes[mode])) {
        free(pt);
        return NULL;
    }
    return pt;
}

mmulab_pt_t *mmulab_pt_create(mmulab_ref_t *r, int mode, uint64_t frame_base, uint64_t frame_limit)
{
    if (!r)
        return NULL;
    return ref_pt_create(r->mem, &r->frame_base, &r->frame_limit, r, mode, frame_base, frame_limit);
}

void mmulab_pt_destroy(mmulab_pt_t *pt)
{
    free(pt);   /* the tables stay in memory */
}

uint64_t mmulab_pt_cr3(const mmulab_pt_t *pt)
{
    return pt ? ptb_cr3(&pt->b) : 0;
}

int mmulab_pt_map(mmulab_pt_t *pt, uint64_t va, uint64_t pa, unsigned page_shift, uint64_t leaf_flags,
                  uint64_t table_flags)
{
    if (!pt)
        return MMULAB_E_ARG;
    const ptbuild_t *b = &pt->b;
    unsigned size = b->mode == PAGING_32 ? 4 : 8;
    paddr_t ea[MAX_LEVELS + 1] = {0};
    uint64_t before[MAX_LEVELS + 1] = {0};
    for (int l = 1; l <= MAX_LEVELS; l++) {
        ea[l] = ptb_entry_addr(b, va, l);
        before[l] = ea[l] ? ptb_read_entry(b, ea[l]) : 0;
    }
    if (ptb_map(&pt->b, va, pa, page_shift, leaf_flags, table_flags))
        return MMULAB_E_MAP;
    /* replay the changed entries that existed before through the write log */
    for (int l = 1; l <= MAX_LEVELS; l++) {
        if (!ea[l] || ptb_entry_addr(b, va, l) != ea[l])
            continue;
        uint64_t now = ptb_read_entry(b, ea[l]);
        if (now == before[l])
            continue;
        if (!pt->ref)
            continue;            /* a model's memory keeps no history */
        ptb_write_entry(b, ea[l], before[l]);
        int rc = ref_write_logged(pt->ref, ea[l], now, size);
        if (rc)
            return rc;
    }
    return MMULAB_OK;
}

uint64_t mmulab_pt_entry_addr(const mmulab_pt_t *pt, uint64_t va, int level)
{
    if (!pt || level < 1 || level > MAX_LEVELS)
        return 0;
    return ptb_entry_addr(&pt->b, va, level);
}

typedef struct {
    mmulab_word_fn fn;
    void *ctx;
} visit_t;

static void visit_page(void *ctx, paddr_t pa, const uint8_t *page)
{
    const visit_t *v = ctx;
    for (unsigned off = 0; off < 4096; off += 8) {
        uint64_t w = 0;
        for (unsigned k = 0; k < 8; k++)
            w |= (uint64_t)page[off + k] << (8 * k);
        v->fn(v->ctx, pa + off, w);
    }
}

int mmulab_pt_for_each_write(mmulab_pt_t *pt, mmulab_word_fn fn, void *ctx)
{
    if (!pt || !fn)
        return MMULAB_E_ARG;
    physmem_t *copy = physmem_create(physmem_maxphyaddr(pt->mem));
    if (!copy)
        return MMULAB_E_NOMEM;
    long n = physmem_copy_backdoor(pt->mem, copy);
    physmem_track_backdoor(pt->mem, true);   /* keep tracking for the next call */
    if (n < 0) {
        physmem_destroy(copy);
        return MMULAB_E_NOMEM;
    }
    visit_t v = {fn, ctx};
    physmem_for_each_page(copy, visit_page, &v);
    physmem_destroy(copy);
    return MMULAB_OK;
}
