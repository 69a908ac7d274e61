/* Simulation speed of the Verilated RTL (make rtl-bench): cycles per second, one
 * thread, tracing off. (1) the RTL backend on a TLB-friendly stream over both ports
 * (every cycle: the shim, the memory responder, the result bookkeeping); (2) the same
 * with a walk-heavy stream (memory port busy). */
#include "hostclock.h"
#include "ptbuild.h"
#include "rtl_mmu.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void run(const char *name, rtl_mmu_t *r, unsigned pages, unsigned n)
{
    enum { BATCH = 64 };
    mmu_req_t req[BATCH];
    mmu_result_t res[BATCH];
    uint64_t x = 12345;
    cycle_t c0 = rtl_mmu_cycle(r);
    double t0 = host_seconds();
    for (unsigned done = 0; done < n; done += BATCH) {
        cycle_t t = rtl_mmu_horizon(r);
        for (int i = 0; i < BATCH; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            req[i] = (mmu_req_t){ .va = 0x10000000ull + ((x >> 33) % pages) * 4096 + ((x >> 20) & 0xff8),
                                  .access = (mmu_access_t)((x >> 12) % 3), .issue_cycle = t + (cycle_t)i / 2 };
            if (rtl_mmu_submit(r, &req[i], &res[i]) != 0)
                abort();
        }
        rtl_mmu_sync(r);
    }
    double dt = host_seconds() - t0;
    cycle_t cycles = rtl_mmu_cycle(r) - c0;
    printf("%-28s %10llu cycles %8u requests %7.3f s  %6.2f M cycles/s\n", name, (unsigned long long)cycles, n, dt,
           (double)cycles / dt / 1e6);
}

int main(void)
{
    mmu_config_t cfg;
    char err[CONFIG_ERR_LEN];
    config_defaults(&cfg);
    physmem_t *mem = physmem_create((unsigned)cfg.maxphyaddr);
    physmem_set_frame_range(mem, 0x100000, 0x4000000);
    rtl_mmu_t *r = rtl_mmu_create(&cfg, mem, err);
    if (!r) {
        fprintf(stderr, "bench_rtl: %s\n", err);
        return 1;
    }
    ptbuild_t pt;
    ptb_init(&pt, mem, PAGING_4LEVEL);
    for (unsigned i = 0; i < 4096; i++)
        ptb_map(&pt, 0x10000000ull + 4096ull * i, 0x8000000ull + 4096ull * i, 12,
                PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D, PTB_TABLE_FLAGS);
    mmu_ctrl_result_t cr;
    mmu_ctrl_t ops[] = { { .kind = CTRL_CR4, .value = CR4_PAE }, { .kind = CTRL_EFER, .value = EFER_LME },
                         { .kind = CTRL_CR3, .value = ptb_cr3(&pt) }, { .kind = CTRL_CR0, .value = CR0_PE | CR0_PG } };
    for (int i = 0; i < 4; i++) {
        ops[i].issue_cycle = rtl_mmu_horizon(r);
        rtl_mmu_control(r, &ops[i], &cr);
    }
    run("hits (48 pages)", r, 48, 2000000);
    run("walks (4096 pages)", r, 4096, 200000);
    rtl_mmu_destroy(r);
    physmem_destroy(mem);
    return 0;
}
