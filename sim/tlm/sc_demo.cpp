// make sc-demo: the example virtual platform of docs/systemc.md.
//
//   traffic_gen --(VA)--> mmu_tlm (model | rtl) --(PA)--> physmem_memory (own latency)
//
// The generator boots the page tables into the platform's memory (boot_tables: ptbuild today,
// the OS layer later), programs the MMU through its control interface and issues the
// workload's accesses; at the end the MMU's statistics are printed as `mmulab demo` prints
// them, plus the platform's own figures. Same seed and knobs, either backend: same numbers.
//
// Usage: sc-demo [--backend model|rtl] [--period-ns N] [--mem-ns N] [--set key=value]...
//                [--KNOB VALUE]...   (the workload knobs of `mmulab demo`: --mode, --ops, --seed...)
#include "mmu_tlm.h"
#include "tlm_memory.h"
#include "traffic.h"

#include <cstdio>
#include <cstring>
#include <string>

extern "C" {
#include "config.h"
#include "hostclock.h"
#include "report.h"
}

using namespace sc_core;
using namespace mmulab;

static int usage(const char *msg)
{
    std::fprintf(stderr, "sc-demo: %s\nusage: sc-demo [--backend model|rtl] [--period-ns N] [--mem-ns N] "
                         "[--set key=value]... [--KNOB VALUE]... (workload knobs: --mode --ops --seed --workload ...)\n",
                 msg);
    return 2;
}

int sc_main(int argc, char **argv)
{
    mmu_backend backend = mmu_backend::model;
    double period_ns = 1, mem_ns = 30;
    mmu_config_t cfg;
    config_defaults(&cfg);
    wl_params_t wp;
    wl_defaults(&wp);
    wp.ops = 20000;   // --ops N for more (the RTL backend runs ~0.25 M cycles/s)
    char err[CONFIG_ERR_LEN];
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a.compare(0, 2, "--") || i + 1 >= argc)
            return usage(("bad argument '" + a + "'").c_str());
        std::string key = a.substr(2), val = argv[++i];
        char *end = nullptr;
        if (key == "backend") {
            if (!parse_backend(val.c_str(), &backend))
                return usage(("unknown backend '" + val + "' (model or rtl)").c_str());
        } else if (key == "period-ns" || key == "mem-ns") {
            double v = std::strtod(val.c_str(), &end);
            if (*end || !(v > 0) || v > 1e6)
                return usage(("--" + key + ": not a positive number of nanoseconds: '" + val + "'").c_str());
            (key == "period-ns" ? period_ns : mem_ns) = v;
        } else if (key == "set") {
            if (config_set_assignment(&cfg, val.c_str(), err) != 0)
                return usage(err);
        } else if (wl_is_key(key.c_str())) {
            char werr[WL_ERR_LEN];
            if (wl_set(&wp, key.c_str(), val.c_str(), werr) != 0)
                return usage(werr);
        } else {
            return usage(("unknown option '" + a + "'").c_str());
        }
    }
    if (config_validate(&cfg, err) != 0)
        return usage(err);
    if (wl_validate(&wp, err) != 0)
        return usage(err);

    boot_image img;
    std::string berr;
    if (!boot_tables(wp, (unsigned)cfg.maxphyaddr, img, berr))
        return usage(berr.c_str());
    tlm::tlm_global_quantum::instance().set(sc_time(1, SC_US));
    const sc_time period(period_ns, SC_NS);
    mmu_tlm mmu("mmu", cfg, backend, period, img.mem);
    physmem_memory memory("memory", img.mem, sc_time(mem_ns, SC_NS));
    traffic_gen cpu("cpu", img, mmu);
    cpu.sock.bind(mmu.cpu);
    mmu.mem.bind(memory.socket);
    sc_spawn([&] {
        wait(cpu.done_ev);
        sc_stop();   // the RTL's clock would run forever
    });
    double t0 = host_seconds();
    sc_start();
    double secs = host_seconds() - t0;

    std::printf("%s\n", img.describe.c_str());
    report_config_line(stdout, &cfg);
    std::printf("platform: backend %s, clock %.3g ns, memory latency %.3g ns, quantum 1 us\n", backend_name(backend),
                period_ns, mem_ns);
    report_print(stdout, &mmu.stats(), nullptr, &cfg);
    std::printf("memory: %llu reads, %llu writes (walker and translated accesses)\n",
                (unsigned long long)memory.reads, (unsigned long long)memory.writes);
    std::printf("traffic: %llu accesses (r %llu w %llu x %llu), %llu faults, %llu errors; simulated %s; "
                "%.3f s host, %.0f transactions/s%s\n",
                (unsigned long long)cpu.issued, (unsigned long long)cpu.by_access[0],
                (unsigned long long)cpu.by_access[1], (unsigned long long)cpu.by_access[2],
                (unsigned long long)cpu.faults, (unsigned long long)cpu.errors, cpu.finished.to_string().c_str(), secs,
                cpu.issued / secs, backend == mmu_backend::rtl ? "" : "");
    if (backend == mmu_backend::rtl)
        std::printf("rtl: %llu clock cycles simulated, %.2f M cycles/s\n", (unsigned long long)mmu.rtl_cycles(),
                    mmu.rtl_cycles() / secs / 1e6);
    boot_free(img);
    return cpu.errors ? 1 : 0;
}
