/* Statistics over seeds (mean and Student-t 95 % confidence interval) and the table of
 * metrics an experiment reads from each point's JSON. */
#include "exp.h"

#include <math.h>
#include <string.h>

/* Two-sided 95 % quantiles t(0.975, df) of Student's t distribution (any statistics table,
 * e.g. NIST/SEMATECH e-Handbook of Statistical Methods, table 1.3.6.7.2). */
static const double t975_table[30] = {
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
};

double exp_t975(unsigned df)
{
    if (df == 0)
        return NAN;
    if (df <= 30)
        return t975_table[df - 1];
    /* the table's further rows; between them the next smaller df's value (conservative) */
    if (df < 40)
        return 2.042;
    if (df < 50)
        return 2.021;
    if (df < 60)
        return 2.009;
    if (df < 80)
        return 2.000;
    if (df < 100)
        return 1.990;
    if (df < 1000)
        return 1.984;
    return 1.962;
}

void exp_mean_ci(const double *v, size_t n, double *mean, double *ci, bool *has_ci)
{
    *mean = 0;
    *ci = 0;
    *has_ci = false;
    if (!n)
        return;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    *mean = sum / (double)n;
    if (n < 2)
        return;
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - *mean) * (v[i] - *mean);
    const double sd = sqrt(ss / (double)(n - 1));   /* sample standard deviation */
    *ci = exp_t975((unsigned)(n - 1)) * sd / sqrt((double)n);
    *has_ci = true;
}

/* The point JSON's paths (an array element by its index, -1 = the last): "run" and "stats" from `mmulab demo` (sim/cli/demo.c,
 * sim/report/report.h), "os" from the OS layer (demo and trace through sim/os). A metric
 * whose path a point lacks is empty in the CSV and null in results.json. */
const exp_metric_t exp_metrics[] = {
    { "cycles_per_access", "run.cycles", "run.ops", "cycles per access" },
    { "walk_mean", "stats.walk_latency.mean", NULL, "mean walk latency (cycles)" },
    { "walk_p50", "stats.walk_latency.p50", NULL, "walk latency p50 (cycles)" },
    { "walk_p90", "stats.walk_latency.p90", NULL, "walk latency p90 (cycles)" },
    { "walk_p99", "stats.walk_latency.p99", NULL, "walk latency p99 (cycles)" },
    { "walk_max", "stats.walk_latency.max", NULL, "walk latency max (cycles)" },
    { "walks", "stats.walks.count", NULL, "page walks (count)" },
    { "walks_per_access", "stats.walks.count", "run.ops", "page walks per access" },
    { "mem_reads_per_walk", "stats.walks.reads_per_walk", NULL, "memory reads per walk" },
    { "mem_writes_per_walk", "stats.walks.writes_per_walk", NULL, "memory writes per walk (A/D)" },
    { "pte_l1_per_walk", "stats.mem_cache.pte_hits.0", "stats.walks.count", "PTE reads served by the L1 cache per walk" },
    { "pte_dram_per_walk", "stats.mem_cache.pte_hits.-1", "stats.walks.count", "PTE reads served by DRAM per walk" },
    { "dtlb_hit_rate", "stats.tlb.dtlb.hit_rate", NULL, "DTLB hit rate (fraction)" },
    { "dtlb_hit_rate_4k", "stats.tlb.dtlb.by_class.4k.hit_rate", NULL, "DTLB 4 KiB hit rate (fraction)" },
    { "dtlb_hit_rate_2m", "stats.tlb.dtlb.by_class.2m.hit_rate", NULL, "DTLB 2 MiB hit rate (fraction)" },
    { "dtlb_hit_rate_1g", "stats.tlb.dtlb.by_class.1g.hit_rate", NULL, "DTLB 1 GiB hit rate (fraction)" },
    { "itlb_hit_rate", "stats.tlb.itlb.hit_rate", NULL, "ITLB hit rate (fraction)" },
    { "l2tlb_hit_rate", "stats.tlb.l2.hit_rate", NULL, "L2 TLB hit rate (fraction)" },
    { "l2tlb_hit_rate_4k", "stats.tlb.l2.by_class.4k.hit_rate", NULL, "L2 TLB 4 KiB hit rate (fraction)" },
    { "l2tlb_hit_rate_2m", "stats.tlb.l2.by_class.2m.hit_rate", NULL, "L2 TLB 2 MiB hit rate (fraction)" },
    { "l2tlb_hit_rate_1g", "stats.tlb.l2.by_class.1g.hit_rate", NULL, "L2 TLB 1 GiB hit rate (fraction)" },
    { "pwc_hit_rate", "stats.pwc.hit_rate", NULL, "PWC hit rate (fraction of walks)" },
    { "pwc_pd_rate", "stats.pwc.by_level.pd.rate", NULL, "PWC PD-level hit rate (fraction)" },
    { "pwc_pdpt_rate", "stats.pwc.by_level.pdpt.rate", NULL, "PWC PDPT-level hit rate (fraction)" },
    { "pwc_pml4_rate", "stats.pwc.by_level.pml4.rate", NULL, "PWC PML4-level hit rate (fraction)" },
    { "pwc_pml5_rate", "stats.pwc.by_level.pml5.rate", NULL, "PWC PML5-level hit rate (fraction)" },
    { "faults_pf", "stats.faults.pf", NULL, "page faults (count)" },
    { "faults_gp", "stats.faults.gp", NULL, "#GP faults (count)" },
    { "faults_pf_not_present", "stats.faults.pf_not_present", NULL, "#PF, not present (count)" },
    { "faults_pf_rights", "stats.faults.pf_rights", NULL, "#PF, access rights (count)" },
    { "faults_pf_reserved", "stats.faults.pf_reserved", NULL, "#PF, reserved bit (count)" },
    { "demand_faults", "os.demand_faults", NULL, "demand faults (count)" },
    { "vmalloc_faults", "os.vmalloc_faults", NULL, "vmalloc faults (count)" },
    { "vmalloc_synced", "os.vmalloc_synced", NULL, "top-level entries copied by vmalloc sync (count)" },
    { "segv", "os.segv", NULL, "SIGSEGV (count)" },
    { "cr3_writes", "os.cr3_writes", NULL, "CR3 writes (count)" },
    { "cr3_noflush", "os.cr3_noflush", NULL, "CR3 writes without flush (count)" },
    { "invlpg", "os.invlpg", NULL, "INVLPG (count)" },
    { "invpcid", "os.invpcid", NULL, "INVPCID (count)" },
    { "full_flushes", "os.full_flushes", NULL, "full TLB flushes (count)" },
    { "ipis", "os.ipis", NULL, "shootdown IPIs (count)" },
};
const size_t exp_nmetrics = sizeof exp_metrics / sizeof exp_metrics[0];

const exp_metric_t *exp_metric_find(const char *name)
{
    for (size_t i = 0; i < exp_nmetrics; i++)
        if (!strcmp(exp_metrics[i].name, name))
            return &exp_metrics[i];
    return NULL;
}
