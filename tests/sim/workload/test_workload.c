/* Workload generators: determinism, mapping, mixes, knobs, and runs on the model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "mmu.h"
#include "ptbuild.h"
#include "workload.h"

static workload_t *make(const wl_params_t *p, const mmu_config_t *cfg)
{
    char err[WL_ERR_LEN] = "";
    workload_t *w = wl_create(p, cfg, err);
    if (!w)
        fail_msg("wl_create: %s", err);
    return w;
}

static void params(wl_params_t *p, const char *const *kv)
{
    char err[WL_ERR_LEN];
    wl_defaults(p);
    for (size_t i = 0; kv && kv[i]; i += 2)
        if (wl_set(p, kv[i], kv[i + 1], err) != 0)
            fail_msg("wl_set %s=%s: %s", kv[i], kv[i + 1], err);
}

/* --- PRNG ------------------------------------------------------------------ */

static void test_rng(void **state)
{
    (void)state;
    rng_t a, b;
    rng_seed(&a, 7);
    rng_seed(&b, 7);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(rng_next(&a), rng_next(&b));
    rng_seed(&b, 8);
    int same = 0;
    for (int i = 0; i < 1000; i++)
        same += rng_next(&a) == rng_next(&b);
    assert_true(same < 2);
    uint64_t hist[10] = { 0 };
    for (int i = 0; i < 100000; i++) {
        uint64_t v = rng_below(&a, 10);
        assert_true(v < 10);
        hist[v]++;
        double d = rng_double(&a);
        assert_true(d >= 0 && d < 1);
    }
    for (int i = 0; i < 10; i++)
        assert_true(hist[i] > 9000 && hist[i] < 11000);
    assert_int_equal(rng_below(&a, 1), 0);
}

/* --- streams ----------------------------------------------------------------- */

static void streams_equal(const char *const *kv, uint64_t seed_a, uint64_t seed_b, bool expect_equal)
{
    wl_params_t p;
    params(&p, kv);
    p.ops = 5000;
    p.seed = seed_a;
    workload_t *a = make(&p, NULL);
    p.seed = seed_b;
    workload_t *b = make(&p, NULL);
    mmu_req_t ra, rb;
    uint64_t diff = 0, n = 0;
    while (wl_next(a, &ra) == 0) {
        assert_int_equal(wl_next(b, &rb), 0);
        n++;
        diff += ra.va != rb.va || ra.access != rb.access || ra.cpl != rb.cpl;
    }
    assert_int_equal(wl_next(b, &rb), -1);
    assert_int_equal(n, 5000);
    if (expect_equal)
        assert_int_equal(diff, 0);
    else
        assert_true(diff > n / 2);
    /* Rewinding reproduces the stream. */
    wl_rewind(a);
    wl_params_t q = p;
    q.seed = seed_a;
    workload_t *c = make(&q, NULL);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(wl_next(a, &ra), 0);
        assert_int_equal(wl_next(c, &rb), 0);
        assert_int_equal(ra.va, rb.va);
        assert_int_equal(ra.access, rb.access);
    }
    wl_destroy(a);
    wl_destroy(b);
    wl_destroy(c);
}

static const char *const kv_random[] = { "region", "1G", "mix", "50:50:0", NULL };
static const char *const kv_hot[] = { "workload", "hotcold", "region", "1G", "mix", "50:50:0", NULL };

static void test_same_seed_same_stream(void **state)
{
    (void)state;
    streams_equal(kv_random, 5, 5, true);
    streams_equal(kv_hot, 5, 5, true);
}

static void test_different_seed_different_stream(void **state)
{
    (void)state;
    streams_equal(kv_random, 5, 6, false);
    streams_equal(kv_hot, 5, 6, false);
}

static void test_same_seed_same_layout(void **state)
{
    (void)state;
    wl_params_t p;
    params(&p, (const char *const[]){ "region", "8G", "mix", "40:30:30", NULL });
    workload_t *a = make(&p, NULL), *b = make(&p, NULL);
    p.seed = 99;
    workload_t *c = make(&p, NULL);
    int differ = 0;
    for (uint64_t off = 0; off < p.region_bytes; off += 2ull << 20) {
        vaddr_t va = wl_params(a)->va_base + off;
        assert_int_equal(wl_page_shift(a, va), wl_page_shift(b, va));
        differ += wl_page_shift(a, va) != wl_page_shift(c, va);
    }
    assert_true(differ > 0);
    wl_destroy(a);
    wl_destroy(b);
    wl_destroy(c);
}

/* --- mapping ------------------------------------------------------------------ */

/* Checks with ptbuild that va's leaf is at the level the layout intends, present,
 * with PS as it should be, and maps the expected physical page. */
static void check_mapped(workload_t *w, vaddr_t va)
{
    const ptbuild_t *b = wl_ptb(w);
    const unsigned shift = wl_page_shift(w, va);
    assert_true(shift == 12 || shift == 21 || shift == 22 || shift == 30);
    const int level = shift == 12 ? LVL_PT : shift == 30 ? LVL_PDPT : LVL_PD;
    const paddr_t ea = ptb_entry_addr(b, va, level);
    if (ea == 0)
        fail_msg("va 0x%llx: no entry at level %d", (unsigned long long)va, level);
    const uint64_t e = ptb_read_entry(b, ea);
    assert_true(e & PTE_P);
    if (level > LVL_PT) {
        assert_true(e & PTE_PS);
        /* Nothing below a large leaf. */
        assert_int_equal(ptb_entry_addr(b, va, level - 1), 0);
    } else {
        const uint64_t pde = ptb_read_entry(b, ptb_entry_addr(b, va, LVL_PD));
        assert_true(pde & PTE_P);
        assert_false(pde & PTE_PS);
    }
    const uint64_t size = 1ull << shift;
    const paddr_t want = wl_expected_pa(w, va) & ~(size - 1);
    uint64_t frame;
    if (wl_params(w)->mode == PAGING_32 && shift == 22)
        frame = (e & 0xffc00000ull) | ((e >> 13) & 0xffull) << 32;
    else
        frame = e & 0x000ffffffffff000ull & ~(size - 1);
    assert_int_equal(frame, want);
    const uint64_t us = wl_params(w)->user ? PTE_US : 0;
    assert_int_equal(e & PTE_US, us);
}

static void check_all_generated(const char *const *kv, uint64_t ops)
{
    wl_params_t p;
    params(&p, kv);
    p.ops = ops;
    workload_t *w = make(&p, NULL);
    mmu_req_t r;
    uint64_t n = 0, by_shift[31] = { 0 };
    while (wl_next(w, &r) == 0) {
        assert_true(r.va >= wl_params(w)->va_base);
        assert_true(r.va - wl_params(w)->va_base < wl_params(w)->region_bytes);
        check_mapped(w, r.va);
        by_shift[wl_page_shift(w, r.va)]++;
        n++;
    }
    assert_int_equal(n, ops);
    /* Each size class that has pages is reached by a uniform random stream. */
    if (p.kind == WL_RANDOM)
        for (int c = 0; c < NUM_PSC; c++)
            if (wl_pages(w, (page_class_t)c) * 1.0 * (c == 0 ? 4096.0 : c == 2 ? 1073741824.0 : 2097152.0) >
                0.05 * (double)p.region_bytes) {
                const unsigned s = c == 0 ? 12 : c == 2 ? 30 : (p.mode == PAGING_32 ? 22 : 21);
                assert_true(by_shift[s] > 0);
            }
    wl_destroy(w);
}

static void test_mapped_4level(void **state)
{
    (void)state;
    check_all_generated((const char *const[]){ "region", "4G", "mix", "50:25:25", NULL }, 20000);
    check_all_generated((const char *const[]){ "region", "4G", "mix", "50:25:25", "user", "1", NULL }, 5000);
    check_all_generated((const char *const[]){ "workload", "hotcold", "region", "2G", "mix", "50:0:50", NULL }, 5000);
    check_all_generated((const char *const[]){ "workload", "stride", "region", "64M", "stride", "4K",
                                               "mix", "50:50:0", NULL }, 20000);
}

static void test_mapped_5level(void **state)
{
    (void)state;
    check_all_generated((const char *const[]){ "mode", "5level", "region", "3G", "mix", "40:30:30", NULL }, 10000);
}

static void test_mapped_pae(void **state)
{
    (void)state;
    check_all_generated((const char *const[]){ "mode", "pae", "region", "1G", "mix", "60:40:0", NULL }, 10000);
}

static void test_mapped_32bit(void **state)
{
    (void)state;
    check_all_generated((const char *const[]){ "mode", "32bit", "region", "512M", "mix", "60:40:0", NULL }, 10000);
}

static void test_mapped_lazy(void **state)
{
    (void)state;
    /* 64 GiB of 4 KiB pages would be 16M PTEs eagerly; lazily only touched tables exist. */
    wl_params_t p;
    params(&p, (const char *const[]){ "region", "64G", "mix", "90:5:5", "map", "lazy", NULL });
    p.ops = 2000;
    workload_t *w = make(&p, NULL);
    assert_int_equal(wl_pages_mapped(w, PSC_4K), 0);
    mmu_req_t r;
    while (wl_next(w, &r) == 0)
        check_mapped(w, r.va);
    assert_true(wl_pages_mapped(w, PSC_4K) > 0);
    assert_true(wl_pages_mapped(w, PSC_4K) < wl_pages(w, PSC_4K) / 10);
    wl_destroy(w);
    /* The same seed maps the same layout as the eager build. */
    check_all_generated((const char *const[]){ "region", "2G", "mix", "50:25:25", "map", "lazy", NULL }, 5000);
}

static void test_page_counts_respect_mix(void **state)
{
    (void)state;
    wl_params_t p;
    params(&p, (const char *const[]){ "region", "4G", "mix", "50:25:25", NULL });
    p.ops = 0;
    workload_t *w = make(&p, NULL);
    assert_int_equal(wl_pages(w, PSC_1G), 1);
    assert_int_equal(wl_pages(w, PSC_2M), 512);
    assert_int_equal(wl_pages(w, PSC_4K), 2ull << 18);
    assert_int_equal(wl_pages_mapped(w, PSC_4K), wl_pages(w, PSC_4K));
    assert_int_equal(wl_pages_mapped(w, PSC_2M), 512);
    assert_int_equal(wl_pages_mapped(w, PSC_1G), 1);
    wl_destroy(w);

    /* Lazy: the same counts, nothing mapped before the stream touches it. */
    params(&p, (const char *const[]){ "region", "16G", "mix", "50:25:25", NULL });
    p.ops = 0;
    w = make(&p, NULL);
    assert_int_equal(wl_pages(w, PSC_1G), 4);
    assert_int_equal(wl_pages(w, PSC_2M), 2048);
    assert_int_equal(wl_pages(w, PSC_4K), 8ull << 18);
    assert_int_equal(wl_pages_mapped(w, PSC_4K) + wl_pages_mapped(w, PSC_2M) + wl_pages_mapped(w, PSC_1G), 0);
    wl_destroy(w);

    /* Region rounding and 32-bit 4 MiB pages. */
    params(&p, (const char *const[]){ "mode", "32bit", "region", "100M", "mix", "1:1:0", NULL });
    p.ops = 0;
    w = make(&p, NULL);
    assert_int_equal(wl_params(w)->region_bytes, 100ull << 20);   /* 25 x 4 MiB */
    assert_int_equal(wl_pages(w, PSC_2M), 13);                    /* round(12.5) */
    assert_int_equal(wl_pages(w, PSC_4K), 12 * 1024);
    wl_destroy(w);
}

static void test_access_and_address_mix(void **state)
{
    (void)state;
    wl_params_t p;
    params(&p, (const char *const[]){ "region", "4G", "mix", "50:25:25", "rwx", "60:30:10", NULL });
    p.ops = 200000;
    workload_t *w = make(&p, NULL);
    mmu_req_t r;
    uint64_t acc[3] = { 0 }, cls[NUM_PSC] = { 0 };
    while (wl_next(w, &r) == 0) {
        acc[r.access]++;
        unsigned s = wl_page_shift(w, r.va);
        cls[s == 12 ? PSC_4K : s == 30 ? PSC_1G : PSC_2M]++;
        assert_int_equal(r.cpl, 0);
        assert_int_equal(r.va & 7, 0);
    }
    const double n = (double)p.ops;
    assert_true(fabs(acc[ACC_READ] / n - 0.6) < 0.01);
    assert_true(fabs(acc[ACC_WRITE] / n - 0.3) < 0.01);
    assert_true(fabs(acc[ACC_EXEC] / n - 0.1) < 0.01);
    assert_true(fabs(cls[PSC_4K] / n - 0.5) < 0.01);
    assert_true(fabs(cls[PSC_2M] / n - 0.25) < 0.01);
    assert_true(fabs(cls[PSC_1G] / n - 0.25) < 0.01);
    wl_destroy(w);
}

static void test_hotcold_and_stride(void **state)
{
    (void)state;
    wl_params_t p;
    params(&p, (const char *const[]){ "workload", "hotcold", "region", "1G", "mix", "1:0:0", "hot", "64K",
                                      "hot-frac", "0.8", NULL });
    p.ops = 100000;
    workload_t *w = make(&p, NULL);
    /* Count accesses per 4 KiB page: the 16 most used pages take >= 80%. */
    mmu_req_t r;
    uint64_t *cnt = calloc(1 << 18, sizeof *cnt);
    assert_non_null(cnt);
    while (wl_next(w, &r) == 0)
        cnt[(r.va - wl_params(w)->va_base) >> 12]++;
    uint64_t top = 0;
    for (int k = 0; k < 16; k++) {
        uint64_t best = 0;
        size_t bi = 0;
        for (size_t i = 0; i < (1u << 18); i++)
            if (cnt[i] > best) {
                best = cnt[i];
                bi = i;
            }
        top += best;
        cnt[bi] = 0;
    }
    free(cnt);
    assert_true(top >= 79000 && top <= 83000);
    wl_destroy(w);

    params(&p, (const char *const[]){ "workload", "stride", "region", "2M", "stride", "1K", NULL });
    p.ops = 4096;
    w = make(&p, NULL);
    for (uint64_t i = 0; i < p.ops; i++) {
        assert_int_equal(wl_next(w, &r), 0);
        assert_int_equal(r.va, wl_params(w)->va_base + ((i * 1024) % (2u << 20)));
    }
    wl_destroy(w);
}

/* --- knobs ----------------------------------------------------------------------- */

static void test_knob_errors(void **state)
{
    (void)state;
    wl_params_t p;
    char err[WL_ERR_LEN];
    wl_defaults(&p);
    assert_int_equal(wl_set(&p, "workload", "churn", err), -1);   /* needs the OS layer: not a demo kind yet */
    assert_non_null(strstr(err, "churn"));
    assert_int_equal(wl_set(&p, "mode", "6level", err), -1);
    assert_int_equal(wl_set(&p, "region", "12Q", err), -1);
    assert_int_equal(wl_set(&p, "mix", "1:2", err), -1);
    assert_int_equal(wl_set(&p, "mix", "0:0:0", err), -1);
    assert_int_equal(wl_set(&p, "rwx", "1:-1:0", err), -1);
    assert_int_equal(wl_set(&p, "hot-frac", "1.5", err), -1);
    assert_int_equal(wl_set(&p, "issue", "overlap:0", err), -1);
    assert_int_equal(wl_set(&p, "nope", "1", err), -1);
    assert_false(wl_is_key("nope"));
    assert_true(wl_is_key("hot-frac"));

    /* 1 GiB pages need 4/5-level; 32-bit space limit; alignment. */
    wl_defaults(&p);
    assert_int_equal(wl_set(&p, "mode", "pae", err), 0);
    assert_int_equal(wl_validate(&p, err), -1);
    assert_non_null(strstr(err, "1 GiB"));
    wl_defaults(&p);
    p.mode = PAGING_32;
    p.frac_1g = 0;
    p.region_bytes = 8ull << 30;
    assert_int_equal(wl_validate(&p, err), -1);
    wl_defaults(&p);   /* the region is laid out in large-page slots: no silent rounding */
    p.region_bytes = 3 << 10;
    assert_int_equal(wl_validate(&p, err), -1);
    assert_non_null(strstr(err, "not a multiple of the 2 MiB"));
    wl_defaults(&p);
    p.mode = PAGING_32;
    p.frac_1g = 0;
    p.region_bytes = 6ull << 20;
    assert_int_equal(wl_validate(&p, err), -1);
    assert_non_null(strstr(err, "4 MiB"));
    wl_defaults(&p);
    p.va_base = 0x700000001000ull;
    assert_int_equal(wl_validate(&p, err), -1);
    assert_non_null(strstr(err, "aligned"));
    wl_defaults(&p);
    p.va_base = (1ull << 47) - (1ull << 30);
    assert_int_equal(wl_validate(&p, err), -1);
    assert_null(wl_create(&p, NULL, err));

    uint64_t v;
    assert_int_equal(wl_parse_size("4K", &v), 0);
    assert_int_equal(v, 4096);
    assert_int_equal(wl_parse_size("0x10", &v), 0);
    assert_int_equal(v, 16);
    assert_int_equal(wl_parse_size("1GiB", &v), 0);
    assert_int_equal(v, 1ull << 30);
    char buf[32];
    assert_string_equal(wl_format_size(1536ull << 20, buf, sizeof buf), "1536M");
    assert_string_equal(wl_format_size(4ull << 30, buf, sizeof buf), "4G");
    assert_string_equal(wl_format_size(1000, buf, sizeof buf), "1000");
}

/* wl_format_options spells out every knob; parsing it back gives the same parameters. */
static void test_options_round_trip(void **state)
{
    (void)state;
    wl_params_t p, q;
    params(&p, (const char *const[]){ "workload", "hotcold", "mode", "5level", "region", "3G", "mix", "1:1:1",
                                      "rwx", "7:2:1", "user", "1", "global", "1", "preset-d", "1",
                                      "hot", "96K", "hot-frac", "0.85", "stride", "192", "issue", "overlap:3",
                                      "batch", "64", "map", "lazy", "ops", "1234", "seed", "77", NULL });
    char opts[2048], err[WL_ERR_LEN];
    wl_format_options(&p, opts, sizeof opts);
    wl_defaults(&q);
    char *save = NULL;
    for (char *k = strtok_r(opts, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
        char *v = strtok_r(NULL, " ", &save);
        assert_non_null(v);
        assert_true(k[0] == '-' && k[1] == '-');
        if (wl_set(&q, k + 2, v, err) != 0)
            fail_msg("%s %s: %s", k, v, err);
    }
    assert_int_equal(p.kind, q.kind);
    assert_int_equal(p.mode, q.mode);
    assert_int_equal(p.region_bytes, q.region_bytes);
    assert_int_equal(p.va_base, q.va_base);
    assert_true(p.frac_large == q.frac_large && p.frac_1g == q.frac_1g);
    assert_true(p.frac_write == q.frac_write && p.frac_exec == q.frac_exec);
    assert_int_equal(p.user, q.user);
    assert_int_equal(p.global, q.global);
    assert_int_equal(p.preset_a, q.preset_a);
    assert_int_equal(p.preset_d, q.preset_d);
    assert_int_equal(p.hot_bytes, q.hot_bytes);
    assert_true(p.hot_frac == q.hot_frac);
    assert_int_equal(q.stride_bytes, 64);   /* not a hotcold knob: left out, default */
    assert_int_equal(p.issue, q.issue);
    assert_int_equal(p.interval, q.interval);
    assert_int_equal(p.batch, q.batch);
    assert_int_equal(p.map, q.map);
    assert_int_equal(p.ops, q.ops);
    assert_int_equal(p.seed, q.seed);

    /* Fractions that are not round percentages still read back exactly. */
    params(&p, (const char *const[]){ "workload", "stride", "stride", "192", "mix", "1:1:1", "rwx", "3:3:1",
                                      NULL });
    wl_format_options(&p, opts, sizeof opts);
    wl_defaults(&q);
    save = NULL;
    for (char *k = strtok_r(opts, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
        char *v = strtok_r(NULL, " ", &save);
        assert_non_null(v);
        if (wl_set(&q, k + 2, v, err) != 0)
            fail_msg("%s %s: %s", k, v, err);
    }
    assert_true(p.frac_large == q.frac_large && p.frac_1g == q.frac_1g);
    assert_true(p.frac_write == q.frac_write && p.frac_exec == q.frac_exec);
    assert_int_equal(q.stride_bytes, 192);
    assert_int_equal(q.issue, WL_ISSUE_SERIAL);
}

static void test_build_speed(void **state)
{
    (void)state;
    /* 1 GiB of 4 KiB pages = 262144 PTEs. Well under a second at -O2; the
     * bound here is loose because this build runs under ASan/UBSan. */
    wl_params_t p;
    params(&p, (const char *const[]){ "region", "1G", "mix", "1:0:0", NULL });
    p.ops = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    workload_t *w = make(&p, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    print_message("    1 GiB of 4 KiB pages built in %.3f s (sanitizer build)\n", s);
    assert_int_equal(wl_pages_mapped(w, PSC_4K), 262144);
    assert_true(s < 5.0);
    wl_destroy(w);
}

/* --- on the model -------------------------------------------------------------- */

typedef struct {
    uint64_t n;
    uint64_t hash;
} run_log_t;

static void log_result(void *ctx, const mmu_req_t *req, const mmu_result_t *res)
{
    run_log_t *l = ctx;
    l->n++;
    l->hash = (l->hash ^ req->va ^ (res->pa << 1) ^ res->complete_cycle ^ ((uint64_t)res->tlb_hit << 60)) *
              0x100000001b3ull;
}

static void run_once(const char *const *kv, const mmu_config_t *cfg, wl_run_t *out, run_log_t *log,
                     mmu_stats_t *stats)
{
    wl_params_t p;
    params(&p, kv);
    workload_t *w = make(&p, cfg);
    char err[WL_ERR_LEN] = "";
    memset(log, 0, sizeof *log);
    if (wl_run(w, log_result, log, out, err) != 0)
        fail_msg("wl_run: %s", err);
    assert_int_equal(out->ops, p.ops);
    assert_int_equal(log->n, p.ops);
    assert_int_equal(out->faults, 0);
    assert_int_equal(out->pa_mismatches, 0);
    assert_true(out->last_complete > out->first_issue);
    const mmu_stats_t *s = mmu_stats(wl_mmu(w));
    assert_int_equal(s->requests, p.ops);
    memcpy(stats, s, sizeof *stats);
    wl_destroy(w);
}

static void check_run_deterministic(const char *const *kv, const mmu_config_t *cfg)
{
    wl_run_t a, b;
    run_log_t la, lb;
    mmu_stats_t *sa = malloc(sizeof *sa), *sb = malloc(sizeof *sb);
    assert_non_null(sa);
    assert_non_null(sb);
    run_once(kv, cfg, &a, &la, sa);
    run_once(kv, cfg, &b, &lb, sb);
    assert_int_equal(la.hash, lb.hash);
    assert_int_equal(a.last_complete, b.last_complete);
    assert_int_equal(sa->walks, sb->walks);
    assert_true(sa->walks > 0);
    assert_int_equal(sa->tlb[TLB_DTLB].hits[PSC_4K], sb->tlb[TLB_DTLB].hits[PSC_4K]);
    free(sa);
    free(sb);
}

static void test_run_serial(void **state)
{
    (void)state;
    mmu_config_t cfg;
    config_defaults(&cfg);
    check_run_deterministic((const char *const[]){ "region", "2G", "mix", "50:25:25", "ops", "20000", NULL }, &cfg);
    check_run_deterministic((const char *const[]){ "mode", "pae", "region", "1G", "mix", "50:50:0", "user", "1",
                                                   "ops", "5000", NULL }, &cfg);
    check_run_deterministic((const char *const[]){ "mode", "32bit", "region", "256M", "mix", "50:50:0",
                                                   "ops", "5000", NULL }, &cfg);
    check_run_deterministic((const char *const[]){ "mode", "5level", "region", "2G", "mix", "50:25:25",
                                                   "workload", "hotcold", "ops", "5000", NULL }, &cfg);
}

static void test_run_overlap(void **state)
{
    (void)state;
    mmu_config_t cfg;
    config_defaults(&cfg);
    const char *const kv[] = { "region", "1G", "mix", "80:20:0", "rwx", "50:20:30", "issue", "overlap:2",
                               "batch", "100", "ops", "20000", NULL };
    check_run_deterministic(kv, &cfg);
    wl_run_t r;
    run_log_t l;
    mmu_stats_t *s = malloc(sizeof *s);
    assert_non_null(s);
    run_once(kv, &cfg, &r, &l, s);
    assert_true(s->requests_by_port[PORT_I] > 0);
    assert_true(s->requests_by_port[PORT_D] > 0);
    /* Single-port configuration: fetches use port D. */
    cfg.ports = 1;
    run_once(kv, &cfg, &r, &l, s);
    assert_int_equal(s->requests_by_port[PORT_I], 0);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng),
        cmocka_unit_test(test_same_seed_same_stream),
        cmocka_unit_test(test_different_seed_different_stream),
        cmocka_unit_test(test_same_seed_same_layout),
        cmocka_unit_test(test_mapped_4level),
        cmocka_unit_test(test_mapped_5level),
        cmocka_unit_test(test_mapped_pae),
        cmocka_unit_test(test_mapped_32bit),
        cmocka_unit_test(test_mapped_lazy),
        cmocka_unit_test(test_page_counts_respect_mix),
        cmocka_unit_test(test_access_and_address_mix),
        cmocka_unit_test(test_hotcold_and_stride),
        cmocka_unit_test(test_knob_errors),
        cmocka_unit_test(test_options_round_trip),
        cmocka_unit_test(test_build_speed),
        cmocka_unit_test(test_run_serial),
        cmocka_unit_test(test_run_overlap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
