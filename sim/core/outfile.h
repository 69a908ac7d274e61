/* Output files of every command (--json, --jsonl, --junit, --coverage, --log, ...): one rule.
 * "-" is standard output; a file that cannot be written, or a write that fails (a full disk,
 * /dev/full), is an error that the caller turns into a message and a non-zero exit. */
#ifndef MMULAB_OUTFILE_H
#define MMULAB_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

/* fopen(path, "w"), or stdout for "-"; NULL with errno set when it cannot be opened. */
FILE *outfile_open(const char *path);
/* Whether path is "-" (standard output). */
bool outfile_is_stdout(const char *path);
/* Flushes and closes f (stdout is flushed, not closed); -1 with errno set if any write to f
 * failed, now or earlier (the stream's error flag), else 0. */
int outfile_close(FILE *f);
/* Writes doc as indented JSON and a newline to f, then closes f (outfile_close): 0, or -1 with
 * errno set when the text cannot be made or any write failed. f is closed either way. */
struct cJSON;
int outfile_put_json(FILE *f, const struct cJSON *doc);

#endif
