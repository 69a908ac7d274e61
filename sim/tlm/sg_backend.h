// Drives mmu_tlm from C code that speaks backend_t (sim/backend.h), e.g. the constrained-random
// generator sim/stimgen.h or the OS layer (the example platform's traffic generator, traffic.h):
// every submit/control becomes a b_transport / control call on the
// module at the time of its issue cycle, from the calling SC_THREAD, with a tlm_quantumkeeper.
// Everything observable is appended to a log, one line per event, in order: each transaction's
// response status, end time (sc_time_stamp() + delay) and extension; each control result;
// each memory transaction the platform memory saw (time, command, address, length, data);
// each DMI grant and transport_dbg answer the driver asks for (seeded: the same on every
// backend); each DMI invalidation the MMU sent upstream. Two backends agree iff their logs do.
#ifndef MMULAB_TLM_SG_BACKEND_H
#define MMULAB_TLM_SG_BACKEND_H

#include "mmu_tlm.h"
#include "tlm_memory.h"

#include <string>
#include <tlm_utils/tlm_quantumkeeper.h>

extern "C" {
#include "backend.h"
}

namespace mmulab {

// The CPU side of a platform: an initiator socket that logs the invalidations it receives.
class tlm_cpu : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<tlm_cpu> sock;
    explicit tlm_cpu(sc_core::sc_module_name name);
    std::vector<std::string> *log = nullptr;
    std::vector<std::pair<uint64_t, uint64_t>> invalidations;   // every (start, end) received

private:
    void invalidate(sc_dt::uint64 start, sc_dt::uint64 end);
};

struct tlm_platform_refs {
    tlm_cpu *cpu;
    mmu_tlm *mmu;
    physmem_memory *memory;
};

// A backend_t over the platform (destroy it with backend_destroy). dmi_seed seeds the choice
// of the accesses followed by a DMI request and a transport_dbg; log receives the lines.
// log == nullptr makes a plain driver (the example platform's traffic generator, traffic.h):
// no log, no debug-walk checks, no DMI or transport_dbg probes, and accesses that move data
// (reads read, writes write, up to 8 bytes); p.memory may then be nullptr.
// Returns NULL with a message in err (CONFIG_ERR_LEN bytes) when out of memory (backend_wrap).
backend_t *tlm_backend_create(const tlm_platform_refs &p, uint64_t dmi_seed, std::vector<std::string> *log,
                              char *err);

// What the accesses through a backend of tlm_backend_create got back, and the driver's local
// time (its quantum keeper's current time) after the last one.
struct tlm_traffic {
    uint64_t accesses[3] = { 0, 0, 0 };   // by mmu_access_t
    uint64_t faults = 0;                  // TLM_ADDRESS_ERROR_RESPONSE (#PF, #GP)
    uint64_t errors = 0;                  // any other error response
    sc_core::sc_time local_time;
};
tlm_traffic tlm_backend_traffic(const backend_t *be);

}   // namespace mmulab

#endif
