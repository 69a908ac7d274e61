/* `mmulab demo`: the default end-to-end job (`make run`): a seeded synthetic workload run as
 * processes of the OS layer (issue 11: one path, docs/workloads.md), then a readable report.
 *
 * Flow: demo_parse reads the command line into demo_opts_t with every default resolved — the
 * workload knobs (wl_set), the MMU configuration (defaults, --config, every --set), the OS
 * knobs (cli_os_option; --ram defaults to enough RAM for every process's working set), the
 * process mix (--procs ... --prefault) — and builds the reproduce line; demo_os_run (demo_os.c)
 * boots the OS, runs and reports. The SystemC example (sim/tlm/sc_demo.cpp) reads its workload
 * with the same demo_parse, so the same options give it the same request sequence. */
#include "cli.h"
#include "demo.h"
#include "os_args.h"
#include "outfile.h"

#include "config.h"
#include "workload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
        "usage: mmulab demo [--seed N] [--ops N] [--workload uniform|random|hotcold|stride|seq|zipf|chase]\n"
        "                   [--backend model|rtl|cosim] [--config FILE] [--set key=value]... [--json OUT]\n"
        "                   [workload knobs: --mode 32bit|pae|4level|5level --ws SIZE (or --region) --base VA|auto\n"
        "                    --page 4k|2m|1g --zipf-s S --rwx R:W:X --hot SIZE --hot-frac F --stride SIZE]\n"
        "                   [the OS: --kpti 0|1 --pcid 0|1 --invpcid 0|1 --smep 0|1 --smap 0|1\n"
        "                    --vmalloc lazy|sync|prealloc|shared-pmd --flush-ceiling N --cpus N --ram SIZE]\n"
        "                   [the processes: --prefault 0|1 --procs N --switch-every N --syscall-every N\n"
        "                    --syscall-touches N --threads N --churn-every N --churn-pages N --kernel-every N]\n"
        "Boots the OS layer and runs a seeded synthetic workload as user accesses of its\n"
        "processes (by default one process on one CPU, its working set prefaulted), then prints\n"
        "the configuration, the workload, and a report of the statistics with the OS counters.\n"
        "--set/--config take the MMU parameters of `mmulab params`; --json OUT writes the same\n"
        "numbers as JSON ('-': stdout carries the JSON alone and the text report goes to\n"
        "stderr). Defaults and rules: docs/workloads.md.\n");
}

#define CMD_LEN DEMO_CMD_LEN

/* The process-mix options (wl_os.h), --prefault and --os: into *mx. 1 consumed, 0 not one, -1 bad. */
static int mix_option(const char *key, const char *val, wl_os_mix_t *mx)
{
    uint64_t n;
    if (!strcmp(key, "os") || !strcmp(key, "prefault")) {
        if (strcmp(val, "0") && strcmp(val, "1"))
            return fprintf(stderr, "mmulab demo: --%s: want 0 or 1, got '%s'\n", key, val), -1;
        /* --os 1 was the switch to the OS layer, which every demo now runs through: accepted
         * so that old command lines still run; --os 0 asked for the removed pre-OS path */
        if (!strcmp(key, "os") && val[0] == '0')
            return fprintf(stderr, "mmulab demo: --os 0: the demo's own address space (the pre-OS path) was "
                                   "removed; every demo runs as processes of the OS layer (docs/workloads.md)\n"), -1;
        if (!strcmp(key, "prefault"))
            mx->prefault = val[0] == '1';
        return 1;
    }
    static const char *const keys[] = { "procs", "threads", "switch-every", "syscall-every", "churn-every",
                                        "kernel-every", "churn-pages", "syscall-touches", NULL };
    int k = 0;
    while (keys[k] && strcmp(key, keys[k]))
        k++;
    if (!keys[k])
        return 0;
    if (cli_parse_count(val, &n) < 0 || n > (1ull << 40) || (k < 2 && (n < 1 || n > WL_OS_MAX_PROCS)))
        return fprintf(stderr, "mmulab demo: --%s: bad count '%s'%s\n", key, val, k < 2 ? " (1..1024)" : ""), -1;
    switch (k) {
    case 0: mx->procs = (unsigned)n; break;
    case 1: mx->threads = (unsigned)n; break;
    case 2: mx->switch_every = n; break;
    case 3: mx->syscall_every = n; break;
    case 4: mx->churn_every = n; break;
    case 5: mx->kernel_every = n; break;
    case 6: mx->churn_pages = n; break;
    default:
        if (n > 4096)
            return fprintf(stderr, "mmulab demo: --syscall-touches %s: at most 4096 kernel lines\n", val), -1;
        mx->syscall_touches = (unsigned)n;
        break;
    }
    return 1;
}

/* Workload options of the removed pre-OS path: they need an address space of the demo's own or
 * its overlapped issue loop. */
static const char *const not_for_os[] = { "mix", "user", "global", "preset-a", "preset-d", "map", "interval",
                                          "batch", NULL };

/* wl_format_options' line without the knobs that do not apply through the OS layer (not_for_os,
 * written with their values); --page says the VMAs' page size (the OS and mix options follow). */
static void os_format_options(char *opts, unsigned page_shift)
{
    for (int n = 0; not_for_os[n]; n++) {
        char pat[32];
        snprintf(pat, sizeof pat, " --%s ", not_for_os[n]);
        char *at = strstr(opts, pat);   /* never first: the line starts with --workload */
        if (!at)
            continue;
        char *val = at + strlen(pat);
        char *end = val + strcspn(val, " ");
        memmove(at, end, strlen(end) + 1);
    }
    const char *page = page_shift == 30 ? "1g" : page_shift == 12 ? "4k" : "2m";
    size_t len = strlen(opts);
    snprintf(opts + len, CMD_LEN - len, " --page %s", page);
}

/* Enough RAM for every process's whole working set (prefaulted, or all touched): the OS
 * layer's default (128 MiB: the kernel image, its tables, the page tables) plus procs times the
 * working set and its 4 KiB page tables (one 4 KiB table per 2 MiB); huge pages are contiguous
 * and aligned, and the kernel's frames take the first aligned one (hence one more 1 GiB page).
 * 32-bit modes: at most 4 GiB (os_params_check). A multiple of 4 MiB. */
static uint64_t default_ram(const wl_params_t *wp, const wl_os_mix_t *mx, uint64_t os_default)
{
    const uint64_t ws = wp->region_bytes, per_proc = ws + (mx->page_shift == 12 ? ws / 512 : 0);
    uint64_t ram = os_default + (uint64_t)mx->procs * per_proc;
    const uint64_t align = mx->page_shift == 30 ? 1ull << 30 : 4ull << 20;
    ram = (ram + align - 1) & ~(align - 1);
    if (mx->page_shift == 30)
        ram += 1ull << 30;
    if ((wp->mode == PAGING_32 || wp->mode == PAGING_PAE) && ram > (4ull << 30))
        ram = 4ull << 30;
    return ram;
}

int demo_parse(int argc, char **argv, demo_opts_t *o)
{
    memset(o, 0, sizeof *o);
    config_defaults(&o->cfg);
    wl_defaults(&o->wp);
    char werr[WL_ERR_LEN];
    char cfg_args[CMD_LEN] = "";   /* --config / --set as given, for the reproduce line */
    o->backend = BACKEND_MODEL;
    /* --config and --set are collected and applied after the loop by cli_build_config, the
     * rule of every subcommand: defaults, the file, then every --set (the command line wins,
     * in whatever order the options came) */
    const char *sets[CMD_LEN / 8];
    cli_config_args_t ca = {.sets = sets};
    const char *wl_given[CMD_LEN / 8];   /* the workload options given, for wl_check_applies */
    size_t nwl_given = 0;
    /* the OS layer: its knobs start from the defaults of the --mode given (cli_os_mode) */
    os_params_default(&o->osp, cli_os_mode(argc, argv, PAGING_4LEVEL));
    const uint64_t os_default_ram = o->osp.ram;
    o->mx = (wl_os_mix_t){ .procs = 1, .threads = 1, .syscall_touches = 6, .prefault = true };
    wl_os_mix_t *mx = &o->mx;
    bool cpus_given = false, ram_given = false, touches_given = false, churn_pages_given = false, page_given = false;
    char os_args[CMD_LEN] = "";   /* the OS and mix options as given, for the reproduce line */

    /* argv[0] is the subcommand ("demo") or the program; tolerate being
     * handed the program's whole argv too ("mmulab demo ..."). */
    int i = 1;
    if (i < argc && !strcmp(argv[i], "demo"))
        i++;
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            usage(stdout);
            return 1;
        }
        if (strncmp(arg, "--", 2) != 0) {
            fprintf(stderr, "mmulab demo: unexpected argument '%s'\n", arg);
            usage(stderr);
            return 2;
        }
        const int at = i;
        const int ko = cli_os_option("demo", argc, argv, &i, &o->osp, true);
        if (ko < 0)
            return 2;
        if (ko > 0) {
            cpus_given |= !strncmp(arg, "--cpus", 6);
            ram_given |= !strncmp(arg, "--ram", 5);
            for (int a = at; a <= i; a++)
                cli_append_arg(os_args, sizeof os_args, argv[a]);
            continue;
        }
        /* --key=value or --key value */
        char key[64];
        const char *val;
        const char *eq = strchr(arg + 2, '=');
        size_t klen = eq ? (size_t)(eq - (arg + 2)) : strlen(arg + 2);
        if (klen == 0 || klen >= sizeof key) {
            fprintf(stderr, "mmulab demo: bad option '%s'\n", arg);
            return 2;
        }
        int km;
        memcpy(key, arg + 2, klen);
        key[klen] = 0;
        if (eq) {
            val = eq + 1;
        } else {
            if (i + 1 >= argc) {
                fprintf(stderr, "mmulab demo: option --%s needs a value\n", key);
                return 2;
            }
            val = argv[++i];
        }
        if (!strcmp(key, "config")) {
            if (ca.config_path) {
                fprintf(stderr, "mmulab demo: --config given twice\n");
                return 2;
            }
            ca.config_path = val;
        } else if (!strcmp(key, "set")) {
            if (!strchr(val, '=')) {
                fprintf(stderr, "mmulab demo: --set needs KEY=VALUE, got '%s'\n", val);
                return 2;
            }
            if (ca.nsets == sizeof sets / sizeof sets[0]) {
                fprintf(stderr, "mmulab demo: more than %zu --set options\n", sizeof sets / sizeof sets[0]);
                return 2;
            }
            ca.sets[ca.nsets++] = val;
        } else if (!strcmp(key, "json")) {
            o->json_out = val;
        } else if (!strcmp(key, "backend")) {
            if (backend_parse_kind(val, &o->backend) != 0) {
                fprintf(stderr, "mmulab demo: --backend '%s' is not one of model, rtl, cosim\n", val);
                return 2;
            }
        } else if (wl_is_key(key)) {
            page_given |= !strcmp(key, "page");
            if (nwl_given == sizeof wl_given / sizeof wl_given[0]) {
                fprintf(stderr, "mmulab demo: more than %zu workload options\n", sizeof wl_given / sizeof wl_given[0]);
                return 2;
            }
            wl_given[nwl_given++] = argv[i - (eq ? 0 : 1)] + 2;   /* "key" or "key=value" */
            if (wl_set(&o->wp, key, val, werr) != 0) {
                fprintf(stderr, "mmulab demo: --%s\n", werr);
                return 2;
            }
        } else if ((km = mix_option(key, val, mx)) != 0) {
            if (km < 0)
                return 2;
            touches_given |= !strcmp(key, "syscall-touches");
            churn_pages_given |= !strcmp(key, "churn-pages");
            if (strcmp(key, "os") && strcmp(key, "prefault"))   /* both are spelled out below */
                for (int a = i - (eq ? 0 : 1); a <= i; a++)
                    cli_append_arg(os_args, sizeof os_args, argv[a]);
        } else {
            fprintf(stderr, "mmulab demo: unknown option '--%s'\n", key);
            usage(stderr);
            return 2;
        }
    }
    wl_params_t *wp = &o->wp;
    /* an option the chosen workload ignores is an error (wl_check_applies) */
    for (size_t k = 0; k < nwl_given; k++) {
        char given[64];
        snprintf(given, sizeof given, "%.*s", (int)strcspn(wl_given[k], "="), wl_given[k]);
        if (wl_check_applies(wp, given, werr) != 0) {
            fprintf(stderr, "mmulab demo: %s\n", werr);
            return 2;
        }
    }
    /* Through the OS layer: one VMA per process with one page size (--page, default 4k), user
     * accesses, serial issue (os_user_access handles each fault before the next access). */
    for (size_t k = 0; k < nwl_given; k++)
        for (int n = 0; not_for_os[n]; n++)
            if (!strncmp(wl_given[k], not_for_os[n], strlen(not_for_os[n])) &&
                (wl_given[k][strlen(not_for_os[n])] == 0 || wl_given[k][strlen(not_for_os[n])] == '=')) {
                fprintf(stderr, "mmulab demo: --%s does not apply through the OS layer, which every demo runs "
                                "through (one VMA per process with --page's size, user accesses, serial issue; "
                                "docs/workloads.md)\n", not_for_os[n]);
                return 2;
            }
    if (wp->issue != WL_ISSUE_SERIAL) {
        fprintf(stderr, "mmulab demo: --issue overlap does not apply through the OS layer, which every demo runs "
                        "through (each access's faults are handled before the next one)\n");
        return 2;
    }
    if (!page_given)
        wp->frac_large = wp->frac_1g = 0;
    const unsigned page_shift = wp->frac_1g == 1 ? 30 : wp->frac_large == 1 ? (wp->mode == PAGING_32 ? 22 : 21) : 12;
    wp->user = true;
    if (!cpus_given && mx->threads > o->osp.cpus)
        o->osp.cpus = mx->threads;
    if (touches_given && !mx->syscall_every) {
        fprintf(stderr, "mmulab demo: --syscall-touches needs --syscall-every N > 0\n");
        return 2;
    }
    if (churn_pages_given && !mx->churn_every) {
        fprintf(stderr, "mmulab demo: --churn-pages needs --churn-every N > 0\n");
        return 2;
    }
    if (mx->churn_every && !churn_pages_given)
        mx->churn_pages = 1;
    mx->page_shift = page_shift;
    if (cli_build_config("demo", &ca, true, &o->cfg) != 0)
        return 2;
    if (ca.config_path) {
        cli_append_arg(cfg_args, sizeof cfg_args, "--config");
        cli_append_arg(cfg_args, sizeof cfg_args, ca.config_path);
    }
    for (size_t k = 0; k < ca.nsets; k++) {
        cli_append_arg(cfg_args, sizeof cfg_args, "--set");
        cli_append_arg(cfg_args, sizeof cfg_args, ca.sets[k]);
    }
    if (wl_validate(wp, werr) != 0) {
        fprintf(stderr, "mmulab demo: workload: %s\n", werr);
        return 2;
    }
    /* the RAM default needs the validated working set (rounded up to the large page) */
    if (!ram_given)
        o->osp.ram = default_ram(wp, mx, os_default_ram);
    int rc = cli_os_check("demo", &o->osp, o->backend);
    if (rc)
        return rc;

    /* The reproduce line: every workload knob, the OS and mix options as given, then the
     * defaults this function chose (--prefault, --ram), the configuration, backend and JSON. */
    char *opts = malloc(CMD_LEN);
    if (!opts) {
        fprintf(stderr, "mmulab demo: out of memory\n");
        return 2;
    }
    wl_format_options(wp, opts, CMD_LEN);
    os_format_options(opts, page_shift);
    snprintf(o->cmd, sizeof o->cmd, "mmulab demo %s%s --prefault %d", opts, os_args, mx->prefault);
    free(opts);
    if (!ram_given) {
        char ram[32];
        cli_append_arg(o->cmd, sizeof o->cmd, "--ram");
        cli_append_arg(o->cmd, sizeof o->cmd, wl_format_size(o->osp.ram, ram, sizeof ram));
    }
    const size_t len = strlen(o->cmd);
    snprintf(o->cmd + len, sizeof o->cmd - len, "%s", cfg_args);
    if (o->backend != BACKEND_MODEL) {
        cli_append_arg(o->cmd, sizeof o->cmd, "--backend");
        cli_append_arg(o->cmd, sizeof o->cmd, backend_kind_name(o->backend));
    }
    if (o->json_out) {
        cli_append_arg(o->cmd, sizeof o->cmd, "--json");
        cli_append_arg(o->cmd, sizeof o->cmd, o->json_out);
    }
    return 0;
}

int demo_main(int argc, char **argv)
{
    demo_opts_t *o = calloc(1, sizeof *o);
    if (!o) {
        fprintf(stderr, "mmulab demo: out of memory\n");
        return 1;
    }
    int rc = demo_parse(argc, argv, o);
    if (rc) {
        free(o);
        return rc == 1 ? 0 : rc;
    }
    /* the JSON file is opened before the run: a bad path fails at once, not after it */
    FILE *json_file = NULL;
    if (o->json_out && !(json_file = outfile_open(o->json_out))) {
        fprintf(stderr, "mmulab demo: cannot write %s: %s\n", o->json_out, strerror(errno));
        free(o);
        return 1;
    }
    /* --json -: standard output carries the JSON alone (it pipes into jq); the text goes to stderr */
    FILE *txt = json_file == stdout ? stderr : stdout;
    rc = demo_os_run(&o->wp, &o->cfg, o->backend, &o->osp, &o->mx, txt, json_file, o->json_out, o->cmd);
    free(o);
    return rc;
}
