/* paging_init per paging mode, checked through the MMU (model backend): the
 * direct map, the kernel image, the cpu_entry_area and the control registers
 * are where Linux puts them. Expected addresses are the documented constants
 * (Documentation/arch/x86/x86_64/mm.rst; 32-bit: PAGE_OFFSET 0xC0000000 and
 * 896 MiB of lowmem), written here as literals, not read from our layout. */
#include "ostest.h"

typedef struct {
    paging_mode_t mode;
    vaddr_t page_offset;          /* mm.rst "direct mapping of all physical memory" */
    vaddr_t text;                 /* _text: __START_KERNEL_map + 16 MiB, or PAGE_OFFSET + 16 MiB */
    vaddr_t vmalloc_start;
    unsigned large_shift;         /* direct-map pages below 1 GiB alignment */
} mode_case_t;

static const mode_case_t modes[] = {
    { PAGING_4LEVEL, 0xffff888000000000ull, 0xffffffff81000000ull, 0xffffc90000000000ull, 21 },
    { PAGING_5LEVEL, 0xff11000000000000ull, 0xffffffff81000000ull, 0xffa0000000000000ull, 21 },
    { PAGING_PAE,    0xC0000000ull,         0xC1000000ull,         0, 21 },
    { PAGING_32,     0xC0000000ull,         0xC1000000ull,         0, 22 },
};

/* kernel_physical_mapping_init: every frame of RAM at PAGE_OFFSET + pa, with
 * 1 GiB pages where a whole aligned GiB is RAM (x86-64), else 2 MiB / 4 MiB. */
static void test_direct_map(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        const mode_case_t *m = &modes[i];
        os_params_t p;
        os_params_default(&p, m->mode);
        p.ram = GIB + 64 * MIB;
        ot_t *t = ot_boot(&p);
        bool x86_64 = m->mode >= PAGING_4LEVEL;
        ot_expect_pa(t, 0, m->page_offset, ACC_READ, 0, x86_64 ? 30 : m->large_shift);
        ot_expect_pa(t, 0, m->page_offset + 0x123458, ACC_WRITE, 0x123458, 0);
        if (x86_64) {
            ot_expect_pa(t, 0, m->page_offset + GIB + 0x5000, ACC_READ, GIB + 0x5000, 21);
            ot_expect_pa(t, 0, m->page_offset + p.ram - 8, ACC_READ, p.ram - 8, 21);
            ot_expect_fault(t, 0, m->page_offset + p.ram, ACC_READ, 0);
            ot_expect_fault(t, 0, m->page_offset, ACC_EXEC, 0);     /* the direct map is NX */
        } else {
            /* lowmem ends at 896 MiB; the 8 MiB VMALLOC_OFFSET gap follows */
            ot_expect_pa(t, 0, m->page_offset + 896 * MIB - 4, ACC_READ, 896 * MIB - 4, m->large_shift);
            ot_expect_fault(t, 0, m->page_offset + 896 * MIB, ACC_READ, 0);
            assert_int_equal(t->os->layout.vmalloc_start, m->page_offset + 896 * MIB + 8 * MIB);
        }
        ot_free(t);
    }
}

/* The kernel image: _text maps physical 16 MiB (CONFIG_PHYSICAL_START); the
 * x86-64 text is read-only and executable, the data NX. */
static void test_kernel_image(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        const mode_case_t *m = &modes[i];
        ot_t *t = ot_boot_mode(m->mode);
        ot_expect_pa(t, 0, m->text + 0x40, ACC_EXEC, 0x1000040, 0);
        ot_expect_pa(t, 0, t->os->layout.entry_text, ACC_EXEC, 0x1000000 + 2 * MIB, 0);
        if (m->mode >= PAGING_4LEVEL) {
            assert_int_equal(0xffffffff80000000ull + 0x1000000, m->text);
            ot_expect_fault(t, 0, m->text, ACC_WRITE, 0);                 /* CR0.WP and RO text */
            ot_expect_fault(t, 0, t->os->layout.data, ACC_EXEC, 0);       /* NX data */
            ot_expect_pa(t, 0, t->os->layout.data + 8, ACC_WRITE, 0x1000000 + 6 * MIB + 8, 21);
        }
        ot_free(t);
    }
}

/* CR0/CR4/EFER as Linux leaves them: PG+WP; PGE, PSE, PAE (not in 32-bit),
 * LA57 (5-level); EFER.LME/LMA/NXE/SCE on x86-64, NXE under PAE. */
static void test_control_registers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        const mode_case_t *m = &modes[i];
        os_params_t p;
        os_params_default(&p, m->mode);
        p.smep = p.smap = true;
        ot_t *t = ot_boot(&p);
        mmu_arch_t st;
        backend_arch_state(t->be[0], &st);
        assert_int_equal(st.mode, m->mode);
        assert_true((st.cr0 & (CR0_PG | CR0_WP | CR0_PE)) == (CR0_PG | CR0_WP | CR0_PE));
        assert_true(st.cr4 & CR4_PGE);
        assert_true(st.cr4 & CR4_SMEP);
        assert_true(st.cr4 & CR4_SMAP);
        assert_int_equal(!!(st.cr4 & CR4_PAE), m->mode != PAGING_32);
        assert_int_equal(!!(st.cr4 & CR4_LA57), m->mode == PAGING_5LEVEL);
        assert_int_equal(!!(st.efer & EFER_LMA), m->mode >= PAGING_4LEVEL);
        assert_int_equal(!!(st.efer & EFER_NXE), m->mode != PAGING_32);
        assert_int_equal(st.cr3 & ~0xfffull, t->os->init_mm.pgd);
        ot_free(t);
    }
    /* PCID: CR4.PCIDE, and CR3 carries kern_pcid(0) = 1 (initialize_tlbstate_and_flush) */
    os_params_t p;
    os_params_default(&p, PAGING_4LEVEL);
    p.pcid = true;
    ot_t *t = ot_boot(&p);
    mmu_arch_t st;
    backend_arch_state(t->be[0], &st);
    assert_true(st.cr4 & CR4_PCIDE);
    assert_int_equal(st.pcid, 1);
    ot_free(t);
}

/* Kernel mappings are supervisor-only: a CPL-3 access to any of them faults. */
static void test_kernel_not_user(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        ot_t *t = ot_boot_mode(modes[i].mode);
        ot_expect_fault(t, 0, modes[i].page_offset, ACC_READ, 3);
        ot_expect_fault(t, 0, modes[i].text, ACC_EXEC, 3);
        ot_expect_fault(t, 0, t->os->layout.cpu_entry_area, ACC_READ, 3);
        ot_free(t);
    }
}

/* setup_cpu_entry_areas: each CPU's entry stack and TSS at its own VA and frame,
 * the same VAs on every CPU's MMU (one kernel page table). */
static void test_cpu_entry_area(void **state)
{
    (void)state;
    os_params_t p;
    os_params_default(&p, PAGING_4LEVEL);
    p.cpus = 2;
    ot_t *t = ot_boot(&p);
    const os_layout_t *l = &t->os->layout;
    assert_int_equal(l->cpu_entry_area, 0xfffffe0000000000ull);
    mmu_result_t s0 = ot_translate(t, 0, cea_entry_stack(l, 0), ACC_WRITE, 0);
    mmu_result_t s1 = ot_translate(t, 1, cea_entry_stack(l, 1), ACC_WRITE, 0);
    mmu_result_t s1_on_0 = ot_translate(t, 0, cea_entry_stack(l, 1), ACC_WRITE, 0);
    assert_int_equal(s0.fault, FAULT_NONE);
    assert_int_equal(s1.fault, FAULT_NONE);
    assert_int_not_equal(s0.pa, s1.pa);
    assert_int_equal(s1.pa, s1_on_0.pa);
    ot_expect_fault(t, 0, cea_gdt(l, 0), ACC_WRITE, 0);    /* the GDT is read-only */
    ot_free(t);
}

/* Combinations Linux does not have are refused. */
static void test_params_refused(void **state)
{
    (void)state;
    char err[OS_ERR_LEN];
    os_params_t p;
    os_params_default(&p, PAGING_32);
    p.vmalloc = VMALLOC_PREALLOC;          /* x86-64 only (5.9) */
    assert_int_equal(os_params_check(&p, err, sizeof err), -1);
    os_params_default(&p, PAGING_4LEVEL);
    p.vmalloc = VMALLOC_SHARED_PMD;        /* PAE only */
    assert_int_equal(os_params_check(&p, err, sizeof err), -1);
    os_params_default(&p, PAGING_PAE);
    p.kpti = true;                         /* PAE PTI not modelled: shared-pmd is PAE without PTI */
    assert_int_equal(os_params_check(&p, err, sizeof err), -1);
    os_params_default(&p, PAGING_PAE);
    p.pcid = true;                         /* PCID needs IA-32e */
    assert_int_equal(os_params_check(&p, err, sizeof err), -1);
    os_layout_t l;
    assert_int_equal(os_layout_init(&l, PAGING_4LEVEL, 130 * MIB, err, sizeof err), -1);   /* not 4 MiB multiple */
    assert_int_equal(os_layout_init(&l, PAGING_4LEVEL, 16 * MIB, err, sizeof err), -1);    /* below the image */
    os_params_default(&p, PAGING_4LEVEL);
    assert_int_equal(p.vmalloc, VMALLOC_PREALLOC);
    assert_int_equal(p.flush_ceiling, 33);
    os_params_default(&p, PAGING_PAE);
    assert_int_equal(p.vmalloc, VMALLOC_SHARED_PMD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_direct_map),        cmocka_unit_test(test_kernel_image),
        cmocka_unit_test(test_control_registers), cmocka_unit_test(test_kernel_not_user),
        cmocka_unit_test(test_cpu_entry_area),    cmocka_unit_test(test_params_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
