/* Trace reader front end (trace.h): opens the byte stream, detects the format
 * from the first decompressed bytes (lackey is text: no control byte but tab,
 * CR and LF in the first 4 KiB; anything else is ChampSim binary), and
 * hands out the accesses each parsed line or record queued. */
#include "trace_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void trace_fail(trace_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->err, sizeof t->err, fmt, ap);
    va_end(ap);
    t->failed = true;
}

int trace_refill(trace_t *t)
{
    if (t->off > 0) {
        memmove(t->buf, t->buf + t->off, t->len - t->off);
        t->len -= t->off;
        t->off = 0;
    }
    while (!t->eof && t->len < TRACE_WINDOW) {
        ssize_t n = tstream_read(t->s, t->buf + t->len, TRACE_WINDOW - t->len);
        if (n < 0) {
            /* the bytes before the failure are still delivered; the error comes where they end */
            snprintf(t->err, sizeof t->err, "%s", tstream_error(t->s));
            t->stream_failed = true;
            t->eof = true;
            break;
        }
        if (n == 0)
            t->eof = true;
        t->len += (size_t)n;
    }
    return 0;
}

int trace_at_end(trace_t *t)
{
    if (t->stream_failed) {
        t->failed = true;
        return -1;
    }
    return 0;
}

/* Text: no control byte but tab, CR and LF (bytes >= 0x80 are allowed: a UTF-8 path
 * in valgrind's "Command:" line). A ChampSim record's ip alone has zero high bytes. */
static bool looks_like_text(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t') || p[i] == 0x7f)
            return false;
    return true;
}

static trace_t *finish_open(trace_t *t, trace_format_t fmt, char *err)
{
    t->buf = malloc(TRACE_WINDOW);
    if (!t->buf) {
        snprintf(err, TRACE_ERR_LEN, "%s: out of memory", tstream_name(t->s));
        trace_close(t);
        return NULL;
    }
    if (trace_refill(t) != 0) {
        snprintf(err, TRACE_ERR_LEN, "%s", t->err);
        trace_close(t);
        return NULL;
    }
    if (fmt == TRACE_AUTO) {
        size_t probe = t->len < 4096 ? t->len : 4096;
        /* a window cut inside a line is still text; an empty trace is an empty lackey trace */
        fmt = looks_like_text(t->buf, probe) ? TRACE_LACKEY : TRACE_CHAMPSIM;
    }
    t->fmt = fmt;
    return t;
}

trace_t *trace_open(const char *path, trace_format_t fmt, char *err)
{
    trace_t *t = calloc(1, sizeof *t);
    char serr[TSTREAM_ERR_LEN];
    if (!t) {
        snprintf(err, TRACE_ERR_LEN, "%s: out of memory", path);
        return NULL;
    }
    t->s = tstream_open_file(path, serr);
    if (!t->s) {
        snprintf(err, TRACE_ERR_LEN, "%s", serr);
        free(t);
        return NULL;
    }
    return finish_open(t, fmt, err);
}

trace_t *trace_open_mem(const void *data, size_t size, const char *name, trace_format_t fmt, char *err)
{
    trace_t *t = calloc(1, sizeof *t);
    char serr[TSTREAM_ERR_LEN];
    if (!t) {
        snprintf(err, TRACE_ERR_LEN, "%s: out of memory", name);
        return NULL;
    }
    t->s = tstream_open_mem(data, size, name, serr);
    if (!t->s) {
        snprintf(err, TRACE_ERR_LEN, "%s", serr);
        free(t);
        return NULL;
    }
    return finish_open(t, fmt, err);
}

void trace_close(trace_t *t)
{
    if (!t)
        return;
    tstream_close(t->s);
    free(t->buf);
    free(t);
}

int trace_next(trace_t *t, trace_access_t *out)
{
    while (t->next_pending == t->npending) {
        if (t->failed)
            return -1;
        t->npending = t->next_pending = 0;
        int rc = t->fmt == TRACE_CHAMPSIM ? trace_champsim_parse(t) : trace_lackey_parse(t);
        if (rc <= 0)
            return rc;
    }
    *out = t->pending[t->next_pending++];
    return 1;
}

const char *trace_error(const trace_t *t)
{
    return t->err;
}

trace_format_t trace_format(const trace_t *t)
{
    return t->fmt;
}

const char *trace_format_name(trace_format_t f)
{
    switch (f) {
    case TRACE_LACKEY: return "lackey";
    case TRACE_CHAMPSIM: return "champsim";
    default: return "auto";
    }
}

uint64_t trace_position(const trace_t *t)
{
    return t->pos;
}
