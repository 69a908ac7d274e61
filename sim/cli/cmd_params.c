/* `mmulab params`: the parameter table of model/params.def (defaults, ranges, the
 * resulting configuration), the Verilator -G flags of a configuration, or Markdown. */
#include "cli.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static void range_text(const config_param_t *p, char *buf, size_t len)
{
    switch (p->kind) {
    case P_BOOL:
        snprintf(buf, len, "0|1");
        break;
    case P_POW2:
        if (p->lo == 0)
            snprintf(buf, len, "0 or 2^n %d..%lld", 1, (long long)p->hi);
        else
            snprintf(buf, len, "2^n %lld..%lld", (long long)p->lo, (long long)p->hi);
        break;
    case P_ENUM_REPL:
    case P_ENUM_MEM: {
        size_t used = 0;
        buf[0] = '\0';
        for (int64_t v = p->lo; v <= p->hi && used < len; v++) {
            const char *n = config_enum_name(p->kind, v);
            used += (size_t)snprintf(buf + used, len - used, "%s%s", v == p->lo ? "" : "|", n ? n : "?");
        }
        break;
    }
    default:
        snprintf(buf, len, "%lld..%lld", (long long)p->lo, (long long)p->hi);
        break;
    }
}

static void value_text(const config_param_t *p, int64_t v, char *buf, size_t len)
{
    const char *n = config_enum_name(p->kind, v);
    if (n)
        snprintf(buf, len, "%s", n);
    else
        snprintf(buf, len, "%lld", (long long)v);
}

int cmd_params(int argc, char **argv)
{
    enum { TABLE, VERILATOR, MARKDOWN } fmt = TABLE;
    cli_config_args_t ca = {0};
    const char **sets = calloc((size_t)argc, sizeof *sets);
    if (!sets)
        return fputs("mmulab: out of memory\n", stderr), 1;
    ca.sets = sets;
    int rc = 0;
    bool fmt_given = false;
    for (int i = 1; i < argc && rc == 0; i++) {
        int k = cli_config_option(argc, argv, &i, &ca);
        if (k < 0) {
            rc = 2;
        } else if (k > 0) {
            continue;
        } else if (!strcmp(argv[i], "--verilator-flags") || !strcmp(argv[i], "--markdown")) {
            if (fmt_given)
                rc = cli_usage_error("%s", "params: --verilator-flags and --markdown exclude each other");
            fmt = argv[i][2] == 'v' ? VERILATOR : MARKDOWN;
            fmt_given = true;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(cli_usage_text, stdout);
            free(sets);
            return 0;
        } else {
            rc = cli_usage_error("params: unknown argument '%s'", argv[i]);
        }
    }
    mmu_config_t cfg;
    if (rc == 0)
        rc = cli_build_config("params", &ca, true, &cfg) ? 2 : 0;
    bool changed = ca.config_path || ca.nsets;
    for (size_t i = 0; rc == 0 && i < config_num_params; i++) {
        const config_param_t *p = &config_params[i];
        char def[32], val[32], range[96];
        int64_t v = config_get(&cfg, p);
        value_text(p, p->def, def, sizeof def);
        value_text(p, v, val, sizeof val);
        range_text(p, range, sizeof range);
        switch (fmt) {
        case VERILATOR:
            printf("-G%s=%lld\n", p->rtl_name, (long long)v);
            break;
        case MARKDOWN:
            if (i == 0)
                printf(changed ? "| key | value | default | range | description |\n|---|---|---|---|---|\n"
                               : "| key | default | range | description |\n|---|---|---|---|\n");
            if (changed)
                printf("| `%s` | %s | %s | %s | %s |\n", p->key, val, def, range, p->doc);
            else
                printf("| `%s` | %s | %s | %s |\n", p->key, def, range, p->doc);
            break;
        case TABLE:
            if (i == 0) {
                if (changed)
                    printf("%-18s %-8s %-8s %-22s %s\n", "key", "value", "default", "range", "description");
                else
                    printf("%-18s %-8s %-22s %s\n", "key", "default", "range", "description");
            }
            if (changed)
                printf("%-18s %-8s %-8s %-22s %s%s\n", p->key, val, def, range, p->doc,
                       v != p->def ? "  (*)" : "");
            else
                printf("%-18s %-8s %-22s %s\n", p->key, def, range, p->doc);
            break;
        }
    }
    free(sets);
    return rc;
}
