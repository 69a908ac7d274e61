/* Results of an experiment: every point's JSON read back (from one run directory or from
 * several shard directories), the metrics of exp_metrics[] per point, their mean and 95 %
 * confidence interval per group (the points that differ only in the seed), written as
 * results.json (format version, tool version, experiment, groups, points), results.csv (one
 * row per group), points.csv (one row per point) and a readable table; then the plots and
 * index.html (exp_report.c). Nothing written depends on where or when the points ran, so a
 * merged run equals an unsharded one byte for byte. */
#include "exp.h"
#include "version.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const default_metrics[] = {
    "cycles_per_access", "walk_p50", "walk_p99", "dtlb_hit_rate", "pwc_hit_rate", "mem_reads_per_walk",
};

/* The metrics shown in the table and plotted: the experiment's list or the default one. */
size_t exp_display_metrics(const exp_t *e, const char *const **names)
{
    if (e->nmetrics) {
        *names = (const char *const *)e->metrics;
        return e->nmetrics;
    }
    *names = default_metrics;
    return sizeof default_metrics / sizeof *default_metrics;
}

static cJSON *read_json(const char *path, char *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        exp_errf(err, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0, got;
    char chunk[65536];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + got + 1 > cap) {
            cap = 2 * (len + got + 1);
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                exp_errf(err, "%s: out of memory", path);
                return NULL;
            }
            buf = nb;
        }
        memcpy(buf + len, chunk, got);
        len += got;
    }
    fclose(f);
    cJSON *j = buf ? (buf[len] = 0, cJSON_Parse(buf)) : NULL;
    free(buf);
    if (!j)
        exp_errf(err, "%s: not valid JSON (a point that did not finish?)", path);
    return j;
}

/* The number at a dotted path ("stats.tlb.dtlb.hit_rate"; an array element by index, -1 the
 * last). false when the point lacks it. */
static bool json_number(const cJSON *root, const char *path, double *out)
{
    const cJSON *node = root;
    char part[128];
    const char *p = path;
    while (node && *p) {
        size_t n = strcspn(p, ".");
        if (n >= sizeof part)
            return false;
        memcpy(part, p, n);
        part[n] = 0;
        p += n + (p[n] == '.');
        if (cJSON_IsArray(node)) {
            char *end;
            long i = strtol(part, &end, 10);
            int size = cJSON_GetArraySize(node);
            if (*end || !*part)
                return false;
            if (i < 0)
                i += size;
            node = i >= 0 && i < size ? cJSON_GetArrayItem(node, (int)i) : NULL;
        } else
            node = cJSON_GetObjectItemCaseSensitive(node, part);
    }
    if (!cJSON_IsNumber(node))
        return false;
    *out = node->valuedouble;
    return true;
}

static bool metric_value(const cJSON *point, const exp_metric_t *m, double *v)
{
    double num, den;
    if (!json_number(point, m->path, &num))
        return false;
    if (!m->den_path) {
        *v = num;
        return true;
    }
    if (!json_number(point, m->den_path, &den))
        return false;
    *v = den != 0 ? num / den : 0;
    return true;
}

static cJSON *params_json(const exp_t *e, const exp_point_t *p)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t k = 0; k < e->nsweep; k++)
        cJSON_AddStringToObject(o, e->sweep[k].key, e->sweep[k].values[p->value[k]]);
    return o;
}

/* RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_number(FILE *f, const cJSON *n)
{
    if (cJSON_IsNumber(n))
        fprintf(f, "%.10g", n->valuedouble);
}

static int close_checked(FILE *f, const char *path, char *err)
{
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        exp_errf(err, "cannot write %s", path);
        return -1;
    }
    return 0;
}

static FILE *open_out(const char *dir, const char *name, char *path, size_t len, char *err)
{
    snprintf(path, len, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        exp_errf(err, "cannot write %s: %s", path, strerror(errno));
    return f;
}

static int write_csv(const exp_t *e, const cJSON *results, const char *dir, char *err)
{
    char path[4200];
    FILE *f = open_out(dir, "results.csv", path, sizeof path, err);
    if (!f)
        return -1;
    fputs("workload", f);
    for (size_t k = 0; k < e->nsweep; k++) {
        fputc(',', f);
        csv_field(f, e->sweep[k].key);
    }
    fputs(",seeds", f);
    for (size_t m = 0; m < exp_nmetrics; m++)
        fprintf(f, ",%s_mean,%s_ci95", exp_metrics[m].name, exp_metrics[m].name);
    fputc('\n', f);
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItem(results, "groups")) {
        csv_field(f, cJSON_GetObjectItem(g, "workload")->valuestring);
        const cJSON *params = cJSON_GetObjectItem(g, "params");
        for (size_t k = 0; k < e->nsweep; k++) {
            fputc(',', f);
            csv_field(f, cJSON_GetObjectItem(params, e->sweep[k].key)->valuestring);
        }
        fprintf(f, ",%d", cJSON_GetObjectItem(g, "seeds")->valueint);
        const cJSON *metrics = cJSON_GetObjectItem(g, "metrics");
        for (size_t m = 0; m < exp_nmetrics; m++) {
            const cJSON *mo = cJSON_GetObjectItem(metrics, exp_metrics[m].name);
            fputc(',', f);
            csv_number(f, cJSON_GetObjectItem(mo, "mean"));
            fputc(',', f);
            csv_number(f, cJSON_GetObjectItem(mo, "ci95"));
        }
        fputc('\n', f);
    }
    if (close_checked(f, path, err) != 0)
        return -1;

    if (!(f = open_out(dir, "points.csv", path, sizeof path, err)))
        return -1;
    fputs("index,workload", f);
    for (size_t k = 0; k < e->nsweep; k++) {
        fputc(',', f);
        csv_field(f, e->sweep[k].key);
    }
    fputs(",seed", f);
    for (size_t m = 0; m < exp_nmetrics; m++)
        fprintf(f, ",%s", exp_metrics[m].name);
    fputc('\n', f);
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(results, "points")) {
        fprintf(f, "%d,", cJSON_GetObjectItem(p, "index")->valueint);
        csv_field(f, cJSON_GetObjectItem(p, "workload")->valuestring);
        const cJSON *params = cJSON_GetObjectItem(p, "params");
        for (size_t k = 0; k < e->nsweep; k++) {
            fputc(',', f);
            csv_field(f, cJSON_GetObjectItem(params, e->sweep[k].key)->valuestring);
        }
        fprintf(f, ",%.0f", cJSON_GetObjectItem(p, "seed")->valuedouble);
        const cJSON *metrics = cJSON_GetObjectItem(p, "metrics");
        for (size_t m = 0; m < exp_nmetrics; m++) {
            fputc(',', f);
            csv_number(f, cJSON_GetObjectItem(metrics, exp_metrics[m].name));
        }
        fputc('\n', f);
    }
    return close_checked(f, path, err);
}

/* "0.2689" or "45.89 ±1.2" */
void exp_format_mean_ci(char *buf, size_t len, const cJSON *mo)
{
    const cJSON *mean = cJSON_GetObjectItem(mo, "mean"), *ci = cJSON_GetObjectItem(mo, "ci95");
    if (!cJSON_IsNumber(mean))
        snprintf(buf, len, "-");
    else if (cJSON_IsNumber(ci))
        snprintf(buf, len, "%.4g ±%.2g", mean->valuedouble, ci->valuedouble);
    else
        snprintf(buf, len, "%.4g", mean->valuedouble);
}

static void print_table(const exp_t *e, const cJSON *results, FILE *f)
{
    const char *const *names;
    size_t nm = exp_display_metrics(e, &names);
    fprintf(f, "experiment %s: %s\n", e->name, e->title ? e->title : "");
    fprintf(f, "%-14s", "workload");
    for (size_t k = 0; k < e->nsweep; k++)
        fprintf(f, " %16s", e->sweep[k].key);
    for (size_t m = 0; m < nm; m++)
        fprintf(f, " %18s", names[m]);
    fputc('\n', f);
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItem(results, "groups")) {
        fprintf(f, "%-14s", cJSON_GetObjectItem(g, "workload")->valuestring);
        const cJSON *params = cJSON_GetObjectItem(g, "params");
        for (size_t k = 0; k < e->nsweep; k++)
            fprintf(f, " %16s", cJSON_GetObjectItem(params, e->sweep[k].key)->valuestring);
        for (size_t m = 0; m < nm; m++) {
            char cell[64];
            exp_format_mean_ci(cell, sizeof cell, cJSON_GetObjectItem(cJSON_GetObjectItem(g, "metrics"), names[m]));
            fprintf(f, " %18s", cell);
        }
        fputc('\n', f);
    }
    if (e->nseeds > 1)
        fprintf(f, "(mean ±95 %% confidence half-width over %zu seeds, Student t)\n", e->nseeds);
}

static cJSON *experiment_json(const exp_t *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", e->name);
    cJSON_AddStringToObject(o, "title", e->title ? e->title : "");
    cJSON_AddStringToObject(o, "command", e->command);
    cJSON *seeds = cJSON_AddArrayToObject(o, "seeds");
    for (size_t i = 0; i < e->nseeds; i++)
        cJSON_AddItemToArray(seeds, cJSON_CreateNumber((double)e->seeds[i]));
    cJSON *fixed = cJSON_AddObjectToObject(o, "fixed");
    for (size_t i = 0; i < e->nfixed; i++)
        cJSON_AddStringToObject(fixed, e->fixed[i].key, e->fixed[i].values[0]);
    cJSON *sweep = cJSON_AddObjectToObject(o, "sweep");
    for (size_t i = 0; i < e->nsweep; i++) {
        cJSON *vals = cJSON_AddArrayToObject(sweep, e->sweep[i].key);
        for (size_t v = 0; v < e->sweep[i].nvalues; v++)
            cJSON_AddItemToArray(vals, cJSON_CreateString(e->sweep[i].values[v]));
    }
    cJSON *wls = cJSON_AddObjectToObject(o, "workloads");
    for (size_t i = 0; i < e->nworkloads; i++) {
        cJSON *args = cJSON_AddArrayToObject(wls, e->workloads[i].name);
        for (size_t a = 0; a < e->workloads[i].nargs; a++)
            cJSON_AddItemToArray(args, cJSON_CreateString(e->workloads[i].args[a]));
    }
    return o;
}

int exp_write_results(const exp_t *e, const char *const *dirs, size_t ndirs, const char *out_dir, bool plots,
                      FILE *table, char *err)
{
    size_t npoints, ngroups;
    exp_point_t *pts = exp_expand(e, &npoints, &ngroups);
    cJSON *results = cJSON_CreateObject();
    cJSON_AddNumberToObject(results, "format", EXP_FORMAT_VERSION);
    cJSON_AddItemToObject(results, "tool", tool_json());
    cJSON_AddItemToObject(results, "experiment", experiment_json(e));
    cJSON *groups = cJSON_AddArrayToObject(results, "groups");
    cJSON *points = cJSON_AddArrayToObject(results, "points");
    double *vals = malloc((exp_nmetrics * npoints + 1) * sizeof *vals);
    bool *have = malloc((exp_nmetrics * npoints + 1) * sizeof *have);
    int rc = vals && have ? 0 : -1;
    if (rc)
        exp_errf(err, "out of memory");

    for (size_t i = 0; rc == 0 && i < npoints; i++) {
        const exp_point_t *p = &pts[i];
        const char *found = NULL;
        char path[4200], first[4200] = "";
        for (size_t d = 0; d < ndirs; d++) {
            snprintf(path, sizeof path, "%s/points/%06zu.json", dirs[d], i);
            if (access(path, F_OK) != 0)
                continue;
            if (found) {
                exp_errf(err, "point %zu is in two directories: %s and %s", i, first, path);
                rc = -1;
                break;
            }
            found = dirs[d];
            snprintf(first, sizeof first, "%s", path);
        }
        if (rc)
            break;
        if (!found) {
            snprintf(err, EXP_ERR_LEN,
                     "point %zu (shard %zu of a round-robin split) is in none of the directories: a shard "
                     "is missing or failed", i, i + 1);
            rc = -1;
            break;
        }
        cJSON *pj = read_json(first, err);
        if (!pj) {
            rc = -1;
            break;
        }
        double seed;
        if (json_number(pj, "workload.seed", &seed) && seed != (double)e->seeds[p->seed]) {
            exp_errf(err, "%s ran seed %.0f, this experiment's point %zu has seed %llu: "
                     "a directory of another experiment?", first, seed, i,
                     (unsigned long long)e->seeds[p->seed]);
            cJSON_Delete(pj);
            rc = -1;
            break;
        }
        cJSON *po = cJSON_CreateObject();
        cJSON_AddNumberToObject(po, "index", (double)i);
        cJSON_AddStringToObject(po, "workload", e->workloads[p->workload].name);
        cJSON_AddItemToObject(po, "params", params_json(e, p));
        cJSON_AddNumberToObject(po, "seed", (double)e->seeds[p->seed]);
        char **argv = exp_point_argv(e, p, "mmulab", NULL);
        cJSON *args = cJSON_AddArrayToObject(po, "command");
        for (char **a = argv; *a; a++)
            cJSON_AddItemToArray(args, cJSON_CreateString(*a));
        exp_argv_free(argv);
        cJSON *mo = cJSON_AddObjectToObject(po, "metrics");
        for (size_t m = 0; m < exp_nmetrics; m++) {
            double v = 0;
            have[i * exp_nmetrics + m] = metric_value(pj, &exp_metrics[m], &v);
            vals[i * exp_nmetrics + m] = v;
            if (have[i * exp_nmetrics + m])
                cJSON_AddNumberToObject(mo, exp_metrics[m].name, v);
            else
                cJSON_AddNullToObject(mo, exp_metrics[m].name);
        }
        cJSON_Delete(pj);
        cJSON_AddItemToArray(points, po);
    }

    for (size_t g = 0; rc == 0 && g < ngroups; g++) {
        const exp_point_t *p0 = &pts[g * e->nseeds];
        cJSON *go = cJSON_CreateObject();
        cJSON_AddStringToObject(go, "workload", e->workloads[p0->workload].name);
        cJSON_AddItemToObject(go, "params", params_json(e, p0));
        cJSON_AddNumberToObject(go, "seeds", (double)e->nseeds);
        cJSON *mo = cJSON_AddObjectToObject(go, "metrics");
        for (size_t m = 0; m < exp_nmetrics; m++) {
            double v[1000];
            size_t n = 0;
            for (size_t s = 0; s < e->nseeds; s++) {
                size_t at = (g * e->nseeds + s) * exp_nmetrics + m;
                if (have[at])
                    v[n++] = vals[at];
            }
            cJSON *stat = cJSON_AddObjectToObject(mo, exp_metrics[m].name);
            double mean, ci;
            bool has_ci;
            exp_mean_ci(v, n, &mean, &ci, &has_ci);
            cJSON_AddNumberToObject(stat, "n", (double)n);
            if (n)
                cJSON_AddNumberToObject(stat, "mean", mean);
            else
                cJSON_AddNullToObject(stat, "mean");
            if (has_ci)
                cJSON_AddNumberToObject(stat, "ci95", ci);
            else
                cJSON_AddNullToObject(stat, "ci95");
        }
        cJSON_AddItemToArray(groups, go);
    }
    free(vals);
    free(have);
    exp_points_free(pts, npoints);

    if (rc == 0)
        rc = exp_prepare_dir(out_dir, err);
    if (rc == 0) {
        char *text = cJSON_Print(results);
        char path[4200];
        snprintf(path, sizeof path, "%s/results.json", out_dir);
        size_t len = text ? strlen(text) : 0;
        if (text) {   /* a final newline, as a text file */
            char *t2 = realloc(text, len + 2);
            if (t2) {
                text = t2;
                memcpy(text + len, "\n", 2);
            }
        }
        rc = text ? exp_write_text(path, text, err) : -1;
        free(text);
    }
    if (rc == 0)
        rc = write_csv(e, results, out_dir, err);
    if (rc == 0) {
        char path[4200];
        FILE *f = open_out(out_dir, "table.txt", path, sizeof path, err);
        rc = f ? 0 : -1;
        if (f) {
            print_table(e, results, f);
            rc = close_checked(f, path, err);
        }
    }
    if (rc == 0)
        rc = exp_write_report(e, results, out_dir, plots, err);
    if (rc == 0 && table)
        print_table(e, results, table);
    cJSON_Delete(results);
    return rc;
}
