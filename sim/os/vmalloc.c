/* vmalloc / vfree and the four ways process pgds learn of kernel mappings
 * (../shared/spec/linux-mm.md "vmalloc and kernel-mapping synchronisation"):
 *   lazy       vmalloc_fault copies the missing entry on first touch
 *              (x86-64 before 5.8: the PGD/P4D entry; 32-bit: vmalloc_sync_one's PMD entry)
 *   sync       arch_sync_kernel_mappings copies a newly set entry into every pgd
 *              on pgd_list (x86-64 5.8: sync_global_pgds; 32-bit since 5.9: PMD level)
 *   prealloc   the top-level entries over vmalloc exist from boot (5.9+): nothing to do
 *   shared-pmd PAE without PTI: every pgd points at swapper's kernel PMD: nothing to do
 * vmalloc writes only init_mm; vfree unmaps and calls flush_tlb_kernel_range
 * at once (Linux's lazy purge batching is not modelled). Areas are first-fit
 * in [VMALLOC_START, VMALLOC_END) with one guard page each (__get_vm_area_node). */
#include "os_internal.h"

#include <stdlib.h>

/* The level whose modification needs a sync (ARCH_PAGE_TABLE_SYNC_MASK):
 * x86-64 the top level (PGD under 5-level, P4D = PGD under 4-level), 32-bit the PMD (PDE). */
static int sync_level(const os_t *os)
{
    return os->p.mode >= PAGING_4LEVEL ? ptb_top_level(os->p.mode) : LVL_PD;
}

/* A builder over the pgd CR3 points at (read_cr3_pa), for reading and copying entries. */
static int pgd_from_cr3(os_t *os, unsigned cpu, ptbuild_t *b)
{
    mmu_arch_t st;
    backend_arch_state(os->cpu[cpu].be, &st);
    paddr_t pa = os->p.mode == PAGING_32 || os->p.mode == PAGING_PAE ? st.cr3 & 0xfffff000ull
                                                                      : st.cr3 & 0x000ffffffffff000ull;
    return ptb_attach(b, os->mem, os->p.mode, pa, NULL);
}

/* vmalloc_sync_one: copy init_mm's entry at the sync level into pgd if it
 * differs in presence. Returns 1 if copied, 0 if not, -1 if the reference is absent. */
static int vmalloc_sync_one(os_t *os, ptbuild_t *pgd, vaddr_t address)
{
    int level = sync_level(os);
    paddr_t ref = ptb_entry_addr(&os->init_mm.pt, address, level);
    paddr_t mine = ptb_entry_addr(pgd, address, level);
    if (!ref || !mine)
        return -1;
    uint64_t k = ptb_read_entry(&os->init_mm.pt, ref);
    uint64_t e = ptb_read_entry(pgd, mine);
    if (mine == ref)
        return k & PTE_P ? 0 : -1;          /* a shared PMD: nothing to copy */
    int copied = 0;
    if ((e & PTE_P) != (k & PTE_P)) {
        ptb_write_entry(pgd, mine, k);
        os->cnt.vmalloc_synced++;
        copied = 1;
    }
    return k & PTE_P ? copied : -1;
}

int vmalloc_fault(os_t *os, unsigned cpu, vaddr_t address)
{
    const os_layout_t *l = &os->layout;
    if (address < l->vmalloc_start || address >= l->vmalloc_end)
        return -1;
    ptbuild_t pgd;
    if (pgd_from_cr3(os, cpu, &pgd) < 0)
        return -1;
    if (vmalloc_sync_one(os, &pgd, address) < 0)
        return -1;
    /* walk the reference down: a large leaf ends it, else the PTE must be present */
    paddr_t entry_pa;
    int level;
    int leaf = ptb_lookup(&os->init_mm.pt, address, &entry_pa, &level);
    if (!leaf || !(ptb_read_entry(&os->init_mm.pt, entry_pa) & PTE_P))
        return -1;
    return 0;
}

/* arch_sync_kernel_mappings for [start, end): sync_global_pgds (x86-64) or
 * vmalloc_sync_one per PMD (32-bit), for every pgd on pgd_list. */
static void arch_sync_kernel_mappings(os_t *os, vaddr_t start, vaddr_t end)
{
    unsigned shift = level_shift(os->p.mode, sync_level(os));
    for (vaddr_t addr = start & ~((1ull << shift) - 1); addr < end; addr += 1ull << shift)
        for (mm_struct_t *mm = os->mm_list; mm; mm = mm->next)
            if (mm->on_pgd_list)
                (void)vmalloc_sync_one(os, &mm->pt, addr);
}

static vaddr_t find_vmap_area(os_t *os, uint64_t size, vmap_area_t ***link_out)
{
    vaddr_t at = os->layout.vmalloc_start;
    vmap_area_t **link = &os->vmap_areas;
    for (vmap_area_t *a = os->vmap_areas; a; a = a->next) {
        if (a->start - at >= size && a->start >= at)
            break;
        at = a->end;
        link = &a->next;
    }
    if (at > os->layout.vmalloc_end || os->layout.vmalloc_end - at < size)
        return 0;
    *link_out = link;
    return at;
}

vaddr_t os_vmalloc(os_t *os, uint64_t len)
{
    if (len == 0) {
        os_error(os, "vmalloc: length 0");
        return 0;
    }
    uint64_t npages = (len + PAGE_SIZE - 1) / PAGE_SIZE;
    vmap_area_t **link;
    vaddr_t start = find_vmap_area(os, (npages + 1) * PAGE_SIZE, &link);
    if (!start) {
        os_error(os, "vmalloc: no room for 0x%llx bytes in the vmalloc area", (unsigned long long)len);
        return 0;
    }
    vmap_area_t *a = calloc(1, sizeof *a);
    if (!a) {
        os_error(os, "out of memory");
        return 0;
    }
    *a = (vmap_area_t){ start, start + (npages + 1) * PAGE_SIZE, (unsigned)npages, *link };
    *link = a;
    int level = sync_level(os);
    bool modified = false;
    uint64_t flags = PTE_P | PTE_RW | PTE_A | PTE_D | os->pte_mask | os->kernel_global;   /* PAGE_KERNEL */
    for (uint64_t i = 0; i < npages; i++) {
        vaddr_t va = start + i * PAGE_SIZE;
        paddr_t ref = ptb_entry_addr(&os->init_mm.pt, va, level);
        bool was_set = ref && ptb_read_entry(&os->init_mm.pt, ref) != 0;
        paddr_t page = frames_alloc(&os->frames, FRAME_KERNEL);
        if (!page || ptb_map(&os->init_mm.pt, va, page, 12, flags, KERNPG_TABLE) < 0) {
            a->npages = (unsigned)i;
            if (page)
                frames_free(&os->frames, page);
            os_vfree(os, 0, start);
            os_error(os, "vmalloc: RAM exhausted after %llu of %llu pages", (unsigned long long)i,
                     (unsigned long long)npages);
            return 0;
        }
        modified |= !was_set;      /* pgtbl_mod_mask & ARCH_PAGE_TABLE_SYNC_MASK */
    }
    if (modified && os->p.vmalloc == VMALLOC_SYNC)
        arch_sync_kernel_mappings(os, start, start + npages * PAGE_SIZE);
    return start;
}

int os_vfree(os_t *os, unsigned cpu, vaddr_t addr)
{
    vmap_area_t **link = &os->vmap_areas;
    while (*link && (*link)->start != addr)
        link = &(*link)->next;
    vmap_area_t *a = *link;
    if (!a)
        return os_error(os, "0x%llx is not a vmalloc address", (unsigned long long)addr);
    for (unsigned i = 0; i < a->npages; i++) {
        vaddr_t va = a->start + (vaddr_t)i * PAGE_SIZE;
        paddr_t entry_pa;
        int level;
        if (ptb_lookup(&os->init_mm.pt, va, &entry_pa, &level) != LVL_PT)
            continue;
        frames_free(&os->frames, ptb_table_base(&os->init_mm.pt, ptb_read_entry(&os->init_mm.pt, entry_pa)));
        ptb_write_entry(&os->init_mm.pt, entry_pa, 0);
    }
    vaddr_t start = a->start, end = a->end;
    *link = a->next;
    free(a);
    if (os_kernel_entry(os, cpu) < 0)
        return -1;
    return flush_tlb_kernel_range(os, cpu, start, end);
}
