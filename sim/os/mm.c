/* Processes: pgd_alloc / pgd_free (arch/x86/mm/pgtable.c), VMAs and
 * mmap / munmap / mprotect (mm/mmap.c, mm/mprotect.c, mm/memory.c's zap), and
 * the scheduler's choice of an mm (context_switch).
 *
 * A process is an mm_struct_t: its pgd (kernel copy, plus the user copy at
 * +4096 under PTI), its VMAs sorted by address, ctx_id/tlb_gen/cpumask for
 * the TLB code. The kernel half of every pgd is a copy of swapper_pg_dir's
 * top-level entries (clone_pgd_range), so all processes share the kernel's
 * lower tables; under PAE the PMDs are preallocated and the kernel one is
 * either swapper's (SHARED_KERNEL_PMD) or a copy of it. Page tables of the
 * user half are freed when they become empty (free_pgtables), and their
 * top-level entries are cleared in both PTI copies. */
#include "os_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool shared_kernel_pmd(const os_t *os)
{
    return os->p.vmalloc == VMALLOC_SHARED_PMD;
}

/* --- pgd_alloc / pgd_free -------------------------------------------------- */

/* clone_pgd_range: the kernel half's top-level entries, both PTI copies. */
static void clone_pgd_range(os_t *os, mm_struct_t *mm)
{
    const os_layout_t *l = &os->layout;
    unsigned size = os->p.mode == PAGING_32 ? 4 : 8;
    for (unsigned i = 0; i < l->kernel_pgd_ptrs; i++) {
        paddr_t off = (paddr_t)(l->kernel_pgd_boundary + i) * size;
        ptb_write_entry(&mm->pt, mm->pgd + off, ptb_read_entry(&os->init_mm.pt, os->init_mm.pgd + off));
        if (os->p.kpti)
            ptb_write_entry(&mm->pt, mm->pgd + PAGE_SIZE + off,
                            ptb_read_entry(&os->init_mm.pt, os->init_mm.pgd + PAGE_SIZE + off));
    }
}

/* PAE: preallocate_pmds + pgd_prepopulate_pmd. The user PMDs are empty; the
 * kernel PMD (PDPTE 3) is swapper's when shared, else a copy of its 512 entries. */
static int pae_prepopulate(os_t *os, mm_struct_t *mm)
{
    unsigned kernel = os->layout.kernel_pgd_boundary;
    for (unsigned i = 0; i < 4; i++) {
        paddr_t pdpte_k = os->init_mm.pgd + 8 * i;
        if (i >= kernel && shared_kernel_pmd(os)) {
            ptb_write_entry(&mm->pt, mm->pgd + 8 * i, ptb_read_entry(&os->init_mm.pt, pdpte_k));
            continue;
        }
        paddr_t pmd = frames_alloc(&os->frames, FRAME_PGTABLE);
        if (!pmd)
            return os_error(os, "pgd_alloc: RAM exhausted (PAE PMDs)");
        mm->pae_pmds[i] = pmd;
        if (i >= kernel) {
            paddr_t src = ptb_table_base(&os->init_mm.pt, ptb_read_entry(&os->init_mm.pt, pdpte_k));
            for (unsigned e = 0; e < 512; e++)
                ptb_write_entry(&mm->pt, pmd + 8 * e, ptb_read_entry(&os->init_mm.pt, src + 8 * e));
        }
        ptb_write_entry(&mm->pt, mm->pgd + 8 * i, pmd | PTE_P);   /* pud_populate: PDPTEs hold only P */
    }
    return 0;
}

static int pgd_alloc(os_t *os, mm_struct_t *mm)
{
    mm->pgd = os->p.kpti ? frames_alloc_contig(&os->frames, 2, 2 * PAGE_SIZE, FRAME_PGTABLE)
                         : frames_alloc(&os->frames, FRAME_PGTABLE);
    if (!mm->pgd)
        return os_error(os, "pgd_alloc: RAM exhausted");
    ptb_attach(&mm->pt, os->mem, os->p.mode, mm->pgd, &os->frames.pt_alloc);
    if (os->p.kpti)
        ptb_attach(&mm->user_pt, os->mem, os->p.mode, mm->pgd + PAGE_SIZE, &os->frames.pt_alloc);
    if (os->p.mode == PAGING_PAE) {
        if (pae_prepopulate(os, mm) < 0)
            return -1;
    } else {
        clone_pgd_range(os, mm);
    }
    mm->on_pgd_list = !shared_kernel_pmd(os);    /* pgd_list_add unless SHARED_KERNEL_PMD */
    return 0;
}

static void pgd_free(os_t *os, mm_struct_t *mm)
{
    for (unsigned i = 0; i < 4; i++)
        if (mm->pae_pmds[i])
            frames_free(&os->frames, mm->pae_pmds[i]);
    if (mm->pgd) {
        frames_free(&os->frames, mm->pgd);
        if (os->p.kpti)
            frames_free(&os->frames, mm->pgd + PAGE_SIZE);
    }
}

/* --- processes ------------------------------------------------------------- */

mm_struct_t *os_find_mm(os_t *os, const char *name)
{
    for (mm_struct_t *mm = os->mm_list; mm; mm = mm->next)
        if (strcmp(mm->name, name) == 0)
            return mm;
    return NULL;
}

mm_struct_t *os_mm_create(os_t *os, const char *name)
{
    if (strlen(name) >= OS_NAME_LEN) {
        os_error(os, "process name '%.40s' too long (at most %d characters)", name, OS_NAME_LEN - 1);
        return NULL;
    }
    if (os_find_mm(os, name)) {
        os_error(os, "process '%s' exists already", name);
        return NULL;
    }
    mm_struct_t *mm = calloc(1, sizeof *mm);
    if (!mm) {
        os_error(os, "out of memory");
        return NULL;
    }
    snprintf(mm->name, sizeof mm->name, "%s", name);
    mm->ctx_id = ++os->next_ctx_id;
    unsigned stack_pages = os->layout.thread_size / PAGE_SIZE;
    mm->kstack = frames_alloc_contig(&os->frames, stack_pages, os->layout.thread_size, FRAME_KERNEL);
    if (!mm->kstack || pgd_alloc(os, mm) < 0) {
        if (!mm->kstack)
            os_error(os, "fork: RAM exhausted (kernel stack)");
        pgd_free(os, mm);
        for (unsigned i = 0; mm->kstack && i < stack_pages; i++)
            frames_free(&os->frames, mm->kstack + (paddr_t)i * PAGE_SIZE);
        free(mm);
        return NULL;
    }
    mm_struct_t **tail = &os->mm_list;     /* pgd_list order: oldest first */
    while (*tail)
        tail = &(*tail)->next;
    *tail = mm;
    return mm;
}

vm_area_t *find_vma(mm_struct_t *mm, vaddr_t va)
{
    for (vm_area_t *v = mm->mmap; v && v->start <= va; v = v->next)
        if (va < v->end)
            return v;
    return NULL;
}

uint64_t os_mm_pt_pages(const os_t *os, const mm_struct_t *mm)
{
    /* walk the user half: every non-leaf entry below the kernel boundary */
    uint64_t n = os->p.kpti ? 2 : 1;
    for (unsigned i = 0; i < 4; i++)
        n += mm->pae_pmds[i] != 0;
    int top = ptb_top_level(os->p.mode);
    /* depth-first over tables: (table, level, index) */
    struct { paddr_t table; int level; unsigned idx, limit; } st[MAX_LEVELS + 1];
    int sp = 0;
    unsigned size = os->p.mode == PAGING_32 ? 4 : 8;
    st[0].table = mm->pgd;
    st[0].level = top;
    st[0].idx = 0;
    st[0].limit = os->layout.kernel_pgd_boundary;
    while (sp >= 0) {
        if (st[sp].idx >= st[sp].limit) {
            sp--;
            continue;
        }
        uint64_t e = ptb_read_entry(&mm->pt, st[sp].table + (paddr_t)st[sp].idx * size);
        st[sp].idx++;
        int lvl = st[sp].level;
        if (e == 0 || lvl == LVL_PT || ptb_is_large_leaf(&mm->pt, lvl, e))
            continue;
        bool preallocated = os->p.mode == PAGING_PAE && lvl == LVL_PDPT;   /* counted above */
        if (!preallocated)
            n++;
        sp++;
        st[sp].table = ptb_table_base(&mm->pt, e);
        st[sp].level = lvl - 1;
        st[sp].idx = 0;
        st[sp].limit = level_entries(os->p.mode, lvl - 1);
    }
    return n;
}

/* --- page-table teardown of the user half ----------------------------------- */

typedef struct {
    vaddr_t start, end;            /* range of cleared leaves (mmu_gather) */
    unsigned stride_shift;
    bool cleared, freed_tables;
} gather_t;

static void gather_add(gather_t *g, vaddr_t va, unsigned shift)
{
    vaddr_t end = va + (1ull << shift);
    if (!g->cleared || va < g->start)
        g->start = va;
    if (!g->cleared || end > g->end)
        g->end = end;
    if (!g->cleared || shift < g->stride_shift)
        g->stride_shift = shift;
    g->cleared = true;
}

/* free_pgtables, simplified: tables on va's path that became empty are freed
 * bottom-up; the pgd and PAE's preallocated PMDs stay. */
static void free_empty_tables(os_t *os, mm_struct_t *mm, vaddr_t va, int leaf_level, gather_t *g)
{
    int top = ptb_top_level(os->p.mode);
    for (int level = leaf_level; level < top; level++) {
        if (os->p.mode == PAGING_PAE && level == LVL_PD)
            return;
        paddr_t parent = ptb_entry_addr(&mm->pt, va, level + 1);
        if (!parent)
            return;
        uint64_t e = ptb_read_entry(&mm->pt, parent);
        if (e == 0 || ptb_is_large_leaf(&mm->pt, level + 1, e))
            return;
        paddr_t table = ptb_table_base(&mm->pt, e);
        if (!ptb_table_empty(&mm->pt, table, level))
            return;
        ptb_write_entry(&mm->pt, parent, 0);
        if (level + 1 == top)
            pti_sync_user_pgd(os, mm, va);
        frames_free(&os->frames, table);
        g->freed_tables = true;
    }
}

/* zap_page_range + free_pgtables over [start, end) of one VMA. */
static void zap_range(os_t *os, mm_struct_t *mm, vaddr_t start, vaddr_t end, gather_t *g)
{
    for (vaddr_t va = start; va < end;) {
        paddr_t entry_pa;
        int level;
        int leaf = ptb_lookup(&mm->pt, va, &entry_pa, &level);
        if (!leaf) {
            /* nothing below this entry: skip the whole range it covers */
            vaddr_t span = level ? 1ull << level_shift(os->p.mode, level) : PAGE_SIZE;
            vaddr_t next = (va & ~(span - 1)) + span;
            va = next > va ? next : end;
            continue;
        }
        unsigned shift = leaf == LVL_PT ? 12 : level_shift(os->p.mode, leaf);
        uint64_t pte = ptb_read_entry(&mm->pt, entry_pa);
        paddr_t page = ptb_table_base(&mm->pt, pte) & ~((1ull << shift) - 1);
        if (os->p.mode == PAGING_32 && shift == 22)
            page = pte & 0xffc00000ull;
        ptb_write_entry(&mm->pt, entry_pa, 0);
        if (page != os->zero_page)
            for (uint64_t i = 0; i < (1ull << shift) / PAGE_SIZE; i++)
                frames_free(&os->frames, page + i * PAGE_SIZE);
        gather_add(g, va & ~((1ull << shift) - 1), shift);
        free_empty_tables(os, mm, va, leaf, g);
        va = (va & ~((1ull << shift) - 1)) + (1ull << shift);
    }
}

static int tlb_finish_mmu(os_t *os, unsigned cpu, mm_struct_t *mm, const gather_t *g)
{
    if (!g->cleared && !g->freed_tables)
        return 0;
    if (!g->cleared)
        return flush_tlb_mm_range(os, cpu, mm, 0, TLB_FLUSH_ALL, PAGE_SHIFT, true);
    return flush_tlb_mm_range(os, cpu, mm, g->start, g->end, g->stride_shift, g->freed_tables);
}

/* --- VMAs ------------------------------------------------------------------- */

static int check_range(os_t *os, const char *what, vaddr_t va, uint64_t len, unsigned align_shift)
{
    uint64_t align = 1ull << align_shift;
    if (len == 0)
        return os_error(os, "%s: length 0", what);
    if ((va | len) & (align - 1))
        return os_error(os, "%s: 0x%llx + 0x%llx is not aligned to %llu KiB", what, (unsigned long long)va,
                        (unsigned long long)len, (unsigned long long)(align >> 10));
    if (va >= os->layout.task_size || len > os->layout.task_size - va)
        return os_error(os, "%s: 0x%llx + 0x%llx is outside user space (below 0x%llx)", what,
                        (unsigned long long)va, (unsigned long long)len, (unsigned long long)os->layout.task_size);
    return 0;
}

static bool page_shift_possible(paging_mode_t mode, unsigned shift)
{
    switch (shift) {
    case 12: return true;
    case 21: return mode != PAGING_32;
    case 22: return mode == PAGING_32;
    case 30: return mode >= PAGING_4LEVEL;
    default: return false;
    }
}

int os_mmap(os_t *os, mm_struct_t *mm, vaddr_t va, uint64_t len, unsigned prot, unsigned page_shift)
{
    if (!page_shift_possible(os->p.mode, page_shift))
        return os_error(os, "mmap: %u-bit pages are not possible in %s paging", page_shift, paging_mode_name(os->p.mode));
    if (prot == 0 || (prot & ~(unsigned)(PROT_R | PROT_W | PROT_X)))
        return os_error(os, "mmap: bad protection");
    if (check_range(os, "mmap", va, len, page_shift) < 0)
        return -1;
    vm_area_t **link = &mm->mmap;
    for (vm_area_t *v = mm->mmap; v; v = v->next) {
        if (va < v->end && v->start < va + len)
            return os_error(os, "mmap: [0x%llx, 0x%llx) overlaps the mapping [0x%llx, 0x%llx) of %s (MAP_FIXED_NOREPLACE)",
                            (unsigned long long)va, (unsigned long long)(va + len), (unsigned long long)v->start,
                            (unsigned long long)v->end, mm->name);
        if (v->end <= va)
            link = &v->next;
    }
    vm_area_t *n = calloc(1, sizeof *n);
    if (!n)
        return os_error(os, "out of memory");
    *n = (vm_area_t){ va, va + len, prot, page_shift, *link };
    *link = n;
    return 0;
}

/* split_vma: v becomes [start, addr), a new VMA [addr, end) follows it. */
static int split_vma(os_t *os, vm_area_t *v, vaddr_t addr)
{
    if (addr <= v->start || addr >= v->end)
        return 0;
    if (addr & ((1ull << v->page_shift) - 1))
        return os_error(os, "0x%llx splits a huge page of the mapping at 0x%llx", (unsigned long long)addr,
                        (unsigned long long)v->start);
    vm_area_t *n = malloc(sizeof *n);
    if (!n)
        return os_error(os, "out of memory");
    *n = *v;
    n->start = addr;
    v->end = addr;
    v->next = n;
    return 0;
}

static int split_at(os_t *os, mm_struct_t *mm, vaddr_t start, vaddr_t end)
{
    for (vm_area_t *v = mm->mmap; v; v = v->next) {
        if (split_vma(os, v, start) < 0 || split_vma(os, v, end) < 0)
            return -1;
    }
    return 0;
}

int os_munmap(os_t *os, unsigned cpu, mm_struct_t *mm, vaddr_t va, uint64_t len)
{
    if (check_range(os, "munmap", va, len, PAGE_SHIFT) < 0 || split_at(os, mm, va, va + len) < 0)
        return -1;
    if (os_kernel_entry(os, cpu) < 0)
        return -1;
    gather_t g = { 0 };
    for (vm_area_t **link = &mm->mmap; *link;) {
        vm_area_t *v = *link;
        if (v->start >= va && v->end <= va + len) {
            zap_range(os, mm, v->start, v->end, &g);
            *link = v->next;
            free(v);
        } else {
            link = &v->next;
        }
    }
    return tlb_finish_mmu(os, cpu, mm, &g);
}

/* change_protection over one VMA piece, then flush_tlb_range when a PTE changed. */
static int change_protection(os_t *os, unsigned cpu, mm_struct_t *mm, vm_area_t *v)
{
    bool changed = false;
    for (vaddr_t va = v->start; va < v->end;) {
        paddr_t entry_pa;
        int level;
        int leaf = ptb_lookup(&mm->pt, va, &entry_pa, &level);
        if (!leaf) {
            vaddr_t span = level ? 1ull << level_shift(os->p.mode, level) : PAGE_SIZE;
            vaddr_t next = (va & ~(span - 1)) + span;
            va = next > va ? next : v->end;
            continue;
        }
        unsigned shift = leaf == LVL_PT ? 12 : level_shift(os->p.mode, leaf);
        uint64_t pte = ptb_read_entry(&mm->pt, entry_pa);
        bool zero = leaf == LVL_PT && ptb_table_base(&mm->pt, pte) == os->zero_page;
        uint64_t keep = pte & ~(PTE_RW | PTE_XD);     /* D stays, as pte_modify keeps it */
        uint64_t want = keep | (user_pte_flags(os, v->prot, !zero) & (PTE_RW | PTE_XD));
        if (want != pte) {
            ptb_write_entry(&mm->pt, entry_pa, want);
            changed = true;
        }
        va = (va & ~((1ull << shift) - 1)) + (1ull << shift);
    }
    return changed ? flush_tlb_mm_range(os, cpu, mm, v->start, v->end, v->page_shift, false) : 0;
}

int os_mprotect(os_t *os, unsigned cpu, mm_struct_t *mm, vaddr_t va, uint64_t len, unsigned prot)
{
    if (prot == 0 || (prot & ~(unsigned)(PROT_R | PROT_W | PROT_X)))
        return os_error(os, "mprotect: bad protection");
    if (check_range(os, "mprotect", va, len, PAGE_SHIFT) < 0)
        return -1;
    /* the range must be mapped without holes (else ENOMEM) */
    vaddr_t at = va;
    for (vm_area_t *v = mm->mmap; v && at < va + len; v = v->next)
        if (v->start <= at && at < v->end)
            at = v->end;
    if (at < va + len)
        return os_error(os, "mprotect: 0x%llx is not mapped in %s (ENOMEM)", (unsigned long long)at, mm->name);
    if (split_at(os, mm, va, va + len) < 0 || os_kernel_entry(os, cpu) < 0)
        return -1;
    for (vm_area_t *v = mm->mmap; v; v = v->next) {
        if (v->start < va || v->end > va + len)
            continue;
        v->prot = prot;
        if (change_protection(os, cpu, mm, v) < 0)
            return -1;
    }
    return 0;
}

int map_user_page(os_t *os, mm_struct_t *mm, vaddr_t va, paddr_t pa, unsigned shift, uint64_t flags)
{
    if (ptb_map(&mm->pt, va, pa, shift, flags, USER_PAGE_TABLE) < 0)
        return os_error(os, "cannot map 0x%llx in %s (RAM exhausted?)", (unsigned long long)va, mm->name);
    pti_sync_user_pgd(os, mm, va);
    return 0;
}

/* exit_mmap + pgd_free. CPUs that still have the mm loaded (the exiting task's
 * CPU, lazy CPUs) switch to init_mm first. */
int os_mm_destroy(os_t *os, mm_struct_t *mm)
{
    for (unsigned cpu = 0; cpu < os->ncpus; cpu++) {
        os_cpu_t *c = &os->cpu[cpu];
        if (c->tlb.loaded_mm != mm)
            continue;
        if (os_kernel_entry(os, cpu) < 0)
            return -1;
        c->current_mm = NULL;
        if (switch_mm_irqs_off(os, cpu, &os->init_mm) < 0)
            return -1;
    }
    gather_t g = { 0 };
    for (vm_area_t *v = mm->mmap, *n; v; v = n) {
        n = v->next;
        zap_range(os, mm, v->start, v->end, &g);
        free(v);
    }
    mm->mmap = NULL;
    pgd_free(os, mm);
    unsigned stack_pages = os->layout.thread_size / PAGE_SIZE;
    for (unsigned i = 0; i < stack_pages; i++)
        frames_free(&os->frames, mm->kstack + (paddr_t)i * PAGE_SIZE);
    for (mm_struct_t **link = &os->mm_list; *link; link = &(*link)->next)
        if (*link == mm) {
            *link = mm->next;
            break;
        }
    free(mm);
    return 0;
}
