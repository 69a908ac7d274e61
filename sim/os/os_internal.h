/* Helpers shared by the OS layer's files (not part of the API in os.h). */
#ifndef MMULAB_OS_INTERNAL_H
#define MMULAB_OS_INTERNAL_H

#include "os.h"
#include "paging.h"   /* level_shift, level_entries: the model's level geometry */

#define KERNPG_TABLE (PTE_P | PTE_RW | PTE_A | PTE_D)             /* _KERNPG_TABLE */
#define USER_PAGE_TABLE (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D) /* _PAGE_TABLE */

/* PTE of a user page with the VMA's protection (vm_page_prot, made writable
 * and dirty as do_anonymous_page does for a written page). */
static inline uint64_t user_pte_flags(const os_t *os, unsigned prot, bool writable)
{
    return PTE_P | PTE_US | PTE_A | (writable && (prot & PROT_W) ? PTE_RW | PTE_D : 0) |
           ((prot & PROT_X) ? 0 : os->pte_mask);
}

/* Maps one user page in mm (and in the PTI user copy's top level). */
int map_user_page(os_t *os, mm_struct_t *mm, vaddr_t va, paddr_t pa, unsigned shift, uint64_t flags);

#endif
