/* Paging formats: mode derivation and reserved-bit masks (docs/semantics.md 1-2). */
#include "paging.h"

static uint64_t bits(unsigned hi, unsigned lo)
{
    if (hi < lo)
        return 0;
    uint64_t upto_hi = hi >= 63 ? ~0ull : ((1ull << (hi + 1)) - 1);
    return upto_hi & ~((1ull << lo) - 1);
}

paging_mode_t paging_mode_of(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
    if (!(cr0 & CR0_PG))
        return PAGING_OFF;
    if (!(cr4 & CR4_PAE))
        return PAGING_32;
    if (!(efer & EFER_LME))
        return PAGING_PAE;
    return (cr4 & CR4_LA57) ? PAGING_5LEVEL : PAGING_4LEVEL;
}

void paging_ctx_init(paging_ctx_t *c, uint64_t cr0, uint64_t cr4, uint64_t efer, uint32_t pkru, uint32_t pkrs,
                     unsigned maxphyaddr)
{
    c->mode = paging_mode_of(cr0, cr4, efer);
    c->wp = cr0 & CR0_WP;
    c->smep = cr4 & CR4_SMEP;
    c->smap = cr4 & CR4_SMAP;
    c->pse = cr4 & CR4_PSE;
    c->pge = cr4 & CR4_PGE;
    c->pae = cr4 & CR4_PAE;
    c->pcide = cr4 & CR4_PCIDE;
    c->nxe = efer & EFER_NXE;
    c->maxphyaddr = maxphyaddr;
    switch (c->mode) {
    case PAGING_5LEVEL: c->va_bits = 57; c->top_level = LVL_PML5; break;
    case PAGING_4LEVEL: c->va_bits = 48; c->top_level = LVL_PML4; break;
    case PAGING_PAE:    c->va_bits = 32; c->top_level = LVL_PDPT; break;
    default:            c->va_bits = 32; c->top_level = LVL_PD;   break;
    }
    c->entry_size = c->mode == PAGING_32 ? 4 : 8;
    /* keys only in 4/5-level paging (SDM Vol 3A 4.6.2) */
    c->pke = c->mode >= PAGING_4LEVEL && (cr4 & CR4_PKE);
    c->pks = c->mode >= PAGING_4LEVEL && (cr4 & CR4_PKS);
    c->pkru = pkru;
    c->pkrs = pkrs;
}

uint64_t pae_pdpte_reserved_mask(unsigned maxphyaddr)
{
    return bits(2, 1) | bits(8, 5) | bits(63, maxphyaddr);
}

uint64_t entry_reserved_mask(const paging_ctx_t *c, int level, uint64_t entry)
{
    unsigned m = c->maxphyaddr;
    bool ps = entry & PTE_PS;

    if (c->mode == PAGING_32) {
        if (level == LVL_PD && ps && c->pse)
            return bits(21, 21) | (m < 40 ? bits(20, m - 19) : 0);
        return 0;
    }

    uint64_t mask = c->nxe ? 0 : PTE_XD;
    mask |= c->mode == PAGING_PAE ? bits(62, m) : bits(51, m);
    switch (level) {
    case LVL_PML5:
    case LVL_PML4:
        return mask | PTE_PS;
    case LVL_PDPT:
        return ps ? mask | bits(29, 13) : mask;
    case LVL_PD:
        return ps ? mask | bits(20, 13) : mask;
    default:
        return mask;
    }
}

const char *paging_mode_name(paging_mode_t mode)
{
    static const char *const names[] = { "off", "32bit", "pae", "4level", "5level" };   /* sim/core/names.h spelling */
    return (unsigned)mode < sizeof names / sizeof names[0] ? names[mode] : "?";
}

const char *mmu_fault_name(mmu_fault_t f)
{
    return f == FAULT_NONE ? "none" : f == FAULT_PF ? "pf" : f == FAULT_GP ? "gp" : f == FAULT_UD ? "ud" : "?";
}

const char *mmu_access_name(mmu_access_t a)
{
    return a == ACC_READ ? "r" : a == ACC_WRITE ? "w" : a == ACC_EXEC ? "x" : "?";
}
