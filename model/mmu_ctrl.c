/* Control operations: CR0/CR3/CR4/EFER writes, PDPTE-register loads, INVLPG and
 * INVPCID, WRPKRU and WRMSR IA32_PKRS, with their #GP/#UD rules and invalidations (docs/semantics.md 7-8) and
 * their serialising timing (docs/timing.md "Control operations").
 * Its RTL twin is rtl/mmu_ctrl.sv (same name, same rules). */
#include "mmu_internal.h"

#include <string.h>

/* What an operation invalidates, and what that costs (timing.md: F). */
typedef enum { FLUSH_NONE, FLUSH_ALL, FLUSH_BY_ADDRESS, FLUSH_SELECTIVE } flush_kind_t;

typedef struct {
    mmu_t *m;
    mmu_ctrl_result_t *out;
    cycle_t t;               /* walker-style time cursor for PDPTE loads */
    flush_kind_t flush;
} ctrl_ctx_t;

static uint64_t bits_from(unsigned lo)
{
    return lo >= 64 ? 0 : ~0ull << lo;
}

static void invalidate_tlbs(ctrl_ctx_t *x, const tlb_inval_t *f, flush_kind_t kind)
{
    mmu_t *m = x->m;
    unsigned n = 0;
    for (int i = 0; i < NUM_TLBS; i++)
        n += tlb_invalidate(&m->tlb[i], f, m->class_shift);
    x->out->tlb_invalidated += n;
    m->stats.flushes_tlb_entries += n;
    if (kind > x->flush)
        x->flush = kind;
}

static void invalidate_pwc(ctrl_ctx_t *x, bool by_pcid, uint16_t pcid)
{
    unsigned n = pwc_invalidate(&x->m->pwc, by_pcid, pcid);
    x->out->pwc_invalidated += n;
    x->m->stats.flushes_pwc_entries += n;
}

static void flush_everything(ctrl_ctx_t *x)
{
    tlb_inval_t all = { 0 };
    invalidate_tlbs(x, &all, FLUSH_ALL);
    invalidate_pwc(x, false, 0);
}

/* Entries tagged with pcid, global or not, and its PWC entries. */
static void flush_pcid_tagged(ctrl_ctx_t *x, uint16_t pcid)
{
    tlb_inval_t f = { .by_pcid = true, .pcid = pcid };
    invalidate_tlbs(x, &f, FLUSH_SELECTIVE);
    invalidate_pwc(x, true, pcid);
}

/* Loads the four PAE PDPTE registers from the PDPT at cr3[31:5]. Returns false
 * (registers untouched) if a present PDPTE has a reserved bit set. */
static bool load_pdptes(ctrl_ctx_t *x, uint64_t cr3)
{
    mmu_t *m = x->m;
    uint64_t pdpte[4];
    uint64_t reserved = pae_pdpte_reserved_mask((unsigned)m->cfg.maxphyaddr);
    bool ok = true;
    for (int i = 0; i < 4; i++) {
        pdpte[i] = walker_memop(m, &x->t, (cr3 & 0xffffffe0ull) + 8u * (unsigned)i, 8, false, 0);
        x->out->mem_reads++;
        if ((pdpte[i] & PTE_P) && (pdpte[i] & reserved))
            ok = false;
    }
    m->stats.pdpte_loads++;
    if (ok)
        memcpy(m->pdpte, pdpte, sizeof pdpte);
    return ok;
}

static bool lma(const mmu_t *m)
{
    return (m->efer & EFER_LMA) != 0;
}

/* CR0 bits that exist (SDM Vol 3A 2.5, Figure 2-7). A 1 written to another bit of CR0[31:0] is
 * ignored (not stored, reads back 0); a 1 in CR0[63:32] is #GP (SDM Vol 2B MOV CR). */
#define CR0_DEFINED (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | CR0_WP | CR0_AM | \
                     CR0_NW | CR0_CD | CR0_PG)

static bool write_cr0(ctrl_ctx_t *x, uint64_t v)
{
    mmu_t *m = x->m;
    uint64_t old = m->cr0;
    if ((v >> 32) || ((v & CR0_NW) && !(v & CR0_CD)))
        return false;
    v &= CR0_DEFINED;     /* reserved bits of 31:0: ignored (SDM Vol 3A 2.5) */
    bool pg = v & CR0_PG, old_pg = old & CR0_PG;
    if (pg && !(v & CR0_PE))
        return false;
    if (pg && !old_pg && (m->efer & EFER_LME) && !(m->cr4 & CR4_PAE))
        return false;
    if (!pg && old_pg && (m->cr4 & CR4_PCIDE))
        return false;
    if (paging_mode_of(v, m->cr4, m->efer) == PAGING_PAE && ((v ^ old) & (CR0_PG | CR0_CD | CR0_NW)) &&
        !load_pdptes(x, m->cr3))
        return false;
    m->cr0 = v;
    m->efer = (m->efer & ~EFER_LMA) | ((pg && (m->efer & EFER_LME)) ? EFER_LMA : 0);
    mmu_update_derived(m);
    if (old_pg && !pg)
        flush_everything(x);
    return true;
}

static bool write_cr3(ctrl_ctx_t *x, uint64_t v)
{
    mmu_t *m = x->m;
    bool no_flush = false;
    if (lma(m)) {
        if (m->cr4 & CR4_PCIDE) {
            no_flush = v & CR3_NOFLUSH;
            v &= ~CR3_NOFLUSH;
        }
        if (v & bits_from((unsigned)m->cfg.maxphyaddr))
            return false;
    } else {
        v &= 0xffffffffull;
    }
    if (m->pc.mode == PAGING_PAE && !load_pdptes(x, v))
        return false;
    m->cr3 = v;
    mmu_update_derived(m);
    if (!(m->cr4 & CR4_PCIDE)) {
        tlb_inval_t f = { .keep_global = true };
        invalidate_tlbs(x, &f, FLUSH_SELECTIVE);
        invalidate_pwc(x, false, 0);
    } else if (!no_flush) {
        tlb_inval_t f = { .by_pcid = true, .pcid = m->pcid, .keep_global = true };
        invalidate_tlbs(x, &f, FLUSH_SELECTIVE);
        invalidate_pwc(x, true, m->pcid);
    }
    return true;
}

/* CR4 bits a write may set (SDM Vol 3A 2.5, Figure 2-7): the paging features the MMU implements
 * (PSE, PAE, PGE, LA57, PCIDE, SMEP, SMAP; PKE 22 and PKS 24 when pk=1) and the features that do not
 * touch translation, stored without effect (VME 0, PVI 1, TSD 2, DE 3, MCE 6, PCE 8, OSFXSR 9,
 * OSXMMEXCPT 10, UMIP 11, VMXE 13, SMXE 14, FSGSBASE 16, OSXSAVE 18, KL 19, UINTR 25). Any other bit
 * is #GP(0) (SDM Vol 2B MOV CR: "a 1 to any reserved bit in CR4"): reserved 15, 26, 29-63, and the
 * paging features this MMU does not implement: CET 23, LASS 27, LAM_SUP 28 (and PKE, PKS with pk=0).
 * MOV CR4 has no other condition on PKE or PKS: they may be set in any mode, and act only in
 * 4/5-level paging (SDM Vol 3A 4.6.2). */
#define CR4_WRITABLE 0x023f7fffull

static bool write_cr4(ctrl_ctx_t *x, uint64_t v)
{
    mmu_t *m = x->m;
    uint64_t old = m->cr4, changed = v ^ old;
    uint64_t writable = CR4_WRITABLE | (m->cfg.pk ? CR4_PKE | CR4_PKS : 0);
    if (v & ~writable)
        return false;
    if (lma(m) && (!(v & CR4_PAE) || (changed & CR4_LA57)))
        return false;
    if ((v & CR4_PCIDE) && !lma(m))
        return false;
    if ((v & CR4_PCIDE) && !(old & CR4_PCIDE) && (m->cr3 & 0xfff))
        return false;
    if (paging_mode_of(m->cr0, v, m->efer) == PAGING_PAE &&
        (changed & (CR4_PAE | CR4_PGE | CR4_PSE | CR4_SMEP)) && !load_pdptes(x, m->cr3))
        return false;
    uint16_t old_pcid = m->pcid;
    m->cr4 = v;
    mmu_update_derived(m);
    if ((changed & CR4_PGE) || ((old & CR4_PCIDE) && !(v & CR4_PCIDE)))
        flush_everything(x);
    else if ((changed & CR4_PAE) || ((v & CR4_SMEP) && !(old & CR4_SMEP)))
        flush_pcid_tagged(x, old_pcid);
    return true;
}

#define EFER_KNOWN (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

static bool write_efer(ctrl_ctx_t *x, uint64_t v)
{
    mmu_t *m = x->m;
    if (v & ~EFER_KNOWN)
        return false;
    if ((m->cr0 & CR0_PG) && ((v ^ m->efer) & EFER_LME))
        return false;
    /* LMA is read-only: keep the derived value. */
    m->efer = (v & ~EFER_LMA) | (((v & EFER_LME) && (m->cr0 & CR0_PG)) ? EFER_LMA : 0);
    mmu_update_derived(m);
    return true;
}

static bool invlpg(ctrl_ctx_t *x, vaddr_t va)
{
    mmu_t *m = x->m;
    if (!va_canonical(&m->pc, va))
        return true;    /* a no-op, never a fault */
    tlb_inval_t f = { .by_va = true, .va = va_as_used(&m->pc, va), .by_pcid = true, .pcid = m->pcid,
                      .global_any_pcid = true };
    invalidate_tlbs(x, &f, FLUSH_BY_ADDRESS);
    invalidate_pwc(x, true, m->pcid);
    return true;
}

static bool invpcid(ctrl_ctx_t *x, unsigned type, uint64_t pcid64, vaddr_t va)
{
    mmu_t *m = x->m;
    if (type > 3 || pcid64 > 0xfff)
        return false;
    uint16_t pcid = (uint16_t)pcid64;
    /* the descriptor's address is 64 bits in every mode (SDM Vol 2A INVPCID): canonical
     * for the processor's linear-address width, 57 bits with CR4.LA57, else 48 */
    if (type == 0) {
        paging_ctx_t c = m->pc;
        c.va_bits = (m->cr4 & CR4_LA57) ? 57 : 48;
        if (!va_canonical(&c, va))
            return false;
    }
    if (type <= 1 && !(m->cr4 & CR4_PCIDE) && pcid != 0)
        return false;
    switch (type) {
    case 0: {
        tlb_inval_t f = { .by_va = true, .va = va_as_used(&m->pc, va), .by_pcid = true, .pcid = pcid,
                          .keep_global = true };
        invalidate_tlbs(x, &f, FLUSH_BY_ADDRESS);
        invalidate_pwc(x, true, pcid);
        break;
    }
    case 1: {
        tlb_inval_t f = { .by_pcid = true, .pcid = pcid, .keep_global = true };
        invalidate_tlbs(x, &f, FLUSH_SELECTIVE);
        invalidate_pwc(x, true, pcid);
        break;
    }
    case 2:
        flush_everything(x);
        break;
    default: {
        tlb_inval_t f = { .keep_global = true };
        invalidate_tlbs(x, &f, FLUSH_SELECTIVE);
        invalidate_pwc(x, false, 0);
        break;
    }
    }
    return true;
}

/* WRPKRU (SDM Vol 2B WRPKRU): #UD while CR4.PKE = 0 (always, with pk=0: the instruction does not
 * exist); PKRU <- EAX, the high 32 bits of RAX ignored. ECX/EDX (#GP unless 0) are the caller's.
 * Keys are checked at access time against the current PKRU, so nothing is invalidated. */
static mmu_fault_t wrpkru(ctrl_ctx_t *x, uint64_t v)
{
    mmu_t *m = x->m;
    if (!(m->cr4 & CR4_PKE))
        return FAULT_UD;
    m->pkru = (uint32_t)v;
    mmu_update_derived(m);
    return FAULT_NONE;
}

/* WRMSR IA32_PKRS (SDM Vol 3A 4.6.2, Vol 4 MSR 6E1H): #GP with pk=0 (an MSR that does not exist,
 * Vol 2B WRMSR) or a 1 in the reserved bits 63:32. Allowed whatever CR4.PKS is; no invalidation. */
static mmu_fault_t wrpkrs(ctrl_ctx_t *x, uint64_t v)
{
    mmu_t *m = x->m;
    if (!m->cfg.pk || (v >> 32))
        return FAULT_GP;
    m->pkrs = (uint32_t)v;
    mmu_update_derived(m);
    return FAULT_NONE;
}

/* Largest `sets` of any TLB array that exists (timing.md: S). */
static unsigned flush_sweep_sets(const mmu_t *m)
{
    unsigned s = m->tlb[TLB_DTLB].max_sets;
    if (m->two_ports && m->tlb[TLB_ITLB].max_sets > s)
        s = m->tlb[TLB_ITLB].max_sets;
    if (m->has_l2 && m->tlb[TLB_L2].max_sets > s)
        s = m->tlb[TLB_L2].max_sets;
    return s;
}

int mmu_control(mmu_t *m, const mmu_ctrl_t *op, mmu_ctrl_result_t *out)
{
    if (op->issue_cycle < m->last_issue)
        return -1;
    mmu_sync(m);
    memset(out, 0, sizeof *out);
    cycle_t idle = m->horizon;
    cycle_t k = op->issue_cycle > idle ? op->issue_cycle : idle;
    out->issue_cycle = op->issue_cycle;
    out->accept_cycle = k;
    m->last_issue = op->issue_cycle;

    ctrl_ctx_t x = { .m = m, .out = out, .t = k + (cycle_t)m->cfg.ctrl_latency, .flush = FLUSH_NONE };
    bool ok;
    mmu_fault_t fault = FAULT_GP;
    switch (op->kind) {
    case CTRL_CR0: ok = write_cr0(&x, op->value); break;
    case CTRL_CR3: ok = write_cr3(&x, op->value); break;
    case CTRL_CR4: ok = write_cr4(&x, op->value); break;
    case CTRL_EFER: ok = write_efer(&x, op->value); break;
    case CTRL_INVLPG: ok = invlpg(&x, op->va); break;
    case CTRL_INVPCID: ok = invpcid(&x, op->invpcid_type, op->pcid, op->va); break;
    case CTRL_WRPKRU: fault = wrpkru(&x, op->value); ok = fault == FAULT_NONE; break;
    case CTRL_WRPKRS: fault = wrpkrs(&x, op->value); ok = fault == FAULT_NONE; break;
    default: ok = false; break;
    }
    m->stats.ctrl_ops++;
    if (!ok) {
        out->fault = fault;
        if (fault == FAULT_UD)
            m->stats.ctrl_ud++;
        else
            m->stats.ctrl_gp++;
        x.flush = FLUSH_NONE;
    }
    cycle_t f = x.flush == FLUSH_NONE ? 0 : x.flush == FLUSH_SELECTIVE ? flush_sweep_sets(m) : 1;
    cycle_t c = x.t + f;
    out->complete_cycle = c;
    for (int p = 0; p < MMU_MAX_PORTS; p++)
        m->port_free[p] = c + 1;
    m->walker_free = c + 1;
    m->horizon = c + 1;
    m->last_complete = c;
    m->any_complete = true;
    return 0;
}
