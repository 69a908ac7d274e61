/* champsim_gen: writes a ChampSim-format binary instruction trace (64-byte
 * input_instr records, see sim/workload/trace_champsim.c) from a fixed,
 * deterministic pattern, to standard output. Compress it with `xz` or `zstd`
 * as ChampSim users do. Used for tests/traces/pattern.champsim.xz and by the
 * trace-replay benchmark (sim/bench/bench_trace.c, docs/bench.md).
 *
 *   champsim_gen RECORDS [FOOTPRINT_BYTES]     (footprint default 64 MiB, a power of two)
 *
 * The pattern of record i (0-based), a loop of 256 instructions:
 *   ip                  0x401000 + 4 * (i mod 256)
 *   is_branch, taken    1, 1 when i mod 256 = 255, else 0, 0
 *   source_memory[0]    i even:          0x10000000 + (64 * i mod FOOTPRINT)   (a streaming read)
 *   source_memory[1]    i mod 16 = 5:    0x50000000 + (mix(i) mod FOOTPRINT) & ~7 (a random read)
 *   destination_mem[0]  i mod 8 = 3:     0x7ffe0000 - 8 * (i mod 512)           (a stack write)
 *   every other address 0; registers: destination 1, sources 2 and 3 (unused by mmulab).
 * mix is splitmix64's finaliser. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (!*s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t records, footprint = 64ull << 20;
    if (argc < 2 || argc > 3 || parse_u64(argv[1], &records) != 0 ||
        (argc == 3 && (parse_u64(argv[2], &footprint) != 0 || footprint < 4096 ||
                       (footprint & (footprint - 1))))) {
        fprintf(stderr, "usage: champsim_gen RECORDS [FOOTPRINT_BYTES (power of two >= 4096)] > trace\n");
        return 2;
    }
    enum { BATCH = 1024 };
    static unsigned char buf[BATCH * 64];
    for (uint64_t i = 0; i < records;) {
        size_t n = 0;
        for (; n < BATCH && i < records; n++, i++) {
            unsigned char *r = buf + 64 * n;
            memset(r, 0, 64);
            put64(r, 0x401000 + 4 * (i % 256));
            r[8] = r[9] = i % 256 == 255;
            r[10] = 1;
            r[12] = 2;
            r[13] = 3;
            if (i % 8 == 3)
                put64(r + 16, 0x7ffe0000 - 8 * (i % 512));
            if (i % 2 == 0)
                put64(r + 32, 0x10000000 + (64 * i) % footprint);
            if (i % 16 == 5)
                put64(r + 40, 0x50000000 + ((mix(i) % footprint) & ~7ull));
        }
        if (fwrite(buf, 64, n, stdout) != n) {
            perror("champsim_gen: write");
            return 1;
        }
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
