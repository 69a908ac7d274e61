/* `expect`: checks of the last access or control operation (or `seq N`), of the
 * architectural state, and of memory; a failed check names the field, the value wanted
 * and the value got. */
#include "script_int.h"

/* --- expect ---------------------------------------------------------------- */

static bool is_arch_field(script_field_t f)
{
    return f == XF_CR0 || f == XF_CR3 || f == XF_CR4 || f == XF_EFER || f == XF_MODE || f == XF_PCID ||
           f == XF_PKRU || f == XF_PKRS;
}

static int check_one(interp_t *I, const script_check_t *c, const access_rec_t *acc, const ctrl_rec_t *ctl)
{
    const char *fname = script_field_name(c->field);
    uint64_t got = 0;
    bool have = true;
    char wbuf[48], gbuf[64];

    if (is_arch_field(c->field)) {
        mmu_arch_t st;
        backend_arch_state(I->m.be, &st);
        switch (c->field) {
        case XF_CR0: got = st.cr0; break;
        case XF_CR3: got = st.cr3; break;
        case XF_CR4: got = st.cr4; break;
        case XF_EFER: got = st.efer; break;
        case XF_MODE: got = st.mode; break;
        case XF_PKRU: got = st.pkru; break;
        case XF_PKRS: got = st.pkrs; break;
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
            backend_arch_state(I->m.be, &st);
            got = st.cr2;
            break;
        }
        default:
            return sc_fail(I, "expect %s: the last operation (line %u) is %s, not an access", fname, ctl->line,
                        names_ctrl(ctl->op.kind));
        }
    } else {
        return sc_fail(I, "expect %s: no access or control operation yet", fname);
    }

    I->nchecks++;
    if (have && got == c->value)
        return 0;
    script_format_value(c->field, c->value, wbuf, sizeof wbuf);
    if (!have)
        snprintf(gbuf, sizeof gbuf, "none (fault %s)", names_fault(acc->res.fault));
    else
        script_format_value(c->field, got, gbuf, sizeof gbuf);
    return sc_fail(I, "expect %s: expected %s, got %s", fname, wbuf, gbuf);
}

int sc_cmd_expect(interp_t *I, char **toks, int n)
{
    char err[SCRIPT_ERR_LEN];
    script_check_t checks[SCRIPT_MAX_TOKENS / 2];
    if (n >= 2 && strcmp(toks[1], "entry") == 0)
        return sc_expect_entry(I, toks, n);
    int at = 1;
    const access_rec_t *acc = NULL;
    const ctrl_rec_t *ctl = NULL;
    uint64_t seq = 0;
    bool by_seq = false;
    if (n >= 2 && strcmp(toks[1], "seq") == 0) {
        if (sc_number_arg(I, "expect seq", "N", n > 2 ? toks[2] : NULL, &seq) < 0)
            return -1;
        by_seq = true;
        at = 3;
    }
    int nc = script_parse_checks(toks + at, n - at, checks, (int)(sizeof checks / sizeof checks[0]), err);
    if (nc < 0)
        return sc_fail(I, "%s", err);
    if (sc_sync_all(I) < 0)
        return -1;
    if (by_seq) {
        size_t k = seq % HISTORY;
        if (!I->hist_valid[k] || I->hist[k].res.seq != seq)
            return sc_fail(I, "expect seq %" PRIu64 ": no such access (%" PRIu64 " submitted; the last %d are kept)",
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
