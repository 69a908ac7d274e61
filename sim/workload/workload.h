/* Seeded synthetic workloads: a reproducible stream of translation requests (the generators of
 * docs/workloads.md, one set for every user) and, for the benchmarks and the generators' unit
 * tests, an address space of its own built with ptbuild over a region of the linear address
 * space, mapped with a mix of page sizes, run on a backend with a serial or an overlapped
 * (two-port) issue policy (wl_create, wl_run). `mmulab demo` and the SystemC example run the
 * stream alone (wl_create_stream) as processes of the OS layer instead (wl_os.h).
 *
 * Determinism: the stream is a pure function of wl_params_t (the seed included);
 * the page-table layout too (physical frames are taken from the allocator in a
 * fixed order). Nothing here has global mutable state. */
#ifndef MMULAB_WORKLOAD_H
#define MMULAB_WORKLOAD_H

#include "backend.h"
#include "config.h"
#include "mmu.h"
#include "physmem.h"
#include "ptbuild.h"
#include "rng.h"
#include "types.h"

#include <stddef.h>
#include <stdint.h>

/* --- parameters ---------------------------------------------------------- */
/* WL_RANDOM is "uniform" ("random" is kept as an alias); docs/workloads.md defines each. */
typedef enum { WL_RANDOM = 0, WL_HOTCOLD, WL_STRIDE, WL_SEQ, WL_ZIPF, WL_CHASE, WL_NUM_KINDS } wl_kind_t;
typedef enum { WL_ISSUE_SERIAL = 0, WL_ISSUE_OVERLAP } wl_issue_t;
typedef enum { WL_MAP_AUTO = 0, WL_MAP_EAGER, WL_MAP_LAZY } wl_map_t;

#define WL_VA_AUTO UINT64_MAX
#define WL_MAX_REGION (1ull << 40)   /* 1 TiB: per-slot tables stay small */

typedef struct {
    wl_kind_t kind;
    paging_mode_t mode;      /* PAGING_32, PAGING_PAE, PAGING_4LEVEL (default) or PAGING_5LEVEL */
    uint64_t region_bytes;   /* rounded up to the large-page size (2 MiB; 4 MiB in 32-bit paging) */
    vaddr_t va_base;         /* WL_VA_AUTO: a per-mode default; else aligned to 1 GiB (4/5-level) or the large page */
    /* Page-size mix, as fractions of the region's bytes (the rest is 4 KiB).
     * frac_large: 2 MiB pages (4 MiB in 32-bit paging); frac_1g: 1 GiB pages
     * (4/5-level only). Counts are rounded to whole pages and placed at
     * seeded-random slots. */
    double frac_large, frac_1g;
    /* Access mix: fractions of writes and fetches (fetches use port I), the rest reads. */
    double frac_write, frac_exec;
    bool user;               /* CPL 3 accesses to user pages; else CPL 0 to supervisor pages */
    bool global;             /* leaves have G=1 (CR4.PGE is always set) */
    bool preset_a, preset_d; /* leaves are mapped with A (and D) already set */
    uint64_t ops;
    uint64_t seed;
    /* hotcold: hot_bytes of randomly scattered 4 KiB pages take hot_frac of the accesses. */
    uint64_t hot_bytes;
    double hot_frac;
    /* stride: address i = base + (i * stride_bytes) mod region. */
    uint64_t stride_bytes;
    /* zipf: page rank k drawn with probability (k+1)^-zipf_s / H(pages, zipf_s) (wl_gen.h) */
    double zipf_s;
    /* issue policy */
    wl_issue_t issue;
    unsigned interval;       /* overlap: cycles between two issues on the same port (>= 1) */
    unsigned batch;          /* overlap: submissions per mmu_sync (>= 1) */
    wl_map_t map;            /* auto: eager up to 4 GiB of region, lazy above */
} wl_params_t;

#define WL_ERR_LEN 256

void wl_defaults(wl_params_t *p);
/* Sets one knob from text. Keys (also the demo's --KEY options):
 *   workload uniform|random|hotcold|stride|seq|zipf|chase   mode 32bit|pae|4level|5level
 *   region SIZE (alias ws)   base VA|auto   mix W4K:W2M:W1G (weights, e.g. 50:25:25)
 *   page 4k|2m|1g (every page of that size: mix 100:0:0, 0:100:0 or 0:0:100)   zipf-s S
 *   rwx WR:WW:WX (weights)   user 0|1   global 0|1   preset-a 0|1   preset-d 0|1
 *   ops N   seed N   hot SIZE   hot-frac F   stride SIZE
 *   issue serial|overlap|overlap:K   interval K   batch N   map auto|eager|lazy
 * SIZE takes K/M/G/T suffixes (binary). Returns 0, or -1 with a message in
 * err (WL_ERR_LEN bytes). wl_is_key tells whether key is one of these. */
int wl_set(wl_params_t *p, const char *key, const char *value, char *err);
bool wl_is_key(const char *key);
/* Whether option key (given on the command line) means something for the workload p
 * describes once every option is read: --hot/--hot-frac only for hotcold, --stride only for
 * stride, --interval/--batch only with --issue overlap. 0, or -1 with the reason in err: an
 * option that would be ignored is an error. */
int wl_check_applies(const wl_params_t *p, const char *key, char *err);
/* Checks the knobs against each other and the mode's limits (fills defaults
 * such as an automatic va_base into *p). Returns 0 or -1 with a message. */
int wl_validate(wl_params_t *p, char *err);

const char *wl_kind_name(wl_kind_t k);
int wl_kind_parse(const char *s, wl_kind_t *out);
/* Parses "123", "0x10", "4K", "2M", "1G", "1T" (binary units). */
int wl_parse_size(const char *s, uint64_t *out);
/* Formats a size compactly ("4G", "1536M", "12345"). Returns buf. */
char *wl_format_size(uint64_t v, char *buf, size_t len);

/* The demo options that reproduce these knobs ("--workload random --mode 4level ...");
 * every knob is spelled out, so defaults changing later do not alter the run. */
void wl_format_options(const wl_params_t *p, char *buf, size_t len);

/* --- the workload -------------------------------------------------------- */
typedef struct workload workload_t;

/* Builds the address space in a fresh physmem (maxphyaddr from cfg, or 46
 * when cfg is NULL). With cfg != NULL it also creates the MMU and programs the
 * control registers for the mode (EFER, CR4, CR3, then CR0); with cfg == NULL
 * there is no MMU (stream generation and page tables only). The MMU's and
 * physmem's statistics are cleared after the set-up, so they cover the stream
 * only. Copies *p
 * (after wl_validate). Returns NULL with a message in err. */
workload_t *wl_create(const wl_params_t *p, const mmu_config_t *cfg, char *err);
/* The same on a chosen backend (wl_create uses the model). */
workload_t *wl_create_on(const wl_params_t *p, const mmu_config_t *cfg, backend_kind_t kind, char *err);
/* The stream alone, without an address space (no memory, tables or MMU: wl_mem and wl_backend
 * are NULL, wl_ptb has no tables, wl_expected_pa is meaningless, wl_run refuses): for runs that
 * map the working set some other way, such as processes of the OS layer (wl_os.h). The same
 * knobs give the same requests as wl_create's. */
workload_t *wl_create_stream(const wl_params_t *p, char *err);
void wl_destroy(workload_t *w);

const wl_params_t *wl_params(const workload_t *w);
/* The model behind a model backend (NULL otherwise, or without an MMU). */
mmu_t *wl_mmu(workload_t *w);
backend_t *wl_backend(workload_t *w);
physmem_t *wl_mem(workload_t *w);
const ptbuild_t *wl_ptb(const workload_t *w);

/* Number of leaves by class (PSC_4K, PSC_2M = large, PSC_1G) in the layout,
 * and how many are mapped so far (lazy mapping maps on first touch). */
uint64_t wl_pages(const workload_t *w, page_class_t c);
uint64_t wl_pages_mapped(const workload_t *w, page_class_t c);
/* Page shift the layout gives va (12, 21/22, 30), or 0 outside the region. */
unsigned wl_page_shift(const workload_t *w, vaddr_t va);
/* The physical address va translates to (the layout is an offset mapping). */
paddr_t wl_expected_pa(const workload_t *w, vaddr_t va);

/* One line describing the workload, e.g. "workload: random mode=4level
 * region=4G base=0x700000000000 pages 4k=524288 2m=512 1g=1 r:w:x=70:20:10 cpl=0 ops=1000000 seed=1 issue=serial". */
void wl_describe(const workload_t *w, char *buf, size_t len);

/* The next request of the stream (va, access, cpl; issue_cycle 0). Maps the
 * page first under lazy mapping. Returns 0, or -1 when all ops were produced
 * (or lazy mapping failed: wl_run reports that as an error). */
int wl_next(workload_t *w, mmu_req_t *req);
/* Restarts the stream from its first request (same seed, same stream). */
void wl_rewind(workload_t *w);

typedef struct {
    uint64_t ops;                       /* translations issued */
    uint64_t by_access[3];              /* ACC_READ / ACC_WRITE / ACC_EXEC */
    uint64_t faults;                    /* results with a fault (none expected) */
    uint64_t pa_mismatches;             /* successful results whose pa != wl_expected_pa */
    cycle_t first_issue, last_complete; /* simulated span */
    double seconds;                     /* host wall-clock time of the run */
} wl_run_t;

/* Optional observer of every result, in submission order. */
typedef void (*wl_result_fn)(void *ctx, const mmu_req_t *req, const mmu_result_t *res);

/* Runs the rest of the stream on the workload's MMU with its issue policy.
 * Returns 0, or -1 if the MMU rejected a submission (err says why). */
int wl_run(workload_t *w, wl_result_fn fn, void *ctx, wl_run_t *out, char *err);

#endif
