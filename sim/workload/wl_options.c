/* The workload knobs (workload.h): defaults, `wl_set KEY VALUE` (the demo's --KEY options),
 * sizes with binary units, validation against the mode's limits, and the options that
 * reproduce a run. */
#include "workload_int.h"

#include <strings.h>

void wl_errf(char *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, WL_ERR_LEN, fmt, ap);
    va_end(ap);
}

void wl_defaults(wl_params_t *p)
{
    memset(p, 0, sizeof *p);
    p->kind = WL_RANDOM;
    p->mode = PAGING_4LEVEL;
    p->region_bytes = 4 * GIB;
    p->va_base = WL_VA_AUTO;
    p->frac_large = 0.25;
    p->frac_1g = 0.25;
    p->frac_write = 0.2;
    p->frac_exec = 0.1;
    p->user = false;
    p->global = false;
    p->preset_a = true;
    p->preset_d = false;
    p->ops = 1000000;
    p->seed = 1;
    p->hot_bytes = 128 << 10;
    p->hot_frac = 0.9;
    p->stride_bytes = 64;
    p->zipf_s = 1.0;
    p->issue = WL_ISSUE_SERIAL;
    p->interval = 1;
    p->batch = 256;
    p->map = WL_MAP_AUTO;
}

static const char *const kind_names[WL_NUM_KINDS] = { "uniform", "hotcold", "stride", "seq", "zipf", "chase" };

const char *wl_kind_name(wl_kind_t k)
{
    return (unsigned)k < WL_NUM_KINDS ? kind_names[k] : "?";
}

int wl_kind_parse(const char *s, wl_kind_t *out)
{
    if (strcmp(s, "random") == 0) {   /* the old name of uniform */
        *out = WL_RANDOM;
        return 0;
    }
    for (int i = 0; i < WL_NUM_KINDS; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (wl_kind_t)i;
            return 0;
        }
    return -1;
}

int wl_parse_size(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s)
        return -1;
    unsigned shift = 0;
    if (*end) {
        switch (*end) {
        case 'k': case 'K': shift = 10; break;
        case 'm': case 'M': shift = 20; break;
        case 'g': case 'G': shift = 30; break;
        case 't': case 'T': shift = 40; break;
        default: return -1;
        }
        end++;
        if (*end == 'i' || *end == 'I')
            end++;
        if (*end == 'b' || *end == 'B')
            end++;
        if (*end)
            return -1;
    }
    if (shift && v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

char *wl_format_size(uint64_t v, char *buf, size_t len)
{
    static const char units[] = "KMGT";
    int u = -1;
    while (u < 3 && v && (v & 1023) == 0) {
        v >>= 10;
        u++;
    }
    if (u < 0)
        snprintf(buf, len, "%" PRIu64, v);
    else
        snprintf(buf, len, "%" PRIu64 "%c", v, units[u]);
    return buf;
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    if (!s || !*s)
        return -1;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_bool(const char *s, bool *out)
{
    if (!strcmp(s, "1") || !strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "on")) {
        *out = true;
        return 0;
    }
    if (!strcmp(s, "0") || !strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "off")) {
        *out = false;
        return 0;
    }
    return -1;
}

/* "a:b:c" of non-negative weights, as fractions: weights that already sum to
 * 1 are taken as they are (so printed fractions read back exactly), others
 * are normalised. */
static int parse_weights3(const char *s, double f[3])
{
    double w[3];
    const char *p = s;
    for (int i = 0; i < 3; i++) {
        char *end;
        errno = 0;
        w[i] = strtod(p, &end);
        if (errno || end == p || !isfinite(w[i]) || w[i] < 0)
            return -1;
        if (i < 2) {
            if (*end != ':')
                return -1;
            p = end + 1;
        } else if (*end) {
            return -1;
        }
    }
    double sum = w[0] + w[1] + w[2];
    if (!(sum > 0))
        return -1;
    if (fabs(sum - 1.0) < 1e-9) {
        f[1] = w[1];
        f[2] = w[2];
    } else {
        f[1] = w[1] / sum;
        f[2] = w[2] / sum;
    }
    f[0] = 1.0 - f[1] - f[2];
    return 0;
}

static const char *const wl_keys[] = {
    "workload", "mode", "region", "base", "mix", "rwx", "user", "global", "preset-a", "preset-d",
    "ops", "seed", "hot", "hot-frac", "stride", "issue", "interval", "batch", "map", "ws", "page", "zipf-s", NULL,
};

bool wl_is_key(const char *key)
{
    for (int i = 0; wl_keys[i]; i++)
        if (strcmp(key, wl_keys[i]) == 0)
            return true;
    return false;
}

int wl_check_applies(const wl_params_t *p, const char *key, char *err)
{
    if ((!strcmp(key, "hot") || !strcmp(key, "hot-frac")) && p->kind != WL_HOTCOLD) {
        wl_errf(err, "--%s applies only to --workload hotcold (this is %s)", key, wl_kind_name(p->kind));
        return -1;
    }
    if (!strcmp(key, "zipf-s") && p->kind != WL_ZIPF) {
        wl_errf(err, "--zipf-s applies only to --workload zipf (this is %s)", wl_kind_name(p->kind));
        return -1;
    }
    if (!strcmp(key, "stride") && p->kind != WL_STRIDE) {
        wl_errf(err, "--stride applies only to --workload stride (this is %s)", wl_kind_name(p->kind));
        return -1;
    }
    if ((!strcmp(key, "interval") || !strcmp(key, "batch")) && p->issue != WL_ISSUE_OVERLAP) {
        wl_errf(err, "--%s applies only to --issue overlap (this run issues serially)", key);
        return -1;
    }
    return 0;
}

int wl_set(wl_params_t *p, const char *key, const char *v, char *err)
{
    uint64_t u;
    double f[3], d;
    bool b;
    if (!strcmp(key, "workload") || !strcmp(key, "kind")) {
        if (wl_kind_parse(v, &p->kind) == 0)
            return 0;
        wl_errf(err, "workload: unknown kind '%s' (uniform or random, hotcold, stride, seq, zipf, chase)", v);
    } else if (!strcmp(key, "mode")) {
        if (names_parse_mode(v, &p->mode) == 0 && p->mode != PAGING_OFF)
            return 0;
        wl_errf(err, "mode: unknown paging mode '%s' (32bit, pae, 4level, 5level)", v);
    } else if (!strcmp(key, "region") || !strcmp(key, "ws")) {
        if (wl_parse_size(v, &u) == 0 && u > 0) {
            p->region_bytes = u;
            return 0;
        }
        wl_errf(err, "%s: bad size '%s'", key, v);
    } else if (!strcmp(key, "page")) {
        static const char *const sizes[] = { "4k", "2m", "1g" };
        for (int i = 0; i < 3; i++)
            if (!strcasecmp(v, sizes[i])) {
                p->frac_large = i == 1;
                p->frac_1g = i == 2;
                return 0;
            }
        wl_errf(err, "page: want 4k, 2m or 1g, got '%s'", v);
    } else if (!strcmp(key, "zipf-s")) {
        if (parse_double(v, &d) == 0 && d >= 0 && d <= 100) {
            p->zipf_s = d;
            return 0;
        }
        wl_errf(err, "zipf-s: want an exponent in [0, 100], got '%s'", v);
    } else if (!strcmp(key, "base")) {
        if (!strcmp(v, "auto")) {
            p->va_base = WL_VA_AUTO;
            return 0;
        }
        if (wl_parse_size(v, &u) == 0 && u != WL_VA_AUTO) {
            p->va_base = u;
            return 0;
        }
        wl_errf(err, "base: bad address '%s'", v);
    } else if (!strcmp(key, "mix")) {
        if (parse_weights3(v, f) == 0) {
            p->frac_large = f[1];
            p->frac_1g = f[2];
            return 0;
        }
        wl_errf(err, "mix: want W4K:W2M:W1G weights, got '%s'", v);
    } else if (!strcmp(key, "rwx")) {
        if (parse_weights3(v, f) == 0) {
            p->frac_write = f[1];
            p->frac_exec = f[2];
            return 0;
        }
        wl_errf(err, "rwx: want READ:WRITE:FETCH weights, got '%s'", v);
    } else if (!strcmp(key, "user") || !strcmp(key, "global") || !strcmp(key, "preset-a") ||
               !strcmp(key, "preset-d")) {
        if (parse_bool(v, &b) == 0) {
            if (!strcmp(key, "user")) p->user = b;
            else if (!strcmp(key, "global")) p->global = b;
            else if (!strcmp(key, "preset-a")) p->preset_a = b;
            else p->preset_d = b;
            return 0;
        }
        wl_errf(err, "%s: want 0 or 1, got '%s'", key, v);
    } else if (!strcmp(key, "ops")) {
        if (parse_u64(v, &u) == 0) {
            p->ops = u;
            return 0;
        }
        wl_errf(err, "ops: bad count '%s'", v);
    } else if (!strcmp(key, "seed")) {
        if (parse_u64(v, &u) == 0) {
            p->seed = u;
            return 0;
        }
        wl_errf(err, "seed: bad number '%s'", v);
    } else if (!strcmp(key, "hot")) {
        if (wl_parse_size(v, &u) == 0 && u > 0) {
            p->hot_bytes = u;
            return 0;
        }
        wl_errf(err, "hot: bad size '%s'", v);
    } else if (!strcmp(key, "hot-frac")) {
        if (parse_double(v, &d) == 0 && d >= 0 && d <= 1) {
            p->hot_frac = d;
            return 0;
        }
        wl_errf(err, "hot-frac: want a fraction in [0, 1], got '%s'", v);
    } else if (!strcmp(key, "stride")) {
        if (wl_parse_size(v, &u) == 0 && u > 0) {
            p->stride_bytes = u;
            return 0;
        }
        wl_errf(err, "stride: bad size '%s'", v);
    } else if (!strcmp(key, "issue")) {
        if (!strcmp(v, "serial")) {
            p->issue = WL_ISSUE_SERIAL;
            return 0;
        }
        if (!strcmp(v, "overlap")) {
            p->issue = WL_ISSUE_OVERLAP;
            return 0;
        }
        if (!strncmp(v, "overlap:", 8) && parse_u64(v + 8, &u) == 0 && u >= 1 && u <= 1000000) {
            p->issue = WL_ISSUE_OVERLAP;
            p->interval = (unsigned)u;
            return 0;
        }
        wl_errf(err, "issue: want serial, overlap or overlap:K, got '%s'", v);
    } else if (!strcmp(key, "interval") || !strcmp(key, "batch")) {
        if (parse_u64(v, &u) == 0 && u >= 1 && u <= 1000000) {
            if (!strcmp(key, "interval")) p->interval = (unsigned)u;
            else p->batch = (unsigned)u;
            return 0;
        }
        wl_errf(err, "%s: want an integer in [1, 1000000], got '%s'", key, v);
    } else if (!strcmp(key, "map")) {
        if (!strcmp(v, "auto")) p->map = WL_MAP_AUTO;
        else if (!strcmp(v, "eager")) p->map = WL_MAP_EAGER;
        else if (!strcmp(v, "lazy")) p->map = WL_MAP_LAZY;
        else {
            wl_errf(err, "map: want auto, eager or lazy, got '%s'", v);
            return -1;
        }
        return 0;
    } else {
        wl_errf(err, "unknown workload knob '%s'", key);
    }
    return -1;
}

unsigned wl_large_shift(paging_mode_t m) { return m == PAGING_32 ? 22 : 21; }

/* Highest linear address + 1 a region may reach in the mode (lower half only). */
static uint64_t va_limit(paging_mode_t m)
{
    switch (m) {
    case PAGING_32:
    case PAGING_PAE: return 1ull << 32;
    case PAGING_4LEVEL: return 1ull << 47;
    default: return 1ull << 56;
    }
}

int wl_validate(wl_params_t *p, char *err)
{
    if (p->kind >= WL_NUM_KINDS) {
        wl_errf(err, "workload: bad kind");
        return -1;
    }
    if (p->mode != PAGING_32 && p->mode != PAGING_PAE && p->mode != PAGING_4LEVEL &&
        p->mode != PAGING_5LEVEL) {
        wl_errf(err, "mode: paging must be on (32bit, pae, 4level or 5level)");
        return -1;
    }
    const uint64_t slot = 1ull << wl_large_shift(p->mode);
    const bool has_1g = p->mode == PAGING_4LEVEL || p->mode == PAGING_5LEVEL;
    if (p->region_bytes == 0 || p->region_bytes > WL_MAX_REGION) {
        wl_errf(err, "region: must be in (0, 1T]");
        return -1;
    }
    if (p->region_bytes & (slot - 1)) {   /* the region is laid out in large-page slots */
        wl_errf(err, "region: %" PRIu64 " bytes is not a multiple of the %s large-page slot of %s paging",
             p->region_bytes, slot == (4ull << 20) ? "4 MiB" : "2 MiB", names_mode(p->mode));
        return -1;
    }
    if (!(p->frac_large >= 0 && p->frac_1g >= 0 && p->frac_large + p->frac_1g <= 1 + 1e-9)) {
        wl_errf(err, "mix: fractions must be >= 0 and sum to at most 1");
        return -1;
    }
    if (p->frac_1g > 0 && !has_1g) {
        wl_errf(err, "mix: 1 GiB pages need 4level or 5level paging (mode %s)", names_mode(p->mode));
        return -1;
    }
    if (!(p->frac_write >= 0 && p->frac_exec >= 0 && p->frac_write + p->frac_exec <= 1 + 1e-9)) {
        wl_errf(err, "rwx: fractions must be >= 0 and sum to at most 1");
        return -1;
    }
    const uint64_t align = has_1g ? GIB : slot;
    const uint64_t limit = va_limit(p->mode);
    if (p->region_bytes > limit) {
        wl_errf(err, "region: %s paging covers at most %" PRIu64 " bytes", names_mode(p->mode), limit);
        return -1;
    }
    if (p->va_base == WL_VA_AUTO) {
        switch (p->mode) {
        case PAGING_4LEVEL: p->va_base = 0x0000700000000000ull; break;
        case PAGING_5LEVEL: p->va_base = 0x00f0000000000000ull; break;
        default: p->va_base = p->region_bytes <= 3 * GIB ? GIB : 0; break;
        }
        if (p->va_base + p->region_bytes > limit)
            p->va_base = 0;
    }
    if (p->va_base & (align - 1)) {
        wl_errf(err, "base: 0x%" PRIx64 " is not aligned to %" PRIu64 " bytes", p->va_base, align);
        return -1;
    }
    /* 4- and 5-level paging: the region lies in the lower (user) half [0, limit) or in the
     * upper (kernel) half [2^64 - limit, 2^64) of the canonical addresses (SDM Vol. 1 3.3.7.1) */
    const bool long_mode = p->mode == PAGING_4LEVEL || p->mode == PAGING_5LEVEL;
    const bool upper = long_mode && p->va_base >= 0 - limit;
    if (upper ? p->region_bytes > 0 - p->va_base
              : p->va_base >= limit || p->region_bytes > limit - p->va_base) {
        if (long_mode)
            wl_errf(err, "base: region [0x%" PRIx64 ", +%" PRIu64 ") is not inside one canonical half of %s "
                    "paging: [0, 0x%" PRIx64 ") or [0x%" PRIx64 ", 2^64)", p->va_base, p->region_bytes,
                    names_mode(p->mode), limit, 0 - limit);
        else
            wl_errf(err, "base: region [0x%" PRIx64 ", +%" PRIu64 ") exceeds the %s linear address space",
                    p->va_base, p->region_bytes, names_mode(p->mode));
        return -1;
    }
    if (p->kind == WL_HOTCOLD && (p->hot_bytes == 0 || p->hot_bytes > p->region_bytes)) {
        wl_errf(err, "hot: the hot set must be in (0, region]");
        return -1;
    }
    if ((p->kind == WL_ZIPF || p->kind == WL_CHASE) && (p->region_bytes >> 12) > WL_GEN_MAX_ELEMS) {
        wl_errf(err, "region: %s keeps a table per 4 KiB page: at most %llu GiB", wl_kind_name(p->kind),
                (unsigned long long)(WL_GEN_MAX_ELEMS >> 18));
        return -1;
    }
    if (!(p->zipf_s >= 0 && p->zipf_s <= 100)) {
        wl_errf(err, "zipf-s: must be in [0, 100]");
        return -1;
    }
    if (!(p->hot_frac >= 0 && p->hot_frac <= 1)) {
        wl_errf(err, "hot-frac: must be in [0, 1]");
        return -1;
    }
    if (p->stride_bytes == 0) {
        wl_errf(err, "stride: must be > 0");
        return -1;
    }
    if (p->interval < 1 || p->batch < 1) {
        wl_errf(err, "interval and batch must be >= 1");
        return -1;
    }
    return 0;
}

/* Shortest %g text of x that reads back as x. */
static void fmt_double(char *buf, size_t len, double x)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, len, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* Weights "a:b:c" that parse_weights3 reads back as exactly (f1, f2):
 * percentages when they do ("70:20:10"), else exact fractions. */
static void fmt_weights3(char *buf, size_t len, double f1, double f2)
{
    double back[3];
    snprintf(buf, len, "%.10g:%.10g:%.10g", (1.0 - f1 - f2) * 100, f1 * 100, f2 * 100);
    if (parse_weights3(buf, back) == 0 && back[1] == f1 && back[2] == f2)
        return;
    char a[32], b[32], c[32];
    snprintf(a, sizeof a, "%.6g", 1.0 - f1 - f2);
    fmt_double(b, sizeof b, f1);
    fmt_double(c, sizeof c, f2);
    snprintf(buf, len, "%s:%s:%s", a, b, c);
    if (parse_weights3(buf, back) == 0 && back[1] == f1 && back[2] == f2)
        return;
    fmt_double(a, sizeof a, 1.0 - f1 - f2);   /* normalised weights: all exact */
    snprintf(buf, len, "%s:%s:%s", a, b, c);
}

void wl_format_options(const wl_params_t *p, char *buf, size_t len)
{
    char region[32], hot[32], stride[32], base[32];
    char mix[100], rwx[100], hf[32];
    wl_format_size(p->region_bytes, region, sizeof region);
    wl_format_size(p->hot_bytes, hot, sizeof hot);
    wl_format_size(p->stride_bytes, stride, sizeof stride);
    if (p->va_base == WL_VA_AUTO)
        snprintf(base, sizeof base, "auto");
    else
        snprintf(base, sizeof base, "0x%" PRIx64, p->va_base);
    fmt_weights3(mix, sizeof mix, p->frac_large, p->frac_1g);
    fmt_weights3(rwx, sizeof rwx, p->frac_write, p->frac_exec);
    fmt_double(hf, sizeof hf, p->hot_frac);
    static const char *const maps[] = { "auto", "eager", "lazy" };
    /* Knobs that cannot affect the run (another kind's, the overlap ones
     * under serial issue) are left out. */
    char kind_opts[96] = "", issue_opts[64];
    if (p->kind == WL_HOTCOLD)
        snprintf(kind_opts, sizeof kind_opts, " --hot %s --hot-frac %s", hot, hf);
    else if (p->kind == WL_STRIDE)
        snprintf(kind_opts, sizeof kind_opts, " --stride %s", stride);
    else if (p->kind == WL_ZIPF) {
        char zs[32];
        fmt_double(zs, sizeof zs, p->zipf_s);
        snprintf(kind_opts, sizeof kind_opts, " --zipf-s %s", zs);
    }
    if (p->issue == WL_ISSUE_SERIAL)
        snprintf(issue_opts, sizeof issue_opts, "serial");
    else
        snprintf(issue_opts, sizeof issue_opts, "overlap --interval %u --batch %u", p->interval, p->batch);
    snprintf(buf, len,
             "--workload %s --mode %s --region %s --base %s --mix %s --rwx %s "
             "--user %d --global %d --preset-a %d --preset-d %d%s --issue %s --map %s --ops %" PRIu64
             " --seed %" PRIu64,
             wl_kind_name(p->kind), names_mode(p->mode), region, base, mix, rwx,
             p->user, p->global, p->preset_a, p->preset_d, kind_opts, issue_opts,
             maps[p->map <= WL_MAP_LAZY ? p->map : 0], p->ops, p->seed);
}
