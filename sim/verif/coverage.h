/* Functional coverage of the random co-simulation (docs/verification.md).
 *
 * Two crosses, counted per result and merged across seeds:
 *   translations: paging mode x page size x fault kind x deepest PWC hit x TLB level
 *   control:      invalidation (or #GP) kind x paging mode before the operation
 * Bins that cannot be hit (1 GiB pages in PAE, a PWC hit on an L1 TLB hit, a
 * level whose cache has 0 entries in the configuration, ...) are excluded; the
 * rest that stayed at zero are the holes. A coverage object has no hidden
 * state: it is plain counters plus the "possible" masks of its configuration. */
#ifndef MMULAB_COVERAGE_H
#define MMULAB_COVERAGE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "mmu.h"

enum { COV_M_OFF, COV_M_32, COV_M_PAE, COV_M_4, COV_M_5, COV_NMODES };
enum { COV_S_4K, COV_S_2M /* 2 MiB, or 4 MiB in 32-bit paging */, COV_S_1G, COV_S_NONE, COV_NSIZES };
enum { COV_F_NONE, COV_F_NP, COV_F_RSVD, COV_F_RIGHTS, COV_F_GP, COV_NFAULTS };
enum { COV_P_NONE, COV_P_PD, COV_P_PDPT, COV_P_PML4, COV_P_PML5, COV_NPWC };
enum { COV_T_MISS, COV_T_L1, COV_T_L2, COV_NTLB };

/* Control-operation kinds: what a successful operation invalidates, or which #GP it took. */
typedef enum {
    COV_I_CR3_FLUSH, COV_I_CR3_NOFLUSH, COV_I_INVLPG,
    COV_I_INVPCID0, COV_I_INVPCID1, COV_I_INVPCID2, COV_I_INVPCID3,
    COV_I_CR4_PGE, COV_I_CR4_PCIDE, COV_I_CR4_PAE, COV_I_CR4_SMEP, COV_I_CR0_PG,
    COV_I_GP_CR0, COV_I_GP_CR3, COV_I_GP_CR4, COV_I_GP_EFER, COV_I_GP_INVPCID,
    COV_NINVAL
} cov_inval_t;

/* Protection-key bins (docs/semantics.md "Protection keys"), 4/5-level paging, pk=1 only: a #PF with
 * PK=1 by AD_i or by WD_i on a user-mode (PKRU) or supervisor-mode (IA32_PKRS) address; a
 * supervisor write with WD_i allowed (CR0.WP=0); a fetch whose key denies data access (no fault);
 * a PKRU / IA32_PKRS change between two uses of the same TLB entry (the second a hit or a PK fault). */
typedef enum {
    COV_K_AD_USER, COV_K_AD_SUP, COV_K_WD_USER, COV_K_WD_SUP, COV_K_WD_SUP_WP0, COV_K_FETCH,
    COV_K_CHANGE_HIT, COV_NKEYS
} cov_key_t;

typedef struct {
    uint64_t access[COV_NMODES][COV_NSIZES][COV_NFAULTS][COV_NPWC][COV_NTLB];
    bool access_possible[COV_NMODES][COV_NSIZES][COV_NFAULTS][COV_NPWC][COV_NTLB];
    uint64_t inval[COV_NINVAL][COV_NMODES];
    bool inval_possible[COV_NINVAL][COV_NMODES];
    uint64_t keys[COV_NKEYS];
    bool keys_possible[COV_NKEYS];
    uint64_t seeds, accesses, ctrl_ops;
} cov_t;

#define COV_ERR_LEN 256

/* Zero counts; the possible bins of cfg (NULL: the defaults). */
void cov_init(cov_t *c, const mmu_config_t *cfg);

/* The bin coordinates of one translation result in `mode`. */
int cov_mode_index(paging_mode_t mode);
int cov_fault_kind(const mmu_result_t *r);
int cov_size_index(const mmu_result_t *r);
void cov_add_access(cov_t *c, paging_mode_t mode, const mmu_result_t *r);

/* Bit mask of cov_inval_t kinds of one control operation, given the registers
 * before it (before->cr0, cr4, efer and mode are used). */
uint32_t cov_ctrl_kinds(const mmu_arch_t *before, const mmu_ctrl_t *op, const mmu_ctrl_result_t *res);
void cov_add_ctrl(cov_t *c, const mmu_arch_t *before, const mmu_ctrl_t *op, const mmu_ctrl_result_t *res);
/* One protection-key event (the stimulus classifies it with its shadow: sim/verif/stim_ops.c). */
void cov_add_key(cov_t *c, cov_key_t k);

/* dst += src (counts add, possible masks are or'ed). */
void cov_merge(cov_t *dst, const cov_t *src);

typedef struct {
    unsigned access_hit, access_possible, access_unexpected;   /* unexpected: hit but deemed impossible */
    unsigned inval_hit, inval_possible, inval_unexpected;
    unsigned keys_hit, keys_possible;
} cov_summary_t;
void cov_summary(const cov_t *c, cov_summary_t *s);

/* Names: "4/4k/none/pwc-pd/miss", "invpcid2@pae". */
void cov_access_bin_name(int mode, int size, int fault, int pwc, int tlb, char *buf, size_t len);
const char *cov_inval_name(int kind);
const char *cov_key_name(int k);
const char *cov_mode_name(int mode);

/* The readable tables with hit counts, the summary and the list of holes. */
void cov_print(const cov_t *c, FILE *out);

/* JSON (cJSON): save, or load and merge into c. Return 0, or -1 with err. */
int cov_save(const cov_t *c, const char *path, char *err);
int cov_load_merge(cov_t *c, const char *path, char *err);

#endif
