/* The names table (sim/core/names.h) and the JSONL record (sim/core/record.h):
 * canonical words and their aliases (issue 14: `32bit|pae|4level|5level` everywhere,
 * the older `4`, `4-level`, `32`, `32-bit`, `5`, `5-level` still read), the model's
 * own names agreeing with the table, and a record read back exactly as written. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmu.h"
#include "names.h"
#include "record.h"

typedef struct {
    const names_table_t *table;
    const char *text;
    int ok;
    int64_t value;
} parse_case_t;

static void test_parse(void **state)
{
    (void)state;
    const parse_case_t cases[] = {
        {&NAMES_MODE, "off", 1, PAGING_OFF},       {&NAMES_MODE, "32bit", 1, PAGING_32},
        {&NAMES_MODE, "pae", 1, PAGING_PAE},       {&NAMES_MODE, "4level", 1, PAGING_4LEVEL},
        {&NAMES_MODE, "5level", 1, PAGING_5LEVEL},
        /* aliases: the spellings before issue 14 */
        {&NAMES_MODE, "32", 1, PAGING_32},         {&NAMES_MODE, "32-bit", 1, PAGING_32},
        {&NAMES_MODE, "PAE", 1, PAGING_PAE},       {&NAMES_MODE, "4", 1, PAGING_4LEVEL},
        {&NAMES_MODE, "4-level", 1, PAGING_4LEVEL}, {&NAMES_MODE, "5", 1, PAGING_5LEVEL},
        {&NAMES_MODE, "5-level", 1, PAGING_5LEVEL},
        {&NAMES_MODE, "6", 0, 0},                  {&NAMES_MODE, "4lvl", 0, 0},
        {&NAMES_MODE, "", 0, 0},                   {&NAMES_MODE, "4level ", 0, 0},
        {&NAMES_ACCESS, "r", 1, ACC_READ},         {&NAMES_ACCESS, "w", 1, ACC_WRITE},
        {&NAMES_ACCESS, "x", 1, ACC_EXEC},         {&NAMES_ACCESS, "rw", 0, 0},
        {&NAMES_FAULT, "none", 1, FAULT_NONE},     {&NAMES_FAULT, "pf", 1, FAULT_PF},
        {&NAMES_FAULT, "gp", 1, FAULT_GP},         {&NAMES_FAULT, "ud", 1, FAULT_UD},
        {&NAMES_FAULT, "de", 0, 0},
        {&NAMES_SIZE, "4k", 1, 12},                {&NAMES_SIZE, "2m", 1, 21},
        {&NAMES_SIZE, "4m", 1, 22},                {&NAMES_SIZE, "1g", 1, 30},
        {&NAMES_SIZE, "none", 1, 0},               {&NAMES_SIZE, "4K", 0, 0},
        {&NAMES_CTRL, "cr0", 1, CTRL_CR0},         {&NAMES_CTRL, "cr3", 1, CTRL_CR3},
        {&NAMES_CTRL, "cr4", 1, CTRL_CR4},         {&NAMES_CTRL, "efer", 1, CTRL_EFER},
        {&NAMES_CTRL, "invlpg", 1, CTRL_INVLPG},   {&NAMES_CTRL, "invpcid", 1, CTRL_INVPCID},
        {&NAMES_CTRL, "wrpkru", 1, CTRL_WRPKRU},   {&NAMES_CTRL, "wrpkrs", 1, CTRL_WRPKRS},
        {&NAMES_CTRL, "wrmsr", 0, 0},
        {&NAMES_CTRL, "cr2", 0, 0},
        {&NAMES_TLB, "miss", 1, TLB_HIT_NONE},     {&NAMES_TLB, "l1", 1, TLB_HIT_L1},
        {&NAMES_TLB, "l2", 1, TLB_HIT_L2},         {&NAMES_PORT, "d", 1, PORT_D},
        {&NAMES_PORT, "i", 1, PORT_I},             {&NAMES_PORT, "D", 0, 0},
        {&NAMES_LEVEL, "pt", 1, 1},                {&NAMES_LEVEL, "pml5", 1, 5},
        {&NAMES_LEVEL, "3", 1, 3},                 {&NAMES_LEVEL, "0", 0, 0},
        {&NAMES_PWC, "none", 1, 0},                {&NAMES_PWC, "pd", 1, 2},
        {&NAMES_PWC, "pt", 0, 0},
        {&NAMES_PSC, "4k", 1, PSC_4K},             {&NAMES_PSC, "2m", 1, PSC_2M},
        {&NAMES_PSC, "1g", 1, PSC_1G},             {&NAMES_PSC, "4m", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = -1;
        int rc = names_parse(cases[i].table, cases[i].text, &v);
        if (rc != (cases[i].ok ? 0 : -1) || (cases[i].ok && v != cases[i].value))
            fail_msg("%s '%s': rc %d value %lld", cases[i].table->what, cases[i].text, rc, (long long)v);
    }
    int64_t v;
    assert_int_equal(names_parse(&NAMES_MODE, NULL, &v), -1);
}

/* Every canonical word formats back to itself; output never uses an alias. */
static void test_format_roundtrip(void **state)
{
    (void)state;
    const names_table_t *tables[] = {&NAMES_MODE, &NAMES_ACCESS, &NAMES_FAULT, &NAMES_SIZE, &NAMES_CTRL,
                                     &NAMES_TLB,  &NAMES_PORT,   &NAMES_LEVEL, &NAMES_PWC, &NAMES_PSC};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const names_entry_t *e = tables[t]->canon; e->name; e++) {
            int64_t v;
            assert_int_equal(names_parse(tables[t], e->name, &v), 0);
            assert_int_equal(v, e->value);
            assert_string_equal(names_format(tables[t], v), e->name);
        }
    assert_string_equal(names_mode(PAGING_4LEVEL), "4level");
    assert_string_equal(names_format(&NAMES_MODE, 9), "?");
    assert_null(names_lookup(&NAMES_CTRL, 17));
    assert_string_equal(names_size(21), "2m");
    assert_string_equal(names_size(13), "none");
    char buf[64];
    assert_string_equal(names_list(&NAMES_FAULT, buf, sizeof buf), "none, pf, gp or ud");
    assert_string_equal(names_list(&NAMES_MODE, buf, sizeof buf), "off, 32bit, pae, 4level or 5level");
}

/* model/ names its enums itself (it cannot see sim/): the same words. */
static void test_model_agrees(void **state)
{
    (void)state;
    for (int m = PAGING_OFF; m <= PAGING_5LEVEL; m++)
        assert_string_equal(paging_mode_name((paging_mode_t)m), names_mode((paging_mode_t)m));
    for (int f = FAULT_NONE; f <= FAULT_UD; f++)
        assert_string_equal(mmu_fault_name((mmu_fault_t)f), names_fault((mmu_fault_t)f));
    for (int a = ACC_READ; a <= ACC_EXEC; a++)
        assert_string_equal(mmu_access_name((mmu_access_t)a), names_access((mmu_access_t)a));
}

static void roundtrip(const record_t *in, record_t *out)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    char err[RECORD_ERR_LEN];
    assert_int_equal(record_write(f, in, err), 0);
    fclose(f);
    assert_true(len > 0 && buf[len - 1] == '\n');
    assert_int_equal(record_parse(buf, out), 0);
    free(buf);
}

static void test_record_roundtrip(void **state)
{
    (void)state;
    record_t a = {.kind = RECORD_ACCESS, .line = 17, .req = {.ac = true, .implicit = false}};
    a.res = (mmu_result_t){.seq = 5, .va = 0xffff800000001234ull, .access = ACC_WRITE, .cpl = 3, .port = PORT_I,
                           .pa = 0x5234, .fault = FAULT_NONE, .cr2 = 0x1000, .issue_cycle = 3, .accept_cycle = 4,
                           .complete_cycle = 94, .tlb_hit = TLB_HIT_L2, .pwc_hit = 3, .page_shift = 21,
                           .walked = true, .dirty_assist = true, .mem_reads = 4, .mem_writes = 1};
    record_t b;
    roundtrip(&a, &b);
    assert_int_equal(b.kind, RECORD_ACCESS);
    assert_int_equal(b.line, 17);
    assert_true(b.req.ac);
    assert_false(b.req.implicit);
    assert_memory_equal(&b.res, &a.res, sizeof a.res);

    /* a fault writes "pa": null, read back as 0 */
    a.res.fault = FAULT_PF;
    a.res.error_code = 0x7;
    a.res.page_shift = 0;
    roundtrip(&a, &b);
    assert_int_equal(b.res.fault, FAULT_PF);
    assert_int_equal(b.res.error_code, 7);
    assert_int_equal(b.res.pa, 0);

    record_t c = {.kind = RECORD_CTRL, .line = 9, .seq = 12,
                  .op = {.kind = CTRL_INVPCID, .va = 0x7f000, .invpcid_type = 0, .pcid = 5, .issue_cycle = 20},
                  .cres = {.fault = FAULT_GP, .issue_cycle = 20, .accept_cycle = 21, .complete_cycle = 22,
                           .mem_reads = 0, .tlb_invalidated = 3, .pwc_invalidated = 2}};
    roundtrip(&c, &b);
    assert_int_equal(b.kind, RECORD_CTRL);
    assert_int_equal(b.seq, 12);
    assert_memory_equal(&b.op, &c.op, sizeof c.op);
    assert_memory_equal(&b.cres, &c.cres, sizeof c.cres);

    c.op = (mmu_ctrl_t){.kind = CTRL_CR3, .value = 0x123000, .issue_cycle = 20};
    roundtrip(&c, &b);
    assert_int_equal(b.op.kind, CTRL_CR3);
    assert_int_equal(b.op.value, 0x123000);
}

static void test_record_rejects(void **state)
{
    (void)state;
    record_t r;
    const char *bad[] = {
        "",
        "not json",
        "{\"op\":\"cr2\",\"seq\":1}",
        "{\"op\":\"access\",\"seq\":0}",   /* fields missing */
        ("{\"op\":\"cr3\",\"seq\":0,\"line\":1,\"value\":\"0x1000\",\"fault\":\"de\",\"issue\":0,\"accept\":0,"
         "\"complete\":1,\"mem_reads\":0,\"tlb_invalidated\":0,\"pwc_invalidated\":0}"),   /* one string */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (record_parse(bad[i], &r) == 0)
            fail_msg("accepted: %s", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_format_roundtrip),
        cmocka_unit_test(test_model_agrees),
        cmocka_unit_test(test_record_roundtrip),
        cmocka_unit_test(test_record_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
