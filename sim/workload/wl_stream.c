/* The request stream of a workload: a pure function of its knobs and seed (uniform, hotcold,
 * stride, seq, zipf, chase addresses; the read/write/fetch mix), and its one-line description. */
#include "workload_int.h"

void wl_rewind(workload_t *w)
{
    w->map_failed = false;
    rng_seed(&w->rng, w->p.seed);
    w->produced = 0;
    w->stride_off = 0;
    w->chase_cur = 0;
}

int wl_next(workload_t *w, mmu_req_t *req)
{
    const wl_params_t *p = &w->p;
    if (w->produced >= p->ops)
        return -1;
    uint64_t off;
    switch (p->kind) {
    case WL_HOTCOLD:
        if (rng_double(&w->rng) < p->hot_frac)
            off = w->hot[rng_below(&w->rng, w->nhot)] + (rng_below(&w->rng, 4096) & ~7ull);
        else
            off = rng_below(&w->rng, p->region_bytes) & ~7ull;
        break;
    case WL_STRIDE:
        off = w->stride_off;
        w->stride_off = (w->stride_off + p->stride_bytes % p->region_bytes) % p->region_bytes;
        break;
    case WL_SEQ:   /* every 8-byte word in order, wrapping */
        off = w->stride_off;
        w->stride_off = (w->stride_off + 8) % p->region_bytes;
        break;
    case WL_ZIPF: {
        uint64_t page = wl_zipf_page(wl_zipf_rank(w->zipf_cdf, w->npages4k, rng_double(&w->rng)), w->npages4k);
        off = (page << 12) + (rng_below(&w->rng, 4096) & ~7ull);
        break;
    }
    case WL_CHASE:   /* one line of each page, the line varying with the page (cache sets spread) */
        off = (w->chase_cur << 12) + ((w->chase_cur & 63) << 6);
        w->chase_cur = w->chase_next[w->chase_cur];
        break;
    default:
        off = rng_below(&w->rng, p->region_bytes) & ~7ull;
        break;
    }
    const double u = rng_double(&w->rng);
    mmu_access_t acc = u < p->frac_exec ? ACC_EXEC
                     : u < p->frac_exec + p->frac_write ? ACC_WRITE : ACC_READ;
    if (w->lazy) {
        uint64_t s = off >> w->lshift;
        if (!w->mapped[s] && wl_map_slot(w, s) != 0) {
            w->map_failed = true;
            return -1;
        }
    }
    memset(req, 0, sizeof *req);
    req->va = p->va_base + off;
    req->access = acc;
    req->cpl = p->user ? 3 : 0;
    w->produced++;
    return 0;
}

void wl_describe(const workload_t *w, char *buf, size_t len)
{
    const wl_params_t *p = &w->p;
    char region[32], extra[96] = "";
    wl_format_size(p->region_bytes, region, sizeof region);
    if (p->kind == WL_HOTCOLD) {
        char hot[32];
        snprintf(extra, sizeof extra, " hot=%s(%" PRIu64 " pages)/%.0f%%",
                 wl_format_size(p->hot_bytes, hot, sizeof hot), w->nhot, p->hot_frac * 100);
    } else if (p->kind == WL_STRIDE) {
        char st[32];
        snprintf(extra, sizeof extra, " stride=%s", wl_format_size(p->stride_bytes, st, sizeof st));
    } else if (p->kind == WL_ZIPF) {
        snprintf(extra, sizeof extra, " s=%g", p->zipf_s);
    }
    char issue[48];
    if (p->issue == WL_ISSUE_SERIAL)
        snprintf(issue, sizeof issue, "serial");
    else
        snprintf(issue, sizeof issue, "overlap(interval=%u,batch=%u)", p->interval, p->batch);
    snprintf(buf, len,
             "workload: %s%s mode=%s region=%s base=0x%" PRIx64 " pages 4k=%" PRIu64 " %s=%" PRIu64
             " 1g=%" PRIu64 "%s r:w:x=%.0f:%.0f:%.0f cpl=%d ops=%" PRIu64 " seed=%" PRIu64 " issue=%s",
             wl_kind_name(p->kind), extra, names_mode(p->mode), region, p->va_base,
             w->pages[PSC_4K], p->mode == PAGING_32 ? "4m" : "2m", w->pages[PSC_2M], w->pages[PSC_1G],
             w->lazy ? " (mapped lazily)" : "",
             (1 - p->frac_write - p->frac_exec) * 100, p->frac_write * 100, p->frac_exec * 100,
             p->user ? 3 : 0, p->ops, p->seed, issue);
}
