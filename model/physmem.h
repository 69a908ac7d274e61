/* Sparse, byte-addressed physical memory with a frame allocator and access
 * counters. Pages are allocated on first write; unwritten memory reads as 0. */
#ifndef MMULAB_PHYSMEM_H
#define MMULAB_PHYSMEM_H

#include "types.h"
#include <stddef.h>

#define PAGE_SIZE 4096u
#define PAGE_SHIFT 12

typedef struct physmem physmem_t;

typedef struct {
    uint64_t reads, writes;          /* read32/64 and write32/64 calls */
    uint64_t pages_allocated;        /* backing pages currently held */
    uint64_t frames_allocated;       /* frames handed out by the allocator, not freed */
} physmem_stats_t;

/* maxphyaddr (12..52, else NULL): accesses at or above 1 << maxphyaddr are rejected (return -1).
 * Counters count successful read/write32/64 calls only; peek/poke (table building) are not counted. */
physmem_t *physmem_create(unsigned maxphyaddr);
void physmem_destroy(physmem_t *m);

/* Little-endian accesses; addresses must be naturally aligned. Return 0, or -1
 * for an unaligned or out-of-range address (the value is then untouched / 0). */
int physmem_read32(physmem_t *m, paddr_t pa, uint32_t *v);
int physmem_read64(physmem_t *m, paddr_t pa, uint64_t *v);
int physmem_write32(physmem_t *m, paddr_t pa, uint32_t v);
int physmem_write64(physmem_t *m, paddr_t pa, uint64_t v);

/* Convenience for callers that build tables (never fail on in-range aligned PAs). */
uint64_t physmem_peek64(physmem_t *m, paddr_t pa);
void physmem_poke64(physmem_t *m, paddr_t pa, uint64_t v);

void physmem_poke32(physmem_t *m, paddr_t pa, uint32_t v);

/* The storage of pa's 4 KiB page (allocated, zeroed, on first use): a stable host pointer for
 * the SystemC memory's DMI (sim/tlm). NULL out of range or memory. Not counted, not tracked. */
uint8_t *physmem_page(physmem_t *m, paddr_t pa);

/* Backdoor mirroring, for co-simulation where each side has its own memory:
 * with tracking on, every page the backdoor touches (poke, allocator zeroing)
 * is remembered; physmem_copy_backdoor copies those pages from src to dst and
 * forgets them. Returns the pages copied, or -1 if tracking is off (or was
 * lost to an allocation failure). The walker's read/write traffic is not tracked. */
void physmem_track_backdoor(physmem_t *m, bool on);
long physmem_copy_backdoor(physmem_t *src, physmem_t *dst);

/* 1 if the two memories differ (absent pages read as zero), with the lowest
 * differing byte address in *first_diff; 0 if identical. */
int physmem_diff(const physmem_t *a, const physmem_t *b, paddr_t *first_diff);

/* Frame allocator: hands out zeroed 4 KiB frames from [base, limit), lowest
 * first, reusing freed ones (zeroed in place). Returns 0 when exhausted (frame 0 is
 * never handed out). Setting the range frees every frame in it. */
void physmem_set_frame_range(physmem_t *m, paddr_t base, paddr_t limit);
paddr_t physmem_alloc_frame(physmem_t *m);
/* Allocates n contiguous frames aligned to align bytes (power of two >= 4096). */
paddr_t physmem_alloc_frames(physmem_t *m, unsigned n, uint64_t align);
void physmem_free_frame(physmem_t *m, paddr_t pa);

const physmem_stats_t *physmem_stats(const physmem_t *m);
void physmem_reset_counters(physmem_t *m);

/* Visits every allocated page in ascending address order (for image compare/dump). */
typedef void (*physmem_page_fn)(void *ctx, paddr_t pa, const uint8_t *page);
void physmem_for_each_page(const physmem_t *m, physmem_page_fn fn, void *ctx);

unsigned physmem_maxphyaddr(const physmem_t *m);

#endif
