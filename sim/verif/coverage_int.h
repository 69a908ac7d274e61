/* Internal interface of the functional coverage (coverage.h): the bins and binning
 * (coverage.c) and their outputs, the table with its holes and the JSON file
 * (coverage_out.c). Only sim/verif/coverage*.c include this. */
#ifndef MMULAB_COVERAGE_INT_H
#define MMULAB_COVERAGE_INT_H

#include "coverage.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

/* Mode bins are named by the paging mode's word (sim/core/names.h). */
#define mode_names(m) names_mode((paging_mode_t)(m))

/* The names of the other bin dimensions, by index. */
const char *cov_size_name(int i);    /* 4k 2m 1g (NAMES_PSC) none */
const char *cov_fault_name(int i);
const char *cov_pwc_name(int i);
const char *cov_tlb_name(int i);     /* miss l1 l2 (NAMES_TLB) */
extern const char *const cov_inval_names[COV_NINVAL];

/* Whether a bin can be hit at all in the configuration. */
bool cov_access_possible(const mmu_config_t *cfg, int m, int s, int f, int p, int t);
bool cov_inval_possible(int k, int m);

#endif
