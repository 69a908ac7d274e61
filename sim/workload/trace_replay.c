/* Trace replay on the model (trace_replay.h). Flow per access: one
 * mmu_translate; a not-present #PF (the page's first touch) maps the page and
 * translates again, so the page tables hold exactly the pages touched.
 * The memory and the model backend are owned by a machine_t (machine.h); the
 * loop calls the model behind it directly (backend_model), as the workloads'
 * fast path does, so the benchmark measures the model without the dispatch. */
#include "trace_replay.h"

#include "machine.h"
#include "names.h"
#include "ptbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLAY_FRAME_BASE 0x00100000ull  /* page-table frames: 1 MiB .. 1 GiB */
#define REPLAY_FRAME_LIMIT 0x40000000ull

struct replay {
    machine_t m;
    ptbuild_t pt;
    mmu_t *mmu;                  /* the model behind m.be */
    bool feed_data;
    uint64_t pa_mask;
};

static int control(replay_t *r, mmu_ctrl_kind_t kind, uint64_t value, char *err)
{
    mmu_ctrl_t op = { .kind = kind, .value = value, .issue_cycle = mmu_horizon(r->mmu) };
    mmu_ctrl_result_t res;
    if (mmu_control(r->mmu, &op, &res) != 0 || res.fault != FAULT_NONE) {
        snprintf(err, REPLAY_ERR_LEN, "replay: entering 4level paging failed (%s)", names_ctrl(kind));
        return -1;
    }
    return 0;
}

replay_t *replay_create(const mmu_config_t *cfg, bool feed_data, char *err)
{
    replay_t *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, REPLAY_ERR_LEN, "replay: out of memory");
        return NULL;
    }
    char cerr[CONFIG_ERR_LEN];
    r->feed_data = feed_data;
    r->pa_mask = (1ull << cfg->maxphyaddr) - 1;
    if (machine_init(&r->m, (unsigned)cfg->maxphyaddr, REPLAY_FRAME_BASE, REPLAY_FRAME_LIMIT, cerr) != 0) {
        snprintf(err, REPLAY_ERR_LEN, "replay: %s", cerr);
        replay_destroy(r);
        return NULL;
    }
    if (ptb_init(&r->pt, r->m.mem, PAGING_4LEVEL) != 0) {
        snprintf(err, REPLAY_ERR_LEN, "replay: no frame for the PML4");
        replay_destroy(r);
        return NULL;
    }
    if (machine_start(&r->m, BACKEND_MODEL, cfg, NULL, cerr) != 0) {
        snprintf(err, REPLAY_ERR_LEN, "replay: %s", cerr);
        replay_destroy(r);
        return NULL;
    }
    r->mmu = backend_model(r->m.be);
    if (control(r, CTRL_EFER, EFER_LME | EFER_NXE, err) || control(r, CTRL_CR4, CR4_PAE, err) ||
        control(r, CTRL_CR3, ptb_cr3(&r->pt), err) || control(r, CTRL_CR0, CR0_PE | CR0_WP | CR0_PG, err)) {
        replay_destroy(r);
        return NULL;
    }
    mmu_clear_stats(r->mmu);
    return r;
}

void replay_destroy(replay_t *r)
{
    if (!r)
        return;
    machine_release(&r->m);
    free(r);
}

mmu_t *replay_mmu(replay_t *r)
{
    return r->mmu;
}

/* Maps the 4 KiB page of va by identity after a not-present #PF (as a demand-paging OS would). */
static int map_page(replay_t *r, vaddr_t va, replay_stats_t *st, char *err)
{
    vaddr_t page = va & ~0xfffull;
    if (ptb_map(&r->pt, page, page & r->pa_mask, 12, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D,
                PTB_TABLE_FLAGS) != 0) {
        snprintf(err, REPLAY_ERR_LEN, "replay: cannot map the page of 0x%llx (out of page-table frames?)",
                 (unsigned long long)va);
        return -1;
    }
    st->pages_mapped++;
    return 0;
}

int replay_run(replay_t *r, trace_t *t, uint64_t limit, replay_stats_t *st, char *err)
{
    trace_access_t a;
    mmu_req_t req;
    mmu_result_t res;
    memset(&req, 0, sizeof req);
    req.cpl = 3;
    for (uint64_t n = 0; limit == 0 || n < limit; n++) {
        int rc = trace_next(t, &a);
        if (rc == 0)
            break;
        if (rc < 0) {
            snprintf(err, REPLAY_ERR_LEN, "%s", trace_error(t));
            return -1;
        }
        req.va = a.va;
        req.access = a.access;
        for (int attempt = 0;; attempt++) {
            req.issue_cycle = mmu_horizon(r->mmu);
            if (mmu_translate(r->mmu, &req, &res) != 0) {
                snprintf(err, REPLAY_ERR_LEN, "replay: the model rejected access %llu",
                         (unsigned long long)st->accesses);
                return -1;
            }
            /* first touch: a not-present #PF; map the page and translate again */
            if (attempt > 0 || res.fault != FAULT_PF || (res.error_code & PFEC_P))
                break;
            if (map_page(r, a.va, st, err) != 0)
                return -1;
        }
        st->accesses++;
        st->by_kind[a.access]++;
        if (res.fault != FAULT_NONE) {
            st->faults++;
            continue;
        }
        st->checksum += res.pa;
        if (r->feed_data && a.access != ACC_EXEC)
            mmu_data_access(r->mmu, res.pa, a.access == ACC_WRITE);
    }
    return 0;
}
