/* MMU configuration: one struct field per row of params.def, a parser for
 * `key = value` files and `--set key=value` overrides, and validation. */
#ifndef MMULAB_CONFIG_H
#define MMULAB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { REPL_LRU = 0, REPL_PLRU = 1, REPL_RANDOM = 2 };
enum { MEM_FIXED = 0, MEM_DRAM = 1, MEM_CACHE = 2 };

typedef struct mmu_config {
#define PARAM(key, rtl, def, lo, hi, kind, doc) int64_t key;
#include "params.def"
#undef PARAM
} mmu_config_t;

/* Metadata of one parameter, for help text, docs and the RTL generator. */
typedef struct {
    const char *key;
    const char *rtl_name;
    int64_t def, lo, hi;
    int kind;               /* P_INT, P_POW2, P_BOOL, P_ENUM_REPL, P_ENUM_MEM */
    const char *doc;
    size_t offset;          /* of the field in mmu_config_t */
} config_param_t;

enum { P_INT, P_POW2, P_BOOL, P_ENUM_REPL, P_ENUM_MEM };

extern const config_param_t config_params[];
extern const size_t config_num_params;

#define CONFIG_ERR_LEN 256

void config_defaults(mmu_config_t *cfg);

/* Sets one parameter from text ("16", "0x10", "lru"). On error returns -1 and
 * writes a message naming the key into err (CONFIG_ERR_LEN bytes). */
int config_set(mmu_config_t *cfg, const char *key, const char *value, char *err);

/* Parses "key=value" (as given to --set or a script's `config` line). */
int config_set_assignment(mmu_config_t *cfg, const char *assignment, char *err);

/* Loads a config file of `key = value` lines ('#' starts a comment). Errors
 * name file:line; nothing is applied unless every line is valid. */
int config_load_file(mmu_config_t *cfg, const char *path, char *err);

/* Cross-parameter checks (e.g. plru needs power-of-two ways). */
int config_validate(const mmu_config_t *cfg, char *err);

/* True for the parameters of the memory behind the walker's port (mem_*, dram_*, cache_*): the
 * harness serves the RTL's memory port with model/memlat.c, so they are not RTL parameters and
 * every RTL build runs with any value of them (sim/rtl/rtl_mmu.c, sim/tlm/mmu_tlm_rtl.cpp). */
bool config_harness_only(const char *key);

const config_param_t *config_find(const char *key);
int64_t config_get(const mmu_config_t *cfg, const config_param_t *p);

/* Text of an enum parameter's value, or NULL for non-enum parameters. */
const char *config_enum_name(int kind, int64_t value);

#endif
