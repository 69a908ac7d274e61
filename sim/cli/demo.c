/* `mmulab demo`: the default end-to-end job (`make run`): a seeded synthetic
 * workload on a freshly built address space, then a readable report.
 * With an OS knob (--kpti --pcid --invpcid --vmalloc --flush-ceiling --cpus --smep --smap
 * --ram), a process-mix option (--procs --switch-every --syscall-every --syscall-touches
 * --threads --churn-every --churn-pages --kernel-every) or --os 1, the same stream runs as
 * processes of the OS layer instead (demo_os.c); without them nothing changes (`make run` and
 * the SystemC demo_stats test depend on that). */
#include "hostclock.h"
#include "cli.h"
#include "demo.h"
#include "os_args.h"
#include "os_json.h"
#include "names.h"
#include "outfile.h"
#include "version.h"

#include "config.h"
#include "mmu.h"
#include "report.h"
#include "workload.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
    fprintf(f,
        "usage: mmulab demo [--seed N] [--ops N] [--workload uniform|random|hotcold|stride|seq|zipf|chase]\n"
        "                   [--backend model|rtl|cosim] [--config FILE] [--set key=value]... [--json OUT]\n"
        "                   [workload knobs: --mode 32bit|pae|4level|5level --ws SIZE (or --region) --base VA|auto\n"
        "                    --page 4k|2m|1g --mix W4K:W2M:W1G --zipf-s S --rwx R:W:X --user 0|1 --global 0|1 --preset-a 0|1\n"
        "                    --preset-d 0|1 --hot SIZE --hot-frac F --stride SIZE\n"
        "                    --issue serial|overlap|overlap:K --interval K --batch N --map auto|eager|lazy]\n"
        "                   [through the OS layer: --os 1 --kpti 0|1 --pcid 0|1 --invpcid 0|1 --smep 0|1 --smap 0|1\n"
        "                    --vmalloc lazy|sync|prealloc|shared-pmd --flush-ceiling N --cpus N --ram SIZE\n"
        "                    --procs N --switch-every N --syscall-every N --syscall-touches N --threads N\n"
        "                    --churn-every N --churn-pages N --kernel-every N]\n"
        "Runs a seeded synthetic workload on the model and prints the configuration, the\n"
        "workload, and a report of the statistics. --set/--config take the MMU parameters\n"
        "of `mmulab params`; --json OUT writes the same numbers as JSON ('-': stdout carries the\n"
        "JSON alone and the text report goes to stderr). Any OS option runs the stream as user\n"
        "accesses of processes of the OS layer (docs/workloads.md).\n");
}

#define CMD_LEN 8192

/* The process-mix options (wl_os.h) and --os: counts into *mx. 1 consumed, 0 not one, -1 bad. */
static int mix_option(const char *key, const char *val, wl_os_mix_t *mx, bool *os_on)
{
    uint64_t n;
    if (!strcmp(key, "os")) {
        if (strcmp(val, "0") && strcmp(val, "1"))
            return fprintf(stderr, "mmulab demo: --os: want 0 or 1, got '%s'\n", val), -1;
        *os_on = val[0] == '1';
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

/* Workload options whose meaning needs the demo's own address space or MMU issue loop. */
static const char *const not_for_os[] = { "mix", "user", "global", "preset-a", "preset-d", "map", "interval",
                                          "batch", NULL };

/* wl_format_options' line for a run through the OS layer: the knobs that do not apply there
 * (not_for_os, written with their values) are left out and --page says the VMAs' page size
 * (the OS and mix options follow as given). */
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

int demo_main(int argc, char **argv)
{
    mmu_config_t cfg;
    wl_params_t wp;
    config_defaults(&cfg);
    wl_defaults(&wp);
    const char *json_out = NULL;
    char werr[WL_ERR_LEN];
    char cfg_args[CMD_LEN] = "";   /* --config / --set as given, for the reproduce line */
    bool mix_given = false;
    backend_kind_t backend = BACKEND_MODEL;
    /* --config and --set are collected and applied after the loop by cli_build_config, the
     * rule of every subcommand: defaults, the file, then every --set (the command line wins,
     * in whatever order the options came) */
    const char *sets[CMD_LEN / 8];
    cli_config_args_t ca = {.sets = sets};
    const char *wl_given[CMD_LEN / 8];   /* the workload options given, for wl_check_applies */
    size_t nwl_given = 0;
    /* the OS layer: its knobs start from the defaults of the --mode given (cli_os_mode) */
    os_params_t osp;
    os_params_default(&osp, cli_os_mode(argc, argv, PAGING_4LEVEL));
    wl_os_mix_t mx = { .procs = 1, .threads = 1, .syscall_touches = 6 };
    bool os_on = false, os_given = false, cpus_given = false, touches_given = false, churn_pages_given = false;
    bool page_given = false, os_flag_given = false;
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
            return 0;
        }
        if (strncmp(arg, "--", 2) != 0) {
            fprintf(stderr, "mmulab demo: unexpected argument '%s'\n", arg);
            usage(stderr);
            return 2;
        }
        const int at = i;
        const int ko = cli_os_option("demo", argc, argv, &i, &osp, true);
        if (ko < 0)
            return 2;
        if (ko > 0) {
            os_given = true;
            cpus_given |= !strncmp(arg, "--cpus", 6);
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
            json_out = val;
        } else if (!strcmp(key, "backend")) {
            if (backend_parse_kind(val, &backend) != 0) {
                fprintf(stderr, "mmulab demo: --backend '%s' is not one of model, rtl, cosim\n", val);
                return 2;
            }
        } else if (wl_is_key(key)) {
            mix_given |= !strcmp(key, "mix") || !strcmp(key, "page");
            page_given |= !strcmp(key, "page");
            if (nwl_given == sizeof wl_given / sizeof wl_given[0]) {
                fprintf(stderr, "mmulab demo: more than %zu workload options\n", sizeof wl_given / sizeof wl_given[0]);
                return 2;
            }
            wl_given[nwl_given++] = argv[i - (eq ? 0 : 1)] + 2;   /* "key" or "key=value" */
            if (wl_set(&wp, key, val, werr) != 0) {
                fprintf(stderr, "mmulab demo: --%s\n", werr);
                return 2;
            }
        } else if ((km = mix_option(key, val, &mx, &os_on)) != 0) {
            if (km < 0)
                return 2;
            os_given |= strcmp(key, "os") != 0;
            os_flag_given |= !strcmp(key, "os");
            touches_given |= !strcmp(key, "syscall-touches");
            churn_pages_given |= !strcmp(key, "churn-pages");
            for (int a = i - (eq ? 0 : 1); a <= i; a++)
                cli_append_arg(os_args, sizeof os_args, argv[a]);
        } else {
            fprintf(stderr, "mmulab demo: unknown option '--%s'\n", key);
            usage(stderr);
            return 2;
        }
    }
    /* an option the chosen workload ignores is an error (wl_check_applies) */
    for (size_t k = 0; k < nwl_given; k++) {
        char given[64];
        snprintf(given, sizeof given, "%.*s", (int)strcspn(wl_given[k], "="), wl_given[k]);
        if (wl_check_applies(&wp, given, werr) != 0) {
            fprintf(stderr, "mmulab demo: %s\n", werr);
            return 2;
        }
    }
    /* Through the OS layer: one VMA per process with one page size (--page, default 4k), user
     * accesses, serial issue (os_user_access handles each fault before the next access). */
    const bool via_os = os_on || os_given;
    unsigned page_shift = 12;
    if (os_flag_given && !os_on && os_given) {
        fprintf(stderr, "mmulab demo: --os 0 with OS or process-mix options (they run through the OS layer)\n");
        return 2;
    }
    if (via_os) {
        for (size_t k = 0; k < nwl_given; k++)
            for (int n = 0; not_for_os[n]; n++)
                if (!strncmp(wl_given[k], not_for_os[n], strlen(not_for_os[n])) &&
                    (wl_given[k][strlen(not_for_os[n])] == 0 || wl_given[k][strlen(not_for_os[n])] == '=')) {
                    fprintf(stderr, "mmulab demo: --%s does not apply through the OS layer (one VMA per process "
                                    "with --page's size, user accesses, serial issue; docs/workloads.md)\n",
                            not_for_os[n]);
                    return 2;
                }
        if (wp.issue != WL_ISSUE_SERIAL) {
            fprintf(stderr, "mmulab demo: --issue overlap does not apply through the OS layer (each access's faults "
                            "are handled before the next one)\n");
            return 2;
        }
        if (!page_given)
            wp.frac_large = wp.frac_1g = 0;
        page_shift = wp.frac_1g == 1 ? 30 : wp.frac_large == 1 ? (wp.mode == PAGING_32 ? 22 : 21) : 12;
        wp.user = true;
        if (!cpus_given && mx.threads > osp.cpus)
            osp.cpus = mx.threads;
        if (touches_given && !mx.syscall_every) {
            fprintf(stderr, "mmulab demo: --syscall-touches needs --syscall-every N > 0\n");
            return 2;
        }
        if (churn_pages_given && !mx.churn_every) {
            fprintf(stderr, "mmulab demo: --churn-pages needs --churn-every N > 0\n");
            return 2;
        }
        if (mx.churn_every && !churn_pages_given)
            mx.churn_pages = 1;
        mx.page_shift = page_shift;
        int rc = cli_os_check("demo", &osp, backend);
        if (rc)
            return rc;
    }
    /* The default mix has 1 GiB pages; in 32-bit and PAE paging they become large pages. */
    if (!mix_given && (wp.mode == PAGING_32 || wp.mode == PAGING_PAE)) {
        wp.frac_large += wp.frac_1g;
        wp.frac_1g = 0;
    }
    if (cli_build_config("demo", &ca, true, &cfg) != 0)
        return 2;
    if (ca.config_path) {
        cli_append_arg(cfg_args, sizeof cfg_args, "--config");
        cli_append_arg(cfg_args, sizeof cfg_args, ca.config_path);
    }
    for (size_t k = 0; k < ca.nsets; k++) {
        cli_append_arg(cfg_args, sizeof cfg_args, "--set");
        cli_append_arg(cfg_args, sizeof cfg_args, ca.sets[k]);
    }
    if (wl_validate(&wp, werr) != 0) {
        fprintf(stderr, "mmulab demo: workload: %s\n", werr);
        return 2;
    }

    const size_t cmd_len = 2 * CMD_LEN + 64;
    char *cmd = malloc(cmd_len), *opts = malloc(CMD_LEN), *line = malloc(CMD_LEN);
    if (!cmd || !opts || !line) {
        free(cmd); free(opts); free(line);
        fprintf(stderr, "mmulab demo: out of memory\n");
        return 1;
    }
    wl_format_options(&wp, opts, CMD_LEN);
    if (via_os)
        os_format_options(opts, page_shift);
    snprintf(cmd, cmd_len, "mmulab demo %s%s%s", opts, os_args, cfg_args);
    if (backend != BACKEND_MODEL) {
        cli_append_arg(cmd, cmd_len, "--backend");
        cli_append_arg(cmd, cmd_len, backend_kind_name(backend));
    }
    if (json_out) {
        cli_append_arg(cmd, cmd_len, "--json");
        cli_append_arg(cmd, cmd_len, json_out);
    }
    /* the JSON file is opened before the run: a bad path fails at once, not after it */
    FILE *json_file = NULL;
    if (json_out && !(json_file = outfile_open(json_out))) {
        fprintf(stderr, "mmulab demo: cannot write %s: %s\n", json_out, strerror(errno));
        free(cmd); free(opts); free(line);
        return 1;
    }
    /* --json -: standard output carries the JSON alone (it pipes into jq); the text goes to stderr */
    FILE *txt = json_file == stdout ? stderr : stdout;
    if (via_os) {
        int rc = demo_os_run(&wp, &cfg, backend, &osp, &mx, txt, json_file, json_out, cmd);
        free(cmd); free(opts); free(line);
        return rc;
    }
    const double t0 = host_seconds();
    workload_t *w = wl_create_on(&wp, &cfg, backend, werr);
    if (!w) {
        fprintf(stderr, "mmulab demo: %s\n", werr);
        if (json_file && json_file != stdout)
            fclose(json_file);
        free(cmd); free(opts); free(line);
        return 1;
    }
    const double t_build = host_seconds() - t0;

    report_config_line(txt, &cfg);
    wl_describe(w, line, CMD_LEN);
    fprintf(txt, "%s\n", line);
    fflush(txt);

    wl_run_t run;
    int rc = 0;
    if (wl_run(w, NULL, NULL, &run, werr) != 0) {
        fprintf(stderr, "mmulab demo: %s\n", werr);
        rc = 1;
    }
    const cycle_t span = run.last_complete >= run.first_issue ? run.last_complete - run.first_issue + 1 : 0;
    fprintf(txt, "run: %" PRIu64 " translations (r/w/x %" PRIu64 "/%" PRIu64 "/%" PRIu64 ") in %" PRIu64
           " cycles (%.3f per cycle), cycles %" PRIu64 "..%" PRIu64 "\n",
           run.ops, run.by_access[ACC_READ], run.by_access[ACC_WRITE], run.by_access[ACC_EXEC], span,
           report_rate(run.ops, span), run.first_issue, run.last_complete);
    if (rc == 0 && backend == BACKEND_COSIM)
        fprintf(txt, "%s\n", BACKEND_LOCKSTEP_AGREED);
    else if (rc == 0)
        fprintf(txt, "backend: %s\n", backend == BACKEND_RTL ? "rtl (the Verilated RTL alone)" : "model");
    /* Host timings on their own line: everything else is a function of the options. */
    fprintf(txt, "host: build %.3f s, run %.3f s (%.2f M translations/s)\n", t_build, run.seconds,
           run.seconds > 0 ? (double)run.ops / run.seconds / 1e6 : 0.0);
    if (run.faults || run.pa_mismatches) {
        fprintf(stderr, "mmulab demo: CHECK FAILED: %" PRIu64 " unexpected faults, %" PRIu64
                        " wrong physical addresses (every page of the region is mapped)\n",
                run.faults, run.pa_mismatches);
        rc = 1;
    }

    const mmu_stats_t *st = backend_stats(wl_backend(w));
    const physmem_stats_t *pm = physmem_stats(wl_mem(w));
    report_print(txt, st, pm, &cfg);

    if (json_out) {
        cJSON *root = cJSON_CreateObject();
        cJSON_AddItemToObject(root, "tool", tool_json());
        cJSON_AddStringToObject(root, "command", cmd);
        cJSON_AddStringToObject(root, "workload_line", line);
        cJSON *wo = cJSON_AddObjectToObject(root, "workload");
        cJSON_AddStringToObject(wo, "kind", wl_kind_name(wp.kind));
        cJSON_AddStringToObject(wo, "mode", names_mode(wp.mode));
        cJSON_AddNumberToObject(wo, "region_bytes", (double)wp.region_bytes);
        cJSON_AddNumberToObject(wo, "va_base", (double)wp.va_base);
        cJSON_AddNumberToObject(wo, "pages_4k", (double)wl_pages(w, PSC_4K));
        cJSON_AddNumberToObject(wo, "pages_2m", (double)wl_pages(w, PSC_2M));
        cJSON_AddNumberToObject(wo, "pages_1g", (double)wl_pages(w, PSC_1G));
        cJSON_AddNumberToObject(wo, "frac_write", wp.frac_write);
        cJSON_AddNumberToObject(wo, "frac_exec", wp.frac_exec);
        cJSON_AddBoolToObject(wo, "user", wp.user);
        cJSON_AddNumberToObject(wo, "ops", (double)wp.ops);
        cJSON_AddNumberToObject(wo, "seed", (double)wp.seed);
        cJSON_AddStringToObject(wo, "issue", wp.issue == WL_ISSUE_SERIAL ? "serial" : "overlap");
        cJSON_AddNumberToObject(wo, "interval", wp.interval);
        cJSON_AddNumberToObject(wo, "batch", wp.batch);
        cJSON *ro = cJSON_AddObjectToObject(root, "run");
        cJSON_AddNumberToObject(ro, "ops", (double)run.ops);
        cJSON_AddNumberToObject(ro, "reads", (double)run.by_access[ACC_READ]);
        cJSON_AddNumberToObject(ro, "writes", (double)run.by_access[ACC_WRITE]);
        cJSON_AddNumberToObject(ro, "fetches", (double)run.by_access[ACC_EXEC]);
        cJSON_AddNumberToObject(ro, "faults", (double)run.faults);
        cJSON_AddNumberToObject(ro, "pa_mismatches", (double)run.pa_mismatches);
        cJSON_AddNumberToObject(ro, "first_issue", (double)run.first_issue);
        cJSON_AddNumberToObject(ro, "last_complete", (double)run.last_complete);
        cJSON_AddNumberToObject(ro, "cycles", (double)span);
        cJSON_AddNumberToObject(ro, "cycles_per_access", run.ops ? (double)span / (double)run.ops : 0.0);
        cJSON_AddNumberToObject(ro, "host_build_seconds", t_build);
        cJSON_AddNumberToObject(ro, "host_run_seconds", run.seconds);
        cJSON_AddItemToObject(root, "stats", report_json(st, pm, &cfg));
        char *text = cJSON_Print(root);
        cJSON_Delete(root);
        bool written = text && fprintf(json_file, "%s\n", text) >= 0;
        if (outfile_close(json_file) != 0)
            written = false;
        if (!written) {
            fprintf(stderr, "mmulab demo: cannot write %s\n", json_out);
            rc = rc ? rc : 1;
        }
        free(text);
    }
    fprintf(txt, "reproduce: %s\n", cmd);

    wl_destroy(w);
    free(cmd); free(opts); free(line);
    return rc;
}
