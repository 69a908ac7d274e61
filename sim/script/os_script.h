/* The OS verbs of the script language (docs/scripts.md "OS layer"), behind
 * one narrow entry point for sim/script.c: os_script_claims says whether a
 * line is an OS line (an OS verb or `expect os ...`), os_script_line runs it.
 * The OS state (the booted os_t, the extra CPUs' backends, the symbols that
 * `vmalloc` defines, the current CPU) lives in an os_script_t that the
 * interpreter holds and frees. */
#ifndef MMULAB_OS_SCRIPT_H
#define MMULAB_OS_SCRIPT_H

#include <stdio.h>

#include "backend.h"
#include "config.h"

typedef struct os_script os_script_t;

typedef struct {
    backend_t *be;               /* the script's MMU: CPU 0 */
    physmem_t *mem;
    const mmu_config_t *cfg;     /* for the other CPUs' backends */
    backend_kind_t kind;
    FILE *out;                   /* the readable trace */
} os_script_env_t;

/* 1 if the line (tokens) is an OS line, else 0. */
int os_script_claims(char *const *toks, int n);
/* Runs one OS line; *state is created by `os boot`. Returns 0, or -1 with a
 * message (without FILE:LINE) in err. */
int os_script_line(os_script_t **state, const os_script_env_t *env, char *const *toks, int n, char *err,
                   size_t len);
/* The OS counters as one JSON object text ({"op":"os",...}), malloc'ed; NULL if
 * no OS was booted. */
char *os_script_json(const os_script_t *s);
void os_script_free(os_script_t *s);

#endif
