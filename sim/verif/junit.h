/* JUnit XML of a regression: one <testcase> per seed (CI systems read it). The cases are
 * buffered because the <testsuite> element carries the totals. */
#ifndef MMULAB_JUNIT_H
#define MMULAB_JUNIT_H

#include <stddef.h>

typedef struct junit junit_t;

/* Opens path for writing. Returns NULL with a message in err. */
junit_t *junit_open(const char *path, char *err, size_t errlen);
/* One testcase. status 0: passed (out: its <system-out>); 1: <failure type="mismatch">;
 * -1: <error type="setup">; message: the one-line reason, details: the element's text. */
void junit_case(junit_t *j, const char *classname, const char *name, double seconds, int status,
                const char *message, const char *details, const char *out);
/* Writes the <testsuite> with its totals and closes. Returns 0, or -1 with a message in err. */
int junit_close(junit_t *j, const char *suite, double seconds, char *err, size_t errlen);

#endif
