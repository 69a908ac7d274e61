/* The constrained-random generator (sim/verif/stimgen.h): determinism, the log as a
 * script, well-formed tables per mode, the operation mix, replay, and that the
 * self-checks really fail when a backend misbehaves (a wrapped model backend
 * injects one kind of error at a time). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "coverage.h"
#include "ptbuild.h"
#include "script.h"
#include "stimgen.h"

static sg_opts_t opts(uint64_t seed, uint64_t ops)
{
    sg_opts_t o;
    sg_defaults(&o);
    o.seed = seed;
    o.ops = ops;
    o.replay = false;
    o.rerun = false;
    return o;
}

static void run_ok(const sg_opts_t *o, sg_report_t *r, cov_t *cov)
{
    int st = sg_run(o, r, cov);
    if (st != 0)
        fail_msg("seed %" PRIu64 ": status %d: %s", o->seed, st, r->failure);
}

/* ---- determinism ----------------------------------------------------------- */

static void test_same_seed_same_log(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 4; seed++) {
        sg_opts_t o = opts(seed, 600);
        sg_report_t a, b;
        run_ok(&o, &a, NULL);
        run_ok(&o, &b, NULL);
        assert_int_equal(a.log_len, b.log_len);
        assert_memory_equal(a.log, b.log, a.log_len);
        assert_true(a.digest == b.digest);
        assert_true(a.checks > 0 && a.accesses > 0);
        sg_report_free(&a);
        sg_report_free(&b);
    }
}

static void test_different_seeds_differ(void **state)
{
    (void)state;
    enum { N = 6 };
    sg_report_t r[N];
    for (int i = 0; i < N; i++) {
        sg_opts_t o = opts((uint64_t)i + 100, 400);
        run_ok(&o, &r[i], NULL);
    }
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++) {
            assert_true(r[i].digest != r[j].digest);
            assert_false(r[i].log_len == r[j].log_len && memcmp(r[i].log, r[j].log, r[i].log_len) == 0);
        }
    for (int i = 0; i < N; i++)
        sg_report_free(&r[i]);
}

/* ---- the log is a script ------------------------------------------------------ */

static const char *const commands[] = {"config", "poke64", "poke32", "cr0", "cr3", "cr4", "efer", "access",
                                       "sync", "invlpg", "invpcid", "expect64", "wrpkru", "wrmsr", NULL};

static bool known_command(const char *t)
{
    for (int i = 0; commands[i]; i++)
        if (strcmp(t, commands[i]) == 0)
            return true;
    return false;
}

/* Counts of what the logs of a few seeds contain. */
typedef struct {
    unsigned access[3], user, sup, cpl12, ac, implicit, at_cycle;
    unsigned cr0, cr3, cr3_noflush, cr4, efer, invlpg, invpcid[4], invpcid_bad, poke64, poke32, sync, expect64;
    unsigned wrpkru, wrmsr_pkrs, pke;
} mix_t;

static void scan_log(const sg_report_t *r, mix_t *m)
{
    char *copy = malloc(r->log_len + 1);
    assert_non_null(copy);
    memcpy(copy, r->log, r->log_len);
    copy[r->log_len] = '\0';
    char *save = NULL;
    unsigned lineno = 0;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *t[SCRIPT_MAX_TOKENS];
        lineno++;
        int n = script_tokenize(line, t, SCRIPT_MAX_TOKENS);
        if (n < 0)
            fail_msg("line %u: too many tokens", lineno);
        if (n == 0)
            continue;
        if (!known_command(t[0]))
            fail_msg("line %u: unknown command '%s'", lineno, t[0]);
        uint64_t v;
        if (!strcmp(t[0], "wrmsr")) {          /* wrmsr pkrs VALUE */
            if (n < 3 || strcmp(t[1], "pkrs") != 0 || script_parse_number(t[2], &v) != 0)
                fail_msg("line %u: bad wrmsr line", lineno);
            m->wrmsr_pkrs++;
            continue;
        }
        if (strcmp(t[0], "config") != 0 && strcmp(t[0], "sync") != 0 && n >= 2 &&
            script_parse_number(t[1], &v) != 0)
            fail_msg("line %u: '%s' is not a number", lineno, t[1]);
        if (!strcmp(t[0], "access")) {
            assert_true(n >= 4);
            m->access[t[2][0] == 'r' ? 0 : t[2][0] == 'w' ? 1 : 2]++;
            assert_true(!strcmp(t[2], "r") || !strcmp(t[2], "w") || !strcmp(t[2], "x"));
            if (!strcmp(t[3], "user"))
                m->user++;
            else if (!strcmp(t[3], "sup"))
                m->sup++;
            else if (!strncmp(t[3], "cpl=", 4))
                m->cpl12++;
            else
                fail_msg("line %u: bad privilege '%s'", lineno, t[3]);
            for (int i = 4; i < n; i++) {
                if (!strcmp(t[i], "ac"))
                    m->ac++;
                else if (!strcmp(t[i], "implicit"))
                    m->implicit++;
                else if (!strncmp(t[i], "@+", 2) && script_parse_number(t[i] + 2, &v) == 0)
                    m->at_cycle++;
                else
                    fail_msg("line %u: unexpected '%s'", lineno, t[i]);
            }
        } else if (!strcmp(t[0], "cr0")) {
            m->cr0++;
        } else if (!strcmp(t[0], "cr3")) {
            m->cr3++;
            if (script_parse_number(t[1], &v) == 0 && (v >> 63))
                m->cr3_noflush++;
        } else if (!strcmp(t[0], "cr4")) {
            m->cr4++;
            if (script_parse_number(t[1], &v) == 0 && (v & CR4_PKE))
                m->pke++;
        } else if (!strcmp(t[0], "wrpkru")) {
            m->wrpkru++;
        } else if (!strcmp(t[0], "efer")) {
            m->efer++;
        } else if (!strcmp(t[0], "invlpg")) {
            m->invlpg++;
        } else if (!strcmp(t[0], "invpcid")) {
            assert_true(n >= 4);
            assert_int_equal(script_parse_number(t[1], &v), 0);
            if (v < 4)
                m->invpcid[v]++;
            else
                m->invpcid_bad++;
        } else if (!strcmp(t[0], "poke64")) {
            m->poke64++;
        } else if (!strcmp(t[0], "poke32")) {
            m->poke32++;
        } else if (!strcmp(t[0], "sync")) {
            m->sync++;
        } else if (!strcmp(t[0], "expect64")) {
            m->expect64++;
        }
    }
    free(copy);
}

static void test_every_line_parses(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 8; seed++) {
        sg_opts_t o = opts(seed, 500);
        sg_report_t r;
        mix_t m = {0};
        run_ok(&o, &r, NULL);
        scan_log(&r, &m);
        sg_report_free(&r);
    }
}

static void test_mix_has_every_kind(void **state)
{
    (void)state;
    mix_t m = {0};
    cov_t *cov = calloc(1, sizeof *cov);
    assert_non_null(cov);
    cov_init(cov, NULL);
    static const paging_mode_t modes[] = {PAGING_32, PAGING_PAE, PAGING_4LEVEL, PAGING_5LEVEL};
    for (uint64_t seed = 1; seed <= 8; seed++) {
        sg_opts_t o = opts(seed, 2000);
        o.mode = modes[seed % 4];
        sg_report_t r;
        run_ok(&o, &r, cov);
        scan_log(&r, &m);
        sg_report_free(&r);
    }
    for (int i = 0; i < 3; i++)
        assert_true(m.access[i] > 0);
    assert_true(m.user && m.sup && m.cpl12 && m.ac && m.implicit && m.at_cycle);
    assert_true(m.cr0 && m.cr3 && m.cr3_noflush && m.cr4 && m.efer && m.invlpg);
    for (int i = 0; i < 4; i++)
        assert_true(m.invpcid[i] > 0);
    assert_true(m.invpcid_bad > 0);
    assert_true(m.poke64 && m.poke32 && m.sync && m.expect64);
    assert_true(m.wrpkru && m.wrmsr_pkrs && m.pke);   /* protection keys (pk=1 by default) */
    unsigned key_bins = 0;
    for (int k = 0; k < COV_NKEYS; k++)
        key_bins += cov->keys[k] > 0;
    assert_true(key_bins >= COV_NKEYS / 2);

    /* hits, not just misses; faults of every kind; #GP on control writes */
    uint64_t l1 = 0, l2 = 0, pwc = 0, walks = 0, faults[COV_NFAULTS] = {0};
    for (int md = 0; md < COV_NMODES; md++)
        for (int s = 0; s < COV_NSIZES; s++)
            for (int f = 0; f < COV_NFAULTS; f++)
                for (int p = 0; p < COV_NPWC; p++)
                    for (int t = 0; t < COV_NTLB; t++) {
                        uint64_t n = cov->access[md][s][f][p][t];
                        faults[f] += n;
                        l1 += t == COV_T_L1 ? n : 0;
                        l2 += t == COV_T_L2 ? n : 0;
                        walks += t == COV_T_MISS && f == COV_F_NONE ? n : 0;
                        pwc += t == COV_T_MISS && p != COV_P_NONE ? n : 0;
                    }
    assert_true(l1 > cov->accesses / 20 && l2 > 0 && pwc > cov->accesses / 20 && walks > 0);
    for (int f = 0; f < COV_NFAULTS; f++)
        assert_true(faults[f] > 0);
    uint64_t gp = 0;
    for (int k = COV_I_GP_CR0; k <= COV_I_GP_INVPCID; k++)
        for (int md = 0; md < COV_NMODES; md++)
            gp += cov->inval[k][md];
    assert_true(gp > 0);
    free(cov);
}

/* ---- tables ------------------------------------------------------------------- */

static paddr_t leaf_base(paging_mode_t mode, uint64_t e, unsigned shift, unsigned maxphyaddr)
{
    paddr_t b;
    if (mode == PAGING_32)
        b = shift == 22 ? (e & 0xffc00000ull) | (((e >> 13) & 0xff) << 32) : e & 0xfffff000ull;
    else
        b = e & 0x000ffffffffff000ull & ~((1ull << shift) - 1);
    return b & ((1ull << maxphyaddr) - 1);
}

static void check_tables(uint64_t seed, paging_mode_t mode, unsigned *sizes_seen)
{
    char err[256];
    sg_opts_t o = opts(seed, 100);
    o.mode = mode;
    sg_t *g = sg_create(&o, err, sizeof err);
    if (!g)
        fail_msg("sg_create: %s", err);
    assert_int_equal(sg_mode(g), mode);
    physmem_t *img = sg_image(g);
    unsigned M = physmem_maxphyaddr(img);
    size_t n = sg_num_leaves(g), in_mode = 0;
    int top = mode == PAGING_5LEVEL ? 5 : mode == PAGING_4LEVEL ? 4 : mode == PAGING_PAE ? 3 : 2;
    for (size_t i = 0; i < n; i++) {
        const sg_leaf_t *l = sg_leaf(g, i);
        if (l->mode != mode)
            continue;      /* a second table set of another mode */
        in_mode++;
        ptbuild_t b = {.mem = img, .mode = mode, .root = l->root, .maxphyaddr = M};
        unsigned shift = l->shift;
        int leaf_level = shift == 12 ? 1 : shift == 30 ? 3 : 2;
        assert_true(shift == 12 || shift == 30 || shift == (mode == PAGING_32 ? 22u : 21u));
        assert_true(mode >= PAGING_4LEVEL || shift != 30);
        assert_int_equal(l->va & ((1ull << shift) - 1), 0);
        assert_int_equal(l->pa & ((1ull << shift) - 1), 0);
        if (mode <= PAGING_PAE) {
            assert_true(l->va >> 32 == 0);
            assert_true(l->root < (1ull << 32));
        } else {
            unsigned vb = mode == PAGING_5LEVEL ? 57 : 48;
            assert_true((uint64_t)((int64_t)(l->va << (64 - vb)) >> (64 - vb)) == l->va);
        }
        sizes_seen[shift == 12 ? 0 : shift == 30 ? 2 : 1]++;
        for (int level = top; level >= leaf_level; level--) {
            paddr_t ea = ptb_entry_addr(&b, l->va, level);
            if (!ea)
                fail_msg("seed %" PRIu64 " %s: leaf 0x%" PRIx64 " has no level-%d entry", seed,
                         paging_mode_name(mode), l->va, level);
            assert_true(ea >= SG_FRAME_BASE && ea < SG_FRAME_LIMIT);
            uint64_t e = ptb_read_entry(&b, ea);
            assert_true(e != 0);
            if (mode == PAGING_PAE && level == 3) {
                /* loadable PDPTE registers: no reserved bits in a present PDPTE */
                uint64_t rsvd = 0x6ull | 0x1e0ull | ~((1ull << M) - 1);
                assert_true(!(e & 1) || !(e & rsvd));
            }
            if (level > leaf_level) {
                /* (bits from maxphyaddr up may be a reserved bit set on purpose) */
                paddr_t next = (mode == PAGING_32 ? e & 0xfffff000ull : e & 0x000ffffffffff000ull) & ((1ull << M) - 1);
                assert_true(next >= SG_FRAME_BASE && next < SG_FRAME_LIMIT);
                assert_false((level == 2 || (level == 3 && mode >= PAGING_4LEVEL)) && (e & PTE_PS));
            } else {
                if (shift > 12)
                    assert_true(e & PTE_PS);    /* in a PTE, bit 7 is PAT and may be set */
                if (leaf_base(mode, e, shift, M) != l->pa)
                    fail_msg("seed %" PRIu64 " %s: leaf 0x%" PRIx64 " maps 0x%" PRIx64 ", recorded 0x%" PRIx64, seed,
                             paging_mode_name(mode), l->va, leaf_base(mode, e, shift, M), l->pa);
            }
        }
    }
    assert_true(in_mode >= 4);
    sg_destroy(g);
}

static void test_tables_well_formed(void **state)
{
    (void)state;
    static const paging_mode_t modes[] = {PAGING_32, PAGING_PAE, PAGING_4LEVEL, PAGING_5LEVEL};
    for (int m = 0; m < 4; m++) {
        unsigned sizes[3] = {0};
        for (uint64_t seed = 1; seed <= 25; seed++)
            check_tables(seed, modes[m], sizes);
        assert_true(sizes[0] > 0 && sizes[1] > 0);
        if (modes[m] >= PAGING_4LEVEL)
            assert_true(sizes[2] > 0);
        else
            assert_int_equal(sizes[2], 0);
    }
}

/* ---- replay ------------------------------------------------------------------- */

static void test_replay_and_rerun(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        sg_opts_t o = opts(seed, 800);
        o.replay = o.rerun = true;
        sg_report_t r;
        run_ok(&o, &r, NULL);
        uint64_t d = 0;
        char err[512];
        assert_int_equal(sg_replay(r.log, r.log_len, BACKEND_MODEL, &d, err, sizeof err), 0);
        assert_true(d == r.digest);
        /* one more access at the end: a different digest */
        char *t = malloc(r.log_len + 64);
        assert_non_null(t);
        memcpy(t, r.log, r.log_len);
        int k = sprintf(t + r.log_len, "access 0x1000 r sup\n");
        assert_int_equal(sg_replay(t, r.log_len + (size_t)k, BACKEND_MODEL, &d, err, sizeof err), 0);
        assert_true(d != r.digest);
        /* a broken line: the interpreter's message comes back */
        memcpy(t, r.log, r.log_len);
        t[r.log_len] = '\0';
        char *acc = strstr(t, "\naccess ");
        assert_non_null(acc);
        memcpy(acc + 1, "acess  ", 7);
        assert_int_equal(sg_replay(t, r.log_len, BACKEND_MODEL, &d, err, sizeof err), -1);
        assert_non_null(strstr(err, "unknown command"));
        free(t);
        sg_report_free(&r);
    }
}

/* ---- the checks fail when they should ----------------------------------------- */

enum { INJ_WALK_PA, INJ_HIT_PA, INJ_CTRL_GP, INJ_CR_VALUE, INJ_SYNC, INJ_REJECT, INJ_MEMORY, INJ_FINISH };

typedef struct {
    backend_t *inner;
    physmem_t *mem;
    int kind;
    mmu_result_t *outs[4096];
    size_t nouts;
    unsigned count;
    bool injected;
} inj_t;

static int inj_submit(void *impl, const mmu_req_t *req, mmu_result_t *out)
{
    inj_t *x = impl;
    if (x->kind == INJ_REJECT && ++x->count == 300)
        return -1;
    if (x->nouts < 4096)
        x->outs[x->nouts++] = out;
    return backend_submit(x->inner, req, out);
}

static int inj_sync(void *impl)
{
    inj_t *x = impl;
    int rc = backend_sync(x->inner);
    for (size_t i = 0; i < x->nouts; i++) {
        mmu_result_t *r = x->outs[i];
        if (r->fault != FAULT_NONE)
            continue;
        if (x->kind == INJ_WALK_PA && r->walked && r->pwc_hit == 0 && ++x->count == 20)
            r->pa ^= 0x1000;
        if (x->kind == INJ_HIT_PA && r->tlb_hit == TLB_HIT_L1)
            r->pa ^= 0x2000;            /* every L1 hit: some of them are checkable */
    }
    x->nouts = 0;
    if (x->kind == INJ_SYNC && ++x->count == 40)
        return -1;
    if (x->kind == INJ_MEMORY && !x->injected && ++x->count == 30) {
        /* the "walker" sets a bit it must not touch in the first table word it finds */
        for (paddr_t pa = SG_FRAME_BASE; pa < SG_FRAME_BASE + 0x100000; pa += 8) {
            uint64_t v = physmem_peek64(x->mem, pa);
            if (v & PTE_P) {
                physmem_write64(x->mem, pa, v | (1ull << 9));
                x->injected = true;
                break;
            }
        }
    }
    return rc;
}

static int inj_control(void *impl, const mmu_ctrl_t *op, mmu_ctrl_result_t *out)
{
    inj_t *x = impl;
    int rc = backend_control(x->inner, op, out);
    if (x->kind == INJ_CTRL_GP && op->kind == CTRL_CR4 && ++x->count == 3)
        out->fault = out->fault == FAULT_GP ? FAULT_NONE : FAULT_GP;
    return rc;
}

static cycle_t inj_horizon(const void *impl)
{
    const inj_t *x = impl;
    return backend_horizon(x->inner);
}

static void inj_arch(const void *impl, mmu_arch_t *out)
{
    const inj_t *x = impl;
    backend_arch_state(x->inner, out);
    if (x->kind == INJ_CR_VALUE && (out->cr4 & CR4_PGE))
        out->cr0 ^= CR0_WP;
}

static const mmu_stats_t *inj_stats(const void *impl)
{
    const inj_t *x = impl;
    return backend_stats(x->inner);
}

static void inj_clear(void *impl)
{
    inj_t *x = impl;
    backend_clear_stats(x->inner);
}

static int inj_finish(void *impl)
{
    inj_t *x = impl;
    return x->kind == INJ_FINISH ? -1 : backend_finish(x->inner);
}

static void inj_destroy(void *impl)
{
    inj_t *x = impl;
    backend_destroy(x->inner);
    free(x);
}

static int inj_data_access(void *impl, paddr_t pa, bool is_write)
{
    inj_t *x = impl;
    return backend_data_access(x->inner, pa, is_write);
}

static const backend_ops_t inj_ops = {inj_submit, inj_sync, inj_control, inj_horizon, inj_arch,
                                      inj_stats, inj_clear, inj_finish, inj_destroy, inj_data_access};

static backend_t *make_injector(void *ctx, backend_kind_t kind, const mmu_config_t *cfg, physmem_t *mem, char *err)
{
    inj_t *x = calloc(1, sizeof *x);
    backend_t *b = malloc(sizeof *b);
    if (!x || !b) {
        free(x);
        free(b);
        return NULL;
    }
    x->inner = backend_create(kind, cfg, mem, err);
    x->mem = mem;
    x->kind = *(const int *)ctx;
    *b = (backend_t){BACKEND_MODEL, &inj_ops, x};
    return b;
}

static void expect_failure(int kind, const char *text)
{
    int k = kind;
    bool seen = false;
    for (uint64_t seed = 1; seed <= 6 && !seen; seed++) {
        sg_opts_t o = opts(seed, 2000);
        o.make_backend = make_injector;
        o.make_ctx = &k;
        sg_report_t r;
        int st = sg_run(&o, &r, NULL);
        if (st != 0) {
            assert_int_equal(st, 1);
            if (!strstr(r.failure, text))
                fail_msg("injection %d: failure '%s' lacks '%s'", kind, r.failure, text);
            assert_non_null(strstr(r.log, "# stopped here"));
            seen = true;
        }
        sg_report_free(&r);
    }
    if (!seen)
        fail_msg("injection %d was not detected in 6 seeds", kind);
}

static void test_checks_catch_errors(void **state)
{
    (void)state;
    expect_failure(INJ_WALK_PA, "a walk with no PWC hit gave");
    expect_failure(INJ_HIT_PA, "no stale entry can exist");
    expect_failure(INJ_CTRL_GP, "the shadow expects");
    expect_failure(INJ_CR_VALUE, "registers after it");
    expect_failure(INJ_SYNC, "reported a divergence");
    expect_failure(INJ_REJECT, "rejected the access");
    expect_failure(INJ_MEMORY, "the walker may only set A/D bits");
    expect_failure(INJ_FINISH, "end-of-run check failed");
}

/* A run that enters 32-bit paging only by clearing CR4.PAE under paging (its knob modes are
 * 5-level and PAE) walks 8-byte tables as 4-byte ones, and the walker then sets A/D in the
 * upper half of an 8-byte word (seed 265: the word at 0x1063ed8). The end-of-run check used
 * to call that a walker write outside A/D. */
static void test_ad_bits_after_pae_toggle(void **state)
{
    (void)state;
    sg_opts_t o = opts(265, 2000);
    sg_report_t r;
    run_ok(&o, &r, NULL);
    sg_report_free(&r);
}

/* ---- bad input ------------------------------------------------------------------ */

static void test_bad_input(void **state)
{
    (void)state;
    char err[256];
    mmu_config_t cfg;
    config_defaults(&cfg);
    cfg.tlb_repl = 1;          /* plru */
    cfg.dtlb_4k_ways = 3;      /* not a power of two */
    sg_opts_t o = opts(1, 100);
    o.cfg = &cfg;
    assert_null(sg_create(&o, err, sizeof err));
    assert_non_null(strstr(err, "invalid configuration"));
    sg_report_t r;
    assert_int_equal(sg_run(&o, &r, NULL), -1);
    assert_non_null(strstr(r.failure, "invalid configuration"));
    sg_report_free(&r);

    o = opts(1, 100);
    o.backend = BACKEND_COSIM;
    if (!backend_create_cosim) {
        assert_int_equal(sg_run(&o, &r, NULL), -1);
        assert_non_null(strstr(r.failure, "not built into this binary"));
        sg_report_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_log),
        cmocka_unit_test(test_different_seeds_differ),
        cmocka_unit_test(test_every_line_parses),
        cmocka_unit_test(test_mix_has_every_kind),
        cmocka_unit_test(test_tables_well_formed),
        cmocka_unit_test(test_replay_and_rerun),
        cmocka_unit_test(test_checks_catch_errors),
        cmocka_unit_test(test_ad_bits_after_pae_toggle),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
