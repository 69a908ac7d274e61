/* Shared state of the trace readers (trace.c, trace_lackey.c, trace_champsim.c):
 * a window of decompressed bytes over the stream, and a small queue of the
 * accesses of the line or record being delivered. */
#ifndef MMULAB_TRACE_INTERNAL_H
#define MMULAB_TRACE_INTERNAL_H

#include "trace.h"
#include "trace_stream.h"

#include <stdbool.h>

#define TRACE_WINDOW (256 * 1024)
#define TRACE_MAX_PENDING 8        /* a ChampSim record: 1 fetch + 4 reads + 2 writes */

struct trace {
    tstream_t *s;
    trace_format_t fmt;
    uint8_t *buf;                  /* TRACE_WINDOW bytes: buf[off..len) not yet parsed */
    size_t len, off;
    bool eof;                      /* the stream has no more bytes after buf[len) */
    bool stream_failed;            /* ... because it failed (message in err, raised at the end) */
    uint64_t pos;                  /* line or record number of the last one parsed */
    trace_access_t pending[TRACE_MAX_PENDING];
    unsigned npending, next_pending;
    bool failed;
    char err[TRACE_ERR_LEN];
};

/* Moves the unparsed bytes to the start of the window and reads more. Returns
 * -1 on a stream error (t->err set). */
int trace_refill(trace_t *t);
void trace_fail(trace_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* What a parser returns where the bytes end: 0 (the end of the trace), or -1
 * when they end because the stream failed (a truncated or corrupt file). */
int trace_at_end(trace_t *t);

/* Parse the next line / record into t->pending: 1, 0 at the end, -1 on error. */
int trace_lackey_parse(trace_t *t);
int trace_champsim_parse(trace_t *t);

#endif
