// The thin C++ shim over the Verilated mmu_top (see rtl_shim.h). No logic here:
// pins in, pins out, clock edges. RTL_PARAMS_H names the header generated from
// the -G flags the model was Verilated with.
#include "rtl_shim.h"

#include <cstring>
#include <memory>

#include "Vmmu_top.h"
#include "verilated.h"
#ifdef RTL_TRACE
#include "verilated_fst_c.h"
#endif
#ifdef RTL_COVERAGE
#include "verilated_cov.h"
#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#endif
#include RTL_PARAMS_H

struct rtl_sim {
    std::unique_ptr<VerilatedContext> ctx;
    std::unique_ptr<Vmmu_top> top;
#ifdef RTL_TRACE
    std::unique_ptr<VerilatedFstC> fst;
#endif
    uint64_t time = 0;
};

static void dump(rtl_sim_t *s)
{
#ifdef RTL_TRACE
    if (s->fst)
        s->fst->dump(s->time);
#endif
    s->time++;
}

extern "C" rtl_sim_t *rtl_sim_create(void)
{
    rtl_sim_t *s = new rtl_sim;
    s->ctx.reset(new VerilatedContext);
#ifdef RTL_TRACE
    s->ctx->traceEverOn(true);   // before the model: a trace may be opened at any cycle
#endif
    s->top.reset(new Vmmu_top(s->ctx.get(), "mmu"));
    return s;
}

extern "C" void rtl_sim_destroy(rtl_sim_t *s)
{
    if (!s)
        return;
#ifdef RTL_TRACE
    if (s->fst)
        s->fst->close();
#endif
    s->top->final();
#ifdef RTL_COVERAGE
    // coverage builds (mk/cosim.mk): one .dat per simulation, merged by verilator_coverage
    static unsigned n;
    const char *dir = std::getenv("MMULAB_RTL_COVERAGE_DIR");
    char path[4096];
    std::snprintf(path, sizeof path, "%s/cov.%ld.%u.dat", dir && *dir ? dir : ".", (long)getpid(), n++);
    s->ctx->coveragep()->write(path);
#endif
    delete s;
}

extern "C" void rtl_sim_reset(rtl_sim_t *s)
{
    Vmmu_top *t = s->top.get();
    rtl_in_t idle;
    std::memset(&idle, 0, sizeof idle);
    for (int i = 0; i < 2; i++) {
        t->rst_i = 1;
        rtl_sim_eval(s, &idle);
        rtl_sim_clock(s);
    }
    t->rst_i = 0;
}

extern "C" void rtl_sim_eval(rtl_sim_t *s, const rtl_in_t *in)
{
    Vmmu_top *t = s->top.get();
    t->clk_i = 0;
    t->d_req_valid_i = in->req[0].valid;
    t->d_req_va_i = in->req[0].va;
    t->d_req_access_i = in->req[0].access;
    t->d_req_cpl_i = in->req[0].cpl;
    t->d_req_ac_i = in->req[0].ac;
    t->d_req_implicit_i = in->req[0].implicit;
    t->i_req_valid_i = in->req[1].valid;
    t->i_req_va_i = in->req[1].va;
    t->i_req_access_i = in->req[1].access;
    t->i_req_cpl_i = in->req[1].cpl;
    t->i_req_ac_i = in->req[1].ac;
    t->i_req_implicit_i = in->req[1].implicit;
    t->ctrl_req_valid_i = in->ctrl_valid;
    t->ctrl_req_kind_i = in->ctrl_kind;
    t->ctrl_req_value_i = in->ctrl_value;
    t->ctrl_req_va_i = in->ctrl_va;
    t->ctrl_req_invpcid_type_i = in->ctrl_invpcid_type;
    t->ctrl_req_pcid_i = in->ctrl_pcid;
    t->mem_req_ready_i = in->mem_req_ready;
    t->mem_resp_valid_i = in->mem_resp_valid;
    t->mem_resp_rdata_i = in->mem_resp_rdata;
    t->eval();
    dump(s);
}

// A response's fields and a memory request's fields are read only with their valid
// (else zero): nothing looks at them otherwise, and this is once per simulated cycle.
#define RESP(o, p)                                         \
    do {                                                   \
        (o).valid = t->p##_resp_valid_o;                   \
        if (!(o).valid) {                                  \
            (o) = rtl_resp_pins_t{};                       \
            break;                                         \
        }                                                  \
        (o).pa = t->p##_resp_pa_o;                         \
        (o).cr2 = t->p##_resp_cr2_o;                       \
        (o).fault = t->p##_resp_fault_o;                   \
        (o).error_code = t->p##_resp_error_code_o;         \
        (o).tlb_hit = t->p##_resp_tlb_hit_o;               \
        (o).pwc_hit = t->p##_resp_pwc_hit_o;               \
        (o).page_shift = t->p##_resp_page_shift_o;         \
        (o).mem_reads = t->p##_resp_mem_reads_o;           \
        (o).mem_writes = t->p##_resp_mem_writes_o;         \
        (o).walked = t->p##_resp_walked_o;                 \
        (o).dirty_assist = t->p##_resp_dirty_assist_o;     \
    } while (0)

extern "C" void rtl_sim_outputs(const rtl_sim_t *s, rtl_out_t *out)
{
    const Vmmu_top *t = s->top.get();
    out->req_ready[0] = t->d_req_ready_o;
    out->req_ready[1] = t->i_req_ready_o;
    RESP(out->resp[0], d);
    RESP(out->resp[1], i);
    out->ctrl_ready = t->ctrl_req_ready_o;
    out->ctrl_resp_valid = t->ctrl_resp_valid_o;
    out->ctrl_resp_gp = t->ctrl_resp_gp_o;
    out->ctrl_resp_ud = t->ctrl_resp_ud_o;
    out->mem_req_valid = t->mem_req_valid_o;
    if (out->mem_req_valid) {
        out->mem_req_write = t->mem_req_write_o;
        out->mem_req_addr = t->mem_req_addr_o;
        out->mem_req_wdata = t->mem_req_wdata_o;
        out->mem_req_size = t->mem_req_size_o;
    } else {
        out->mem_req_write = false;
        out->mem_req_addr = out->mem_req_wdata = 0;
        out->mem_req_size = 0;
    }
}

extern "C" void rtl_sim_clock(rtl_sim_t *s)
{
    s->top->clk_i = 1;
    s->top->eval();
    dump(s);
}

extern "C" void rtl_sim_state(const rtl_sim_t *s, rtl_state_t *out)
{
    const Vmmu_top *t = s->top.get();
    out->cr0 = t->cr0_o;
    out->cr2 = t->cr2_o;
    out->cr3 = t->cr3_o;
    out->cr4 = t->cr4_o;
    out->efer = t->efer_o;
    for (int i = 0; i < 4; i++)
        out->pdpte[i] = (uint64_t)t->pdpte_o[2 * i] | ((uint64_t)t->pdpte_o[2 * i + 1] << 32);
    out->mode = t->mode_o;
    out->pcid = t->pcid_o;
    out->pkru = t->pkru_o;
    out->pkrs = t->pkrs_o;
    out->tlb_valid = t->tlb_valid_o;
    out->pwc_valid = t->pwc_valid_o;
}

extern "C" void rtl_sim_perf(const rtl_sim_t *s, rtl_perf_t *out)
{
    const Vmmu_top *t = s->top.get();
    std::memset(out, 0, sizeof *out);
    out->itlb_hits = t->perf_itlb_hits_o;
    out->itlb_misses = t->perf_itlb_misses_o;
    out->dtlb_hits = t->perf_dtlb_hits_o;
    out->dtlb_misses = t->perf_dtlb_misses_o;
    out->l2_hits = t->perf_l2_hits_o;
    out->l2_misses = t->perf_l2_misses_o;
    out->walks = t->perf_walks_o;
    out->walk_cycles = t->perf_walk_cycles_o;
    for (int l = 2; l <= 5; l++)
        out->pwc_hits[l] = t->perf_pwc_hits_o[l - 2];
}

extern "C" int rtl_sim_trace_open(rtl_sim_t *s, const char *path)
{
#ifdef RTL_TRACE
    s->ctx->traceEverOn(true);
    s->fst.reset(new VerilatedFstC);
    s->top->trace(s->fst.get(), 99);
    s->fst->open(path);
    return 0;
#else
    (void)s;
    (void)path;
    return -1;
#endif
}

extern "C" bool rtl_sim_has_trace(void)
{
#ifdef RTL_TRACE
    return true;
#else
    return false;
#endif
}

extern "C" bool rtl_sim_has_assertions(void)
{
#ifdef RTL_ASSERT
    return true;
#else
    return false;
#endif
}

extern "C" bool rtl_sim_param(const char *rtl_name, int64_t *value)
{
    static const struct {
        const char *name;
        int64_t value;
    } params[] = {
#define RTL_PARAM(name, value) { #name, value },
        RTL_PARAM_LIST
#undef RTL_PARAM
    };
    for (const auto &p : params)
        if (!std::strcmp(p.name, rtl_name)) {
            *value = p.value;
            return true;
        }
    return false;
}
