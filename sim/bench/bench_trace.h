/* Trace replay streams of `make bench` (bench_trace.c). */
#ifndef MMULAB_BENCH_TRACE_H
#define MMULAB_BENCH_TRACE_H

/* Runs the trace streams selected by argv (all when argc < 2); argv[0] locates champsim_gen. */
void bench_traces(int argc, char **argv);

#endif
