// The boot step and the traffic generator of the example platform (see traffic.h).
#include "traffic.h"

#include <cstring>

using namespace sc_core;

namespace mmulab {

bool boot_tables(const wl_params_t &p, unsigned maxphyaddr, boot_image &out, std::string &err)
{
    char e[WL_ERR_LEN] = "";
    mmu_config_t cfg;
    config_defaults(&cfg);
    cfg.maxphyaddr = maxphyaddr;
    wl_params_t q = p;
    // cfg only sizes the memory here: with no MMU in the workload, pass NULL and rely on the
    // default maxphyaddr, unless the platform's differs
    workload_t *w = wl_create(&q, maxphyaddr == 46 ? nullptr : &cfg, e);
    if (!w) {
        err = e;
        return false;
    }
    out.mem = wl_mem(w);
    out.next = [w](mmu_req_t &req) { return wl_next(w, &req) == 0; };
    out.release = [w] { wl_destroy(w); };
    // the control registers of the mode, the same the workload generator programs
    wl_mode_regs(q.mode, &out.efer, &out.cr4, &out.cr0);
    out.cr3 = ptb_cr3(wl_ptb(w));
    char buf[512];
    wl_describe(w, buf, sizeof buf);
    out.describe = buf;
    return true;
}

void boot_free(boot_image &img)
{
    if (img.release)
        img.release();
    img = boot_image();
}

traffic_gen::traffic_gen(sc_module_name name, boot_image &img, mmu_tlm &mmu)
    : sc_module(name), sock("sock"), img_(img), mmu_(mmu)
{
    sock.register_invalidate_direct_mem_ptr(this, &traffic_gen::invalidate);
    SC_HAS_PROCESS(traffic_gen);
    SC_THREAD(run);
}

void traffic_gen::run()
{
    qk_.reset();
    sc_time delay = SC_ZERO_TIME;
    const uint64_t crs[4][2] = { { CTRL_EFER, img_.efer }, { CTRL_CR4, img_.cr4 }, { CTRL_CR3, img_.cr3 },
                                 { CTRL_CR0, img_.cr0 } };
    for (const auto &c : crs)
        if (mmu_.write_cr((mmu_ctrl_kind_t)c[0], c[1], delay).fault != FAULT_NONE) {
            SC_REPORT_ERROR("mmulab/traffic", "the boot image's control-register values raise #GP");
            return;
        }
    mmu_.clear_stats();   // the statistics cover the stream, as mmulab demo's
    tlm::tlm_generic_payload t;
    mmu_ext ext;
    uint64_t data = 0;
    t.set_extension(&ext);
    t.set_data_ptr(reinterpret_cast<unsigned char *>(&data));
    t.set_data_length(8);
    t.set_streaming_width(8);
    mmu_req_t req;
    std::memset(&req, 0, sizeof req);
    while (img_.next(req)) {
        ext.access = req.access;
        ext.cpl = req.cpl;
        ext.ac = req.ac;
        ext.implicit = req.implicit;
        t.set_command(req.access == ACC_WRITE ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        t.set_address(req.va & ~7ull);   // 8 bytes, naturally aligned: never crosses a page
        t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        data = req.va;
        sock->b_transport(t, delay);
        issued++;
        by_access[req.access]++;
        if (t.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE)
            faults++;
        else if (t.is_response_error())
            errors++;
        qk_.set(delay);
        if (qk_.need_sync())
            qk_.sync();
        delay = qk_.get_local_time();
    }
    t.clear_extension(&ext);
    finished = qk_.get_current_time();
    qk_.sync();
    done = true;
    done_ev.notify(SC_ZERO_TIME);
}

}   // namespace mmulab
