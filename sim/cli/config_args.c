/* --config FILE and --set KEY=VALUE of every subcommand (cli.h): one rule everywhere, the
 * defaults, then the file, then every --set in order, whatever order they were given in. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "linereader.h"

int cli_config_option(int argc, char **argv, int *i, cli_config_args_t *ca)
{
    const char *v;
    const char *arg = argv[*i];
    if ((v = cli_option_value(argc, argv, i, "--config"))) {
        if (!*v)
            return cli_usage_error("%s needs a FILE", arg), -1;
        if (ca->config_path)
            return cli_usage_error("%s given twice", "--config"), -1;
        ca->config_path = v;
        return 1;
    }
    if ((v = cli_option_value(argc, argv, i, "--set"))) {
        if (!*v || !strchr(v, '='))
            return cli_usage_error("%s needs KEY=VALUE", arg), -1;
        ca->sets[ca->nsets++] = v;
        return 1;
    }
    return 0;
}

void cli_config_origin(const cli_config_args_t *ca, char *out, size_t len)
{
    out[0] = '\0';
    if (ca->config_path)
        cli_append_arg(out, len, "--config"), cli_append_arg(out, len, ca->config_path);
    for (size_t i = 0; i < ca->nsets; i++)
        cli_append_arg(out, len, "--set"), cli_append_arg(out, len, ca->sets[i]);
}

int cli_build_config(const char *cmd, const cli_config_args_t *ca, bool apply_sets, mmu_config_t *cfg)
{
    char err[CONFIG_ERR_LEN];
    config_defaults(cfg);
    char shown[4 * CONFIG_ERR_LEN], arg[1024];   /* raw bytes of the input, escaped */
    if (ca->config_path && config_load_file(cfg, ca->config_path, err) < 0) {
        fprintf(stderr, "mmulab %s: --config %s\n", cmd, line_escape(err, shown, sizeof shown));
        return 1;
    }
    mmu_config_t scratch = *cfg;
    for (size_t i = 0; i < ca->nsets; i++)
        if (config_set_assignment(&scratch, ca->sets[i], err) < 0) {
            fprintf(stderr, "mmulab %s: --set %s: %s\n", cmd, line_escape(ca->sets[i], arg, sizeof arg),
                    line_escape(err, shown, sizeof shown));
            return 1;
        }
    if (!apply_sets)
        return 0;
    *cfg = scratch;
    if (config_validate(cfg, err) < 0) {
        char source[1024];
        cli_config_origin(ca, source, sizeof source);
        fprintf(stderr, "mmulab %s: invalid configuration (from%s): %s\n", cmd,
                source[0] ? line_escape(source, arg, sizeof arg) : " the defaults", err);
        return 1;
    }
    return 0;
}
