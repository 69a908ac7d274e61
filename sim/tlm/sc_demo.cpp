// make sc-demo: the example virtual platform of docs/systemc.md.
//
//   traffic_gen --(VA)--> mmu_tlm (model | rtl) --(PA)--> physmem_memory (own latency)
//
// The generator boots the OS layer's kernel and process tables into the platform's memory
// through the MMU (traffic.h: os_boot, the CR writes by the control interface, the processes),
// then runs `mmulab demo`'s workload as their user accesses, page faults handled by the OS layer
// and retried. The options are mmulab demo's (demo_parse: the same options and seed give the same
// request sequence), so the statistics printed at the end are mmulab demo's, plus the
// platform's own figures. Either backend: the same numbers (docs/systemc.md).
//
// Usage: sc-demo [--backend model|rtl] [--period-ns N] [--mem-ns N] [mmulab demo's options]...
//        (not --json, and one CPU: no --cpus or --threads above 1)
#include "mmu_tlm.h"
#include "tlm_memory.h"
#include "traffic.h"

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "cli.h"
#include "config.h"
#include "hostclock.h"
#include "os_json.h"
#include "report.h"
}

using namespace sc_core;
using namespace mmulab;

// The program's usage, and its usage-error function: each program that links sim/cli/ defines
// the two (cli.h; mmulab's are in sim/cli/mmulab.c).
extern "C" const char cli_usage_text[] =
    "usage: sc-demo [--backend model|rtl] [--period-ns N] [--mem-ns N] [mmulab demo's options: --workload --ops "
    "--seed --mode --ws --page --kpti --procs ... --set key=value --config F]\n";

static int usage(const char *msg)
{
    std::fprintf(stderr, "sc-demo: %s\n%s", msg, cli_usage_text);
    return 2;
}

extern "C" int cli_usage_error(const char *fmt, const char *arg)
{
    std::fprintf(stderr, "sc-demo: ");
    std::fprintf(stderr, fmt, arg);
    std::fprintf(stderr, "\n%s", cli_usage_text);
    return 2;
}

int sc_main(int argc, char **argv)
{
    mmu_backend backend = mmu_backend::model;
    double period_ns = 1, mem_ns = 30;
    // the platform's own options here; every other one is mmulab demo's (demo_parse)
    std::vector<char *> demo_args{ argv[0] };
    bool ops_given = false;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            std::printf("%s(mmulab demo --help lists the demo's options; docs/systemc.md)\n", cli_usage_text);
            return 0;
        }
        std::string key = a.substr(0, a.find('='));
        if (key != "--backend" && key != "--period-ns" && key != "--mem-ns") {
            ops_given |= key == "--ops";
            demo_args.push_back(argv[i]);
            continue;
        }
        std::string val;
        if (a.find('=') != std::string::npos)
            val = a.substr(a.find('=') + 1);
        else if (i + 1 < argc)
            val = argv[++i];
        else
            return usage((key + " needs a value").c_str());
        char *end = nullptr;
        if (key == "--backend") {
            if (!parse_backend(val.c_str(), &backend))
                return usage(("unknown backend '" + val + "' (model or rtl)").c_str());
        } else {
            double v = std::strtod(val.c_str(), &end);
            if (*end || !(v > 0) || v > 1e6)
                return usage((key + ": not a positive number of nanoseconds: '" + val + "'").c_str());
            (key == "--period-ns" ? period_ns : mem_ns) = v;
        }
    }
    static const char ops_default[] = "--ops=20000";   // more with --ops N (the RTL runs ~0.3 M cycles/s)
    if (!ops_given)
        demo_args.push_back(const_cast<char *>(ops_default));
    static demo_opts_t opts;   // large (the reproduce line); lives as long as the generator
    int rc = demo_parse((int)demo_args.size(), demo_args.data(), &opts);
    if (rc)
        return rc == 1 ? 0 : rc;
    if (opts.json_out)
        return usage("--json is mmulab demo's: sc-demo prints its report only");
    if (opts.osp.cpus != 1 || opts.mx.threads != 1)
        return usage("the platform has one MMU: --cpus and --threads must be 1");

    physmem_t *mem = physmem_create((unsigned)opts.cfg.maxphyaddr);
    if (!mem)
        return usage("cannot create the platform's memory");
    // declared before the modules, so released after them
    std::unique_ptr<physmem_t, void (*)(physmem_t *)> mem_owner(mem, physmem_destroy);
    tlm::tlm_global_quantum::instance().set(sc_time(1, SC_US));
    const sc_time period(period_ns, SC_NS);
    mmu_tlm mmu("mmu", opts.cfg, backend, period, mem);
    physmem_memory memory("memory", mem, sc_time(mem_ns, SC_NS));
    traffic_gen gen("gen", opts, mmu, mem);
    gen.cpu.sock.bind(mmu.cpu);
    mmu.mem.bind(memory.socket);
    sc_spawn([&] {
        wait(gen.done_ev);
        sc_stop();   // the RTL's clock would run forever
    });
    double t0 = host_seconds();
    sc_start();
    double secs = host_seconds() - t0;
    if (!gen.ok) {
        std::fprintf(stderr, "sc-demo: %s\n", gen.error.empty() ? "the generator did not finish" : gen.error.c_str());
        return 1;
    }

    const wl_os_stats_t &st = gen.run_stats;
    const tlm_traffic &tr = gen.traffic;
    std::printf("%s\n", gen.describe.c_str());
    report_config_line(stdout, &opts.cfg);
    std::printf("platform: backend %s, clock %.3g ns, memory latency %.3g ns, quantum 1 us\n", backend_name(backend),
                period_ns, mem_ns);
    std::printf("run: %llu accesses (r/w/x %llu/%llu/%llu), %llu switches, %llu syscalls, %llu churns, %llu vmallocs, "
                "%llu SIGSEGV\n",
                (unsigned long long)st.accesses, (unsigned long long)st.by_kind[ACC_READ],
                (unsigned long long)st.by_kind[ACC_WRITE], (unsigned long long)st.by_kind[ACC_EXEC],
                (unsigned long long)st.switches, (unsigned long long)st.syscalls, (unsigned long long)st.churns,
                (unsigned long long)st.kernel_ops, (unsigned long long)st.segv);
    report_print(stdout, &mmu.stats(), nullptr, &opts.cfg);
    os_counters_print(stdout, gen.os(), &gen.os_base());
    std::printf("memory: %llu reads, %llu writes (walker and translated accesses, boot included)\n",
                (unsigned long long)memory.reads, (unsigned long long)memory.writes);
    std::printf("traffic: %llu transactions (r %llu w %llu x %llu: the stream's, the kernel's, retries), %llu fault "
                "responses, %llu errors; simulated %s; %.3f s host (boot included), %.0f transactions/s\n",
                (unsigned long long)(tr.accesses[0] + tr.accesses[1] + tr.accesses[2]),
                (unsigned long long)tr.accesses[0], (unsigned long long)tr.accesses[1],
                (unsigned long long)tr.accesses[2], (unsigned long long)tr.faults, (unsigned long long)tr.errors,
                tr.local_time.to_string().c_str(), secs, (tr.accesses[0] + tr.accesses[1] + tr.accesses[2]) / secs);
    if (backend == mmu_backend::rtl)
        std::printf("rtl: %llu clock cycles simulated, %.2f M cycles/s\n", (unsigned long long)mmu.rtl_cycles(),
                    mmu.rtl_cycles() / secs / 1e6);
    std::printf("reproduce: %s (the same run on mmulab: the statistics above)\n", opts.cmd);
    const bool bad = tr.errors || st.segv;
    return bad ? 1 : 0;
}
