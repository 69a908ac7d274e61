/* Host time for the wall-clock and CPU-time figures of runs and benchmarks. */
#ifndef MMULAB_HOSTCLOCK_H
#define MMULAB_HOSTCLOCK_H

/* Seconds of a monotonic clock (differences only). */
double host_seconds(void);
/* CPU seconds used by this process (benchmarks on a shared machine). */
double host_cpu_seconds(void);

#endif
