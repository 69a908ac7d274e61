/* The script language's lexer and parser pieces (script.h): tokens, numbers, flag lists,
 * page sizes and levels (through sim/core/names.h), the fields and values of `expect`.
 * No interpreter state: the unit tests call these directly. */
#include "script_int.h"

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
int sc_parse_terms(const char *s, char sep, const char *what, term_fn term, void *ctx,
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
    if (strncmp(t, "pkey=", 5) == 0) {     /* the protection key, bits 62:59 (SDM Vol 3A 4.5) */
        uint64_t key;
        if (script_parse_number(t + 5, &key) < 0 || key > 15) {
            snprintf(err, SCRIPT_ERR_LEN, "bad protection key '%.48s' (pkey=0..15)", t);
            return -1;
        }
        *bits = PTE_PKEY(key);
        return 0;
    }
    for (size_t i = 0; i < NUM_FLAG_NAMES; i++)
        if (strcmp(t, flag_names[i].name) == 0) {
            *bits = flag_names[i].bit;
            return 0;
        }
    if (script_parse_number(t, bits) == 0)
        return 0;
    snprintf(err, SCRIPT_ERR_LEN,
             "bad flag '%.48s' (p, rw, us, pwt, pcd, a, d, ps, g, xd, pkey=N or a number, joined by '+')", t);
    return -1;
}

int script_parse_flags(const char *s, uint64_t *out, char *err)
{
    return sc_parse_terms(s, '+', "flags", flag_term, NULL, out, err);
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
    int64_t v;
    if (names_parse(&NAMES_SIZE, s, &v) != 0 || v == 0)   /* "none" names no page size */
        return -1;
    *shift = (unsigned)v;
    return 0;
}

int script_parse_level(const char *s)
{
    int64_t v;
    return names_parse(&NAMES_LEVEL, s, &v) == 0 ? (int)v : -1;
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
    [XF_PKRU] = {"pkru", V_NUM},       [XF_PKRS] = {"pkrs", V_NUM},
};

static const names_entry_t yesno_canon[] = {{"yes", 1}, {"no", 0}, {NULL, 0}};
static const names_table_t yesno_names = {"yes/no", yesno_canon, NULL};

static const names_table_t *kind_values(value_kind_t k)
{
    switch (k) {
    case V_FAULT: return &NAMES_FAULT;
    case V_TLB:   return &NAMES_TLB;
    case V_PWC:   return &NAMES_PWC;
    case V_YESNO: return &yesno_names;
    case V_SIZE:  return &NAMES_SIZE;
    case V_PORT:  return &NAMES_PORT;
    case V_MODE:  return &NAMES_MODE;
    case V_NUM:   break;
    }
    return NULL;
}

const char *script_field_name(script_field_t f)
{
    return (unsigned)f < XF_COUNT ? fields[f].name : "?";
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
    const names_table_t *nv = kind_values(fields[f].kind);
    if (!nv) {
        if (script_parse_number(value, &out->value) < 0) {
            snprintf(err, SCRIPT_ERR_LEN, "expect %s: bad number '%.48s'", field, value);
            return -1;
        }
        return 0;
    }
    int64_t v;
    if (names_parse(nv, value, &v) == 0) {
        out->value = (uint64_t)v;
        return 0;
    }
    char names[128];
    names_list(nv, names, sizeof names);
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
    const names_table_t *nv = kind_values(fields[f].kind);
    if (nv) {
        const char *n = names_lookup(nv, (int64_t)v);
        if (n)
            snprintf(buf, len, "%s", n);
        else
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
