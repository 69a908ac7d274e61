/* The mmulab script interpreter (language: docs/scripts.md).
 *
 * One interpreter object per run; the MMU and its physical memory are created
 * at the first command that is not `config`. Accesses without @CYCLE are
 * sequential (sync, issue at the horizon, sync); accesses with @CYCLE are
 * queued on the model and reported at the next synchronising command.
 * This file: the interpreter state, its commands and their dispatch; the lexer, the
 * expect checks and the output live beside it (script_int.h). */
#include "script_int.h"
#include "linereader.h"
#include "outfile.h"

int sc_fail(interp_t *I, const char *fmt, ...)
{
    va_list ap;
    fflush(I->out);
    if (I->line)
        fprintf(I->err, "%s:%u: ", I->name, I->line);
    else
        fprintf(I->err, "%s: ", I->name);
    /* the message quotes input words: raw control bytes are shown escaped, not sent */
    char msg[1024], shown[4096];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(I->err, "%s\n", line_escape(msg, shown, sizeof shown));
    return -1;
}

int sc_number_arg(interp_t *I, const char *cmd, const char *what, const char *tok, uint64_t *v)
{
    if (!tok)
        return sc_fail(I, "%s: missing %s", cmd, what);
    if (script_parse_number(tok, v) < 0)
        return sc_fail(I, "%s: bad number '%.48s' for %s", cmd, tok, what);
    return 0;
}

int sc_no_more(interp_t *I, const char *cmd, char **toks, int n, int used, const char *usage)
{
    if (n > used)
        return sc_fail(I, "%s: unexpected '%.48s' (usage: %s)", cmd, toks[used], usage);
    return 0;
}

int sc_need(interp_t *I, const char *cmd, int n, int want, const char *usage)
{
    if (n < want)
        return sc_fail(I, "%s: missing argument (usage: %s)", cmd, usage);
    return 0;
}

/* --- model life cycle ------------------------------------------------------ */

static int ensure_mmu(interp_t *I)
{
    char err[CONFIG_ERR_LEN];
    if (I->m.be)
        return 0;
    for (size_t i = 0; i < I->opts->nsets; i++)
        if (config_set_assignment(&I->cfg, I->opts->sets[i], err) < 0)
            return sc_fail(I, "--set %s: %s", I->opts->sets[i], err);
    if (config_validate(&I->cfg, err) < 0) {
        /* no single line owns a cross-parameter error: name every source of the values */
        const char *cli = I->opts->config_origin ? I->opts->config_origin : "";
        if (*cli && !I->config_lines && I->opts->cli_config_error) {
            /* the command line alone made it: a usage error, named by its options, not a line */
            char shown[4 * CONFIG_ERR_LEN];
            fprintf(I->err, "mmulab run: invalid configuration (from%s): %s\n", cli,
                    line_escape(err, shown, sizeof shown));
            *I->opts->cli_config_error = true;
            return -1;
        }
        return sc_fail(I, "invalid configuration (from%s%s%s): %s", cli,
                       *cli && I->config_lines ? " and" : "",
                       I->config_lines ? " the script's config lines" : *cli ? "" : " the defaults", err);
    }
    if (machine_init(&I->m, (unsigned)I->cfg.maxphyaddr, DEFAULT_FRAME_BASE, DEFAULT_FRAME_LIMIT, err) < 0)
        return sc_fail(I, "%s", err);
    if (machine_start(&I->m, I->opts->backend, &I->cfg, &I->opts->backend_opts, err) < 0)
        return sc_fail(I, "cannot create the MMU: %s", err);
    I->base = backend_horizon(I->m.be);
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
    return sc_fail(I, "%s backend: the run diverged (details above)", backend_kind_name(I->m.be->kind));
}

int sc_sync_all(interp_t *I)
{
    if (!I->m.be)
        return 0;
    if (backend_sync(I->m.be) != 0)
        return diverged(I);
    int rc = 0;
    for (size_t i = 0; i < I->npending; i++) {
        if (rc == 0 && sc_report_access(I, I->pending[i]) < 0)
            rc = -1;
        remember(I, I->pending[i]);
        free(I->pending[i]);
    }
    I->npending = 0;
    I->base = backend_horizon(I->m.be);
    return rc;
}

/* "@N" (absolute) or "@+N" (N cycles after the horizon at the last synchronising command). */
static int parse_cycle(interp_t *I, const char *cmd, const char *tok, cycle_t *c)
{
    uint64_t v;
    bool rel = tok[1] == '+';
    if (script_parse_number(tok + 1 + rel, &v) < 0)
        return sc_fail(I, "%s: bad cycle '%.48s' (@N or @+N)", cmd, tok);
    if (rel)
        v = v > MAX_CYCLE - I->base ? MAX_CYCLE + 1 : v + I->base;
    if (v > MAX_CYCLE)
        return sc_fail(I, "%s: cycle '%.48s' out of range (at most 2^62)", cmd, tok);
    *c = v;
    return 0;
}

/* An explicit issue cycle the backend can reach: the RTL backends clock through every idle
 * cycle (backend_max_ahead), so a far @CYCLE is an error there rather than an hours-long run. */
static int check_reach(interp_t *I, const char *cmd, cycle_t c)
{
    cycle_t h = backend_horizon(I->m.be);
    uint64_t ahead = backend_max_ahead(I->m.be);
    if (c > h && c - h > ahead)
        return sc_fail(I, "%s: issue cycle %" PRIu64 " is %" PRIu64 " cycles after the horizon %" PRIu64
                       "; the %s backend clocks the RTL through every idle cycle and goes at most %" PRIu64
                       " ahead (use the model backend for far cycles)",
                       cmd, c, c - h, h, backend_kind_name(I->m.be->kind), ahead);
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
                                       {"smap", CR4_SMAP}, {"pke", CR4_PKE}, {"pks", CR4_PKS}, {NULL, 0}};
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
    if (sc_no_more(I, cmd, toks, n, used, usage) < 0)
        return -1;
    if (sc_sync_all(I) < 0)
        return -1;
    cycle_t horizon = backend_horizon(I->m.be);
    if (!explicit_cycle)
        op->issue_cycle = horizon;
    ctrl_rec_t rec = {.op = *op, .line = I->line, .seq = I->nctrl};
    if (op->issue_cycle < horizon)
        return sc_fail(I, "%s: issue cycle %" PRIu64 " is earlier than allowed (horizon %" PRIu64 ")", cmd,
                    op->issue_cycle, horizon);
    if (explicit_cycle && check_reach(I, cmd, op->issue_cycle) < 0)
        return -1;
    if (backend_control(I->m.be, op, &rec.res) < 0)
        return diverged(I);
    I->nctrl++;
    I->last_kind = LAST_CTRL;
    I->last_ctrl = rec;
    I->base = backend_horizon(I->m.be);
    return sc_report_ctrl(I, &rec);
}

static int cmd_cr(interp_t *I, char **toks, int n)
{
    static const char usage[] = "crN|efer VALUE [@CYCLE]";
    mmu_ctrl_t op = {0};
    reg_ctx_t rc = {.I = I};
    int64_t kind;
    if (names_parse(&NAMES_CTRL, toks[0], &kind) != 0)   /* the dispatch table only sends cr0 cr3 cr4 efer */
        return sc_fail(I, "unknown command '%.48s'", toks[0]);
    op.kind = (mmu_ctrl_kind_t)kind;
    switch (op.kind) {
    case CTRL_CR0: rc.names = cr0_names; break;
    case CTRL_CR3: rc.names = cr3_names; rc.allow_pt = true; break;
    case CTRL_CR4: rc.names = cr4_names; break;
    default:       rc.names = efer_names; break;
    }
    if (sc_need(I, toks[0], n, 2, usage) < 0)
        return -1;
    char err[SCRIPT_ERR_LEN];
    if (toks[1][0] == '@')
        return sc_fail(I, "%s: missing value (usage: %s)", toks[0], usage);
    if (sc_parse_terms(toks[1], '|', "value", reg_term, &rc, &op.value, err) < 0)
        return sc_fail(I, "%s: %s", toks[0], err);
    return do_control(I, &op, toks, n, 2, usage);
}

/* wrpkru VALUE (PKRU <- EAX: the MMU gets the value; the ECX = EDX = 0 check is the caller's) and
 * wrmsr pkrs VALUE (IA32_PKRS <- EDX:EAX), docs/semantics.md "Protection keys". */
static int cmd_wrpkru(interp_t *I, char **toks, int n)
{
    static const char usage[] = "wrpkru VALUE [@CYCLE]";
    mmu_ctrl_t op = {.kind = CTRL_WRPKRU};
    if (sc_need(I, "wrpkru", n, 2, usage) < 0 || sc_number_arg(I, "wrpkru", "VALUE", toks[1], &op.value) < 0)
        return -1;
    return do_control(I, &op, toks, n, 2, usage);
}

static int cmd_wrmsr(interp_t *I, char **toks, int n)
{
    static const char usage[] = "wrmsr pkrs VALUE [@CYCLE]";
    mmu_ctrl_t op = {.kind = CTRL_WRPKRS};
    if (sc_need(I, "wrmsr", n, 3, usage) < 0)
        return -1;
    if (strcmp(toks[1], "pkrs") != 0)
        return sc_fail(I, "wrmsr: unknown MSR '%.48s' (the MMU's only MSR besides EFER, written with `efer`, is "
                       "pkrs; usage: %s)", toks[1], usage);
    if (sc_number_arg(I, "wrmsr", "VALUE", toks[2], &op.value) < 0)
        return -1;
    return do_control(I, &op, toks, n, 3, usage);
}

static int cmd_invlpg(interp_t *I, char **toks, int n)
{
    static const char usage[] = "invlpg VA [@CYCLE]";
    mmu_ctrl_t op = {.kind = CTRL_INVLPG};
    if (sc_need(I, "invlpg", n, 2, usage) < 0 || sc_number_arg(I, "invlpg", "VA", toks[1], &op.va) < 0)
        return -1;
    return do_control(I, &op, toks, n, 2, usage);
}

static int cmd_invpcid(interp_t *I, char **toks, int n)
{
    static const char usage[] = "invpcid TYPE PCID VA [@CYCLE]";
    mmu_ctrl_t op = {.kind = CTRL_INVPCID};
    uint64_t type;
    if (sc_need(I, "invpcid", n, 4, usage) < 0 || sc_number_arg(I, "invpcid", "TYPE", toks[1], &type) < 0 ||
        sc_number_arg(I, "invpcid", "PCID", toks[2], &op.pcid) < 0 ||
        sc_number_arg(I, "invpcid", "VA", toks[3], &op.va) < 0)
        return -1;
    if (type > 0xffffffffu)
        return sc_fail(I, "invpcid: TYPE %" PRIu64 " out of range", type);
    op.invpcid_type = (unsigned)type;
    return do_control(I, &op, toks, n, 4, usage);
}

/* --- accesses -------------------------------------------------------------- */

static int cmd_access(interp_t *I, char **toks, int n)
{
    static const char usage[] = "access VA r|w|x user|sup|cpl=N [ac] [implicit] [@CYCLE]";
    mmu_req_t req = {0};
    bool have_acc = false, have_priv = false, have_cycle = false, have_ac = false, have_imp = false;
    if (sc_need(I, "access", n, 2, usage) < 0 || sc_number_arg(I, "access", "VA", toks[1], &req.va) < 0)
        return -1;
    for (int i = 2; i < n; i++) {
        const char *t = toks[i];
        if (!strcmp(t, "r") || !strcmp(t, "w") || !strcmp(t, "x")) {
            if (have_acc)
                return sc_fail(I, "access: two access types ('%.48s')", t);
            req.access = t[0] == 'r' ? ACC_READ : t[0] == 'w' ? ACC_WRITE : ACC_EXEC;
            have_acc = true;
        } else if (!strcmp(t, "user") || !strcmp(t, "sup") || !strncmp(t, "cpl=", 4)) {
            if (have_priv)
                return sc_fail(I, "access: two privileges ('%.48s')", t);
            if (t[0] == 'c') {
                uint64_t cpl;
                if (script_parse_number(t + 4, &cpl) < 0 || cpl > 3)
                    return sc_fail(I, "access: bad CPL '%.48s' (cpl=0..3)", t);
                req.cpl = (uint8_t)cpl;
            } else {
                req.cpl = t[0] == 'u' ? 3 : 0;
            }
            have_priv = true;
        } else if (!strcmp(t, "ac")) {
            if (have_ac)
                return sc_fail(I, "access: 'ac' given twice");
            req.ac = have_ac = true;
        } else if (!strcmp(t, "implicit")) {
            if (have_imp)
                return sc_fail(I, "access: 'implicit' given twice");
            req.implicit = have_imp = true;
        } else if (t[0] == '@') {
            if (have_cycle)
                return sc_fail(I, "access: two cycles ('%.48s')", t);
            if (parse_cycle(I, "access", t, &req.issue_cycle) < 0)
                return -1;
            have_cycle = true;
        } else {
            return sc_fail(I, "access: unexpected '%.48s' (usage: %s)", t, usage);
        }
    }
    if (!have_acc)
        return sc_fail(I, "access: missing access type r, w or x (usage: %s)", usage);
    if (!have_priv)
        return sc_fail(I, "access: missing privilege user, sup or cpl=N (usage: %s)", usage);
    if (req.implicit && req.access == ACC_EXEC)
        return sc_fail(I, "access: implicit with x: there is no implicit instruction fetch");

    if (!have_cycle) {
        if (sc_sync_all(I) < 0)
            return -1;
        req.issue_cycle = backend_horizon(I->m.be);
    } else if (check_reach(I, "access", req.issue_cycle) < 0) {
        return -1;
    }
    access_rec_t *rec = calloc(1, sizeof *rec);
    if (!rec)
        return sc_fail(I, "out of memory");
    rec->line = I->line;
    rec->ac = req.ac;
    rec->implicit = req.implicit;
    if (I->npending == I->cap) {
        size_t cap = I->cap ? 2 * I->cap : 16;
        access_rec_t **p = realloc(I->pending, cap * sizeof *p);
        if (!p) {
            free(rec);
            return sc_fail(I, "out of memory");
        }
        I->pending = p;
        I->cap = cap;
    }
    if (backend_submit(I->m.be, &req, &rec->res) < 0) {
        free(rec);
        cycle_t h = backend_horizon(I->m.be);
        bool in_order = !I->npending || req.issue_cycle >= I->pending[I->npending - 1]->res.issue_cycle;
        if (req.issue_cycle >= h && in_order)
            return diverged(I);
        if (I->npending && req.issue_cycle >= h)
            return sc_fail(I, "access: issue cycle %" PRIu64 " is earlier than allowed (horizon %" PRIu64
                        "; the previous access on line %u was issued at %" PRIu64 ")",
                        req.issue_cycle, h, I->pending[I->npending - 1]->line,
                        I->pending[I->npending - 1]->res.issue_cycle);
        return sc_fail(I, "access: issue cycle %" PRIu64 " is earlier than allowed (horizon %" PRIu64 ")",
                    req.issue_cycle, h);
    }
    I->pending[I->npending++] = rec;
    /* issue_cycle is known now; the rest arrives when the model processes it */
    rec->res.issue_cycle = req.issue_cycle;
    I->last_kind = LAST_ACCESS;
    I->naccess++;
    if (!have_cycle)
        return sc_sync_all(I);
    return 0;
}

static int cmd_sync(interp_t *I, char **toks, int n)
{
    if (sc_no_more(I, "sync", toks, n, 1, "sync") < 0)
        return -1;
    return sc_sync_all(I);
}

/* --- memory ---------------------------------------------------------------- */

static int cmd_poke(interp_t *I, char **toks, int n)
{
    const char *cmd = toks[0];
    bool is64 = cmd[4] == '6';
    uint64_t pa, v;
    if (sc_need(I, cmd, n, 3, is64 ? "poke64 PA VALUE" : "poke32 PA VALUE") < 0 ||
        sc_number_arg(I, cmd, "PA", toks[1], &pa) < 0 || sc_number_arg(I, cmd, "VALUE", toks[2], &v) < 0 ||
        sc_no_more(I, cmd, toks, n, 3, is64 ? "poke64 PA VALUE" : "poke32 PA VALUE") < 0)
        return -1;
    if (!is64 && v > 0xffffffffu)
        return sc_fail(I, "poke32: value 0x%" PRIx64 " does not fit in 32 bits", v);
    if (sc_sync_all(I) < 0)
        return -1;
    unsigned size = is64 ? 8 : 4;
    if ((pa & (size - 1)) || (pa >> physmem_maxphyaddr(I->m.mem)))
        return sc_fail(I, "%s: address 0x%" PRIx64 " is unaligned or beyond maxphyaddr", cmd, pa);
    /* A backdoor write (the driver's, not the MMU's): uncounted, and mirrored in co-simulation. */
    if (is64)
        physmem_poke64(I->m.mem, pa, v);
    else
        physmem_poke32(I->m.mem, pa, (uint32_t)v);
    return 0;
}

static int cmd_expect_mem(interp_t *I, char **toks, int n)
{
    const char *cmd = toks[0];
    bool is64 = cmd[6] == '6';
    const char *usage = is64 ? "expect64 PA VALUE [mask MASK]" : "expect32 PA VALUE [mask MASK]";
    uint64_t pa, want, mask = is64 ? UINT64_MAX : 0xffffffffu, got;
    if (sc_need(I, cmd, n, 3, usage) < 0 || sc_number_arg(I, cmd, "PA", toks[1], &pa) < 0 ||
        sc_number_arg(I, cmd, "VALUE", toks[2], &want) < 0)
        return -1;
    int used = 3;
    if (n > 3 && strcmp(toks[3], "mask") == 0) {
        if (sc_number_arg(I, cmd, "MASK", n > 4 ? toks[4] : NULL, &mask) < 0)
            return -1;
        used = 5;
    }
    if (sc_no_more(I, cmd, toks, n, used, usage) < 0)
        return -1;
    if (!is64 && (want > 0xffffffffu || mask > 0xffffffffu))
        return sc_fail(I, "expect32: value or mask does not fit in 32 bits");
    if (sc_sync_all(I) < 0)
        return -1;
    int rc;
    if (is64) {
        rc = physmem_read64(I->m.mem, pa, &got);
    } else {
        uint32_t g32 = 0;
        rc = physmem_read32(I->m.mem, pa, &g32);
        got = g32;
    }
    if (rc < 0)
        return sc_fail(I, "%s: address 0x%" PRIx64 " is unaligned or beyond maxphyaddr", cmd, pa);
    I->nchecks++;
    if ((got & mask) != (want & mask)) {
        if (used == 5)
            return sc_fail(I, "%s: expected 0x%" PRIx64 " (mask 0x%" PRIx64 "), got 0x%" PRIx64, cmd, want, mask, got);
        return sc_fail(I, "%s: expected 0x%" PRIx64 ", got 0x%" PRIx64, cmd, want, got);
    }
    return 0;
}

/* --- page-table helpers ---------------------------------------------------- */

static int cmd_frames(interp_t *I, char **toks, int n)
{
    static const char usage[] = "frames BASE LIMIT";
    uint64_t base, limit;
    if (sc_need(I, "frames", n, 3, usage) < 0 || sc_number_arg(I, "frames", "BASE", toks[1], &base) < 0 ||
        sc_number_arg(I, "frames", "LIMIT", toks[2], &limit) < 0 || sc_no_more(I, "frames", toks, n, 3, usage) < 0)
        return -1;
    /* LIMIT is the end of the range, exclusive (0x02000000); the last byte of the range
     * (0x01ffffff, as docs/scripts.md writes ranges) means the same */
    if ((limit & (PAGE_SIZE - 1)) == PAGE_SIZE - 1 && limit != UINT64_MAX)
        limit++;
    if ((base | limit) & (PAGE_SIZE - 1) || base == 0 || base >= limit)
        return sc_fail(I, "frames: need 4 KiB-aligned 0 < BASE < LIMIT (LIMIT exclusive, or the range's last "
                       "byte ...fff)");
    if (I->cfg.maxphyaddr < 64 && limit > (1ull << I->cfg.maxphyaddr))
        return sc_fail(I, "frames: LIMIT 0x%" PRIx64 " is beyond maxphyaddr (%u bits)", limit,
                    (unsigned)I->cfg.maxphyaddr);
    if (sc_sync_all(I) < 0)
        return -1;
    physmem_set_frame_range(I->m.mem, base, limit);
    return 0;
}

static int cmd_pt(interp_t *I, char **toks, int n)
{
    static const char usage[] = "pt 32bit|pae|4level|5level";
    paging_mode_t mode;
    if (sc_need(I, "pt", n, 2, usage) < 0 || sc_no_more(I, "pt", toks, n, 2, usage) < 0)
        return -1;
    if (names_parse_mode(toks[1], &mode) != 0 || mode == PAGING_OFF)
        return sc_fail(I, "pt: bad mode '%.48s' (32bit, pae, 4level or 5level)", toks[1]);
    if (sc_sync_all(I) < 0)
        return -1;
    ptbuild_t b;
    if (ptb_init(&b, I->m.mem, mode) < 0)
        return sc_fail(I, "pt: cannot allocate the top table (frame range exhausted?)");
    I->pt = b;
    I->have_pt = true;
    return 0;
}

static int require_pt(interp_t *I, const char *cmd)
{
    if (!I->have_pt)
        return sc_fail(I, "%s: no page table yet (use `pt MODE` first)", cmd);
    return 0;
}

static int flags_arg(interp_t *I, const char *cmd, const char *tok, uint64_t *v)
{
    char err[SCRIPT_ERR_LEN];
    if (!tok)
        return sc_fail(I, "%s: missing FLAGS", cmd);
    if (script_parse_flags(tok, v, err) < 0)
        return sc_fail(I, "%s: %s", cmd, err);
    if (I->have_pt && I->pt.mode == PAGING_32 && *v > 0xffffffffu)
        return sc_fail(I, "%s: flags '%.48s' do not fit in a 4-byte entry", cmd, tok);
    return 0;
}

/* The bits of a leaf entry that hold the page's physical address (SDM Vol. 3A 4.3 Table 4-5,
 * 4.4.2 Tables 4-8..4-11, 4.5.4 Tables 4-17..4-20): FLAGS given as a number must not set them,
 * or they would silently change the page `map` was asked for. Reserved bits above MAXPHYADDR
 * (or PSE-36's limit) stay allowed: directed tests set them on purpose (pf_reserved.mmu). */
static uint64_t leaf_address_bits(const interp_t *I, unsigned shift)
{
    unsigned m = I->pt.maxphyaddr;
    if (I->pt.mode == PAGING_32) {
        if (shift == 12)
            return 0xFFFFF000ull;
        unsigned high = (m < 40 ? m : 40) - 32;    /* PSE-36: PA[39:32] in bits 20:13 */
        return 0xFFC00000ull | (((1ull << high) - 1) << 13);
    }
    return ((1ull << m) - 1) & ~((1ull << shift) - 1);
}

/* map (refuses to replace a present or non-zero leaf) and remap (replaces it on purpose). */
static int cmd_map(interp_t *I, char **toks, int n)
{
    const char *cmd = toks[0];
    bool remap = strcmp(cmd, "remap") == 0;
    const char *usage = remap ? "remap VA PA 4k|2m|4m|1g FLAGS [table FLAGS]"
                              : "map VA PA 4k|2m|4m|1g FLAGS [table FLAGS]";
    uint64_t va, pa, leaf, table = PTB_TABLE_FLAGS;
    unsigned shift;
    if (require_pt(I, cmd) < 0 || sc_need(I, cmd, n, 5, usage) < 0 ||
        sc_number_arg(I, cmd, "VA", toks[1], &va) < 0 || sc_number_arg(I, cmd, "PA", toks[2], &pa) < 0)
        return -1;
    if (script_parse_size(toks[3], &shift) < 0)
        return sc_fail(I, "%s: bad size '%.48s' (4k, 2m, 4m or 1g)", cmd, toks[3]);
    if (flags_arg(I, cmd, toks[4], &leaf) < 0)
        return -1;
    uint64_t addr_bits = leaf & leaf_address_bits(I, shift);
    if (addr_bits)
        return sc_fail(I, "%s: flags '%.48s' set bits 0x%" PRIx64 " of the physical address field of a %s "
                       "entry (give the address as PA; `set` writes arbitrary entry bits)",
                       cmd, toks[4], addr_bits, toks[3]);
    int used = 5;
    if (n > 5 && strcmp(toks[5], "table") == 0) {
        if (flags_arg(I, cmd, n > 6 ? toks[6] : NULL, &table) < 0)
            return -1;
        used = 7;
    }
    if (sc_no_more(I, cmd, toks, n, used, usage) < 0 || sc_sync_all(I) < 0)
        return -1;
    int leaf_level = shift == 12 ? LVL_PT : shift == 30 ? LVL_PDPT : LVL_PD;
    paddr_t at = ptb_entry_addr(&I->pt, va, leaf_level);
    uint64_t old = at ? ptb_read_entry(&I->pt, at) : 0;
    if (!remap && old != 0)
        return sc_fail(I, "map: 0x%" PRIx64 " already has a level-%d entry (at 0x%" PRIx64 ": 0x%" PRIx64
                       "); unmap it first, or use remap to replace it", va, leaf_level, at, old);
    if (ptb_map(&I->pt, va, pa, shift, leaf, table) < 0)
        return sc_fail(I, "%s: cannot map 0x%" PRIx64 " -> 0x%" PRIx64 " as %s in %s paging (size not "
                    "possible in the mode, unaligned address, a large page or table in the way, or no "
                    "frames left)", cmd, va, pa, toks[3], names_mode(I->pt.mode));
    return 0;
}

static int cmd_unmap(interp_t *I, char **toks, int n)
{
    uint64_t va;
    if (require_pt(I, "unmap") < 0 || sc_need(I, "unmap", n, 2, "unmap VA") < 0 ||
        sc_number_arg(I, "unmap", "VA", toks[1], &va) < 0 || sc_no_more(I, "unmap", toks, n, 2, "unmap VA") < 0 ||
        sc_sync_all(I) < 0)
        return -1;
    if (ptb_unmap(&I->pt, va) < 0)
        return sc_fail(I, "unmap: 0x%" PRIx64 " is not mapped", va);
    return 0;
}

/* The address of the entry at LEVEL on VA's path. */
static int entry_arg(interp_t *I, const char *cmd, char **toks, int n, int at, uint64_t *va, int *level,
                     paddr_t *addr)
{
    if (require_pt(I, cmd) < 0)
        return -1;
    if (at + 1 >= n)
        return sc_fail(I, "%s: missing argument (VA LEVEL)", cmd);
    if (sc_number_arg(I, cmd, "VA", toks[at], va) < 0)
        return -1;
    *level = script_parse_level(toks[at + 1]);
    if (*level < 0)
        return sc_fail(I, "%s: bad level '%.48s' (1..5 or pt, pd, pdpt, pml4, pml5)", cmd, toks[at + 1]);
    if (sc_sync_all(I) < 0)
        return -1;
    *addr = ptb_entry_addr(&I->pt, *va, *level);
    if (!*addr)
        return sc_fail(I, "%s: no level-%d entry on the path of 0x%" PRIx64 " in %s paging", cmd, *level, *va,
                    names_mode(I->pt.mode));
    return 0;
}

static int cmd_entry(interp_t *I, char **toks, int n)
{
    uint64_t va;
    int level;
    paddr_t addr;
    char fl[160];
    if (entry_arg(I, "entry", toks, n, 1, &va, &level, &addr) < 0 ||
        sc_no_more(I, "entry", toks, n, 3, "entry VA LEVEL") < 0)
        return -1;
    uint64_t v = ptb_read_entry(&I->pt, addr);
    fprintf(I->out, "entry va=0x%016" PRIx64 " %s @0x%" PRIx64 " = 0x%016" PRIx64 " %s\n", va,
            names_format(&NAMES_LEVEL, level), addr, v, script_format_flags(v & (0xfffull | PTE_XD), fl, sizeof fl));
    return 0;
}

static int cmd_setclear(interp_t *I, char **toks, int n)
{
    const char *cmd = toks[0];
    uint64_t va, flags;
    int level;
    paddr_t addr;
    if (sc_need(I, cmd, n, 4, "set|clear VA LEVEL FLAGS") < 0 || flags_arg(I, cmd, toks[3], &flags) < 0 ||
        sc_no_more(I, cmd, toks, n, 4, "set|clear VA LEVEL FLAGS") < 0 ||
        entry_arg(I, cmd, toks, n, 1, &va, &level, &addr) < 0)
        return -1;
    uint64_t v = ptb_read_entry(&I->pt, addr);
    v = cmd[0] == 's' ? v | flags : v & ~flags;
    ptb_write_entry(&I->pt, addr, v);
    return 0;
}

int sc_expect_entry(interp_t *I, char **toks, int n)
{
    static const char usage[] = "expect entry VA LEVEL has|lacks FLAGS";
    uint64_t va, flags;
    int level;
    paddr_t addr;
    char fl[160], gotfl[160];
    if (sc_need(I, "expect entry", n, 6, usage) < 0)
        return -1;
    bool has = strcmp(toks[4], "has") == 0;
    if (!has && strcmp(toks[4], "lacks") != 0)
        return sc_fail(I, "expect entry: expected 'has' or 'lacks', got '%.48s' (usage: %s)", toks[4], usage);
    if (flags_arg(I, "expect entry", toks[5], &flags) < 0 || sc_no_more(I, "expect entry", toks, n, 6, usage) < 0 ||
        entry_arg(I, "expect entry", toks, n, 2, &va, &level, &addr) < 0)
        return -1;
    uint64_t v = ptb_read_entry(&I->pt, addr);
    I->nchecks++;
    bool ok = has ? (v & flags) == flags : (v & flags) == 0;
    if (!ok)
        return sc_fail(I, "expect entry: expected %s entry of 0x%" PRIx64 " %s %s, got 0x%016" PRIx64 " (%s)",
                    names_format(&NAMES_LEVEL, level), va, has ? "to have" : "to lack",
                    script_format_flags(flags, fl, sizeof fl), v,
                    script_format_flags(v & (0xfffull | PTE_XD), gotfl, sizeof gotfl));
    return 0;
}

/* --- dispatch -------------------------------------------------------------- */

static int cmd_config(interp_t *I, char **toks, int n)
{
    char buf[256], err[CONFIG_ERR_LEN];
    if (I->first_cmd_line)
        return sc_fail(I, "config after the first command (line %u): config lines must come first",
                    I->first_cmd_line);
    if (n < 2)
        return sc_fail(I, "config: missing KEY=VALUE");
    /* "config key=value" or "config key = value" */
    /* words joined by one space, as a config file line reads: `lru extra` stays two words */
    size_t used = 0;
    for (int i = 1; i < n; i++) {
        size_t l = strlen(toks[i]);
        if (used + l + 1 >= sizeof buf)
            return sc_fail(I, "config: assignment too long");
        if (i > 1)
            buf[used++] = ' ';
        memcpy(buf + used, toks[i], l);
        used += l;
    }
    buf[used] = '\0';
    if (!strchr(buf, '='))
        return sc_fail(I, "config: expected KEY=VALUE, got '%.48s'", buf);
    if (config_set_assignment(&I->cfg, buf, err) < 0)
        return sc_fail(I, "config: %s", err);
    I->config_lines++;
    return 0;
}

typedef int (*cmd_fn)(interp_t *I, char **toks, int n);

static const struct { const char *name; cmd_fn fn; } commands[] = {
    {"access", cmd_access},   {"expect", sc_cmd_expect},     {"sync", cmd_sync},
    {"cr0", cmd_cr},          {"cr3", cmd_cr},            {"cr4", cmd_cr},
    {"efer", cmd_cr},         {"invlpg", cmd_invlpg},     {"invpcid", cmd_invpcid},
    {"wrpkru", cmd_wrpkru},   {"wrmsr", cmd_wrmsr},
    {"poke32", cmd_poke},     {"poke64", cmd_poke},       {"expect32", cmd_expect_mem},
    {"expect64", cmd_expect_mem}, {"pt", cmd_pt},         {"map", cmd_map},
    {"remap", cmd_map},
    {"unmap", cmd_unmap},     {"entry", cmd_entry},       {"set", cmd_setclear},
    {"clear", cmd_setclear},  {"frames", cmd_frames},     {"print", sc_cmd_print},
};

/* An OS-layer line (os_script.h), on the script's MMU as CPU 0. */
static int run_os_line(interp_t *I, char **toks, int n)
{
    char err[SCRIPT_ERR_LEN];
    if (sc_sync_all(I) < 0)
        return -1;
    os_script_env_t env = { I->m.be, I->m.mem, &I->cfg, I->opts->backend, I->out };
    int rc = os_script_line(&I->os, &env, toks, n, err, sizeof err);
    I->base = backend_horizon(I->m.be);
    if (rc < 0)
        return sc_fail(I, "%s", err);
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
    return sc_fail(I, "unknown command '%.48s'", toks[0]);
}

static void interp_free(interp_t *I)
{
    for (size_t i = 0; i < I->npending; i++)
        free(I->pending[i]);
    free(I->pending);
    os_script_free(I->os);       /* before the machine: it holds the other CPUs' backends over its memory */
    if (I->m.be && I->opts->mismatch_cycle)
        *I->opts->mismatch_cycle = backend_mismatch_cycle(I->m.be);
    machine_release(&I->m);
}

int script_run_stream(const script_opts_t *opts, FILE *in, const char *name)
{
    interp_t *I = calloc(1, sizeof *I);
    FILE *err = opts->err ? opts->err : stderr;
    if (opts->mismatch_cycle)
        *opts->mismatch_cycle = -1;
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
        I->jsonl = outfile_open(opts->jsonl_path);
        if (!I->jsonl) {
            sc_fail(I, "cannot open JSONL output %s: %s", opts->jsonl_path, strerror(errno));
            free(I);
            return 1;
        }
    }

    /* one bounded line at a time (model/linereader.h): no input makes this allocate */
    line_reader_t *lr = malloc(sizeof *lr);
    if (!lr) {
        sc_fail(I, "out of memory");
        if (I->jsonl)
            fclose(I->jsonl);
        free(I);
        return 1;
    }
    line_reader_init(lr, in);
    char *toks[SCRIPT_MAX_TOKENS];
    line_status_t st;
    while (rc == 0 && (st = line_reader_next(lr)) != LINE_EOF) {
        I->line = lr->line_no;
        if (st != LINE_OK) {
            char why[96];
            if (st == LINE_ERROR)
                I->line++;
            rc = sc_fail(I, "%s", line_status_text(st, errno, why, sizeof why));
            break;
        }
        int n = script_tokenize(lr->buf, toks, SCRIPT_MAX_TOKENS);
        if (n < 0)
            rc = sc_fail(I, "too many words on one line (at most %d)", SCRIPT_MAX_TOKENS);
        else if (n > 0)
            rc = run_line(I, toks, n);
    }
    free(lr);
    if (rc == 0) {
        I->line = 0;
        if (!I->m.be)
            rc = ensure_mmu(I);   /* a script of config lines still validates them */
        if (rc == 0)
            rc = sc_sync_all(I);
        if (rc == 0 && backend_finish(I->m.be) != 0)
            rc = sc_fail(I, "%s backend: end-of-run check failed (details above)", backend_kind_name(I->m.be->kind));
    }
    if (rc == 0)
        fprintf(I->out, "%s: ok (%" PRIu64 " accesses, %" PRIu64 " control operations, %" PRIu64 " checks)\n",
                name, I->naccess, I->nctrl, I->nchecks);
    if (rc == 0)
        sc_report_os(I);
    if (rc == 0 && I->opts->backend == BACKEND_COSIM)   /* the words of `mmulab demo` */
        fprintf(I->out, "%s\n", BACKEND_LOCKSTEP_AGREED);
    if (I->jsonl && outfile_close(I->jsonl) != 0 && rc == 0)
        rc = sc_fail(I, "JSONL: write to %s failed: %s", opts->jsonl_path, strerror(errno));
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
