/* Processes: pgd_alloc (kernel half from swapper_pg_dir), isolation of the
 * user halves, demand paging with the zero page (do_anonymous_page,
 * do_wp_page), segfaults (access_error), mprotect, munmap, huge pages, and
 * frame accounting that returns exactly to where it was when processes exit. */
#include "ostest.h"

static const paging_mode_t all_modes[] = { PAGING_32, PAGING_PAE, PAGING_4LEVEL, PAGING_5LEVEL };
#define NMODES (sizeof all_modes / sizeof all_modes[0])

static uint64_t top_entry(ot_t *t, paddr_t pgd, unsigned index)
{
    unsigned size = t->os->p.mode == PAGING_32 ? 4 : 8;
    return ptb_read_entry(&t->os->init_mm.pt, pgd + (paddr_t)index * size);
}

/* pgd_ctor / clone_pgd_range: KERNEL_PGD_PTRS entries from KERNEL_PGD_BOUNDARY
 * (256 of 512 on x86-64, 256 of 1024 in 32-bit paging) equal swapper's. PAE:
 * pgd_prepopulate_pmd copies the kernel PMD's 512 entries (or shares the PMD). */
static void test_kernel_half_identical(void **state)
{
    (void)state;
    for (size_t i = 0; i < NMODES; i++) {
        os_params_t p;
        os_params_default(&p, all_modes[i]);
        if (p.mode == PAGING_PAE)
            p.vmalloc = VMALLOC_SYNC;      /* private kernel PMDs: a copy */
        ot_t *t = ot_boot(&p);
        mm_struct_t *a = ot_proc(t, "a"), *b = ot_proc(t, "b");
        paddr_t swapper = t->os->init_mm.pgd;
        if (p.mode == PAGING_PAE) {
            uint64_t ka = top_entry(t, a->pgd, 3), ks = top_entry(t, swapper, 3);
            assert_int_not_equal(ka & ~0xfffull, ks & ~0xfffull);
            for (unsigned e = 0; e < 512; e++)
                assert_int_equal(physmem_peek64(t->mem, (ka & ~0xfffull) + 8 * e),
                                 physmem_peek64(t->mem, (ks & ~0xfffull) + 8 * e));
        } else {
            unsigned boundary = p.mode == PAGING_32 ? 768 : 256, total = p.mode == PAGING_32 ? 1024 : 512;
            unsigned nonzero = 0;
            for (unsigned e = boundary; e < total; e++) {
                assert_int_equal(top_entry(t, a->pgd, e), top_entry(t, swapper, e));
                assert_int_equal(top_entry(t, b->pgd, e), top_entry(t, swapper, e));
                nonzero += top_entry(t, swapper, e) != 0;
            }
            assert_true(nonzero >= 3);     /* direct map, image/cpu_entry_area at least */
            for (unsigned e = 0; e < boundary; e++)
                assert_int_equal(top_entry(t, a->pgd, e), 0);
        }
        /* and the kernel translates the same in both */
        ot_switch(t, 0, a);
        mmu_result_t ra = ot_translate(t, 0, t->os->layout.page_offset + 0x5000, ACC_READ, 0);
        ot_switch(t, 0, b);
        mmu_result_t rb = ot_translate(t, 0, t->os->layout.page_offset + 0x5000, ACC_READ, 0);
        assert_int_equal(ra.fault, FAULT_NONE);
        assert_int_equal(ra.pa, 0x5000);
        assert_int_equal(rb.pa, 0x5000);
        ot_free(t);
    }
}

/* PAE with SHARED_KERNEL_PMD: PDPTE 3 of every pgd is swapper's. */
static void test_pae_shared_kernel_pmd(void **state)
{
    (void)state;
    ot_t *t = ot_boot_mode(PAGING_PAE);
    mm_struct_t *a = ot_proc(t, "a");
    assert_int_equal(top_entry(t, a->pgd, 3), top_entry(t, t->os->init_mm.pgd, 3));
    for (unsigned i = 0; i < 3; i++)
        assert_true(top_entry(t, a->pgd, i) & PTE_P);    /* preallocate_pmds: user PMDs exist */
    assert_false(a->on_pgd_list);
    ot_free(t);
}

/* Each process sees its own memory at the same VA; another process has no VMA there. */
static void test_user_isolation(void **state)
{
    (void)state;
    for (size_t i = 0; i < NMODES; i++) {
        ot_t *t = ot_boot_mode(all_modes[i]);
        mm_struct_t *a = ot_proc(t, "a"), *b = ot_proc(t, "b");
        assert_int_equal(os_mmap(t->os, a, 0x400000, 16 * KIB, PROT_R | PROT_W, 12), 0);
        ot_switch(t, 0, a);
        os_access_t x = ot_touch(t, 0, 0x401000, ACC_WRITE);
        assert_int_equal(x.outcome, OS_ACCESS_OK);
        paddr_t pa_a = x.last.pa;
        ot_switch(t, 0, b);
        x = ot_touch(t, 0, 0x401000, ACC_READ);
        assert_int_equal(x.outcome, OS_ACCESS_SEGV);          /* no VMA in b */
        assert_int_equal(t->os->cnt.segv, 1);
        assert_int_equal(os_mmap(t->os, b, 0x400000, 16 * KIB, PROT_R | PROT_W, 12), 0);
        os_access_t y = ot_touch(t, 0, 0x401000, ACC_WRITE);
        assert_int_equal(y.outcome, OS_ACCESS_OK);
        ot_switch(t, 0, a);
        os_access_t z = ot_touch(t, 0, 0x401000, ACC_READ);
        assert_int_not_equal(z.last.pa, y.last.pa);
        assert_int_equal(z.last.pa, pa_a);
        ot_free(t);
    }
}

/* do_anonymous_page: a read maps the shared zero page read-only; a later write
 * faults (present, write) and gets its own frame (wp_page_copy), the old TLB
 * entry flushed with one INVLPG (flush_tlb_page under the ceiling). */
static void test_zero_page_then_write(void **state)
{
    (void)state;
    for (size_t i = 0; i < NMODES; i++) {
        ot_t *t = ot_boot_mode(all_modes[i]);
        mm_struct_t *a = ot_proc(t, "a");
        assert_int_equal(os_mmap(t->os, a, 0x10000000, 8 * KIB, PROT_R | PROT_W, 12), 0);
        ot_switch(t, 0, a);
        os_access_t r0 = ot_touch(t, 0, 0x10000000, ACC_READ), r1 = ot_touch(t, 0, 0x10001000, ACC_READ);
        assert_int_equal(r0.faults, 1);
        assert_int_equal(r0.last.pa, t->os->zero_page);
        assert_int_equal(r1.last.pa, t->os->zero_page);
        assert_int_equal(t->os->cnt.zero_page_maps, 2);
        uint64_t user_frames = t->os->frames.count[FRAME_USER];
        assert_int_equal(user_frames, 0);
        os_access_t w = ot_touch(t, 0, 0x10000000, ACC_WRITE);
        assert_int_equal(w.outcome, OS_ACCESS_OK);
        assert_int_equal(w.faults, 1);
        assert_int_equal(w.last.pa & ~0xfffull, w.last.pa);
        assert_int_not_equal(w.last.pa, t->os->zero_page);
        assert_int_equal(t->os->cnt.cow_faults, 1);
        assert_int_equal(t->os->cnt.invlpg, 1);
        assert_int_equal(t->os->frames.count[FRAME_USER], 1);
        os_access_t again = ot_touch(t, 0, 0x10001000, ACC_READ);      /* still the zero page */
        assert_int_equal(again.last.pa, t->os->zero_page);
        ot_free(t);
    }
}

/* access_error: a write to a read-only VMA and an instruction fetch from a
 * non-executable one are segfaults (the fetch first maps the page, NX, then
 * faults on protection); a fault outside every VMA too. */
static void test_segfaults(void **state)
{
    (void)state;
    ot_t *t = ot_boot_mode(PAGING_4LEVEL);
    mm_struct_t *a = ot_proc(t, "a");
    assert_int_equal(os_mmap(t->os, a, 0x600000, 4 * KIB, PROT_R, 12), 0);
    assert_int_equal(os_mmap(t->os, a, 0x700000, 4 * KIB, PROT_R | PROT_W, 12), 0);
    ot_switch(t, 0, a);
    assert_int_equal(ot_touch(t, 0, 0x600000, ACC_WRITE).outcome, OS_ACCESS_SEGV);
    os_access_t x = ot_touch(t, 0, 0x700000, ACC_EXEC);
    assert_int_equal(x.outcome, OS_ACCESS_SEGV);
    assert_int_equal(x.faults, 2);
    assert_int_equal(x.last.error_code, PFEC_P | PFEC_U | PFEC_I);
    assert_int_equal(ot_touch(t, 0, 0x800000, ACC_READ).outcome, OS_ACCESS_SEGV);
    assert_int_equal(ot_touch(t, 0, t->os->layout.page_offset, ACC_READ).outcome, OS_ACCESS_SEGV);
    assert_int_equal(t->os->cnt.segv, 4);
    ot_free(t);
}

/* mprotect: removing write makes writes segfault (the PTE changed and flushed);
 * giving it back lets them through without a new frame. */
static void test_mprotect(void **state)
{
    (void)state;
    ot_t *t = ot_boot_mode(PAGING_4LEVEL);
    mm_struct_t *a = ot_proc(t, "a");
    assert_int_equal(os_mmap(t->os, a, 0x400000, 12 * KIB, PROT_R | PROT_W, 12), 0);
    ot_switch(t, 0, a);
    paddr_t pa = ot_touch(t, 0, 0x401000, ACC_WRITE).last.pa;
    uint64_t invlpg = t->os->cnt.invlpg;
    assert_int_equal(os_mprotect(t->os, 0, a, 0x401000, 4 * KIB, PROT_R), 0);
    assert_int_equal(t->os->cnt.invlpg, invlpg + 1);
    assert_int_equal(ot_touch(t, 0, 0x401000, ACC_WRITE).outcome, OS_ACCESS_SEGV);
    assert_int_equal(ot_touch(t, 0, 0x400000, ACC_WRITE).outcome, OS_ACCESS_OK);   /* its neighbour kept rw */
    assert_int_equal(os_mprotect(t->os, 0, a, 0x401000, 4 * KIB, PROT_R | PROT_W), 0);
    os_access_t w = ot_touch(t, 0, 0x401000, ACC_WRITE);
    assert_int_equal(w.outcome, OS_ACCESS_OK);
    assert_int_equal(w.last.pa, pa);
    assert_int_equal(os_mprotect(t->os, 0, a, 0x500000, 4 * KIB, PROT_R), -1);      /* ENOMEM: not mapped */
    ot_free(t);
}

/* mmap refusals: overlap (MAP_FIXED_NOREPLACE), outside user space, alignment,
 * and page sizes the mode does not have. */
static void test_mmap_refused(void **state)
{
    (void)state;
    ot_t *t = ot_boot_mode(PAGING_4LEVEL);
    mm_struct_t *a = ot_proc(t, "a");
    assert_int_equal(os_mmap(t->os, a, 0x400000, 8 * KIB, PROT_R, 12), 0);
    assert_int_equal(os_mmap(t->os, a, 0x401000, 8 * KIB, PROT_R, 12), -1);
    assert_int_equal(os_mmap(t->os, a, 0x00007ffffffff000ull, 4 * KIB, PROT_R, 12), -1);   /* TASK_SIZE_MAX */
    assert_int_equal(os_mmap(t->os, a, 0x00007fffffffe000ull, 4 * KIB, PROT_R, 12), 0);
    assert_int_equal(os_mmap(t->os, a, 0x600000, 4 * KIB, PROT_R, 21), -1);                /* 2 MiB alignment */
    assert_int_equal(os_mmap(t->os, a, 0x600000, 4 * MIB, PROT_R, 22), -1);                /* no 4 MiB pages */
    ot_free(t);
    t = ot_boot_mode(PAGING_32);
    a = ot_proc(t, "a");
    assert_int_equal(os_mmap(t->os, a, 0xC0000000ull - 4096, 8 * KIB, PROT_R, 12), -1);    /* TASK_SIZE 3 GiB */
    assert_int_equal(os_mmap(t->os, a, 0x800000, 4 * MIB, PROT_R, 21), -1);
    assert_int_equal(os_mmap(t->os, a, 0x800000, 4 * MIB, PROT_R | PROT_W, 22), 0);
    ot_free(t);
}

/* Huge pages: one fault maps a whole 2 MiB (4 MiB in 32-bit paging, 1 GiB) page. */
static void test_huge_pages(void **state)
{
    (void)state;
    struct { paging_mode_t mode; unsigned shift; uint64_t ram; } cases[] = {
        { PAGING_32, 22, 128 * MIB }, { PAGING_PAE, 21, 128 * MIB }, { PAGING_4LEVEL, 21, 128 * MIB },
        { PAGING_4LEVEL, 30, 3 * GIB }, { PAGING_5LEVEL, 30, 3 * GIB },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        os_params_t p;
        os_params_default(&p, cases[i].mode);
        p.ram = cases[i].ram;
        ot_t *t = ot_boot(&p);
        mm_struct_t *a = ot_proc(t, "a");
        uint64_t size = 1ull << cases[i].shift;
        uint64_t frames0 = frames_in_use(&t->os->frames);
        assert_int_equal(os_mmap(t->os, a, 4 * size, 2 * size, PROT_R | PROT_W, cases[i].shift), 0);
        ot_switch(t, 0, a);
        os_access_t x = ot_touch(t, 0, 4 * size + size / 2 + 8, ACC_READ);
        assert_int_equal(x.outcome, OS_ACCESS_OK);
        assert_int_equal(x.last.page_shift, cases[i].shift);
        assert_int_equal(x.last.pa & (size - 1), size / 2 + 8);
        assert_int_equal(ot_touch(t, 0, 4 * size + size - 8, ACC_WRITE).faults, 0);
        assert_int_equal(t->os->frames.count[FRAME_USER], size / 4096);
        assert_int_equal(os_munmap(t->os, 0, a, 4 * size, 2 * size), 0);
        assert_int_equal(frames_in_use(&t->os->frames), frames0);
        ot_free(t);
    }
}

/* No leak: after every process exits the frame counts are where they were. */
static void test_frames_return(void **state)
{
    (void)state;
    for (size_t i = 0; i < NMODES; i++) {
        for (int kpti = 0; kpti <= (all_modes[i] >= PAGING_4LEVEL); kpti++) {
            os_params_t p;
            os_params_default(&p, all_modes[i]);
            p.kpti = kpti;
            ot_t *t = ot_boot(&p);
            uint64_t before[NUM_FRAME_USES];
            for (int u = 0; u < NUM_FRAME_USES; u++)
                before[u] = t->os->frames.count[u];
            mm_struct_t *a = ot_proc(t, "a"), *b = ot_proc(t, "b");
            assert_int_equal(os_mmap(t->os, a, 0x400000, 64 * KIB, PROT_R | PROT_W, 12), 0);
            assert_int_equal(os_mmap(t->os, a, 0x40000000, 4 * KIB, PROT_R | PROT_W, 12), 0);
            assert_int_equal(os_mmap(t->os, b, 0x400000, 8 * KIB, PROT_R, 12), 0);
            ot_switch(t, 0, a);
            for (vaddr_t va = 0x400000; va < 0x410000; va += 0x2000)
                ot_touch(t, 0, va, ACC_WRITE);
            ot_touch(t, 0, 0x40000000, ACC_READ);
            ot_touch(t, 0, 0x40000000, ACC_WRITE);
            ot_switch(t, 0, b);
            ot_touch(t, 0, 0x400000, ACC_READ);
            assert_true(t->os->frames.count[FRAME_PGTABLE] > before[FRAME_PGTABLE]);
            assert_int_equal(os_mm_destroy(t->os, a), 0);
            assert_int_equal(os_mm_destroy(t->os, b), 0);
            for (int u = 0; u < NUM_FRAME_USES; u++)
                assert_int_equal(t->os->frames.count[u], before[u]);
            ot_free(t);
        }
    }
}

/* free_pgtables: after munmap of everything the user half holds only the pgd
 * (and PAE's preallocated PMDs); under PTI the user copy's entry goes too. */
static void test_munmap_frees_tables(void **state)
{
    (void)state;
    os_params_t p;
    os_params_default(&p, PAGING_4LEVEL);
    p.kpti = true;
    ot_t *t = ot_boot(&p);
    mm_struct_t *a = ot_proc(t, "a");
    uint64_t empty = os_mm_pt_pages(t->os, a);
    assert_int_equal(empty, 2);       /* the 8 KiB pgd pair */
    assert_int_equal(os_mmap(t->os, a, 0x7f0000000000ull, 8 * KIB, PROT_R | PROT_W, 12), 0);
    ot_switch(t, 0, a);
    ot_touch(t, 0, 0x7f0000000000ull, ACC_WRITE);
    assert_int_equal(os_mm_pt_pages(t->os, a), empty + 3);   /* PUD, PMD, PTE tables */
    unsigned idx = (unsigned)((0x7f0000000000ull >> 39) & 511);
    assert_true(ptb_read_entry(&a->pt, a->pgd + 8 * idx) & PTE_XD);              /* NX in the kernel copy */
    assert_false(ptb_read_entry(&a->pt, a->pgd + 4096 + 8 * idx) & PTE_XD);
    assert_int_equal(os_munmap(t->os, 0, a, 0x7f0000000000ull, 8 * KIB), 0);
    assert_int_equal(os_mm_pt_pages(t->os, a), empty);
    assert_int_equal(ptb_read_entry(&a->pt, a->pgd + 8 * idx), 0);
    assert_int_equal(ptb_read_entry(&a->pt, a->pgd + 4096 + 8 * idx), 0);
    ot_free(t);
}

/* A seeded random mix of mmap / munmap / mprotect / touches / context switches
 * in every mode: no operation fails unexpectedly, every access ends OK or
 * SIGSEGV, and after every process exits the frame counts are the boot's. */
static void test_random_mix(void **state)
{
    (void)state;
    for (size_t i = 0; i < NMODES; i++) {
        for (int kpti = 0; kpti <= (all_modes[i] >= PAGING_4LEVEL); kpti++) {
            os_params_t p;
            os_params_default(&p, all_modes[i]);
            p.kpti = kpti;
            p.pcid = kpti;
            p.cpus = 2;
            ot_t *t = ot_boot(&p);
            uint64_t before[NUM_FRAME_USES];
            for (int u = 0; u < NUM_FRAME_USES; u++)
                before[u] = t->os->frames.count[u];
            mm_struct_t *mm[3] = { ot_proc(t, "a"), ot_proc(t, "b"), ot_proc(t, "c") };
            rng_t rng;   /* sim/core/rng.h */
            rng_seed(&rng, 12345 + i * 7 + (uint64_t)kpti);
            for (int op = 0; op < 1500; op++) {
                unsigned r = (unsigned)(rng_next(&rng) >> 32);
                mm_struct_t *m = mm[r % 3];
                unsigned cpu = (r >> 2) & 1;
                vaddr_t va = 0x400000 + (vaddr_t)((r >> 4) % 16) * 4096;
                uint64_t len = (uint64_t)(1 + (r >> 10) % 4) * 4096;
                unsigned prot = 1 + (r >> 14) % 7;
                switch ((r >> 18) % 12) {
                case 0: case 1: (void)os_mmap(t->os, m, va, len, prot, 12); break;   /* may overlap: refused */
                case 2: case 3: assert_int_equal(os_munmap(t->os, cpu, m, va, len), 0); break;
                case 4: (void)os_mprotect(t->os, cpu, m, va, len, prot); break;      /* may have a hole */
                case 5: ot_switch(t, cpu, m); break;
                default:
                    if (t->os->cpu[cpu].current_mm) {
                        mm_struct_t *cur = t->os->cpu[cpu].current_mm;
                        os_access_t a = ot_touch(t, cpu, va, (mmu_access_t)((r >> 21) % 3));
                        assert_true(a.outcome == OS_ACCESS_OK || a.outcome == OS_ACCESS_SEGV);
                        if (a.outcome == OS_ACCESS_OK) {
                            /* what the MMU answered is what the page tables say now: a
                             * missed flush would show an old frame here */
                            paddr_t e;
                            int level;
                            assert_int_equal(ptb_lookup(&cur->pt, va, &e, &level), LVL_PT);
                            assert_int_equal(ptb_table_base(&cur->pt, ptb_read_entry(&cur->pt, e)), a.last.pa);
                        }
                    }
                    break;
                }
            }
            for (int k = 0; k < 3; k++)
                assert_int_equal(os_mm_destroy(t->os, mm[k]), 0);
            for (int u = 0; u < NUM_FRAME_USES; u++)
                assert_int_equal(t->os->frames.count[u], before[u]);
            ot_free(t);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_half_identical), cmocka_unit_test(test_pae_shared_kernel_pmd),
        cmocka_unit_test(test_user_isolation),        cmocka_unit_test(test_zero_page_then_write),
        cmocka_unit_test(test_segfaults),             cmocka_unit_test(test_mprotect),
        cmocka_unit_test(test_mmap_refused),          cmocka_unit_test(test_huge_pages),
        cmocka_unit_test(test_frames_return),         cmocka_unit_test(test_munmap_frees_tables),
        cmocka_unit_test(test_random_mix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
