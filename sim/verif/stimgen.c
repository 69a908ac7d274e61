/* The run of one seed (stimgen.h): failures and the log, the memory images, set-up,
 * the run loop and the end-of-run checks. The other jobs of the stimulus live beside it
 * (stimgen_int.h lists them: knobs, random page tables, the shadow reference, the
 * staleness scoreboard, digests and replay, the operation sequence).
 *
 * Layout of a run:
 *   1. knobs and page tables, built by ptbuild in the generator's own image of
 *      memory (img); the tables never depend on the backend;
 *   2. the backend is created over the driver's memory (mem), the image is
 *      written into mem through the backdoor, one `poke64` line per word;
 *   3. the stream: every operation is decided from the generator's state only,
 *      written to the log, then run on the backend. Results come back at each
 *      synchronisation and are digested, binned and checked.
 * The shadow of the architecture (CRs, PDPTE registers) is the generator's own,
 * from docs/semantics.md; it reads the tables from mem (the walker sets A/D
 * there) and never looks inside the model. */
#include "stimgen_int.h"

#include "hostclock.h"

/* ========================================================================= */
/* Failures and the log                                                       */
/* ========================================================================= */

void sg_failf(sg_t *g, uint64_t line, const char *fmt, ...)
{
    if (g->failed)
        return;
    g->failed = true;
    g->rep->status = 1;
    g->rep->fail_line = line;
    int n = line ? snprintf(g->rep->failure, SG_FAIL_LEN, "log line %" PRIu64 ": ", line) : 0;
    if (n < 0 || n >= SG_FAIL_LEN)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->rep->failure + n, SG_FAIL_LEN - (size_t)n, fmt, ap);
    va_end(ap);
}

void sg_emit(sg_t *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(g->log, fmt, ap);
    va_end(ap);
    fputc('\n', g->log);
    g->line++;
}

/* ========================================================================= */
/* Memory: the image (what the generator wrote) and the backend's memory       */
/* ========================================================================= */

static uint64_t read_entry(physmem_t *m, unsigned maxphyaddr, paddr_t pa, unsigned size)
{
    if (maxphyaddr < 64 && (pa >> maxphyaddr))
        return 0;
    uint64_t w = physmem_peek64(m, pa & ~7ull);
    return size == 8 ? w : (w >> (8 * (pa & 4))) & 0xffffffffull;
}

uint64_t sg_img_entry(const sg_t *g, paddr_t pa, unsigned size)
{
    return read_entry(g->img, g->M, pa, size);
}

uint64_t sg_mem_entry(const sg_t *g, paddr_t pa, unsigned size)
{
    return read_entry(g->m.mem, g->M, pa, size);
}

void sg_img_write(sg_t *g, paddr_t pa, unsigned size, uint64_t v)
{
    if (size == 8)
        physmem_poke64(g->img, pa, v);
    else
        physmem_poke32(g->img, pa, (uint32_t)v);
}

/* ========================================================================= */
/* Set-up, the run, the end                                                   */
/* ========================================================================= */

void sg_defaults(sg_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->ops = 2000;
    o->mode = PAGING_OFF;
    o->backend = BACKEND_MODEL;
    o->replay = true;
    o->rerun = true;
}

sg_t *sg_create(const sg_opts_t *o, char *err, size_t errlen)
{
    sg_t *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    g->o = *o;
    if (o->cfg)
        g->cfg = *o->cfg;
    else
        config_defaults(&g->cfg);
    char cerr[CONFIG_ERR_LEN];
    if (config_validate(&g->cfg, cerr) != 0) {
        snprintf(err, errlen, "invalid configuration: %s", cerr);
        free(g);
        return NULL;
    }
    if (o->mode != PAGING_OFF && o->mode != PAGING_32 && o->mode != PAGING_PAE && o->mode != PAGING_4LEVEL &&
        o->mode != PAGING_5LEVEL) {
        snprintf(err, errlen, "bad paging mode %d", (int)o->mode);
        free(g);
        return NULL;
    }
    g->M = (unsigned)g->cfg.maxphyaddr;
    g->cpu.pk = g->cfg.pk != 0;    /* the shadow's processor has keys exactly when the MMU does */
    rng_seed(&g->rng, o->seed);
    sg_choose_knobs(g);
    g->img = physmem_create(g->M);
    g->tk = calloc(TK_SLOTS, sizeof *g->tk);
    g->pend = calloc(PEND_MAX, sizeof *g->pend);
    if (!g->img || !g->tk || !g->pend) {
        snprintf(err, errlen, "out of memory");
        sg_destroy(g);
        return NULL;
    }
    physmem_set_frame_range(g->img, SG_FRAME_BASE, SG_FRAME_LIMIT);
    for (unsigned i = 0; i < g->k.nsets; i++) {
        if (sg_build_set(g, &g->set[i], g->k.modes[i]) < 0) {
            snprintf(err, errlen, "seed %" PRIu64 ": building the %s page tables failed (out of frames?)", o->seed,
                     names_mode(g->k.modes[i]));
            sg_destroy(g);
            return NULL;
        }
        g->nsets++;
        g->any_32bit = g->any_32bit || g->k.modes[i] == PAGING_32;
    }
    return g;
}

void sg_destroy(sg_t *g)
{
    if (!g)
        return;
    machine_release(&g->m);
    if (g->img)
        physmem_destroy(g->img);
    if (g->log)
        fclose(g->log);
    free(g->logbuf);
    free(g->leaves);
    for (unsigned i = 0; i < MAX_SETS; i++)
        for (unsigned r = 0; r < MAX_ROOTS; r++)
            free(g->set[i].by_root[r]);
    free(g->pend);
    free(g->tk);
    free(g);
}

paging_mode_t sg_mode(const sg_t *g)
{
    return g->k.modes[0];
}

const char *sg_knobs(const sg_t *g)
{
    return g->knobs_text;
}

size_t sg_num_leaves(const sg_t *g)
{
    return g->nleaves;
}

const sg_leaf_t *sg_leaf(const sg_t *g, size_t i)
{
    return i < g->nleaves ? &g->leaves[i] : NULL;
}

physmem_t *sg_image(const sg_t *g)
{
    return g->img;
}

static void dump_page(void *ctx, paddr_t pa, const uint8_t *page)
{
    sg_t *g = ctx;
    for (unsigned off = 0; off < PAGE_SIZE; off += 8) {
        uint64_t v;
        memcpy(&v, page + off, 8);
        if (!v)
            continue;
        sg_emit(g, "poke64 0x%" PRIx64 " 0x%" PRIx64, pa + off, v);
        physmem_poke64(g->m.mem, pa + off, v);
    }
}

/* The final memory: the walker may only have set A/D bits. Lines that state the
 * A/D state it left go into the log. */
typedef struct {
    sg_t *g;
    physmem_t *other;
    bool mem_side;     /* iterating over mem (else over img) */
    uint64_t diffs;
} final_ctx_t;

static void final_page(void *ctx, paddr_t pa, const uint8_t *page)
{
    final_ctx_t *f = ctx;
    sg_t *g = f->g;
    uint64_t ok_bits = AD_BITS | (g->any_32bit ? AD_BITS << 32 : 0);
    for (unsigned off = 0; off < PAGE_SIZE && !g->failed; off += 8) {
        uint64_t here, there = physmem_peek64(f->other, pa + off);
        memcpy(&here, page + off, 8);
        uint64_t m = f->mem_side ? here : there, i = f->mem_side ? there : here;
        if (m == i)
            continue;
        if ((m ^ i) & ~ok_bits || (i & ~m)) {
            sg_failf(g, 0, "end of run: memory word 0x%" PRIx64 " is 0x%" PRIx64 " but the driver wrote 0x%" PRIx64
                  " (the walker may only set A/D bits)", pa + off, m, i);
            return;
        }
        if (!f->mem_side) {
            sg_emit(g, "expect64 0x%" PRIx64 " 0x%" PRIx64, pa + off, m);
            f->diffs++;
        }
    }
}

static void config_lines(sg_t *g)
{
    mmu_config_t def;
    config_defaults(&def);
    bool any = false;
    for (size_t i = 0; i < config_num_params; i++) {
        const config_param_t *p = &config_params[i];
        int64_t v = config_get(&g->cfg, p);
        if (v == config_get(&def, p))
            continue;
        const char *name = config_enum_name(p->kind, v);
        if (name)
            sg_emit(g, "config %s=%s", p->key, name);
        else
            sg_emit(g, "config %s=%lld", p->key, (long long)v);
        any = true;
    }
    if (!any)
        sg_emit(g, "# (default configuration)");
}

static int pick_op(sg_t *g)
{
    double total = 0;
    for (int i = 0; i < OP_N; i++)
        total += g->k.w[i];
    double u = unif(g) * total;
    for (int i = 0; i < OP_N; i++) {
        if (u < g->k.w[i])
            return i;
        u -= g->k.w[i];
    }
    return OP_ACCESS;
}

/* The first difference the backend found, for the failure message (JUnit's failure message
 * then says which field differed and both values). */
const char *sg_backend_why(const sg_t *g)
{
    const char *why = backend_mismatch_text(g->m.be);
    return why ? why : "details on stderr";
}

static void stream(sg_t *g)
{
    sg_initial_paging(g);
    while (g->rep->ops < g->o.ops && !g->failed) {
        if (ref_cpu_mode(&g->cpu) == PAGING_OFF) {
            if (g->off_left == 0) {
                sg_enter_paging(g, &g->set[g->target_set < g->nsets ? g->target_set : 0]);
                if (ref_cpu_mode(&g->cpu) == PAGING_OFF)
                    g->off_left = 1 + (unsigned)rnd(g, 4);    /* it faulted: try again later */
                continue;
            }
            g->off_left--;
        }
        int op = pick_op(g);
        switch (op) {
        case OP_ACCESS: sg_op_access(g, g->o.ops - g->rep->ops); break;
        case OP_SYNC: sg_op_sync(g); g->rep->ops++; break;
        case OP_CR3: sg_op_cr3(g); break;
        case OP_CR4: sg_op_cr4(g); break;
        case OP_CR0: sg_op_cr0(g); break;
        case OP_EFER: sg_op_efer(g); break;
        case OP_ILLEGAL: sg_op_illegal(g); break;
        case OP_INVLPG: sg_op_invlpg(g); break;
        case OP_INVPCID: sg_op_invpcid(g); break;
        case OP_EDIT: sg_op_edit(g); break;
        case OP_PKEY: sg_op_pkey(g); break;
        default:
            if (ref_cpu_mode(&g->cpu) != PAGING_OFF)
                sg_leave_paging(g);
            break;
        }
    }
}

static int run_once(const sg_opts_t *o, sg_report_t *r, cov_t *cov)
{
    memset(r, 0, sizeof *r);
    r->mismatch_cycle = -1;
    char err[SG_FAIL_LEN];
    sg_t *g = sg_create(o, err, sizeof err);
    if (!g) {
        r->status = -1;
        snprintf(r->failure, SG_FAIL_LEN, "%s", err);
        return -1;
    }
    g->rep = r;
    g->cov = cov;
    g->digest = FNV_INIT;
    r->mode = g->k.modes[0];
    snprintf(r->knobs, sizeof r->knobs, "%s", g->knobs_text);
    g->log = open_memstream(&g->logbuf, &g->loglen);
    char berr[CONFIG_ERR_LEN] = "";
    if (!g->log || machine_init(&g->m, g->M, SG_FRAME_BASE, SG_FRAME_LIMIT, berr) < 0) {
        r->status = -1;
        snprintf(r->failure, SG_FAIL_LEN, "out of memory");
        sg_destroy(g);
        return -1;
    }
    if (o->make_backend)
        machine_adopt(&g->m, o->make_backend(o->make_ctx, o->backend, &g->cfg, g->m.mem, berr));
    else
        machine_start(&g->m, o->backend, &g->cfg, &o->backend_opts, berr);
    if (!g->m.be) {
        r->status = -1;
        snprintf(r->failure, SG_FAIL_LEN, "cannot create the %s backend: %s", backend_kind_name(o->backend), berr);
        sg_destroy(g);
        return -1;
    }
    g->base = backend_horizon(g->m.be);

    sg_emit(g, "# mmulab random --seed %" PRIu64 " --ops %" PRIu64 "%s%s (the stimulus does not depend on the backend)",
         o->seed, o->ops, o->mode != PAGING_OFF ? " --mode " : "", o->mode == PAGING_OFF ? "" : names_mode(o->mode));
    sg_emit(g, "# knobs: %s", g->knobs_text);
    sg_emit(g, "# replay: mmulab run THIS_FILE [--backend model|rtl|cosim]   (the config lines below are the run's)");
    config_lines(g);
    sg_emit(g, "# page tables (%u set%s), written through the backdoor", g->nsets, g->nsets > 1 ? "s" : "");
    physmem_for_each_page(g->img, dump_page, g);
    sg_emit(g, "# the stream");
    stream(g);
    if (!g->failed) {
        sg_emit(g, "sync");
        sg_do_sync(g);
    }
    if (!g->failed && backend_finish(g->m.be) != 0)
        sg_failf(g, g->line, "the %s backend's end-of-run check failed: %s",
              backend_kind_name(g->m.be->kind), sg_backend_why(g));
    if (!g->failed) {
        sg_emit(g, "# the A/D bits the walker set");
        final_ctx_t fc = {.g = g, .other = g->m.mem, .mem_side = false};
        physmem_for_each_page(g->img, final_page, &fc);
        final_ctx_t fm = {.g = g, .other = g->img, .mem_side = true};
        physmem_for_each_page(g->m.mem, final_page, &fm);
        g->rep->checks++;
    }
    r->digest = g->digest;
    if (g->failed)
        sg_emit(g, "# stopped here: %s", r->failure);
    else
        sg_emit(g, "# digest 0x%016" PRIx64 ": %" PRIu64 " translations, %" PRIu64 " control operations, %" PRIu64
             " edits, %" PRIu64 " checks", r->digest, r->accesses, r->ctrl_ops, r->edits, r->checks);
    fclose(g->log);
    g->log = NULL;
    r->log = g->logbuf;
    r->log_len = g->loglen;
    g->logbuf = NULL;
    r->mismatch_cycle = backend_mismatch_cycle(g->m.be);
    sg_destroy(g);
    return r->status;
}

int sg_run(const sg_opts_t *o, sg_report_t *r, cov_t *cov)
{
    double t0 = host_seconds();
    int rc = run_once(o, r, cov);
    if (rc == 0 && o->rerun) {
        sg_report_t again;
        sg_opts_t o2 = *o;
        o2.backend_opts.trace_path = NULL;   /* the waveform is the first run's */
        int rc2 = run_once(&o2, &again, NULL);
        if (rc2 != 0 || again.digest != r->digest || again.log_len != r->log_len ||
            memcmp(again.log, r->log, r->log_len) != 0) {
            r->status = rc = 1;
            snprintf(r->failure, SG_FAIL_LEN, "not deterministic: a second run of the seed gave %s (digest 0x%016"
                     PRIx64 " vs 0x%016" PRIx64 ")", rc2 != 0 ? "a failure" : "a different log or digest",
                     again.digest, r->digest);
        }
        sg_report_free(&again);
    }
    if (rc == 0 && o->replay) {
        uint64_t d = 0;
        char err[SG_FAIL_LEN - 64];
        if (sg_replay(r->log, r->log_len, o->backend, &d, err, sizeof err) != 0) {
            r->status = rc = 1;
            snprintf(r->failure, SG_FAIL_LEN, "%s", err);
        } else if (d != r->digest) {
            r->status = rc = 1;
            snprintf(r->failure, SG_FAIL_LEN, "replaying the log through the script interpreter gave digest 0x%016"
                     PRIx64 ", the run 0x%016" PRIx64, d, r->digest);
        } else {
            r->checks++;
        }
    }
    r->seconds = host_seconds() - t0;
    return rc;
}

void sg_report_free(sg_report_t *r)
{
    free(r->log);
    r->log = NULL;
    r->log_len = 0;
}
