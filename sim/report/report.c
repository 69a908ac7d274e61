/* Readable and JSON summaries of the model's statistics (see report.h). */
#include "report.h"
#include "names.h"

#include <inttypes.h>
#include <string.h>

static const char *const tlb_names[NUM_TLBS] = { "itlb", "dtlb", "l2" };
static const char *const level_names[MAX_LEVELS + 1] = { "", "pt", "pd", "pdpt", "pml4", "pml5" };

double report_rate(uint64_t num, uint64_t den)
{
    return den ? (double)num / (double)den : 0.0;
}

uint64_t report_tlb_lookups(const tlb_stats_t *t)
{
    uint64_t n = t->misses_unresolved;
    for (int c = 0; c < NUM_PSC; c++)
        n += t->hits[c] + t->misses[c];
    return n;
}

static uint64_t tlb_hits(const tlb_stats_t *t)
{
    uint64_t n = 0;
    for (int c = 0; c < NUM_PSC; c++)
        n += t->hits[c];
    return n;
}

void report_hist_summary(const histogram_t *h, report_hist_summary_t *o)
{
    memset(o, 0, sizeof *o);
    if (!h->count)
        return;
    o->count = h->count;
    o->min = h->min;
    o->max = h->max;
    o->mean = hist_mean(h);
    o->p50 = hist_percentile(h, 50);
    o->p90 = hist_percentile(h, 90);
    o->p99 = hist_percentile(h, 99);
}

/* ------------------------------------------------------------------------ */
/* text                                                                      */

static void pct(char *buf, size_t len, uint64_t num, uint64_t den)
{
    if (den == 0)
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, "%.2f%%", 100.0 * (double)num / (double)den);
}

static bool tlb_used(const tlb_stats_t *t)
{
    return report_tlb_lookups(t) || t->dropped || t->fills || t->evictions;
}

static bool tlb_applies(int id, const mmu_stats_t *s, const mmu_config_t *cfg)
{
    if (tlb_used(&s->tlb[id]) || !cfg)
        return true;
    if (id == TLB_ITLB)
        return cfg->ports >= 2;
    if (id == TLB_L2)
        return cfg->l2tlb != 0;
    return true;
}

/* " | mem=cache L1 48K/12w/64B/5 L2 ... dram 100" */
static void print_cache_config(FILE *f, const mmu_config_t *c)
{
    const int64_t lv[3][4] = {
        { c->cache_l1_bytes, c->cache_l1_ways, c->cache_l1_line, c->cache_l1_latency },
        { c->cache_l2_bytes, c->cache_l2_ways, c->cache_l2_line, c->cache_l2_latency },
        { c->cache_l3_bytes, c->cache_l3_ways, c->cache_l3_line, c->cache_l3_latency },
    };
    fprintf(f, " | mem=cache");
    for (int64_t i = 0; i < c->cache_levels && i < 3; i++)
        fprintf(f, " L%d %" PRId64 "B/%" PRId64 "w/%" PRId64 "B/%" PRId64, (int)i + 1, lv[i][0], lv[i][1],
                lv[i][2], lv[i][3]);
    fprintf(f, " dram %" PRId64 "\n", c->cache_dram_latency);
}

/* Where the walker's (and the fed data) memory operations were served: "L1 n (x%) ... DRAM n". */
static void print_cache_hits(FILE *f, const char *name, const uint64_t *hits, int64_t levels)
{
    uint64_t total = 0;
    for (int i = 0; i < CACHE_HIT_SLOTS; i++)
        total += hits[i];
    fprintf(f, "%-13s", name);
    for (int64_t i = 0; i <= levels && i < CACHE_HIT_SLOTS; i++) {
        char a[32];
        pct(a, sizeof a, hits[i == levels ? CACHE_HIT_SLOTS - 1 : i], total);
        if (i == levels)
            fprintf(f, "  DRAM %" PRIu64 " (%s)", hits[CACHE_HIT_SLOTS - 1], a);
        else
            fprintf(f, "  L%d %" PRIu64 " (%s)", (int)i + 1, hits[i], a);
    }
    fprintf(f, "\n");
}

void report_config_line(FILE *f, const mmu_config_t *c)
{
    const char *repl = config_enum_name(P_ENUM_REPL, c->tlb_repl);
    const char *mem = config_enum_name(P_ENUM_MEM, c->mem_model);
    char geom[3][96];
    const int64_t g[3][6] = {
        { c->itlb_4k_sets, c->itlb_4k_ways, c->itlb_2m_sets, c->itlb_2m_ways, c->itlb_1g_sets, c->itlb_1g_ways },
        { c->dtlb_4k_sets, c->dtlb_4k_ways, c->dtlb_2m_sets, c->dtlb_2m_ways, c->dtlb_1g_sets, c->dtlb_1g_ways },
        { c->l2_4k_sets, c->l2_4k_ways, c->l2_2m_sets, c->l2_2m_ways, c->l2_1g_sets, c->l2_1g_ways },
    };
    for (int t = 0; t < 3; t++) {
        size_t n = 0;
        geom[t][0] = 0;
        for (int k = 0; k < NUM_PSC; k++) {
            int64_t sets = g[t][2 * k], ways = g[t][2 * k + 1];
            if (ways)
                n += (size_t)snprintf(geom[t] + n, sizeof geom[t] - n, "%s%s %" PRId64 "x%" PRId64,
                                      n ? " " : "", names_format(&NAMES_PSC, k), sets, ways);
            else
                n += (size_t)snprintf(geom[t] + n, sizeof geom[t] - n, "%s%s off", n ? " " : "",
                                      names_format(&NAMES_PSC, k));
            if (n >= sizeof geom[t])
                n = sizeof geom[t] - 1;
        }
    }
    fprintf(f, "config: ports=%" PRId64 " maxphyaddr=%" PRId64, c->ports, c->maxphyaddr);
    if (c->ports >= 2)
        fprintf(f, " | itlb %s", geom[0]);
    fprintf(f, " | dtlb %s", geom[1]);
    if (c->l2tlb)
        fprintf(f, " | l2 %s", geom[2]);
    else
        fprintf(f, " | l2 off");
    fprintf(f, " | repl=%s", repl ? repl : "?");
    if (c->tlb_repl == REPL_RANDOM)
        fprintf(f, " seed=%" PRId64, c->random_seed);
    fprintf(f, " | pwc pml5/pml4/pdpt/pd=%" PRId64 "/%" PRId64 "/%" PRId64 "/%" PRId64,
            c->pwc_pml5_entries, c->pwc_pml4_entries, c->pwc_pdpt_entries, c->pwc_pd_entries);
    fprintf(f, " | lat l1=%" PRId64 " l2=%" PRId64 " pwc=%" PRId64 " walk=%" PRId64 " ctrl=%" PRId64,
            c->l1_latency, c->l2_latency, c->pwc_latency, c->walk_overhead, c->ctrl_latency);
    if (c->mem_model == MEM_DRAM)
        fprintf(f, " | mem=dram banks=%" PRId64 " row=%" PRId64 " hit=%" PRId64 " miss=%" PRId64 "\n",
                c->dram_banks, c->dram_row_bytes, c->dram_row_hit, c->dram_row_miss);
    else if (c->mem_model == MEM_CACHE)
        print_cache_config(f, c);
    else
        fprintf(f, " | mem=%s %" PRId64 "\n", mem ? mem : "fixed", c->mem_latency);
}

/* Half-octave bucket edges: [edge[i], edge[i+1]) ; the last bucket is >= HIST_MAX. */
static size_t bucket_edges(uint64_t *e)
{
    size_t n = 0;
    e[n++] = 0;
    e[n++] = 1;
    e[n++] = 2;
    e[n++] = 3;
    for (uint64_t p = 4; p < HIST_MAX; p *= 2) {
        e[n++] = p;
        e[n++] = p + p / 2;
    }
    e[n++] = HIST_MAX;
    return n;   /* n edges: n - 1 finite buckets, then the overflow bucket */
}

#define MAX_EDGES 40
#define BAR_WIDTH 40

void report_print_hist(FILE *f, const char *name, const histogram_t *h)
{
    report_hist_summary_t s;
    report_hist_summary(h, &s);
    if (!s.count) {
        fprintf(f, "%-20s count 0\n", name);
        return;
    }
    fprintf(f, "%-20s count %" PRIu64 "  min %" PRIu64 "  mean %.2f  p50 %" PRIu64 "  p90 %" PRIu64
               "  p99 %" PRIu64 "  max %" PRIu64 "\n",
            name, s.count, s.min, s.mean, s.p50, s.p90, s.p99, s.max);

    uint64_t e[MAX_EDGES], cnt[MAX_EDGES] = { 0 };
    const size_t ne = bucket_edges(e);
    const size_t nb = ne;   /* ne - 1 finite buckets + overflow */
    for (size_t b = 0; b + 1 < ne; b++)
        for (uint64_t v = e[b]; v < e[b + 1]; v++)
            cnt[b] += h->bucket[v];
    cnt[nb - 1] = h->over;
    size_t first = nb, last = 0;
    uint64_t peak = 0;
    for (size_t b = 0; b < nb; b++)
        if (cnt[b]) {
            if (first == nb)
                first = b;
            last = b;
            if (cnt[b] > peak)
                peak = cnt[b];
        }
    for (size_t b = first; b <= last && b < nb; b++) {
        char range[32];
        if (b == nb - 1)
            snprintf(range, sizeof range, ">= %d", HIST_MAX);
        else if (e[b + 1] - e[b] == 1)
            snprintf(range, sizeof range, "%" PRIu64, e[b]);
        else
            snprintf(range, sizeof range, "%" PRIu64 "-%" PRIu64, e[b], e[b + 1] - 1);
        int w = (int)((cnt[b] * BAR_WIDTH + peak - 1) / peak);
        char bar[BAR_WIDTH + 1];
        memset(bar, '#', (size_t)w);
        bar[w] = 0;
        fprintf(f, "  %11s %6.2f%% |%-*s| %" PRIu64 "\n", range, 100.0 * (double)cnt[b] / (double)h->count,
                BAR_WIDTH, bar, cnt[b]);
    }
}

void report_print(FILE *f, const mmu_stats_t *s, const physmem_stats_t *pm, const mmu_config_t *cfg)
{
    char a[32], c[3][32];
    fprintf(f, "requests     %" PRIu64 "  (port D %" PRIu64 ", port I %" PRIu64 ")\n", s->requests,
            s->requests_by_port[PORT_D], s->requests_by_port[PORT_I]);

    fprintf(f, "TLB            lookups         hits     hit%%   4k hit%%   2m hit%%   1g hit%%   dropped"
               "      fills  evictions\n");
    for (int id = 0; id < NUM_TLBS; id++) {
        if (!tlb_applies(id, s, cfg))
            continue;
        const tlb_stats_t *t = &s->tlb[id];
        const uint64_t look = report_tlb_lookups(t), hits = tlb_hits(t);
        pct(a, sizeof a, hits, look);
        for (int k = 0; k < NUM_PSC; k++)
            pct(c[k], sizeof c[k], t->hits[k], t->hits[k] + t->misses[k]);
        fprintf(f, "  %-6s %12" PRIu64 " %12" PRIu64 " %8s %9s %9s %9s %9" PRIu64 " %10" PRIu64
                   " %10" PRIu64 "\n",
                tlb_names[id], look, hits, a, c[0], c[1], c[2], t->dropped, t->fills, t->evictions);
        fprintf(f, "  %-6s %12s   hits 4k/2m/1g %" PRIu64 "/%" PRIu64 "/%" PRIu64
                   "  misses 4k/2m/1g %" PRIu64 "/%" PRIu64 "/%" PRIu64 "  unresolved %" PRIu64 "\n",
                "", "", t->hits[0], t->hits[1], t->hits[2], t->misses[0], t->misses[1], t->misses[2],
                t->misses_unresolved);
    }

    uint64_t pwc_hits = 0;
    for (int l = 2; l <= MAX_LEVELS; l++)
        pwc_hits += s->pwc_hits[l];
    pct(a, sizeof a, pwc_hits, s->pwc_lookups);
    fprintf(f, "PWC          lookups %" PRIu64 "  hits %" PRIu64 " (%s)  fills %" PRIu64 "\n",
            s->pwc_lookups, pwc_hits, a, s->pwc_fills);
    fprintf(f, "  deepest hit:");
    for (int l = 2; l <= MAX_LEVELS; l++) {
        pct(a, sizeof a, s->pwc_hits[l], s->pwc_lookups);
        fprintf(f, "  %s %" PRIu64 " (%s)", level_names[l], s->pwc_hits[l], a);
    }
    fprintf(f, "\n");

    fprintf(f, "walks        %" PRIu64 "  memory reads %" PRIu64 " (%.2f/walk)  writes %" PRIu64
               " (%.2f/walk)\n",
            s->walks, s->walk_reads, report_rate(s->walk_reads, s->walks), s->walk_writes,
            report_rate(s->walk_writes, s->walks));
    fprintf(f, "assists      dirty %" PRIu64 "  rights rechecks %" PRIu64 "\n", s->dirty_assists,
            s->rights_rechecks);
    fprintf(f, "faults       #PF %" PRIu64 " (not-present %" PRIu64 ", reserved %" PRIu64
               ", rights %" PRIu64 ")  #GP %" PRIu64 "\n",
            s->faults_pf, s->pf_not_present, s->pf_reserved, s->pf_rights, s->faults_gp);
    fprintf(f, "control      ops %" PRIu64 " (#GP %" PRIu64 ", #UD %" PRIu64 ")  PDPTE loads %" PRIu64
               "  flushed TLB entries %" PRIu64 "  PWC entries %" PRIu64 "\n",
            s->ctrl_ops, s->ctrl_gp, s->ctrl_ud, s->pdpte_loads, s->flushes_tlb_entries, s->flushes_pwc_entries);
    if (pm)
        fprintf(f, "physmem      reads %" PRIu64 "  writes %" PRIu64 "  backing pages %" PRIu64
                   "  frames allocated %" PRIu64 "\n",
                pm->reads, pm->writes, pm->pages_allocated, pm->frames_allocated);
    if (cfg && cfg->mem_model == MEM_CACHE) {
        print_cache_hits(f, "PTE cache", s->walk_cache_hits, cfg->cache_levels);
        print_cache_hits(f, "data cache", s->data_cache_hits, cfg->cache_levels);
    }
    report_print_hist(f, "walk latency", &s->walk_latency);
    report_print_hist(f, "translation latency", &s->translation_latency);
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                      */

static void num(cJSON *o, const char *k, double v) { cJSON_AddNumberToObject(o, k, v); }

static cJSON *hist_json(const histogram_t *h)
{
    report_hist_summary_t s;
    report_hist_summary(h, &s);
    cJSON *o = cJSON_CreateObject();
    num(o, "count", (double)s.count);
    num(o, "min", (double)s.min);
    num(o, "mean", s.mean);
    num(o, "p50", (double)s.p50);
    num(o, "p90", (double)s.p90);
    num(o, "p99", (double)s.p99);
    num(o, "max", (double)s.max);
    num(o, "over", (double)h->over);
    return o;
}

cJSON *report_config_json(const mmu_config_t *cfg)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < config_num_params; i++) {
        const config_param_t *p = &config_params[i];
        int64_t v = config_get(cfg, p);
        const char *name = config_enum_name(p->kind, v);
        if (name)
            cJSON_AddStringToObject(o, p->key, name);
        else
            num(o, p->key, (double)v);
    }
    return o;
}

cJSON *report_json(const mmu_stats_t *s, const physmem_stats_t *pm, const mmu_config_t *cfg)
{
    cJSON *root = cJSON_CreateObject();
    if (cfg)
        cJSON_AddItemToObject(root, "config", report_config_json(cfg));
    num(root, "requests", (double)s->requests);
    cJSON *ports = cJSON_AddObjectToObject(root, "requests_by_port");
    num(ports, "d", (double)s->requests_by_port[PORT_D]);
    num(ports, "i", (double)s->requests_by_port[PORT_I]);

    cJSON *tlbs = cJSON_AddObjectToObject(root, "tlb");
    for (int id = 0; id < NUM_TLBS; id++) {
        if (!tlb_applies(id, s, cfg))
            continue;
        const tlb_stats_t *t = &s->tlb[id];
        const uint64_t look = report_tlb_lookups(t), hits = tlb_hits(t);
        cJSON *o = cJSON_AddObjectToObject(tlbs, tlb_names[id]);
        uint64_t misses = 0;
        for (int k = 0; k < NUM_PSC; k++)
            misses += t->misses[k];
        num(o, "lookups", (double)look);
        num(o, "hits", (double)hits);
        num(o, "misses", (double)misses);
        num(o, "misses_unresolved", (double)t->misses_unresolved);
        num(o, "hit_rate", report_rate(hits, look));
        num(o, "dropped", (double)t->dropped);
        num(o, "fills", (double)t->fills);
        num(o, "evictions", (double)t->evictions);
        cJSON *bc = cJSON_AddObjectToObject(o, "by_class");
        for (int k = 0; k < NUM_PSC; k++) {
            cJSON *ko = cJSON_AddObjectToObject(bc, names_format(&NAMES_PSC, k));
            num(ko, "hits", (double)t->hits[k]);
            num(ko, "misses", (double)t->misses[k]);
            num(ko, "hit_rate", report_rate(t->hits[k], t->hits[k] + t->misses[k]));
        }
    }

    cJSON *pwc = cJSON_AddObjectToObject(root, "pwc");
    uint64_t pwc_hits = 0;
    for (int l = 2; l <= MAX_LEVELS; l++)
        pwc_hits += s->pwc_hits[l];
    num(pwc, "lookups", (double)s->pwc_lookups);
    num(pwc, "hits", (double)pwc_hits);
    num(pwc, "hit_rate", report_rate(pwc_hits, s->pwc_lookups));
    num(pwc, "fills", (double)s->pwc_fills);
    cJSON *bl = cJSON_AddObjectToObject(pwc, "by_level");
    for (int l = 2; l <= MAX_LEVELS; l++) {
        cJSON *lo = cJSON_AddObjectToObject(bl, level_names[l]);
        num(lo, "hits", (double)s->pwc_hits[l]);
        num(lo, "rate", report_rate(s->pwc_hits[l], s->pwc_lookups));
    }

    cJSON *walks = cJSON_AddObjectToObject(root, "walks");
    num(walks, "count", (double)s->walks);
    num(walks, "reads", (double)s->walk_reads);
    num(walks, "writes", (double)s->walk_writes);
    num(walks, "reads_per_walk", report_rate(s->walk_reads, s->walks));
    num(walks, "writes_per_walk", report_rate(s->walk_writes, s->walks));
    num(root, "dirty_assists", (double)s->dirty_assists);
    num(root, "rights_rechecks", (double)s->rights_rechecks);

    cJSON *faults = cJSON_AddObjectToObject(root, "faults");
    num(faults, "pf", (double)s->faults_pf);
    num(faults, "gp", (double)s->faults_gp);
    num(faults, "pf_not_present", (double)s->pf_not_present);
    num(faults, "pf_reserved", (double)s->pf_reserved);
    num(faults, "pf_rights", (double)s->pf_rights);

    cJSON *ctl = cJSON_AddObjectToObject(root, "control");
    num(ctl, "ops", (double)s->ctrl_ops);
    num(ctl, "gp", (double)s->ctrl_gp);
    num(ctl, "ud", (double)s->ctrl_ud);
    num(ctl, "pdpte_loads", (double)s->pdpte_loads);
    num(ctl, "flushed_tlb_entries", (double)s->flushes_tlb_entries);
    num(ctl, "flushed_pwc_entries", (double)s->flushes_pwc_entries);

    if (cfg && cfg->mem_model == MEM_CACHE) {
        /* [level 1, ..., level N, DRAM]: memory operations served there */
        cJSON *mc = cJSON_AddObjectToObject(root, "mem_cache");
        cJSON *walk = cJSON_AddArrayToObject(mc, "pte_hits"), *data = cJSON_AddArrayToObject(mc, "data_hits");
        for (int64_t i = 0; i <= cfg->cache_levels && i < CACHE_HIT_SLOTS; i++) {
            int slot = i == cfg->cache_levels ? CACHE_HIT_SLOTS - 1 : (int)i;
            cJSON_AddItemToArray(walk, cJSON_CreateNumber((double)s->walk_cache_hits[slot]));
            cJSON_AddItemToArray(data, cJSON_CreateNumber((double)s->data_cache_hits[slot]));
        }
    }
    cJSON_AddItemToObject(root, "walk_latency", hist_json(&s->walk_latency));
    cJSON_AddItemToObject(root, "translation_latency", hist_json(&s->translation_latency));

    if (pm) {
        cJSON *p = cJSON_AddObjectToObject(root, "physmem");
        num(p, "reads", (double)pm->reads);
        num(p, "writes", (double)pm->writes);
        num(p, "pages_allocated", (double)pm->pages_allocated);
        num(p, "frames_allocated", (double)pm->frames_allocated);
    }
    return root;
}
