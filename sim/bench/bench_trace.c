/* Trace replay throughput (`make bench`, docs/bench.md "Trace replay"): a
 * compressed trace read, decompressed, parsed and translated by the model
 * (sim/workload/trace_replay.c: identity-mapped 4 KiB pages, serial
 * translations), timed from open to the last access. Streams:
 *   trace-zstd, trace-xz  a ChampSim-format trace of ~10 M accesses (tools/champsim_gen)
 *   trace-lackey          the shipped lackey trace of /bin/true (tests/traces), replayed 20 times
 *   trace-rss             peak RSS of a fresh process replaying ~1 M and ~100 M accesses (zstd):
 *                         flat when memory does not grow with the trace's length
 * Trace files are generated once into build/bench/ (champsim_gen | zstd / xz). */
#include "bench_trace.h"

#include "config.h"
#include "hostclock.h"
#include "trace.h"
#include "trace_replay.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACE_TARGET 10.0        /* M accesses/s, issue 11 */
#define TRACE_REPS 3

/* champsim_gen's pattern yields 27 accesses per 16 records (tools/champsim_gen.c). */
static uint64_t records_for(uint64_t accesses)
{
    return accesses / 27 * 16;
}

/* build/bench/pattern-N.champsim.EXT, generated when missing. */
static int trace_file(const char *gen, uint64_t accesses, const char *codec, char *path, size_t len)
{
    snprintf(path, len, "build/bench/pattern-%" PRIu64 ".champsim.%s", accesses, codec);
    struct stat sb;
    if (stat(path, &sb) == 0 && sb.st_size > 0)
        return 0;
    mkdir("build", 0777);
    mkdir("build/bench", 0777);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %" PRIu64 " | %s > %s.tmp && mv %s.tmp %s", gen, records_for(accesses),
             !strcmp(codec, "zst") ? "zstd -q -1 -T1" : "xz -1 -T1", path, path, path);
    printf("  (generating %s)\n", path);
    fflush(stdout);
    if (system(cmd) != 0) {
        fprintf(stderr, "bench: cannot generate %s (%s)\n", path, cmd);
        return -1;
    }
    return 0;
}

/* One full replay; returns wall-clock seconds (and the process CPU seconds in *cpu) or -1. */
static double replay_once(const mmu_config_t *cfg, const char *path, replay_stats_t *st, double *cpu)
{
    char err[REPLAY_ERR_LEN], terr[TRACE_ERR_LEN];
    replay_t *r = replay_create(cfg, false, err);
    if (!r) {
        fprintf(stderr, "bench: %s\n", err);
        return -1;
    }
    memset(st, 0, sizeof *st);
    double t0 = host_seconds(), c0 = host_cpu_seconds();
    trace_t *t = trace_open(path, TRACE_AUTO, terr);
    int rc = t ? replay_run(r, t, 0, st, err) : -1;
    double dt = host_seconds() - t0;
    *cpu = host_cpu_seconds() - c0;
    if (rc != 0)
        fprintf(stderr, "bench: %s\n", t ? err : terr);
    trace_close(t);
    replay_destroy(r);
    return rc == 0 ? dt : -1;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void timed_stream(const mmu_config_t *cfg, const char *name, const char *path, int passes)
{
    double rate[TRACE_REPS], cpu_rate[TRACE_REPS];
    replay_stats_t st = { 0 };
    for (int r = 0; r < TRACE_REPS; r++) {
        double total = 0, total_cpu = 0;
        uint64_t n = 0;
        for (int p = 0; p < passes; p++) {
            double cpu;
            double dt = replay_once(cfg, path, &st, &cpu);
            if (dt < 0) {
                printf("%-14s failed\n", name);
                return;
            }
            total += dt;
            total_cpu += cpu;
            n += st.accesses;
        }
        rate[r] = (double)n / total / 1e6;
        cpu_rate[r] = (double)n / total_cpu / 1e6;
    }
    qsort(rate, TRACE_REPS, sizeof rate[0], cmp_dbl);
    qsort(cpu_rate, TRACE_REPS, sizeof cpu_rate[0], cmp_dbl);
    double best = rate[TRACE_REPS - 1], median = rate[TRACE_REPS / 2];
    printf("%-14s %9.2f %9.2f %9.2f  >= %4.0f  %-6s  %" PRIu64 " accesses (x %d) = %" PRIu64 " fetch %" PRIu64
           " read %" PRIu64 " write, %" PRIu64 " pages\n",
           name, best, median, cpu_rate[TRACE_REPS - 1], TRACE_TARGET, best >= TRACE_TARGET ? "PASS" : "BELOW",
           st.accesses, passes, st.by_kind[ACC_EXEC], st.by_kind[ACC_READ], st.by_kind[ACC_WRITE],
           st.pages_mapped);
    fflush(stdout);
}

/* The replay of trace-rss, in the process bench_model re-executes itself as
 * (`bench_model trace-rss-child PATH`): a fresh image, so its peak RSS is the
 * replay's own and not the heap a forked parent had built up running the other
 * streams. Writes "accesses seconds maxrss_kib" to fd 3 (the parent's pipe). */
int bench_trace_rss_child(const char *path)
{
    mmu_config_t cfg;
    config_defaults(&cfg);
    replay_stats_t st;
    double cpu;
    double dt = replay_once(&cfg, path, &st, &cpu);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);   /* this process's own peak (ru_maxrss, KiB) */
    FILE *out = fdopen(3, "w");
    if (dt < 0 || !out)
        return 1;
    fprintf(out, "%" PRIu64 " %.9f %ld\n", st.accesses, dt, ru.ru_maxrss);
    return fclose(out) == 0 ? 0 : 1;
}

/* Replays path in a fresh process; prints its accesses, rate and peak RSS. */
static void rss_stream(const char *self, const char *path)
{
    fflush(stdout);
    int fds[2];
    if (pipe(fds) != 0)
        return;
    pid_t pid = fork();
    if (pid < 0)
        return;
    if (pid == 0) {
        close(fds[0]);
        if (dup2(fds[1], 3) < 0)
            _exit(1);
        execl(self, self, "trace-rss-child", path, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char line[128] = "";
    FILE *in = fdopen(fds[0], "r");
    bool got = in && fgets(line, sizeof line, in) != NULL;
    if (in)
        fclose(in);
    else
        close(fds[0]);
    double accesses = 0, dt = -1, maxrss = 0;
    int status = 0;
    if (waitpid(pid, &status, 0) < 0 || !got || sscanf(line, "%lf %lf %lf", &accesses, &dt, &maxrss) != 3 ||
        dt <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("trace-rss      %s: failed\n", path);
        return;
    }
    printf("trace-rss      %12.0f accesses  %6.2f M/s  peak RSS %6.1f MiB  (%s)\n", accesses,
           accesses / dt / 1e6, maxrss / 1024.0, path);
    fflush(stdout);
}

void bench_traces(int argc, char **argv)
{
    mmu_config_t cfg;
    config_defaults(&cfg);
    char gen[1024], path[512];
    snprintf(gen, sizeof gen, "%s", argv[0]);
    char *slash = strrchr(gen, '/');
    snprintf(slash ? slash + 1 : gen, sizeof gen - (size_t)(slash ? slash + 1 - gen : 0), "champsim_gen");
    if (!bench_selected(argc, argv, "trace-zstd") && !bench_selected(argc, argv, "trace-xz") &&
        !bench_selected(argc, argv, "trace-lackey") && !bench_selected(argc, argv, "trace-rss"))
        return;
    printf("\ntrace replay (open, decompress, parse, map on first touch, serial mmu_translate; M accesses/s)\n");
    printf("%-14s %9s %9s %9s  %6s  %s\n", "stream", "best", "median", "best cpu", "target", "");
    if (bench_selected(argc, argv, "trace-zstd") && trace_file(gen, 10000000, "zst", path, sizeof path) == 0)
        timed_stream(&cfg, "trace-zstd", path, 1);
    if (bench_selected(argc, argv, "trace-xz") && trace_file(gen, 10000000, "xz", path, sizeof path) == 0)
        timed_stream(&cfg, "trace-xz", path, 1);
    if (bench_selected(argc, argv, "trace-lackey"))
        timed_stream(&cfg, "trace-lackey", "tests/traces/true.lackey.xz", 20);
    if (bench_selected(argc, argv, "trace-rss")) {
        if (trace_file(gen, 1000000, "zst", path, sizeof path) == 0)
            rss_stream("/proc/self/exe", path);
        if (trace_file(gen, 100000000, "zst", path, sizeof path) == 0)
            rss_stream("/proc/self/exe", path);
    }
}
