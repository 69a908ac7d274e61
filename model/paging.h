/* Paging formats: mode geometry, entry fields, reserved bits and access rights.
 * Pure functions of the entry and the control state (docs/semantics.md 1-4). */
#ifndef MMULAB_PAGING_H
#define MMULAB_PAGING_H

#include "mmu.h"

/* Combined rights of the entries used so far; bits 6:3 carry the leaf's protection key once the
 * leaf is read (4/5-level paging only; rights_add_key), so a TLB entry's rights hold its key. */
enum { RIGHT_RW = 1, RIGHT_US = 2, RIGHT_XD = 4, RIGHT_KEY_SHIFT = 3 };
#define RIGHTS_INITIAL (RIGHT_RW | RIGHT_US)
#define RIGHTS_KEY(rights) (((rights) >> RIGHT_KEY_SHIFT) & 0xfu)

/* Control state that translation depends on, derived from CR0/CR4/EFER. */
typedef struct {
    paging_mode_t mode;
    bool wp, smep, smap, nxe, pse, pge, pae, pcide;
    bool pke, pks;           /* protection keys in force: CR4.PKE / CR4.PKS and 4/5-level paging */
    uint32_t pkru, pkrs;     /* PKRU, IA32_PKRS[31:0] */
    unsigned maxphyaddr;
    unsigned va_bits;        /* 32, 48 or 57 */
    int top_level;           /* 2, 3 (PAE: the PDPTE registers), 4 or 5 */
    unsigned entry_size;     /* 4 or 8 */
} paging_ctx_t;

paging_mode_t paging_mode_of(uint64_t cr0, uint64_t cr4, uint64_t efer);
void paging_ctx_init(paging_ctx_t *c, uint64_t cr0, uint64_t cr4, uint64_t efer, uint32_t pkru, uint32_t pkrs,
                     unsigned maxphyaddr);

/* Low VA bit of a level's index: PT 12, PD 21 (22 in 32-bit paging), PDPT 30, PML4 39, PML5 48. */
static inline unsigned level_shift(paging_mode_t mode, int level)
{
    if (mode == PAGING_32)
        return level == LVL_PD ? 22 : 12;
    return 12 + 9 * (unsigned)(level - 1);
}

/* Entries in one table of a level: 1024 (32-bit), 4 (the PAE PDPT), else 512. */
static inline unsigned level_entries(paging_mode_t mode, int level)
{
    return mode == PAGING_32 ? 1024 : (mode == PAGING_PAE && level == LVL_PDPT) ? 4 : 512;
}

static inline unsigned level_index(paging_mode_t mode, int level, vaddr_t va)
{
    return (unsigned)(va >> level_shift(mode, level)) & (level_entries(mode, level) - 1);
}

/* Linear address as the mode uses it: 32 bits without IA-32e; otherwise the low 57 bits
 * (bits above are copies of the sign bit once the address is known canonical). */
static inline vaddr_t va_as_used(const paging_ctx_t *c, vaddr_t va)
{
    return c->va_bits == 32 || c->mode == PAGING_OFF ? (va & 0xffffffffull) : (va & ((1ull << 57) - 1));
}

static inline bool va_canonical(const paging_ctx_t *c, vaddr_t va)
{
    if (c->va_bits == 32)
        return true;
    int64_t sign_extended = (int64_t)(va << (64 - c->va_bits)) >> (64 - c->va_bits);
    return (uint64_t)sign_extended == va;
}

static inline page_class_t page_class_of_shift(unsigned page_shift)
{
    return page_shift == 12 ? PSC_4K : page_shift == 30 ? PSC_1G : PSC_2M;
}

/* Page shift of a class in the mode (the 2m class holds 4 MiB pages in 32-bit paging). */
static inline unsigned class_shift(paging_mode_t mode, page_class_t cls)
{
    return cls == PSC_4K ? 12 : cls == PSC_1G ? 30 : (mode == PAGING_32 ? 22 : 21);
}

/* Reserved bits of a present entry at `level` (depends on the entry's PS bit). */
uint64_t entry_reserved_mask(const paging_ctx_t *c, int level, uint64_t entry);
/* Reserved bits of a PAE PDPTE (checked when the PDPTE registers load). */
uint64_t pae_pdpte_reserved_mask(unsigned maxphyaddr);

/* Does this (present, reserved-clean) entry map a page? */
static inline bool entry_is_leaf(const paging_ctx_t *c, int level, uint64_t entry)
{
    if (level == LVL_PT)
        return true;
    if (!(entry & PTE_PS))
        return false;
    if (level == LVL_PD)
        return c->mode != PAGING_32 || c->pse;
    return level == LVL_PDPT && c->mode >= PAGING_4LEVEL;
}

/* Page shift of a leaf at `level`. */
static inline unsigned leaf_shift(const paging_ctx_t *c, int level)
{
    return level == LVL_PT ? 12 : level == LVL_PD ? (c->mode == PAGING_32 ? 22 : 21) : 30;
}

/* Physical base of the next table, or of the page mapped by a leaf of 1 << shift bytes. */
static inline paddr_t entry_table_base(const paging_ctx_t *c, uint64_t entry)
{
    return c->entry_size == 4 ? (entry & 0xfffff000ull) : (entry & 0x000ffffffffff000ull);
}

static inline paddr_t entry_page_base(const paging_ctx_t *c, uint64_t entry, unsigned shift)
{
    if (c->entry_size == 4) {
        if (shift == 22)   /* PSE-36: PA[39:32] in PDE[20:13] */
            return (entry & 0xffc00000ull) | (((entry >> 13) & 0xffull) << 32);
        return entry & 0xfffff000ull;
    }
    return entry & 0x000ffffffffff000ull & ~((1ull << shift) - 1);
}

/* Rights after including one more entry. */
static inline unsigned rights_combine(unsigned rights, uint64_t entry, unsigned entry_size)
{
    if (!(entry & PTE_RW))
        rights &= ~(unsigned)RIGHT_RW;
    if (!(entry & PTE_US))
        rights &= ~(unsigned)RIGHT_US;
    if (entry_size == 8 && (entry & PTE_XD))
        rights |= RIGHT_XD;
    return rights;
}

/* The leaf's protection key (bits 62:59) added to the combined rights: 4/5-level paging only, the
 * only modes that associate addresses with keys (SDM Vol 3A 4.6.2); elsewhere those bits are
 * reserved (PAE) or do not exist (32-bit), and the key is 0. */
static inline unsigned rights_add_key(const paging_ctx_t *c, unsigned rights, uint64_t leaf)
{
    if (c->mode < PAGING_4LEVEL)
        return rights;
    return rights | (unsigned)((leaf & PTE_PK_MASK) >> PTE_BIT_PK) << RIGHT_KEY_SHIFT;
}

/* A user-mode access is CPL 3 and not implicit. */
static inline bool req_is_user(const mmu_req_t *r)
{
    return r->cpl == 3 && !r->implicit;
}

/* docs/semantics.md "Protection keys" (SDM Vol 3A 4.6.1-4.6.2, 4.7): does the key of the address deny
 * this access? Data accesses only (fetches never); a user-mode address (combined U/S=1) is checked
 * against PKRU when CR4.PKE=1, a supervisor-mode address against IA32_PKRS when CR4.PKS=1. AD_i
 * denies every data access; WD_i denies a write by a user-mode access, and by a supervisor-mode
 * access only with CR0.WP=1. */
static inline bool pk_violation(const paging_ctx_t *c, unsigned rights, const mmu_req_t *r)
{
    if (r->access == ACC_EXEC)
        return false;
    bool user_address = rights & RIGHT_US;
    if (user_address ? !c->pke : !c->pks)
        return false;
    uint32_t pkr = user_address ? c->pkru : c->pkrs;
    unsigned key = RIGHTS_KEY(rights);
    if (pkr & PKR_AD(key))
        return true;
    return r->access == ACC_WRITE && (pkr & PKR_WD(key)) && (req_is_user(r) || c->wp);
}

/* docs/semantics.md section 4: does the access violate the combined rights? */
static inline bool rights_violation(const paging_ctx_t *c, unsigned rights, const mmu_req_t *r)
{
    bool user_address = rights & RIGHT_US;
    bool xd = (rights & RIGHT_XD) && c->nxe;
    if (pk_violation(c, rights, r))
        return true;
    if (req_is_user(r)) {
        if (!user_address)
            return true;
        if (r->access == ACC_WRITE)
            return !(rights & RIGHT_RW);
        return r->access == ACC_EXEC && xd;
    }
    if (r->access == ACC_EXEC)
        return (user_address && c->smep) || xd;
    if (r->access == ACC_WRITE && !(rights & RIGHT_RW) && c->wp)
        return true;
    return user_address && c->smap && (r->implicit || !r->ac);
}

/* Page-fault error code for a fault on request r. rights: the combined rights with the leaf's key
 * of a rights violation (PK, SDM Vol 3A 4.7, is set whenever the key denies the access, whatever
 * else does too); not looked at for a not-present or reserved-bit fault (PK = 0: no translation). */
static inline uint32_t pf_error_code(const paging_ctx_t *c, const mmu_req_t *r, bool present, bool rsvd,
                                     unsigned rights)
{
    uint32_t ec = present ? PFEC_P : 0;
    if (r->access == ACC_WRITE)
        ec |= PFEC_W;
    if (req_is_user(r))
        ec |= PFEC_U;
    if (rsvd)
        ec |= PFEC_RSVD;
    if (r->access == ACC_EXEC && (c->smep || (c->pae && c->nxe)))
        ec |= PFEC_I;
    if (present && !rsvd && pk_violation(c, rights, r))
        ec |= PFEC_PK;
    return ec;
}

#endif
