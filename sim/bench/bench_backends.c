/* Throughput of the three backends on the same seeded streams (`make bench`, mk/cosim.mk):
 * translations per second and simulated cycles per second of the model, the Verilated RTL
 * (rtl backend) and both in lockstep (cosim), one thread, tracing off. Each stream is built
 * afresh for every backend from the same workload knobs and seed (sim/workload/workload.h), so all
 * three see the same requests; the simulated cycles must agree as well. Times are CPU time
 * of the process (steady on a loaded machine). A benchmark, not a test: exits 0 unless a
 * backend fails. */
#include "hostclock.h"
#include "backend.h"
#include "config.h"
#include "workload.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
    const char *name;
    const char *knobs[12];   /* key, value pairs for wl_set, NULL-terminated */
    uint64_t ops;
} stream_t;

static const stream_t streams[] = {
    { "hits: hotcold 64M, 2 ports overlapped",
      { "workload", "hotcold", "region", "64M", "hot", "128K", "hot-frac", "0.95", "issue", "overlap:2", NULL },
      200000 },
    { "walks: random 4G, serial",
      { "workload", "random", "region", "4G", "issue", "serial", NULL },
      30000 },
};

static const backend_kind_t kinds[] = { BACKEND_MODEL, BACKEND_RTL, BACKEND_COSIM };

static int run(const stream_t *s, backend_kind_t kind, wl_run_t *out)
{
    wl_params_t p;
    mmu_config_t cfg;
    char err[WL_ERR_LEN > CONFIG_ERR_LEN ? WL_ERR_LEN : CONFIG_ERR_LEN];
    wl_defaults(&p);
    config_defaults(&cfg);
    for (int i = 0; s->knobs[i]; i += 2)
        if (wl_set(&p, s->knobs[i], s->knobs[i + 1], err) != 0) {
            fprintf(stderr, "bench_backends: %s\n", err);
            return -1;
        }
    p.ops = s->ops;
    p.seed = 1;
    if (wl_validate(&p, err) != 0) {
        fprintf(stderr, "bench_backends: %s\n", err);
        return -1;
    }
    workload_t *w = wl_create_on(&p, &cfg, kind, err);
    if (!w) {
        fprintf(stderr, "bench_backends: %s: %s\n", backend_kind_name(kind), err);
        return -1;
    }
    double t0 = host_cpu_seconds();
    int rc = wl_run(w, NULL, NULL, out, err);
    out->seconds = host_cpu_seconds() - t0;
    if (rc == 0 && backend_finish(wl_backend(w)) != 0) {
        snprintf(err, sizeof err, "the end-of-run check failed");
        rc = -1;
    }
    if (rc != 0)
        fprintf(stderr, "bench_backends: %s: %s\n", backend_kind_name(kind), err);
    wl_destroy(w);
    return rc;
}

int main(void)
{
    printf("backend throughput (one thread; same stream and seed on each backend)\n");
    printf("%-40s %-6s %9s %11s %7s %10s %12s\n", "stream", "backend", "ops", "cycles", "cpu s", "ops/s",
           "cycles/s");
    int status = 0;
    for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++) {
        double cps[3] = { 0 };
        cycle_t span[3] = { 0 };
        for (int k = 0; k < 3; k++) {
            wl_run_t r;
            if (run(&streams[i], kinds[k], &r) != 0) {
                status = 1;
                continue;
            }
            span[k] = r.last_complete - r.first_issue;
            double secs = r.seconds > 0 ? r.seconds : 1e-9;
            cps[k] = (double)span[k] / secs;
            printf("%-40s %-7s %9" PRIu64 " %11" PRIu64 " %7.3f %10.0f %12.0f\n", k ? "" : streams[i].name,
                   backend_kind_name(kinds[k]), r.ops, (uint64_t)span[k], r.seconds, (double)r.ops / secs, cps[k]);
        }
        if (span[0] != span[1] || span[0] != span[2])
            printf("  note: the backends simulated different spans (%" PRIu64 ", %" PRIu64 ", %" PRIu64 " cycles)\n",
                   (uint64_t)span[0], (uint64_t)span[1], (uint64_t)span[2]);
        if (cps[1] > 0 && cps[2] > 0) {
            printf("  cosim / rtl speed: %.2f (target >= 0.5)\n", cps[2] / cps[1]);
            printf("  rtl: %.2f M cycles/s (target >= 5: %s; docs/rtl.md, Speed)\n", cps[1] / 1e6,
                   cps[1] >= 5e6 ? "PASS" : "BELOW");
        }
    }
    return status;
}
