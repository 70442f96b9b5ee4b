/* Durations and clock times as people type them to urlctl. */
#ifndef UE_DURATION_H
#define UE_DURATION_H

#include <time.h>

/* "90s", "30m", "1h30m", "2d", "45" (seconds) into *SECS; 0 or -EINVAL. */
int duration_parse(const char *s, long *secs);

/* The next moment after NOW at local time "HH:MM" (today or tomorrow); 0 or -EINVAL. */
int clock_next(const char *hhmm, time_t now, time_t *out);

#endif
