/* Per-mode address-space constants, as Linux lays them out:
 *   x86-64: Documentation/arch/x86/x86_64/mm.rst (4-level and 5-level tables),
 *   32-bit: the 3G/1G split of arch/x86/Kconfig and pgtable_32_areas.h.
 * Kernel image (both): loaded at CONFIG_PHYSICAL_START = 16 MiB; on x86-64
 * mapped at __START_KERNEL_map + phys (0xffffffff80000000 maps physical 0),
 * on 32-bit it lives in the lowmem direct map at PAGE_OFFSET + phys.
 * Simplified (docs/os.md): the image has a fixed size (6 MiB text, the entry
 * text at the start of the second 2 MiB, 4 MiB data), the 32-bit fixmap is a
 * fixed 8 MiB below FIXADDR_TOP, and the cpu_entry_area maps 4 pages per CPU. */
#include "os.h"

#include <stdio.h>
#include <string.h>

#define MIB (1ull << 20)
#define PHYSICAL_START     (16 * MIB)       /* CONFIG_PHYSICAL_START */
#define KERNEL_TEXT_SIZE   (6 * MIB)
#define ENTRY_TEXT_OFFSET  (2 * MIB)        /* __entry_text_start - _text */
#define ENTRY_TEXT_SIZE    0x3000ull
#define KERNEL_DATA_SIZE   (4 * MIB)
#define START_KERNEL_MAP   0xffffffff80000000ull   /* __START_KERNEL_map */
#define CEA_BASE_64        0xfffffe0000000000ull   /* CPU_ENTRY_AREA_BASE */
#define CEA_PER_CPU_STRIDE 0x10000ull              /* 16 pages, 4 of them mapped */

/* 32-bit (pgtable_32_areas.h with our fixmap size) */
#define PAGE_OFFSET_32     0xC0000000ull
#define MAXMEM_32          (896 * MIB)      /* 1 GiB minus __VMALLOC_RESERVE (128 MiB) */
#define VMALLOC_OFFSET_32  (8 * MIB)
#define FIXADDR_TOP_32     0xfffff000ull
#define FIXADDR_START_32   0xff800000ull
#define CEA_BASE_32        0xff400000ull

int os_layout_init(os_layout_t *l, paging_mode_t mode, uint64_t ram, char *err, size_t len)
{
    memset(l, 0, sizeof *l);
    if (ram < PHYSICAL_START + KERNEL_TEXT_SIZE + KERNEL_DATA_SIZE + 8 * MIB) {
        snprintf(err, len, "ram 0x%llx is too small: the kernel image ends at %llu MiB (at least %llu MiB)",
                 (unsigned long long)ram, (unsigned long long)((PHYSICAL_START + KERNEL_TEXT_SIZE + KERNEL_DATA_SIZE) / MIB),
                 (unsigned long long)((PHYSICAL_START + KERNEL_TEXT_SIZE + KERNEL_DATA_SIZE + 8 * MIB) / MIB));
        return -1;
    }
    if (ram % (4 * MIB)) {
        snprintf(err, len, "ram 0x%llx is not a multiple of 4 MiB", (unsigned long long)ram);
        return -1;
    }
    l->text_pa = PHYSICAL_START;
    l->data_pa = PHYSICAL_START + KERNEL_TEXT_SIZE;
    l->end_pa = l->data_pa + KERNEL_DATA_SIZE;
    switch (mode) {
    case PAGING_4LEVEL:
    case PAGING_5LEVEL: {
        bool la57 = mode == PAGING_5LEVEL;
        l->task_size = la57 ? 0x00fffffffffff000ull : 0x00007ffffffff000ull;
        l->page_offset = la57 ? 0xff11000000000000ull : 0xffff888000000000ull;
        l->vmalloc_start = la57 ? 0xffa0000000000000ull : 0xffffc90000000000ull;
        l->vmalloc_end = la57 ? 0xffd2000000000000ull : 0xffffe90000000000ull;   /* VMALLOC_END + 1 */
        l->direct_map_bytes = ram;
        l->cpu_entry_area = CEA_BASE_64;
        l->text = START_KERNEL_MAP + l->text_pa;
        l->kernel_pgd_boundary = 256;
        l->kernel_pgd_ptrs = 256;
        l->thread_size = 16384;
        break;
    }
    case PAGING_32:
    case PAGING_PAE: {
        bool pae = mode == PAGING_PAE;
        uint64_t pmd_size = pae ? 2 * MIB : 4 * MIB;
        l->task_size = PAGE_OFFSET_32;
        l->page_offset = PAGE_OFFSET_32;
        l->direct_map_bytes = ram < MAXMEM_32 ? ram : MAXMEM_32;
        l->fixaddr_top = FIXADDR_TOP_32;
        l->fixaddr_start = FIXADDR_START_32;
        l->cpu_entry_area = CEA_BASE_32;
        /* LDT_BASE_ADDR = (CPU_ENTRY_AREA_BASE - PAGE_SIZE) & PMD_MASK;
         * PKMAP_BASE = (LDT_BASE_ADDR - PAGE_SIZE * LAST_PKMAP) & PMD_MASK;
         * VMALLOC_END = PKMAP_BASE - 2 * PAGE_SIZE (CONFIG_HIGHMEM). */
        uint64_t ldt_base = (CEA_BASE_32 - PAGE_SIZE) & ~(pmd_size - 1);
        uint64_t last_pkmap = pae ? 512 : 1024;
        l->pkmap_base = (ldt_base - PAGE_SIZE * last_pkmap) & ~(pmd_size - 1);
        l->vmalloc_end = l->pkmap_base - 2 * PAGE_SIZE;
        /* VMALLOC_START = ((unsigned long)high_memory + VMALLOC_OFFSET) & ~(VMALLOC_OFFSET - 1) */
        l->vmalloc_start = (PAGE_OFFSET_32 + l->direct_map_bytes + VMALLOC_OFFSET_32) & ~(VMALLOC_OFFSET_32 - 1);
        l->text = PAGE_OFFSET_32 + l->text_pa;
        l->kernel_pgd_boundary = pae ? 3 : 768;      /* pgd_index(PAGE_OFFSET) */
        l->kernel_pgd_ptrs = pae ? 1 : 256;
        l->thread_size = 8192;
        break;
    }
    default:
        snprintf(err, len, "paging mode %d has no Linux layout", (int)mode);
        return -1;
    }
    l->cea_per_cpu = CEA_PER_CPU_STRIDE;
    l->entry_text = l->text + ENTRY_TEXT_OFFSET;
    l->entry_text_end = l->entry_text + ENTRY_TEXT_SIZE;
    l->data = l->text + KERNEL_TEXT_SIZE;
    l->end = l->data + KERNEL_DATA_SIZE;
    return 0;
}

/* struct cpu_entry_area, simplified: GDT page, entry stack page, TSS pages. The
 * page at CPU_ENTRY_AREA_BASE is the read-only IDT (CPU_ENTRY_AREA_RO_IDT). */
static vaddr_t cea_base(const os_layout_t *l, unsigned cpu)
{
    return l->cpu_entry_area + PAGE_SIZE + (vaddr_t)cpu * l->cea_per_cpu;
}

vaddr_t cea_gdt(const os_layout_t *l, unsigned cpu)
{
    return cea_base(l, cpu);
}

vaddr_t cea_entry_stack(const os_layout_t *l, unsigned cpu)
{
    return cea_base(l, cpu) + PAGE_SIZE;
}

vaddr_t cea_tss(const os_layout_t *l, unsigned cpu)
{
    return cea_base(l, cpu) + 2 * PAGE_SIZE;
}
