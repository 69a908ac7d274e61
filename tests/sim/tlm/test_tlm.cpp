// Tests of the SystemC module (sim/tlm/mmu_tlm.h), one binary in `make test`:
//
// 1. Seeded stimulus, model vs RTL: the constrained-random generator (sim/stimgen.h) drives one
//    platform per backend and paging mode (32-bit, PAE, 4-level, 5-level) through b_transport
//    and the control interface, with DMI requests and transport_dbg on a seeded subset of the
//    accesses. Its own self-checks run on every platform (an independent walk of its tables,
//    the architectural state after each control operation...), and the two backends' logs
//    (response status, end time, extension, control results, every memory transaction with
//    its time and data, DMI grants and invalidations, debug answers) must be identical.
//    A difference prints the first differing line of each and the command that replays it.
// 2. Directed, on both backends, expectations from the SDM (Vol. 3A chapter 4):
//    the #PF / #GP syndrome of a fault response; transport_dbg changes nothing (memory image,
//    statistics, A bits, no memory transaction) while a b_transport to the same page does set
//    A; DMI is refused without A (or D for writes) and clipped to the page and the memory's
//    region; each invalidation reaches upstream with exactly the granted range it affects.
//
// Usage: test_tlm [--seed N] [--ops N] [--mode all|32bit|pae|4level|5level] [--no-directed]
#include "mmu_tlm.h"
#include "sg_backend.h"
#include "tlm_memory.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "config.h"
#include "names.h"
#include "ptbuild.h"
#include "stimgen.h"
}

using namespace sc_core;
using namespace mmulab;

namespace {

const sc_time kPeriod(1, SC_NS);
const sc_time kMemLatency(7, SC_NS);
int failures = 0;

// --- platforms -------------------------------------------------------------------------------

struct platform {
    tlm_cpu *cpu;
    mmu_tlm *mmu;
    physmem_memory *memory;
    mmu_backend backend;
};

platform make_platform(const std::string &name, const mmu_config_t &cfg, mmu_backend b, physmem_t *pm)
{
    platform p;
    p.backend = b;
    p.cpu = new tlm_cpu((name + "_cpu").c_str());
    p.mmu = new mmu_tlm((name + "_mmu").c_str(), cfg, b, kPeriod, pm);
    p.memory = new physmem_memory((name + "_mem").c_str(), pm, kMemLatency);
    p.cpu->sock.bind(p.mmu->cpu);
    p.mmu->mem.bind(p.memory->socket);
    return p;
}

// --- 1. seeded stimulus ----------------------------------------------------------------------

struct seeded_run {
    platform plat;
    paging_mode_t mode;
    std::vector<std::string> log;
    sg_report_t rep{};
    bool done = false;
};

backend_t *make_tlm_backend(void *ctx, backend_kind_t, const mmu_config_t *, physmem_t *mem, char *err)
{
    auto *r = static_cast<seeded_run *>(ctx);
    r->plat.mmu->set_backing(mem);
    r->plat.memory->set_backing(mem);
    return tlm_backend_create({ r->plat.cpu, r->plat.mmu, r->plat.memory }, 0x5eed, &r->log, err);
}

void run_seeded(seeded_run *r, uint64_t seed, uint64_t ops)
{
    sg_opts_t o;
    sg_defaults(&o);
    o.seed = seed;
    o.ops = ops;
    o.mode = r->mode;
    o.replay = false;
    o.rerun = false;
    o.make_backend = make_tlm_backend;
    o.make_ctx = r;
    sg_run(&o, &r->rep, nullptr);
    r->done = true;
}

bool compare_seeded(seeded_run &m, seeded_run &t, uint64_t seed, uint64_t ops, const char *argv0)
{
    bool ok = true;
    for (seeded_run *r : { &m, &t })
        if (r->rep.status != 0) {
            std::printf("FAIL seeded %s %s: stimgen: %s\n", names_mode(r->mode), backend_name(r->plat.backend),
                        r->rep.failure);
            ok = false;
        }
    for (seeded_run *r : { &m, &t })
        for (const std::string &l : r->log)
            if (!l.compare(0, 4, "FAIL")) {
                std::printf("FAIL seeded %s %s: %s\n", names_mode(r->mode), backend_name(r->plat.backend), l.c_str());
                ok = false;
                break;
            }
    size_t n = m.log.size() < t.log.size() ? m.log.size() : t.log.size();
    size_t i = 0;
    while (i < n && m.log[i] == t.log[i])
        i++;
    if (i < n || m.log.size() != t.log.size()) {
        std::printf("FAIL seeded %s: model and rtl differ at event %zu of %zu/%zu\n  model: %s\n  rtl:   %s\n",
                    names_mode(m.mode), i, m.log.size(), t.log.size(), i < m.log.size() ? m.log[i].c_str() : "(end)",
                    i < t.log.size() ? t.log[i].c_str() : "(end)");
        ok = false;
    }
    if (!ok) {
        std::printf("  replay: %s --seed %" PRIu64 " --ops %" PRIu64 " --mode %s --no-directed\n", argv0, seed, ops,
                    names_mode(m.mode));
        return false;
    }
    size_t accesses = 0, mems = 0, dmis = 0, invs = 0, ctrls = 0;
    for (const std::string &l : m.log) {
        accesses += !l.compare(0, 7, "access ");
        mems += !l.compare(0, 4, "mem ");
        dmis += !l.compare(0, 4, "dmi ");
        invs += !l.compare(0, 15, "dmi-invalidate ");
        ctrls += !l.compare(0, 8, "control ");
    }
    std::printf("ok   seeded %-6s seed %" PRIu64 ": %zu events identical (%zu accesses, %zu control, %zu memory "
                "transactions, %zu DMI requests, %zu DMI invalidations), stimgen checks %" PRIu64 "; %s\n",
                names_mode(m.mode), seed, m.log.size(), accesses, ctrls, mems, dmis, invs, m.rep.checks,
                m.log.empty() ? "" : m.log.back().c_str());
    if (const char *dir = std::getenv("TEST_TLM_DUMP"))   // the logs, for reading
        for (seeded_run *r : { &m, &t }) {
            std::string path = std::string(dir) + "/" + names_mode(m.mode) + "." + backend_name(r->plat.backend) + ".log";
            if (FILE *f = std::fopen(path.c_str(), "w")) {
                for (const std::string &l : r->log)
                    std::fprintf(f, "%s\n", l.c_str());
                std::fclose(f);
            }
        }
    if (accesses == 0 || mems == 0) {
        std::printf("FAIL seeded %s: the stimulus made no accesses or memory transactions\n", names_mode(m.mode));
        return false;
    }
    return true;
}

// --- 2. directed -----------------------------------------------------------------------------

#define CHECK(cond, ...)                                                                     \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            std::printf("FAIL directed %s line %d: %s: ", backend_name(p.backend), __LINE__, #cond); \
            std::printf(__VA_ARGS__);                                                        \
            std::printf("\n");                                                               \
            failures++;                                                                      \
        }                                                                                    \
    } while (0)

// VAs of the directed address space (4-level paging)
const uint64_t VA_RW = 0x400000, VA_NOA = 0x401000, VA_RO = 0x402000, VA_GLOBAL = 0x403000, VA_CLEAN = 0x404000,
               VA_LATER = 0x405000, VA_2M = 0x40000000, VA_UNMAPPED = 0x600000;

struct directed_env {
    platform p;
    physmem_t *pm;
    ptbuild_t pt;
};

void build_tables(directed_env &e)
{
    physmem_set_frame_range(e.pm, 0x100000, 0x200000);
    if (ptb_init(&e.pt, e.pm, PAGING_4LEVEL) != 0)
        std::abort();
    const uint64_t u = PTE_P | PTE_US;
    int rc = ptb_map(&e.pt, VA_RW, 0x200000, 12, u | PTE_RW | PTE_A | PTE_D, PTB_TABLE_FLAGS) |
             ptb_map(&e.pt, VA_NOA, 0x201000, 12, u | PTE_RW, PTB_TABLE_FLAGS) |
             ptb_map(&e.pt, VA_RO, 0x202000, 12, u | PTE_A | PTE_D, PTB_TABLE_FLAGS) |
             ptb_map(&e.pt, VA_GLOBAL, 0x203000, 12, PTE_P | PTE_RW | PTE_G | PTE_A | PTE_D, PTB_TABLE_FLAGS) |
             ptb_map(&e.pt, VA_CLEAN, 0x204000, 12, u | PTE_RW | PTE_A, PTB_TABLE_FLAGS) |
             ptb_map(&e.pt, VA_LATER, 0x205000, 12, u | PTE_RW | PTE_A | PTE_D, PTB_TABLE_FLAGS) |
             ptb_map(&e.pt, VA_2M, 0x400000, 21, u | PTE_RW | PTE_A | PTE_D, PTB_TABLE_FLAGS);
    if (rc != 0)
        std::abort();
    physmem_poke64(e.pm, 0x200000, 0x1122334455667788ull);
}

struct access_out {
    tlm::tlm_response_status status;
    mmu_result_t res;
    uint64_t data;
};

access_out do_access(platform &p, uint64_t va, mmu_access_t acc, uint8_t cpl, sc_time &delay, unsigned len = 8)
{
    tlm::tlm_generic_payload t;
    mmu_ext ext;
    ext.access = acc;
    ext.cpl = cpl;
    uint64_t data = 0;
    t.set_extension(&ext);
    t.set_command(acc == ACC_WRITE ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    t.set_address(va);
    t.set_data_ptr(reinterpret_cast<unsigned char *>(&data));
    t.set_data_length(len);
    t.set_streaming_width(len);
    p.cpu->sock->b_transport(t, delay);
    t.clear_extension(&ext);
    return { t.get_response_status(), ext.result, data };
}

bool dmi_of(platform &p, uint64_t va, bool write, tlm::tlm_dmi &dmi)
{
    tlm::tlm_generic_payload t;
    mmu_ext ext;
    ext.access = write ? ACC_WRITE : ACC_READ;
    ext.cpl = 3;
    t.set_extension(&ext);
    t.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    t.set_address(va);
    bool ok = p.cpu->sock->get_direct_mem_ptr(t, dmi);
    t.clear_extension(&ext);
    return ok;
}

void copy_page(void *ctx, paddr_t pa, const uint8_t *page)
{
    for (unsigned i = 0; i < PAGE_SIZE; i += 8) {
        uint64_t v;
        std::memcpy(&v, page + i, 8);
        physmem_poke64(static_cast<physmem_t *>(ctx), pa + i, v);
    }
}

using inv_list = std::vector<std::pair<uint64_t, uint64_t>>;
inv_list take_invalidations(platform &p)
{
    inv_list l = p.cpu->invalidations;
    p.cpu->invalidations.clear();
    return l;
}

void run_directed(directed_env &e, bool *done)
{
    platform &p = e.p;
    sc_time d = SC_ZERO_TIME;
    // enter 4-level paging with PGE (SDM 4.1.2: CR4.PAE, EFER.LME, then CR0.PG)
    p.mmu->write_cr(CTRL_CR4, CR4_PAE | CR4_PGE, d);
    p.mmu->write_cr(CTRL_EFER, EFER_LME | EFER_NXE, d);
    p.mmu->write_cr(CTRL_CR3, ptb_cr3(&e.pt), d);
    mmu_ctrl_result_t cr = p.mmu->write_cr(CTRL_CR0, CR0_PG | CR0_PE | CR0_WP, d);
    CHECK(cr.fault == FAULT_NONE && p.mmu->arch_state().mode == PAGING_4LEVEL, "mode %d", p.mmu->arch_state().mode);

    // fault syndromes (SDM 4.7): user write to a read-only user page: P | W | U
    access_out a = do_access(p, VA_RO + 0xabc, ACC_WRITE, 3, d);
    CHECK(a.status == tlm::TLM_ADDRESS_ERROR_RESPONSE, "status %d", a.status);
    CHECK(a.res.fault == FAULT_PF && a.res.error_code == (PFEC_P | PFEC_W | PFEC_U), "fault %d ec 0x%x",
          a.res.fault, a.res.error_code);
    CHECK(a.res.cr2 == VA_RO + 0xabc && p.mmu->arch_state().cr2 == VA_RO + 0xabc, "cr2 0x%" PRIx64, a.res.cr2);
    // supervisor read of an unmapped page: P = 0, nothing else
    a = do_access(p, VA_UNMAPPED + 0x10, ACC_READ, 0, d);
    CHECK(a.res.fault == FAULT_PF && a.res.error_code == 0 && a.res.cr2 == VA_UNMAPPED + 0x10, "ec 0x%x cr2 0x%" PRIx64,
          a.res.error_code, a.res.cr2);
    // user fetch from a supervisor page with EFER.NXE: P | U | I (I/D set since PAE and NXE)
    a = do_access(p, VA_GLOBAL, ACC_EXEC, 3, d);
    CHECK(a.res.fault == FAULT_PF && a.res.error_code == (PFEC_P | PFEC_U | PFEC_I), "ec 0x%x", a.res.error_code);
    // non-canonical address (SDM 4.5.4 / 3.3.7.1): #GP, no #PF syndrome, CR2 unchanged
    a = do_access(p, 0x0000800000000000ull, ACC_READ, 0, d);
    CHECK(a.status == tlm::TLM_ADDRESS_ERROR_RESPONSE && a.res.fault == FAULT_GP && a.res.error_code == 0,
          "status %d fault %d", a.status, a.res.fault);
    // a success: data from the translated address, delay = completion edge
    sc_time before_call = sc_time_stamp() + d;
    a = do_access(p, VA_RW, ACC_READ, 3, d);
    CHECK(a.status == tlm::TLM_OK_RESPONSE && a.res.pa == 0x200000 && a.data == 0x1122334455667788ull,
          "status %d pa 0x%" PRIx64 " data 0x%" PRIx64, a.status, a.res.pa, a.data);
    CHECK(sc_time_stamp() + d == p.mmu->edge_time(a.res.complete_cycle + 1) + kMemLatency,
          "end %s, completion cycle %" PRIu64, (sc_time_stamp() + d).to_string().c_str(), a.res.complete_cycle);
    CHECK(a.res.issue_cycle * 1000 >= before_call.value() &&
              (a.res.issue_cycle - 1) * 1000 < before_call.value(),
          "issue cycle %" PRIu64 " for a request at %s", a.res.issue_cycle, before_call.to_string().c_str());

    // an access past the end of its page is refused (the CPU splits it), nothing forwarded
    uint64_t mem_before = p.memory->reads + p.memory->writes;
    a = do_access(p, VA_RW + 0xffc, ACC_READ, 3, d);
    CHECK(a.status == tlm::TLM_BURST_ERROR_RESPONSE && p.memory->reads + p.memory->writes == mem_before,
          "status %d", a.status);
    // translation only: TLM_IGNORE_COMMAND
    {
        tlm::tlm_generic_payload t;
        mmu_ext ext;
        ext.access = ACC_WRITE;
        t.set_extension(&ext);
        t.set_command(tlm::TLM_IGNORE_COMMAND);
        t.set_address(VA_2M + 0x1234);
        p.cpu->sock->b_transport(t, d);
        t.clear_extension(&ext);
        // the walk's reads and A/D writes reach the memory, no data access does
        CHECK(t.get_response_status() == tlm::TLM_OK_RESPONSE && ext.result.pa == 0x401234 &&
                  ext.result.page_shift == 21 && ext.result.walked &&
                  p.memory->reads + p.memory->writes ==
                      mem_before + ext.result.mem_reads + ext.result.mem_writes,
              "ignore: status %d pa 0x%" PRIx64, t.get_response_status(), ext.result.pa);
    }

    // transport_dbg changes nothing: memory image, A bit of the page, statistics, no transaction
    physmem_t *snap = physmem_create(physmem_maxphyaddr(e.pm));
    physmem_for_each_page(e.pm, copy_page, snap);
    uint64_t requests = p.mmu->stats().requests, mem_ops = p.memory->reads + p.memory->writes;
    paddr_t pte = ptb_entry_addr(&e.pt, VA_NOA, LVL_PT);
    {
        tlm::tlm_generic_payload t;
        mmu_ext ext;
        ext.access = ACC_WRITE;
        ext.cpl = 3;
        uint64_t v = 0x55aa;
        t.set_extension(&ext);
        t.set_command(tlm::TLM_READ_COMMAND);
        ext.access = ACC_READ;
        t.set_address(VA_NOA + 8);
        t.set_data_ptr(reinterpret_cast<unsigned char *>(&v));
        t.set_data_length(8);
        t.set_streaming_width(8);
        unsigned n = p.cpu->sock->transport_dbg(t);
        CHECK(n == 8 && v == 0 && ext.result.pa == 0x201008 && ext.debug, "n %u v 0x%" PRIx64 " pa 0x%" PRIx64, n, v,
              ext.result.pa);
        t.clear_extension(&ext);
    }
    paddr_t diff = 0;
    CHECK(physmem_diff(snap, e.pm, &diff) == 0, "transport_dbg changed memory at 0x%" PRIx64, diff);
    CHECK(p.mmu->stats().requests == requests && p.memory->reads + p.memory->writes == mem_ops,
          "transport_dbg counted a request or a memory transaction");
    CHECK(!(physmem_peek64(e.pm, pte) & PTE_A), "transport_dbg set A");
    // ... whereas a real access sets A (SDM 4.8), so the checks above can fail
    a = do_access(p, VA_NOA + 8, ACC_READ, 3, d);
    CHECK(a.status == tlm::TLM_OK_RESPONSE && (physmem_peek64(e.pm, pte) & PTE_A), "b_transport did not set A");
    physmem_destroy(snap);
    physmem_poke64(e.pm, pte, physmem_peek64(e.pm, pte) & ~PTE_A);   // A = 0 again, for DMI below
    p.mmu->invlpg(VA_NOA, d);

    // DMI: granted only where a direct access needs nothing from the MMU, clipped to the page
    tlm::tlm_dmi dmi;
    take_invalidations(p);
    CHECK(!dmi_of(p, VA_NOA, false, dmi), "DMI granted on a page with A = 0");
    CHECK(dmi_of(p, VA_CLEAN, false, dmi) && dmi.is_read_allowed() && !dmi.is_write_allowed(),
          "read DMI on a clean page: not granted, or writable with D = 0");
    CHECK(!dmi_of(p, VA_CLEAN, true, dmi), "write DMI granted with D = 0");
    CHECK(!dmi_of(p, VA_RO, true, dmi), "write DMI granted on a read-only page");
    CHECK(dmi_of(p, VA_RW + 0x10, true, dmi) && dmi.get_start_address() == VA_RW &&
              dmi.get_end_address() == VA_RW + 0xfff && dmi.is_write_allowed(),
          "4K page: 0x%" PRIx64 "..0x%" PRIx64, (uint64_t)dmi.get_start_address(), (uint64_t)dmi.get_end_address());
    uint64_t via;
    std::memcpy(&via, dmi.get_dmi_ptr() + 0, 8);
    CHECK(via == 0x1122334455667788ull, "DMI pointer reads 0x%" PRIx64, via);
    // 2 MiB page: the memory grants 4 KiB pages, the MMU passes the 4 KiB piece of the VA range
    CHECK(dmi_of(p, VA_2M + 0x123456, false, dmi) && dmi.get_start_address() == VA_2M + 0x123000 &&
              dmi.get_end_address() == VA_2M + 0x123fff,
          "2M page: 0x%" PRIx64 "..0x%" PRIx64, (uint64_t)dmi.get_start_address(), (uint64_t)dmi.get_end_address());
    // the global page (supervisor: a user DMI request is refused, SDM 4.6.1)
    CHECK(!dmi_of(p, VA_GLOBAL, false, dmi), "user DMI on a supervisor page");
    {
        tlm::tlm_generic_payload t;
        t.set_command(tlm::TLM_READ_COMMAND);   // no extension: CPL 0 read
        t.set_address(VA_GLOBAL);
        CHECK(p.cpu->sock->get_direct_mem_ptr(t, dmi), "supervisor DMI on the global page refused");
    }
    CHECK(dmi_of(p, VA_LATER, false, dmi), "DMI for the page that will fault");
    CHECK(take_invalidations(p).empty(), "an invalidation while granting");
    inv_list l;

    // the memory revokes a physical range: the grants over it go, in their virtual range
    p.memory->invalidate_dmi(0x200800, 0x200900);
    l = take_invalidations(p);
    CHECK(l.size() == 1 && l[0].first == VA_RW && l[0].second == VA_RW + 0xfff, "memory invalidation: %zu calls",
          l.size());
    CHECK(dmi_of(p, VA_RW + 0x10, true, dmi), "re-grant after the memory's invalidation");
    // INVLPG (SDM 4.10.4.1): exactly the granted range holding the address
    p.mmu->invlpg(VA_2M + 0x123999, d);
    l = take_invalidations(p);
    CHECK(l.size() == 1 && l[0].first == VA_2M + 0x123000 && l[0].second == VA_2M + 0x123fff, "INVLPG: %zu calls",
          l.size());
    p.mmu->invlpg(0x777000, d);
    CHECK(take_invalidations(p).empty(), "INVLPG of an address with no grant called upstream");
    // #PF (SDM 4.10.4.1: a page fault invalidates the faulting address's translations)
    physmem_poke64(e.pm, ptb_entry_addr(&e.pt, VA_LATER, LVL_PT), 0);
    a = do_access(p, VA_LATER + 4, ACC_READ, 3, d);
    l = take_invalidations(p);
    CHECK(a.res.fault == FAULT_PF && l.size() == 1 && l[0].first == VA_LATER && l[0].second == VA_LATER + 0xfff,
          "#PF: fault %d, %zu calls", a.res.fault, l.size());
    // the same page granted twice is one region: one invalidation below
    CHECK(dmi_of(p, VA_RW + 0x20, false, dmi) && take_invalidations(p).empty(), "second grant of a page");
    // MOV CR3 with PCIDE = 0 (SDM 4.10.4.1): every non-global translation, the global one stays
    p.mmu->write_cr(CTRL_CR3, ptb_cr3(&e.pt), d);
    l = take_invalidations(p);
    bool got_rw = false, got_clean = false, got_global = false;
    for (auto &r : l) {
        got_rw |= r.first == VA_RW && r.second == VA_RW + 0xfff;
        got_clean |= r.first == VA_CLEAN && r.second == VA_CLEAN + 0xfff;
        got_global |= r.first <= VA_GLOBAL && r.second >= VA_GLOBAL;
    }
    CHECK(l.size() == 2 && got_rw && got_clean && !got_global, "CR3: %zu calls", l.size());
    // INVPCID type 2 (all, global included): one call for everything
    p.mmu->invpcid(2, 0, 0, d);
    l = take_invalidations(p);
    CHECK(l.size() == 1 && l[0].first == 0 && l[0].second == ~0ull, "INVPCID 2: %zu calls", l.size());
    CHECK(p.mmu->dmi_grants().empty(), "grants left after a full flush");
    // a #GP control operation invalidates nothing (CR4.PCIDE with CR3[11:0] != 0 is fine here,
    // so use a reserved CR4 bit: SDM 2.5, MOV to CR4 with a reserved bit set -> #GP)
    CHECK(dmi_of(p, VA_RW, false, dmi), "re-grant");
    take_invalidations(p);
    cr = p.mmu->write_cr(CTRL_CR4, CR4_PAE | CR4_PGE | (1ull << 40), d);
    CHECK(cr.fault == FAULT_GP && take_invalidations(p).empty(), "#GP CR4 write: fault %d", cr.fault);
    wait(d);
    *done = true;
}

}   // namespace

int sc_main(int argc, char **argv)
{
    uint64_t seed = 1, ops = 1500;
    std::string mode_arg = "all";
    bool directed = true;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--seed" && i + 1 < argc)
            seed = std::strtoull(argv[++i], nullptr, 0);
        else if (a == "--ops" && i + 1 < argc)
            ops = std::strtoull(argv[++i], nullptr, 0);
        else if (a == "--mode" && i + 1 < argc)
            mode_arg = argv[++i];
        else if (a == "--no-directed")
            directed = false;
        else {
            std::fprintf(stderr, "test_tlm: unknown argument '%s' (--seed N --ops N --mode M --no-directed)\n",
                         argv[i]);
            return 2;
        }
    }
    std::vector<paging_mode_t> modes;
    paging_mode_t only = PAGING_OFF;
    bool all = mode_arg == "all";
    if (!all && names_parse_mode(mode_arg.c_str(), &only) != 0)
        only = PAGING_OFF;   // rejected below
    for (paging_mode_t m : { PAGING_32, PAGING_PAE, PAGING_4LEVEL, PAGING_5LEVEL })
        if (all || m == only)
            modes.push_back(m);
    if (modes.empty()) {
        std::fprintf(stderr, "test_tlm: unknown mode '%s' (all 32bit pae 4level 5level)\n", mode_arg.c_str());
        return 2;
    }
    // an SC_REPORT_ERROR must not unwind through the C generator: print and abort
    sc_report_handler::set_actions(SC_ERROR, SC_DISPLAY | SC_ABORT);
    tlm::tlm_global_quantum::instance().set(sc_time(1, SC_US));
    mmu_config_t cfg;
    config_defaults(&cfg);

    std::vector<seeded_run *> runs;
    for (paging_mode_t m : modes)
        for (mmu_backend b : { mmu_backend::model, mmu_backend::rtl }) {
            auto *r = new seeded_run;
            r->mode = m;
            r->plat = make_platform(std::string("sg_") + names_mode(m) + "_" + backend_name(b), cfg, b, nullptr);
            runs.push_back(r);
        }
    std::vector<directed_env *> envs;
    std::vector<bool> directed_done;
    if (directed)
        for (mmu_backend b : { mmu_backend::model, mmu_backend::rtl }) {
            auto *e = new directed_env;
            e->pm = physmem_create((unsigned)cfg.maxphyaddr);
            build_tables(*e);
            e->p = make_platform(std::string("directed_") + backend_name(b), cfg, b, e->pm);
            envs.push_back(e);
        }
    static bool dir_done[2] = { false, false };
    sc_spawn_options big;
    big.set_stack_size(32 << 20);   // the generator's frames
    for (seeded_run *r : runs)
        sc_spawn([r, seed, ops] { run_seeded(r, seed, ops); }, nullptr, &big);
    for (size_t i = 0; i < envs.size(); i++)
        sc_spawn([&envs, i] { run_directed(*envs[i], &dir_done[i]); }, nullptr, &big);
    sc_spawn([&] {
        for (;;) {
            bool all = true;
            for (seeded_run *r : runs)
                all = all && r->done;
            for (size_t i = 0; i < envs.size(); i++)
                all = all && dir_done[i];
            if (all)
                break;
            wait(sc_time(10, SC_US));
        }
        sc_stop();
    });
    sc_start();

    bool ok = failures == 0;
    for (size_t i = 0; i + 1 < runs.size(); i += 2)
        ok = compare_seeded(*runs[i], *runs[i + 1], seed, ops, argv[0]) && ok;
    if (directed && failures == 0)
        std::printf("ok   directed: fault syndromes, transport_dbg without side effects, DMI grants and "
                    "invalidation ranges (model and rtl)\n");
    for (seeded_run *r : runs) {
        sg_report_free(&r->rep);
        delete r->plat.cpu;
        delete r->plat.mmu;
        delete r->plat.memory;
        delete r;
    }
    for (directed_env *e : envs) {
        delete e->p.cpu;
        delete e->p.mmu;
        delete e->p.memory;
        physmem_destroy(e->pm);
        delete e;
    }
    std::printf("test_tlm: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
