/* Experiment files: parsing, the sweep's points, shards, and each point's command line.
 *
 * Syntax: the `key = value` lines of a configuration file (model/config.c: '#' starts a
 * comment, blank lines are skipped) grouped by [section] headers:
 *   [experiment]  name, title, command (demo|trace), seeds (list or A..B), x, metrics
 *   [fixed]       KEY = VALUE: given to every point (set.NAME = V becomes --set NAME=V)
 *   [sweep]       KEY = V1, V2, ...: the points are the cartesian product of these lists
 *   [workloads]   NAME = OPTIONS: the workload's options, split on white space
 * Every error names FILE:LINE. */
#include "exp.h"

#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void exp_errf(char *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, EXP_ERR_LEN, fmt, ap);
    va_end(ap);
}

static char *xstrndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p) {
        fputs("mmulab: out of memory\n", stderr);
        abort();
    }
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("mmulab: out of memory\n", stderr);
        abort();
    }
    return p;
}

/* s[0..*len) without leading and trailing white space */
static const char *trim(const char *s, size_t *len)
{
    while (*len && isspace((unsigned char)*s)) {
        s++;
        (*len)--;
    }
    while (*len && isspace((unsigned char)s[*len - 1]))
        (*len)--;
    return s;
}

static bool valid_key(const char *k)
{
    if (!*k)
        return false;
    for (const char *p = k; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
            return false;
    return true;
}

/* Splits v on sep (',' or white space when sep is 0) into trimmed, non-empty items. */
static int split_list(const char *v, char sep, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t vlen = strlen(v);
    const char *vt = trim(v, &vlen);
    if (sep && vlen && vt[vlen - 1] == sep)   /* a trailing separator leaves an empty item */
        return -1;
    const char *p = v;
    while (*p) {
        const char *end = p;
        if (sep)
            while (*end && *end != sep)
                end++;
        else {
            while (*p && isspace((unsigned char)*p))
                p++;
            if (!*p)
                break;
            end = p;
            while (*end && !isspace((unsigned char)*end))
                end++;
        }
        size_t len = (size_t)(end - p);
        const char *item = trim(p, &len);
        if (len == 0) {
            for (size_t i = 0; i < *n; i++)
                free((*out)[i]);
            free(*out);
            *out = NULL;
            *n = 0;
            return -1;
        }
        *out = xrealloc(*out, (*n + 1) * sizeof **out);
        (*out)[(*n)++] = xstrndup(item, len);
        p = *end ? end + 1 : end;
    }
    return *n ? 0 : -1;
}

static int parse_u64(const char *s, uint64_t *v)
{
    if (!isdigit((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

/* "1, 2, 5" or "A..B" (inclusive, at most 1000 seeds) */
static int parse_seeds(exp_t *e, const char *v)
{
    const char *dots = strstr(v, "..");
    if (dots) {
        char *a = xstrndup(v, (size_t)(dots - v));
        size_t alen = strlen(a);
        const char *at = trim(a, &alen);
        char *a2 = xstrndup(at, alen);
        uint64_t lo, hi;
        int bad = parse_u64(a2, &lo) || parse_u64(dots + 2, &hi) || hi < lo || hi - lo >= 1000;
        free(a);
        free(a2);
        if (bad)
            return -1;
        e->nseeds = (size_t)(hi - lo + 1);
        e->seeds = xrealloc(NULL, e->nseeds * sizeof *e->seeds);
        for (size_t i = 0; i < e->nseeds; i++)
            e->seeds[i] = lo + i;
        return 0;
    }
    char **items;
    size_t n;
    if (split_list(v, ',', &items, &n) != 0)
        return -1;
    e->seeds = xrealloc(NULL, n * sizeof *e->seeds);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (parse_u64(items[i], &e->seeds[i]) != 0)
            rc = -1;
        free(items[i]);
    }
    free(items);
    e->nseeds = n;
    return n > 1000 ? -1 : rc;
}

static exp_key_t *find_key(exp_key_t *keys, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(keys[i].key, key))
            return &keys[i];
    return NULL;
}

/* A [fixed] or [sweep] key: the runner owns --seed and --json; set.NAME must be a parameter. */
static int check_option_key(const char *key, char *why)
{
    if (!valid_key(key)) {
        exp_errf(why, "bad key '%s' (letters, digits, '_', '-', '.')", key);
        return -1;
    }
    if (!strcmp(key, "seed") || !strcmp(key, "json")) {
        exp_errf(why, "'%s' is set by the runner ([experiment] seeds; OUT/points/)", key);
        return -1;
    }
    if (!strncmp(key, "set.", 4) && !config_find(key + 4)) {
        exp_errf(why, "'%s' is not an MMU parameter (`mmulab params`)", key + 4);
        return -1;
    }
    return 0;
}

static int add_key(exp_key_t **keys, size_t *n, const char *key, char **values, size_t nvalues,
                   unsigned line, char *why)
{
    if (check_option_key(key, why) != 0)
        return -1;
    exp_key_t *k = find_key(*keys, *n, key);
    if (k) {
        exp_errf(why, "'%s' given twice (first on line %u)", key, k->line);
        return -1;
    }
    *keys = xrealloc(*keys, (*n + 1) * sizeof **keys);
    (*keys)[(*n)++] = (exp_key_t){ xstrndup(key, strlen(key)), values, nvalues, line };
    return 0;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

enum section { SEC_NONE, SEC_EXPERIMENT, SEC_FIXED, SEC_SWEEP, SEC_WORKLOADS };

static int parse_line(exp_t *e, enum section sec, const char *key, const char *val, unsigned line,
                      char *why)
{
    char **items = NULL;
    size_t n = 0;
    switch (sec) {
    case SEC_NONE:
        exp_errf(why, "'%s' before any [section]", key);
        return -1;
    case SEC_EXPERIMENT: {
        char **slot = !strcmp(key, "name") ? &e->name : !strcmp(key, "title") ? &e->title
                    : !strcmp(key, "command") ? &e->command : !strcmp(key, "x") ? &e->x_key : NULL;
        if (slot) {
            if (*slot) {
                exp_errf(why, "'%s' given twice", key);
                return -1;
            }
            if (!strcmp(key, "command") && strcmp(val, "demo") && strcmp(val, "trace")) {
                exp_errf(why, "command '%s' is not demo or trace", val);
                return -1;
            }
            *slot = xstrndup(val, strlen(val));
            return 0;
        }
        if (!strcmp(key, "seeds")) {
            if (e->seeds) {
                exp_errf(why, "'seeds' given twice");
                return -1;
            }
            if (parse_seeds(e, val) != 0) {
                exp_errf(why, "seeds '%s': want a list 1, 2, 3 or a range A..B (at most 1000)", val);
                return -1;
            }
            return 0;
        }
        if (!strcmp(key, "metrics")) {
            if (e->metrics || split_list(val, ',', &items, &n) != 0) {
                exp_errf(why, "metrics: want a comma-separated list, once");
                return -1;
            }
            for (size_t i = 0; i < n; i++)
                if (!exp_metric_find(items[i])) {
                    exp_errf(why, "unknown metric '%s' (docs/experiments.md lists them)",
                             items[i]);
                    free_list(items, n);
                    return -1;
                }
            e->metrics = items;
            e->nmetrics = n;
            return 0;
        }
        exp_errf(why, "unknown [experiment] key '%s' (name, title, command, seeds, x, metrics)",
                 key);
        return -1;
    }
    case SEC_FIXED:
    case SEC_SWEEP: {
        /* a key is either fixed or swept */
        const exp_key_t *other = sec == SEC_FIXED ? find_key(e->sweep, e->nsweep, key)
                                                  : find_key(e->fixed, e->nfixed, key);
        if (other) {
            exp_errf(why, "'%s' given twice (first on line %u)", key, other->line);
            return -1;
        }
        if (sec == SEC_SWEEP)
            break;
        items = xrealloc(NULL, sizeof *items);
        items[0] = xstrndup(val, strlen(val));
        if (add_key(&e->fixed, &e->nfixed, key, items, 1, line, why) != 0) {
            free_list(items, 1);
            return -1;
        }
        return 0;
    }
    case SEC_WORKLOADS:
        break;
    }
    if (sec == SEC_SWEEP) {
        if (split_list(val, ',', &items, &n) != 0) {
            exp_errf(why, "'%s': want a comma-separated list of values, none empty", key);
            return -1;
        }
        if (add_key(&e->sweep, &e->nsweep, key, items, n, line, why) != 0) {
            free_list(items, n);
            return -1;
        }
        return 0;
    }
    /* [workloads] */
    if (!valid_key(key)) {
        exp_errf(why, "bad workload name '%s'", key);
        return -1;
    }
    for (size_t i = 0; i < e->nworkloads; i++)
        if (!strcmp(e->workloads[i].name, key)) {
            exp_errf(why, "workload '%s' given twice", key);
            return -1;
        }
    if (split_list(val, 0, &items, &n) != 0) {
        exp_errf(why, "workload '%s' has no options", key);
        return -1;
    }
    e->workloads = xrealloc(e->workloads, (e->nworkloads + 1) * sizeof *e->workloads);
    e->workloads[e->nworkloads++] = (exp_workload_t){ xstrndup(key, strlen(key)), items, n };
    return 0;
}

int exp_parse(exp_t *e, const char *path, const char *text, char *err)
{
    memset(e, 0, sizeof *e);
    e->path = xstrndup(path, strlen(path));
    e->text = xstrndup(text, strlen(text));
    enum section sec = SEC_NONE;
    unsigned line_no = 0;
    char why[EXP_ERR_LEN];
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        line_no++;
        const char *hash = memchr(p, '#', len);
        if (hash)
            len = (size_t)(hash - p);
        const char *s = trim(p, &len);
        p = nl ? nl + 1 : p + strlen(p);
        if (!len)
            continue;
        if (s[0] == '[') {
            static const char *const names[] = { "", "experiment", "fixed", "sweep", "workloads" };
            sec = SEC_NONE;
            for (int i = 1; i < 5; i++)
                if (len == strlen(names[i]) + 2 && s[len - 1] == ']' && !strncmp(s + 1, names[i], len - 2))
                    sec = (enum section)i;
            if (sec == SEC_NONE) {
                exp_errf(err, "%s:%u: unknown section '%.*s' ([experiment], [fixed], [sweep], [workloads])",
                        path, line_no, (int)len, s);
                exp_free(e);
                return -1;
            }
            continue;
        }
        const char *eq = memchr(s, '=', len);
        if (!eq) {
            exp_errf(err, "%s:%u: expected 'key = value', got '%.*s'", path, line_no, (int)len, s);
            exp_free(e);
            return -1;
        }
        size_t klen = (size_t)(eq - s), vlen = len - klen - 1;
        const char *k = trim(s, &klen), *v = trim(eq + 1, &vlen);
        char *key = xstrndup(k, klen), *val = xstrndup(v, vlen);
        int rc = 0;
        if (!klen || !vlen) {
            exp_errf(why, "empty %s", klen ? "value" : "key");
            rc = -1;
        } else
            rc = parse_line(e, sec, key, val, line_no, why);
        free(key);
        free(val);
        if (rc != 0) {
            exp_errf(err, "%s:%u: %s", path, line_no, why);
            exp_free(e);
            return -1;
        }
    }
    const char *missing = !e->name ? "name" : !e->command ? "command" : NULL;
    if (missing) {
        exp_errf(err, "%s: [experiment] has no '%s'", path, missing);
        exp_free(e);
        return -1;
    }
    if (!e->seeds) {
        e->seeds = xrealloc(NULL, sizeof *e->seeds);
        e->seeds[0] = 1;
        e->nseeds = 1;
    }
    if (e->x_key && !find_key(e->sweep, e->nsweep, e->x_key)) {
        exp_errf(err, "%s: x = %s is not a key of [sweep]", path, e->x_key);
        exp_free(e);
        return -1;
    }
    if (!e->nworkloads) {   /* one workload: the command's defaults */
        e->workloads = xrealloc(NULL, sizeof *e->workloads);
        e->workloads[0] = (exp_workload_t){ xstrndup("default", 7), NULL, 0 };
        e->nworkloads = 1;
    }
    return 0;
}

int exp_parse_file(exp_t *e, const char *path, char *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        memset(e, 0, sizeof *e);
        exp_errf(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char *text = NULL;
    size_t len = 0, cap = 0, got;
    char buf[4096];
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        if (len + got + 1 > cap) {
            cap = 2 * (len + got + 1);
            text = xrealloc(text, cap);
        }
        memcpy(text + len, buf, got);
        len += got;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad || (text && memchr(text, 0, len))) {
        free(text);
        memset(e, 0, sizeof *e);
        exp_errf(err, "%s: %s", path, bad ? "read error" : "not a text file");
        return -1;
    }
    if (!text)
        text = xstrndup("", 0);
    text[len] = 0;
    int rc = exp_parse(e, path, text, err);
    free(text);
    return rc;
}

static void free_keys(exp_key_t *k, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(k[i].key);
        free_list(k[i].values, k[i].nvalues);
    }
    free(k);
}

void exp_free(exp_t *e)
{
    free(e->path);
    free(e->text);
    free(e->overrides);
    free(e->name);
    free(e->title);
    free(e->command);
    free(e->x_key);
    free_list(e->metrics, e->nmetrics);
    free(e->seeds);
    free_keys(e->fixed, e->nfixed);
    free_keys(e->sweep, e->nsweep);
    for (size_t i = 0; i < e->nworkloads; i++) {
        free(e->workloads[i].name);
        free_list(e->workloads[i].args, e->workloads[i].nargs);
    }
    free(e->workloads);
    memset(e, 0, sizeof *e);
}

static void note_override(exp_t *e, const char *key, const char *value)
{
    size_t old = e->overrides ? strlen(e->overrides) : 0, add = strlen(key) + strlen(value) + 5;
    e->overrides = xrealloc(e->overrides, old + add);
    snprintf(e->overrides + old, add, "%s = %s\n", key, value);
}

int exp_add_fixed(exp_t *e, const char *key, const char *value, char *err)
{
    char why[EXP_ERR_LEN];
    if (strchr(value, '\n') || !*value) {
        exp_errf(err, "%s: the value must be one non-empty line", key);
        return -1;
    }
    if (find_key(e->sweep, e->nsweep, key)) {
        exp_errf(err, "'%s' is swept by the experiment; it cannot also be fixed", key);
        return -1;
    }
    exp_key_t *k = find_key(e->fixed, e->nfixed, key);
    if (k) {   /* the command line wins over the file */
        free(k->values[0]);
        k->values[0] = xstrndup(value, strlen(value));
        note_override(e, key, value);
        return 0;
    }
    char **items = xrealloc(NULL, sizeof *items);
    items[0] = xstrndup(value, strlen(value));
    if (add_key(&e->fixed, &e->nfixed, key, items, 1, 0, why) != 0) {
        free_list(items, 1);
        exp_errf(err, "%s", why);
        return -1;
    }
    note_override(e, key, value);
    return 0;
}

int exp_load_dir(exp_t *e, const char *dir, char *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/experiment.ini", dir);
    if (exp_parse_file(e, path, err) != 0)
        return -1;
    /* overrides.ini: the run's --set/--backend, one "key = value" a line (exp_add_fixed) */
    snprintf(path, sizeof path, "%s/overrides.ini", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        exp_errf(err, "%s: cannot open: %s", path, strerror(errno));
        exp_free(e);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    unsigned line_no = 0;
    int rc = 0;
    while (rc == 0 && (got = getline(&line, &cap, f)) >= 0) {
        line_no++;
        size_t len = (size_t)got;
        const char *s = trim(line, &len);
        const char *eq = memchr(s, '=', len);
        if (!len)
            continue;
        char why[EXP_ERR_LEN];
        size_t klen = eq ? (size_t)(eq - s) : 0, vlen = eq ? len - klen - 1 : 0;
        const char *k = trim(s, &klen), *v = eq ? trim(eq + 1, &vlen) : s;
        char *key = xstrndup(k, klen), *val = xstrndup(v, vlen);
        if (!eq || exp_add_fixed(e, key, val, why) != 0) {
            exp_errf(err, "%s:%u: %s", path, line_no, eq ? why : "expected 'key = value'");
            rc = -1;
        }
        free(key);
        free(val);
    }
    free(line);
    fclose(f);
    if (rc != 0)
        exp_free(e);
    return rc;
}

exp_point_t *exp_expand(const exp_t *e, size_t *npoints, size_t *ngroups)
{
    size_t combos = 1;
    for (size_t k = 0; k < e->nsweep; k++)
        combos *= e->sweep[k].nvalues;
    const size_t groups = e->nworkloads * combos, n = groups * e->nseeds;
    exp_point_t *pts = xrealloc(NULL, n * sizeof *pts);
    for (size_t i = 0; i < n; i++) {
        exp_point_t *p = &pts[i];
        p->index = i;
        p->seed = i % e->nseeds;
        p->group = i / e->nseeds;
        p->workload = p->group / combos;
        p->value = xrealloc(NULL, (e->nsweep ? e->nsweep : 1) * sizeof *p->value);
        size_t c = p->group % combos;   /* mixed radix, the last key fastest */
        for (size_t k = e->nsweep; k-- > 0;) {
            p->value[k] = c % e->sweep[k].nvalues;
            c /= e->sweep[k].nvalues;
        }
    }
    *npoints = n;
    *ngroups = groups;
    return pts;
}

void exp_points_free(exp_point_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i].value);
    free(p);
}

int exp_parse_shard(const char *s, unsigned *k, unsigned *n, char *err)
{
    unsigned long a, b;
    char *end;
    errno = 0;
    a = strtoul(s, &end, 10);
    if (end == s || *end != '/' || errno || !isdigit((unsigned char)*s)) {
        exp_errf(err, "--shard '%s': want K/N, e.g. 2/4", s);
        return -1;
    }
    const char *s2 = end + 1;
    b = strtoul(s2, &end, 10);
    if (end == s2 || *end || errno || !isdigit((unsigned char)*s2) || b < 1 || b > 100000 || a < 1 || a > b) {
        exp_errf(err, "--shard '%s': want K/N with 1 <= K <= N <= 100000", s);
        return -1;
    }
    *k = (unsigned)a;
    *n = (unsigned)b;
    return 0;
}

bool exp_in_shard(size_t index, unsigned k, unsigned n)
{
    return index % n == (size_t)(k - 1);
}

static void push(char ***argv, size_t *n, const char *s)
{
    *argv = xrealloc(*argv, (*n + 2) * sizeof **argv);
    (*argv)[(*n)++] = xstrndup(s, strlen(s));
    (*argv)[*n] = NULL;
}

static void push_option(char ***argv, size_t *n, const char *key, const char *value)
{
    if (!strncmp(key, "set.", 4)) {
        push(argv, n, "--set");
        size_t len = strlen(key) - 4 + 1 + strlen(value) + 1;
        char *kv = xrealloc(NULL, len);
        snprintf(kv, len, "%s=%s", key + 4, value);
        push(argv, n, kv);
        free(kv);
        return;
    }
    size_t len = strlen(key) + 3;
    char *opt = xrealloc(NULL, len);
    snprintf(opt, len, "--%s", key);
    push(argv, n, opt);
    free(opt);
    push(argv, n, value);
}

char **exp_point_argv(const exp_t *e, const exp_point_t *p, const char *exe, const char *json)
{
    char **argv = NULL;
    size_t n = 0;
    push(&argv, &n, exe);
    push(&argv, &n, e->command);
    const exp_workload_t *w = &e->workloads[p->workload];
    for (size_t i = 0; i < w->nargs; i++)   /* the workload first: fixed and swept keys refine it */
        push(&argv, &n, w->args[i]);
    for (size_t i = 0; i < e->nfixed; i++)
        push_option(&argv, &n, e->fixed[i].key, e->fixed[i].values[0]);
    for (size_t i = 0; i < e->nsweep; i++)
        push_option(&argv, &n, e->sweep[i].key, e->sweep[i].values[p->value[i]]);
    char seed[24];
    snprintf(seed, sizeof seed, "%" PRIu64, e->seeds[p->seed]);
    if (strcmp(e->command, "trace")) {   /* a trace has no randomness: `mmulab trace` takes no --seed */
        push(&argv, &n, "--seed");
        push(&argv, &n, seed);
    }
    if (json) {
        push(&argv, &n, "--json");
        push(&argv, &n, json);
    }
    return argv;
}

void exp_argv_free(char **argv)
{
    if (!argv)
        return;
    for (char **a = argv; *a; a++)
        free(*a);
    free(argv);
}
