// The RTL backend of mmu_tlm: the Verilated SystemC model of rtl/mmu_top.sv (verilator --sc),
// clocked by an sc_clock of the module's period, its pins driven by one SC_METHOD (the bridge).
//
// Cycle n is [n*T, (n+1)*T). At the rising edge n*T the bridge reads the outputs of cycle n-1
// (signal values before the edge's update), does the handshakes of sim/rtl/rtl_mmu.c (request
// accepted / responded, control accepted / responded, memory request accepted, memory response
// due) and writes the inputs of cycle n; the Verilated model samples the old inputs at that
// edge, since signal writes take effect in the update phase. The memory port is bridged to the
// mem socket: an accepted request becomes a b_transport at (r + 1) * T, r its accept cycle,
// and its response is driven M cycles after r, M from model/memlat.c (as in the C++ harness
// and the model), whatever latency the platform memory annotates. Edges 0-2 hold reset; cycle 2
// is the RTL's cycle 0 (the shell never issues before cycle 2, for either backend).
#include "mmu_tlm.h"

#include <cstring>

#include "Vmmu_top.h"

extern "C" {
#include "config.h"
#include "memlat.h"
#include "result_stats.h"
}
#include RTL_PARAMS_H

using namespace sc_core;

namespace mmulab {
namespace {

// Keys the RTL does not implement: they configure the memory responder (as in rtl_mmu.c).
bool rtl_param(const char *name, int64_t *value)
{
    static const struct {
        const char *name;
        int64_t value;
    } params[] = {
#define RTL_PARAM(n, v) { #n, v },
        RTL_PARAM_LIST
#undef RTL_PARAM
    };
    for (const auto &p : params)
        if (!std::strcmp(p.name, name)) {
            *value = p.value;
            return true;
        }
    return false;
}

void check_params(const mmu_config_t &cfg)
{
    for (size_t i = 0; i < config_num_params; i++) {
        const config_param_t *p = &config_params[i];
        int64_t v = 0;
        if (config_harness_only(p->key))
            continue;
        char msg[CONFIG_ERR_LEN];
        if (!rtl_param(p->rtl_name, &v)) {
            std::snprintf(msg, sizeof msg, "rtl: parameter %s is not in this RTL build", p->rtl_name);
            SC_REPORT_ERROR("mmulab/mmu_tlm", msg);
            return;
        }
        if (v != config_get(&cfg, p)) {
            std::snprintf(msg, sizeof msg, "rtl: %s = %lld in the configuration, but the RTL was built with %lld",
                          p->key, (long long)config_get(&cfg, p), (long long)v);
            SC_REPORT_ERROR("mmulab/mmu_tlm", msg);
        }
    }
}

// Inputs are written by the bridge at the edge and, for a request arriving just after the
// edge of its issue cycle, by the caller's thread (present_now): two writers.
template <class T> using in_sig = sc_signal<T, SC_MANY_WRITERS>;

// The pins of one translation port.
struct port_sigs {
    in_sig<bool> req_valid, ac, implicit;
    in_sig<uint32_t> access, cpl;
    in_sig<uint64_t> va;
    sc_signal<bool> req_ready, resp_valid, walked, dirty_assist;
    sc_signal<uint32_t> fault, error_code, tlb_hit, pwc_hit, page_shift, mem_reads, mem_writes;
    sc_signal<uint64_t> pa, cr2;
};

class rtl_core : public sc_module, public mmu_core {
public:
    SC_HAS_PROCESS(rtl_core);
    rtl_core(sc_module_name name, mmu_tlm &owner, const mmu_config_t &cfg)
        : sc_module(name), clk("clk", owner.clock_period()), top("top"), owner_(owner), cfg_(cfg),
          period_(owner.clock_period().value())
    {
        check_params(cfg);
        if (memlat_init(&memlat_, &cfg) != 0)
            SC_REPORT_ERROR("mmulab/mmu_tlm", "rtl: out of memory for the memory model's caches");
        std::memset(&stats_, 0, sizeof stats_);
        rst.write(true);
        top.clk_i(clk);
        top.rst_i(rst);
#define BIND_PORT(P, s)                                                                                       \
    top.P##_req_valid_i(s.req_valid); top.P##_req_ready_o(s.req_ready); top.P##_req_va_i(s.va);             \
    top.P##_req_access_i(s.access); top.P##_req_cpl_i(s.cpl); top.P##_req_ac_i(s.ac);                        \
    top.P##_req_implicit_i(s.implicit); top.P##_resp_valid_o(s.resp_valid); top.P##_resp_pa_o(s.pa);         \
    top.P##_resp_cr2_o(s.cr2); top.P##_resp_fault_o(s.fault); top.P##_resp_error_code_o(s.error_code);      \
    top.P##_resp_tlb_hit_o(s.tlb_hit); top.P##_resp_pwc_hit_o(s.pwc_hit);                                    \
    top.P##_resp_page_shift_o(s.page_shift); top.P##_resp_walked_o(s.walked);                                \
    top.P##_resp_dirty_assist_o(s.dirty_assist); top.P##_resp_mem_reads_o(s.mem_reads);                      \
    top.P##_resp_mem_writes_o(s.mem_writes)
        BIND_PORT(d, port[0]);
        BIND_PORT(i, port[1]);
#undef BIND_PORT
        top.ctrl_req_valid_i(ctrl_valid);
        top.ctrl_req_ready_o(ctrl_ready);
        top.ctrl_req_kind_i(ctrl_kind);
        top.ctrl_req_value_i(ctrl_value);
        top.ctrl_req_va_i(ctrl_va);
        top.ctrl_req_invpcid_type_i(ctrl_invpcid_type);
        top.ctrl_req_pcid_i(ctrl_pcid);
        top.ctrl_resp_valid_o(ctrl_resp_valid);
        top.ctrl_resp_gp_o(ctrl_resp_gp);
        top.ctrl_resp_ud_o(ctrl_resp_ud);
        top.mem_req_valid_o(mem_req_valid);
        top.mem_req_ready_i(mem_req_ready);
        top.mem_req_addr_o(mem_req_addr);
        top.mem_req_write_o(mem_req_write);
        top.mem_req_size_o(mem_req_size);
        top.mem_req_wdata_o(mem_req_wdata);
        top.mem_resp_valid_i(mem_resp_valid);
        top.mem_resp_rdata_i(mem_resp_rdata);
        top.cr0_o(cr0);
        top.cr2_o(cr2);
        top.cr3_o(cr3);
        top.cr4_o(cr4);
        top.efer_o(efer);
        top.pdpte_o(pdpte);
        top.mode_o(mode);
        top.pcid_o(pcid);
        top.pkru_o(pkru);
        top.pkrs_o(pkrs);
        top.tlb_valid_o(tlb_valid);
        top.pwc_valid_o(pwc_valid);
        top.perf_itlb_hits_o(perf[0]);
        top.perf_itlb_misses_o(perf[1]);
        top.perf_dtlb_hits_o(perf[2]);
        top.perf_dtlb_misses_o(perf[3]);
        top.perf_l2_hits_o(perf[4]);
        top.perf_l2_misses_o(perf[5]);
        top.perf_walks_o(perf[6]);
        top.perf_walk_cycles_o(perf[7]);
        top.perf_pwc_hits_o(perf_pwc);
        SC_METHOD(bridge);
        sensitive << clk.posedge_event();
        dont_initialize();
    }

    void sync(sc_time &delay) override
    {
        if (delay != SC_ZERO_TIME) {
            wait(delay);
            delay = SC_ZERO_TIME;
        }
    }

    void translate(const mmu_req_t &req, mmu_result_t &out) override
    {
        std::memset(&out, 0, sizeof out);
        int p = cfg_.ports == 2 && req.access == ACC_EXEC ? PORT_I : PORT_D;
        out.seq = next_seq_++;
        out.va = req.va;
        out.access = req.access;
        out.cpl = req.cpl;
        out.port = (mmu_port_t)p;
        out.issue_cycle = req.issue_cycle;
        cur_req_ = req;
        cur_out_ = &out;
        cur_port_ = p;
        cur_accepted_ = cur_done_ = false;
        present_now(req.issue_cycle);
        while (!cur_done_)
            wait(done_ev_);
        cur_out_ = nullptr;
        result_stats_translation(&stats_, &cfg_, &out);
    }

    void control(const mmu_ctrl_t &op, mmu_ctrl_result_t &out) override
    {
        std::memset(&out, 0, sizeof out);
        out.issue_cycle = op.issue_cycle;
        ctrl_op_ = op;
        ctrl_active_ = true;
        ctrl_accepted_ = ctrl_done_ = ctrl_counted_ = false;
        ctrl_first_ = last_edge_;
        ctrl_mem_ops_ = 0;
        present_now(op.issue_cycle);
        while (!ctrl_done_)
            wait(done_ev_);
        ctrl_active_ = false;
        wait(SC_ZERO_TIME);   // the invalidation's last TLB compare lands with the response's edge
        if (!ctrl_counted_) {  // done in its first cycle: it invalidated nothing (as rtl_mmu.c)
            ctrl_tlb_before_ = tlb_valid.read();
            ctrl_pwc_before_ = pwc_valid.read();
        }
        out.fault = ctrl_fault_;
        out.accept_cycle = ctrl_accept_;
        out.complete_cycle = ctrl_complete_;
        out.mem_reads = (uint16_t)ctrl_mem_ops_;
        out.tlb_invalidated = ctrl_tlb_before_ - tlb_valid.read();
        out.pwc_invalidated = ctrl_pwc_before_ - pwc_valid.read();
        result_stats_control(&stats_, &out);
    }

    void arch_state(mmu_arch_t &out) const override
    {
        out.cr0 = cr0.read();
        out.cr2 = cr2.read();
        out.cr3 = cr3.read();
        out.cr4 = cr4.read();
        out.efer = efer.read();
        sc_dt::sc_bv<256> b = pdpte.read();
        for (int i = 0; i < 4; i++)
            out.pdpte[i] = b.range(64 * i + 63, 64 * i).to_uint64();
        out.mode = (paging_mode_t)mode.read();
        out.pcid = (uint16_t)pcid.read();
        out.pkru = pkru.read();
        out.pkrs = pkrs.read();
    }
    const mmu_stats_t &stats() const override { return stats_; }
    ~rtl_core() override { memlat_destroy(&memlat_); }
    void clear_stats() override { std::memset(&stats_, 0, sizeof stats_); }
    // as rtl_mmu_data_access in the C++ harness: the same hierarchy as the walker's port
    void data_access(paddr_t pa, bool is_write) override
    {
        memlat_data_access(&memlat_, pa, is_write);
        if (memlat_.model == MEM_CACHE)
            stats_.data_cache_hits[memlat_.last_level]++;
    }
    uint64_t rtl_cycles() const override { return last_edge_ > 2 ? last_edge_ - 2 : 0; }

    sc_clock clk;
    in_sig<bool> rst;
    port_sigs port[2];
    in_sig<bool> ctrl_valid;
    sc_signal<bool> ctrl_ready, ctrl_resp_valid, ctrl_resp_gp, ctrl_resp_ud;
    in_sig<uint32_t> ctrl_kind, ctrl_invpcid_type;
    in_sig<uint64_t> ctrl_value, ctrl_va, ctrl_pcid;
    in_sig<bool> mem_req_ready, mem_resp_valid;
    sc_signal<bool> mem_req_valid, mem_req_write;
    sc_signal<uint32_t> mem_req_size;
    in_sig<uint64_t> mem_resp_rdata;
    sc_signal<uint64_t> mem_req_addr, mem_req_wdata;
    sc_signal<uint64_t> cr0, cr2, cr3, cr4, efer;
    sc_signal<sc_dt::sc_bv<256>> pdpte;
    sc_signal<uint32_t> mode, pcid, pkru, pkrs, tlb_valid, pwc_valid, perf[8];
    sc_signal<sc_dt::sc_bv<128>> perf_pwc;
    Vmmu_top top;

private:
    uint64_t edge_now() const { return sc_time_stamp().value() / period_; }

    // A request arriving at the time of edge n after the bridge processed it, for cycle n:
    // its pins can still change before they are sampled at edge n + 1.
    void present_now(uint64_t issue)
    {
        if (issue < last_edge_)
            SC_REPORT_ERROR("mmulab/mmu_tlm", "rtl: request issued for a cycle already simulated");
        if (issue == last_edge_ && bridge_started_)
            present(last_edge_);
    }

    // The inputs of cycle n (as rtl_mmu.c's step): requests whose issue cycle has come.
    void present(uint64_t n)
    {
        for (int p = 0; p < 2; p++) {
            bool v = cur_out_ && p == cur_port_ && !cur_accepted_ && cur_req_.issue_cycle <= n;
            drove_req_[p] = v;
            port[p].req_valid.write(v);
            if (v) {
                port[p].va.write(cur_req_.va);
                port[p].access.write((uint32_t)cur_req_.access);
                port[p].cpl.write(cur_req_.cpl);
                port[p].ac.write(cur_req_.ac);
                port[p].implicit.write(cur_req_.implicit);
            }
        }
        drove_ctrl_ = ctrl_active_ && !ctrl_accepted_ && ctrl_op_.issue_cycle <= n;
        ctrl_valid.write(drove_ctrl_);
        if (drove_ctrl_) {
            ctrl_kind.write((uint32_t)ctrl_op_.kind);
            ctrl_value.write(ctrl_op_.value);
            ctrl_va.write(ctrl_op_.va);
            ctrl_invpcid_type.write(ctrl_op_.invpcid_type);
            ctrl_pcid.write(ctrl_op_.pcid);
        }
        drove_mem_ready_ = !mem_busy_;
        mem_req_ready.write(drove_mem_ready_);
        bool resp = mem_busy_ && mem_done_ == n;
        mem_resp_valid.write(resp);
        mem_resp_rdata.write(resp ? mem_rdata_ : 0);
    }

    // The outputs of cycle p (read at the edge that ends it).
    void outputs(uint64_t p)
    {
        for (int q = 0; q < 2; q++) {
            port_sigs &s = port[q];
            if (s.resp_valid.read()) {
                if (!cur_out_ || q != cur_port_ || !cur_accepted_)
                    SC_REPORT_ERROR("mmulab/mmu_tlm", "rtl: a response with nothing in flight");
                mmu_result_t &r = *cur_out_;
                r.pa = s.pa.read();
                r.fault = (mmu_fault_t)s.fault.read();
                r.error_code = s.error_code.read();
                r.cr2 = s.cr2.read();
                r.tlb_hit = (tlb_hit_t)s.tlb_hit.read();
                r.pwc_hit = (uint8_t)s.pwc_hit.read();
                r.page_shift = (uint8_t)s.page_shift.read();
                r.walked = s.walked.read();
                r.dirty_assist = s.dirty_assist.read();
                r.mem_reads = (uint16_t)s.mem_reads.read();
                r.mem_writes = (uint16_t)s.mem_writes.read();
                r.complete_cycle = p;
                cur_done_ = true;
                done_ev_.notify(SC_ZERO_TIME);
            }
            if (drove_req_[q] && s.req_ready.read()) {
                cur_accepted_ = true;
                cur_out_->accept_cycle = p;
                stats_.requests++;
                stats_.requests_by_port[q]++;
            }
        }
        if (mem_busy_ && mem_done_ == p)
            mem_busy_ = false;
        if (drove_mem_ready_ && mem_req_valid.read()) {
            mmu_memop_t op;
            std::memset(&op, 0, sizeof op);
            op.issue_cycle = p;
            op.pa = mem_req_addr.read();
            op.is_write = mem_req_write.read();
            op.size = (uint8_t)mem_req_size.read();
            op.value = op.is_write ? (op.size == 4 ? (uint32_t)mem_req_wdata.read() : mem_req_wdata.read()) : 0;
            op.complete_cycle = p + memlat_access(&memlat_, op.pa, op.is_write);
            if (memlat_.model == MEM_CACHE)
                stats_.walk_cache_hits[memlat_.last_level]++;
            uint64_t got = owner_.forward_memop(op);
            mem_busy_ = true;
            mem_done_ = op.complete_cycle;
            mem_rdata_ = op.is_write ? op.value : got;
            if (ctrl_active_)
                ctrl_mem_ops_++;
        }
        if (drove_ctrl_ && ctrl_ready.read()) {
            ctrl_accepted_ = true;
            ctrl_accept_ = p;
        }
        if (ctrl_active_ && ctrl_accepted_ && !ctrl_done_ && ctrl_resp_valid.read()) {
            ctrl_done_ = true;
            ctrl_fault_ = ctrl_resp_ud.read() ? FAULT_UD : ctrl_resp_gp.read() ? FAULT_GP : FAULT_NONE;
            ctrl_complete_ = p;
            done_ev_.notify(SC_ZERO_TIME);
        }
    }

    // A method, not a thread (no context switch per cycle): the memory's b_transport must
    // not wait, which the LT contract already asks.
    void bridge()
    {
        uint64_t n = edge_now();
        last_edge_ = n;
        if (n < 2)
            return;   // reset held (rst initialised to 1)
        if (!bridge_started_) {
            rst.write(false);   // cycle 2 is the RTL's first cycle after reset
            bridge_started_ = true;
        } else {
            // A control operation's invalidated entries count from the end of its first cycle
            // (as rtl_mmu_control): a #PF that completed just before it invalidates its TLB
            // entries with that cycle's edge (docs/timing.md "#PF invalidation"). The values
            // read here are cycle n - 1's, the state after the edge that ended cycle n - 2.
            if (ctrl_active_ && !ctrl_counted_ && !ctrl_done_ && n == ctrl_first_ + 2) {
                ctrl_tlb_before_ = tlb_valid.read();
                ctrl_pwc_before_ = pwc_valid.read();
                ctrl_counted_ = true;
            }
            outputs(n - 1);
        }
        present(n);
    }

    mmu_tlm &owner_;
    mmu_config_t cfg_;
    uint64_t period_;
    memlat_t memlat_;
    mmu_stats_t stats_;
    sc_event done_ev_;
    uint64_t last_edge_ = 0, next_seq_ = 0;
    bool bridge_started_ = false;
    // the translation in the MMU (one at a time)
    mmu_req_t cur_req_{};
    mmu_result_t *cur_out_ = nullptr;
    int cur_port_ = 0;
    bool cur_accepted_ = false, cur_done_ = false;
    bool drove_req_[2] = { false, false };
    // the control operation in the MMU
    mmu_ctrl_t ctrl_op_{};
    bool ctrl_active_ = false, ctrl_accepted_ = false, ctrl_done_ = false, drove_ctrl_ = false;
    mmu_fault_t ctrl_fault_ = FAULT_NONE;
    uint64_t ctrl_accept_ = 0, ctrl_complete_ = 0, ctrl_first_ = 0;
    bool ctrl_counted_ = false;            // the entries before it are sampled (bridge)
    uint32_t ctrl_tlb_before_ = 0, ctrl_pwc_before_ = 0;
    unsigned ctrl_mem_ops_ = 0;
    // the memory port: one operation outstanding
    bool drove_mem_ready_ = false, mem_busy_ = false;
    uint64_t mem_done_ = 0, mem_rdata_ = 0;
};

}   // namespace

std::unique_ptr<mmu_core> make_rtl_core(mmu_tlm &owner, const mmu_config_t &cfg)
{
    return std::unique_ptr<mmu_core>(new rtl_core("rtl", owner, cfg));
}

}   // namespace mmulab
