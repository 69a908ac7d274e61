/* The debug walk (see tlm_dbgwalk.h): model/walker.c's walk order and checks, with
 * no side effects. PAE PDPTEs come from the PDPTE registers, as in the walker. */
#include "tlm_dbgwalk.h"

#include "paging.h"

#include <string.h>

static void fault(dbgwalk_result_t *out, const paging_ctx_t *pc, const mmu_req_t *req, bool present, bool rsvd,
                  unsigned rights)
{
    out->fault = FAULT_PF;
    out->error_code = pf_error_code(pc, req, present, rsvd, rights);
}

void dbgwalk_translate(const mmu_arch_t *arch, unsigned maxphyaddr, const mmu_req_t *req,
                       dbgwalk_read_fn read, void *ctx, dbgwalk_result_t *out)
{
    paging_ctx_t pc;
    memset(out, 0, sizeof *out);
    paging_ctx_init(&pc, arch->cr0, arch->cr4, arch->efer, arch->pkru, arch->pkrs, maxphyaddr);
    if (pc.mode == PAGING_OFF) {
        out->pa = req->va & 0xffffffffull;
        out->page_shift = 32;
        out->page_va = req->va & ~0xffffffffull;
        out->accessed = out->dirty = true;
        return;
    }
    if (!va_canonical(&pc, req->va)) {
        out->fault = FAULT_GP;
        return;
    }
    vaddr_t va = va_as_used(&pc, req->va);
    unsigned rights = RIGHTS_INITIAL;
    bool accessed = true;
    int level;
    paddr_t table;
    if (pc.mode == PAGING_PAE) {
        uint64_t pdpte = arch->pdpte[level_index(pc.mode, LVL_PDPT, va)];
        if (!(pdpte & PTE_P)) {
            fault(out, &pc, req, false, false, 0);
            return;
        }
        level = LVL_PD;
        table = entry_table_base(&pc, pdpte);
    } else {
        level = pc.top_level;
        table = pc.mode == PAGING_32 ? arch->cr3 & 0xfffff000ull
                                     : arch->cr3 & ((1ull << pc.maxphyaddr) - 1) & ~0xfffull;
    }
    uint64_t e;
    for (;;) {
        paddr_t pa = table + (paddr_t)level_index(pc.mode, level, va) * pc.entry_size;
        e = 0;
        if (!read(ctx, pa, pc.entry_size, &e) || !(e & PTE_P)) {
            fault(out, &pc, req, false, false, 0);
            return;
        }
        if (e & entry_reserved_mask(&pc, level, e)) {
            fault(out, &pc, req, true, true, 0);
            return;
        }
        rights = rights_combine(rights, e, pc.entry_size);
        accessed = accessed && (e & PTE_A);
        if (entry_is_leaf(&pc, level, e)) {
            rights = rights_add_key(&pc, rights, e);
            break;
        }
        table = entry_table_base(&pc, e);
        level--;
    }
    if (rights_violation(&pc, rights, req)) {
        fault(out, &pc, req, true, false, rights);
        return;
    }
    unsigned shift = leaf_shift(&pc, level);
    paddr_t base = entry_page_base(&pc, e, shift);
    out->pa = base | (va & ((1ull << shift) - 1));
    out->page_shift = shift;
    out->page_va = req->va & ~((1ull << shift) - 1);
    out->page_pa = base;
    out->global = (e & PTE_G) && pc.pge;
    out->accessed = accessed;
    out->dirty = (e & PTE_D) != 0;
}
