// mmulab's MMU as a SystemC TLM-2.0 translation unit (docs/systemc.md), dropped between a
// CPU model and memory like an SMMU model:
//
//   CPU --b_transport(VA)--> [cpu socket]  mmu_tlm  [mem socket] --b_transport(PA)--> memory
//                                             |  walker reads, A/D writes, PDPTE loads also go
//                                             |  out of the mem socket, as ordinary transactions
//                       backend: the C model (model/mmu.h) or the Verilated RTL (verilator --sc),
//                       chosen by one constructor argument; both give identical results.
//
// Flow of a b_transport: the request time (sc_time_stamp() + delay) is rounded up to a clock
// edge, issued no earlier than the MMU's horizon (timing.md), translated by the backend, and
// the translated access is forwarded to memory at the completion time. A fault completes with
// TLM_ADDRESS_ERROR_RESPONSE. Every timed value is a multiple of the clock period:
//   issue cycle t = max(ceil(t_req / T), horizon); completion time = (c + 1) * T,
// c the response cycle of docs/timing.md (the edge that ends cycle c registers the response).
// The model backend annotates delay (pure LT); the RTL backend waits for its clock and returns
// the rest in delay, so sc_time_stamp() + delay after the call is the same for both.
//
// Contracts: call b_transport / control from SC_THREADs (the RTL backend waits); one
// transaction at a time is in the MMU (concurrent callers are serialised in call order);
// the memory must not wait() inside b_transport for the walker's transactions (LT); the
// model backend walks `backing`, which must be the memory behind the mem socket (each
// forwarded read is checked against it; a difference is an SC_REPORT_ERROR).
#ifndef MMULAB_MMU_TLM_H
#define MMULAB_MMU_TLM_H

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <memory>
#include <vector>

extern "C" {   // the model's headers are C
#include "mmu.h"
}
#include "tlm_dbgwalk.h"

namespace mmulab {

enum class mmu_backend { model, rtl };

// Parses "model" | "rtl" (a CCI-style string parameter); false for anything else.
bool parse_backend(const char *name, mmu_backend *out);
const char *backend_name(mmu_backend b);

// The generic-payload extension of a CPU-side transaction. Without it, the access is a read
// or a write by the command, at CPL 0, and nothing is returned but the response status.
struct mmu_ext : tlm::tlm_extension<mmu_ext> {
    // request, set by the initiator
    mmu_access_t access = ACC_READ;   // ACC_EXEC = instruction fetch (a read command)
    uint8_t cpl = 0;                  // 0..3
    bool ac = false;                  // EFLAGS.AC
    bool implicit = false;            // implicit supervisor access
    // response, set by the MMU: fault, error_code (#PF), cr2, pa, tlb_hit, pwc_hit,
    // page_shift, walked, mem_reads/writes, and the issue/accept/complete cycles
    mmu_result_t result{};
    bool debug = false;               // result of transport_dbg: only fault/error_code/pa/page_shift

    tlm::tlm_extension_base *clone() const override { return new mmu_ext(*this); }
    void copy_from(const tlm::tlm_extension_base &other) override
    {
        *this = static_cast<const mmu_ext &>(other);
    }
};

// What a backend does; mmu_tlm holds one (model: mmu_tlm.cpp, RTL: mmu_tlm_rtl.cpp).
class mmu_tlm;
struct mmu_core {
    virtual ~mmu_core() = default;
    // Synchronise the caller with the backend's clock: the RTL waits out delay (then 0).
    virtual void sync(sc_core::sc_time &delay) = 0;
    virtual void translate(const mmu_req_t &req, mmu_result_t &out) = 0;
    virtual void control(const mmu_ctrl_t &op, mmu_ctrl_result_t &out) = 0;
    virtual void arch_state(mmu_arch_t &out) const = 0;
    virtual const mmu_stats_t &stats() const = 0;
    virtual void clear_stats() = 0;
    // one data access of the workload into the walker's memory hierarchy (mem_model=cache)
    virtual void data_access(paddr_t pa, bool is_write) = 0;
    virtual uint64_t rtl_cycles() const { return 0; }   // clock cycles the RTL simulated
    virtual void attach(physmem_t *) {}                 // the model's memory, if set late
};

// One DMI region granted upstream: [va_start, va_end] within one page, for one context.
struct dmi_grant {
    uint64_t va_start, va_end, pa_start;
    uint16_t pcid;
    bool global;
};

class mmu_tlm : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<mmu_tlm> cpu;      // VA side
    tlm_utils::simple_initiator_socket<mmu_tlm> mem;   // PA side

    // cfg must pass config_validate (the RTL backend also needs the configuration it was
    // Verilated with, memory-model keys excepted); an error is an SC_REPORT_ERROR.
    // backing: the model backend's view of the memory behind `mem` (unused by the RTL); may be
    // NULL, then set_backing must be called before the first transaction.
    mmu_tlm(sc_core::sc_module_name name, const mmu_config_t &cfg, mmu_backend backend,
            const sc_core::sc_time &clock_period, physmem_t *backing);
    ~mmu_tlm() override;

    // Control interface (serialising, as the MMU's control port): CR0/CR3/CR4/EFER writes,
    // INVLPG, INVPCID, WRPKRU, WRMSR IA32_PKRS. op.issue_cycle is ignored (taken from the time,
    // as for b_transport).
    // LT like b_transport: delay in, delay out. DMI regions it makes stale are invalidated.
    mmu_ctrl_result_t control(const mmu_ctrl_t &op, sc_core::sc_time &delay);
    mmu_ctrl_result_t write_cr(mmu_ctrl_kind_t kind, uint64_t value, sc_core::sc_time &delay);
    mmu_ctrl_result_t invlpg(uint64_t va, sc_core::sc_time &delay);
    mmu_ctrl_result_t invpcid(unsigned type, uint64_t pcid, uint64_t va, sc_core::sc_time &delay);
    // Protection keys (docs/semantics.md "Protection keys"): PKRU <- value[31:0] (fault FAULT_UD
    // while CR4.PKE = 0); IA32_PKRS <- value (FAULT_GP with bits 63:32 set or pk=0). They invalidate
    // no translation, but a DMI grant was made for the rights the keys gave then: a change of
    // PKRU or IA32_PKRS revokes every grant (dmi_after_control).
    mmu_ctrl_result_t wrpkru(uint64_t value, sc_core::sc_time &delay);
    mmu_ctrl_result_t wrmsr_pkrs(uint64_t value, sc_core::sc_time &delay);

    void set_backing(physmem_t *backing) { core_->attach(backing); }

    mmu_arch_t arch_state() const;
    uint64_t horizon() const { return horizon_; }   // earliest issue cycle of the next operation
    const mmu_stats_t &stats() const { return core_->stats(); }
    void clear_stats() { core_->clear_stats(); }
    // Feeds a data access of the workload to the memory hierarchy the walker's reads go through
    // (mem_model=cache: PTE lines and data lines compete; docs/timing.md). Costs no walker time.
    void data_access(paddr_t pa, bool is_write) { core_->data_access(pa, is_write); }
    const mmu_config_t &config() const { return cfg_; }
    mmu_backend backend() const { return backend_; }
    const sc_core::sc_time &clock_period() const { return period_; }
    uint64_t rtl_cycles() const { return core_->rtl_cycles(); }
    const std::vector<dmi_grant> &dmi_grants() const { return grants_; }

    // Used by the backends: forward one walker memory operation (PDPTE loads included) as a
    // transaction at time (issue_cycle + 1) * T; returns the data memory gave (reads).
    uint64_t forward_memop(const mmu_memop_t &op);
    // time of the clock edge that begins cycle n
    sc_core::sc_time edge_time(uint64_t n) const { return period_ * static_cast<double>(n); }

private:
    void b_transport(tlm::tlm_generic_payload &trans, sc_core::sc_time &delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload &trans);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi);
    void invalidate_from_memory(sc_dt::uint64 start, sc_dt::uint64 end);

    uint64_t issue_cycle(const sc_core::sc_time &t_req) const;
    void enter();   // serialises callers
    void leave();
    bool request_of(tlm::tlm_generic_payload &trans, mmu_req_t &req);
    bool debug_translate(const mmu_req_t &req, dbgwalk_result_t &out);
    void invalidate_grants(bool (*match)(const dmi_grant &, const void *), const void *arg);
    void invalidate_all_grants(bool keep_global);
    void invalidate_va(uint64_t va);
    void dmi_after_control(const mmu_ctrl_t &op, const mmu_arch_t &before, const mmu_arch_t &after,
                           const mmu_ctrl_result_t &res);

    mmu_config_t cfg_;
    mmu_backend backend_;
    sc_core::sc_time period_;
    std::unique_ptr<mmu_core> core_;
    uint64_t horizon_ = 2;    // cycles 0 and 1 are the RTL's reset (the model keeps the same origin)
    bool busy_ = false;
    sc_core::sc_event idle_ev_;
    std::vector<dmi_grant> grants_;
    tlm::tlm_generic_payload memop_trans_;
};

// Factories of the backends (mmu_tlm.cpp, mmu_tlm_rtl.cpp).
std::unique_ptr<mmu_core> make_model_core(mmu_tlm &owner, const mmu_config_t &cfg, physmem_t *backing);
std::unique_ptr<mmu_core> make_rtl_core(mmu_tlm &owner, const mmu_config_t &cfg);

}   // namespace mmulab

#endif
