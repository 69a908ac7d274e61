/* Internal interface of the script interpreter (script.h), split by job:
 *   script_lex.c     the lexer and parser pieces (tokens, numbers, flags, sizes, levels,
 *                    expect fields), exposed in script.h for the unit tests
 *   script.c         the interpreter: its state, the commands and the dispatch
 *   script_expect.c  the `expect` checks of results, state and memory
 *   script_out.c     the readable trace, the JSONL records (sim/core/record.h), `print`
 *   os_script.c      the OS layer's verbs (os_script.h; sim/os/), on this MMU as CPU 0
 * Only sim/script/ includes this. */
#ifndef MMULAB_SCRIPT_INT_H
#define MMULAB_SCRIPT_INT_H

#include "script.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "mmu.h"
#include "names.h"
#include "os_script.h"
#include "physmem.h"
#include "ptbuild.h"
#include "record.h"

/* Frames the `pt` builder allocates tables from, unless `frames` says otherwise. */
#define DEFAULT_FRAME_BASE  0x01000000ull
#define DEFAULT_FRAME_LIMIT 0x02000000ull
/* Issue cycles a script may name: far from wrapping around. */
#define MAX_CYCLE (1ull << 62)
/* Access results kept for `expect seq N`. */
#define HISTORY 1024

/* ========================================================================= */
/* The interpreter                                                            */
/* ========================================================================= */

typedef struct {
    mmu_result_t res;
    unsigned line;
    bool ac, implicit;
} access_rec_t;

typedef struct {
    mmu_ctrl_t op;
    mmu_ctrl_result_t res;
    unsigned line;
    uint64_t seq;
} ctrl_rec_t;

enum { LAST_NONE, LAST_ACCESS, LAST_CTRL };

typedef struct {
    const script_opts_t *opts;
    const char *name;
    FILE *out, *err, *jsonl;
    unsigned line;

    mmu_config_t cfg;
    unsigned first_cmd_line;     /* 0 until the first non-config command */
    unsigned config_lines;       /* `config` lines applied so far */
    machine_t m;                 /* the memory and the backend (created at the first command) */
    ptbuild_t pt;
    bool have_pt;

    access_rec_t **pending;      /* @CYCLE accesses submitted, not yet reported */
    size_t npending, cap;
    cycle_t base;                /* horizon at the last synchronising command (for @+N) */

    access_rec_t hist[HISTORY];  /* reported accesses by seq % HISTORY */
    bool hist_valid[HISTORY];
    int last_kind;
    uint64_t last_seq;           /* the MMU's seq of the last access reported (OS verbs share the MMU) */
    ctrl_rec_t last_ctrl;

    uint64_t naccess, nctrl, nchecks;
    os_script_t *os;             /* the OS layer's verbs (os_script.c); NULL until `os boot` */
} interp_t;

/* One term of a separated list (a flag, a CR bit name) into bits (script_lex.c). */
typedef int (*term_fn)(void *ctx, const char *term, uint64_t *bits, char *err);

/* script.c: the interpreter's commands */
int sc_expect_entry(interp_t *I, char **toks, int n);
int sc_fail(interp_t *I, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sc_need(interp_t *I, const char *cmd, int n, int want, const char *usage);
int sc_no_more(interp_t *I, const char *cmd, char **toks, int n, int used, const char *usage);
int sc_number_arg(interp_t *I, const char *cmd, const char *what, const char *tok, uint64_t *v);
int sc_sync_all(interp_t *I);

/* script_out.c: the trace, the JSONL records, print */
int sc_cmd_print(interp_t *I, char **toks, int n);
int sc_report_access(interp_t *I, const access_rec_t *a);
int sc_report_ctrl(interp_t *I, const ctrl_rec_t *c);
void sc_report_os(interp_t *I);

/* script_expect.c: expect checks */
int sc_cmd_expect(interp_t *I, char **toks, int n);

/* script_lex.c: the lexer */
int sc_parse_terms(const char *s, char sep, const char *what, term_fn term, void *ctx, uint64_t *out, char *err);

#endif
