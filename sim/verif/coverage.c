/* Functional coverage bins of the random co-simulation (coverage.h). */
#include "coverage.h"

#include <errno.h>
#include <stdlib.h>
#include <inttypes.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "names.h"

/* Mode bins are named by the paging mode's word (sim/core/names.h); their index is the
 * paging_mode_t value. */
_Static_assert((int)COV_M_OFF == (int)PAGING_OFF && (int)COV_M_32 == (int)PAGING_32 &&
               (int)COV_M_PAE == (int)PAGING_PAE && (int)COV_M_4 == (int)PAGING_4LEVEL &&
               (int)COV_M_5 == (int)PAGING_5LEVEL && (int)COV_NMODES == (int)PAGING_5LEVEL + 1,
               "coverage mode indices are paging_mode_t values");
#define mode_names(m) names_mode((paging_mode_t)(m))
static const char *const size_names[COV_NSIZES] = {"4k", "2m", "1g", "none"};
static const char *const fault_names[COV_NFAULTS] = {"none", "pf-np", "pf-rsvd", "pf-rights", "gp"};
static const char *const pwc_names[COV_NPWC] = {"pwc-none", "pwc-pd", "pwc-pdpt", "pwc-pml4", "pwc-pml5"};
static const char *const tlb_names[COV_NTLB] = {"miss", "l1", "l2"};
static const char *const inval_names[COV_NINVAL] = {
    "cr3-flush", "cr3-noflush", "invlpg", "invpcid0", "invpcid1", "invpcid2", "invpcid3",
    "cr4-pge", "cr4-pcide", "cr4-pae", "cr4-smep", "cr0-pg",
    "gp-cr0", "gp-cr3", "gp-cr4", "gp-efer", "gp-invpcid",
};

const char *cov_mode_name(int mode)
{
    return mode >= 0 && mode < COV_NMODES ? mode_names(mode) : "?";
}

const char *cov_inval_name(int kind)
{
    return kind >= 0 && kind < COV_NINVAL ? inval_names[kind] : "?";
}

void cov_access_bin_name(int mode, int size, int fault, int pwc, int tlb, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s/%s/%s/%s", mode_names(mode), size_names[size], fault_names[fault],
             pwc_names[pwc], tlb_names[tlb]);
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

static bool access_possible(const mmu_config_t *cfg, int m, int s, int f, int p, int t)
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

static bool inval_possible(int k, int m)
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
                        c->access_possible[m][s][f][p][t] = access_possible(cfg, m, s, f, p, t);
    for (int k = 0; k < COV_NINVAL; k++)
        for (int m = 0; m < COV_NMODES; m++)
            c->inval_possible[k][m] = inval_possible(k, m);
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
}

/* --- printing -------------------------------------------------------------- */

static void cell(FILE *out, bool possible, uint64_t n, int width)
{
    if (!possible && !n)
        fprintf(out, "%*s", width, "-");
    else if (!possible)
        fprintf(out, "%*" PRIu64 "!", width - 1, n);   /* hit a bin deemed impossible */
    else
        fprintf(out, "%*" PRIu64, width, n);
}

static const char *const mode_titles[COV_NMODES] = {
    "paging off", "32-bit paging", "PAE paging", "4-level paging", "5-level paging",
};

void cov_print(const cov_t *c, FILE *out)
{
    cov_summary_t s;
    cov_summary(c, &s);
    fprintf(out, "coverage: %" PRIu64 " seeds, %" PRIu64 " translations, %" PRIu64 " control operations\n",
            c->seeds, c->accesses, c->ctrl_ops);
    fprintf(out, "translations: mode x size x fault x deepest PWC hit x TLB level"
                 " ('-' impossible, '!' hit although deemed impossible)\n");
    for (int m = 0; m < COV_NMODES; m++) {
        if (m == COV_M_OFF) {
            fprintf(out, "  %-16s %" PRIu64 " translations (one bin)\n", mode_titles[m],
                    c->access[m][COV_S_NONE][COV_F_NONE][COV_P_NONE][COV_T_MISS]);
            continue;
        }
        fprintf(out, "  %-16s %10s %8s   walk: %8s %8s %8s %8s %8s\n", mode_titles[m], "tlb-l1", "tlb-l2",
                "pwc-none", "pwc-pd", "pwc-pdpt", "pwc-pml4", "pwc-pml5");
        for (int f = 0; f < COV_NFAULTS; f++)
            for (int sz = 0; sz < COV_NSIZES; sz++) {
                bool any = false;
                for (int p = 0; p < COV_NPWC; p++)
                    for (int t = 0; t < COV_NTLB; t++)
                        any = any || c->access_possible[m][sz][f][p][t] || c->access[m][sz][f][p][t];
                if (!any)
                    continue;
                char row[32];
                snprintf(row, sizeof row, "%s %s", sz == COV_S_NONE ? "-" : size_names[sz],
                         f == COV_F_NONE ? "ok" : fault_names[f]);
                fprintf(out, "    %-14s", row);
                cell(out, c->access_possible[m][sz][f][COV_P_NONE][COV_T_L1],
                     c->access[m][sz][f][COV_P_NONE][COV_T_L1], 10);
                cell(out, c->access_possible[m][sz][f][COV_P_NONE][COV_T_L2],
                     c->access[m][sz][f][COV_P_NONE][COV_T_L2], 9);
                fprintf(out, "        ");
                for (int p = 0; p < COV_NPWC; p++)
                    cell(out, c->access_possible[m][sz][f][p][COV_T_MISS], c->access[m][sz][f][p][COV_T_MISS], 9);
                fputc('\n', out);
            }
    }
    fprintf(out, "control: kind x paging mode before the operation\n  %-13s", "");
    for (int m = 0; m < COV_NMODES; m++)
        fprintf(out, "%8s", mode_names(m));
    fputc('\n', out);
    for (int k = 0; k < COV_NINVAL; k++) {
        fprintf(out, "  %-13s", inval_names[k]);
        for (int m = 0; m < COV_NMODES; m++)
            cell(out, c->inval_possible[k][m], c->inval[k][m], 8);
        fputc('\n', out);
    }
    fprintf(out, "coverage: translations %u/%u bins (%.1f%%), control %u/%u bins (%.1f%%)\n", s.access_hit,
            s.access_possible, s.access_possible ? 100.0 * s.access_hit / s.access_possible : 0.0, s.inval_hit,
            s.inval_possible, s.inval_possible ? 100.0 * s.inval_hit / s.inval_possible : 0.0);
    unsigned holes = (s.access_possible - s.access_hit) + (s.inval_possible - s.inval_hit);
    fprintf(out, "holes (%u):", holes);
    unsigned col = 0;
    char name[96];
    for (int m = 0; m < COV_NMODES; m++)
        for (int sz = 0; sz < COV_NSIZES; sz++)
            for (int f = 0; f < COV_NFAULTS; f++)
                for (int p = 0; p < COV_NPWC; p++)
                    for (int t = 0; t < COV_NTLB; t++)
                        if (c->access_possible[m][sz][f][p][t] && !c->access[m][sz][f][p][t]) {
                            cov_access_bin_name(m, sz, f, p, t, name, sizeof name);
                            fprintf(out, "%s%s", col++ % 3 ? "  " : "\n  ", name);
                        }
    for (int k = 0; k < COV_NINVAL; k++)
        for (int m = 0; m < COV_NMODES; m++)
            if (c->inval_possible[k][m] && !c->inval[k][m]) {
                snprintf(name, sizeof name, "%s@%s", inval_names[k], mode_names(m));
                fprintf(out, "%s%s", col++ % 3 ? "  " : "\n  ", name);
            }
    fprintf(out, "%s\n", holes ? "" : " none");
    if (s.access_unexpected || s.inval_unexpected)
        fprintf(out, "warning: %u bins deemed impossible were hit (marked '!')\n",
                s.access_unexpected + s.inval_unexpected);
}

/* --- JSON ------------------------------------------------------------------ */

#define COV_FORMAT "mmulab-coverage/1"

static int find_name(const char *const *names, int n, const char *s, size_t len)
{
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && strncmp(names[i], s, len) == 0)
            return i;
    return -1;
}

/* A mode bin's name; the older spellings ("4", "32") are aliases, so older coverage files still merge. */
static int find_mode(const char *s, size_t len)
{
    char word[16];
    paging_mode_t m;
    if (len >= sizeof word)
        return -1;
    memcpy(word, s, len);
    word[len] = '\0';
    return names_parse_mode(word, &m) == 0 ? (int)m : -1;
}

/* "MODE/SIZE/FAULT/PWC/TLB" -> indices. */
static int parse_access_bin(const char *name, int idx[5])
{
    static const char *const *const tables[5] = {NULL, size_names, fault_names, pwc_names, tlb_names};
    static const int counts[5] = {COV_NMODES, COV_NSIZES, COV_NFAULTS, COV_NPWC, COV_NTLB};
    const char *p = name;
    for (int i = 0; i < 5; i++) {
        const char *end = strchr(p, '/');
        if ((i < 4) != (end != NULL))
            return -1;
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if ((idx[i] = i == 0 ? find_mode(p, len) : find_name(tables[i], counts[i], p, len)) < 0)
            return -1;
        p = end ? end + 1 : p + len;
    }
    return 0;
}

/* "KIND@MODE" -> indices. */
static int parse_inval_bin(const char *name, int *k, int *m)
{
    const char *at = strchr(name, '@');
    if (!at)
        return -1;
    *k = find_name(inval_names, COV_NINVAL, name, (size_t)(at - name));
    *m = find_mode(at + 1, strlen(at + 1));
    return *k < 0 || *m < 0 ? -1 : 0;
}

static cJSON *bin_object(const char *name, uint64_t count, bool possible)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "bin", name);
    cJSON_AddNumberToObject(o, "count", (double)count);
    cJSON_AddBoolToObject(o, "possible", possible);
    return o;
}

int cov_save(const cov_t *c, const char *path, char *err)
{
    cJSON *root = cJSON_CreateObject(), *acc = cJSON_CreateArray(), *ctl = cJSON_CreateArray();
    if (!root || !acc || !ctl) {
        cJSON_Delete(root);
        cJSON_Delete(acc);
        cJSON_Delete(ctl);
        snprintf(err, COV_ERR_LEN, "coverage: out of memory");
        return -1;
    }
    cJSON_AddStringToObject(root, "format", COV_FORMAT);
    cJSON_AddNumberToObject(root, "seeds", (double)c->seeds);
    cJSON_AddNumberToObject(root, "accesses", (double)c->accesses);
    cJSON_AddNumberToObject(root, "ctrl_ops", (double)c->ctrl_ops);
    char name[96];
    for (int m = 0; m < COV_NMODES; m++)
        for (int sz = 0; sz < COV_NSIZES; sz++)
            for (int f = 0; f < COV_NFAULTS; f++)
                for (int p = 0; p < COV_NPWC; p++)
                    for (int t = 0; t < COV_NTLB; t++) {
                        bool pos = c->access_possible[m][sz][f][p][t];
                        uint64_t n = c->access[m][sz][f][p][t];
                        if (!pos && !n)
                            continue;
                        cov_access_bin_name(m, sz, f, p, t, name, sizeof name);
                        cJSON_AddItemToArray(acc, bin_object(name, n, pos));
                    }
    for (int k = 0; k < COV_NINVAL; k++)
        for (int m = 0; m < COV_NMODES; m++) {
            if (!c->inval_possible[k][m] && !c->inval[k][m])
                continue;
            snprintf(name, sizeof name, "%s@%s", inval_names[k], mode_names(m));
            cJSON_AddItemToArray(ctl, bin_object(name, c->inval[k][m], c->inval_possible[k][m]));
        }
    cJSON_AddItemToObject(root, "translations", acc);
    cJSON_AddItemToObject(root, "control", ctl);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) {
        snprintf(err, COV_ERR_LEN, "coverage: out of memory");
        return -1;
    }
    FILE *f = fopen(path, "w");
    int rc = 0;
    if (!f) {
        snprintf(err, COV_ERR_LEN, "cannot write coverage file %s: %s", path, strerror(errno));
        rc = -1;
    } else {
        fprintf(f, "%s\n", text);
        if (fclose(f) != 0) {
            snprintf(err, COV_ERR_LEN, "write to coverage file %s failed: %s", path, strerror(errno));
            rc = -1;
        }
    }
    cJSON_free(text);
    return rc;
}

static char *read_file(const char *path, char *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, COV_ERR_LEN, "cannot open coverage file %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    bool bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        free(buf);
        snprintf(err, COV_ERR_LEN, "cannot read coverage file %s", path);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

static int bin_fields(const cJSON *o, const char **name, uint64_t *count, bool *possible)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "bin");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "count");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "possible");
    if (!cJSON_IsString(b) || !cJSON_IsNumber(n) || n->valuedouble < 0 || !cJSON_IsBool(p))
        return -1;
    *name = b->valuestring;
    *count = (uint64_t)n->valuedouble;
    *possible = cJSON_IsTrue(p);
    return 0;
}

static uint64_t count_field(const cJSON *root, const char *key)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(root, key);
    return cJSON_IsNumber(n) && n->valuedouble > 0 ? (uint64_t)n->valuedouble : 0;
}

int cov_load_merge(cov_t *c, const char *path, char *err)
{
    char *text = read_file(path, err);
    if (!text)
        return -1;
    cJSON *root = cJSON_Parse(text);
    free(text);
    int rc = -1;
    const cJSON *fmt = root ? cJSON_GetObjectItemCaseSensitive(root, "format") : NULL;
    const cJSON *acc = root ? cJSON_GetObjectItemCaseSensitive(root, "translations") : NULL;
    const cJSON *ctl = root ? cJSON_GetObjectItemCaseSensitive(root, "control") : NULL;
    if (!root) {
        snprintf(err, COV_ERR_LEN, "%s: not valid JSON", path);
    } else if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, COV_FORMAT) != 0) {
        snprintf(err, COV_ERR_LEN, "%s: not a coverage file (format is not \"%s\")", path, COV_FORMAT);
    } else if (!cJSON_IsArray(acc) || !cJSON_IsArray(ctl)) {
        snprintf(err, COV_ERR_LEN, "%s: missing \"translations\" or \"control\" array", path);
    } else {
        /* Validate everything first, so a bad file merges nothing. */
        cov_t *add = calloc(1, sizeof *add);
        rc = add ? 0 : -1;
        if (!add)
            snprintf(err, COV_ERR_LEN, "coverage: out of memory");
        const cJSON *o;
        cJSON_ArrayForEach(o, acc) {
            const char *name;
            uint64_t n;
            bool pos;
            int i[5];
            if (rc < 0)
                break;
            if (bin_fields(o, &name, &n, &pos) < 0 || parse_access_bin(name, i) < 0) {
                snprintf(err, COV_ERR_LEN, "%s: bad translation bin entry", path);
                rc = -1;
                break;
            }
            add->access[i[0]][i[1]][i[2]][i[3]][i[4]] += n;
            add->access_possible[i[0]][i[1]][i[2]][i[3]][i[4]] |= pos;
        }
        cJSON_ArrayForEach(o, ctl) {
            const char *name;
            uint64_t n;
            bool pos;
            int k, m;
            if (rc < 0)
                break;
            if (bin_fields(o, &name, &n, &pos) < 0 || parse_inval_bin(name, &k, &m) < 0) {
                snprintf(err, COV_ERR_LEN, "%s: bad control bin entry", path);
                rc = -1;
                break;
            }
            add->inval[k][m] += n;
            add->inval_possible[k][m] |= pos;
        }
        if (rc == 0) {
            add->seeds = count_field(root, "seeds");
            add->accesses = count_field(root, "accesses");
            add->ctrl_ops = count_field(root, "ctrl_ops");
            cov_merge(c, add);
        }
        free(add);
    }
    cJSON_Delete(root);
    return rc;
}
