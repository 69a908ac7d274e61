/* TLB management after arch/x86/mm/tlb.c (Linux 6.1 unless docs/os.md says
 * otherwise): ASIDs and context switches, local flushes, shootdowns.
 *
 * Per-CPU state is os_cpu_t.tlb, a struct tlb_state. Each policy decision is
 * one function named after the kernel's: choose_new_asid, load_new_mm_cr3,
 * switch_mm_irqs_off, flush_tlb_func, flush_tlb_mm_range,
 * flush_tlb_kernel_range, native_flush_tlb_one_user, invalidate_user_asid.
 * "IPIs" run the remote CPU's function directly on that CPU's backend, at
 * its own clock, entering and leaving the kernel when it was in user mode.
 * The low-level operations at the top are the only places that talk to the
 * backends' control port; they count what they issue. */
#include "os.h"

#include <stdio.h>

/* --- control operations, counted --------------------------------------------- */

static const char *ctrl_kind_name(mmu_ctrl_kind_t k)
{
    static const char *const names[] = { "CR0", "CR3", "CR4", "EFER", "INVLPG", "INVPCID" };
    return (unsigned)k < 6 ? names[k] : "?";
}

static int issue_ctrl(os_t *os, unsigned cpu, mmu_ctrl_t *op)
{
    backend_t *be = os->cpu[cpu].be;
    mmu_ctrl_result_t res;
    op->issue_cycle = backend_horizon(be);
    if (backend_control(be, op, &res) < 0)
        return os_error(os, "CPU %u: the %s backend refused %s (diverged)", cpu, backend_kind_name(be->kind),
                        ctrl_kind_name(op->kind));
    if (res.fault != FAULT_NONE)
        return os_error(os, "CPU %u: %s 0x%llx raised #GP (an OS-layer bug)", cpu, ctrl_kind_name(op->kind),
                        (unsigned long long)(op->kind == CTRL_INVLPG ? op->va : op->value));
    return 0;
}

int os_ctrl(os_t *os, unsigned cpu, mmu_ctrl_kind_t kind, uint64_t value)
{
    mmu_ctrl_t op = { .kind = kind, .value = value };
    return issue_ctrl(os, cpu, &op);
}

int os_write_cr3(os_t *os, unsigned cpu, uint64_t value)
{
    os->cnt.cr3_writes++;
    if (value & CR3_NOFLUSH)
        os->cnt.cr3_noflush++;
    return os_ctrl(os, cpu, CTRL_CR3, value);
}

int os_invlpg(os_t *os, unsigned cpu, vaddr_t va)
{
    mmu_ctrl_t op = { .kind = CTRL_INVLPG, .va = va };
    os->cnt.invlpg++;
    return issue_ctrl(os, cpu, &op);
}

int os_invpcid(os_t *os, unsigned cpu, unsigned type, uint16_t pcid, vaddr_t va)
{
    mmu_ctrl_t op = { .kind = CTRL_INVPCID, .invpcid_type = type, .pcid = pcid, .va = va };
    os->cnt.invpcid++;
    return issue_ctrl(os, cpu, &op);
}

int os_translate(os_t *os, unsigned cpu, vaddr_t va, mmu_access_t acc, uint8_t cpl, mmu_result_t *out)
{
    backend_t *be = os->cpu[cpu].be;
    mmu_req_t req = { .va = va, .access = acc, .cpl = cpl, .issue_cycle = backend_horizon(be) };
    if (backend_translate(be, &req, out) < 0)
        return os_error(os, "CPU %u: the %s backend diverged on an access to 0x%llx", cpu,
                        backend_kind_name(be->kind), (unsigned long long)va);
    return 0;
}

static uint64_t read_cr3(os_t *os, unsigned cpu)
{
    mmu_arch_t st;
    backend_arch_state(os->cpu[cpu].be, &st);
    return st.cr3;
}

/* --- ASIDs and context switches -------------------------------------------- */

static uint64_t build_cr3(const os_t *os, paddr_t pgd, uint16_t asid)
{
    return os->p.pcid ? pgd | kern_pcid(asid) : pgd;
}

/* invalidate_user_asid: the next SWITCH_TO_USER_CR3 flushes the user PCID. */
static void invalidate_user_asid(os_t *os, unsigned cpu, uint16_t asid)
{
    if (!os->p.pcid || !os->p.kpti)
        return;
    os->cpu[cpu].tlb.user_pcid_flush_mask |= 1u << kern_pcid(asid);
}

/* clear_asid_other: after a kernel flush under PTI, the other ASIDs flush at next use. */
static void clear_asid_other(os_t *os, unsigned cpu)
{
    struct tlb_state *t = &os->cpu[cpu].tlb;
    for (uint16_t asid = 0; asid < TLB_NR_DYN_ASIDS; asid++)
        if (asid != t->loaded_mm_asid)
            t->ctxs[asid].ctx_id = 0;
    t->invalidate_other = false;
}

static void choose_new_asid(os_t *os, unsigned cpu, const mm_struct_t *next, uint64_t next_tlb_gen,
                            uint16_t *new_asid, bool *need_flush)
{
    struct tlb_state *t = &os->cpu[cpu].tlb;
    if (!os->p.pcid) {
        *new_asid = 0;
        *need_flush = true;
        return;
    }
    if (t->invalidate_other)
        clear_asid_other(os, cpu);
    for (uint16_t asid = 0; asid < TLB_NR_DYN_ASIDS; asid++) {
        if (t->ctxs[asid].ctx_id != next->ctx_id)
            continue;
        *new_asid = asid;
        *need_flush = t->ctxs[asid].tlb_gen < next_tlb_gen;
        return;
    }
    *new_asid = t->next_asid++;
    if (*new_asid >= TLB_NR_DYN_ASIDS) {
        *new_asid = 0;
        t->next_asid = 1;
    }
    *need_flush = true;
}

static int load_new_mm_cr3(os_t *os, unsigned cpu, paddr_t pgd, uint16_t new_asid, bool need_flush)
{
    uint64_t cr3;
    if (need_flush) {
        invalidate_user_asid(os, cpu, new_asid);
        cr3 = build_cr3(os, pgd, new_asid);
    } else {
        cr3 = build_cr3(os, pgd, new_asid) | CR3_NOFLUSH;
    }
    return os_write_cr3(os, cpu, cr3);
}

int switch_mm_irqs_off(os_t *os, unsigned cpu, mm_struct_t *next)
{
    struct tlb_state *t = &os->cpu[cpu].tlb;
    mm_struct_t *prev = t->loaded_mm;
    uint16_t prev_asid = t->loaded_mm_asid, new_asid;
    bool was_lazy = t->is_lazy, need_flush;
    uint64_t next_tlb_gen;
    t->is_lazy = false;
    if (prev == next) {
        /* Same mm: no flush, unless it went stale while this CPU was lazy. */
        if (!was_lazy)
            return 0;
        next_tlb_gen = next->tlb_gen;
        if (t->ctxs[prev_asid].tlb_gen == next_tlb_gen)
            return 0;
        new_asid = prev_asid;
        need_flush = true;
    } else {
        if (prev != &os->init_mm)
            prev->cpumask &= ~(1ull << cpu);
        if (next != &os->init_mm)
            next->cpumask |= 1ull << cpu;
        next_tlb_gen = next->tlb_gen;
        choose_new_asid(os, cpu, next, next_tlb_gen, &new_asid, &need_flush);
        os->cnt.switches++;
    }
    if (need_flush)
        t->ctxs[new_asid] = (struct tlb_context){ next->ctx_id, next_tlb_gen };
    if (load_new_mm_cr3(os, cpu, next->pgd, new_asid, need_flush) < 0)
        return -1;
    t->loaded_mm = next;
    t->loaded_mm_asid = new_asid;
    return 0;
}

/* The CPU runs a kernel thread on the borrowed mm (it stays in mm_cpumask). */
void enter_lazy_tlb(os_t *os, unsigned cpu)
{
    os->cpu[cpu].current_mm = NULL;
    if (os->cpu[cpu].tlb.loaded_mm == &os->init_mm)
        return;
    os->cpu[cpu].tlb.is_lazy = true;
}

/* --- local flushes ------------------------------------------------------------ */

/* native_flush_tlb_one_user */
static int flush_tlb_one_user(os_t *os, unsigned cpu, vaddr_t addr)
{
    uint16_t asid = os->cpu[cpu].tlb.loaded_mm_asid;
    if (os_invlpg(os, cpu, addr) < 0)
        return -1;
    if (!os->p.kpti)
        return 0;
    if (!(os->p.invpcid && os->p.pcid)) {     /* X86_FEATURE_INVPCID_SINGLE */
        invalidate_user_asid(os, cpu, asid);
        return 0;
    }
    return os_invpcid(os, cpu, 0, user_pcid(asid), addr);
}

/* native_flush_tlb_local: reload CR3 (the current PCID's non-global entries). */
static int flush_tlb_local(os_t *os, unsigned cpu)
{
    invalidate_user_asid(os, cpu, os->cpu[cpu].tlb.loaded_mm_asid);
    os->cnt.full_flushes++;
    return os_write_cr3(os, cpu, read_cr3(os, cpu));
}

/* __flush_tlb_all -> native_flush_tlb_global: INVPCID type 2, or CR4.PGE toggled. */
static int flush_tlb_global(os_t *os, unsigned cpu)
{
    os->cnt.full_flushes++;
    if (os->p.invpcid)
        return os_invpcid(os, cpu, 2, 0, 0);
    if (os_ctrl(os, cpu, CTRL_CR4, os->cr4 & ~CR4_PGE) < 0)
        return -1;
    return os_ctrl(os, cpu, CTRL_CR4, os->cr4);
}

/* --- shootdowns ------------------------------------------------------------------ */

typedef struct {
    mm_struct_t *mm;              /* NULL: a kernel flush */
    vaddr_t start, end;
    unsigned stride_shift;
    bool freed_tables;
    uint64_t new_tlb_gen;
    unsigned initiating_cpu;
} flush_tlb_info_t;

static int flush_tlb_func(os_t *os, unsigned cpu, const flush_tlb_info_t *f)
{
    struct tlb_state *t = &os->cpu[cpu].tlb;
    mm_struct_t *loaded_mm = t->loaded_mm;
    uint16_t asid = t->loaded_mm_asid;
    uint64_t local_tlb_gen = t->ctxs[asid].tlb_gen;
    bool local = cpu == f->initiating_cpu;
    if (!local && f->mm && f->mm != loaded_mm)
        return 0;
    if (loaded_mm == &os->init_mm)
        return 0;
    if (t->is_lazy)   /* at least drop the paging-structure caches: switch to init_mm */
        return switch_mm_irqs_off(os, cpu, &os->init_mm);
    if (f->new_tlb_gen <= local_tlb_gen)
        return 0;     /* already flushed by a later request */
    uint64_t mm_tlb_gen = loaded_mm->tlb_gen;
    if (local_tlb_gen == mm_tlb_gen)
        return 0;
    int rc = 0;
    if (f->end != TLB_FLUSH_ALL && f->new_tlb_gen == local_tlb_gen + 1 && f->new_tlb_gen == mm_tlb_gen) {
        for (vaddr_t addr = f->start; rc == 0 && addr < f->end; addr += 1ull << f->stride_shift)
            rc = flush_tlb_one_user(os, cpu, addr);
    } else {
        rc = flush_tlb_local(os, cpu);
    }
    t->ctxs[asid].tlb_gen = mm_tlb_gen;
    return rc;
}

typedef int (*cpu_fn)(os_t *os, unsigned cpu, const void *info);

/* A function on another CPU through an IPI: the interrupt enters the kernel
 * (SWITCH_TO_KERNEL_CR3 under PTI) and returns to where the CPU was. */
static int run_via_ipi(os_t *os, unsigned cpu, cpu_fn fn, const void *info)
{
    bool was_user = os->cpu[cpu].in_user;
    os->cnt.ipis++;
    if (was_user && os_kernel_entry(os, cpu) < 0)
        return -1;
    if (fn(os, cpu, info) < 0)
        return -1;
    return was_user ? os_kernel_exit(os, cpu) : 0;
}

static int flush_tlb_func_cb(os_t *os, unsigned cpu, const void *info)
{
    return flush_tlb_func(os, cpu, info);
}

int flush_tlb_mm_range(os_t *os, unsigned cpu, mm_struct_t *mm, vaddr_t start, vaddr_t end,
                       unsigned stride_shift, bool freed_tables)
{
    if (end == TLB_FLUSH_ALL || ((end - start) >> stride_shift) > os->p.flush_ceiling) {
        start = 0;
        end = TLB_FLUSH_ALL;
    }
    flush_tlb_info_t info = { mm, start, end, stride_shift, freed_tables, ++mm->tlb_gen, cpu };
    if (mm->cpumask & ~(1ull << cpu)) {
        /* native_flush_tlb_multi: lazy CPUs only when page tables were freed */
        for (unsigned i = 0; i < os->ncpus; i++) {
            if (!(mm->cpumask & (1ull << i)))
                continue;
            if (!freed_tables && os->cpu[i].tlb.is_lazy)
                continue;
            int rc = i == cpu ? flush_tlb_func(os, i, &info) : run_via_ipi(os, i, flush_tlb_func_cb, &info);
            if (rc < 0)
                return -1;
        }
        return 0;
    }
    if (mm == os->cpu[cpu].tlb.loaded_mm)
        return flush_tlb_func(os, cpu, &info);
    return 0;
}

/* do_kernel_range_flush: flush_tlb_one_kernel per page (PTI: the other ASIDs
 * are invalidated at their next use, invalidate_other). */
static int do_kernel_range_flush(os_t *os, unsigned cpu, const void *p)
{
    const flush_tlb_info_t *f = p;
    for (vaddr_t addr = f->start; addr < f->end; addr += PAGE_SIZE) {
        if (flush_tlb_one_user(os, cpu, addr) < 0)
            return -1;
        if (os->p.kpti)
            os->cpu[cpu].tlb.invalidate_other = true;
    }
    return 0;
}

static int do_flush_tlb_all(os_t *os, unsigned cpu, const void *p)
{
    (void)p;
    return flush_tlb_global(os, cpu);
}

int flush_tlb_kernel_range(os_t *os, unsigned cpu, vaddr_t start, vaddr_t end)
{
    flush_tlb_info_t info = { NULL, start, end, PAGE_SHIFT, false, 0, cpu };
    cpu_fn fn = (end == TLB_FLUSH_ALL || (end - start) > ((uint64_t)os->p.flush_ceiling << PAGE_SHIFT))
                    ? do_flush_tlb_all : do_kernel_range_flush;
    /* on_each_cpu: the local CPU directly, every other one by IPI */
    for (unsigned i = 0; i < os->ncpus; i++)
        if ((i == cpu ? fn(os, i, &info) : run_via_ipi(os, i, fn, &info)) < 0)
            return -1;
    return 0;
}
