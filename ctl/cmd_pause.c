/* urlctl pause, resume and paused: internet off for clients (urlctl(8)). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/cmd_daemon.h"
#include "ctl/duration.h"
#include "ctl/urlctl.h"

static int pause_usage(const char *why)
{
	if (why)
		fprintf(stderr, "urlctl pause: %s\n", why);
	fprintf(stderr, "usage: urlctl pause CLIENT|@GROUP [--for DUR|--until HH:MM]\n");
	return CTL_USAGE;
}

int cmd_pause(const struct ctl_env *env, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ 0 },
	};
	const char *dur = NULL, *clock = NULL;
	time_t now = time(NULL), until = 0;
	char until_text[32];
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (opt == 'f')
			dur = optarg;
		else if (opt == 'u')
			clock = optarg;
		else
			return pause_usage(NULL);
	}
	if (optind != argc - 1)
		return pause_usage(optind == argc ? "which client?" : "one client or @GROUP");
	if (dur && clock)
		return pause_usage("--for or --until, not both");
	if (dur) {
		long secs;

		if (duration_parse(dur, &secs) || !secs)
			return pause_usage("--for takes a duration such as 90s, 30m, 1h30m, 2d");
		until = now + secs;
	} else if (clock && clock_next(clock, now, &until)) {
		return pause_usage("--until takes a local time HH:MM");
	}
	snprintf(until_text, sizeof(until_text), "%lld", (long long)until);
	const char *args[] = { argv[optind], until_text };

	return query_args(env->socket, CTL_REQ_PAUSE, SHAPE_RECORD, OUT_TEXT, args, 2);
}

int cmd_resume(const struct ctl_env *env, int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: urlctl resume CLIENT|@GROUP|all\n");
		return CTL_USAGE;
	}
	return query_args(env->socket, CTL_REQ_RESUME, SHAPE_RECORD, OUT_TEXT,
			  (const char *const *)&argv[1], 1);
}

int cmd_paused(const struct ctl_env *env, int argc, char **argv)
{
	enum out_format fmt;

	if (parse_format(argc, argv, false, &fmt))
		return CTL_USAGE;
	return query_args(env->socket, CTL_REQ_PAUSED, SHAPE_TABLE, fmt, NULL, 0);
}
