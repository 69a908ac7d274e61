/* Kernel entry and exit with page-table isolation, and syscalls.
 *
 * SWITCH_TO_KERNEL_CR3 / SWITCH_TO_USER_CR3 follow the macros of
 * arch/x86/entry/calling.h (bit 12 selects the user copy of the pgd, bit 11
 * the user PCID, bit 63 NOFLUSH; the user PCID is flushed at exit when its bit
 * is set in user_pcid_flush_mask). __pti_set_user_pgtbl (arch/x86/mm/pti.c)
 * keeps the two copies' user top-level entries equal, with NX in the kernel
 * copy. Every entry fetches the entry text and writes the entry stack in the
 * cpu_entry_area under the CR3 it arrives with, every exit fetches the entry
 * text under the user CR3: the accesses the PTI user copy exists for. */
#include "os.h"

#define PTI_USER_PGTABLE_MASK (1ull << PTI_USER_PGTABLE_BIT)
#define PTI_USER_PCID_MASK (1ull << X86_CR3_PTI_PCID_USER_BIT)
#define CR3_PCID_MASK 0x7ffull

static uint64_t current_cr3(os_t *os, unsigned cpu)
{
    mmu_arch_t st;
    backend_arch_state(os->cpu[cpu].be, &st);
    return st.cr3;
}

static int switch_to_kernel_cr3(os_t *os, unsigned cpu)
{
    if (!os->p.kpti)
        return 0;
    uint64_t cr3 = current_cr3(os, cpu);
    if (os->p.pcid)
        cr3 |= CR3_NOFLUSH;
    cr3 &= ~(PTI_USER_PGTABLE_MASK | PTI_USER_PCID_MASK);
    return os_write_cr3(os, cpu, cr3);
}

static int switch_to_user_cr3(os_t *os, unsigned cpu)
{
    if (!os->p.kpti)
        return 0;
    uint64_t cr3 = current_cr3(os, cpu);
    if (os->p.pcid) {
        uint32_t bit = 1u << (cr3 & CR3_PCID_MASK);
        uint32_t *mask = &os->cpu[cpu].tlb.user_pcid_flush_mask;
        if (*mask & bit)
            *mask &= ~bit;            /* flush the user PCID: no NOFLUSH */
        else
            cr3 |= CR3_NOFLUSH;
        cr3 |= PTI_USER_PCID_MASK;
    }
    cr3 |= PTI_USER_PGTABLE_MASK;
    return os_write_cr3(os, cpu, cr3);
}

/* An access the entry code makes; it must not fault (the mappings are the kernel's). */
static int entry_access(os_t *os, unsigned cpu, vaddr_t va, mmu_access_t acc, const char *what)
{
    mmu_result_t r;
    if (os_translate(os, cpu, va, acc, 0, &r) < 0)
        return -1;
    if (r.fault != FAULT_NONE)
        return os_error(os, "CPU %u: %s at 0x%llx faulted (ec 0x%x, CR3 0x%llx): the entry mappings are broken",
                        cpu, what, (unsigned long long)va, (unsigned)r.error_code,
                        (unsigned long long)current_cr3(os, cpu));
    return 0;
}

int os_kernel_entry(os_t *os, unsigned cpu)
{
    os_cpu_t *c = &os->cpu[cpu];
    if (!c->in_user)
        return 0;
    if (entry_access(os, cpu, os->layout.entry_text, ACC_EXEC, "entry text fetch") < 0 ||
        entry_access(os, cpu, cea_entry_stack(&os->layout, cpu) + PAGE_SIZE - 8, ACC_WRITE, "entry stack push") < 0)
        return -1;
    if (switch_to_kernel_cr3(os, cpu) < 0)
        return -1;
    c->in_user = false;
    return 0;
}

int os_kernel_exit(os_t *os, unsigned cpu)
{
    os_cpu_t *c = &os->cpu[cpu];
    if (c->in_user)
        return 0;
    if (!c->current_mm)
        return os_error(os, "CPU %u runs no process: there is no user mode to return to", cpu);
    if (switch_to_user_cr3(os, cpu) < 0)
        return -1;
    if (entry_access(os, cpu, os->layout.entry_text + 0x100, ACC_EXEC, "exit text fetch") < 0)
        return -1;
    c->in_user = true;
    return 0;
}

/* Kernel accesses of one syscall: handler text, the task's stack, kernel data. */
int os_syscall(os_t *os, unsigned cpu, const os_syscall_t *sc)
{
    os_cpu_t *c = &os->cpu[cpu];
    const os_layout_t *l = &os->layout;
    if (!c->current_mm)
        return os_error(os, "CPU %u runs no process (switch NAME first)", cpu);
    if (os_kernel_exit(os, cpu) < 0 || os_kernel_entry(os, cpu) < 0)
        return -1;
    os_access_t a;
    vaddr_t stack_top = os_va(l, c->current_mm->kstack) + l->thread_size;
    for (unsigned i = 0; i < sc->text; i++)
        if (os_kernel_access(os, cpu, l->text + 0x1000 + 64ull * i, ACC_EXEC, &a) < 0 || a.outcome != OS_ACCESS_OK)
            return os_error(os, "a kernel text fetch failed");
    for (unsigned i = 0; i < sc->stack; i++)
        if (os_kernel_access(os, cpu, stack_top - 8 - 8ull * i, ACC_WRITE, &a) < 0 || a.outcome != OS_ACCESS_OK)
            return os_error(os, "a kernel stack write failed");
    for (unsigned i = 0; i < sc->data; i++)
        if (os_kernel_access(os, cpu, l->data + 2 * PAGE_SIZE + 64ull * i, ACC_READ, &a) < 0 || a.outcome != OS_ACCESS_OK)
            return os_error(os, "a kernel data read failed");
    os->cnt.syscalls++;
    return os_kernel_exit(os, cpu);
}

void pti_sync_user_pgd(os_t *os, mm_struct_t *mm, vaddr_t va)
{
    if (!os->p.kpti)
        return;
    int top = ptb_top_level(os->p.mode);
    paddr_t k = ptb_entry_addr(&mm->pt, va, top), u = ptb_entry_addr(&mm->user_pt, va, top);
    uint64_t pgd = ptb_read_entry(&mm->pt, k) & ~PTE_XD;
    ptb_write_entry(&mm->user_pt, u, pgd);
    if ((pgd & (PTE_US | PTE_P)) == (PTE_US | PTE_P))
        pgd |= os->pte_mask;
    ptb_write_entry(&mm->pt, k, pgd);
}
