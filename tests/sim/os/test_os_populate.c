/* os_mm_populate: mmap(MAP_POPULATE)'s mm_populate (mm/gup.c __mm_populate ->
 * populate_vma_page_range -> __get_user_pages -> faultin_page -> handle_mm_fault),
 * table-driven. Expectations from the kernel source, not from the OS layer:
 *   - the pages of the VMAs inside the range are faulted in, page-aligned (the range is widened
 *     to whole pages), one handle_mm_fault per page (per huge page for hugetlb);
 *   - a writable private VMA is touched with FOLL_WRITE: do_anonymous_page's write branch, a
 *     fresh frame per page, PTE writable and dirty, no zero page;
 *   - a read-only VMA is touched with a read: the zero page, read-only;
 *   - it runs in the kernel in software: no #PF, no MMU operation at all (the CPU's MMU sees no
 *     request, no control operation);
 *   - a present page is left alone (follow_page_mask finds it: no fault);
 * and afterwards the user accesses the VMA allows hit without a page fault (SDM Vol. 3A 4.7: a
 * #PF needs a not-present or protection-violating entry), the ones it forbids still fault. */
#include "ostest.h"

#define VA 0x40000000ull

typedef struct {
    const char *name;
    paging_mode_t mode;
    unsigned prot, shift;
    uint64_t vma_len;
    uint64_t from, len;          /* the populated range, relative to VA */
    uint64_t demand, zero, user_frames;
} row_t;

static const row_t rows[] = {
    { "rw-4k", PAGING_4LEVEL, PROT_R | PROT_W, 12, 64 * KIB, 0, 64 * KIB, 16, 0, 16 },
    { "ro-4k", PAGING_4LEVEL, PROT_R, 12, 64 * KIB, 0, 64 * KIB, 16, 16, 0 },
    /* [VA + 10 KiB, VA + 14 KiB) touches pages 2 and 3 */
    { "unaligned", PAGING_4LEVEL, PROT_R | PROT_W, 12, 64 * KIB, 10 * KIB, 4 * KIB, 2, 0, 2 },
    /* a range wider than the VMA: only the VMA's pages */
    { "wider", PAGING_4LEVEL, PROT_R | PROT_W, 12, 16 * KIB, 0, 1 * MIB, 4, 0, 4 },
    { "huge-2m", PAGING_4LEVEL, PROT_R | PROT_W, 21, 4 * MIB, 0, 4 * MIB, 2, 0, 1024 },
    { "rwx-5level", PAGING_5LEVEL, PROT_R | PROT_W | PROT_X, 12, 32 * KIB, 0, 32 * KIB, 8, 0, 8 },
    { "rw-32bit", PAGING_32, PROT_R | PROT_W, 12, 32 * KIB, 0, 32 * KIB, 8, 0, 8 },
    { "huge-4m-32bit", PAGING_32, PROT_R | PROT_W, 22, 8 * MIB, 0, 8 * MIB, 2, 0, 2048 },
    { "rw-pae", PAGING_PAE, PROT_R | PROT_W, 12, 32 * KIB, 0, 32 * KIB, 8, 0, 8 },
};

static void test_populate_rows(void **state)
{
    (void)state;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        const row_t *x = &rows[r];
        ot_t *t = ot_boot_mode(x->mode);
        mm_struct_t *mm = ot_proc(t, "p");
        if (os_mmap(t->os, mm, VA, x->vma_len, x->prot, x->shift) < 0)
            fail_msg("%s: mmap: %s", x->name, t->os->err);
        ot_switch(t, 0, mm);
        const os_counters_t before = t->os->cnt;
        const uint64_t user_before = t->os->frames.count[FRAME_USER];
        const uint64_t requests = backend_stats(t->be[0])->requests;
        const uint64_t controls = backend_stats(t->be[0])->ctrl_ops;
        if (os_mm_populate(t->os, 0, mm, VA + x->from, x->len) < 0)
            fail_msg("%s: %s", x->name, t->os->err);
        const os_counters_t *c = &t->os->cnt;
        if (c->demand_faults - before.demand_faults != x->demand)
            fail_msg("%s: demand_faults %llu, expected %llu", x->name,
                     (unsigned long long)(c->demand_faults - before.demand_faults), (unsigned long long)x->demand);
        assert_int_equal(c->zero_page_maps - before.zero_page_maps, x->zero);
        assert_int_equal(t->os->frames.count[FRAME_USER] - user_before, x->user_frames);
        assert_int_equal(c->page_faults, before.page_faults);
        assert_int_equal(backend_stats(t->be[0])->requests, requests);   /* software only */
        assert_int_equal(backend_stats(t->be[0])->ctrl_ops, controls);
        /* populating again finds every page present: nothing more */
        const uint64_t demand = c->demand_faults;
        assert_int_equal(os_mm_populate(t->os, 0, mm, VA + x->from, x->len), 0);
        assert_int_equal(c->demand_faults, demand);
        /* the populated pages: allowed user accesses hit without #PF, a forbidden write faults */
        const uint64_t page = 1ull << x->shift;
        for (vaddr_t va = (VA + x->from) & ~(page - 1); va < VA + x->from + x->len && va < VA + x->vma_len; va += page) {
            mmu_result_t rd = ot_translate(t, 0, va, ACC_READ, 3);
            if (rd.fault != FAULT_NONE)
                fail_msg("%s: user read of 0x%llx faults (ec 0x%x)", x->name, (unsigned long long)va, rd.error_code);
            if (x->prot & PROT_W) {
                mmu_result_t wr = ot_translate(t, 0, va, ACC_WRITE, 3);
                if (wr.fault != FAULT_NONE)
                    fail_msg("%s: user write of 0x%llx faults", x->name, (unsigned long long)va);
                assert_int_equal(wr.mem_writes, 0);   /* dirty already: no D-bit write */
            } else {
                ot_expect_fault(t, 0, va, ACC_WRITE, 3);   /* the zero page is read-only */
            }
        }
        ot_free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_populate_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
