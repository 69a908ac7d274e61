/* Output files (outfile.h): "-" is standard output, every write error is reported. */
#include "outfile.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool outfile_is_stdout(const char *path)
{
    return path && strcmp(path, "-") == 0;
}

FILE *outfile_open(const char *path)
{
    return outfile_is_stdout(path) ? stdout : fopen(path, "w");
}

int outfile_close(FILE *f)
{
    /* a failed fprintf may already have dropped its buffer: fclose alone can then return 0 */
    int failed = fflush(f) != 0 || ferror(f);
    int saved = errno ? errno : EIO;
    if (f != stdout && fclose(f) != 0)
        return -1;
    if (failed) {
        errno = saved;
        return -1;
    }
    return 0;
}

int outfile_put_json(FILE *f, const cJSON *doc)
{
    char *text = cJSON_Print(doc);
    if (text)
        fprintf(f, "%s\n", text);   /* a failed write shows at the close */
    free(text);
    if (outfile_close(f) != 0)
        return -1;
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}
