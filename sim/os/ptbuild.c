/* Page-table builder for 32-bit, PAE, 4-level and 5-level paging.
 *
 * The builder's notion of "an entry exists" is "the entry is non-zero", not
 * P=1: callers may build paths with table_flags lacking P (to provoke
 * not-present faults) and still extend them later. Entries are accessed with
 * physmem_peek64/poke64 so table building never shows up in the memory
 * access counters of the walker. */
#include "ptbuild.h"
#include "paging.h"   /* the level geometry (level_shift, level_index) of the model */

#include <string.h>

#define ADDR_32BIT_MASK 0xFFFFF000ull     /* 32-bit entry: table / 4 KiB page base */
#define PDE32_4M_BASE_MASK 0xFFC00000ull  /* 32-bit 4 MiB PDE: PA[31:22] */
#define PDE32_PSE36_SHIFT 13              /* PA[39:32] live in PDE[20:13] */
#define PSE36_PA_BITS 40
#define PDPTE_KEPT_FLAGS (PTE_P | PTE_PWT | PTE_PCD)

static bool mode_supported(paging_mode_t mode)
{
    return mode == PAGING_32 || mode == PAGING_PAE || mode == PAGING_4LEVEL ||
           mode == PAGING_5LEVEL;
}

static bool builder_ok(const ptbuild_t *b)
{
    return b && b->mem && mode_supported(b->mode);
}

static int top_level(paging_mode_t mode)
{
    switch (mode) {
    case PAGING_32:     return LVL_PD;
    case PAGING_PAE:    return LVL_PDPT;
    case PAGING_4LEVEL: return LVL_PML4;
    default:            return LVL_PML5;
    }
}

static unsigned entry_size(paging_mode_t mode)
{
    return mode == PAGING_32 ? 4 : 8;
}

static paddr_t entry_addr_in(const ptbuild_t *b, paddr_t table, vaddr_t va, int level)
{
    return table + level_index(b->mode, level, va) * entry_size(b->mode);
}

/* Next-table base held by a non-leaf entry. */
static paddr_t table_base_of(const ptbuild_t *b, uint64_t entry)
{
    if (b->mode == PAGING_32)
        return entry & ADDR_32BIT_MASK;
    return entry & ((1ull << b->maxphyaddr) - 1) & ~(uint64_t)(PAGE_SIZE - 1);
}

/* PS=1 makes a leaf only where the mode allows large pages (never in a PAE
 * PDPTE, a PML4E or a PML5E). */
static bool is_large_leaf(const ptbuild_t *b, int level, uint64_t entry)
{
    if (!(entry & PTE_PS))
        return false;
    return level == LVL_PD || (level == LVL_PDPT && b->mode >= PAGING_4LEVEL);
}

static int leaf_level_for(paging_mode_t mode, unsigned page_shift)
{
    switch (page_shift) {
    case 12: return LVL_PT;
    case 21: return mode == PAGING_PAE || mode >= PAGING_4LEVEL ? LVL_PD : 0;
    case 22: return mode == PAGING_32 ? LVL_PD : 0;
    case 30: return mode >= PAGING_4LEVEL ? LVL_PDPT : 0;
    default: return 0;
    }
}

/* The VA as the mode uses it; false if the mode cannot translate it at all. */
static bool effective_va(const ptbuild_t *b, vaddr_t va, vaddr_t *out)
{
    switch (b->mode) {
    case PAGING_32:
    case PAGING_PAE:
        *out = va & 0xFFFFFFFFull;    /* the linear address is 32 bits wide */
        return true;
    case PAGING_4LEVEL:
        *out = va;
        return (vaddr_t)((int64_t)(va << 16) >> 16) == va;
    default:
        *out = va;
        return (vaddr_t)((int64_t)(va << 7) >> 7) == va;
    }
}

/* Width of the physical addresses a leaf of this size can hold. */
static unsigned leaf_pa_bits(const ptbuild_t *b, unsigned page_shift)
{
    unsigned bits = b->maxphyaddr;
    if (b->mode == PAGING_32) {
        unsigned format_bits = page_shift == 22 ? PSE36_PA_BITS : 32;
        if (format_bits < bits)
            bits = format_bits;
    }
    return bits;
}

static uint64_t leaf_entry(const ptbuild_t *b, paddr_t pa, unsigned page_shift, uint64_t flags)
{
    if (page_shift == 12)
        return pa | flags;
    if (b->mode == PAGING_32)
        return (pa & PDE32_4M_BASE_MASK) | (((pa >> 32) & 0xFF) << PDE32_PSE36_SHIFT) | flags | PTE_PS;
    return pa | flags | PTE_PS;
}

uint64_t ptb_read_entry(const ptbuild_t *b, paddr_t entry_pa)
{
    if (!builder_ok(b))
        return 0;
    if (entry_size(b->mode) == 8)
        return physmem_peek64(b->mem, entry_pa);
    if (entry_pa & 3)
        return 0;
    uint64_t word = physmem_peek64(b->mem, entry_pa & ~7ull);
    return (word >> (8 * (entry_pa & 4))) & 0xFFFFFFFFull;
}

void ptb_write_entry(const ptbuild_t *b, paddr_t entry_pa, uint64_t value)
{
    if (!builder_ok(b))
        return;
    if (entry_size(b->mode) == 8) {
        physmem_poke64(b->mem, entry_pa, value);
        return;
    }
    if (entry_pa & 3)
        return;
    /* A 4-byte entry shares its 8-byte word with a neighbour: merge. */
    paddr_t word_pa = entry_pa & ~7ull;
    unsigned shift = 8 * (unsigned)(entry_pa & 4);
    uint64_t word = physmem_peek64(b->mem, word_pa);
    word = (word & ~(0xFFFFFFFFull << shift)) | ((value & 0xFFFFFFFFull) << shift);
    physmem_poke64(b->mem, word_pa, word);
}

/* A zeroed table frame; 0 if none. In 32-bit paging every table, and in PAE
 * the PDPT, must lie below 4 GiB (their addresses are 32-bit fields). */
static paddr_t alloc_table(const ptbuild_t *b, bool below_4g)
{
    paddr_t pa = b->alloc ? b->alloc->alloc_table(b->alloc->ctx) : physmem_alloc_frame(b->mem);
    if (pa != 0 && below_4g && (pa >> 32) != 0) {
        if (!b->alloc)
            physmem_free_frame(b->mem, pa);
        return 0;   /* a custom allocator keeps 32-bit tables below 4 GiB itself (sim/os: lowmem) */
    }
    return pa;
}

int ptb_init(ptbuild_t *b, physmem_t *mem, paging_mode_t mode)
{
    if (!b)
        return -1;
    memset(b, 0, sizeof *b);
    if (!mem || !mode_supported(mode))
        return -1;
    b->mem = mem;
    b->mode = mode;
    b->maxphyaddr = physmem_maxphyaddr(mem);
    /* PAE: a whole frame is trivially 32-byte aligned. */
    b->root = alloc_table(b, mode == PAGING_32 || mode == PAGING_PAE);
    if (b->root == 0) {
        memset(b, 0, sizeof *b);
        return -1;
    }
    return 0;
}

int ptb_attach(ptbuild_t *b, physmem_t *mem, paging_mode_t mode, paddr_t root,
               const ptb_allocator_t *alloc)
{
    if (!b)
        return -1;
    memset(b, 0, sizeof *b);
    if (!mem || !mode_supported(mode) || root == 0 || (root & (PAGE_SIZE - 1)))
        return -1;
    b->mem = mem;
    b->mode = mode;
    b->maxphyaddr = physmem_maxphyaddr(mem);
    b->root = root;
    b->alloc = alloc;
    return 0;
}

uint64_t ptb_cr3(const ptbuild_t *b)
{
    return b ? b->root : 0;
}

int ptb_map(ptbuild_t *b, vaddr_t va, paddr_t pa, unsigned page_shift,
            uint64_t leaf_flags, uint64_t table_flags)
{
    if (!builder_ok(b))
        return -1;
    int leaf_level = leaf_level_for(b->mode, page_shift);
    if (leaf_level == 0)
        return -1;                                   /* size impossible in this mode */
    uint64_t page_mask = (1ull << page_shift) - 1;
    if ((va & page_mask) || (pa & page_mask))
        return -1;
    if ((b->mode == PAGING_32 || b->mode == PAGING_PAE) && (va >> 32) != 0)
        return -1;
    vaddr_t eva;
    if (!effective_va(b, va, &eva))
        return -1;                                   /* non-canonical */
    if ((pa >> leaf_pa_bits(b, page_shift)) != 0)
        return -1;
    if (b->mode == PAGING_32 && ((leaf_flags | table_flags) >> 32) != 0)
        return -1;                                   /* a 4-byte entry has no such bits */
    if (table_flags & PTE_PS)
        return -1;                                   /* would turn the table into a leaf */

    paddr_t table = b->root;
    for (int level = top_level(b->mode); level > leaf_level; level--) {
        paddr_t entry_pa = entry_addr_in(b, table, eva, level);
        uint64_t entry = ptb_read_entry(b, entry_pa);
        if (entry == 0) {
            paddr_t next = alloc_table(b, b->mode == PAGING_32);
            if (next == 0)
                return -1;
            bool is_pdpte_register = b->mode == PAGING_PAE && level == LVL_PDPT;
            ptb_write_entry(b, entry_pa, next | (is_pdpte_register ? table_flags & PDPTE_KEPT_FLAGS
                                                                   : table_flags));
            table = next;
        } else if (is_large_leaf(b, level, entry)) {
            return -1;                               /* a large leaf where a table is needed */
        } else {
            table = table_base_of(b, entry);
        }
    }
    paddr_t leaf_pa = entry_addr_in(b, table, eva, leaf_level);
    uint64_t old = ptb_read_entry(b, leaf_pa);
    if (leaf_level > LVL_PT && old != 0 && !is_large_leaf(b, leaf_level, old))
        return -1;                                   /* a table where the large leaf goes */
    ptb_write_entry(b, leaf_pa, leaf_entry(b, pa, page_shift, leaf_flags));
    return 0;
}

paddr_t ptb_entry_addr(const ptbuild_t *b, vaddr_t va, int level)
{
    if (!builder_ok(b) || level < LVL_PT || level > top_level(b->mode))
        return 0;
    vaddr_t eva;
    if (!effective_va(b, va, &eva))
        return 0;
    paddr_t table = b->root;
    for (int l = top_level(b->mode);; l--) {
        paddr_t entry_pa = entry_addr_in(b, table, eva, l);
        if (l == level)
            return entry_pa;
        uint64_t entry = ptb_read_entry(b, entry_pa);
        if (entry == 0 || is_large_leaf(b, l, entry))
            return 0;
        table = table_base_of(b, entry);
    }
}

int ptb_unmap(ptbuild_t *b, vaddr_t va)
{
    if (!builder_ok(b))
        return -1;
    vaddr_t eva;
    if (!effective_va(b, va, &eva))
        return -1;
    paddr_t table = b->root;
    for (int level = top_level(b->mode); level >= LVL_PT; level--) {
        paddr_t entry_pa = entry_addr_in(b, table, eva, level);
        uint64_t entry = ptb_read_entry(b, entry_pa);
        if (entry == 0)
            return -1;
        if (level == LVL_PT || is_large_leaf(b, level, entry)) {
            ptb_write_entry(b, entry_pa, 0);
            return 0;
        }
        table = table_base_of(b, entry);
    }
    return -1;
}

int ptb_lookup(const ptbuild_t *b, vaddr_t va, paddr_t *entry_pa, int *level_out)
{
    vaddr_t eva;
    *entry_pa = 0;
    *level_out = 0;
    if (!builder_ok(b) || !effective_va(b, va, &eva))
        return 0;
    paddr_t table = b->root;
    for (int level = top_level(b->mode); level >= LVL_PT; level--) {
        paddr_t pa = entry_addr_in(b, table, eva, level);
        uint64_t entry = ptb_read_entry(b, pa);
        *entry_pa = pa;
        *level_out = level;
        if (entry == 0)
            return 0;
        if (level == LVL_PT || is_large_leaf(b, level, entry))
            return level;
        table = table_base_of(b, entry);
    }
    return 0;
}

int ptb_top_level(paging_mode_t mode)
{
    return top_level(mode);
}

paddr_t ptb_table_base(const ptbuild_t *b, uint64_t entry)
{
    return table_base_of(b, entry);
}

bool ptb_is_large_leaf(const ptbuild_t *b, int level, uint64_t entry)
{
    return is_large_leaf(b, level, entry);
}

bool ptb_table_empty(const ptbuild_t *b, paddr_t table, int level)
{
    unsigned n = level_entries(b->mode, level), size = entry_size(b->mode);
    for (unsigned i = 0; i < n; i++)
        if (ptb_read_entry(b, table + (paddr_t)i * size) != 0)
            return false;
    return true;
}

paddr_t ptb_walk_alloc(ptbuild_t *b, vaddr_t va, int level, uint64_t table_flags)
{
    vaddr_t eva;
    if (!builder_ok(b) || level < LVL_PT || level > top_level(b->mode) || !effective_va(b, va, &eva))
        return 0;
    paddr_t table = b->root;
    for (int l = top_level(b->mode);; l--) {
        paddr_t entry_pa = entry_addr_in(b, table, eva, l);
        if (l == level)
            return entry_pa;
        uint64_t entry = ptb_read_entry(b, entry_pa);
        if (entry == 0) {
            paddr_t next = alloc_table(b, b->mode == PAGING_32);
            if (next == 0)
                return 0;
            bool is_pdpte_register = b->mode == PAGING_PAE && l == LVL_PDPT;
            ptb_write_entry(b, entry_pa, next | (is_pdpte_register ? table_flags & PDPTE_KEPT_FLAGS : table_flags));
            table = next;
        } else if (is_large_leaf(b, l, entry)) {
            return 0;
        } else {
            table = table_base_of(b, entry);
        }
    }
}
