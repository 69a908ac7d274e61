/* The bounded line reader (linereader.h): fgetc into a fixed buffer, so no input can make
 * it allocate. */
#include "linereader.h"

#include <errno.h>
#include <string.h>

void line_reader_init(line_reader_t *r, FILE *in)
{
    memset(r, 0, sizeof *r);
    r->in = in;
}

line_status_t line_reader_next(line_reader_t *r)
{
    size_t n = 0;
    int c;
    int saw_nul = 0;
    errno = 0;
    while ((c = getc(r->in)) != EOF && c != '\n') {
        if (n == LINE_MAX_BYTES) {
            r->line_no++;
            r->buf[n] = '\0';
            r->len = n;
            return LINE_TOO_LONG;
        }
        if (c == '\0')
            saw_nul = 1;
        r->buf[n++] = (char)c;
    }
    r->buf[n] = '\0';
    r->len = n;
    if (c == EOF && ferror(r->in))
        return LINE_ERROR;
    if (c == EOF && n == 0)
        return LINE_EOF;
    r->line_no++;
    return saw_nul ? LINE_NUL : LINE_OK;
}

const char *line_status_text(line_status_t s, int err_no, char *buf, size_t len)
{
    switch (s) {
    case LINE_TOO_LONG:
        snprintf(buf, len, "line longer than %d bytes", LINE_MAX_BYTES);
        break;
    case LINE_NUL:
        snprintf(buf, len, "NUL byte in line");
        break;
    case LINE_ERROR:
        snprintf(buf, len, "read error: %s", strerror(err_no ? err_no : EIO));
        break;
    default:
        snprintf(buf, len, "no error");
        break;
    }
    return buf;
}

const char *line_escape(const char *in, char *out, size_t len)
{
    size_t used = 0;
    if (len == 0)
        return out;
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        char piece[5];
        if (*p == '\\')
            snprintf(piece, sizeof piece, "\\\\");
        else if (*p >= 0x20 && *p < 0x7f)
            snprintf(piece, sizeof piece, "%c", *p);
        else
            snprintf(piece, sizeof piece, "\\x%02x", *p);
        size_t n = strlen(piece);
        if (used + n >= len)
            break;
        memcpy(out + used, piece, n);
        used += n;
    }
    out[used] = '\0';
    return out;
}
