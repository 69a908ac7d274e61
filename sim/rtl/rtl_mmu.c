/* The RTL backend (see rtl_mmu.h): a cycle loop over the shim's pins. */
#include "rtl_mmu.h"

#include "memlat.h"
#include "result_stats.h"
#include "rtl_shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    mmu_req_t req;
    mmu_result_t *out;
    uint64_t seq;
} rq_entry_t;

/* A FIFO of requests: waiting for their port (queue) or accepted and waiting
 * for their response (in flight; a port answers in order). The capacity is a
 * power of two (indices wrap with a mask: this runs every simulated cycle). */
typedef struct {
    rq_entry_t *buf;
    size_t cap, head, count;
} rq_t;

struct rtl_mmu {
    mmu_config_t cfg;
    physmem_t *mem;
    memlat_t memlat;
    rtl_sim_t *sim;
    cycle_t cycle;                     /* the cycle the next eval is */
    cycle_t horizon, last_issue, last_complete;
    bool any_complete;
    uint64_t next_seq;
    rq_t queue[MMU_MAX_PORTS], inflight[MMU_MAX_PORTS];
    /* the memory port: one operation outstanding */
    bool mem_busy;
    cycle_t mem_done;
    uint64_t mem_rdata;
    mmu_memop_t mem_op;
    unsigned ctrl_mem_ops;
    mmu_stats_t stats;
    mmu_memop_fn memop_fn;
    void *memop_ctx;
    char *trace_path;                  /* a waveform to open at cycle trace_from */
    cycle_t trace_from;
    bool trace_failed;                 /* the waveform could not be opened */
};

/* --- queues --------------------------------------------------------------------- */

static int rq_push(rq_t *q, const rq_entry_t *e)
{
    if (q->count == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 16;
        rq_entry_t *buf = malloc(cap * sizeof *buf);
        if (!buf)
            return -1;
        for (size_t i = 0; i < q->count; i++)
            buf[i] = q->buf[(q->head + i) % q->cap];
        free(q->buf);
        q->buf = buf;
        q->cap = cap;
        q->head = 0;
    }
    q->buf[(q->head + q->count) & (q->cap - 1)] = *e;
    q->count++;
    return 0;
}

static rq_entry_t *rq_head(rq_t *q)
{
    return q->count ? &q->buf[q->head] : NULL;
}

static void rq_pop(rq_t *q)
{
    q->head = (q->head + 1) & (q->cap - 1);
    q->count--;
}

/* --- configuration -------------------------------------------------------------- */

/* Keys the RTL does not implement: they configure the memory responder. */
static int check_params(const mmu_config_t *cfg, char *err)
{
    for (size_t i = 0; i < config_num_params; i++) {
        const config_param_t *p = &config_params[i];
        int64_t v;
        if (config_harness_only(p->key))
            continue;
        if (!rtl_sim_param(p->rtl_name, &v)) {
            snprintf(err, CONFIG_ERR_LEN, "rtl: parameter %s is not in this RTL build", p->rtl_name);
            return -1;
        }
        if (v != config_get(cfg, p)) {
            /* values as the user writes them (lru, not 0), and the way to an RTL that has them */
            char want[32], built[32];
            const char *wn = config_enum_name(p->kind, config_get(cfg, p)), *bn = config_enum_name(p->kind, v);
            snprintf(want, sizeof want, "%lld", (long long)config_get(cfg, p));
            snprintf(built, sizeof built, "%lld", (long long)v);
            snprintf(err, CONFIG_ERR_LEN, "rtl: %.24s = %.20s, but this RTL was Verilated with %.20s; for "
                     "configs/NAME.cfg use build/rtl/NAME/mmulab (make build/rtl/NAME/mmulab), else the model",
                     p->key, wn ? wn : want, bn ? bn : built);
            return -1;
        }
    }
    return 0;
}

rtl_mmu_t *rtl_mmu_create(const mmu_config_t *cfg, physmem_t *mem, char *err)
{
    if (config_validate(cfg, err) != 0 || check_params(cfg, err) != 0)
        return NULL;
    if (!mem) {
        snprintf(err, CONFIG_ERR_LEN, "rtl_mmu_create: no physical memory");
        return NULL;
    }
    rtl_mmu_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, CONFIG_ERR_LEN, "rtl_mmu_create: out of memory");
        return NULL;
    }
    r->cfg = *cfg;
    r->mem = mem;
    r->sim = rtl_sim_create();
    if (memlat_init(&r->memlat, cfg) != 0) {
        snprintf(err, CONFIG_ERR_LEN, "rtl_mmu_create: out of memory (cache model arrays)");
        rtl_mmu_destroy(r);
        return NULL;
    }
    rtl_mmu_reset(r);
    return r;
}

void rtl_mmu_destroy(rtl_mmu_t *r)
{
    if (!r)
        return;
    rtl_sim_destroy(r->sim);
    memlat_destroy(&r->memlat);
    free(r->trace_path);
    for (int p = 0; p < MMU_MAX_PORTS; p++) {
        free(r->queue[p].buf);
        free(r->inflight[p].buf);
    }
    free(r);
}

void rtl_mmu_reset(rtl_mmu_t *r)
{
    rtl_sim_reset(r->sim);
    memlat_reset(&r->memlat);
    r->cycle = r->horizon = r->last_issue = r->last_complete = 0;
    r->any_complete = false;
    r->next_seq = 0;
    for (int p = 0; p < MMU_MAX_PORTS; p++)
        r->queue[p].head = r->queue[p].count = r->inflight[p].head = r->inflight[p].count = 0;
    r->mem_busy = false;
    rtl_mmu_clear_stats(r);
}

const mmu_config_t *rtl_mmu_config(const rtl_mmu_t *r)
{
    return &r->cfg;
}

/* --- the cycle loop ------------------------------------------------------------- */

static void fill_result(rtl_mmu_t *r, mmu_result_t *res, const rtl_resp_pins_t *o)
{
    res->pa = o->pa;
    res->fault = (mmu_fault_t)o->fault;
    res->error_code = o->error_code;
    res->cr2 = o->cr2;
    res->tlb_hit = (tlb_hit_t)o->tlb_hit;
    res->pwc_hit = o->pwc_hit;
    res->page_shift = o->page_shift;
    res->walked = o->walked;
    res->dirty_assist = o->dirty_assist;
    res->mem_reads = o->mem_reads;
    res->mem_writes = o->mem_writes;
    res->complete_cycle = r->cycle;
}

/* Statistics of one completed translation (what the result tells). */
static void account(rtl_mmu_t *r, const mmu_result_t *res)
{
    result_stats_translation(&r->stats, &r->cfg, res);
}

/* One clock cycle. ctrl (may be NULL) is presented when its issue cycle has come;
 * returns true in the cycle a control operation responds (*fault set: none, #GP or #UD). */
static bool step(rtl_mmu_t *r, const mmu_ctrl_t *ctrl, bool *ctrl_accepted, cycle_t *ctrl_accept_cycle,
                 mmu_fault_t *fault)
{
    rtl_in_t in;
    rtl_out_t o;
    memset(&in, 0, sizeof in);
    for (int p = 0; p < MMU_MAX_PORTS; p++) {
        rq_entry_t *e = rq_head(&r->queue[p]);
        if (e && e->req.issue_cycle <= r->cycle) {
            in.req[p].valid = true;
            in.req[p].va = e->req.va;
            in.req[p].access = (uint8_t)e->req.access;
            in.req[p].cpl = e->req.cpl;
            in.req[p].ac = e->req.ac;
            in.req[p].implicit = e->req.implicit;
        }
    }
    if (ctrl && !*ctrl_accepted && ctrl->issue_cycle <= r->cycle) {
        in.ctrl_valid = true;
        in.ctrl_kind = (uint8_t)ctrl->kind;
        in.ctrl_value = ctrl->value;
        in.ctrl_va = ctrl->va;
        in.ctrl_invpcid_type = ctrl->invpcid_type;
        in.ctrl_pcid = ctrl->pcid;
    }
    in.mem_req_ready = !r->mem_busy;
    bool mem_done = r->mem_busy && r->mem_done == r->cycle;
    if (mem_done) {
        in.mem_resp_valid = true;
        in.mem_resp_rdata = r->mem_rdata;
    }

    if (r->trace_path && r->cycle >= r->trace_from) {
        if (rtl_sim_trace_open(r->sim, r->trace_path) != 0) {
            fprintf(stderr, "rtl: cannot trace to %s\n", r->trace_path);
            r->trace_failed = true;
        }
        free(r->trace_path);
        r->trace_path = NULL;
    }
    rtl_sim_eval(r->sim, &in);
    rtl_sim_outputs(r->sim, &o);

    for (int p = 0; p < MMU_MAX_PORTS; p++) {
        if (o.resp[p].valid) {
            rq_entry_t *e = rq_head(&r->inflight[p]);
            if (!e) {
                fprintf(stderr, "rtl: port %d responded at cycle %llu with nothing in flight\n", p,
                        (unsigned long long)r->cycle);
                abort();
            }
            fill_result(r, e->out, &o.resp[p]);
            account(r, e->out);
            r->last_complete = r->cycle;
            r->any_complete = true;
            rq_pop(&r->inflight[p]);
        }
        if (in.req[p].valid && o.req_ready[p]) {
            rq_entry_t e = *rq_head(&r->queue[p]);
            rq_pop(&r->queue[p]);
            mmu_result_t *res = e.out;
            memset(res, 0, sizeof *res);
            res->seq = e.seq;
            res->va = e.req.va;
            res->access = e.req.access;
            res->cpl = e.req.cpl;
            res->port = (mmu_port_t)p;
            res->issue_cycle = e.req.issue_cycle;
            res->accept_cycle = r->cycle;
            r->stats.requests++;
            r->stats.requests_by_port[p]++;
            if (rq_push(&r->inflight[p], &e) != 0)
                abort();
        }
    }
    if (mem_done) {
        r->mem_busy = false;
        r->mem_op.complete_cycle = r->cycle;
        r->mem_op.value = r->mem_op.is_write ? r->mem_op.value : r->mem_rdata;
        if (r->memop_fn)
            r->memop_fn(r->memop_ctx, &r->mem_op);
    }
    if (o.mem_req_valid && in.mem_req_ready) {
        paddr_t pa = o.mem_req_addr;
        unsigned size = o.mem_req_size;
        uint64_t v = 0;
        if (o.mem_req_write) {
            v = size == 4 ? (uint32_t)o.mem_req_wdata : o.mem_req_wdata;
            if (size == 4)
                physmem_write32(r->mem, pa, (uint32_t)v);
            else
                physmem_write64(r->mem, pa, v);
        } else if (size == 4) {
            uint32_t v32 = 0;
            physmem_read32(r->mem, pa, &v32);
            v = v32;
        } else {
            physmem_read64(r->mem, pa, &v);
        }
        r->mem_busy = true;
        r->mem_done = r->cycle + memlat_access(&r->memlat, pa, o.mem_req_write);
        if (r->memlat.model == MEM_CACHE)
            r->stats.walk_cache_hits[r->memlat.last_level]++;
        r->mem_rdata = v;
        r->mem_op = (mmu_memop_t){ r->cycle, 0, pa, o.mem_req_write, (uint8_t)size, v };
        if (ctrl)
            r->ctrl_mem_ops++;
    }
    bool ctrl_done = false;
    if (in.ctrl_valid && o.ctrl_ready) {
        *ctrl_accepted = true;
        *ctrl_accept_cycle = r->cycle;
    }
    if (ctrl && *ctrl_accepted && o.ctrl_resp_valid) {
        ctrl_done = true;
        *fault = o.ctrl_resp_ud ? FAULT_UD : o.ctrl_resp_gp ? FAULT_GP : FAULT_NONE;
    }
    rtl_sim_clock(r->sim);
    r->cycle++;
    return ctrl_done;
}

static bool busy(const rtl_mmu_t *r)
{
    for (int p = 0; p < MMU_MAX_PORTS; p++)
        if (r->queue[p].count || r->inflight[p].count)
            return true;
    return false;
}

/* --- the model-shaped interface --------------------------------------------------- */

static mmu_port_t port_of(const rtl_mmu_t *r, const mmu_req_t *req)
{
    return r->cfg.ports == 2 && req->access == ACC_EXEC ? PORT_I : PORT_D;
}

int rtl_mmu_submit(rtl_mmu_t *r, const mmu_req_t *req, mmu_result_t *out)
{
    if (req->issue_cycle < r->last_issue || req->issue_cycle < r->horizon || req->cpl > 3 ||
        (unsigned)req->access > ACC_EXEC)
        return -1;
    rq_entry_t e = { *req, out, r->next_seq };
    if (rq_push(&r->queue[port_of(r, req)], &e) != 0)
        return -1;
    r->next_seq++;
    r->last_issue = req->issue_cycle;
    return 0;
}

void rtl_mmu_sync(rtl_mmu_t *r)
{
    bool accepted = false;
    mmu_fault_t fault = FAULT_NONE;
    cycle_t k = 0;
    while (busy(r))
        step(r, NULL, &accepted, &k, &fault);
    if (r->any_complete && r->last_complete + 1 > r->horizon)
        r->horizon = r->last_complete + 1;
}

int rtl_mmu_translate(rtl_mmu_t *r, const mmu_req_t *req, mmu_result_t *out)
{
    if (rtl_mmu_submit(r, req, out) != 0)
        return -1;
    rtl_mmu_sync(r);
    return 0;
}

int rtl_mmu_control(rtl_mmu_t *r, const mmu_ctrl_t *op, mmu_ctrl_result_t *out)
{
    if (op->issue_cycle < r->last_issue)
        return -1;
    rtl_mmu_sync(r);
    memset(out, 0, sizeof *out);
    out->issue_cycle = op->issue_cycle;
    r->last_issue = op->issue_cycle;
    rtl_state_t before, after;
    bool accepted = false, done;
    mmu_fault_t fault = FAULT_NONE;
    cycle_t k = 0;
    r->ctrl_mem_ops = 0;
    /* The entries it invalidates are counted from the end of the first cycle: a #PF that
     * completed at the horizon - 1 invalidates its TLB entries with that cycle's edge
     * (docs/timing.md "#PF invalidation"), and the operation changes no TLB or PWC entry
     * before the edge after its accept cycle. */
    done = step(r, op, &accepted, &k, &fault);
    rtl_sim_state(r->sim, &before);
    while (!done)
        done = step(r, op, &accepted, &k, &fault);
    cycle_t c = r->cycle - 1;
    out->fault = fault;
    out->accept_cycle = k;
    out->complete_cycle = c;
    out->mem_reads = (uint16_t)r->ctrl_mem_ops;
    /* the invalidation's last TLB compare lands with the response's clock edge */
    rtl_sim_state(r->sim, &after);
    out->tlb_invalidated = before.tlb_valid - after.tlb_valid;
    out->pwc_invalidated = before.pwc_valid - after.pwc_valid;
    result_stats_control(&r->stats, out);
    r->last_complete = c;
    r->any_complete = true;
    r->horizon = c + 1;
    return 0;
}

cycle_t rtl_mmu_horizon(const rtl_mmu_t *r)
{
    return r->horizon;
}

void rtl_mmu_arch_state(const rtl_mmu_t *r, mmu_arch_t *out)
{
    rtl_state_t s;
    rtl_sim_state(r->sim, &s);
    out->cr0 = s.cr0;
    out->cr2 = s.cr2;
    out->cr3 = s.cr3;
    out->cr4 = s.cr4;
    out->efer = s.efer;
    memcpy(out->pdpte, s.pdpte, sizeof out->pdpte);
    out->mode = (paging_mode_t)s.mode;
    out->pcid = s.pcid;
    out->pkru = s.pkru;
    out->pkrs = s.pkrs;
}

const mmu_stats_t *rtl_mmu_stats(const rtl_mmu_t *r)
{
    return &r->stats;
}

void rtl_mmu_clear_stats(rtl_mmu_t *r)
{
    memset(&r->stats, 0, sizeof r->stats);
}

void rtl_mmu_set_memop_observer(rtl_mmu_t *r, mmu_memop_fn fn, void *ctx)
{
    r->memop_fn = fn;
    r->memop_ctx = ctx;
}

cycle_t rtl_mmu_cycle(const rtl_mmu_t *r)
{
    return r->cycle;
}

int rtl_mmu_trace(rtl_mmu_t *r, const char *path)
{
    return rtl_sim_trace_open(r->sim, path);
}

int rtl_mmu_trace_from(rtl_mmu_t *r, const char *path, cycle_t from)
{
    if (!rtl_sim_has_trace())
        return -1;
    free(r->trace_path);
    if (!(r->trace_path = strdup(path)))
        return -1;
    r->trace_from = from;
    return 0;
}

void rtl_mmu_data_access(rtl_mmu_t *r, paddr_t pa, bool is_write)
{
    rtl_mmu_sync(r);
    memlat_data_access(&r->memlat, pa, is_write);
    if (r->memlat.model == MEM_CACHE)
        r->stats.data_cache_hits[r->memlat.last_level]++;
}

int rtl_mmu_trace_check(const rtl_mmu_t *r)
{
    if (r->trace_path) {
        fprintf(stderr, "rtl: --trace-from %llu is past the end of the run (last cycle %llu): no waveform "
                        "written to %s\n", (unsigned long long)r->trace_from,
                (unsigned long long)(r->cycle ? r->cycle - 1 : 0), r->trace_path);
        return -1;
    }
    return r->trace_failed ? -1 : 0;
}
