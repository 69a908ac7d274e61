/* TLB policy of arch/x86/mm/tlb.c and the vmalloc synchronisation policies,
 * checked on the counters the OS layer keeps and on what the MMU then
 * translates (a flush that Linux would do and we forgot shows up as a stale
 * translation; one we did and Linux would not shows in the counters). */
#include <stdio.h>

#include "ostest.h"

static ot_t *boot_with(paging_mode_t mode, void (*tweak)(os_params_t *p, int arg), int arg)
{
    os_params_t p;
    os_params_default(&p, mode);
    if (tweak)
        tweak(&p, arg);
    return ot_boot(&p);
}

static void set_ceiling(os_params_t *p, int ceiling) { p->flush_ceiling = (unsigned)ceiling; }
static void set_invpcid(os_params_t *p, int on) { p->invpcid = on; }
static void set_pcid(os_params_t *p, int on) { p->pcid = on; }
static void set_kpti_pcid(os_params_t *p, int invpcid) { p->kpti = p->pcid = true; p->invpcid = invpcid; }
static void set_kpti(os_params_t *p, int pcid) { p->kpti = true; p->pcid = pcid; }
static void set_cpus(os_params_t *p, int n) { p->cpus = (unsigned)n; }

/* Writes every page of [va, va + pages) in mm on cpu 0. */
static void fill(ot_t *t, vaddr_t va, unsigned pages)
{
    for (unsigned i = 0; i < pages; i++)
        assert_int_equal(ot_touch(t, 0, va + (vaddr_t)i * 4096, ACC_WRITE).outcome, OS_ACCESS_OK);
}

/* flush_tlb_mm_range: INVLPG per page while (end - start) >> PAGE_SHIFT <=
 * tlb_single_page_flush_ceiling, a full flush (CR3 reload) above it. */
static void test_flush_ceiling_boundary(void **state)
{
    (void)state;
    const int ceilings[] = { 33, 5 };
    for (size_t c = 0; c < 2; c++) {
        unsigned ceil = (unsigned)ceilings[c];
        ot_t *t = boot_with(PAGING_4LEVEL, set_ceiling, (int)ceil);
        mm_struct_t *a = ot_proc(t, "a");
        vaddr_t va = 0x400000, vb = 0x800000;
        assert_int_equal(os_mmap(t->os, a, va, 128 * KIB * 4, PROT_R | PROT_W, 12), 0);
        assert_int_equal(os_mmap(t->os, a, vb, 128 * KIB * 4, PROT_R | PROT_W, 12), 0);
        ot_switch(t, 0, a);
        fill(t, va, ceil + 1);
        fill(t, vb, ceil + 1);
        os_counters_t before = t->os->cnt;
        assert_int_equal(os_munmap(t->os, 0, a, va, (uint64_t)ceil * 4096), 0);        /* exactly the ceiling */
        assert_int_equal(t->os->cnt.invlpg - before.invlpg, ceil);
        assert_int_equal(t->os->cnt.full_flushes - before.full_flushes, 0);
        before = t->os->cnt;
        assert_int_equal(os_munmap(t->os, 0, a, vb, (uint64_t)(ceil + 1) * 4096), 0);  /* one above */
        assert_int_equal(t->os->cnt.invlpg - before.invlpg, 0);
        assert_int_equal(t->os->cnt.full_flushes - before.full_flushes, 1);
        assert_int_equal(t->os->cnt.cr3_writes - before.cr3_writes, 1);
        assert_int_equal(ot_touch(t, 0, vb, ACC_READ).outcome, OS_ACCESS_SEGV);      /* and it is gone */
        ot_free(t);
    }
}

/* flush_tlb_kernel_range: the vmap area includes its guard page, so vfree of
 * 32 pages flushes 33 pages by INVLPG and of 33 pages does a global flush
 * (INVPCID type 2 with INVPCID, else CR4.PGE toggled). */
static void test_kernel_range_ceiling(void **state)
{
    (void)state;
    for (int invpcid = 0; invpcid <= 1; invpcid++) {
        ot_t *t = boot_with(PAGING_4LEVEL, set_invpcid, invpcid);
        vaddr_t small = os_vmalloc(t->os, 32 * 4096), big = os_vmalloc(t->os, 33 * 4096);
        assert_true(small && big);
        assert_int_equal(ot_ktouch(t, 0, big + 4096, ACC_WRITE).outcome, OS_ACCESS_OK);
        os_counters_t before = t->os->cnt;
        assert_int_equal(os_vfree(t->os, 0, small), 0);
        assert_int_equal(t->os->cnt.invlpg - before.invlpg, 33);
        assert_int_equal(t->os->cnt.full_flushes - before.full_flushes, 0);
        before = t->os->cnt;
        assert_int_equal(os_vfree(t->os, 0, big), 0);
        assert_int_equal(t->os->cnt.invlpg - before.invlpg, 0);
        assert_int_equal(t->os->cnt.full_flushes - before.full_flushes, 1);
        assert_int_equal(t->os->cnt.invpcid - before.invpcid, (uint64_t)invpcid);
        assert_int_equal(ot_ktouch(t, 0, big + 4096, ACC_WRITE).outcome, OS_ACCESS_OOPS);   /* global entry gone */
        ot_free(t);
    }
}

/* choose_new_asid: 6 slots per CPU, round robin from next_asid (slot 0 holds
 * init_mm after boot); a slot that still holds the mm at its tlb_gen is
 * reused with NOFLUSH; kernel PCID = ASID + 1. */
static void test_pcid_asids(void **state)
{
    (void)state;
    ot_t *t = boot_with(PAGING_4LEVEL, set_pcid, 1);
    mm_struct_t *p[7];
    char name[16];
    for (int i = 0; i < 7; i++) {
        snprintf(name, sizeof name, "p%d", i);
        p[i] = ot_proc(t, name);
    }
    const struct { int proc; unsigned asid; bool noflush; } steps[] = {
        {0, 1, false}, {1, 2, false}, {0, 1, true}, {2, 3, false}, {3, 4, false}, {4, 5, false},
        {5, 0, false} /* wraps: init_mm's slot */, {6, 1, false} /* evicts p0 */, {0, 2, false} /* evicts p1 */,
        {6, 1, true},
    };
    for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
        uint64_t noflush = t->os->cnt.cr3_noflush;
        ot_switch(t, 0, p[steps[s].proc]);
        assert_int_equal(t->os->cpu[0].tlb.loaded_mm_asid, steps[s].asid);
        assert_int_equal(ot_cr3(t, 0), p[steps[s].proc]->pgd | (steps[s].asid + 1));
        assert_int_equal(t->os->cnt.cr3_noflush - noflush, steps[s].noflush);
    }
    ot_free(t);
}

/* A slot whose tlb_gen is behind the mm's (a flush happened while the mm was
 * not loaded) is reused with a flush, so the stale translation is gone; an
 * up-to-date one is reused with NOFLUSH and the TLB still answers. */
static void test_pcid_stale_generation(void **state)
{
    (void)state;
    ot_t *t = boot_with(PAGING_4LEVEL, set_pcid, 1);
    mm_struct_t *a = ot_proc(t, "a"), *b = ot_proc(t, "b");
    assert_int_equal(os_mmap(t->os, a, 0x400000, 8 * KIB, PROT_R | PROT_W, 12), 0);
    ot_switch(t, 0, a);
    fill(t, 0x400000, 2);
    ot_switch(t, 0, b);
    ot_switch(t, 0, a);
    os_access_t hit = ot_touch(t, 0, 0x400000, ACC_READ);
    assert_int_equal(hit.faults, 0);
    assert_int_not_equal(hit.last.tlb_hit, TLB_HIT_NONE);        /* NOFLUSH kept a's entries */
    ot_switch(t, 0, b);
    uint64_t invlpg = t->os->cnt.invlpg;
    assert_int_equal(os_munmap(t->os, 0, a, 0x401000, 4 * KIB), 0);
    assert_int_equal(t->os->cnt.invlpg, invlpg);                 /* not loaded here: nothing flushed now */
    assert_int_equal(a->tlb_gen, 1);
    uint64_t noflush = t->os->cnt.cr3_noflush;
    ot_switch(t, 0, a);
    assert_int_equal(t->os->cnt.cr3_noflush, noflush);           /* stale slot: flushed */
    assert_int_equal(ot_touch(t, 0, 0x401000, ACC_READ).outcome, OS_ACCESS_SEGV);
    ot_free(t);
}

/* PTI: the user copy (CR3 bit 12) maps user space, the entry text and the
 * cpu_entry_area (pti_clone_entry_text, pti_clone_user_shared), plus the
 * kernel text when it may stay global, i.e. without PCID
 * (pti_clone_kernel_text, pti_kernel_image_global_ok); no other kernel address. */
static void test_kpti_user_copy(void **state)
{
    (void)state;
    const paging_mode_t modes[] = { PAGING_4LEVEL, PAGING_5LEVEL, PAGING_4LEVEL };
    for (size_t m = 0; m < 3; m++) {
        int pcid = m == 2 ? 0 : 1;
        ot_t *t = boot_with(modes[m], set_kpti, pcid);
        const os_layout_t *l = &t->os->layout;
        mm_struct_t *a = ot_proc(t, "a");
        vaddr_t buf = os_vmalloc(t->os, 4096);
        assert_true(buf);
        assert_int_equal(os_mmap(t->os, a, 0x400000, 4 * KIB, PROT_R | PROT_W, 12), 0);
        ot_switch(t, 0, a);
        assert_int_equal(ot_ktouch(t, 0, buf, ACC_WRITE).outcome, OS_ACCESS_OK);
        assert_int_equal(ot_cr3(t, 0) & (1ull << 12), 0);       /* kernel copy in the kernel */
        assert_int_equal(ot_touch(t, 0, 0x400000, ACC_WRITE).outcome, OS_ACCESS_OK);
        assert_int_equal(ot_cr3(t, 0) & ~0xfffull, a->pgd | (1ull << 12));   /* user copy in user mode */
        ot_expect_pa(t, 0, l->entry_text + 0x80, ACC_EXEC, 0x1000000 + 2 * MIB + 0x80, 21);
        assert_int_equal(ot_translate(t, 0, cea_entry_stack(l, 0), ACC_WRITE, 0).fault, FAULT_NONE);
        assert_int_equal(ot_translate(t, 0, cea_tss(l, 0), ACC_WRITE, 0).fault, FAULT_NONE);
        if (pcid) {
            ot_expect_fault(t, 0, l->text, ACC_EXEC, 0);
            ot_expect_fault(t, 0, l->text + 4 * MIB, ACC_EXEC, 0);
        } else {
            ot_expect_pa(t, 0, l->text + 4 * MIB, ACC_EXEC, 0x1000000 + 4 * MIB, 21);
        }
        ot_expect_fault(t, 0, l->data, ACC_READ, 0);
        ot_expect_fault(t, 0, l->page_offset, ACC_READ, 0);
        ot_expect_fault(t, 0, l->page_offset + 0x1000000, ACC_READ, 0);
        ot_expect_fault(t, 0, buf, ACC_READ, 0);
        assert_int_equal(ot_translate(t, 0, 0x400000, ACC_READ, 3).fault, FAULT_NONE);
        ot_free(t);
    }
}

/* Global bits under PTI: kernel mappings are not global, except the kernel
 * image without PCID (pti_kernel_image_global_ok) and the entry areas. */
static void test_kpti_global_bits(void **state)
{
    (void)state;
    for (int pcid = 0; pcid <= 1; pcid++) {
        ot_t *t = boot_with(PAGING_4LEVEL, set_kpti, pcid);
        const os_layout_t *l = &t->os->layout;
        ptbuild_t *k = &t->os->init_mm.pt;
        paddr_t e;
        int level;
        assert_true(ptb_lookup(k, l->page_offset, &e, &level));
        assert_false(ptb_read_entry(k, e) & PTE_G);
        assert_true(ptb_lookup(k, l->text + 4 * MIB, &e, &level));
        assert_int_equal(!!(ptb_read_entry(k, e) & PTE_G), !pcid);
        assert_true(ptb_lookup(k, l->data, &e, &level));
        assert_false(ptb_read_entry(k, e) & PTE_G);
        assert_true(ptb_lookup(k, cea_tss(l, 0), &e, &level));
        assert_true(ptb_read_entry(k, e) & PTE_G);
        assert_true(ptb_lookup(&t->os->init_mm.user_pt, l->entry_text, &e, &level));
        assert_true(ptb_read_entry(k, e) & PTE_G);
        ot_free(t);
    }
}

/* SWITCH_TO_KERNEL_CR3 / SWITCH_TO_USER_CR3 with PCID: a syscall is two CR3
 * writes, both NOFLUSH; a user-address flush without INVPCID sets the ASID in
 * user_pcid_flush_mask and the next exit writes CR3 without NOFLUSH; with
 * INVPCID the user PCID is flushed at once (INVPCID type 0) and exit stays
 * NOFLUSH. Either way the unmapped page is gone for the user. */
static void test_kpti_pcid_entry_exit(void **state)
{
    (void)state;
    for (int invpcid = 0; invpcid <= 1; invpcid++) {
        ot_t *t = boot_with(PAGING_4LEVEL, set_kpti_pcid, invpcid);
        mm_struct_t *a = ot_proc(t, "a");
        assert_int_equal(os_mmap(t->os, a, 0x400000, 8 * KIB, PROT_R | PROT_W, 12), 0);
        ot_switch(t, 0, a);
        fill(t, 0x400000, 2);
        assert_int_equal(ot_cr3(t, 0), a->pgd | (1ull << 12) | 0x800 | 2);   /* user PCID of ASID 1 */
        os_counters_t before = t->os->cnt;
        os_syscall_t sc = { 1, 1, 1 };
        assert_int_equal(os_syscall(t->os, 0, &sc), 0);
        assert_int_equal(t->os->cnt.cr3_writes - before.cr3_writes, 2);
        assert_int_equal(t->os->cnt.cr3_noflush - before.cr3_noflush, 2);
        before = t->os->cnt;
        assert_int_equal(os_munmap(t->os, 0, a, 0x401000, 4 * KIB), 0);
        assert_int_equal(t->os->cnt.invlpg - before.invlpg, 1);
        assert_int_equal(t->os->cnt.invpcid - before.invpcid, (uint64_t)invpcid);
        assert_int_equal(t->os->cpu[0].tlb.user_pcid_flush_mask, invpcid ? 0 : 1u << 2);
        before = t->os->cnt;
        assert_int_equal(ot_touch(t, 0, 0x401000, ACC_READ).outcome, OS_ACCESS_SEGV);
        /* exit (1 write, NOFLUSH only with INVPCID), then the fault's entry and exit (both NOFLUSH) */
        assert_int_equal(t->os->cnt.cr3_writes - before.cr3_writes, 3);
        assert_int_equal(t->os->cnt.cr3_noflush - before.cr3_noflush, invpcid ? 3u : 2u);
        assert_int_equal(t->os->cpu[0].tlb.user_pcid_flush_mask, 0);
        ot_free(t);
    }
}

/* Shootdowns: the initiator flushes locally and IPIs the other CPUs of
 * mm_cpumask; lazy CPUs are skipped unless page tables were freed (then they
 * switch to init_mm); a lazy CPU that missed a flush reloads CR3 when it
 * returns to the mm (switch_mm_irqs_off, was_lazy and tlb_gen behind). */
static void test_shootdown(void **state)
{
    (void)state;
    ot_t *t = boot_with(PAGING_4LEVEL, set_cpus, 3);
    os_t *os = t->os;
    mm_struct_t *a = ot_proc(t, "a"), *b = ot_proc(t, "b");
    assert_int_equal(os_mmap(os, a, 0x400000, 16 * KIB, PROT_R | PROT_W, 12), 0);
    ot_switch(t, 0, a);
    ot_switch(t, 1, a);
    ot_switch(t, 2, b);
    assert_int_equal(a->cpumask, 3);
    assert_int_equal(b->cpumask, 4);
    for (unsigned cpu = 0; cpu < 2; cpu++)
        for (vaddr_t va = 0x400000; va < 0x404000; va += 4096)
            assert_int_equal(ot_touch(t, cpu, va, ACC_WRITE).outcome, OS_ACCESS_OK);
    os_counters_t before = os->cnt;
    assert_int_equal(os_munmap(os, 0, a, 0x400000, 4 * KIB), 0);
    assert_int_equal(os->cnt.ipis - before.ipis, 1);                 /* CPU 1, not CPU 2 */
    assert_int_equal(os->cnt.invlpg - before.invlpg, 2);
    assert_int_equal(ot_touch(t, 1, 0x400000, ACC_READ).outcome, OS_ACCESS_SEGV);
    /* CPU 1 runs a kernel thread: skipped while no tables are freed */
    assert_int_equal(os_kernel_entry(os, 1), 0);
    enter_lazy_tlb(os, 1);
    before = os->cnt;
    assert_int_equal(os_munmap(os, 0, a, 0x401000, 4 * KIB), 0);
    assert_int_equal(os->cnt.ipis - before.ipis, 0);
    assert_int_equal(os->cnt.invlpg - before.invlpg, 1);
    /* back to a: the missed generation costs a CR3 reload, and the page is gone */
    before = os->cnt;
    ot_switch(t, 1, a);
    assert_int_equal(os->cnt.cr3_writes - before.cr3_writes, 1);
    assert_int_equal(ot_touch(t, 1, 0x401000, ACC_READ).outcome, OS_ACCESS_SEGV);
    /* lazy again; freeing the page tables reaches it and it leaves the mm */
    assert_int_equal(os_kernel_entry(os, 1), 0);
    enter_lazy_tlb(os, 1);
    before = os->cnt;
    assert_int_equal(os_munmap(os, 0, a, 0x400000, 16 * KIB), 0);
    assert_int_equal(os->cnt.ipis - before.ipis, 1);
    assert_ptr_equal(os->cpu[1].tlb.loaded_mm, &os->init_mm);
    assert_int_equal(a->cpumask, 1);
    ot_free(t);
}

typedef struct {
    paging_mode_t mode;
    vmalloc_policy_t policy;
    unsigned faults_per_process;    /* lazy: one per process and sync-level entry first touched */
    bool synced_at_vmalloc;         /* sync: one entry per pgd on pgd_list */
} policy_case_t;

/* The four policies: vmalloc writes only init_mm; lazy costs exactly one
 * vmalloc_fault per process (per top-level / PMD entry, first touch), sync
 * copies the new entry into every pgd at vmalloc time, prealloc and the
 * shared PMD need nothing. A process forked after the vmalloc inherits the
 * entry (clone_pgd_range / pgd_prepopulate_pmd). After vfree a touch oopses. */
static void test_vmalloc_policies(void **state)
{
    (void)state;
    const policy_case_t cases[] = {
        { PAGING_4LEVEL, VMALLOC_LAZY, 1, false },     { PAGING_4LEVEL, VMALLOC_SYNC, 0, true },
        { PAGING_4LEVEL, VMALLOC_PREALLOC, 0, false }, { PAGING_5LEVEL, VMALLOC_LAZY, 1, false },
        { PAGING_5LEVEL, VMALLOC_SYNC, 0, true },      { PAGING_5LEVEL, VMALLOC_PREALLOC, 0, false },
        { PAGING_32, VMALLOC_LAZY, 1, false },         { PAGING_32, VMALLOC_SYNC, 0, true },
        { PAGING_PAE, VMALLOC_LAZY, 1, false },        { PAGING_PAE, VMALLOC_SYNC, 0, true },
        { PAGING_PAE, VMALLOC_SHARED_PMD, 0, false },
    };
    enum { NPROC = 3 };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        os_params_t p;
        os_params_default(&p, cases[i].mode);
        p.vmalloc = cases[i].policy;
        ot_t *t = ot_boot(&p);
        mm_struct_t *mm[NPROC + 1];
        char name[16];
        for (int k = 0; k < NPROC; k++) {
            snprintf(name, sizeof name, "p%d", k);
            mm[k] = ot_proc(t, name);
        }
        vaddr_t buf = os_vmalloc(t->os, 8 * 4096);
        assert_true(buf);
        assert_int_equal(t->os->cnt.vmalloc_synced, cases[i].synced_at_vmalloc ? NPROC : 0);
        mm[NPROC] = ot_proc(t, "late");
        for (int k = 0; k <= NPROC; k++) {
            ot_switch(t, 0, mm[k]);
            uint64_t faults = t->os->cnt.vmalloc_faults;
            /* a page no one touched yet: the kernel's global TLB entries would hide the fault */
            assert_int_equal(ot_ktouch(t, 0, buf + (vaddr_t)k * 4096, ACC_WRITE).outcome, OS_ACCESS_OK);
            assert_int_equal(ot_ktouch(t, 0, buf + (vaddr_t)(k + 4) * 4096, ACC_READ).outcome, OS_ACCESS_OK);
            unsigned expect = k < NPROC ? cases[i].faults_per_process : 0;
            if (t->os->cnt.vmalloc_faults - faults != expect)
                fail_msg("%s %s process %d: %llu vmalloc faults, expected %u", paging_mode_name(p.mode),
                         vmalloc_policy_name(p.vmalloc), k, (unsigned long long)(t->os->cnt.vmalloc_faults - faults),
                         expect);
        }
        assert_int_equal(t->os->cnt.oops, 0);
        assert_int_equal(os_vfree(t->os, 0, buf), 0);
        assert_int_equal(ot_ktouch(t, 0, buf, ACC_READ).outcome, OS_ACCESS_OOPS);
        ot_free(t);
    }
}

/* A seeded random mix of vmalloc / vfree / kernel accesses / context switches on
 * two CPUs for every mode and policy: every kernel access that succeeds
 * translates as init_mm says now (a missed flush_tlb_kernel_range on either CPU
 * would show a freed frame), an access to a freed area oopses, and the lazy
 * policy never takes more vmalloc faults than processes x entries. */
static void test_vmalloc_random_mix(void **state)
{
    (void)state;
    const struct { paging_mode_t mode; vmalloc_policy_t policy; bool kpti; } cases[] = {
        { PAGING_4LEVEL, VMALLOC_LAZY, false }, { PAGING_4LEVEL, VMALLOC_SYNC, true },
        { PAGING_5LEVEL, VMALLOC_PREALLOC, true }, { PAGING_32, VMALLOC_LAZY, false },
        { PAGING_PAE, VMALLOC_SYNC, false }, { PAGING_PAE, VMALLOC_SHARED_PMD, false },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        os_params_t p;
        os_params_default(&p, cases[c].mode);
        p.vmalloc = cases[c].policy;
        p.kpti = p.pcid = cases[c].kpti;
        p.cpus = 2;
        ot_t *t = ot_boot(&p);
        mm_struct_t *mm[3] = { ot_proc(t, "a"), ot_proc(t, "b"), ot_proc(t, "c") };
        enum { SLOTS = 6 };
        vaddr_t area[SLOTS] = { 0 }, freed[SLOTS] = { 0 };
        rng_t rng;   /* sim/core/rng.h */
        rng_seed(&rng, 99 + c);
        for (int op = 0; op < 1500; op++) {
            unsigned r = (unsigned)(rng_next(&rng) >> 32), slot = r % SLOTS, cpu = (r >> 3) & 1;
            switch ((r >> 5) % 8) {
            case 0:
                if (!area[slot]) {
                    area[slot] = os_vmalloc(t->os, (uint64_t)(1 + (r >> 8) % 40) * 4096);
                    assert_true(area[slot]);
                    freed[slot] = 0;
                }
                break;
            case 1:
                if (area[slot]) {
                    assert_int_equal(os_vfree(t->os, cpu, area[slot]), 0);
                    freed[slot] = area[slot];
                    area[slot] = 0;
                }
                break;
            case 2:
                ot_switch(t, cpu, mm[(r >> 8) % 3]);
                break;
            default: {
                vaddr_t base = area[slot] ? area[slot] : freed[slot];
                if (!base)
                    break;
                vaddr_t va = base + (vaddr_t)((r >> 8) % 2) * 4096;
                os_access_t a = ot_ktouch(t, cpu, va, (r >> 10) & 1 ? ACC_WRITE : ACC_READ);
                paddr_t e;
                int level;
                bool mapped = ptb_lookup(&t->os->init_mm.pt, va, &e, &level) == LVL_PT;
                if (a.outcome == OS_ACCESS_OK) {
                    assert_true(mapped);
                    assert_int_equal(ptb_table_base(&t->os->init_mm.pt, ptb_read_entry(&t->os->init_mm.pt, e)), a.last.pa);
                } else {
                    assert_int_equal(a.outcome, OS_ACCESS_OOPS);
                    assert_false(mapped);
                }
                break;
            }
            }
        }
        if (p.vmalloc != VMALLOC_LAZY)
            assert_int_equal(t->os->cnt.vmalloc_faults, 0);
        ot_free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flush_ceiling_boundary), cmocka_unit_test(test_kernel_range_ceiling),
        cmocka_unit_test(test_pcid_asids),             cmocka_unit_test(test_pcid_stale_generation),
        cmocka_unit_test(test_kpti_user_copy),         cmocka_unit_test(test_kpti_global_bits),
        cmocka_unit_test(test_kpti_pcid_entry_exit),   cmocka_unit_test(test_shootdown),
        cmocka_unit_test(test_vmalloc_policies),      cmocka_unit_test(test_vmalloc_random_mix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
