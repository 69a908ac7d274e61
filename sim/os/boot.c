/* Boot: paging_init for one paging mode, as Linux builds init_mm.pgd
 * (swapper_pg_dir) and turns paging on in every CPU.
 *
 * Flow of os_boot: layout (layout.c) -> frame allocator over RAM above the
 * kernel image -> swapper_pg_dir: the direct map of RAM with the largest pages
 * alignment allows (kernel_physical_mapping_init), the x86-64 kernel image at
 * __START_KERNEL_map, the cpu_entry_area (setup_cpu_entry_areas), the 32-bit
 * pkmap and fixmap page tables (permanent_kmaps_init, early_fixmap_init), the
 * vmalloc P4D/PUD tables when preallocated (preallocate_vmalloc_pages, 5.9+),
 * the PTI user copy of swapper (pti_init) -> on every CPU the control
 * registers in the order Linux writes them (CR4, EFER, CR3, CR0, then PCIDE
 * and initialize_tlbstate_and_flush). The event counters are zeroed at the end,
 * so scripts count from a booted system. */
#include "os.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define KERNPG_TABLE (PTE_P | PTE_RW | PTE_A | PTE_D)   /* _KERNPG_TABLE */

int os_error(os_t *os, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(os->err, sizeof os->err, fmt, ap);
    va_end(ap);
    return -1;
}

void os_params_default(os_params_t *p, paging_mode_t mode)
{
    *p = (os_params_t){
        .mode = mode, .ram = 128 * MIB, .cpus = 1, .flush_ceiling = OS_DEFAULT_FLUSH_CEILING,
        .vmalloc = mode >= PAGING_4LEVEL ? VMALLOC_PREALLOC : mode == PAGING_PAE ? VMALLOC_SHARED_PMD : VMALLOC_SYNC,
    };
}

static const char *const vmalloc_names[] = { "lazy", "sync", "prealloc", "shared-pmd" };

const char *vmalloc_policy_name(vmalloc_policy_t v)
{
    return (unsigned)v < 4 ? vmalloc_names[v] : "?";
}

int vmalloc_policy_parse(const char *s, vmalloc_policy_t *out)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, vmalloc_names[i]) == 0) {
            *out = (vmalloc_policy_t)i;
            return 0;
        }
    return -1;
}

int os_params_check(const os_params_t *p, char *err, size_t len)
{
    bool x86_64 = p->mode == PAGING_4LEVEL || p->mode == PAGING_5LEVEL;
    if (p->mode != PAGING_32 && p->mode != PAGING_PAE && !x86_64)
        return snprintf(err, len, "unknown paging mode"), -1;
    if (p->cpus < 1 || p->cpus > (x86_64 ? OS_MAX_CPUS : 32))
        return snprintf(err, len, "cpus=%u out of range (1..%u)", p->cpus, x86_64 ? OS_MAX_CPUS : 32), -1;
    if (!x86_64 && (p->pcid || p->invpcid))
        return snprintf(err, len, "pcid and invpcid need IA-32e paging (4level or 5level)"), -1;
    if (!x86_64 && p->kpti)
        return snprintf(err, len, "kpti is modelled on x86-64 only (4level or 5level; see docs/os.md)"), -1;
    if (p->vmalloc == VMALLOC_PREALLOC && !x86_64)
        return snprintf(err, len, "vmalloc=prealloc is x86-64 only (preallocate_vmalloc_pages, 5.9)"), -1;
    if (p->vmalloc == VMALLOC_SHARED_PMD && (p->mode != PAGING_PAE || p->kpti))
        return snprintf(err, len, "vmalloc=shared-pmd is PAE without PTI only (SHARED_KERNEL_PMD)"), -1;
    if (p->flush_ceiling > 1u << 20)
        return snprintf(err, len, "flush_ceiling=%u too large", p->flush_ceiling), -1;
    if (p->mode == PAGING_32 && p->ram > 4 * GIB)
        return snprintf(err, len, "ram above 4 GiB needs PAE"), -1;
    return 0;
}

/* --- kernel page protections (pgtable_types.h) ---------------------------- */

static uint64_t page_kernel(const os_t *os)          /* PAGE_KERNEL: RW, NX */
{
    return PTE_P | PTE_RW | PTE_A | PTE_D | os->pte_mask | os->kernel_global;
}

static uint64_t page_kernel_ro(const os_t *os)       /* PAGE_KERNEL_RO */
{
    return PTE_P | PTE_A | os->pte_mask | os->kernel_global;
}

static int map_kernel(os_t *os, vaddr_t va, paddr_t pa, unsigned shift, uint64_t flags)
{
    if (ptb_map(&os->init_mm.pt, va, pa, shift, flags, KERNPG_TABLE) < 0)
        return os_error(os, "boot: cannot map 0x%llx -> 0x%llx (%u) in swapper_pg_dir (RAM exhausted?)",
                        (unsigned long long)va, (unsigned long long)pa, shift);
    return 0;
}

/* kernel_physical_mapping_init: 1 GiB pages where aligned (x86-64 with
 * gbpages), else 2 MiB (4 MiB in 32-bit paging with PSE). */
static int map_direct(os_t *os)
{
    const os_layout_t *l = &os->layout;
    bool x86_64 = os->p.mode >= PAGING_4LEVEL;
    uint64_t large = os->p.mode == PAGING_32 ? 4 * MIB : 2 * MIB;
    for (paddr_t pa = 0; pa < l->direct_map_bytes;) {
        unsigned shift = os->p.mode == PAGING_32 ? 22 : 21;
        if (x86_64 && (pa & (GIB - 1)) == 0 && pa + GIB <= l->direct_map_bytes)
            shift = 30;
        uint64_t flags = page_kernel(os);
        if (!x86_64 && pa < l->data_pa && pa + (1ull << shift) > l->text_pa)
            flags &= ~os->pte_mask;        /* 32-bit: the kernel text runs from the direct map */
        if (map_kernel(os, os_va(l, pa), pa, shift, flags) < 0)
            return -1;
        pa += shift == 30 ? GIB : large;
    }
    return 0;
}

/* pti_kernel_image_global_ok: without PCID the kernel text stays global under PTI. */
static bool kernel_text_global(const os_t *os)
{
    return !os->p.kpti || !os->p.pcid;
}

/* x86-64: the image at __START_KERNEL_map + phys, text read-only executable,
 * data NX (mark_rodata_ro). Under PTI pti_set_kernel_image_nonglobal clears
 * the global bit on the whole image, pti_clone_kernel_text gives it back to
 * the text when pti_kernel_image_global_ok. */
static int map_kernel_image(os_t *os)
{
    const os_layout_t *l = &os->layout;
    uint64_t text_global = kernel_text_global(os) ? PTE_G : 0;
    for (paddr_t pa = l->text_pa; pa < l->end_pa; pa += 2 * MIB) {
        uint64_t flags = pa < l->data_pa ? (PTE_P | PTE_A | text_global)
                                         : (PTE_P | PTE_RW | PTE_A | PTE_D | os->pte_mask | os->kernel_global);
        if (map_kernel(os, l->text + (pa - l->text_pa), pa, 21, flags) < 0)
            return -1;
    }
    return 0;
}

/* setup_cpu_entry_areas: the read-only IDT, then per CPU the GDT (RO), the
 * entry stack and the TSS; cea_set_pte makes them global (shared with the
 * PTI user copy). */
static int map_cpu_entry_area(os_t *os)
{
    const os_layout_t *l = &os->layout;
    uint64_t g = PTE_G;
    uint64_t ro = (page_kernel_ro(os) & ~PTE_G) | g, rw = (page_kernel(os) & ~PTE_G) | g;
    if (map_kernel(os, l->cpu_entry_area, os->idt_page, 12, ro) < 0)
        return -1;
    for (unsigned cpu = 0; cpu < os->p.cpus; cpu++) {
        paddr_t gdt = frames_alloc(&os->frames, FRAME_KERNEL);
        paddr_t stack = frames_alloc(&os->frames, FRAME_KERNEL);
        paddr_t tss = frames_alloc_contig(&os->frames, CEA_TSS_PAGES, PAGE_SIZE, FRAME_KERNEL);
        if (!gdt || !stack || !tss)
            return os_error(os, "boot: RAM exhausted in the cpu_entry_area");
        if (map_kernel(os, cea_gdt(l, cpu), gdt, 12, ro) < 0 || map_kernel(os, cea_entry_stack(l, cpu), stack, 12, rw) < 0)
            return -1;
        for (unsigned i = 0; i < CEA_TSS_PAGES; i++)
            if (map_kernel(os, cea_tss(l, cpu) + i * PAGE_SIZE, tss + i * PAGE_SIZE, 12, rw) < 0)
                return -1;
    }
    return 0;
}

/* 32-bit: the PTE tables of the pkmap (permanent_kmaps_init) and the fixmap
 * (early_fixmap_init / fixrange_init), empty until kmap / set_fixmap. */
static int prepare_kmap_tables(os_t *os)
{
    const os_layout_t *l = &os->layout;
    uint64_t pmd_size = os->p.mode == PAGING_32 ? 4 * MIB : 2 * MIB;
    if (!ptb_walk_alloc(&os->init_mm.pt, l->pkmap_base, LVL_PT, KERNPG_TABLE))
        return os_error(os, "boot: no frame for the pkmap table");
    for (vaddr_t va = l->fixaddr_start & ~(pmd_size - 1); va < l->fixaddr_top; va += pmd_size)
        if (!ptb_walk_alloc(&os->init_mm.pt, va, LVL_PT, KERNPG_TABLE))
            return os_error(os, "boot: no frame for a fixmap table");
    return 0;
}

/* preallocate_vmalloc_pages (6eb82f994026, 5.9): every top-level entry over
 * vmalloc gets its P4D table (5-level) or PUD table (4-level). */
static int preallocate_vmalloc_pages(os_t *os)
{
    const os_layout_t *l = &os->layout;
    bool la57 = os->p.mode == PAGING_5LEVEL;
    unsigned pgdir_shift = la57 ? 48 : 39;
    for (vaddr_t va = l->vmalloc_start; va < l->vmalloc_end; va += 1ull << pgdir_shift)
        if (!ptb_walk_alloc(&os->init_mm.pt, va, la57 ? LVL_PML4 : LVL_PDPT, KERNPG_TABLE))
            return os_error(os, "boot: no frame to preallocate the vmalloc tables");
    return 0;
}

/* Clones the PMDs of [start, end) into swapper's user copy, global in both
 * copies (pti_clone_pgtable at PTI_CLONE_PMD). */
static int pti_clone_pmds(os_t *os, vaddr_t start, vaddr_t end)
{
    mm_struct_t *mm = &os->init_mm;
    for (vaddr_t va = start & ~(2 * MIB - 1); va < end; va += 2 * MIB) {
        paddr_t k = ptb_entry_addr(&mm->pt, va, LVL_PD);
        paddr_t u = ptb_walk_alloc(&mm->user_pt, va, LVL_PD, KERNPG_TABLE);
        if (!k || !u)
            return os_error(os, "boot: PTI cannot clone 0x%llx", (unsigned long long)va);
        uint64_t pmd = ptb_read_entry(&mm->pt, k) | PTE_G;
        ptb_write_entry(&mm->pt, k, pmd);
        ptb_write_entry(&mm->user_pt, u, pmd);
    }
    return 0;
}

/* pti_init + pti_finalize on swapper: the user copy maps the cpu_entry_area
 * (pti_clone_user_shared -> pti_clone_p4d; the TSS is inside it on x86-64),
 * the entry text (pti_clone_entry_text) and, when the kernel image may stay
 * global (no PCID), the kernel text too (pti_clone_kernel_text: the kernel
 * source clones it; ../shared/spec/linux-mm.md lists only the entry text).
 * ESPFIX and vsyscall: not modelled. */
static int pti_init(os_t *os)
{
    mm_struct_t *mm = &os->init_mm;
    const os_layout_t *l = &os->layout;
    int p4d_level = LVL_PML4;     /* 4-level: the P4D is folded into the PGD */
    paddr_t k = ptb_entry_addr(&mm->pt, l->cpu_entry_area, p4d_level);
    paddr_t u = ptb_walk_alloc(&mm->user_pt, l->cpu_entry_area, p4d_level, KERNPG_TABLE);
    if (!k || !u)
        return os_error(os, "boot: PTI cannot clone the cpu_entry_area");
    ptb_write_entry(&mm->user_pt, u, ptb_read_entry(&mm->pt, k));
    if (pti_clone_pmds(os, l->entry_text, l->entry_text_end) < 0)
        return -1;
    return kernel_text_global(os) ? pti_clone_pmds(os, l->text, l->data) : 0;
}

static int cpu_init(os_t *os, unsigned cpu)
{
    os_cpu_t *c = &os->cpu[cpu];
    paddr_t pgd = os->init_mm.pgd;
    if (os_ctrl(os, cpu, CTRL_CR4, os->cr4 & ~CR4_PCIDE) < 0)
        return -1;
    if (os->efer && os_ctrl(os, cpu, CTRL_EFER, os->efer) < 0)
        return -1;
    if (os_write_cr3(os, cpu, pgd) < 0 || os_ctrl(os, cpu, CTRL_CR0, os->cr0) < 0)
        return -1;
    if (os->p.pcid && os_ctrl(os, cpu, CTRL_CR4, os->cr4) < 0)
        return -1;
    /* initialize_tlbstate_and_flush: ASID 0 holds init_mm */
    c->tlb = (struct tlb_state){ .loaded_mm = &os->init_mm, .loaded_mm_asid = 0, .next_asid = 1 };
    c->tlb.ctxs[0] = (struct tlb_context){ os->init_mm.ctx_id, os->init_mm.tlb_gen };
    if (os->p.pcid && os_write_cr3(os, cpu, pgd | kern_pcid(0)) < 0)
        return -1;
    c->current_mm = NULL;
    c->in_user = false;
    return 0;
}

os_t *os_boot(const os_params_t *p, physmem_t *mem, backend_t *const *cpus, char *err, size_t len)
{
    if (os_params_check(p, err, len) < 0)
        return NULL;
    unsigned maxphyaddr = physmem_maxphyaddr(mem);
    if (maxphyaddr < 64 && p->ram > (1ull << maxphyaddr)) {
        snprintf(err, len, "ram 0x%llx is beyond maxphyaddr (%u bits)", (unsigned long long)p->ram, maxphyaddr);
        return NULL;
    }
    os_t *os = calloc(1, sizeof *os);
    if (!os) {
        snprintf(err, len, "out of memory");
        return NULL;
    }
    os->p = *p;
    os->mem = mem;
    os->ncpus = p->cpus;
    for (unsigned i = 0; i < p->cpus; i++)
        os->cpu[i] = (os_cpu_t){ .id = i, .be = cpus[i] };
    if (os_layout_init(&os->layout, p->mode, p->ram, err, len) < 0) {
        free(os);
        return NULL;
    }
    const os_layout_t *l = &os->layout;
    bool x86_64 = p->mode >= PAGING_4LEVEL;
    /* 32-bit: page tables and pages come from lowmem (no highmem allocations modelled). */
    if (frames_init(&os->frames, mem, p->ram, l->end_pa, x86_64 ? p->ram : l->direct_map_bytes) < 0) {
        snprintf(err, len, "out of memory");
        free(os);
        return NULL;
    }
    os->pte_mask = p->mode == PAGING_32 ? 0 : PTE_XD;       /* __supported_pte_mask & _PAGE_NX */
    os->kernel_global = p->kpti ? 0 : PTE_G;                /* __default_kernel_pte_mask */
    os->zero_page = l->data_pa;                             /* empty_zero_page, in .bss */
    os->idt_page = l->data_pa + PAGE_SIZE;                  /* idt_table */
    os->cr4 = CR4_PSE | CR4_PGE | (p->mode != PAGING_32 ? CR4_PAE : 0) | (p->mode == PAGING_5LEVEL ? CR4_LA57 : 0) |
              (p->smep ? CR4_SMEP : 0) | (p->smap ? CR4_SMAP : 0) | (p->pcid ? CR4_PCIDE : 0);
    os->efer = x86_64 ? (EFER_LME | EFER_NXE | EFER_SCE) : p->mode == PAGING_PAE ? EFER_NXE : 0;
    os->cr0 = CR0_PE | CR0_WP | CR0_PG;

    mm_struct_t *init = &os->init_mm;
    snprintf(init->name, sizeof init->name, "init_mm");
    init->ctx_id = os->next_ctx_id = 1;        /* init_mm.context.ctx_id */
    init->pgd = p->kpti ? frames_alloc_contig(&os->frames, 2, 2 * PAGE_SIZE, FRAME_PGTABLE)
                        : frames_alloc(&os->frames, FRAME_PGTABLE);
    int rc = init->pgd ? 0 : os_error(os, "boot: no frame for swapper_pg_dir");
    if (rc == 0 && ptb_attach(&init->pt, mem, p->mode, init->pgd, &os->frames.pt_alloc) < 0)
        rc = os_error(os, "boot: bad swapper_pg_dir");
    if (rc == 0 && p->kpti && ptb_attach(&init->user_pt, mem, p->mode, init->pgd + PAGE_SIZE, &os->frames.pt_alloc) < 0)
        rc = os_error(os, "boot: bad swapper_pg_dir user copy");
    if (rc == 0)
        rc = map_direct(os);
    if (rc == 0 && x86_64)
        rc = map_kernel_image(os);
    if (rc == 0)
        rc = map_cpu_entry_area(os);
    if (rc == 0 && !x86_64)
        rc = prepare_kmap_tables(os);
    if (rc == 0 && p->vmalloc == VMALLOC_PREALLOC)
        rc = preallocate_vmalloc_pages(os);
    if (rc == 0 && p->kpti)
        rc = pti_init(os);
    for (unsigned i = 0; rc == 0 && i < p->cpus; i++)
        rc = cpu_init(os, i);
    if (rc < 0) {
        snprintf(err, len, "%s", os->err);
        os_destroy(os);
        return NULL;
    }
    memset(&os->cnt, 0, sizeof os->cnt);
    return os;
}

static void free_mm_struct(mm_struct_t *mm)
{
    for (vm_area_t *v = mm->mmap, *n; v; v = n) {
        n = v->next;
        free(v);
    }
}

void os_destroy(os_t *os)
{
    if (!os)
        return;
    for (mm_struct_t *mm = os->mm_list, *n; mm; mm = n) {
        n = mm->next;
        free_mm_struct(mm);
        free(mm);
    }
    for (vmap_area_t *a = os->vmap_areas, *n; a; a = n) {
        n = a->next;
        free(a);
    }
    frames_fini(&os->frames);
    free(os);
}
