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

/* The names of the other bin dimensions (coverage's own classes, not the names table's
 * vocabularies: "pf-rsvd", "pwc-pml4", "2m" for 2 MiB and 4 MiB pages, ...). */
extern const char *const cov_size_names[COV_NSIZES];
extern const char *const cov_fault_names[COV_NFAULTS];
extern const char *const cov_pwc_names[COV_NPWC];
extern const char *const cov_tlb_names[COV_NTLB];
extern const char *const cov_inval_names[COV_NINVAL];

/* Whether a bin can be hit at all in the configuration. */
bool cov_access_possible(const mmu_config_t *cfg, int m, int s, int f, int p, int t);
bool cov_inval_possible(int k, int m);

#endif
