/* The mmulab script interpreter (language: docs/scripts.md).
 *
 * One interpreter object per run; the MMU and its physical memory are created
 * at the first command that is not `config`. Accesses without @CYCLE are
 * sequential (sync, issue at the horizon, sync); accesses with @CYCLE are
 * queued on the model and reported at the next synchronising command. */
#include "script.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "mmu.h"
#include "os_script.h"
#include "physmem.h"
#include "ptbuild.h"

/* Frames the `pt` builder allocates tables from, unless `frames` says otherwise. */
#define DEFAULT_FRAME_BASE  0x01000000ull
#define DEFAULT_FRAME_LIMIT 0x02000000ull
/* Issue cycles a script may name: far from wrapping around. */
#define MAX_CYCLE (1ull << 62)
/* Access results kept for `expect seq N`. */
#define HISTORY 1024

/* ========================================================================= */
/* Parser pieces                                                              */
/* ========================================================================= */

int script_tokenize(char *line, char **toks, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\v' || *p == '\f')
            p++;
        if (*p == '\0' || *p == '#')
            break;
        if (n == max)
            return -1;
        toks[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != '\v' &&
               *p != '\f' && *p != '#')
            p++;
        if (*p == '#') {
            *p = '\0';
            break;
        }
        if (*p)
            *p++ = '\0';
    }
    return n;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int script_parse_number(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return -1;
    uint64_t base = 10;
    const char *p = s;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    }
    if (!*p)
        return -1;
    uint64_t v = 0;
    bool prev_digit = false;
    for (; *p; p++) {
        if (*p == '_') {
            if (!prev_digit || p[1] == '\0')
                return -1;
            prev_digit = false;
            continue;
        }
        int d = digit_value(*p);
        if (d < 0 || (uint64_t)d >= base)
            return -1;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            return -1;
        v = v * base + (uint64_t)d;
        prev_digit = true;
    }
    *out = v;
    return 0;
}

static const struct { const char *name; uint64_t bit; } flag_names[] = {
    {"p", PTE_P}, {"rw", PTE_RW}, {"us", PTE_US}, {"pwt", PTE_PWT}, {"pcd", PTE_PCD},
    {"a", PTE_A}, {"d", PTE_D}, {"ps", PTE_PS}, {"g", PTE_G}, {"xd", PTE_XD},
};
#define NUM_FLAG_NAMES (sizeof flag_names / sizeof flag_names[0])

/* Splits s at sep and ors the terms; term() turns one term into bits. */
typedef int (*term_fn)(void *ctx, const char *term, uint64_t *bits, char *err);

static int parse_terms(const char *s, char sep, const char *what, term_fn term, void *ctx,
                       uint64_t *out, char *err)
{
    char buf[128];
    if (!s || !*s) {
        snprintf(err, SCRIPT_ERR_LEN, "missing %s", what);
        return -1;
    }
    if (strlen(s) >= sizeof buf) {
        snprintf(err, SCRIPT_ERR_LEN, "%s too long", what);
        return -1;
    }
    strcpy(buf, s);
    uint64_t v = 0;
    char *p = buf;
    for (;;) {
        char *end = strchr(p, sep);
        if (end)
            *end = '\0';
        if (!*p) {
            snprintf(err, SCRIPT_ERR_LEN, "empty term in %s '%.48s'", what, s);
            return -1;
        }
        uint64_t bits;
        if (term(ctx, p, &bits, err) < 0)
            return -1;
        v |= bits;
        if (!end)
            break;
        p = end + 1;
    }
    *out = v;
    return 0;
}

static int flag_term(void *ctx, const char *t, uint64_t *bits, char *err)
{
    (void)ctx;
    for (size_t i = 0; i < NUM_FLAG_NAMES; i++)
        if (strcmp(t, flag_names[i].name) == 0) {
            *bits = flag_names[i].bit;
            return 0;
        }
    if (script_parse_number(t, bits) == 0)
        return 0;
    snprintf(err, SCRIPT_ERR_LEN,
             "bad flag '%.48s' (p, rw, us, pwt, pcd, a, d, ps, g, xd or a number, joined by '+')", t);
    return -1;
}

int script_parse_flags(const char *s, uint64_t *out, char *err)
{
    return parse_terms(s, '+', "flags", flag_term, NULL, out, err);
}

const char *script_format_flags(uint64_t flags, char *buf, size_t len)
{
    size_t used = 0;
    if (len == 0)
        return buf;
    buf[0] = '\0';
    uint64_t rest = flags;
    for (size_t i = 0; i < NUM_FLAG_NAMES; i++) {
        if (!(flags & flag_names[i].bit))
            continue;
        rest &= ~flag_names[i].bit;
        int k = snprintf(buf + used, len - used, "%s%s", used ? "+" : "", flag_names[i].name);
        if (k < 0 || (size_t)k >= len - used)
            return buf;
        used += (size_t)k;
    }
    if (rest || !used)
        snprintf(buf + used, len - used, "%s0x%" PRIx64, used ? "+" : "", rest);
    if (!flags)
        snprintf(buf, len, "0");
    return buf;
}

int script_parse_size(const char *s, unsigned *shift)
{
    static const struct { const char *name; unsigned shift; } sizes[] = {
        {"4k", 12}, {"2m", 21}, {"4m", 22}, {"1g", 30},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (s && strcmp(s, sizes[i].name) == 0) {
            *shift = sizes[i].shift;
            return 0;
        }
    return -1;
}

static const char *const level_names[] = {NULL, "pt", "pd", "pdpt", "pml4", "pml5"};

int script_parse_level(const char *s)
{
    if (!s)
        return -1;
    if (s[0] >= '1' && s[0] <= '5' && s[1] == '\0')
        return s[0] - '0';
    for (int l = 1; l <= 5; l++)
        if (strcmp(s, level_names[l]) == 0)
            return l;
    return -1;
}

/* --- expect fields --------------------------------------------------------- */

typedef enum { V_NUM, V_FAULT, V_TLB, V_PWC, V_YESNO, V_SIZE, V_PORT, V_MODE } value_kind_t;

static const struct { const char *name; value_kind_t kind; } fields[XF_COUNT] = {
    [XF_PA] = {"pa", V_NUM},           [XF_FAULT] = {"fault", V_FAULT},
    [XF_EC] = {"ec", V_NUM},           [XF_CR2] = {"cr2", V_NUM},
    [XF_CYCLES] = {"cycles", V_NUM},   [XF_COMPLETE] = {"complete", V_NUM},
    [XF_ISSUE] = {"issue", V_NUM},     [XF_ACCEPT] = {"accept", V_NUM},
    [XF_TLB] = {"tlb", V_TLB},         [XF_PWC] = {"pwc", V_PWC},
    [XF_READS] = {"reads", V_NUM},     [XF_WRITES] = {"writes", V_NUM},
    [XF_WALKED] = {"walked", V_YESNO}, [XF_ASSIST] = {"assist", V_YESNO},
    [XF_SIZE] = {"size", V_SIZE},      [XF_PORT] = {"port", V_PORT},
    [XF_CR0] = {"cr0", V_NUM},         [XF_CR3] = {"cr3", V_NUM},
    [XF_CR4] = {"cr4", V_NUM},         [XF_EFER] = {"efer", V_NUM},
    [XF_MODE] = {"mode", V_MODE},      [XF_PCID] = {"pcid", V_NUM},
};

typedef struct { const char *name; uint64_t value; } name_value_t;

static const name_value_t fault_values[] = {{"none", FAULT_NONE}, {"pf", FAULT_PF}, {"gp", FAULT_GP}, {NULL, 0}};
static const name_value_t tlb_values[] = {{"l1", TLB_HIT_L1}, {"l2", TLB_HIT_L2}, {"miss", TLB_HIT_NONE}, {NULL, 0}};
static const name_value_t pwc_values[] = {{"none", 0}, {"pd", 2}, {"pdpt", 3}, {"pml4", 4}, {"pml5", 5}, {NULL, 0}};
static const name_value_t yesno_values[] = {{"yes", 1}, {"no", 0}, {NULL, 0}};
static const name_value_t size_values[] = {{"4k", 12}, {"2m", 21}, {"4m", 22}, {"1g", 30}, {"none", 0}, {NULL, 0}};
static const name_value_t port_values[] = {{"d", PORT_D}, {"i", PORT_I}, {NULL, 0}};
static const name_value_t mode_values[] = {{"off", PAGING_OFF}, {"32", PAGING_32}, {"pae", PAGING_PAE},
                                           {"4", PAGING_4LEVEL}, {"5", PAGING_5LEVEL}, {NULL, 0}};

static const name_value_t *kind_values(value_kind_t k)
{
    switch (k) {
    case V_FAULT: return fault_values;
    case V_TLB:   return tlb_values;
    case V_PWC:   return pwc_values;
    case V_YESNO: return yesno_values;
    case V_SIZE:  return size_values;
    case V_PORT:  return port_values;
    case V_MODE:  return mode_values;
    case V_NUM:   break;
    }
    return NULL;
}

const char *script_field_name(script_field_t f)
{
    return (unsigned)f < XF_COUNT ? fields[f].name : "?";
}

static void list_names(const name_value_t *nv, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (const name_value_t *p = nv; p->name; p++) {
        int k = snprintf(buf + used, len - used, "%s%s", p == nv ? "" : (p[1].name ? ", " : " or "),
                         p->name);
        if (k < 0 || (size_t)k >= len - used)
            return;
        used += (size_t)k;
    }
}

int script_parse_check(const char *field, const char *value, script_check_t *out, char *err)
{
    int f;
    for (f = 0; f < XF_COUNT; f++)
        if (strcmp(field, fields[f].name) == 0)
            break;
    if (f == XF_COUNT) {
        snprintf(err, SCRIPT_ERR_LEN, "expect: unknown field '%.48s'", field);
        return -1;
    }
    out->field = (script_field_t)f;
    if (!value) {
        snprintf(err, SCRIPT_ERR_LEN, "expect %s: missing value", field);
        return -1;
    }
    const name_value_t *nv = kind_values(fields[f].kind);
    if (!nv) {
        if (script_parse_number(value, &out->value) < 0) {
            snprintf(err, SCRIPT_ERR_LEN, "expect %s: bad number '%.48s'", field, value);
            return -1;
        }
        return 0;
    }
    for (const name_value_t *p = nv; p->name; p++)
        if (strcmp(value, p->name) == 0) {
            out->value = p->value;
            return 0;
        }
    char names[128];
    list_names(nv, names, sizeof names);
    snprintf(err, SCRIPT_ERR_LEN, "expect %s: bad value '%.48s' (%s)", field, value, names);
    return -1;
}

int script_parse_checks(char *const *toks, int ntoks, script_check_t *out, int max, char *err)
{
    if (ntoks <= 0) {
        snprintf(err, SCRIPT_ERR_LEN, "expect: missing FIELD VALUE");
        return -1;
    }
    int n = 0;
    for (int i = 0; i < ntoks; i += 2) {
        if (n == max) {
            snprintf(err, SCRIPT_ERR_LEN, "expect: too many checks on one line");
            return -1;
        }
        if (script_parse_check(toks[i], i + 1 < ntoks ? toks[i + 1] : NULL, &out[n], err) < 0)
            return -1;
        n++;
    }
    return n;
}

const char *script_format_value(script_field_t f, uint64_t v, char *buf, size_t len)
{
    if ((unsigned)f >= XF_COUNT) {
        snprintf(buf, len, "?");
        return buf;
    }
    const name_value_t *nv = kind_values(fields[f].kind);
    if (nv) {
        for (const name_value_t *p = nv; p->name; p++)
            if (p->value == v) {
                snprintf(buf, len, "%s", p->name);
                return buf;
            }
        snprintf(buf, len, "%" PRIu64 "?", v);
        return buf;
    }
    switch (f) {
    case XF_CYCLES: case XF_COMPLETE: case XF_ISSUE: case XF_ACCEPT:
    case XF_READS: case XF_WRITES:
        snprintf(buf, len, "%" PRIu64, v);
        break;
    default:
        snprintf(buf, len, "0x%" PRIx64, v);
        break;
    }
    return buf;
}

/* ========================================================================= */
/* The interpreter                                                            */
/* ========================================================================= */

typedef struct {
    mmu_result_t res;
    unsigned line;
    bool ac, implicit;
} access_rec_t;

typedef struct {
    mmu_ctrl_t op;
    mmu_ctrl_result_t res;
    unsigned line;
    uint64_t seq;
} ctrl_rec_t;

enum { LAST_NONE, LAST_ACCESS, LAST_CTRL };

typedef struct {
    const script_opts_t *opts;
    const char *name;
    FILE *out, *err, *jsonl;
    unsigned line;

    mmu_config_t cfg;
    unsigned first_cmd_line;     /* 0 until the first non-config command */
    physmem_t *mem;
    backend_t *be;
    ptbuild_t pt;
    bool have_pt;

    access_rec_t **pending;      /* @CYCLE accesses submitted, not yet reported */
    size_t npending, cap;
    cycle_t base;                /* horizon at the last synchronising command (for @+N) */

    access_rec_t hist[HISTORY];  /* reported accesses by seq % HISTORY */
    bool hist_valid[HISTORY];
    int last_kind;
    uint64_t last_seq;           /* of the last access submitted */
    ctrl_rec_t last_ctrl;

    uint64_t naccess, nctrl, nchecks;
    os_script_t *os;             /* the OS layer's verbs (sim/os/os_script.c) */
} interp_t;

static int fail(interp_t *I, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(interp_t *I, const char *fmt, ...)
{
    va_list ap;
    fflush(I->out);
    if (I->line)
        fprintf(I->err, "%s:%u: ", I->name, I->line);
    else
        fprintf(I->err, "%s: ", I->name);
    va_start(ap, fmt);
    vfprintf(I->err, fmt, ap);
    va_end(ap);
    fputc('\n', I->err);
    return -1;
}

static int number_arg(interp_t *I, const char *cmd, const char *what, const char *tok, uint64_t *v)
{
    if (!tok)
        return fail(I, "%s: missing %s", cmd, what);
    if (script_parse_number(tok, v) < 0)
        return fail(I, "%s: bad number '%.48s' for %s", cmd, tok, what);
    return 0;
}

static int no_more(interp_t *I, const char *cmd, char **toks, int n, int used, const char *usage)
{
    if (n > used)
        return fail(I, "%s: unexpected '%.48s' (usage: %s)", cmd, toks[used], usage);
    return 0;
}

static int need(interp_t *I, const char *cmd, int n, int want, const char *usage)
{
    if (n < want)
        return fail(I, "%s: missing argument (usage: %s)", cmd, usage);
    return 0;
}

/* --- output ---------------------------------------------------------------- */

static const char *tlb_name(tlb_hit_t t)
{
    return t == TLB_HIT_L1 ? "l1" : t == TLB_HIT_L2 ? "l2" : "miss";
}

static const char *size_name(unsigned shift)
{
    switch (shift) {
    case 12: return "4k";
    case 21: return "2m";
    case 22: return "4m";
    case 30: return "1g";
    default: return "none";
    }
}

static const char *fault_short(mmu_fault_t f)
{
    return f == FAULT_PF ? "pf" : f == FAULT_GP ? "gp" : "none";
}

static const char *acc_short(mmu_access_t a)
{
    return a == ACC_WRITE ? "w" : a == ACC_EXEC ? "x" : "r";
}

static const char *ctrl_name(mmu_ctrl_kind_t k)
{
    switch (k) {
    case CTRL_CR0: return "cr0";
    case CTRL_CR3: return "cr3";
    case CTRL_CR4: return "cr4";
    case CTRL_EFER: return "efer";
    case CTRL_INVLPG: return "invlpg";
    case CTRL_INVPCID: return "invpcid";
    }
    return "?";
}

static void json_hex(cJSON *o, const char *key, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    cJSON_AddStringToObject(o, key, buf);
}

static int json_emit(interp_t *I, cJSON *o)
{
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s)
        return fail(I, "JSONL: out of memory");
    int rc = fprintf(I->jsonl, "%s\n", s);
    cJSON_free(s);
    if (rc < 0)
        return fail(I, "JSONL: write failed: %s", strerror(errno));
    return 0;
}

static int report_access(interp_t *I, const access_rec_t *a)
{
    const mmu_result_t *r = &a->res;
    const char *pwc = r->pwc_hit == 0 ? "-" : r->pwc_hit >= 2 && r->pwc_hit <= 5 ? level_names[r->pwc_hit] : "?";
    fprintf(I->out, "#%" PRIu64 " %c %-2s va=0x%016" PRIx64 " cpl%u%s%s -> ", r->seq,
            r->port == PORT_I ? 'I' : 'D', acc_short(r->access), r->va, (unsigned)r->cpl,
            a->ac ? " ac" : "", a->implicit ? " implicit" : "");
    if (r->fault == FAULT_NONE)
        fprintf(I->out, "pa=0x%016" PRIx64 " %s", r->pa, size_name(r->page_shift));
    else if (r->fault == FAULT_PF)
        fprintf(I->out, "#PF ec=0x%x cr2=0x%016" PRIx64, (unsigned)r->error_code, r->cr2);
    else
        fprintf(I->out, "#GP");
    fprintf(I->out, " %s pwc=%s walk=%s%s rd=%u wr=%u cyc %" PRIu64 "->%" PRIu64 " (%" PRIu64,
            tlb_name(r->tlb_hit), pwc, r->walked ? "yes" : "no", r->dirty_assist ? " assist" : "",
            (unsigned)r->mem_reads, (unsigned)r->mem_writes, r->issue_cycle, r->complete_cycle,
            r->complete_cycle - r->issue_cycle);
    if (r->accept_cycle != r->issue_cycle)
        fprintf(I->out, ", accepted %" PRIu64, r->accept_cycle);
    fprintf(I->out, ")\n");

    if (!I->jsonl)
        return 0;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return fail(I, "JSONL: out of memory");
    cJSON_AddStringToObject(o, "op", "access");
    cJSON_AddNumberToObject(o, "seq", (double)r->seq);
    cJSON_AddNumberToObject(o, "line", a->line);
    json_hex(o, "va", r->va);
    if (r->fault == FAULT_NONE)
        json_hex(o, "pa", r->pa);
    else
        cJSON_AddNullToObject(o, "pa");
    cJSON_AddStringToObject(o, "access", acc_short(r->access));
    cJSON_AddNumberToObject(o, "cpl", r->cpl);
    cJSON_AddBoolToObject(o, "ac", a->ac);
    cJSON_AddBoolToObject(o, "implicit", a->implicit);
    cJSON_AddStringToObject(o, "port", r->port == PORT_I ? "i" : "d");
    cJSON_AddStringToObject(o, "fault", fault_short(r->fault));
    cJSON_AddNumberToObject(o, "error_code", r->error_code);
    json_hex(o, "cr2", r->cr2);
    cJSON_AddNumberToObject(o, "issue", (double)r->issue_cycle);
    cJSON_AddNumberToObject(o, "accept", (double)r->accept_cycle);
    cJSON_AddNumberToObject(o, "complete", (double)r->complete_cycle);
    cJSON_AddNumberToObject(o, "latency", (double)(r->complete_cycle - r->issue_cycle));
    cJSON_AddStringToObject(o, "tlb", tlb_name(r->tlb_hit));
    cJSON_AddNumberToObject(o, "pwc_level", r->pwc_hit);
    cJSON_AddNumberToObject(o, "page_size", r->page_shift ? (double)(1ull << r->page_shift) : 0);
    cJSON_AddBoolToObject(o, "walked", r->walked);
    cJSON_AddBoolToObject(o, "dirty_assist", r->dirty_assist);
    cJSON_AddNumberToObject(o, "mem_reads", r->mem_reads);
    cJSON_AddNumberToObject(o, "mem_writes", r->mem_writes);
    return json_emit(I, o);
}

static int report_ctrl(interp_t *I, const ctrl_rec_t *c)
{
    const mmu_ctrl_t *op = &c->op;
    const mmu_ctrl_result_t *r = &c->res;
    fprintf(I->out, "%s ", ctrl_name(op->kind));
    switch (op->kind) {
    case CTRL_INVLPG:
        fprintf(I->out, "va=0x%016" PRIx64, op->va);
        break;
    case CTRL_INVPCID:
        fprintf(I->out, "type=%u pcid=0x%" PRIx64 " va=0x%016" PRIx64, op->invpcid_type, op->pcid, op->va);
        break;
    default:
        fprintf(I->out, "0x%016" PRIx64, op->value);
        break;
    }
    fprintf(I->out, " -> %s", r->fault == FAULT_NONE ? "ok" : r->fault == FAULT_GP ? "#GP" : "#PF");
    if (r->mem_reads)
        fprintf(I->out, " rd=%u", (unsigned)r->mem_reads);
    if (r->tlb_invalidated || r->pwc_invalidated)
        fprintf(I->out, " inv tlb=%u pwc=%u", (unsigned)r->tlb_invalidated, (unsigned)r->pwc_invalidated);
    fprintf(I->out, " cyc %" PRIu64 "->%" PRIu64 " (%" PRIu64, r->issue_cycle, r->complete_cycle,
            r->complete_cycle - r->issue_cycle);
    if (r->accept_cycle != r->issue_cycle)
        fprintf(I->out, ", accepted %" PRIu64, r->accept_cycle);
    fprintf(I->out, ")\n");

    if (!I->jsonl)
        return 0;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return fail(I, "JSONL: out of memory");
    cJSON_AddStringToObject(o, "op", ctrl_name(op->kind));
    cJSON_AddNumberToObject(o, "seq", (double)c->seq);
    cJSON_AddNumberToObject(o, "line", c->line);
    switch (op->kind) {
    case CTRL_INVPCID:
        cJSON_AddNumberToObject(o, "type", op->invpcid_type);
        json_hex(o, "pcid", op->pcid);
        json_hex(o, "va", op->va);
        break;
    case CTRL_INVLPG:
        json_hex(o, "va", op->va);
        break;
    default:
        json_hex(o, "value", op->value);
        break;
    }
    cJSON_AddStringToObject(o, "fault", fault_short(r->fault));
    cJSON_AddNumberToObject(o, "issue", (double)r->issue_cycle);
    cJSON_AddNumberToObject(o, "accept", (double)r->accept_cycle);
    cJSON_AddNumberToObject(o, "complete", (double)r->complete_cycle);
    cJSON_AddNumberToObject(o, "latency", (double)(r->complete_cycle - r->issue_cycle));
    cJSON_AddNumberToObject(o, "mem_reads", r->mem_reads);
    cJSON_AddNumberToObject(o, "tlb_invalidated", r->tlb_invalidated);
    cJSON_AddNumberToObject(o, "pwc_invalidated", r->pwc_invalidated);
    return json_emit(I, o);
}

/* --- model life cycle ------------------------------------------------------ */

static int ensure_mmu(interp_t *I)
{
    char err[CONFIG_ERR_LEN];
    if (I->be)
        return 0;
    for (size_t i = 0; i < I->opts->nsets; i++)
        if (config_set_assignment(&I->cfg, I->opts->sets[i], err) < 0)
            return fail(I, "--set %s: %s", I->opts->sets[i], err);
    if (config_validate(&I->cfg, err) < 0)
        return fail(I, "invalid configuration: %s", err);
    I->mem = physmem_create((unsigned)I->cfg.maxphyaddr);
    if (!I->mem)
        return fail(I, "cannot create physical memory (maxphyaddr %u)", (unsigned)I->cfg.maxphyaddr);
    physmem_set_frame_range(I->mem, DEFAULT_FRAME_BASE, DEFAULT_FRAME_LIMIT);
    I->be = backend_create(I->opts->backend, &I->cfg, I->mem, err);
    if (!I->be)
        return fail(I, "cannot create the MMU: %s", err);
    I->base = backend_horizon(I->be);
    return 0;
}

static void remember(interp_t *I, const access_rec_t *a)
{
    size_t k = a->res.seq % HISTORY;
    I->hist[k] = *a;
    I->hist_valid[k] = true;
    I->last_seq = a->res.seq;    /* the MMU's numbering: OS verbs submit on the same MMU */
}

/* Completes every queued access and reports them in submission order. */
/* The backend refused an operation whose issue cycle was valid: a co-simulation
 * mismatch (reported on stderr by the backend), never a script error. */
static int diverged(interp_t *I)
{
    return fail(I, "%s backend: the run diverged (details above)", backend_kind_name(I->be->kind));
}

static int sync_all(interp_t *I)
{
    if (!I->be)
        return 0;
    if (backend_sync(I->be) != 0)
        return diverged(I);
    int rc = 0;
    for (size_t i = 0; i < I->npending; i++) {
        if (rc == 0 && report_access(I, I->pending[i]) < 0)
            rc = -1;
        remember(I, I->pending[i]);
        free(I->pending[i]);
    }
    I->npending = 0;
    I->base = backend_horizon(I->be);
    return rc;
}

/* "@N" (absolute) or "@+N" (N cycles after the horizon at the last synchronising command). */
static int parse_cycle(interp_t *I, const char *cmd, const char *tok, cycle_t *c)
{
    uint64_t v;
    bool rel = tok[1] == '+';
    if (script_parse_number(tok + 1 + rel, &v) < 0)
        return fail(I, "%s: bad cycle '%.48s' (@N or @+N)", cmd, tok);
    if (rel)
        v = v > MAX_CYCLE - I->base ? MAX_CYCLE + 1 : v + I->base;
    if (v > MAX_CYCLE)
        return fail(I, "%s: cycle '%.48s' out of range (at most 2^62)", cmd, tok);
    *c = v;
    return 0;
}

/* --- control operations ---------------------------------------------------- */

typedef struct { const char *name; uint64_t bit; } reg_name_t;

static const reg_name_t cr0_names[] = {{"pe", CR0_PE}, {"wp", CR0_WP}, {"nw", CR0_NW}, {"cd", CR0_CD},
                                       {"pg", CR0_PG}, {NULL, 0}};
static const reg_name_t cr3_names[] = {{"pwt", 1ull << 3}, {"pcd", 1ull << 4}, {"noflush", CR3_NOFLUSH},
                                       {NULL, 0}};
static const reg_name_t cr4_names[] = {{"pse", CR4_PSE}, {"pae", CR4_PAE}, {"pge", CR4_PGE},
                                       {"la57", CR4_LA57}, {"pcide", CR4_PCIDE}, {"smep", CR4_SMEP},
                                       {"smap", CR4_SMAP}, {"pke", CR4_PKE}, {NULL, 0}};
static const reg_name_t efer_names[] = {{"sce", EFER_SCE}, {"lme", EFER_LME}, {"lma", EFER_LMA},
                                        {"nxe", EFER_NXE}, {NULL, 0}};

typedef struct {
    interp_t *I;
    const reg_name_t *names;
    bool allow_pt;
} reg_ctx_t;

static int reg_term(void *ctx, const char *t, uint64_t *bits, char *err)
{
    reg_ctx_t *rc = ctx;
    if (rc->allow_pt && strcmp(t, "pt") == 0) {
        if (!rc->I->have_pt) {
            snprintf(err, SCRIPT_ERR_LEN, "'pt' used before a page table was created (`pt MODE`)");
            return -1;
        }
        *bits = ptb_cr3(&rc->I->pt);
        return 0;
    }
    for (const reg_name_t *p = rc->names; p && p->name; p++)
        if (strcmp(t, p->name) == 0) {
            *bits = p->bit;
            return 0;
        }
    if (script_parse_number(t, bits) == 0)
        return 0;
    size_t used = 0;
    used += (size_t)snprintf(err, SCRIPT_ERR_LEN, "bad value term '%.48s' (a number%s", t,
                             rc->allow_pt ? ", pt" : "");
    for (const reg_name_t *p = rc->names; p && p->name && used < SCRIPT_ERR_LEN; p++)
        used += (size_t)snprintf(err + used, SCRIPT_ERR_LEN - used, ", %s", p->name);
    if (used < SCRIPT_ERR_LEN)
        snprintf(err + used, SCRIPT_ERR_LEN - used, "; joined by '|')");
    return -1;
}

static int do_control(interp_t *I, mmu_ctrl_t *op, char **toks, int n, int used, const char *usage)
{
    const char *cmd = toks[0];
    bool explicit_cycle = false;
    if (used < n && toks[used][0] == '@') {
        if (parse_cycle(I, cmd, toks[used], &op->issue_cycle) < 0)
            return -1;
        explicit_cycle = true;
        used++;
    }
    if (no_more(I, cmd, toks, n, used, usage) < 0)
        return -1;
    if (sync_all(I) < 0)
        return -1;
    cycle_t horizon = backend_horizon(I->be);
    if (!explicit_cycle)
        op->issue_cycle = horizon;
    ctrl_rec_t rec = {.op = *op, .line = I->line, .seq = I->nctrl};
    if (op->issue_cycle < horizon)
        return fail(I, "%s: issue cycle %" PRIu64 " is earlier than allowed (horizon %" PRIu64 ")", cmd,
                    op->issue_cycle, horizon);
    if (backend_control(I->be, op, &rec.res) < 0)
        return diverged(I);
    I->nctrl++;
    I->last_kind = LAST_CTRL;
    I->last_ctrl = rec;
    I->base = backend_horizon(I->be);
    return report_ctrl(I, &rec);
}

static int cmd_cr(interp_t *I, char **toks, int n)
{
    static const char usage[] = "crN|efer VALUE [@CYCLE]";
    mmu_ctrl_t op = {0};
    reg_ctx_t rc = {.I = I};
    if (strcmp(toks[0], "cr0") == 0) { op.kind = CTRL_CR0; rc.names = cr0_names; }
    else if (strcmp(toks[0], "cr3") == 0) { op.kind = CTRL_CR3; rc.names = cr3_names; rc.allow_pt = true; }
    else if (strcmp(toks[0], "cr4") == 0) { op.kind = CTRL_CR4; rc.names = cr4_names; }
    else { op.kind = CTRL_EFER; rc.names = efer_names; }
    if (need(I, toks[0], n, 2, usage) < 0)
        return -1;
    char err[SCRIPT_ERR_LEN];
    if (toks[1][0] == '@')
        return fail(I, "%s: missing value (usage: %s)", toks[0], usage);
    if (parse_terms(toks[1], '|', "value", reg_term, &rc, &op.value, err) < 0)
        return fail(I, "%s: %s", toks[0], err);
    return do_control(I, &op, toks, n, 2, usage);
}

static int cmd_invlpg(interp_t *I, char **toks, int n)
{
    static const char usage[] = "invlpg VA [@CYCLE]";
    mmu_ctrl_t op = {.kind = CTRL_INVLPG};
    if (need(I, "invlpg", n, 2, usage) < 0 || number_arg(I, "invlpg", "VA", toks[1], &op.va) < 0)
        return -1;
    return do_control(I, &op, toks, n, 2, usage);
}

static int cmd_invpcid(interp_t *I, char **toks, int n)
{
    static const char usage[] = "invpcid TYPE PCID VA [@CYCLE]";
    mmu_ctrl_t op = {.kind = CTRL_INVPCID};
    uint64_t type;
    if (need(I, "invpcid", n, 4, usage) < 0 || number_arg(I, "invpcid", "TYPE", toks[1], &type) < 0 ||
        number_arg(I, "invpcid", "PCID", toks[2], &op.pcid) < 0 ||
        number_arg(I, "invpcid", "VA", toks[3], &op.va) < 0)
        return -1;
    if (type > 0xffffffffu)
        return fail(I, "invpcid: TYPE %" PRIu64 " out of range", type);
    op.invpcid_type = (unsigned)type;
    return do_control(I, &op, toks, n, 4, usage);
}

/* --- accesses -------------------------------------------------------------- */

static int cmd_access(interp_t *I, char **toks, int n)
{
    static const char usage[] = "access VA r|w|x user|sup|cpl=N [ac] [implicit] [@CYCLE]";
    mmu_req_t req = {0};
    bool have_acc = false, have_priv = false, have_cycle = false, have_ac = false, have_imp = false;
    if (need(I, "access", n, 2, usage) < 0 || number_arg(I, "access", "VA", toks[1], &req.va) < 0)
        return -1;
    for (int i = 2; i < n; i++) {
        const char *t = toks[i];
        if (!strcmp(t, "r") || !strcmp(t, "w") || !strcmp(t, "x")) {
            if (have_acc)
                return fail(I, "access: two access types ('%.48s')", t);
            req.access = t[0] == 'r' ? ACC_READ : t[0] == 'w' ? ACC_WRITE : ACC_EXEC;
            have_acc = true;
        } else if (!strcmp(t, "user") || !strcmp(t, "sup") || !strncmp(t, "cpl=", 4)) {
            if (have_priv)
                return fail(I, "access: two privileges ('%.48s')", t);
            if (t[0] == 'c') {
                uint64_t cpl;
                if (script_parse_number(t + 4, &cpl) < 0 || cpl > 3)
                    return fail(I, "access: bad CPL '%.48s' (cpl=0..3)", t);
                req.cpl = (uint8_t)cpl;
            } else {
                req.cpl = t[0] == 'u' ? 3 : 0;
            }
            have_priv = true;
        } else if (!strcmp(t, "ac")) {
            if (have_ac)
                return fail(I, "access: 'ac' given twice");
            req.ac = have_ac = true;
        } else if (!strcmp(t, "implicit")) {
            if (have_imp)
                return fail(I, "access: 'implicit' given twice");
            req.implicit = have_imp = true;
        } else if (t[0] == '@') {
            if (have_cycle)
                return fail(I, "access: two cycles ('%.48s')", t);
            if (parse_cycle(I, "access", t, &req.issue_cycle) < 0)
                return -1;
            have_cycle = true;
        } else {
            return fail(I, "access: unexpected '%.48s' (usage: %s)", t, usage);
        }
    }
    if (!have_acc)
        return fail(I, "access: missing access type r, w or x (usage: %s)", usage);
    if (!have_priv)
        return fail(I, "access: missing privilege user, sup or cpl=N (usage: %s)", usage);
    if (req.implicit && req.access == ACC_EXEC)
        return fail(I, "access: implicit with x: there is no implicit instruction fetch");

    if (!have_cycle) {
        if (sync_all(I) < 0)
            return -1;
        req.issue_cycle = backend_horizon(I->be);
    }
    access_rec_t *rec = calloc(1, sizeof *rec);
    if (!rec)
        return fail(I, "out of memory");
    rec->line = I->line;
    rec->ac = req.ac;
    rec->implicit = req.implicit;
    if (I->npending == I->cap) {
        size_t cap = I->cap ? 2 * I->cap : 16;
        access_rec_t **p = realloc(I->pending, cap * sizeof *p);
        if (!p) {
            free(rec);
            return fail(I, "out of memory");
        }
        I->pending = p;
        I->cap = cap;
    }
    if (backend_submit(I->be, &req, &rec->res) < 0) {
        free(rec);
        cycle_t h = backend_horizon(I->be);
        bool in_order = !I->npending || req.issue_cycle >= I->pending[I->npending - 1]->res.issue_cycle;
        if (req.issue_cycle >= h && in_order)
            return diverged(I);
        if (I->npending && req.issue_cycle >= h)
            return fail(I, "access: issue cycle %" PRIu64 " is earlier than allowed (horizon %" PRIu64
                        "; the previous access on line %u was issued at %" PRIu64 ")",
                        req.issue_cycle, h, I->pending[I->npending - 1]->line,
                        I->pending[I->npending - 1]->res.issue_cycle);
        return fail(I, "access: issue cycle %" PRIu64 " is earlier than allowed (horizon %" PRIu64 ")",
                    req.issue_cycle, h);
    }
    I->pending[I->npending++] = rec;
    /* issue_cycle is known now; the rest arrives when the model processes it */
    rec->res.issue_cycle = req.issue_cycle;
    I->last_kind = LAST_ACCESS;
    I->naccess++;
    if (!have_cycle)
        return sync_all(I);
    return 0;
}

static int cmd_sync(interp_t *I, char **toks, int n)
{
    if (no_more(I, "sync", toks, n, 1, "sync") < 0)
        return -1;
    return sync_all(I);
}

/* --- memory ---------------------------------------------------------------- */

static int cmd_poke(interp_t *I, char **toks, int n)
{
    const char *cmd = toks[0];
    bool is64 = cmd[4] == '6';
    uint64_t pa, v;
    if (need(I, cmd, n, 3, is64 ? "poke64 PA VALUE" : "poke32 PA VALUE") < 0 ||
        number_arg(I, cmd, "PA", toks[1], &pa) < 0 || number_arg(I, cmd, "VALUE", toks[2], &v) < 0 ||
        no_more(I, cmd, toks, n, 3, is64 ? "poke64 PA VALUE" : "poke32 PA VALUE") < 0)
        return -1;
    if (!is64 && v > 0xffffffffu)
        return fail(I, "poke32: value 0x%" PRIx64 " does not fit in 32 bits", v);
    if (sync_all(I) < 0)
        return -1;
    unsigned size = is64 ? 8 : 4;
    if ((pa & (size - 1)) || (pa >> physmem_maxphyaddr(I->mem)))
        return fail(I, "%s: address 0x%" PRIx64 " is unaligned or beyond maxphyaddr", cmd, pa);
    /* A backdoor write (the driver's, not the MMU's): uncounted, and mirrored in co-simulation. */
    if (is64)
        physmem_poke64(I->mem, pa, v);
    else
        physmem_poke32(I->mem, pa, (uint32_t)v);
    return 0;
}

static int cmd_expect_mem(interp_t *I, char **toks, int n)
{
    const char *cmd = toks[0];
    bool is64 = cmd[6] == '6';
    const char *usage = is64 ? "expect64 PA VALUE [mask MASK]" : "expect32 PA VALUE [mask MASK]";
    uint64_t pa, want, mask = is64 ? UINT64_MAX : 0xffffffffu, got;
    if (need(I, cmd, n, 3, usage) < 0 || number_arg(I, cmd, "PA", toks[1], &pa) < 0 ||
        number_arg(I, cmd, "VALUE", toks[2], &want) < 0)
        return -1;
    int used = 3;
    if (n > 3 && strcmp(toks[3], "mask") == 0) {
        if (number_arg(I, cmd, "MASK", n > 4 ? toks[4] : NULL, &mask) < 0)
            return -1;
        used = 5;
    }
    if (no_more(I, cmd, toks, n, used, usage) < 0)
        return -1;
    if (!is64 && (want > 0xffffffffu || mask > 0xffffffffu))
        return fail(I, "expect32: value or mask does not fit in 32 bits");
    if (sync_all(I) < 0)
        return -1;
    int rc;
    if (is64) {
        rc = physmem_read64(I->mem, pa, &got);
    } else {
        uint32_t g32 = 0;
        rc = physmem_read32(I->mem, pa, &g32);
        got = g32;
    }
    if (rc < 0)
        return fail(I, "%s: address 0x%" PRIx64 " is unaligned or beyond maxphyaddr", cmd, pa);
    I->nchecks++;
    if ((got & mask) != (want & mask)) {
        if (used == 5)
            return fail(I, "%s: expected 0x%" PRIx64 " (mask 0x%" PRIx64 "), got 0x%" PRIx64, cmd, want, mask, got);
        return fail(I, "%s: expected 0x%" PRIx64 ", got 0x%" PRIx64, cmd, want, got);
    }
    return 0;
}

/* --- page-table helpers ---------------------------------------------------- */

static int cmd_frames(interp_t *I, char **toks, int n)
{
    static const char usage[] = "frames BASE LIMIT";
    uint64_t base, limit;
    if (need(I, "frames", n, 3, usage) < 0 || number_arg(I, "frames", "BASE", toks[1], &base) < 0 ||
        number_arg(I, "frames", "LIMIT", toks[2], &limit) < 0 || no_more(I, "frames", toks, n, 3, usage) < 0)
        return -1;
    if ((base | limit) & (PAGE_SIZE - 1) || base == 0 || base >= limit)
        return fail(I, "frames: need 4 KiB-aligned 0 < BASE < LIMIT");
    if (I->cfg.maxphyaddr < 64 && limit > (1ull << I->cfg.maxphyaddr))
        return fail(I, "frames: LIMIT 0x%" PRIx64 " is beyond maxphyaddr (%u bits)", limit,
                    (unsigned)I->cfg.maxphyaddr);
    if (sync_all(I) < 0)
        return -1;
    physmem_set_frame_range(I->mem, base, limit);
    return 0;
}

static int cmd_pt(interp_t *I, char **toks, int n)
{
    static const char usage[] = "pt 32|pae|4|5";
    paging_mode_t mode;
    if (need(I, "pt", n, 2, usage) < 0 || no_more(I, "pt", toks, n, 2, usage) < 0)
        return -1;
    if (!strcmp(toks[1], "32")) mode = PAGING_32;
    else if (!strcmp(toks[1], "pae")) mode = PAGING_PAE;
    else if (!strcmp(toks[1], "4")) mode = PAGING_4LEVEL;
    else if (!strcmp(toks[1], "5")) mode = PAGING_5LEVEL;
    else return fail(I, "pt: bad mode '%.48s' (32, pae, 4 or 5)", toks[1]);
    if (sync_all(I) < 0)
        return -1;
    ptbuild_t b;
    if (ptb_init(&b, I->mem, mode) < 0)
        return fail(I, "pt: cannot allocate the top table (frame range exhausted?)");
    I->pt = b;
    I->have_pt = true;
    return 0;
}

static int require_pt(interp_t *I, const char *cmd)
{
    if (!I->have_pt)
        return fail(I, "%s: no page table yet (use `pt MODE` first)", cmd);
    return 0;
}

static int flags_arg(interp_t *I, const char *cmd, const char *tok, uint64_t *v)
{
    char err[SCRIPT_ERR_LEN];
    if (!tok)
        return fail(I, "%s: missing FLAGS", cmd);
    if (script_parse_flags(tok, v, err) < 0)
        return fail(I, "%s: %s", cmd, err);
    if (I->have_pt && I->pt.mode == PAGING_32 && *v > 0xffffffffu)
        return fail(I, "%s: flags '%.48s' do not fit in a 4-byte entry", cmd, tok);
    return 0;
}

static int cmd_map(interp_t *I, char **toks, int n)
{
    static const char usage[] = "map VA PA 4k|2m|4m|1g FLAGS [table FLAGS]";
    uint64_t va, pa, leaf, table = PTB_TABLE_FLAGS;
    unsigned shift;
    if (require_pt(I, "map") < 0 || need(I, "map", n, 5, usage) < 0 ||
        number_arg(I, "map", "VA", toks[1], &va) < 0 || number_arg(I, "map", "PA", toks[2], &pa) < 0)
        return -1;
    if (script_parse_size(toks[3], &shift) < 0)
        return fail(I, "map: bad size '%.48s' (4k, 2m, 4m or 1g)", toks[3]);
    if (flags_arg(I, "map", toks[4], &leaf) < 0)
        return -1;
    int used = 5;
    if (n > 5 && strcmp(toks[5], "table") == 0) {
        if (flags_arg(I, "map", n > 6 ? toks[6] : NULL, &table) < 0)
            return -1;
        used = 7;
    }
    if (no_more(I, "map", toks, n, used, usage) < 0 || sync_all(I) < 0)
        return -1;
    if (ptb_map(&I->pt, va, pa, shift, leaf, table) < 0)
        return fail(I, "map: cannot map 0x%" PRIx64 " -> 0x%" PRIx64 " as %s in %s paging (size not "
                    "possible in the mode, unaligned address, a large page or table in the way, or no "
                    "frames left)", va, pa, toks[3], paging_mode_name(I->pt.mode));
    return 0;
}

static int cmd_unmap(interp_t *I, char **toks, int n)
{
    uint64_t va;
    if (require_pt(I, "unmap") < 0 || need(I, "unmap", n, 2, "unmap VA") < 0 ||
        number_arg(I, "unmap", "VA", toks[1], &va) < 0 || no_more(I, "unmap", toks, n, 2, "unmap VA") < 0 ||
        sync_all(I) < 0)
        return -1;
    if (ptb_unmap(&I->pt, va) < 0)
        return fail(I, "unmap: 0x%" PRIx64 " is not mapped", va);
    return 0;
}

/* The address of the entry at LEVEL on VA's path. */
static int entry_arg(interp_t *I, const char *cmd, char **toks, int n, int at, uint64_t *va, int *level,
                     paddr_t *addr)
{
    if (require_pt(I, cmd) < 0)
        return -1;
    if (at + 1 >= n)
        return fail(I, "%s: missing argument (VA LEVEL)", cmd);
    if (number_arg(I, cmd, "VA", toks[at], va) < 0)
        return -1;
    *level = script_parse_level(toks[at + 1]);
    if (*level < 0)
        return fail(I, "%s: bad level '%.48s' (1..5 or pt, pd, pdpt, pml4, pml5)", cmd, toks[at + 1]);
    if (sync_all(I) < 0)
        return -1;
    *addr = ptb_entry_addr(&I->pt, *va, *level);
    if (!*addr)
        return fail(I, "%s: no level-%d entry on the path of 0x%" PRIx64 " in %s paging", cmd, *level, *va,
                    paging_mode_name(I->pt.mode));
    return 0;
}

static int cmd_entry(interp_t *I, char **toks, int n)
{
    uint64_t va;
    int level;
    paddr_t addr;
    char fl[160];
    if (entry_arg(I, "entry", toks, n, 1, &va, &level, &addr) < 0 ||
        no_more(I, "entry", toks, n, 3, "entry VA LEVEL") < 0)
        return -1;
    uint64_t v = ptb_read_entry(&I->pt, addr);
    fprintf(I->out, "entry va=0x%016" PRIx64 " %s @0x%" PRIx64 " = 0x%016" PRIx64 " %s\n", va,
            level_names[level], addr, v, script_format_flags(v & (0xfffull | PTE_XD), fl, sizeof fl));
    return 0;
}

static int cmd_setclear(interp_t *I, char **toks, int n)
{
    const char *cmd = toks[0];
    uint64_t va, flags;
    int level;
    paddr_t addr;
    if (need(I, cmd, n, 4, "set|clear VA LEVEL FLAGS") < 0 || flags_arg(I, cmd, toks[3], &flags) < 0 ||
        no_more(I, cmd, toks, n, 4, "set|clear VA LEVEL FLAGS") < 0 ||
        entry_arg(I, cmd, toks, n, 1, &va, &level, &addr) < 0)
        return -1;
    uint64_t v = ptb_read_entry(&I->pt, addr);
    v = cmd[0] == 's' ? v | flags : v & ~flags;
    ptb_write_entry(&I->pt, addr, v);
    return 0;
}

static int expect_entry(interp_t *I, char **toks, int n)
{
    static const char usage[] = "expect entry VA LEVEL has|lacks FLAGS";
    uint64_t va, flags;
    int level;
    paddr_t addr;
    char fl[160], gotfl[160];
    if (need(I, "expect entry", n, 6, usage) < 0)
        return -1;
    bool has = strcmp(toks[4], "has") == 0;
    if (!has && strcmp(toks[4], "lacks") != 0)
        return fail(I, "expect entry: expected 'has' or 'lacks', got '%.48s' (usage: %s)", toks[4], usage);
    if (flags_arg(I, "expect entry", toks[5], &flags) < 0 || no_more(I, "expect entry", toks, n, 6, usage) < 0 ||
        entry_arg(I, "expect entry", toks, n, 2, &va, &level, &addr) < 0)
        return -1;
    uint64_t v = ptb_read_entry(&I->pt, addr);
    I->nchecks++;
    bool ok = has ? (v & flags) == flags : (v & flags) == 0;
    if (!ok)
        return fail(I, "expect entry: expected %s entry of 0x%" PRIx64 " %s %s, got 0x%016" PRIx64 " (%s)",
                    level_names[level], va, has ? "to have" : "to lack",
                    script_format_flags(flags, fl, sizeof fl), v,
                    script_format_flags(v & (0xfffull | PTE_XD), gotfl, sizeof gotfl));
    return 0;
}

/* --- expect ---------------------------------------------------------------- */

static bool is_arch_field(script_field_t f)
{
    return f == XF_CR0 || f == XF_CR3 || f == XF_CR4 || f == XF_EFER || f == XF_MODE || f == XF_PCID;
}

static int check_one(interp_t *I, const script_check_t *c, const access_rec_t *acc, const ctrl_rec_t *ctl)
{
    const char *fname = script_field_name(c->field);
    uint64_t got = 0;
    bool have = true;
    char wbuf[48], gbuf[64];

    if (is_arch_field(c->field)) {
        mmu_arch_t st;
        backend_arch_state(I->be, &st);
        switch (c->field) {
        case XF_CR0: got = st.cr0; break;
        case XF_CR3: got = st.cr3; break;
        case XF_CR4: got = st.cr4; break;
        case XF_EFER: got = st.efer; break;
        case XF_MODE: got = st.mode; break;
        default: got = st.pcid; break;
        }
    } else if (acc) {
        const mmu_result_t *r = &acc->res;
        switch (c->field) {
        case XF_PA: got = r->pa; have = r->fault == FAULT_NONE; break;
        case XF_FAULT: got = r->fault; break;
        case XF_EC: got = r->error_code; break;
        case XF_CR2: got = r->cr2; break;
        case XF_CYCLES: got = r->complete_cycle - r->issue_cycle; break;
        case XF_COMPLETE: got = r->complete_cycle; break;
        case XF_ISSUE: got = r->issue_cycle; break;
        case XF_ACCEPT: got = r->accept_cycle; break;
        case XF_TLB: got = r->tlb_hit; break;
        case XF_PWC: got = r->pwc_hit; break;
        case XF_READS: got = r->mem_reads; break;
        case XF_WRITES: got = r->mem_writes; break;
        case XF_WALKED: got = r->walked; break;
        case XF_ASSIST: got = r->dirty_assist; break;
        case XF_SIZE: got = r->page_shift; break;
        case XF_PORT: got = r->port; break;
        default: have = false; break;
        }
    } else if (ctl) {
        const mmu_ctrl_result_t *r = &ctl->res;
        switch (c->field) {
        case XF_FAULT: got = r->fault; break;
        case XF_CYCLES: got = r->complete_cycle - r->issue_cycle; break;
        case XF_COMPLETE: got = r->complete_cycle; break;
        case XF_ISSUE: got = r->issue_cycle; break;
        case XF_ACCEPT: got = r->accept_cycle; break;
        case XF_READS: got = r->mem_reads; break;
        case XF_CR2: {
            mmu_arch_t st;
            backend_arch_state(I->be, &st);
            got = st.cr2;
            break;
        }
        default:
            return fail(I, "expect %s: the last operation (line %u) is %s, not an access", fname, ctl->line,
                        ctrl_name(ctl->op.kind));
        }
    } else {
        return fail(I, "expect %s: no access or control operation yet", fname);
    }

    I->nchecks++;
    if (have && got == c->value)
        return 0;
    script_format_value(c->field, c->value, wbuf, sizeof wbuf);
    if (!have)
        snprintf(gbuf, sizeof gbuf, "none (fault %s)", fault_short(acc->res.fault));
    else
        script_format_value(c->field, got, gbuf, sizeof gbuf);
    return fail(I, "expect %s: expected %s, got %s", fname, wbuf, gbuf);
}

static int cmd_expect(interp_t *I, char **toks, int n)
{
    char err[SCRIPT_ERR_LEN];
    script_check_t checks[SCRIPT_MAX_TOKENS / 2];
    if (n >= 2 && strcmp(toks[1], "entry") == 0)
        return expect_entry(I, toks, n);
    int at = 1;
    const access_rec_t *acc = NULL;
    const ctrl_rec_t *ctl = NULL;
    uint64_t seq = 0;
    bool by_seq = false;
    if (n >= 2 && strcmp(toks[1], "seq") == 0) {
        if (number_arg(I, "expect seq", "N", n > 2 ? toks[2] : NULL, &seq) < 0)
            return -1;
        by_seq = true;
        at = 3;
    }
    int nc = script_parse_checks(toks + at, n - at, checks, (int)(sizeof checks / sizeof checks[0]), err);
    if (nc < 0)
        return fail(I, "%s", err);
    if (sync_all(I) < 0)
        return -1;
    if (by_seq) {
        size_t k = seq % HISTORY;
        if (!I->hist_valid[k] || I->hist[k].res.seq != seq)
            return fail(I, "expect seq %" PRIu64 ": no such access (%" PRIu64 " submitted; the last %d are kept)",
                        seq, I->naccess, HISTORY);
        acc = &I->hist[k];
    } else if (I->last_kind == LAST_ACCESS) {
        acc = &I->hist[I->last_seq % HISTORY];
    } else if (I->last_kind == LAST_CTRL) {
        ctl = &I->last_ctrl;
    }
    for (int i = 0; i < nc; i++)
        if (check_one(I, &checks[i], acc, ctl) < 0)
            return -1;
    return 0;
}

/* --- print ----------------------------------------------------------------- */

static uint64_t sum3(const uint64_t v[NUM_PSC])
{
    return v[0] + v[1] + v[2];
}

static void print_stats(interp_t *I)
{
    const mmu_stats_t *s = backend_stats(I->be);
    const tlb_stats_t *it = &s->tlb[TLB_ITLB], *dt = &s->tlb[TLB_DTLB], *l2 = &s->tlb[TLB_L2];
    FILE *o = I->out;
    fprintf(o, "stats: requests %" PRIu64 " (port I %" PRIu64 ", port D %" PRIu64 "), latency mean %.2f max %" PRIu64 "\n",
            s->requests, s->requests_by_port[PORT_I], s->requests_by_port[PORT_D],
            hist_mean(&s->translation_latency), s->translation_latency.max);
    fprintf(o, "stats: itlb hits %" PRIu64 " misses %" PRIu64 "; dtlb hits %" PRIu64 " misses %" PRIu64
               "; l2 hits %" PRIu64 " misses %" PRIu64 "; dropped %" PRIu64 "\n",
            sum3(it->hits), sum3(it->misses) + it->misses_unresolved, sum3(dt->hits),
            sum3(dt->misses) + dt->misses_unresolved, sum3(l2->hits), sum3(l2->misses) + l2->misses_unresolved,
            it->dropped + dt->dropped + l2->dropped);
    fprintf(o, "stats: walks %" PRIu64 " (reads %" PRIu64 ", writes %" PRIu64 "); pwc lookups %" PRIu64
               " hits pml5 %" PRIu64 " pml4 %" PRIu64 " pdpt %" PRIu64 " pd %" PRIu64 "\n",
            s->walks, s->walk_reads, s->walk_writes, s->pwc_lookups, s->pwc_hits[5], s->pwc_hits[4],
            s->pwc_hits[3], s->pwc_hits[2]);
    fprintf(o, "stats: #PF %" PRIu64 " (not present %" PRIu64 ", reserved %" PRIu64 ", rights %" PRIu64
               "); #GP %" PRIu64 "; dirty assists %" PRIu64 "; rights rechecks %" PRIu64 "\n",
            s->faults_pf, s->pf_not_present, s->pf_reserved, s->pf_rights, s->faults_gp, s->dirty_assists,
            s->rights_rechecks);
    fprintf(o, "stats: control ops %" PRIu64 " (#GP %" PRIu64 ", PDPTE loads %" PRIu64 "); invalidated tlb %"
               PRIu64 " pwc %" PRIu64 "\n",
            s->ctrl_ops, s->ctrl_gp, s->pdpte_loads, s->flushes_tlb_entries, s->flushes_pwc_entries);
}

static void print_regs(interp_t *I)
{
    mmu_arch_t st;
    backend_arch_state(I->be, &st);
    fprintf(I->out, "regs: mode %s cr0=0x%" PRIx64 " cr2=0x%" PRIx64 " cr3=0x%" PRIx64 " cr4=0x%" PRIx64
                    " efer=0x%" PRIx64 " pcid=0x%x horizon %" PRIu64 "\n",
            paging_mode_name(st.mode), st.cr0, st.cr2, st.cr3, st.cr4, st.efer, (unsigned)st.pcid,
            backend_horizon(I->be));
    if (st.mode == PAGING_PAE)
        fprintf(I->out, "regs: pdpte 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 "\n", st.pdpte[0],
                st.pdpte[1], st.pdpte[2], st.pdpte[3]);
}

static int cmd_print(interp_t *I, char **toks, int n)
{
    if (need(I, "print", n, 2, "print stats|regs") < 0 || no_more(I, "print", toks, n, 2, "print stats|regs") < 0)
        return -1;
    if (strcmp(toks[1], "stats") && strcmp(toks[1], "regs"))
        return fail(I, "print: unknown '%.48s' (stats or regs)", toks[1]);
    if (sync_all(I) < 0)
        return -1;
    if (toks[1][0] == 's')
        print_stats(I);
    else
        print_regs(I);
    return 0;
}

/* --- dispatch -------------------------------------------------------------- */

static int cmd_config(interp_t *I, char **toks, int n)
{
    char buf[256], err[CONFIG_ERR_LEN];
    if (I->first_cmd_line)
        return fail(I, "config after the first command (line %u): config lines must come first",
                    I->first_cmd_line);
    if (n < 2)
        return fail(I, "config: missing KEY=VALUE");
    /* "config key=value" or "config key = value" */
    size_t used = 0;
    for (int i = 1; i < n; i++) {
        size_t l = strlen(toks[i]);
        if (used + l >= sizeof buf)
            return fail(I, "config: assignment too long");
        memcpy(buf + used, toks[i], l);
        used += l;
    }
    buf[used] = '\0';
    if (!strchr(buf, '='))
        return fail(I, "config: expected KEY=VALUE, got '%.48s'", buf);
    if (config_set_assignment(&I->cfg, buf, err) < 0)
        return fail(I, "config: %s", err);
    return 0;
}

typedef int (*cmd_fn)(interp_t *I, char **toks, int n);

static const struct { const char *name; cmd_fn fn; } commands[] = {
    {"access", cmd_access},   {"expect", cmd_expect},     {"sync", cmd_sync},
    {"cr0", cmd_cr},          {"cr3", cmd_cr},            {"cr4", cmd_cr},
    {"efer", cmd_cr},         {"invlpg", cmd_invlpg},     {"invpcid", cmd_invpcid},
    {"poke32", cmd_poke},     {"poke64", cmd_poke},       {"expect32", cmd_expect_mem},
    {"expect64", cmd_expect_mem}, {"pt", cmd_pt},         {"map", cmd_map},
    {"unmap", cmd_unmap},     {"entry", cmd_entry},       {"set", cmd_setclear},
    {"clear", cmd_setclear},  {"frames", cmd_frames},     {"print", cmd_print},
};

/* An OS-layer line (sim/os/os_script.h), on the script's MMU as CPU 0. */
static int run_os_line(interp_t *I, char **toks, int n)
{
    char err[SCRIPT_ERR_LEN];
    if (sync_all(I) < 0)
        return -1;
    os_script_env_t env = { I->be, I->mem, &I->cfg, I->opts->backend, I->out };
    int rc = os_script_line(&I->os, &env, toks, n, err, sizeof err);
    I->base = backend_horizon(I->be);
    if (rc < 0)
        return fail(I, "%s", err);
    if (strcmp(toks[0], "expect") == 0)
        I->nchecks += (uint64_t)(n - 2) / 2;     /* `expect os FIELD VALUE...` */
    return 0;
}

static int run_line(interp_t *I, char **toks, int n)
{
    if (strcmp(toks[0], "config") == 0)
        return cmd_config(I, toks, n);
    if (os_script_claims(toks, n)) {
        if (!I->first_cmd_line) {
            I->first_cmd_line = I->line;
            if (ensure_mmu(I) < 0)
                return -1;
        }
        return run_os_line(I, toks, n);
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(toks[0], commands[i].name) != 0)
            continue;
        if (!I->first_cmd_line) {
            I->first_cmd_line = I->line;
            if (ensure_mmu(I) < 0)
                return -1;
        }
        return commands[i].fn(I, toks, n);
    }
    return fail(I, "unknown command '%.48s'", toks[0]);
}

static void interp_free(interp_t *I)
{
    for (size_t i = 0; i < I->npending; i++)
        free(I->pending[i]);
    free(I->pending);
    os_script_free(I->os);
    if (I->be)
        backend_destroy(I->be);
    if (I->mem)
        physmem_destroy(I->mem);
}

int script_run_stream(const script_opts_t *opts, FILE *in, const char *name)
{
    interp_t *I = calloc(1, sizeof *I);
    FILE *err = opts->err ? opts->err : stderr;
    if (!I) {
        fprintf(err, "%s: out of memory\n", name);
        return 1;
    }
    I->opts = opts;
    I->name = name;
    I->out = opts->out ? opts->out : stdout;
    I->err = err;
    if (opts->base)
        I->cfg = *opts->base;
    else
        config_defaults(&I->cfg);

    int rc = 0;
    if (opts->jsonl_path) {
        I->jsonl = fopen(opts->jsonl_path, "w");
        if (!I->jsonl) {
            fail(I, "cannot open JSONL output %s: %s", opts->jsonl_path, strerror(errno));
            free(I);
            return 1;
        }
    }

    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    char *toks[SCRIPT_MAX_TOKENS];
    errno = 0;
    while (rc == 0 && (len = getline(&line, &cap, in)) >= 0) {
        I->line++;
        if (strlen(line) != (size_t)len) {
            rc = fail(I, "NUL byte in line");
            break;
        }
        int n = script_tokenize(line, toks, SCRIPT_MAX_TOKENS);
        if (n < 0)
            rc = fail(I, "too many words on one line (at most %d)", SCRIPT_MAX_TOKENS);
        else if (n > 0)
            rc = run_line(I, toks, n);
    }
    free(line);
    if (rc == 0 && ferror(in))
        rc = fail(I, "read error: %s", strerror(errno));
    if (rc == 0) {
        I->line = 0;
        if (!I->be)
            rc = ensure_mmu(I);   /* a script of config lines still validates them */
        if (rc == 0)
            rc = sync_all(I);
        if (rc == 0 && backend_finish(I->be) != 0)
            rc = fail(I, "%s backend: end-of-run check failed (details above)", backend_kind_name(I->be->kind));
    }
    if (rc == 0)
        fprintf(I->out, "%s: ok (%" PRIu64 " accesses, %" PRIu64 " control operations, %" PRIu64 " checks)\n",
                name, I->naccess, I->nctrl, I->nchecks);
    char *os_json = rc == 0 && I->jsonl ? os_script_json(I->os) : NULL;
    if (os_json) {
        fprintf(I->jsonl, "%s\n", os_json);   /* the OS counters, once at the end */
        free(os_json);
    }
    if (I->jsonl && fclose(I->jsonl) != 0 && rc == 0)
        rc = fail(I, "JSONL: write to %s failed: %s", opts->jsonl_path, strerror(errno));
    fflush(I->out);
    interp_free(I);
    free(I);
    return rc == 0 ? 0 : 1;
}

int script_run(const script_opts_t *opts)
{
    FILE *err = opts->err ? opts->err : stderr;
    if (!opts->path) {
        fprintf(err, "script: no file\n");
        return 1;
    }
    if (strcmp(opts->path, "-") == 0)
        return script_run_stream(opts, stdin, "<stdin>");
    FILE *in = fopen(opts->path, "r");
    if (!in) {
        fprintf(err, "%s: cannot open: %s\n", opts->path, strerror(errno));
        return 1;
    }
    int rc = script_run_stream(opts, in, opts->path);
    fclose(in);
    return rc;
}
