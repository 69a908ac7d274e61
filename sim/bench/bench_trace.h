/* Trace replay streams of `make bench` (bench_trace.c). */
#ifndef MMULAB_BENCH_TRACE_H
#define MMULAB_BENCH_TRACE_H

#include <stdbool.h>

/* Runs the trace streams selected by argv (all when argc < 2); argv[0] locates champsim_gen. */
void bench_traces(int argc, char **argv);

/* `bench_model trace-rss-child PATH`: the replay trace-rss measures, in its own
 * process image; returns the exit status. */
int bench_trace_rss_child(const char *path);

/* True when no stream is named on the command line, or `name` is one of them (bench_model.c). */
bool bench_selected(int argc, char **argv, const char *name);

#endif
