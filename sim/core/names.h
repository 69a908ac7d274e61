/* The one vocabulary of mmulab's text interfaces: how paging modes, access kinds,
 * faults, page sizes, control operations, TLB levels, ports and paging levels are
 * written in the CLI, scripts, JSONL, coverage bins, logs and docs.
 *
 * Each vocabulary is a table of canonical spellings (output always uses these) and
 * aliases (older or shorter spellings still accepted as input, e.g. `pt 4` and
 * `--mode 4-level` for 4level). Every parser and printer in sim/ goes through here;
 * model/ names its own enums with the same canonical spellings (paging_mode_name,
 * mmu_fault_name, mmu_access_name; tests/sim/core/test_names.c keeps them equal). */
#ifndef MMULAB_NAMES_H
#define MMULAB_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "mmu.h"

typedef struct {
    const char *name;
    int64_t value;
} names_entry_t;

typedef struct {
    const char *what;                /* in messages: "paging mode" */
    const names_entry_t *canon;      /* canonical spellings, {NULL} terminated; one per value */
    const names_entry_t *aliases;    /* input-only spellings, {NULL} terminated */
} names_table_t;

extern const names_table_t NAMES_MODE;    /* off 32bit pae 4level 5level (paging_mode_t) */
extern const names_table_t NAMES_ACCESS;  /* r w x (mmu_access_t) */
extern const names_table_t NAMES_FAULT;   /* none pf gp (mmu_fault_t) */
extern const names_table_t NAMES_SIZE;    /* 4k 2m 4m 1g none (page shift 12 21 22 30, 0) */
extern const names_table_t NAMES_PSC;     /* 4k 2m 1g (page_class_t; 2m holds 4 MiB pages in 32-bit paging) */
extern const names_table_t NAMES_CTRL;    /* cr0 cr3 cr4 efer invlpg invpcid (mmu_ctrl_kind_t) */
extern const names_table_t NAMES_TLB;     /* miss l1 l2 (tlb_hit_t) */
extern const names_table_t NAMES_PORT;    /* d i (mmu_port_t) */
extern const names_table_t NAMES_LEVEL;   /* pt pd pdpt pml4 pml5 (levels 1..5; aliases 1..5) */
extern const names_table_t NAMES_PWC;     /* none pd pdpt pml4 pml5 (deepest PWC hit: 0, 2..5) */

/* s in t (canonical or alias) → *out. Returns 0, or -1 (s NULL or unknown). */
int names_parse(const names_table_t *t, const char *s, int64_t *out);
/* The canonical spelling of v, or NULL when v has none. */
const char *names_lookup(const names_table_t *t, int64_t v);
/* As names_lookup, "?" for a value without a name (for printing). */
const char *names_format(const names_table_t *t, int64_t v);
/* The canonical spellings as "a, b or c" into buf (for error messages); returns buf. */
const char *names_list(const names_table_t *t, char *buf, size_t len);

/* Typed shorthands of the vocabularies used most. */
int names_parse_mode(const char *s, paging_mode_t *out);
const char *names_mode(paging_mode_t m);
const char *names_access(mmu_access_t a);
const char *names_fault(mmu_fault_t f);
const char *names_ctrl(mmu_ctrl_kind_t k);
const char *names_tlb(tlb_hit_t t);
const char *names_port(mmu_port_t p);
/* Page size by shift; "none" for 0 (no translation) and shifts without a name. */
const char *names_size(unsigned shift);

#endif
