/* The mmulab script interpreter: a small line-oriented language that drives
 * one MMU (model/mmu.h) so directed tests need no C. The language is
 * documented in docs/scripts.md; `mmulab run` is its command-line face.
 *
 * The parser pieces below (numbers, flag lists, expect fields, tokens) are
 * exposed for unit tests; everything else is private to script.c. */
#ifndef MMULAB_SCRIPT_H
#define MMULAB_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "backend.h"
#include "config.h"

#define SCRIPT_ERR_LEN 256
#define SCRIPT_MAX_TOKENS 64

/* --- running a script ----------------------------------------------------- */

typedef struct {
    const char *path;            /* script file; "-" reads standard input */
    const mmu_config_t *base;    /* starting configuration (defaults + --config); NULL = defaults */
    const char *const *sets;     /* --set assignments, applied after the script's `config` lines */
    size_t nsets;
    const char *config_origin;   /* "--config F --set K=V" as given, named by a cross-parameter
                                    error (which no single line owns); NULL: none */
    bool *cli_config_error;      /* out, if not NULL: set when the configuration of config_origin
                                    alone (no `config` line) is invalid: reported without a line */
    const char *jsonl_path;      /* one JSON object per operation; NULL = none */
    backend_kind_t backend;      /* model (the default, 0), rtl or cosim */
    FILE *out;                   /* readable trace; NULL = stdout */
    FILE *err;                   /* diagnostics; NULL = stderr */
    backend_opts_t backend_opts; /* the backend instance's options (rtl/cosim: waveform) */
    int64_t *mismatch_cycle;     /* out, if not NULL: the backend's cosim first difference, -1 if none */
} script_opts_t;

/* Runs the script. Returns 0 when every line ran and every expect held,
 * 1 otherwise (the reason, naming FILE:LINE, has been written to err). */
int script_run(const script_opts_t *opts);

/* As script_run, reading from an open stream; `name` is used in messages. */
int script_run_stream(const script_opts_t *opts, FILE *in, const char *name);

/* --- parser pieces -------------------------------------------------------- */

/* Splits line in place at blanks; '#' starts a comment. Returns the number of
 * tokens (at most max), or -1 if the line has more than max tokens. */
int script_tokenize(char *line, char **toks, int max);

/* A number: decimal or 0x-hex, '_' allowed between digits, no sign, must fit
 * in 64 bits, nothing after it. Returns 0 or -1. */
int script_parse_number(const char *s, uint64_t *out);

/* Paging-structure entry flags: a '+'-joined list of p, rw, us, pwt, pcd, a,
 * d, ps, g, xd, or numbers (e.g. "p+rw+a", "0x63", "p+0x100"). Returns 0, or
 * -1 with a message in err (SCRIPT_ERR_LEN bytes). */
int script_parse_flags(const char *s, uint64_t *out, char *err);

/* Formats flags as such a list ("p+rw+a", unnamed bits as a trailing number,
 * "0" for none) into buf; returns buf. */
const char *script_format_flags(uint64_t flags, char *buf, size_t len);

/* Page sizes "4k" "2m" "4m" "1g" → page shift 12, 21, 22, 30. Returns 0 or -1. */
int script_parse_size(const char *s, unsigned *shift);

/* Paging levels: 1..5 or pt, pd, pdpt, pml4, pml5. Returns the level or -1. */
int script_parse_level(const char *s);

/* What `expect` can check. */
typedef enum {
    /* on an access (a control op supports fault, cycles, complete, issue, accept, reads) */
    XF_PA, XF_FAULT, XF_EC, XF_CR2, XF_CYCLES, XF_COMPLETE, XF_ISSUE, XF_ACCEPT,
    XF_TLB, XF_PWC, XF_READS, XF_WRITES, XF_WALKED, XF_ASSIST, XF_SIZE, XF_PORT,
    /* architectural state after the operation */
    XF_CR0, XF_CR3, XF_CR4, XF_EFER, XF_MODE, XF_PCID, XF_PKRU, XF_PKRS,
    XF_COUNT
} script_field_t;

typedef struct {
    script_field_t field;
    uint64_t value;              /* numbers as such; names as the model's encoding
                                    (fault: mmu_fault_t, tlb: tlb_hit_t, pwc: level 0/2..5,
                                    size: page shift, port: mmu_port_t, yes/no: 1/0,
                                    mode: paging_mode_t) */
} script_check_t;

/* The field's name as written in scripts ("pa", "fault", ...). */
const char *script_field_name(script_field_t f);

/* One FIELD VALUE pair. Returns 0, or -1 with a message in err. */
int script_parse_check(const char *field, const char *value, script_check_t *out, char *err);

/* A list of FIELD VALUE pairs (the rest of an `expect` line). Returns the
 * number of checks (>= 1), or -1 with a message in err. */
int script_parse_checks(char *const *toks, int ntoks, script_check_t *out, int max, char *err);

/* The value of a check as text, the way it is written in scripts, into buf. */
const char *script_format_value(script_field_t f, uint64_t v, char *buf, size_t len);

#endif
