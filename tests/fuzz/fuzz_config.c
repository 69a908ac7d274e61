/* libFuzzer harness of the config reader (model/config.c): any bytes as a config file
 * (config_load_file, through a temporary file, as `--config` reads it), then the
 * cross-parameter checks; and each line as a `--set` assignment. Findings: crashes,
 * sanitizer reports, leaks, hangs. Built and run by mk/fuzz.mk (`make fuzz`); seeds: configs/. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void remove_temp(void)
{
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/mmulab-fuzz-config.%d", (int)getpid());
        atexit(remove_temp);
    }
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    mmu_config_t cfg;
    char err[CONFIG_ERR_LEN];
    config_defaults(&cfg);
    if (config_load_file(&cfg, path, err) == 0)
        config_validate(&cfg, err);

    /* --set: each line, NUL-terminated, as an assignment */
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    config_defaults(&cfg);
    for (char *line = copy, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (config_set_assignment(&cfg, line, err) == 0)
            config_validate(&cfg, err);
    }
    free(copy);
    return 0;
}
