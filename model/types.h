/* Shared vocabulary of the model, the driver and the tests (mirrors the RTL's names). */
#ifndef MMULAB_TYPES_H
#define MMULAB_TYPES_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t paddr_t;   /* physical address */
typedef uint64_t vaddr_t;   /* linear (virtual) address */
typedef uint64_t cycle_t;   /* simulation cycle */

typedef enum { ACC_READ = 0, ACC_WRITE = 1, ACC_EXEC = 2 } mmu_access_t;

/* Translation ports. A single-port configuration has only PORT_D. */
typedef enum { PORT_D = 0, PORT_I = 1, MMU_MAX_PORTS = 2 } mmu_port_t;

typedef enum {
    PAGING_OFF = 0,   /* CR0.PG = 0: linear = physical (32 bits) */
    PAGING_32,        /* 32-bit paging, 4-byte entries */
    PAGING_PAE,       /* PAE paging, PDPTE registers */
    PAGING_4LEVEL,
    PAGING_5LEVEL,
} paging_mode_t;

typedef enum {
    FAULT_NONE = 0,
    FAULT_PF,         /* page fault: error code and CR2 are valid */
    FAULT_GP,         /* #GP: non-canonical address, or an illegal control operation */
} mmu_fault_t;

/* Page-fault error code bits. */
#define PFEC_P    (1u << 0)
#define PFEC_W    (1u << 1)
#define PFEC_U    (1u << 2)
#define PFEC_RSVD (1u << 3)
#define PFEC_I    (1u << 4)
#define PFEC_PK   (1u << 5)

/* Paging levels, numbered as the SDM's tables: 1 = PT ... 5 = PML5. */
enum { LVL_PT = 1, LVL_PD = 2, LVL_PDPT = 3, LVL_PML4 = 4, LVL_PML5 = 5, MAX_LEVELS = 5 };

/* TLB page-size classes: one array per class in every TLB. */
typedef enum { PSC_4K = 0, PSC_2M = 1 /* 2 MiB, or 4 MiB in 32-bit paging */, PSC_1G = 2, NUM_PSC = 3 } page_class_t;

/* Which TLB answered. */
typedef enum { TLB_HIT_NONE = 0, TLB_HIT_L1 = 1, TLB_HIT_L2 = 2 } tlb_hit_t;

/* Control registers' bits the model acts on. */
#define CR0_PE    (1ull << 0)
#define CR0_WP    (1ull << 16)
#define CR0_NW    (1ull << 29)
#define CR0_CD    (1ull << 30)
#define CR0_PG    (1ull << 31)
#define CR4_PSE   (1ull << 4)
#define CR4_PAE   (1ull << 5)
#define CR4_PGE   (1ull << 7)
#define CR4_LA57  (1ull << 12)
#define CR4_PCIDE (1ull << 17)
#define CR4_SMEP  (1ull << 20)
#define CR4_SMAP  (1ull << 21)
#define CR4_PKE   (1ull << 22)
#define EFER_SCE  (1ull << 0)
#define EFER_LME  (1ull << 8)
#define EFER_LMA  (1ull << 10)
#define EFER_NXE  (1ull << 11)
#define CR3_NOFLUSH (1ull << 63)

/* Paging-structure entry bits (the 4-byte format shares bits 11:0). */
#define PTE_P    (1ull << 0)
#define PTE_RW   (1ull << 1)
#define PTE_US   (1ull << 2)
#define PTE_PWT  (1ull << 3)
#define PTE_PCD  (1ull << 4)
#define PTE_A    (1ull << 5)
#define PTE_D    (1ull << 6)
#define PTE_PS   (1ull << 7)
#define PTE_G    (1ull << 8)
#define PTE_XD   (1ull << 63)

#endif
