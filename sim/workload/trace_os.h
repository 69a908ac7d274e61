/* A real program's trace run as a process of the OS layer (sim/os/os.h):
 *
 *   1. trace_infer_regions reads the trace once (up to the access limit) and turns the
 *      4 KiB pages it touches into the process's VMAs: touched pages closer than
 *      TRACE_REGION_GAP bytes join one region; a region is readable, writable if any of
 *      its accesses writes, executable if any fetches. Its kind (a label for the report):
 *      "text" if fetched from, else "stack" for the highest region, else "data".
 *      An address at or above the mode's TASK_SIZE_MAX is an error naming the record.
 *   1b. trace_regions_round (for huge pages, `--page 2m|1g`) rounds each region out to the
 *      page size and merges regions that then overlap (their protections OR-ed).
 *   2. trace_os_start mmaps the regions into a fresh process (os_mm_create + os_mmap with the
 *      page size: demand faults then map whole huge pages, hugetlb_no_page) and switches CPU 0 to it (switch_mm_irqs_off); trace_os_replay replays the trace again with
 *      os_user_access: demand faults map each page at its first touch (do_anonymous_page),
 *      fetches go to the I port (ACC_EXEC), the kernel's entry/exit and fault handling
 *      run as the OS layer does them.
 * An access is translated at its first byte (one crossing a page is not split).
 * Memory grows with the footprint (the page set, the page tables), not with the trace. */
#ifndef MMULAB_TRACE_OS_H
#define MMULAB_TRACE_OS_H

#include "os.h"
#include "trace.h"

#define TRACE_REGION_GAP (64u << 10)   /* touched pages this close join one VMA */
#define TRACE_OS_ERR_LEN 640

typedef struct {
    vaddr_t start, end;          /* [start, end), 4 KiB aligned (page aligned once rounded) */
    unsigned prot;               /* PROT_R | PROT_W? | PROT_X? */
    const char *kind;            /* "text", "stack" or "data" */
    uint64_t pages;              /* distinct 4 KiB pages touched (summed over merged regions) */
} trace_region_t;

typedef struct {
    trace_region_t *r;
    size_t n;
    uint64_t accesses;           /* accesses read by the inference pass */
} trace_regions_t;

/* Pass 1 over t (opened by the caller; name for messages) for at most limit accesses
 * (0: all). task_size: addresses must be below it. 0, or -1 with a message in err. */
int trace_infer_regions(trace_t *t, const char *name, uint64_t limit, vaddr_t task_size, trace_regions_t *out, char *err);
void trace_regions_free(trace_regions_t *rg);

typedef struct {
    uint64_t accesses, by_kind[3];   /* the trace's accesses replayed, by mmu_access_t */
    uint64_t segv;                   /* accesses abandoned with SIGSEGV (none expected) */
    cycle_t first_cycle, last_cycle; /* CPU 0's horizon before and after the replay */
} trace_os_stats_t;

/* Rounds rg's regions (sorted, disjoint) out to 1 << page_shift bytes and merges those that then
 * overlap. -1 with a message in err if a rounded region ends beyond task_size. */
int trace_regions_round(trace_regions_t *rg, unsigned page_shift, vaddr_t task_size, char *err);

/* Pass 2, set-up: the process "trace" with one VMA per region (pages of 1 << page_shift bytes;
 * the regions must be aligned to it), running on CPU 0 (kernel entry, switch_mm_irqs_off,
 * current task). NULL with a message in err. */
mm_struct_t *trace_os_start(os_t *os, const trace_regions_t *rg, unsigned page_shift, char *err);
/* Pass 2, replay: t (reopened by the caller) for at most limit accesses on CPU 0, each with
 * os_user_access. 0, or -1 with a message in err (a trace error, an OS or backend failure). */
int trace_os_replay(os_t *os, trace_t *t, uint64_t limit, trace_os_stats_t *st, char *err);

#endif
