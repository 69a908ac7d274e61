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

/* Ends a command line that could not hold all its arguments: a pasted command then fails
 * loudly instead of running without the arguments that did not fit. */
#define CLI_TRUNCATED " <command-line-truncated>"

void cli_append_arg(char *buf, size_t len, const char *s)
{
    static const char plain_chars[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=./:,+@%";
    size_t n = strlen(buf), marker = sizeof CLI_TRUNCATED - 1;
    if (n >= marker && strcmp(buf + n - marker, CLI_TRUNCATED) == 0)
        return;   /* already truncated: nothing more is appended */
    bool plain = *s != 0;
    size_t need = 1;   /* the blank */
    for (const char *p = s; *p; p++) {
        if (!strchr(plain_chars, *p))
            plain = false;
        need += *p == '\'' ? 4 : 1;
    }
    if (!plain)
        need += 2;   /* the quotes */
    if (n + need + marker + 1 > len) {   /* room is always kept for the marker */
        if (n + marker + 1 <= len)
            memcpy(buf + n, CLI_TRUNCATED, marker + 1);
        return;
    }
    buf[n++] = ' ';
    if (!plain)
        buf[n++] = '\'';
    for (const char *p = s; *p; p++) {
        if (!plain && *p == '\'') {
            memcpy(buf + n, "'\\''", 4);
            n += 4;
        } else {
            buf[n++] = *p;
        }
    }
    if (!plain)
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
