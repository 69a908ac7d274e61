/* A synthetic workload's stream (workload.h, wl_create_stream) run as user accesses of
 * processes of the OS layer (os.h), the process mix of `mmulab demo`'s OS options
 * (docs/workloads.md):
 *
 *   wl_os_start   procs processes ("p0", "p1", ...), each with one VMA over the working set
 *                 [base, base + ws) with the chosen page size (read/write, +exec when the
 *                 stream fetches); with prefault every page of it faulted in as
 *                 mmap(MAP_POPULATE) does (os_mm_populate: by software, no MMU access), else
 *                 nothing mapped yet (demand paging); CPUs 0..threads-1 switched to p0
 *                 (kernel entry, switch_mm_irqs_off).
 *   wl_os_prepare wl_os_check + wl_os_start, then every CPU's MMU statistics and the memory's
 *                 counters cleared and the OS counters noted: what `mmulab demo` and the
 *                 SystemC traffic generator (sim/tlm/traffic.cpp) both do before wl_os_run, so
 *                 their statistics cover the stream alone.
 *   wl_os_run     access i (0-based) of the stream runs on CPU i mod threads with
 *                 os_user_access (demand faults, retried). Before access i (i > 0):
 *                   - every switch_every accesses: a context switch of every CPU to the next
 *                     process, round robin (in the kernel, switch_mm_irqs_off);
 *                   - every syscall_every: os_syscall on that CPU, touching syscall_touches
 *                     kernel lines (text, stack, data: the first third rounded up to text);
 *                   - every churn_every: munmap + mmap of churn_pages pages of the working
 *                     set (the k-th churn at page (k * churn_pages) mod (pages - churn_pages + 1));
 *                     os_munmap's tlb_finish_mmu -> flush_tlb_mm_range picks INVLPGs or a full
 *                     flush by the ceiling, with IPIs to the mm's other CPUs;
 *                   - every kernel_every: os_vmalloc of one page, a kernel write to it and a
 *                     read of kernel data, os_vfree (the vmalloc policy's faults and syncs).
 * The stream is the workload's own (wl_next), so the same options give the same addresses
 * with or without the OS layer. */
#ifndef MMULAB_WL_OS_H
#define MMULAB_WL_OS_H

#include "os.h"
#include "workload.h"

#define WL_OS_MAX_PROCS 1024
#define WL_OS_ERR_LEN 512

typedef struct {
    unsigned procs;              /* >= 1 */
    unsigned threads;            /* 1..os->ncpus: CPUs each process runs on */
    uint64_t switch_every, syscall_every, churn_every, kernel_every;   /* 0: never */
    unsigned syscall_touches;
    uint64_t churn_pages;
    unsigned page_shift;         /* the VMAs' page size: 12, 21 (22 in 32-bit paging) or 30 */
    bool prefault;               /* the working set populated before the run (MAP_POPULATE) */
} wl_os_mix_t;

typedef struct {
    uint64_t accesses, by_kind[3];   /* by mmu_access_t */
    uint64_t segv;                   /* accesses abandoned with SIGSEGV (none expected) */
    uint64_t switches, syscalls, churns, kernel_ops;   /* events the mix asked for */
    cycle_t first_cycle, last_cycle; /* earliest CPU horizon before, latest after */
} wl_os_stats_t;

typedef struct {
    mm_struct_t *mm[WL_OS_MAX_PROCS];
    unsigned cur;                    /* the process running now */
} wl_os_procs_t;

/* Checks mx against p (the validated workload knobs) and os. 0, or -1 with a message. */
int wl_os_check(const wl_os_mix_t *mx, const wl_params_t *p, const os_t *os, char *err);
/* The processes, running on CPUs 0..threads-1. 0, or -1 with a message in err. */
int wl_os_start(os_t *os, const wl_params_t *p, const wl_os_mix_t *mx, wl_os_procs_t *pr, char *err);
/* wl_os_check and wl_os_start, then the statistics cleared: every CPU's MMU (backend_clear_stats)
 * and the memory's counters (physmem_reset_counters); *base receives the OS counters at that
 * point (the run's events are os->cnt minus *base). 0, or -1 with a message in err; 1 when the
 * mix does not fit the knobs (wl_os_check: a usage error). */
int wl_os_prepare(os_t *os, const wl_params_t *p, const wl_os_mix_t *mx, wl_os_procs_t *pr, os_counters_t *base,
                  char *err);
/* The rest of w's stream with the mix's events. 0, or -1 with a message in err. */
int wl_os_run(os_t *os, workload_t *w, const wl_os_mix_t *mx, wl_os_procs_t *pr, wl_os_stats_t *st, char *err);

#endif
