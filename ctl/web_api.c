/* The dashboard's JSON API (web_api.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/ctl_client.h"
#include "ctl/duration.h"
#include "ctl/render.h"
#include "ctl/urlctl.h"
#include "ctl/web_api.h"

struct api_route {
	const char *name;
	bool post;
	int (*run)(struct api_call *call);   /* an enum ctl_status */
};

/* Keeps the daemon's message lines: the first becomes the call's error. */
static void keep_message(void *arg, const char *line)
{
	struct api_call *call = arg;

	if (!call->error[0])
		snprintf(call->error, sizeof(call->error), "%s", line);
}

struct collect {
	struct api_call *call;
	json_t *rows;
};

static void collect_row(void *arg, const uint8_t *begin, const uint8_t *end)
{
	struct collect *c = arg;

	render_collect_row(c->rows, begin, end);
}

static void collect_message(void *arg, const char *line)
{
	struct collect *c = arg;

	keep_message(c->call, line);
}

/* Sends TYPE with up to three ARGS (NULL ends them); the rows land in
 * CALL->result as an array, or as one object when RECORD. */
static int ask(struct api_call *call, enum ctl_type type, bool record, const char *const *args)
{
	static struct ctl_msg req;
	struct collect c = { call, json_array() };
	int status;

	ctl_msg_init(&req, type);
	for (; args && *args; args++)
		ctl_msg_add_arg(&req, *args);
	status = ctl_request_msgs(call->socket, &req, collect_row, collect_message, &c);
	if (status == CTL_OK && record) {
		call->result = json_incref(json_array_get(c.rows, 0));
		json_decref(c.rows);
		if (!call->result)
			call->result = json_object();
	} else {
		call->result = c.rows;
	}
	if (status == CTL_UNREACHABLE && !call->error[0])
		snprintf(call->error, sizeof(call->error), "daemon not reachable at %s", call->socket);
	return status;
}

/* A string member of the POST body, or NULL. */
static const char *body_str(const struct api_call *call, const char *name)
{
	return json_string_value(json_object_get(call->body, name));
}

static int api_session(struct api_call *call)
{
	call->result = json_pack("{s:s}", "csrf", call->csrf);
	return CTL_OK;
}

static int api_status(struct api_call *call)
{
	return ask(call, CTL_REQ_STATUS, true, NULL);
}

static int api_stats(struct api_call *call)
{
	return ask(call, CTL_REQ_STATS, false, NULL);
}

static int api_blocks(struct api_call *call)
{
	return ask(call, CTL_REQ_BLOCKS, false, NULL);
}

#define HOUR 3600
#define TOP_BLOCKED 10

/* Adds COUNT visits of HOST to SITES, an array of {host, count}. */
static void add_site(json_t *sites, const char *host, json_int_t count)
{
	size_t i;
	json_t *s;

	json_array_foreach(sites, i, s) {
		if (!strcmp(json_string_value(json_object_get(s, "host")), host)) {
			json_object_set_new(s, "count", json_integer(
				json_integer_value(json_object_get(s, "count")) + count));
			return;
		}
	}
	json_array_append_new(sites, json_pack("{s:s,s:I}", "host", host, "count", count));
}

static int by_key_desc(const void *a, const void *b, const char *key)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, key));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, key));

	return (x < y) - (x > y);
}

static int by_count(const void *a, const void *b)
{
	return by_key_desc(a, b, "count");
}

static int by_requests(const void *a, const void *b)
{
	return by_key_desc(a, b, "requests");
}

/* ARR sorted by CMP, descending, at most MAX entries: a new array. */
static json_t *sorted(json_t *arr, int (*cmp)(const void *, const void *), size_t max)
{
	size_t n = json_array_size(arr);
	json_t **v = calloc(n ? n : 1, sizeof(*v)), *out = json_array();

	for (size_t i = 0; v && i < n; i++)
		v[i] = json_array_get(arr, i);
	if (v)
		qsort(v, n, sizeof(*v), cmp);
	for (size_t i = 0; v && i < n && i < max; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

/*
 * The page's view of the report: totals over the window, one entry for each
 * of its hours (oldest first), the sites blocked most over all clients, and
 * the clients (urlctl report --json's objects) by requests.
 */
static json_t *report_view(json_t *clients, long since, time_t now)
{
	time_t last = now - now % HOUR;
	size_t n_hours = since > 7 * 24 * HOUR ? 7 * 24 : (size_t)(since + HOUR - 1) / HOUR;
	json_t *hours = json_array(), *blocked = json_array(), *c, *h, *view;
	json_int_t requests = 0, blocks = 0;
	size_t i, j;

	for (i = 0; i < n_hours; i++)
		json_array_append_new(hours, json_pack("{s:I,s:i,s:i}", "hour",
			(json_int_t)(last - (time_t)(n_hours - 1 - i) * HOUR), "requests", 0, "blocks", 0));
	json_array_foreach(clients, i, c) {
		requests += json_integer_value(json_object_get(c, "requests"));
		blocks += json_integer_value(json_object_get(c, "blocks"));
		json_array_foreach(json_object_get(c, "top_blocked"), j, h)
			add_site(blocked, json_string_value(json_object_get(h, "host")),
				 json_integer_value(json_object_get(h, "count")));
		json_array_foreach(json_object_get(c, "hours"), j, h) {
			json_int_t at = json_integer_value(json_object_get(h, "hour"));
			json_t *slot;

			if (at > last || at <= last - (json_int_t)n_hours * HOUR)
				continue;
			slot = json_array_get(hours, n_hours - 1 - (last - at) / HOUR);
			json_object_set_new(slot, "requests", json_integer(
				json_integer_value(json_object_get(slot, "requests")) +
				json_integer_value(json_object_get(h, "requests"))));
			json_object_set_new(slot, "blocks", json_integer(
				json_integer_value(json_object_get(slot, "blocks")) +
				json_integer_value(json_object_get(h, "blocks"))));
		}
	}
	view = json_pack("{s:I,s:I,s:o,s:o,s:o}", "requests", requests, "blocks", blocks,
			 "hours", hours, "top_blocked", sorted(blocked, by_count, TOP_BLOCKED),
			 "clients", sorted(clients, by_requests, (size_t)-1));
	json_decref(blocked);
	return view;
}

static int api_report(struct api_call *call)
{
	const char *since_text = call->query(call->query_ctx, "since");
	const char *who = call->query(call->query_ctx, "client");
	long since = 24 * HOUR;
	char seconds[24];
	json_t *clients;
	int status;

	if (since_text && (duration_parse(since_text, &since) || !since)) {
		snprintf(call->error, sizeof(call->error), "report: since is a duration like 24h");
		return CTL_USAGE;
	}
	snprintf(seconds, sizeof(seconds), "%ld", since);
	status = ask(call, CTL_REQ_REPORT, false,
		     (const char *const[]){ who ? who : "", seconds, NULL });
	if (status == CTL_OK) {
		clients = report_clients_json(call->result);
		json_decref(call->result);
		call->result = report_view(clients, since, time(NULL));
		json_decref(clients);
	}
	return status;
}

static int api_paused(struct api_call *call)
{
	return ask(call, CTL_REQ_PAUSED, false, NULL);
}

static int api_pause(struct api_call *call)
{
	const char *who = body_str(call, "client"), *why;
	char until_text[24];
	time_t until;

	if (!who || !*who) {
		snprintf(call->error, sizeof(call->error), "pause: needs \"client\" (IP or @GROUP)");
		return CTL_USAGE;
	}
	if (pause_end(body_str(call, "for"), body_str(call, "until"), time(NULL), &until, &why)) {
		snprintf(call->error, sizeof(call->error), "pause: %s", why);
		return CTL_USAGE;
	}
	snprintf(until_text, sizeof(until_text), "%lld", (long long)until);
	return ask(call, CTL_REQ_PAUSE, true, (const char *const[]){ who, until_text, NULL });
}

static int api_resume(struct api_call *call)
{
	const char *who = body_str(call, "client");

	if (!who || !*who) {
		snprintf(call->error, sizeof(call->error), "resume: needs \"client\"");
		return CTL_USAGE;
	}
	return ask(call, CTL_REQ_RESUME, true, (const char *const[]){ who, NULL });
}

static int api_unblock(struct api_call *call)
{
	const char *client = body_str(call, "client");
	json_t *port = json_object_get(call->body, "client_port");
	char port_text[8] = "";

	if (!client) {
		snprintf(call->error, sizeof(call->error), "unblock: needs \"client\" (an IP or \"all\")");
		return CTL_USAGE;
	}
	if (port) {
		if (!json_is_integer(port) || json_integer_value(port) < 1 ||
		    json_integer_value(port) > 65535) {
			snprintf(call->error, sizeof(call->error), "unblock: client_port is 1-65535");
			return CTL_USAGE;
		}
		snprintf(port_text, sizeof(port_text), "%d", (int)json_integer_value(port));
	}
	return ask(call, CTL_REQ_UNBLOCK, true,
		   (const char *const[]){ client, port_text[0] ? port_text : NULL, NULL });
}

static int api_mode(struct api_call *call)
{
	const char *mode = body_str(call, "mode");

	if (!mode) {
		snprintf(call->error, sizeof(call->error), "mode: needs \"mode\": enforce or audit");
		return CTL_USAGE;
	}
	return ask(call, CTL_REQ_MODE, true, (const char *const[]){ mode, NULL });
}

static const struct api_route routes[] = {
	{ "session", false, api_session },
	{ "status", false, api_status },
	{ "stats", false, api_stats },
	{ "blocks", false, api_blocks },
	{ "report", false, api_report },
	{ "paused", false, api_paused },
	{ "pause", true, api_pause },
	{ "resume", true, api_resume },
	{ "unblock", true, api_unblock },
	{ "mode", true, api_mode },
};

static int http_status(int ctl_status)
{
	switch (ctl_status) {
	case CTL_OK: return 200;
	case CTL_USAGE: return 400;
	case CTL_UNREACHABLE: return 503;
	default: return 500;
	}
}

enum api_found web_api_run(const char *name, bool post, struct api_call *call, int *status)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		int st;

		if (strcmp(routes[i].name, name))
			continue;
		if (routes[i].post != post)
			return API_WRONG_METHOD;
		st = routes[i].run(call);
		if (st != CTL_OK) {
			json_decref(call->result);
			call->result = json_pack("{s:s}", "error",
						 call->error[0] ? call->error : "failed");
		}
		*status = http_status(st);
		return API_FOUND;
	}
	return API_NOT_FOUND;
}
