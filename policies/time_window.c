/* Parses time= windows, tells whether one is open, and when one opens or closes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/array.h"
#include "policies/time_window.h"

static const char day_names[7][4] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

static int day_parse(const char *s, size_t len)
{
	if (len != 3)
		return -1;
	for (int i = 0; i < 7; i++)
		if (!strncasecmp(s, day_names[i], 3))
			return i;
	return -1;
}

/* "mon", "mon-fri", "fri-mon" (wraps), "*" -> a set of days, or -1. */
static int days_parse(const char *s, size_t len)
{
	if (len == 1 && *s == '*')
		return 0x7f;
	const char *dash = memchr(s, '-', len);

	if (!dash) {
		int d = day_parse(s, len);

		return d < 0 ? -1 : 1 << d;
	}
	int from = day_parse(s, dash - s), to = day_parse(dash + 1, s + len - dash - 1);

	if (from < 0 || to < 0)
		return -1;
	int set = 0;

	for (int d = from;; d = (d + 1) % 7) {
		set |= 1 << d;
		if (d == to)
			break;
	}
	return set;
}

/* "HH:MM" with 00:00 <= value <= 24:00, in minutes, or -1. */
static int clock_parse(const char *s, size_t len)
{
	if (len != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int h = (s[0] - '0') * 10 + s[1] - '0', m = (s[3] - '0') * 10 + s[4] - '0';

	if (m > 59 || h > 24 || (h == 24 && m))
		return -1;
	return h * 60 + m;
}

/* "*" or "HH:MM-HH:MM" into W's start and end; returns 0 or the reason. */
static const char *range_parse(const char *s, size_t len, struct time_window *w)
{
	if (len == 1 && *s == '*') {
		w->start = 0;
		w->end = 24 * 60;
		return NULL;
	}
	const char *dash = memchr(s, '-', len);

	if (!dash)
		return "expected HH:MM-HH:MM or *";
	int start = clock_parse(s, dash - s), end = clock_parse(dash + 1, s + len - dash - 1);

	if (start < 0 || end < 0)
		return "expected HH:MM-HH:MM (00:00 to 24:00) or *";
	if (start == 24 * 60)
		return "a window cannot start at 24:00";
	if (start == end)
		return "empty window: start and end are the same";
	w->start = start;
	w->end = end ? end : 24 * 60;
	return NULL;
}

int time_windows_parse(const char *s, size_t len, struct time_window **out,
		       unsigned *n, size_t *bad, const char **why)
{
	const char *end = s + len, *item = s, *pending_at = NULL;
	unsigned pending = 0, last_days = 0;
	int err = 0;

	*out = NULL;
	*n = 0;
	while (!err) {
		const char *comma = memchr(item, ',', end - item);
		const char *item_end = comma ? comma : end;
		const char *at = memchr(item, '@', item_end - item);
		struct time_window w = { 0 };

		*bad = item - s;
		if (at) {
			int days = at == item ? -1 : days_parse(item, at - item);

			if (days < 0) {
				*why = "expected days (mon-fri, sat, *) before @";
				err = -EINVAL;
				break;
			}
			*why = range_parse(at + 1, item_end - at - 1, &w);
			if (*why) {
				*bad = at + 1 - s;
				err = -EINVAL;
				break;
			}
			w.days = pending | days;
			last_days = w.days;
			pending = 0;
			err = array_append(out, n, &w, sizeof(w));
		} else if (!pending && last_days && item < item_end &&
			   ((*item >= '0' && *item <= '9') || (item_end - item == 1 && *item == '*'))) {
			*why = range_parse(item, item_end - item, &w);
			if (*why) {
				err = -EINVAL;
				break;
			}
			w.days = last_days;
			err = array_append(out, n, &w, sizeof(w));
		} else {
			int days = days_parse(item, item_end - item);

			if (days < 0) {
				*why = item == item_end ? "empty list element" :
					"expected days (mon-fri, sat, *)";
				err = -EINVAL;
				break;
			}
			if (!pending)
				pending_at = item;
			pending |= days;
		}
		if (!comma)
			break;
		item = comma + 1;
	}
	if (!err && pending) {
		*bad = pending_at - s;
		*why = "days without @HH:MM-HH:MM or @*";
		err = -EINVAL;
	}
	if (err) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return err;
}

void time_local_clock(time_t now, int *wday, int *minute)
{
	struct tm tm;

	localtime_r(&now, &tm);
	*wday = tm.tm_wday;
	*minute = tm.tm_hour * 60 + tm.tm_min;
}

bool time_windows_active(const struct time_window *w, unsigned n, int wday, int minute)
{
	int yesterday = (wday + 6) % 7;

	for (unsigned i = 0; i < n; i++) {
		bool today = w[i].days & (1 << wday);

		if (w[i].start < w[i].end) {
			if (today && minute >= w[i].start && minute < w[i].end)
				return true;
		} else if ((today && minute >= w[i].start) ||
			   ((w[i].days & (1 << yesterday)) && minute < w[i].end)) {
			return true;
		}
	}
	return false;
}

/* The local time MINUTES after the midnight that starts DAY (may be >= a day). */
static time_t local_moment(const struct tm *day, unsigned minutes)
{
	struct tm t = *day;

	t.tm_mday += minutes / (24 * 60);
	t.tm_hour = minutes % (24 * 60) / 60;
	t.tm_min = minutes % 60;
	t.tm_sec = 0;
	t.tm_isdst = -1;
	return mktime(&t);
}

time_t time_windows_next_change(const struct time_window *w, unsigned n, time_t now)
{
	struct tm base;
	time_t best = 0;

	localtime_r(&now, &base);
	/* yesterday's windows may close today; a week and a day covers every day set */
	for (int k = -1; k <= 8; k++) {
		struct tm day = base;

		day.tm_mday += k;
		day.tm_hour = 12;    /* noon: normalizing never lands on another day */
		day.tm_min = day.tm_sec = 0;
		day.tm_isdst = -1;
		if (mktime(&day) == (time_t)-1)
			continue;
		for (unsigned i = 0; i < n; i++) {
			if (!(w[i].days & (1 << day.tm_wday)))
				continue;
			unsigned close = w[i].end + (w[i].end <= w[i].start ? 24 * 60 : 0);
			time_t edges[2] = { local_moment(&day, w[i].start), local_moment(&day, close) };

			for (int e = 0; e < 2; e++)
				if (edges[e] > now && (!best || edges[e] < best))
					best = edges[e];
		}
	}
	return best;
}
