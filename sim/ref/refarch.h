/* The architecture as docs/semantics.md states it (Intel SDM vol. 3A ch. 4), written once and
 * used by both permitted-outcome users: the random stimulus's shadow reference
 * (sim/verif/shadow.c) and the permissive checker of libmmulab (sim/ref/checker.c).
 *
 * It deliberately shares no code with model/ (only the vocabulary of model/types.h and the
 * request/control structs of model/mmu.h): it is the independent second reading of the SDM that
 * the model, mmulab's RTL and a user's RTL are checked against, so a misreading in model/ cannot
 * hide by being used on both sides. Simple rather than fast: no caches, one walk per call.
 *
 * Flow: a walk is begun (paging off, #GP and PAE PDPTE faults end it at once), then fed one
 * paging-structure entry at a time (ref_walk_next) until it ends in a fault or a leaf. The caller
 * chooses each entry's value: the shadow reads memory as it is now; the checker also tries the
 * values an entry held since the last invalidation that covers it (stale cached entries). */
#ifndef MMULAB_REFARCH_H
#define MMULAB_REFARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu.h"
#include "types.h"

#define ADDR8 0x000ffffffffff000ull
/* SDM Vol 3A 2.5 (Figure 2-7): CR0's bits; CR4's bits this processor offers (docs/semantics.md 7) */
#define CR0_BITS  0xe005003full       /* PE MP EM TS ET NE WP AM NW CD PG: others of 31:0 are ignored */
#define CR4_OK    0x023f7fffull       /* 0-14, 16-21, 25; reserved or unimplemented otherwise: #GP */
#define CR4_PK_BITS (CR4_PKE | CR4_PKS)  /* 22, 24: writable only on a processor with protection keys */
#define EFER_KNOWN (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

/* --- small helpers of the paging geometry (the shadow's own, not model/paging.h) --- */

static inline uint64_t bits(unsigned hi, unsigned lo)
{
    if (hi < lo || lo > 63)
        return 0;
    uint64_t upto = hi >= 63 ? ~0ull : (1ull << (hi + 1)) - 1;
    return upto & ~((1ull << lo) - 1);
}

static inline unsigned va_bits_of(paging_mode_t mode)
{
    return mode == PAGING_5LEVEL ? 57 : mode == PAGING_4LEVEL ? 48 : 32;
}

static inline vaddr_t canon(vaddr_t va, unsigned vbits)
{
    if (vbits >= 64)
        return va;
    return (vaddr_t)((int64_t)(va << (64 - vbits)) >> (64 - vbits));
}

static inline bool canonical(vaddr_t va, unsigned vbits)
{
    return canon(va, vbits) == va;
}

static inline int top_level(paging_mode_t mode)
{
    return mode == PAGING_5LEVEL ? 5 : mode == PAGING_4LEVEL ? 4 : mode == PAGING_PAE ? 3 : 2;
}

static inline unsigned esize(paging_mode_t mode)
{
    return mode == PAGING_32 ? 4 : 8;
}

/* Low VA bit of a level's index. */
static inline unsigned lvl_shift(paging_mode_t mode, int level)
{
    if (mode == PAGING_32)
        return level == 2 ? 22 : 12;
    return 12 + 9 * (unsigned)(level - 1);
}

static inline unsigned lvl_bits(paging_mode_t mode, int level)
{
    return mode == PAGING_32 ? 10 : (mode == PAGING_PAE && level == 3) ? 2 : 9;
}

static inline uint64_t lvl_index(paging_mode_t mode, int level, vaddr_t va)
{
    return (va >> lvl_shift(mode, level)) & ((1ull << lvl_bits(mode, level)) - 1);
}

/* --- state and results ------------------------------------------------------------ */

typedef struct {
    uint64_t cr0, cr3, cr4, efer, pdpte[4];
    uint32_t pkru, pkrs;         /* PKRU, IA32_PKRS (SDM Vol 3A 4.6.2) */
    bool pk;                     /* the processor has protection keys (CPUID PKU/PKS; mmulab's pk=1) */
} ref_cpu_t;

/* Outcome classes of a translation (sim/verif/coverage.h's COV_F_* have the same values). */
enum { REF_F_NONE, REF_F_NP, REF_F_RSVD, REF_F_RIGHTS, REF_F_GP };

/* What the architecture says one translation does. */
typedef struct {
    int fault;                   /* REF_F_* */
    uint32_t ec;                 /* #PF error code */
    paddr_t pa;
    unsigned shift;              /* page size (12, 21, 22, 30); 0 with paging off */
    bool leaf_ok;                /* the walk reached a leaf with no not-present or reserved entry */
    bool key_used;               /* leaf_ok and a key governs the address (PKRU or IA32_PKRS in force) */
    bool key_user_addr;          /* ... it is a user-mode address (PKRU's), else IA32_PKRS's */
    bool key_ad, key_wd;         /* ... that register's AD_i / WD_i for the leaf's key i */
} ref_pred_t;

/* What a control operation invalidates (SDM 4.10.4.1). */
typedef enum { REF_FLUSH_NONE, REF_FLUSH_PCID, REF_FLUSH_NONGLOBAL, REF_FLUSH_ALL } ref_flush_t;

/* Reads a paging-structure entry or PDPTE (size 4 or 8) from the caller's memory. */
typedef uint64_t (*ref_read_fn)(void *ctx, paddr_t pa, unsigned size);

/* A walk in progress: the next entry to read is at level `level` of table `table`. */
typedef struct {
    paging_mode_t mode;
    vaddr_t va;                  /* below 4-level: bits 31:0 only */
    int level;
    paddr_t table;
    uint32_t ec;                 /* W, U, I bits of the access */
    bool user;
    bool rw, us, xd;             /* rights accumulated over the entries read so far */
} ref_walk_t;

/* --- the architecture --------------------------------------------------------------- */

paging_mode_t ref_cpu_mode(const ref_cpu_t *c);
bool ref_cpu_lma(const ref_cpu_t *c);
uint16_t ref_cpu_pcid(const ref_cpu_t *c);
/* Top table of a mode (PAE: the PDPT); M is MAXPHYADDR. */
paddr_t ref_cr3_table(unsigned M, paging_mode_t mode, uint64_t cr3);
uint64_t ref_entry_rsvd(const ref_cpu_t *c, unsigned M, paging_mode_t mode, int level, uint64_t e);
uint64_t ref_pdpte_rsvd(unsigned M);

/* Starts a walk; true if the outcome is already decided (paging off, #GP, a not-present PDPTE
 * register), then *out holds it. */
bool ref_walk_begin(const ref_cpu_t *c, unsigned M, const mmu_req_t *r, ref_walk_t *w, ref_pred_t *out);
/* Where the next entry is and how big. */
paddr_t ref_walk_entry_pa(const ref_walk_t *w);
unsigned ref_walk_entry_size(const ref_walk_t *w);
/* Consumes the entry e; true if the walk ended (a fault, or a leaf: translation and rights
 * check done), then *out holds the outcome. */
bool ref_walk_next(const ref_cpu_t *c, unsigned M, const mmu_req_t *r, ref_walk_t *w, uint64_t e, ref_pred_t *out);
/* A whole walk over the memory read reads. */
void ref_translate(const ref_cpu_t *c, unsigned M, const mmu_req_t *r, ref_read_fn read, void *ctx, ref_pred_t *out);

/* The expected result of a control operation (docs/semantics.md sections 7-8, "Protection keys";
 * FAULT_NONE, FAULT_GP or FAULT_UD): applies it to
 * *c when it succeeds (PDPTE loads read through read) and says what it invalidates. */
mmu_fault_t ref_ctrl(ref_cpu_t *c, unsigned M, const mmu_ctrl_t *op, ref_read_fn read, void *ctx,
                     ref_flush_t *fl, uint16_t *fl_pcid);

#endif
