/* The MMU top: instances, the two translation ports, and the event order that
 * makes overlapping requests complete on the cycles of docs/timing.md. */
#include "mmu_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- instances ------------------------------------------------------------ */

static int init_tlb(mmu_t *m, tlb_id_t id, const int64_t sets[NUM_PSC], const int64_t ways[NUM_PSC])
{
    unsigned s[NUM_PSC], w[NUM_PSC];
    for (int c = 0; c < NUM_PSC; c++) {
        s[c] = (unsigned)sets[c];
        w[c] = (unsigned)ways[c];
    }
    return tlb_init(&m->tlb[id], s, w, (int)m->cfg.tlb_repl, (uint32_t)m->cfg.random_seed, id);
}

mmu_t *mmu_create(const mmu_config_t *cfg, physmem_t *mem, char *err)
{
    if (config_validate(cfg, err) != 0)
        return NULL;
    if (!mem) {
        snprintf(err, CONFIG_ERR_LEN, "mmu_create: no physical memory");
        return NULL;
    }
    mmu_t *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, CONFIG_ERR_LEN, "mmu_create: out of memory");
        return NULL;
    }
    m->cfg = *cfg;
    m->mem = mem;
    m->two_ports = cfg->ports == 2;
    m->has_l2 = cfg->l2tlb != 0;
    int64_t none[NUM_PSC] = { 1, 1, 1 }, zero[NUM_PSC] = { 0, 0, 0 };
    int64_t is[NUM_PSC] = { cfg->itlb_4k_sets, cfg->itlb_2m_sets, cfg->itlb_1g_sets };
    int64_t iw[NUM_PSC] = { cfg->itlb_4k_ways, cfg->itlb_2m_ways, cfg->itlb_1g_ways };
    int64_t ds[NUM_PSC] = { cfg->dtlb_4k_sets, cfg->dtlb_2m_sets, cfg->dtlb_1g_sets };
    int64_t dw[NUM_PSC] = { cfg->dtlb_4k_ways, cfg->dtlb_2m_ways, cfg->dtlb_1g_ways };
    int64_t ls[NUM_PSC] = { cfg->l2_4k_sets, cfg->l2_2m_sets, cfg->l2_1g_sets };
    int64_t lw[NUM_PSC] = { cfg->l2_4k_ways, cfg->l2_2m_ways, cfg->l2_1g_ways };
    if (init_tlb(m, TLB_ITLB, m->two_ports ? is : none, m->two_ports ? iw : zero) ||
        init_tlb(m, TLB_DTLB, ds, dw) ||
        init_tlb(m, TLB_L2, m->has_l2 ? ls : none, m->has_l2 ? lw : zero)) {
        snprintf(err, CONFIG_ERR_LEN, "mmu_create: out of memory");
        mmu_destroy(m);
        return NULL;
    }
    pwc_init(&m->pwc, (unsigned)cfg->pwc_pd_entries, (unsigned)cfg->pwc_pdpt_entries,
             (unsigned)cfg->pwc_pml4_entries, (unsigned)cfg->pwc_pml5_entries);
    if (memlat_init(&m->memlat, cfg) != 0) {
        snprintf(err, CONFIG_ERR_LEN, "mmu_create: out of memory (cache model arrays)");
        mmu_destroy(m);
        return NULL;
    }
    mmu_reset(m);
    return m;
}

void mmu_destroy(mmu_t *m)
{
    if (!m)
        return;
    for (int i = 0; i < NUM_TLBS; i++)
        tlb_free(&m->tlb[i]);
    for (int p = 0; p < MMU_MAX_PORTS; p++)
        free(m->queue[p].buf);
    memlat_destroy(&m->memlat);
    free(m);
}

void mmu_reset(mmu_t *m)
{
    m->cr0 = m->cr2 = m->cr3 = m->cr4 = m->efer = 0;
    m->pkru = m->pkrs = 0;
    m->cr2_before = 0;
    m->cr2_cycle = 0;
    memset(m->pdpte, 0, sizeof m->pdpte);
    for (int i = 0; i < NUM_TLBS; i++)
        tlb_reset(&m->tlb[i], (uint32_t)m->cfg.random_seed, (unsigned)i);
    pwc_reset(&m->pwc);
    memlat_reset(&m->memlat);
    memset(m->port_free, 0, sizeof m->port_free);
    m->walker_free = m->last_issue = m->horizon = m->last_complete = 0;
    m->any_complete = false;
    for (int p = 0; p < MMU_MAX_PORTS; p++) {
        m->queue[p].head = m->queue[p].count = 0;
        m->miss[p].active = false;
    }
    m->next_seq = 0;
    memset(m->pf_pending, 0, sizeof m->pf_pending);
    m->pf_any = false;
    m->pf_cycle = 0;
    mmu_update_derived(m);
    mmu_clear_stats(m);
}

void mmu_update_derived(mmu_t *m)
{
    paging_ctx_init(&m->pc, m->cr0, m->cr4, m->efer, m->pkru, m->pkrs, (unsigned)m->cfg.maxphyaddr);
    m->pcid = m->pc.pcide ? (uint16_t)(m->cr3 & 0xfff) : 0;
    for (int c = 0; c < NUM_PSC; c++)
        m->class_shift[c] = class_shift(m->pc.mode, (page_class_t)c);
    unsigned pwc_entries = m->pwc.level[LVL_PD].size;
    if (m->pc.mode >= PAGING_4LEVEL)
        pwc_entries += m->pwc.level[LVL_PDPT].size + m->pwc.level[LVL_PML4].size;
    if (m->pc.mode == PAGING_5LEVEL)
        pwc_entries += m->pwc.level[LVL_PML5].size;
    m->pwc_latency = pwc_entries ? (unsigned)m->cfg.pwc_latency : 0;
}

const mmu_config_t *mmu_config(const mmu_t *m)
{
    return &m->cfg;
}

void mmu_arch_state(const mmu_t *m, mmu_arch_t *out)
{
    out->cr0 = m->cr0;
    out->cr2 = m->cr2;
    out->cr3 = m->cr3;
    out->cr4 = m->cr4;
    out->efer = m->efer;
    out->pkru = m->pkru;
    out->pkrs = m->pkrs;
    memcpy(out->pdpte, m->pdpte, sizeof out->pdpte);
    out->mode = m->pc.mode;
    out->pcid = m->pcid;
}

const mmu_stats_t *mmu_stats(const mmu_t *m)
{
    return &m->stats;
}

void mmu_clear_stats(mmu_t *m)
{
    memset(&m->stats, 0, sizeof m->stats);
}

void mmu_set_memop_observer(mmu_t *m, mmu_memop_fn fn, void *ctx)
{
    m->memop_fn = fn;
    m->memop_ctx = ctx;
}

cycle_t mmu_horizon(const mmu_t *m)
{
    return m->horizon;
}

/* --- the TLB invalidation of a #PF (docs/semantics.md 3, docs/timing.md) ------------ */

static void pf_apply(mmu_t *m, mmu_port_t port)
{
    pf_inval_t *p = &m->pf_pending[port];
    if (p->active)
        tlb_invalidate(&m->tlb[l1_of_port(m, port)], &p->f, m->class_shift);
    p->active = false;
}

/* A request on port p issued at t is accepted at max(t, free[p]), but never on the
 * completion cycle of a #PF: the invalidation reads every TLB's set then. */
static inline cycle_t accept_cycle(const mmu_t *m, mmu_port_t port, cycle_t t)
{
    cycle_t a = t > m->port_free[port] ? t : m->port_free[port];
    return m->pf_any && a == m->pf_cycle ? a + 1 : a;
}

/* A #PF for va (as used by the mode) completed at c on `port`: INVLPG's filter (current
 * PCID, plus global entries), every page-size class, every TLB. The L2 and the faulting
 * port's L1 are looked at again only after c + 1 (the walker and that port are busy until c),
 * so they are invalidated now; the other port's L1 may still serve lookups accepted before c. */
static void pf_invalidate(mmu_t *m, mmu_port_t port, vaddr_t va, cycle_t c)
{
    tlb_inval_t f = { .by_va = true, .va = va, .by_pcid = true, .pcid = m->pcid, .global_any_pcid = true };
    tlb_invalidate(&m->tlb[l1_of_port(m, port)], &f, m->class_shift);
    if (m->has_l2)
        tlb_invalidate(&m->tlb[TLB_L2], &f, m->class_shift);
    m->pf_any = true;
    m->pf_cycle = c;
    if (!m->two_ports)
        return;
    mmu_port_t q = port == PORT_D ? PORT_I : PORT_D;
    pf_apply(m, q);    /* an earlier fault's: every event of q up to that fault's c is done */
    m->pf_pending[q] = (pf_inval_t){ .active = true, .c = c, .f = f };
    /* q looks at its L1 before c only with an accept still queued (a miss of q is granted after c) */
    if (m->miss[q].active || !m->queue[q].count ||
        accept_cycle(m, q, m->queue[q].buf[m->queue[q].head].req.issue_cycle) > c)
        pf_apply(m, q);
}

/* --- the two pipeline stages of a translation ------------------------------- */

/* Inlined into both pipeline stages: they are the whole of the hit path. */
static inline __attribute__((always_inline)) void complete(mmu_t *m, mmu_result_t *res, cycle_t c)
{
    res->complete_cycle = c;
    res->cr2 = c >= m->cr2_cycle ? m->cr2 : m->cr2_before;   /* CR2 as of cycle c */
    hist_add(&m->stats.translation_latency, c - res->issue_cycle);
    if (!m->any_complete || c > m->last_complete)
        m->last_complete = c;
    m->any_complete = true;
}

/* Accept stage at cycle a: paging off, canonical check and the L1 lookup.
 * Returns true when the request completed here; false when it missed. */
static inline __attribute__((always_inline)) bool accept(mmu_t *m, mmu_port_t port, const mmu_req_t *req,
                                                         mmu_result_t *res, uint64_t seq, cycle_t a)
{
    cycle_t l1_latency = (cycle_t)m->cfg.l1_latency;

    /* Field by field: memset and compound literals compile to `rep stos`, whose start-up
     * cost dominates the hit path. The assert catches a field added without a store here. */
    _Static_assert(sizeof(mmu_result_t) == 96, "mmu_result_t changed: update accept()");
    res->seq = seq;
    res->va = req->va;
    res->access = req->access;
    res->cpl = req->cpl;
    res->port = port;
    res->pa = 0;
    res->fault = FAULT_NONE;
    res->error_code = 0;
    res->cr2 = 0;
    res->issue_cycle = req->issue_cycle;
    res->accept_cycle = a;
    res->complete_cycle = 0;
    res->tlb_hit = TLB_HIT_NONE;
    res->pwc_hit = 0;
    res->page_shift = 0;
    res->walked = false;
    res->dirty_assist = false;
    res->mem_reads = 0;
    res->mem_writes = 0;
    m->stats.requests++;
    m->stats.requests_by_port[port]++;

    if (m->pf_pending[port].active && a > m->pf_pending[port].c)
        pf_apply(m, port);
    bool done = true;
    if (m->pc.mode == PAGING_OFF) {
        res->pa = req->va & 0xffffffffull;
    } else if (!va_canonical(&m->pc, req->va)) {
        res->fault = FAULT_GP;
        m->stats.faults_gp++;
    } else {
        page_class_t cls;
        tlb_id_t l1 = l1_of_port(m, port);
        done = mmu_tlb_probe(m, l1, va_as_used(&m->pc, req->va), req, res, &cls);
        if (done)
            res->tlb_hit = TLB_HIT_L1;
    }
    if (done) {
        m->port_free[port] = a + 1;
        complete(m, res, a + l1_latency);
        return true;
    }
    m->miss[port] = (miss_t){ .active = true, .m = a + l1_latency, .p = { *req, res, seq } };
    return false;
}

/* Walker grant at cycle s for port's pending miss. */
static void grant(mmu_t *m, mmu_port_t port, cycle_t s)
{
    miss_t *miss = &m->miss[port];
    mmu_result_t *res = miss->p.out;
    if (m->pf_pending[port].active && s > m->pf_pending[port].c)
        pf_apply(m, port);
    cycle_t c = walker_serve(m, port, &miss->p.req, s, res);
    if (res->fault == FAULT_PF) {
        /* Faults are serialised by the walker, so one earlier value is all a
         * result processed later but completing before c can need. */
        m->cr2_before = m->cr2;
        m->cr2 = res->cr2;
        m->cr2_cycle = c;
        pf_invalidate(m, port, va_as_used(&m->pc, miss->p.req.va), c);
    }
    if (res->walked)
        hist_add(&m->stats.walk_latency, c - miss->m);
    miss->active = false;
    m->walker_free = c + 1;
    m->port_free[port] = c + 1;
    complete(m, res, c);
}

/* --- queues and event order --------------------------------------------------- */

static int queue_push(req_queue_t *q, const pending_t *p)
{
    if (q->count == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        pending_t *buf = malloc(cap * sizeof *buf);
        if (!buf)
            return -1;
        for (size_t i = 0; i < q->count; i++)
            buf[i] = q->buf[(q->head + i) % q->cap];
        free(q->buf);
        q->buf = buf;
        q->cap = cap;
        q->head = 0;
    }
    q->buf[(q->head + q->count) % q->cap] = *p;
    q->count++;
    return 0;
}

static mmu_port_t port_of(const mmu_t *m, const mmu_req_t *req)
{
    return m->two_ports && req->access == ACC_EXEC ? PORT_I : PORT_D;
}

int mmu_submit(mmu_t *m, const mmu_req_t *req, mmu_result_t *out)
{
    if (req->issue_cycle < m->last_issue || req->issue_cycle < m->horizon || req->cpl > 3 ||
        (unsigned)req->access > ACC_EXEC)
        return -1;
    pending_t p = { *req, out, m->next_seq };
    if (queue_push(&m->queue[port_of(m, req)], &p) != 0)
        return -1;
    m->next_seq++;
    m->last_issue = req->issue_cycle;
    return 0;
}

static cycle_t max_cycle(cycle_t a, cycle_t b)
{
    return a > b ? a : b;
}

/* Processes events in cycle order until no request is left. At equal cycles a
 * walker grant goes before an accept, and port D before port I (timing.md step 5);
 * accepts on different ports touch different L1s, so their order is free. */
void mmu_sync(mmu_t *m)
{
    for (;;) {
        int best_port = -1;
        bool best_is_grant = false;
        cycle_t best = 0;
        for (int p = 0; p < MMU_MAX_PORTS; p++) {
            bool is_grant = m->miss[p].active;
            cycle_t t;
            if (is_grant)
                t = max_cycle(m->miss[p].m, m->walker_free);
            else if (m->queue[p].count)
                t = accept_cycle(m, (mmu_port_t)p, m->queue[p].buf[m->queue[p].head].req.issue_cycle);
            else
                continue;
            if (best_port < 0 || t < best || (t == best && is_grant && !best_is_grant)) {
                best_port = p;
                best = t;
                best_is_grant = is_grant;
            }
        }
        if (best_port < 0)
            break;
        if (best_is_grant) {
            grant(m, (mmu_port_t)best_port, best);
        } else {
            req_queue_t *q = &m->queue[best_port];
            pending_t p = q->buf[q->head];
            q->head = (q->head + 1) % q->cap;
            q->count--;
            accept(m, (mmu_port_t)best_port, &p.req, p.out, p.seq, best);
        }
    }
    for (int p = 0; p < MMU_MAX_PORTS; p++)
        pf_apply(m, (mmu_port_t)p);    /* every later lookup is accepted after the fault */
    if (m->any_complete)
        m->horizon = max_cycle(m->horizon, m->last_complete + 1);
}

int mmu_translate(mmu_t *m, const mmu_req_t *req, mmu_result_t *out)
{
    /* Fast path: nothing else in flight, so the request runs through alone. */
    if (!m->queue[0].count && !m->queue[1].count && !m->miss[0].active && !m->miss[1].active) {
        if (req->issue_cycle < m->last_issue || req->issue_cycle < m->horizon || req->cpl > 3 ||
            (unsigned)req->access > ACC_EXEC)
            return -1;
        mmu_port_t port = port_of(m, req);
        m->last_issue = req->issue_cycle;
        if (!accept(m, port, req, out, m->next_seq++, accept_cycle(m, port, req->issue_cycle)))
            grant(m, port, max_cycle(m->miss[port].m, m->walker_free));
        m->horizon = max_cycle(m->horizon, m->last_complete + 1);
        return 0;
    }
    if (mmu_submit(m, req, out) != 0)
        return -1;
    mmu_sync(m);
    return 0;
}
