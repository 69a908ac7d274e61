/* Page-table builder: writes paging structures of any mode into physical
 * memory. Used by the tests, the workload generators and the OS layer, so
 * they all speak the same vocabulary (level, entry, table base, leaf size). */
#ifndef MMULAB_PTBUILD_H
#define MMULAB_PTBUILD_H

#include "physmem.h"
#include "types.h"

/* Where new tables come from: the OS layer counts its page-table frames
 * (sim/os/frames.c). NULL in a ptbuild_t: the physmem frame allocator. */
typedef struct {
    paddr_t (*alloc_table)(void *ctx);   /* a zeroed frame, or 0 */
    void *ctx;
} ptb_allocator_t;

typedef struct {
    physmem_t *mem;
    paging_mode_t mode;      /* PAGING_32, PAGING_PAE, PAGING_4LEVEL or PAGING_5LEVEL */
    paddr_t root;            /* top table (PAE: the 32-byte-aligned PDPT) */
    unsigned maxphyaddr;
    const ptb_allocator_t *alloc;   /* NULL: physmem_alloc_frame */
} ptbuild_t;

/* An entry "exists" when it is non-zero (so a path built with table flags lacking P
 * can be extended). 32-bit tables and the PAE PDPT are kept below 4 GiB. */

/* Default flags for intermediate entries created by ptb_map. */
#define PTB_TABLE_FLAGS (PTE_P | PTE_RW | PTE_US | PTE_A)

/* Allocates the top table from the frame allocator. Returns 0 or -1. */
int ptb_init(ptbuild_t *b, physmem_t *mem, paging_mode_t mode);

/* A builder over an existing top table `root` whose new tables come from
 * alloc (NULL: the physmem allocator). Returns 0 or -1 (bad mode or root). */
int ptb_attach(ptbuild_t *b, physmem_t *mem, paging_mode_t mode, paddr_t root,
               const ptb_allocator_t *alloc);

/* Value to write to CR3 for this table (PCID / flag bits 0). */
uint64_t ptb_cr3(const ptbuild_t *b);

/* Maps the page of size 1 << page_shift (12; 21 or 22 for PS leaves; 30) at
 * va to pa. leaf_flags are or'ed into the leaf (PTE_P is not implied, PTE_PS
 * is added for large leaves; PTE_PKEY(k) puts protection key k in a 4/5-level leaf); missing intermediate tables are allocated and
 * their entries get table_flags (in PAE, PDPTEs keep only P, PWT and PCD).
 * Returns 0, or -1 if the size is impossible in the mode, va/pa are not
 * aligned, or a large leaf is in the way of a table (or vice versa). */
int ptb_map(ptbuild_t *b, vaddr_t va, paddr_t pa, unsigned page_shift,
            uint64_t leaf_flags, uint64_t table_flags);

/* Physical address of the entry at `level` on va's path (PAE level 3: the
 * PDPTE in the PDPT), or 0 if the path ends above that level. */
paddr_t ptb_entry_addr(const ptbuild_t *b, vaddr_t va, int level);

/* Reads / writes an entry (4 or 8 bytes by mode). */
uint64_t ptb_read_entry(const ptbuild_t *b, paddr_t entry_pa);
void ptb_write_entry(const ptbuild_t *b, paddr_t entry_pa, uint64_t value);

/* Clears the leaf mapping va (and nothing else); returns 0 or -1 if none. */
int ptb_unmap(ptbuild_t *b, vaddr_t va);

/* The paging level of va's leaf (LVL_PT .. LVL_PDPT), with its entry address
 * in *entry_pa; 0 if the path ends at a zero entry (then *entry_pa is that
 * entry's address and *level_out its level, so callers can tell where). */
int ptb_lookup(const ptbuild_t *b, vaddr_t va, paddr_t *entry_pa, int *level_out);

/* Top level of the mode (2, 3, 4 or 5). The rest of the level geometry (the low VA
 * bit a level indexes, the entries in one table) is model/paging.h's level_shift and
 * level_entries. */
int ptb_top_level(paging_mode_t mode);

/* Base of the next table held by a non-leaf entry, and whether an entry at
 * `level` is a large leaf (PS where the mode allows it). */
paddr_t ptb_table_base(const ptbuild_t *b, uint64_t entry);
bool ptb_is_large_leaf(const ptbuild_t *b, int level, uint64_t entry);

/* Address of the entry at `level` on va's path, creating the missing tables
 * above it (their entries get table_flags, PAE PDPTEs only P/PWT/PCD).
 * Returns 0 if a large leaf is in the way or no frame is left. */
paddr_t ptb_walk_alloc(ptbuild_t *b, vaddr_t va, int level, uint64_t table_flags);

/* Is every entry of the table at pa zero? */
bool ptb_table_empty(const ptbuild_t *b, paddr_t table, int level);

#endif
