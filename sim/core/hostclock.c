/* Host time (sim/core/hostclock.h). */
#include "hostclock.h"

#include <time.h>

static double seconds_of(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double host_seconds(void)
{
    return seconds_of(CLOCK_MONOTONIC);
}

double host_cpu_seconds(void)
{
    return seconds_of(CLOCK_PROCESS_CPUTIME_ID);
}
