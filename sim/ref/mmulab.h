/* libmmulab — the mmulab golden x86 MMU as a reference for other people's designs.
 *
 * Public C API, version MMULAB_API_VERSION (major.minor: a new major breaks source or binary
 * compatibility and changes the soname libmmulab.so.MAJOR; a new minor only adds). Only C
 * types, opaque handles and int status codes; compiles as C (C99+) and C++.
 *
 * The permissive checker (mmulab_ref_*): the testbench mirrors into it what the design under
 * test sees — memory writes (mmulab_ref_mem_write), control-register writes
 * (mmulab_ref_write_reg), invalidations (mmulab_ref_invlpg / mmulab_ref_invpcid) and the A/D
 * writes of the design's walker (mmulab_ref_ad_write) — and hands it every translation the
 * design returns (mmulab_ref_check). The checker accepts every result the Intel SDM permits:
 * the walk of the tables as they are now, and every translation a TLB or paging-structure
 * cache may still hold because no invalidation removed it since the tables said so
 * (SDM vol. 3A 4.10.2-4.10.4). Anything else is a MISMATCH with a one-line reason.
 * docs/reference-model.md describes the rules and how to hook it into a testbench.
 *
 * Page-table building (mmulab_pt_*): writes paging structures of any mode into the checker's
 * (or a model's) memory (the design's memory gets the same words: read them back with
 * mmulab_ref_mem_read or mmulab_pt_for_each_write).
 *
 * The model (mmulab_model_*): mmulab's own golden MMU (model/, any parameter of model/params.def),
 * one outcome per translation with its completion cycle, for a C/C++ harness that wants a
 * cycle-approximate MMU rather than a checker.
 *
 * Thread safety: handles are independent; one handle must not be used by two threads at once. */
#ifndef MMULAB_H
#define MMULAB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MMULAB_API_VERSION_MAJOR 1
#define MMULAB_API_VERSION_MINOR 1   /* 1.1: protection keys (MMULAB_PKRU, MMULAB_PKRS, MMULAB_E_UD) */
#define MMULAB_API_VERSION (MMULAB_API_VERSION_MAJOR * 100 + MMULAB_API_VERSION_MINOR)

/* The version the library was built as (compare with MMULAB_API_VERSION: same major required). */
int mmulab_api_version(void);

/* Status codes: 0 success, 1 a result the SDM does not permit, negative errors. */
enum {
    MMULAB_OK = 0,
    MMULAB_MISMATCH = 1,      /* mmulab_ref_check / mmulab_ref_ad_write: not permitted (see why) */
    MMULAB_E_ARG = -1,        /* a NULL handle, an unknown enum value, a misaligned or bad size */
    MMULAB_E_RANGE = -2,      /* a physical address at or above 2^maxphyaddr */
    MMULAB_E_NOMEM = -3,
    MMULAB_E_GP = -4,         /* the register write or INVPCID raises #GP (SDM); state unchanged */
    MMULAB_E_MAP = -5,        /* mmulab_pt_map: impossible size in the mode, misaligned, in the way */
    MMULAB_E_UD = -6          /* (1.1) WRPKRU (MMULAB_PKRU) while CR4.PKE = 0 raises #UD (SDM); state unchanged */
};

enum { MMULAB_READ = 0, MMULAB_WRITE = 1, MMULAB_EXEC = 2 };                 /* access kinds */
enum { MMULAB_FAULT_NONE = 0, MMULAB_FAULT_PF = 1, MMULAB_FAULT_GP = 2 };    /* result kinds */
/* registers; (1.1) MMULAB_PKRU is written as WRPKRU (EAX; #UD while CR4.PKE = 0), MMULAB_PKRS as
 * WRMSR IA32_PKRS (#GP with bits 63:32 set). Protection keys: SDM Vol 3A 4.6.2, bits 62:59 of a
 * 4/5-level leaf; the checker's processor has them, the model's when its pk parameter is 1. */
enum { MMULAB_CR0 = 0, MMULAB_CR3 = 1, MMULAB_CR4 = 2, MMULAB_EFER = 3, MMULAB_PKRU = 4, MMULAB_PKRS = 5 };
enum { MMULAB_MODE_32BIT = 1, MMULAB_MODE_PAE = 2, MMULAB_MODE_4LEVEL = 3, MMULAB_MODE_5LEVEL = 4 };

/* One translation request as the design received it. */
typedef struct {
    uint64_t va;
    int access;               /* MMULAB_READ / WRITE / EXEC */
    unsigned cpl;             /* 0..3 */
    int ac;                   /* EFLAGS.AC (SMAP override of explicit supervisor accesses) */
    int implicit;             /* implicit supervisor access (descriptor tables) */
} mmulab_access_t;

/* The design's answer. */
typedef struct {
    int fault;                /* MMULAB_FAULT_* */
    uint32_t error_code;      /* #PF error code (P, W, U, RSVD, I, PK) */
    uint64_t pa;              /* when fault == NONE */
    unsigned page_shift;      /* page size of the translation: 12, 21, 22, 30; 0 with paging off */
} mmulab_result_t;

/* ---- the permissive checker ---------------------------------------------------------- */

typedef struct mmulab_ref mmulab_ref_t;

/* maxphyaddr 32..52. Registers start at their reset values (paging off), memory is zero. */
mmulab_ref_t *mmulab_ref_create(unsigned maxphyaddr);
void mmulab_ref_destroy(mmulab_ref_t *ref);
/* Back to the state of mmulab_ref_create (memory, registers, history, counters). */
int mmulab_ref_reset(mmulab_ref_t *ref);

/* A store the design's MMU can observe (size 4 or 8, naturally aligned). */
int mmulab_ref_mem_write(mmulab_ref_t *ref, uint64_t pa, uint64_t value, unsigned size);
int mmulab_ref_mem_read(mmulab_ref_t *ref, uint64_t pa, unsigned size, uint64_t *value);

/* An A/D-bit write of the design's walker: MMULAB_MISMATCH (and not applied) unless it only
 * sets A and/or D in the entry at pa (SDM 4.8: the processor sets them, never clears, never
 * changes another bit); otherwise applied as a memory write. */
int mmulab_ref_ad_write(mmulab_ref_t *ref, uint64_t pa, uint64_t value, unsigned size, char *why, size_t why_len);

/* MOV to CR0/CR3/CR4 or WRMSR EFER, with the SDM's checks (MMULAB_E_GP) and the
 * invalidations it implies (SDM 4.10.4.1); PAE PDPTEs are loaded from the mirrored memory. */
int mmulab_ref_write_reg(mmulab_ref_t *ref, int reg, uint64_t value);
int mmulab_ref_read_reg(mmulab_ref_t *ref, int reg, uint64_t *value);
/* INVLPG va (current PCID and global entries of the page, paging-structure caches of the PCID). */
int mmulab_ref_invlpg(mmulab_ref_t *ref, uint64_t va);
/* INVPCID type 0..3 (MMULAB_E_GP for what the SDM rejects). */
int mmulab_ref_invpcid(mmulab_ref_t *ref, unsigned type, uint64_t pcid, uint64_t va);

/* Checks one translation result: MMULAB_OK if the SDM permits it, MMULAB_MISMATCH if not,
 * with one line in why (which rule, which entry; NUL-terminated, truncated to why_len; why may be
 * NULL). A permitted page fault invalidates the TLB entries of its address (SDM 4.10.4.1). */
int mmulab_ref_check(mmulab_ref_t *ref, const mmulab_access_t *access, const mmulab_result_t *result,
                     char *why, size_t why_len);

/* What a fresh walk of the tables gives now (no cached entry): the reference's own answer. */
int mmulab_ref_translate(mmulab_ref_t *ref, const mmulab_access_t *access, mmulab_result_t *result);

/* Counters: checks made, mismatches, checks that only a stale (cached) translation explains. */
typedef struct {
    uint64_t checks, mismatches, stale_permitted, ad_writes;
} mmulab_ref_stats_t;
int mmulab_ref_get_stats(const mmulab_ref_t *ref, mmulab_ref_stats_t *stats);

/* ---- page-table building (in the checker's memory) ----------------------------------- */

typedef struct mmulab_pt mmulab_pt_t;

/* A new address space of mode MMULAB_MODE_*, its tables allocated from frames in
 * [frame_base, frame_limit) of ref's memory (4 KiB aligned; keep them below 4 GiB for 32-bit and PAE). */
mmulab_pt_t *mmulab_pt_create(mmulab_ref_t *ref, int mode, uint64_t frame_base, uint64_t frame_limit);
void mmulab_pt_destroy(mmulab_pt_t *pt);
/* The CR3 value of the address space (PCID bits 0). */
uint64_t mmulab_pt_cr3(const mmulab_pt_t *pt);
/* Maps the page of size 1 << page_shift at va to pa; leaf_flags are the leaf's bits (P is not
 * implied; a protection key k of a 4/5-level leaf is k << 59), table_flags those of new intermediate
 * entries. Writes are mirrored like
 * mmulab_ref_mem_write (changed entries enter the checker's history). */
int mmulab_pt_map(mmulab_pt_t *pt, uint64_t va, uint64_t pa, unsigned page_shift, uint64_t leaf_flags,
                  uint64_t table_flags);
/* Physical address of the entry at level (1 = PT .. 5 = PML5) on va's path, 0 if none. */
uint64_t mmulab_pt_entry_addr(const mmulab_pt_t *pt, uint64_t va, int level);
/* Calls fn for every 8-byte word of every page written (by the builder or mmulab_ref_mem_write)
 * since the handle's creation or the last call (to copy the tables into the design's memory). */
typedef void (*mmulab_word_fn)(void *ctx, uint64_t pa, uint64_t value);
int mmulab_pt_for_each_write(mmulab_pt_t *pt, mmulab_word_fn fn, void *ctx);

/* ---- the model ------------------------------------------------------------------------ */

typedef struct mmulab_model mmulab_model_t;

/* settings: NULL or "key=value" assignments of model/params.def separated by commas or
 * whitespace ("dtlb_4k_sets=8, tlb_repl=random"); on a bad one returns NULL and writes the
 * message (naming the key) into err (err may be NULL). Registers at reset, memory zero. */
mmulab_model_t *mmulab_model_create(const char *settings, char *err, size_t err_len);
void mmulab_model_destroy(mmulab_model_t *model);
/* Registers, TLBs, caches, cycle and statistics back to reset; memory is kept. */
int mmulab_model_reset(mmulab_model_t *model);
int mmulab_model_mem_write(mmulab_model_t *model, uint64_t pa, uint64_t value, unsigned size);
int mmulab_model_mem_read(mmulab_model_t *model, uint64_t pa, unsigned size, uint64_t *value);
/* One translation issued when everything before it completed; *latency (may be NULL) is its
 * completion cycle minus its issue cycle (docs/timing.md). */
int mmulab_model_translate(mmulab_model_t *model, const mmulab_access_t *access, mmulab_result_t *result,
                           uint64_t *latency);
int mmulab_model_write_reg(mmulab_model_t *model, int reg, uint64_t value);      /* MMULAB_E_GP on #GP */
int mmulab_model_read_reg(mmulab_model_t *model, int reg, uint64_t *value);
int mmulab_model_invlpg(mmulab_model_t *model, uint64_t va);
int mmulab_model_invpcid(mmulab_model_t *model, unsigned type, uint64_t pcid, uint64_t va);
/* Page tables in the model's memory (frames as for mmulab_pt_create; one range per model). */
mmulab_pt_t *mmulab_model_pt_create(mmulab_model_t *model, int mode, uint64_t frame_base, uint64_t frame_limit);

#ifdef __cplusplus
}
#endif

#endif
