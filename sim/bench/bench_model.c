/* Model throughput on one core (`make bench`): host translations per second
 * for a TLB-hit-dominated stream, a walk-dominated stream, and the overlapped
 * two-port submit/sync path. A benchmark, not a test: always exits 0.
 * See docs/bench.md. */
#include "bench_trace.h"
#include "hostclock.h"
#include "config.h"
#include "mmu.h"
#include "report.h"
#include "workload.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPS 5
#define TARGET_SECONDS 0.3    /* per repetition, after calibration */

typedef struct {
    const char *name;
    const char *what;
    double target;              /* M translations/s, 0 = none */
    workload_t *w;
    mmu_req_t *reqs;            /* pregenerated ring (issue cycles set at run time) */
    size_t nreqs;
    bool overlap;
    unsigned batch;
    uint64_t checksum, bad;
} bench_t;

/* Runs n translations; returns host seconds. */
static double run_serial(bench_t *b, uint64_t n)
{
    mmu_t *m = wl_mmu(b->w);
    mmu_result_t res;
    size_t k = 0;
    uint64_t sum = 0, bad = 0;
    const double t0 = host_seconds();
    for (uint64_t i = 0; i < n; i++) {
        mmu_req_t req = b->reqs[k];
        if (++k == b->nreqs)
            k = 0;
        req.issue_cycle = mmu_horizon(m);
        if (mmu_translate(m, &req, &res) != 0 || res.fault != FAULT_NONE)
            bad++;
        sum += res.pa;
    }
    const double t = host_seconds() - t0;
    b->checksum += sum;
    b->bad += bad;
    return t;
}

static double run_overlap(bench_t *b, uint64_t n)
{
    mmu_t *m = wl_mmu(b->w);
    const bool two = mmu_config(m)->ports >= 2;
    const unsigned B = b->batch;
    mmu_result_t *res = malloc(B * sizeof *res);
    mmu_req_t *req = malloc(B * sizeof *req);
    if (!res || !req) {
        free(res);
        free(req);
        return 0;
    }
    size_t k = 0;
    uint64_t sum = 0, bad = 0;
    cycle_t next[MMU_MAX_PORTS] = { 0, 0 }, last = 0;
    const double t0 = host_seconds();
    for (uint64_t done = 0; done < n;) {
        const cycle_t h = mmu_horizon(m);
        if (last < h)
            last = h;
        unsigned cnt = (unsigned)((n - done) < B ? (n - done) : B);
        for (unsigned i = 0; i < cnt; i++) {
            req[i] = b->reqs[k];
            if (++k == b->nreqs)
                k = 0;
            const int port = two && req[i].access == ACC_EXEC ? PORT_I : PORT_D;
            cycle_t t = next[port] > last ? next[port] : last;
            req[i].issue_cycle = t;
            if (mmu_submit(m, &req[i], &res[i]) != 0) {
                bad++;
                res[i].pa = 0;
                res[i].fault = FAULT_GP;
                continue;
            }
            next[port] = t + 1;
            last = t;
        }
        mmu_sync(m);
        for (unsigned i = 0; i < cnt; i++) {
            bad += res[i].fault != FAULT_NONE;
            sum += res[i].pa;
        }
        done += cnt;
    }
    const double t = host_seconds() - t0;
    b->checksum += sum;
    b->bad += bad;
    free(res);
    free(req);
    return t;
}

static double run(bench_t *b, uint64_t n)
{
    return b->overlap ? run_overlap(b, n) : run_serial(b, n);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void measure(bench_t *b)
{
    /* Warm-up (fills TLBs / caches, faults in host memory), then calibrate. */
    uint64_t n = 200000;
    double t = run(b, n);
    while (t < 0.05 && n < (1ull << 34)) {
        n *= 4;
        t = run(b, n);
    }
    uint64_t per_rep = t > 0 ? (uint64_t)((double)n * TARGET_SECONDS / t) : n;
    if (per_rep < 100000)
        per_rep = 100000;

    mmu_clear_stats(wl_mmu(b->w));
    double mts[REPS];
    for (int r = 0; r < REPS; r++) {
        double s = run(b, per_rep);
        mts[r] = s > 0 ? (double)per_rep / s / 1e6 : 0;
    }
    qsort(mts, REPS, sizeof mts[0], cmp_double);
    const double best = mts[REPS - 1], median = mts[REPS / 2];

    const mmu_stats_t *st = mmu_stats(wl_mmu(b->w));
    uint64_t look = 0, hits = 0;
    for (int id = TLB_ITLB; id <= TLB_DTLB; id++) {
        look += report_tlb_lookups(&st->tlb[id]);
        for (int c = 0; c < NUM_PSC; c++)
            hits += st->tlb[id].hits[c];
    }
    char tgt[32], verdict[16];
    if (b->target > 0) {
        snprintf(tgt, sizeof tgt, ">= %.0f", b->target);
        snprintf(verdict, sizeof verdict, "%s", best >= b->target ? "PASS" : "BELOW");
    } else {
        snprintf(tgt, sizeof tgt, "-");
        snprintf(verdict, sizeof verdict, "-");
    }
    printf("%-14s %9.2f %9.2f %9s  %-6s %7.1f%% %8.3f  %" PRIu64 "x%" PRIu64 "\n", b->name, best, median,
           tgt, verdict, 100.0 * report_rate(hits, look), report_rate(st->walks, st->requests), per_rep,
           (uint64_t)REPS);
    if (b->bad)
        printf("  warning: %" PRIu64 " translations faulted or were rejected\n", b->bad);
    fflush(stdout);
}

/* Sets up a workload and a ring of its requests. hot_pages > 0: instead of the
 * workload's stream, reads of hot_pages consecutive 4 KiB pages at the region base. */
static int setup(bench_t *b, const mmu_config_t *cfg, const char *const *knobs, size_t nreqs,
                 unsigned hot_pages, double hot_exec)
{
    wl_params_t p;
    wl_defaults(&p);
    char err[WL_ERR_LEN];
    for (size_t i = 0; knobs[i]; i += 2)
        if (wl_set(&p, knobs[i], knobs[i + 1], err) != 0) {
            fprintf(stderr, "bench: %s\n", err);
            return -1;
        }
    p.ops = nreqs;
    b->w = wl_create(&p, cfg, err);
    if (!b->w) {
        fprintf(stderr, "bench %s: %s\n", b->name, err);
        return -1;
    }
    b->reqs = malloc(nreqs * sizeof *b->reqs);
    if (!b->reqs)
        return -1;
    b->nreqs = nreqs;
    if (hot_pages) {
        rng_t r;
        rng_seed(&r, 42);
        const vaddr_t base = wl_params(b->w)->va_base;
        for (size_t i = 0; i < nreqs; i++) {
            memset(&b->reqs[i], 0, sizeof b->reqs[i]);
            b->reqs[i].va = base + (rng_below(&r, hot_pages) << 12) + (rng_below(&r, 512) << 3);
            b->reqs[i].access = rng_double(&r) < hot_exec ? ACC_EXEC : ACC_READ;
        }
    } else {
        for (size_t i = 0; i < nreqs; i++)
            if (wl_next(b->w, &b->reqs[i]) != 0)
                return -1;
    }
    return 0;
}

static void teardown(bench_t *b)
{
    wl_destroy(b->w);
    free(b->reqs);
    b->w = NULL;
    b->reqs = NULL;
}

bool bench_selected(int argc, char **argv, const char *name)
{
    if (argc < 2)
        return true;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], name))
            return true;
    return false;
}

/* Usage: bench_model [STREAM...]   (default: all; STREAM = tlb-hit walk overlap-hit overlap-walk build
 * trace-zstd trace-xz trace-lackey trace-rss) */
int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "trace-rss-child"))
        return bench_trace_rss_child(argv[2]);
    mmu_config_t cfg;
    config_defaults(&cfg);
    printf("mmulab model throughput (one core, host wall clock; M = 10^6 translations/s)\n");
    report_config_line(stdout, &cfg);
    printf("%-14s %9s %9s %9s  %-6s %8s %8s  %s\n", "stream", "best", "median", "target", "", "L1 hit",
           "walks/op", "ops/rep x reps");

    /* Hot set: 32 consecutive 4 KiB pages (2 per DTLB set with the default 16x4 4k array). */
    static const char *const hot_knobs[] = { "region", "2M", "mix", "1:0:0", "rwx", "1:0:0", NULL };
    /* 1 GiB of 4 KiB pages, uniform random reads. */
    static const char *const walk_knobs[] = { "region", "1G", "mix", "1:0:0", "rwx", "1:0:0", NULL };
    static const char *const walk_x_knobs[] = { "region", "1G", "mix", "1:0:0", "rwx", "45:10:45", "preset-d", "1", NULL };

    struct {
        bench_t b;
        const char *const *knobs;
        size_t nreqs;
        unsigned hot;
        double hot_exec;
    } runs[] = {
        { { .name = "tlb-hit", .what = "serial mmu_translate, hot set in the L1 DTLB", .target = 50 },
          hot_knobs, 1 << 16, 32, 0 },
        { { .name = "walk", .what = "serial mmu_translate, random 4 KiB pages over 1 GiB", .target = 5 },
          walk_knobs, 1 << 20, 0, 0 },
        { { .name = "overlap-hit", .what = "2 ports, submit/sync batches of 256, hot set", .overlap = true,
            .batch = 256 },
          hot_knobs, 1 << 16, 32, 0.5 },
        { { .name = "overlap-walk", .what = "2 ports, submit/sync batches of 256, random 1 GiB", .overlap = true,
            .batch = 256 },
          walk_x_knobs, 1 << 20, 0, 0 },
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        bench_t *b = &runs[i].b;
        if (!bench_selected(argc, argv, b->name))
            continue;
        if (setup(b, &cfg, runs[i].knobs, runs[i].nreqs, runs[i].hot, runs[i].hot_exec) != 0) {
            printf("%-14s setup failed\n", b->name);
            teardown(b);
            continue;
        }
        measure(b);
        teardown(b);
    }
    /* Address-space build: 1 GiB of 4 KiB pages (262144 PTEs), no MMU. */
    if (bench_selected(argc, argv, "build")) {
        wl_params_t p;
        wl_defaults(&p);
        p.region_bytes = 1ull << 30;
        p.frac_large = p.frac_1g = 0;
        p.ops = 0;
        char err[WL_ERR_LEN];
        double best = 1e9;
        for (int r = 0; r < 3; r++) {
            const double t0 = host_seconds();
            workload_t *w = wl_create(&p, NULL, err);
            const double t = host_seconds() - t0;
            if (!w) {
                printf("build          failed: %s\n", err);
                break;
            }
            wl_destroy(w);
            if (t < best)
                best = t;
        }
        if (best < 1e9)
            printf("build          1 GiB of 4 KiB pages (262144 PTEs): %.3f s (best of 3)\n", best);
    }
    printf("\nstreams:\n");
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
        if (bench_selected(argc, argv, runs[i].b.name))
            printf("  %-14s %s\n", runs[i].b.name, runs[i].b.what);
    printf("best/median over %d repetitions after a warm-up; PASS/BELOW compares the best with the target.\n",
           REPS);
    bench_traces(argc, argv);
    return 0;
}
