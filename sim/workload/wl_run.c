/* Running a workload's stream on its backend with the serial or overlapped issue policy,
 * and the accounting of the run (accesses by kind, faults, PA mismatches, span, time). */
#include "workload_int.h"
#include "hostclock.h"

static void account(workload_t *w, wl_run_t *o, const mmu_req_t *req, const mmu_result_t *res,
                    wl_result_fn fn, void *ctx)
{
    o->ops++;
    o->by_access[req->access]++;
    if (res->fault != FAULT_NONE)
        o->faults++;
    else if (res->pa != wl_expected_pa(w, req->va))
        o->pa_mismatches++;
    if (res->complete_cycle > o->last_complete)
        o->last_complete = res->complete_cycle;
    if (fn)
        fn(ctx, req, res);
}

int wl_run(workload_t *w, wl_result_fn fn, void *ctx, wl_run_t *out, char *err)
{
    wl_run_t o;
    memset(&o, 0, sizeof o);
    if (!w->m.be) {
        wl_errf(err, "workload has no MMU");
        return -1;
    }
    backend_t *m = w->m.be;
    const double t0 = host_seconds();
    o.first_issue = backend_horizon(m);
    int rc = 0;
    mmu_req_t req;
    mmu_result_t res;

    if (w->p.issue == WL_ISSUE_SERIAL) {
        while (wl_next(w, &req) == 0) {
            req.issue_cycle = backend_horizon(m);
            if (backend_translate(m, &req, &res) != 0) {
                wl_errf(err, "op %" PRIu64 " at cycle %" PRIu64 " was rejected, or the backend diverged", o.ops,
                     req.issue_cycle);
                rc = -1;
                break;
            }
            account(w, &o, &req, &res, fn, ctx);
        }
    } else {
        const unsigned B = w->p.batch;
        mmu_req_t *reqs = malloc(B * sizeof *reqs);
        mmu_result_t *ress = malloc(B * sizeof *ress);
        if (!reqs || !ress) {
            free(reqs);
            free(ress);
            wl_errf(err, "out of memory");
            return -1;
        }
        cycle_t next[MMU_MAX_PORTS], last = backend_horizon(m);
        next[PORT_D] = next[PORT_I] = last;
        bool more = true;
        while (more && rc == 0) {
            const cycle_t h = backend_horizon(m);
            if (last < h) last = h;
            unsigned n = 0;
            while (n < B && (more = wl_next(w, &reqs[n]) == 0)) {
                const int port = (w->two_ports && reqs[n].access == ACC_EXEC) ? PORT_I : PORT_D;
                cycle_t t = next[port] > last ? next[port] : last;
                reqs[n].issue_cycle = t;
                if (backend_submit(m, &reqs[n], &ress[n]) != 0) {
                    wl_errf(err, "submit rejected op %" PRIu64 " at cycle %" PRIu64, o.ops + n, t);
                    rc = -1;
                    break;
                }
                next[port] = t + w->p.interval;
                last = t;
                n++;
            }
            if (backend_sync(m) != 0) {
                wl_errf(err, "the %s backend diverged in the batch ending at op %" PRIu64,
                     backend_kind_name(m->kind), o.ops + n);
                rc = -1;
                break;
            }
            for (unsigned i = 0; i < n; i++)
                account(w, &o, &reqs[i], &ress[i], fn, ctx);
        }
        free(reqs);
        free(ress);
    }
    o.seconds = host_seconds() - t0;
    if (rc == 0 && backend_finish(m) != 0) {
        wl_errf(err, "the %s backend's end-of-run check failed", backend_kind_name(m->kind));
        rc = -1;
    }
    if (rc == 0 && w->map_failed) {
        wl_errf(err, "lazy mapping failed after %" PRIu64 " ops (out of page-table frames?)", o.ops);
        rc = -1;
    }
    if (out)
        *out = o;
    return rc;
}
