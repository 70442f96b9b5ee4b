/* Durations and clock times as people type them to urlctl. */
#ifndef UE_DURATION_H
#define UE_DURATION_H

#include <time.h>

/* "90s", "30m", "1h30m", "2d", "45" (seconds) into *SECS; 0 or -EINVAL. */
int duration_parse(const char *s, long *secs);

/* The next moment after NOW at local time "HH:MM" (today or tomorrow); 0 or -EINVAL. */
int clock_next(const char *hhmm, time_t now, time_t *out);

/*
 * When a pause that starts at NOW ends: after DUR (a duration) or at CLOCK
 * (HH:MM, the next such moment); neither: 0, no end. 0, or -EINVAL with
 * *WHY saying what is wrong.
 */
int pause_end(const char *dur, const char *clock, time_t now, time_t *until, const char **why);

#endif
