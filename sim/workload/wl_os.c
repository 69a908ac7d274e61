/* A synthetic stream as processes of the OS layer (wl_os.h): the checks of the process mix,
 * the processes' set-up, and the run loop with its switches, syscalls, churns and vmallocs. */
#include "wl_os.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fail(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(char *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, WL_OS_ERR_LEN, fmt, ap);
    va_end(ap);
    return -1;
}

static unsigned vma_prot(const wl_params_t *p)
{
    return PROT_R | PROT_W | (p->frac_exec > 0 ? PROT_X : 0);
}

int wl_os_check(const wl_os_mix_t *mx, const wl_params_t *p, const os_t *os, char *err)
{
    if (mx->procs < 1 || mx->procs > WL_OS_MAX_PROCS)
        return fail(err, "--procs %u: want 1..%u", mx->procs, WL_OS_MAX_PROCS);
    if (mx->switch_every && mx->procs < 2)
        return fail(err, "--switch-every needs --procs 2 or more (a switch goes to another process)");
    if (mx->procs > 1 && !mx->switch_every)
        return fail(err, "--procs %u needs --switch-every N > 0 (else only the first process would run)", mx->procs);
    if (mx->threads < 1 || mx->threads > os->ncpus)
        return fail(err, "--threads %u: want 1..%u (the booted CPUs, --cpus)", mx->threads, os->ncpus);
    const uint64_t pages = p->region_bytes >> mx->page_shift;
    if (mx->churn_every && (mx->churn_pages == 0 || mx->churn_pages > pages))
        return fail(err, "--churn-pages %" PRIu64 ": want 1..%" PRIu64 " (the working set's pages)", mx->churn_pages,
                    pages);
    return 0;
}

/* context_switch: in the kernel, switch_mm_irqs_off, the task becomes current */
static int switch_cpu(os_t *os, unsigned cpu, mm_struct_t *mm, char *err)
{
    if (os_kernel_entry(os, cpu) < 0 || switch_mm_irqs_off(os, cpu, mm) < 0)
        return fail(err, "switching CPU %u to %s: %s", cpu, mm->name, os->err);
    os->cpu[cpu].current_mm = mm;
    return 0;
}

int wl_os_start(os_t *os, const wl_params_t *p, const wl_os_mix_t *mx, wl_os_procs_t *pr, char *err)
{
    memset(pr, 0, sizeof *pr);
    for (unsigned k = 0; k < mx->procs; k++) {
        char name[OS_NAME_LEN];
        snprintf(name, sizeof name, "p%u", k);
        if (!(pr->mm[k] = os_mm_create(os, name)))
            return fail(err, "creating process %s: %s", name, os->err);
        if (os_mmap(os, pr->mm[k], p->va_base, p->region_bytes, vma_prot(p), mx->page_shift) < 0)
            return fail(err, "mmap of the working set [0x%" PRIx64 ", 0x%" PRIx64 ") in %s: %s", p->va_base,
                        p->va_base + p->region_bytes, name, os->err);
        if (mx->prefault && os_mm_populate(os, 0, pr->mm[k], p->va_base, p->region_bytes) < 0)
            return fail(err, "prefaulting the working set of %s: %s (more --ram, or --prefault 0)", name, os->err);
    }
    for (unsigned c = 0; c < mx->threads; c++)
        if (switch_cpu(os, c, pr->mm[0], err) < 0)
            return -1;
    return 0;
}

int wl_os_prepare(os_t *os, const wl_params_t *p, const wl_os_mix_t *mx, wl_os_procs_t *pr, os_counters_t *base,
                  char *err)
{
    if (wl_os_check(mx, p, os, err) < 0)
        return 1;
    if (wl_os_start(os, p, mx, pr, err) < 0)
        return -1;
    for (unsigned c = 0; c < os->ncpus; c++)
        backend_clear_stats(os->cpu[c].be);
    physmem_reset_counters(os->mem);
    *base = os->cnt;
    return 0;
}

/* munmap + mmap of the k-th churn's pages */
static int churn(os_t *os, unsigned cpu, mm_struct_t *mm, const wl_params_t *p, const wl_os_mix_t *mx,
                 uint64_t k, char *err)
{
    const uint64_t pages = p->region_bytes >> mx->page_shift;
    const uint64_t first = (k * mx->churn_pages) % (pages - mx->churn_pages + 1);
    const vaddr_t va = p->va_base + (first << mx->page_shift);
    const uint64_t len = mx->churn_pages << mx->page_shift;
    if (os_munmap(os, cpu, mm, va, len) < 0 || os_mmap(os, mm, va, len, vma_prot(p), mx->page_shift) < 0)
        return fail(err, "churn of [0x%" PRIx64 ", 0x%" PRIx64 ") in %s: %s", va, va + len, mm->name, os->err);
    return 0;
}

/* vmalloc of a page, a kernel write to it, a kernel data read, vfree */
static int kernel_op(os_t *os, unsigned cpu, char *err)
{
    os_access_t a;
    vaddr_t va;
    if (os_kernel_entry(os, cpu) < 0 || !(va = os_vmalloc(os, 4096)))
        return fail(err, "vmalloc on CPU %u: %s", cpu, os->err);
    if (os_kernel_access(os, cpu, va, ACC_WRITE, &a) < 0 || a.outcome != OS_ACCESS_OK)
        return fail(err, "the kernel write to the vmalloc page 0x%" PRIx64 " on CPU %u failed%s%s", va, cpu,
                    a.outcome == OS_ACCESS_OK ? ": " : " (oops)", a.outcome == OS_ACCESS_OK ? os->err : "");
    if (os_kernel_access(os, cpu, os->layout.data + 64, ACC_READ, &a) < 0 || a.outcome != OS_ACCESS_OK)
        return fail(err, "the kernel data read on CPU %u failed: %s", cpu, os->err);
    if (os_vfree(os, cpu, va) < 0)
        return fail(err, "vfree on CPU %u: %s", cpu, os->err);
    return 0;
}

int wl_os_run(os_t *os, workload_t *w, const wl_os_mix_t *mx, wl_os_procs_t *pr, wl_os_stats_t *st, char *err)
{
    memset(st, 0, sizeof *st);
    const wl_params_t *p = wl_params(w);
    st->first_cycle = UINT64_MAX;
    for (unsigned c = 0; c < mx->threads; c++) {
        cycle_t h = backend_horizon(os->cpu[c].be);
        if (h < st->first_cycle)
            st->first_cycle = h;
    }
    const unsigned t = mx->syscall_touches;
    const os_syscall_t sc = { .text = (t + 2) / 3, .stack = (t + 1) / 3, .data = t / 3 };
    mmu_req_t req;
    os_access_t res;
    for (uint64_t i = 0; wl_next(w, &req) == 0; i++) {
        const unsigned cpu = (unsigned)(i % mx->threads);
        if (i > 0 && mx->switch_every && i % mx->switch_every == 0) {
            pr->cur = (pr->cur + 1) % mx->procs;
            for (unsigned c = 0; c < mx->threads; c++)
                if (switch_cpu(os, c, pr->mm[pr->cur], err) < 0)
                    return -1;
            st->switches++;
        }
        if (i > 0 && mx->syscall_every && i % mx->syscall_every == 0) {
            if (os_syscall(os, cpu, &sc) < 0)
                return fail(err, "syscall before access %" PRIu64 " on CPU %u: %s", i, cpu, os->err);
            st->syscalls++;
        }
        if (i > 0 && mx->churn_every && i % mx->churn_every == 0) {
            if (churn(os, cpu, pr->mm[pr->cur], p, mx, st->churns, err) < 0)
                return -1;
            st->churns++;
        }
        if (i > 0 && mx->kernel_every && i % mx->kernel_every == 0) {
            if (kernel_op(os, cpu, err) < 0)
                return -1;
            st->kernel_ops++;
        }
        if (os_user_access(os, cpu, req.va, req.access, &res) < 0)
            return fail(err, "access %" PRIu64 " (0x%" PRIx64 ") on CPU %u: %s", i, req.va, cpu, os->err);
        st->accesses++;
        st->by_kind[req.access]++;
        if (res.outcome != OS_ACCESS_OK)
            st->segv++;
    }
    st->last_cycle = 0;
    for (unsigned c = 0; c < mx->threads; c++) {
        cycle_t h = backend_horizon(os->cpu[c].be);
        if (h > st->last_cycle)
            st->last_cycle = h;
    }
    return 0;
}
