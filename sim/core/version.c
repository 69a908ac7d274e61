/* The version strings (version.h) from the generated header. */
#include "version.h"

#include "mmulab_version.h"

#include <cjson/cJSON.h>

#include "backend.h"

const char *mmulab_version(void)
{
    return MMULAB_VERSION;
}

const char *mmulab_git_hash(void)
{
    return MMULAB_GIT;
}

struct cJSON *tool_json(void)
{
    static const backend_kind_t kinds[] = { BACKEND_MODEL, BACKEND_RTL, BACKEND_COSIM };
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", "mmulab");
    cJSON_AddStringToObject(o, "version", mmulab_version());
    cJSON_AddStringToObject(o, "git", mmulab_git_hash());
    cJSON *b = cJSON_AddArrayToObject(o, "backends");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (backend_available(kinds[i]))
            cJSON_AddItemToArray(b, cJSON_CreateString(backend_kind_name(kinds[i])));
    cJSON_AddBoolToObject(o, "waveforms", backend_can_trace());
    return o;
}
