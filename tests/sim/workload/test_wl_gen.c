/* The synthetic generators' address sequences (sim/workload/wl_gen.c, wl_stream.c), checked
 * against their definitions (docs/workloads.md), table-driven:
 *   - zipf: the frequencies of the top ranks match (k+1)^-s / H(n, s) within 5 standard
 *     deviations of a binomial count; the rank -> page map is a bijection;
 *   - chase: the cycle visits every element exactly once per n steps, for several n and seeds;
 *   - through the workload stream (wl_next, no MMU): seq steps 8 bytes and wraps, stride steps
 *     its stride, chase touches every 4 KiB page of the region once per cycle, zipf's most
 *     frequent page is rank 0's; --ws/--page/--zipf-s/uniform/random parse as the contract says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_gen.h"
#include "workload.h"

static void test_zipf_frequencies(void **state)
{
    (void)state;
    static const struct { uint64_t n; double s; } cases[] = { { 64, 1.0 }, { 1000, 0.8 }, { 16, 2.0 }, { 50, 0.0 } };
    const uint64_t draws = 200000;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const uint64_t n = cases[c].n;
        const double s = cases[c].s;
        double *cdf = wl_zipf_table(n, s);
        assert_non_null(cdf);
        double h = 0;
        for (uint64_t k = 1; k <= n; k++)
            h += pow((double)k, -s);
        uint64_t *count = calloc(n, sizeof *count);
        rng_t r;
        rng_seed(&r, 42 + c);
        for (uint64_t i = 0; i < draws; i++)
            count[wl_zipf_rank(cdf, n, rng_double(&r))]++;
        for (uint64_t k = 0; k < 8 && k < n; k++) {
            const double p = pow((double)(k + 1), -s) / h, mean = p * (double)draws;
            const double sd = sqrt((double)draws * p * (1 - p));
            if (fabs((double)count[k] - mean) > 5 * sd + 1)
                fail_msg("n %llu s %g rank %llu: %llu draws, expected %.1f +- %.1f", (unsigned long long)n, s,
                         (unsigned long long)k, (unsigned long long)count[k], mean, 5 * sd);
        }
        /* the rank -> page map hits every page once */
        uint8_t *seen = calloc(n, 1);
        for (uint64_t k = 0; k < n; k++) {
            uint64_t pg = wl_zipf_page(k, n);
            assert_true(pg < n);
            assert_int_equal(seen[pg], 0);
            seen[pg] = 1;
        }
        free(seen);
        free(count);
        free(cdf);
    }
}

static void test_chase_cycle(void **state)
{
    (void)state;
    static const uint64_t sizes[] = { 1, 2, 3, 512, 4099 };
    for (size_t c = 0; c < sizeof sizes / sizeof sizes[0]; c++)
        for (uint64_t seed = 1; seed <= 3; seed++) {
            const uint64_t n = sizes[c];
            rng_t r;
            rng_seed(&r, seed);
            uint32_t *next = wl_chase_cycle(n, &r);
            assert_non_null(next);
            uint8_t *seen = calloc(n, 1);
            uint64_t cur = 0;
            for (uint64_t i = 0; i < n; i++) {
                if (seen[cur])
                    fail_msg("n %llu seed %llu: element %llu visited twice within one cycle", (unsigned long long)n,
                             (unsigned long long)seed, (unsigned long long)cur);
                seen[cur] = 1;
                cur = next[cur];
            }
            assert_int_equal(cur, 0);   /* back at the start after n steps */
            free(seen);
            free(next);
        }
}

static workload_t *make(const char *const *kv)
{
    wl_params_t p;
    char err[WL_ERR_LEN];
    wl_defaults(&p);
    for (int i = 0; kv[i]; i += 2)
        if (wl_set(&p, kv[i], kv[i + 1], err) != 0)
            fail_msg("wl_set %s %s: %s", kv[i], kv[i + 1], err);
    if (wl_validate(&p, err) != 0)
        fail_msg("wl_validate: %s", err);
    workload_t *w = wl_create(&p, NULL, err);
    if (!w)
        fail_msg("wl_create: %s", err);
    return w;
}

static void test_streams(void **state)
{
    (void)state;
    mmu_req_t q;
    /* seq: 8-byte steps from the base, wrapping at the working set */
    static const char *const seq[] = { "workload", "seq", "ws", "2M", "ops", "262145", "page", "4k", NULL };
    workload_t *w = make(seq);
    const vaddr_t base = wl_params(w)->va_base;
    for (uint64_t i = 0; i < 262145; i++) {
        assert_int_equal(wl_next(w, &q), 0);
        assert_int_equal(q.va, base + (i * 8) % (2u << 20));
    }
    assert_int_equal(wl_next(w, &q), -1);
    wl_destroy(w);
    /* stride 4160 bytes */
    static const char *const stride[] = { "workload", "stride", "stride", "4160", "region", "4M", "ops", "5000", NULL };
    w = make(stride);
    for (uint64_t i = 0; i < 5000; i++) {
        assert_int_equal(wl_next(w, &q), 0);
        assert_int_equal(q.va, wl_params(w)->va_base + (i * 4160) % (4u << 20));
    }
    wl_destroy(w);
    /* chase over 8 MiB: 2048 pages, each once per 2048 accesses, twice in two cycles */
    static const char *const chase[] = { "workload", "chase", "ws", "8M", "ops", "4096", "seed", "5", NULL };
    w = make(chase);
    uint8_t seen[2048] = { 0 };
    for (uint64_t i = 0; i < 4096; i++) {
        assert_int_equal(wl_next(w, &q), 0);
        uint64_t pg = (q.va - wl_params(w)->va_base) >> 12;
        assert_true(pg < 2048);
        assert_int_equal(seen[pg], i / 2048);
        seen[pg]++;
    }
    wl_destroy(w);
    /* zipf s=1.2 over 2 MiB: the most frequent page is rank 0's, page 0 */
    static const char *const zipf[] = { "workload", "zipf", "zipf-s", "1.2", "ws", "2M", "ops", "20000", NULL };
    w = make(zipf);
    uint64_t count[512] = { 0 };
    for (uint64_t i = 0; i < 20000; i++) {
        assert_int_equal(wl_next(w, &q), 0);
        count[(q.va - wl_params(w)->va_base) >> 12]++;
    }
    uint64_t best = 0;
    for (uint64_t i = 1; i < 512; i++)
        if (count[i] > count[best])
            best = i;
    assert_int_equal(best, wl_zipf_page(0, 512));
    wl_destroy(w);
}

static void test_contract_options(void **state)
{
    (void)state;
    wl_params_t p;
    char err[WL_ERR_LEN];
    wl_kind_t k;
    static const struct { const char *name; wl_kind_t kind; } kinds[] = {
        { "uniform", WL_RANDOM }, { "random", WL_RANDOM }, { "hotcold", WL_HOTCOLD }, { "stride", WL_STRIDE },
        { "seq", WL_SEQ }, { "zipf", WL_ZIPF }, { "chase", WL_CHASE },
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        assert_int_equal(wl_kind_parse(kinds[i].name, &k), 0);
        assert_int_equal(k, kinds[i].kind);
    }
    assert_string_equal(wl_kind_name(WL_RANDOM), "uniform");
    wl_defaults(&p);
    assert_true(p.zipf_s == 1.0);
    assert_int_equal(wl_set(&p, "ws", "8G", err), 0);
    assert_int_equal(p.region_bytes, 8ull << 30);
    static const struct { const char *v; double large, g1; } pages[] = { { "4k", 0, 0 }, { "2m", 1, 0 }, { "1g", 0, 1 } };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(wl_set(&p, "page", pages[i].v, err), 0);
        assert_true(p.frac_large == pages[i].large && p.frac_1g == pages[i].g1);
    }
    assert_int_equal(wl_set(&p, "page", "8k", err), -1);
    assert_non_null(strstr(err, "page: want 4k, 2m or 1g"));
    assert_int_equal(wl_set(&p, "zipf-s", "-1", err), -1);
    assert_int_equal(wl_set(&p, "workload", "churn", err), -1);
    /* table generators are bounded */
    wl_defaults(&p);
    assert_int_equal(wl_set(&p, "workload", "chase", err), 0);
    assert_int_equal(wl_set(&p, "ws", "128G", err), 0);
    assert_int_equal(wl_validate(&p, err), -1);
    assert_non_null(strstr(err, "at most 64 GiB"));
    /* reproduce line carries zipf's exponent */
    wl_defaults(&p);
    assert_int_equal(wl_set(&p, "workload", "zipf", err), 0);
    assert_int_equal(wl_set(&p, "zipf-s", "0.75", err), 0);
    char opts[1024];
    wl_format_options(&p, opts, sizeof opts);
    assert_non_null(strstr(opts, "--workload zipf "));
    assert_non_null(strstr(opts, " --zipf-s 0.75"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zipf_frequencies),
        cmocka_unit_test(test_chase_cycle),
        cmocka_unit_test(test_streams),
        cmocka_unit_test(test_contract_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
