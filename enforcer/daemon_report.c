/*
 * urlctl report (urlctl(8)): the per-client counters as typed rows, for
 * urlctl to assemble and render: per client one row of kind "client",
 * then one of kind "site" per top site allowed and blocked, then one of
 * kind "hour" per hour with requests in the period asked for.
 */
#include <stdlib.h>
#include <string.h>

#include "enforcer/daemon.h"

struct report_query {
	int fd;
	struct target_prefixes only;   /* n 0: every client */
	time_t since, now;             /* since 0: all that is kept */
};

static void addr_format(const struct in6_addr *a, char *buf, size_t len)
{
	struct prefix host = { .addr = *a, .len = 128 };

	prefix_format(&host, buf, len);
}

static int site_rows(int fd, const char *client, const char *list, const struct report_site *top)
{
	static struct ctl_msg m;

	for (unsigned i = 0; i < REPORT_TOP_K; i++) {
		if (!top[i].count)
			continue;
		ctl_msg_init(&m, CTL_REC_ROW);
		ctl_msg_add_str(&m, "kind", "site");
		ctl_msg_add_str(&m, "client", client);
		ctl_msg_add_str(&m, "list", list);
		ctl_msg_add_str(&m, "host", top[i].host);
		ctl_msg_add_u64(&m, "count", top[i].count);
		ctl_msg_add_u64(&m, "error", top[i].error);
		if (ctl_msg_send(fd, &m))
			return -1;
	}
	return 0;
}

static int client_rows(const struct report_client *c, void *arg)
{
	static struct ctl_msg m;
	struct report_query *q = arg;
	char client[64];
	uint64_t requests = c->requests, blocks = c->blocks;
	bool wanted = !q->only.n;

	for (unsigned i = 0; i < q->only.n && !wanted; i++)
		wanted = prefix_contains(&q->only.p[i], &c->addr);
	if (!wanted)
		return 0;
	if (q->since)
		report_client_since(c, q->since, q->now, &requests, &blocks);
	if (q->since && !requests)
		return 0;
	addr_format(&c->addr, client, sizeof(client));
	ctl_msg_init(&m, CTL_REC_ROW);
	ctl_msg_add_str(&m, "kind", "client");
	ctl_msg_add_str(&m, "client", client);
	ctl_msg_add_u64(&m, "requests", requests);
	ctl_msg_add_u64(&m, "blocks", blocks);
	ctl_msg_add_u64(&m, "first_seen", c->first_seen);
	ctl_msg_add_u64(&m, "last_seen", c->last_seen);
	if (ctl_msg_send(q->fd, &m) || site_rows(q->fd, client, "allowed", c->allowed) ||
	    site_rows(q->fd, client, "blocked", c->blocked))
		return -1;
	for (unsigned i = 0; i < REPORT_HOURS; i++) {
		const struct report_hour *h = &c->hours[i];
		time_t start = (time_t)h->hour * 3600;

		if (!h->hour || start + 3600 <= (q->since ? q->since : 0) ||
		    h->hour + REPORT_HOURS <= q->now / 3600)
			continue;
		ctl_msg_init(&m, CTL_REC_ROW);
		ctl_msg_add_str(&m, "kind", "hour");
		ctl_msg_add_str(&m, "client", client);
		ctl_msg_add_u64(&m, "hour", start);
		ctl_msg_add_u64(&m, "requests", h->requests);
		ctl_msg_add_u64(&m, "blocks", h->blocks);
		if (ctl_msg_send(q->fd, &m))
			return -1;
	}
	return 0;
}

static int on_report(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	struct daemon *d = arg;
	struct report_query q = { .fd = fd, .now = time(NULL) };
	const char *who = NULL, *since = NULL;
	char *rest;
	long long ago;

	if (ctl_arg_next(&args, end, &who) != 1 || ctl_arg_next(&args, end, &since) != 1)
		return CTL_USAGE;
	ago = strtoll(since, &rest, 10);
	if (*rest || ago < 0)
		return CTL_USAGE;
	q.since = ago ? q.now - ago : 0;
	if (*who && daemon_target_prefixes(d, fd, who, &q.only))
		return CTL_USAGE;
	return report_foreach(&d->report, client_rows, &q) ? CTL_FAILED : CTL_OK;
}

void daemon_report_register(struct daemon *d)
{
	d->ctl.handlers[CTL_REQ_REPORT] = on_report;
}
