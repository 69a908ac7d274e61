/* Digests of results (FNV-1a over every field, in submission order), the digest of a
 * JSONL stream (read with sim/core/record.h), and the replay of a log through the script
 * interpreter, whose digest must equal the run's. */
#include "stimgen_int.h"

/* ========================================================================= */
/* Digest                                                                     */
/* ========================================================================= */

static uint64_t fnv(uint64_t h, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t sg_digest_access(uint64_t h, const dig_access_t *d)
{
    const uint64_t *f = &d->seq;
    h = fnv(h, 'A');
    for (size_t i = 0; i < sizeof *d / sizeof *f; i++)
        h = fnv(h, f[i]);
    return h;
}

uint64_t sg_digest_ctrl(uint64_t h, const dig_ctrl_t *d)
{
    const uint64_t *f = &d->kind;
    h = fnv(h, 'C');
    for (size_t i = 0; i < sizeof *d / sizeof *f; i++)
        h = fnv(h, f[i]);
    return h;
}

void sg_dig_from_result(dig_access_t *d, const mmu_req_t *q, const mmu_result_t *r)
{
    *d = (dig_access_t){
        .seq = r->seq, .va = r->va, .access = r->access, .cpl = r->cpl, .ac = q->ac, .implicit = q->implicit,
        .port = r->port, .fault = r->fault, .ec = r->error_code, .pa = r->fault == FAULT_NONE ? r->pa : 0,
        .cr2 = r->cr2, .issue = r->issue_cycle, .accept = r->accept_cycle, .complete = r->complete_cycle,
        .tlb = r->tlb_hit, .pwc = r->pwc_hit, .shift = r->page_shift, .walked = r->walked,
        .assist = r->dirty_assist, .reads = r->mem_reads, .writes = r->mem_writes,
    };
}

void sg_dig_from_ctrl(dig_ctrl_t *d, uint64_t seq, const mmu_ctrl_t *op, const mmu_ctrl_result_t *r)
{
    *d = (dig_ctrl_t){
        .kind = op->kind, .seq = seq, .fault = r->fault, .issue = r->issue_cycle, .accept = r->accept_cycle,
        .complete = r->complete_cycle, .reads = r->mem_reads, .tlb_inv = r->tlb_invalidated,
        .pwc_inv = r->pwc_invalidated,
    };
    if (op->kind == CTRL_INVLPG) {
        d->va = op->va;
    } else if (op->kind == CTRL_INVPCID) {
        d->type = op->invpcid_type;
        d->pcid = op->pcid;
        d->va = op->va;
    } else {
        d->value = op->value;
    }
}

/* --- JSONL (the script interpreter's output, sim/core/record.h) ------------------- */

static int digest_record_line(const char *line, uint64_t *h)
{
    record_t rec;
    if (record_parse(line, &rec) != 0)
        return -1;
    if (rec.kind == RECORD_CTRL) {
        dig_ctrl_t d;
        sg_dig_from_ctrl(&d, rec.seq, &rec.op, &rec.cres);
        *h = sg_digest_ctrl(*h, &d);
    } else {
        dig_access_t d;
        sg_dig_from_result(&d, &rec.req, &rec.res);
        *h = sg_digest_access(*h, &d);
    }
    return 0;
}

int sg_digest_jsonl(FILE *in, uint64_t *digest, char *err, size_t errlen)
{
    char *line = NULL;
    size_t cap = 0;
    uint64_t h = FNV_INIT, n = 0;
    int rc = 0;
    while (getline(&line, &cap, in) >= 0) {
        n++;
        if (digest_record_line(line, &h) < 0) {
            snprintf(err, errlen, "JSONL line %" PRIu64 ": not a result object the digest knows", n);
            rc = -1;
            break;
        }
    }
    free(line);
    *digest = h;
    return rc;
}

int sg_replay(const char *log, size_t len, backend_kind_t backend, uint64_t *digest, char *err, size_t errlen)
{
    const char *tmpdir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/mmulab-replay-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, errlen, "replay: cannot create a temporary file in %s: %s",
                 tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(errno));
        return -1;
    }
    close(fd);
    FILE *in = fmemopen((void *)log, len, "r");
    FILE *out = fopen("/dev/null", "w");
    char *ebuf = NULL;
    size_t elen = 0;
    FILE *ef = open_memstream(&ebuf, &elen);
    int rc = -1;
    if (!in || !out || !ef) {
        snprintf(err, errlen, "replay: cannot open streams: %s", strerror(errno));
    } else {
        mmu_config_t base;
        config_defaults(&base);
        script_opts_t so = {.path = "log", .base = &base, .jsonl_path = path, .backend = backend, .out = out,
                            .err = ef};
        int src = script_run_stream(&so, in, "log");
        fflush(ef);
        if (src != 0) {
            int n = (int)(elen && ebuf[elen - 1] == '\n' ? elen - 1 : elen);
            snprintf(err, errlen, "replay through the script interpreter failed: %.*s", n, ebuf ? ebuf : "");
        } else {
            FILE *j = fopen(path, "r");
            if (!j)
                snprintf(err, errlen, "replay: cannot read %s: %s", path, strerror(errno));
            else {
                rc = sg_digest_jsonl(j, digest, err, errlen);
                fclose(j);
            }
        }
    }
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    if (ef)
        fclose(ef);
    free(ebuf);
    unlink(path);
    return rc;
}
