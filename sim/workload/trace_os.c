/* A trace replayed as a process of the OS layer (trace_os.h): region inference over the
 * touched pages (an open-addressing set of page numbers with the union of their access
 * kinds), the process set-up, and the replay loop. */
#include "trace_os.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_4K_SHIFT 12
#define EMPTY_SLOT UINT64_MAX

typedef struct {
    uint64_t *page;              /* page number, EMPTY_SLOT when free */
    uint8_t *kinds;              /* bit per mmu_access_t seen */
    size_t cap, n;               /* cap a power of two, n < cap / 2 */
} page_set_t;

static size_t slot_of(uint64_t page, size_t cap)
{
    return (size_t)((page * 0x9e3779b97f4a7c15ull) >> 17) & (cap - 1);
}

static int set_grow(page_set_t *s)
{
    size_t cap = s->cap ? s->cap * 2 : 4096;
    uint64_t *page = malloc(cap * sizeof *page);
    uint8_t *kinds = calloc(cap, 1);
    if (!page || !kinds) {
        free(page);
        free(kinds);
        return -1;
    }
    for (size_t i = 0; i < cap; i++)
        page[i] = EMPTY_SLOT;
    for (size_t i = 0; i < s->cap; i++) {
        if (s->page[i] == EMPTY_SLOT)
            continue;
        size_t j = slot_of(s->page[i], cap);
        while (page[j] != EMPTY_SLOT)
            j = (j + 1) & (cap - 1);
        page[j] = s->page[i];
        kinds[j] = s->kinds[i];
    }
    free(s->page);
    free(s->kinds);
    s->page = page;
    s->kinds = kinds;
    s->cap = cap;
    return 0;
}

static int set_add(page_set_t *s, uint64_t page, mmu_access_t acc)
{
    if (2 * (s->n + 1) > s->cap && set_grow(s) < 0)
        return -1;
    size_t j = slot_of(page, s->cap);
    while (s->page[j] != EMPTY_SLOT && s->page[j] != page)
        j = (j + 1) & (s->cap - 1);
    if (s->page[j] == EMPTY_SLOT) {
        s->page[j] = page;
        s->n++;
    }
    s->kinds[j] |= (uint8_t)(1u << acc);
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* "FILE:LINE: " for lackey, "FILE: record N: " for ChampSim (as the readers' own errors). */
static void where(const trace_t *t, const char *name, char *buf, size_t len)
{
    unsigned long long pos = (unsigned long long)trace_position(t);
    if (trace_format(t) == TRACE_LACKEY)
        snprintf(buf, len, "%s:%llu", name, pos);
    else
        snprintf(buf, len, "%s: record %llu", name, pos);
}

int trace_infer_regions(trace_t *t, const char *name, uint64_t limit, vaddr_t task_size, trace_regions_t *out,
                        char *err)
{
    memset(out, 0, sizeof *out);
    page_set_t set = { 0 };
    uint64_t *pages = NULL;
    uint8_t *kinds = NULL;
    trace_access_t a;
    int rc = -1;
    for (uint64_t n = 0; limit == 0 || n < limit; n++) {
        int got = trace_next(t, &a);
        if (got == 0)
            break;
        if (got < 0) {
            snprintf(err, TRACE_OS_ERR_LEN, "%s", trace_error(t));
            goto done;
        }
        if (a.va >= task_size) {
            char at[300];
            where(t, name, at, sizeof at);
            snprintf(err, TRACE_OS_ERR_LEN, "%s: address 0x%" PRIx64 " is outside user space (TASK_SIZE_MAX 0x%" PRIx64
                     "): a trace holds one process's user accesses", at, a.va, task_size);
            goto done;
        }
        if (set_add(&set, a.va >> PAGE_4K_SHIFT, a.access) < 0)
            goto oom;
        out->accesses++;
    }
    /* the pages in address order, then runs of pages closer than the gap */
    pages = malloc((set.n ? set.n : 1) * sizeof *pages);
    kinds = malloc(set.n ? set.n : 1);
    out->r = malloc((set.n ? set.n : 1) * sizeof *out->r);
    if (!pages || !kinds || !out->r)
        goto oom;
    size_t k = 0;
    for (size_t i = 0; i < set.cap; i++)
        if (set.page[i] != EMPTY_SLOT)
            pages[k++] = set.page[i];
    qsort(pages, set.n, sizeof *pages, cmp_u64);
    for (size_t i = 0; i < set.n; i++) {   /* the kinds in the same order */
        size_t j = slot_of(pages[i], set.cap);
        while (set.page[j] != pages[i])
            j = (j + 1) & (set.cap - 1);
        kinds[i] = set.kinds[j];
    }
    const uint64_t gap_pages = TRACE_REGION_GAP >> PAGE_4K_SHIFT;
    for (size_t i = 0; i < set.n; i++) {
        trace_region_t *r = out->n ? &out->r[out->n - 1] : NULL;
        if (!r || pages[i] - ((r->end >> PAGE_4K_SHIFT) - 1) >= gap_pages) {
            r = &out->r[out->n++];
            *r = (trace_region_t){ .start = pages[i] << PAGE_4K_SHIFT, .prot = PROT_R };
        }
        r->end = (pages[i] + 1) << PAGE_4K_SHIFT;
        r->pages++;
        if (kinds[i] & (1u << ACC_WRITE))
            r->prot |= PROT_W;
        if (kinds[i] & (1u << ACC_EXEC))
            r->prot |= PROT_X;
    }
    for (size_t i = 0; i < out->n; i++)
        out->r[i].kind = (out->r[i].prot & PROT_X) ? "text" : "data";
    for (size_t i = out->n; i-- > 0;)
        if (!(out->r[i].prot & PROT_X)) {   /* the highest data region: the stack grows down from the top */
            if (i == out->n - 1)
                out->r[i].kind = "stack";
            break;
        }
    rc = 0;
    goto done;
oom:
    snprintf(err, TRACE_OS_ERR_LEN, "%s: out of memory for the set of touched pages", name);
done:
    free(set.page);
    free(set.kinds);
    free(pages);
    free(kinds);
    if (rc < 0)
        trace_regions_free(out);
    return rc;
}

void trace_regions_free(trace_regions_t *rg)
{
    free(rg->r);
    rg->r = NULL;
    rg->n = 0;
}

int trace_regions_round(trace_regions_t *rg, unsigned page_shift, vaddr_t task_size, char *err)
{
    const uint64_t size = 1ull << page_shift;
    size_t n = 0;
    for (size_t i = 0; i < rg->n; i++) {
        trace_region_t r = rg->r[i];
        vaddr_t start = r.start & ~(size - 1);
        /* the rounded end, computed without wrapping past the top of the address space */
        if (r.end > task_size || (r.end - 1) / size + 1 > task_size / size) {
            snprintf(err, TRACE_OS_ERR_LEN, "the %s region [0x%" PRIx64 ", 0x%" PRIx64 ") rounded out to %" PRIu64
                     " KiB pages ends beyond user space (TASK_SIZE_MAX 0x%" PRIx64 ")", r.kind, r.start, r.end,
                     size >> 10, task_size);
            return -1;
        }
        r.start = start;
        r.end = ((r.end - 1) / size + 1) * size;
        trace_region_t *prev = n ? &rg->r[n - 1] : NULL;
        if (prev && r.start < prev->end) {   /* overlap after rounding: one VMA, rights OR-ed */
            prev->end = r.end > prev->end ? r.end : prev->end;
            prev->prot |= r.prot;
            prev->pages += r.pages;
            if (prev->prot & PROT_X)
                prev->kind = "text";
            else if (!strcmp(r.kind, "stack"))
                prev->kind = "stack";
        } else {
            rg->r[n++] = r;
        }
    }
    rg->n = n;
    return 0;
}

mm_struct_t *trace_os_start(os_t *os, const trace_regions_t *rg, unsigned page_shift, char *err)
{
    mm_struct_t *mm = os_mm_create(os, "trace");
    if (!mm) {
        snprintf(err, TRACE_OS_ERR_LEN, "creating the process: %s", os->err);
        return NULL;
    }
    for (size_t i = 0; i < rg->n; i++)
        if (os_mmap(os, mm, rg->r[i].start, rg->r[i].end - rg->r[i].start, rg->r[i].prot, page_shift) < 0) {
            snprintf(err, TRACE_OS_ERR_LEN, "mmap of the %s region [0x%" PRIx64 ", 0x%" PRIx64 "): %s", rg->r[i].kind,
                     rg->r[i].start, rg->r[i].end, os->err);
            return NULL;
        }
    /* context_switch happens in the kernel, as the `switch` script verb does it */
    if (os_kernel_entry(os, 0) < 0 || switch_mm_irqs_off(os, 0, mm) < 0) {
        snprintf(err, TRACE_OS_ERR_LEN, "switching CPU 0 to the process: %s", os->err);
        return NULL;
    }
    os->cpu[0].current_mm = mm;
    return mm;
}

int trace_os_replay(os_t *os, trace_t *t, uint64_t limit, trace_os_stats_t *st, char *err)
{
    memset(st, 0, sizeof *st);
    st->first_cycle = backend_horizon(os->cpu[0].be);
    trace_access_t a;
    os_access_t res;
    for (uint64_t n = 0; limit == 0 || n < limit; n++) {
        int got = trace_next(t, &a);
        if (got == 0)
            break;
        if (got < 0) {
            snprintf(err, TRACE_OS_ERR_LEN, "%s", trace_error(t));
            return -1;
        }
        if (os_user_access(os, 0, a.va, a.access, &res) < 0) {
            snprintf(err, TRACE_OS_ERR_LEN, "access %" PRIu64 " (0x%" PRIx64 "): %s", st->accesses, a.va, os->err);
            return -1;
        }
        st->accesses++;
        st->by_kind[a.access]++;
        if (res.outcome != OS_ACCESS_OK)
            st->segv++;
    }
    st->last_cycle = backend_horizon(os->cpu[0].be);
    return 0;
}
