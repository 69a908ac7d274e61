/* `mmulab exp`: run an experiment (a file, or a shipped one by name from experiments/), in
 * parallel and optionally one shard of it; `mmulab exp merge` joins shard directories into
 * the results of the whole experiment (sim/exp/exp.h, docs/experiments.md). */
#include "cli.h"

#include "config.h"
#include "exp.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
        "usage: mmulab exp FILE|NAME [--backend model|rtl|cosim] [--set KEY=VALUE]... [--out DIR]\n"
        "                  [-j N] [--shard K/N] [--no-plots] [--dry-run]\n"
        "       mmulab exp merge DIR... --out DIR [--no-plots]\n"
        "       mmulab exp list\n"
        "Runs every point of an experiment (parameters x workloads x seeds, docs/experiments.md),\n"
        "N at a time, each as `mmulab demo|trace ... --json DIR/points/NNNNNN.json`; then writes\n"
        "DIR/results.json, results.csv, points.csv, table.txt, plots/ (gnuplot PNG and SVG) and\n"
        "index.html, and prints the table. NAME is a shipped experiment, experiments/NAME.ini.\n"
        "--shard K/N runs the points whose index mod N is K-1 and writes no results: run every\n"
        "shard into its own DIR, then `mmulab exp merge` them (the same output as one run).\n"
        "--dry-run lists the points (index, shard, command) without running them.\n"
        "--set KEY=VALUE: an MMU parameter (`mmulab params`) is passed as --set KEY=VALUE, any other\n"
        "key as the point's option --KEY VALUE (--set ops=100000); either overrides the file's.\n"
        "DIR defaults to results/NAME; -j defaults to the number of online CPUs.\n");
}

/* A name without '/' and without an existing file of that name is a shipped experiment:
 * experiments/NAME.ini here, or beside the source tree this binary was built in
 * (build/rel/mmulab, build/rtl/CONFIG/mmulab). */
static int resolve(const char *arg, char *path, size_t len)
{
    struct stat st;
    if (strchr(arg, '/') || stat(arg, &st) == 0) {
        snprintf(path, len, "%s", arg);
        return 0;
    }
    snprintf(path, len, "experiments/%s.ini", arg);
    if (stat(path, &st) == 0)
        return 0;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        for (int up = 0; up < 4; up++) {
            char *slash = strrchr(exe, '/');
            if (!slash)
                break;
            *slash = 0;
            if (snprintf(path, len, "%s/experiments/%s.ini", exe, arg) >= (int)len)
                continue;
            if (stat(path, &st) == 0)
                return 0;
        }
    }
    snprintf(path, len, "%s", arg);   /* the open fails and names it */
    return -1;
}

static int only_ini(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 4 && !strcmp(d->d_name + n - 4, ".ini");
}

/* One line per shipped experiment: its name and title. */
static int cmd_list(void)
{
    char path[PATH_MAX];
    if (resolve("default", path, sizeof path) != 0) {
        fprintf(stderr, "mmulab exp list: no experiments/default.ini here or beside this binary's source tree\n");
        return 1;
    }
    *strrchr(path, '/') = 0;
    struct dirent **names;
    int n = scandir(path, &names, only_ini, alphasort);
    if (n < 0) {
        fprintf(stderr, "mmulab exp list: cannot read %s\n", path);
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char file[PATH_MAX + 300], err[EXP_ERR_LEN];
        snprintf(file, sizeof file, "%s/%s", path, names[i]->d_name);
        free(names[i]);
        exp_t e;
        if (exp_parse_file(&e, file, err) != 0) {
            fprintf(stderr, "mmulab exp list: %s\n", err);
            rc = 1;
            continue;
        }
        printf("%-16s %s\n", e.name, e.title ? e.title : "");
        exp_free(&e);
    }
    free(names);
    return rc;
}

static int cmd_merge(int argc, char **argv)
{
    const char *out = NULL;
    bool plots = true;
    const char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
    size_t ndirs = 0;
    if (!dirs)
        return 1;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_option_value(argc, argv, &i, "--out"))) {
            if (!*v) {
                free(dirs);
                return cli_usage_error("exp merge: %s needs a value", "--out");
            }
            out = v;
        } else if (!strcmp(argv[i], "--no-plots"))
            plots = false;
        else if (argv[i][0] == '-') {
            free(dirs);
            return cli_usage_error("exp merge: unknown option '%s'", argv[i]);
        } else
            dirs[ndirs++] = argv[i];
    }
    if (!ndirs || !out) {
        free(dirs);
        return cli_usage_error("exp merge: %s", "want DIR... --out DIR");
    }
    if (plots && !exp_have_gnuplot()) {
        free(dirs);
        fprintf(stderr, "mmulab exp merge: %s\n", exp_gnuplot_missing);
        return 1;
    }
    char err[EXP_ERR_LEN];
    exp_t e;
    int rc = 0;
    if (exp_load_dir(&e, dirs[0], err) != 0) {
        fprintf(stderr, "mmulab exp merge: %s\n", err);
        free(dirs);
        return 1;
    }
    for (size_t d = 1; d < ndirs && rc == 0; d++) {
        exp_t other;
        if (exp_load_dir(&other, dirs[d], err) != 0) {
            fprintf(stderr, "mmulab exp merge: %s\n", err);
            rc = 1;
            break;
        }
        if (strcmp(other.text, e.text) ||
            strcmp(other.overrides ? other.overrides : "", e.overrides ? e.overrides : "")) {
            fprintf(stderr, "mmulab exp merge: %s and %s hold different experiments (experiment.ini or "
                            "overrides.ini differ)\n", dirs[0], dirs[d]);
            rc = 1;
        }
        exp_free(&other);
    }
    if (rc == 0 && exp_write_results(&e, dirs, ndirs, out, plots, stdout, err) != 0) {
        fprintf(stderr, "mmulab exp merge: %s\n", err);
        rc = 1;
    }
    if (rc == 0)
        printf("report: %s/index.html (results.json, results.csv beside it)\n", out);
    exp_free(&e);
    free(dirs);
    return rc;
}

int cmd_exp(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "merge"))
        return cmd_merge(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "list"))
        return cmd_list();
    const char *file = NULL, *out = NULL;
    unsigned jobs = 0, shard_k = 1, shard_n = 1;
    bool plots = true, dry_run = false;
    char err[EXP_ERR_LEN];
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    const char *backend = NULL;
    size_t nsets = 0;
    if (!sets)
        return 1;
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *a = argv[i], *v = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            free(sets);
            return 0;
        }
        if (!strcmp(a, "--no-plots"))
            plots = false;
        else if (!strcmp(a, "--dry-run"))
            dry_run = true;
        else if ((v = cli_option_value(argc, argv, &i, "--out")))
            out = v;
        else if ((v = cli_option_value(argc, argv, &i, "--backend")))
            backend = v;
        else if ((v = cli_option_value(argc, argv, &i, "--set")))
            sets[nsets++] = v;
        else if ((v = cli_option_value(argc, argv, &i, "--shard"))) {
            if (exp_parse_shard(v, &shard_k, &shard_n, err) != 0) {
                fprintf(stderr, "mmulab exp: %s\n", err);
                rc = 2;
            }
        } else if ((v = cli_option_value(argc, argv, &i, "-j"))) {
            char *end;
            long n = strtol(v, &end, 10);
            if (!*v || *end || n < 1 || n > 1024) {
                fprintf(stderr, "mmulab exp: -j '%s': want a number of jobs, 1..1024\n", v);
                rc = 2;
            }
            jobs = (unsigned)n;
        } else if (!strncmp(a, "-j", 2) && a[2]) {   /* -j4 */
            char *end;
            long n = strtol(a + 2, &end, 10);
            if (*end || n < 1 || n > 1024) {
                fprintf(stderr, "mmulab exp: '%s': want -j N, N in 1..1024\n", a);
                rc = 2;
            }
            jobs = (unsigned)n;
        } else if (a[0] == '-') {
            fprintf(stderr, "mmulab exp: unknown option '%s'\n", a);
            rc = 2;
        } else if (file) {
            fprintf(stderr, "mmulab exp: one experiment at a time ('%s' and '%s')\n", file, a);
            rc = 2;
        } else
            file = a;
        if (v && !*v && rc == 0) {
            fprintf(stderr, "mmulab exp: option %s needs a value\n", a);
            rc = 2;
        }
    }
    if (rc == 0 && !file) {
        usage(stderr);
        rc = 2;
    }
    if (rc) {
        free(sets);
        return rc;
    }
    char path[PATH_MAX];
    resolve(file, path, sizeof path);
    exp_t e;
    if (exp_parse_file(&e, path, err) != 0) {
        fprintf(stderr, "mmulab exp: %s\n", err);
        free(sets);
        return 2;
    }
    if (backend && exp_add_fixed(&e, "backend", backend, err) != 0)
        rc = 2;
    for (size_t s = 0; s < nsets && rc == 0; s++) {
        const char *eq = strchr(sets[s], '=');
        char key[256];
        if (!eq || eq == sets[s] || (size_t)(eq - sets[s]) + 5 > sizeof key) {
            snprintf(err, sizeof err, "--set '%s': want KEY=VALUE", sets[s]);
            rc = 2;
            break;
        }
        /* an MMU parameter becomes --set KEY=VALUE, any other key the point's option --KEY VALUE */
        snprintf(key, sizeof key, "set.%.*s", (int)(eq - sets[s]), sets[s]);
        if (!config_find(key + 4))
            memmove(key, key + 4, strlen(key + 4) + 1);
        if (exp_add_fixed(&e, key, eq + 1, err) != 0)
            rc = 2;
    }
    free(sets);
    if (rc) {
        fprintf(stderr, "mmulab exp: %s\n", err);
        exp_free(&e);
        return rc;
    }
    char out_buf[PATH_MAX];
    if (!out) {
        snprintf(out_buf, sizeof out_buf, "results/%s", e.name);
        out = out_buf;
    }
    if (dry_run) {
        size_t n, ng;
        exp_point_t *pts = exp_expand(&e, &n, &ng);
        printf("experiment %s: %zu points (%zu groups x %zu seeds)\n", e.name, n, ng, e.nseeds);
        for (size_t i = 0; i < n; i++) {
            if (!exp_in_shard(i, shard_k, shard_n))
                continue;
            char **av = exp_point_argv(&e, &pts[i], "mmulab", NULL);
            printf("%zu shard %zu/%u:", i, i % shard_n + 1, shard_n);
            for (char **p = av; *p; p++)
                printf(" %s", *p);
            printf("\n");
            exp_argv_free(av);
        }
        exp_points_free(pts, n);
        exp_free(&e);
        return 0;
    }
    if (plots && shard_n == 1 && !exp_have_gnuplot()) {   /* before the points, not after */
        fprintf(stderr, "mmulab exp: %s\n", exp_gnuplot_missing);
        exp_free(&e);
        return 1;
    }
    if (!jobs) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = cpus > 0 ? (unsigned)cpus : 1;
    }
    exp_run_opts_t o = { "/proc/self/exe", out, jobs, shard_k, shard_n, isatty(2) != 0 };
    if (exp_run_points(&e, &o, err) != 0) {
        fprintf(stderr, "mmulab exp: %s\n", err);
        exp_free(&e);
        return 1;
    }
    if (shard_n > 1) {
        if (exp_lockstep_verdict(&e, &o, stdout) != 0)
            rc = 1;
        printf("shard %u/%u of %s done in %s; when every shard is done: mmulab exp merge DIR... --out DIR\n",
               shard_k, shard_n, e.name, out);
    } else {
        const char *dirs[1] = { out };
        if (exp_write_results(&e, dirs, 1, out, plots, stdout, err) != 0) {
            fprintf(stderr, "mmulab exp: %s\n", err);
            rc = 1;
        }
        if (exp_lockstep_verdict(&e, &o, stdout) != 0)   /* after the table, before the report line */
            rc = 1;
        if (rc == 0)
            printf("report: %s/index.html (results.json, results.csv beside it)\n", out);
    }
    exp_free(&e);
    return rc;
}
