/* Plots and the HTML page of an experiment's results (results.json's "groups").
 *
 * One plot per shown metric (the experiment's `metrics`, or the default list): the x axis is
 * the experiment's `x` key (default: the first swept key; the workloads when nothing is
 * swept), one line per workload and combination of the other swept keys, error bars the 95 %
 * confidence interval. plots/METRIC.dat and plots/METRIC.gp are written, then gnuplot (run in
 * plots/) draws METRIC.png and METRIC.svg. index.html shows the plots and the table inline
 * and links the CSV and JSON, all by relative paths: it opens from disk in any browser. */
#include "exp.h"
#include "version.h"

#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


const char exp_gnuplot_missing[] =
    "gnuplot is not installed: sudo apt-get install -y gnuplot-nox (or tools/deps.sh plot); "
    "--no-plots skips the plots";

bool exp_have_gnuplot(void)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char dir[4096];
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, ":");
        if (n && n < sizeof dir - 16) {
            memcpy(dir, p, n);
            snprintf(dir + n, sizeof dir - n, "/gnuplot");
            if (access(dir, X_OK) == 0)
                return true;
        }
        p += n + (p[n] == ':');
    }
    return false;
}

/* The x axis label of a swept key, with its unit. */
static void axis_label(const char *key, char *buf, size_t len)
{
    static const struct { const char *key, *label; } known[] = {
        { "ws", "working set per process (bytes)" }, { "region", "region (bytes)" },
        { "mode", "paging mode" }, { "page", "page size" }, { "cpus", "CPUs the process runs on" },
        { "threads", "CPUs the process's threads run on" },
        { "syscall-every", "user accesses between syscalls" }, { "flush-ceiling", "flush ceiling (pages)" },
        { "vmalloc", "vmalloc policy" }, { "procs", "processes" }, { "ops", "accesses" },
        { "churn-pages", "pages per munmap" }, { "workload", "workload" }, { "stride", "stride (bytes)" },
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (!strcmp(key, known[i].key)) {
            snprintf(buf, len, "%s", known[i].label);
            return;
        }
    const config_param_t *p = !strncmp(key, "set.", 4) ? config_find(key + 4) : NULL;
    if (p)
        snprintf(buf, len, "%s: %s", key + 4, p->doc);
    else
        snprintf(buf, len, "%s", key);
}

static bool is_number(const char *s)
{
    char *end;
    if (!*s)
        return false;
    (void)strtod(s, &end);
    return !*end;
}

/* gnuplot single-quoted string: quotes doubled */
static void gp_string(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

static int run_gnuplot(const char *plots_dir, const char *script, char *err)
{
    pid_t pid = fork();
    if (pid < 0) {
        exp_errf(err, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        if (chdir(plots_dir) != 0)
            _exit(126);
        if (!freopen("gnuplot.log", "a", stderr) || !freopen("/dev/null", "w", stdout))
            _exit(126);
        execlp("gnuplot", "gnuplot", script, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            exp_errf(err, "waitpid: %s", strerror(errno));
            return -1;
        }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        exp_errf(err, WIFEXITED(status) && WEXITSTATUS(status) == 127 ? "%s"
                 : "gnuplot failed on %s/%s (its messages: %s/gnuplot.log)",
                 WIFEXITED(status) && WEXITSTATUS(status) == 127 ? exp_gnuplot_missing : plots_dir, script,
                 plots_dir);
        return -1;
    }
    return 0;
}

/* Which swept key is on the x axis: its index, or -1 (the workloads). */
static long x_index(const exp_t *e)
{
    for (size_t k = 0; k < e->nsweep; k++)
        if (!e->x_key || !strcmp(e->x_key, e->sweep[k].key))
            return (long)k;
    return -1;
}

/* A series: the groups with the same workload and the same values of the non-x keys. The
 * groups are in sweep order, so a series label is made from a group and the x position. */
static void series_label(const exp_t *e, const cJSON *g, long xk, char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len, "%s", xk < 0 ? e->name : cJSON_GetObjectItem(g, "workload")->valuestring);
    const cJSON *params = cJSON_GetObjectItem(g, "params");
    for (size_t k = 0; k < e->nsweep && n < len; k++)
        if ((long)k != xk)
            n += (size_t)snprintf(buf + n, len - n, " %s=%s", e->sweep[k].key,
                                  cJSON_GetObjectItem(params, e->sweep[k].key)->valuestring);
}

static int write_plot(const exp_t *e, const cJSON *results, const char *plots_dir, const char *metric,
                      char *err)
{
    const exp_metric_t *m = exp_metric_find(metric);
    const long xk = x_index(e);
    const cJSON *groups = cJSON_GetObjectItem(results, "groups");
    const int ngroups = cJSON_GetArraySize(groups);
    /* the x values in order of first appearance, and whether all are numbers */
    const size_t nx = xk >= 0 ? e->sweep[xk].nvalues : e->nworkloads;
    bool numeric = xk >= 0;
    for (size_t i = 0; numeric && i < nx; i++)
        numeric = is_number(e->sweep[xk].values[i]);

    char dat[4300], gp[4300];
    snprintf(dat, sizeof dat, "%s/%s.dat", plots_dir, metric);
    snprintf(gp, sizeof gp, "%s/%s.gp", plots_dir, metric);
    FILE *f = fopen(dat, "w");
    if (!f) {
        exp_errf(err, "cannot write %s: %s", dat, strerror(errno));
        return -1;
    }
    /* Group g's x position: with a swept x key, that key's value index; in sweep order the
     * series differ in other keys, so collect per series label. */
    char (*labels)[256] = calloc((size_t)ngroups + 1, sizeof *labels);
    int nseries = 0;
    for (int s = 0; labels && s < ngroups; s++) {
        char lab[256];
        series_label(e, cJSON_GetArrayItem(groups, s), xk, lab, sizeof lab);
        int found = 0;
        for (int t = 0; t < nseries && !found; t++)
            found = !strcmp(labels[t], lab);
        if (!found)
            snprintf(labels[nseries++], sizeof labels[0], "%s", lab);
    }
    for (int s = 0; labels && s < nseries; s++) {
        fprintf(f, "# %s\n", labels[s]);
        for (int gi = 0; gi < ngroups; gi++) {
            const cJSON *g = cJSON_GetArrayItem(groups, gi);
            char lab[256];
            series_label(e, g, xk, lab, sizeof lab);
            if (strcmp(lab, labels[s]))
                continue;
            const char *xv = xk >= 0 ? cJSON_GetObjectItem(cJSON_GetObjectItem(g, "params"), e->sweep[xk].key)->valuestring
                                     : cJSON_GetObjectItem(g, "workload")->valuestring;
            size_t pos = 0;
            for (size_t i = 0; i < nx; i++)
                if (!strcmp(xk >= 0 ? e->sweep[xk].values[i] : e->workloads[i].name, xv))
                    pos = i;
            const cJSON *mo = cJSON_GetObjectItem(cJSON_GetObjectItem(g, "metrics"), metric);
            const cJSON *mean = cJSON_GetObjectItem(mo, "mean"), *ci = cJSON_GetObjectItem(mo, "ci95");
            if (!cJSON_IsNumber(mean))
                continue;
            fprintf(f, numeric ? "%zu %s %.10g %.10g\n" : "%zu \"%s\" %.10g %.10g\n", pos, xv, mean->valuedouble,
                    cJSON_IsNumber(ci) ? ci->valuedouble : 0.0);
        }
        fputs("\n\n", f);
    }
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad || !labels) {
        free(labels);
        exp_errf(err, "cannot write %s", dat);
        return -1;
    }

    if (!(f = fopen(gp, "w"))) {
        free(labels);
        exp_errf(err, "cannot write %s: %s", gp, strerror(errno));
        return -1;
    }
    char xlabel[512];
    axis_label(xk >= 0 ? e->sweep[xk].key : "workload", xlabel, sizeof xlabel);
    fprintf(f, "# %s: %s against %s (mmulab exp %s; draws %s.png and %s.svg)\n", e->name, metric,
            xk >= 0 ? e->sweep[xk].key : "workload", e->name, metric, metric);
    fputs("set encoding utf8\nset grid\nset key outside right top noenhanced\nset termoption noenhanced\n", f);
    fputs("set title ", f);
    gp_string(f, e->title ? e->title : e->name);
    fputs("\nset xlabel ", f);
    gp_string(f, xlabel);
    fputs("\nset ylabel ", f);
    gp_string(f, m->label);
    fputs("\nset yrange [0:*]\n", f);
    if (!numeric)
        fprintf(f, "set xrange [-0.5:%zu.5]\n", nx ? nx - 1 : 0);
    fputs("do for [term in 'png svg'] {\n"
          "  if (term eq 'png') { set terminal pngcairo size 900,540 font ',10' noenhanced }\n"
          "  else { set terminal svg size 900,540 dynamic font ',10' noenhanced }\n", f);
    fprintf(f, "  set output '%s.'.term\n  plot \\\n", metric);
    for (int s = 0; s < nseries; s++) {
        fprintf(f, "    '%s.dat' index %d using %s with yerrorlines title ", metric, s,
                numeric ? "2:3:4" : "1:3:4:xtic(2)");
        gp_string(f, labels[s]);
        fputs(s + 1 < nseries ? ", \\\n" : "\n", f);
    }
    fputs("  set output\n}\n", f);
    free(labels);
    bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        exp_errf(err, "cannot write %s", gp);
        return -1;
    }
    char script[300];
    snprintf(script, sizeof script, "%s.gp", metric);
    return run_gnuplot(plots_dir, script, err);
}

static void html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static int write_html(const exp_t *e, const cJSON *results, const char *out_dir, bool plots, char *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/index.html", out_dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        exp_errf(err, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    const char *const *names;
    size_t nm = exp_display_metrics(e, &names);
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>mmulab exp ", f);
    html_text(f, e->name);
    fputs("</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
          "td,th{border:1px solid #bbb;padding:2px 8px;text-align:right}th{background:#eee}"
          "td.l{text-align:left}img{max-width:100%}</style></head><body>\n<h1>", f);
    html_text(f, e->name);
    fputs(": ", f);
    html_text(f, e->title ? e->title : "");
    fprintf(f, "</h1>\n<p>mmulab %s, results format %d. Data: <a href=\"results.csv\">results.csv</a> "
               "(per group: mean and 95 %% confidence half-width of every metric), "
               "<a href=\"points.csv\">points.csv</a> (per point), <a href=\"results.json\">results.json</a>.</p>\n",
            mmulab_version(), EXP_FORMAT_VERSION);
    fputs("<h2>Summary</h2>\n<table><tr><th>workload</th>", f);
    for (size_t k = 0; k < e->nsweep; k++) {
        fputs("<th>", f);
        html_text(f, e->sweep[k].key);
        fputs("</th>", f);
    }
    for (size_t m = 0; m < nm; m++) {
        fputs("<th>", f);
        html_text(f, exp_metric_find(names[m])->label);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItem(results, "groups")) {
        fputs("<tr><td class=\"l\">", f);
        html_text(f, cJSON_GetObjectItem(g, "workload")->valuestring);
        fputs("</td>", f);
        const cJSON *params = cJSON_GetObjectItem(g, "params");
        for (size_t k = 0; k < e->nsweep; k++) {
            fputs("<td>", f);
            html_text(f, cJSON_GetObjectItem(params, e->sweep[k].key)->valuestring);
            fputs("</td>", f);
        }
        for (size_t m = 0; m < nm; m++) {
            char cell[64];
            exp_format_mean_ci(cell, sizeof cell, cJSON_GetObjectItem(cJSON_GetObjectItem(g, "metrics"), names[m]));
            fputs("<td>", f);
            html_text(f, cell);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fprintf(f, "</table>\n<p>%zu seed(s) per row; ± is the 95 %% confidence half-width (Student t).</p>\n",
            e->nseeds);
    if (plots) {
        fputs("<h2>Plots</h2>\n", f);
        for (size_t m = 0; m < nm; m++)
            fprintf(f, "<p><a href=\"plots/%s.png\"><img src=\"plots/%s.svg\" alt=\"%s\"></a></p>\n", names[m],
                    names[m], names[m]);
    }
    fputs("<h2>Experiment file</h2>\n<pre>", f);
    html_text(f, e->text);
    if (e->overrides) {
        fputs("\n# from the command line:\n", f);
        html_text(f, e->overrides);
    }
    fputs("</pre>\n</body></html>\n", f);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        exp_errf(err, "cannot write %s", path);
        return -1;
    }
    return 0;
}

int exp_write_report(const exp_t *e, const cJSON *results, const char *out_dir, bool plots, char *err)
{
    if (plots) {
        if (!exp_have_gnuplot()) {
            exp_errf(err, "%s", exp_gnuplot_missing);
            return -1;
        }
        char plots_dir[4200];
        snprintf(plots_dir, sizeof plots_dir, "%s/plots", out_dir);
        if (mkdir(plots_dir, 0777) != 0 && errno != EEXIST) {
            exp_errf(err, "cannot create %s: %s", plots_dir, strerror(errno));
            return -1;
        }
        const char *const *names;
        size_t nm = exp_display_metrics(e, &names);
        for (size_t m = 0; m < nm; m++)
            if (write_plot(e, results, plots_dir, names[m], err) != 0)
                return -1;
    }
    return write_html(e, results, out_dir, plots, err);
}
