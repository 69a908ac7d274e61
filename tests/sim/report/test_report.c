/* The report of a hand-built mmu_stats_t: rates, percentiles, chart, JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "report.h"
#include "stats.h"

/* Adds n samples of value v by hand (independent of hist_add). */
static void put(histogram_t *h, uint64_t v, uint64_t n)
{
    if (!n)
        return;
    if (h->count == 0 || v < h->min)
        h->min = v;
    if (h->count == 0 || v > h->max)
        h->max = v;
    h->count += n;
    h->sum += v * n;
    if (v < HIST_MAX)
        h->bucket[v] += n;
    else
        h->over += n;
}

/* A stats block with known numbers:
 *  dtlb: 4k 900 hits / 100 misses (90%), 2m 30 / 10 (75%), 1g 0 / 0, 10 unresolved
 *        -> 1050 lookups, 930 hits = 88.57%
 *  itlb: 4k 99 / 1 (99%)
 *  l2:   4k 20 / 80 (20%), 2m 5 / 5 (50%)
 *  pwc:  200 lookups, pd 50 (25%), pdpt 30 (15%), pml4 20 (10%) -> 100 = 50%
 *  walks 85, reads 255 (3.00/walk), writes 17 (0.20/walk)
 *  translation latency: values 1..100 once each -> p50 50, p90 90, p99 99, mean 50.50
 *  walk latency: 80 x 60 + 15 x 100 + 5 x 5000 (overflow) */
static mmu_stats_t *make_stats(void)
{
    mmu_stats_t *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->requests = 1150;
    s->requests_by_port[PORT_D] = 1050;
    s->requests_by_port[PORT_I] = 100;
    tlb_stats_t *d = &s->tlb[TLB_DTLB];
    d->hits[PSC_4K] = 900;
    d->misses[PSC_4K] = 100;
    d->hits[PSC_2M] = 30;
    d->misses[PSC_2M] = 10;
    d->misses_unresolved = 10;
    d->dropped = 7;
    d->fills = 110;
    d->evictions = 46;
    tlb_stats_t *i = &s->tlb[TLB_ITLB];
    i->hits[PSC_4K] = 99;
    i->misses[PSC_4K] = 1;
    tlb_stats_t *l2 = &s->tlb[TLB_L2];
    l2->hits[PSC_4K] = 20;
    l2->misses[PSC_4K] = 80;
    l2->hits[PSC_2M] = 5;
    l2->misses[PSC_2M] = 5;
    s->pwc_lookups = 200;
    s->pwc_hits[2] = 50;
    s->pwc_hits[3] = 30;
    s->pwc_hits[4] = 20;
    s->pwc_fills = 123;
    s->walks = 85;
    s->walk_reads = 255;
    s->walk_writes = 17;
    s->dirty_assists = 6;
    s->rights_rechecks = 2;
    s->faults_pf = 10;
    s->pf_not_present = 7;
    s->pf_reserved = 2;
    s->pf_rights = 1;
    s->faults_gp = 3;
    s->ctrl_ops = 4;
    s->pdpte_loads = 1;
    for (uint64_t v = 1; v <= 100; v++)
        put(&s->translation_latency, v, 1);
    put(&s->walk_latency, 60, 80);
    put(&s->walk_latency, 100, 15);
    put(&s->walk_latency, 5000, 5);
    return s;
}

static char *render(const mmu_stats_t *s, const physmem_stats_t *pm, const mmu_config_t *cfg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    report_print(f, s, pm, cfg);
    fclose(f);
    return buf;
}

static void has(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("report lacks \"%s\":\n%s", needle, text);
}

static void test_rates(void **state)
{
    (void)state;
    assert_true(report_rate(1, 4) == 0.25);
    assert_true(report_rate(5, 0) == 0.0);
    mmu_stats_t *s = make_stats();
    assert_int_equal(report_tlb_lookups(&s->tlb[TLB_DTLB]), 1050);
    physmem_stats_t pm = { .reads = 255, .writes = 17, .pages_allocated = 9, .frames_allocated = 8 };
    char *t = render(s, &pm, NULL);
    /* dtlb row: lookups, hits, total rate, per-class rates */
    has(t, "88.57%");
    has(t, "90.00%");
    has(t, "75.00%");
    has(t, "99.00%");   /* itlb */
    has(t, "20.00%");   /* l2 4k */
    has(t, "unresolved 10");
    /* PWC */
    has(t, "lookups 200  hits 100 (50.00%)");
    has(t, "pd 50 (25.00%)");
    has(t, "pdpt 30 (15.00%)");
    has(t, "pml4 20 (10.00%)");
    has(t, "pml5 0 (0.00%)");
    /* walks */
    has(t, "walks        85");
    has(t, "(3.00/walk)");
    has(t, "(0.20/walk)");
    has(t, "dirty 6");
    has(t, "rights rechecks 2");
    has(t, "#PF 10 (not-present 7, reserved 2, rights 1)  #GP 3");
    has(t, "reads 255  writes 17");
    free(t);
    free(s);
}

static void test_percentiles(void **state)
{
    (void)state;
    mmu_stats_t *s = make_stats();
    report_hist_summary_t h;
    report_hist_summary(&s->translation_latency, &h);
    assert_int_equal(h.count, 100);
    assert_int_equal(h.min, 1);
    assert_int_equal(h.max, 100);
    assert_int_equal(h.p50, 50);
    assert_int_equal(h.p90, 90);
    assert_int_equal(h.p99, 99);
    assert_true(fabs(h.mean - 50.5) < 1e-9);

    report_hist_summary(&s->walk_latency, &h);
    assert_int_equal(h.count, 100);
    assert_int_equal(h.p50, 60);
    assert_int_equal(h.p90, 100);
    assert_int_equal(h.p99, 5000);   /* in the overflow range: max */
    assert_int_equal(h.max, 5000);

    char *t = render(s, NULL, NULL);
    has(t, "translation latency  count 100  min 1  mean 50.50  p50 50  p90 90  p99 99  max 100");
    has(t, "walk latency         count 100  min 60  mean 313.00  p50 60  p90 100  p99 5000  max 5000");
    /* chart: half-octave buckets; 60 is in 48-63, 100 in 96-127, 5000 in the overflow bucket */
    has(t, "48-63  80.00% |########################################| 80");
    has(t, "96-127  15.00% |");
    has(t, ">= 4096   5.00% |");
    has(t, "          1   1.00% |");
    free(t);

    /* Empty histograms. */
    histogram_t *e = calloc(1, sizeof *e);
    assert_non_null(e);
    report_hist_summary(e, &h);
    assert_int_equal(h.count, 0);
    assert_int_equal(h.p99, 0);
    free(e);
    free(s);
}

static void test_config_selects_tlbs(void **state)
{
    (void)state;
    mmu_config_t cfg;
    config_defaults(&cfg);
    mmu_stats_t *s = calloc(1, sizeof *s);
    assert_non_null(s);
    cfg.ports = 1;
    cfg.l2tlb = 0;
    char *t = render(s, NULL, &cfg);
    has(t, "dtlb");
    assert_null(strstr(t, "itlb"));
    assert_null(strstr(t, "  l2 "));
    has(t, "translation latency  count 0");
    free(t);

    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);
    config_defaults(&cfg);
    report_config_line(f, &cfg);
    fclose(f);
    has(line, "config: ports=2");
    has(line, "dtlb 4k 16x4 2m 8x4 1g 1x4");
    has(line, "itlb 4k 16x4 2m 2x4 1g off");
    has(line, "l2 4k 128x8");
    has(line, "repl=lru");
    has(line, "mem=fixed 20");
    free(line);
    free(s);
}

static double jnum(const cJSON *o, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *cur = o;
    for (char *save = NULL, *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save)) {
        cur = cJSON_GetObjectItemCaseSensitive(cur, k);
        if (!cur)
            fail_msg("JSON lacks %s", path);
    }
    if (!cJSON_IsNumber(cur))
        fail_msg("JSON %s is not a number", path);
    return cur->valuedouble;
}

static void test_json(void **state)
{
    (void)state;
    mmu_stats_t *s = make_stats();
    mmu_config_t cfg;
    config_defaults(&cfg);
    physmem_stats_t pm = { .reads = 255, .writes = 17 };
    cJSON *j = report_json(s, &pm, &cfg);
    assert_non_null(j);
    /* Round trip through text. */
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    j = cJSON_Parse(text);
    free(text);
    assert_non_null(j);
    assert_true(jnum(j, "requests") == 1150);
    assert_true(jnum(j, "tlb.dtlb.lookups") == 1050);
    assert_true(jnum(j, "tlb.dtlb.hits") == 930);
    assert_true(fabs(jnum(j, "tlb.dtlb.hit_rate") - 930.0 / 1050) < 1e-12);
    assert_true(jnum(j, "tlb.dtlb.by_class.4k.hit_rate") == 0.9);
    assert_true(jnum(j, "tlb.dtlb.by_class.2m.hit_rate") == 0.75);
    assert_true(jnum(j, "tlb.dtlb.by_class.1g.hit_rate") == 0);
    assert_true(jnum(j, "tlb.l2.by_class.4k.hit_rate") == 0.2);
    assert_true(jnum(j, "pwc.hit_rate") == 0.5);
    assert_true(jnum(j, "pwc.by_level.pd.rate") == 0.25);
    assert_true(jnum(j, "walks.reads_per_walk") == 3.0);
    assert_true(fabs(jnum(j, "walks.writes_per_walk") - 0.2) < 1e-12);
    assert_true(jnum(j, "faults.pf_not_present") == 7);
    assert_true(jnum(j, "translation_latency.p50") == 50);
    assert_true(jnum(j, "translation_latency.p90") == 90);
    assert_true(jnum(j, "translation_latency.p99") == 99);
    assert_true(jnum(j, "translation_latency.mean") == 50.5);
    assert_true(jnum(j, "walk_latency.over") == 5);
    assert_true(jnum(j, "physmem.reads") == 255);
    assert_true(jnum(j, "config.mem_latency") == 20);
    const cJSON *repl = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "config"), "tlb_repl");
    assert_true(cJSON_IsString(repl));
    assert_string_equal(repl->valuestring, "lru");
    cJSON_Delete(j);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rates),
        cmocka_unit_test(test_percentiles),
        cmocka_unit_test(test_config_selects_tlbs),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
