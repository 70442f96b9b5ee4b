/*
 * time= windows: day sets and ranges, windows across midnight (the part
 * after midnight belongs to the starting day), the next moment a window
 * opens or closes, daylight saving time.
 */
#include <stdlib.h>
#include <string.h>

#include "policies/time_window.h"
#include "tests/harness.h"
#include "tests/unit/policy_fixture.h"

/* 2026-11-23 is a Monday. */
#define MON 23
#define TUE 24
#define FRI 27
#define SAT 28
#define SUN 29

static void tz_set(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void tz_restore(void)
{
	unsetenv("TZ");
	tzset();
}

static struct time_window *windows(const char *spec, unsigned *n)
{
	struct time_window *w;
	size_t bad;
	const char *why;

	ASSERT_OK(time_windows_parse(spec, strlen(spec), &w, n, &bad, &why));
	return w;
}

static bool open_at(const struct time_window *w, unsigned n, int mday, int hour, int min)
{
	int wday, minute;

	time_local_clock(local_time(2026, 11, mday, hour, min), &wday, &minute);
	return time_windows_active(w, n, wday, minute);
}

void test_policy_time_parse(void)
{
	unsigned n;
	struct time_window *w = windows("mon-fri@20:00-07:00,sat,sun@*", &n);

	ASSERT_EQ(n, 2);
	ASSERT_EQ(w[0].days, 0x3e);               /* Monday (1) to Friday (5) */
	ASSERT_EQ(w[0].start, 20 * 60);
	ASSERT_EQ(w[0].end, 7 * 60);
	ASSERT_EQ(w[1].days, 0x41);               /* Saturday and Sunday */
	ASSERT_EQ(w[1].start, 0);
	ASSERT_EQ(w[1].end, 24 * 60);
	free(w);

	w = windows("fri-mon@22:00-00:00,*@*,tue@08:00-09:00,16:00-24:00", &n);
	ASSERT_EQ(n, 4);
	ASSERT_EQ(w[0].days, 0x63);               /* Friday, Saturday, Sunday, Monday */
	ASSERT_EQ(w[0].end, 24 * 60);             /* 00:00 as an end is midnight */
	ASSERT_EQ(w[1].days, 0x7f);
	ASSERT_EQ(w[2].days, 0x04);
	ASSERT_EQ(w[3].days, 0x04);               /* a bare range takes the days before */
	ASSERT_EQ(w[3].start, 16 * 60);
	ASSERT_EQ(w[3].end, 24 * 60);
	free(w);
}

void test_policy_time_school_nights(void)
{
	unsigned n;
	struct time_window *w = windows("mon-fri@20:00-07:00", &n);

	tz_set("UTC0");
	ASSERT_TRUE(open_at(w, n, MON, 20, 0));
	ASSERT_TRUE(open_at(w, n, MON, 23, 59));
	ASSERT_TRUE(open_at(w, n, TUE, 6, 59));   /* Monday's night */
	ASSERT_TRUE(!open_at(w, n, TUE, 7, 0));
	ASSERT_TRUE(!open_at(w, n, MON, 6, 0));   /* Sunday's night is not listed */
	ASSERT_TRUE(!open_at(w, n, MON, 19, 59));
	ASSERT_TRUE(open_at(w, n, SAT, 6, 0));    /* Friday's night */
	ASSERT_TRUE(!open_at(w, n, SAT, 20, 30));
	ASSERT_TRUE(!open_at(w, n, SUN, 21, 0));
	free(w);

	w = windows("sun-thu@21:00-07:00", &n);   /* the nights before school days */
	ASSERT_TRUE(open_at(w, n, SUN, 21, 0));
	ASSERT_TRUE(open_at(w, n, MON, 6, 0));
	ASSERT_TRUE(open_at(w, n, FRI, 6, 59));
	ASSERT_TRUE(!open_at(w, n, FRI, 21, 0));
	ASSERT_TRUE(!open_at(w, n, SAT, 6, 0));
	free(w);

	w = windows("sat,sun@*,mon@08:00-08:01", &n);
	ASSERT_TRUE(open_at(w, n, SAT, 0, 0));
	ASSERT_TRUE(open_at(w, n, SUN, 23, 59));
	ASSERT_TRUE(!open_at(w, n, MON, 0, 0));
	ASSERT_TRUE(open_at(w, n, MON, 8, 0));
	ASSERT_TRUE(!open_at(w, n, MON, 8, 1));
	ASSERT_TRUE(!open_at(w, n, FRI, 12, 0));
	free(w);
	tz_restore();
}

void test_policy_time_next_change(void)
{
	unsigned n;
	struct time_window *w = windows("mon-fri@20:00-07:00", &n);

	tz_set("UTC0");
	ASSERT_EQ(time_windows_next_change(w, n, local_time(2026, 11, MON, 12, 0)),
		  local_time(2026, 11, MON, 20, 0));
	ASSERT_EQ(time_windows_next_change(w, n, local_time(2026, 11, MON, 20, 0)),
		  local_time(2026, 11, TUE, 7, 0));
	ASSERT_EQ(time_windows_next_change(w, n, local_time(2026, 11, FRI, 21, 0)),
		  local_time(2026, 11, SAT, 7, 0));
	ASSERT_EQ(time_windows_next_change(w, n, local_time(2026, 11, SAT, 8, 0)),
		  local_time(2026, 11, 30, 20, 0));
	free(w);
	w = windows("sat@*", &n);
	ASSERT_EQ(time_windows_next_change(w, n, local_time(2026, 11, SAT, 10, 0)),
		  local_time(2026, 11, SUN, 0, 0));
	ASSERT_EQ(time_windows_next_change(w, n, local_time(2026, 11, SUN, 10, 0)),
		  local_time(2026, 12, 5, 0, 0));
	free(w);
	tz_restore();
}

void test_policy_time_daylight_saving(void)
{
	unsigned n;
	struct time_window *w = windows("*@20:00-07:00", &n);

	/* Central Europe: on 2026-03-29 the clocks go from 02:00 to 03:00 */
	tz_set("CET-1CEST,M3.5.0,M10.5.0/3");
	time_t evening = time_windows_next_change(w, n, local_time(2026, 3, 28, 12, 0));
	time_t morning = time_windows_next_change(w, n, evening);

	ASSERT_EQ(evening, local_time(2026, 3, 28, 20, 0));
	ASSERT_EQ(morning, local_time(2026, 3, 29, 7, 0));
	ASSERT_EQ(morning - evening, 10 * 3600);  /* a night one hour short */
	free(w);
	tz_restore();
}

void test_policy_time_in_rules(void)
{
	tz_set("UTC0");
	fixture_dir();
	struct policy *p = fixture_load("t.rules",
					"group kids 10.0.0.0/24\n"
					"block url . client=@kids time=sun-thu@21:00-07:00 id=bedtime\n"
					"log url . time=sat@10:00-11:00\n", NULL);
	struct match_scratch *s = match_scratch_new();
	struct test_request t;
	struct decision d;

	ASSERT_NONNULL(p);
	req_http(&t, "GET", "h", 80, "/", "10.0.0.3");
	policy_match(p, &t.r, local_time(2026, 11, SUN, 22, 0), s, &d);
	ASSERT_EQ(d.action, ACTION_BLOCK);
	policy_match(p, &t.r, local_time(2026, 11, FRI, 6, 0), s, &d);
	ASSERT_EQ(d.action, ACTION_BLOCK);
	policy_match(p, &t.r, local_time(2026, 11, FRI, 22, 0), s, &d);
	ASSERT_EQ(d.action, ACTION_ALLOW);
	policy_match(p, &t.r, local_time(2026, 11, SAT, 10, 30), s, &d);
	ASSERT_EQ(d.n_logged, 1);

	/* the daemon's timer: whichever rule's window moves first */
	ASSERT_EQ(policy_next_change(p, local_time(2026, 11, FRI, 8, 0)),
		  local_time(2026, 11, SAT, 10, 0));
	ASSERT_EQ(policy_next_change(p, local_time(2026, 11, SAT, 10, 0)),
		  local_time(2026, 11, SAT, 11, 0));
	ASSERT_EQ(policy_next_change(p, local_time(2026, 11, SAT, 11, 0)),
		  local_time(2026, 11, SUN, 21, 0));
	policy_free(p);
	match_scratch_free(s);

	p = fixture_load("t.rules", "block url x\n", NULL);
	ASSERT_EQ(policy_next_change(p, 0), 0);
	policy_free(p);
	tz_restore();
}
