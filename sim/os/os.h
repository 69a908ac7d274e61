/* The OS layer: a C driver that plays the Linux kernel against the MMU.
 *
 * It builds init_mm (swapper_pg_dir) and each process's page tables in the
 * simulated physical memory, loads CR3 as switch_mm does, takes the MMU's page
 * faults as do_page_fault does, and flushes the TLB by arch/x86/mm/tlb.c's
 * rules. Every function named after a kernel function follows that function
 * (docs/os.md gives the version and every simplification).
 *
 * The API, in the order a run uses it:
 *
 *   os_params_default(p, mode)    Linux's current choices for a paging mode
 *   os_boot(p, mem, cpus, err)    paging_init + init_mm on every CPU (one
 *                                 backend_t per CPU, all over the same mem)
 *   os_mm_create(os, name)        fork of an empty process: pgd_alloc/pgd_ctor
 *   os_mmap / os_munmap / os_mprotect     VMAs, on the CPU given (it flushes)
 *   switch_mm_irqs_off(os, cpu, mm)       CR3 by the PCID rules (choose_new_asid)
 *   enter_lazy_tlb(os, cpu)               the CPU runs a kernel thread
 *   os_mm_populate(os, cpu, mm, va, len)  mmap(MAP_POPULATE): pages faulted in by software
 *   os_user_access(os, cpu, va, acc, r)   an access of the current process,
 *                                         faults handled (do_page_fault) and retried
 *   os_kernel_access(os, cpu, va, acc, r) the same at CPL 0
 *   os_syscall(os, cpu, sc)               entry (SWITCH_TO_KERNEL_CR3), kernel
 *                                         accesses, exit (SWITCH_TO_USER_CR3)
 *   os_vmalloc / os_vfree                 init_mm only; the vmalloc policy syncs
 *   flush_tlb_mm_range(os, cpu, mm, start, end, stride_shift, freed_tables)
 *   flush_tlb_kernel_range(os, cpu, start, end)
 *   os_mm_destroy(os, mm)         exit_mmap + pgd_free: frames return exactly
 *   os_destroy(os)                frees the OS's bookkeeping (not mem, not the backends)
 *
 * Contracts: every MMU operation goes through the CPU's backend_t at that
 * backend's horizon (its own clock). Functions that can fail return -1 (or
 * NULL / 0) with a message in os->err; -1 from a backend (a co-simulation
 * mismatch) is passed on the same way. All per-CPU state is in os_cpu_t
 * (struct tlb_state as in the kernel); nothing lives in file statics.
 */
#ifndef MMULAB_OS_H
#define MMULAB_OS_H

#include <stddef.h>

#include "backend.h"
#include "physmem.h"
#include "ptbuild.h"
#include "types.h"

#define OS_MAX_CPUS 64
#define TLB_NR_DYN_ASIDS 6                  /* arch/x86/include/asm/tlbflush.h */
#define X86_CR3_PTI_PCID_USER_BIT 11
#define PTI_USER_PGTABLE_BIT 12             /* user copy of a pgd = kernel copy + 4096 */
#define TLB_FLUSH_ALL UINT64_MAX
#define OS_DEFAULT_FLUSH_CEILING 33         /* tlb_single_page_flush_ceiling since a5102476a24b */
#define OS_ERR_LEN 256
#define OS_NAME_LEN 32

/* --- parameters ---------------------------------------------------------- */

typedef enum { VMALLOC_LAZY, VMALLOC_SYNC, VMALLOC_PREALLOC, VMALLOC_SHARED_PMD } vmalloc_policy_t;

typedef struct {
    paging_mode_t mode;          /* PAGING_32, PAGING_PAE, PAGING_4LEVEL, PAGING_5LEVEL */
    uint64_t ram;                /* bytes of RAM from physical 0; a multiple of 4 MiB */
    unsigned cpus;               /* 1..OS_MAX_CPUS */
    bool kpti, pcid, invpcid, smep, smap;
    vmalloc_policy_t vmalloc;
    unsigned flush_ceiling;      /* tlb_single_page_flush_ceiling */
} os_params_t;

/* What a current kernel does in that mode: no PTI/PCID/INVPCID, ceiling 33,
 * 128 MiB, 1 CPU, vmalloc prealloc (x86-64), shared-pmd (PAE), sync (32-bit). */
void os_params_default(os_params_t *p, paging_mode_t mode);
/* Combinations Linux has (or we model); -1 with a message otherwise. */
int os_params_check(const os_params_t *p, char *err, size_t len);
const char *vmalloc_policy_name(vmalloc_policy_t v);
int vmalloc_policy_parse(const char *s, vmalloc_policy_t *out);

/* --- frames (frames.c) --------------------------------------------------- */

typedef enum {
    FRAME_FREE, FRAME_RESERVED /* below the allocator: kernel image, low memory */,
    FRAME_PGTABLE, FRAME_USER, FRAME_KERNEL /* vmalloc pages, stacks, cpu_entry_area */,
    NUM_FRAME_USES
} frame_use_t;

typedef struct {
    physmem_t *mem;
    paddr_t base, limit;          /* the allocator's range [base, limit) */
    uint64_t nframes;             /* frames of RAM */
    uint8_t *use;                 /* frame_use_t per frame of RAM */
    uint64_t count[NUM_FRAME_USES];
    ptb_allocator_t pt_alloc;     /* page-table frames for ptbuild, counted as FRAME_PGTABLE */
} frames_t;

int frames_init(frames_t *f, physmem_t *mem, uint64_t ram, paddr_t base, paddr_t limit);
void frames_fini(frames_t *f);
/* A zeroed frame counted under use; 0 when RAM is exhausted. */
paddr_t frames_alloc(frames_t *f, frame_use_t use);
/* n contiguous frames aligned to align bytes; 0 when none. */
paddr_t frames_alloc_contig(frames_t *f, unsigned n, uint64_t align, frame_use_t use);
void frames_free(frames_t *f, paddr_t pa);
/* Frames handed out (all uses but free and reserved). */
uint64_t frames_in_use(const frames_t *f);

/* --- layout (layout.c): Documentation/arch/x86/x86_64/mm.rst, pgtable_32_areas.h */

typedef struct {
    vaddr_t task_size;            /* TASK_SIZE_MAX: user addresses are below */
    vaddr_t page_offset;          /* direct map of RAM (32-bit: lowmem) */
    uint64_t direct_map_bytes;    /* RAM mapped there (32-bit: at most 896 MiB) */
    vaddr_t vmalloc_start, vmalloc_end;   /* [start, end) */
    vaddr_t cpu_entry_area;       /* CPU_ENTRY_AREA_BASE: RO IDT page, then per CPU */
    uint64_t cea_per_cpu;         /* stride of the per-CPU areas */
    vaddr_t text, entry_text, entry_text_end, data, end;   /* _text, __entry_text_*, _sdata, _end */
    paddr_t text_pa, data_pa, end_pa;
    vaddr_t pkmap_base, fixaddr_start, fixaddr_top;        /* 32-bit only (else 0) */
    unsigned kernel_pgd_boundary, kernel_pgd_ptrs;         /* KERNEL_PGD_BOUNDARY, KERNEL_PGD_PTRS */
    unsigned thread_size;         /* kernel stack bytes */
} os_layout_t;

int os_layout_init(os_layout_t *l, paging_mode_t mode, uint64_t ram, char *err, size_t len);
/* __pa/__va of the direct map. */
static inline vaddr_t os_va(const os_layout_t *l, paddr_t pa) { return l->page_offset + pa; }
/* Per-CPU pieces of the cpu_entry_area. */
vaddr_t cea_gdt(const os_layout_t *l, unsigned cpu);
vaddr_t cea_entry_stack(const os_layout_t *l, unsigned cpu);
vaddr_t cea_tss(const os_layout_t *l, unsigned cpu);
#define CEA_TSS_PAGES 2

/* --- processes ------------------------------------------------------------ */

enum { PROT_R = 1, PROT_W = 2, PROT_X = 4 };

typedef struct vm_area {
    vaddr_t start, end;           /* [start, end) */
    unsigned prot;                /* PROT_* */
    unsigned page_shift;          /* 12, 21 or 30 (hugetlb-like) */
    struct vm_area *next;         /* sorted by address */
} vm_area_t;

typedef struct mm_struct {
    char name[OS_NAME_LEN];
    paddr_t pgd;                  /* kernel copy (PAE: the PDPT's frame) */
    ptbuild_t pt;                 /* over pgd */
    ptbuild_t user_pt;            /* PTI: over pgd + 4096 */
    paddr_t pae_pmds[4];          /* PAE: preallocated PMDs (pae_pmds[3] 0 when shared) */
    vm_area_t *mmap;
    uint64_t ctx_id;              /* never reused (mm->context.ctx_id) */
    uint64_t tlb_gen;             /* mm->context.tlb_gen */
    uint64_t cpumask;             /* mm_cpumask */
    paddr_t kstack;               /* the task's kernel stack (direct map) */
    bool on_pgd_list;
    struct mm_struct *next;       /* all processes, pgd_list order */
} mm_struct_t;

/* --- per CPU (struct tlb_state) ------------------------------------------ */

struct tlb_context { uint64_t ctx_id, tlb_gen; };

struct tlb_state {
    mm_struct_t *loaded_mm;
    uint16_t loaded_mm_asid;
    uint16_t next_asid;
    bool is_lazy;                 /* cpu_tlbstate_shared.is_lazy */
    bool invalidate_other;
    uint32_t user_pcid_flush_mask;   /* bit kern_pcid(asid): flush the user PCID at exit */
    struct tlb_context ctxs[TLB_NR_DYN_ASIDS];
};

typedef struct {
    unsigned id;
    backend_t *be;
    struct tlb_state tlb;
    mm_struct_t *current_mm;      /* the user task running (NULL: idle / kernel thread) */
    bool in_user;                 /* at CPL 3 (PTI: on the user CR3) */
    uint64_t cr3;                 /* last CR3 value written (without NOFLUSH) */
} os_cpu_t;

/* --- counters ------------------------------------------------------------ */

/* Events since the end of boot. */
typedef struct {
    uint64_t page_faults;         /* #PF taken by do_page_fault */
    uint64_t demand_faults;       /* a page mapped (anonymous, zero page, wp copy, huge) */
    uint64_t zero_page_maps;      /* read faults answered with the zero page */
    uint64_t cow_faults;          /* a write to the zero page replaced by a frame */
    uint64_t vmalloc_faults;      /* vmalloc_fault handled */
    uint64_t vmalloc_synced;      /* entries copied by arch_sync_kernel_mappings / vmalloc_fault */
    uint64_t segv;                /* user faults not handled (SIGSEGV) */
    uint64_t oops;                /* kernel faults not handled */
    uint64_t cr3_writes, cr3_noflush;
    uint64_t invlpg, invpcid;
    uint64_t full_flushes;        /* flush_tlb_local / global flushes, per CPU */
    uint64_t ipis;
    uint64_t syscalls;
    uint64_t switches;            /* switch_mm_irqs_off to another mm */
} os_counters_t;

typedef struct vmap_area {
    vaddr_t start, end;           /* [start, end), the guard page included */
    unsigned npages;              /* mapped pages (end - start - guard) */
    struct vmap_area *next;       /* sorted by address */
} vmap_area_t;

typedef struct os {
    os_params_t p;
    os_layout_t layout;
    physmem_t *mem;
    frames_t frames;
    mm_struct_t init_mm;          /* swapper_pg_dir */
    mm_struct_t *mm_list;
    os_cpu_t cpu[OS_MAX_CPUS];
    unsigned ncpus;
    uint64_t next_ctx_id;         /* last_mm_ctx_id */
    vmap_area_t *vmap_areas;
    paddr_t zero_page;            /* empty_zero_page */
    paddr_t idt_page;
    uint64_t cr0, cr4, efer;      /* as paging_init left them on every CPU */
    uint64_t pte_mask;            /* __supported_pte_mask: NX or not */
    uint64_t kernel_global;       /* _PAGE_GLOBAL in kernel mappings (0 under PTI) */
    os_counters_t cnt;
    char err[OS_ERR_LEN];
} os_t;

/* --- boot (boot.c) --------------------------------------------------------- */

/* cpus[0..p->cpus-1]: one backend per CPU over mem. The frame allocator of mem
 * is set to RAM above the kernel image. NULL with a message in err. */
os_t *os_boot(const os_params_t *p, physmem_t *mem, backend_t *const *cpus, char *err, size_t len);
void os_destroy(os_t *os);

/* --- mm (mm.c) ----------------------------------------------------------- */

mm_struct_t *os_mm_create(os_t *os, const char *name);
mm_struct_t *os_find_mm(os_t *os, const char *name);
int os_mm_destroy(os_t *os, mm_struct_t *mm);
int os_mmap(os_t *os, mm_struct_t *mm, vaddr_t va, uint64_t len, unsigned prot, unsigned page_shift);
int os_munmap(os_t *os, unsigned cpu, mm_struct_t *mm, vaddr_t va, uint64_t len);
int os_mprotect(os_t *os, unsigned cpu, mm_struct_t *mm, vaddr_t va, uint64_t len, unsigned prot);
vm_area_t *find_vma(mm_struct_t *mm, vaddr_t va);
/* Page-table frames of mm's user half (its pgd, preallocated PMDs, tables). */
uint64_t os_mm_pt_pages(const os_t *os, const mm_struct_t *mm);

/* --- accesses and faults (fault.c) ------------------------------------------ */

typedef enum { OS_ACCESS_OK, OS_ACCESS_SEGV, OS_ACCESS_OOPS } os_access_outcome_t;

typedef struct {
    os_access_outcome_t outcome;
    mmu_result_t last;            /* the MMU's last answer */
    unsigned faults;              /* #PF taken on the way */
} os_access_t;

int os_user_access(os_t *os, unsigned cpu, vaddr_t va, mmu_access_t acc, os_access_t *out);
/* mmap(MAP_POPULATE)'s mm_populate: the pages of mm's VMAs in [start, start + len) faulted in
 * by the kernel in software (no MMU access): written where the VMA is writable. 0 or -1. */
int os_mm_populate(os_t *os, unsigned cpu, mm_struct_t *mm, vaddr_t start, uint64_t len);
int os_kernel_access(os_t *os, unsigned cpu, vaddr_t va, mmu_access_t acc, os_access_t *out);

/* do_page_fault's verdict. */
typedef enum { FAULT_HANDLED, FAULT_SIGSEGV, FAULT_OOPS } pf_verdict_t;
int do_page_fault(os_t *os, unsigned cpu, bool user_mode, uint32_t error_code, vaddr_t address,
                  pf_verdict_t *verdict);

/* --- syscalls and PTI entry/exit (pti.c) ------------------------------------ */

typedef struct { unsigned text, stack, data; } os_syscall_t;   /* kernel accesses per syscall */
int os_syscall(os_t *os, unsigned cpu, const os_syscall_t *sc);
/* Interrupt / exception / syscall entry and exit: SWITCH_TO_KERNEL_CR3 and
 * SWITCH_TO_USER_CR3 under PTI, plus the entry-text fetches. */
int os_kernel_entry(os_t *os, unsigned cpu);
int os_kernel_exit(os_t *os, unsigned cpu);
/* __pti_set_user_pgtbl for the top-level entry covering va (a user address). */
void pti_sync_user_pgd(os_t *os, mm_struct_t *mm, vaddr_t va);

/* --- vmalloc (vmalloc.c) ------------------------------------------------- */

vaddr_t os_vmalloc(os_t *os, uint64_t len);       /* 0 on failure */
int os_vfree(os_t *os, unsigned cpu, vaddr_t addr);
int vmalloc_fault(os_t *os, unsigned cpu, vaddr_t address);   /* 0 handled, -1 not */

/* --- TLB (tlb.c) ------------------------------------------------------------ */

int switch_mm_irqs_off(os_t *os, unsigned cpu, mm_struct_t *next);
void enter_lazy_tlb(os_t *os, unsigned cpu);
int flush_tlb_mm_range(os_t *os, unsigned cpu, mm_struct_t *mm, vaddr_t start, vaddr_t end,
                       unsigned stride_shift, bool freed_tables);
int flush_tlb_kernel_range(os_t *os, unsigned cpu, vaddr_t start, vaddr_t end);
static inline uint16_t kern_pcid(uint16_t asid) { return (uint16_t)(asid + 1); }
static inline uint16_t user_pcid(uint16_t asid) { return (uint16_t)(kern_pcid(asid) | (1u << X86_CR3_PTI_PCID_USER_BIT)); }

/* --- low-level MMU operations on one CPU (tlb.c), counted -------------------- */

int os_write_cr3(os_t *os, unsigned cpu, uint64_t value);
int os_invlpg(os_t *os, unsigned cpu, vaddr_t va);
int os_invpcid(os_t *os, unsigned cpu, unsigned type, uint16_t pcid, vaddr_t va);
int os_ctrl(os_t *os, unsigned cpu, mmu_ctrl_kind_t kind, uint64_t value);
/* One translation at the CPU's horizon (no fault handling). */
int os_translate(os_t *os, unsigned cpu, vaddr_t va, mmu_access_t acc, uint8_t cpl, mmu_result_t *out);

int os_error(os_t *os, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
