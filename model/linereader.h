/* One bounded line reader for every text input of the tool: config files (model/config.c)
 * and scripts (sim/script/script.c). It lives in model/ because model/ cannot include sim/
 * and both readers need it (docs/architecture.md).
 *
 * Contract: a line is at most LINE_MAX_BYTES bytes (newline excluded); a longer one is
 * reported as LINE_TOO_LONG after reading at most LINE_MAX_BYTES + 1 bytes of it, so an
 * input without newlines (/dev/zero) costs a fixed amount of memory, never more. A NUL byte
 * inside a line is LINE_NUL, a read error (a directory, an I/O error) LINE_ERROR with errno. */
#ifndef MMULAB_LINEREADER_H
#define MMULAB_LINEREADER_H

#include <stdio.h>

#define LINE_MAX_BYTES 4096

typedef enum { LINE_OK, LINE_EOF, LINE_TOO_LONG, LINE_NUL, LINE_ERROR } line_status_t;

typedef struct {
    FILE *in;
    unsigned line_no;                 /* of the line just read (1-based) */
    char buf[LINE_MAX_BYTES + 2];     /* the line, NUL-terminated, newline removed */
    size_t len;
} line_reader_t;

void line_reader_init(line_reader_t *r, FILE *in);
/* Reads the next line into r->buf. */
line_status_t line_reader_next(line_reader_t *r);
/* The problem of a status other than LINE_OK/LINE_EOF, worded the same for scripts and
 * config files: "line longer than 4096 bytes", "NUL byte in line", "read error: ...". */
const char *line_status_text(line_status_t s, int err_no, char *buf, size_t len);
/* in, with every byte that is not printable ASCII written as \xNN (and a backslash as \\), into
 * out (len bytes, always NUL-terminated, cut short if need be): error messages quote input
 * words, and raw control bytes must not reach a terminal. Returns out. */
const char *line_escape(const char *in, char *out, size_t len);

#endif
