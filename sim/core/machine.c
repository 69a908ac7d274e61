/* One MMU instance and its memory (machine.h). */
#include "machine.h"

#include <stdio.h>

int machine_init(machine_t *m, unsigned maxphyaddr, paddr_t frame_base, paddr_t frame_limit, char *err)
{
    *m = (machine_t){0};
    if (!(m->mem = physmem_create(maxphyaddr))) {
        snprintf(err, CONFIG_ERR_LEN, "cannot create physical memory (maxphyaddr %u)", maxphyaddr);
        return -1;
    }
    physmem_set_frame_range(m->mem, frame_base, frame_limit);
    return 0;
}

int machine_start(machine_t *m, backend_kind_t kind, const mmu_config_t *cfg, const backend_opts_t *opts, char *err)
{
    m->be = backend_create_opts(kind, cfg, m->mem, opts, err);
    return m->be ? 0 : -1;
}

void machine_adopt(machine_t *m, backend_t *be)
{
    m->be = be;
}

void machine_release(machine_t *m)
{
    if (m->be)
        backend_destroy(m->be);
    if (m->mem)
        physmem_destroy(m->mem);
    *m = (machine_t){0};
}
