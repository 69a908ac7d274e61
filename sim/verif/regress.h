/* `mmulab random`: runs seeds of the constrained-random generator (stimgen.h)
 * on a backend, one line per seed, a one-line replay command for every
 * failure, JUnit XML and merged functional coverage (coverage.h).
 * `mmulab random --help` and docs/verification.md describe the options. */
#ifndef MMULAB_REGRESS_H
#define MMULAB_REGRESS_H

/* prog: how the tool was invoked (argv[0] of main), for the replay commands.
 * argv[0] is "random". Returns the exit status: 0 all passed, 1 a seed failed
 * or could not run, 2 a bad command line. */
int regress_main(const char *prog, int argc, char **argv);

#endif
