/* A synthetic stream as processes of the OS layer (sim/workload/wl_os.c), table-driven: each row
 * boots the OS with some knobs, runs the stream `stride 4K` over a 2 MiB working set with writes
 * only (access i writes page i mod 512, so every page is first touched by a write) under a
 * process mix, and checks the OS counters against Linux's rules:
 *   - do_anonymous_page: one demand fault per page first touched, per mm;
 *   - switch_mm_irqs_off: one CR3 write per switch to another mm (no PTI);
 *   - SWITCH_TO_KERNEL_CR3 / SWITCH_TO_USER_CR3 (arch/x86/entry/calling.h): two CR3 writes per
 *     syscall and per page fault under PTI, plus the first return to user mode; with PCID all
 *     carry NOFLUSH but that first return (invalidate_user_asid marked the user PCID);
 *   - flush_tlb_mm_range: pages <= tlb_single_page_flush_ceiling -> one INVLPG each, more -> a
 *     full flush (a CR3 write without PCID), on every CPU of mm_cpumask (IPIs to the others);
 *   - vmalloc_fault (lazy): one fault per process and top-level entry;
 *   - mmap(MAP_POPULATE) (mm/gup.c populate_vma_page_range, the demo's default --prefault 1):
 *     every page of the working set faulted in by software before the run, with a write
 *     fault on a writable VMA (FOLL_WRITE): no #PF, no zero page, one user frame per page; the
 *     run then takes no demand fault but on pages churn re-mmapped (populate is mmap's only).
 * Plus wl_os_check's refusals, and wl_create_stream giving the stream of wl_create. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../os/ostest.h"
#include "wl_os.h"

#define PAGES 512   /* 2 MiB / 4 KiB */
#define NO UINT64_MAX

typedef struct {
    const char *name;
    bool kpti, pcid;
    vmalloc_policy_t vmalloc;
    unsigned ceiling, cpus;
    wl_os_mix_t mx;
    uint64_t ops;
    /* expected counters since the set-up (NO: not checked) */
    uint64_t demand, cr3, noflush, invlpg, full, ipis, vfaults, switches, syscalls;
} row_t;

/* processes, threads (CPUs), page shift, then the periods */
#define MIX(P, T, S, ...) { .procs = P, .threads = T, .page_shift = S, .syscall_touches = 6, __VA_ARGS__ }
static const row_t rows[] = {
    { "demand", 0, 0, VMALLOC_PREALLOC, 33, 1, MIX(1, 1, 12), 2048, PAGES, 0, 0, 0, 0, 0, NO, 0, 0 },
    { "huge", 0, 0, VMALLOC_PREALLOC, 33, 1, MIX(1, 1, 21), 2048, 1, 0, 0, 0, 0, 0, NO, 0, 0 },
    /* 2 processes, a switch every 512 of 2048 accesses: 3 switches, each writes all pages */
    { "procs", 0, 0, VMALLOC_PREALLOC, 33, 1, MIX(2, 1, 12, .switch_every = 512), 2048, 2 * PAGES, 3, 0, 0, 0, 0,
      NO, 3, 0 },
    /* a syscall every 100 of 1000: 9; PTI: 2 * (9 + 512) + 1 */
    { "pti", 1, 0, VMALLOC_PREALLOC, 33, 1, MIX(1, 1, 12, .syscall_every = 100), 1000, PAGES, 2 * (9 + PAGES) + 1, 0, NO, NO,
      0, NO, 0, 9 },
    { "pti-pcid", 1, 1, VMALLOC_PREALLOC, 33, 1, MIX(1, 1, 12, .syscall_every = 100), 1000, PAGES, 2 * (9 + PAGES) + 1,
      2 * (9 + PAGES), NO, NO, 0, NO, 0, 9 },
    { "syscall-no-pti", 0, 0, VMALLOC_PREALLOC, 33, 1, MIX(1, 1, 12, .syscall_every = 100), 1000, PAGES, 0, 0, NO, NO, 0, NO,
      0, 9 },
    /* a churn every 512 of 2048: 3, of pages all mapped by then */
    { "churn-invlpg", 0, 0, VMALLOC_PREALLOC, 33, 1, MIX(1, 1, 12, .churn_every = 512, .churn_pages = 4), 2048, PAGES + 12, 0, 0,
      12, 0, 0, NO, 0, 0 },
    { "churn-full", 0, 0, VMALLOC_PREALLOC, 33, 1, MIX(1, 1, 12, .churn_every = 512, .churn_pages = 34), 2048, PAGES + 3 * 34, 3,
      0, 0, 3, 0, NO, 0, 0 },
    { "churn-ceiling", 0, 0, VMALLOC_PREALLOC, 3, 1, MIX(1, 1, 12, .churn_every = 512, .churn_pages = 4), 2048, PAGES + 12, 3, 0,
      0, 3, 0, NO, 0, 0 },
    { "threads", 0, 0, VMALLOC_PREALLOC, 33, 4, MIX(1, 4, 12, .churn_every = 512, .churn_pages = 4), 2048,
      PAGES + 12, 0, 0, 3 * 4 * 4, 0, 3 * 3, NO, 0, 0 },
    /* 3 processes, a vmalloc every 10 accesses, a switch every 100 */
    { "vmalloc-lazy", 0, 0, VMALLOC_LAZY, 33, 1, MIX(3, 1, 12, .switch_every = 100, .kernel_every = 10), 1000, NO,
      NO, NO, NO, NO, 0, 3, 9, 0 },
    { "vmalloc-prealloc", 0, 0, VMALLOC_PREALLOC, 33, 1, MIX(3, 1, 12, .switch_every = 100, .kernel_every = 10),
      1000, NO, NO, NO, NO, NO, 0, 0, 9, 0 },
    /* prefaulted: no demand fault in the run, but on the 3 churns' 4 re-mmapped pages each */
    { "prefault", 0, 0, VMALLOC_PREALLOC, 33, 1, MIX(1, 1, 12, .prefault = true), 2048, 0, 0, 0, 0, 0, 0, NO, 0, 0 },
    { "prefault-huge", 0, 0, VMALLOC_PREALLOC, 33, 1, MIX(1, 1, 21, .prefault = true), 2048, 0, 0, 0, 0, 0, 0, NO, 0, 0 },
    { "prefault-churn", 0, 0, VMALLOC_PREALLOC, 33, 1, MIX(1, 1, 12, .prefault = true, .churn_every = 512, .churn_pages = 4),
      2048, 12, 0, 0, 12, 0, 0, NO, 0, 0 },
    /* PTI: two CR3 writes per syscall and the first return to user, none for faults */
    { "prefault-pti", 1, 0, VMALLOC_PREALLOC, 33, 1, MIX(1, 1, 12, .prefault = true, .syscall_every = 100), 1000, 0,
      2 * 9 + 1, 0, NO, NO, 0, NO, 0, 9 },
};

static workload_t *stream(uint64_t ops)
{
    wl_params_t p;
    char err[WL_ERR_LEN];
    wl_defaults(&p);
    assert_int_equal(wl_set(&p, "workload", "stride", err), 0);
    assert_int_equal(wl_set(&p, "stride", "4K", err), 0);
    assert_int_equal(wl_set(&p, "ws", "2M", err), 0);
    assert_int_equal(wl_set(&p, "rwx", "0:1:0", err), 0);
    assert_int_equal(wl_set(&p, "page", "4k", err), 0);
    p.ops = ops;
    workload_t *w = wl_create_stream(&p, err);
    if (!w)
        fail_msg("wl_create_stream: %s", err);
    return w;
}

static void check(const char *row, const char *what, uint64_t got, uint64_t want)
{
    if (want != NO && got != want)
        fail_msg("%s: %s %llu, expected %llu", row, what, (unsigned long long)got, (unsigned long long)want);
}

static void test_rows(void **state)
{
    (void)state;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        const row_t *x = &rows[r];
        os_params_t p;
        os_params_default(&p, PAGING_4LEVEL);
        p.kpti = x->kpti;
        p.pcid = x->pcid;
        p.vmalloc = x->vmalloc;
        p.flush_ceiling = x->ceiling;
        p.cpus = x->cpus;
        ot_t *o = ot_boot(&p);
        workload_t *w = stream(x->ops);
        char err[WL_OS_ERR_LEN];
        wl_os_procs_t *pr = calloc(1, sizeof *pr);
        assert_non_null(pr);
        os_counters_t b;
        if (wl_os_prepare(o->os, wl_params(w), &x->mx, pr, &b, err) != 0)
            fail_msg("%s: %s", x->name, err);
        assert_int_equal(backend_stats(o->os->cpu[0].be)->requests, 0);   /* cleared after the set-up */
        wl_os_stats_t st;
        if (wl_os_run(o->os, w, &x->mx, pr, &st, err) < 0)
            fail_msg("%s: %s", x->name, err);
        const os_counters_t *c = &o->os->cnt;
        check(x->name, "accesses", st.accesses, x->ops);
        check(x->name, "segv", st.segv, 0);
        check(x->name, "demand_faults", c->demand_faults - b.demand_faults, x->demand);
        check(x->name, "cr3_writes", c->cr3_writes - b.cr3_writes, x->cr3);
        check(x->name, "cr3_noflush", c->cr3_noflush - b.cr3_noflush, x->noflush);
        check(x->name, "invlpg", c->invlpg - b.invlpg, x->invlpg);
        check(x->name, "full_flushes", c->full_flushes - b.full_flushes, x->full);
        check(x->name, "ipis", c->ipis - b.ipis, x->ipis);
        check(x->name, "vmalloc_faults", c->vmalloc_faults - b.vmalloc_faults, x->vfaults);
        check(x->name, "switches", c->switches - b.switches, x->switches);
        check(x->name, "switches (run)", st.switches, x->switches);
        check(x->name, "syscalls", c->syscalls - b.syscalls, x->syscalls);
        wl_destroy(w);
        free(pr);
        ot_free(o);
    }
}

/* the set-up of --prefault: every page of every process's working set, by software */
static void test_prefault_setup(void **state)
{
    (void)state;
    static const struct { unsigned procs, shift; uint64_t pages; } cases[] = {
        { 1, 12, PAGES }, { 3, 12, PAGES }, { 2, 21, 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ot_t *o = ot_boot_mode(PAGING_4LEVEL);
        workload_t *w = stream(10);
        wl_os_mix_t mx = MIX(cases[i].procs, 1, cases[i].shift, .prefault = true,
                             .switch_every = cases[i].procs > 1 ? 5 : 0);
        wl_os_procs_t *pr = calloc(1, sizeof *pr);
        assert_non_null(pr);
        const os_counters_t before = o->os->cnt;
        const uint64_t user_before = o->os->frames.count[FRAME_USER];
        os_counters_t b;
        char err[WL_OS_ERR_LEN];
        if (wl_os_prepare(o->os, wl_params(w), &mx, pr, &b, err) != 0)
            fail_msg("case %zu: %s", i, err);
        const uint64_t frames_per_page = (1ull << cases[i].shift) / 4096;
        assert_int_equal(b.demand_faults - before.demand_faults, cases[i].procs * cases[i].pages);
        assert_int_equal(b.page_faults, before.page_faults);          /* no #PF: software */
        assert_int_equal(b.zero_page_maps, before.zero_page_maps);    /* written: FOLL_WRITE */
        assert_int_equal(o->os->frames.count[FRAME_USER] - user_before, cases[i].procs * cases[i].pages * frames_per_page);
        wl_destroy(w);
        free(pr);
        ot_free(o);
    }
}

static void test_check_refusals(void **state)
{
    (void)state;
    static const struct { wl_os_mix_t mx; const char *text; } cases[] = {
        { MIX(1, 1, 12, .switch_every = 5), "--switch-every needs --procs 2" },
        { MIX(2, 1, 12), "--procs 2 needs --switch-every" },
        { MIX(0, 1, 12), "--procs 0" },
        { MIX(1, 2, 12), "--threads 2: want 1..1" },
        { MIX(1, 1, 12, .churn_every = 5, .churn_pages = 0), "--churn-pages 0: want 1..512" },
        { MIX(1, 1, 12, .churn_every = 5, .churn_pages = 513), "--churn-pages 513" },
    };
    ot_t *o = ot_boot_mode(PAGING_4LEVEL);
    workload_t *w = stream(10);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[WL_OS_ERR_LEN] = "";
        assert_int_equal(wl_os_check(&cases[i].mx, wl_params(w), o->os, err), -1);
        if (!strstr(err, cases[i].text))
            fail_msg("case %zu: '%s' lacks '%s'", i, err, cases[i].text);
    }
    wl_destroy(w);
    ot_free(o);
}

/* the OS layer's stream is the demo's: the same requests as wl_create's */
static void test_same_stream(void **state)
{
    (void)state;
    wl_params_t p;
    char err[WL_ERR_LEN];
    wl_defaults(&p);
    assert_int_equal(wl_set(&p, "workload", "zipf", err), 0);
    assert_int_equal(wl_set(&p, "ws", "8M", err), 0);
    p.ops = 500;
    workload_t *a = wl_create(&p, NULL, err), *b = wl_create_stream(&p, err);
    assert_non_null(a);
    assert_non_null(b);
    mmu_req_t ra, rb;
    for (int i = 0; i < 500; i++) {
        assert_int_equal(wl_next(a, &ra), 0);
        assert_int_equal(wl_next(b, &rb), 0);
        assert_int_equal(ra.va, rb.va);
        assert_int_equal(ra.access, rb.access);
    }
    assert_int_equal(wl_next(b, &rb), -1);
    assert_null(wl_mem(b));
    wl_destroy(a);
    wl_destroy(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_prefault_setup),
        cmocka_unit_test(test_check_refusals),
        cmocka_unit_test(test_same_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
