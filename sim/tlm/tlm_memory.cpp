// physmem_memory (see tlm_memory.h).
#include "tlm_memory.h"

#include <cstring>

using namespace sc_core;

namespace mmulab {

physmem_memory::physmem_memory(sc_module_name name, physmem_t *mem, const sc_time &latency)
    : sc_module(name), socket("socket"), mem_(mem), latency_(latency)
{
    socket.register_b_transport(this, &physmem_memory::b_transport);
    socket.register_transport_dbg(this, &physmem_memory::transport_dbg);
    socket.register_get_direct_mem_ptr(this, &physmem_memory::get_direct_mem_ptr);
}

// Copies the payload's bytes to or from the pages; false if out of range or unsupported.
bool physmem_memory::copy(tlm::tlm_generic_payload &t)
{
    if (t.get_byte_enable_ptr() || t.get_streaming_width() < t.get_data_length() || !mem_)
        return false;
    uint64_t a = t.get_address();
    unsigned char *p = t.get_data_ptr();
    unsigned left = t.get_data_length();
    bool write = t.get_command() == tlm::TLM_WRITE_COMMAND;
    while (left) {
        uint8_t *page = physmem_page(mem_, a & ~(uint64_t)(PAGE_SIZE - 1));
        if (!page)
            return false;
        unsigned off = (unsigned)(a & (PAGE_SIZE - 1));
        unsigned n = PAGE_SIZE - off < left ? PAGE_SIZE - off : left;
        if (write)
            std::memcpy(page + off, p, n);
        else
            std::memcpy(p, page + off, n);
        a += n;
        p += n;
        left -= n;
    }
    return true;
}

void physmem_memory::b_transport(tlm::tlm_generic_payload &t, sc_time &delay)
{
    if (t.get_command() == tlm::TLM_IGNORE_COMMAND) {
        t.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    bool write = t.get_command() == tlm::TLM_WRITE_COMMAND;
    if (log_) {
        mem_record r{ sc_time_stamp() + delay, write, t.get_address(), t.get_data_length(), 0 };
        if (write)
            std::memcpy(&r.data, t.get_data_ptr(), r.len < 8 ? r.len : 8);
        log_->push_back(r);
    }
    if (!copy(t)) {
        t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (log_ && !write)
        std::memcpy(&log_->back().data, t.get_data_ptr(), t.get_data_length() < 8 ? t.get_data_length() : 8);
    (write ? writes : reads)++;
    delay += latency_;
    t.set_dmi_allowed(true);
    t.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int physmem_memory::transport_dbg(tlm::tlm_generic_payload &t)
{
    if (t.get_command() == tlm::TLM_IGNORE_COMMAND)
        return 0;
    return copy(t) ? t.get_data_length() : 0;
}

bool physmem_memory::get_direct_mem_ptr(tlm::tlm_generic_payload &t, tlm::tlm_dmi &dmi)
{
    uint64_t base = t.get_address() & ~(uint64_t)(PAGE_SIZE - 1);
    uint8_t *page = mem_ ? physmem_page(mem_, base) : nullptr;
    if (!page) {
        dmi.allow_none();
        return false;
    }
    dmi.set_dmi_ptr(page);
    dmi.set_start_address(base);
    dmi.set_end_address(base + PAGE_SIZE - 1);
    dmi.allow_read_write();
    dmi.set_read_latency(latency_);
    dmi.set_write_latency(latency_);
    return true;
}

}   // namespace mmulab
