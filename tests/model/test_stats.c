/* Histograms: counts, extremes, mean and percentiles on hand-computed data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "stats.h"

/* histogram_t is 32 KiB: keep it off the stack. */
static int setup_hist(void **state)
{
    *state = calloc(1, sizeof(histogram_t));
    return *state ? 0 : -1;
}

static int teardown_hist(void **state)
{
    free(*state);
    return 0;
}

static void add_all(histogram_t *h, const uint64_t *values, size_t n)
{
    for (size_t i = 0; i < n; i++)
        hist_add(h, values[i]);
}

typedef struct {
    double pct;
    uint64_t expected;
} percentile_case_t;

static void check_percentiles(const histogram_t *h, const percentile_case_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t got = hist_percentile(h, cases[i].pct);
        if (got != cases[i].expected)
            fail_msg("p%g = %llu, expected %llu", cases[i].pct, (unsigned long long)got,
                     (unsigned long long)cases[i].expected);
    }
}

static void test_empty(void **state)
{
    histogram_t *h = *state;
    assert_int_equal(hist_percentile(h, 0), 0);
    assert_int_equal(hist_percentile(h, 50), 0);
    assert_int_equal(hist_percentile(h, 100), 0);
    assert_true(hist_mean(h) == 0.0);
}

/* Sorted: 1 2 3 3 4 5 6 7 8 10 (n = 10, sum 49). The p-th percentile is the
 * sample of rank ceil(p/100 * 10). */
static void test_ten_samples(void **state)
{
    histogram_t *h = *state;
    const uint64_t values[] = { 5, 1, 3, 3, 10, 7, 2, 8, 4, 6 };
    add_all(h, values, 10);
    assert_int_equal(h->count, 10);
    assert_int_equal(h->sum, 49);
    assert_int_equal(h->min, 1);
    assert_int_equal(h->max, 10);
    assert_int_equal(h->over, 0);
    assert_int_equal(h->bucket[3], 2);
    assert_true(hist_mean(h) == 4.9);
    const percentile_case_t cases[] = {
        { 0, 1 },      /* min */
        { 5, 1 },      /* rank 1 */
        { 10, 1 },     /* rank 1 */
        { 10.5, 2 },   /* rank 2 */
        { 25, 3 },     /* rank 3 */
        { 30, 3 },     /* rank 3 */
        { 31, 3 },     /* rank 4: the second 3 */
        { 40, 3 },     /* rank 4 */
        { 41, 4 },     /* rank 5 */
        { 50, 4 },     /* rank 5 */
        { 50.1, 5 },   /* rank 6 */
        { 90, 8 },     /* rank 9 */
        { 95, 10 },    /* rank 10 */
        { 100, 10 },   /* max */
    };
    check_percentiles(h, cases, sizeof cases / sizeof cases[0]);
}

static void test_single_sample(void **state)
{
    histogram_t *h = *state;
    hist_add(h, 0);
    assert_int_equal(h->min, 0);
    assert_int_equal(h->max, 0);
    assert_int_equal(hist_percentile(h, 0), 0);
    assert_int_equal(hist_percentile(h, 50), 0);
    assert_int_equal(hist_percentile(h, 100), 0);
    assert_true(hist_mean(h) == 0.0);
}

/* 1..1000 once each: p means the value ceil(10 * p). Fractional
 * percentiles must not be pushed up a rank by binary rounding. */
static void test_thousand_samples(void **state)
{
    histogram_t *h = *state;
    for (uint64_t v = 1000; v >= 1; v--)
        hist_add(h, v);
    assert_int_equal(h->min, 1);
    assert_int_equal(h->max, 1000);
    assert_true(hist_mean(h) == 500.5);
    const percentile_case_t cases[] = {
        { 0.1, 1 }, { 0.15, 2 }, { 1, 10 }, { 33.3, 333 }, { 50, 500 }, { 66.7, 667 },
        { 90, 900 }, { 99, 990 }, { 99.9, 999 }, { 99.91, 1000 }, { 99.99, 1000 },
    };
    check_percentiles(h, cases, sizeof cases / sizeof cases[0]);
}

/* Values at and above HIST_MAX land in `over`; percentiles there report max. */
static void test_overflow(void **state)
{
    histogram_t *h = *state;
    const uint64_t values[] = { 2, HIST_MAX - 1, HIST_MAX, 6000, 100000 };
    add_all(h, values, 5);
    assert_int_equal(h->count, 5);
    assert_int_equal(h->over, 3);
    assert_int_equal(h->bucket[HIST_MAX - 1], 1);
    assert_int_equal(h->min, 2);
    assert_int_equal(h->max, 100000);
    assert_int_equal(h->sum, 2 + (HIST_MAX - 1) + HIST_MAX + 6000 + 100000);
    const percentile_case_t cases[] = {
        { 0, 2 }, { 20, 2 }, { 40, HIST_MAX - 1 }, { 41, 100000 }, { 60, 100000 }, { 100, 100000 },
    };
    check_percentiles(h, cases, sizeof cases / sizeof cases[0]);
}

/* Every sample in overflow: min and max are still exact. */
static void test_only_overflow(void **state)
{
    histogram_t *h = *state;
    hist_add(h, 9000);
    hist_add(h, 5000);
    assert_int_equal(hist_percentile(h, 0), 5000);
    assert_int_equal(hist_percentile(h, 50), 9000);
    assert_true(hist_mean(h) == 7000.0);
}

static void test_out_of_range_pct(void **state)
{
    histogram_t *h = *state;
    const uint64_t values[] = { 4, 8, 15 };
    add_all(h, values, 3);
    assert_int_equal(hist_percentile(h, -5), 4);
    assert_int_equal(hist_percentile(h, 250), 15);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_hist, teardown_hist)
    const struct CMUnitTest tests[] = {
        T(test_empty),
        T(test_ten_samples),
        T(test_single_sample),
        T(test_thousand_samples),
        T(test_overflow),
        T(test_only_overflow),
        T(test_out_of_range_pct),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
