/* valgrind lackey traces (`valgrind --tool=lackey --trace-mem=yes`): one access
 * per line, "I  ADDR,SIZE" (instruction fetch), " L ADDR,SIZE" (load),
 * " S ADDR,SIZE" (store), " M ADDR,SIZE" (modify: a load, then a store).
 * ADDR is hexadecimal without 0x, SIZE decimal. Lines starting "==" are
 * valgrind's own messages, blank lines are ignored; anything else is an error
 * naming FILE:LINE. A line must end within the reader's window (256 KiB). */
#include "trace_internal.h"

#include <string.h>

#define LACKEY_MAX_SIZE (1u << 20)   /* larger than any one x86 access */

static int hex_digit(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Printable excerpt of a bad line for messages. */
static int excerpt_len(const uint8_t *p, const uint8_t *e)
{
    int n = 0;
    while (p + n < e && n < 60 && p[n] >= 0x20 && p[n] < 0x7f)
        n++;
    return n;
}

/* Parses one line [p, e); returns 1 with accesses queued, 0 for a line to skip, -1 on error. */
static int parse_line(trace_t *t, const uint8_t *p, const uint8_t *e)
{
    const char *name = tstream_name(t->s);
    unsigned long long line = (unsigned long long)t->pos;
    while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
        e--;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    const uint8_t *start = p;
    if (p == e)
        return 0;
    if (e - p >= 2 && p[0] == '=' && p[1] == '=')
        return 0;
    uint8_t kind = *p++;
    if (kind != 'I' && kind != 'L' && kind != 'S' && kind != 'M') {
        trace_fail(t, "%s:%llu: expected I, L, S or M, got '%.*s'", name, line,
                   excerpt_len(start, e), (const char *)start);
        return -1;
    }
    if (p == e || (*p != ' ' && *p != '\t')) {
        trace_fail(t, "%s:%llu: expected a space after '%c'", name, line, kind);
        return -1;
    }
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    uint64_t addr = 0;
    unsigned digits = 0;
    int d;
    while (p < e && (d = hex_digit(*p)) >= 0) {
        if (++digits > 16) {
            trace_fail(t, "%s:%llu: address longer than 16 hex digits", name, line);
            return -1;
        }
        addr = addr << 4 | (unsigned)d;
        p++;
    }
    if (digits == 0) {
        trace_fail(t, "%s:%llu: expected a hexadecimal address after '%c'", name, line, kind);
        return -1;
    }
    if (p == e || *p != ',') {
        trace_fail(t, "%s:%llu: expected ',SIZE' after the address", name, line);
        return -1;
    }
    p++;
    uint32_t size = 0;
    unsigned size_digits = 0;
    while (p < e && *p >= '0' && *p <= '9') {
        size = size * 10 + (uint32_t)(*p++ - '0');
        if (++size_digits > 7 || size > LACKEY_MAX_SIZE) {
            trace_fail(t, "%s:%llu: size larger than %u bytes", name, line, LACKEY_MAX_SIZE);
            return -1;
        }
    }
    if (size_digits == 0 || size == 0) {
        trace_fail(t, "%s:%llu: expected a size of 1 or more bytes after ','", name, line);
        return -1;
    }
    if (p != e) {
        while (*p == ' ' || *p == '\t')   /* e is past the last non-blank: this stops before it */
            p++;
        trace_fail(t, "%s:%llu: unexpected '%.*s' after the size", name, line, excerpt_len(p, e),
                   (const char *)p);
        return -1;
    }
    trace_access_t *q = t->pending;
    switch (kind) {
    case 'I':
        q[0] = (trace_access_t){ addr, ACC_EXEC, size };
        t->npending = 1;
        break;
    case 'L':
        q[0] = (trace_access_t){ addr, ACC_READ, size };
        t->npending = 1;
        break;
    case 'S':
        q[0] = (trace_access_t){ addr, ACC_WRITE, size };
        t->npending = 1;
        break;
    default:   /* M: read-modify-write */
        q[0] = (trace_access_t){ addr, ACC_READ, size };
        q[1] = (trace_access_t){ addr, ACC_WRITE, size };
        t->npending = 2;
        break;
    }
    return 1;
}

int trace_lackey_parse(trace_t *t)
{
    for (;;) {
        const uint8_t *p = t->buf + t->off, *end = t->buf + t->len;
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl && !t->eof) {
            if (t->off == 0 && t->len == TRACE_WINDOW) {
                trace_fail(t, "%s:%llu: line longer than %u bytes", tstream_name(t->s),
                           (unsigned long long)t->pos + 1, TRACE_WINDOW);
                return -1;
            }
            if (trace_refill(t) != 0)
                return -1;
            continue;
        }
        if (!nl) {
            if (p == end || t->stream_failed)
                return trace_at_end(t);   /* a cut line of a failed stream is not parsed */
            nl = end;   /* the last line has no newline */
        }
        t->off = (size_t)(nl - t->buf) + (nl < end);
        t->pos++;
        int rc = parse_line(t, p, nl);
        if (rc != 0)
            return rc;
    }
}
