/* The JSONL record of sim/core/record.h: the writer and its reader side by side,
 * so a field added to one is added to the other. */
#include "record.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "names.h"

static void put_hex(cJSON *o, const char *key, uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    cJSON_AddStringToObject(o, key, buf);
}

static void put_access(cJSON *o, const record_t *rec)
{
    const mmu_result_t *r = &rec->res;
    cJSON_AddStringToObject(o, "op", "access");
    cJSON_AddNumberToObject(o, "seq", (double)r->seq);
    cJSON_AddNumberToObject(o, "line", rec->line);
    put_hex(o, "va", r->va);
    if (r->fault == FAULT_NONE)
        put_hex(o, "pa", r->pa);
    else
        cJSON_AddNullToObject(o, "pa");
    cJSON_AddStringToObject(o, "access", names_access(r->access));
    cJSON_AddNumberToObject(o, "cpl", r->cpl);
    cJSON_AddBoolToObject(o, "ac", rec->req.ac);
    cJSON_AddBoolToObject(o, "implicit", rec->req.implicit);
    cJSON_AddStringToObject(o, "port", names_port(r->port));
    cJSON_AddStringToObject(o, "fault", names_fault(r->fault));
    cJSON_AddNumberToObject(o, "error_code", r->error_code);
    put_hex(o, "cr2", r->cr2);
    cJSON_AddNumberToObject(o, "issue", (double)r->issue_cycle);
    cJSON_AddNumberToObject(o, "accept", (double)r->accept_cycle);
    cJSON_AddNumberToObject(o, "complete", (double)r->complete_cycle);
    cJSON_AddNumberToObject(o, "latency", (double)(r->complete_cycle - r->issue_cycle));
    cJSON_AddStringToObject(o, "tlb", names_tlb(r->tlb_hit));
    cJSON_AddNumberToObject(o, "pwc_level", r->pwc_hit);
    cJSON_AddNumberToObject(o, "page_size", r->page_shift ? (double)(1ull << r->page_shift) : 0);
    cJSON_AddBoolToObject(o, "walked", r->walked);
    cJSON_AddBoolToObject(o, "dirty_assist", r->dirty_assist);
    cJSON_AddNumberToObject(o, "mem_reads", r->mem_reads);
    cJSON_AddNumberToObject(o, "mem_writes", r->mem_writes);
}

static void put_ctrl(cJSON *o, const record_t *rec)
{
    const mmu_ctrl_t *op = &rec->op;
    const mmu_ctrl_result_t *r = &rec->cres;
    cJSON_AddStringToObject(o, "op", names_ctrl(op->kind));
    cJSON_AddNumberToObject(o, "seq", (double)rec->seq);
    cJSON_AddNumberToObject(o, "line", rec->line);
    switch (op->kind) {
    case CTRL_INVPCID:
        cJSON_AddNumberToObject(o, "type", op->invpcid_type);
        put_hex(o, "pcid", op->pcid);
        put_hex(o, "va", op->va);
        break;
    case CTRL_INVLPG:
        put_hex(o, "va", op->va);
        break;
    default:
        put_hex(o, "value", op->value);
        break;
    }
    cJSON_AddStringToObject(o, "fault", names_fault(r->fault));
    cJSON_AddNumberToObject(o, "issue", (double)r->issue_cycle);
    cJSON_AddNumberToObject(o, "accept", (double)r->accept_cycle);
    cJSON_AddNumberToObject(o, "complete", (double)r->complete_cycle);
    cJSON_AddNumberToObject(o, "latency", (double)(r->complete_cycle - r->issue_cycle));
    cJSON_AddNumberToObject(o, "mem_reads", r->mem_reads);
    cJSON_AddNumberToObject(o, "tlb_invalidated", r->tlb_invalidated);
    cJSON_AddNumberToObject(o, "pwc_invalidated", r->pwc_invalidated);
}

int record_write(FILE *f, const record_t *r, char *err)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) {
        snprintf(err, RECORD_ERR_LEN, "JSONL: out of memory");
        return -1;
    }
    if (r->kind == RECORD_ACCESS)
        put_access(o, r);
    else
        put_ctrl(o, r);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) {
        snprintf(err, RECORD_ERR_LEN, "JSONL: out of memory");
        return -1;
    }
    int rc = fprintf(f, "%s\n", s);
    cJSON_free(s);
    if (rc < 0) {
        snprintf(err, RECORD_ERR_LEN, "JSONL: write failed: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* --- reading ------------------------------------------------------------------ */

/* A number, a bool (0/1), null (0) or a "0x.." string. */
static int get_u64(const cJSON *o, const char *key, uint64_t *v)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsNumber(j) && j->valuedouble >= 0) {
        *v = (uint64_t)j->valuedouble;
        return 0;
    }
    if (cJSON_IsBool(j)) {
        *v = cJSON_IsTrue(j);
        return 0;
    }
    if (cJSON_IsNull(j)) {
        *v = 0;
        return 0;
    }
    if (cJSON_IsString(j)) {
        char *end;
        errno = 0;
        unsigned long long x = strtoull(j->valuestring, &end, 0);
        if (errno == 0 && end != j->valuestring && *end == '\0' && j->valuestring[0] != '-') {
            *v = x;
            return 0;
        }
    }
    return -1;
}

static int get_name(const cJSON *o, const char *key, const names_table_t *t, int64_t *v)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(j) ? names_parse(t, j->valuestring, v) : -1;
}

static int parse_access(const cJSON *o, record_t *rec)
{
    mmu_result_t *r = &rec->res;
    uint64_t seq, line, va, pa, cpl, ac, imp, ec, cr2, issue, accept, complete, pwc, size, walked, assist, rd, wr;
    int64_t access, port, fault, tlb;
    int rc = get_u64(o, "seq", &seq) | get_u64(o, "line", &line) | get_u64(o, "va", &va) | get_u64(o, "pa", &pa) |
             get_name(o, "access", &NAMES_ACCESS, &access) | get_u64(o, "cpl", &cpl) | get_u64(o, "ac", &ac) |
             get_u64(o, "implicit", &imp) | get_name(o, "port", &NAMES_PORT, &port) |
             get_name(o, "fault", &NAMES_FAULT, &fault) | get_u64(o, "error_code", &ec) | get_u64(o, "cr2", &cr2) |
             get_u64(o, "issue", &issue) | get_u64(o, "accept", &accept) | get_u64(o, "complete", &complete) |
             get_name(o, "tlb", &NAMES_TLB, &tlb) | get_u64(o, "pwc_level", &pwc) | get_u64(o, "page_size", &size) |
             get_u64(o, "walked", &walked) | get_u64(o, "dirty_assist", &assist) | get_u64(o, "mem_reads", &rd) |
             get_u64(o, "mem_writes", &wr);
    if (rc)
        return -1;
    unsigned shift = 0;
    while (size > 1) {
        size >>= 1;
        shift++;
    }
    rec->kind = RECORD_ACCESS;
    rec->line = (unsigned)line;
    rec->seq = seq;
    rec->req = (mmu_req_t){ .va = va, .access = (mmu_access_t)access, .cpl = (uint8_t)cpl, .ac = ac, .implicit = imp,
                            .issue_cycle = issue };
    *r = (mmu_result_t){
        .seq = seq, .va = va, .access = (mmu_access_t)access, .cpl = (uint8_t)cpl, .port = (mmu_port_t)port,
        .pa = pa, .fault = (mmu_fault_t)fault, .error_code = (uint32_t)ec, .cr2 = cr2, .issue_cycle = issue,
        .accept_cycle = accept, .complete_cycle = complete, .tlb_hit = (tlb_hit_t)tlb, .pwc_hit = (uint8_t)pwc,
        .page_shift = (uint8_t)shift, .walked = walked, .dirty_assist = assist, .mem_reads = (uint16_t)rd,
        .mem_writes = (uint16_t)wr,
    };
    return 0;
}

static int parse_ctrl(const cJSON *o, int64_t kind, record_t *rec)
{
    uint64_t seq, line, issue, accept, complete, rd, tinv, pinv, value = 0, va = 0, type = 0, pcid = 0;
    int64_t fault;
    int rc = get_u64(o, "seq", &seq) | get_u64(o, "line", &line) | get_name(o, "fault", &NAMES_FAULT, &fault) |
             get_u64(o, "issue", &issue) | get_u64(o, "accept", &accept) | get_u64(o, "complete", &complete) |
             get_u64(o, "mem_reads", &rd) | get_u64(o, "tlb_invalidated", &tinv) |
             get_u64(o, "pwc_invalidated", &pinv);
    if (kind == CTRL_INVLPG)
        rc |= get_u64(o, "va", &va);
    else if (kind == CTRL_INVPCID)
        rc |= get_u64(o, "type", &type) | get_u64(o, "pcid", &pcid) | get_u64(o, "va", &va);
    else
        rc |= get_u64(o, "value", &value);
    if (rc)
        return -1;
    rec->kind = RECORD_CTRL;
    rec->line = (unsigned)line;
    rec->seq = seq;
    rec->op = (mmu_ctrl_t){ .kind = (mmu_ctrl_kind_t)kind, .value = value, .va = va, .invpcid_type = (unsigned)type,
                            .pcid = pcid, .issue_cycle = issue };
    rec->cres = (mmu_ctrl_result_t){ .fault = (mmu_fault_t)fault, .issue_cycle = issue, .accept_cycle = accept,
                                     .complete_cycle = complete, .mem_reads = (uint16_t)rd,
                                     .tlb_invalidated = (uint32_t)tinv, .pwc_invalidated = (uint32_t)pinv };
    return 0;
}

int record_parse(const char *line, record_t *rec)
{
    cJSON *o = cJSON_Parse(line);
    if (!o)
        return -1;
    *rec = (record_t){0};
    int64_t kind;
    int rc;
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(o, "op");
    if (get_name(o, "op", &NAMES_CTRL, &kind) == 0)
        rc = parse_ctrl(o, kind, rec);
    else if (cJSON_IsString(op) && strcmp(op->valuestring, "access") == 0)
        rc = parse_access(o, rec);
    else
        rc = -1;
    cJSON_Delete(o);
    return rc;
}
