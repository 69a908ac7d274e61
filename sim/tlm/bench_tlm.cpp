// make tlm-bench (part of make bench): speed of the SystemC module.
//   --backend model: TLM transactions per second (b_transport through the module, translated
//                    read forwarded to memory), on a TLB-hit stream and a walk stream;
//   --backend rtl:   the same streams on the Verilated RTL under SystemC, as simulated clock
//                    cycles per second, to set against build/rtl/CONFIG/bench_rtl (the same
//                    RTL under the plain C++ harness, same page sets) which make runs next.
// The streams are those of sim/rtl/bench_rtl.c: 48 or 4096 4 KiB pages at 0x10000000,
// random 8-byte reads/writes/fetches; here one transaction at a time, each issued when the
// previous completed. A benchmark, not a test: always exits 0 unless it cannot run.
#include "mmu_tlm.h"
#include "tlm_memory.h"

#include <cstdio>
#include <cstring>
#include <string>

extern "C" {
#include "config.h"
#include "hostclock.h"
#include "ptbuild.h"
}

using namespace sc_core;
using namespace mmulab;

namespace {

struct bench_cpu : sc_module {
    tlm_utils::simple_initiator_socket<bench_cpu> sock;
    mmu_tlm *mmu = nullptr;
    uint64_t cr3 = 0;
    unsigned hits_n = 0, walks_n = 0;
    SC_HAS_PROCESS(bench_cpu);
    explicit bench_cpu(sc_module_name n) : sc_module(n), sock("sock") { SC_THREAD(run); }

    void stream(const char *name, unsigned pages, unsigned n, sc_time &delay)
    {
        tlm::tlm_generic_payload t;
        mmu_ext ext;
        uint64_t data = 0, x = 12345;
        t.set_extension(&ext);
        t.set_data_ptr(reinterpret_cast<unsigned char *>(&data));
        t.set_data_length(8);
        t.set_streaming_width(8);
        uint64_t c0 = mmu->rtl_cycles();
        double t0 = host_seconds();
        for (unsigned i = 0; i < n; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            ext.access = (mmu_access_t)((x >> 12) % 3);
            t.set_command(ext.access == ACC_WRITE ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
            t.set_address(0x10000000ull + ((x >> 33) % pages) * 4096 + ((x >> 20) & 0xff8));
            sock->b_transport(t, delay);
            if (t.is_response_error())
                SC_REPORT_ERROR("bench_tlm", "a bench access failed");
        }
        double dt = host_seconds() - t0;
        t.clear_extension(&ext);
        uint64_t cycles = mmu->rtl_cycles() - c0;
        if (mmu->backend() == mmu_backend::rtl)
            std::printf("systemc rtl %-20s %10llu cycles %8u transactions %7.3f s  %6.3f M cycles/s  %8.0f transactions/s\n",
                        name, (unsigned long long)cycles, n, dt, cycles / dt / 1e6, n / dt);
        else
            std::printf("systemc model %-18s %8u transactions %7.3f s  %8.3f M transactions/s\n", name, n, dt,
                        n / dt / 1e6);
    }

    void run()
    {
        sc_time d = SC_ZERO_TIME;
        mmu->write_cr(CTRL_CR4, CR4_PAE, d);
        mmu->write_cr(CTRL_EFER, EFER_LME, d);
        mmu->write_cr(CTRL_CR3, cr3, d);
        mmu->write_cr(CTRL_CR0, CR0_PE | CR0_PG, d);
        stream("hits (48 pages)", 48, hits_n, d);
        stream("walks (4096 pages)", 4096, walks_n, d);
        sc_stop();
    }
};

}   // namespace

int sc_main(int argc, char **argv)
{
    mmu_backend backend = mmu_backend::model;
    if (argc != 3 || std::strcmp(argv[1], "--backend") || !parse_backend(argv[2], &backend)) {
        std::fprintf(stderr, "usage: bench_tlm --backend model|rtl\n");
        return 2;
    }
    mmu_config_t cfg;
    config_defaults(&cfg);
    physmem_t *mem = physmem_create((unsigned)cfg.maxphyaddr);
    physmem_set_frame_range(mem, 0x100000, 0x4000000);
    ptbuild_t pt;
    ptb_init(&pt, mem, PAGING_4LEVEL);
    for (unsigned i = 0; i < 4096; i++)
        ptb_map(&pt, 0x10000000ull + 4096ull * i, 0x8000000ull + 4096ull * i, 12, PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D,
                PTB_TABLE_FLAGS);
    mmu_tlm mmu("mmu", cfg, backend, sc_time(1, SC_NS), mem);
    physmem_memory memory("memory", mem, sc_time(1, SC_NS));
    bench_cpu cpu("cpu");
    cpu.mmu = &mmu;
    cpu.cr3 = ptb_cr3(&pt);
    cpu.hits_n = backend == mmu_backend::model ? 2000000 : 200000;
    cpu.walks_n = backend == mmu_backend::model ? 200000 : 10000;
    cpu.sock.bind(mmu.cpu);
    mmu.mem.bind(memory.socket);
    sc_start();
    physmem_destroy(mem);
    return 0;
}
