/* What a script run writes: one readable line per operation, one JSONL record per
 * operation (sim/core/record.h), the OS layer's counters as a last JSONL line, and the
 * `print` command (registers, statistics). */
#include "script_int.h"

/* --- output ---------------------------------------------------------------- */

static int emit_record(interp_t *I, const record_t *rec)
{
    char err[RECORD_ERR_LEN];
    return record_write(I->jsonl, rec, err) == 0 ? 0 : sc_fail(I, "%s", err);
}

int sc_report_access(interp_t *I, const access_rec_t *a)
{
    const mmu_result_t *r = &a->res;
    const char *pwc = r->pwc_hit == 0 ? "-" : names_format(&NAMES_PWC, r->pwc_hit);
    fprintf(I->out, "#%" PRIu64 " %c %-2s va=0x%016" PRIx64 " cpl%u%s%s -> ", r->seq,
            r->port == PORT_I ? 'I' : 'D', names_access(r->access), r->va, (unsigned)r->cpl,
            a->ac ? " ac" : "", a->implicit ? " implicit" : "");
    if (r->fault == FAULT_NONE)
        fprintf(I->out, "pa=0x%016" PRIx64 " %s", r->pa, names_size(r->page_shift));
    else if (r->fault == FAULT_PF)
        fprintf(I->out, "#PF ec=0x%x cr2=0x%016" PRIx64, (unsigned)r->error_code, r->cr2);
    else
        fprintf(I->out, "#GP");
    fprintf(I->out, " %s pwc=%s walk=%s%s rd=%u wr=%u cyc %" PRIu64 "->%" PRIu64 " (%" PRIu64,
            names_tlb(r->tlb_hit), pwc, r->walked ? "yes" : "no", r->dirty_assist ? " assist" : "",
            (unsigned)r->mem_reads, (unsigned)r->mem_writes, r->issue_cycle, r->complete_cycle,
            r->complete_cycle - r->issue_cycle);
    if (r->accept_cycle != r->issue_cycle)
        fprintf(I->out, ", accepted %" PRIu64, r->accept_cycle);
    fprintf(I->out, ")\n");

    if (!I->jsonl)
        return 0;
    record_t rec = { .kind = RECORD_ACCESS, .line = a->line, .req = { .ac = a->ac, .implicit = a->implicit }, .res = *r };
    return emit_record(I, &rec);
}

/* After a successful run with an OS booted: its counters as one {"op":"os",...} line, the
 * last of the JSONL file. It sums up the run rather than recording an operation, so it is
 * not a record_t (record_parse does not take it). */
void sc_report_os(interp_t *I)
{
    char *os_json = I->jsonl ? os_script_json(I->os) : NULL;
    if (!os_json)
        return;
    fprintf(I->jsonl, "%s\n", os_json);   /* a failed write shows at the fclose */
    free(os_json);
}

int sc_report_ctrl(interp_t *I, const ctrl_rec_t *c)
{
    const mmu_ctrl_t *op = &c->op;
    const mmu_ctrl_result_t *r = &c->res;
    fprintf(I->out, "%s ", names_ctrl(op->kind));
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
    fprintf(I->out, " -> %s", r->fault == FAULT_NONE ? "ok" : r->fault == FAULT_GP ? "#GP" : r->fault == FAULT_UD ? "#UD" : "#PF");
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
    record_t rec = { .kind = RECORD_CTRL, .line = c->line, .seq = c->seq, .op = *op, .cres = *r };
    return emit_record(I, &rec);
}

/* --- print ----------------------------------------------------------------- */

static uint64_t sum3(const uint64_t v[NUM_PSC])
{
    return v[0] + v[1] + v[2];
}

static void print_stats(interp_t *I)
{
    const mmu_stats_t *s = backend_stats(I->m.be);
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
    fprintf(o, "stats: control ops %" PRIu64 " (#GP %" PRIu64 ", #UD %" PRIu64 ", PDPTE loads %" PRIu64 "); invalidated tlb %"
               PRIu64 " pwc %" PRIu64 "\n",
            s->ctrl_ops, s->ctrl_gp, s->ctrl_ud, s->pdpte_loads, s->flushes_tlb_entries, s->flushes_pwc_entries);
}

static void print_regs(interp_t *I)
{
    mmu_arch_t st;
    backend_arch_state(I->m.be, &st);
    fprintf(I->out, "regs: mode %s cr0=0x%" PRIx64 " cr2=0x%" PRIx64 " cr3=0x%" PRIx64 " cr4=0x%" PRIx64
                    " efer=0x%" PRIx64 " pcid=0x%x pkru=0x%x pkrs=0x%x horizon %" PRIu64 "\n",
            names_mode(st.mode), st.cr0, st.cr2, st.cr3, st.cr4, st.efer, (unsigned)st.pcid, (unsigned)st.pkru,
            (unsigned)st.pkrs,
            backend_horizon(I->m.be));
    if (st.mode == PAGING_PAE)
        fprintf(I->out, "regs: pdpte 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 "\n", st.pdpte[0],
                st.pdpte[1], st.pdpte[2], st.pdpte[3]);
}

int sc_cmd_print(interp_t *I, char **toks, int n)
{
    if (sc_need(I, "print", n, 2, "print stats|regs") < 0 || sc_no_more(I, "print", toks, n, 2, "print stats|regs") < 0)
        return -1;
    if (strcmp(toks[1], "stats") && strcmp(toks[1], "regs"))
        return sc_fail(I, "print: unknown '%.48s' (stats or regs)", toks[1]);
    if (sc_sync_all(I) < 0)
        return -1;
    if (toks[1][0] == 's')
        print_stats(I);
    else
        print_regs(I);
    return 0;
}
