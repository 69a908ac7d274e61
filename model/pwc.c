/* Paging-structure caches. */
#include "pwc.h"

#include <string.h>

void pwc_init(pwc_t *p, unsigned pd, unsigned pdpt, unsigned pml4, unsigned pml5)
{
    memset(p, 0, sizeof *p);
    p->level[LVL_PD].size = pd;
    p->level[LVL_PDPT].size = pdpt;
    p->level[LVL_PML4].size = pml4;
    p->level[LVL_PML5].size = pml5;
}

void pwc_reset(pwc_t *p)
{
    for (int l = LVL_PD; l <= LVL_PML5; l++) {
        memset(p->level[l].e, 0, sizeof p->level[l].e);
        p->level[l].next = 0;
    }
}

void pwc_fill(pwc_level_t *l, uint64_t key, uint16_t pcid, paddr_t table, unsigned rights)
{
    if (l->size == 0)
        return;
    pwc_entry_t *e = &l->e[l->next];
    e->key = key;
    e->pcid = pcid;
    e->table = table;
    e->rights = (uint8_t)rights;
    l->next = (l->next + 1) % l->size;
}

unsigned pwc_invalidate(pwc_t *p, bool by_pcid, uint16_t pcid)
{
    unsigned dropped = 0;
    for (int lv = LVL_PD; lv <= LVL_PML5; lv++) {
        pwc_level_t *l = &p->level[lv];
        for (unsigned i = 0; i < l->size; i++) {
            if (l->e[i].key && (!by_pcid || l->e[i].pcid == pcid)) {
                l->e[i].key = 0;
                dropped++;
            }
        }
    }
    return dropped;
}

unsigned pwc_invalidate_va(pwc_t *p, uint16_t pcid, const uint64_t keys[MAX_LEVELS + 1])
{
    unsigned dropped = 0;
    for (int lv = LVL_PD; lv <= LVL_PML5; lv++) {
        pwc_level_t *l = &p->level[lv];
        for (unsigned i = 0; i < l->size; i++) {
            if (l->e[i].key && l->e[i].key == keys[lv] && l->e[i].pcid == pcid) {
                l->e[i].key = 0;
                dropped++;
            }
        }
    }
    return dropped;
}
