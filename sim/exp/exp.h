/* Experiments (docs/experiments.md): a sweep over parameters x workloads x seeds, each point
 * one run of this binary (`mmulab demo` or `mmulab trace`) writing its statistics as JSON.
 *
 * Flow: exp_parse_file() reads an experiment file (the project's `key = value` config syntax
 * with [sections]) into an exp_t; exp_expand() lists its points in a fixed order (workloads in
 * file order, then the swept keys' cartesian product with the first key slowest, then seeds);
 * exp_in_shard() picks the points of one shard (index mod N == K-1); exp_run_points() runs
 * them N at a time (fork/exec, a bounded pool) into OUT/points/NNNN.json; exp_write_results()
 * reads every point's JSON back and writes results.json, results.csv, the plots and
 * index.html, and prints the table. `exp merge` runs exp_write_results() over the points of
 * several shard directories, so merged and unsharded outputs are made by the same code from
 * the same inputs and are byte for byte equal (no output carries a timestamp or host time).
 *
 * Contract with `mmulab demo`/`trace`: options --KEY VALUE, --set KEY=VALUE, --seed N,
 * --json OUT; the JSON's "run" and "stats" objects (sim/report/report.h) and, once the OS
 * layer drives demo, an "os" object of counters. */
#ifndef MMULAB_EXP_H
#define MMULAB_EXP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EXP_ERR_LEN 512
#define EXP_FORMAT_VERSION 1

/* Formats a message into err (EXP_ERR_LEN bytes), cut to fit. */
void exp_errf(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A key with its list of values ([fixed] keys have one value). key "set.NAME" becomes
 * `--set NAME=VALUE`, any other key `--KEY VALUE`. */
typedef struct {
    char *key;
    char **values;
    size_t nvalues;
    unsigned line;       /* where it was defined, for messages */
} exp_key_t;

typedef struct {
    char *name;
    char **args;         /* the workload's options, split on white space */
    size_t nargs;
} exp_workload_t;

typedef struct {
    char *path;          /* as given, for messages */
    char *text;          /* the file's text, copied into the output directory */
    char *overrides;     /* "key = value" lines of exp_add_fixed (OUT/overrides.ini), or NULL */
    char *name, *title, *command;   /* command: "demo" or "trace" */
    char *x_key;         /* the swept key on the plots' x axis (NULL: the first swept key) */
    char **metrics;      /* names of exp_metrics[] shown in the table and plotted */
    size_t nmetrics;
    uint64_t *seeds;
    size_t nseeds;
    exp_key_t *fixed, *sweep;
    size_t nfixed, nsweep;
    exp_workload_t *workloads;
    size_t nworkloads;
} exp_t;

/* One point: indices into the experiment's lists. */
typedef struct {
    size_t index;        /* 0-based position in the full sweep */
    size_t workload;
    size_t *value;       /* nsweep entries: which value of each swept key */
    size_t seed;
    size_t group;        /* points differing only in the seed share a group */
} exp_point_t;

/* Parses text (read from path) into e. Returns 0, or -1 with "PATH:LINE: problem" in err. */
int exp_parse(exp_t *e, const char *path, const char *text, char *err);
/* Reads the file and parses it. */
int exp_parse_file(exp_t *e, const char *path, char *err);
void exp_free(exp_t *e);

/* Overrides from the command line: --set k=v (as fixed "set.k") and --backend. */
int exp_add_fixed(exp_t *e, const char *key, const char *value, char *err);

/* Reads the experiment a run left in dir (experiment.ini, then overrides.ini). */
int exp_load_dir(exp_t *e, const char *dir, char *err);

/* Every point in sweep order (caller frees with exp_points_free). */
exp_point_t *exp_expand(const exp_t *e, size_t *npoints, size_t *ngroups);
void exp_points_free(exp_point_t *p, size_t n);

/* "K/N" into k (1-based) and n. Returns 0 or -1 with the problem in err. */
int exp_parse_shard(const char *s, unsigned *k, unsigned *n, char *err);
/* Round-robin: the point with index i belongs to shard (i mod n) + 1. */
bool exp_in_shard(size_t index, unsigned k, unsigned n);

/* The argument vector of a point (argv[0] = exe; NULL-terminated; --seed (not for command
 * trace: a trace is deterministic) and, with json, --json JSON appended). Caller frees with exp_argv_free. */
char **exp_point_argv(const exp_t *e, const exp_point_t *p, const char *exe, const char *json);
void exp_argv_free(char **argv);

/* --- statistics over seeds ------------------------------------------------------------ */

/* Student's t for a two-sided 95 % interval with df degrees of freedom (df >= 1). */
double exp_t975(unsigned df);
/* Mean and the half-width of the 95 % confidence interval of v[0..n-1] (ci = 0 when n < 2,
 * *has_ci false then). */
void exp_mean_ci(const double *v, size_t n, double *mean, double *ci, bool *has_ci);

/* --- metrics -------------------------------------------------------------------------- */

typedef struct {
    const char *name;        /* column name in the CSV and the table */
    const char *path;        /* dotted path into the point's JSON */
    const char *den_path;    /* when not NULL: the metric is path / den_path */
    const char *label;       /* plot axis label, with its unit */
} exp_metric_t;

extern const exp_metric_t exp_metrics[];
extern const size_t exp_nmetrics;
const exp_metric_t *exp_metric_find(const char *name);

struct cJSON;

/* --- running and results ---------------------------------------------------------------- */

typedef struct {
    const char *exe;         /* the binary each point runs (/proc/self/exe) */
    const char *out_dir;
    unsigned jobs;
    unsigned shard_k, shard_n;   /* 1/1: every point */
    bool progress_bar;       /* a redrawn bar (terminal) rather than one line per point */
} exp_run_opts_t;

/* Writes text to path; -1 with "cannot write PATH: why" in err. */
int exp_write_text(const char *path, const char *text, char *err);
/* Creates dir and dir/points/ (and their parents). */
int exp_prepare_dir(const char *dir, char *err);

/* Creates OUT/ and OUT/points/, writes OUT/experiment.ini, runs the shard's points.
 * Returns 0 when every point succeeded. */
int exp_run_points(const exp_t *e, const exp_run_opts_t *o, char *err);

/* With --backend cosim (fixed key "backend"): checks every point of the shard printed the
 * co-simulation's agreement line and prints the verdict on out. 0 when all agreed (or not
 * cosim), -1 otherwise. */
int exp_lockstep_verdict(const exp_t *e, const exp_run_opts_t *o, FILE *out);

/* Reads OUT's points from the directories dirs[0..ndirs-1] (each OUT/points/NNNN.json of one
 * shard, or the run's own OUT), which together must hold every point exactly once, and
 * writes results.json, results.csv, plots/ and index.html into out_dir; prints the table on
 * table (may be NULL). Returns 0 or -1 with the problem in err. */
int exp_write_results(const exp_t *e, const char *const *dirs, size_t ndirs, const char *out_dir,
                      bool plots, FILE *table, char *err);

/* The metrics shown in the table and plotted: the experiment's `metrics` or a default list. */
size_t exp_display_metrics(const exp_t *e, const char *const **names);
/* A group's metric as "mean ±ci" (or "mean", or "-"). */
void exp_format_mean_ci(char *buf, size_t len, const struct cJSON *metric);
/* Whether gnuplot is on PATH; the error text (with the apt-get line) when it is not. */
bool exp_have_gnuplot(void);
extern const char exp_gnuplot_missing[];

/* Plots (gnuplot, PNG and SVG) and index.html for the groups in results (exp_report.c). */
int exp_write_report(const exp_t *e, const struct cJSON *results, const char *out_dir, bool plots,
                     char *err);

#endif
