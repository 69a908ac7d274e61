/* libmmulab's model (mmulab.h, mmulab_model_*): mmulab's golden MMU (model/mmu.h) behind the
 * public API's plain C types. One handle owns one mmu_t and its physical memory; translations
 * are issued one at a time at the model's horizon, so the completion cycle is the model's
 * latency for that request (docs/timing.md). */
#include "ref_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

struct mmulab_model {
    mmu_config_t cfg;
    physmem_t *mem;
    mmu_t *mmu;
    uint64_t frame_base, frame_limit;
};

static void put_err(char *err, size_t len, const char *msg)
{
    if (err && len)
        snprintf(err, len, "%s", msg);
}

/* Applies "k=v, k=v ..." to cfg; -1 with the message in err on the first bad one. */
static int apply_settings(mmu_config_t *cfg, const char *settings, char *err, size_t err_len)
{
    char msg[CONFIG_ERR_LEN];
    if (!settings)
        return 0;
    size_t n = strlen(settings);
    char *copy = malloc(n + 1);
    if (!copy) {
        put_err(err, err_len, "out of memory");
        return -1;
    }
    memcpy(copy, settings, n + 1);
    int rc = 0;
    for (char *save = NULL, *tok = strtok_r(copy, ", \t\n", &save); tok; tok = strtok_r(NULL, ", \t\n", &save)) {
        if (config_set_assignment(cfg, tok, msg)) {
            put_err(err, err_len, msg);
            rc = -1;
            break;
        }
    }
    free(copy);
    return rc;
}

mmulab_model_t *mmulab_model_create(const char *settings, char *err, size_t err_len)
{
    char msg[CONFIG_ERR_LEN];
    mmulab_model_t *m = calloc(1, sizeof *m);
    if (!m) {
        put_err(err, err_len, "out of memory");
        return NULL;
    }
    config_defaults(&m->cfg);
    if (apply_settings(&m->cfg, settings, err, err_len))
        goto fail;
    if (config_validate(&m->cfg, msg)) {
        put_err(err, err_len, msg);
        goto fail;
    }
    m->mem = physmem_create(m->cfg.maxphyaddr);
    if (!m->mem) {
        put_err(err, err_len, "out of memory");
        goto fail;
    }
    physmem_track_backdoor(m->mem, true);
    m->mmu = mmu_create(&m->cfg, m->mem, msg);
    if (!m->mmu) {
        put_err(err, err_len, msg);
        goto fail;
    }
    return m;
fail:
    physmem_destroy(m->mem);
    free(m);
    return NULL;
}

void mmulab_model_destroy(mmulab_model_t *m)
{
    if (!m)
        return;
    mmu_destroy(m->mmu);
    physmem_destroy(m->mem);
    free(m);
}

int mmulab_model_reset(mmulab_model_t *m)
{
    if (!m)
        return MMULAB_E_ARG;
    mmu_reset(m->mmu);
    return MMULAB_OK;
}

static int check_model_pa(const mmulab_model_t *m, uint64_t pa, unsigned size)
{
    if ((size != 4 && size != 8) || (pa & (size - 1)))
        return MMULAB_E_ARG;
    return (pa >> m->cfg.maxphyaddr) ? MMULAB_E_RANGE : MMULAB_OK;
}

int mmulab_model_mem_write(mmulab_model_t *m, uint64_t pa, uint64_t value, unsigned size)
{
    if (!m)
        return MMULAB_E_ARG;
    int rc = check_model_pa(m, pa, size);
    if (rc)
        return rc;
    if (size == 8)
        physmem_poke64(m->mem, pa, value);
    else
        physmem_poke32(m->mem, pa, (uint32_t)value);
    return MMULAB_OK;
}

int mmulab_model_mem_read(mmulab_model_t *m, uint64_t pa, unsigned size, uint64_t *value)
{
    if (!m || !value)
        return MMULAB_E_ARG;
    int rc = check_model_pa(m, pa, size);
    if (rc)
        return rc;
    *value = ref_read_mem(m->mem, pa, size);
    return MMULAB_OK;
}

int mmulab_model_translate(mmulab_model_t *m, const mmulab_access_t *a, mmulab_result_t *res, uint64_t *latency)
{
    if (!m || !a || !res || a->access < MMULAB_READ || a->access > MMULAB_EXEC || a->cpl > 3)
        return MMULAB_E_ARG;
    mmu_req_t q = {.va = a->va, .access = (mmu_access_t)a->access, .cpl = (uint8_t)a->cpl, .ac = a->ac,
                   .implicit = a->implicit, .issue_cycle = mmu_horizon(m->mmu)};
    mmu_result_t r;
    if (mmu_translate(m->mmu, &q, &r))
        return MMULAB_E_ARG;
    memset(res, 0, sizeof *res);
    res->fault = r.fault == FAULT_NONE ? MMULAB_FAULT_NONE : r.fault == FAULT_PF ? MMULAB_FAULT_PF : MMULAB_FAULT_GP;
    res->error_code = r.fault == FAULT_PF ? r.error_code : 0;
    res->pa = r.fault == FAULT_NONE ? r.pa : 0;
    res->page_shift = r.page_shift;
    if (latency)
        *latency = r.complete_cycle - q.issue_cycle;
    return MMULAB_OK;
}

static int model_ctrl(mmulab_model_t *m, const mmu_ctrl_t *op0)
{
    mmu_ctrl_t op = *op0;
    op.issue_cycle = mmu_horizon(m->mmu);
    mmu_ctrl_result_t r;
    if (mmu_control(m->mmu, &op, &r))
        return MMULAB_E_ARG;
    return r.fault == FAULT_GP ? MMULAB_E_GP : r.fault == FAULT_UD ? MMULAB_E_UD : MMULAB_OK;
}

int mmulab_model_write_reg(mmulab_model_t *m, int reg, uint64_t value)
{
    static const mmu_ctrl_kind_t kinds[] = {CTRL_CR0, CTRL_CR3, CTRL_CR4, CTRL_EFER, CTRL_WRPKRU, CTRL_WRPKRS};
    if (!m || reg < MMULAB_CR0 || reg > MMULAB_PKRS)
        return MMULAB_E_ARG;
    mmu_ctrl_t op = {.kind = kinds[reg], .value = value};
    return model_ctrl(m, &op);
}

int mmulab_model_read_reg(mmulab_model_t *m, int reg, uint64_t *value)
{
    if (!m || !value)
        return MMULAB_E_ARG;
    mmu_arch_t a;
    mmu_arch_state(m->mmu, &a);
    switch (reg) {
    case MMULAB_CR0: *value = a.cr0; return MMULAB_OK;
    case MMULAB_CR3: *value = a.cr3; return MMULAB_OK;
    case MMULAB_CR4: *value = a.cr4; return MMULAB_OK;
    case MMULAB_EFER: *value = a.efer; return MMULAB_OK;
    case MMULAB_PKRU: *value = a.pkru; return MMULAB_OK;
    case MMULAB_PKRS: *value = a.pkrs; return MMULAB_OK;
    default: return MMULAB_E_ARG;
    }
}

int mmulab_model_invlpg(mmulab_model_t *m, uint64_t va)
{
    if (!m)
        return MMULAB_E_ARG;
    mmu_ctrl_t op = {.kind = CTRL_INVLPG, .va = va};
    return model_ctrl(m, &op);
}

int mmulab_model_invpcid(mmulab_model_t *m, unsigned type, uint64_t pcid, uint64_t va)
{
    if (!m)
        return MMULAB_E_ARG;
    mmu_ctrl_t op = {.kind = CTRL_INVPCID, .invpcid_type = type, .pcid = pcid, .va = va};
    return model_ctrl(m, &op);
}

mmulab_pt_t *mmulab_model_pt_create(mmulab_model_t *m, int mode, uint64_t frame_base, uint64_t frame_limit)
{
    if (!m)
        return NULL;
    return ref_pt_create(m->mem, &m->frame_base, &m->frame_limit, NULL, mode, frame_base, frame_limit);
}
