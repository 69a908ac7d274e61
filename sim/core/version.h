/* The tool's version: the number in the repository's VERSION file and the git commit it was
 * built from (generated into $(BUILD)/gen/mmulab_version.h by the Makefile; "unknown" outside
 * a git checkout, "-dirty" with uncommitted changes). `mmulab --version` prints both, and every
 * JSON and JUnit file the tool writes records them, so a result names the build that made it. */
#ifndef MMULAB_VERSION_H
#define MMULAB_VERSION_H

const char *mmulab_version(void);     /* "0.1.0" */
const char *mmulab_git_hash(void);    /* "1a2b3c4d5e6f", "1a2b3c4d5e6f-dirty" or "unknown" */

/* The "tool" object every JSON output carries: {"name": "mmulab", "version", "git",
 * "backends": [the backends this binary has], "waveforms": bool}. */
struct cJSON;
struct cJSON *tool_json(void);

#endif
