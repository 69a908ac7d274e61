/* Functional coverage of the random co-simulation (coverage.h): which bins exist in a
 * configuration, binning of results and control operations, merging and the summary.
 * The table and the JSON file are in coverage_out.c. */
#include "coverage_int.h"

/* Mode bins are named by the paging mode's word (sim/core/names.h); their index is the
 * paging_mode_t value. */
_Static_assert((int)COV_M_OFF == (int)PAGING_OFF && (int)COV_M_32 == (int)PAGING_32 &&
               (int)COV_M_PAE == (int)PAGING_PAE && (int)COV_M_4 == (int)PAGING_4LEVEL &&
               (int)COV_M_5 == (int)PAGING_5LEVEL && (int)COV_NMODES == (int)PAGING_5LEVEL + 1,
               "coverage mode indices are paging_mode_t values");
_Static_assert((int)COV_S_4K == (int)PSC_4K && (int)COV_S_2M == (int)PSC_2M && (int)COV_S_1G == (int)PSC_1G &&
               (int)COV_S_NONE == (int)NUM_PSC, "coverage size indices are page_class_t values, then none");
_Static_assert((int)COV_T_MISS == (int)TLB_HIT_NONE && (int)COV_T_L1 == (int)TLB_HIT_L1 &&
               (int)COV_T_L2 == (int)TLB_HIT_L2, "coverage TLB indices are tlb_hit_t values");

/* Size and TLB bins are named by the names table; fault and PWC bins are coverage's own classes. */
const char *cov_size_name(int i)
{
    return i < NUM_PSC ? names_format(&NAMES_PSC, i) : "none";
}
const char *cov_tlb_name(int i)
{
    return names_tlb((tlb_hit_t)i);
}
const char *cov_fault_name(int i)
{
    static const char *const n[COV_NFAULTS] = {"none", "pf-np", "pf-rsvd", "pf-rights", "gp"};
    return n[i];
}
const char *cov_pwc_name(int i)
{
    static const char *const n[COV_NPWC] = {"pwc-none", "pwc-pd", "pwc-pdpt", "pwc-pml4", "pwc-pml5"};
    return n[i];
}
const char *const cov_inval_names[COV_NINVAL] = {
    "cr3-flush", "cr3-noflush", "invlpg", "invpcid0", "invpcid1", "invpcid2", "invpcid3",
    "cr4-pge", "cr4-pcide", "cr4-pae", "cr4-smep", "cr0-pg",
    "gp-cr0", "gp-cr3", "gp-cr4", "gp-efer", "gp-invpcid",
};

static const char *const cov_key_names[COV_NKEYS] = {
    "pk-ad-user-addr", "pk-ad-sup-addr", "pk-wd-user-addr", "pk-wd-sup-addr", "pk-wd-sup-write-wp0-allowed",
    "pk-fetch-denying-key", "pk-change-between-hits",
};

const char *cov_key_name(int k)
{
    return k >= 0 && k < COV_NKEYS ? cov_key_names[k] : "?";
}

const char *cov_mode_name(int mode)
{
    return mode >= 0 && mode < COV_NMODES ? mode_names(mode) : "?";
}

const char *cov_inval_name(int kind)
{
    return kind >= 0 && kind < COV_NINVAL ? cov_inval_names[kind] : "?";
}

void cov_access_bin_name(int mode, int size, int fault, int pwc, int tlb, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s/%s/%s/%s", mode_names(mode), cov_size_name(size), cov_fault_name(fault),
             cov_pwc_name(pwc), cov_tlb_name(tlb));
}

/* --- which bins exist ----------------------------------------------------- */

static bool pwc_possible(const mmu_config_t *cfg, int mode, int pwc)
{
    switch (pwc) {
    case COV_P_NONE: return true;
    case COV_P_PD:   return cfg->pwc_pd_entries > 0;
    case COV_P_PDPT: return mode >= COV_M_4 && cfg->pwc_pdpt_entries > 0;
    case COV_P_PML4: return mode >= COV_M_4 && cfg->pwc_pml4_entries > 0;
    default:         return mode == COV_M_5 && cfg->pwc_pml5_entries > 0;
    }
}

static bool l1_caches(const mmu_config_t *cfg, int size)
{
    int64_t d = size == COV_S_4K ? cfg->dtlb_4k_ways : size == COV_S_2M ? cfg->dtlb_2m_ways : cfg->dtlb_1g_ways;
    int64_t i = size == COV_S_4K ? cfg->itlb_4k_ways : size == COV_S_2M ? cfg->itlb_2m_ways : cfg->itlb_1g_ways;
    return d > 0 || (cfg->ports == 2 && i > 0);
}

static bool l2_caches(const mmu_config_t *cfg, int size)
{
    int64_t w = size == COV_S_4K ? cfg->l2_4k_ways : size == COV_S_2M ? cfg->l2_2m_ways : cfg->l2_1g_ways;
    return cfg->l2tlb && w > 0;
}

bool cov_access_possible(const mmu_config_t *cfg, int m, int s, int f, int p, int t)
{
    if (m == COV_M_OFF)
        return s == COV_S_NONE && f == COV_F_NONE && p == COV_P_NONE && t == COV_T_MISS;
    if (!pwc_possible(cfg, m, p))
        return false;
    switch (f) {
    case COV_F_GP:
        return m >= COV_M_4 && s == COV_S_NONE && p == COV_P_NONE && t == COV_T_MISS;
    case COV_F_RSVD:
        /* 32-bit paging: only a 4 MiB PDE has reserved bits, so not below a PDE-cache hit. */
        if (m == COV_M_32 && p == COV_P_PD)
            return false;
        return s == COV_S_NONE && t == COV_T_MISS;
    case COV_F_NP:
    case COV_F_RIGHTS:
        return s == COV_S_NONE && t == COV_T_MISS;
    default:
        break;
    }
    /* success */
    if (s == COV_S_NONE || (s == COV_S_1G && m < COV_M_4))
        return false;
    if (t == COV_T_L1)
        return p == COV_P_NONE && l1_caches(cfg, s);
    if (t == COV_T_L2)
        return p == COV_P_NONE && l2_caches(cfg, s);
    /* a walk: the leaf lies below the deepest PWC hit (PD 2, PDPT 3, PML4 4, PML5 5) */
    int leaf_level = s == COV_S_4K ? 1 : s == COV_S_2M ? 2 : 3;
    return p == COV_P_NONE || leaf_level < p + 1;
}

bool cov_inval_possible(int k, int m)
{
    switch (k) {
    case COV_I_CR3_NOFLUSH:
    case COV_I_CR4_PCIDE:
        return m >= COV_M_4;
    case COV_I_CR4_PAE:
        return m <= COV_M_PAE;
    case COV_I_CR0_PG:
        return m != COV_M_OFF;
    case COV_I_GP_CR3:
        return m >= COV_M_PAE;
    default:
        return true;
    }
}

void cov_init(cov_t *c, const mmu_config_t *cfg)
{
    mmu_config_t def;
    if (!cfg) {
        config_defaults(&def);
        cfg = &def;
    }
    memset(c, 0, sizeof *c);
    for (int m = 0; m < COV_NMODES; m++)
        for (int s = 0; s < COV_NSIZES; s++)
            for (int f = 0; f < COV_NFAULTS; f++)
                for (int p = 0; p < COV_NPWC; p++)
                    for (int t = 0; t < COV_NTLB; t++)
                        c->access_possible[m][s][f][p][t] = cov_access_possible(cfg, m, s, f, p, t);
    for (int k = 0; k < COV_NINVAL; k++)
        for (int m = 0; m < COV_NMODES; m++)
            c->inval_possible[k][m] = cov_inval_possible(k, m);
    for (int k = 0; k < COV_NKEYS; k++)
        c->keys_possible[k] = cfg->pk != 0;
}

void cov_add_key(cov_t *c, cov_key_t k)
{
    c->keys[k]++;
}

/* --- binning --------------------------------------------------------------- */

int cov_mode_index(paging_mode_t mode)
{
    switch (mode) {
    case PAGING_32: return COV_M_32;
    case PAGING_PAE: return COV_M_PAE;
    case PAGING_4LEVEL: return COV_M_4;
    case PAGING_5LEVEL: return COV_M_5;
    default: return COV_M_OFF;
    }
}

int cov_fault_kind(const mmu_result_t *r)
{
    if (r->fault == FAULT_GP)
        return COV_F_GP;
    if (r->fault != FAULT_PF)
        return COV_F_NONE;
    if (!(r->error_code & PFEC_P))
        return COV_F_NP;
    return (r->error_code & PFEC_RSVD) ? COV_F_RSVD : COV_F_RIGHTS;
}

int cov_size_index(const mmu_result_t *r)
{
    switch (r->page_shift) {
    case 12: return COV_S_4K;
    case 21: case 22: return COV_S_2M;
    case 30: return COV_S_1G;
    default: return COV_S_NONE;
    }
}

void cov_add_access(cov_t *c, paging_mode_t mode, const mmu_result_t *r)
{
    int p = r->pwc_hit >= 2 && r->pwc_hit <= 5 ? r->pwc_hit - 1 : COV_P_NONE;
    int t = r->tlb_hit == TLB_HIT_L1 ? COV_T_L1 : r->tlb_hit == TLB_HIT_L2 ? COV_T_L2 : COV_T_MISS;
    c->access[cov_mode_index(mode)][cov_size_index(r)][cov_fault_kind(r)][p][t]++;
    c->accesses++;
}

uint32_t cov_ctrl_kinds(const mmu_arch_t *before, const mmu_ctrl_t *op, const mmu_ctrl_result_t *res)
{
    if (res->fault == FAULT_GP) {
        switch (op->kind) {
        case CTRL_CR0: return 1u << COV_I_GP_CR0;
        case CTRL_CR3: return 1u << COV_I_GP_CR3;
        case CTRL_CR4: return 1u << COV_I_GP_CR4;
        case CTRL_EFER: return 1u << COV_I_GP_EFER;
        case CTRL_INVPCID: return 1u << COV_I_GP_INVPCID;
        default: return 0;
        }
    }
    uint32_t k = 0;
    switch (op->kind) {
    case CTRL_CR3:
        k = 1u << (((before->cr4 & CR4_PCIDE) && (op->value & CR3_NOFLUSH)) ? COV_I_CR3_NOFLUSH : COV_I_CR3_FLUSH);
        break;
    case CTRL_INVLPG:
        k = 1u << COV_I_INVLPG;
        break;
    case CTRL_INVPCID:
        if (op->invpcid_type <= 3)
            k = 1u << (COV_I_INVPCID0 + op->invpcid_type);
        break;
    case CTRL_CR4: {
        uint64_t changed = op->value ^ before->cr4;
        if (changed & CR4_PGE)
            k |= 1u << COV_I_CR4_PGE;
        if (changed & CR4_PCIDE)
            k |= 1u << COV_I_CR4_PCIDE;
        if (changed & CR4_PAE)
            k |= 1u << COV_I_CR4_PAE;
        if ((changed & CR4_SMEP) && (op->value & CR4_SMEP))
            k |= 1u << COV_I_CR4_SMEP;
        break;
    }
    case CTRL_CR0:
        if ((before->cr0 & CR0_PG) && !(op->value & CR0_PG))
            k = 1u << COV_I_CR0_PG;
        break;
    default:
        break;
    }
    return k;
}

void cov_add_ctrl(cov_t *c, const mmu_arch_t *before, const mmu_ctrl_t *op, const mmu_ctrl_result_t *res)
{
    uint32_t k = cov_ctrl_kinds(before, op, res);
    int m = cov_mode_index(before->mode);
    for (int i = 0; i < COV_NINVAL; i++)
        if (k & (1u << i))
            c->inval[i][m]++;
    c->ctrl_ops++;
}

void cov_merge(cov_t *dst, const cov_t *src)
{
    uint64_t *d = &dst->access[0][0][0][0][0];
    const uint64_t *s = &src->access[0][0][0][0][0];
    bool *dp = &dst->access_possible[0][0][0][0][0];
    const bool *sp = &src->access_possible[0][0][0][0][0];
    size_t n = sizeof dst->access / sizeof *d;
    for (size_t i = 0; i < n; i++) {
        d[i] += s[i];
        dp[i] = dp[i] || sp[i];
    }
    for (int k = 0; k < COV_NINVAL; k++)
        for (int m = 0; m < COV_NMODES; m++) {
            dst->inval[k][m] += src->inval[k][m];
            dst->inval_possible[k][m] = dst->inval_possible[k][m] || src->inval_possible[k][m];
        }
    for (int k = 0; k < COV_NKEYS; k++) {
        dst->keys[k] += src->keys[k];
        dst->keys_possible[k] = dst->keys_possible[k] || src->keys_possible[k];
    }
    dst->seeds += src->seeds;
    dst->accesses += src->accesses;
    dst->ctrl_ops += src->ctrl_ops;
}

void cov_summary(const cov_t *c, cov_summary_t *s)
{
    memset(s, 0, sizeof *s);
    const uint64_t *n = &c->access[0][0][0][0][0];
    const bool *p = &c->access_possible[0][0][0][0][0];
    for (size_t i = 0; i < sizeof c->access / sizeof *n; i++) {
        s->access_possible += p[i];
        s->access_hit += p[i] && n[i];
        s->access_unexpected += !p[i] && n[i];
    }
    for (int k = 0; k < COV_NINVAL; k++)
        for (int m = 0; m < COV_NMODES; m++) {
            bool pos = c->inval_possible[k][m], hit = c->inval[k][m] != 0;
            s->inval_possible += pos;
            s->inval_hit += pos && hit;
            s->inval_unexpected += !pos && hit;
        }
    for (int k = 0; k < COV_NKEYS; k++) {
        s->keys_possible += c->keys_possible[k];
        s->keys_hit += c->keys_possible[k] && c->keys[k];
    }
}

/* --- printing -------------------------------------------------------------- */
