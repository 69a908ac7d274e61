/* The shadow reference of the random stimulus: the architecture of sim/ref/refarch.c (shared
 * with libmmulab's permissive checker, one implementation) applied to the generator's own
 * shadow of CR0/CR3/CR4/EFER/PDPTEs and to the tables in the backend's memory.
 *
 * Like refarch.c it shares no code with model/: it is the independent second implementation
 * the model and the RTL are checked against (refarch.h says why). */
#include "stimgen_int.h"

_Static_assert((int)COV_F_NONE == (int)REF_F_NONE && (int)COV_F_NP == (int)REF_F_NP &&
                   (int)COV_F_RSVD == (int)REF_F_RSVD && (int)COV_F_RIGHTS == (int)REF_F_RIGHTS &&
                   (int)COV_F_GP == (int)REF_F_GP,
               "the shadow's outcome classes are the coverage's fault bins");

void sg_cpu_arch(const sg_t *g, mmu_arch_t *a)
{
    memset(a, 0, sizeof *a);
    a->cr0 = g->cpu.cr0;
    a->cr3 = g->cpu.cr3;
    a->cr4 = g->cpu.cr4;
    a->efer = g->cpu.efer;
    a->pkru = g->cpu.pkru;
    a->pkrs = g->cpu.pkrs;
    memcpy(a->pdpte, g->cpu.pdpte, sizeof a->pdpte);
    a->mode = ref_cpu_mode(&g->cpu);
    a->pcid = ref_cpu_pcid(&g->cpu);
}

static uint64_t read_backend_mem(void *ctx, paddr_t pa, unsigned size)
{
    return sg_mem_entry(ctx, pa, size);
}

/* docs/semantics.md sections 1-4 for the current shadow state, tables read from memory. */
void sg_shadow_translate(const sg_t *g, const mmu_req_t *r, pred_t *out)
{
    ref_translate(&g->cpu, g->M, r, read_backend_mem, (void *)g, out);
}

/* docs/semantics.md sections 7-8: applies the operation to the shadow when it succeeds. */
mmu_fault_t sg_shadow_ctrl(sg_t *g, const mmu_ctrl_t *op, tflush_t *fl, uint16_t *fl_pcid)
{
    return ref_ctrl(&g->cpu, g->M, op, read_backend_mem, g, fl, fl_pcid);
}
