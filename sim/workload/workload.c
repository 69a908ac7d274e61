/* Seeded synthetic workloads (see workload.h). */
#include "hostclock.h"
#include "workload.h"
#include "names.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GIB (1ull << 30)
#define TABLE_FRAMES_BASE (2ull << 20)   /* page tables come from [2 MiB, 2 GiB) */
#define TABLE_FRAMES_LIMIT (2ull << 30)

/* ------------------------------------------------------------------------ */
/* PRNG                                                                      */

/* ------------------------------------------------------------------------ */
/* parameters                                                                */

static void errf(char *err, const char *fmt, ...)
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
    p->issue = WL_ISSUE_SERIAL;
    p->interval = 1;
    p->batch = 256;
    p->map = WL_MAP_AUTO;
}

static const char *const kind_names[WL_NUM_KINDS] = { "random", "hotcold", "stride" };

const char *wl_kind_name(wl_kind_t k)
{
    return (unsigned)k < WL_NUM_KINDS ? kind_names[k] : "?";
}

int wl_kind_parse(const char *s, wl_kind_t *out)
{
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
    "ops", "seed", "hot", "hot-frac", "stride", "issue", "interval", "batch", "map", NULL,
};

bool wl_is_key(const char *key)
{
    for (int i = 0; wl_keys[i]; i++)
        if (strcmp(key, wl_keys[i]) == 0)
            return true;
    return false;
}

int wl_set(wl_params_t *p, const char *key, const char *v, char *err)
{
    uint64_t u;
    double f[3], d;
    bool b;
    if (!strcmp(key, "workload") || !strcmp(key, "kind")) {
        if (wl_kind_parse(v, &p->kind) == 0)
            return 0;
        errf(err, "workload: unknown kind '%s' (random, hotcold, stride)", v);
    } else if (!strcmp(key, "mode")) {
        if (names_parse_mode(v, &p->mode) == 0 && p->mode != PAGING_OFF)
            return 0;
        errf(err, "mode: unknown paging mode '%s' (32bit, pae, 4level, 5level)", v);
    } else if (!strcmp(key, "region")) {
        if (wl_parse_size(v, &u) == 0 && u > 0) {
            p->region_bytes = u;
            return 0;
        }
        errf(err, "region: bad size '%s'", v);
    } else if (!strcmp(key, "base")) {
        if (!strcmp(v, "auto")) {
            p->va_base = WL_VA_AUTO;
            return 0;
        }
        if (wl_parse_size(v, &u) == 0 && u != WL_VA_AUTO) {
            p->va_base = u;
            return 0;
        }
        errf(err, "base: bad address '%s'", v);
    } else if (!strcmp(key, "mix")) {
        if (parse_weights3(v, f) == 0) {
            p->frac_large = f[1];
            p->frac_1g = f[2];
            return 0;
        }
        errf(err, "mix: want W4K:W2M:W1G weights, got '%s'", v);
    } else if (!strcmp(key, "rwx")) {
        if (parse_weights3(v, f) == 0) {
            p->frac_write = f[1];
            p->frac_exec = f[2];
            return 0;
        }
        errf(err, "rwx: want READ:WRITE:FETCH weights, got '%s'", v);
    } else if (!strcmp(key, "user") || !strcmp(key, "global") || !strcmp(key, "preset-a") ||
               !strcmp(key, "preset-d")) {
        if (parse_bool(v, &b) == 0) {
            if (!strcmp(key, "user")) p->user = b;
            else if (!strcmp(key, "global")) p->global = b;
            else if (!strcmp(key, "preset-a")) p->preset_a = b;
            else p->preset_d = b;
            return 0;
        }
        errf(err, "%s: want 0 or 1, got '%s'", key, v);
    } else if (!strcmp(key, "ops")) {
        if (parse_u64(v, &u) == 0) {
            p->ops = u;
            return 0;
        }
        errf(err, "ops: bad count '%s'", v);
    } else if (!strcmp(key, "seed")) {
        if (parse_u64(v, &u) == 0) {
            p->seed = u;
            return 0;
        }
        errf(err, "seed: bad number '%s'", v);
    } else if (!strcmp(key, "hot")) {
        if (wl_parse_size(v, &u) == 0 && u > 0) {
            p->hot_bytes = u;
            return 0;
        }
        errf(err, "hot: bad size '%s'", v);
    } else if (!strcmp(key, "hot-frac")) {
        if (parse_double(v, &d) == 0 && d >= 0 && d <= 1) {
            p->hot_frac = d;
            return 0;
        }
        errf(err, "hot-frac: want a fraction in [0, 1], got '%s'", v);
    } else if (!strcmp(key, "stride")) {
        if (wl_parse_size(v, &u) == 0 && u > 0) {
            p->stride_bytes = u;
            return 0;
        }
        errf(err, "stride: bad size '%s'", v);
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
        errf(err, "issue: want serial, overlap or overlap:K, got '%s'", v);
    } else if (!strcmp(key, "interval") || !strcmp(key, "batch")) {
        if (parse_u64(v, &u) == 0 && u >= 1 && u <= 1000000) {
            if (!strcmp(key, "interval")) p->interval = (unsigned)u;
            else p->batch = (unsigned)u;
            return 0;
        }
        errf(err, "%s: want an integer in [1, 1000000], got '%s'", key, v);
    } else if (!strcmp(key, "map")) {
        if (!strcmp(v, "auto")) p->map = WL_MAP_AUTO;
        else if (!strcmp(v, "eager")) p->map = WL_MAP_EAGER;
        else if (!strcmp(v, "lazy")) p->map = WL_MAP_LAZY;
        else {
            errf(err, "map: want auto, eager or lazy, got '%s'", v);
            return -1;
        }
        return 0;
    } else {
        errf(err, "unknown workload knob '%s'", key);
    }
    return -1;
}

static unsigned large_shift(paging_mode_t m) { return m == PAGING_32 ? 22 : 21; }

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
        errf(err, "workload: bad kind");
        return -1;
    }
    if (p->mode != PAGING_32 && p->mode != PAGING_PAE && p->mode != PAGING_4LEVEL &&
        p->mode != PAGING_5LEVEL) {
        errf(err, "mode: paging must be on (32bit, pae, 4level or 5level)");
        return -1;
    }
    const uint64_t slot = 1ull << large_shift(p->mode);
    const bool has_1g = p->mode == PAGING_4LEVEL || p->mode == PAGING_5LEVEL;
    if (p->region_bytes == 0 || p->region_bytes > WL_MAX_REGION) {
        errf(err, "region: must be in (0, 1T]");
        return -1;
    }
    if (p->region_bytes & (slot - 1)) {   /* the region is laid out in large-page slots */
        errf(err, "region: %" PRIu64 " bytes is not a multiple of the %s large-page slot of %s paging",
             p->region_bytes, slot == (4ull << 20) ? "4 MiB" : "2 MiB", names_mode(p->mode));
        return -1;
    }
    if (!(p->frac_large >= 0 && p->frac_1g >= 0 && p->frac_large + p->frac_1g <= 1 + 1e-9)) {
        errf(err, "mix: fractions must be >= 0 and sum to at most 1");
        return -1;
    }
    if (p->frac_1g > 0 && !has_1g) {
        errf(err, "mix: 1 GiB pages need 4level or 5level paging (mode %s)", names_mode(p->mode));
        return -1;
    }
    if (!(p->frac_write >= 0 && p->frac_exec >= 0 && p->frac_write + p->frac_exec <= 1 + 1e-9)) {
        errf(err, "rwx: fractions must be >= 0 and sum to at most 1");
        return -1;
    }
    const uint64_t align = has_1g ? GIB : slot;
    const uint64_t limit = va_limit(p->mode);
    if (p->region_bytes > limit) {
        errf(err, "region: %s paging covers at most %" PRIu64 " bytes", names_mode(p->mode), limit);
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
        errf(err, "base: 0x%" PRIx64 " is not aligned to %" PRIu64 " bytes", p->va_base, align);
        return -1;
    }
    if (p->va_base >= limit || p->region_bytes > limit - p->va_base) {
        errf(err, "base: region [0x%" PRIx64 ", +%" PRIu64 ") exceeds the %s linear address space",
             p->va_base, p->region_bytes, names_mode(p->mode));
        return -1;
    }
    if (p->kind == WL_HOTCOLD && (p->hot_bytes == 0 || p->hot_bytes > p->region_bytes)) {
        errf(err, "hot: the hot set must be in (0, region]");
        return -1;
    }
    if (!(p->hot_frac >= 0 && p->hot_frac <= 1)) {
        errf(err, "hot-frac: must be in [0, 1]");
        return -1;
    }
    if (p->stride_bytes == 0) {
        errf(err, "stride: must be > 0");
        return -1;
    }
    if (p->interval < 1 || p->batch < 1) {
        errf(err, "interval and batch must be >= 1");
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

/* ------------------------------------------------------------------------ */
/* the workload                                                              */

struct workload {
    wl_params_t p;
    physmem_t *mem;
    ptbuild_t ptb;
    backend_t *be;
    bool two_ports;

    unsigned lshift;          /* large-page shift: 21, or 22 in 32-bit paging */
    uint64_t nslots;          /* region / large page */
    uint8_t *cls;             /* page class per slot */
    uint8_t *mapped;          /* per slot: 1 once its leaves are written */
    uint64_t pages[NUM_PSC], pages_mapped[NUM_PSC];
    bool lazy;
    bool map_failed;          /* lazy mapping ran out of table frames */

    paddr_t data_base;        /* va -> data_base + ((va - va_base) & (data_span - 1)) */
    uint64_t data_span;
    uint64_t leaf_flags;
    unsigned esize;           /* entry size: 4 or 8 */

    uint64_t *hot;            /* hotcold: region offsets of the hot 4 KiB pages */
    uint64_t nhot;

    /* stream state */
    rng_t rng;
    uint64_t produced;
    uint64_t stride_off;
};

const wl_params_t *wl_params(const workload_t *w) { return &w->p; }
mmu_t *wl_mmu(workload_t *w) { return w->be ? backend_model(w->be) : NULL; }
backend_t *wl_backend(workload_t *w) { return w->be; }
physmem_t *wl_mem(workload_t *w) { return w->mem; }
const ptbuild_t *wl_ptb(const workload_t *w) { return &w->ptb; }
uint64_t wl_pages(const workload_t *w, page_class_t c) { return c < NUM_PSC ? w->pages[c] : 0; }
uint64_t wl_pages_mapped(const workload_t *w, page_class_t c) { return c < NUM_PSC ? w->pages_mapped[c] : 0; }

unsigned wl_page_shift(const workload_t *w, vaddr_t va)
{
    if (va < w->p.va_base || va - w->p.va_base >= w->p.region_bytes)
        return 0;
    switch (w->cls[(va - w->p.va_base) >> w->lshift]) {
    case PSC_4K: return 12;
    case PSC_2M: return w->lshift;
    default: return 30;
    }
}

paddr_t wl_expected_pa(const workload_t *w, vaddr_t va)
{
    return w->data_base + ((va - w->p.va_base) & (w->data_span - 1));
}

/* Picks k of the n indices in idx (partial Fisher-Yates); they end up in idx[0..k). */
static void pick(rng_t *r, uint64_t *idx, uint64_t n, uint64_t k)
{
    for (uint64_t i = 0; i < k; i++) {
        uint64_t j = i + rng_below(r, n - i);
        uint64_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

static int build_layout(workload_t *w, char *err)
{
    const wl_params_t *p = &w->p;
    w->nslots = p->region_bytes >> w->lshift;
    w->cls = calloc(w->nslots, 1);
    w->mapped = calloc(w->nslots, 1);
    if (!w->cls || !w->mapped) {
        errf(err, "out of memory");
        return -1;
    }
    rng_t r;
    rng_seed(&r, p->seed ^ 0x6c61796f75742121ull);   /* layout stream, independent of ops */

    const uint64_t per_g = GIB >> w->lshift;            /* slots per 1 GiB */
    const uint64_t full_g = (w->p.mode == PAGING_4LEVEL || w->p.mode == PAGING_5LEVEL)
                                ? p->region_bytes >> 30 : 0;
    uint64_t n1g = (uint64_t)llround(p->frac_1g * (double)(p->region_bytes >> 30));
    if (n1g > full_g)
        n1g = full_g;
    uint64_t free_slots = w->nslots - n1g * per_g;
    uint64_t nlarge = (uint64_t)llround(p->frac_large * (double)w->nslots);
    if (nlarge > free_slots)
        nlarge = free_slots;

    uint64_t *idx = malloc((w->nslots > full_g ? w->nslots : full_g + 1) * sizeof *idx);
    if (!idx) {
        errf(err, "out of memory");
        return -1;
    }
    for (uint64_t i = 0; i < full_g; i++)
        idx[i] = i;
    pick(&r, idx, full_g, n1g);
    for (uint64_t i = 0; i < n1g; i++)
        memset(w->cls + idx[i] * per_g, PSC_1G, per_g);

    uint64_t n = 0;
    for (uint64_t s = 0; s < w->nslots; s++)
        if (w->cls[s] != PSC_1G)
            idx[n++] = s;
    pick(&r, idx, n, nlarge);
    for (uint64_t i = 0; i < nlarge; i++)
        w->cls[idx[i]] = PSC_2M;
    free(idx);

    w->pages[PSC_1G] = n1g;
    w->pages[PSC_2M] = nlarge;
    w->pages[PSC_4K] = (free_slots - nlarge) << (w->lshift - 12);

    if (p->kind == WL_HOTCOLD) {
        w->nhot = p->hot_bytes >> 12;
        if (w->nhot == 0)
            w->nhot = 1;
        w->hot = malloc(w->nhot * sizeof *w->hot);
        if (!w->hot) {
            errf(err, "out of memory");
            return -1;
        }
        const uint64_t npages = p->region_bytes >> 12;
        for (uint64_t i = 0; i < w->nhot; i++)
            w->hot[i] = rng_below(&r, npages) << 12;
    }
    return 0;
}

/* Writes the leaves of slot s (a whole page table for 4 KiB slots). */
static int map_slot(workload_t *w, uint64_t s)
{
    if (w->mapped[s])
        return 0;
    const wl_params_t *p = &w->p;
    const uint64_t off = s << w->lshift;
    const vaddr_t va = p->va_base + off;
    const paddr_t pa = wl_expected_pa(w, va);
    const uint64_t tflags = PTB_TABLE_FLAGS;
    switch (w->cls[s]) {
    case PSC_1G: {
        const uint64_t per_g = GIB >> w->lshift;
        const uint64_t first = s & ~(per_g - 1);
        const vaddr_t gva = p->va_base + (first << w->lshift);
        if (ptb_map(&w->ptb, gva, wl_expected_pa(w, gva), 30, w->leaf_flags, tflags) != 0)
            return -1;
        memset(w->mapped + first, 1, per_g);
        w->pages_mapped[PSC_1G]++;
        return 0;
    }
    case PSC_2M:
        if (ptb_map(&w->ptb, va, pa, w->lshift, w->leaf_flags, tflags) != 0)
            return -1;
        w->pages_mapped[PSC_2M]++;
        break;
    default: {
        /* The first page through ptb_map (allocates the tables), the rest of
         * the page table directly: a 4 KiB leaf is pa | flags in every mode. */
        if (ptb_map(&w->ptb, va, pa, 12, w->leaf_flags, tflags) != 0)
            return -1;
        const paddr_t pt = ptb_entry_addr(&w->ptb, va, LVL_PT);
        if (pt == 0)
            return -1;
        const uint64_t n = 1ull << (w->lshift - 12);
        for (uint64_t i = 1; i < n; i++)
            ptb_write_entry(&w->ptb, pt + i * w->esize, (pa + (i << 12)) | w->leaf_flags);
        w->pages_mapped[PSC_4K] += n;
        break;
    }
    }
    w->mapped[s] = 1;
    return 0;
}

static int ctrl(workload_t *w, mmu_ctrl_kind_t kind, uint64_t value, const char *what, char *err)
{
    mmu_ctrl_t op = { .kind = kind, .value = value, .issue_cycle = backend_horizon(w->be) };
    mmu_ctrl_result_t r;
    if (backend_control(w->be, &op, &r) != 0 || r.fault != FAULT_NONE) {
        errf(err, "setting up the MMU: %s write 0x%" PRIx64 " failed", what, value);
        return -1;
    }
    return 0;
}

/* Control registers in a legal order (docs/semantics.md section 7): EFER
 * (LME before paging), CR4 (PAE/LA57/PSE/PGE while paging is off), CR3, CR0. */
static int setup_crs(workload_t *w, char *err)
{
    uint64_t efer = 0, cr4 = CR4_PGE;
    switch (w->p.mode) {
    case PAGING_32: cr4 |= CR4_PSE; break;
    case PAGING_PAE: efer = EFER_NXE; cr4 |= CR4_PAE; break;
    case PAGING_4LEVEL: efer = EFER_NXE | EFER_LME; cr4 |= CR4_PAE; break;
    default: efer = EFER_NXE | EFER_LME; cr4 |= CR4_PAE | CR4_LA57; break;
    }
    if (ctrl(w, CTRL_EFER, efer, "EFER", err) || ctrl(w, CTRL_CR4, cr4, "CR4", err) ||
        ctrl(w, CTRL_CR3, ptb_cr3(&w->ptb), "CR3", err) ||
        ctrl(w, CTRL_CR0, CR0_PE | CR0_WP | CR0_PG, "CR0", err))
        return -1;
    backend_clear_stats(w->be);
    return 0;
}

workload_t *wl_create(const wl_params_t *params, const mmu_config_t *cfg, char *err)
{
    return wl_create_on(params, cfg, BACKEND_MODEL, err);
}

workload_t *wl_create_on(const wl_params_t *params, const mmu_config_t *cfg, backend_kind_t kind, char *err)
{
    wl_params_t p = *params;
    if (wl_validate(&p, err) != 0)
        return NULL;
    workload_t *w = calloc(1, sizeof *w);
    if (!w) {
        errf(err, "out of memory");
        return NULL;
    }
    w->p = p;
    w->lshift = large_shift(p.mode);
    w->esize = p.mode == PAGING_32 ? 4 : 8;
    w->two_ports = cfg && cfg->ports >= 2;
    const unsigned maxphyaddr = cfg ? (unsigned)cfg->maxphyaddr : 46;
    w->mem = physmem_create(maxphyaddr);
    if (!w->mem) {
        errf(err, "cannot create physical memory (maxphyaddr %u)", maxphyaddr);
        goto fail;
    }
    physmem_set_frame_range(w->mem, TABLE_FRAMES_BASE, TABLE_FRAMES_LIMIT);
    if (p.mode == PAGING_32) {
        w->data_base = w->data_span = 2 * GIB;
    } else {
        w->data_base = w->data_span = 1ull << (maxphyaddr - 1);
    }
    w->leaf_flags = PTE_P | PTE_RW | (p.user ? PTE_US : 0) | (p.global ? PTE_G : 0) |
                    (p.preset_a ? PTE_A : 0) | (p.preset_d ? PTE_D : 0);
    if (ptb_init(&w->ptb, w->mem, p.mode) != 0) {
        errf(err, "cannot allocate the top-level page table");
        goto fail;
    }
    if (build_layout(w, err) != 0)
        goto fail;
    w->lazy = p.map == WL_MAP_LAZY || (p.map == WL_MAP_AUTO && p.region_bytes > 4 * GIB);
    if (!w->lazy) {
        for (uint64_t s = 0; s < w->nslots; s++)
            if (map_slot(w, s) != 0) {
                errf(err, "mapping the region failed at 0x%" PRIx64 " (out of table frames?)",
                     p.va_base + (s << w->lshift));
                goto fail;
            }
    }
    if (cfg) {
        char merr[CONFIG_ERR_LEN] = "";
        w->be = backend_create(kind, cfg, w->mem, merr);
        if (!w->be) {
            errf(err, "%s", merr);
            goto fail;
        }
        if (setup_crs(w, err) != 0)
            goto fail;
    }
    physmem_reset_counters(w->mem);
    wl_rewind(w);
    return w;
fail:
    wl_destroy(w);
    return NULL;
}

void wl_destroy(workload_t *w)
{
    if (!w)
        return;
    if (w->be)
        backend_destroy(w->be);
    if (w->mem)
        physmem_destroy(w->mem);
    free(w->cls);
    free(w->mapped);
    free(w->hot);
    free(w);
}

void wl_rewind(workload_t *w)
{
    w->map_failed = false;
    rng_seed(&w->rng, w->p.seed);
    w->produced = 0;
    w->stride_off = 0;
}

int wl_next(workload_t *w, mmu_req_t *req)
{
    const wl_params_t *p = &w->p;
    if (w->produced >= p->ops)
        return -1;
    uint64_t off;
    switch (p->kind) {
    case WL_HOTCOLD:
        if (rng_double(&w->rng) < p->hot_frac)
            off = w->hot[rng_below(&w->rng, w->nhot)] + (rng_below(&w->rng, 4096) & ~7ull);
        else
            off = rng_below(&w->rng, p->region_bytes) & ~7ull;
        break;
    case WL_STRIDE:
        off = w->stride_off;
        w->stride_off = (w->stride_off + p->stride_bytes % p->region_bytes) % p->region_bytes;
        break;
    default:
        off = rng_below(&w->rng, p->region_bytes) & ~7ull;
        break;
    }
    const double u = rng_double(&w->rng);
    mmu_access_t acc = u < p->frac_exec ? ACC_EXEC
                     : u < p->frac_exec + p->frac_write ? ACC_WRITE : ACC_READ;
    if (w->lazy) {
        uint64_t s = off >> w->lshift;
        if (!w->mapped[s] && map_slot(w, s) != 0) {
            w->map_failed = true;
            return -1;
        }
    }
    memset(req, 0, sizeof *req);
    req->va = p->va_base + off;
    req->access = acc;
    req->cpl = p->user ? 3 : 0;
    w->produced++;
    return 0;
}

void wl_describe(const workload_t *w, char *buf, size_t len)
{
    const wl_params_t *p = &w->p;
    char region[32], extra[96] = "";
    wl_format_size(p->region_bytes, region, sizeof region);
    if (p->kind == WL_HOTCOLD) {
        char hot[32];
        snprintf(extra, sizeof extra, " hot=%s(%" PRIu64 " pages)/%.0f%%",
                 wl_format_size(p->hot_bytes, hot, sizeof hot), w->nhot, p->hot_frac * 100);
    } else if (p->kind == WL_STRIDE) {
        char st[32];
        snprintf(extra, sizeof extra, " stride=%s", wl_format_size(p->stride_bytes, st, sizeof st));
    }
    char issue[48];
    if (p->issue == WL_ISSUE_SERIAL)
        snprintf(issue, sizeof issue, "serial");
    else
        snprintf(issue, sizeof issue, "overlap(interval=%u,batch=%u)", p->interval, p->batch);
    snprintf(buf, len,
             "workload: %s%s mode=%s region=%s base=0x%" PRIx64 " pages 4k=%" PRIu64 " %s=%" PRIu64
             " 1g=%" PRIu64 "%s r:w:x=%.0f:%.0f:%.0f cpl=%d ops=%" PRIu64 " seed=%" PRIu64 " issue=%s",
             wl_kind_name(p->kind), extra, names_mode(p->mode), region, p->va_base,
             w->pages[PSC_4K], p->mode == PAGING_32 ? "4m" : "2m", w->pages[PSC_2M], w->pages[PSC_1G],
             w->lazy ? " (mapped lazily)" : "",
             (1 - p->frac_write - p->frac_exec) * 100, p->frac_write * 100, p->frac_exec * 100,
             p->user ? 3 : 0, p->ops, p->seed, issue);
}

/* ------------------------------------------------------------------------ */
/* running                                                                   */

static void account(workload_t *w, wl_run_t *o, const mmu_req_t *req, const mmu_result_t *res,
                    wl_result_fn fn, void *ctx)
{
    o->ops++;
    o->by_access[req->access]++;
    if (res->fault != FAULT_NONE)
        o->faults++;
    else if (res->pa != wl_expected_pa(w, req->va))
        o->pa_mismatches++;
    if (res->complete_cycle > o->last_complete)
        o->last_complete = res->complete_cycle;
    if (fn)
        fn(ctx, req, res);
}

int wl_run(workload_t *w, wl_result_fn fn, void *ctx, wl_run_t *out, char *err)
{
    wl_run_t o;
    memset(&o, 0, sizeof o);
    if (!w->be) {
        errf(err, "workload has no MMU");
        return -1;
    }
    backend_t *m = w->be;
    const double t0 = host_seconds();
    o.first_issue = backend_horizon(m);
    int rc = 0;
    mmu_req_t req;
    mmu_result_t res;

    if (w->p.issue == WL_ISSUE_SERIAL) {
        while (wl_next(w, &req) == 0) {
            req.issue_cycle = backend_horizon(m);
            if (backend_translate(m, &req, &res) != 0) {
                errf(err, "op %" PRIu64 " at cycle %" PRIu64 " was rejected, or the backend diverged", o.ops,
                     req.issue_cycle);
                rc = -1;
                break;
            }
            account(w, &o, &req, &res, fn, ctx);
        }
    } else {
        const unsigned B = w->p.batch;
        mmu_req_t *reqs = malloc(B * sizeof *reqs);
        mmu_result_t *ress = malloc(B * sizeof *ress);
        if (!reqs || !ress) {
            free(reqs);
            free(ress);
            errf(err, "out of memory");
            return -1;
        }
        cycle_t next[MMU_MAX_PORTS], last = backend_horizon(m);
        next[PORT_D] = next[PORT_I] = last;
        bool more = true;
        while (more && rc == 0) {
            const cycle_t h = backend_horizon(m);
            if (last < h) last = h;
            unsigned n = 0;
            while (n < B && (more = wl_next(w, &reqs[n]) == 0)) {
                const int port = (w->two_ports && reqs[n].access == ACC_EXEC) ? PORT_I : PORT_D;
                cycle_t t = next[port] > last ? next[port] : last;
                reqs[n].issue_cycle = t;
                if (backend_submit(m, &reqs[n], &ress[n]) != 0) {
                    errf(err, "submit rejected op %" PRIu64 " at cycle %" PRIu64, o.ops + n, t);
                    rc = -1;
                    break;
                }
                next[port] = t + w->p.interval;
                last = t;
                n++;
            }
            if (backend_sync(m) != 0) {
                errf(err, "the %s backend diverged in the batch ending at op %" PRIu64,
                     backend_kind_name(m->kind), o.ops + n);
                rc = -1;
                break;
            }
            for (unsigned i = 0; i < n; i++)
                account(w, &o, &reqs[i], &ress[i], fn, ctx);
        }
        free(reqs);
        free(ress);
    }
    o.seconds = host_seconds() - t0;
    if (rc == 0 && backend_finish(m) != 0) {
        errf(err, "the %s backend's end-of-run check failed", backend_kind_name(m->kind));
        rc = -1;
    }
    if (rc == 0 && w->map_failed) {
        errf(err, "lazy mapping failed after %" PRIu64 " ops (out of page-table frames?)", o.ops);
        rc = -1;
    }
    if (out)
        *out = o;
    return rc;
}
