/* Trace readers: the memory accesses of real programs, pulled one at a time.
 *
 * Formats (docs/traces.md):
 *   - valgrind lackey (`valgrind --tool=lackey --trace-mem=yes`): text lines
 *     "I  ADDR,SIZE" (fetch), " L ADDR,SIZE" (read), " S ADDR,SIZE" (write),
 *     " M ADDR,SIZE" (read, then write); valgrind's own "==PID==" lines and
 *     blank lines are skipped;
 *   - ChampSim binary instruction traces: 64-byte input_instr records
 *     (ChampSim/ChampSim inc/trace_instruction.h); each record gives the
 *     instruction fetch (ip), then its source reads and destination writes;
 *     zero addresses are absent.
 * Plain, gzip, xz or zstd; both the codec and the format come from the content
 * (trace_stream.h; the format: text is lackey, binary is ChampSim), never the name.
 *
 * Memory is constant whatever the trace's length. Errors are strings naming
 * the file and the line ("FILE:LINE: ...") or the record ("FILE: record N: ...");
 * a truncated compressed stream is an error, not a short trace. */
#ifndef MMULAB_TRACE_H
#define MMULAB_TRACE_H

#include "types.h"

#include <stddef.h>
#include <stdint.h>

#define TRACE_ERR_LEN 512

typedef enum { TRACE_AUTO = 0, TRACE_LACKEY, TRACE_CHAMPSIM } trace_format_t;

typedef struct {
    vaddr_t va;
    mmu_access_t access;   /* ACC_EXEC (fetch), ACC_READ, ACC_WRITE */
    uint32_t size;         /* bytes; 0 when the format does not record it (ChampSim) */
} trace_access_t;

typedef struct trace trace_t;

/* Opens a trace file; fmt TRACE_AUTO detects the format. NULL with a message in
 * err (TRACE_ERR_LEN bytes) if the file cannot be opened or read. */
trace_t *trace_open(const char *path, trace_format_t fmt, char *err);
/* The same over data[0..size) (kept, not copied), name used in messages. */
trace_t *trace_open_mem(const void *data, size_t size, const char *name, trace_format_t fmt, char *err);
void trace_close(trace_t *t);

/* The next access: 1 and *out filled, 0 at the end of the trace, -1 on an
 * error (trace_error; every later call returns -1 too). */
int trace_next(trace_t *t, trace_access_t *out);
const char *trace_error(const trace_t *t);

trace_format_t trace_format(const trace_t *t);
const char *trace_format_name(trace_format_t f);
/* Lines (lackey) or records (ChampSim) read so far. */
uint64_t trace_position(const trace_t *t);

#endif
