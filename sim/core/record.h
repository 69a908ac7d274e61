/* The JSONL record: one JSON object per operation, as `mmulab run --jsonl` writes it
 * (docs/scripts.md lists the fields). Written and read here only: the script
 * interpreter writes records, the random stimulus digests them after a replay, and a
 * future trace reader or experiment runner reads them back with the same code.
 *
 * Access: {"op":"access","seq","line","va","pa"(null on a fault),"access","cpl","ac",
 *          "implicit","port","fault","error_code","cr2","issue","accept","complete",
 *          "latency","tlb","pwc_level","page_size","walked","dirty_assist","mem_reads","mem_writes"}
 * Control: {"op":"cr0|cr3|cr4|efer|invlpg|invpcid","seq","line", "value" | "va" |
 *          "type","pcid","va", "fault","issue","accept","complete","latency","mem_reads",
 *          "tlb_invalidated","pwc_invalidated"}
 * Addresses and register values are "0x.." strings, counts and cycles numbers, the
 * vocabularies the words of sim/core/names.h. */
#ifndef MMULAB_RECORD_H
#define MMULAB_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mmu.h"

typedef enum { RECORD_ACCESS, RECORD_CTRL } record_kind_t;

typedef struct {
    record_kind_t kind;
    unsigned line;               /* script line of the operation */
    /* access */
    mmu_req_t req;               /* the request's ac and implicit (the rest is in res) */
    mmu_result_t res;
    /* control */
    uint64_t seq;                /* control operations count in the access sequence */
    mmu_ctrl_t op;
    mmu_ctrl_result_t cres;
} record_t;

#define RECORD_ERR_LEN 128

/* Writes r as one line of JSON. Returns 0, or -1 with the reason in err (RECORD_ERR_LEN bytes). */
int record_write(FILE *f, const record_t *r, char *err);

/* Parses one line written by record_write into *r. Returns 0, or -1 when it is not
 * such a record (a missing or mistyped field, an unknown word). */
int record_parse(const char *line, record_t *r);

#endif
