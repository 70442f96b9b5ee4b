/* urlctl commands answered by the running daemon over its control socket. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctl/ctl_client.h"
#include "ctl/urlctl.h"
#include "policies/policy.h"

int ctl_ask(const char *sock, struct ctl_msg *req, enum out_shape shape, enum out_format format)
{
	json_t *rows = json_array();
	int status = ctl_request(sock, req, render_collect_row, rows);

	if (status == CTL_OK)
		render(stdout, shape, format, rows);
	json_decref(rows);
	return status;
}

int ctl_query(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a)
{
	static struct ctl_msg req;

	ctl_msg_init(&req, c->request);
	for (int i = 0; i < a->argc; i++)
		ctl_msg_add_arg(&req, a->argv[i]);
	return ctl_ask(env->socket, &req, c->shape, a->format);
}

int cmd_apply(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a)
{
	static struct ctl_msg req;
	char path[PATH_MAX];
	struct policy *p;

	/* All errors at once, here, before the daemon is bothered. */
	p = policy_load(a->argv[0], stderr);
	if (!p)
		return CTL_FAILED;
	policy_free(p);
	if (!realpath(a->argv[0], path)) {
		perror(a->argv[0]);
		return CTL_FAILED;
	}
	ctl_msg_init(&req, c->request);
	ctl_msg_add_arg(&req, path);
	return ctl_ask(env->socket, &req, c->shape, a->format);
}

int ctl_test_daemon(const struct ctl_env *env, const struct request_text *t, time_t when)
{
	static struct ctl_msg req;
	char at[24] = "";

	if (when)
		snprintf(at, sizeof(at), "%lld", (long long)when);
	ctl_msg_init(&req, CTL_REQ_TEST);
	ctl_msg_add_arg(&req, t->url);
	ctl_msg_add_arg(&req, t->client ? t->client : "");
	ctl_msg_add_arg(&req, t->method ? t->method : "");
	ctl_msg_add_arg(&req, at);
	if (t->quic)
		ctl_msg_add_arg(&req, "quic");
	if (t->ech)
		ctl_msg_add_arg(&req, "ech");
	return ctl_ask(env->socket, &req, SHAPE_TABLE, OUT_TEXT);
}
