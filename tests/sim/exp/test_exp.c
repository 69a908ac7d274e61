/* Experiments (sim/exp/exp.h): parsing good and bad files (every error names FILE:LINE), the
 * sweep's expansion order, the shard partition (every point in exactly one shard), the point
 * command lines, and the statistics (Student t quantiles from a printed table; the confidence
 * interval of a sample worked out by hand). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exp.h"

static const char good[] =
    "# a comment\n"
    "[experiment]\n"
    "name = t1\n"
    "title = A test   # trailing comment\n"
    "command = demo\n"
    "seeds = 3..4\n"
    "x = set.pwc_pd_entries\n"
    "metrics = walk_p50, pwc_hit_rate\n"
    "\n"
    "[fixed]\n"
    "ops = 100\n"
    "set.mem_model = fixed\n"
    "[sweep]\n"
    "mode = 4level, 5level\n"
    "set.pwc_pd_entries = 0, 8, 16\n"
    "[workloads]\n"
    "a = --workload random --region 64M\n"
    "b = --workload hotcold\n";

static void test_parse_good(void **state)
{
    (void)state;
    exp_t e;
    char err[EXP_ERR_LEN] = "";
    assert_int_equal(exp_parse(&e, "good.ini", good, err), 0);
    assert_string_equal(e.name, "t1");
    assert_string_equal(e.title, "A test");
    assert_string_equal(e.command, "demo");
    assert_int_equal(e.nseeds, 2);
    assert_int_equal(e.seeds[0], 3);
    assert_int_equal(e.seeds[1], 4);
    assert_int_equal(e.nmetrics, 2);
    assert_int_equal(e.nfixed, 2);
    assert_int_equal(e.nsweep, 2);
    assert_string_equal(e.sweep[0].key, "mode");
    assert_int_equal(e.sweep[0].nvalues, 2);
    assert_string_equal(e.sweep[1].values[2], "16");
    assert_int_equal(e.nworkloads, 2);
    assert_int_equal(e.workloads[0].nargs, 4);
    assert_string_equal(e.workloads[0].args[3], "64M");
    exp_free(&e);
}

/* No [workloads]: one workload of the command's defaults; no seeds: seed 1. */
static void test_parse_defaults(void **state)
{
    (void)state;
    exp_t e;
    char err[EXP_ERR_LEN];
    assert_int_equal(exp_parse(&e, "d.ini", "[experiment]\nname = d\ncommand = trace\n", err), 0);
    assert_int_equal(e.nworkloads, 1);
    assert_string_equal(e.workloads[0].name, "default");
    assert_int_equal(e.nseeds, 1);
    assert_int_equal(e.seeds[0], 1);
    exp_free(&e);
}

static void test_parse_errors(void **state)
{
    (void)state;
    static const struct { const char *text, *want; } cases[] = {
        { "name = x\n", "bad.ini:1: 'name' before any [section]" },
        { "[experiment]\nname = x\n[results]\n", "bad.ini:3: unknown section '[results]'" },
        { "[experiment]\nname x\n", "bad.ini:2: expected 'key = value'" },
        { "[experiment]\nname =\n", "bad.ini:2: empty value" },
        { "[experiment]\nname = a\nname = b\n", "bad.ini:3: 'name' given twice" },
        { "[experiment]\ncommand = run\n", "bad.ini:2: command 'run' is not demo or trace" },
        { "[experiment]\nseeds = 5..2\n", "bad.ini:2: seeds '5..2'" },
        { "[experiment]\nseeds = 1, x\n", "bad.ini:2: seeds '1, x'" },
        { "[experiment]\nseeds = 1..5000\n", "bad.ini:2: seeds" },
        { "[experiment]\nmetrics = walk_p50, nonsense\n", "bad.ini:2: unknown metric 'nonsense'" },
        { "[experiment]\ncolour = red\n", "bad.ini:2: unknown [experiment] key 'colour'" },
        { "[fixed]\nseed = 3\n", "bad.ini:2: 'seed' is set by the runner" },
        { "[fixed]\njson = x\n", "bad.ini:2: 'json' is set by the runner" },
        { "[fixed]\nset.no_such_param = 3\n", "bad.ini:2: 'no_such_param' is not an MMU parameter" },
        { "[fixed]\nops = 1\n[sweep]\nops = 1, 2\n", "bad.ini:4: 'ops' given twice" },
        { "[sweep]\nmode = 4level,, 5level\n", "bad.ini:2: 'mode': want a comma-separated list" },
        { "[sweep]\nmode = 4level,\n", "bad.ini:2: 'mode': want a comma-separated list" },
        { "[sweep]\nbad key = 1\n", "bad.ini:2: bad key 'bad key'" },
        { "[workloads]\na = --workload random\na = --workload hotcold\n", "bad.ini:3: workload 'a' given twice" },
        { "[experiment]\ncommand = demo\n", "bad.ini: [experiment] has no 'name'" },
        { "[experiment]\nname = n\n", "bad.ini: [experiment] has no 'command'" },
        { "[experiment]\nname = n\ncommand = demo\nx = ops\n", "bad.ini: x = ops is not a key of [sweep]" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        exp_t e;
        char err[EXP_ERR_LEN] = "";
        int rc = exp_parse(&e, "bad.ini", cases[i].text, err);
        if (rc == 0 || !strstr(err, cases[i].want)) {
            print_error("case %zu: rc %d, error '%s', want '%s'\n", i, rc, err, cases[i].want);
            fail();
        }
    }
}

static void test_parse_file_missing(void **state)
{
    (void)state;
    exp_t e;
    char err[EXP_ERR_LEN];
    assert_int_equal(exp_parse_file(&e, "/nonexistent/x.ini", err), -1);
    assert_non_null(strstr(err, "/nonexistent/x.ini: cannot open"));
}

/* Workloads outermost, then the swept keys (the first slowest), seeds innermost. */
static void test_expand_order(void **state)
{
    (void)state;
    exp_t e;
    char err[EXP_ERR_LEN];
    assert_int_equal(exp_parse(&e, "good.ini", good, err), 0);
    size_t n, ng;
    exp_point_t *p = exp_expand(&e, &n, &ng);
    assert_int_equal(n, 2 * 2 * 3 * 2);
    assert_int_equal(ng, 2 * 2 * 3);
    /* point 0: a, 4level, 0, seed 3; point 1: seed 4; point 2: pwc 8; point 6: 5level; 12: b */
    static const size_t want[][5] = {   /* index, workload, mode, pwc, seed */
        { 0, 0, 0, 0, 0 }, { 1, 0, 0, 0, 1 }, { 2, 0, 0, 1, 0 }, { 5, 0, 0, 2, 1 },
        { 6, 0, 1, 0, 0 }, { 11, 0, 1, 2, 1 }, { 12, 1, 0, 0, 0 }, { 23, 1, 1, 2, 1 },
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const exp_point_t *q = &p[want[i][0]];
        assert_int_equal(q->index, want[i][0]);
        assert_int_equal(q->workload, want[i][1]);
        assert_int_equal(q->value[0], want[i][2]);
        assert_int_equal(q->value[1], want[i][3]);
        assert_int_equal(q->seed, want[i][4]);
        assert_int_equal(q->group, want[i][0] / 2);
    }
    /* every combination exactly once */
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++)
            assert_false(p[a].workload == p[b].workload && p[a].value[0] == p[b].value[0] &&
                         p[a].value[1] == p[b].value[1] && p[a].seed == p[b].seed);
    exp_points_free(p, n);
    exp_free(&e);
}

static void test_point_argv(void **state)
{
    (void)state;
    exp_t e;
    char err[EXP_ERR_LEN];
    assert_int_equal(exp_parse(&e, "good.ini", good, err), 0);
    assert_int_equal(exp_add_fixed(&e, "backend", "cosim", err), 0);
    assert_int_equal(exp_add_fixed(&e, "ops", "55", err), 0);    /* the command line wins */
    assert_int_equal(exp_add_fixed(&e, "mode", "pae", err), -1);  /* swept: refused */
    assert_non_null(strstr(err, "'mode' is swept"));
    size_t n, ng;
    exp_point_t *p = exp_expand(&e, &n, &ng);
    char **av = exp_point_argv(&e, &p[15], "/bin/mmulab", "o/000015.json");
    static const char *const want[] = {
        "/bin/mmulab", "demo", "--workload", "hotcold", "--ops", "55", "--set", "mem_model=fixed",
        "--backend", "cosim", "--mode", "4level", "--set", "pwc_pd_entries=8", "--seed", "4",
        "--json", "o/000015.json", NULL,
    };
    for (size_t i = 0; want[i]; i++)
        assert_string_equal(av[i], want[i]);
    assert_null(av[sizeof want / sizeof *want - 1]);
    exp_argv_free(av);
    assert_string_equal(e.overrides, "backend = cosim\nops = 55\n");
    exp_points_free(p, n);
    exp_free(&e);
}

/* `mmulab trace` has no --seed (a trace is deterministic, cmd_trace.c refuses it): a trace
 * experiment's point passes none. */
static void test_point_argv_trace(void **state)
{
    (void)state;
    exp_t e;
    char err[EXP_ERR_LEN];
    assert_int_equal(exp_parse(&e, "t.ini", "[experiment]\nname = t\ncommand = trace\n[sweep]\npage = 4k, 2m\n"
                               "[workloads]\ntrue = tests/traces/true.lackey.xz\n", err), 0);
    size_t n, ng;
    exp_point_t *p = exp_expand(&e, &n, &ng);
    assert_int_equal(n, 2);
    char **av = exp_point_argv(&e, &p[1], "/bin/mmulab", "o/000001.json");
    static const char *const want[] = {
        "/bin/mmulab", "trace", "tests/traces/true.lackey.xz", "--page", "2m", "--json", "o/000001.json", NULL,
    };
    for (size_t i = 0; want[i]; i++)
        assert_string_equal(av[i], want[i]);
    assert_null(av[sizeof want / sizeof *want - 1]);
    exp_argv_free(av);
    exp_points_free(p, n);
    exp_free(&e);
}

/* For every N up to 9 and any number of points, each point is in exactly one shard, and the
 * shards' sizes differ by at most one (round robin). */
static void test_shard_partition(void **state)
{
    (void)state;
    for (unsigned n = 1; n <= 9; n++)
        for (size_t points = 0; points <= 40; points++) {
            size_t size[10] = { 0 };
            for (size_t i = 0; i < points; i++) {
                unsigned owners = 0;
                for (unsigned k = 1; k <= n; k++)
                    if (exp_in_shard(i, k, n)) {
                        owners++;
                        size[k]++;
                    }
                assert_int_equal(owners, 1);
            }
            for (unsigned k = 1; k <= n; k++)
                assert_true(size[k] == points / n || size[k] == points / n + 1);
        }
}

static void test_parse_shard(void **state)
{
    (void)state;
    unsigned k, n;
    char err[EXP_ERR_LEN];
    assert_int_equal(exp_parse_shard("2/4", &k, &n, err), 0);
    assert_int_equal(k, 2);
    assert_int_equal(n, 4);
    static const char *const bad[] = { "0/4", "5/4", "1/0", "1", "a/b", "1/2x", "/2", "-1/2", "1/-2", "" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(exp_parse_shard(bad[i], &k, &n, err), -1);
}

/* t(0.975, df) from the printed table (NIST/SEMATECH e-Handbook 1.3.6.7.2). */
static void test_t_quantiles(void **state)
{
    (void)state;
    assert_true(fabs(exp_t975(1) - 12.706) < 1e-9);
    assert_true(fabs(exp_t975(2) - 4.303) < 1e-9);
    assert_true(fabs(exp_t975(7) - 2.365) < 1e-9);
    assert_true(fabs(exp_t975(30) - 2.042) < 1e-9);
    assert_true(fabs(exp_t975(100) - 1.984) < 1e-9);
    assert_true(exp_t975(5000) > 1.959 && exp_t975(5000) < 1.97);
    assert_true(isnan(exp_t975(0)));
}

/* By hand: {2,4,4,4,5,5,7,9}: mean 5, squared deviations sum 32, sample sd sqrt(32/7) =
 * 2.138090, / sqrt(8) = 0.755929, x t(0.975,7) 2.365 = 1.787772.
 * {1,2,3}: mean 2, sd 1, 4.303 / sqrt(3) = 2.484339. */
static void test_mean_ci(void **state)
{
    (void)state;
    double mean, ci;
    bool has;
    const double a[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
    exp_mean_ci(a, 8, &mean, &ci, &has);
    assert_true(has);
    assert_true(fabs(mean - 5.0) < 1e-12);
    assert_true(fabs(ci - 1.787772) < 1e-5);
    const double b[] = { 1, 2, 3 };
    exp_mean_ci(b, 3, &mean, &ci, &has);
    assert_true(fabs(mean - 2.0) < 1e-12);
    assert_true(fabs(ci - 2.484339) < 1e-5);
    const double c[] = { 7 };
    exp_mean_ci(c, 1, &mean, &ci, &has);
    assert_false(has);
    assert_true(mean == 7.0 && ci == 0.0);
    const double d[] = { 3, 3, 3 };
    exp_mean_ci(d, 3, &mean, &ci, &has);
    assert_true(has && ci == 0.0);
}

static void test_metric_table(void **state)
{
    (void)state;
    /* names are unique and every one has a label with a unit in parentheses or a per-X rate */
    for (size_t i = 0; i < exp_nmetrics; i++) {
        assert_ptr_equal(exp_metric_find(exp_metrics[i].name), &exp_metrics[i]);
        assert_true(strchr(exp_metrics[i].label, '(') || strstr(exp_metrics[i].label, " per "));
    }
    assert_null(exp_metric_find("nonsense"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_defaults),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_file_missing),
        cmocka_unit_test(test_expand_order),
        cmocka_unit_test(test_point_argv),
        cmocka_unit_test(test_point_argv_trace),
        cmocka_unit_test(test_shard_partition),
        cmocka_unit_test(test_parse_shard),
        cmocka_unit_test(test_t_quantiles),
        cmocka_unit_test(test_mean_ci),
        cmocka_unit_test(test_metric_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
