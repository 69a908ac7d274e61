/* The script interpreter's parser pieces (sim/script/script.h): tokens, numbers,
 * flag lists, sizes, levels and expect fields; plus a few whole scripts run
 * from memory to pin the error messages and the JSONL output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "script.h"
#include "types.h"

/* ---- tokens ---------------------------------------------------------------- */

static void test_tokenize(void **state)
{
    (void)state;
    char *t[8];
    char l1[] = "  access 0x10\tr  sup   # a comment";
    assert_int_equal(script_tokenize(l1, t, 8), 4);
    assert_string_equal(t[0], "access");
    assert_string_equal(t[1], "0x10");
    assert_string_equal(t[2], "r");
    assert_string_equal(t[3], "sup");

    char l2[] = "expect pa 0x1#glued comment";
    assert_int_equal(script_tokenize(l2, t, 8), 3);
    assert_string_equal(t[2], "0x1");

    char l3[] = "   # only a comment";
    assert_int_equal(script_tokenize(l3, t, 8), 0);
    char l4[] = "";
    assert_int_equal(script_tokenize(l4, t, 8), 0);
    char l5[] = "sync\r\n";
    assert_int_equal(script_tokenize(l5, t, 8), 1);
    assert_string_equal(t[0], "sync");

    char l6[] = "a b c d";
    assert_int_equal(script_tokenize(l6, t, 3), -1);
    char l7[] = "a b c";
    assert_int_equal(script_tokenize(l7, t, 3), 3);
}

/* ---- numbers --------------------------------------------------------------- */

static void test_numbers(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(script_parse_number("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(script_parse_number("1234", &v), 0);
    assert_int_equal(v, 1234);
    assert_int_equal(script_parse_number("0x7f0000001000", &v), 0);
    assert_int_equal(v, 0x7f0000001000ull);
    assert_int_equal(script_parse_number("0XABcd", &v), 0);
    assert_int_equal(v, 0xabcd);
    assert_int_equal(script_parse_number("0x7f00_0000_1000", &v), 0);
    assert_int_equal(v, 0x7f0000001000ull);
    assert_int_equal(script_parse_number("1_000_000", &v), 0);
    assert_int_equal(v, 1000000);
    assert_int_equal(script_parse_number("0010", &v), 0);   /* decimal, not octal */
    assert_int_equal(v, 10);
    assert_int_equal(script_parse_number("18446744073709551615", &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(script_parse_number("0xffffffffffffffff", &v), 0);
    assert_true(v == UINT64_MAX);

    v = 42;
    const char *bad[] = {
        "", "0x", "x10", "-1", "+1", "1.5", "12a", "0x1g", "1 2", " 1", "1_", "_1", "1__0", "0x_1",
        "18446744073709551616", "0x10000000000000000", "99999999999999999999999", "abc",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (script_parse_number(bad[i], &v) != -1)
            fail_msg("'%s' accepted", bad[i]);
    }
    assert_int_equal(v, 42);   /* untouched on error */
    assert_int_equal(script_parse_number(NULL, &v), -1);
}

/* ---- flags ----------------------------------------------------------------- */

static void test_flags(void **state)
{
    (void)state;
    uint64_t v;
    char err[SCRIPT_ERR_LEN];
    assert_int_equal(script_parse_flags("p", &v, err), 0);
    assert_int_equal(v, PTE_P);
    assert_int_equal(script_parse_flags("p+rw+us+a+d", &v, err), 0);
    assert_int_equal(v, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D);
    assert_int_equal(script_parse_flags("g+xd+pwt+pcd+ps", &v, err), 0);
    assert_true(v == (PTE_G | PTE_XD | PTE_PWT | PTE_PCD | PTE_PS));
    assert_int_equal(script_parse_flags("0x63", &v, err), 0);
    assert_int_equal(v, 0x63);
    assert_int_equal(script_parse_flags("p+0x8000000000000", &v, err), 0);
    assert_true(v == (PTE_P | 0x8000000000000ull));
    assert_int_equal(script_parse_flags("0", &v, err), 0);
    assert_int_equal(v, 0);
    assert_int_equal(script_parse_flags("p+p", &v, err), 0);   /* idempotent */
    assert_int_equal(v, PTE_P);

    assert_int_equal(script_parse_flags("p+wr", &v, err), -1);
    assert_non_null(strstr(err, "bad flag 'wr'"));
    assert_int_equal(script_parse_flags("p++rw", &v, err), -1);
    assert_non_null(strstr(err, "empty term"));
    assert_int_equal(script_parse_flags("+p", &v, err), -1);
    assert_int_equal(script_parse_flags("p+", &v, err), -1);
    assert_int_equal(script_parse_flags("", &v, err), -1);
    assert_int_equal(script_parse_flags("P", &v, err), -1);    /* names are lower case */
    assert_int_equal(script_parse_flags("p|rw", &v, err), -1);  /* '+' joins flags */
}

static void test_format_flags(void **state)
{
    (void)state;
    char buf[96];
    assert_string_equal(script_format_flags(0, buf, sizeof buf), "0");
    assert_string_equal(script_format_flags(PTE_P | PTE_RW | PTE_A | PTE_D, buf, sizeof buf), "p+rw+a+d");
    assert_string_equal(script_format_flags(PTE_P | PTE_XD, buf, sizeof buf), "p+xd");
    assert_string_equal(script_format_flags(PTE_P | (1ull << 51), buf, sizeof buf), "p+0x8000000000000");
    assert_string_equal(script_format_flags(1ull << 51, buf, sizeof buf), "0x8000000000000");

    /* round trip */
    uint64_t v, in = PTE_P | PTE_US | PTE_G | PTE_PS | (1ull << 13);
    char err[SCRIPT_ERR_LEN];
    assert_int_equal(script_parse_flags(script_format_flags(in, buf, sizeof buf), &v, err), 0);
    assert_true(v == in);
}

/* ---- sizes, levels ----------------------------------------------------------- */

static void test_sizes_levels(void **state)
{
    (void)state;
    unsigned s = 99;
    assert_int_equal(script_parse_size("4k", &s), 0);
    assert_int_equal(s, 12);
    assert_int_equal(script_parse_size("2m", &s), 0);
    assert_int_equal(s, 21);
    assert_int_equal(script_parse_size("4m", &s), 0);
    assert_int_equal(s, 22);
    assert_int_equal(script_parse_size("1g", &s), 0);
    assert_int_equal(s, 30);
    assert_int_equal(script_parse_size("8k", &s), -1);
    assert_int_equal(script_parse_size("4K", &s), -1);
    assert_int_equal(script_parse_size("", &s), -1);

    assert_int_equal(script_parse_level("1"), 1);
    assert_int_equal(script_parse_level("5"), 5);
    assert_int_equal(script_parse_level("pt"), 1);
    assert_int_equal(script_parse_level("pd"), 2);
    assert_int_equal(script_parse_level("pdpt"), 3);
    assert_int_equal(script_parse_level("pml4"), 4);
    assert_int_equal(script_parse_level("pml5"), 5);
    assert_int_equal(script_parse_level("0"), -1);
    assert_int_equal(script_parse_level("6"), -1);
    assert_int_equal(script_parse_level("12"), -1);
    assert_int_equal(script_parse_level("pml3"), -1);
    assert_int_equal(script_parse_level(NULL), -1);
}

/* ---- expect fields ------------------------------------------------------------ */

static void test_check_one(void **state)
{
    (void)state;
    script_check_t c;
    char err[SCRIPT_ERR_LEN];

    assert_int_equal(script_parse_check("pa", "0x1234", &c, err), 0);
    assert_int_equal(c.field, XF_PA);
    assert_int_equal(c.value, 0x1234);
    assert_int_equal(script_parse_check("fault", "gp", &c, err), 0);
    assert_int_equal(c.field, XF_FAULT);
    assert_int_equal(c.value, FAULT_GP);
    assert_int_equal(script_parse_check("fault", "none", &c, err), 0);
    assert_int_equal(c.value, FAULT_NONE);
    assert_int_equal(script_parse_check("tlb", "l2", &c, err), 0);
    assert_int_equal(c.value, TLB_HIT_L2);
    assert_int_equal(script_parse_check("tlb", "miss", &c, err), 0);
    assert_int_equal(c.value, TLB_HIT_NONE);
    assert_int_equal(script_parse_check("pwc", "pdpt", &c, err), 0);
    assert_int_equal(c.value, 3);
    assert_int_equal(script_parse_check("pwc", "none", &c, err), 0);
    assert_int_equal(c.value, 0);
    assert_int_equal(script_parse_check("walked", "yes", &c, err), 0);
    assert_int_equal(c.value, 1);
    assert_int_equal(script_parse_check("assist", "no", &c, err), 0);
    assert_int_equal(c.value, 0);
    assert_int_equal(script_parse_check("size", "4m", &c, err), 0);
    assert_int_equal(c.value, 22);
    assert_int_equal(script_parse_check("port", "i", &c, err), 0);
    assert_int_equal(c.value, PORT_I);
    assert_int_equal(script_parse_check("mode", "pae", &c, err), 0);
    assert_int_equal(c.value, PAGING_PAE);
    assert_int_equal(script_parse_check("cycles", "91", &c, err), 0);
    assert_int_equal(c.field, XF_CYCLES);
    assert_int_equal(c.value, 91);

    assert_int_equal(script_parse_check("latency", "1", &c, err), -1);
    assert_string_equal(err, "expect: unknown field 'latency'");
    assert_int_equal(script_parse_check("fault", "de", &c, err), -1);
    assert_string_equal(err, "expect fault: bad value 'de' (none, pf, gp or ud)");
    assert_int_equal(script_parse_check("tlb", "hit", &c, err), -1);
    assert_non_null(strstr(err, "l1, l2 or miss"));
    assert_int_equal(script_parse_check("pa", "0x12z", &c, err), -1);
    assert_string_equal(err, "expect pa: bad number '0x12z'");
    assert_int_equal(script_parse_check("pa", NULL, &c, err), -1);
    assert_string_equal(err, "expect pa: missing value");
}

static void test_check_list(void **state)
{
    (void)state;
    script_check_t c[8];
    char err[SCRIPT_ERR_LEN];
    char line[] = "pa 0x1234 tlb l1 cycles 1";
    char *t[16];
    int n = script_tokenize(line, t, 16);
    assert_int_equal(script_parse_checks(t, n, c, 8, err), 3);
    assert_int_equal(c[0].field, XF_PA);
    assert_int_equal(c[1].field, XF_TLB);
    assert_int_equal(c[1].value, TLB_HIT_L1);
    assert_int_equal(c[2].field, XF_CYCLES);
    assert_int_equal(c[2].value, 1);

    char odd[] = "pa 0x1234 tlb";
    n = script_tokenize(odd, t, 16);
    assert_int_equal(script_parse_checks(t, n, c, 8, err), -1);
    assert_string_equal(err, "expect tlb: missing value");

    assert_int_equal(script_parse_checks(t, 0, c, 8, err), -1);
    char many[] = "reads 1 reads 1 reads 1";
    n = script_tokenize(many, t, 16);
    assert_int_equal(script_parse_checks(t, n, c, 2, err), -1);
}

static void test_field_names_roundtrip(void **state)
{
    (void)state;
    /* every field's name parses back to it, and its formatted value parses back too */
    static const uint64_t sample[XF_COUNT] = {
        [XF_PA] = 0x1234, [XF_FAULT] = FAULT_PF, [XF_EC] = 0x7, [XF_CR2] = 0xffff800000000000ull,
        [XF_CYCLES] = 91, [XF_COMPLETE] = 355, [XF_ISSUE] = 264, [XF_ACCEPT] = 264,
        [XF_TLB] = TLB_HIT_L1, [XF_PWC] = 4, [XF_READS] = 4, [XF_WRITES] = 1, [XF_WALKED] = 1,
        [XF_ASSIST] = 0, [XF_SIZE] = 30, [XF_PORT] = PORT_I, [XF_CR0] = 0x80000001, [XF_CR3] = 0x1000,
        [XF_CR4] = 0x20, [XF_EFER] = 0x500, [XF_MODE] = PAGING_5LEVEL, [XF_PCID] = 1,
    };
    for (int f = 0; f < XF_COUNT; f++) {
        char val[48], err[SCRIPT_ERR_LEN];
        script_check_t c;
        const char *name = script_field_name((script_field_t)f);
        script_format_value((script_field_t)f, sample[f], val, sizeof val);
        if (script_parse_check(name, val, &c, err) != 0)
            fail_msg("field %s value %s: %s", name, val, err);
        assert_int_equal(c.field, f);
        assert_true(c.value == sample[f]);
    }
}

/* ---- whole scripts from memory --------------------------------------------------- */

typedef struct {
    int rc;
    char out[8192], err[2048];
} run_t;

static void run_text(const char *text, const char *jsonl, run_t *r)
{
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    FILE *out = fmemopen(r->out, sizeof r->out, "w");
    FILE *err = fmemopen(r->err, sizeof r->err, "w");
    assert_non_null(in);
    assert_non_null(out);
    assert_non_null(err);
    memset(r->out, 0, sizeof r->out);
    memset(r->err, 0, sizeof r->err);
    script_opts_t o = {.jsonl_path = jsonl, .out = out, .err = err};
    r->rc = script_run_stream(&o, in, "t.mmu");
    fclose(in);
    fclose(out);
    fclose(err);
}

static void test_run_errors(void **state)
{
    (void)state;
    static const struct { const char *text, *msg; } cases[] = {
        {"access 0x1000 r sup\nexpect pa 0x2000\n", "t.mmu:2: expect pa: expected 0x2000, got 0x1000\n"},
        {"\n# c\nfoo\n", "t.mmu:3: unknown command 'foo'\n"},
        {"access 0x1000 r\n", "t.mmu:1: access: missing privilege user, sup or cpl=N"},
        {"access 0x1000 x sup implicit\n", "t.mmu:1: access: implicit with x"},
        {"access 0x1000 r sup\nconfig ports=1\n", "t.mmu:2: config after the first command (line 1)"},
        {"config nosuch=1\n", "t.mmu:1: config: unknown parameter 'nosuch'"},
        {"sync now\n", "t.mmu:1: sync: unexpected 'now'"},
        {"access 0x1000 r sup\naccess 0x1000 r sup @0\n", "t.mmu:2: access: issue cycle 0 is earlier than allowed (horizon 2)"},
        {"access 0x1000 r sup @5\naccess 0x1000 r sup @4\n", "t.mmu:2: access: issue cycle 4 is earlier than allowed"},
        {"cr0 pe|bogus\n", "t.mmu:1: cr0: bad value term 'bogus'"},
        {"cr3 pt\n", "t.mmu:1: cr3: 'pt' used before a page table was created"},
        {"expect seq 3 fault none\n", "t.mmu:1: expect seq 3: no such access"},
        {"poke32 0x1002 1\n", "t.mmu:1: poke32: address 0x1002 is unaligned"},
        {"poke32 0x1000 0x100000000\n", "t.mmu:1: poke32: value 0x100000000 does not fit in 32 bits"},
        {"pt 6\n", "t.mmu:1: pt: bad mode '6'"},
        {"pt off\n", "t.mmu:1: pt: bad mode 'off' (32bit, pae, 4level or 5level)"},
        {"access 0x1000 r cpl=4\n", "t.mmu:1: access: bad CPL 'cpl=4'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_t r;
        run_text(cases[i].text, NULL, &r);
        if (r.rc != 1 || !strstr(r.err, cases[i].msg))
            fail_msg("case %zu: rc %d, stderr '%s', wanted '%s'", i, r.rc, r.err, cases[i].msg);
    }
}

static void test_run_ok_and_jsonl(void **state)
{
    (void)state;
    char path[] = "/tmp/test_script_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);

    run_t r;
    run_text("config ports = 2\n"
             "pt 4\n"
             "map 0xffff800000001000 0x5000 4k p+rw+a+d\n"
             "cr4 pae\nefer lme\ncr3 pt\ncr0 pe|pg\n"
             "access 0xffff800000001234 w sup @+3\n"
             "access 0x1000 r sup @+4   # overlapping: not yet synchronised\n"
             "expect seq 0 pa 0x5234 tlb miss walked yes reads 4 cycles 91\n"
             "expect fault pf ec 0x0 cr2 0x1000\n"
             "poke64 0x8 0x0123456789abcdef\n"
             "expect64 0x8 0x0123456789abcdef\nexpect32 0xc 0x01234567\n"
             "expect64 0x8 0xef mask 0xff\n",
             path, &r);
    if (r.rc != 0)
        fail_msg("rc %d: %s", r.rc, r.err);
    assert_non_null(strstr(r.out, "#0 D w  va=0xffff800000001234 cpl0 -> pa=0x0000000000005234 4k miss"));
    assert_non_null(strstr(r.out, "t.mmu: ok (2 accesses, 4 control operations, 11 checks)"));

    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[2048];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        cJSON *o = cJSON_Parse(line);
        assert_non_null(o);
        const char *op = cJSON_GetStringValue(cJSON_GetObjectItem(o, "op"));
        assert_non_null(op);
        if (n < 4) {
            assert_string_equal(op, n == 0 ? "cr4" : n == 1 ? "efer" : n == 2 ? "cr3" : "cr0");
            assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "line")), 4 + n);
        } else if (n == 4) {
            assert_string_equal(op, "access");
            assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "va")), "0xffff800000001234");
            assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "pa")), "0x5234");
            assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "access")), "w");
            assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "port")), "d");
            assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "fault")), "none");
            assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "tlb")), "miss");
            assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "page_size")), 4096);
            assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "mem_reads")), 4);
            assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "walked")));
            assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "issue")), 267);
            assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "complete")), 267 + 91);
        } else {
            assert_string_equal(op, "access");
            assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "fault")), "pf");
            assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "pa")));
            assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "seq")), 1);
        }
        cJSON_Delete(o);
        n++;
    }
    fclose(f);
    unlink(path);
    assert_int_equal(n, 6);
}

static void test_set_overrides_script_config(void **state)
{
    (void)state;
    /* --set is applied after the script's config lines: the command line wins */
    const char *sets[] = {"mem_latency=5"};
    const char *text = "config mem_latency=50\n"
                       "pt 4\nmap 0x1000 0x1000 4k p+a\ncr4 pae\nefer lme\ncr3 pt\ncr0 pe|pg\n"
                       "access 0x1000 r sup\nexpect reads 4 cycles 31\n";   /* 7 + 4·(1+5) */
    run_t r;
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    FILE *out = fmemopen(r.out, sizeof r.out, "w");
    FILE *err = fmemopen(r.err, sizeof r.err, "w");
    memset(r.err, 0, sizeof r.err);
    script_opts_t o = {.sets = sets, .nsets = 1, .out = out, .err = err};
    r.rc = script_run_stream(&o, in, "t.mmu");
    fclose(in);
    fclose(out);
    fclose(err);
    if (r.rc != 0)
        fail_msg("rc %d: %s", r.rc, r.err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokenize),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_format_flags),
        cmocka_unit_test(test_sizes_levels),
        cmocka_unit_test(test_check_one),
        cmocka_unit_test(test_check_list),
        cmocka_unit_test(test_field_names_roundtrip),
        cmocka_unit_test(test_run_errors),
        cmocka_unit_test(test_run_ok_and_jsonl),
        cmocka_unit_test(test_set_overrides_script_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
