/*
 * urlctl report: the daemon's typed rows (kinds "client", "site", "hour",
 * daemon_report.c) assembled into one object a client, as --json prints
 * them (the shape is in urlctl(8)), or as a few lines a client for people.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl/ctl_client.h"
#include "ctl/duration.h"
#include "ctl/urlctl.h"

/* The rows of one answer into one object a client, in the daemon's order. */
static json_t *assemble(json_t *rows)
{
	json_t *clients = json_array(), *row, *cur = NULL;
	size_t i;

	json_array_foreach(rows, i, row) {
		const char *k = json_string_value(json_object_get(row, "kind"));
		char kind[8];

		if (!k)
			continue;
		snprintf(kind, sizeof(kind), "%s", k);
		json_object_del(row, "kind");      /* frees K */
		if (!strcmp(kind, "client")) {
			cur = json_deep_copy(row);
			json_object_set_new(cur, "top_allowed", json_array());
			json_object_set_new(cur, "top_blocked", json_array());
			json_object_set_new(cur, "hours", json_array());
			json_array_append_new(clients, cur);
			continue;
		}
		if (!cur)
			continue;
		json_object_del(row, "client");
		if (!strcmp(kind, "site")) {
			const char *list = json_string_value(json_object_get(row, "list"));
			json_t *to = json_object_get(cur, list && !strcmp(list, "blocked") ?
						     "top_blocked" : "top_allowed");

			json_object_del(row, "list");      /* frees LIST, no longer needed */
			json_array_append(to, row);
		} else if (!strcmp(kind, "hour")) {
			json_array_append(json_object_get(cur, "hours"), row);
		}
	}
	return clients;
}

static int by_count(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "count"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "count"));

	return x < y ? 1 : x > y ? -1 : 0;
}

static void sort_sites(json_t *sites)
{
	size_t n = json_array_size(sites);
	json_t *v[32];

	for (size_t i = 0; i < n && i < 32; i++)
		v[i] = json_incref(json_array_get(sites, i));
	qsort(v, n < 32 ? n : 32, sizeof(v[0]), by_count);
	json_array_clear(sites);
	for (size_t i = 0; i < n && i < 32; i++)
		json_array_append_new(sites, v[i]);
}

static void time_text(json_t *t, char *buf, size_t len)
{
	time_t when = json_integer_value(t);
	struct tm tm;

	localtime_r(&when, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

static void print_sites(const char *what, json_t *sites)
{
	json_t *s;
	size_t i;

	printf("  %s:", what);
	json_array_foreach(sites, i, s)
		printf("%s %s %lld", i ? "," : "", json_string_value(json_object_get(s, "host")),
		       (long long)json_integer_value(json_object_get(s, "count")));
	printf("%s\n", json_array_size(sites) ? "" : " -");
}

static void print_text(json_t *clients)
{
	json_t *c;
	size_t i;

	if (!json_array_size(clients))
		printf("(none)\n");
	json_array_foreach(clients, i, c) {
		char first[32], last[32];

		time_text(json_object_get(c, "first_seen"), first, sizeof(first));
		time_text(json_object_get(c, "last_seen"), last, sizeof(last));
		printf("%s  requests %lld  blocks %lld  first seen %s  last seen %s\n",
		       json_string_value(json_object_get(c, "client")),
		       (long long)json_integer_value(json_object_get(c, "requests")),
		       (long long)json_integer_value(json_object_get(c, "blocks")), first, last);
		print_sites("top allowed", json_object_get(c, "top_allowed"));
		print_sites("top blocked", json_object_get(c, "top_blocked"));
	}
}

json_t *report_clients_json(json_t *rows)
{
	json_t *clients = assemble(rows), *cl;
	size_t i;

	json_array_foreach(clients, i, cl) {
		sort_sites(json_object_get(cl, "top_allowed"));
		sort_sites(json_object_get(cl, "top_blocked"));
	}
	return clients;
}

int cmd_report(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a)
{
	static struct ctl_msg req;
	const char *who = ctl_value(c, a, "client"), *since = ctl_value(c, a, "since");
	char ago[32] = "0";
	json_t *rows = json_array(), *clients;
	int status;

	if (since) {
		long secs;

		if (duration_parse(since, &secs) || !secs)
			return ctl_usage_error(c, "--since takes a duration such as 24h, 7d, 90m");
		snprintf(ago, sizeof(ago), "%ld", secs);
	}
	ctl_msg_init(&req, c->request);
	ctl_msg_add_arg(&req, who ? who : "");
	ctl_msg_add_arg(&req, ago);
	status = ctl_request(env->socket, &req, render_collect_row, rows);
	if (status != CTL_OK) {
		json_decref(rows);
		return status;
	}
	clients = report_clients_json(rows);
	if (a->format == OUT_JSON) {
		json_dumpf(clients, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		print_text(clients);
	}
	json_decref(clients);
	json_decref(rows);
	return CTL_OK;
}
