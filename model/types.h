/* Shared vocabulary of the model, the driver and the tests. rtl/mmu_pkg.sv carries the same
 * names with the same values (enums as localparams, bit positions as FOO_BIT_X); change both. */
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
    FAULT_UD,         /* #UD: WRPKRU while CR4.PKE = 0 (SDM Vol 2B WRPKRU), the only control operation that has it */
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

/* Bit positions, named as rtl/mmu_pkg.sv names them (FOO_BIT_X is the position, FOO_X the mask),
 * so the model and the RTL read the same: `e & PTE_G` here, `e[PTE_BIT_G]` there. */

/* Control registers' bits the model acts on (SDM Vol 3A 2.5, Vol 4 2.2.1 for EFER). */
#define CR0_BIT_PE    0
#define CR0_BIT_MP    1
#define CR0_BIT_EM    2
#define CR0_BIT_TS    3
#define CR0_BIT_ET    4
#define CR0_BIT_NE    5
#define CR0_BIT_WP    16
#define CR0_BIT_AM    18
#define CR0_BIT_NW    29
#define CR0_BIT_CD    30
#define CR0_BIT_PG    31
#define CR4_BIT_PSE   4
#define CR4_BIT_PAE   5
#define CR4_BIT_PGE   7
#define CR4_BIT_LA57  12
#define CR4_BIT_PCIDE 17
#define CR4_BIT_SMEP  20
#define CR4_BIT_SMAP  21
#define CR4_BIT_PKE   22
#define CR4_BIT_PKS   24
#define EFER_BIT_SCE  0
#define EFER_BIT_LME  8
#define EFER_BIT_LMA  10
#define EFER_BIT_NXE  11
#define CR3_BIT_NOFLUSH 63

#define CR0_PE    (1ull << CR0_BIT_PE)
#define CR0_MP    (1ull << CR0_BIT_MP)
#define CR0_EM    (1ull << CR0_BIT_EM)
#define CR0_TS    (1ull << CR0_BIT_TS)
#define CR0_ET    (1ull << CR0_BIT_ET)
#define CR0_NE    (1ull << CR0_BIT_NE)
#define CR0_WP    (1ull << CR0_BIT_WP)
#define CR0_AM    (1ull << CR0_BIT_AM)
#define CR0_NW    (1ull << CR0_BIT_NW)
#define CR0_CD    (1ull << CR0_BIT_CD)
#define CR0_PG    (1ull << CR0_BIT_PG)
#define CR4_PSE   (1ull << CR4_BIT_PSE)
#define CR4_PAE   (1ull << CR4_BIT_PAE)
#define CR4_PGE   (1ull << CR4_BIT_PGE)
#define CR4_LA57  (1ull << CR4_BIT_LA57)
#define CR4_PCIDE (1ull << CR4_BIT_PCIDE)
#define CR4_SMEP  (1ull << CR4_BIT_SMEP)
#define CR4_SMAP  (1ull << CR4_BIT_SMAP)
#define CR4_PKE   (1ull << CR4_BIT_PKE)
#define CR4_PKS   (1ull << CR4_BIT_PKS)
#define EFER_SCE  (1ull << EFER_BIT_SCE)
#define EFER_LME  (1ull << EFER_BIT_LME)
#define EFER_LMA  (1ull << EFER_BIT_LMA)
#define EFER_NXE  (1ull << EFER_BIT_NXE)
#define CR3_NOFLUSH (1ull << CR3_BIT_NOFLUSH)

/* Paging-structure entry bits (the 4-byte format shares bits 11:0). */
#define PTE_BIT_P    0
#define PTE_BIT_RW   1
#define PTE_BIT_US   2
#define PTE_BIT_PWT  3
#define PTE_BIT_PCD  4
#define PTE_BIT_A    5
#define PTE_BIT_D    6
#define PTE_BIT_PS   7
#define PTE_BIT_G    8
#define PTE_BIT_PK   59   /* protection key: bits 62:59 of a 4/5-level leaf (SDM Vol 3A 4.5) */
#define PTE_BIT_XD   63

#define PTE_P    (1ull << PTE_BIT_P)
#define PTE_RW   (1ull << PTE_BIT_RW)
#define PTE_US   (1ull << PTE_BIT_US)
#define PTE_PWT  (1ull << PTE_BIT_PWT)
#define PTE_PCD  (1ull << PTE_BIT_PCD)
#define PTE_A    (1ull << PTE_BIT_A)
#define PTE_D    (1ull << PTE_BIT_D)
#define PTE_PS   (1ull << PTE_BIT_PS)
#define PTE_G    (1ull << PTE_BIT_G)
#define PTE_XD   (1ull << PTE_BIT_XD)
#define PTE_PK_MASK (0xfull << PTE_BIT_PK)
#define PTE_PKEY(key) (((uint64_t)(key) & 0xfu) << PTE_BIT_PK)

/* PKRU and IA32_PKRS (SDM Vol 3A 4.6.2): for key i, bit 2i is AD_i (access disable), 2i+1 WD_i
 * (write disable). IA32_PKRS bits 63:32 are reserved. */
#define PKR_AD(key) (1u << (2u * (key)))
#define PKR_WD(key) (2u << (2u * (key)))

#endif
