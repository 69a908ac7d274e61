/* The shared page walker: L2 TLB lookup, paging-structure caches, the walk,
 * A/D updates and fills (docs/semantics.md 3, 5, 6; docs/timing.md steps 5-8). */
#include "mmu_internal.h"

uint64_t walker_memop(mmu_t *m, cycle_t *t, paddr_t pa, unsigned size, bool is_write, uint64_t value)
{
    cycle_t issue = *t + (cycle_t)m->cfg.walk_overhead;
    cycle_t done = issue + memlat_access(&m->memlat, pa, is_write);
    if (m->memlat.model == MEM_CACHE)
        m->stats.walk_cache_hits[m->memlat.last_level]++;
    if (is_write) {
        if (size == 4)
            physmem_write32(m->mem, pa, (uint32_t)value);
        else
            physmem_write64(m->mem, pa, value);
    } else if (size == 4) {
        uint32_t v32 = 0;
        physmem_read32(m->mem, pa, &v32);
        value = v32;
    } else {
        value = 0;
        physmem_read64(m->mem, pa, &value);
    }
    if (m->memop_fn) {
        mmu_memop_t op = { issue, done, pa, is_write, (uint8_t)size, value };
        m->memop_fn(m->memop_ctx, &op);
    }
    *t = done;
    return value;
}

void tlb_fill_translation(mmu_t *m, tlb_id_t id, vaddr_t va, page_class_t cls, const tlb_entry_t *value)
{
    tlb_array_t *a = &m->tlb[id].cls[cls];
    if (a->ways == 0)
        return;
    m->stats.tlb[id].fills++;
    if (tlb_array_fill(a, va, m->class_shift[cls], value))
        m->stats.tlb[id].evictions++;
}

static void record_miss(mmu_t *m, tlb_id_t id, bool resolved, page_class_t cls)
{
    if (resolved)
        m->stats.tlb[id].misses[cls]++;
    else
        m->stats.tlb[id].misses_unresolved++;
}

static void page_fault(mmu_t *m, vaddr_t va, const mmu_req_t *req, mmu_result_t *res, bool present, bool rsvd,
                       unsigned rights)
{
    res->fault = FAULT_PF;
    res->error_code = pf_error_code(&m->pc, req, present, rsvd, rights);
    /* The new CR2: all 64 bits of the linear address in IA-32e paging (va is the 57-bit key
     * form). It takes effect at the completion cycle (mmu.c: grant). */
    res->cr2 = m->pc.va_bits == 32 ? va : req->va;
    m->stats.faults_pf++;
    if (!present)
        m->stats.pf_not_present++;
    else if (rsvd)
        m->stats.pf_reserved++;
    else
        m->stats.pf_rights++;
    /* SDM 4.10.4.1: delivering the #PF drops the PWC entries that would be used for va. */
    uint64_t keys[MAX_LEVELS + 1] = { 0 };
    for (int lv = LVL_PD; lv <= LVL_PML5; lv++)
        keys[lv] = pwc_key(va, level_shift(m->pc.mode, lv));
    m->stats.flushes_pwc_entries += pwc_invalidate_va(&m->pwc, m->pcid, keys);
}

/* Deepest paging-structure-cache hit for va in the current mode, or NULL. */
static const pwc_entry_t *pwc_deepest(mmu_t *m, vaddr_t va, int *level_out)
{
    int top = m->pc.mode == PAGING_5LEVEL ? LVL_PML5 : m->pc.mode == PAGING_4LEVEL ? LVL_PML4 : LVL_PD;
    m->stats.pwc_lookups++;
    for (int lv = LVL_PD; lv <= top; lv++) {
        const pwc_entry_t *e = pwc_find(&m->pwc.level[lv], pwc_key(va, level_shift(m->pc.mode, lv)), m->pcid);
        if (e) {
            m->stats.pwc_hits[lv]++;
            *level_out = lv;
            return e;
        }
    }
    return NULL;
}

static paddr_t cr3_table_base(const mmu_t *m)
{
    if (m->pc.mode == PAGING_32)
        return m->cr3 & 0xfffff000ull;
    return m->cr3 & ((1ull << m->pc.maxphyaddr) - 1) & ~0xfffull;
}

/* The walk proper, starting at cycle w. Returns the cycle of its last memory response (or w). */
static cycle_t walk(mmu_t *m, mmu_port_t port, const mmu_req_t *req, vaddr_t va, cycle_t w,
                    mmu_result_t *res, bool l2_looked_up)
{
    const paging_ctx_t *pc = &m->pc;
    cycle_t t = w;
    unsigned rights = RIGHTS_INITIAL;
    unsigned rights_at[MAX_LEVELS + 1] = { 0 };
    uint64_t entry[MAX_LEVELS + 1] = { 0 };
    paddr_t entry_pa[MAX_LEVELS + 1] = { 0 };
    int level, first_read;
    paddr_t table;
    tlb_id_t l1 = l1_of_port(m, port);

    m->stats.walks++;
    res->walked = true;

    int hit_level = 0;
    const pwc_entry_t *hit = m->pwc_latency ? pwc_deepest(m, va, &hit_level) : NULL;
    if (hit) {
        res->pwc_hit = (uint8_t)hit_level;
        level = hit_level - 1;
        table = hit->table;
        rights = hit->rights;
    } else if (pc->mode == PAGING_PAE) {
        uint64_t pdpte = m->pdpte[level_index(pc->mode, LVL_PDPT, va)];
        if (!(pdpte & PTE_P)) {
            page_fault(m, va, req, res, false, false, 0);
            goto fault;
        }
        level = LVL_PD;
        table = entry_table_base(pc, pdpte);
    } else {
        level = pc->top_level;
        table = cr3_table_base(m);
    }
    first_read = level;

    for (;;) {
        paddr_t pa = table + (paddr_t)level_index(pc->mode, level, va) * pc->entry_size;
        uint64_t e = walker_memop(m, &t, pa, pc->entry_size, false, 0);
        res->mem_reads++;
        entry[level] = e;
        entry_pa[level] = pa;
        if (!(e & PTE_P)) {
            page_fault(m, va, req, res, false, false, 0);
            goto fault;
        }
        if (e & entry_reserved_mask(pc, level, e)) {
            page_fault(m, va, req, res, true, true, 0);
            goto fault;
        }
        rights = rights_combine(rights, e, pc->entry_size);
        rights_at[level] = rights;
        if (entry_is_leaf(pc, level, e)) {
            rights = rights_add_key(pc, rights, e);    /* the PWCs never see the key: only a leaf has one */
            break;
        }
        table = entry_table_base(pc, e);
        level--;
    }

    int leaf = level;
    if (rights_violation(pc, rights, req)) {
        page_fault(m, va, req, res, true, false, rights);
        goto fault;
    }

    /* A/D updates, top down; the leaf's A and D in one write. */
    for (int lv = first_read; lv >= leaf; lv--) {
        uint64_t set = PTE_A;
        if (lv == leaf && req->access == ACC_WRITE)
            set |= PTE_D;
        if ((entry[lv] & set) != set) {
            entry[lv] |= set;
            walker_memop(m, &t, entry_pa[lv], pc->entry_size, true, entry[lv]);
            res->mem_writes++;
        }
    }

    unsigned shift = leaf_shift(pc, leaf);
    page_class_t cls = page_class_of_shift(shift);
    paddr_t base = entry_page_base(pc, entry[leaf], shift);
    res->pa = base | (va & ((1ull << shift) - 1));
    res->page_shift = (uint8_t)shift;

    tlb_entry_t fill = {
        .frame = base,
        .pcid = m->pcid,
        .rights = (uint8_t)rights,
        .global = (entry[leaf] & PTE_G) && pc->pge,
        .dirty = entry[leaf] & PTE_D,
    };
    if (m->has_l2 && l2_looked_up) {
        record_miss(m, TLB_L2, true, cls);
        tlb_fill_translation(m, TLB_L2, va, cls, &fill);
    }
    record_miss(m, l1, true, cls);
    tlb_fill_translation(m, l1, va, cls, &fill);

    /* Every non-leaf entry read by this walk goes into its level's cache (the walk
     * reads no PDPT in PAE paging, so only the PDE cache is filled there). */
    for (int lv = first_read; lv > leaf; lv--) {
        pwc_level_t *cache = &m->pwc.level[lv];
        if (cache->size == 0)
            continue;
        pwc_fill(cache, pwc_key(va, level_shift(pc->mode, lv)), m->pcid, entry_table_base(pc, entry[lv]),
                 rights_at[lv]);
        m->stats.pwc_fills++;
    }
    m->stats.walk_reads += res->mem_reads;
    m->stats.walk_writes += res->mem_writes;
    return t;

fault:
    if (m->has_l2 && l2_looked_up)
        record_miss(m, TLB_L2, false, PSC_4K);
    record_miss(m, l1, false, PSC_4K);
    m->stats.walk_reads += res->mem_reads;
    return t;
}

cycle_t walker_serve(mmu_t *m, mmu_port_t port, const mmu_req_t *req, cycle_t s, mmu_result_t *res)
{
    vaddr_t va = va_as_used(&m->pc, req->va);
    cycle_t l2_latency = m->has_l2 ? (cycle_t)m->cfg.l2_latency : 0;

    if (m->has_l2) {
        page_class_t cls;
        if (mmu_tlb_probe(m, TLB_L2, va, req, res, &cls)) {
            /* Refill the L1 from the L2 entry just used. */
            unsigned way;
            tlb_entry_t *e = tlb_array_find(&m->tlb[TLB_L2].cls[cls], va, m->class_shift[cls], m->pcid, &way);
            tlb_id_t l1 = l1_of_port(m, port);
            record_miss(m, l1, true, cls);
            tlb_fill_translation(m, l1, va, cls, e);
            res->tlb_hit = TLB_HIT_L2;
            return s + l2_latency;
        }
    }
    cycle_t w = s + l2_latency + m->pwc_latency;
    cycle_t t = walk(m, port, req, va, w, res, m->has_l2);
    return t + (cycle_t)m->cfg.walk_overhead;
}

/* The workload's own data access, fed to the memory hierarchy after everything
 * queued (so model and RTL harness see the same order: docs/timing.md). */
void mmu_data_access(mmu_t *m, paddr_t pa, bool is_write)
{
    mmu_sync(m);
    memlat_data_access(&m->memlat, pa, is_write);
    if (m->memlat.model == MEM_CACHE)
        m->stats.data_cache_hits[m->memlat.last_level]++;
}
