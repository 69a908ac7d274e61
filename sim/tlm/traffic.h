// The example platform's CPU side (make sc-demo): a traffic generator that boots the OS layer
// (sim/os/os.h) in the platform's memory and runs `mmulab demo`'s workload as processes of it,
// every MMU operation going through the MMU module.
//
// Flow (one SC_THREAD, run()): a backend_t over the module (sg_backend.h's plain driver:
// translations are b_transport calls on the module through this generator's socket, control
// operations the module's control interface, each at the time of its issue cycle, with a
// tlm_quantumkeeper) -> os_boot on it: swapper_pg_dir and the kernel's tables written into the
// platform's memory, EFER/CR4/CR3/CR0 through the control interface -> wl_os_prepare (the
// processes, their VMAs, the working set prefaulted or not; statistics cleared) -> wl_os_run:
// `mmulab demo`'s own loop, so a #PF response (TLM_ADDRESS_ERROR_RESPONSE with the extension's
// error code and CR2) goes to the OS layer's do_page_fault and the access is retried exactly as
// there. Same options and seed (demo_parse), same request sequence, same statistics.
//
// Contract: one CPU (the platform has one MMU): opts.osp.cpus and opts.mx.threads must be 1.
// The memory must be the module's backing memory (physmem_memory over the same physmem_t).
#ifndef MMULAB_TLM_TRAFFIC_H
#define MMULAB_TLM_TRAFFIC_H

#include "mmu_tlm.h"
#include "sg_backend.h"

#include <string>

extern "C" {
#include "demo.h"
}

namespace mmulab {

class traffic_gen : public sc_core::sc_module {
public:
    tlm_cpu cpu;   // the generator's initiator socket (cpu.sock): bind it to the MMU's cpu socket

    // opts: `mmulab demo`'s options as demo_parse resolved them; mem: the platform's memory
    traffic_gen(sc_core::sc_module_name name, const demo_opts_t &opts, mmu_tlm &mmu, physmem_t *mem);
    ~traffic_gen() override;

    // Valid once done_ev was notified.
    bool done = false, ok = false;
    std::string error;            // why the run stopped (ok == false)
    std::string describe;         // the workload line, as mmulab demo prints it
    wl_os_stats_t run_stats = {}; // the stream: accesses by kind, events, cycles
    tlm_traffic traffic;          // the transactions issued through the socket (kernel accesses included)
    const os_t *os() const { return os_; }
    const os_counters_t &os_base() const { return base_; }   // OS counters when the stream began
    sc_core::sc_event done_ev;

private:
    void run();
    void fail(const std::string &what);
    const demo_opts_t &opts_;
    mmu_tlm &mmu_;
    physmem_t *mem_;
    backend_t *be_ = nullptr;
    os_t *os_ = nullptr;
    workload_t *w_ = nullptr;
    wl_os_procs_t *procs_ = nullptr;
    os_counters_t base_ = {};
};

}   // namespace mmulab

#endif
