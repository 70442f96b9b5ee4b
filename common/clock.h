/* A clock's time in nanoseconds, for intervals and for bpf_ktime_get_ns()
 * (CLOCK_MONOTONIC). */
#ifndef UE_CLOCK_H
#define UE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t clock_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

#endif
