/* The golden model of the mmulab MMU: any number of independent instances,
 * each with its own configuration, state, statistics and physical memory.
 *
 * Translations are submitted with the cycle they are issued on and complete
 * on a cycle given by docs/timing.md; requests on the two ports overlap, the
 * walker is shared, and hits on one port are served while the other walks.
 * Control operations (CR writes, INVLPG, INVPCID) are serialising. */
#ifndef MMULAB_MMU_H
#define MMULAB_MMU_H

#include "config.h"
#include "physmem.h"
#include "stats.h"
#include "types.h"

typedef struct mmu mmu_t;

typedef struct {
    vaddr_t va;
    mmu_access_t access;
    uint8_t cpl;         /* 0..3; CPL 3 is user mode */
    bool ac;             /* EFLAGS.AC (SMAP override for explicit accesses) */
    bool implicit;       /* implicit supervisor access (e.g. descriptor tables): never user, always obeys SMAP */
    cycle_t issue_cycle;
} mmu_req_t;

typedef struct {
    uint64_t seq;               /* submission number, from 0 */
    vaddr_t va;
    mmu_access_t access;
    uint8_t cpl;
    mmu_port_t port;
    paddr_t pa;                 /* valid when fault == FAULT_NONE */
    mmu_fault_t fault;
    uint32_t error_code;        /* #PF error code */
    vaddr_t cr2;                /* CR2 after the operation */
    cycle_t issue_cycle, accept_cycle, complete_cycle;
    tlb_hit_t tlb_hit;          /* which TLB answered, or none (walked / faulted / paging off) */
    uint8_t pwc_hit;            /* level of the deepest paging-structure-cache hit (2..5), 0 for none */
    uint8_t page_shift;         /* 12, 21, 22 or 30 for a paged success; 0 with paging off or a fault */
    bool walked;                /* a page walk was performed */
    bool dirty_assist;          /* a write found a clean (D=0) TLB entry and re-walked */
    uint16_t mem_reads, mem_writes;   /* walker memory operations for this request */
} mmu_result_t;

typedef enum {
    CTRL_CR0, CTRL_CR3, CTRL_CR4, CTRL_EFER, CTRL_INVLPG, CTRL_INVPCID,
    CTRL_WRPKRU,   /* value = EAX (bits 63:32 ignored); #UD while CR4.PKE = 0 or pk = 0 */
    CTRL_WRPKRS,   /* WRMSR IA32_PKRS: value = EDX:EAX; #GP with bits 63:32 set or pk = 0 */
} mmu_ctrl_kind_t;

typedef struct {
    mmu_ctrl_kind_t kind;
    uint64_t value;        /* CR / EFER / PKRU / IA32_PKRS value; for INVLPG unused */
    vaddr_t va;            /* INVLPG, INVPCID type 0 */
    unsigned invpcid_type; /* 0 address, 1 single context, 2 all incl. global, 3 all but global */
    uint64_t pcid;         /* INVPCID descriptor PCID (checked: must be < 4096) */
    cycle_t issue_cycle;
} mmu_ctrl_t;

typedef struct {
    mmu_fault_t fault;            /* FAULT_NONE, FAULT_GP (illegal write / operand) or FAULT_UD (WRPKRU) */
    cycle_t issue_cycle, accept_cycle, complete_cycle;
    uint16_t mem_reads;           /* PDPTE loads */
    uint32_t tlb_invalidated, pwc_invalidated;   /* entries dropped */
} mmu_ctrl_result_t;

/* Architectural state visible to tests and the harness. */
typedef struct {
    uint64_t cr0, cr2, cr3, cr4, efer;
    uint32_t pkru;            /* protection-key rights, user-mode addresses */
    uint32_t pkrs;            /* IA32_PKRS (bits 63:32 are reserved, always 0) */
    uint64_t pdpte[4];        /* PAE PDPTE registers */
    paging_mode_t mode;
    uint16_t pcid;            /* current PCID (0 when CR4.PCIDE = 0) */
} mmu_arch_t;

/* Memory operations of the walker, in the order they happen (A/D updates included). */
typedef struct {
    cycle_t issue_cycle, complete_cycle;
    paddr_t pa;
    bool is_write;
    uint8_t size;      /* 4 or 8 */
    uint64_t value;    /* data read or written */
} mmu_memop_t;
typedef void (*mmu_memop_fn)(void *ctx, const mmu_memop_t *op);

/* cfg must pass config_validate (returns NULL and writes err otherwise). The
 * MMU keeps a pointer to mem; mem must outlive it. */
mmu_t *mmu_create(const mmu_config_t *cfg, physmem_t *mem, char *err);
void mmu_destroy(mmu_t *m);
/* Reset: CRs = 0 (paging off), TLBs/PWCs empty, cycle 0, statistics cleared. */
void mmu_reset(mmu_t *m);

const mmu_config_t *mmu_config(const mmu_t *m);

/* Queues a translation; *out is written when it is processed (at the latest by
 * mmu_sync). Issue cycles must not decrease across submissions, and must not
 * precede mmu_horizon(): returns -1 (and queues nothing) otherwise. */
int mmu_submit(mmu_t *m, const mmu_req_t *req, mmu_result_t *out);
/* Processes every queued translation. */
void mmu_sync(mmu_t *m);
/* mmu_submit + mmu_sync for one request. */
int mmu_translate(mmu_t *m, const mmu_req_t *req, mmu_result_t *out);

/* A serialising control operation: waits for every queued translation to
 * complete (mmu_sync), then takes effect. Returns -1 for a bad issue cycle. */
int mmu_control(mmu_t *m, const mmu_ctrl_t *op, mmu_ctrl_result_t *out);

/* Earliest cycle a new submission may be issued on: after an mmu_sync or a
 * control operation, the cycle after everything completed. */
cycle_t mmu_horizon(const mmu_t *m);

void mmu_arch_state(const mmu_t *m, mmu_arch_t *out);
const mmu_stats_t *mmu_stats(const mmu_t *m);
void mmu_clear_stats(mmu_t *m);

/* Feeds one data access of the workload (at pa, after its translation) to the
 * memory hierarchy the walker uses (mem_model=cache: it competes with PTE lines;
 * the other models ignore it). Synchronises first (mmu_sync). Costs no cycles. */
void mmu_data_access(mmu_t *m, paddr_t pa, bool is_write);

/* Observer of the walker's memory operations (NULL to remove). */
void mmu_set_memop_observer(mmu_t *m, mmu_memop_fn fn, void *ctx);

const char *mmu_fault_name(mmu_fault_t f);
const char *mmu_access_name(mmu_access_t a);
const char *paging_mode_name(paging_mode_t mode);

#endif
