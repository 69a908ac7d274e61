/* The OS verbs through the script interpreter: symbols, the JSONL record of the
 * OS counters, and errors naming FILE:LINE (docs/scripts.md "OS layer"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "script.h"

typedef struct { int rc; char out[16384], err[4096], jsonl[8192]; } run_t;

static void slurp(FILE *f, char *buf, size_t len)
{
    rewind(f);
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
}

static void run(const char *text, run_t *r)
{
    char path[] = "/tmp/mmulab_os_jsonl_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    FILE *out = tmpfile(), *err = tmpfile();
    assert_non_null(in);
    assert_non_null(out);
    assert_non_null(err);
    script_opts_t o = { .path = "t.mmu", .jsonl_path = path, .out = out, .err = err };
    r->rc = script_run_stream(&o, in, "t.mmu");
    slurp(out, r->out, sizeof r->out);
    slurp(err, r->err, sizeof r->err);
    FILE *j = fopen(path, "r");
    assert_non_null(j);
    slurp(j, r->jsonl, sizeof r->jsonl);
    fclose(j);
    unlink(path);
    fclose(in);
    fclose(out);
    fclose(err);
}

/* The JSONL output ends with the OS counters (docs/scripts.md). */
static void test_jsonl_counters(void **state)
{
    (void)state;
    run_t *r = calloc(1, sizeof *r);
    run("os boot 4level\nproc a\nmmap a 0x400000 8k rw\nswitch a\ntouch 0x400000 8k r\n"
        "touch 0x400000 4k w\n", r);
    assert_int_equal(r->rc, 0);
    const char *last = strstr(r->jsonl, "{\"op\":\"os\"");
    assert_non_null(last);
    assert_non_null(strstr(last, "\"demand_faults\":3"));     /* two zero-page reads, one copy */
    assert_non_null(strstr(last, "\"zero_page_maps\":2"));
    assert_non_null(strstr(last, "\"cow_faults\":1"));
    assert_non_null(strstr(last, "\"user_pages\":1"));
    free(r);
}

/* Symbols: the layout's, with +offset, and vmalloc's; a freed one keeps its address. */
static void test_symbols(void **state)
{
    (void)state;
    run_t *r = calloc(1, sizeof *r);
    run("os boot 5level vmalloc=lazy\nproc a\nswitch a\nvmalloc buf 8k\nktouch buf+4k 4k r\n"
        "ktouch page_offset+0x1000 4k w\nexpect os vmalloc_faults 1 oops 0\nvfree buf\nktouch buf 4k r\n"
        "expect os oops 1\n", r);
    if (r->rc != 0)
        fail_msg("%s", r->err);
    assert_non_null(strstr(r->out, "vmalloc buf = 0xffa0000000000000"));
    run("os boot 4level\nktouch nosuch 4k r\n", r);
    assert_int_equal(r->rc, 1);
    assert_non_null(strstr(r->err, "t.mmu:2: ktouch: 'nosuch' is neither a number nor a symbol"));
    run("os boot 4level\nvmalloc _text 4k\n", r);
    assert_int_equal(r->rc, 1);
    assert_non_null(strstr(r->err, "t.mmu:2: vmalloc: symbol '_text' is already defined"));
    free(r);
}

/* Bad OS lines name FILE:LINE and the problem. */
static void test_errors(void **state)
{
    (void)state;
    static const struct { const char *script, *msg; } cases[] = {
        { "os boot 6level\n", "t.mmu:1: os boot: bad mode '6level'" },
        { "os boot 4level ram=13m\n", "t.mmu:1: os boot: ram 0xd00000 is too small" },
        { "os boot 4level cpus=0\n", "t.mmu:1: os boot: cpus=0 out of range" },
        { "os boot 4level kpti=2\n", "t.mmu:1: os boot: kpti=2: expected 0 or 1" },
        { "os boot 4level\nos boot 4level\n", "t.mmu:2: os boot: the OS is booted already" },
        { "os boot pae\nproc a\nproc a\n", "t.mmu:3: proc: process 'a' exists already" },
        { "os boot 4level\nproc a\nmmap a 0x400001 4k r\n", "t.mmu:3: mmap: 0x400001 + 0x1000 is not aligned" },
        { "os boot 4level\nproc a\nmunmap a 0x400000 0\n", "t.mmu:3: munmap: length 0" },
        { "os boot 4level\ncpu 1\n", "t.mmu:2: cpu: '1' is not a CPU (0..0)" },
        { "os boot 4level\nsyscall\n", "t.mmu:2: syscall: CPU 0 runs no process" },
        { "os boot 4level\nexpect os nosuch 1\n", "t.mmu:2: expect os: unknown field 'nosuch'" },
        { "os boot 4level\nvfree page_offset\n", "t.mmu:2: vfree: 'page_offset' is a layout symbol" },
        { "os boot 4level ram=64m\nvmalloc big 1g\n", "t.mmu:2: vmalloc: RAM exhausted after" },
        { "os boot 32bit\nproc a\nmmap a 0x400000 2m rw 2m\n", "t.mmu:3: mmap: 21-bit pages are not possible in 32bit paging" },
    };
    run_t *r = calloc(1, sizeof *r);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run(cases[i].script, r);
        assert_int_equal(r->rc, 1);
        if (!strstr(r->err, cases[i].msg))
            fail_msg("script %zu: stderr '%s' lacks '%s'", i, r->err, cases[i].msg);
    }
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonl_counters), cmocka_unit_test(test_symbols), cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
