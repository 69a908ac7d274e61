/* Statistics from results (see result_stats.h); moved from sim/rtl/rtl_mmu.c so the
 * SystemC RTL variant (sim/tlm/) counts the same way. */
#include "result_stats.h"

static tlb_id_t l1_of(const mmu_config_t *cfg, mmu_port_t port)
{
    return cfg->ports == 2 && port == PORT_I ? TLB_ITLB : TLB_DTLB;
}

void result_stats_translation(mmu_stats_t *s, const mmu_config_t *cfg, const mmu_result_t *res)
{
    tlb_id_t l1 = l1_of(cfg, res->port);
    page_class_t cls = res->page_shift == 12 ? PSC_4K : res->page_shift == 30 ? PSC_1G : PSC_2M;
    bool resolved = res->fault == FAULT_NONE;
    hist_add(&s->translation_latency, res->complete_cycle - res->issue_cycle);
    if (res->fault == FAULT_GP)
        s->faults_gp++;
    if (res->fault == FAULT_PF) {
        s->faults_pf++;
        if (!(res->error_code & PFEC_P))
            s->pf_not_present++;
        else if (res->error_code & PFEC_RSVD)
            s->pf_reserved++;
        else
            s->pf_rights++;
    }
    if (res->dirty_assist)
        s->dirty_assists++;
    if (res->tlb_hit == TLB_HIT_L1) {
        s->tlb[l1].hits[cls]++;
        return;
    }
    if (res->tlb_hit == TLB_HIT_L2) {
        s->tlb[TLB_L2].hits[cls]++;
        s->tlb[l1].misses[cls]++;
        return;
    }
    if (!res->walked)
        return;
    s->walks++;
    s->walk_reads += res->mem_reads;
    s->walk_writes += res->mem_writes;
    hist_add(&s->walk_latency, res->complete_cycle - (res->accept_cycle + (cycle_t)cfg->l1_latency));
    if (res->pwc_hit)
        s->pwc_hits[res->pwc_hit]++;
    for (int id = 0; id < NUM_TLBS; id++) {
        if (id != (int)l1 && !(id == TLB_L2 && cfg->l2tlb))
            continue;
        if (resolved)
            s->tlb[id].misses[cls]++;
        else
            s->tlb[id].misses_unresolved++;
    }
}

void result_stats_control(mmu_stats_t *s, const mmu_ctrl_result_t *res)
{
    s->ctrl_ops++;
    if (res->fault == FAULT_GP)
        s->ctrl_gp++;
    if (res->fault == FAULT_UD)
        s->ctrl_ud++;
    if (res->mem_reads)
        s->pdpte_loads++;
    s->flushes_tlb_entries += res->tlb_invalidated;
    s->flushes_pwc_entries += res->pwc_invalidated;
}
