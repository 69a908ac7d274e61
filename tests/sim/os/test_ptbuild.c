/* ptbuild: every legal leaf size of every mode, checked by reading the raw
 * entries from memory at addresses computed here from the index arithmetic
 * of docs/semantics.md section 1; refusals, conflicts, sharing and unmap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ptbuild.h"

#define KIB (1ull << 10)
#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define M_BITS 46          /* maxphyaddr of the memories used here */

/* --- the paging structures, as the spec describes them ------------------- */

static int top_level_of(paging_mode_t mode)
{
    switch (mode) {
    case PAGING_32:     return 2;
    case PAGING_PAE:    return 3;
    case PAGING_4LEVEL: return 4;
    default:            return 5;
    }
}

static unsigned entry_bytes(paging_mode_t mode)
{
    return mode == PAGING_32 ? 4 : 8;
}

/* VA field indexing the table at `level`: [low bit, width]. */
static void va_field(paging_mode_t mode, int level, unsigned *low, unsigned *width)
{
    static const unsigned low_32[] = { 0, 12, 22 };
    static const unsigned low_64[] = { 0, 12, 21, 30, 39, 48 };
    if (mode == PAGING_32) {
        *low = low_32[level];
        *width = 10;
    } else {
        *low = low_64[level];
        *width = (mode == PAGING_PAE && level == 3) ? 2 : 9;
    }
}

static uint64_t va_index(paging_mode_t mode, vaddr_t va, int level)
{
    unsigned low, width;
    va_field(mode, level, &low, &width);
    return (va >> low) & ((1ull << width) - 1);
}

/* Raw entry read straight from memory (not through the builder). */
static uint64_t raw_entry(physmem_t *mem, paging_mode_t mode, paddr_t pa)
{
    if (entry_bytes(mode) == 4) {
        uint32_t v;
        assert_int_equal(physmem_read32(mem, pa, &v), 0);
        return v;
    }
    uint64_t v;
    assert_int_equal(physmem_read64(mem, pa, &v), 0);
    return v;
}

static paddr_t table_of(paging_mode_t mode, uint64_t entry)
{
    return mode == PAGING_32 ? entry & 0xFFFFF000ull : entry & 0x000FFFFFFFFFF000ull;
}

static int leaf_level_of(unsigned shift)
{
    return shift == 12 ? 1 : shift == 30 ? 3 : 2;
}

/* --- fixture ------------------------------------------------------------- */

typedef struct {
    physmem_t *mem;
    ptbuild_t b;
} fixture_t;

static fixture_t *fixture_new(paging_mode_t mode)
{
    fixture_t *f = test_calloc(1, sizeof *f);
    f->mem = physmem_create(M_BITS);
    assert_non_null(f->mem);
    assert_int_equal(ptb_init(&f->b, f->mem, mode), 0);
    return f;
}

static void fixture_free(fixture_t *f)
{
    physmem_destroy(f->mem);
    test_free(f);
}

/* --- every mode, every legal leaf size ----------------------------------- */

#define TABLE_FLAGS (PTB_TABLE_FLAGS | PTE_PCD)

typedef struct {
    const char *name;
    paging_mode_t mode;
    vaddr_t va;
    paddr_t pa;
    unsigned shift;
    uint64_t leaf_flags;
    uint64_t leaf_raw;     /* the expected leaf entry, worked out by hand */
} map_case_t;

static const map_case_t map_cases[] = {
    { "32-bit 4K", PAGING_32, 0xC0401000, 0xFEDCB000, 12,
      PTE_P | PTE_RW | PTE_A | PTE_D | PTE_G, 0xFEDCB163 },
    { "32-bit 4M below 4G", PAGING_32, 0x00400000, 0xFFC00000, 22, PTE_P, 0xFFC00081 },
    /* PSE-36: PA[39:32] = 0x34 goes to PDE[20:13] = 0x68000 */
    { "32-bit 4M PSE-36", PAGING_32, 0x80C00000, 0x3480400000ull, 22,
      PTE_P | PTE_RW | PTE_US, 0x80468087 },
    { "PAE 4K", PAGING_PAE, 0xC0201000, 0xF12345000ull, 12,
      PTE_P | PTE_RW | PTE_US | PTE_XD, 0x8000000F12345007ull },
    { "PAE 2M", PAGING_PAE, 0x40200000, 0x200400000ull, 21, PTE_P | PTE_G, 0x200400181ull },
    { "4-level 4K", PAGING_4LEVEL, 0x00007F1234567000ull, 0x3FFFFFFFF000ull, 12,
      PTE_P | PTE_RW, 0x3FFFFFFFF003ull },
    { "4-level 4K upper half", PAGING_4LEVEL, 0xFFFF800012345000ull, 0x1000, 12,
      PTE_P | PTE_US | PTE_XD, 0x8000000000001005ull },
    { "4-level 2M", PAGING_4LEVEL, 0x0000000140200000ull, 0x123456600000ull, 21,
      PTE_P | PTE_RW | PTE_A | PTE_D, 0x1234566000E3ull },
    { "4-level 1G", PAGING_4LEVEL, 0xFFFFFFFFC0000000ull, 0x2AC0000000ull, 30,
      PTE_P | PTE_RW | PTE_US, 0x2AC0000087ull },
    { "5-level 4K", PAGING_5LEVEL, 0x00FF123456789000ull, 0x5000, 12, PTE_P, 0x5001 },
    { "5-level 4K upper half", PAGING_5LEVEL, 0xFF123456789AB000ull, 0x7000, 12,
      PTE_P | PTE_RW, 0x7003 },
    { "5-level 2M, VA bit 47 set", PAGING_5LEVEL, 0x0000800000000000ull, 0x200000, 21, PTE_P, 0x200081 },
    { "5-level 1G", PAGING_5LEVEL, 0x00AA000040000000ull, 0x40000000, 30,
      PTE_P | PTE_XD, 0x8000000040000081ull },
};

typedef struct {
    paddr_t tables[MAX_LEVELS + 1];
    size_t n;
    size_t pages;
    unsigned entry_bytes;
} page_census_t;

static void count_page(void *ctx, paddr_t pa, const uint8_t *page)
{
    page_census_t *c = ctx;
    bool is_table = false;
    for (size_t i = 0; i < c->n; i++)
        is_table |= c->tables[i] == pa;
    if (!is_table)
        fail_msg("page 0x%llx written that is not on the path", (unsigned long long)pa);
    /* exactly one non-zero entry per table */
    unsigned non_zero = 0;
    for (size_t off = 0; off < PAGE_SIZE; off += c->entry_bytes) {
        bool any = false;
        for (size_t byte = 0; byte < c->entry_bytes; byte++)
            any |= page[off + byte] != 0;
        non_zero += any;
    }
    if (non_zero != 1)
        fail_msg("table 0x%llx has %u non-zero entries", (unsigned long long)pa, non_zero);
    c->pages++;
}

static void check_one_mapping(const map_case_t *c)
{
    fixture_t *f = fixture_new(c->mode);
    ptbuild_t *b = &f->b;
    paddr_t root = b->root;
    assert_int_not_equal(root, 0);
    assert_int_equal(root & 0xFFF, 0);
    assert_int_equal(ptb_cr3(b), root);
    assert_int_equal(b->mode, c->mode);
    assert_int_equal(b->maxphyaddr, M_BITS);
    if (c->mode == PAGING_32 || c->mode == PAGING_PAE)
        assert_true(root < 4 * GIB);

    if (ptb_map(b, c->va, c->pa, c->shift, c->leaf_flags, TABLE_FLAGS) != 0)
        fail_msg("%s: ptb_map failed", c->name);

    int top = top_level_of(c->mode), leaf = leaf_level_of(c->shift);
    page_census_t census = { .n = 0, .entry_bytes = entry_bytes(c->mode) };
    paddr_t table = root;
    for (int level = top; level >= leaf; level--) {
        census.tables[census.n++] = table;
        paddr_t entry_pa = table + va_index(c->mode, c->va, level) * entry_bytes(c->mode);
        assert_int_equal(ptb_entry_addr(b, c->va, level), entry_pa);
        uint64_t raw = raw_entry(f->mem, c->mode, entry_pa);
        assert_int_equal(ptb_read_entry(b, entry_pa), raw);
        if (level == leaf) {
            if (raw != c->leaf_raw)
                fail_msg("%s: leaf 0x%llx, expected 0x%llx", c->name, (unsigned long long)raw,
                         (unsigned long long)c->leaf_raw);
            break;
        }
        uint64_t flags = raw & ~table_of(c->mode, raw);
        uint64_t want = (c->mode == PAGING_PAE && level == 3) ? (PTE_P | PTE_PCD) : TABLE_FLAGS;
        if (flags != want)
            fail_msg("%s: level %d entry 0x%llx has flags 0x%llx, expected 0x%llx", c->name, level,
                     (unsigned long long)raw, (unsigned long long)flags, (unsigned long long)want);
        table = table_of(c->mode, raw);
        assert_int_not_equal(table, 0);
        for (size_t i = 0; i < census.n; i++)
            assert_int_not_equal(table, census.tables[i]);
    }
    /* levels below the leaf have no entry */
    for (int level = leaf - 1; level >= 1; level--)
        assert_int_equal(ptb_entry_addr(b, c->va, level), 0);
    /* one frame per table on the path, nothing else written, no counted accesses */
    const physmem_stats_t *s = physmem_stats(f->mem);
    assert_int_equal(s->frames_allocated, (uint64_t)(top - leaf + 1));
    physmem_for_each_page(f->mem, count_page, &census);
    assert_int_equal(census.pages, (size_t)(top - leaf + 1));
    fixture_free(f);
}

static void test_map_every_mode_and_size(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof map_cases / sizeof map_cases[0]; i++)
        check_one_mapping(&map_cases[i]);
}

/* --- refusals ------------------------------------------------------------ */

typedef struct {
    const char *name;
    paging_mode_t mode;
    vaddr_t va;
    paddr_t pa;
    unsigned shift;
    uint64_t leaf_flags, table_flags;
} refusal_t;

#define P PTE_P
#define TF PTB_TABLE_FLAGS

static const refusal_t refusals[] = {
    { "32-bit 2M", PAGING_32, 0, 0x200000, 21, P, TF },
    { "32-bit 1G", PAGING_32, 0, 0x40000000, 30, P, TF },
    { "32-bit odd size", PAGING_32, 0, 0x2000, 13, P, TF },
    { "32-bit size 0", PAGING_32, 0, 0, 0, P, TF },
    { "32-bit VA above 4G", PAGING_32, 0x100000000ull, 0x1000, 12, P, TF },
    { "32-bit 4K PA at 4G", PAGING_32, 0x1000, 0x100000000ull, 12, P, TF },
    { "32-bit 4M PA at 1 TiB", PAGING_32, 0x400000, 1ull << 40, 22, P, TF },
    { "32-bit 4K VA misaligned", PAGING_32, 0x1800, 0x1000, 12, P, TF },
    { "32-bit 4K PA misaligned", PAGING_32, 0x1000, 0x1004, 12, P, TF },
    { "32-bit 4M VA misaligned", PAGING_32, 0x200000, 0x400000, 22, P, TF },
    { "32-bit 4M PA misaligned", PAGING_32, 0x400000, 0x200000, 22, P, TF },
    { "32-bit XD leaf flag", PAGING_32, 0x1000, 0x1000, 12, P | PTE_XD, TF },
    { "32-bit high table flag", PAGING_32, 0x1000, 0x1000, 12, P, TF | (1ull << 40) },
    { "PAE 4M", PAGING_PAE, 0, 0x400000, 22, P, TF },
    { "PAE 1G", PAGING_PAE, 0, 0x40000000, 30, P, TF },
    { "PAE VA above 4G", PAGING_PAE, 0xFFFFFFFF00001000ull, 0x1000, 12, P, TF },
    { "PAE PA at 2^M", PAGING_PAE, 0x1000, 1ull << M_BITS, 12, P, TF },
    { "PAE 2M VA misaligned", PAGING_PAE, 0x101000, 0x200000, 21, P, TF },
    { "PAE 2M PA misaligned", PAGING_PAE, 0x200000, 0x201000, 21, P, TF },
    { "4-level 4M", PAGING_4LEVEL, 0, 0x400000, 22, P, TF },
    { "4-level 512G", PAGING_4LEVEL, 0, 0, 39, P, TF },
    { "4-level non-canonical", PAGING_4LEVEL, 0x0000800000000000ull, 0x1000, 12, P, TF },
    { "4-level non-canonical high", PAGING_4LEVEL, 0xFFFF000000000000ull, 0x1000, 12, P, TF },
    { "4-level 1G VA misaligned", PAGING_4LEVEL, 0x20000000, 0x40000000, 30, P, TF },
    { "4-level 1G PA misaligned", PAGING_4LEVEL, 0x40000000, 0x60000000, 30, P, TF },
    { "4-level PA above 2^M", PAGING_4LEVEL, 0x1000, (1ull << 51) + 0x1000, 12, P, TF },
    { "4-level PS in table flags", PAGING_4LEVEL, 0x1000, 0x1000, 12, P, TF | PTE_PS },
    { "5-level 4M", PAGING_5LEVEL, 0, 0x400000, 22, P, TF },
    { "5-level non-canonical", PAGING_5LEVEL, 0x0100000000000000ull, 0x1000, 12, P, TF },
    { "5-level non-canonical high", PAGING_5LEVEL, 0xFE00000000000000ull, 0x1000, 12, P, TF },
    { "5-level 2M PA misaligned", PAGING_5LEVEL, 0x200000, 0x100000, 21, P, TF },
};

static void test_refusals(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        const refusal_t *r = &refusals[i];
        fixture_t *f = fixture_new(r->mode);
        if (ptb_map(&f->b, r->va, r->pa, r->shift, r->leaf_flags, r->table_flags) != -1)
            fail_msg("%s: accepted", r->name);
        /* nothing allocated or written beyond the empty root */
        assert_int_equal(physmem_stats(f->mem)->frames_allocated, 1);
        assert_int_equal(physmem_stats(f->mem)->pages_allocated, 0);
        fixture_free(f);
    }
}

/* --- conflicts: a large leaf where a table is needed, or the reverse ----- */

typedef struct {
    vaddr_t va;
    paddr_t pa;
    unsigned shift;
    int rc;
} map_step_t;

typedef struct {
    const char *name;
    paging_mode_t mode;
    map_step_t steps[3];
    unsigned num_steps;
} conflict_case_t;

static const conflict_case_t conflicts[] = {
    { "32-bit 4K under a 4M leaf", PAGING_32,
      { { 0x400000, 0x800000, 22, 0 }, { 0x401000, 0x1000, 12, -1 } }, 2 },
    { "32-bit 4M over a page table", PAGING_32,
      { { 0x401000, 0x1000, 12, 0 }, { 0x400000, 0x800000, 22, -1 } }, 2 },
    { "PAE 4K under a 2M leaf", PAGING_PAE,
      { { 0x200000, 0x400000, 21, 0 }, { 0x3FF000, 0x1000, 12, -1 } }, 2 },
    { "PAE 2M over a page table", PAGING_PAE,
      { { 0x3FF000, 0x1000, 12, 0 }, { 0x200000, 0x400000, 21, -1 } }, 2 },
    { "4-level 2M under a 1G leaf", PAGING_4LEVEL,
      { { 0x40000000, 0x80000000, 30, 0 }, { 0x40200000, 0x200000, 21, -1 } }, 2 },
    { "4-level 4K under a 1G leaf", PAGING_4LEVEL,
      { { 0x40000000, 0x80000000, 30, 0 }, { 0x7FFFF000, 0x1000, 12, -1 } }, 2 },
    { "4-level 1G over a page directory", PAGING_4LEVEL,
      { { 0x40200000, 0x200000, 21, 0 }, { 0x40000000, 0x80000000, 30, -1 } }, 2 },
    { "5-level 2M over a page table", PAGING_5LEVEL,
      { { 0x00FF000000201000ull, 0x1000, 12, 0 }, { 0x00FF000000200000ull, 0x200000, 21, -1 } }, 2 },
    /* same-size remaps replace the leaf */
    { "4-level 2M remap", PAGING_4LEVEL,
      { { 0x200000, 0x400000, 21, 0 }, { 0x200000, 0x600000, 21, 0 } }, 2 },
    { "32-bit 4M remap", PAGING_32,
      { { 0x400000, 0x800000, 22, 0 }, { 0x400000, 0xC00000, 22, 0 } }, 2 },
    /* a leaf next to a large leaf in the same table is fine */
    { "4-level 2M beside 1G", PAGING_4LEVEL,
      { { 0x40000000, 0x80000000, 30, 0 }, { 0x80200000, 0x200000, 21, 0 },
        { 0x80201000, 0x1000, 12, -1 } }, 3 },
};

static void test_conflicts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof conflicts / sizeof conflicts[0]; i++) {
        const conflict_case_t *c = &conflicts[i];
        fixture_t *f = fixture_new(c->mode);
        for (unsigned s = 0; s < c->num_steps; s++) {
            const map_step_t *st = &c->steps[s];
            uint64_t frames_before = physmem_stats(f->mem)->frames_allocated;
            int rc = ptb_map(&f->b, st->va, st->pa, st->shift, PTE_P | PTE_RW, PTB_TABLE_FLAGS);
            if (rc != st->rc)
                fail_msg("%s, step %u: rc %d, expected %d", c->name, s, rc, st->rc);
            if (rc != 0)   /* a refused map allocates nothing */
                assert_int_equal(physmem_stats(f->mem)->frames_allocated, frames_before);
        }
        fixture_free(f);
    }
}

/* The remap wrote the new frame into the same leaf. */
static void test_remap_replaces_leaf(void **state)
{
    (void)state;
    fixture_t *f = fixture_new(PAGING_4LEVEL);
    assert_int_equal(ptb_map(&f->b, 0x200000, 0x400000, 21, PTE_P, PTB_TABLE_FLAGS), 0);
    paddr_t leaf = ptb_entry_addr(&f->b, 0x200000, 2);
    assert_int_equal(ptb_map(&f->b, 0x200000, 0x600000, 21, PTE_P | PTE_RW, PTB_TABLE_FLAGS), 0);
    assert_int_equal(physmem_peek64(f->mem, leaf), 0x600000 | PTE_P | PTE_RW | PTE_PS);
    assert_int_equal(physmem_stats(f->mem)->frames_allocated, 3);
    fixture_free(f);
}

/* --- sharing, neighbours, flags ------------------------------------------ */

/* Two 4 KiB pages in one 32-bit page table: adjacent 4-byte entries in one
 * 8-byte word, neither clobbers the other; no new tables for the second. */
static void test_32bit_adjacent_entries(void **state)
{
    (void)state;
    fixture_t *f = fixture_new(PAGING_32);
    assert_int_equal(ptb_map(&f->b, 0x10000, 0xAAAAA000, 12, PTE_P, PTB_TABLE_FLAGS), 0);
    uint64_t frames = physmem_stats(f->mem)->frames_allocated;
    assert_int_equal(ptb_map(&f->b, 0x11000, 0xBBBBB000, 12, PTE_P | PTE_RW, PTB_TABLE_FLAGS), 0);
    assert_int_equal(physmem_stats(f->mem)->frames_allocated, frames);

    uint64_t pde = raw_entry(f->mem, PAGING_32, f->b.root + 0 * 4);
    paddr_t pt = pde & 0xFFFFF000;
    assert_int_equal(pde & 0xFFF, PTB_TABLE_FLAGS);
    assert_int_equal(raw_entry(f->mem, PAGING_32, pt + 0x10 * 4), 0xAAAAA001);
    assert_int_equal(raw_entry(f->mem, PAGING_32, pt + 0x11 * 4), 0xBBBBB003);
    /* the 8-byte word holding both, little-endian */
    assert_int_equal(physmem_peek64(f->mem, pt + 0x40), 0xBBBBB003AAAAA001ull);
    fixture_free(f);
}

/* PAE: the PDPT is the top table; its entries keep only P, PWT and PCD. */
static void test_pae_pdpte_flags(void **state)
{
    (void)state;
    fixture_t *f = fixture_new(PAGING_PAE);
    const uint64_t table_flags = PTE_P | PTE_RW | PTE_US | PTE_PWT | PTE_PCD | PTE_A | PTE_D | PTE_G;
    assert_int_equal(ptb_map(&f->b, 0x80000000, 0x1000, 12, PTE_P, table_flags), 0);
    uint64_t pdpte = physmem_peek64(f->mem, f->b.root + 2 * 8);
    assert_int_equal(pdpte & 0xFFF, PTE_P | PTE_PWT | PTE_PCD);
    uint64_t pde = physmem_peek64(f->mem, (pdpte & ~0xFFFull) + 0);
    assert_int_equal(pde & 0xFFF, table_flags);
    assert_int_equal(ptb_cr3(&f->b) & 31, 0);

    /* bit 7 of a PDPTE is reserved, never PS: a PDPTE with it set (for a #GP
     * test) still leads to its page directory */
    ptb_write_entry(&f->b, f->b.root + 2 * 8, pdpte | PTE_PS);
    assert_int_equal(ptb_entry_addr(&f->b, 0x80000000, 2), pdpte & ~0xFFFull);
    assert_int_equal(ptb_map(&f->b, 0x80001000, 0x2000, 12, PTE_P, table_flags), 0);
    fixture_free(f);
}

/* Leaf flags are used as given: no implied P, any bit or'ed in. */
static void test_leaf_flags_verbatim(void **state)
{
    (void)state;
    fixture_t *f = fixture_new(PAGING_4LEVEL);
    assert_int_equal(ptb_map(&f->b, 0x1000, 0x2000, 12, 0, PTB_TABLE_FLAGS), 0);
    assert_int_equal(ptb_read_entry(&f->b, ptb_entry_addr(&f->b, 0x1000, 1)), 0x2000);
    /* a reserved bit (51) for RSVD tests, and PAT (12) in a 2M leaf */
    assert_int_equal(ptb_map(&f->b, 0x400000, 0x400000, 21, PTE_P | (1ull << 51) | (1ull << 12),
                             PTB_TABLE_FLAGS), 0);
    assert_int_equal(ptb_read_entry(&f->b, ptb_entry_addr(&f->b, 0x400000, 2)),
                     0x400000 | PTE_P | PTE_PS | (1ull << 51) | (1ull << 12));
    fixture_free(f);
}

/* Table entries without P (to provoke not-present faults) still lead on. */
static void test_table_flags_without_present(void **state)
{
    (void)state;
    fixture_t *f = fixture_new(PAGING_4LEVEL);
    assert_int_equal(ptb_map(&f->b, 0x1000, 0x5000, 12, PTE_P, PTE_RW), 0);
    uint64_t frames = physmem_stats(f->mem)->frames_allocated;
    assert_int_equal(ptb_map(&f->b, 0x2000, 0x6000, 12, PTE_P, PTB_TABLE_FLAGS), 0);
    assert_int_equal(physmem_stats(f->mem)->frames_allocated, frames);   /* path reused */
    assert_int_equal(physmem_peek64(f->mem, f->b.root) & 0xFFF, PTE_RW);   /* not rewritten */
    paddr_t pte2 = ptb_entry_addr(&f->b, 0x2000, 1);
    assert_int_equal(pte2, ptb_entry_addr(&f->b, 0x1000, 1) + 8);
    assert_int_equal(physmem_peek64(f->mem, pte2), 0x6001);
    fixture_free(f);
}

/* --- entry addresses, reads and writes ----------------------------------- */

static void test_entry_addr_edges(void **state)
{
    (void)state;
    fixture_t *f = fixture_new(PAGING_4LEVEL);
    ptbuild_t *b = &f->b;
    /* the top level is always addressable; nothing below an empty path */
    assert_int_equal(ptb_entry_addr(b, 0xFFFF800000000000ull, 4), b->root + 256 * 8);
    assert_int_equal(ptb_entry_addr(b, 0xFFFF800000000000ull, 3), 0);
    assert_int_equal(ptb_entry_addr(b, 0x1000, 0), 0);
    assert_int_equal(ptb_entry_addr(b, 0x1000, 5), 0);
    assert_int_equal(ptb_entry_addr(b, 0x0000800000000000ull, 4), 0);   /* non-canonical */
    assert_int_equal(ptb_entry_addr(NULL, 0x1000, 4), 0);
    fixture_free(f);

    /* 32-bit / PAE: VA bits 63:32 are ignored, as the hardware does */
    f = fixture_new(PAGING_PAE);
    assert_int_equal(ptb_map(&f->b, 0xC0000000, 0x200000, 21, PTE_P, PTB_TABLE_FLAGS), 0);
    assert_int_equal(ptb_entry_addr(&f->b, 0x12345678C0000000ull, 2), ptb_entry_addr(&f->b, 0xC0000000, 2));
    assert_int_not_equal(ptb_entry_addr(&f->b, 0xC0000000, 2), 0);
    assert_int_equal(ptb_entry_addr(&f->b, 0xC0000000, 1), 0);           /* below a 2M leaf */
    assert_int_equal(ptb_entry_addr(&f->b, 0xC0000000, 4), 0);           /* no such level */
    assert_int_equal(ptb_entry_addr(&f->b, 0x0, 3), f->b.root);
    fixture_free(f);
}

static void test_read_write_entry(void **state)
{
    (void)state;
    fixture_t *f = fixture_new(PAGING_32);
    ptbuild_t *b = &f->b;
    ptb_write_entry(b, b->root + 4, 0x1234567);
    ptb_write_entry(b, b->root + 8, 0xFFFFFFFFull | (1ull << 40));   /* high bits dropped */
    assert_int_equal(ptb_read_entry(b, b->root + 4), 0x1234567);
    assert_int_equal(ptb_read_entry(b, b->root + 0), 0);
    assert_int_equal(ptb_read_entry(b, b->root + 8), 0xFFFFFFFF);
    assert_int_equal(ptb_read_entry(b, b->root + 12), 0);
    ptb_write_entry(b, b->root + 2, 0x99);                             /* misaligned: ignored */
    assert_int_equal(ptb_read_entry(b, b->root + 2), 0);
    assert_int_equal(physmem_peek64(f->mem, b->root), 0x0123456700000000ull);
    fixture_free(f);

    f = fixture_new(PAGING_5LEVEL);
    ptb_write_entry(&f->b, f->b.root + 8, 0x8000000000000001ull);
    assert_int_equal(ptb_read_entry(&f->b, f->b.root + 8), 0x8000000000000001ull);
    assert_int_equal(physmem_stats(f->mem)->reads + physmem_stats(f->mem)->writes, 0);
    fixture_free(f);
}

/* --- unmap --------------------------------------------------------------- */

static void test_unmap(void **state)
{
    (void)state;
    fixture_t *f = fixture_new(PAGING_4LEVEL);
    ptbuild_t *b = &f->b;
    assert_int_equal(ptb_map(b, 0x1000, 0x5000, 12, PTE_P, PTB_TABLE_FLAGS), 0);
    assert_int_equal(ptb_map(b, 0x2000, 0x6000, 12, PTE_P, PTB_TABLE_FLAGS), 0);
    assert_int_equal(ptb_map(b, 0x40000000, 0x40000000, 30, PTE_P, PTB_TABLE_FLAGS), 0);
    paddr_t pte1 = ptb_entry_addr(b, 0x1000, 1), pte2 = ptb_entry_addr(b, 0x2000, 1);
    paddr_t pde = ptb_entry_addr(b, 0x1000, 2);
    uint64_t pde_value = physmem_peek64(f->mem, pde);

    assert_int_equal(ptb_unmap(b, 0x1000), 0);
    assert_int_equal(physmem_peek64(f->mem, pte1), 0);
    assert_int_equal(physmem_peek64(f->mem, pte2), 0x6001);        /* neighbour kept */
    assert_int_equal(physmem_peek64(f->mem, pde), pde_value);      /* tables kept */
    assert_int_equal(ptb_unmap(b, 0x1000), -1);                    /* already gone */

    assert_int_equal(ptb_unmap(b, 0x40000000), 0);                 /* a 1G leaf */
    assert_int_equal(ptb_entry_addr(b, 0x40000000, 2), 0);
    assert_int_equal(physmem_peek64(f->mem, ptb_entry_addr(b, 0x40000000, 3)), 0);

    assert_int_equal(ptb_unmap(b, 0x7FFF00000000ull), -1);          /* never mapped */
    assert_int_equal(ptb_unmap(b, 0x0000800000000000ull), -1);      /* non-canonical */
    assert_int_equal(ptb_unmap(NULL, 0x2000), -1);
    fixture_free(f);

    f = fixture_new(PAGING_32);
    assert_int_equal(ptb_map(&f->b, 0x400000, 0x400000, 22, PTE_P, PTB_TABLE_FLAGS), 0);
    assert_int_equal(ptb_map(&f->b, 0x800000, 0x1000, 12, PTE_P, PTB_TABLE_FLAGS), 0);
    assert_int_equal(ptb_unmap(&f->b, 0x400000), 0);
    assert_int_equal(raw_entry(f->mem, PAGING_32, f->b.root + 1 * 4), 0);
    assert_int_not_equal(raw_entry(f->mem, PAGING_32, f->b.root + 2 * 4), 0);
    fixture_free(f);
}

/* --- init ---------------------------------------------------------------- */

static void test_init_failures(void **state)
{
    (void)state;
    physmem_t *mem = physmem_create(M_BITS);
    ptbuild_t b;
    assert_int_equal(ptb_init(&b, mem, PAGING_OFF), -1);
    assert_int_equal(ptb_init(&b, mem, (paging_mode_t)99), -1);
    assert_int_equal(ptb_init(&b, NULL, PAGING_4LEVEL), -1);
    assert_int_equal(ptb_init(NULL, mem, PAGING_4LEVEL), -1);
    assert_int_equal(ptb_map(&b, 0x1000, 0x1000, 12, PTE_P, PTB_TABLE_FLAGS), -1);  /* b was cleared */
    assert_int_equal(physmem_stats(mem)->frames_allocated, 0);

    /* allocator exhausted */
    physmem_set_frame_range(mem, 0, 0);
    assert_int_equal(ptb_init(&b, mem, PAGING_4LEVEL), -1);

    /* 32-bit and PAE tops must lie below 4 GiB; 4-level's need not */
    physmem_set_frame_range(mem, 8 * GIB, 8 * GIB + 64 * KIB);
    assert_int_equal(ptb_init(&b, mem, PAGING_32), -1);
    assert_int_equal(ptb_init(&b, mem, PAGING_PAE), -1);
    assert_int_equal(physmem_stats(mem)->frames_allocated, 0);     /* the refused frame went back */
    assert_int_equal(ptb_init(&b, mem, PAGING_4LEVEL), 0);
    assert_int_equal(b.root, 8 * GIB);
    physmem_destroy(mem);
}

/* 32-bit page tables must lie below 4 GiB too; PAE page directories need not. */
static void test_table_frames_above_4g(void **state)
{
    (void)state;
    physmem_t *mem = physmem_create(M_BITS);
    ptbuild_t b;
    physmem_set_frame_range(mem, 4 * GIB - 4 * KIB, 4 * GIB + 64 * KIB);
    assert_int_equal(ptb_init(&b, mem, PAGING_32), 0);
    assert_int_equal(b.root, 4 * GIB - 4 * KIB);
    assert_int_equal(ptb_map(&b, 0x1000, 0x1000, 12, PTE_P, PTB_TABLE_FLAGS), -1);
    assert_int_equal(ptb_map(&b, 0x400000, 0x400000, 22, PTE_P, PTB_TABLE_FLAGS), 0);  /* no table needed */

    physmem_set_frame_range(mem, 4 * GIB - 4 * KIB, 4 * GIB + 64 * KIB);
    assert_int_equal(ptb_init(&b, mem, PAGING_PAE), 0);
    assert_int_equal(ptb_map(&b, 0x1000, 0x1000, 12, PTE_P, PTB_TABLE_FLAGS), 0);
    assert_int_equal(ptb_entry_addr(&b, 0x1000, 2), 4 * GIB);
    physmem_destroy(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_every_mode_and_size),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_conflicts),
        cmocka_unit_test(test_remap_replaces_leaf),
        cmocka_unit_test(test_32bit_adjacent_entries),
        cmocka_unit_test(test_pae_pdpte_flags),
        cmocka_unit_test(test_leaf_flags_verbatim),
        cmocka_unit_test(test_table_flags_without_present),
        cmocka_unit_test(test_entry_addr_edges),
        cmocka_unit_test(test_read_write_entry),
        cmocka_unit_test(test_unmap),
        cmocka_unit_test(test_init_failures),
        cmocka_unit_test(test_table_frames_above_4g),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
