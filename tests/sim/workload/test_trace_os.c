/* A trace as a process of the OS layer (sim/workload/trace_os.c): the region inference
 * (pages closer than TRACE_REGION_GAP join one VMA; write -> PROT_W, fetch -> PROT_X; kinds
 * text / stack / data), the error naming the record of an address outside user space, and
 * the demand-paging counts of a replay by Linux's rules (mm/memory.c): every page faults once
 * at its first touch (handle_mm_fault); a first touch that reads or fetches maps the zero page
 * (do_anonymous_page), a later write to it copies it (do_wp_page -> wp_page_copy), so
 * demand_faults = pages + such pages, cow_faults = such pages, zero_page_maps = pages first
 * touched without a write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../os/ostest.h"
#include "trace_os.h"

#define TASK_SIZE_4LEVEL 0x00007ffffffff000ull   /* TASK_SIZE_MAX, Documentation/arch/x86/x86_64/mm.rst */

typedef struct {
    vaddr_t start, end;
    unsigned prot;
    const char *kind;
    uint64_t pages;
} want_region_t;

static const struct {
    const char *text;
    want_region_t want[4];
    size_t n;
} region_cases[] = {
    { "I  00400000,4\n", { { 0x400000, 0x401000, PROT_R | PROT_X, "text", 1 } }, 1 },
    /* 15 pages apart: one region */
    { "I  00400000,4\n L 0040f000,8\n", { { 0x400000, 0x410000, PROT_R | PROT_X, "text", 2 } }, 1 },
    /* 16 pages (64 KiB) apart: two; the higher one, not fetched from, is the stack */
    { "I  00400000,4\n S 00410000,8\n",
      { { 0x400000, 0x401000, PROT_R | PROT_X, "text", 1 }, { 0x410000, 0x411000, PROT_R | PROT_W, "stack", 1 } }, 2 },
    { " M 00601ff8,8\nI  00400000,4\n L 7ffd0000,8\n S 00602000,4\n L 00603000,4\n",
      { { 0x400000, 0x401000, PROT_R | PROT_X, "text", 1 },
        { 0x601000, 0x604000, PROT_R | PROT_W, "data", 3 },
        { 0x7ffd0000, 0x7ffd1000, PROT_R, "stack", 1 } }, 3 },
    /* the highest region is text: no stack */
    { " L 00400000,8\nI  00500000,4\n",
      { { 0x400000, 0x401000, PROT_R, "data", 1 }, { 0x500000, 0x501000, PROT_R | PROT_X, "text", 1 } }, 2 },
};

static trace_t *open_text(const char *text)
{
    char err[TRACE_ERR_LEN];
    trace_t *t = trace_open_mem(text, strlen(text), "t.lackey", TRACE_LACKEY, err);
    if (!t)
        fail_msg("trace_open_mem: %s", err);
    return t;
}

static void test_regions(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof region_cases / sizeof region_cases[0]; c++) {
        trace_t *t = open_text(region_cases[c].text);
        trace_regions_t rg;
        char err[TRACE_OS_ERR_LEN];
        if (trace_infer_regions(t, "t.lackey", 0, TASK_SIZE_4LEVEL, &rg, err) < 0)
            fail_msg("case %zu: %s", c, err);
        if (rg.n != region_cases[c].n)
            fail_msg("case %zu: %zu regions, expected %zu", c, rg.n, region_cases[c].n);
        for (size_t i = 0; i < rg.n; i++) {
            const want_region_t *w = &region_cases[c].want[i];
            if (rg.r[i].start != w->start || rg.r[i].end != w->end || rg.r[i].prot != w->prot ||
                strcmp(rg.r[i].kind, w->kind) || rg.r[i].pages != w->pages)
                fail_msg("case %zu region %zu: [0x%llx, 0x%llx) prot %u %s %llu pages, expected [0x%llx, 0x%llx) "
                         "prot %u %s %llu", c, i, (unsigned long long)rg.r[i].start, (unsigned long long)rg.r[i].end,
                         rg.r[i].prot, rg.r[i].kind, (unsigned long long)rg.r[i].pages, (unsigned long long)w->start,
                         (unsigned long long)w->end, w->prot, w->kind, (unsigned long long)w->pages);
        }
        trace_regions_free(&rg);
        trace_close(t);
    }
}

/* trace_regions_round (`mmulab trace --page`): each region rounded out to the page size; regions
 * that then overlap merge, protections OR-ed, touched pages summed; adjacent ones stay apart. */
static const struct {
    const char *text;
    unsigned shift;
    want_region_t want[3];
    size_t n;
} round_cases[] = {
    /* text at 4 MiB and data 2 MiB higher: two 2 MiB pages, apart */
    { "I  00400000,4\n S 00600000,8\n", 21,
      { { 0x400000, 0x600000, PROT_R | PROT_X, "text", 1 }, { 0x600000, 0x800000, PROT_R | PROT_W, "stack", 1 } }, 2 },
    /* text and data 1 MiB apart share one 2 MiB page: one rwx VMA */
    { "I  00400000,4\n S 00500000,8\n", 21, { { 0x400000, 0x600000, PROT_R | PROT_W | PROT_X, "text", 2 } }, 1 },
    /* a region across a 2 MiB boundary covers both pages */
    { " L 005ff000,8\n L 00600000,8\n", 21, { { 0x400000, 0x800000, PROT_R, "stack", 2 } }, 1 },
    /* 1 GiB: everything below 1 GiB is one page; the stack at 0x7ffd0000 is in the second */
    { "I  00400000,4\n S 00601000,8\n L 7ffd0000,8\n", 30,
      { { 0, 0x40000000, PROT_R | PROT_W | PROT_X, "text", 2 }, { 0x40000000, 0x80000000, PROT_R, "stack", 1 } }, 2 },
};

static void test_round(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof round_cases / sizeof round_cases[0]; c++) {
        trace_t *t = open_text(round_cases[c].text);
        trace_regions_t rg;
        char err[TRACE_OS_ERR_LEN];
        if (trace_infer_regions(t, "t.lackey", 0, TASK_SIZE_4LEVEL, &rg, err) < 0 ||
            trace_regions_round(&rg, round_cases[c].shift, TASK_SIZE_4LEVEL, err) < 0)
            fail_msg("case %zu: %s", c, err);
        if (rg.n != round_cases[c].n)
            fail_msg("case %zu: %zu regions, expected %zu", c, rg.n, round_cases[c].n);
        for (size_t i = 0; i < rg.n; i++) {
            const want_region_t *w = &round_cases[c].want[i];
            if (rg.r[i].start != w->start || rg.r[i].end != w->end || rg.r[i].prot != w->prot ||
                strcmp(rg.r[i].kind, w->kind) || rg.r[i].pages != w->pages)
                fail_msg("case %zu region %zu: [0x%llx, 0x%llx) prot %u %s %llu pages, expected [0x%llx, 0x%llx) "
                         "prot %u %s %llu", c, i, (unsigned long long)rg.r[i].start, (unsigned long long)rg.r[i].end,
                         rg.r[i].prot, rg.r[i].kind, (unsigned long long)rg.r[i].pages, (unsigned long long)w->start,
                         (unsigned long long)w->end, w->prot, w->kind, (unsigned long long)w->pages);
        }
        trace_regions_free(&rg);
        trace_close(t);
    }
    /* the highest 4 KiB page below TASK_SIZE_MAX rounds out past it */
    trace_t *t = open_text(" S 7fffffffe000,8\n");
    trace_regions_t rg;
    char err[TRACE_OS_ERR_LEN];
    assert_int_equal(trace_infer_regions(t, "t.lackey", 0, TASK_SIZE_4LEVEL, &rg, err), 0);
    assert_int_equal(trace_regions_round(&rg, 21, TASK_SIZE_4LEVEL, err), -1);
    assert_non_null(strstr(err, "ends beyond user space"));
    trace_regions_free(&rg);
    trace_close(t);
}

static void test_limit_and_errors(void **state)
{
    (void)state;
    char err[TRACE_OS_ERR_LEN];
    trace_regions_t rg;
    /* --ops: only the first accesses count */
    trace_t *t = open_text("I  00400000,4\n S 00900000,8\n");
    assert_int_equal(trace_infer_regions(t, "t.lackey", 1, TASK_SIZE_4LEVEL, &rg, err), 0);
    assert_int_equal(rg.n, 1);
    assert_int_equal(rg.accesses, 1);
    trace_regions_free(&rg);
    trace_close(t);
    /* the first address at TASK_SIZE_MAX, on line 3 */
    t = open_text("I  00400000,4\n L 00401000,8\n S 7ffffffff000,8\n");
    assert_int_equal(trace_infer_regions(t, "t.lackey", 0, TASK_SIZE_4LEVEL, &rg, err), -1);
    if (!strstr(err, "t.lackey:3: address 0x7ffffffff000 is outside user space"))
        fail_msg("message: %s", err);
    assert_int_equal(rg.n, 0);
    trace_close(t);
    /* a reader error passes through with its line */
    t = open_text("I  00400000,4\n X 1,2\n");
    assert_int_equal(trace_infer_regions(t, "t.lackey", 0, TASK_SIZE_4LEVEL, &rg, err), -1);
    if (!strstr(err, "t.lackey:2"))
        fail_msg("message: %s", err);
    trace_close(t);
}

static void test_demand_paging(void **state)
{
    (void)state;
    /* pages 0x601 (read, then written), 0x602 (written first), 0x603 (read), 0x400 (fetched) */
    static const char text[] = " L 00601000,8\n S 00601008,8\n S 00602000,8\n L 00603000,4\nI  00400000,4\n"
                               " L 00601010,8\nI  00400004,4\n";
    ot_t *o = ot_boot_mode(PAGING_4LEVEL);
    trace_t *t = open_text(text);
    trace_regions_t rg;
    char err[TRACE_OS_ERR_LEN];
    assert_int_equal(trace_infer_regions(t, "t.lackey", 0, o->os->layout.task_size, &rg, err), 0);
    trace_close(t);
    if (!trace_os_start(o->os, &rg, 12, err))
        fail_msg("start: %s", err);
    const os_counters_t base = o->os->cnt;
    trace_os_stats_t st;
    t = open_text(text);
    if (trace_os_replay(o->os, t, 0, &st, err) < 0)
        fail_msg("replay: %s", err);
    trace_close(t);
    const os_counters_t *c = &o->os->cnt;
    assert_int_equal(st.accesses, 7);
    assert_int_equal(st.by_kind[ACC_READ], 3);
    assert_int_equal(st.by_kind[ACC_WRITE], 2);
    assert_int_equal(st.by_kind[ACC_EXEC], 2);
    assert_int_equal(st.segv, 0);
    assert_int_equal(c->demand_faults - base.demand_faults, 4 + 1);
    assert_int_equal(c->cow_faults - base.cow_faults, 1);
    assert_int_equal(c->zero_page_maps - base.zero_page_maps, 3);
    assert_int_equal(c->page_faults - base.page_faults, 5);
    assert_int_equal(c->segv - base.segv, 0);
    /* every touched page translates now at CPL 3 without a fault */
    static const vaddr_t touched[] = { 0x601000, 0x602000, 0x603000, 0x400000 };
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(ot_translate(o, 0, touched[i], ACC_READ, 3).fault, FAULT_NONE);
    trace_regions_free(&rg);
    ot_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regions),
        cmocka_unit_test(test_round),
        cmocka_unit_test(test_limit_and_errors),
        cmocka_unit_test(test_demand_paging),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
