/* The parameter table (generated from params.def), parsing of values,
 * assignments and config files, and cross-parameter validation. */
#include "config.h"
#include "linereader.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const config_param_t config_params[] = {
#define PARAM(key, rtl, def, lo, hi, kind, doc) \
    { #key, #rtl, def, lo, hi, kind, doc, offsetof(mmu_config_t, key) },
#include "params.def"
#undef PARAM
};

const size_t config_num_params = sizeof config_params / sizeof config_params[0];

static const char *const repl_names[] = { "lru", "plru", "random" };
static const char *const mem_names[] = { "fixed", "dram", "cache" };

/* A piece of a larger string: values and keys are parsed in place. */
typedef struct {
    const char *text;
    size_t len;
} span_t;

static span_t span_of(const char *s)
{
    return (span_t){ s, strlen(s) };
}

static span_t span_trim(span_t s)
{
    while (s.len > 0 && isspace((unsigned char)s.text[0])) {
        s.text++;
        s.len--;
    }
    while (s.len > 0 && isspace((unsigned char)s.text[s.len - 1]))
        s.len--;
    return s;
}

static bool span_equals(span_t s, const char *word)
{
    return strlen(word) == s.len && memcmp(s.text, word, s.len) == 0;
}

/* Spans are printed with "%.*s" and this int length. */
static int span_width(span_t s)
{
    return s.len > 200 ? 200 : (int)s.len;
}

static void set_error(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_error(char *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err, CONFIG_ERR_LEN, fmt, ap);
    (void)n;   /* a truncated message is still a message */
    va_end(ap);
}

static const config_param_t *find_span(span_t key)
{
    for (size_t i = 0; i < config_num_params; i++)
        if (span_equals(key, config_params[i].key))
            return &config_params[i];
    return NULL;
}

const config_param_t *config_find(const char *key)
{
    return key ? find_span(span_of(key)) : NULL;
}

static int64_t *field_of(mmu_config_t *cfg, const config_param_t *p)
{
    return (int64_t *)((char *)cfg + p->offset);
}

int64_t config_get(const mmu_config_t *cfg, const config_param_t *p)
{
    if (!cfg || !p)
        return 0;
    return *(const int64_t *)((const char *)cfg + p->offset);
}

void config_defaults(mmu_config_t *cfg)
{
    for (size_t i = 0; i < config_num_params; i++)
        *field_of(cfg, &config_params[i]) = config_params[i].def;
}

static const char *const *enum_names(int kind, size_t *count)
{
    switch (kind) {
    case P_ENUM_REPL:
        *count = sizeof repl_names / sizeof repl_names[0];
        return repl_names;
    case P_ENUM_MEM:
        *count = sizeof mem_names / sizeof mem_names[0];
        return mem_names;
    default:
        *count = 0;
        return NULL;
    }
}

const char *config_enum_name(int kind, int64_t value)
{
    size_t count;
    const char *const *names = enum_names(kind, &count);
    if (!names || value < 0 || (uint64_t)value >= count)
        return NULL;
    return names[value];
}

/* "lru, plru, random" for error messages. */
static void enum_choices(int kind, char *out, size_t out_len)
{
    size_t count, used = 0;
    const char *const *names = enum_names(kind, &count);
    out[0] = '\0';
    for (size_t i = 0; i < count && used < out_len; i++) {
        int n = snprintf(out + used, out_len - used, "%s%s", i ? ", " : "", names[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

typedef enum { NUM_OK, NUM_NOT_A_NUMBER, NUM_TOO_BIG } num_parse_t;

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Optional sign, then decimal digits or 0x/0X and hex digits, nothing else.
 * Leading zeros are decimal (no octal surprise). */
static num_parse_t parse_integer(span_t s, int64_t *out)
{
    size_t i = 0;
    bool negative = false;
    if (i < s.len && (s.text[i] == '-' || s.text[i] == '+'))
        negative = s.text[i++] == '-';
    unsigned base = 10;
    if (s.len - i >= 2 && s.text[i] == '0' && (s.text[i + 1] == 'x' || s.text[i + 1] == 'X')) {
        base = 16;
        i += 2;
    }
    if (i == s.len)
        return NUM_NOT_A_NUMBER;
    uint64_t magnitude = 0;
    bool too_big = false;
    for (; i < s.len; i++) {
        int d = digit_value(s.text[i]);
        if (d < 0 || (unsigned)d >= base)
            return NUM_NOT_A_NUMBER;
        if (magnitude > (UINT64_MAX - (unsigned)d) / base)
            too_big = true;               /* keep scanning: "9999...x" is still not a number */
        else
            magnitude = magnitude * base + (unsigned)d;
    }
    if (too_big || magnitude > (negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
        return NUM_TOO_BIG;
    *out = negative ? (int64_t)(0 - magnitude) : (int64_t)magnitude;
    return NUM_OK;
}

static bool is_pow2(int64_t v)
{
    return v > 0 && (v & (v - 1)) == 0;
}

/* Range / kind check of one value; shown is the value as the user wrote it. */
static int check_value(const config_param_t *p, int64_t v, bool in_range, span_t shown, char *err)
{
    const char *key = p->key;
    int w = span_width(shown);
    switch (p->kind) {
    case P_BOOL:
        if (!in_range || (v != 0 && v != 1)) {
            set_error(err, "%s: %.*s is not a boolean (0 or 1)", key, w, shown.text);
            return -1;
        }
        return 0;
    case P_POW2:
        if (!in_range || v < p->lo || v > p->hi || !(is_pow2(v) || (v == 0 && p->lo == 0))) {
            set_error(err, "%s: %.*s is not a power of two in [%lld, %lld]", key, w, shown.text,
                      (long long)p->lo, (long long)p->hi);
            return -1;
        }
        return 0;
    case P_ENUM_REPL:
    case P_ENUM_MEM:
        if (!in_range || v < p->lo || v > p->hi) {
            char choices[96];
            enum_choices(p->kind, choices, sizeof choices);
            set_error(err, "%s: '%.*s' is not one of %s (or their index %lld..%lld)", key, w,
                      shown.text, choices, (long long)p->lo, (long long)p->hi);
            return -1;
        }
        return 0;
    default:
        if (!in_range || v < p->lo || v > p->hi) {
            set_error(err, "%s: %.*s is out of range [%lld, %lld]", key, w, shown.text,
                      (long long)p->lo, (long long)p->hi);
            return -1;
        }
        return 0;
    }
}

/* Parses value for p without storing it. */
static int parse_value(const config_param_t *p, span_t value, int64_t *out, char *err)
{
    int w = span_width(value);
    if (value.len == 0) {
        set_error(err, "%s: missing value", p->key);
        return -1;
    }
    size_t count;
    const char *const *names = enum_names(p->kind, &count);
    for (size_t i = 0; names && i < count; i++) {
        if (span_equals(value, names[i])) {
            *out = (int64_t)i;
            return 0;
        }
    }
    int64_t v = 0;
    num_parse_t rc = parse_integer(value, &v);
    if (rc == NUM_NOT_A_NUMBER) {
        if (names) {
            char choices[96];
            enum_choices(p->kind, choices, sizeof choices);
            set_error(err, "%s: '%.*s' is not one of %s (or their index %lld..%lld)", p->key, w,
                      value.text, choices, (long long)p->lo, (long long)p->hi);
        } else {
            set_error(err, "%s: '%.*s' is not a number", p->key, w, value.text);
        }
        return -1;
    }
    if (check_value(p, v, rc == NUM_OK, value, err) != 0)
        return -1;
    *out = v;
    return 0;
}

static int set_span(mmu_config_t *cfg, span_t key, span_t value, char *err)
{
    if (key.len == 0) {
        set_error(err, "missing parameter name before '='");
        return -1;
    }
    const config_param_t *p = find_span(key);
    if (!p) {
        set_error(err, "unknown parameter '%.*s'", span_width(key), key.text);
        return -1;
    }
    int64_t v;
    if (parse_value(p, value, &v, err) != 0)
        return -1;
    *field_of(cfg, p) = v;
    return 0;
}

int config_set(mmu_config_t *cfg, const char *key, const char *value, char *err)
{
    if (!cfg || !key || !value) {
        set_error(err, "config_set: missing argument");
        return -1;
    }
    return set_span(cfg, span_trim(span_of(key)), span_trim(span_of(value)), err);
}

static int set_assignment_span(mmu_config_t *cfg, span_t line, char *err)
{
    const char *eq = memchr(line.text, '=', line.len);
    if (!eq) {
        set_error(err, "expected 'key = value', got '%.*s'", span_width(line), line.text);
        return -1;
    }
    span_t key = { line.text, (size_t)(eq - line.text) };
    span_t value = { eq + 1, line.len - key.len - 1 };
    return set_span(cfg, span_trim(key), span_trim(value), err);
}

int config_set_assignment(mmu_config_t *cfg, const char *assignment, char *err)
{
    if (!cfg || !assignment) {
        set_error(err, "config_set_assignment: missing argument");
        return -1;
    }
    return set_assignment_span(cfg, span_trim(span_of(assignment)), err);
}

/* All or nothing: the file is applied to a copy, committed only if every line parses. */
int config_load_file(mmu_config_t *cfg, const char *path, char *err)
{
    if (!cfg || !path) {
        set_error(err, "config_load_file: missing argument");
        return -1;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        set_error(err, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    mmu_config_t staged = *cfg;
    line_reader_t *lr = malloc(sizeof *lr);
    if (!lr) {
        fclose(f);
        set_error(err, "%s: out of memory", path);
        return -1;
    }
    line_reader_init(lr, f);
    line_status_t st;
    int rc = 0;
    while ((st = line_reader_next(lr)) != LINE_EOF) {
        if (st != LINE_OK) {
            char why[96];
            set_error(err, "%s:%u: %s", path, lr->line_no + (st == LINE_ERROR),
                      line_status_text(st, errno, why, sizeof why));
            rc = -1;
            break;
        }
        span_t content = { lr->buf, lr->len };
        const char *hash = memchr(lr->buf, '#', lr->len);
        if (hash)
            content.len = (size_t)(hash - lr->buf);
        content = span_trim(content);
        if (content.len == 0)
            continue;
        char why[CONFIG_ERR_LEN];
        if (set_assignment_span(&staged, content, why) != 0) {
            set_error(err, "%s:%u: %s", path, lr->line_no, why);
            rc = -1;
            break;
        }
    }
    free(lr);
    fclose(f);
    if (rc == 0)
        *cfg = staged;
    return rc;
}

/* --- cross-parameter validation ------------------------------------------ */

typedef struct {
    const char *name;         /* as used in messages */
    bool enabled;
    const char *ways_keys[3]; /* by page-size class */
} tlb_shape_t;

/* The cache model's levels in use: each needs a whole power-of-two number of sets. */
static int validate_cache_levels(const mmu_config_t *cfg, char *err)
{
    const int64_t levels[3][3] = {
        { cfg->cache_l1_bytes, cfg->cache_l1_ways, cfg->cache_l1_line },
        { cfg->cache_l2_bytes, cfg->cache_l2_ways, cfg->cache_l2_line },
        { cfg->cache_l3_bytes, cfg->cache_l3_ways, cfg->cache_l3_line },
    };
    for (int64_t i = 0; i < cfg->cache_levels && i < 3; i++) {
        int64_t bytes = levels[i][0], ways = levels[i][1], line = levels[i][2];
        int64_t way_bytes = ways * line;
        if (bytes % way_bytes != 0 || !is_pow2(bytes / way_bytes)) {
            set_error(err, "cache_l%lld_bytes: %lld bytes / (%lld ways x %lld-byte lines) is not a "
                      "power-of-two number of sets", (long long)(i + 1), (long long)bytes,
                      (long long)ways, (long long)line);
            return -1;
        }
    }
    return 0;
}

int config_validate(const mmu_config_t *cfg, char *err)
{
    if (!cfg) {
        set_error(err, "config_validate: missing configuration");
        return -1;
    }
    /* Every field on its own (the struct may have been filled directly). */
    for (size_t i = 0; i < config_num_params; i++) {
        const config_param_t *p = &config_params[i];
        int64_t v = config_get(cfg, p);
        char shown[32];
        int n = snprintf(shown, sizeof shown, "%lld", (long long)v);
        if (check_value(p, v, true, (span_t){ shown, n > 0 ? (size_t)n : 0 }, err) != 0)
            return -1;
    }

    const tlb_shape_t tlbs[] = {
        { "dtlb", true, { "dtlb_4k_ways", "dtlb_2m_ways", "dtlb_1g_ways" } },
        { "itlb", cfg->ports == 2, { "itlb_4k_ways", "itlb_2m_ways", "itlb_1g_ways" } },
        { "l2 TLB", cfg->l2tlb == 1, { "l2_4k_ways", "l2_2m_ways", "l2_1g_ways" } },
    };
    for (size_t t = 0; t < sizeof tlbs / sizeof tlbs[0]; t++) {
        const tlb_shape_t *tlb = &tlbs[t];
        if (!tlb->enabled)
            continue;       /* e.g. the ITLB of a single-port MMU: its settings are ignored */
        bool caches_something = false;
        for (size_t c = 0; c < 3; c++) {
            int64_t ways = config_get(cfg, config_find(tlb->ways_keys[c]));
            caches_something |= ways > 0;
            if (cfg->tlb_repl == REPL_PLRU && ways > 0 && !is_pow2(ways)) {
                set_error(err, "%s: %lld ways, but tlb_repl=plru needs a power of two",
                          tlb->ways_keys[c], (long long)ways);
                return -1;
            }
        }
        if (!caches_something) {
            set_error(err, "%s caches no page size: %s, %s and %s are all 0", tlb->name,
                      tlb->ways_keys[0], tlb->ways_keys[1], tlb->ways_keys[2]);
            return -1;
        }
    }
    if (cfg->mem_model == MEM_CACHE && validate_cache_levels(cfg, err) != 0)
        return -1;
    return 0;
}

bool config_harness_only(const char *key)
{
    return !strncmp(key, "mem_", 4) || !strncmp(key, "dram_", 5) || !strncmp(key, "cache_", 6);
}
