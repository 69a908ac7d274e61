// A loosely-timed memory target over a physmem_t (model/physmem.h), for the example platform
// and the tests: b_transport adds a fixed latency, transport_dbg has no side effects and is
// not counted, DMI is granted per 4 KiB page (physmem's pages are separate host blocks).
// Being a physmem, it can back the MMU's model backend (mmu_tlm's `backing`). It counts its
// transactions and can log each one (time = sc_time_stamp() + delay at the call).
#ifndef MMULAB_TLM_MEMORY_H
#define MMULAB_TLM_MEMORY_H

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <vector>

extern "C" {
#include "physmem.h"
}

namespace mmulab {

struct mem_record {
    sc_core::sc_time when;     // sc_time_stamp() + delay as received
    bool write;
    uint64_t addr;
    unsigned len;
    uint64_t data;             // first 8 bytes, little-endian
};

class physmem_memory : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<physmem_memory> socket;

    physmem_memory(sc_core::sc_module_name name, physmem_t *mem, const sc_core::sc_time &latency);
    void set_backing(physmem_t *mem) { mem_ = mem; }
    void set_log(std::vector<mem_record> *log) { log_ = log; }
    // Revokes the DMI regions granted over [start, end] (e.g. the platform remaps memory).
    void invalidate_dmi(uint64_t start, uint64_t end) { socket->invalidate_direct_mem_ptr(start, end); }

    uint64_t reads = 0, writes = 0;

private:
    void b_transport(tlm::tlm_generic_payload &t, sc_core::sc_time &delay);
    unsigned int transport_dbg(tlm::tlm_generic_payload &t);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload &t, tlm::tlm_dmi &dmi);
    bool copy(tlm::tlm_generic_payload &t);

    physmem_t *mem_;
    sc_core::sc_time latency_;
    std::vector<mem_record> *log_ = nullptr;
};

}   // namespace mmulab

#endif
