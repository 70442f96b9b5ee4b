/* urlctl commands answered by the running daemon over its control socket. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/cmd_daemon.h"
#include "ctl/urlctl.h"
#include "ctl/ctl_client.h"
#include "ctl/render.h"
#include "policies/policy.h"

int parse_format(int argc, char **argv, bool prometheus_ok, enum out_format *fmt)
{
	*fmt = OUT_TEXT;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			*fmt = OUT_JSON;
		else if (prometheus_ok && !strcmp(argv[i], "--prometheus"))
			*fmt = OUT_PROMETHEUS;
		else
			return -1;
	}
	return 0;
}

int query_args(const char *sock, enum ctl_type type, enum out_shape shape,
	       enum out_format fmt, const char *const *args, unsigned n)
{
	static struct ctl_msg req;
	json_t *rows = json_array();
	int status;

	ctl_msg_init(&req, type);
	for (unsigned i = 0; i < n; i++)
		ctl_msg_add_arg(&req, args[i]);
	status = ctl_request(sock, &req, render_collect_row, rows);
	if (status == CTL_OK)
		render(stdout, shape, fmt, rows);
	json_decref(rows);
	return status;
}

static int query(const char *sock, enum ctl_type type, enum out_shape shape,
		 enum out_format fmt, const char *arg)
{
	return query_args(sock, type, shape, fmt, &arg, arg ? 1 : 0);
}

int cmd_status(const struct ctl_env *env, int argc, char **argv)
{
	const char *sock = env->socket;

	enum out_format fmt;

	if (parse_format(argc, argv, false, &fmt))
		return CTL_USAGE;
	return query(sock, CTL_REQ_STATUS, SHAPE_RECORD, fmt, NULL);
}

int cmd_stats(const struct ctl_env *env, int argc, char **argv)
{
	const char *sock = env->socket;

	enum out_format fmt;

	if (parse_format(argc, argv, true, &fmt))
		return CTL_USAGE;
	return query(sock, CTL_REQ_STATS, SHAPE_METRICS, fmt, NULL);
}

int cmd_blocks(const struct ctl_env *env, int argc, char **argv)
{
	const char *sock = env->socket;

	enum out_format fmt;

	if (parse_format(argc, argv, false, &fmt))
		return CTL_USAGE;
	return query(sock, CTL_REQ_BLOCKS, SHAPE_TABLE, fmt, NULL);
}

int cmd_unblock(const struct ctl_env *env, int argc, char **argv)
{
	const char *sock = env->socket;

	if (argc != 2)
		return CTL_USAGE;
	return query(sock, CTL_REQ_UNBLOCK, SHAPE_RECORD, OUT_TEXT, argv[1]);
}

int cmd_mode(const struct ctl_env *env, int argc, char **argv)
{
	const char *sock = env->socket;

	if (argc != 2 || (strcmp(argv[1], "enforce") && strcmp(argv[1], "audit")))
		return CTL_USAGE;
	return query(sock, CTL_REQ_MODE, SHAPE_RECORD, OUT_TEXT, argv[1]);
}

int cmd_apply(const struct ctl_env *env, int argc, char **argv)
{
	const char *sock = env->socket;

	char path[PATH_MAX];
	struct policy *p;

	if (argc != 2)
		return CTL_USAGE;
	/* All errors at once, here, before the daemon is bothered. */
	p = policy_load(argv[1], stderr);
	if (!p)
		return CTL_FAILED;
	policy_free(p);
	if (!realpath(argv[1], path)) {
		perror(argv[1]);
		return CTL_FAILED;
	}
	return query(sock, CTL_REQ_APPLY, SHAPE_RECORD, OUT_TEXT, path);
}

int cmd_test_daemon(const char *sock, const char *url, const char *client, const char *method)
{
	static struct ctl_msg req;
	json_t *rows = json_array();
	int status;

	ctl_msg_init(&req, CTL_REQ_TEST);
	ctl_msg_add_arg(&req, url);
	ctl_msg_add_arg(&req, client ? client : "");
	ctl_msg_add_arg(&req, method ? method : "");
	status = ctl_request(sock, &req, render_collect_row, rows);
	if (status == CTL_OK)
		render(stdout, SHAPE_TABLE, OUT_TEXT, rows);
	json_decref(rows);
	return status;
}
