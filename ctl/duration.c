/* duration.h */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "ctl/duration.h"

int duration_parse(const char *s, long *secs)
{
	long total = 0;

	if (!*s)
		return -EINVAL;
	while (*s) {
		char *end;
		long n = strtol(s, &end, 10), unit;

		if (end == s || n < 0)
			return -EINVAL;
		switch (*end) {
		case 'd': unit = 86400; break;
		case 'h': unit = 3600; break;
		case 'm': unit = 60; break;
		case 's': case 0: unit = 1; break;
		default: return -EINVAL;
		}
		if (n > (LONG_MAX - total) / unit)
			return -EINVAL;
		total += n * unit;
		s = *end ? end + 1 : end;
	}
	*secs = total;
	return 0;
}

int clock_next(const char *hhmm, time_t now, time_t *out)
{
	struct tm tm;
	char *end;
	long h = strtol(hhmm, &end, 10), m;

	if (end == hhmm || *end != ':' || h < 0 || h > 23)
		return -EINVAL;
	m = strtol(end + 1, &end, 10);
	if (*end || m < 0 || m > 59 || end - hhmm > 5)
		return -EINVAL;
	localtime_r(&now, &tm);
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	*out = mktime(&tm);
	if (*out <= now) {
		tm.tm_mday++;
		tm.tm_isdst = -1;
		*out = mktime(&tm);
	}
	return 0;
}

int pause_end(const char *dur, const char *clock, time_t now, time_t *until, const char **why)
{
	long secs;

	*until = 0;
	if (dur && clock) {
		*why = "--for or --until, not both";
		return -EINVAL;
	}
	if (dur) {
		if (duration_parse(dur, &secs) || !secs) {
			*why = "--for takes a duration such as 90s, 30m, 1h30m, 2d";
			return -EINVAL;
		}
		*until = now + secs;
	} else if (clock && clock_next(clock, now, until)) {
		*why = "--until takes a local time HH:MM";
		return -EINVAL;
	}
	return 0;
}
