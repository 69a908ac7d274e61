/* The OS knobs on the command line and the machine they boot (os_args.h). */
#include "os_args.h"
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

/* The memory's own allocator is unused: os_boot sets it to the RAM above the kernel image. */
#define OS_FRAME_BASE 0x01000000ull
#define OS_FRAME_LIMIT 0x02000000ull

int cli_parse_count(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int parse_flag(const char *s, bool *out)
{
    if (!strcmp(s, "0") || !strcmp(s, "1")) {
        *out = s[0] == '1';
        return 0;
    }
    return -1;
}

paging_mode_t cli_os_mode(int argc, char **argv, paging_mode_t dflt)
{
    const char *v;
    for (int i = 1; i < argc; i++) {
        paging_mode_t m;
        if ((v = cli_option_value(argc, argv, &i, "--mode")) && names_parse_mode(v, &m) == 0 && m != PAGING_OFF)
            dflt = m;
    }
    return dflt;
}

static int bad(const char *cmd, const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "mmulab %s: ", cmd);
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return -1;
}

int cli_os_option(const char *cmd, int argc, char **argv, int *i, os_params_t *p, bool skip_mode)
{
    static const char *const flags[] = { "--kpti", "--pcid", "--invpcid", "--smep", "--smap" };
    bool *fields[] = { &p->kpti, &p->pcid, &p->invpcid, &p->smep, &p->smap };
    const char *v, *opt = argv[*i];
    for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
        if ((v = cli_option_value(argc, argv, i, flags[k])))
            return parse_flag(v, fields[k]) == 0 ? 1 : bad(cmd, "%s: want 0 or 1, got '%s'", flags[k], v);
    uint64_t n;
    if (!skip_mode && (v = cli_option_value(argc, argv, i, "--mode"))) {
        paging_mode_t m;
        if (names_parse_mode(v, &m) < 0 || m == PAGING_OFF)
            return bad(cmd, "--mode: unknown paging mode '%s'%s (32bit, pae, 4level, 5level)", v, "");
        /* the other knobs keep their values: the mode's defaults were applied first (cli_os_mode) */
        p->mode = m;
        return 1;
    }
    if ((v = cli_option_value(argc, argv, i, "--vmalloc")))
        return vmalloc_policy_parse(v, &p->vmalloc) == 0
                   ? 1 : bad(cmd, "--vmalloc: want lazy, sync, prealloc or shared-pmd, got '%s'%s", v, "");
    if ((v = cli_option_value(argc, argv, i, "--cpus")) || (v = cli_option_value(argc, argv, i, "--flush-ceiling"))) {
        if (cli_parse_count(v, &n) < 0 || n > (1u << 20))
            return bad(cmd, "%s: bad number '%s'", opt, v);
        if (!strncmp(opt, "--cpus", 6))
            p->cpus = (unsigned)n;
        else
            p->flush_ceiling = (unsigned)n;
        return 1;
    }
    if ((v = cli_option_value(argc, argv, i, "--ram"))) {
        char *end;
        errno = 0;
        unsigned long long r = strtoull(v, &end, 0);
        unsigned shift = *end == 'M' || *end == 'm' ? 20 : *end == 'G' || *end == 'g' ? 30 : 0;
        if (errno || end == v || (shift && end[1]) || (!shift && *end) || r > (UINT64_MAX >> shift))
            return bad(cmd, "--ram: bad size '%s'%s (bytes, or with M or G)", v, "");
        p->ram = (uint64_t)r << shift;
        return 1;
    }
    return 0;
}

int cli_os_check(const char *cmd, const os_params_t *p, backend_kind_t backend)
{
    char err[OS_ERR_LEN];
    if (os_params_check(p, err, sizeof err) < 0) {
        fprintf(stderr, "mmulab %s: OS set-up: %s\n", cmd, err);
        return 2;
    }
    if (p->cpus > 1 && backend == BACKEND_COSIM) {
        fprintf(stderr, "mmulab %s: --cpus %u on the cosim backend: each cosim instance keeps its own RTL copy "
                        "of the memory (docs/os.md); use model or rtl\n", cmd, p->cpus);
        return 2;
    }
    return 0;
}

int cli_os_machine_start(const char *cmd, cli_os_machine_t *om, const os_params_t *p, backend_kind_t backend,
                         const mmu_config_t *cfg)
{
    char err[OS_ERR_LEN > CONFIG_ERR_LEN ? OS_ERR_LEN : CONFIG_ERR_LEN];
    memset(om, 0, sizeof *om);
    if (machine_init(&om->m, (unsigned)cfg->maxphyaddr, OS_FRAME_BASE, OS_FRAME_LIMIT, err) < 0 ||
        machine_start(&om->m, backend, cfg, NULL, err) < 0) {
        fprintf(stderr, "mmulab %s: %s\n", cmd, err);
        return -1;
    }
    om->cpus[0] = om->m.be;
    for (unsigned c = 1; c < p->cpus; c++)
        if (!(om->cpus[c] = backend_create(backend, cfg, om->m.mem, err))) {
            fprintf(stderr, "mmulab %s: the MMU of CPU %u: %s\n", cmd, c, err);
            return -1;
        }
    if (!(om->os = os_boot(p, om->m.mem, om->cpus, err, sizeof err))) {
        fprintf(stderr, "mmulab %s: os boot: %s\n", cmd, err);
        return -1;
    }
    return 0;
}

void cli_os_machine_release(cli_os_machine_t *om)
{
    os_destroy(om->os);
    for (unsigned c = 1; c < OS_MAX_CPUS; c++)
        if (om->cpus[c])
            backend_destroy(om->cpus[c]);
    machine_release(&om->m);
    memset(om, 0, sizeof *om);
}
