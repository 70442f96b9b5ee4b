/*
 * time= windows, in local time: DAYS@HH:MM-HH:MM or DAYS@*. A window whose
 * end is not after its start crosses midnight, and the part after midnight
 * belongs to the day it started on: "mon-fri@20:00-07:00" is Monday 20:00 to
 * Tuesday 07:00, ..., Friday 20:00 to Saturday 07:00 (the nights that start
 * on Monday to Friday). The nights before school days are sun-thu@20:00-07:00.
 */
#ifndef UE_TIME_WINDOW_H
#define UE_TIME_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct time_window {
	uint8_t days;       /* bit N: struct tm's tm_wday N (0 = Sunday) */
	uint16_t start;     /* minutes after midnight, 0..1439 */
	uint16_t end;       /* 1..1440; not after start: ends the next day */
};

/*
 * Parses the value of time=: windows separated by ','; day names and ranges
 * before '@' ("mon-fri", "sat,sun", "*"), then "HH:MM-HH:MM" or "*"; a bare
 * "HH:MM-HH:MM" after a window adds another range on the same days
 * ("mon-fri@07:00-08:00,16:00-18:00"). Returns 0, or -EINVAL with *BAD the
 * offset of the offending byte in S and *WHY the reason.
 */
int time_windows_parse(const char *s, size_t len, struct time_window **out,
		       unsigned *n, size_t *bad, const char **why);
/* NOW as the local weekday (tm_wday) and minute after midnight. */
void time_local_clock(time_t now, int *wday, int *minute);
/* WDAY as tm_wday, MINUTE after local midnight. */
bool time_windows_active(const struct time_window *w, unsigned n, int wday, int minute);
/* The first moment after NOW at which a window of W opens or closes. */
time_t time_windows_next_change(const struct time_window *w, unsigned n, time_t now);

#endif
