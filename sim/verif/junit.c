/* JUnit XML (junit.h). */
#include "junit.h"
#include "outfile.h"
#include "version.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct junit {
    FILE *f;
    const char *path;
    char *cases;                 /* the testcases, buffered */
    size_t cases_len;
    FILE *cf;
    uint64_t tests, failures, errors;
};

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\n': fputs("&#10;", f); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t')
                fputc(*s, f);
            break;
        }
    }
}

junit_t *junit_open(const char *path, char *err, size_t errlen)
{
    junit_t *j = calloc(1, sizeof *j);
    if (!j) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    j->path = path;
    if (!(j->f = outfile_open(path))) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        free(j);
        return NULL;
    }
    if (!(j->cf = open_memstream(&j->cases, &j->cases_len))) {
        snprintf(err, errlen, "out of memory");
        fclose(j->f);
        free(j);
        return NULL;
    }
    return j;
}

void junit_case(junit_t *j, const char *classname, const char *name, double seconds, int status,
                const char *message, const char *details, const char *out)
{
    FILE *cf = j->cf;
    j->tests++;
    fprintf(cf, "  <testcase classname=\"");
    xml_text(cf, classname);   /* it names the configuration: --config paths, --set values */
    fprintf(cf, "\" name=\"");
    xml_text(cf, name);
    fprintf(cf, "\" time=\"%.3f\">", seconds);
    if (status != 0) {
        const char *el = status > 0 ? "failure" : "error";
        if (status > 0)
            j->failures++;
        else
            j->errors++;
        fprintf(cf, "\n    <%s message=\"", el);
        xml_text(cf, message);
        fprintf(cf, "\" type=\"%s\">", status > 0 ? "mismatch" : "setup");
        xml_text(cf, details);
        fprintf(cf, "</%s>\n  ", el);
    } else {
        fprintf(cf, "<system-out>");
        xml_text(cf, out);
        fprintf(cf, "</system-out>");
    }
    fprintf(cf, "</testcase>\n");
}

int junit_close(junit_t *j, const char *suite, double seconds, char *err, size_t errlen)
{
    fclose(j->cf);
    FILE *f = j->f;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    char stamp[32] = "";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm))
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(f, "<testsuite name=\"");
    xml_text(f, suite);
    fprintf(f, "\" tests=\"%" PRIu64 "\" failures=\"%" PRIu64 "\" errors=\"%" PRIu64 "\" time=\"%.3f\" timestamp=\"%s\">\n",
            j->tests, j->failures, j->errors, seconds, stamp);
    /* the build that ran the cases */
    fprintf(f, "  <properties><property name=\"mmulab.version\" value=\"");
    xml_text(f, mmulab_version());
    fprintf(f, "\"/><property name=\"mmulab.git\" value=\"");
    xml_text(f, mmulab_git_hash());
    fprintf(f, "\"/></properties>\n");
    fwrite(j->cases, 1, j->cases_len, f);
    fprintf(f, "</testsuite>\n");
    free(j->cases);
    int rc = 0;
    if (outfile_close(f) != 0) {
        snprintf(err, errlen, "writing %s failed: %s", j->path, strerror(errno));
        rc = -1;
    }
    free(j);
    return rc;
}
