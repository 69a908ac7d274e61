/* The outputs of the functional coverage (coverage.h): the table with its holes, and the
 * JSON file (save, and load-and-merge, which also reads the older mode bin names). */
#include "coverage_int.h"
#include "outfile.h"
#include "version.h"

#include <stdio.h>

#include <cjson/cJSON.h>

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
                snprintf(row, sizeof row, "%s %s", sz == COV_S_NONE ? "-" : cov_size_name(sz),
                         f == COV_F_NONE ? "ok" : cov_fault_name(f));
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
        fprintf(out, "  %-13s", cov_inval_names[k]);
        for (int m = 0; m < COV_NMODES; m++)
            cell(out, c->inval_possible[k][m], c->inval[k][m], 8);
        fputc('\n', out);
    }
    fprintf(out, "protection keys (4/5-level paging; pk=1 only)\n");
    for (int k = 0; k < COV_NKEYS; k++) {
        fprintf(out, "  %-28s", cov_key_name(k));
        cell(out, c->keys_possible[k], c->keys[k], 10);
        fputc('\n', out);
    }
    fprintf(out, "coverage: translations %u/%u bins (%.1f%%), control %u/%u bins (%.1f%%), keys %u/%u bins\n",
            s.access_hit, s.access_possible, s.access_possible ? 100.0 * s.access_hit / s.access_possible : 0.0,
            s.inval_hit, s.inval_possible, s.inval_possible ? 100.0 * s.inval_hit / s.inval_possible : 0.0,
            s.keys_hit, s.keys_possible);
    unsigned holes = (s.access_possible - s.access_hit) + (s.inval_possible - s.inval_hit) +
                     (s.keys_possible - s.keys_hit);
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
                snprintf(name, sizeof name, "%s@%s", cov_inval_names[k], mode_names(m));
                fprintf(out, "%s%s", col++ % 3 ? "  " : "\n  ", name);
            }
    for (int k = 0; k < COV_NKEYS; k++)
        if (c->keys_possible[k] && !c->keys[k])
            fprintf(out, "%s%s", col++ % 3 ? "  " : "\n  ", cov_key_name(k));
    fprintf(out, "%s\n", holes ? "" : " none");
    if (s.access_unexpected || s.inval_unexpected)
        fprintf(out, "warning: %u bins deemed impossible were hit (marked '!')\n",
                s.access_unexpected + s.inval_unexpected);
}

/* --- JSON ------------------------------------------------------------------ */

#define COV_FORMAT "mmulab-coverage/1"

static int find_name(const char *(*name_of)(int), int n, const char *s, size_t len)
{
    for (int i = 0; i < n; i++)
        if (strlen(name_of(i)) == len && strncmp(name_of(i), s, len) == 0)
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
    static const char *(*const tables[5])(int) = {NULL, cov_size_name, cov_fault_name, cov_pwc_name, cov_tlb_name};
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
    *k = find_name(cov_inval_name, COV_NINVAL, name, (size_t)(at - name));
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
    cJSON *keys = cJSON_CreateArray();
    if (!root || !acc || !ctl || !keys) {
        cJSON_Delete(root);
        cJSON_Delete(acc);
        cJSON_Delete(ctl);
        cJSON_Delete(keys);
        snprintf(err, COV_ERR_LEN, "coverage: out of memory");
        return -1;
    }
    cJSON_AddStringToObject(root, "format", COV_FORMAT);
    cJSON_AddItemToObject(root, "tool", tool_json());   /* the build that wrote it (not read back) */
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
            snprintf(name, sizeof name, "%s@%s", cov_inval_names[k], mode_names(m));
            cJSON_AddItemToArray(ctl, bin_object(name, c->inval[k][m], c->inval_possible[k][m]));
        }
    for (int k = 0; k < COV_NKEYS; k++)
        if (c->keys_possible[k] || c->keys[k])
            cJSON_AddItemToArray(keys, bin_object(cov_key_name(k), c->keys[k], c->keys_possible[k]));
    cJSON_AddItemToObject(root, "translations", acc);
    cJSON_AddItemToObject(root, "control", ctl);
    cJSON_AddItemToObject(root, "keys", keys);
    FILE *f = outfile_open(path);
    int rc = 0;
    if (!f) {
        snprintf(err, COV_ERR_LEN, "cannot write coverage file %s: %s", path, strerror(errno));
        rc = -1;
    } else if (outfile_put_json(f, root) != 0) {
        snprintf(err, COV_ERR_LEN, "write to coverage file %s failed: %s", path, strerror(errno));
        rc = -1;
    }
    cJSON_Delete(root);
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

/* A count in a coverage file: a whole number from 0 to 2^53 (what a double holds exactly).
 * Anything else (1e300, 1.5, -1) is rejected rather than cast, which would be undefined. */
static int json_count(const cJSON *n, uint64_t *out)
{
    if (!cJSON_IsNumber(n))
        return -1;
    double v = n->valuedouble;
    if (!(v >= 0 && v <= 9007199254740992.0) || v != (double)(uint64_t)v)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static int bin_fields(const cJSON *o, const char **name, uint64_t *count, bool *possible)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "bin");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, "count");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "possible");
    if (!cJSON_IsString(b) || json_count(n, count) < 0 || !cJSON_IsBool(p))
        return -1;
    *name = b->valuestring;
    *possible = cJSON_IsTrue(p);
    return 0;
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
        /* "keys" (protection keys) is absent from files written before them */
        const cJSON *keys = cJSON_GetObjectItemCaseSensitive(root, "keys");
        if (rc == 0 && keys && !cJSON_IsArray(keys)) {
            snprintf(err, COV_ERR_LEN, "%s: \"keys\" is not an array", path);
            rc = -1;
        }
        cJSON_ArrayForEach(o, keys) {
            const char *name;
            uint64_t n;
            bool pos;
            if (rc < 0)
                break;
            int k = -1;
            if (bin_fields(o, &name, &n, &pos) == 0)
                k = find_name(cov_key_name, COV_NKEYS, name, strlen(name));
            if (k < 0) {
                snprintf(err, COV_ERR_LEN, "%s: bad key bin entry", path);
                rc = -1;
                break;
            }
            add->keys[k] += n;
            add->keys_possible[k] |= pos;
        }
        if (rc == 0 && (json_count(cJSON_GetObjectItemCaseSensitive(root, "seeds"), &add->seeds) < 0 ||
                        json_count(cJSON_GetObjectItemCaseSensitive(root, "accesses"), &add->accesses) < 0 ||
                        json_count(cJSON_GetObjectItemCaseSensitive(root, "ctrl_ops"), &add->ctrl_ops) < 0)) {
            snprintf(err, COV_ERR_LEN, "%s: \"seeds\", \"accesses\" and \"ctrl_ops\" must be whole numbers "
                     "from 0 to 2^53", path);
            rc = -1;
        }
        if (rc == 0)
            cov_merge(c, add);
        free(add);
    }
    cJSON_Delete(root);
    return rc;
}
