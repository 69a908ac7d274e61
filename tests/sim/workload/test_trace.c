/* Trace readers (sim/workload/trace*.c): lackey lines and ChampSim records with
 * their expected accesses worked out by hand from the formats (valgrind lackey's
 * --trace-mem output; ChampSim inc/trace_instruction.h input_instr), the same
 * traces through gzip, xz and zstd (compressed here with zlib, liblzma and
 * libzstd), truncated and corrupt streams, malformed lines and records with
 * their FILE:LINE / FILE: record N messages, and the two traces shipped in
 * tests/traces/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "trace.h"

#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

typedef struct {
    vaddr_t va;
    mmu_access_t access;
    uint32_t size;
} want_t;

#define R ACC_READ
#define W ACC_WRITE
#define X ACC_EXEC

/* Reads every access of t and compares with want[0..n). */
static void expect_accesses(trace_t *t, const want_t *want, size_t n)
{
    trace_access_t a;
    for (size_t i = 0; i < n; i++) {
        int rc = trace_next(t, &a);
        if (rc != 1)
            fail_msg("access %zu: trace_next returned %d (%s)", i, rc, trace_error(t));
        if (a.va != want[i].va || a.access != want[i].access || a.size != want[i].size)
            fail_msg("access %zu: got va 0x%llx kind %d size %u, expected 0x%llx kind %d size %u", i,
                     (unsigned long long)a.va, a.access, a.size, (unsigned long long)want[i].va,
                     want[i].access, want[i].size);
    }
    assert_int_equal(trace_next(t, &a), 0);
    assert_int_equal(trace_next(t, &a), 0);   /* the end stays the end */
}

static trace_t *open_mem(const void *data, size_t size, const char *name, trace_format_t fmt)
{
    char err[TRACE_ERR_LEN];
    trace_t *t = trace_open_mem(data, size, name, fmt, err);
    if (!t)
        fail_msg("trace_open_mem: %s", err);
    return t;
}

/* --- lackey ------------------------------------------------------------------ */

/* What valgrind 3.19 writes: "==PID==" banner lines, "I  " fetches at column 0,
 * " L", " S", " M" data accesses indented by one space. */
static const char lackey_text[] =
    "==22651== Lackey, an example Valgrind tool\n"
    "==22651== Command: /bin/true\n"
    "==22651== \n"
    "I  0401ab70,3\n"
    " S 1ffefffd48,8\n"
    " L 04022e78,8\n"
    " M 0421d8c0,4\n"
    "\n"
    "I  ffffffffff600000,16\r\n"
    " L 0,1\n"
    "==22651== Exit code:       0";    /* no final newline */

static const want_t lackey_want[] = {
    { 0x0401ab70, X, 3 },
    { 0x1ffefffd48, W, 8 },
    { 0x04022e78, R, 8 },
    { 0x0421d8c0, R, 4 },            /* M: the read, */
    { 0x0421d8c0, W, 4 },            /* then the write */
    { 0xffffffffff600000, X, 16 },
    { 0, R, 1 },
};

static void test_lackey_lines(void **state)
{
    (void)state;
    trace_t *t = open_mem(lackey_text, strlen(lackey_text), "t.lackey", TRACE_AUTO);
    assert_int_equal(trace_format(t), TRACE_LACKEY);
    expect_accesses(t, lackey_want, sizeof lackey_want / sizeof lackey_want[0]);
    assert_int_equal(trace_position(t), 11);   /* lines */
    trace_close(t);
    /* a UTF-8 path in valgrind's banner is still text */
    static const char utf8[] = "==7== Command: /home/jos\xc3\xa9/a.out\nI  1000,4\n";
    t = open_mem(utf8, strlen(utf8), "u.lackey", TRACE_AUTO);
    assert_int_equal(trace_format(t), TRACE_LACKEY);
    const want_t one[] = { { 0x1000, X, 4 } };
    expect_accesses(t, one, 1);
    trace_close(t);
}

typedef struct {
    const char *text;
    const char *error;     /* expected in trace_error */
    size_t good_before;    /* accesses delivered before the error */
} bad_case_t;

static const bad_case_t bad_lackey[] = {
    { "I  0401ab70,3\n X 1234,8\n", "bad.lackey:2: expected I, L, S or M, got 'X 1234,8'", 1 },
    { "I  0401ab70,3\nL1234,8\n", "bad.lackey:2: expected a space after 'L'", 1 },
    { " L ,8\n", "bad.lackey:1: expected a hexadecimal address after 'L'", 0 },
    { " L 12g4,8\n", "bad.lackey:1: expected ',SIZE' after the address", 0 },
    { " L 1234\n", "bad.lackey:1: expected ',SIZE' after the address", 0 },
    { " L 1234,\n", "bad.lackey:1: expected a size of 1 or more bytes", 0 },
    { " L 1234,0\n", "bad.lackey:1: expected a size of 1 or more bytes", 0 },
    { " L 1234,8 x\n", "bad.lackey:1: unexpected 'x' after the size", 0 },
    { " L 1234,99999999\n", "bad.lackey:1: size larger than", 0 },
    { " L 12345678901234567,8\n", "bad.lackey:1: address longer than 16 hex digits", 0 },
    { "==1== a\n\nI  1,1\n S 2,2\n\nfoo\n", "bad.lackey:6: expected I, L, S or M, got 'foo'", 2 },
};

static void test_lackey_errors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_lackey / sizeof bad_lackey[0]; i++) {
        const bad_case_t *c = &bad_lackey[i];
        trace_t *t = open_mem(c->text, strlen(c->text), "bad.lackey", TRACE_LACKEY);
        trace_access_t a;
        size_t good = 0;
        int rc;
        while ((rc = trace_next(t, &a)) == 1)
            good++;
        if (rc != -1 || !strstr(trace_error(t), c->error) || good != c->good_before)
            fail_msg("case %zu: rc %d after %zu accesses, error '%s'; expected -1 after %zu, '%s'", i, rc,
                     good, trace_error(t), c->good_before, c->error);
        assert_int_equal(trace_next(t, &a), -1);   /* errors stick */
        trace_close(t);
    }
}

/* A line that does not end within the reader's window is an error, not a buffer growing
 * without bound. */
static void test_lackey_line_too_long(void **state)
{
    (void)state;
    size_t n = 600 * 1024;
    char *text = malloc(n);
    assert_non_null(text);
    memset(text, ' ', n);
    memcpy(text, "I  1,1\n L 2", 11);
    trace_t *t = open_mem(text, n, "long.lackey", TRACE_LACKEY);
    trace_access_t a;
    assert_int_equal(trace_next(t, &a), 1);
    assert_int_equal(trace_next(t, &a), -1);
    assert_non_null(strstr(trace_error(t), "long.lackey:2: line longer than"));
    trace_close(t);
    free(text);
}

/* --- ChampSim ---------------------------------------------------------------- */

typedef struct {
    uint64_t ip;
    uint8_t is_branch, branch_taken;
    uint64_t dst[2], src[4];
} record_t;

/* The 64-byte input_instr layout, little-endian (ChampSim inc/trace_instruction.h). */
static void put_record(uint8_t *p, const record_t *r)
{
    memset(p, 0, 64);
    for (int b = 0; b < 8; b++) {
        p[b] = (uint8_t)(r->ip >> 8 * b);
        for (int i = 0; i < 2; i++)
            p[16 + 8 * i + b] = (uint8_t)(r->dst[i] >> 8 * b);
        for (int i = 0; i < 4; i++)
            p[32 + 8 * i + b] = (uint8_t)(r->src[i] >> 8 * b);
    }
    p[8] = r->is_branch;
    p[9] = r->branch_taken;
    p[10] = 7;     /* registers: present in real traces, ignored */
    p[12] = 6;
    p[13] = 25;
}

static const record_t records[] = {
    { 0x401000, 0, 0, { 0, 0 }, { 0, 0, 0, 0 } },                            /* no memory operand */
    { 0x401004, 0, 0, { 0x7ffe0010, 0 }, { 0x601000, 0, 0x602000, 0 } },     /* zeros are absent */
    { 0x401008, 1, 1, { 0, 0x7ffe0000 }, { 0, 0, 0, 0xdeadbeef00 } },
    { 0xffffffff81000000ull, 0, 0, { 1, 2 }, { 3, 4, 5, 6 } },               /* every slot used */
};

static const want_t records_want[] = {
    { 0x401000, X, 0 },
    { 0x401004, X, 0 }, { 0x601000, R, 0 }, { 0x602000, R, 0 }, { 0x7ffe0010, W, 0 },
    { 0x401008, X, 0 }, { 0xdeadbeef00, R, 0 }, { 0x7ffe0000, W, 0 },
    { 0xffffffff81000000ull, X, 0 }, { 3, R, 0 }, { 4, R, 0 }, { 5, R, 0 }, { 6, R, 0 },
    { 1, W, 0 }, { 2, W, 0 },
};

#define NRECORDS (sizeof records / sizeof records[0])

static void test_champsim_records(void **state)
{
    (void)state;
    uint8_t buf[NRECORDS * 64];
    for (size_t i = 0; i < NRECORDS; i++)
        put_record(buf + 64 * i, &records[i]);
    trace_t *t = open_mem(buf, sizeof buf, "t.champsim", TRACE_AUTO);
    assert_int_equal(trace_format(t), TRACE_CHAMPSIM);
    expect_accesses(t, records_want, sizeof records_want / sizeof records_want[0]);
    assert_int_equal(trace_position(t), NRECORDS);
    trace_close(t);
}

static void test_champsim_errors(void **state)
{
    (void)state;
    uint8_t buf[3 * 64];
    record_t ok = { 0x401000, 0, 0, { 0, 0 }, { 0x1000, 0, 0, 0 } };
    put_record(buf, &ok);
    put_record(buf + 64, &ok);
    struct {
        size_t size;
        int patch_offset, patch_value;    /* into record 2 (-1: none) */
        const char *error;
    } cases[] = {
        { 64 + 63, -1, 0, "bad.champsim: record 2: truncated (63 of 64 bytes)" },
        { 64 + 1, -1, 0, "bad.champsim: record 2: truncated (1 of 64 bytes)" },
        { 128, 8, 2, "bad.champsim: record 2: is_branch = 2, branch_taken = 0" },
        { 128, 9, 0xff, "bad.champsim: record 2: is_branch = 0, branch_taken = 255" },
        { 128, 0, 0, "bad.champsim: record 2: ip is 0" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        put_record(buf + 64, &ok);
        if (cases[i].patch_offset == 0)
            memset(buf + 64, 0, 8);
        else if (cases[i].patch_offset > 0)
            buf[64 + cases[i].patch_offset] = (uint8_t)cases[i].patch_value;
        trace_t *t = open_mem(buf, cases[i].size, "bad.champsim", TRACE_CHAMPSIM);
        trace_access_t a;
        assert_int_equal(trace_next(t, &a), 1);   /* record 1: fetch and read */
        assert_int_equal(trace_next(t, &a), 1);
        int rc = trace_next(t, &a);
        if (rc != -1 || !strstr(trace_error(t), cases[i].error))
            fail_msg("case %zu: rc %d, error '%s', expected '%s'", i, rc, trace_error(t), cases[i].error);
        trace_close(t);
    }
}

/* --- compression --------------------------------------------------------------- */

typedef struct {
    uint8_t *data;
    size_t size;
} blob_t;

static blob_t gzip_blob(const void *src, size_t n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    blob_t b = { malloc(deflateBound(&z, n) + 64), 0 };
    z.next_in = (Bytef *)src;
    z.avail_in = (uInt)n;
    z.next_out = b.data;
    z.avail_out = (uInt)(deflateBound(&z, n) + 64);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    b.size = z.total_out;
    deflateEnd(&z);
    return b;
}

static blob_t xz_blob(const void *src, size_t n)
{
    blob_t b = { malloc(lzma_stream_buffer_bound(n)), 0 };
    assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, src, n, b.data, &b.size,
                                             lzma_stream_buffer_bound(n)), LZMA_OK);
    return b;
}

static blob_t zstd_blob(const void *src, size_t n)
{
    blob_t b = { malloc(ZSTD_compressBound(n)), 0 };
    b.size = ZSTD_compress(b.data, ZSTD_compressBound(n), src, n, 3);
    assert_false(ZSTD_isError(b.size));
    return b;
}

/* Large enough that the compressed and decompressed bytes span several reader
 * windows and input chunks. */
static char *big_lackey(size_t lines, size_t *len)
{
    char *text = malloc(lines * 24 + 1);
    size_t n = 0;
    for (size_t i = 0; i < lines; i++)
        n += (size_t)sprintf(text + n, i % 3 ? " L %llx,8\n" : "I  %llx,4\n",
                             (unsigned long long)(0x400000 + 0x1357 * i));
    *len = n;
    return text;
}

static void expect_big_lackey(trace_t *t, size_t lines)
{
    trace_access_t a;
    for (size_t i = 0; i < lines; i++) {
        assert_int_equal(trace_next(t, &a), 1);
        if (a.va != 0x400000 + 0x1357 * i || a.access != (i % 3 ? R : X))
            fail_msg("access %zu: va 0x%llx kind %d", i, (unsigned long long)a.va, a.access);
    }
    assert_int_equal(trace_next(t, &a), 0);
}

static void test_codecs(void **state)
{
    (void)state;
    const size_t lines = 100000;
    size_t len;
    char *text = big_lackey(lines, &len);
    blob_t (*const compress[])(const void *, size_t) = { gzip_blob, xz_blob, zstd_blob };
    for (size_t c = 0; c < 3; c++) {
        blob_t b = compress[c](text, len);
        /* the name says nothing: the content decides */
        trace_t *t = open_mem(b.data, b.size, "trace.txt", TRACE_AUTO);
        assert_int_equal(trace_format(t), TRACE_LACKEY);
        expect_big_lackey(t, lines);
        trace_close(t);
        free(b.data);
    }
    free(text);
}

static void test_truncated_and_corrupt_streams(void **state)
{
    (void)state;
    const size_t lines = 20000;
    size_t len;
    char *text = big_lackey(lines, &len);
    blob_t (*const compress[])(const void *, size_t) = { gzip_blob, xz_blob, zstd_blob };
    const char *const truncated[] = { "cut: gzip: truncated stream", "cut: xz: truncated stream",
                                      "cut: zstd: truncated stream" };
    for (size_t c = 0; c < 3; c++) {
        blob_t b = compress[c](text, len);
        /* cut in the middle, and just before the end (inside the trailer) */
        const size_t cuts[] = { b.size / 2, b.size - 1 };
        for (size_t k = 0; k < 2; k++) {
            char err[TRACE_ERR_LEN];
            trace_t *t = trace_open_mem(b.data, cuts[k], "cut", TRACE_LACKEY, err);
            trace_access_t a;
            int rc = t ? 1 : -1;
            size_t got = 0;
            if (t)
                while ((rc = trace_next(t, &a)) == 1)
                    got++;
            const char *msg = t ? trace_error(t) : err;
            if (rc != -1 || !strstr(msg, truncated[c]) || got > lines)
                fail_msg("codec %zu cut %zu: rc %d after %zu accesses, '%s'", c, k, rc, got, msg);
            trace_close(t);
        }
        /* a flipped byte in the middle of the compressed data */
        b.data[b.size / 2] ^= 0x55;
        char err[TRACE_ERR_LEN];
        trace_t *t = trace_open_mem(b.data, b.size, "flip", TRACE_LACKEY, err);
        trace_access_t a;
        int rc = t ? 1 : -1;
        if (t)
            while ((rc = trace_next(t, &a)) == 1)
                ;
        const char *msg = t ? trace_error(t) : err;
        if (rc != -1 || strncmp(msg, "flip", 4) != 0)
            fail_msg("codec %zu corrupt: rc %d, '%s'", c, rc, msg);
        trace_close(t);
        free(b.data);
    }
    free(text);
}

/* Two gzip members and two zstd frames back to back read as one trace (as gzip -d and zstd -d do). */
static void test_concatenated(void **state)
{
    (void)state;
    const char *part[2] = { "I  1000,4\n L 2000,8\n", " S 3000,2\n" };
    const want_t want[] = { { 0x1000, X, 4 }, { 0x2000, R, 8 }, { 0x3000, W, 2 } };
    blob_t (*const compress[])(const void *, size_t) = { gzip_blob, zstd_blob, xz_blob };
    for (size_t c = 0; c < 3; c++) {
        blob_t a = compress[c](part[0], strlen(part[0])), b = compress[c](part[1], strlen(part[1]));
        uint8_t *both = malloc(a.size + b.size);
        memcpy(both, a.data, a.size);
        memcpy(both + a.size, b.data, b.size);
        trace_t *t = open_mem(both, a.size + b.size, "two", TRACE_AUTO);
        expect_accesses(t, want, 3);
        trace_close(t);
        free(both);
        free(a.data);
        free(b.data);
    }
}

static void test_open_errors(void **state)
{
    (void)state;
    char err[TRACE_ERR_LEN];
    assert_null(trace_open("tests/traces/no-such-file", TRACE_AUTO, err));
    assert_non_null(strstr(err, "tests/traces/no-such-file: cannot open"));
    trace_t *t = open_mem("", 0, "empty", TRACE_AUTO);   /* an empty trace has no accesses */
    trace_access_t a;
    assert_int_equal(trace_next(t, &a), 0);
    trace_close(t);
}

/* --- the shipped traces ---------------------------------------------------------- */

/* tests/traces/true.lackey.xz: `valgrind --tool=lackey --trace-mem=yes --log-file=F /bin/true`
 * (valgrind 3.19, Debian 12). Expected counts from the file itself, independently of the reader:
 *   xz -dc tests/traces/true.lackey.xz | awk '{print $1}' | sort | uniq -c
 *   -> 128902 I, 28116 L, 10266 S, 1504 M, 25 "==PID==" lines; 168813 lines in all. */
static void test_shipped_lackey(void **state)
{
    (void)state;
    char err[TRACE_ERR_LEN];
    trace_t *t = trace_open("tests/traces/true.lackey.xz", TRACE_AUTO, err);
    if (!t)
        fail_msg("%s", err);
    assert_int_equal(trace_format(t), TRACE_LACKEY);
    uint64_t count[3] = { 0, 0, 0 };
    trace_access_t a;
    int rc;
    while ((rc = trace_next(t, &a)) == 1)
        count[a.access]++;
    if (rc != 0)
        fail_msg("%s", trace_error(t));
    assert_int_equal(count[ACC_EXEC], 128902);
    assert_int_equal(count[ACC_READ], 28116 + 1504);
    assert_int_equal(count[ACC_WRITE], 10266 + 1504);
    assert_int_equal(trace_position(t), 168813);
    trace_close(t);
}

/* tests/traces/pattern.champsim.xz: `tools/champsim_gen 20000 1048576 | xz -9` (the pattern is
 * in tools/champsim_gen.c). Of records i = 0..19999: every one fetches; i even reads
 * (10000), i mod 16 = 5 reads a second address (1250), i mod 8 = 3 writes (2500). */
static void test_shipped_champsim(void **state)
{
    (void)state;
    char err[TRACE_ERR_LEN];
    trace_t *t = trace_open("tests/traces/pattern.champsim.xz", TRACE_AUTO, err);
    if (!t)
        fail_msg("%s", err);
    assert_int_equal(trace_format(t), TRACE_CHAMPSIM);
    uint64_t count[3] = { 0, 0, 0 };
    trace_access_t a;
    int rc;
    uint64_t n = 0;
    while ((rc = trace_next(t, &a)) == 1) {
        count[a.access]++;
        if (n == 0)   /* record 0: ip 0x401000, then its streaming read at 0x10000000 */
            assert_true(a.va == 0x401000 && a.access == X);
        if (n == 1)
            assert_true(a.va == 0x10000000 && a.access == R);
        n++;
    }
    if (rc != 0)
        fail_msg("%s", trace_error(t));
    assert_int_equal(count[ACC_EXEC], 20000);
    assert_int_equal(count[ACC_READ], 10000 + 1250);
    assert_int_equal(count[ACC_WRITE], 2500);
    assert_int_equal(trace_position(t), 20000);
    trace_close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lackey_lines),
        cmocka_unit_test(test_lackey_errors),
        cmocka_unit_test(test_lackey_line_too_long),
        cmocka_unit_test(test_champsim_records),
        cmocka_unit_test(test_champsim_errors),
        cmocka_unit_test(test_codecs),
        cmocka_unit_test(test_truncated_and_corrupt_streams),
        cmocka_unit_test(test_concatenated),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_shipped_lackey),
        cmocka_unit_test(test_shipped_champsim),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
