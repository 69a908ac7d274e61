/* The operation sequence of a seed: address selection, translations, control operations
 * (legal and illegal), INVLPG/INVPCID, page-table edits without invalidation, leaving and
 * re-entering paging; each written to the log, run on the backend, checked at the next sync. */
#include "stimgen_int.h"

/* ========================================================================= */
/* Running the stream                                                         */
/* ========================================================================= */

static const set_t *cur_set(const sg_t *g)
{
    paging_mode_t mode = ref_cpu_mode(&g->cpu);
    for (unsigned i = 0; i < g->nsets; i++)
        if (g->set[i].mode == mode)
            return &g->set[i];
    return NULL;
}

/* The current address space's top table if it is one of the set's roots, else root 0. */
static paddr_t cur_root(const sg_t *g, const set_t *s)
{
    paddr_t t = ref_cr3_table(g->M, s->mode, g->cpu.cr3);
    for (unsigned i = 0; i < s->nroots; i++)
        if (s->root[i] == t)
            return t;
    return s->root[0];
}

static void describe_result(const mmu_result_t *r, char *buf, size_t len)
{
    const char *sz = r->page_shift ? names_size(r->page_shift) : "-";
    if (r->fault == FAULT_NONE)
        snprintf(buf, len, "pa=0x%" PRIx64 " %s tlb=%s pwc=%u walked=%d", r->pa, sz, names_tlb(r->tlb_hit),
                 (unsigned)r->pwc_hit, r->walked);
    else if (r->fault == FAULT_PF)
        snprintf(buf, len, "#PF ec=0x%x tlb=%s pwc=%u walked=%d", (unsigned)r->error_code, names_tlb(r->tlb_hit),
                 (unsigned)r->pwc_hit, r->walked);
    else
        snprintf(buf, len, "#GP");
}

static void describe_pred(const pred_t *p, char *buf, size_t len)
{
    static const char *const fk[] = {"ok", "#PF not present", "#PF reserved", "#PF rights", "#GP"};
    if (p->fault == COV_F_NONE)
        snprintf(buf, len, "pa=0x%" PRIx64 " (page shift %u)", p->pa, p->shift);
    else if (p->fault == COV_F_GP)
        snprintf(buf, len, "#GP");
    else
        snprintf(buf, len, "%s ec=0x%x", fk[p->fault], (unsigned)p->ec);
}

/* Checks one translation result against the shadow (the state is the one it ran in). */
static void check_access(sg_t *g, const pend_t *p)
{
    const mmu_result_t *r = &p->res;
    paging_mode_t mode = ref_cpu_mode(&g->cpu);
    pred_t pr;
    char got[160], want[160];
    sg_shadow_translate(g, &p->req, &pr);
    describe_result(r, got, sizeof got);
    describe_pred(&pr, want, sizeof want);
    const char *what = names_access(p->req.access);
    if (mode == PAGING_OFF) {
        g->rep->checks++;
        if (r->fault != FAULT_NONE || r->pa != pr.pa || r->page_shift != 0 || r->tlb_hit != TLB_HIT_NONE)
            sg_failf(g, p->line, "access #%" PRIu64 " va=0x%" PRIx64 " %s with paging off: got %s, expected pa=0x%" PRIx64,
                  r->seq, p->req.va, what, got, pr.pa);
        return;
    }
    if (pr.fault == COV_F_GP || r->fault == FAULT_GP) {
        g->rep->checks++;
        if (pr.fault != COV_F_GP || r->fault != FAULT_GP)
            sg_failf(g, p->line, "access #%" PRIu64 " va=0x%" PRIx64 " %s: got %s, the shadow expects %s (canonical check)",
                  r->seq, p->req.va, what, got, want);
        return;
    }
    if (r->walked && r->pwc_hit == 0) {
        /* a walk from the top reads every entry from memory: nothing can be stale */
        g->rep->checks++;
        g->rep->walk_checks++;
        int fk = cov_fault_kind(r);
        bool same = fk == pr.fault && (fk == COV_F_NONE ? r->pa == pr.pa && r->page_shift == pr.shift
                                                        : r->error_code == pr.ec);
        if (!same)
            sg_failf(g, p->line, "access #%" PRIu64 " va=0x%" PRIx64 " %s cpl%u%s%s: a walk with no PWC hit gave %s, "
                  "the shadow walk of the tables gives %s", r->seq, p->req.va, what, (unsigned)p->req.cpl,
                  p->req.ac ? " ac" : "", p->req.implicit ? " implicit" : "", got, want);
        return;
    }
    if (r->fault == FAULT_NONE && p->stale_free && pr.leaf_ok) {
        g->rep->checks++;
        g->rep->pa_checks++;
        if (r->pa != pr.pa || r->page_shift != pr.shift)
            sg_failf(g, p->line, "access #%" PRIu64 " va=0x%" PRIx64 " %s: got %s although no stale entry can exist; "
                  "the tables map it to %s", r->seq, p->req.va, what, got, want);
    }
}

/* The protection-key bins of one translation (coverage.h cov_key_t), classified with the shadow:
 * which register's AD_i / WD_i the leaf's key selects, and what happened. */
static void cov_keys(sg_t *g, const pend_t *p)
{
    const mmu_result_t *r = &p->res;
    if (ref_cpu_mode(&g->cpu) < PAGING_4LEVEL || !(g->cpu.cr4 & (CR4_PKE | CR4_PKS)) || r->fault == FAULT_GP)
        return;
    pred_t pr;
    sg_shadow_translate(g, &p->req, &pr);
    if (!pr.key_used)
        return;
    bool user_access = p->req.cpl == 3 && !p->req.implicit;
    if (r->fault == FAULT_PF && (r->error_code & PFEC_PK)) {
        if (pr.key_ad)
            cov_add_key(g->cov, pr.key_user_addr ? COV_K_AD_USER : COV_K_AD_SUP);
        else
            cov_add_key(g->cov, pr.key_user_addr ? COV_K_WD_USER : COV_K_WD_SUP);
    }
    if (r->fault == FAULT_NONE && p->req.access == ACC_WRITE && !user_access && pr.key_wd && !pr.key_ad &&
        !(g->cpu.cr0 & CR0_WP))
        cov_add_key(g->cov, COV_K_WD_SUP_WP0);
    if (r->fault == FAULT_NONE && p->req.access == ACC_EXEC && pr.key_ad)
        cov_add_key(g->cov, COV_K_FETCH);
    /* the same page used through a TLB entry again after PKRU / IA32_PKRS changed */
    vaddr_t page = p->req.va >> 12;
    bool hit = r->tlb_hit != TLB_HIT_NONE;
    if ((hit || (r->error_code & PFEC_PK)) && g->key_hit_valid && g->key_hit_page == page &&
        g->key_hit_epoch != g->pkr_epoch)
        cov_add_key(g->cov, COV_K_CHANGE_HIT);
    if (hit) {
        g->key_hit_valid = true;
        g->key_hit_page = page;
        g->key_hit_epoch = g->pkr_epoch;
    }
}

/* Completes everything queued; digests, bins and checks the results in order. */
void sg_do_sync(sg_t *g)
{
    if (backend_sync(g->m.be) != 0)
        sg_failf(g, g->line, "the %s backend reported a divergence at this synchronisation: %s",
              backend_kind_name(g->m.be->kind), sg_backend_why(g));
    paging_mode_t mode = ref_cpu_mode(&g->cpu);
    for (size_t i = 0; i < g->npend && !g->failed; i++) {
        const pend_t *p = &g->pend[i];
        dig_access_t d;
        sg_dig_from_result(&d, &p->req, &p->res);
        g->digest = sg_digest_access(g->digest, &d);
        if (g->cov) {
            cov_add_access(g->cov, mode, &p->res);
            cov_keys(g, p);
        }
        check_access(g, p);
    }
    g->npend = 0;
    g->base = backend_horizon(g->m.be);
    g->rel = 0;
}

void sg_op_sync(sg_t *g)
{
    sg_emit(g, "sync");
    g->rep->syncs++;
    sg_do_sync(g);
}

static bool arch_equal(const mmu_arch_t *a, const mmu_arch_t *b)
{
    return a->cr0 == b->cr0 && a->cr3 == b->cr3 && a->cr4 == b->cr4 && a->efer == b->efer && a->mode == b->mode &&
           a->pcid == b->pcid && a->pkru == b->pkru && a->pkrs == b->pkrs &&
           (a->mode != PAGING_PAE || memcmp(a->pdpte, b->pdpte, sizeof a->pdpte) == 0);
}

/* One control operation: log line `text`, run, check #GP and the registers. */
static void do_ctrl(sg_t *g, mmu_ctrl_t op, const char *text)
{
    if (g->failed)
        return;
    bool pending = g->npend > 0;
    if (pending)
        sg_do_sync(g);                       /* what the interpreter does before a control operation */
    if (!pending && chance(g, 0.3)) {
        uint64_t n = rnd(g, 6);
        op.issue_cycle = g->base + n;
        sg_emit(g, "%s @+%" PRIu64, text, n);
    } else {
        op.issue_cycle = g->base;
        sg_emit(g, "%s", text);
    }
    uint64_t line = g->line;
    if (g->failed)
        return;
    mmu_arch_t before, after, want_arch;
    sg_cpu_arch(g, &before);
    tflush_t fl;
    uint16_t fl_pcid;
    mmu_fault_t want = sg_shadow_ctrl(g, &op, &fl, &fl_pcid);
    /* a CR4.PAE toggle under paging walks 8-byte tables as 4-byte ones: the walker may then
     * set A/D in the upper half of an 8-byte word (the end-of-run check allows it) */
    g->any_32bit = g->any_32bit || ref_cpu_mode(&g->cpu) == PAGING_32;
    mmu_ctrl_result_t res;
    g->rep->ctrl_ops++;
    g->rep->ops++;
    if (backend_control(g->m.be, &op, &res) != 0) {
        sg_failf(g, line, "%s: the %s backend rejected the operation or reported a divergence: %s", text,
              backend_kind_name(g->m.be->kind), sg_backend_why(g));
        return;
    }
    dig_ctrl_t d;
    sg_dig_from_ctrl(&d, g->nctrl++, &op, &res);
    g->digest = sg_digest_ctrl(g->digest, &d);
    if (g->cov)
        cov_add_ctrl(g->cov, &before, &op, &res);
    g->rep->checks += 2;
    if (res.fault != want) {
        sg_failf(g, line, "%s: got %s, the shadow expects %s", text, mmu_fault_name(res.fault),
              mmu_fault_name(want));
        return;
    }
    backend_arch_state(g->m.be, &after);
    sg_cpu_arch(g, &want_arch);
    if (!arch_equal(&after, &want_arch)) {
        sg_failf(g, line, "%s: registers after it cr0=0x%" PRIx64 " cr3=0x%" PRIx64 " cr4=0x%" PRIx64 " efer=0x%" PRIx64
              " mode %d pcid 0x%x pkru 0x%x pkrs 0x%x, the shadow has cr0=0x%" PRIx64 " cr3=0x%" PRIx64
              " cr4=0x%" PRIx64 " efer=0x%" PRIx64 " mode %d pcid 0x%x pkru 0x%x pkrs 0x%x", text, after.cr0,
              after.cr3, after.cr4, after.efer, (int)after.mode, (unsigned)after.pcid, (unsigned)after.pkru,
              (unsigned)after.pkrs, want_arch.cr0, want_arch.cr3, want_arch.cr4, want_arch.efer,
              (int)want_arch.mode, (unsigned)want_arch.pcid, (unsigned)want_arch.pkru, (unsigned)want_arch.pkrs);
        return;
    }
    if (after.pkru != before.pkru || after.pkrs != before.pkrs)
        g->pkr_epoch++;
    sg_apply_flush(g, fl, fl_pcid);
    g->base = backend_horizon(g->m.be);
    g->rel = 0;
}

static void write_cr(sg_t *g, mmu_ctrl_kind_t kind, uint64_t v)
{
    char text[64];
    /* the log is a script: WRMSR IA32_PKRS is its `wrmsr pkrs` command */
    snprintf(text, sizeof text, "%s 0x%" PRIx64, kind == CTRL_WRPKRS ? "wrmsr pkrs" : names_ctrl(kind), v);
    mmu_ctrl_t op = {.kind = kind, .value = v};
    do_ctrl(g, op, text);
}

static void invlpg(sg_t *g, vaddr_t va)
{
    char text[64];
    snprintf(text, sizeof text, "invlpg 0x%" PRIx64, va);
    mmu_ctrl_t op = {.kind = CTRL_INVLPG, .va = va};
    do_ctrl(g, op, text);
}

static void invpcid(sg_t *g, unsigned type, uint64_t pcid, vaddr_t va)
{
    char text[96];
    snprintf(text, sizeof text, "invpcid %u 0x%" PRIx64 " 0x%" PRIx64, type, pcid, va);
    mmu_ctrl_t op = {.kind = CTRL_INVPCID, .invpcid_type = type, .pcid = pcid, .va = va};
    do_ctrl(g, op, text);
}

/* --- address selection -------------------------------------------------------- */

static void ring_push(sg_t *g, vaddr_t va, paddr_t root, bool user)
{
    g->ring[g->ring_pos].va = va;
    g->ring[g->ring_pos].root = root;
    g->ring[g->ring_pos].user = user;
    g->ring_pos = (g->ring_pos + 1) % RING;
    if (g->nring < RING)
        g->nring++;
}

/* The current top table as the set's builder sees it (0 with paging off). */
static paddr_t cur_table(const sg_t *g)
{
    paging_mode_t mode = ref_cpu_mode(&g->cpu);
    return mode == PAGING_OFF ? 0 : ref_cr3_table(g->M, mode, g->cpu.cr3);
}

/* A leaf of the current address space when possible. */
static const sg_leaf_t *pick_leaf(sg_t *g)
{
    const set_t *s = cur_set(g);
    if (!s)
        s = &g->set[rnd(g, g->nsets)];
    if (!s->nleaves)
        return NULL;
    paddr_t root = cur_root(g, s);
    for (unsigned r = 0; r < s->nroots; r++)
        if (s->root[r] == root && s->nby_root[r])
            return &g->leaves[s->by_root[r][rnd(g, s->nby_root[r])]];
    return sg_random_leaf(g, s);
}

static vaddr_t in_leaf(sg_t *g, const sg_leaf_t *l)
{
    return l->va + rnd(g, 1ull << l->shift);
}

static vaddr_t wild_va(sg_t *g)
{
    paging_mode_t mode = ref_cpu_mode(&g->cpu);
    const sg_leaf_t *l = pick_leaf(g);
    unsigned vb = va_bits_of(mode == PAGING_OFF ? PAGING_32 : mode);
    switch (rnd(g, 5)) {
    case 0:
        if (l)
            return canon(l->va + (1 + rnd(g, 8)) * (1ull << l->shift) + rnd(g, 4096), vb);
        /* fall through */
    case 1:
        return vb == 32 ? rnd(g, 1ull << 32) : canon(rng_next(&g->rng), vb);
    case 2:
        if (vb == 32)   /* bits 63:32 are ignored in 32-bit and PAE paging */
            return (rng_next(&g->rng) << 32) | (l ? in_leaf(g, l) & 0xffffffffull : rnd(g, 1ull << 32));
        return (l ? in_leaf(g, l) : 0) ^ (1ull << (vb + rnd(g, 64 - vb)));    /* non-canonical */
    case 3: {
        const set_t *s = &g->set[rnd(g, g->nsets)];
        const sg_leaf_t *o = sg_random_leaf(g, s);
        return o ? in_leaf(g, o) : 0;
    }
    default: {
        static const vaddr_t edges[] = {0, 0xfff, 0x7ffffffff000ull, 0xffff800000000000ull, 0xfffffffffffff000ull,
                                        0x00fffffffffff000ull, 0xff00000000000000ull, 0xfffff000ull};
        return edges[rnd(g, sizeof edges / sizeof edges[0])];
    }
    }
}

/* A translation address: recently used in this address space (hits), a leaf of it,
 * or a wild one (unmapped, another space, non-canonical, ignored high bits). *user
 * says whether it was mapped for user mode. */
static vaddr_t pick_va(sg_t *g, bool *user)
{
    double u = unif(g);
    paddr_t root = cur_table(g);
    if (g->nring && u < g->k.p_hot) {
        unsigned match[RING], n = 0;
        for (unsigned i = 0; i < g->nring; i++)
            if (g->ring[i].root == root)
                match[n++] = i;
        if (n) {
            unsigned i = match[rnd(g, n)];
            vaddr_t va = g->ring[i].va;
            *user = g->ring[i].user;
            if (chance(g, 0.5))
                va = (va & ~0xfffull) | rnd(g, 4096);
            return va;
        }
    }
    if (u < g->k.p_hot + g->k.p_wild) {
        vaddr_t va = wild_va(g);
        *user = chance(g, 0.5);
        if (chance(g, 0.1))
            ring_push(g, va, root, *user);   /* faults fill nothing: keep the hot set mostly mapped */
        return va;
    }
    const sg_leaf_t *l = pick_leaf(g);
    if (!l) {
        *user = false;
        return rnd(g, 1ull << 32);
    }
    vaddr_t va = in_leaf(g, l);
    *user = l->user;
    ring_push(g, va, root, *user);
    return va;
}

/* --- operations ---------------------------------------------------------------- */

void sg_op_access(sg_t *g, uint64_t budget)
{
    uint64_t n = 1 + rnd(g, g->k.max_burst);
    if (n > budget)
        n = budget;
    g->rel += chance(g, 0.5) ? rnd(g, 4) : chance(g, 0.6) ? 4 + rnd(g, 40) : 40 + rnd(g, 300);
    for (uint64_t i = 0; i < n && !g->failed; i++) {
        if (g->npend == PEND_MAX)
            sg_op_sync(g);            /* the backend holds pointers to the pending results: never move them */
        if (i)
            g->rel += chance(g, 0.8) ? rnd(g, 3) : rnd(g, 30);
        mmu_req_t req = {0};
        bool user;
        req.va = pick_va(g, &user);
        double u = unif(g);
        req.access = u < g->k.r_read ? ACC_READ : u < g->k.r_read + g->k.r_write ? ACC_WRITE : ACC_EXEC;
        if (user == chance(g, g->k.p_mismatch))
            req.cpl = chance(g, 0.1) ? (uint8_t)(1 + rnd(g, 2)) : 0;
        else
            req.cpl = 3;
        req.ac = chance(g, g->k.p_ac);
        req.implicit = req.access != ACC_EXEC && chance(g, g->k.p_implicit);
        req.issue_cycle = g->base + g->rel;
        char priv[8];
        if (req.cpl == 3 || req.cpl == 0)
            snprintf(priv, sizeof priv, "%s", req.cpl ? "user" : "sup");
        else
            snprintf(priv, sizeof priv, "cpl=%u", (unsigned)req.cpl);
        sg_emit(g, "access 0x%" PRIx64 " %s %s%s%s @+%" PRIu64, req.va, names_access(req.access), priv,
             req.ac ? " ac" : "", req.implicit ? " implicit" : "", g->rel);
        pend_t *p = &g->pend[g->npend];
        memset(p, 0, sizeof *p);
        p->req = req;
        p->line = g->line;
        p->stale_free = sg_note_access(g, req.va);
        g->rep->accesses++;
        g->rep->ops++;
        if (backend_submit(g->m.be, &req, &p->res) != 0) {
            sg_failf(g, g->line, "the %s backend rejected the access issued at cycle %" PRIu64 " (horizon %" PRIu64 ")",
                  backend_kind_name(g->m.be->kind), req.issue_cycle, backend_horizon(g->m.be));
            return;
        }
        g->npend++;
    }
}

static const set_t *target_set(sg_t *g)
{
    const set_t *s = cur_set(g);
    return s ? s : &g->set[g->target_set < g->nsets ? g->target_set : 0];
}

void sg_op_cr3(sg_t *g)
{
    const set_t *s = target_set(g);
    paging_mode_t mode = ref_cpu_mode(&g->cpu);
    uint64_t v;
    if (g->cpu.cr4 & CR4_PCIDE) {
        unsigned i = (unsigned)rnd(g, g->k.npcids);
        unsigned r = chance(g, 0.9) ? i % s->nroots : (unsigned)rnd(g, s->nroots);
        v = s->root[r] | g->pcid[i];
        if (chance(g, 0.35))
            v |= CR3_NOFLUSH;
    } else {
        v = chance(g, 0.6) ? cur_root(g, s) : s->root[rnd(g, s->nroots)];
        if (chance(g, 0.1))
            v |= chance(g, 0.5) ? PTE_PWT : PTE_PCD;
        if (mode == PAGING_PAE && s->bad_root && chance(g, 0.05))
            v = s->bad_root;            /* the PDPTE load fails: #GP */
    }
    write_cr(g, CTRL_CR3, v);
}

void sg_op_cr4(sg_t *g)
{
    bool lma = ref_cpu_lma(&g->cpu);
    uint64_t bit;
    switch (rnd(g, lma ? 6 : 7)) {
    case 0: case 1: bit = CR4_PGE; break;
    case 2: bit = CR4_SMEP; break;
    case 3: bit = CR4_SMAP; break;
    case 4: bit = CR4_PSE; break;
    case 5: bit = lma && g->k.use_pcid ? CR4_PCIDE : CR4_SMEP; break;
    default: bit = chance(g, 0.3) ? CR4_PAE : CR4_PGE; break;   /* legacy paging: 32-bit <-> PAE */
    }
    if (ref_cpu_mode(&g->cpu) == PAGING_32 && !(g->cpu.cr4 & CR4_PSE) && chance(g, 0.5))
        bit = CR4_PSE;       /* without PSE the 4 MiB leaves point to "tables": do not stay there long */
    write_cr(g, CTRL_CR4, g->cpu.cr4 ^ bit);
}

void sg_op_cr0(sg_t *g)
{
    double u = unif(g);
    static const unsigned ignored[] = {6, 9, 15, 17, 19, 24, 28};   /* reserved bits of CR0[31:0] */
    uint64_t junk = chance(g, 0.1) ? 1ull << ignored[rnd(g, sizeof ignored / sizeof ignored[0])] : 0;
    write_cr(g, CTRL_CR0, (g->cpu.cr0 ^ (u < 0.7 ? CR0_WP : u < 0.85 ? CR0_CD : CR0_NW)) | junk);
}

void sg_op_efer(sg_t *g)
{
    write_cr(g, CTRL_EFER, g->cpu.efer ^ (chance(g, 0.5) ? EFER_NXE : EFER_SCE));
}

/* An operation that is illegal in the current state (the shadow says so too). */
void sg_op_illegal(sg_t *g)
{
    const cpu_t *c = &g->cpu;
    bool lma = ref_cpu_lma(c), pcide = c->cr4 & CR4_PCIDE, pg = c->cr0 & CR0_PG;
    const set_t *s = target_set(g);
    switch (rnd(g, 10)) {
    case 0:
        if (chance(g, 0.3))
            write_cr(g, CTRL_CR0, (c->cr0 | CR0_NW) & ~CR0_CD);          /* NW without CD */
        else
            write_cr(g, CTRL_CR0, c->cr0 | 1ull << (32 + rnd(g, 32)));
        return;
    case 1:
        if (pg) {
            write_cr(g, CTRL_CR0, pcide && chance(g, 0.5) ? c->cr0 & ~CR0_PG : c->cr0 & ~CR0_PE);
            return;
        }
        write_cr(g, CTRL_CR0, (c->cr0 | CR0_PG) & ~CR0_PE);     /* PG without PE */
        return;
    case 2: {
        /* reserved, unimplemented (PKE 22 and PKS 24 only with pk=0) */
        static const unsigned bad[] = {15, 23, 26, 27, 28, 29, 30, 31, 22, 24};
        size_t nbad = sizeof bad / sizeof bad[0] - (g->cfg.pk ? 2 : 0);
        write_cr(g, CTRL_CR4, c->cr4 | (chance(g, 0.7) ? 1ull << bad[rnd(g, nbad)] : 1ull << (32 + rnd(g, 32))));
        return;
    }
    case 3:
        if (lma)
            write_cr(g, CTRL_CR4, c->cr4 ^ (chance(g, 0.5) ? CR4_LA57 : CR4_PAE));
        else
            write_cr(g, CTRL_CR4, c->cr4 | CR4_PCIDE);
        return;
    case 4:
        if (lma && !pcide && (c->cr3 & 0xfff) == 0 && chance(g, 0.5)) {
            write_cr(g, CTRL_CR3, c->cr3 | PTE_PCD);   /* legal; the next PCIDE 0->1 then faults */
            write_cr(g, CTRL_CR4, c->cr4 | CR4_PCIDE);
            return;
        }
        if (lma) {
            uint64_t v = cur_root(g, s) | (pcide ? ref_cpu_pcid(c) : 0);
            write_cr(g, CTRL_CR3, v | (!pcide && chance(g, 0.5) ? CR3_NOFLUSH : 1ull << (g->M + rnd(g, 63 - g->M))));
            return;
        }
        if (ref_cpu_mode(c) == PAGING_PAE && s->bad_root) {
            write_cr(g, CTRL_CR3, s->bad_root);
            return;
        }
        write_cr(g, CTRL_EFER, c->efer | 1ull << (12 + rnd(g, 52)));
        return;
    case 5: {
        static const unsigned unknown[] = {1, 2, 3, 4, 5, 6, 7, 9, 12, 13, 14, 15, 20, 31, 40, 63};
        write_cr(g, CTRL_EFER, c->efer | 1ull << unknown[rnd(g, sizeof unknown / sizeof unknown[0])]);
        return;
    }
    case 6:
        if (pg) {
            write_cr(g, CTRL_EFER, c->efer ^ EFER_LME);
            return;
        }
        write_cr(g, CTRL_CR0, c->cr0 | CR0_PG | 1ull << 40);
        return;
    case 7:
        invpcid(g, 4 + (unsigned)rnd(g, chance(g, 0.8) ? 12 : 0xfffffff0u), 0, 0);
        return;
    case 8:
        invpcid(g, (unsigned)rnd(g, 4), 0x1000 + rnd(g, 1ull << 20), 0);
        return;
    default:
        if (lma)
            invpcid(g, 0, ref_cpu_pcid(c), 1ull << (va_bits_of(ref_cpu_mode(c)) + rnd(g, 4)));   /* non-canonical */
        else if (chance(g, 0.5))     /* non-canonical outside IA-32e paging too: the descriptor is 128 bits */
            invpcid(g, 0, 0, 1ull << (((c->cr4 & CR4_LA57) ? 57 : 48) + rnd(g, 4)));
        else
            invpcid(g, (unsigned)rnd(g, 2), 1 + rnd(g, 0xfff), 0);   /* a PCID with PCIDE=0 */
        return;
    }
}

void sg_op_invlpg(sg_t *g)
{
    bool user;
    invlpg(g, chance(g, 0.85) ? pick_va(g, &user) : wild_va(g));
}

void sg_op_invpcid(sg_t *g)
{
    unsigned type = (unsigned)rnd(g, 4);
    uint64_t pcid = (g->cpu.cr4 & CR4_PCIDE) ? (chance(g, 0.7) ? g->pcid[rnd(g, g->k.npcids)] : ref_cpu_pcid(&g->cpu)) : 0;
    bool user;
    invpcid(g, type, pcid, chance(g, 0.9) ? pick_va(g, &user) : 0);
}

/* Bits whose change cannot make a cached translation point elsewhere. */
static uint64_t safe_bits(paging_mode_t mode)
{
    uint64_t s = PTE_P | PTE_RW | PTE_US | PTE_PWT | PTE_PCD | PTE_A | PTE_D | PTE_G | (7ull << 9);
    return mode == PAGING_32 ? s : s | PTE_XD | bits(62, 52);
}

/* Writes one table entry through the backdoor (img and mem) and logs it. */
static void poke_entry(sg_t *g, paging_mode_t mode, paddr_t ea, uint64_t old, uint64_t v)
{
    unsigned es = esize(mode);
    sg_do_sync(g);                                   /* what the interpreter does before a poke */
    if (g->failed)
        return;
    sg_emit(g, "%s 0x%" PRIx64 " 0x%" PRIx64, es == 8 ? "poke64" : "poke32", ea, v);
    sg_img_write(g, ea, es, v);
    if (es == 8)
        physmem_poke64(g->m.mem, ea, v);
    else
        physmem_poke32(g->m.mem, ea, (uint32_t)v);
    if ((old ^ v) & ~safe_bits(mode))
        g->remapped = true;
    g->rep->edits++;
    g->rep->ops++;
}

/* A page-table edit between operations, made without any invalidation. */
void sg_op_edit(sg_t *g)
{
    const set_t *s = target_set(g);
    paging_mode_t mode = s->mode;
    unsigned es = esize(mode);
    if (g->nundo && chance(g, 0.5)) {
        /* repair a destructive edit of an upper-level entry (software fixing its tables) */
        g->nundo--;
        if (g->undo[g->nundo].size == es)
            poke_entry(g, mode, g->undo[g->nundo].ea, sg_img_entry(g, g->undo[g->nundo].ea, es), g->undo[g->nundo].value);
        return;
    }
    vaddr_t va;
    if (g->nring && chance(g, 0.6)) {
        va = g->ring[rnd(g, g->nring)].va;
    } else {
        const sg_leaf_t *l = pick_leaf(g);
        if (!l)
            return;
        va = l->va;
    }
    if (mode >= PAGING_4LEVEL && !canonical(va, va_bits_of(mode)))
        return;
    paddr_t ea[MAX_LEVELS + 1];
    int low = sg_img_path(g, mode, cur_root(g, s), va, ea);
    int top = top_level(mode);
    int level = chance(g, 0.75) ? low : low + (int)rnd(g, (uint64_t)(top - low + 1));
    uint64_t e = sg_img_entry(g, ea[level], es), v = e;
    if (!e)
        return;
    bool large = level > 1 && (e & PTE_PS) && (level == 2 || (level == 3 && mode >= PAGING_4LEVEL));
    bool leaf = level == 1 || large;
    bool pdpte = mode == PAGING_PAE && level == 3;
    unsigned kind;
    if (pdpte) {
        double u = unif(g);
        kind = u < 0.5 ? 6 : u < 0.8 ? 8 : u < 0.95 ? 10 : 9;
    } else {
        static const unsigned w[] = {25, 20, 5, 10, 6, 4, 8, 4, 6, 5, 3, 4};
        unsigned total = 0, pick;
        for (unsigned i = 0; i < 12; i++)
            total += w[i];
        pick = (unsigned)rnd(g, total);
        for (kind = 0; pick >= w[kind]; kind++)
            pick -= w[kind];
    }
    switch (kind) {
    case 0: v &= ~PTE_A; break;
    case 1: v &= ~(leaf ? PTE_D : PTE_A); break;
    case 2: v |= leaf ? AD_BITS : PTE_A; break;
    case 3: v ^= PTE_RW; break;
    case 4: v ^= PTE_US; break;
    case 5: v ^= mode == PAGING_32 ? PTE_RW : PTE_XD; break;
    case 6: v ^= PTE_P; break;
    case 7: v ^= leaf ? PTE_G : PTE_A; break;
    case 8:                                       /* remap */
        if (leaf) {
            unsigned shift = level == 1 ? 12 : level == 2 ? (mode == PAGING_32 ? 22 : 21) : 30;
            paddr_t pa = sg_data_frame(g, s, mode, shift);
            if (mode != PAGING_32)
                v = (v & ~(ADDR8 & ~((1ull << shift) - 1))) | pa;
            else if (shift == 12)
                v = (v & 0xfffull) | pa;
            else
                v = (v & ~(0xffc00000ull | (0xffull << 13))) | (pa & 0xffc00000ull) | (((pa >> 32) & 0xff) << 13);
        } else {
            const sg_leaf_t *o = pick_leaf(g);
            paddr_t eo[MAX_LEVELS + 1];
            if (!o || o->mode != mode || sg_img_path(g, mode, o->root, o->va, eo) > level)
                return;
            uint64_t other = sg_img_entry(g, eo[level], es);
            uint64_t amask = mode == PAGING_32 ? 0xfffff000ull : ADDR8;
            v = (v & ~amask) | (other & amask);
        }
        break;
    case 9: {                                     /* reserved bits: clear them, or set one */
        uint64_t rs = pdpte ? ref_pdpte_rsvd(g->M) : ref_entry_rsvd(&g->cpu, g->M, mode, level, v) & ~PTE_XD;
        if (v & rs) {
            v &= ~rs;
        } else {
            int b = sg_rsvd_bit(g, mode, level, v);
            if (b < 0)
                return;
            v |= 1ull << b;
        }
        break;
    }
    case 11: {             /* a page-size change, never invalidated: the old size's TLB entries stay
                            * stale beside the new size's (the #PF rule of docs/semantics.md 3) */
        bool can_be_large = level == 2 || (level == 3 && mode >= PAGING_4LEVEL);
        uint64_t amask = mode == PAGING_32 ? 0xfffff000ull : ADDR8;
        if (!can_be_large)
            return;
        if (large) {       /* the large leaf points to a table instead: another path's, same level */
            const sg_leaf_t *o = pick_leaf(g);
            paddr_t eo[MAX_LEVELS + 1];
            if (!o || o->mode != mode || sg_img_path(g, mode, o->root, o->va, eo) >= level)
                return;
            v = ((v & ~amask) | (sg_img_entry(g, eo[level], es) & amask)) & ~PTE_PS;
        } else {           /* the table pointer becomes a large leaf over a data frame */
            unsigned shift = level == 2 ? (mode == PAGING_32 ? 22 : 21) : 30;
            paddr_t pa = sg_data_frame(g, s, mode, shift);
            if (mode == PAGING_32)
                v = (v & 0xfffull) | (pa & 0xffc00000ull) | (((pa >> 32) & 0xff) << 13);
            else
                v = (v & ~amask) | pa;
            v |= PTE_PS;
        }
        break;
    }
    default: v ^= chance(g, 0.5) ? PTE_PWT : PTE_PCD; break;
    }
    if (v == 0)
        return;                                   /* an empty entry would end the builder's paths */
    poke_entry(g, mode, ea[level], e, v);
    if (g->failed)
        return;
    bool destructive = (e & PTE_P) &&
                       (!(v & PTE_P) || (v & ~e & (PTE_XD | bits(62, 7))) || (e & ~v & (PTE_RW | PTE_US)));
    if (pdpte && (v & ref_pdpte_rsvd(g->M))) {
        /* a PDPT with a reserved bit: every load of it faults; try one, then repair the entry */
        if (ref_cpu_mode(&g->cpu) == PAGING_PAE)
            write_cr(g, CTRL_CR3, g->cpu.cr3);
        poke_entry(g, mode, ea[level], v, e);
    } else if (destructive && g->nundo < 4 && (!leaf || chance(g, 0.5))) {
        g->undo[g->nundo].ea = ea[level];
        g->undo[g->nundo].value = e;
        g->undo[g->nundo].size = es;
        g->nundo++;
    }
}

/* Protection keys (docs/semantics.md "Protection keys"): WRPKRU and WRMSR IA32_PKRS with values
 * that deny a few keys (or anything), the odd illegal operand (RAX[63:32] for WRPKRU: ignored;
 * IA32_PKRS[63:32]: #GP), and CR4.PKE / CR4.PKS toggles. With pk=0 each is refused (#UD / #GP). */
void sg_op_pkey(sg_t *g)
{
    uint32_t v = 0;
    if (chance(g, 0.15)) {
        v = (uint32_t)rnd(g, 1ull << 32);
    } else if (!chance(g, 0.2)) {
        for (unsigned n = 1 + (unsigned)rnd(g, 3); n > 0; n--)
            v |= (1u + (uint32_t)rnd(g, 3)) << (2 * rnd(g, 16));   /* AD, WD or both of a key */
    }
    switch (rnd(g, 5)) {
    case 0: case 1:
        write_cr(g, CTRL_WRPKRU, v | (chance(g, 0.1) ? rnd(g, 1ull << 32) << 32 : 0));
        break;
    case 2: case 3:
        write_cr(g, CTRL_WRPKRS, v | (chance(g, 0.05) ? 1ull << (32 + rnd(g, 32)) : 0));
        break;
    default:
        write_cr(g, CTRL_CR4, g->cpu.cr4 ^ (chance(g, 0.5) ? CR4_PKE : CR4_PKS));
        break;
    }
}

/* Turn paging off (to re-enter a mode a few operations later). */
void sg_leave_paging(sg_t *g)
{
    if (g->cpu.cr4 & CR4_PCIDE)
        write_cr(g, CTRL_CR4, g->cpu.cr4 & ~CR4_PCIDE);
    write_cr(g, CTRL_CR0, g->cpu.cr0 & ~CR0_PG);
    g->off_left = (unsigned)rnd(g, 5);
    g->target_set = (unsigned)rnd(g, g->nsets);
}

/* Legal writes from paging off into the set's mode: EFER, CR4, CR3, CR0 (then PCIDs). */
void sg_enter_paging(sg_t *g, const set_t *s)
{
    paging_mode_t mode = s->mode;
    uint64_t efer = (g->cpu.efer & (EFER_NXE | EFER_SCE)) | (mode >= PAGING_4LEVEL ? EFER_LME : 0);
    uint64_t cr4 = g->cpu.cr4 & (CR4_PGE | CR4_SMEP | CR4_SMAP | CR4_PSE | CR4_PKE | CR4_PKS);
    cr4 |= mode == PAGING_32 ? 0 : CR4_PAE;
    cr4 |= mode == PAGING_5LEVEL ? CR4_LA57 : 0;
    if (g->cpu.cr0 & CR0_PG)
        sg_leave_paging(g);
    write_cr(g, CTRL_EFER, efer);
    write_cr(g, CTRL_CR4, cr4);
    write_cr(g, CTRL_CR3, s->root[0]);
    write_cr(g, CTRL_CR0, (g->cpu.cr0 & (CR0_WP | CR0_CD | CR0_NW)) | CR0_PE | CR0_PG);
    if (mode >= PAGING_4LEVEL && g->k.use_pcid && ref_cpu_mode(&g->cpu) == mode) {
        write_cr(g, CTRL_CR4, g->cpu.cr4 | CR4_PCIDE);
        unsigned i = (unsigned)rnd(g, g->k.npcids);
        write_cr(g, CTRL_CR3, s->root[i % s->nroots] | g->pcid[i]);
    }
    g->off_left = 0;
}

void sg_initial_paging(sg_t *g)
{
    const knobs_t *k = &g->k;
    /* from reset (all zero): the seed's control bits while paging is off, then into the primary mode */
    write_cr(g, CTRL_EFER, k->nxe ? EFER_NXE : 0);
    write_cr(g, CTRL_CR4, (k->pge ? CR4_PGE : 0) | (k->smep ? CR4_SMEP : 0) | (k->smap ? CR4_SMAP : 0) |
                              (k->pse ? CR4_PSE : 0) | (k->pke ? CR4_PKE : 0) | (k->pks ? CR4_PKS : 0));
    if (k->pke)
        write_cr(g, CTRL_WRPKRU, (uint32_t)rnd(g, 1ull << 32) & 0x55555555u & (uint32_t)rnd(g, 1ull << 32));
    if (g->cfg.pk)
        write_cr(g, CTRL_WRPKRS, (uint32_t)rnd(g, 1ull << 32) & (uint32_t)rnd(g, 1ull << 32));
    write_cr(g, CTRL_CR0, k->wp ? CR0_WP : 0);
    sg_enter_paging(g, &g->set[0]);
}
