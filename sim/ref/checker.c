/* libmmulab's permissive checker (mmulab.h, mmulab_ref_*): decides whether a translation a
 * design under test returned is one the Intel SDM permits, given the mirrored memory, the
 * architectural registers and the history of memory writes and invalidations.
 *
 * The architecture itself (walk, reserved bits, rights, control operations) is
 * sim/ref/refarch.c, the one implementation the random stimulus's shadow also uses; this file
 * adds what a design may have cached (SDM vol. 3A 4.10):
 *   - a logical clock ticks at every mirrored write, register write and invalidation;
 *   - the write log keeps each overwritten word with the tick it stopped being in memory;
 *   - invalidation times: everything (global too), all non-global, per PCID, the
 *     paging-structure caches per PCID, and per-address records (INVLPG, INVPCID 0, #PF);
 *   - contexts: every distinct paging context (mode, CR3 table, PCID, PDPTEs, PSE, PGE, NXE)
 *     with the last tick it was current.
 * A result is permitted if some candidate walk gives it:
 *   (a) a walk now: the entries above the last may come from paging-structure caches (values
 *       held since that level's last invalidation, P=1 and no reserved bit: only such are
 *       cached, 4.10.3.1), the last entry read is memory as it is now (a fault on a not-present
 *       or reserved entry is never served from a cache, 4.10.2.3/4.10.3.1);
 *   (b) a TLB entry of the current PCID filled in any context of that PCID still valid: every
 *       entry's value held since the leaf's last invalidation, ending in a valid leaf (4.10.2,
 *       4.10.4.3: no invalidation, no guarantee of the new translation);
 *   (c) a global TLB entry (leaf G=1, CR4.PGE at fill time) of any context, since the last
 *       invalidation of global entries for the page (4.10.2.4).
 * Rights of a cached entry are checked with the current CR0.WP/CR4.SMEP/SMAP/PKE/PKS, PKRU and
 * IA32_PKRS (4.10.2.2: the TLB keeps the combined R/W, U/S, XD and the protection key). This over-approximates (values of different moments may
 * combine in one candidate): it never flags a permitted result, and can miss a wrong one that
 * only such a mix explains (docs/reference-model.md, "limits"). */
#include "mmulab.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref_int.h"

/* ---- growth of the history arrays ----------------------------------------------------- */

static int grow(void **p, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 64;
    void *q = realloc(*p, ncap * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = ncap;
    return 0;
}

uint64_t ref_read_mem(void *ctx, paddr_t pa, unsigned size)
{
    physmem_t *m = ctx;
    uint64_t w = physmem_peek64(m, pa & ~7ull);
    return size == 8 ? w : (pa & 4) ? w >> 32 : w & 0xffffffffull;
}

/* ---- contexts --------------------------------------------------------------------------- */

static bool same_ctx(const ref_cpu_t *a, const ref_cpu_t *b, unsigned M)
{
    paging_mode_t ma = ref_cpu_mode(a);
    uint64_t keep4 = CR4_PSE | CR4_PGE;
    return ma == ref_cpu_mode(b) && ref_cr3_table(M, ma, a->cr3) == ref_cr3_table(M, ma, b->cr3) &&
           ref_cpu_pcid(a) == ref_cpu_pcid(b) && (a->cr4 & keep4) == (b->cr4 & keep4) &&
           (a->efer & EFER_NXE) == (b->efer & EFER_NXE) &&
           (ma != PAGING_PAE || memcmp(a->pdpte, b->pdpte, sizeof a->pdpte) == 0);
}

/* Records that the current context was current until now (called after every change). */
static int note_ctx(mmulab_ref_t *r)
{
    if (ref_cpu_mode(&r->cpu) == PAGING_OFF)
        return 0;
    for (size_t i = 0; i < r->nctx; i++)
        if (same_ctx(&r->ctx[i].cpu, &r->cpu, r->M)) {
            r->ctx[i].t_last = T_NOW;
            return 0;
        }
    if (grow((void **)&r->ctx, &r->capctx, r->nctx, sizeof *r->ctx))
        return MMULAB_E_NOMEM;
    r->ctx[r->nctx++] = (ctx_t){.cpu = r->cpu, .t_last = T_NOW};
    return 0;
}

/* The context that was current stops being current at tick now. */
static void leave_ctx(mmulab_ref_t *r)
{
    for (size_t i = 0; i < r->nctx; i++)
        if (r->ctx[i].t_last == T_NOW)
            r->ctx[i].t_last = r->now;
}

/* After a full flush nothing older can be used: the history is dropped. */
static void forget_history(mmulab_ref_t *r)
{
    r->nlog = 0;
    r->npinv = 0;
    size_t k = 0;
    for (size_t i = 0; i < r->nctx; i++)
        if (r->ctx[i].t_last == T_NOW)
            r->ctx[k++] = r->ctx[i];
    r->nctx = k;
}

static void apply_flush(mmulab_ref_t *r, ref_flush_t fl, uint16_t pcid)
{
    if (fl == REF_FLUSH_ALL) {
        r->flush_all = r->now;
        forget_history(r);
    } else if (fl == REF_FLUSH_NONGLOBAL) {
        r->flush_nonglobal = r->now;
    } else if (fl == REF_FLUSH_PCID) {
        r->flush_pcid[pcid] = r->now;
    }
}

/* ---- life cycle ------------------------------------------------------------------------- */

int mmulab_api_version(void)
{
    return MMULAB_API_VERSION;
}

mmulab_ref_t *mmulab_ref_create(unsigned maxphyaddr)
{
    if (maxphyaddr < 32 || maxphyaddr > 52)
        return NULL;
    mmulab_ref_t *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->M = maxphyaddr;
    if (mmulab_ref_reset(r)) {
        free(r);
        return NULL;
    }
    return r;
}

void mmulab_ref_destroy(mmulab_ref_t *r)
{
    if (!r)
        return;
    physmem_destroy(r->mem);
    free(r->log);
    free(r->pinv);
    free(r->ctx);
    free(r);
}

int mmulab_ref_reset(mmulab_ref_t *r)
{
    if (!r)
        return MMULAB_E_ARG;
    physmem_t *m = physmem_create(r->M);
    if (!m)
        return MMULAB_E_NOMEM;
    physmem_destroy(r->mem);
    r->mem = m;
    physmem_track_backdoor(m, true);
    memset(&r->cpu, 0, sizeof r->cpu);
    r->cpu.cr0 = 0x60000010ull;   /* reset value (SDM 10.1.1 / 9.1.1): CD, NW, ET */
    r->cpu.pk = true;             /* the checker's processor has protection keys (PKU and PKS) */
    r->now = 1;
    r->nlog = r->npinv = r->nctx = 0;
    r->flush_all = r->flush_nonglobal = 0;
    memset(r->flush_pcid, 0, sizeof r->flush_pcid);
    memset(r->flush_pwc, 0, sizeof r->flush_pwc);
    memset(&r->stats, 0, sizeof r->stats);
    r->frame_base = r->frame_limit = 0;
    return MMULAB_OK;
}

/* ---- mirrored memory ------------------------------------------------------------------- */

static int check_pa(const mmulab_ref_t *r, uint64_t pa, unsigned size)
{
    if (size != 4 && size != 8)
        return MMULAB_E_ARG;
    if (pa & (size - 1))
        return MMULAB_E_ARG;
    if (r->M < 64 && (pa >> r->M))
        return MMULAB_E_RANGE;
    return MMULAB_OK;
}

int ref_write_logged(mmulab_ref_t *r, uint64_t pa, uint64_t value, unsigned size)
{
    paddr_t word = pa & ~7ull;
    uint64_t old = physmem_peek64(r->mem, word), nw = old;
    if (size == 8)
        nw = value;
    else if (pa & 4)
        nw = (old & 0xffffffffull) | (value << 32);
    else
        nw = (old & ~0xffffffffull) | (value & 0xffffffffull);
    r->now++;
    if (nw == old)
        return MMULAB_OK;
    if (grow((void **)&r->log, &r->caplog, r->nlog, sizeof *r->log))
        return MMULAB_E_NOMEM;
    r->log[r->nlog++] = (wlog_t){.pa = word, .old = old, .t_end = r->now};
    physmem_poke64(r->mem, word, nw);
    return MMULAB_OK;
}

int mmulab_ref_mem_write(mmulab_ref_t *r, uint64_t pa, uint64_t value, unsigned size)
{
    if (!r)
        return MMULAB_E_ARG;
    int rc = check_pa(r, pa, size);
    return rc ? rc : ref_write_logged(r, pa, size == 4 ? value & 0xffffffffull : value, size);
}

int mmulab_ref_mem_read(mmulab_ref_t *r, uint64_t pa, unsigned size, uint64_t *value)
{
    if (!r || !value)
        return MMULAB_E_ARG;
    int rc = check_pa(r, pa, size);
    if (rc)
        return rc;
    *value = ref_read_mem(r->mem, pa, size);
    return MMULAB_OK;
}

static void say(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t len, const char *fmt, ...)
{
    if (!why || !len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
}

int mmulab_ref_ad_write(mmulab_ref_t *r, uint64_t pa, uint64_t value, unsigned size, char *why, size_t why_len)
{
    if (!r)
        return MMULAB_E_ARG;
    int rc = check_pa(r, pa, size);
    if (rc)
        return rc;
    uint64_t old = ref_read_mem(r->mem, pa, size);
    if (size == 4)
        value &= 0xffffffffull;
    r->stats.ad_writes++;
    if ((value & ~(PTE_A | PTE_D)) != (old & ~(PTE_A | PTE_D)) || (old & ~value & (PTE_A | PTE_D))) {
        say(why, why_len, "A/D write at pa=0x%" PRIx64 ": 0x%" PRIx64 " -> 0x%" PRIx64 " changes more than "
            "setting A/D (SDM 4.8: the processor only sets A and D)", pa, old, value);
        r->stats.mismatches++;
        return MMULAB_MISMATCH;
    }
    say(why, why_len, "ok");
    return ref_write_logged(r, pa, value, size);
}

/* ---- registers and invalidations -------------------------------------------------------- */

static int ctrl(mmulab_ref_t *r, const mmu_ctrl_t *op)
{
    ref_cpu_t before = r->cpu;
    ref_flush_t fl;
    uint16_t pcid;
    mmu_fault_t f = ref_ctrl(&r->cpu, r->M, op, ref_read_mem, r->mem, &fl, &pcid);
    if (f != FAULT_NONE)
        return f == FAULT_UD ? MMULAB_E_UD : MMULAB_E_GP;
    r->now++;
    if (!same_ctx(&before, &r->cpu, r->M) || ref_cpu_mode(&r->cpu) != ref_cpu_mode(&before))
        leave_ctx(r);
    apply_flush(r, fl, pcid);
    return note_ctx(r);
}

int mmulab_ref_write_reg(mmulab_ref_t *r, int reg, uint64_t value)
{
    static const mmu_ctrl_kind_t kinds[] = {CTRL_CR0, CTRL_CR3, CTRL_CR4, CTRL_EFER, CTRL_WRPKRU, CTRL_WRPKRS};
    if (!r || reg < MMULAB_CR0 || reg > MMULAB_PKRS)
        return MMULAB_E_ARG;
    mmu_ctrl_t op = {.kind = kinds[reg], .value = value};
    return ctrl(r, &op);
}

int mmulab_ref_read_reg(mmulab_ref_t *r, int reg, uint64_t *value)
{
    if (!r || !value)
        return MMULAB_E_ARG;
    switch (reg) {
    case MMULAB_CR0: *value = r->cpu.cr0; return MMULAB_OK;
    case MMULAB_CR3: *value = r->cpu.cr3; return MMULAB_OK;
    case MMULAB_CR4: *value = r->cpu.cr4; return MMULAB_OK;
    case MMULAB_EFER: *value = r->cpu.efer; return MMULAB_OK;
    case MMULAB_PKRU: *value = r->cpu.pkru; return MMULAB_OK;
    case MMULAB_PKRS: *value = r->cpu.pkrs; return MMULAB_OK;
    default: return MMULAB_E_ARG;
    }
}

static int add_pinv(mmulab_ref_t *r, vaddr_t va, uint16_t pcid, bool global)
{
    if (grow((void **)&r->pinv, &r->cappinv, r->npinv, sizeof *r->pinv))
        return MMULAB_E_NOMEM;
    r->pinv[r->npinv++] = (pinv_t){.va = va, .pcid = pcid, .global = global, .t = r->now};
    return MMULAB_OK;
}

int mmulab_ref_invlpg(mmulab_ref_t *r, uint64_t va)
{
    if (!r)
        return MMULAB_E_ARG;
    paging_mode_t mode = ref_cpu_mode(&r->cpu);
    if (mode >= PAGING_4LEVEL && !canonical(va, va_bits_of(mode)))
        return MMULAB_OK;            /* INVLPG of a non-canonical address is a no-op (SDM INVLPG) */
    uint16_t pcid = ref_cpu_pcid(&r->cpu);
    r->now++;
    r->flush_pwc[pcid] = r->now;     /* all paging-structure caches of the PCID (SDM 4.10.4.1) */
    return add_pinv(r, mode <= PAGING_PAE ? va & 0xffffffffull : va, pcid, true);
}

int mmulab_ref_invpcid(mmulab_ref_t *r, unsigned type, uint64_t pcid, uint64_t va)
{
    if (!r)
        return MMULAB_E_ARG;
    mmu_ctrl_t op = {.kind = CTRL_INVPCID, .invpcid_type = type, .pcid = (uint32_t)pcid, .va = va};
    if (pcid > 0xfff)
        return MMULAB_E_GP;
    int rc = ctrl(r, &op);
    if (rc || type != 0)
        return rc;
    r->flush_pwc[pcid] = r->now;
    return add_pinv(r, va, (uint16_t)pcid, false);
}

/* ---- the check ------------------------------------------------------------------------- */

/* The values the entry at pa held at some tick after `since` (now included), with the tick each
 * stopped being in memory. */
static unsigned entry_values(const mmulab_ref_t *r, paddr_t pa, unsigned size, uint64_t since,
                             uint64_t vals[MAX_VALUES], uint64_t ends[MAX_VALUES])
{
    unsigned n = 0;
    vals[n] = ref_read_mem(r->mem, pa, size);
    ends[n++] = T_NOW;
    for (size_t i = r->nlog; i-- > 0 && n < MAX_VALUES;) {
        const wlog_t *w = &r->log[i];
        if (w->t_end <= since)
            break;                   /* the log is in tick order */
        if (w->pa != (pa & ~7ull))
            continue;
        uint64_t v = size == 8 ? w->old : (pa & 4) ? w->old >> 32 : w->old & 0xffffffffull;
        bool seen = false;
        for (unsigned k = 0; k < n; k++)
            seen = seen || vals[k] == v;
        if (!seen) {
            vals[n] = v;
            ends[n++] = w->t_end;
        }
    }
    return n;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* The last per-address invalidation of va's region of 2^shift bytes for pcid (or global). */
static uint64_t pinv_since(const mmulab_ref_t *r, vaddr_t va, unsigned shift, int pcid, bool global)
{
    uint64_t t = 0;
    for (size_t i = 0; i < r->npinv; i++) {
        const pinv_t *p = &r->pinv[i];
        if ((p->va >> shift) != (va >> shift))
            continue;
        if (global ? p->global : p->pcid == pcid)
            t = max64(t, p->t);
    }
    return t;
}

enum { CAND_WALK, CAND_TLB, CAND_GLOBAL };

typedef struct {
    mmulab_ref_t *r;
    const mmu_req_t *req;
    ref_cpu_t cpu;               /* the context's paging state with today's WP/SMEP/SMAP and keys */
    int kind;                    /* CAND_* */
    uint64_t since;              /* invalidations that apply to every entry of this kind */
    uint64_t ctx_last;           /* the context was current until (TLB candidates) */
    const mmulab_result_t *want;
    bool found, stale;
} search_t;

static bool matches(const ref_pred_t *p, const mmulab_result_t *w)
{
    if (p->fault == REF_F_NONE)
        return w->fault == MMULAB_FAULT_NONE && w->pa == p->pa && w->page_shift == p->shift;
    if (p->fault == REF_F_GP)
        return w->fault == MMULAB_FAULT_GP;
    return w->fault == MMULAB_FAULT_PF && w->error_code == p->ec;
}

/* Tries every value of the next entry; min_end: the earliest tick a value used so far left memory. */
static void search(search_t *s, ref_walk_t w, uint64_t min_end, bool any_old)
{
    if (s->found)
        return;
    mmulab_ref_t *r = s->r;
    uint16_t pcid = ref_cpu_pcid(&s->cpu);
    uint64_t since = s->since;
    if (s->kind == CAND_WALK) {
        /* a paging-structure cache entry for this level's region */
        since = max64(since, max64(r->flush_pwc[pcid], pinv_since(r, w.va, lvl_shift(w.mode, w.level), pcid, false)));
    }
    uint64_t vals[MAX_VALUES], ends[MAX_VALUES];
    paddr_t pa = ref_walk_entry_pa(&w);
    unsigned n = entry_values(r, pa, ref_walk_entry_size(&w), since, vals, ends);
    for (unsigned i = 0; i < n && !s->found; i++) {
        ref_walk_t nw = w;
        ref_pred_t out;
        bool ended = ref_walk_next(&s->cpu, r->M, s->req, &nw, vals[i], &out);
        bool old = ends[i] != T_NOW;
        if (!ended) {
            search(s, nw, ends[i] < min_end ? ends[i] : min_end, any_old || old);
            continue;
        }
        if (s->kind == CAND_WALK) {
            if (old)
                continue;            /* the entry a walk ends on is read from memory now */
        } else {
            if (!out.leaf_ok)
                continue;            /* only valid leaves are cached */
            if (s->kind == CAND_GLOBAL && !(vals[i] & PTE_G))
                continue;
            /* INVLPG removes the page's global entries in every PCID, any per-address
             * invalidation the PCID's own (SDM 4.10.4.1) */
            uint64_t lim = s->kind == CAND_GLOBAL ? pinv_since(r, w.va, out.shift, -1, true)
                                                  : pinv_since(r, w.va, out.shift, pcid, false);
            uint64_t used_end = ends[i] < min_end ? ends[i] : min_end;
            if (used_end <= lim || s->ctx_last <= lim)
                continue;            /* invalidated after the entry said so */
        }
        if (matches(&out, s->want)) {
            s->found = true;
            s->stale = any_old || old || s->kind != CAND_WALK;
        }
    }
}

static int check_req(const mmulab_access_t *a, mmu_req_t *q)
{
    if (!a || a->access < MMULAB_READ || a->access > MMULAB_EXEC || a->cpl > 3)
        return MMULAB_E_ARG;
    memset(q, 0, sizeof *q);
    q->va = a->va;
    q->access = (mmu_access_t)a->access;
    q->cpl = a->cpl;
    q->ac = a->ac;
    q->implicit = a->implicit;
    return MMULAB_OK;
}

static void to_result(const ref_pred_t *p, mmulab_result_t *out)
{
    memset(out, 0, sizeof *out);
    out->fault = p->fault == REF_F_NONE ? MMULAB_FAULT_NONE : p->fault == REF_F_GP ? MMULAB_FAULT_GP : MMULAB_FAULT_PF;
    out->error_code = p->fault == REF_F_NONE || p->fault == REF_F_GP ? 0 : p->ec;
    out->pa = p->pa;
    out->page_shift = p->shift;
}

static void describe(const mmulab_result_t *x, char *buf, size_t len)
{
    if (x->fault == MMULAB_FAULT_NONE)
        snprintf(buf, len, "pa=0x%" PRIx64 " (page shift %u)", x->pa, x->page_shift);
    else if (x->fault == MMULAB_FAULT_GP)
        snprintf(buf, len, "#GP");
    else
        snprintf(buf, len, "#PF ec=0x%x", (unsigned)x->error_code);
}

int mmulab_ref_translate(mmulab_ref_t *r, const mmulab_access_t *a, mmulab_result_t *res)
{
    mmu_req_t q;
    if (!r || !res || check_req(a, &q))
        return MMULAB_E_ARG;
    ref_pred_t p;
    ref_translate(&r->cpu, r->M, &q, ref_read_mem, r->mem, &p);
    to_result(&p, res);
    return MMULAB_OK;
}

/* The leaf entry of the fresh walk (for the mismatch line), 0 if the walk ended above. */
static paddr_t fresh_last_entry(const mmulab_ref_t *r, const mmu_req_t *q, int *level)
{
    ref_walk_t w;
    ref_pred_t p;
    paddr_t pa = 0;
    *level = 0;
    if (ref_walk_begin(&r->cpu, r->M, q, &w, &p))
        return 0;
    do {
        pa = ref_walk_entry_pa(&w);
        *level = w.level;
    } while (!ref_walk_next(&r->cpu, r->M, q, &w, ref_read_mem(r->mem, pa, ref_walk_entry_size(&w)), &p));
    return pa;
}

int mmulab_ref_check(mmulab_ref_t *r, const mmulab_access_t *a, const mmulab_result_t *res, char *why, size_t why_len)
{
    mmu_req_t q;
    if (!r || !res || check_req(a, &q))
        return MMULAB_E_ARG;
    r->stats.checks++;
    ref_cpu_t *c = &r->cpu;
    paging_mode_t mode = ref_cpu_mode(c);
    uint16_t pcid = ref_cpu_pcid(c);
    search_t s = {.r = r, .req = &q, .want = res};
    ref_walk_t w;
    ref_pred_t fresh;
    bool decided = ref_walk_begin(c, r->M, &q, &w, &fresh);
    if (decided) {
        s.found = matches(&fresh, res);
    } else {
        /* (a) a walk now, upper levels possibly from paging-structure caches */
        s.cpu = *c;
        s.kind = CAND_WALK;
        s.since = max64(r->flush_all, max64(r->flush_nonglobal, r->flush_pcid[pcid]));
        s.ctx_last = T_NOW;
        search(&s, w, T_NOW, false);
        /* (b), (c) TLB entries of this or another context */
        for (size_t i = 0; i < r->nctx && !s.found; i++) {
            const ctx_t *x = &r->ctx[i];
            if (ref_cpu_mode(&x->cpu) != mode)
                continue;
            s.cpu = x->cpu;
            s.cpu.cr0 = (x->cpu.cr0 & ~CR0_WP) | (c->cr0 & CR0_WP);
            uint64_t now4 = CR4_SMEP | CR4_SMAP | CR4_PKE | CR4_PKS;
            s.cpu.cr4 = (x->cpu.cr4 & ~now4) | (c->cr4 & now4);
            s.cpu.pkru = c->pkru;    /* a TLB entry holds the key; its rights come from today's */
            s.cpu.pkrs = c->pkrs;    /* PKRU / IA32_PKRS (SDM 4.6.2: WRPKRU invalidates nothing) */
            ref_walk_t xw;
            ref_pred_t dummy;
            if (ref_walk_begin(&s.cpu, r->M, &q, &xw, &dummy))
                continue;
            s.ctx_last = x->t_last;
            if (ref_cpu_pcid(&x->cpu) == pcid) {
                s.kind = CAND_TLB;
                s.since = max64(r->flush_all, max64(r->flush_nonglobal, r->flush_pcid[pcid]));
                if (s.ctx_last > s.since)
                    search(&s, xw, T_NOW, false);
            }
            if (!s.found && (x->cpu.cr4 & CR4_PGE)) {
                s.kind = CAND_GLOBAL;
                s.since = r->flush_all;
                if (s.ctx_last > s.since)
                    search(&s, xw, T_NOW, false);
            }
        }
    }
    if (s.found) {
        if (s.stale)
            r->stats.stale_permitted++;
        if (res->fault == MMULAB_FAULT_PF) {
            /* a page fault invalidates the TLB and paging-structure-cache entries of its address
             * for the current PCID (SDM 4.10.4.1) */
            r->now++;
            add_pinv(r, mode <= PAGING_PAE ? q.va & 0xffffffffull : q.va, pcid, false);
        }
        say(why, why_len, s.stale ? "ok (a cached translation the SDM lets the design keep, 4.10.4.3)" : "ok");
        return MMULAB_OK;
    }
    r->stats.mismatches++;
    mmulab_result_t want;
    char got[96], exp[96];
    to_result(&fresh, &want);
    describe(res, got, sizeof got);
    describe(decided ? &want : (ref_translate(c, r->M, &q, ref_read_mem, r->mem, &fresh), to_result(&fresh, &want), &want),
             exp, sizeof exp);
    static const char *const acc[] = {"read", "write", "exec"};
    int level;
    paddr_t entry = fresh_last_entry(r, &q, &level);
    if (mode == PAGING_OFF)
        say(why, why_len, "va=0x%" PRIx64 " %s: got %s, paging is off: expected %s (SDM 4.1.1)", q.va, acc[q.access], got, exp);
    else if (fresh.fault == REF_F_GP)
        say(why, why_len, "va=0x%" PRIx64 " %s: got %s, expected #GP: not canonical (SDM 4.5.1)", q.va, acc[q.access], got);
    else
        say(why, why_len, "va=0x%" PRIx64 " %s cpl%u: got %s; the tables give %s (level-%d entry at pa=0x%" PRIx64
            " = 0x%" PRIx64 ") and no translation cached since the last invalidation gives the result (SDM 4.10.2, 4.10.4)",
            q.va, acc[q.access], q.cpl, got, exp, level, entry, entry ? ref_read_mem(r->mem, entry, esize(mode)) : 0);
    return MMULAB_MISMATCH;
}

int mmulab_ref_get_stats(const mmulab_ref_t *r, mmulab_ref_stats_t *st)
{
    if (!r || !st)
        return MMULAB_E_ARG;
    *st = r->stats;
    return MMULAB_OK;
}
