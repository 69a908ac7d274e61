/* Replays a trace on the C model (until the OS layer gives traces their real
 * address spaces): 4-level paging, every 4 KiB page the trace touches mapped on
 * first touch by identity (pa = va mod 2^maxphyaddr, user, writable, A and D
 * set, so walks only read), each access one serial translation issued at
 * mmu_horizon on its port (fetches on I, reads and writes on D), optionally
 * followed by its data access fed to the memory hierarchy (mmu_data_access).
 * An access is translated at its first byte (one that crosses into the next page
 * is not split: the OS layer's replay will own that rule).
 * Used by the trace benchmark (docs/bench.md); memory stays flat with trace
 * length (page tables grow with the footprint only). */
#ifndef MMULAB_TRACE_REPLAY_H
#define MMULAB_TRACE_REPLAY_H

#include "config.h"
#include "mmu.h"
#include "trace.h"

#define REPLAY_ERR_LEN 640

typedef struct {
    uint64_t accesses, by_kind[3];   /* [mmu_access_t] */
    uint64_t faults;                  /* accesses that faulted after mapping (#GP: non-canonical) */
    uint64_t pages_mapped;            /* = first-touch #PFs (each adds a translation to the model's stats) */
    uint64_t checksum;                /* sum of the physical addresses (keeps the work observable) */
} replay_stats_t;

typedef struct replay replay_t;

/* A model of cfg with empty 4-level page tables; NULL with a message in err. */
replay_t *replay_create(const mmu_config_t *cfg, bool feed_data, char *err);
void replay_destroy(replay_t *r);
mmu_t *replay_mmu(replay_t *r);

/* Replays up to limit accesses of t (0: all). Returns 0, or -1 with err set (a
 * trace error names its FILE:LINE / record; a page that cannot be mapped). */
int replay_run(replay_t *r, trace_t *t, uint64_t limit, replay_stats_t *st, char *err);

#endif
