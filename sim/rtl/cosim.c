/* The `cosim` backend behind sim/core/backend.h: the C model and the Verilated RTL in
 * lockstep, every observable compared.
 *
 * Each side has its own physical memory, because each performs its own A/D writes. The
 * driver builds tables in the model's memory; every page it touches through the backdoor
 * is copied to the RTL's memory before the next operation. At each synchronisation the
 * two sides' results are compared in submission order, field by field and cycle by cycle
 * (sim/core/compare.h), and so are their walker memory operations (reads and A/D writes,
 * in order); control operations compare their results and the architectural state; the
 * end of a run compares the memory images. The first difference stops the run and is
 * kept per instance (backend_mismatch_cycle, and as one line with both values: backend_mismatch_text). */
#include "rtl_backends.h"

#include "compare.h"
#include "names.h"

#include <stdarg.h>

#define CHUNK 1024   /* RTL-side results live in chunks: the RTL keeps pointers until sync */

typedef struct {
    mmu_memop_t *ops;
    size_t n, cap;
} memop_log_t;

typedef struct {
    mmu_t *model;
    rtl_mmu_t *rtl;
    physmem_t *mem;          /* the driver's (and the model's) */
    physmem_t *shadow;       /* the RTL's */
    mmu_result_t **model_out;            /* caller's result slots, in submission order */
    mmu_result_t **chunks;               /* RTL results: chunks[i / CHUNK][i % CHUNK] */
    size_t pending, slots_cap, nchunks;
    memop_log_t model_ops, rtl_ops;
    uint64_t ops_compared;               /* operations compared so far (index of the next) */
    bool diverged;
    int64_t mismatch_cycle;              /* first difference (backend_mismatch_cycle), -1: none */
    char first_diff[256];                /* what differed, with both values (backend_mismatch_text) */
} cosim_t;

/* Keeps the one-line description of the first difference (later ones follow from it). */
static void note_diff(cosim_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_diff(cosim_t *c, const char *fmt, ...)
{
    if (c->first_diff[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->first_diff, sizeof c->first_diff, fmt, ap);
    va_end(ap);
}

/* Records where the first difference is (the earliest cycle of the differing operation). */
static void note_mismatch(cosim_t *c, cycle_t a, cycle_t b)
{
    c->mismatch_cycle = (int64_t)(a < b ? a : b);
    fprintf(stderr, "cosim: first difference from cycle %" PRId64 " (found with the RTL at cycle %" PRIu64 ")\n",
            c->mismatch_cycle, (uint64_t)rtl_mmu_cycle(c->rtl));
}

static void log_memop(void *ctx, const mmu_memop_t *op)
{
    memop_log_t *log = ctx;
    if (log->n == log->cap) {
        size_t cap = log->cap ? log->cap * 2 : 256;
        mmu_memop_t *p = realloc(log->ops, cap * sizeof *p);
        if (!p) {
            fprintf(stderr, "cosim: out of memory logging memory operations\n");
            abort();
        }
        log->ops = p;
        log->cap = cap;
    }
    log->ops[log->n++] = *op;
}

static mmu_result_t *rtl_slot(cosim_t *c, size_t i)
{
    return &c->chunks[i / CHUNK][i % CHUNK];
}

static void print_result(const char *side, const mmu_result_t *r)
{
    fprintf(stderr,
            "  %-5s seq=%" PRIu64 " va=0x%016" PRIx64 " %s cpl%u port=%s -> pa=0x%" PRIx64 " fault=%s ec=0x%x cr2=0x%" PRIx64
            " tlb=%d pwc=%u size=%u walked=%d assist=%d rd=%u wr=%u cycles issue=%" PRIu64 " accept=%" PRIu64
            " complete=%" PRIu64 "\n",
            side, r->seq, r->va, names_access(r->access), r->cpl, names_port(r->port), r->pa,
            names_fault(r->fault), r->error_code, r->cr2, r->tlb_hit, r->pwc_hit, r->page_shift, r->walked,
            r->dirty_assist, r->mem_reads, r->mem_writes, r->issue_cycle, r->accept_cycle, r->complete_cycle);
}

static void print_memop(const char *side, size_t i, const mmu_memop_t *op)
{
    fprintf(stderr, "  %-5s memop %zu: %s%u pa=0x%" PRIx64 " value=0x%" PRIx64 " cycles %" PRIu64 "->%" PRIu64 "\n",
            side, i, op->is_write ? "write" : "read", op->size * 8u, op->pa, op->value, op->issue_cycle,
            op->complete_cycle);
}

static int compare_memops(cosim_t *c)
{
    size_t n = c->model_ops.n < c->rtl_ops.n ? c->model_ops.n : c->rtl_ops.n;
    for (size_t i = 0; i <= n; i++) {
        const mmu_memop_t *a = i < c->model_ops.n ? &c->model_ops.ops[i] : NULL;
        const mmu_memop_t *b = i < c->rtl_ops.n ? &c->rtl_ops.ops[i] : NULL;
        if (!a && !b)
            break;
        uint64_t va = 0, vb = 0;
        const char *field = a && b ? memop_diff_values(a, b, &va, &vb) : NULL;
        if (a && b && !field)
            continue;
        fprintf(stderr, "cosim MISMATCH: walker memory operation %zu (since the last sync) differs\n", i);
        if (field)
            note_diff(c, "walker memory operation %zu: %s differs: model 0x%" PRIx64 ", rtl 0x%" PRIx64, i, field,
                      va, vb);
        else
            note_diff(c, "walker memory operations: the model made %zu, the rtl %zu", c->model_ops.n, c->rtl_ops.n);
        note_mismatch(c, a ? a->issue_cycle : b->issue_cycle, b ? b->issue_cycle : a->issue_cycle);
        if (a)
            print_memop("model", i, a);
        else
            fprintf(stderr, "  model (none: %zu operations)\n", c->model_ops.n);
        if (b)
            print_memop("rtl", i, b);
        else
            fprintf(stderr, "  rtl   (none: %zu operations)\n", c->rtl_ops.n);
        return -1;
    }
    c->model_ops.n = c->rtl_ops.n = 0;
    return 0;
}

static int mirror_backdoor(cosim_t *c)
{
    if (physmem_copy_backdoor(c->mem, c->shadow) < 0) {
        fprintf(stderr, "cosim: lost track of the driver's memory writes (out of memory)\n");
        c->diverged = true;
        return -1;
    }
    return 0;
}

static int cosim_submit(void *impl, const mmu_req_t *req, mmu_result_t *out)
{
    cosim_t *c = impl;
    if (c->diverged || mirror_backdoor(c) != 0)
        return -1;
    if (c->pending == c->slots_cap) {
        size_t cap = c->slots_cap ? c->slots_cap * 2 : CHUNK;
        mmu_result_t **slots = realloc(c->model_out, cap * sizeof *slots);
        if (!slots)
            return -1;
        c->model_out = slots;
        c->slots_cap = cap;
    }
    if (c->pending / CHUNK == c->nchunks) {
        mmu_result_t **chunks = realloc(c->chunks, (c->nchunks + 1) * sizeof *chunks);
        if (!chunks)
            return -1;
        c->chunks = chunks;
        if (!(c->chunks[c->nchunks] = malloc(CHUNK * sizeof(mmu_result_t))))
            return -1;
        c->nchunks++;
    }
    if (mmu_submit(c->model, req, out) != 0)
        return -1;
    if (rtl_mmu_submit(c->rtl, req, rtl_slot(c, c->pending)) != 0) {
        fprintf(stderr, "cosim MISMATCH: the model accepted a submission (issue cycle %" PRIu64
                        ") that the RTL refused\n", req->issue_cycle);
        note_diff(c, "the model accepted a submission (issue cycle %" PRIu64 ") that the rtl refused",
                  req->issue_cycle);
        note_mismatch(c, req->issue_cycle, req->issue_cycle);
        c->diverged = true;
        return -1;
    }
    c->model_out[c->pending++] = out;
    return 0;
}

static int compare_arch(cosim_t *c, const char *after)
{
    mmu_arch_t a, b;
    mmu_arch_state(c->model, &a);
    rtl_mmu_arch_state(c->rtl, &b);
    uint64_t va = 0, vb = 0;
    const char *field = arch_diff_values(&a, &b, &va, &vb);
    if (!field)
        return 0;
    fprintf(stderr, "cosim MISMATCH: architectural state differs after %s: %s\n", after, field);
    note_diff(c, "architectural state after %s: %s differs: model 0x%" PRIx64 ", rtl 0x%" PRIx64, after, field, va,
              vb);
    note_mismatch(c, rtl_mmu_cycle(c->rtl), rtl_mmu_cycle(c->rtl));
    fprintf(stderr, "  model cr0=0x%" PRIx64 " cr2=0x%" PRIx64 " cr3=0x%" PRIx64 " cr4=0x%" PRIx64 " efer=0x%" PRIx64
                    " pcid=0x%x\n", a.cr0, a.cr2, a.cr3, a.cr4, a.efer, a.pcid);
    fprintf(stderr, "  rtl   cr0=0x%" PRIx64 " cr2=0x%" PRIx64 " cr3=0x%" PRIx64 " cr4=0x%" PRIx64 " efer=0x%" PRIx64
                    " pcid=0x%x\n", b.cr0, b.cr2, b.cr3, b.cr4, b.efer, b.pcid);
    return -1;
}

static int cosim_sync(void *impl)
{
    cosim_t *c = impl;
    if (c->diverged)
        return -1;
    mmu_sync(c->model);
    rtl_mmu_sync(c->rtl);
    for (size_t i = 0; i < c->pending; i++) {
        const mmu_result_t *a = c->model_out[i], *b = rtl_slot(c, i);
        uint64_t va = 0, vb = 0;
        const char *field = result_diff_values(a, b, &va, &vb);
        if (field) {
            fprintf(stderr, "cosim MISMATCH at operation %" PRIu64 " (translation seq %" PRIu64 "): %s differs\n",
                    c->ops_compared + i, a->seq, field);
            note_diff(c, "operation %" PRIu64 " (translation seq %" PRIu64 ", va 0x%" PRIx64 "): %s differs: model 0x%"
                      PRIx64 ", rtl 0x%" PRIx64, c->ops_compared + i, a->seq, a->va, field, va, vb);
            print_result("model", a);
            print_result("rtl", b);
            note_mismatch(c, a->accept_cycle, b->accept_cycle);
            c->diverged = true;
            return -1;
        }
    }
    c->ops_compared += c->pending;
    c->pending = 0;
    if (compare_memops(c) != 0 || compare_arch(c, "a sync") != 0) {
        c->diverged = true;
        return -1;
    }
    return 0;
}

/* The operation as its script line spells it ("cr3 0x1000", "invlpg 0x7f000", "invpcid 0 5 0x7f000"). */
static const char *ctrl_text(const mmu_ctrl_t *op, char *buf, size_t len)
{
    if (op->kind == CTRL_INVLPG)
        snprintf(buf, len, "invlpg 0x%" PRIx64, op->va);
    else if (op->kind == CTRL_INVPCID)
        snprintf(buf, len, "invpcid %u %" PRIu64 " 0x%" PRIx64, op->invpcid_type, op->pcid, op->va);
    else
        snprintf(buf, len, "%s 0x%" PRIx64, names_ctrl(op->kind), op->value);
    return buf;
}

static int cosim_control(void *impl, const mmu_ctrl_t *op, mmu_ctrl_result_t *out)
{
    cosim_t *c = impl;
    if (cosim_sync(c) != 0 || mirror_backdoor(c) != 0)
        return -1;
    mmu_ctrl_result_t theirs;
    int ra = mmu_control(c->model, op, out);
    int rb = rtl_mmu_control(c->rtl, op, &theirs);
    if (ra != rb) {
        fprintf(stderr, "cosim MISMATCH: %s issued at %" PRIu64 " accepted by one side only\n", names_ctrl(op->kind),
                op->issue_cycle);
        note_diff(c, "%s issued at %" PRIu64 " accepted by one side only", names_ctrl(op->kind), op->issue_cycle);
        note_mismatch(c, op->issue_cycle, op->issue_cycle);
        c->diverged = true;
        return -1;
    }
    if (ra != 0)
        return -1;
    uint64_t va = 0, vb = 0;
    const char *field = ctrl_result_diff_values(out, &theirs, &va, &vb);
    if (field) {
        char text[96];
        fprintf(stderr, "cosim MISMATCH at operation %" PRIu64 " (%s): %s differs\n", c->ops_compared,
                ctrl_text(op, text, sizeof text), field);
        note_diff(c, "operation %" PRIu64 " (%s): %s differs: model 0x%" PRIx64 ", rtl 0x%" PRIx64, c->ops_compared,
                  text, field, va, vb);
        fprintf(stderr, "  model fault=%s accept=%" PRIu64 " complete=%" PRIu64 " reads=%u invalidated tlb=%u pwc=%u\n",
                names_fault(out->fault), out->accept_cycle, out->complete_cycle, out->mem_reads,
                out->tlb_invalidated, out->pwc_invalidated);
        fprintf(stderr, "  rtl   fault=%s accept=%" PRIu64 " complete=%" PRIu64 " reads=%u invalidated tlb=%u pwc=%u\n",
                names_fault(theirs.fault), theirs.accept_cycle, theirs.complete_cycle, theirs.mem_reads,
                theirs.tlb_invalidated, theirs.pwc_invalidated);
        note_mismatch(c, op->issue_cycle, op->issue_cycle);
        c->diverged = true;
        return -1;
    }
    c->ops_compared++;
    if (compare_memops(c) != 0 || compare_arch(c, names_ctrl(op->kind)) != 0) {
        c->diverged = true;
        return -1;
    }
    return 0;
}

static cycle_t cosim_horizon(const void *impl)
{
    return mmu_horizon(((const cosim_t *)impl)->model);
}
static void cosim_arch_state(const void *impl, mmu_arch_t *out)
{
    mmu_arch_state(((const cosim_t *)impl)->model, out);
}
static const mmu_stats_t *cosim_stats(const void *impl)
{
    return mmu_stats(((const cosim_t *)impl)->model);
}
static void cosim_clear_stats(void *impl)
{
    cosim_t *c = impl;
    mmu_clear_stats(c->model);
    rtl_mmu_clear_stats(c->rtl);
}

/* The memory images must agree: every A/D write landed the same way. */
static int cosim_finish(void *impl)
{
    cosim_t *c = impl;
    if (cosim_sync(c) != 0 || mirror_backdoor(c) != 0)
        return -1;
    if (rtl_mmu_trace_check(c->rtl) != 0)
        return -1;
    paddr_t where;
    if (physmem_diff(c->mem, c->shadow, &where)) {
        note_diff(c, "final memory images differ at pa 0x%" PRIx64 ": model 0x%016" PRIx64 ", rtl 0x%016" PRIx64,
                  where, physmem_peek64(c->mem, where & ~7ull), physmem_peek64(c->shadow, where & ~7ull));
        fprintf(stderr, "cosim MISMATCH: final memory images differ; first at pa 0x%" PRIx64
                        " (model 0x%016" PRIx64 ", rtl 0x%016" PRIx64 ")\n", where,
                physmem_peek64(c->mem, where & ~7ull), physmem_peek64(c->shadow, where & ~7ull));
        note_mismatch(c, rtl_mmu_cycle(c->rtl), rtl_mmu_cycle(c->rtl));
        c->diverged = true;
        return -1;
    }
    return 0;
}

static void cosim_destroy(void *impl)
{
    cosim_t *c = impl;
    if (c->model)
        mmu_destroy(c->model);
    if (c->rtl)
        rtl_mmu_destroy(c->rtl);
    if (c->shadow)
        physmem_destroy(c->shadow);
    if (c->mem)
        physmem_track_backdoor(c->mem, false);
    for (size_t i = 0; i < c->nchunks; i++)
        free(c->chunks[i]);
    free(c->chunks);
    free(c->model_out);
    free(c->model_ops.ops);
    free(c->rtl_ops.ops);
    free(c);
}

/* Both sides get the access at the same point of their request streams (after a
 * compared sync), so their caches stay identical. */
static int cosim_data_access(void *impl, paddr_t pa, bool is_write)
{
    cosim_t *c = impl;
    if (cosim_sync(c) != 0)
        return -1;
    mmu_data_access(c->model, pa, is_write);
    rtl_mmu_data_access(c->rtl, pa, is_write);
    return 0;
}

static const backend_ops_t cosim_ops = {
    cosim_submit, cosim_sync, cosim_control, cosim_horizon, cosim_arch_state, cosim_stats, cosim_clear_stats,
    cosim_finish, cosim_destroy, cosim_data_access,
};

static void copy_page(void *ctx, paddr_t pa, const uint8_t *page)
{
    physmem_t *dst = ctx;
    for (unsigned off = 0; off < PAGE_SIZE; off += 8) {
        uint64_t v;
        memcpy(&v, page + off, 8);
        if (v)
            physmem_poke64(dst, pa + off, v);
    }
}

int64_t backend_cosim_mismatch_cycle(const backend_t *b)
{
    return b->ops == &cosim_ops ? ((const cosim_t *)b->impl)->mismatch_cycle : -1;
}

const char *backend_cosim_mismatch_text(const backend_t *b)
{
    return b->ops == &cosim_ops && ((const cosim_t *)b->impl)->first_diff[0] ? ((const cosim_t *)b->impl)->first_diff
                                                                              : NULL;
}

backend_t *backend_create_cosim(const mmu_config_t *cfg, physmem_t *mem, const backend_opts_t *opts, char *err)
{
    cosim_t *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, CONFIG_ERR_LEN, "out of memory");
        return NULL;
    }
    c->mem = mem;
    c->mismatch_cycle = -1;
    c->shadow = physmem_create(physmem_maxphyaddr(mem));
    if (!c->shadow) {
        snprintf(err, CONFIG_ERR_LEN, "out of memory");
        goto fail;
    }
    physmem_for_each_page(mem, copy_page, c->shadow);   /* what the driver built before us */
    physmem_track_backdoor(mem, true);
    if (!(c->model = mmu_create(cfg, mem, err)) || !(c->rtl = rtl_mmu_create(cfg, c->shadow, err)) ||
        rtl_backend_start_trace(c->rtl, opts, err) != 0)
        goto fail;
    mmu_set_memop_observer(c->model, log_memop, &c->model_ops);
    rtl_mmu_set_memop_observer(c->rtl, log_memop, &c->rtl_ops);
    backend_t *b = backend_wrap(BACKEND_COSIM, &cosim_ops, c, err);
    if (b)
        return b;
fail:
    cosim_destroy(c);
    return NULL;
}
