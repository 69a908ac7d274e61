// The TLM shell of mmulab's MMU (see mmu_tlm.h) and its model backend. The shell owns
// everything both backends share: time <-> cycle mapping, the sockets, forwarding,
// transport_dbg and DMI (through the debug walk, tlm_dbgwalk.h), and the DMI invalidations.
#include "mmu_tlm.h"

#include <cstring>
#include <string>

extern "C" {
#include "config.h"
}

using namespace sc_core;

namespace mmulab {

bool parse_backend(const char *name, mmu_backend *out)
{
    if (!std::strcmp(name, "model"))
        *out = mmu_backend::model;
    else if (!std::strcmp(name, "rtl"))
        *out = mmu_backend::rtl;
    else
        return false;
    return true;
}

const char *backend_name(mmu_backend b)
{
    return b == mmu_backend::model ? "model" : "rtl";
}

// --- the model backend ------------------------------------------------------------------

namespace {

class model_core : public mmu_core {
public:
    model_core(mmu_tlm &owner, const mmu_config_t &cfg, physmem_t *backing) : owner_(owner), cfg_(cfg)
    {
        if (backing)
            attach(backing);
    }
    void attach(physmem_t *backing) override
    {
        char err[CONFIG_ERR_LEN] = "";
        if (m_)
            SC_REPORT_ERROR("mmulab/mmu_tlm", "the model backend's physmem is already set");
        m_ = mmu_create(&cfg_, backing, err);
        if (!m_)
            SC_REPORT_ERROR("mmulab/mmu_tlm", err);
        // Each walker memory operation becomes a transaction at its cycle (after the model
        // performed it on backing; forward_memop checks the memory's data agrees).
        mmu_set_memop_observer(m_, &model_core::on_memop, this);
    }
    ~model_core() override { mmu_destroy(m_); }

    void sync(sc_time &) override {}   // pure LT: the time stays in delay
    void translate(const mmu_req_t &req, mmu_result_t &out) override
    {
        need_memory();
        if (mmu_translate(m_, &req, &out) != 0)
            SC_REPORT_ERROR("mmulab/mmu_tlm", "model refused the issue cycle");
    }
    void data_access(paddr_t pa, bool is_write) override { mmu_data_access(m_, pa, is_write); }
    void control(const mmu_ctrl_t &op, mmu_ctrl_result_t &out) override
    {
        need_memory();
        if (mmu_control(m_, &op, &out) != 0)
            SC_REPORT_ERROR("mmulab/mmu_tlm", "model refused the issue cycle");
    }
    void arch_state(mmu_arch_t &out) const override
    {
        if (m_)
            mmu_arch_state(m_, &out);
        else
            std::memset(&out, 0, sizeof out);   // reset state
    }
    const mmu_stats_t &stats() const override { return m_ ? *mmu_stats(m_) : empty_; }
    void clear_stats() override
    {
        if (m_)
            mmu_clear_stats(m_);
    }

private:
    void need_memory()
    {
        if (!m_)
            SC_REPORT_ERROR("mmulab/mmu_tlm", "the model backend needs the physmem behind the mem socket "
                                              "(constructor or set_backing)");
    }
    static void on_memop(void *ctx, const mmu_memop_t *op)
    {
        auto *self = static_cast<model_core *>(ctx);
        uint64_t got = self->owner_.forward_memop(*op);
        if (!op->is_write && got != op->value) {
            char msg[200];
            std::snprintf(msg, sizeof msg,
                          "memory at PA 0x%llx returned 0x%llx, the model's physmem holds 0x%llx: the "
                          "model backend's physmem must be the memory behind the mem socket",
                          (unsigned long long)op->pa, (unsigned long long)got, (unsigned long long)op->value);
            SC_REPORT_ERROR("mmulab/mmu_tlm", msg);
        }
    }
    mmu_tlm &owner_;
    mmu_config_t cfg_;
    mmu_t *m_ = nullptr;
    mmu_stats_t empty_{};
};

}   // namespace

std::unique_ptr<mmu_core> make_model_core(mmu_tlm &owner, const mmu_config_t &cfg, physmem_t *backing)
{
    return std::unique_ptr<mmu_core>(new model_core(owner, cfg, backing));
}

// --- the shell ---------------------------------------------------------------------------

mmu_tlm::mmu_tlm(sc_module_name name, const mmu_config_t &cfg, mmu_backend backend, const sc_time &clock_period,
                 physmem_t *backing)
    : sc_module(name), cpu("cpu"), mem("mem"), cfg_(cfg), backend_(backend), period_(clock_period)
{
    char err[CONFIG_ERR_LEN] = "";
    if (config_validate(&cfg, err) != 0)
        SC_REPORT_ERROR("mmulab/mmu_tlm", err);
    if (period_ == SC_ZERO_TIME)
        SC_REPORT_ERROR("mmulab/mmu_tlm", "clock period must not be zero");
    cpu.register_b_transport(this, &mmu_tlm::b_transport);
    cpu.register_transport_dbg(this, &mmu_tlm::transport_dbg);
    cpu.register_get_direct_mem_ptr(this, &mmu_tlm::get_direct_mem_ptr);
    mem.register_invalidate_direct_mem_ptr(this, &mmu_tlm::invalidate_from_memory);
    core_ = backend == mmu_backend::model ? make_model_core(*this, cfg, backing) : make_rtl_core(*this, cfg);
}

mmu_tlm::~mmu_tlm() = default;

uint64_t mmu_tlm::issue_cycle(const sc_time &t_req) const
{
    uint64_t v = t_req.value(), p = period_.value();
    uint64_t t = (v + p - 1) / p;
    return t > horizon_ ? t : horizon_;
}

// One operation at a time in the MMU: a second caller waits for the first to finish.
void mmu_tlm::enter()
{
    while (busy_)
        wait(idle_ev_);
    busy_ = true;
}

void mmu_tlm::leave()
{
    busy_ = false;
    idle_ev_.notify(SC_ZERO_TIME);
}

bool mmu_tlm::request_of(tlm::tlm_generic_payload &trans, mmu_req_t &req)
{
    std::memset(&req, 0, sizeof req);
    req.va = trans.get_address();
    mmu_ext *ext = trans.get_extension<mmu_ext>();
    tlm::tlm_command cmd = trans.get_command();
    if (ext) {
        req.access = ext->access;
        req.cpl = ext->cpl;
        req.ac = ext->ac;
        req.implicit = ext->implicit;
        bool want_write = ext->access == ACC_WRITE;
        if (ext->cpl > 3 || (unsigned)ext->access > ACC_EXEC ||
            (cmd != tlm::TLM_IGNORE_COMMAND && want_write != (cmd == tlm::TLM_WRITE_COMMAND)))
            return false;
    } else {
        req.access = cmd == tlm::TLM_WRITE_COMMAND ? ACC_WRITE : ACC_READ;
    }
    return true;
}

uint64_t mmu_tlm::forward_memop(const mmu_memop_t &op)
{
    tlm::tlm_generic_payload &t = memop_trans_;
    uint8_t data[8];
    uint64_t v = op.value;
    std::memcpy(data, &v, sizeof data);   // little-endian host (x86), as the MMU's memory
    t.set_command(op.is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    t.set_address(op.pa);
    t.set_data_ptr(data);
    t.set_data_length(op.size);
    t.set_streaming_width(op.size);
    t.set_byte_enable_ptr(nullptr);
    t.set_dmi_allowed(false);
    t.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time at = edge_time(op.issue_cycle + 1);
    sc_time delay = at > sc_time_stamp() ? at - sc_time_stamp() : SC_ZERO_TIME;
    sc_time before = sc_time_stamp();
    mem->b_transport(t, delay);
    if (sc_time_stamp() != before)
        SC_REPORT_ERROR("mmulab/mmu_tlm", "memory waited in b_transport for a walker access (must be LT)");
    if (t.is_response_error()) {
        char msg[160];
        std::snprintf(msg, sizeof msg, "walker %s at PA 0x%llx failed: %s", op.is_write ? "write" : "read",
                      (unsigned long long)op.pa, t.get_response_string().c_str());
        SC_REPORT_ERROR("mmulab/mmu_tlm", msg);
    }
    uint64_t got = 0;
    std::memcpy(&got, data, op.size);
    return got;
}

void mmu_tlm::b_transport(tlm::tlm_generic_payload &trans, sc_time &delay)
{
    mmu_req_t req;
    mmu_ext *ext = trans.get_extension<mmu_ext>();
    if (!request_of(trans, req)) {
        trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    enter();
    core_->sync(delay);
    req.issue_cycle = issue_cycle(sc_time_stamp() + delay);
    mmu_result_t res;
    core_->translate(req, res);
    horizon_ = res.complete_cycle + 1;
    sc_time done = edge_time(res.complete_cycle + 1);
    delay = done - sc_time_stamp();
    leave();
    if (ext) {
        ext->result = res;
        ext->debug = false;
    }
    if (res.fault != FAULT_NONE) {
        // SDM 4.10.4.1: a #PF invalidates the TLB entries of the faulting address, so DMI too.
        if (res.fault == FAULT_PF)
            invalidate_va(req.va);
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    unsigned shift = res.page_shift ? res.page_shift : 32;
    uint64_t page_end = (res.pa | ((1ull << shift) - 1));
    if (trans.get_command() == tlm::TLM_IGNORE_COMMAND) {
        trans.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    if (trans.get_data_length() == 0 || res.pa + trans.get_data_length() - 1 > page_end) {
        trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);   // crosses its page
        return;
    }
    sc_dt::uint64 va = trans.get_address();
    trans.set_address(res.pa);
    mem->b_transport(trans, delay);
    trans.set_address(va);
}

// --- transport_dbg and DMI: the debug walk, reading tables with transport_dbg -------------

namespace {
struct dbg_reader {
    tlm_utils::simple_initiator_socket<mmu_tlm> *sock;
};
bool dbg_read(void *ctx, paddr_t pa, unsigned size, uint64_t *value)
{
    auto *r = static_cast<dbg_reader *>(ctx);
    tlm::tlm_generic_payload t;
    uint8_t data[8] = { 0 };
    t.set_command(tlm::TLM_READ_COMMAND);
    t.set_address(pa);
    t.set_data_ptr(data);
    t.set_data_length(size);
    t.set_streaming_width(size);
    if ((*r->sock)->transport_dbg(t) != size)
        return false;
    *value = 0;
    std::memcpy(value, data, size);
    return true;
}
}   // namespace

mmu_arch_t mmu_tlm::arch_state() const
{
    mmu_arch_t a;
    core_->arch_state(a);
    return a;
}

bool mmu_tlm::debug_translate(const mmu_req_t &req, dbgwalk_result_t &out)
{
    mmu_arch_t a = arch_state();
    dbg_reader r{ &mem };
    dbgwalk_translate(&a, (unsigned)cfg_.maxphyaddr, &req, dbg_read, &r, &out);
    return out.fault == FAULT_NONE;
}

unsigned int mmu_tlm::transport_dbg(tlm::tlm_generic_payload &trans)
{
    mmu_req_t req;
    mmu_ext *ext = trans.get_extension<mmu_ext>();
    if (!request_of(trans, req))
        return 0;
    dbgwalk_result_t d;
    bool ok = debug_translate(req, d);
    if (ext) {
        std::memset(&ext->result, 0, sizeof ext->result);
        ext->debug = true;
        ext->result.va = req.va;
        ext->result.access = req.access;
        ext->result.cpl = req.cpl;
        ext->result.fault = d.fault;
        ext->result.error_code = d.error_code;
        ext->result.pa = d.pa;
        ext->result.page_shift = (uint8_t)(d.page_shift == 32 ? 0 : d.page_shift);
    }
    if (!ok || trans.get_command() == tlm::TLM_IGNORE_COMMAND)
        return 0;
    uint64_t page_left = (d.page_pa + (1ull << d.page_shift)) - d.pa;
    unsigned len = trans.get_data_length();
    if (len > page_left)
        trans.set_data_length((unsigned)page_left);   // up to the end of the page
    sc_dt::uint64 va = trans.get_address();
    trans.set_address(d.pa);
    unsigned n = mem->transport_dbg(trans);
    trans.set_address(va);
    trans.set_data_length(len);
    return n;
}

// DMI for a translated page: granted when the memory grants it and a direct access can do
// nothing the MMU would have had to do: every entry has A = 1, and for writes the leaf has
// D = 1 and writes are allowed. The region is the memory's region clipped to the page.
bool mmu_tlm::get_direct_mem_ptr(tlm::tlm_generic_payload &trans, tlm::tlm_dmi &dmi)
{
    mmu_req_t req;
    dmi.allow_none();
    if (!request_of(trans, req))
        return false;
    dbgwalk_result_t d;
    mmu_req_t rd = req, wr = req;
    rd.access = req.access == ACC_EXEC ? ACC_EXEC : ACC_READ;
    wr.access = ACC_WRITE;
    bool can_read = debug_translate(rd, d) && d.accessed;
    dbgwalk_result_t dw;
    bool can_write = can_read && debug_translate(wr, dw) && dw.dirty;
    if (!can_read || (trans.get_command() == tlm::TLM_WRITE_COMMAND && !can_write))
        return false;
    uint64_t page_size = 1ull << d.page_shift;
    tlm::tlm_generic_payload t;
    t.set_command(trans.get_command() == tlm::TLM_WRITE_COMMAND ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    t.set_address(d.pa);
    tlm::tlm_dmi md;
    if (!mem->get_direct_mem_ptr(t, md))
        return false;
    uint64_t lo = md.get_start_address() > d.page_pa ? md.get_start_address() : d.page_pa;
    uint64_t page_last = d.page_pa + page_size - 1;
    uint64_t hi = md.get_end_address() < page_last ? md.get_end_address() : page_last;
    if (lo > d.pa || hi < d.pa)
        return false;
    dmi.set_dmi_ptr(md.get_dmi_ptr() + (lo - md.get_start_address()));
    dmi.set_start_address(d.page_va + (lo - d.page_pa));
    dmi.set_end_address(d.page_va + (hi - d.page_pa));
    bool r = md.is_read_allowed(), w = md.is_write_allowed() && can_write;
    if (r && w)
        dmi.allow_read_write();
    else if (r)
        dmi.allow_read();
    else if (w)
        dmi.allow_write();
    else
        return false;
    // a direct access costs what an L1 hit costs, then what the memory says
    sc_time hit = period_ * static_cast<double>(cfg_.l1_latency + 1);
    dmi.set_read_latency(hit + md.get_read_latency());
    dmi.set_write_latency(hit + md.get_write_latency());
    mmu_arch_t a = arch_state();
    dmi_grant g{ dmi.get_start_address(), dmi.get_end_address(), lo, a.pcid, d.global };
    for (dmi_grant &old : grants_)
        if (old.va_start == g.va_start && old.va_end == g.va_end) {
            old = g;   // granted again: one record, so one invalidation
            return true;
        }
    grants_.push_back(g);
    return true;
}

void mmu_tlm::invalidate_grants(bool (*match)(const dmi_grant &, const void *), const void *arg)
{
    for (size_t i = 0; i < grants_.size();) {
        if (match(grants_[i], arg)) {
            dmi_grant g = grants_[i];
            grants_.erase(grants_.begin() + (long)i);
            cpu->invalidate_direct_mem_ptr(g.va_start, g.va_end);
        } else {
            i++;
        }
    }
}

void mmu_tlm::invalidate_all_grants(bool keep_global)
{
    if (!keep_global) {
        if (!grants_.empty()) {
            grants_.clear();
            cpu->invalidate_direct_mem_ptr(0, ~(sc_dt::uint64)0);   // a full flush
        }
        return;
    }
    invalidate_grants([](const dmi_grant &g, const void *) { return !g.global; }, nullptr);
}

void mmu_tlm::invalidate_va(uint64_t va)
{
    invalidate_grants([](const dmi_grant &g, const void *p) {
        uint64_t v = *static_cast<const uint64_t *>(p);
        return v >= g.va_start && v <= g.va_end;
    }, &va);
}

// The TLB invalidations of docs/semantics.md section 8 (SDM 4.10.4), applied to the DMI
// regions granted: those whose translations the MMU may no longer use.
void mmu_tlm::dmi_after_control(const mmu_ctrl_t &op, const mmu_arch_t &before, const mmu_arch_t &after,
                                const mmu_ctrl_result_t &res)
{
    if (res.fault != FAULT_NONE || grants_.empty())
        return;
    struct va_pcid {
        uint64_t va;
        uint16_t pcid;
    } vp{ op.va, (uint16_t)op.pcid };
    switch (op.kind) {
    case CTRL_CR0:
        if (before.cr0 != after.cr0)
            invalidate_all_grants(false);
        break;
    case CTRL_CR4:
        if (before.cr4 != after.cr4)
            invalidate_all_grants(false);
        break;
    case CTRL_EFER:
        if (before.efer != after.efer)
            invalidate_all_grants(false);
        break;
    case CTRL_CR3:
        // a flushing write drops the non-global translations; a no-flush write that changes
        // the address space makes the granted (current-context) regions wrong all the same
        if (!(op.value & CR3_NOFLUSH) || before.cr3 != after.cr3)
            invalidate_all_grants(true);
        break;
    case CTRL_INVLPG:
        invalidate_va(op.va);
        break;
    case CTRL_WRPKRU:
    case CTRL_WRPKRS:
        // the MMU invalidates nothing (keys are checked on use), but a grant was made for the
        // rights the keys gave then: a change of the keys revokes every grant
        if (before.pkru != after.pkru || before.pkrs != after.pkrs)
            invalidate_all_grants(false);
        break;
    case CTRL_INVPCID:
        if (op.invpcid_type == 0)
            invalidate_grants([](const dmi_grant &g, const void *p) {
                auto *x = static_cast<const va_pcid *>(p);
                return !g.global && g.pcid == x->pcid && x->va >= g.va_start && x->va <= g.va_end;
            }, &vp);
        else if (op.invpcid_type == 1)
            invalidate_grants([](const dmi_grant &g, const void *p) {
                return !g.global && g.pcid == static_cast<const va_pcid *>(p)->pcid;
            }, &vp);
        else if (op.invpcid_type == 2)
            invalidate_all_grants(false);
        else
            invalidate_all_grants(true);
        break;
    }
}

void mmu_tlm::invalidate_from_memory(sc_dt::uint64 start, sc_dt::uint64 end)
{
    uint64_t r[2] = { start, end };
    invalidate_grants([](const dmi_grant &g, const void *p) {
        auto *x = static_cast<const uint64_t *>(p);
        uint64_t pa_end = g.pa_start + (g.va_end - g.va_start);
        return g.pa_start <= x[1] && pa_end >= x[0];
    }, r);
}

// --- control ----------------------------------------------------------------------------

mmu_ctrl_result_t mmu_tlm::control(const mmu_ctrl_t &op_in, sc_time &delay)
{
    mmu_ctrl_t op = op_in;
    enter();
    core_->sync(delay);
    op.issue_cycle = issue_cycle(sc_time_stamp() + delay);
    mmu_arch_t before, after;
    core_->arch_state(before);
    mmu_ctrl_result_t res;
    core_->control(op, res);
    core_->arch_state(after);
    horizon_ = res.complete_cycle + 1;
    delay = edge_time(res.complete_cycle + 1) - sc_time_stamp();
    leave();
    dmi_after_control(op, before, after, res);
    return res;
}

mmu_ctrl_result_t mmu_tlm::write_cr(mmu_ctrl_kind_t kind, uint64_t value, sc_time &delay)
{
    mmu_ctrl_t op;
    std::memset(&op, 0, sizeof op);
    op.kind = kind;
    op.value = value;
    return control(op, delay);
}

mmu_ctrl_result_t mmu_tlm::wrpkru(uint64_t value, sc_time &delay)
{
    return write_cr(CTRL_WRPKRU, value, delay);
}

mmu_ctrl_result_t mmu_tlm::wrmsr_pkrs(uint64_t value, sc_time &delay)
{
    return write_cr(CTRL_WRPKRS, value, delay);
}

mmu_ctrl_result_t mmu_tlm::invlpg(uint64_t va, sc_time &delay)
{
    mmu_ctrl_t op;
    std::memset(&op, 0, sizeof op);
    op.kind = CTRL_INVLPG;
    op.va = va;
    return control(op, delay);
}

mmu_ctrl_result_t mmu_tlm::invpcid(unsigned type, uint64_t pcid, uint64_t va, sc_time &delay)
{
    mmu_ctrl_t op;
    std::memset(&op, 0, sizeof op);
    op.kind = CTRL_INVPCID;
    op.invpcid_type = type;
    op.pcid = pcid;
    op.va = va;
    return control(op, delay);
}

}   // namespace mmulab
