/* The version strings (version.h) from the generated header. */
#include "version.h"

#include "mmulab_version.h"

const char *mmulab_version(void)
{
    return MMULAB_VERSION;
}

const char *mmulab_git_hash(void)
{
    return MMULAB_GIT;
}
