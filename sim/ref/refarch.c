/* The architecture as docs/semantics.md states it (refarch.h): modes, reserved bits, the walk
 * one entry at a time, rights, and control operations with what they invalidate. Moved here
 * from sim/verif/shadow.c so that the random stimulus and libmmulab's checker share one
 * implementation; it still shares no code with model/ (refarch.h says why). */
#include "refarch.h"

#include <string.h>

paging_mode_t ref_cpu_mode(const ref_cpu_t *c)
{
    if (!(c->cr0 & CR0_PG))
        return PAGING_OFF;
    if (!(c->cr4 & CR4_PAE))
        return PAGING_32;
    if (!(c->efer & EFER_LME))
        return PAGING_PAE;
    return (c->cr4 & CR4_LA57) ? PAGING_5LEVEL : PAGING_4LEVEL;
}

static paging_mode_t mode_of(uint64_t cr0, uint64_t cr4, uint64_t efer)
{
    ref_cpu_t c = {.cr0 = cr0, .cr4 = cr4, .efer = efer};
    return ref_cpu_mode(&c);
}

bool ref_cpu_lma(const ref_cpu_t *c)
{
    return c->efer & EFER_LMA;
}

uint16_t ref_cpu_pcid(const ref_cpu_t *c)
{
    return (c->cr4 & CR4_PCIDE) ? (uint16_t)(c->cr3 & 0xfff) : 0;
}

paddr_t ref_cr3_table(unsigned M, paging_mode_t mode, uint64_t cr3)
{
    if (mode == PAGING_32)
        return cr3 & 0xfffff000ull;
    if (mode == PAGING_PAE)
        return cr3 & 0xffffffe0ull;
    return cr3 & bits(M - 1, 12);
}

uint64_t ref_entry_rsvd(const ref_cpu_t *c, unsigned M, paging_mode_t mode, int level, uint64_t e)
{
    bool ps = e & PTE_PS;
    if (mode == PAGING_32) {
        if (level == 2 && ps && (c->cr4 & CR4_PSE))
            return bits(21, 21) | (M < 40 ? bits(20, M - 19) : 0);
        return 0;
    }
    uint64_t m = (c->efer & EFER_NXE) ? 0 : PTE_XD;
    if (mode == PAGING_PAE) {
        m |= bits(62, M);
        if (level == 2 && ps)
            m |= bits(20, 13);
        return m;
    }
    m |= bits(51, M);
    if (level >= 4)
        m |= PTE_PS;
    if (level == 3 && ps)
        m |= bits(29, 13);
    if (level == 2 && ps)
        m |= bits(20, 13);
    return m;
}

uint64_t ref_pdpte_rsvd(unsigned M)
{
    return bits(2, 1) | bits(8, 5) | bits(63, M);
}

/* The four PDPTE registers as a load at cr3 would read them; false if one faults. */
static bool pdpte_load(unsigned M, uint64_t cr3, ref_read_fn read, void *ctx, uint64_t out[4])
{
    bool ok = true;
    for (unsigned i = 0; i < 4; i++) {
        out[i] = read(ctx, (cr3 & 0xffffffe0ull) + 8 * i, 8);
        if ((out[i] & PTE_P) && (out[i] & ref_pdpte_rsvd(M)))
            ok = false;
    }
    return ok;
}

/* docs/semantics.md sections 1-4. */
bool ref_walk_begin(const ref_cpu_t *c, unsigned M, const mmu_req_t *r, ref_walk_t *w, ref_pred_t *out)
{
    paging_mode_t mode = ref_cpu_mode(c);
    memset(out, 0, sizeof *out);
    memset(w, 0, sizeof *w);
    if (mode == PAGING_OFF) {
        out->pa = r->va & 0xffffffffull;
        out->leaf_ok = true;
        return true;
    }
    if (mode >= PAGING_4LEVEL && !canonical(r->va, va_bits_of(mode))) {
        out->fault = REF_F_GP;
        return true;
    }
    bool user = r->cpl == 3 && !r->implicit;
    bool nxe = c->efer & EFER_NXE;
    w->ec = (r->access == ACC_WRITE ? PFEC_W : 0) | (user ? PFEC_U : 0) |
            (r->access == ACC_EXEC && ((c->cr4 & CR4_SMEP) || ((c->cr4 & CR4_PAE) && nxe)) ? PFEC_I : 0);
    w->user = user;
    w->mode = mode;
    w->va = mode <= PAGING_PAE ? r->va & 0xffffffffull : r->va;
    w->rw = w->us = true;
    w->xd = false;
    if (mode == PAGING_PAE) {
        uint64_t pdpte = c->pdpte[(w->va >> 30) & 3];
        if (!(pdpte & PTE_P)) {
            out->fault = REF_F_NP;
            out->ec = w->ec;
            return true;
        }
        w->table = pdpte & ADDR8;
        w->level = 2;
    } else {
        w->table = ref_cr3_table(M, mode, c->cr3);
        w->level = top_level(mode);
    }
    return false;
}

paddr_t ref_walk_entry_pa(const ref_walk_t *w)
{
    return w->table + lvl_index(w->mode, w->level, w->va) * esize(w->mode);
}

unsigned ref_walk_entry_size(const ref_walk_t *w)
{
    return esize(w->mode);
}

bool ref_walk_next(const ref_cpu_t *c, unsigned M, const mmu_req_t *r, ref_walk_t *w, uint64_t e, ref_pred_t *out)
{
    paging_mode_t mode = w->mode;
    int level = w->level;
    memset(out, 0, sizeof *out);
    if (!(e & PTE_P)) {
        out->fault = REF_F_NP;
        out->ec = w->ec;
        return true;
    }
    if (e & ref_entry_rsvd(c, M, mode, level, e)) {
        out->fault = REF_F_RSVD;
        out->ec = w->ec | PFEC_P | PFEC_RSVD;
        return true;
    }
    w->rw = w->rw && (e & PTE_RW);
    w->us = w->us && (e & PTE_US);
    w->xd = w->xd || (esize(mode) == 8 && (e & PTE_XD));
    bool leaf = level == 1 || ((e & PTE_PS) && ((level == 2 && (mode != PAGING_32 || (c->cr4 & CR4_PSE))) ||
                                                (level == 3 && mode >= PAGING_4LEVEL)));
    if (!leaf) {
        w->table = mode == PAGING_32 ? e & 0xfffff000ull : e & ADDR8;
        w->level = level - 1;
        return false;
    }
    unsigned shift = level == 1 ? 12 : level == 2 ? (mode == PAGING_32 ? 22 : 21) : 30;
    paddr_t base;
    if (mode == PAGING_32)
        base = shift == 22 ? (e & 0xffc00000ull) | (((e >> 13) & 0xffull) << 32) : e & 0xfffff000ull;
    else
        base = e & ADDR8 & ~((1ull << shift) - 1);
    out->pa = base | (w->va & ((1ull << shift) - 1));
    out->shift = shift;
    out->leaf_ok = true;

    bool smap = c->cr4 & CR4_SMAP, smep = c->cr4 & CR4_SMEP, wp = c->cr0 & CR0_WP;
    /* Protection keys, SDM Vol 3A 4.6.2: only with 4-level or 5-level paging, only for data
     * accesses. The key is the leaf's bits 62:59. A user-mode address (U/S=1 in every entry) is
     * governed by PKRU when CR4.PKE=1, a supervisor-mode address by IA32_PKRS when CR4.PKS=1.
     * ADi=1: no data access at all. WDi=1: no user-mode write; no supervisor-mode write if
     * CR0.WP=1. 4.7: the PK bit of the error code is set exactly when this denies the access. */
    bool key_denies = false;
    if (mode >= PAGING_4LEVEL && (w->us ? (c->cr4 & CR4_PKE) != 0 : (c->cr4 & CR4_PKS) != 0)) {
        unsigned key = (unsigned)(e >> 59) & 15;
        uint32_t rights = w->us ? c->pkru : c->pkrs;
        bool ad = (rights >> (2 * key)) & 1, wd = (rights >> (2 * key + 1)) & 1;
        out->key_used = true;
        out->key_user_addr = w->us;
        out->key_ad = ad;
        out->key_wd = wd;
        key_denies = r->access != ACC_EXEC && (ad || (r->access == ACC_WRITE && wd && (w->user || wp)));
    }
    bool nx = w->xd && (c->efer & EFER_NXE), viol;
    if (w->user)
        viol = !w->us || (r->access == ACC_WRITE && !w->rw) || (r->access == ACC_EXEC && nx);
    else if (r->access == ACC_EXEC)
        viol = (w->us && smep) || nx;
    else
        viol = (r->access == ACC_WRITE && !w->rw && wp) || (w->us && smap && (r->implicit || !r->ac));
    if (viol || key_denies) {
        out->fault = REF_F_RIGHTS;
        out->ec = w->ec | PFEC_P | (key_denies ? PFEC_PK : 0);
    }
    return true;
}

void ref_translate(const ref_cpu_t *c, unsigned M, const mmu_req_t *r, ref_read_fn read, void *ctx, ref_pred_t *out)
{
    ref_walk_t w;
    if (ref_walk_begin(c, M, r, &w, out))
        return;
    while (!ref_walk_next(c, M, r, &w, read(ctx, ref_walk_entry_pa(&w), ref_walk_entry_size(&w)), out))
        ;
}

/* docs/semantics.md sections 7-8. */
mmu_fault_t ref_ctrl(ref_cpu_t *c, unsigned M, const mmu_ctrl_t *op, ref_read_fn read, void *ctx,
                     ref_flush_t *fl, uint16_t *fl_pcid)
{
    bool lma = ref_cpu_lma(c), pcide = c->cr4 & CR4_PCIDE;
    uint64_t v = op->value, regs[4];
    *fl = REF_FLUSH_NONE;
    *fl_pcid = 0;
    switch (op->kind) {
    case CTRL_CR0: {
        uint64_t old = c->cr0;
        if ((v >> 32) || ((v & CR0_NW) && !(v & CR0_CD)))
            return FAULT_GP;
        v &= CR0_BITS;
        bool pg = v & CR0_PG, opg = old & CR0_PG;
        if ((pg && !(v & CR0_PE)) || (pg && !opg && (c->efer & EFER_LME) && !(c->cr4 & CR4_PAE)) ||
            (!pg && opg && pcide))
            return FAULT_GP;
        bool load = mode_of(v, c->cr4, c->efer) == PAGING_PAE && ((v ^ old) & (CR0_PG | CR0_CD | CR0_NW));
        if (load && !pdpte_load(M, c->cr3, read, ctx, regs))
            return FAULT_GP;
        if (load)
            memcpy(c->pdpte, regs, sizeof regs);
        c->cr0 = v;
        c->efer = (c->efer & ~EFER_LMA) | (pg && (c->efer & EFER_LME) ? EFER_LMA : 0);
        if (opg && !pg)
            *fl = REF_FLUSH_ALL;
        return FAULT_NONE;
    }
    case CTRL_CR3: {
        bool noflush = false;
        if (lma) {
            if (pcide) {
                noflush = v & CR3_NOFLUSH;
                v &= ~CR3_NOFLUSH;
            }
            if (v & bits(63, M))
                return FAULT_GP;
        } else {
            v &= 0xffffffffull;
        }
        if (ref_cpu_mode(c) == PAGING_PAE) {
            if (!pdpte_load(M, v, read, ctx, regs))
                return FAULT_GP;
            memcpy(c->pdpte, regs, sizeof regs);
        }
        c->cr3 = v;
        if (!pcide) {
            *fl = REF_FLUSH_NONGLOBAL;
        } else if (!noflush) {
            *fl = REF_FLUSH_PCID;
            *fl_pcid = (uint16_t)(v & 0xfff);
        }
        return FAULT_NONE;
    }
    case CTRL_CR4: {
        uint64_t old = c->cr4, changed = v ^ old;
        if ((v & ~(CR4_OK | (c->pk ? CR4_PK_BITS : 0))) || (lma && (!(v & CR4_PAE) || (changed & CR4_LA57))) ||
            ((v & CR4_PCIDE) && !lma) || ((v & CR4_PCIDE) && !(old & CR4_PCIDE) && (c->cr3 & 0xfff)))
            return FAULT_GP;
        bool load = mode_of(c->cr0, v, c->efer) == PAGING_PAE &&
                    (changed & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP));
        if (load && !pdpte_load(M, c->cr3, read, ctx, regs))
            return FAULT_GP;
        if (load)
            memcpy(c->pdpte, regs, sizeof regs);
        uint16_t old_pcid = ref_cpu_pcid(c);
        c->cr4 = v;
        if ((changed & CR4_PGE) || ((old & CR4_PCIDE) && !(v & CR4_PCIDE))) {
            *fl = REF_FLUSH_ALL;
        } else if ((changed & CR4_PAE) || ((v & CR4_SMEP) && !(old & CR4_SMEP))) {
            *fl = REF_FLUSH_PCID;   /* global entries of that PCID too: kept as possibly stale (conservative) */
            *fl_pcid = old_pcid;
        }
        return FAULT_NONE;
    }
    case CTRL_EFER:
        if ((v & ~EFER_KNOWN) || ((c->cr0 & CR0_PG) && ((v ^ c->efer) & EFER_LME)))
            return FAULT_GP;
        c->efer = (v & ~EFER_LMA) | ((v & EFER_LME) && (c->cr0 & CR0_PG) ? EFER_LMA : 0);
        return FAULT_NONE;
    case CTRL_INVLPG:
        return FAULT_NONE;   /* by address: the caller handles it (the stimulus ignores it) */
    case CTRL_INVPCID:
        if (op->invpcid_type > 3 || op->pcid > 0xfff ||
            (op->invpcid_type == 0 && !canonical(op->va, (c->cr4 & CR4_LA57) ? 57 : 48)) ||
            (op->invpcid_type <= 1 && !pcide && op->pcid != 0))
            return FAULT_GP;
        if (op->invpcid_type == 1) {
            *fl = REF_FLUSH_PCID;
            *fl_pcid = (uint16_t)op->pcid;
        } else if (op->invpcid_type == 2) {
            *fl = REF_FLUSH_ALL;
        } else if (op->invpcid_type == 3) {
            *fl = REF_FLUSH_NONGLOBAL;
        }
        return FAULT_NONE;
    case CTRL_WRPKRU:
        /* SDM Vol 2B WRPKRU: #UD if CR4.PKE = 0 (which it always is without the feature);
         * PKRU <- EAX, RAX[63:32] ignored. No TLB invalidation: keys are checked on use. */
        if (!(c->cr4 & CR4_PKE))
            return FAULT_UD;
        c->pkru = (uint32_t)v;
        return FAULT_NONE;
    case CTRL_WRPKRS:
        /* WRMSR 6E1H: #GP for an MSR the processor lacks (Vol 2B WRMSR) or a 1 in the reserved
         * bits 63:32 of IA32_PKRS (Vol 3A 4.6.2); CR4.PKS does not matter. */
        if (!c->pk || (v >> 32))
            return FAULT_GP;
        c->pkrs = (uint32_t)v;
        return FAULT_NONE;
    }
    return FAULT_GP;
}
