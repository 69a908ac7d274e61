/* Support of the RTL directed tests (rtltest.h). */
#include "rtltest.h"

#include "compare.h"

#include "rtl_shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rt_t *live;   /* the instance a failed test left behind */

rt_t *rt_new(void)
{
    return rt_new_with(NULL);
}

rt_t *rt_new_with(const char *const *harness_overrides)
{
    rt_t *t = calloc(1, sizeof *t);
    assert_non_null(t);
    config_defaults(&t->cfg);
    for (size_t i = 0; i < config_num_params; i++) {
        int64_t v;
        assert_true(rtl_sim_param(config_params[i].rtl_name, &v));
        *(int64_t *)((char *)&t->cfg + config_params[i].offset) = v;
    }
    char err[CONFIG_ERR_LEN];
    for (size_t i = 0; harness_overrides && harness_overrides[i]; i++)
        if (config_set_assignment(&t->cfg, harness_overrides[i], err) != 0)
            fail_msg("%s", err);
    for (int s = 0; s < 2; s++) {
        t->mem[s] = physmem_create((unsigned)t->cfg.maxphyaddr);
        assert_non_null(t->mem[s]);
        physmem_set_frame_range(t->mem[s], RT_FRAMES_BASE, RT_FRAMES_LIMIT);
    }
    t->model = mmu_create(&t->cfg, t->mem[0], err);
    if (!t->model)
        fail_msg("model: %s", err);
    t->rtl = rtl_mmu_create(&t->cfg, t->mem[1], err);
    if (!t->rtl)
        fail_msg("rtl: %s", err);
    t->mode = PAGING_OFF;
    live = t;
    return t;
}

void rt_free(rt_t *t)
{
    if (!t)
        return;
    mmu_destroy(t->model);
    rtl_mmu_destroy(t->rtl);
    physmem_destroy(t->mem[0]);
    physmem_destroy(t->mem[1]);
    free(t);
    if (live == t)
        live = NULL;
}

int rt_teardown(void **state)
{
    (void)state;
    rt_free(live);
    return 0;
}

unsigned rt_L1(const rt_t *t) { return (unsigned)t->cfg.l1_latency; }
unsigned rt_L2(const rt_t *t) { return t->cfg.l2tlb ? (unsigned)t->cfg.l2_latency : 0; }
unsigned rt_O(const rt_t *t) { return (unsigned)t->cfg.walk_overhead; }
unsigned rt_C(const rt_t *t) { return (unsigned)t->cfg.ctrl_latency; }
unsigned rt_M(const rt_t *t) { return (unsigned)t->cfg.mem_latency; }

unsigned rt_P(const rt_t *t, paging_mode_t mode)
{
    int64_t n = t->cfg.pwc_pd_entries;
    if (mode >= PAGING_4LEVEL)
        n += t->cfg.pwc_pdpt_entries + t->cfg.pwc_pml4_entries;
    if (mode == PAGING_5LEVEL)
        n += t->cfg.pwc_pml5_entries;
    return n ? (unsigned)t->cfg.pwc_latency : 0;
}

static void geometry(const rt_t *t, tlb_id_t id, int64_t sets[NUM_PSC], int64_t ways[NUM_PSC])
{
    const mmu_config_t *c = &t->cfg;
    int64_t s[3][NUM_PSC] = { { c->itlb_4k_sets, c->itlb_2m_sets, c->itlb_1g_sets },
                              { c->dtlb_4k_sets, c->dtlb_2m_sets, c->dtlb_1g_sets },
                              { c->l2_4k_sets, c->l2_2m_sets, c->l2_1g_sets } };
    int64_t w[3][NUM_PSC] = { { c->itlb_4k_ways, c->itlb_2m_ways, c->itlb_1g_ways },
                              { c->dtlb_4k_ways, c->dtlb_2m_ways, c->dtlb_1g_ways },
                              { c->l2_4k_ways, c->l2_2m_ways, c->l2_1g_ways } };
    bool present = id == TLB_DTLB || (id == TLB_ITLB && c->ports == 2) || (id == TLB_L2 && c->l2tlb);
    for (int k = 0; k < NUM_PSC; k++) {
        sets[k] = s[id][k];
        ways[k] = present ? w[id][k] : 0;
    }
}

bool rt_has_class(const rt_t *t, tlb_id_t id, page_class_t cls)
{
    int64_t sets[NUM_PSC], ways[NUM_PSC];
    geometry(t, id, sets, ways);
    return ways[cls] > 0;
}

unsigned rt_S(const rt_t *t)
{
    unsigned s = 1;
    for (int id = 0; id < NUM_TLBS; id++) {
        int64_t sets[NUM_PSC], ways[NUM_PSC];
        geometry(t, (tlb_id_t)id, sets, ways);
        for (int k = 0; k < NUM_PSC; k++)
            if (ways[k] > 0 && sets[k] > (int64_t)s)
                s = (unsigned)sets[k];
    }
    return s;
}

/* --- page tables (built identically in both memories) ------------------------------ */

void rt_tables(rt_t *t, paging_mode_t mode)
{
    for (int s = 0; s < 2; s++)
        assert_int_equal(ptb_init(&t->pt[s], t->mem[s], mode), 0);
    assert_int_equal(t->pt[0].root, t->pt[1].root);
    t->mode = mode;
}

void rt_map_tf(rt_t *t, vaddr_t va, paddr_t pa, unsigned shift, uint64_t leaf_flags, uint64_t table_flags)
{
    for (int s = 0; s < 2; s++)
        assert_int_equal(ptb_map(&t->pt[s], va, pa, shift, leaf_flags, table_flags), 0);
}

void rt_map(rt_t *t, vaddr_t va, paddr_t pa, unsigned shift, uint64_t leaf_flags)
{
    rt_map_tf(t, va, pa, shift, leaf_flags, PTB_TABLE_FLAGS);
}

uint64_t rt_entry(rt_t *t, vaddr_t va, int level)
{
    paddr_t pa = ptb_entry_addr(&t->pt[1], va, level);
    assert_true(pa != 0);
    return ptb_read_entry(&t->pt[1], pa);
}

void rt_entry_write(rt_t *t, vaddr_t va, int level, uint64_t v)
{
    for (int s = 0; s < 2; s++) {
        paddr_t pa = ptb_entry_addr(&t->pt[s], va, level);
        assert_true(pa != 0);
        ptb_write_entry(&t->pt[s], pa, v);
    }
}

void rt_poke64(rt_t *t, paddr_t pa, uint64_t v)
{
    physmem_poke64(t->mem[0], pa, v);
    physmem_poke64(t->mem[1], pa, v);
}

/* --- comparison with the model --------------------------------------------------------- */

/* The shared field list of sim/core/compare.h decides what must agree; a difference
 * is printed and counted, and rt_expect_model_agrees fails on any. */
static void differ(rt_t *t, const char *what, const char *field)
{
    if (!field)
        return;
    print_message("model/rtl differ (%s): %s\n", what, field);
    t->model_mismatches++;
}

static void compare_arch(rt_t *t, const char *what)
{
    mmu_arch_t ma, ra;
    mmu_arch_state(t->model, &ma);
    rtl_mmu_arch_state(t->rtl, &ra);
    differ(t, what, arch_diff(&ma, &ra));
    assert_int_equal(mmu_horizon(t->model), rtl_mmu_horizon(t->rtl));
}

static void compare_memory(rt_t *t)
{
    paddr_t where;
    if (!physmem_diff(t->mem[0], t->mem[1], &where))
        return;
    print_message("memory differs at %#llx: model %#llx rtl %#llx\n", (unsigned long long)where,
                  (unsigned long long)physmem_peek64(t->mem[0], where & ~7ull),
                  (unsigned long long)physmem_peek64(t->mem[1], where & ~7ull));
    t->model_mismatches++;
}

void rt_expect_model_agrees(rt_t *t)
{
    compare_memory(t);
    assert_int_equal(t->model_mismatches, 0);
}

/* --- operations -------------------------------------------------------------------------- */

mmu_ctrl_result_t rt_ctrl_full(rt_t *t, const mmu_ctrl_t *op)
{
    mmu_ctrl_result_t mr, rr;
    mmu_ctrl_t o = *op;
    o.issue_cycle = rtl_mmu_horizon(t->rtl);
    assert_int_equal(mmu_control(t->model, &o, &mr), 0);
    assert_int_equal(rtl_mmu_control(t->rtl, &o, &rr), 0);
    char what[64];
    snprintf(what, sizeof what, "control kind %d value %#llx", (int)op->kind, (unsigned long long)op->value);
    differ(t, what, ctrl_result_diff(&mr, &rr));
    compare_arch(t, what);
    return rr;
}

mmu_ctrl_result_t rt_ctrl(rt_t *t, mmu_ctrl_kind_t kind, uint64_t value)
{
    mmu_ctrl_t op = { .kind = kind, .value = value };
    return rt_ctrl_full(t, &op);
}

void rt_ctrl_ok(rt_t *t, mmu_ctrl_kind_t kind, uint64_t value)
{
    mmu_ctrl_result_t r = rt_ctrl(t, kind, value);
    if (r.fault != FAULT_NONE)
        fail_msg("control kind %d value %#llx: #GP", (int)kind, (unsigned long long)value);
}

mmu_ctrl_result_t rt_invlpg(rt_t *t, vaddr_t va)
{
    mmu_ctrl_t op = { .kind = CTRL_INVLPG, .va = va };
    return rt_ctrl_full(t, &op);
}

mmu_ctrl_result_t rt_invpcid(rt_t *t, unsigned type, uint64_t pcid, vaddr_t va)
{
    mmu_ctrl_t op = { .kind = CTRL_INVPCID, .invpcid_type = type, .pcid = pcid, .va = va };
    return rt_ctrl_full(t, &op);
}

void rt_enter_cr3(rt_t *t, paging_mode_t mode, uint64_t cr3, uint64_t cr0x, uint64_t cr4x, uint64_t eferx)
{
    uint64_t cr4 = (cr4x & ~CR4_PCIDE) | (mode >= PAGING_PAE ? CR4_PAE : 0) |
                   (mode == PAGING_5LEVEL ? CR4_LA57 : 0);
    rt_ctrl_ok(t, CTRL_CR4, cr4);
    rt_ctrl_ok(t, CTRL_EFER, eferx | (mode >= PAGING_4LEVEL ? EFER_LME : 0));
    rt_ctrl_ok(t, CTRL_CR3, cr3);
    rt_ctrl_ok(t, CTRL_CR0, CR0_PE | CR0_PG | cr0x);
    if (cr4x & CR4_PCIDE)
        rt_ctrl_ok(t, CTRL_CR4, cr4 | CR4_PCIDE);
    assert_int_equal(rt_arch(t).mode, mode);
}

void rt_enter(rt_t *t, paging_mode_t mode, uint64_t cr0x, uint64_t cr4x, uint64_t eferx)
{
    rt_enter_cr3(t, mode, ptb_cr3(&t->pt[1]), cr0x, cr4x, eferx);
}

void rt_batch(rt_t *t, const mmu_req_t *reqs, int n, mmu_result_t *out)
{
    mmu_result_t *mres = calloc((size_t)n, sizeof *mres);
    assert_non_null(mres);
    for (int i = 0; i < n; i++) {
        assert_int_equal(mmu_submit(t->model, &reqs[i], &mres[i]), 0);
        assert_int_equal(rtl_mmu_submit(t->rtl, &reqs[i], &out[i]), 0);
    }
    mmu_sync(t->model);
    rtl_mmu_sync(t->rtl);
    for (int i = 0; i < n; i++) {
        char what[64];
        snprintf(what, sizeof what, "request %d va %#llx", i, (unsigned long long)reqs[i].va);
        differ(t, what, result_diff(&mres[i], &out[i]));
    }
    free(mres);
    compare_arch(t, "after a batch");
}

mmu_result_t rt_access(rt_t *t, vaddr_t va, mmu_access_t acc, unsigned cpl, bool ac, bool implicit)
{
    mmu_req_t req = { .va = va, .access = acc, .cpl = (uint8_t)cpl, .ac = ac, .implicit = implicit,
                      .issue_cycle = rtl_mmu_horizon(t->rtl) };
    mmu_result_t r;
    rt_batch(t, &req, 1, &r);
    return r;
}

mmu_result_t rt_rd(rt_t *t, vaddr_t va) { return rt_access(t, va, ACC_READ, 0, false, false); }
mmu_result_t rt_wr(rt_t *t, vaddr_t va) { return rt_access(t, va, ACC_WRITE, 0, false, false); }
mmu_result_t rt_fetch(rt_t *t, vaddr_t va) { return rt_access(t, va, ACC_EXEC, 0, false, false); }
mmu_result_t rt_user(rt_t *t, vaddr_t va, mmu_access_t acc) { return rt_access(t, va, acc, 3, false, false); }

mmu_arch_t rt_arch(rt_t *t)
{
    mmu_arch_t a;
    rtl_mmu_arch_state(t->rtl, &a);
    return a;
}

vaddr_t rt_canon(vaddr_t va, int bits)
{
    return (vaddr_t)((int64_t)(va << (64 - bits)) >> (64 - bits));
}
