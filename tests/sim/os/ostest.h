/* Support of the OS-layer unit tests: boots an os_t on model backends (one
 * per CPU over one physical memory) and reads translations back through the
 * MMU. Static helpers, included by each test file; they assert with cmocka. */
#ifndef MMULAB_OSTEST_H
#define MMULAB_OSTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "os.h"
#include "rng.h"

#define KIB (1ull << 10)
#define MIB (1ull << 20)
#define GIB (1ull << 30)

typedef struct {
    mmu_config_t cfg;
    physmem_t *mem;
    backend_t *be[OS_MAX_CPUS];
    unsigned ncpus;
    os_t *os;
} ot_t;

static inline ot_t *ot_boot(const os_params_t *p)
{
    ot_t *t = calloc(1, sizeof *t);
    char err[CONFIG_ERR_LEN];
    assert_non_null(t);
    config_defaults(&t->cfg);
    t->mem = physmem_create((unsigned)t->cfg.maxphyaddr);
    assert_non_null(t->mem);
    t->ncpus = p->cpus;
    for (unsigned i = 0; i < p->cpus; i++) {
        t->be[i] = backend_create(BACKEND_MODEL, &t->cfg, t->mem, err);
        assert_non_null(t->be[i]);
    }
    char oerr[OS_ERR_LEN];
    t->os = os_boot(p, t->mem, t->be, oerr, sizeof oerr);
    if (!t->os)
        fail_msg("os_boot: %s", oerr);
    return t;
}

static inline ot_t *ot_boot_mode(paging_mode_t mode)
{
    os_params_t p;
    os_params_default(&p, mode);
    return ot_boot(&p);
}

static inline void ot_free(ot_t *t)
{
    os_destroy(t->os);
    for (unsigned i = 0; i < t->ncpus; i++)
        backend_destroy(t->be[i]);
    physmem_destroy(t->mem);
    free(t);
}

/* A translation on cpu at CPL cpl, with the CR3 as it is. */
static inline mmu_result_t ot_translate(ot_t *t, unsigned cpu, vaddr_t va, mmu_access_t acc, uint8_t cpl)
{
    mmu_result_t r;
    assert_int_equal(os_translate(t->os, cpu, va, acc, cpl, &r), 0);
    return r;
}

static inline void ot_expect_pa(ot_t *t, unsigned cpu, vaddr_t va, mmu_access_t acc, paddr_t pa, unsigned shift)
{
    mmu_result_t r = ot_translate(t, cpu, va, acc, 0);
    if (r.fault != FAULT_NONE)
        fail_msg("0x%llx: fault %d ec 0x%x, expected pa 0x%llx", (unsigned long long)va, (int)r.fault,
                 (unsigned)r.error_code, (unsigned long long)pa);
    assert_int_equal(r.pa, pa);
    if (shift)
        assert_int_equal(r.page_shift, shift);
}

static inline void ot_expect_fault(ot_t *t, unsigned cpu, vaddr_t va, mmu_access_t acc, uint8_t cpl)
{
    mmu_result_t r = ot_translate(t, cpu, va, acc, cpl);
    if (r.fault == FAULT_NONE)
        fail_msg("0x%llx translated to 0x%llx, expected a fault", (unsigned long long)va, (unsigned long long)r.pa);
}

static inline mm_struct_t *ot_proc(ot_t *t, const char *name)
{
    mm_struct_t *mm = os_mm_create(t->os, name);
    if (!mm)
        fail_msg("os_mm_create: %s", t->os->err);
    return mm;
}

/* Context switch on cpu to mm, as the `switch` verb does. */
static inline void ot_switch(ot_t *t, unsigned cpu, mm_struct_t *mm)
{
    assert_int_equal(os_kernel_entry(t->os, cpu), 0);
    assert_int_equal(switch_mm_irqs_off(t->os, cpu, mm), 0);
    t->os->cpu[cpu].current_mm = mm;
}

static inline os_access_t ot_touch(ot_t *t, unsigned cpu, vaddr_t va, mmu_access_t acc)
{
    os_access_t a;
    if (os_user_access(t->os, cpu, va, acc, &a) < 0)
        fail_msg("os_user_access: %s", t->os->err);
    return a;
}

static inline os_access_t ot_ktouch(ot_t *t, unsigned cpu, vaddr_t va, mmu_access_t acc)
{
    os_access_t a;
    if (os_kernel_access(t->os, cpu, va, acc, &a) < 0)
        fail_msg("os_kernel_access: %s", t->os->err);
    return a;
}

static inline uint64_t ot_cr3(ot_t *t, unsigned cpu)
{
    mmu_arch_t st;
    backend_arch_state(t->be[cpu], &st);
    return st.cr3;
}

#endif
