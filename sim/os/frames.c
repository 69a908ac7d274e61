/* The OS layer's frame allocator: physmem's allocator (lowest free frame
 * first, zeroed) with a use recorded per frame of RAM, so every frame is
 * accounted as page table, user page, kernel data or free, and a leak shows
 * as a count that does not return. Page tables built through ptbuild come
 * from frames.pt_alloc, so they are counted too. */
#include "os.h"

#include <stdlib.h>

static paddr_t pt_alloc_cb(void *ctx)
{
    return frames_alloc(ctx, FRAME_PGTABLE);
}

int frames_init(frames_t *f, physmem_t *mem, uint64_t ram, paddr_t base, paddr_t limit)
{
    *f = (frames_t){ .mem = mem, .base = base, .limit = limit, .nframes = ram / PAGE_SIZE };
    f->use = calloc(f->nframes, 1);
    if (!f->use)
        return -1;
    for (uint64_t i = 0; i < f->nframes; i++)
        f->use[i] = (i << PAGE_SHIFT) < base ? FRAME_RESERVED : FRAME_FREE;
    f->count[FRAME_RESERVED] = base / PAGE_SIZE;
    f->count[FRAME_FREE] = f->nframes - f->count[FRAME_RESERVED];
    physmem_set_frame_range(mem, base, limit);
    f->pt_alloc = (ptb_allocator_t){ pt_alloc_cb, f };
    return 0;
}

void frames_fini(frames_t *f)
{
    free(f->use);
    f->use = NULL;
}

static void account(frames_t *f, paddr_t pa, unsigned n, frame_use_t use)
{
    for (unsigned i = 0; i < n; i++) {
        uint64_t pfn = (pa >> PAGE_SHIFT) + i;
        f->count[f->use[pfn]]--;
        f->use[pfn] = (uint8_t)use;
        f->count[use]++;
    }
}

paddr_t frames_alloc(frames_t *f, frame_use_t use)
{
    paddr_t pa = physmem_alloc_frame(f->mem);
    if (pa == 0)
        return 0;
    account(f, pa, 1, use);
    return pa;
}

paddr_t frames_alloc_contig(frames_t *f, unsigned n, uint64_t align, frame_use_t use)
{
    paddr_t pa = physmem_alloc_frames(f->mem, n, align);
    if (pa == 0)
        return 0;
    account(f, pa, n, use);
    return pa;
}

void frames_free(frames_t *f, paddr_t pa)
{
    uint64_t pfn = pa >> PAGE_SHIFT;
    if (pfn >= f->nframes || f->use[pfn] == FRAME_FREE || f->use[pfn] == FRAME_RESERVED)
        return;   /* not ours: the callers only free what they allocated */
    physmem_free_frame(f->mem, pa);
    account(f, pa, 1, FRAME_FREE);
}

uint64_t frames_in_use(const frames_t *f)
{
    return f->count[FRAME_PGTABLE] + f->count[FRAME_USER] + f->count[FRAME_KERNEL];
}
