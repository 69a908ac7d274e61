/* Command-line helpers shared by the mmulab subcommands. */
#include "cli.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *cli_option_value(int argc, char **argv, int *i, const char *opt)
{
    size_t l = strlen(opt);
    if (strncmp(argv[*i], opt, l) != 0)
        return NULL;
    if (argv[*i][l] == '=')
        return argv[*i] + l + 1;
    if (argv[*i][l] != '\0')
        return NULL;
    if (*i + 1 >= argc)
        return "";   /* caught by the caller as a missing value */
    return argv[++*i];
}

void cli_append_arg(char *buf, size_t len, const char *s)
{
    size_t n = strlen(buf);
    bool plain = *s != 0;
    for (const char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,+@%", *p))
            plain = false;
    if (n + 2 >= len)
        return;
    buf[n++] = ' ';
    buf[n] = '\0';
    if (plain) {
        snprintf(buf + n, len - n, "%s", s);
        return;
    }
    buf[n++] = '\'';
    for (const char *p = s; *p && n + 6 < len; p++) {
        if (*p == '\'') {
            memcpy(buf + n, "'\\''", 4);
            n += 4;
        } else {
            buf[n++] = *p;
        }
    }
    buf[n++] = '\'';
    buf[n] = '\0';
}

void cli_trace_prog(const char *prog, char *out, size_t len)
{
    size_t n = strlen(prog);
    if (n > 4 && !strcmp(prog + n - 4, "-san"))
        n -= 4;
    if (n > 6 && !strncmp(prog + n - 6, "-trace", 6))
        n -= 6;
    snprintf(out, len, "%.*s-trace", (int)n, prog);
}

void cli_append_wave_window(char *buf, size_t len, const char *fst, uint64_t cycle, uint64_t window)
{
    char num[32];
    snprintf(num, sizeof num, "%llu", (unsigned long long)(cycle > window ? cycle - window : 0));
    cli_append_arg(buf, len, "--trace");
    cli_append_arg(buf, len, fst);
    cli_append_arg(buf, len, "--trace-from");
    cli_append_arg(buf, len, num);
}

bool cli_dump_wave(const char *cmd, const char *tprog, const char *fst)
{
    if (access(tprog, X_OK) != 0)
        return false;
    char line[8400], out[4200];
    snprintf(out, sizeof out, "%.4090s.txt", fst);
    remove(fst);
    snprintf(line, sizeof line, "%s >", cmd);
    cli_append_arg(line, sizeof line, out);
    size_t n = strlen(line);
    snprintf(line + n, sizeof line - n, " 2>&1");
    fflush(stdout);
    fflush(stderr);
    int st = system(line);
    return st != -1 && access(fst, R_OK) == 0;
}
