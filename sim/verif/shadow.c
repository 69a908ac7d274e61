/* The shadow reference: what a translation and a control operation must do, computed
 * from the architecture as docs/semantics.md states it (Intel SDM vol. 3A ch. 4), from the
 * generator's own shadow of CR0/CR3/CR4/EFER/PDPTEs and the tables in the backend's memory.
 *
 * It deliberately shares no code with model/ (not paging.h's geometry, reserved masks or
 * rights rules, not the walker): it is the independent second implementation the model and
 * the RTL are checked against, so a misreading of the SDM in model/ cannot hide by being
 * used on both sides. It is kept simple instead of fast (no caches, a walk per check). */
#include "stimgen_int.h"

/* ========================================================================= */
/* The shadow architecture                                                    */
/* ========================================================================= */

paging_mode_t sg_cpu_mode(const cpu_t *c)
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
    cpu_t c = {.cr0 = cr0, .cr4 = cr4, .efer = efer};
    return sg_cpu_mode(&c);
}

bool sg_cpu_lma(const cpu_t *c)
{
    return c->efer & EFER_LMA;
}

uint16_t sg_cpu_pcid(const cpu_t *c)
{
    return (c->cr4 & CR4_PCIDE) ? (uint16_t)(c->cr3 & 0xfff) : 0;
}

/* Top table of the current mode (PAE: the PDPT). */
paddr_t sg_cr3_table(const sg_t *g, paging_mode_t mode, uint64_t cr3)
{
    if (mode == PAGING_32)
        return cr3 & 0xfffff000ull;
    if (mode == PAGING_PAE)
        return cr3 & 0xffffffe0ull;
    return cr3 & bits(g->M - 1, 12);
}

void sg_cpu_arch(const sg_t *g, mmu_arch_t *a)
{
    memset(a, 0, sizeof *a);
    a->cr0 = g->cpu.cr0;
    a->cr3 = g->cpu.cr3;
    a->cr4 = g->cpu.cr4;
    a->efer = g->cpu.efer;
    memcpy(a->pdpte, g->cpu.pdpte, sizeof a->pdpte);
    a->mode = sg_cpu_mode(&g->cpu);
    a->pcid = sg_cpu_pcid(&g->cpu);
}

uint64_t sg_entry_rsvd(const sg_t *g, paging_mode_t mode, int level, uint64_t e)
{
    unsigned M = g->M;
    bool ps = e & PTE_PS;
    if (mode == PAGING_32) {
        if (level == 2 && ps && (g->cpu.cr4 & CR4_PSE))
            return bits(21, 21) | (M < 40 ? bits(20, M - 19) : 0);
        return 0;
    }
    uint64_t m = (g->cpu.efer & EFER_NXE) ? 0 : PTE_XD;
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

uint64_t sg_pdpte_rsvd(const sg_t *g)
{
    return bits(2, 1) | bits(8, 5) | bits(63, g->M);
}

/* The four PDPTE registers as a load at cr3 would read them; false if one faults. */
static bool pdpte_load(const sg_t *g, uint64_t cr3, uint64_t out[4])
{
    bool ok = true;
    for (unsigned i = 0; i < 4; i++) {
        out[i] = sg_mem_entry(g, (cr3 & 0xffffffe0ull) + 8 * i, 8);
        if ((out[i] & PTE_P) && (out[i] & sg_pdpte_rsvd(g)))
            ok = false;
    }
    return ok;
}

/* docs/semantics.md sections 1-4 for the current shadow state, tables read from mem. */
void sg_shadow_translate(const sg_t *g, const mmu_req_t *r, pred_t *out)
{
    const cpu_t *c = &g->cpu;
    paging_mode_t mode = sg_cpu_mode(c);
    memset(out, 0, sizeof *out);
    if (mode == PAGING_OFF) {
        out->pa = r->va & 0xffffffffull;
        out->leaf_ok = true;
        return;
    }
    if (mode >= PAGING_4LEVEL && !canonical(r->va, va_bits_of(mode))) {
        out->fault = COV_F_GP;
        return;
    }
    bool user = r->cpl == 3 && !r->implicit;
    bool nxe = c->efer & EFER_NXE;
    uint32_t ec = (r->access == ACC_WRITE ? PFEC_W : 0) | (user ? PFEC_U : 0) |
                  (r->access == ACC_EXEC && ((c->cr4 & CR4_SMEP) || ((c->cr4 & CR4_PAE) && nxe)) ? PFEC_I : 0);
    vaddr_t va = mode <= PAGING_PAE ? r->va & 0xffffffffull : r->va;
    unsigned es = esize(mode);
    bool rw = true, us = true, xd = false;
    int level;
    paddr_t table;
    uint64_t e = 0;
    if (mode == PAGING_PAE) {
        uint64_t pdpte = c->pdpte[(va >> 30) & 3];
        if (!(pdpte & PTE_P)) {
            out->fault = COV_F_NP;
            out->ec = ec;
            return;
        }
        table = pdpte & ADDR8;
        level = 2;
    } else {
        table = sg_cr3_table(g, mode, c->cr3);
        level = top_level(mode);
    }
    for (;;) {
        e = sg_mem_entry(g, table + lvl_index(mode, level, va) * es, es);
        if (!(e & PTE_P)) {
            out->fault = COV_F_NP;
            out->ec = ec;
            return;
        }
        if (e & sg_entry_rsvd(g, mode, level, e)) {
            out->fault = COV_F_RSVD;
            out->ec = ec | PFEC_P | PFEC_RSVD;
            return;
        }
        rw = rw && (e & PTE_RW);
        us = us && (e & PTE_US);
        xd = xd || (es == 8 && (e & PTE_XD));
        bool leaf = level == 1 || ((e & PTE_PS) && ((level == 2 && (mode != PAGING_32 || (c->cr4 & CR4_PSE))) ||
                                                    (level == 3 && mode >= PAGING_4LEVEL)));
        if (leaf)
            break;
        table = mode == PAGING_32 ? e & 0xfffff000ull : e & ADDR8;
        level--;
    }
    unsigned shift = level == 1 ? 12 : level == 2 ? (mode == PAGING_32 ? 22 : 21) : 30;
    paddr_t base;
    if (mode == PAGING_32)
        base = shift == 22 ? (e & 0xffc00000ull) | (((e >> 13) & 0xffull) << 32) : e & 0xfffff000ull;
    else
        base = e & ADDR8 & ~((1ull << shift) - 1);
    out->pa = base | (va & ((1ull << shift) - 1));
    out->shift = shift;
    out->leaf_ok = true;

    bool smap = c->cr4 & CR4_SMAP, smep = c->cr4 & CR4_SMEP, wp = c->cr0 & CR0_WP;
    bool nx = xd && nxe, viol;
    if (user)
        viol = !us || (r->access == ACC_WRITE && !rw) || (r->access == ACC_EXEC && nx);
    else if (r->access == ACC_EXEC)
        viol = (us && smep) || nx;
    else
        viol = (r->access == ACC_WRITE && !rw && wp) || (us && smap && (r->implicit || !r->ac));
    if (viol) {
        out->fault = COV_F_RIGHTS;
        out->ec = ec | PFEC_P;
    }
}

/* docs/semantics.md sections 7-8: the expected result of a control operation; applies
 * it to the shadow when it succeeds and says what it invalidates. */
mmu_fault_t sg_shadow_ctrl(sg_t *g, const mmu_ctrl_t *op, tflush_t *fl, uint16_t *fl_pcid)
{
    cpu_t *c = &g->cpu;
    bool lma = sg_cpu_lma(c), pcide = c->cr4 & CR4_PCIDE;
    uint64_t v = op->value, regs[4];
    *fl = TF_NONE;
    *fl_pcid = 0;
    switch (op->kind) {
    case CTRL_CR0: {
        uint64_t old = c->cr0;
        bool pg = v & CR0_PG, opg = old & CR0_PG;
        if ((v >> 32) || (pg && !(v & CR0_PE)) || (pg && !opg && (c->efer & EFER_LME) && !(c->cr4 & CR4_PAE)) ||
            (!pg && opg && pcide))
            return FAULT_GP;
        bool load = mode_of(v, c->cr4, c->efer) == PAGING_PAE && ((v ^ old) & (CR0_PG | CR0_CD | CR0_NW));
        if (load && !pdpte_load(g, c->cr3, regs))
            return FAULT_GP;
        if (load)
            memcpy(c->pdpte, regs, sizeof regs);
        c->cr0 = v;
        c->efer = (c->efer & ~EFER_LMA) | (pg && (c->efer & EFER_LME) ? EFER_LMA : 0);
        if (opg && !pg)
            *fl = TF_ALL;
        return FAULT_NONE;
    }
    case CTRL_CR3: {
        bool noflush = false;
        if (lma) {
            if (pcide) {
                noflush = v & CR3_NOFLUSH;
                v &= ~CR3_NOFLUSH;
            }
            if (v & bits(63, g->M))
                return FAULT_GP;
        } else {
            v &= 0xffffffffull;
        }
        if (sg_cpu_mode(c) == PAGING_PAE) {
            if (!pdpte_load(g, v, regs))
                return FAULT_GP;
            memcpy(c->pdpte, regs, sizeof regs);
        }
        c->cr3 = v;
        if (!pcide) {
            *fl = TF_NONGLOBAL;
        } else if (!noflush) {
            *fl = TF_PCID;
            *fl_pcid = (uint16_t)(v & 0xfff);
        }
        return FAULT_NONE;
    }
    case CTRL_CR4: {
        uint64_t old = c->cr4, changed = v ^ old;
        if ((v >> 32) || (v & CR4_BAD) || (lma && (!(v & CR4_PAE) || (changed & CR4_LA57))) ||
            ((v & CR4_PCIDE) && !lma) || ((v & CR4_PCIDE) && !(old & CR4_PCIDE) && (c->cr3 & 0xfff)))
            return FAULT_GP;
        bool load = mode_of(c->cr0, v, c->efer) == PAGING_PAE &&
                    (changed & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP));
        if (load && !pdpte_load(g, c->cr3, regs))
            return FAULT_GP;
        if (load)
            memcpy(c->pdpte, regs, sizeof regs);
        uint16_t old_pcid = sg_cpu_pcid(c);
        c->cr4 = v;
        if ((changed & CR4_PGE) || ((old & CR4_PCIDE) && !(v & CR4_PCIDE))) {
            *fl = TF_ALL;
        } else if ((changed & CR4_PAE) || ((v & CR4_SMEP) && !(old & CR4_SMEP))) {
            *fl = TF_PCID;       /* global entries of that PCID too: kept as possibly stale (conservative) */
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
        return FAULT_NONE;   /* by address: the staleness tracking ignores it */
    case CTRL_INVPCID:
        if (op->invpcid_type > 3 || op->pcid > 0xfff ||
            (op->invpcid_type == 0 && lma && !canonical(op->va, (c->cr4 & CR4_LA57) ? 57 : 48)) ||
            (op->invpcid_type <= 1 && !pcide && op->pcid != 0))
            return FAULT_GP;
        if (op->invpcid_type == 1) {
            *fl = TF_PCID;
            *fl_pcid = (uint16_t)op->pcid;
        } else if (op->invpcid_type == 2) {
            *fl = TF_ALL;
        } else if (op->invpcid_type == 3) {
            *fl = TF_NONGLOBAL;
        }
        return FAULT_NONE;
    }
    return FAULT_GP;
}
