/* `mmulab backends` and `mmulab --version`: which backends this binary has. The binaries
 * keep their names (build/rel/mmulab, build/rtl/CONFIG/mmulab, .../mmulab-trace, see
 * docs/architecture.md); this command is how a script or a person asks one instead of
 * trying a backend and reading the error. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "version.h"

int cmd_backends(int argc, char **argv)
{
    static const backend_kind_t kinds[] = { BACKEND_MODEL, BACKEND_RTL, BACKEND_COSIM };
    if (argc < 0) {   /* --version */
        printf("mmulab %s git %s (backends:", mmulab_version(), mmulab_git_hash());
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
            if (backend_available(kinds[i]))
                printf(" %s", backend_kind_name(kinds[i]));
        printf("; waveforms: %s)\n", backend_can_trace() ? "yes" : "no");
        return 0;
    }
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return fputs(cli_usage_text, stdout), 0;
    if (argc > 1)
        return cli_usage_error("backends: unexpected '%s'", argv[1]);
    /* one line per backend this binary has, then whether its RTL writes waveforms */
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (backend_available(kinds[i]))
            printf("%s\n", backend_kind_name(kinds[i]));
    if (backend_can_trace())
        printf("trace\n");
    return 0;
}
