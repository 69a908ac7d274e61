/* Shared body of the trace-reader fuzz targets (libFuzzer: make fuzz-trace).
 * Each input is a whole trace file, plain or compressed (the codec is detected
 * from the content, so the decompressors are fuzzed too). Beyond crashes and
 * sanitizer reports, the readers' contracts are checked and a violation aborts:
 *   - every access has a valid kind; lackey sizes are >= 1, ChampSim sizes 0;
 *   - ChampSim: each record starts with a fetch of a non-zero ip and yields at most 7;
 *   - an error message starts with the file name ("fuzz:"); after an error every
 *     call returns -1, after the end every call returns 0. */
#include "trace.h"

#include <stdlib.h>
#include <string.h>

static void check(int ok)
{
    if (!ok)
        abort();
}

static void fuzz_one(const uint8_t *data, size_t size, trace_format_t fmt)
{
    char err[TRACE_ERR_LEN];
    trace_t *t = trace_open_mem(data, size, "fuzz", fmt, err);
    if (!t) {
        check(strncmp(err, "fuzz: ", 6) == 0);
        return;
    }
    check(trace_format(t) == fmt);
    trace_access_t a;
    int rc;
    uint64_t last_pos = 0, in_record = 0;
    while ((rc = trace_next(t, &a)) == 1) {
        check(a.access == ACC_READ || a.access == ACC_WRITE || a.access == ACC_EXEC);
        uint64_t pos = trace_position(t);
        check(pos >= last_pos);
        if (fmt == TRACE_LACKEY) {
            check(a.size >= 1);
        } else {
            check(a.size == 0);
            if (pos != last_pos) {          /* a new record: its fetch first */
                check(a.access == ACC_EXEC && a.va != 0);
                in_record = 0;
            }
            check(++in_record <= 7);
        }
        last_pos = pos;
    }
    if (rc < 0) {
        check(strncmp(trace_error(t), "fuzz", 4) == 0);
        check(trace_next(t, &a) == -1);
    } else {
        check(rc == 0 && trace_next(t, &a) == 0);
    }
    trace_close(t);
}
