/* Seeded constrained-random stimulus for co-simulation (docs/verification.md).
 *
 * One seed reproduces everything: the paging mode and knobs, random page
 * tables (mixed leaf sizes and flags, not-present entries and reserved bits at
 * random levels, aliased frames and shared tables, several address spaces),
 * legal and illegal control-register programming, and a stream of overlapping
 * two-port translations, CR writes, INVLPG/INVPCID and page-table edits made
 * without invalidation. Everything is driven through a backend_t (model, rtl or
 * cosim) and every operation is also written as a line of the script language
 * (docs/scripts.md), so the log replays exactly with `mmulab run LOG`.
 *
 * The stimulus depends only on the seed, the operation count and the MMU
 * configuration, never on what the backend answers: the same seed gives the
 * same log on every backend (only the trailing `expect64` lines, the final
 * A/D state of the tables, come from the run).
 *
 * Self-checks on every backend (docs/verification.md lists them): paging-off
 * and non-canonical results, every walk that used no paging-structure cache
 * against an independent walk of the tables (fault kind, error code, PA, size),
 * the PA of every successful translation when no stale TLB/PWC entry can be
 * involved, #GP and the architectural state after every control operation,
 * the walker changing nothing but A/D bits, the backend's own divergence
 * reports, and (optionally) replay through the script interpreter and a second
 * run of the seed. No global mutable state. */
#ifndef MMULAB_STIMGEN_H
#define MMULAB_STIMGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "backend.h"
#include "config.h"
#include "coverage.h"
#include "physmem.h"

/* Makes the backend a run drives (tests wrap the model to inject faults). */
typedef backend_t *(*sg_backend_fn)(void *ctx, backend_kind_t kind, const mmu_config_t *cfg, physmem_t *mem,
                                    char *err);

typedef struct {
    uint64_t seed;
    uint64_t ops;                /* operations: translations, control operations, table edits, syncs */
    paging_mode_t mode;          /* PAGING_OFF: the seed picks the primary mode; otherwise forced */
    backend_kind_t backend;
    const mmu_config_t *cfg;     /* NULL: the defaults */
    bool replay;                 /* replay the log through the script interpreter, compare the digest */
    bool rerun;                  /* run the seed a second time, compare log and digest (determinism) */
    sg_backend_fn make_backend;  /* NULL: backend_create_opts */
    void *make_ctx;
    backend_opts_t backend_opts; /* of the seed's first run (rtl/cosim: its waveform) */
} sg_opts_t;

void sg_defaults(sg_opts_t *o);   /* seed 1, 2000 ops, mode by seed, model, replay and rerun on */

#define SG_FAIL_LEN 1024

typedef struct {
    int status;                  /* 0 passed; 1 failed (a check or the backend); -1 could not run */
    char failure[SG_FAIL_LEN];   /* why, naming the log line of the operation */
    uint64_t fail_line;          /* that line (0 if none) */
    paging_mode_t mode;          /* primary paging mode */
    char knobs[512];             /* the seed's knobs, one line */
    uint64_t ops, accesses, ctrl_ops, edits, syncs;
    uint64_t checks;             /* self-checks performed (all kinds) */
    uint64_t pa_checks;          /* of which: PA predicted with no stale entry possible */
    uint64_t walk_checks;        /* of which: fresh walks compared in full */
    uint64_t digest;             /* of every result, in the order of the JSONL */
    char *log;                   /* the script (NUL-terminated, owned) */
    size_t log_len;
    double seconds;              /* wall clock, checks included */
    int64_t mismatch_cycle;      /* cosim: the first difference of the run (backend_mismatch_cycle), -1: none */
} sg_report_t;

/* Runs one seed. Returns r->status. cov (may be NULL) receives the results. */
int sg_run(const sg_opts_t *o, sg_report_t *r, cov_t *cov);
void sg_report_free(sg_report_t *r);

/* Runs a script text through the interpreter (script_run_stream, base
 * configuration = defaults, as `mmulab run` does) on `backend`, and digests its
 * JSONL. Returns 0, or -1 with the interpreter's message in err. */
int sg_replay(const char *log, size_t len, backend_kind_t backend, uint64_t *digest, char *err, size_t errlen);

/* The digest of a JSONL stream written by `mmulab run --jsonl`. Returns 0 or -1. */
int sg_digest_jsonl(FILE *in, uint64_t *digest, char *err, size_t errlen);

/* --- the generator's page tables, for tests ----------------------------------- */

typedef struct {
    vaddr_t va;                  /* page base */
    paddr_t pa;                  /* frame it was mapped to */
    unsigned shift;              /* 12, 21, 22 or 30 */
    paging_mode_t mode;
    paddr_t root;                /* top table (PAE: the PDPT) of its address space */
    bool alias;                  /* reached through a shared table (a copied upper entry) */
    bool user;                   /* the leaf was built with U/S=1 */
} sg_leaf_t;

typedef struct sg sg_t;

/* Picks the mode and knobs and builds the page tables of the seed (no backend). */
sg_t *sg_create(const sg_opts_t *o, char *err, size_t errlen);
void sg_destroy(sg_t *g);
paging_mode_t sg_mode(const sg_t *g);
const char *sg_knobs(const sg_t *g);
size_t sg_num_leaves(const sg_t *g);
const sg_leaf_t *sg_leaf(const sg_t *g, size_t i);
/* The generator's image of the page-table memory (frames SG_FRAME_BASE..LIMIT). */
physmem_t *sg_image(const sg_t *g);

#define SG_FRAME_BASE  0x01000000ull   /* the script's default frame range */
#define SG_FRAME_LIMIT 0x02000000ull

#endif
