/* Page faults after arch/x86/mm/fault.c (do_page_fault -> handle_page_fault ->
 * do_kern_addr_fault / do_user_addr_fault) and mm/memory.c's anonymous-memory
 * paths (do_anonymous_page, do_wp_page -> wp_page_copy), and the access loop
 * that issues an access, takes the MMU's #PF (error code, CR2) and retries.
 *
 * Verdicts: FAULT_HANDLED (retry the access), FAULT_SIGSEGV (a user fault
 * not handled: counted, the access abandoned), FAULT_OOPS (a kernel fault not
 * handled; Linux would die, we count it and abandon the access). */
#include "os_internal.h"

#define MAX_FAULTS_PER_ACCESS 4     /* not-present, then protection, then a bug */

/* access_error (fault.c): may this fault be handled in this VMA? */
static bool access_error(uint32_t error_code, const vm_area_t *vma)
{
    if (error_code & PFEC_PK)
        return true;
    if (error_code & PFEC_W)
        return !(vma->prot & PROT_W);
    if (error_code & PFEC_P)     /* read or fetch of a present page: protection */
        return true;
    return !(vma->prot & (PROT_R | PROT_W | PROT_X));
}

/* hugetlb_no_page, simplified: a fresh huge page, writable if the VMA is. */
static int huge_fault(os_t *os, mm_struct_t *mm, vm_area_t *vma, vaddr_t address)
{
    unsigned shift = vma->page_shift;
    vaddr_t va = address & ~((1ull << shift) - 1);
    paddr_t entry_pa;
    int level;
    if (ptb_lookup(&mm->pt, va, &entry_pa, &level))
        return 0;                                  /* mapped meanwhile: spurious */
    unsigned n = (unsigned)((1ull << shift) / PAGE_SIZE);
    paddr_t pa = frames_alloc_contig(&os->frames, n, 1ull << shift, FRAME_USER);
    if (!pa)
        return os_error(os, "huge page fault at 0x%llx: no %u contiguous free frames", (unsigned long long)address, n);
    os->cnt.demand_faults++;
    return map_user_page(os, mm, va, pa, shift, user_pte_flags(os, vma->prot, true));
}

/* handle_mm_fault for anonymous private memory. */
static int handle_mm_fault(os_t *os, unsigned cpu, mm_struct_t *mm, vm_area_t *vma, vaddr_t address,
                           uint32_t error_code)
{
    if (vma->page_shift > PAGE_SHIFT)
        return huge_fault(os, mm, vma, address);
    vaddr_t va = address & ~(vaddr_t)(PAGE_SIZE - 1);
    bool write = error_code & PFEC_W;
    paddr_t entry_pa;
    int level;
    int leaf = ptb_lookup(&mm->pt, va, &entry_pa, &level);
    if (!leaf) {
        /* do_anonymous_page: a read maps the zero page read-only */
        os->cnt.demand_faults++;
        if (!write) {
            os->cnt.zero_page_maps++;
            return map_user_page(os, mm, va, os->zero_page, 12, user_pte_flags(os, vma->prot, false));
        }
        paddr_t page = frames_alloc(&os->frames, FRAME_USER);
        if (!page)
            return os_error(os, "page fault at 0x%llx: RAM exhausted", (unsigned long long)address);
        return map_user_page(os, mm, va, page, 12, user_pte_flags(os, vma->prot, true));
    }
    uint64_t pte = ptb_read_entry(&mm->pt, entry_pa);
    if (write && !(pte & PTE_RW)) {
        /* do_wp_page: the zero page is copied (wp_page_copy), the old PTE
         * cleared and flushed (ptep_clear_flush -> flush_tlb_page) */
        paddr_t page = frames_alloc(&os->frames, FRAME_USER);
        if (!page)
            return os_error(os, "write fault at 0x%llx: RAM exhausted", (unsigned long long)address);
        os->cnt.demand_faults++;
        os->cnt.cow_faults++;
        ptb_write_entry(&mm->pt, entry_pa, 0);
        if (flush_tlb_mm_range(os, cpu, mm, va, va + PAGE_SIZE, PAGE_SHIFT, false) < 0)
            return -1;
        if (ptb_table_base(&mm->pt, pte) != os->zero_page)
            frames_free(&os->frames, ptb_table_base(&mm->pt, pte));
        ptb_write_entry(&mm->pt, entry_pa, page | user_pte_flags(os, vma->prot, true));
        return 0;
    }
    return 0;    /* the PTE allows it now: a spurious fault (stale TLB entry) */
}

int do_page_fault(os_t *os, unsigned cpu, bool user_mode, uint32_t error_code, vaddr_t address,
                  pf_verdict_t *verdict)
{
    os_cpu_t *c = &os->cpu[cpu];
    os->cnt.page_faults++;
    *verdict = user_mode ? FAULT_SIGSEGV : FAULT_OOPS;
    if (address >= os->layout.task_size) {
        /* do_kern_addr_fault: only a plain not-present kernel fault can be vmalloc's */
        if (!(error_code & (PFEC_RSVD | PFEC_U | PFEC_P)) && vmalloc_fault(os, cpu, address) == 0) {
            os->cnt.vmalloc_faults++;
            *verdict = FAULT_HANDLED;
            return 0;
        }
    } else {
        /* do_user_addr_fault */
        mm_struct_t *mm = c->current_mm;
        bool smap_violation = os->p.smap && !(error_code & PFEC_U);
        vm_area_t *vma = mm && !(error_code & PFEC_RSVD) && !smap_violation ? find_vma(mm, address) : NULL;
        if (vma && !access_error(error_code, vma)) {
            if (handle_mm_fault(os, cpu, mm, vma, address, error_code) < 0)
                return -1;
            *verdict = FAULT_HANDLED;
            return 0;
        }
    }
    if (*verdict == FAULT_SIGSEGV)
        os->cnt.segv++;
    else
        os->cnt.oops++;
    return 0;
}

/* One access with the kernel's fault handling; user accesses return to user
 * mode first and take each fault through kernel entry and exit. */
static int access_loop(os_t *os, unsigned cpu, vaddr_t va, mmu_access_t acc, bool user, os_access_t *out)
{
    *out = (os_access_t){ 0 };
    for (unsigned attempt = 0; attempt <= MAX_FAULTS_PER_ACCESS; attempt++) {
        if (os_translate(os, cpu, va, acc, user ? 3 : 0, &out->last) < 0)
            return -1;
        if (out->last.fault == FAULT_NONE) {
            out->outcome = OS_ACCESS_OK;
            return 0;
        }
        pf_verdict_t verdict;
        if (out->last.fault == FAULT_GP) {   /* non-canonical: SIGSEGV / oops */
            verdict = user ? FAULT_SIGSEGV : FAULT_OOPS;
            if (user)
                os->cnt.segv++;
            else
                os->cnt.oops++;
        } else {
            out->faults++;
            if ((user && os_kernel_entry(os, cpu) < 0) ||
                do_page_fault(os, cpu, user, out->last.error_code, out->last.cr2, &verdict) < 0 ||
                (user && os_kernel_exit(os, cpu) < 0))
                return -1;
        }
        if (verdict != FAULT_HANDLED) {
            out->outcome = user ? OS_ACCESS_SEGV : OS_ACCESS_OOPS;
            return 0;
        }
    }
    return os_error(os, "CPU %u: the access to 0x%llx still faults after %d handled faults (ec 0x%x)", cpu,
                    (unsigned long long)va, MAX_FAULTS_PER_ACCESS, (unsigned)out->last.error_code);
}

int os_user_access(os_t *os, unsigned cpu, vaddr_t va, mmu_access_t acc, os_access_t *out)
{
    os_cpu_t *c = &os->cpu[cpu];
    if (!c->current_mm)
        return os_error(os, "CPU %u runs no process (switch NAME first)", cpu);
    if (os_kernel_exit(os, cpu) < 0)
        return -1;
    return access_loop(os, cpu, va, acc, true, out);
}

int os_kernel_access(os_t *os, unsigned cpu, vaddr_t va, mmu_access_t acc, os_access_t *out)
{
    if (os_kernel_entry(os, cpu) < 0)
        return -1;
    return access_loop(os, cpu, va, acc, false, out);
}

/* mm_populate, as mmap(MAP_POPULATE) runs it (mm/gup.c __mm_populate -> populate_vma_page_range
 * -> __get_user_pages -> faultin_page -> handle_mm_fault): every page of mm's VMAs in
 * [start, start + len) faulted in by the kernel in software, with no MMU access (no #PF, no TLB
 * fill). A writable private VMA is touched with a write fault (FOLL_WRITE: the copy-on-write is
 * broken up front, so no zero page), another with a read; a VMA without access is skipped
 * (populate_vma_page_range's VM_ACCESS check). Each page counts as a demand fault. */
int os_mm_populate(os_t *os, unsigned cpu, mm_struct_t *mm, vaddr_t start, uint64_t len)
{
    const vaddr_t end = start + len;
    for (vm_area_t *v = mm->mmap; v; v = v->next) {
        const vaddr_t from = v->start > start ? v->start : start, to = v->end < end ? v->end : end;
        if (from >= to || !(v->prot & (PROT_R | PROT_W | PROT_X)))
            continue;
        const uint64_t page = 1ull << v->page_shift;
        const uint32_t error_code = PFEC_U | ((v->prot & PROT_W) ? PFEC_W : 0);
        for (vaddr_t va = from & ~(page - 1); va < to; va += page)
            if (handle_mm_fault(os, cpu, mm, v, va, error_code) < 0)
                return -1;
    }
    return 0;
}
