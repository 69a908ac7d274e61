/* The script verbs of the OS layer (docs/scripts.md "OS layer").
 *
 * Flow: sim/script/script.c sees a line os_script_claims, synchronises its own MMU,
 * and calls os_script_line, which parses the verb and calls the OS API
 * (os.h). `os boot` creates the os_t over the script's physical memory, with
 * the script's MMU as CPU 0 and one more backend of the same kind per extra
 * CPU. Addresses are numbers or symbols (SYMBOL or SYMBOL+N): the layout's
 * (_text, page_offset, vmalloc_start, ...) and those `vmalloc` defines. */
#include "os_script.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "os.h"
#include "script.h"

#define MAX_SYMBOLS 256

typedef struct { char name[OS_NAME_LEN]; vaddr_t va; bool user, freed; } symbol_t;

struct os_script {
    os_t *os;
    backend_t *extra[OS_MAX_CPUS];     /* CPUs 1.. (CPU 0 is the script's) */
    unsigned cpu;                      /* the current CPU (`cpu N`) */
    symbol_t sym[MAX_SYMBOLS];
    unsigned nsym;
};

typedef struct {
    os_script_t **state;
    const os_script_env_t *env;
    char *err;
    size_t len;
} ctx_t;

static int err_at(ctx_t *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int err_at(ctx_t *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->err, x->len, fmt, ap);
    va_end(ap);
    return -1;
}

static int os_fail(ctx_t *x, const char *verb)
{
    return err_at(x, "%s: %s", verb, (*x->state)->os->err);
}

/* --- arguments ------------------------------------------------------------- */

/* A number with an optional k/m/g suffix (KiB, MiB, GiB). */
static int parse_size(const char *s, uint64_t *out)
{
    char buf[64];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n + 1);
    unsigned shift = 0;
    char last = buf[n - 1];
    bool hex = n > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X');
    if (!hex && (last == 'k' || last == 'K' || last == 'm' || last == 'M' || last == 'g' || last == 'G')) {
        shift = (last == 'k' || last == 'K') ? 10 : (last == 'm' || last == 'M') ? 20 : 30;
        buf[n - 1] = '\0';
    }
    uint64_t v;
    if (script_parse_number(buf, &v) < 0 || (shift && v > (UINT64_MAX >> shift)))
        return -1;
    *out = v << shift;
    return 0;
}

static const symbol_t *find_symbol(const os_script_t *s, const char *name, size_t n)
{
    for (unsigned i = 0; i < s->nsym; i++)
        if (strlen(s->sym[i].name) == n && strncmp(s->sym[i].name, name, n) == 0)
            return &s->sym[i];
    return NULL;
}

/* NUMBER, SYMBOL or SYMBOL+NUMBER */
static int parse_va(ctx_t *x, const char *verb, const char *tok, vaddr_t *out)
{
    if (script_parse_number(tok, out) == 0)
        return 0;
    const char *plus = strchr(tok, '+');
    size_t n = plus ? (size_t)(plus - tok) : strlen(tok);
    const symbol_t *sym = find_symbol(*x->state, tok, n);
    if (!sym)
        return err_at(x, "%s: '%.48s' is neither a number nor a symbol (the layout's or a vmalloc's)", verb, tok);
    uint64_t off = 0;
    if (plus && parse_size(plus + 1, &off) < 0)
        return err_at(x, "%s: bad offset in '%.48s'", verb, tok);
    *out = sym->va + off;
    return 0;
}

static int parse_len(ctx_t *x, const char *verb, const char *tok, uint64_t *out)
{
    if (parse_size(tok, out) < 0)
        return err_at(x, "%s: bad length '%.48s' (a number, optionally with k, m or g)", verb, tok);
    return 0;
}

static int parse_prot(ctx_t *x, const char *verb, const char *tok, unsigned *out)
{
    static const struct { const char *name; unsigned prot; } prots[] = {
        {"r", PROT_R}, {"rw", PROT_R | PROT_W}, {"rx", PROT_R | PROT_X}, {"rwx", PROT_R | PROT_W | PROT_X},
    };
    for (size_t i = 0; i < 4; i++)
        if (strcmp(tok, prots[i].name) == 0) {
            *out = prots[i].prot;
            return 0;
        }
    return err_at(x, "%s: bad protection '%.48s' (r, rw, rx or rwx)", verb, tok);
}

static int parse_access(ctx_t *x, const char *verb, const char *tok, mmu_access_t *out)
{
    if (!strcmp(tok, "r") || !strcmp(tok, "w") || !strcmp(tok, "x")) {
        *out = tok[0] == 'r' ? ACC_READ : tok[0] == 'w' ? ACC_WRITE : ACC_EXEC;
        return 0;
    }
    return err_at(x, "%s: bad access '%.48s' (r, w or x)", verb, tok);
}

static int need_args(ctx_t *x, int n, int min, int max, const char *usage)
{
    if (n < min)
        return err_at(x, "missing argument (usage: %s)", usage);
    if (max >= 0 && n > max)
        return err_at(x, "too many arguments (usage: %s)", usage);
    return 0;
}

static os_t *booted(ctx_t *x, const char *verb)
{
    if (!*x->state || !(*x->state)->os) {
        err_at(x, "%s: no OS booted yet (use `os boot MODE` first)", verb);
        return NULL;
    }
    return (*x->state)->os;
}

static mm_struct_t *process_arg(ctx_t *x, const char *verb, const char *name)
{
    mm_struct_t *mm = os_find_mm((*x->state)->os, name);
    if (!mm)
        err_at(x, "%s: unknown process '%.40s'", verb, name);
    return mm;
}

/* key=value with a number value */
static bool kv(const char *tok, const char *key, const char **value)
{
    size_t n = strlen(key);
    if (strncmp(tok, key, n) == 0 && tok[n] == '=') {
        *value = tok + n + 1;
        return true;
    }
    return false;
}

static int bool_value(ctx_t *x, const char *key, const char *v, bool *out)
{
    if (strcmp(v, "0") && strcmp(v, "1"))
        return err_at(x, "os boot: %s=%.20s: expected 0 or 1", key, v);
    *out = v[0] == '1';
    return 0;
}

/* --- symbols ------------------------------------------------------------- */

static int add_symbol(ctx_t *x, const char *name, vaddr_t va, bool user)
{
    os_script_t *s = *x->state;
    if (find_symbol(s, name, strlen(name)))
        return err_at(x, "symbol '%.40s' is already defined", name);
    if (s->nsym == MAX_SYMBOLS)
        return err_at(x, "too many symbols (at most %d)", MAX_SYMBOLS);
    if (strlen(name) >= OS_NAME_LEN)
        return err_at(x, "symbol name '%.40s' too long", name);
    bool ok = (name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') || name[0] == '_';
    for (const char *p = name; *p && ok; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_';
    if (!ok)
        return err_at(x, "bad symbol name '%.40s' (letters, digits, '_'; not a number)", name);
    symbol_t *sym = &s->sym[s->nsym++];
    snprintf(sym->name, sizeof sym->name, "%s", name);
    sym->va = va;
    sym->user = user;
    return 0;
}

static int layout_symbols(ctx_t *x)
{
    const os_layout_t *l = &(*x->state)->os->layout;
    const struct { const char *name; vaddr_t va; } syms[] = {
        {"page_offset", l->page_offset}, {"_text", l->text}, {"entry_text", l->entry_text},
        {"_sdata", l->data}, {"_end", l->end}, {"vmalloc_start", l->vmalloc_start},
        {"vmalloc_end", l->vmalloc_end}, {"cpu_entry_area", l->cpu_entry_area}, {"task_size", l->task_size},
        {"pkmap_base", l->pkmap_base}, {"fixaddr_start", l->fixaddr_start},
    };
    for (size_t i = 0; i < sizeof syms / sizeof syms[0]; i++)
        if (add_symbol(x, syms[i].name, syms[i].va, false) < 0)
            return -1;
    return 0;
}

/* --- verbs ----------------------------------------------------------------- */

static int verb_boot(ctx_t *x, char *const *t, int n)
{
    static const char usage[] = "os boot 32bit|pae|4level|5level [ram=SIZE] [cpus=N] [kpti=0|1] [pcid=0|1] "
                                "[invpcid=0|1] [vmalloc=lazy|sync|prealloc|shared-pmd] [flush_ceiling=N] "
                                "[smep=0|1] [smap=0|1]";
    if (need_args(x, n, 3, -1, usage) < 0)
        return -1;
    if (*x->state && (*x->state)->os)
        return err_at(x, "os boot: the OS is booted already");
    paging_mode_t mode;
    if (names_parse_mode(t[2], &mode) < 0 || mode == PAGING_OFF)
        return err_at(x, "os boot: bad mode '%.20s' (32bit, pae, 4level or 5level)", t[2]);
    os_params_t p;
    os_params_default(&p, mode);
    for (int i = 3; i < n; i++) {
        const char *v;
        uint64_t num;
        if (kv(t[i], "ram", &v)) {
            if (parse_size(v, &p.ram) < 0)
                return err_at(x, "os boot: bad ram '%.20s'", v);
        } else if (kv(t[i], "cpus", &v) || kv(t[i], "flush_ceiling", &v)) {
            if (script_parse_number(v, &num) < 0 || num > 1u << 20)
                return err_at(x, "os boot: bad number in '%.40s'", t[i]);
            if (t[i][0] == 'c')
                p.cpus = (unsigned)num;
            else
                p.flush_ceiling = (unsigned)num;
        } else if (kv(t[i], "kpti", &v)) {
            if (bool_value(x, "kpti", v, &p.kpti) < 0) return -1;
        } else if (kv(t[i], "pcid", &v)) {
            if (bool_value(x, "pcid", v, &p.pcid) < 0) return -1;
        } else if (kv(t[i], "invpcid", &v)) {
            if (bool_value(x, "invpcid", v, &p.invpcid) < 0) return -1;
        } else if (kv(t[i], "smep", &v)) {
            if (bool_value(x, "smep", v, &p.smep) < 0) return -1;
        } else if (kv(t[i], "smap", &v)) {
            if (bool_value(x, "smap", v, &p.smap) < 0) return -1;
        } else if (kv(t[i], "vmalloc", &v)) {
            if (vmalloc_policy_parse(v, &p.vmalloc) < 0)
                return err_at(x, "os boot: bad vmalloc policy '%.20s' (lazy, sync, prealloc or shared-pmd)", v);
        } else {
            return err_at(x, "os boot: unexpected '%.40s' (usage: %s)", t[i], usage);
        }
    }
    char e[OS_ERR_LEN];
    if (os_params_check(&p, e, sizeof e) < 0)
        return err_at(x, "os boot: %s", e);
    /* A cosim instance's results and mismatch are per instance now (sim/rtl/cosim.c), but its
     * RTL runs on a private copy of the memory: the models of all CPUs share one physmem and
     * see each other's A/D writes, each RTL would see only its own, so the copies diverge
     * from the model's memory by design. The copy is also fed from the shared memory's
     * backdoor tracking, which has one consumer (physmem_copy_backdoor forgets what it
     * copied) and which the first instance destroyed switches off. Several CPUs need one RTL
     * memory shared by all instances; until then they run on model or rtl only. */
    if (p.cpus > 1 && x->env->kind == BACKEND_COSIM)
        return err_at(x, "os boot: cpus=%u on the cosim backend: each cosim instance keeps its own RTL copy of "
                      "the memory, so CPUs would not see each other's A/D writes (use model or rtl)", p.cpus);
    if (!*x->state && !(*x->state = calloc(1, sizeof **x->state)))
        return err_at(x, "out of memory");
    os_script_t *s = *x->state;
    backend_t *cpus[OS_MAX_CPUS] = { x->env->be };
    for (unsigned i = 1; i < p.cpus; i++) {
        char be_err[CONFIG_ERR_LEN];
        s->extra[i] = backend_create(x->env->kind, x->env->cfg, x->env->mem, be_err);
        if (!s->extra[i])
            return err_at(x, "os boot: cannot create the MMU of CPU %u: %s", i, be_err);
        cpus[i] = s->extra[i];
    }
    s->os = os_boot(&p, x->env->mem, cpus, e, sizeof e);
    if (!s->os)
        return err_at(x, "os boot: %s", e);
    s->cpu = 0;
    if (layout_symbols(x) < 0)
        return -1;
    fprintf(x->env->out, "os boot %s: ram %" PRIu64 " MiB, %u cpu%s, kpti %d, pcid %d, invpcid %d, vmalloc %s, "
            "flush ceiling %u; %" PRIu64 " page-table pages, %" PRIu64 " frames in use\n",
            names_mode(p.mode), p.ram >> 20, p.cpus, p.cpus == 1 ? "" : "s", p.kpti, p.pcid, p.invpcid,
            vmalloc_policy_name(p.vmalloc), p.flush_ceiling, s->os->frames.count[FRAME_PGTABLE],
            frames_in_use(&s->os->frames));
    return 0;
}

static void print_stats(os_script_t *s, FILE *o)
{
    const os_counters_t *c = &s->os->cnt;
    const frames_t *f = &s->os->frames;
    fprintf(o, "os: faults %" PRIu64 " (demand %" PRIu64 ", zero page %" PRIu64 ", cow %" PRIu64 ", vmalloc %" PRIu64
            ", segv %" PRIu64 ", oops %" PRIu64 "); vmalloc entries synced %" PRIu64 "; syscalls %" PRIu64 "\n",
            c->page_faults, c->demand_faults, c->zero_page_maps, c->cow_faults, c->vmalloc_faults, c->segv, c->oops,
            c->vmalloc_synced, c->syscalls);
    fprintf(o, "os: cr3 writes %" PRIu64 " (noflush %" PRIu64 "); invlpg %" PRIu64 "; invpcid %" PRIu64
            "; full flushes %" PRIu64 "; ipis %" PRIu64 "; mm switches %" PRIu64 "\n",
            c->cr3_writes, c->cr3_noflush, c->invlpg, c->invpcid, c->full_flushes, c->ipis, c->switches);
    fprintf(o, "os: frames in use %" PRIu64 " (page tables %" PRIu64 ", user %" PRIu64 ", kernel %" PRIu64
            "), free %" PRIu64 "\n",
            frames_in_use(f), f->count[FRAME_PGTABLE], f->count[FRAME_USER], f->count[FRAME_KERNEL], f->count[FRAME_FREE]);
    /* each CPU's MMU: what the OS's operations cost it */
    for (unsigned cpu = 0; cpu < s->os->ncpus; cpu++) {
        const mmu_stats_t *m = backend_stats(s->os->cpu[cpu].be);
        uint64_t l1_hits = 0, l2_hits = 0;
        for (int k = 0; k < NUM_PSC; k++) {
            l1_hits += m->tlb[TLB_ITLB].hits[k] + m->tlb[TLB_DTLB].hits[k];
            l2_hits += m->tlb[TLB_L2].hits[k];
        }
        fprintf(o, "os: cpu %u mmu: requests %" PRIu64 ", l1 hits %" PRIu64 ", l2 hits %" PRIu64 ", walks %" PRIu64
                " (%" PRIu64 " reads, mean %.1f cycles), latency mean %.2f, #PF %" PRIu64 ", control ops %" PRIu64 "\n",
                cpu, m->requests, l1_hits, l2_hits, m->walks, m->walk_reads, hist_mean(&m->walk_latency),
                hist_mean(&m->translation_latency), m->faults_pf, m->ctrl_ops);
    }
}

static int verb_os(ctx_t *x, char *const *t, int n)
{
    if (n >= 2 && strcmp(t[1], "boot") == 0)
        return verb_boot(x, t, n);
    if (n >= 2 && strcmp(t[1], "stats") == 0) {
        if (need_args(x, n, 2, 2, "os stats") < 0 || !booted(x, "os stats"))
            return -1;
        print_stats(*x->state, x->env->out);
        return 0;
    }
    return err_at(x, "os: expected 'boot' or 'stats' (usage: os boot MODE [KEY=VALUE]... | os stats)");
}

static int verb_proc(ctx_t *x, char *const *t, int n)
{
    os_t *os = booted(x, t[0]);
    if (!os || need_args(x, n, 2, 2, "proc NAME") < 0)
        return -1;
    if (find_symbol(*x->state, t[1], strlen(t[1])))
        return err_at(x, "proc: '%.40s' is a symbol name", t[1]);
    mm_struct_t *mm = os_mm_create(os, t[1]);
    if (!mm)
        return os_fail(x, "proc");
    fprintf(x->env->out, "proc %s: pgd 0x%" PRIx64 ", ctx_id %" PRIu64 "\n", mm->name, mm->pgd, mm->ctx_id);
    return 0;
}

static int verb_exit(ctx_t *x, char *const *t, int n)
{
    os_t *os = booted(x, t[0]);
    mm_struct_t *mm;
    if (!os || need_args(x, n, 2, 2, "exit NAME") < 0 || !(mm = process_arg(x, "exit", t[1])))
        return -1;
    if (os_mm_destroy(os, mm) < 0)
        return os_fail(x, "exit");
    return 0;
}

static int verb_cpu(ctx_t *x, char *const *t, int n)
{
    os_t *os = booted(x, t[0]);
    uint64_t v;
    if (!os || need_args(x, n, 2, 2, "cpu N") < 0)
        return -1;
    if (script_parse_number(t[1], &v) < 0 || v >= os->ncpus)
        return err_at(x, "cpu: '%.20s' is not a CPU (0..%u)", t[1], os->ncpus - 1);
    (*x->state)->cpu = (unsigned)v;
    return 0;
}

static int verb_switch(ctx_t *x, char *const *t, int n)
{
    os_t *os = booted(x, t[0]);
    mm_struct_t *mm;
    if (!os || need_args(x, n, 2, 2, "switch NAME") < 0 || !(mm = process_arg(x, "switch", t[1])))
        return -1;
    unsigned cpu = (*x->state)->cpu;
    /* context_switch happens in the kernel */
    if (os_kernel_entry(os, cpu) < 0 || switch_mm_irqs_off(os, cpu, mm) < 0)
        return os_fail(x, "switch");
    os->cpu[cpu].current_mm = mm;
    mmu_arch_t st;
    backend_arch_state(os->cpu[cpu].be, &st);
    fprintf(x->env->out, "switch cpu %u -> %s: asid %u, cr3 0x%" PRIx64 "\n", cpu, mm->name,
            (unsigned)os->cpu[cpu].tlb.loaded_mm_asid, st.cr3);
    return 0;
}

static int verb_lazy(ctx_t *x, char *const *t, int n)
{
    os_t *os = booted(x, t[0]);
    if (!os || need_args(x, n, 1, 1, "lazy") < 0)
        return -1;
    unsigned cpu = (*x->state)->cpu;
    if (os_kernel_entry(os, cpu) < 0)
        return os_fail(x, "lazy");
    enter_lazy_tlb(os, cpu);
    return 0;
}

static int verb_mmap(ctx_t *x, char *const *t, int n)
{
    static const char usage[] = "mmap NAME VA LEN r|rw|rx|rwx [4k|2m|4m|1g]";
    os_t *os = booted(x, t[0]);
    mm_struct_t *mm;
    vaddr_t va = 0;
    uint64_t len = 0;
    unsigned prot = 0, shift = 12;
    if (!os || need_args(x, n, 5, 6, usage) < 0 || !(mm = process_arg(x, "mmap", t[1])) ||
        parse_va(x, "mmap", t[2], &va) < 0 || parse_len(x, "mmap", t[3], &len) < 0 ||
        parse_prot(x, "mmap", t[4], &prot) < 0)
        return -1;
    if (n == 6 && script_parse_size(t[5], &shift) < 0)
        return err_at(x, "mmap: bad page size '%.20s' (4k, 2m, 4m or 1g)", t[5]);
    if (os_mmap(os, mm, va, len, prot, shift) < 0)
        return err_at(x, "%s", os->err);
    return 0;
}

static int verb_munmap(ctx_t *x, char *const *t, int n)
{
    os_t *os = booted(x, t[0]);
    mm_struct_t *mm;
    vaddr_t va = 0;
    uint64_t len = 0;
    if (!os || need_args(x, n, 4, 4, "munmap NAME VA LEN") < 0 || !(mm = process_arg(x, "munmap", t[1])) ||
        parse_va(x, "munmap", t[2], &va) < 0 || parse_len(x, "munmap", t[3], &len) < 0)
        return -1;
    if (os_munmap(os, (*x->state)->cpu, mm, va, len) < 0)
        return err_at(x, "%s", os->err);
    return 0;
}

static int verb_mprotect(ctx_t *x, char *const *t, int n)
{
    os_t *os = booted(x, t[0]);
    mm_struct_t *mm;
    vaddr_t va = 0;
    uint64_t len = 0;
    unsigned prot = 0;
    if (!os || need_args(x, n, 5, 5, "mprotect NAME VA LEN r|rw|rx|rwx") < 0 ||
        !(mm = process_arg(x, "mprotect", t[1])) || parse_va(x, "mprotect", t[2], &va) < 0 ||
        parse_len(x, "mprotect", t[3], &len) < 0 || parse_prot(x, "mprotect", t[4], &prot) < 0)
        return -1;
    if (os_mprotect(os, (*x->state)->cpu, mm, va, len, prot) < 0)
        return err_at(x, "%s", os->err);
    return 0;
}

static int verb_touch(ctx_t *x, char *const *t, int n)
{
    bool user = t[0][0] == 't';
    const char *verb = t[0];
    const char *usage = user ? "touch VA LEN r|w|x [stride=N]" : "ktouch VA LEN r|w|x [stride=N]";
    os_t *os = booted(x, verb);
    vaddr_t va = 0;
    uint64_t len = 0, stride = PAGE_SIZE;
    mmu_access_t acc = ACC_READ;
    if (!os || need_args(x, n, 4, 5, usage) < 0 || parse_va(x, verb, t[1], &va) < 0 ||
        parse_len(x, verb, t[2], &len) < 0 || parse_access(x, verb, t[3], &acc) < 0)
        return -1;
    const char *v;
    if (n == 5 && (!kv(t[4], "stride", &v) || parse_size(v, &stride) < 0 || stride == 0))
        return err_at(x, "%s: expected stride=N (N > 0), got '%.40s'", verb, t[4]);
    if (len == 0)
        return err_at(x, "%s: length 0", verb);
    unsigned cpu = (*x->state)->cpu;
    if (user && !os->cpu[cpu].current_mm)
        return err_at(x, "touch: CPU %u runs no process (switch NAME first)", cpu);
    uint64_t count = 0, faults = 0, bad = 0;
    os_access_t a;
    for (uint64_t off = 0; off < len; off += stride) {
        int rc = user ? os_user_access(os, cpu, va + off, acc, &a) : os_kernel_access(os, cpu, va + off, acc, &a);
        if (rc < 0)
            return os_fail(x, verb);
        count++;
        faults += a.faults;
        if (a.outcome != OS_ACCESS_OK) {
            bad++;
            fprintf(x->env->out, "%s cpu %u 0x%016" PRIx64 ": %s (ec 0x%x)\n", verb, cpu, va + off,
                    a.outcome == OS_ACCESS_SEGV ? "SIGSEGV" : "kernel oops", (unsigned)a.last.error_code);
        }
        if (stride > len - off)
            break;
    }
    fprintf(x->env->out, "%s cpu %u 0x%016" PRIx64 " +0x%" PRIx64 " %s: %" PRIu64 " accesses, %" PRIu64
            " page faults, %" PRIu64 " %s\n", verb, cpu, va, len, t[3], count, faults, bad,
            user ? "segv" : "oops");
    return 0;
}

static int verb_syscall(ctx_t *x, char *const *t, int n)
{
    static const char usage[] = "syscall [N] [text=K] [stack=K] [data=K]";
    os_t *os = booted(x, t[0]);
    if (!os)
        return -1;
    uint64_t count = 1;
    os_syscall_t sc = { 1, 1, 1 };
    int i = 1;
    if (n > 1 && script_parse_number(t[1], &count) == 0)
        i = 2;
    for (; i < n; i++) {
        const char *v;
        uint64_t k;
        unsigned *field = kv(t[i], "text", &v) ? &sc.text : kv(t[i], "stack", &v) ? &sc.stack
                        : kv(t[i], "data", &v) ? &sc.data : NULL;
        if (!field)
            return err_at(x, "syscall: unexpected '%.40s' (usage: %s)", t[i], usage);
        if (script_parse_number(v, &k) < 0 || k > 4096)
            return err_at(x, "syscall: bad count in '%.40s' (0..4096)", t[i]);
        *field = (unsigned)k;
    }
    if (count > 1000000)
        return err_at(x, "syscall: N too large");
    for (uint64_t k = 0; k < count; k++)
        if (os_syscall(os, (*x->state)->cpu, &sc) < 0)
            return os_fail(x, "syscall");
    return 0;
}

static int verb_vmalloc(ctx_t *x, char *const *t, int n)
{
    os_t *os = booted(x, t[0]);
    uint64_t len = 0;
    if (!os || need_args(x, n, 3, 3, "vmalloc SYMBOL LEN") < 0 || parse_len(x, "vmalloc", t[2], &len) < 0)
        return -1;
    if (find_symbol(*x->state, t[1], strlen(t[1])))
        return err_at(x, "vmalloc: symbol '%.40s' is already defined", t[1]);
    vaddr_t va = os_vmalloc(os, len);
    if (!va)
        return err_at(x, "%s", os->err);
    if (add_symbol(x, t[1], va, true) < 0) {
        (void)os_vfree(os, (*x->state)->cpu, va);
        return -1;
    }
    fprintf(x->env->out, "vmalloc %s = 0x%016" PRIx64 " (0x%" PRIx64 " bytes)\n", t[1], va, len);
    return 0;
}

static int verb_vfree(ctx_t *x, char *const *t, int n)
{
    os_t *os = booted(x, t[0]);
    if (!os || need_args(x, n, 2, 2, "vfree SYMBOL") < 0)
        return -1;
    os_script_t *s = *x->state;
    for (unsigned i = 0; i < s->nsym; i++) {
        if (strcmp(s->sym[i].name, t[1]) != 0)
            continue;
        if (!s->sym[i].user)
            return err_at(x, "vfree: '%.40s' is a layout symbol, not a vmalloc", t[1]);
        if (s->sym[i].freed)
            return err_at(x, "vfree: '%.40s' was freed already", t[1]);
        if (os_vfree(os, s->cpu, s->sym[i].va) < 0)
            return err_at(x, "vfree: %s", os->err);
        s->sym[i].freed = true;     /* the name keeps its address: touching it now oopses */
        return 0;
    }
    return err_at(x, "vfree: unknown symbol '%.40s'", t[1]);
}

/* --- expect os ------------------------------------------------------------ */

static int field_value(ctx_t *x, const char *field, uint64_t *out)
{
    os_script_t *s = *x->state;
    os_t *os = s->os;
    const os_counters_t *c = &os->cnt;
    const frames_t *f = &os->frames;
    const struct { const char *name; uint64_t v; } fields[] = {
        {"page_faults", c->page_faults}, {"demand_faults", c->demand_faults}, {"zero_page_maps", c->zero_page_maps},
        {"cow_faults", c->cow_faults}, {"vmalloc_faults", c->vmalloc_faults}, {"vmalloc_synced", c->vmalloc_synced},
        {"segv", c->segv}, {"oops", c->oops}, {"cr3_writes", c->cr3_writes}, {"cr3_noflush", c->cr3_noflush},
        {"invlpg", c->invlpg}, {"invpcid", c->invpcid}, {"full_flushes", c->full_flushes}, {"ipis", c->ipis},
        {"syscalls", c->syscalls}, {"switches", c->switches},
        {"frames", frames_in_use(f)}, {"pt_pages", f->count[FRAME_PGTABLE]}, {"user_pages", f->count[FRAME_USER]},
        {"kernel_pages", f->count[FRAME_KERNEL]}, {"free_frames", f->count[FRAME_FREE]},
        {"asid", os->cpu[s->cpu].tlb.loaded_mm_asid}, {"lazy", os->cpu[s->cpu].tlb.is_lazy},
        {"user_pcid_flush_mask", os->cpu[s->cpu].tlb.user_pcid_flush_mask},
        {"processes", 0},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (strcmp(field, fields[i].name) == 0) {
            *out = fields[i].v;
            if (strcmp(field, "processes") == 0)
                for (mm_struct_t *mm = os->mm_list; mm; mm = mm->next)
                    (*out)++;
            return 0;
        }
    /* NAME.cpumask, NAME.tlb_gen, NAME.pt_pages */
    const char *dot = strchr(field, '.');
    if (dot && (size_t)(dot - field) < OS_NAME_LEN) {
        char name[OS_NAME_LEN];
        memcpy(name, field, (size_t)(dot - field));
        name[dot - field] = '\0';
        mm_struct_t *mm = os_find_mm(os, name);
        if (!mm)
            return err_at(x, "expect os: unknown process '%.40s'", name);
        if (!strcmp(dot + 1, "cpumask")) *out = mm->cpumask;
        else if (!strcmp(dot + 1, "tlb_gen")) *out = mm->tlb_gen;
        else if (!strcmp(dot + 1, "pt_pages")) *out = os_mm_pt_pages(os, mm);
        else return err_at(x, "expect os: unknown process field '%.40s' (cpumask, tlb_gen, pt_pages)", dot + 1);
        return 0;
    }
    return err_at(x, "expect os: unknown field '%.40s' (a counter of `os stats`, frames, pt_pages, user_pages, "
                  "kernel_pages, free_frames, asid, lazy, user_pcid_flush_mask, processes, or NAME.cpumask|tlb_gen|pt_pages)", field);
}

static int verb_expect(ctx_t *x, char *const *t, int n)
{
    if (!booted(x, "expect os"))
        return -1;
    if (n < 4 || (n - 2) % 2)
        return err_at(x, "expect os: expected FIELD VALUE pairs (usage: expect os FIELD VALUE [FIELD VALUE]...)");
    for (int i = 2; i < n; i += 2) {
        uint64_t want, got;
        if (script_parse_number(t[i + 1], &want) < 0)
            return err_at(x, "expect os %.40s: bad number '%.40s'", t[i], t[i + 1]);
        if (field_value(x, t[i], &got) < 0)
            return -1;
        if (got != want)
            return err_at(x, "expect os %s: expected %" PRIu64 ", got %" PRIu64, t[i], want, got);
    }
    return 0;
}

/* --- dispatch ----------------------------------------------------------------- */

typedef int (*verb_fn)(ctx_t *x, char *const *t, int n);

static const struct { const char *name; verb_fn fn; } verbs[] = {
    {"os", verb_os},         {"proc", verb_proc},       {"exit", verb_exit},     {"cpu", verb_cpu},
    {"switch", verb_switch}, {"lazy", verb_lazy},       {"mmap", verb_mmap},     {"munmap", verb_munmap},
    {"mprotect", verb_mprotect}, {"touch", verb_touch}, {"ktouch", verb_touch},  {"syscall", verb_syscall},
    {"vmalloc", verb_vmalloc}, {"vfree", verb_vfree},
};

int os_script_claims(char *const *toks, int n)
{
    if (n >= 2 && strcmp(toks[0], "expect") == 0 && strcmp(toks[1], "os") == 0)
        return 1;
    for (size_t i = 0; n >= 1 && i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(toks[0], verbs[i].name) == 0)
            return 1;
    return 0;
}

int os_script_line(os_script_t **state, const os_script_env_t *env, char *const *toks, int n, char *err,
                   size_t len)
{
    ctx_t x = { state, env, err, len };
    if (strcmp(toks[0], "expect") == 0)
        return verb_expect(&x, toks, n);
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(toks[0], verbs[i].name) == 0)
            return verbs[i].fn(&x, toks, n);
    return err_at(&x, "unknown OS verb '%.40s'", toks[0]);
}

char *os_script_json(const os_script_t *s)
{
    if (!s || !s->os)
        return NULL;
    const os_counters_t *c = &s->os->cnt;
    const frames_t *f = &s->os->frames;
    char *buf = malloc(1024);
    if (!buf)
        return NULL;
    snprintf(buf, 1024,
             "{\"op\":\"os\",\"mode\":\"%s\",\"page_faults\":%" PRIu64 ",\"demand_faults\":%" PRIu64
             ",\"zero_page_maps\":%" PRIu64 ",\"cow_faults\":%" PRIu64 ",\"vmalloc_faults\":%" PRIu64
             ",\"vmalloc_synced\":%" PRIu64 ",\"segv\":%" PRIu64 ",\"oops\":%" PRIu64 ",\"cr3_writes\":%" PRIu64
             ",\"cr3_noflush\":%" PRIu64 ",\"invlpg\":%" PRIu64 ",\"invpcid\":%" PRIu64 ",\"full_flushes\":%" PRIu64
             ",\"ipis\":%" PRIu64 ",\"syscalls\":%" PRIu64 ",\"switches\":%" PRIu64 ",\"frames\":%" PRIu64
             ",\"pt_pages\":%" PRIu64 ",\"user_pages\":%" PRIu64 ",\"kernel_pages\":%" PRIu64 "}",
             names_mode(s->os->p.mode), c->page_faults, c->demand_faults, c->zero_page_maps, c->cow_faults,
             c->vmalloc_faults, c->vmalloc_synced, c->segv, c->oops, c->cr3_writes, c->cr3_noflush, c->invlpg,
             c->invpcid, c->full_flushes, c->ipis, c->syscalls, c->switches, frames_in_use(f),
             f->count[FRAME_PGTABLE], f->count[FRAME_USER], f->count[FRAME_KERNEL]);
    return buf;
}

void os_script_free(os_script_t *s)
{
    if (!s)
        return;
    os_destroy(s->os);
    for (unsigned i = 1; i < OS_MAX_CPUS; i++)
        if (s->extra[i])
            backend_destroy(s->extra[i]);
    free(s);
}
