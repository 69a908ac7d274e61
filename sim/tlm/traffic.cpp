// The example platform's traffic generator (see traffic.h): the OS layer booted and the demo's
// workload run through the MMU module.
#include "traffic.h"

#include <cstdlib>

using namespace sc_core;

namespace mmulab {

traffic_gen::traffic_gen(sc_module_name name, const demo_opts_t &opts, mmu_tlm &mmu, physmem_t *mem)
    : sc_module(name), cpu("cpu"), opts_(opts), mmu_(mmu), mem_(mem)
{
    SC_HAS_PROCESS(traffic_gen);
    SC_THREAD(run);
}

traffic_gen::~traffic_gen()
{
    os_destroy(os_);
    if (be_)
        backend_destroy(be_);
    wl_destroy(w_);
    std::free(procs_);
}

void traffic_gen::fail(const std::string &what)
{
    error = what;
    done = true;
    done_ev.notify(SC_ZERO_TIME);
}

void traffic_gen::run()
{
    char err[WL_OS_ERR_LEN > CONFIG_ERR_LEN ? WL_OS_ERR_LEN : CONFIG_ERR_LEN] = "";
    char werr[WL_ERR_LEN] = "";
    if (opts_.osp.cpus != 1 || opts_.mx.threads != 1)
        return fail("the platform has one MMU: --cpus and --threads must be 1");
    tlm_platform_refs refs{ &cpu, &mmu_, nullptr };
    if (!(be_ = tlm_backend_create(refs, 0, nullptr, err)))
        return fail(err);
    backend_t *cpus[1] = { be_ };
    if (!(os_ = os_boot(&opts_.osp, mem_, cpus, err, sizeof err)))
        return fail(std::string("os boot: ") + err);
    if (!(w_ = wl_create_stream(&opts_.wp, werr)))
        return fail(werr);
    procs_ = static_cast<wl_os_procs_t *>(std::calloc(1, sizeof *procs_));
    if (!procs_)
        return fail("out of memory");
    if (wl_os_prepare(os_, wl_params(w_), &opts_.mx, procs_, &base_, err) != 0)
        return fail(err);
    char line[1024];
    wl_describe(w_, line, sizeof line);
    describe = line;
    if (wl_os_run(os_, w_, &opts_.mx, procs_, &run_stats, err) != 0)
        return fail(err);
    backend_finish(be_);   // the quantum keeper's sync
    traffic = tlm_backend_traffic(be_);
    ok = true;
    done = true;
    done_ev.notify(SC_ZERO_TIME);
}

}   // namespace mmulab
