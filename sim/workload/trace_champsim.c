/* ChampSim binary instruction traces: a sequence of 64-byte input_instr records
 * (ChampSim/ChampSim inc/trace_instruction.h, struct input_instr, commit
 * b92dc114038e), little-endian as the x86 tracer writes them:
 *
 *   offset  0  u64 ip
 *           8  u8  is_branch        9  u8 branch_taken
 *          10  u8  destination_registers[2]
 *          12  u8  source_registers[4]
 *          16  u64 destination_memory[2]
 *          32  u64 source_memory[4]
 *
 * Each record yields the instruction fetch of ip, then the non-zero source
 * addresses (reads), then the non-zero destination addresses (writes), in
 * array order. ChampSim records no access sizes (size 0). A record is malformed
 * when it is cut short, when ip is 0, or when is_branch / branch_taken are not
 * 0 or 1 (what a different record layout, e.g. the cloudsuite one, produces);
 * errors name FILE: record N (from 1). */
#include "trace_internal.h"

#define CHAMPSIM_RECORD 64

#include <string.h>

/* One unaligned little-endian load (a byte swap on a big-endian host). */
static inline uint64_t le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

int trace_champsim_parse(trace_t *t)
{
    if (t->len - t->off < CHAMPSIM_RECORD && !t->eof && trace_refill(t) != 0)
        return -1;
    size_t left = t->len - t->off;
    if (left == 0 || (left < CHAMPSIM_RECORD && t->stream_failed))
        return trace_at_end(t);
    const char *name = tstream_name(t->s);
    unsigned long long record = (unsigned long long)t->pos + 1;
    if (left < CHAMPSIM_RECORD) {
        trace_fail(t, "%s: record %llu: truncated (%zu of %d bytes)", name, record, left, CHAMPSIM_RECORD);
        return -1;
    }
    const uint8_t *r = t->buf + t->off;
    t->off += CHAMPSIM_RECORD;
    t->pos++;
    uint64_t ip = le64(r);
    if (ip == 0) {
        trace_fail(t, "%s: record %llu: ip is 0", name, record);
        return -1;
    }
    if (r[8] > 1 || r[9] > 1) {
        trace_fail(t, "%s: record %llu: is_branch = %u, branch_taken = %u: each must be 0 or 1 "
                   "(not a 64-byte ChampSim input_instr record?)", name, record, r[8], r[9]);
        return -1;
    }
    trace_access_t *q = t->pending;
    unsigned n = 0;
    q[n++] = (trace_access_t){ ip, ACC_EXEC, 0 };
    for (int i = 0; i < 4; i++) {
        uint64_t a = le64(r + 32 + 8 * i);
        if (a)
            q[n++] = (trace_access_t){ a, ACC_READ, 0 };
    }
    for (int i = 0; i < 2; i++) {
        uint64_t a = le64(r + 16 + 8 * i);
        if (a)
            q[n++] = (trace_access_t){ a, ACC_WRITE, 0 };
    }
    t->npending = n;
    return 1;
}
