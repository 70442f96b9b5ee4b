/* urlctl pause: internet off for clients until a time worked out here (urlctl(8)). */
#include <stdio.h>
#include <time.h>

#include "ctl/duration.h"
#include "ctl/urlctl.h"

int cmd_pause(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a)
{
	static struct ctl_msg req;
	const char *dur = ctl_value(c, a, "for"), *clock = ctl_value(c, a, "until");
	const char *why;
	char until_text[32];
	time_t until;

	if (pause_end(dur, clock, time(NULL), &until, &why))
		return ctl_usage_error(c, "%s", why);
	snprintf(until_text, sizeof(until_text), "%lld", (long long)until);
	ctl_msg_init(&req, c->request);
	ctl_msg_add_arg(&req, a->argv[0]);
	ctl_msg_add_arg(&req, until_text);
	return ctl_ask(env->socket, &req, c->shape, a->format);
}
