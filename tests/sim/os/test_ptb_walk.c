/* The ptbuild functions the OS layer added: ptb_attach with a counting
 * allocator, ptb_lookup, ptb_walk_alloc, ptb_table_empty, per mode. Entry
 * addresses are computed here from the index arithmetic of docs/semantics.md
 * section 1 (table base + index * entry size). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "paging.h"
#include "ptbuild.h"

typedef struct { physmem_t *mem; unsigned tables; } counter_t;

static paddr_t count_alloc(void *ctx)
{
    counter_t *c = ctx;
    c->tables++;
    return physmem_alloc_frame(c->mem);
}

typedef struct {
    paging_mode_t mode;
    vaddr_t va;
    int top;
    unsigned large_shift;      /* the PD-level leaf size */
} case_t;

static const case_t cases[] = {
    { PAGING_32, 0x00c03000ull, 2, 22 },
    { PAGING_PAE, 0x40203000ull, 3, 21 },
    { PAGING_4LEVEL, 0x00007f0000203000ull, 4, 21 },
    { PAGING_5LEVEL, 0x00ff7f0000203000ull, 5, 21 },
};

static unsigned index_of(paging_mode_t mode, vaddr_t va, int level)
{
    if (mode == PAGING_32)
        return (unsigned)(va >> (level == 2 ? 22 : 12)) & 1023;
    unsigned bits = mode == PAGING_PAE && level == 3 ? 2 : 9;
    return (unsigned)(va >> (12 + 9 * (level - 1))) & ((1u << bits) - 1);
}

static void test_walk_alloc_lookup(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const case_t *c = &cases[i];
        physmem_t *mem = physmem_create(46);
        physmem_set_frame_range(mem, 0x100000, 0x1000000);
        counter_t cnt = { mem, 0 };
        ptb_allocator_t alloc = { count_alloc, &cnt };
        paddr_t root = physmem_alloc_frame(mem);
        ptbuild_t b;
        assert_int_equal(ptb_attach(&b, mem, c->mode, root, &alloc), 0);
        assert_int_equal(ptb_attach(&b, mem, c->mode, root + 8, &alloc), -1);   /* not a frame */
        assert_int_equal(ptb_attach(&b, mem, c->mode, root, &alloc), 0);
        assert_int_equal(ptb_top_level(c->mode), c->top);
        assert_true(ptb_table_empty(&b, root, c->top));
        /* nothing mapped: the lookup stops at the top entry */
        paddr_t e;
        int level;
        unsigned esize = c->mode == PAGING_32 ? 4 : 8;
        assert_int_equal(ptb_lookup(&b, c->va, &e, &level), 0);
        assert_int_equal(level, c->top);
        assert_int_equal(e, root + index_of(c->mode, c->va, c->top) * esize);
        /* walk_alloc to the PT level creates one table per level below the top */
        paddr_t pte = ptb_walk_alloc(&b, c->va, 1, PTB_TABLE_FLAGS);
        assert_true(pte != 0);
        assert_int_equal(cnt.tables, (unsigned)c->top - 1);
        assert_int_equal(pte & 0xfff, index_of(c->mode, c->va, 1) * esize);
        assert_false(ptb_table_empty(&b, root, c->top));
        assert_true(ptb_table_empty(&b, pte & ~0xfffull, 1));
        assert_int_equal(ptb_walk_alloc(&b, c->va, 1, PTB_TABLE_FLAGS), pte);   /* idempotent */
        assert_int_equal(cnt.tables, (unsigned)c->top - 1);
        /* a leaf makes the lookup succeed at its level */
        assert_int_equal(ptb_map(&b, c->va & ~0xfffull, 0x5000, 12, PTE_P | PTE_RW, PTB_TABLE_FLAGS), 0);
        assert_int_equal(ptb_lookup(&b, c->va, &e, &level), 1);
        assert_int_equal(e, pte);
        assert_int_equal(ptb_table_base(&b, ptb_read_entry(&b, e)), 0x5000);
        /* a large leaf at the PD level: lookup says level 2; walk_alloc below it fails */
        vaddr_t big = c->va + (1ull << c->large_shift) * 2;
        big &= ~((1ull << c->large_shift) - 1);
        assert_int_equal(ptb_map(&b, big, 1ull << c->large_shift, c->large_shift, PTE_P, PTB_TABLE_FLAGS), 0);
        assert_int_equal(ptb_lookup(&b, big + 0x1234, &e, &level), 2);
        assert_true(ptb_is_large_leaf(&b, 2, ptb_read_entry(&b, e)));
        assert_int_equal(ptb_walk_alloc(&b, big, 1, PTB_TABLE_FLAGS), 0);
        assert_int_equal(level_shift(c->mode, 2), c->large_shift);
        assert_int_equal(level_entries(c->mode, 1), c->mode == PAGING_32 ? 1024u : 512u);
        physmem_destroy(mem);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_walk_alloc_lookup) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
