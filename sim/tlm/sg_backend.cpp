// backend_t over an mmu_tlm platform, with the event log (see sg_backend.h).
#include "sg_backend.h"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern "C" {
#include "rng.h"
}

using namespace sc_core;

namespace mmulab {

tlm_cpu::tlm_cpu(sc_module_name name) : sc_module(name), sock("sock")
{
    sock.register_invalidate_direct_mem_ptr(this, &tlm_cpu::invalidate);
}

void tlm_cpu::invalidate(sc_dt::uint64 start, sc_dt::uint64 end)
{
    invalidations.emplace_back(start, end);
    if (log) {
        char b[96];
        std::snprintf(b, sizeof b, "dmi-invalidate 0x%" PRIx64 "..0x%" PRIx64, (uint64_t)start, (uint64_t)end);
        log->push_back(b);
    }
}

namespace {

struct pending {
    mmu_req_t req;
    mmu_result_t *out;
};

struct tlm_be {
    tlm_platform_refs p;
    std::vector<std::string> *log;
    std::vector<mem_record> mem_log;
    std::vector<pending> queue;
    tlm_utils::tlm_quantumkeeper qk;
    rng_t rng;   // the shared generator (sim/core/rng.h): a seed means the same stream everywhere
    uint64_t ops = 0;
    uint64_t dbg_checks = 0;
    uint64_t accesses[3] = { 0, 0, 0 }, faults = 0, errors = 0;   // tlm_backend_traffic
};

void line(tlm_be *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void line(tlm_be *b, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    b->log->push_back(buf);
}

void flush_mem_log(tlm_be *b)
{
    for (const mem_record &r : b->mem_log)
        line(b, "mem %s @%" PRIu64 "ps 0x%" PRIx64 " len %u data 0x%" PRIx64, r.write ? "write" : "read",
             (uint64_t)r.when.value(), r.addr, r.len, r.data);
    b->mem_log.clear();
}

std::string result_text(const mmu_result_t &r)
{
    char buf[400];
    std::snprintf(buf, sizeof buf,
                  "seq %" PRIu64 " va 0x%" PRIx64 " %s cpl %u port %u pa 0x%" PRIx64 " fault %s ec 0x%x cr2 0x%" PRIx64
                  " cycles %" PRIu64 "/%" PRIu64 "/%" PRIu64 " tlb %u pwc %u shift %u walked %d assist %d mem %u/%u",
                  r.seq, r.va, mmu_access_name(r.access), r.cpl, (unsigned)r.port, r.pa, mmu_fault_name(r.fault),
                  r.error_code, r.cr2, r.issue_cycle, r.accept_cycle, r.complete_cycle, (unsigned)r.tlb_hit, r.pwc_hit,
                  r.page_shift, r.walked, r.dirty_assist, r.mem_reads, r.mem_writes);
    return buf;
}

// The delay that puts a call at the start of `cycle` (or now, if that has passed).
sc_time delay_to(tlm_be *b, uint64_t cycle)
{
    sc_time want = b->p.mmu->edge_time(cycle), now = b->qk.get_current_time();
    return (want > now ? want : now) - sc_time_stamp();
}

void dmi_and_dbg(tlm_be *b, const mmu_req_t &req)
{
    tlm_cpu *cpu = b->p.cpu;
    tlm::tlm_generic_payload t;
    mmu_ext ext;
    ext.access = req.access;
    ext.cpl = req.cpl;
    ext.ac = req.ac;
    ext.implicit = req.implicit;
    t.set_extension(&ext);
    t.set_address(req.va);
    t.set_command(req.access == ACC_WRITE ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    tlm::tlm_dmi dmi;
    bool ok = cpu->sock->get_direct_mem_ptr(t, dmi);
    if (ok) {
        // the byte the pointer gives for va must be the byte at the translated address
        uint8_t via_ptr = dmi.get_dmi_ptr()[req.va - dmi.get_start_address()];
        line(b, "dmi 0x%" PRIx64 " granted 0x%" PRIx64 "..0x%" PRIx64 " r%d w%d lat %" PRIu64 "/%" PRIu64 " byte 0x%02x",
             req.va, (uint64_t)dmi.get_start_address(), (uint64_t)dmi.get_end_address(), dmi.is_read_allowed(),
             dmi.is_write_allowed(), (uint64_t)dmi.get_read_latency().value(),
             (uint64_t)dmi.get_write_latency().value(), via_ptr);
    } else {
        line(b, "dmi 0x%" PRIx64 " refused", req.va);
    }
    uint8_t data[8] = { 0 };
    t.set_command(tlm::TLM_READ_COMMAND);
    if (req.access == ACC_WRITE)
        ext.access = ACC_READ;
    t.set_data_ptr(data);
    t.set_data_length(1);
    t.set_streaming_width(1);
    unsigned n = cpu->sock->transport_dbg(t);
    line(b, "dbg 0x%" PRIx64 " -> %u bytes 0x%02x fault %s ec 0x%x pa 0x%" PRIx64 " shift %u", req.va, n, data[0],
         mmu_fault_name(ext.result.fault), ext.result.error_code, ext.result.pa, ext.result.page_shift);
    t.clear_extension(&ext);
}

// A translation that walked from the top (no paging-structure cache) read the tables as they
// are now, but for its own A/D writes: the debug walk must give the same answer. A difference
// is logged as a line starting with "FAIL" (the same on both backends, so the test looks for it).
void check_dbgwalk(tlm_be *b, const mmu_req_t &req, const mmu_result_t &res)
{
    tlm::tlm_generic_payload t;
    mmu_ext ext;
    ext.access = req.access;
    ext.cpl = req.cpl;
    ext.ac = req.ac;
    ext.implicit = req.implicit;
    t.set_extension(&ext);
    t.set_address(req.va);
    t.set_command(tlm::TLM_IGNORE_COMMAND);   // the translation only
    b->p.cpu->sock->transport_dbg(t);
    t.clear_extension(&ext);
    const mmu_result_t &d = ext.result;
    b->dbg_checks++;
    bool same = d.fault == res.fault &&
                (res.fault == FAULT_PF ? d.error_code == res.error_code
                                       : res.fault != FAULT_NONE || (d.pa == res.pa && d.page_shift == res.page_shift));
    if (!same)
        line(b, "FAIL debug walk of 0x%" PRIx64 " %s: fault %s ec 0x%x pa 0x%" PRIx64 " shift %u, the MMU's walk: "
                "fault %s ec 0x%x pa 0x%" PRIx64 " shift %u",
             req.va, mmu_access_name(req.access), mmu_fault_name(d.fault), d.error_code, d.pa, d.page_shift,
             mmu_fault_name(res.fault), res.error_code, res.pa, res.page_shift);
}

void do_access(tlm_be *b, const pending &p)
{
    const mmu_req_t &req = p.req;
    const bool checked = b->log != nullptr;
    tlm::tlm_generic_payload t;
    mmu_ext ext;
    ext.access = req.access;
    ext.cpl = req.cpl;
    ext.ac = req.ac;
    ext.implicit = req.implicit;
    uint64_t data = 0;
    if (checked) {
        // Reads (and fetches) read the byte at va; writes are translated only
        // (TLM_IGNORE_COMMAND): the generator's pages may alias its page tables.
        t.set_command(req.access == ACC_WRITE ? tlm::TLM_IGNORE_COMMAND : tlm::TLM_READ_COMMAND);
        t.set_data_length(1);
        t.set_streaming_width(1);
    } else {
        // A plain driver's access moves data: up to 8 bytes, to the next 8-byte boundary (never
        // past the page); a write stores its address (the OS layer's pages never alias tables).
        const unsigned len = 8 - (unsigned)(req.va & 7);
        t.set_command(req.access == ACC_WRITE ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        t.set_data_length(len);
        t.set_streaming_width(len);
        if (req.access == ACC_WRITE)
            data = req.va;
    }
    t.set_address(req.va);
    t.set_data_ptr(reinterpret_cast<unsigned char *>(&data));
    t.set_extension(&ext);
    sc_time delay = delay_to(b, req.issue_cycle);
    b->p.cpu->sock->b_transport(t, delay);
    t.clear_extension(&ext);
    b->accesses[req.access]++;
    if (t.get_response_status() == tlm::TLM_ADDRESS_ERROR_RESPONSE)
        b->faults++;
    else if (t.is_response_error())
        b->errors++;
    if (checked) {
        flush_mem_log(b);
        line(b, "access %s end @%" PRIu64 "ps data 0x%02x | %s", t.get_response_string().c_str(),
             (uint64_t)(sc_time_stamp() + delay).value(), (unsigned)(data & 0xff), result_text(ext.result).c_str());
    }
    b->qk.set(delay);
    if (b->qk.need_sync())
        b->qk.sync();
    *p.out = ext.result;
    if (!checked)
        return;
    if (ext.result.walked && !ext.result.pwc_hit)
        check_dbgwalk(b, req, ext.result);
    if (rng_below(&b->rng, 8) == 0)
        dmi_and_dbg(b, req);
}

int be_submit(void *impl, const mmu_req_t *req, mmu_result_t *out)
{
    auto *b = static_cast<tlm_be *>(impl);
    if (req->cpl > 3 || (unsigned)req->access > ACC_EXEC)
        return -1;
    b->queue.push_back(pending{ *req, out });
    return 0;
}

int be_sync(void *impl)
{
    auto *b = static_cast<tlm_be *>(impl);
    for (const pending &p : b->queue)
        do_access(b, p);
    b->queue.clear();
    return 0;
}

int be_control(void *impl, const mmu_ctrl_t *op, mmu_ctrl_result_t *out)
{
    auto *b = static_cast<tlm_be *>(impl);
    be_sync(impl);
    sc_time delay = delay_to(b, op->issue_cycle);
    *out = b->p.mmu->control(*op, delay);
    if (b->log) {
        flush_mem_log(b);
        line(b, "control %d value 0x%" PRIx64 " va 0x%" PRIx64 " type %u pcid 0x%" PRIx64 " -> %s end @%" PRIu64
                "ps cycles %" PRIu64 "/%" PRIu64 "/%" PRIu64 " loads %u tlb-inv %u pwc-inv %u",
             (int)op->kind, op->value, op->va, op->invpcid_type, op->pcid, mmu_fault_name(out->fault),
             (uint64_t)(sc_time_stamp() + delay).value(), out->issue_cycle, out->accept_cycle, out->complete_cycle,
             out->mem_reads, out->tlb_invalidated, out->pwc_invalidated);
    }
    b->qk.set(delay);
    if (b->qk.need_sync())
        b->qk.sync();
    return 0;
}

cycle_t be_horizon(const void *impl)
{
    const auto *b = static_cast<const tlm_be *>(impl);
    return b->p.mmu->horizon();
}

void be_arch(const void *impl, mmu_arch_t *out)
{
    *out = static_cast<const tlm_be *>(impl)->p.mmu->arch_state();
}

const mmu_stats_t *be_stats(const void *impl)
{
    return &static_cast<const tlm_be *>(impl)->p.mmu->stats();
}

void be_clear_stats(void *impl)
{
    static_cast<tlm_be *>(impl)->p.mmu->clear_stats();
}

int be_finish(void *impl)
{
    auto *b = static_cast<tlm_be *>(impl);
    b->qk.sync();
    return 0;
}

void be_destroy(void *impl)
{
    auto *b = static_cast<tlm_be *>(impl);
    if (b->log) {
        line(b, "debug walks checked against the MMU's walks: %" PRIu64, b->dbg_checks);
        b->p.memory->set_log(nullptr);
        b->p.cpu->log = nullptr;
    }
    delete b;
}

int be_data_access(void *impl, paddr_t pa, bool is_write)
{
    be_sync(impl);   // backend_ops_t contract: what was submitted first goes first
    static_cast<tlm_be *>(impl)->p.mmu->data_access(pa, is_write);
    return 0;
}

const backend_ops_t tlm_ops = { be_submit, be_sync,   be_control,     be_horizon, be_arch,
                                be_stats,  be_clear_stats, be_finish, be_destroy, be_data_access };

}   // namespace

backend_t *tlm_backend_create(const tlm_platform_refs &p, uint64_t dmi_seed, std::vector<std::string> *log,
                              char *err)
{
    auto *b = new tlm_be;
    b->p = p;
    b->log = log;
    rng_seed(&b->rng, dmi_seed);
    b->qk.reset();
    if (log) {
        p.memory->set_log(&b->mem_log);
        p.cpu->log = log;
    }
    // BACKEND_RTL only so that backend_model() gives no mmu_t; sg_run does not look further.
    backend_t *be = backend_wrap(BACKEND_RTL, &tlm_ops, b, err);
    if (!be) {
        if (log) {
            p.memory->set_log(nullptr);
            p.cpu->log = nullptr;
        }
        delete b;
    }
    return be;
}

tlm_traffic tlm_backend_traffic(const backend_t *be)
{
    const auto *b = static_cast<const tlm_be *>(be->impl);
    tlm_traffic t;
    for (int k = 0; k < 3; k++)
        t.accesses[k] = b->accesses[k];
    t.faults = b->faults;
    t.errors = b->errors;
    t.local_time = b->qk.get_current_time();
    return t;
}

}   // namespace mmulab
