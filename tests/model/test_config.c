/* config: the parameter table, defaults, value parsing and every error path,
 * assignments, config files and cross-parameter validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "linereader.h"

/* params.def read independently of config.c, so the table is checked
 * against the source of truth rather than against itself. */
typedef struct {
    const char *key, *rtl;
    int64_t def, lo, hi;
    int kind;
} expected_param_t;

static const expected_param_t expected_params[] = {
#define PARAM(key, rtl, def, lo, hi, kind, doc) { #key, #rtl, def, lo, hi, kind },
#include "params.def"
#undef PARAM
};
#define NUM_EXPECTED (sizeof expected_params / sizeof expected_params[0])

static void test_table_matches_params_def(void **state)
{
    (void)state;
    assert_int_equal(config_num_params, NUM_EXPECTED);
    for (size_t i = 0; i < NUM_EXPECTED; i++) {
        const expected_param_t *e = &expected_params[i];
        const config_param_t *p = &config_params[i];
        assert_string_equal(p->key, e->key);
        assert_string_equal(p->rtl_name, e->rtl);
        assert_int_equal(p->def, e->def);
        assert_int_equal(p->lo, e->lo);
        assert_int_equal(p->hi, e->hi);
        assert_int_equal(p->kind, e->kind);
        assert_non_null(p->doc);
        assert_ptr_equal(config_find(e->key), p);
    }
}

static void test_defaults(void **state)
{
    (void)state;
    mmu_config_t cfg;
    memset(&cfg, 0xA5, sizeof cfg);
    config_defaults(&cfg);
    for (size_t i = 0; i < NUM_EXPECTED; i++)
        assert_int_equal(config_get(&cfg, config_find(expected_params[i].key)), expected_params[i].def);
    /* spot checks against the literal values, and that offsets land in the right fields */
    assert_int_equal(cfg.maxphyaddr, 46);
    assert_int_equal(cfg.ports, 2);
    assert_int_equal(cfg.dtlb_2m_sets, 8);
    assert_int_equal(cfg.l2_4k_sets, 128);
    assert_int_equal(cfg.tlb_repl, REPL_LRU);
    assert_int_equal(cfg.random_seed, 1);
    assert_int_equal(cfg.mem_model, MEM_FIXED);
    assert_int_equal(cfg.dram_row_bytes, 2048);
    assert_int_equal(cfg.dram_row_miss, 36);
    char err[CONFIG_ERR_LEN] = "";
    assert_int_equal(config_validate(&cfg, err), 0);
}

static void test_find_and_enum_names(void **state)
{
    (void)state;
    assert_null(config_find("nope"));
    assert_null(config_find(""));
    assert_null(config_find(NULL));
    assert_null(config_find("dtlb_4k_set"));      /* prefix is not a match */
    assert_string_equal(config_enum_name(P_ENUM_REPL, REPL_LRU), "lru");
    assert_string_equal(config_enum_name(P_ENUM_REPL, REPL_PLRU), "plru");
    assert_string_equal(config_enum_name(P_ENUM_REPL, REPL_RANDOM), "random");
    assert_string_equal(config_enum_name(P_ENUM_MEM, MEM_FIXED), "fixed");
    assert_string_equal(config_enum_name(P_ENUM_MEM, MEM_DRAM), "dram");
    assert_null(config_enum_name(P_ENUM_REPL, 3));
    assert_null(config_enum_name(P_ENUM_MEM, -1));
    assert_null(config_enum_name(P_INT, 0));
}

typedef struct {
    const char *key, *value;
    int64_t expected;
} good_set_t;

static void test_set_accepts(void **state)
{
    (void)state;
    const good_set_t cases[] = {
        { "dtlb_4k_sets", "64", 64 },
        { "dtlb_4k_sets", "0x40", 64 },
        { "dtlb_4k_sets", "0X400", 1024 },
        { "dtlb_4k_sets", "1", 1 },
        { "dtlb_4k_ways", "0", 0 },
        { "dtlb_4k_ways", "016", 16 },        /* leading zero is decimal */
        { "dtlb_4k_ways", "+3", 3 },
        { "maxphyaddr", "52", 52 },
        { "maxphyaddr", "0x20", 32 },
        { "random_seed", "4294967295", 4294967295LL },
        { "random_seed", "0xffffFFFF", 4294967295LL },
        { "l2tlb", "0", 0 },
        { "l2tlb", "1", 1 },
        { "tlb_repl", "lru", REPL_LRU },
        { "tlb_repl", "plru", REPL_PLRU },
        { "tlb_repl", "random", REPL_RANDOM },
        { "tlb_repl", "2", REPL_RANDOM },     /* index accepted */
        { "mem_model", "dram", MEM_DRAM },
        { "mem_model", "fixed", MEM_FIXED },
        { "mem_model", "1", MEM_DRAM },
        { "dram_row_bytes", "65536", 65536 },
        { "mem_latency", " 7 ", 7 },          /* surrounding blanks are tolerated */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mmu_config_t cfg;
        config_defaults(&cfg);
        char err[CONFIG_ERR_LEN] = "";
        if (config_set(&cfg, cases[i].key, cases[i].value, err) != 0)
            fail_msg("%s=%s rejected: %s", cases[i].key, cases[i].value, err);
        assert_int_equal(config_get(&cfg, config_find(cases[i].key)), cases[i].expected);
    }
}

typedef struct {
    const char *key, *value, *message;
} bad_set_t;

static void test_set_rejects(void **state)
{
    (void)state;
    const bad_set_t cases[] = {
        { "dtlb_4k_setz", "16", "unknown parameter 'dtlb_4k_setz'" },
        { "", "16", "missing parameter name before '='" },
        { "dtlb_4k_sets", "12", "dtlb_4k_sets: 12 is not a power of two in [1, 1024]" },
        { "dtlb_4k_sets", "0", "dtlb_4k_sets: 0 is not a power of two in [1, 1024]" },
        { "dtlb_4k_sets", "2048", "dtlb_4k_sets: 2048 is not a power of two in [1, 1024]" },
        { "dtlb_4k_sets", "0xC", "dtlb_4k_sets: 0xC is not a power of two in [1, 1024]" },
        { "dtlb_4k_sets", "-4", "dtlb_4k_sets: -4 is not a power of two in [1, 1024]" },
        { "dram_row_bytes", "128", "dram_row_bytes: 128 is not a power of two in [256, 65536]" },
        { "dtlb_4k_ways", "17", "dtlb_4k_ways: 17 is out of range [0, 16]" },
        { "dtlb_4k_ways", "-1", "dtlb_4k_ways: -1 is out of range [0, 16]" },
        { "maxphyaddr", "31", "maxphyaddr: 31 is out of range [32, 52]" },
        { "maxphyaddr", "53", "maxphyaddr: 53 is out of range [32, 52]" },
        { "random_seed", "4294967296", "random_seed: 4294967296 is out of range [0, 4294967295]" },
        { "maxphyaddr", "99999999999999999999999",
          "maxphyaddr: 99999999999999999999999 is out of range [32, 52]" },
        { "maxphyaddr", "12abc", "maxphyaddr: '12abc' is not a number" },
        { "maxphyaddr", "abc", "maxphyaddr: 'abc' is not a number" },
        { "maxphyaddr", "0x", "maxphyaddr: '0x' is not a number" },
        { "maxphyaddr", "0x2g", "maxphyaddr: '0x2g' is not a number" },
        { "maxphyaddr", "4 6", "maxphyaddr: '4 6' is not a number" },
        { "maxphyaddr", "-", "maxphyaddr: '-' is not a number" },
        { "maxphyaddr", "1e3", "maxphyaddr: '1e3' is not a number" },
        { "maxphyaddr", "", "maxphyaddr: missing value" },
        { "l2tlb", "2", "l2tlb: 2 is not a boolean (0 or 1)" },
        { "l2tlb", "yes", "l2tlb: 'yes' is not a number" },
        { "tlb_repl", "fifo", "tlb_repl: 'fifo' is not one of lru, plru, random (or their index 0..2)" },
        { "tlb_repl", "LRU", "tlb_repl: 'LRU' is not one of lru, plru, random (or their index 0..2)" },
        { "tlb_repl", "3", "tlb_repl: '3' is not one of lru, plru, random (or their index 0..2)" },
        { "tlb_repl", "pl", "tlb_repl: 'pl' is not one of lru, plru, random (or their index 0..2)" },
        { "tlb_repl", "lrux", "tlb_repl: 'lrux' is not one of lru, plru, random (or their index 0..2)" },
        { "mem_model", "sram", "mem_model: 'sram' is not one of fixed, dram, cache (or their index 0..2)" },
        { "mem_model", "-1", "mem_model: '-1' is not one of fixed, dram, cache (or their index 0..2)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mmu_config_t cfg, before;
        config_defaults(&cfg);
        before = cfg;
        char err[CONFIG_ERR_LEN] = "";
        if (config_set(&cfg, cases[i].key, cases[i].value, err) != -1)
            fail_msg("%s=%s accepted", cases[i].key, cases[i].value);
        assert_string_equal(err, cases[i].message);
        assert_memory_equal(&cfg, &before, sizeof cfg);    /* unchanged on error */
    }
}

static void test_set_tolerates_null(void **state)
{
    (void)state;
    mmu_config_t cfg;
    config_defaults(&cfg);
    char err[CONFIG_ERR_LEN] = "";
    assert_int_equal(config_set(&cfg, NULL, "1", err), -1);
    assert_int_equal(config_set(&cfg, "ports", NULL, err), -1);
    assert_int_equal(config_set(NULL, "ports", "1", err), -1);
    assert_int_equal(config_set(&cfg, "ports", "9", NULL), -1);   /* no error buffer: still fails */
    assert_int_equal(config_set_assignment(&cfg, NULL, err), -1);
    assert_int_equal(config_load_file(&cfg, NULL, err), -1);
    assert_int_equal(config_validate(NULL, err), -1);
}

/* An over-long bad value still gives a terminated, truncated message. */
static void test_long_value_message_is_bounded(void **state)
{
    (void)state;
    char value[1000];
    memset(value, '7', sizeof value - 2);
    value[sizeof value - 2] = 'x';
    value[sizeof value - 1] = '\0';
    mmu_config_t cfg;
    config_defaults(&cfg);
    char err[CONFIG_ERR_LEN + 16];
    memset(err, 'Z', sizeof err);
    assert_int_equal(config_set(&cfg, "maxphyaddr", value, err), -1);
    assert_true(strlen(err) < CONFIG_ERR_LEN);
    assert_int_equal(strncmp(err, "maxphyaddr: '777", 16), 0);
    assert_int_equal(err[CONFIG_ERR_LEN], 'Z');              /* nothing written past the limit */
}

typedef struct {
    const char *text;
    int rc;
    const char *message;    /* on error */
} assignment_case_t;

static void test_set_assignment(void **state)
{
    (void)state;
    const assignment_case_t cases[] = {
        { "ports=1", 0, NULL },
        { "  ports =  1  ", 0, NULL },
        { "ports\t=\t1", 0, NULL },
        { "tlb_repl=plru", 0, NULL },
        { "ports 1", -1, "expected 'key = value', got 'ports 1'" },
        { "", -1, "expected 'key = value', got ''" },
        { "=1", -1, "missing parameter name before '='" },
        { "ports=", -1, "ports: missing value" },
        { "ports==1", -1, "ports: '=1' is not a number" },
        { "portz=1", -1, "unknown parameter 'portz'" },
        { "ports=3", -1, "ports: 3 is out of range [1, 2]" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mmu_config_t cfg;
        config_defaults(&cfg);
        char err[CONFIG_ERR_LEN] = "";
        int rc = config_set_assignment(&cfg, cases[i].text, err);
        if (rc != cases[i].rc)
            fail_msg("'%s': rc %d (%s)", cases[i].text, rc, err);
        if (rc == 0 && strncmp(cases[i].text, "tlb_repl", 8) == 0)
            assert_int_equal(cfg.tlb_repl, REPL_PLRU);
        else if (rc == 0)
            assert_int_equal(cfg.ports, 1);
        else
            assert_string_equal(err, cases[i].message);
    }
}

/* --- config files -------------------------------------------------------- */

static char *write_temp_file(const char *contents)
{
    char *path = strdup("/tmp/mmulab_test_config_XXXXXX");
    assert_non_null(path);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(contents);
    assert_int_equal(write(fd, contents, len), (ssize_t)len);
    close(fd);
    return path;
}

static void remove_temp_file(char *path)
{
    unlink(path);
    free(path);
}

static void test_load_file_good(void **state)
{
    (void)state;
    char *path = write_temp_file(
        "# a comment line\n"
        "\n"
        "ports = 1\n"
        "   dtlb_4k_sets=0x20   # trailing comment\r\n"
        "\t\n"
        "tlb_repl = random\n"
        "mem_model=dram\n"
        "ports = 2\n"                  /* later lines win */
        "dram_banks = 16");            /* no final newline */
    mmu_config_t cfg;
    config_defaults(&cfg);
    char err[CONFIG_ERR_LEN] = "";
    if (config_load_file(&cfg, path, err) != 0)
        fail_msg("%s", err);
    assert_int_equal(cfg.ports, 2);
    assert_int_equal(cfg.dtlb_4k_sets, 32);
    assert_int_equal(cfg.tlb_repl, REPL_RANDOM);
    assert_int_equal(cfg.mem_model, MEM_DRAM);
    assert_int_equal(cfg.dram_banks, 16);
    assert_int_equal(cfg.maxphyaddr, 46);   /* untouched */
    remove_temp_file(path);
}

typedef struct {
    const char *contents;
    unsigned line;
    const char *message;    /* after "PATH:LINE: " */
} bad_file_t;

static void test_load_file_errors(void **state)
{
    (void)state;
    const bad_file_t cases[] = {
        { "ports = 1\n# ok\n\ndtlb_4k_setz = 16\n", 4, "unknown parameter 'dtlb_4k_setz'" },
        { "dtlb_4k_sets = 12\n", 1, "dtlb_4k_sets: 12 is not a power of two in [1, 1024]" },
        { "ports = 1\nmaxphyaddr = 12abc # comment\n", 2, "maxphyaddr: '12abc' is not a number" },
        { "\n\n\nports\n", 4, "expected 'key = value', got 'ports'" },
        { "tlb_repl = mru\n", 1, "tlb_repl: 'mru' is not one of lru, plru, random (or their index 0..2)" },
        { "l2tlb = \n", 1, "l2tlb: missing value" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = write_temp_file(cases[i].contents);
        mmu_config_t cfg, before;
        config_defaults(&cfg);
        before = cfg;
        char err[CONFIG_ERR_LEN] = "", expected[CONFIG_ERR_LEN];
        snprintf(expected, sizeof expected, "%s:%u: %s", path, cases[i].line, cases[i].message);
        assert_int_equal(config_load_file(&cfg, path, err), -1);
        assert_string_equal(err, expected);
        assert_memory_equal(&cfg, &before, sizeof cfg);   /* nothing applied */
        remove_temp_file(path);
    }
}

/* The bounded line reader (model/linereader.h): an input without newlines costs at most one
 * line of memory and fails with FILE:LINE; NUL bytes and directories read like script errors. */
static void test_load_file_bounded_lines(void **state)
{
    (void)state;
    char *long_line = malloc(LINE_MAX_BYTES + 100);
    assert_non_null(long_line);
    memset(long_line, 'a', LINE_MAX_BYTES + 99);
    long_line[LINE_MAX_BYTES + 99] = '\0';
    char *path = write_temp_file(long_line);
    free(long_line);
    mmu_config_t cfg;
    config_defaults(&cfg);
    char err[CONFIG_ERR_LEN] = "", expected[CONFIG_ERR_LEN];
    snprintf(expected, sizeof expected, "%s:1: line longer than 4096 bytes", path);
    assert_int_equal(config_load_file(&cfg, path, err), -1);
    assert_string_equal(err, expected);
    remove_temp_file(path);

    assert_int_equal(config_load_file(&cfg, "/dev/zero", err), -1);
    assert_string_equal(err, "/dev/zero:1: line longer than 4096 bytes");
    assert_int_equal(config_load_file(&cfg, "/", err), -1);
    assert_string_equal(err, "/:1: read error: Is a directory");

    path = write_temp_file("ports = 1\n");
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fwrite("ports = 2\0\n", 1, 11, f);
    fclose(f);
    snprintf(expected, sizeof expected, "%s:2: NUL byte in line", path);
    assert_int_equal(config_load_file(&cfg, path, err), -1);
    assert_string_equal(err, expected);
    remove_temp_file(path);
}

static void test_load_missing_file(void **state)
{
    (void)state;
    mmu_config_t cfg;
    config_defaults(&cfg);
    char err[CONFIG_ERR_LEN] = "";
    const char *path = "/nonexistent/mmulab/no_such.cfg";
    assert_int_equal(config_load_file(&cfg, path, err), -1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "cannot open"));
}

/* --- validation ---------------------------------------------------------- */

typedef struct {
    const char *name;
    const char *assignments[6];     /* applied to the defaults, NULL-terminated */
    const char *message;            /* NULL: valid */
} validate_case_t;

static void test_validate(void **state)
{
    (void)state;
    const validate_case_t cases[] = {
        { "defaults", { NULL }, NULL },
        { "plru, power-of-two ways", { "tlb_repl=plru", NULL }, NULL },
        { "plru, 3-way dtlb", { "tlb_repl=plru", "dtlb_2m_ways=3", NULL },
          "dtlb_2m_ways: 3 ways, but tlb_repl=plru needs a power of two" },
        { "plru, 6-way itlb", { "tlb_repl=plru", "itlb_4k_ways=6", NULL },
          "itlb_4k_ways: 6 ways, but tlb_repl=plru needs a power of two" },
        { "plru, 12-way l2", { "tlb_repl=plru", "l2_1g_ways=12", NULL },
          "l2_1g_ways: 12 ways, but tlb_repl=plru needs a power of two" },
        { "lru, 3-way dtlb", { "dtlb_2m_ways=3", NULL }, NULL },
        { "plru, 0 ways is fine", { "tlb_repl=plru", "dtlb_1g_ways=0", NULL }, NULL },
        { "plru, single port ignores itlb", { "tlb_repl=plru", "ports=1", "itlb_4k_ways=3", NULL }, NULL },
        { "plru, no l2 ignores l2", { "tlb_repl=plru", "l2tlb=0", "l2_4k_ways=5", NULL }, NULL },
        { "empty dtlb", { "dtlb_4k_ways=0", "dtlb_2m_ways=0", "dtlb_1g_ways=0", NULL },
          "dtlb caches no page size: dtlb_4k_ways, dtlb_2m_ways and dtlb_1g_ways are all 0" },
        { "empty dtlb, single port", { "ports=1", "dtlb_4k_ways=0", "dtlb_2m_ways=0", "dtlb_1g_ways=0", NULL },
          "dtlb caches no page size: dtlb_4k_ways, dtlb_2m_ways and dtlb_1g_ways are all 0" },
        { "empty itlb", { "itlb_4k_ways=0", "itlb_2m_ways=0", "itlb_1g_ways=0", NULL },
          "itlb caches no page size: itlb_4k_ways, itlb_2m_ways and itlb_1g_ways are all 0" },
        { "empty itlb, single port", { "ports=1", "itlb_4k_ways=0", "itlb_2m_ways=0", NULL }, NULL },
        { "empty l2", { "l2_4k_ways=0", "l2_2m_ways=0", "l2_1g_ways=0", NULL },
          "l2 TLB caches no page size: l2_4k_ways, l2_2m_ways and l2_1g_ways are all 0" },
        { "empty l2, no l2", { "l2tlb=0", "l2_4k_ways=0", "l2_2m_ways=0", "l2_1g_ways=0", NULL }, NULL },
        { "one class is enough", { "dtlb_4k_ways=0", "dtlb_2m_ways=0", NULL }, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const validate_case_t *c = &cases[i];
        mmu_config_t cfg;
        config_defaults(&cfg);
        char err[CONFIG_ERR_LEN] = "";
        for (size_t a = 0; c->assignments[a]; a++)
            if (config_set_assignment(&cfg, c->assignments[a], err) != 0)
                fail_msg("%s: %s", c->name, err);
        int rc = config_validate(&cfg, err);
        if (!c->message) {
            if (rc != 0)
                fail_msg("%s: rejected: %s", c->name, err);
        } else {
            if (rc != -1)
                fail_msg("%s: accepted", c->name);
            assert_string_equal(err, c->message);
        }
    }
}

/* A struct filled directly (not through config_set) is range-checked too. */
static void test_validate_checks_fields(void **state)
{
    (void)state;
    mmu_config_t cfg;
    char err[CONFIG_ERR_LEN] = "";
    config_defaults(&cfg);
    cfg.l2_2m_sets = 48;
    assert_int_equal(config_validate(&cfg, err), -1);
    assert_string_equal(err, "l2_2m_sets: 48 is not a power of two in [1, 4096]");
    config_defaults(&cfg);
    cfg.ports = 0;
    assert_int_equal(config_validate(&cfg, err), -1);
    assert_string_equal(err, "ports: 0 is out of range [1, 2]");
    config_defaults(&cfg);
    cfg.mem_model = 5;
    assert_int_equal(config_validate(&cfg, err), -1);
    assert_string_equal(err, "mem_model: '5' is not one of fixed, dram, cache (or their index 0..2)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_matches_params_def),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_find_and_enum_names),
        cmocka_unit_test(test_set_accepts),
        cmocka_unit_test(test_set_rejects),
        cmocka_unit_test(test_set_tolerates_null),
        cmocka_unit_test(test_long_value_message_is_bounded),
        cmocka_unit_test(test_set_assignment),
        cmocka_unit_test(test_load_file_good),
        cmocka_unit_test(test_load_file_errors),
        cmocka_unit_test(test_load_file_bounded_lines),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_validate_checks_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
