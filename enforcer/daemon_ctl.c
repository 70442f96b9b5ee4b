/*
 * The daemon's answers to urlctl (urlctl(8)): typed rows only; urlctl
 * renders them. Runs on the main thread, between its other events.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enforcer/daemon.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/ip_text.h"
#include "common/request_text.h"

/* Every answer is built here in turn: one main thread, one row at a time. */
static struct ctl_msg reply;

static int send_row(int fd, struct ctl_msg *m)
{
	return ctl_msg_send(fd, m) ? CTL_FAILED : CTL_OK;
}

static int on_status(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	struct daemon *d = arg;
	struct policy_summary ps;
	char ifaces[512] = "";
	size_t n = 0;

	(void)args, (void)end;
	for (unsigned i = 0; i < d->o->n_interfaces && n < sizeof(ifaces); i++)
		n += snprintf(ifaces + n, sizeof(ifaces) - n, "%s%s", i ? "," : "",
			      d->o->interfaces[i]);
	policy_summarize(atomic_load(&d->policy), &ps);
	ctl_msg_init(&reply, CTL_REC_ROW);
	ctl_msg_add_str(&reply, "mode", atomic_load(&d->audit) ? "audit" : "enforce");
	ctl_msg_add_str(&reply, "interfaces", ifaces);
	ctl_msg_add_str(&reply, "policy", policy_path(atomic_load(&d->policy)));
	/* 1 for the policy the daemon started with, one more for each swap */
	ctl_msg_add_u64(&reply, "generation", atomic_load(&d->policy_gen) + 1);
	ctl_msg_add_u64(&reply, "rules", ps.rules);
	ctl_msg_add_str(&reply, "default", policy_action_name(ps.default_action));
	ctl_msg_add_u64(&reply, "workers", d->n_workers);
	ctl_msg_add_u64(&reply, "uptime_s", time(NULL) - d->started);
	ctl_msg_add_str(&reply, "fail", d->o->fail_closed ? "closed" : "open");
	ctl_msg_add_bool(&reply, "hold", d->o->hold);
	ctl_msg_add_u64(&reply, "pauses", d->pauses.n);
	if (d->fleet) {
		struct fleet_stats fs;

		fleet_stats(d->fleet, &fs);
		ctl_msg_add_str(&reply, "fleet_name", d->o->name);
		ctl_msg_add_bool(&reply, "fleet_connected", fs.connected);
		ctl_msg_add_u64(&reply, "bundle_generation", fs.generation);
	}
	return send_row(fd, &reply);
}

/*
 * What urlctl stats reports, gathered once a request; each metric's WHERE
 * in common/metrics.h names a member of it.
 */
/* A counter a client address (unrecorded_frames_total). */
struct client_counts {
	unsigned n;
	struct {
		struct in6_addr addr;
		uint64_t count;
	} client[UE_UNRECORDED_CLIENTS];
};

struct stats_snapshot {
	struct worker_counters workers;       /* summed over the workers */
	uint64_t tap[UE_TAP_COUNTER_MAX];
	uint64_t blk[UE_BLK_COUNTER_MAX];
	struct decision_log_stats log;
	struct daemon_counters daemon;
	uint64_t malformed;                   /* decode results that are malformed */
	uint64_t blocks_active;
	uint64_t log_lost;                    /* dropped and write errors */
	uint64_t control_rejected;
	struct fleet_stats fleet;             /* zero without --nats */
	struct client_counts unrecorded_clients;
};

static int count_block(const struct flow_tuple *t, const struct ue_block_value *v, void *arg)
{
	(void)t, (void)v;
	++*(uint64_t *)arg;
	return 0;
}

static int add_client(const uint8_t addr[16], uint64_t frames, void *arg)
{
	struct client_counts *c = arg;

	if (c->n == UE_UNRECORDED_CLIENTS)
		return -E2BIG;
	memcpy(&c->client[c->n].addr, addr, 16);
	c->client[c->n++].count = frames;
	return 0;
}

static void snapshot(struct daemon *d, struct stats_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned w = 0; w < d->n_workers; w++) {
		struct worker_counters c;

		worker_counters(&d->workers[w], &c);
		worker_counters_add(&s->workers, &c);
	}
	for (int r = DECODE_FIRST_MALFORMED; r < DECODE_RESULT_MAX; r++)
		s->malformed += s->workers.pipe.decode[r];
	tap_prog_counters(d->tap, s->tap);
	/* frames the BPF ring had no room for are lost captures too */
	s->workers.capture.drops += s->tap[UE_TAP_UNRECORDED];
	tap_prog_unrecorded_clients(d->tap, add_client, &s->unrecorded_clients);
	blocklist_counters(d->bl, s->blk);
	blocklist_foreach(d->bl, count_block, &s->blocks_active);
	decision_log_stats(d->log, &s->log);
	s->log_lost = s->log.dropped + s->log.write_errors;
	s->daemon = d->counters;
	s->control_rejected = d->ctl.rejected;
	if (d->fleet)
		fleet_stats(d->fleet, &s->fleet);
}

/* A row of one series: name, its label if any, value. Help and kind are urlctl's. */
static int value_row(int fd, const struct metric_def *def, const uint64_t *value)
{
	ctl_msg_init(&reply, CTL_REC_ROW);
	ctl_msg_add_str(&reply, "metric", def->name);
	ctl_msg_add_u64(&reply, "value", *value);
	if (def->label)
		ctl_msg_add_str(&reply, def->label, def->label_value);
	return ctl_msg_send(fd, &reply);
}

/* A histogram's series as Prometheus has them: cumulative _bucket rows, _sum, _count. */
static int histogram_rows(int fd, const struct metric_def *def, const struct verdict_histogram *h)
{
	static const char *const suffix[] = { "_bucket", "_sum", "_count" };
	uint64_t cumulative = 0;
	char name[128], le[16];
	int err = 0;

	for (unsigned b = 0; b <= VERDICT_BUCKETS + 2; b++) {
		unsigned part = b < VERDICT_BUCKETS + 1 ? 0 : b - VERDICT_BUCKETS;

		snprintf(name, sizeof(name), "%s%s", def->name, suffix[part]);
		ctl_msg_init(&reply, CTL_REC_ROW);
		ctl_msg_add_str(&reply, "metric", name);
		ctl_msg_add_str(&reply, "family", def->name);
		if (part == 0) {
			cumulative += h->bucket[b];
			if (b < VERDICT_BUCKETS)
				snprintf(le, sizeof(le), "%u", verdict_bucket_us[b]);
			else
				snprintf(le, sizeof(le), "+Inf");
			ctl_msg_add_u64(&reply, "value", cumulative);
			ctl_msg_add_str(&reply, "le", le);
		} else {
			ctl_msg_add_u64(&reply, "value", part == 1 ? h->sum_us : h->count);
		}
		err = err ?: ctl_msg_send(fd, &reply);
	}
	return err;
}

/* One row a client, labelled with its address. */
static int client_rows(int fd, const struct metric_def *def, const struct client_counts *c)
{
	char addr[INET6_ADDRSTRLEN];
	int err = 0;

	for (unsigned i = 0; i < c->n && !err; i++) {
		ctl_msg_init(&reply, CTL_REC_ROW);
		ctl_msg_add_str(&reply, "metric", def->name);
		ctl_msg_add_u64(&reply, "value", c->client[i].count);
		ctl_msg_add_str(&reply, def->label, ip_format_mapped(&c->client[i].addr, addr, sizeof(addr)));
		err = ctl_msg_send(fd, &reply);
	}
	return err;
}

#define METRIC_ROWS(fd, def, where) _Generic((where), \
	const uint64_t *: value_row, \
	const struct client_counts *: client_rows, \
	const struct verdict_histogram *: histogram_rows)(fd, def, where)

static int on_stats(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	static struct stats_snapshot s;
	const struct stats_snapshot *sp = &s;
	const struct metric_def *def = metric_defs;
	int err = 0;

	(void)args, (void)end;
	snapshot(arg, &s);
#define ROW(name, kind, label, label_value, where, help) \
	err = err ?: METRIC_ROWS(fd, def, &sp->where); \
	def++;
	UE_METRICS(ROW)
#undef ROW
	return err ? CTL_FAILED : CTL_OK;
}

struct blocks_walk {
	struct daemon *d;
	int fd;
	const struct in6_addr *only;    /* unblock IP: either endpoint */
	int only_port;                  /* unblock IP PORT: that client port too; 0: any */
	bool remove;
	uint64_t count;
};

static int block_row(const struct flow_tuple *t, const struct ue_block_value *v, void *arg)
{
	struct blocks_walk *b = arg;
	struct timespec now;
	char client[INET6_ADDRSTRLEN], server[INET6_ADDRSTRLEN];
	const char *rule;

	if (b->only && memcmp(b->only, &t->client, 16) && memcmp(b->only, &t->server, 16))
		return 0;
	if (b->only_port && (memcmp(b->only, &t->client, 16) || t->client_port != b->only_port))
		return 0;
	b->count++;
	if (b->remove) {
		blocklist_remove(b->d->bl, t, blocklist_entry_proto(v));
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	rule = rule_labels_get(b->d->labels, v->rule_hash) ?: "-";
	ctl_msg_init(&reply, CTL_REC_ROW);
	ctl_msg_add_str(&reply, "client", ip_format_mapped(&t->client, client, sizeof(client)));
	ctl_msg_add_u64(&reply, "client_port", t->client_port);
	ctl_msg_add_str(&reply, "server", ip_format_mapped(&t->server, server, sizeof(server)));
	ctl_msg_add_u64(&reply, "server_port", t->server_port);
	ctl_msg_add_str(&reply, "rule", rule);
	ctl_msg_add_u64(&reply, "age_s", (now.tv_sec * 1000000000ull + now.tv_nsec - v->created_ns) /
				     1000000000ull);
	ctl_msg_add_u64(&reply, "drops", v->drops);
	return ctl_msg_send(b->fd, &reply) ? -EPIPE : 0;
}

static int on_blocks(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	struct blocks_walk b = { .d = arg, .fd = fd };

	(void)args, (void)end;
	return blocklist_foreach(b.d->bl, block_row, &b) ? CTL_FAILED : CTL_OK;
}

static int on_unblock(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	struct blocks_walk b = { .d = arg, .fd = fd, .remove = true };
	const char *what = NULL, *port = NULL;
	struct in6_addr ip = { 0 };
	char *port_end;

	if (ctl_arg_next(&args, end, &what) != 1)
		return CTL_USAGE;
	if (strcmp(what, "all")) {
		if (ip_parse_mapped(what, &ip)) {
			control_send_msg(fd, "unblock: not an IP address nor \"all\": %s", what);
			return CTL_USAGE;
		}
		b.only = &ip;
	}
	/* IP PORT: one session, by its client's end (the dashboard's unblock button) */
	if (b.only && ctl_arg_next(&args, end, &port) == 1) {
		long n = strtol(port, &port_end, 10);

		if (*port_end || n < 1 || n > 65535) {
			control_send_msg(fd, "unblock: not a port: %s", port);
			return CTL_USAGE;
		}
		b.only_port = (int)n;
	}
	blocklist_foreach(b.d->bl, block_row, &b);
	log_info("unblock %s: %llu sessions", what, (unsigned long long)b.count);
	ctl_msg_init(&reply, CTL_REC_ROW);
	ctl_msg_add_u64(&reply, "unblocked", b.count);
	return send_row(fd, &reply);
}

static int on_mode(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	struct daemon *d = arg;
	const char *mode = NULL;

	if (ctl_arg_next(&args, end, &mode) != 1 ||
	    (strcmp(mode, "enforce") && strcmp(mode, "audit")))
		return CTL_USAGE;
	atomic_store(&d->audit, !strcmp(mode, "audit"));
	log_info("mode %s", mode);
	ctl_msg_init(&reply, CTL_REC_ROW);
	ctl_msg_add_str(&reply, "mode", mode);
	return send_row(fd, &reply);
}

static int on_apply(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	struct daemon *d = arg;
	const char *path = NULL;
	struct policy_summary ps;

	if (ctl_arg_next(&args, end, &path) != 1 || path[0] != '/')
		return CTL_USAGE;
	if (daemon_reload(d, path, fd))
		return CTL_FAILED;
	policy_summarize(atomic_load(&d->policy), &ps);
	ctl_msg_init(&reply, CTL_REC_ROW);
	ctl_msg_add_str(&reply, "policy", path);
	ctl_msg_add_u64(&reply, "rules", ps.rules);
	return send_row(fd, &reply);
}

static int decision_row(int fd, const struct request *r, enum policy_action action,
			const struct rule_info *rule, enum policy_response response)
{
	char where[512];

	ctl_msg_init(&reply, CTL_REC_ROW);
	ctl_msg_add_str(&reply, "proto", request_proto_name(r->proto));
	ctl_msg_add_str(&reply, "url", r->url);
	ctl_msg_add_str(&reply, "action", policy_action_name(action));
	if (rule) {
		snprintf(where, sizeof(where), "%s:%u", rule->file, rule->line);
		ctl_msg_add_str(&reply, "rule", where);
	} else {
		ctl_msg_add_str(&reply, "rule", "default");
	}
	if (rule && rule->id)
		ctl_msg_add_str(&reply, "rule_id", rule->id);
	else
		ctl_msg_add_null(&reply, "rule_id");
	ctl_msg_add_str(&reply, "response", action == ACTION_BLOCK ? policy_response_name(response) : "-");
	return ctl_msg_send(fd, &reply);
}

/* Args: URL, client IP or "", method or "", time (epoch seconds) or "", then "quic", "ech". */
static int on_test(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	static struct url_norm norm[2];
	struct daemon *d = arg;
	struct request_text t = { 0 };
	const char *client = NULL, *method = NULL, *at = NULL, *kind, *why;
	struct request r;
	struct decision dec;
	time_t when = time(NULL);
	char *at_end;
	int more;

	if (ctl_arg_next(&args, end, &t.url) != 1 || ctl_arg_next(&args, end, &client) != 1 ||
	    ctl_arg_next(&args, end, &method) != 1 || ctl_arg_next(&args, end, &at) != 1)
		return CTL_USAGE;
	while ((more = ctl_arg_next(&args, end, &kind)) == 1) {
		if (!strcmp(kind, "quic"))
			t.quic = true;
		else if (!strcmp(kind, "ech"))
			t.ech = true;
		else
			return CTL_USAGE;
	}
	if (more < 0)
		return CTL_USAGE;
	t.client = *client ? client : NULL;
	t.method = *method ? method : NULL;
	if (*at) {
		when = (time_t)strtoll(at, &at_end, 10);
		if (*at_end)
			return CTL_USAGE;
	}
	if (request_from_text(&t, norm, &r, &why)) {
		control_send_msg(fd, "urlctl test: \"%s\": %s", t.url, why);
		return CTL_USAGE;
	}
	if (!d->ctl_scratch && !(d->ctl_scratch = match_scratch_new()))
		return CTL_FAILED;
	policy_match(atomic_load(&d->policy), &r, when, d->ctl_scratch, &dec);
	for (unsigned i = 0; i < dec.n_logged && i < POLICY_MAX_LOGGED; i++)
		decision_row(fd, &r, ACTION_LOG, dec.logged[i], dec.logged[i]->response);
	return decision_row(fd, &r, dec.action, dec.rule, dec.response) ? CTL_FAILED : CTL_OK;
}

void daemon_ctl_register(struct daemon *d)
{
	d->ctl.arg = d;
	d->ctl.handlers[CTL_REQ_STATUS] = on_status;
	d->ctl.handlers[CTL_REQ_STATS] = on_stats;
	d->ctl.handlers[CTL_REQ_BLOCKS] = on_blocks;
	d->ctl.handlers[CTL_REQ_UNBLOCK] = on_unblock;
	d->ctl.handlers[CTL_REQ_MODE] = on_mode;
	d->ctl.handlers[CTL_REQ_APPLY] = on_apply;
	d->ctl.handlers[CTL_REQ_TEST] = on_test;
	daemon_pause_register(d);
	daemon_report_register(d);
}
