/* One MMU instance with the physical memory it runs on: the single owner of the
 * physmem + backend life cycle. The script interpreter, the workloads and the random
 * stimulus each hold one (the OS layer will hold one per CPU over a shared memory).
 *
 * Contract: the memory is created first (the driver builds page tables in it before the
 * backend exists, e.g. the workloads), the backend over it second, and they are released
 * in the opposite order (a cosim backend stops tracking the memory's backdoor writes when
 * it is destroyed, so the memory must outlive it). */
#ifndef MMULAB_MACHINE_H
#define MMULAB_MACHINE_H

#include "backend.h"
#include "physmem.h"

typedef struct {
    physmem_t *mem;
    backend_t *be;               /* NULL until machine_start / machine_adopt */
} machine_t;

/* The memory: maxphyaddr bits, the frame allocator over [frame_base, frame_limit).
 * Returns 0, or -1 with a message in err (CONFIG_ERR_LEN bytes). */
int machine_init(machine_t *m, unsigned maxphyaddr, paddr_t frame_base, paddr_t frame_limit, char *err);
/* The backend over m->mem (backend_create_opts). Returns 0, or -1 with a message in err. */
int machine_start(machine_t *m, backend_kind_t kind, const mmu_config_t *cfg, const backend_opts_t *opts, char *err);
/* A backend made elsewhere over m->mem (e.g. a test's fault-injecting wrapper); m owns it from now. */
void machine_adopt(machine_t *m, backend_t *be);
/* Destroys the backend, then the memory; the fields become NULL. Safe on a zeroed machine_t. */
void machine_release(machine_t *m);

#endif
