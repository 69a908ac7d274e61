// The example platform's CPU side (make sc-demo, make tlm-bench): a boot step that puts the
// page tables of an address space in the platform's memory, and a loosely-timed traffic
// generator that programs the MMU for it (control interface) and issues its accesses through
// the MMU with a tlm_quantumkeeper.
//
// The boot step is one function, boot_tables(). Today it builds the tables with the
// page-table builder (sim/ptbuild.h, through the workload generator sim/workload.h, whose
// request stream the generator then issues). When the OS layer (sim/os/) lands, boot_tables
// is the one place to switch to its kernel boot and process creation: it must fill a
// boot_image (memory, control-register values, a request stream, a release function); the
// generator and the demo use nothing else.
#ifndef MMULAB_TLM_TRAFFIC_H
#define MMULAB_TLM_TRAFFIC_H

#include "mmu_tlm.h"

#include <functional>
#include <string>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

extern "C" {
#include "workload.h"
}

namespace mmulab {

// What the boot step leaves: the memory holding the tables, the control-register values that
// enter their paging mode (written EFER, CR4, CR3, CR0, the legal order of docs/semantics.md
// section 7), and the stream of accesses to issue.
struct boot_image {
    physmem_t *mem = nullptr;
    uint64_t efer = 0, cr4 = 0, cr3 = 0, cr0 = 0;
    std::function<bool(mmu_req_t &)> next;   // the next access (va, access, cpl, ac, implicit); false at the end
    std::function<void()> release;           // frees what the boot step allocated (mem included)
    std::string describe;                    // one line printed by the demo
};

// Builds the address space of the workload knobs p (ptbuild). false with a message in err.
bool boot_tables(const wl_params_t &p, unsigned maxphyaddr, boot_image &out, std::string &err);
void boot_free(boot_image &img);

class traffic_gen : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<traffic_gen> sock;

    // mmu: for the control interface (the CR writes of the boot image)
    traffic_gen(sc_core::sc_module_name name, boot_image &img, mmu_tlm &mmu);

    uint64_t issued = 0, faults = 0, errors = 0, by_access[3] = { 0, 0, 0 };
    bool done = false;
    sc_core::sc_time finished;    // local time of the last completion
    sc_core::sc_event done_ev;

private:
    void run();
    void invalidate(sc_dt::uint64, sc_dt::uint64) {}
    boot_image &img_;
    mmu_tlm &mmu_;
    tlm_utils::tlm_quantumkeeper qk_;
};

}   // namespace mmulab

#endif
