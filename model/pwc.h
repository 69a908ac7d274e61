/* Paging-structure caches: one small fully associative, PCID-tagged cache per
 * level, FIFO replacement (docs/semantics.md section 6). */
#ifndef MMULAB_PWC_H
#define MMULAB_PWC_H

#include "types.h"

#include <stddef.h>

#define PWC_MAX_ENTRIES 64

typedef struct {
    uint64_t key;          /* ((va >> level_shift) << 1) | 1, 0 when invalid */
    paddr_t table;         /* base of the next table */
    uint16_t pcid;
    uint8_t rights;        /* combined down to and including this level */
} pwc_entry_t;

typedef struct {
    unsigned size;
    unsigned next;         /* FIFO pointer */
    pwc_entry_t e[PWC_MAX_ENTRIES];
} pwc_level_t;

typedef struct {
    pwc_level_t level[MAX_LEVELS + 1];   /* [LVL_PD .. LVL_PML5] used */
} pwc_t;

void pwc_init(pwc_t *p, unsigned pd, unsigned pdpt, unsigned pml4, unsigned pml5);
void pwc_reset(pwc_t *p);

static inline uint64_t pwc_key(vaddr_t va, unsigned shift)
{
    return ((va >> shift) << 1) | 1;
}

static inline const pwc_entry_t *pwc_find(const pwc_level_t *l, uint64_t key, uint16_t pcid)
{
    for (unsigned i = 0; i < l->size; i++)
        if (l->e[i].key == key && l->e[i].pcid == pcid)
            return &l->e[i];
    return NULL;
}

void pwc_fill(pwc_level_t *l, uint64_t key, uint16_t pcid, paddr_t table, unsigned rights);

/* Invalidate entries: all (by_pcid false) or those of pcid. Returns the count dropped. */
unsigned pwc_invalidate(pwc_t *p, bool by_pcid, uint16_t pcid);
/* Invalidate the entries of pcid that would be used for va (shift per level from the caller). */
unsigned pwc_invalidate_va(pwc_t *p, uint16_t pcid, const uint64_t keys[MAX_LEVELS + 1]);

#endif
