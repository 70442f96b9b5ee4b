/*
 * The daemon's answers to urlctl (urlctl(8)): typed rows only; urlctl
 * renders them. Runs on the main thread, between its other events.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "enforcer/daemon.h"
#include "common/log.h"
#include "common/request_text.h"

static const char *addr_text(const struct in6_addr *a, char *buf, size_t len)
{
	if (IN6_IS_ADDR_V4MAPPED(a))
		return inet_ntop(AF_INET, &a->s6_addr[12], buf, len);
	return inet_ntop(AF_INET6, a, buf, len);
}

static int send_row(int fd, struct ctl_msg *m)
{
	return ctl_msg_send(fd, m) ? CTL_FAILED : CTL_OK;
}

static int on_status(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	static struct ctl_msg m;
	struct daemon *d = arg;
	struct policy_summary ps;
	char ifaces[512] = "";
	size_t n = 0;

	(void)args, (void)end;
	for (unsigned i = 0; i < d->o->n_interfaces && n < sizeof(ifaces); i++)
		n += snprintf(ifaces + n, sizeof(ifaces) - n, "%s%s", i ? "," : "",
			      d->o->interfaces[i]);
	policy_summarize(atomic_load(&d->policy), &ps);
	ctl_msg_init(&m, CTL_REC_ROW);
	ctl_msg_add_str(&m, "mode", atomic_load(&d->audit) ? "audit" : "enforce");
	ctl_msg_add_str(&m, "interfaces", ifaces);
	ctl_msg_add_str(&m, "policy", policy_path(atomic_load(&d->policy)));
	ctl_msg_add_u64(&m, "rules", ps.rules);
	ctl_msg_add_str(&m, "default", policy_action_name(ps.default_action));
	ctl_msg_add_u64(&m, "workers", d->n_workers);
	ctl_msg_add_u64(&m, "uptime_s", time(NULL) - d->started);
	ctl_msg_add_str(&m, "fail", d->o->fail_closed ? "closed" : "open");
	ctl_msg_add_bool(&m, "hold", d->o->hold);
	ctl_msg_add_u64(&m, "pauses", d->pauses.n);
	return send_row(fd, &m);
}

static int metric(int fd, const char *name, const char *type, const char *help,
		  uint64_t value, const char *label, const char *label_value)
{
	static struct ctl_msg m;

	ctl_msg_init(&m, CTL_REC_ROW);
	ctl_msg_add_str(&m, "metric", name);
	ctl_msg_add_str(&m, "type", type);
	ctl_msg_add_str(&m, "help", help);
	ctl_msg_add_u64(&m, "value", value);
	if (label)
		ctl_msg_add_str(&m, label, label_value);
	return ctl_msg_send(fd, &m);
}

static void verdict_histogram_rows(int fd, const struct verdict_histogram *h)
{
	static const char help[] =
		"Microseconds from a blocked request's last packet to its blocklist entry";
	static struct ctl_msg m;
	uint64_t cumulative = 0;
	char le[16];

	for (unsigned b = 0; b <= VERDICT_BUCKETS; b++) {
		cumulative += h->bucket[b];
		if (b < VERDICT_BUCKETS)
			snprintf(le, sizeof(le), "%u", verdict_bucket_us[b]);
		else
			snprintf(le, sizeof(le), "+Inf");
		ctl_msg_init(&m, CTL_REC_ROW);
		ctl_msg_add_str(&m, "metric", "verdict_latency_us_bucket");
		ctl_msg_add_str(&m, "family", "verdict_latency_us");
		ctl_msg_add_str(&m, "type", "histogram");
		ctl_msg_add_str(&m, "help", help);
		ctl_msg_add_u64(&m, "value", cumulative);
		ctl_msg_add_str(&m, "le", le);
		ctl_msg_send(fd, &m);
	}
	ctl_msg_init(&m, CTL_REC_ROW);
	ctl_msg_add_str(&m, "metric", "verdict_latency_us_sum");
	ctl_msg_add_str(&m, "family", "verdict_latency_us");
	ctl_msg_add_u64(&m, "value", h->sum_us);
	ctl_msg_send(fd, &m);
	ctl_msg_init(&m, CTL_REC_ROW);
	ctl_msg_add_str(&m, "metric", "verdict_latency_us_count");
	ctl_msg_add_str(&m, "family", "verdict_latency_us");
	ctl_msg_add_u64(&m, "value", h->count);
	ctl_msg_send(fd, &m);
}

static int count_block(const struct flow_tuple *t, const struct ue_block_value *v, void *arg)
{
	(void)t, (void)v;
	++*(uint64_t *)arg;
	return 0;
}

static int on_stats(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	struct daemon *d = arg;
	struct worker_counters sum = { 0 };
	struct decision_log_stats ls;
	uint64_t tap[UE_TAP_COUNTER_MAX] = { 0 }, blk[UE_BLK_COUNTER_MAX] = { 0 }, active = 0;
	uint64_t malformed = 0;

	(void)args, (void)end;
	for (unsigned w = 0; w < d->n_workers; w++) {
		struct worker_counters c;

		worker_counters(&d->workers[w], &c);
		worker_counters_add(&sum, &c);
	}
	for (int r = DECODE_FIRST_MALFORMED; r < DECODE_RESULT_MAX; r++)
		malformed += sum.pipe.decode[r];
	tap_prog_counters(d->tap, tap);
	blocklist_counters(d->bl, blk);
	blocklist_foreach(d->bl, count_block, &active);
	decision_log_stats(d->log, &ls);

	metric(fd, "packets_tapped_total", "counter", "Packets the socket filter passed to the daemon",
	       sum.capture.packets, NULL, NULL);
	metric(fd, "capture_drops_total", "counter", "Tapped packets lost because a ring was full",
	       sum.capture.drops, NULL, NULL);
	metric(fd, "kernel_tap_seen_total", "counter", "Frames the socket filter examined",
	       tap[UE_TAP_SEEN], NULL, NULL);
	metric(fd, "malformed_packets_total", "counter", "Tapped frames that failed to decode",
	       malformed, NULL, NULL);
	metric(fd, "requests_parsed_total", "counter", "Requests and ClientHellos parsed",
	       sum.pipe.requests_http, "proto", "http");
	metric(fd, "requests_parsed_total", "counter", "Requests and ClientHellos parsed",
	       sum.pipe.requests_tls, "proto", "tls");
	metric(fd, "requests_parsed_total", "counter", "Requests and ClientHellos parsed",
	       sum.pipe.requests_h2c, "proto", "h2c");
	metric(fd, "decisions_total", "counter", "Policy decisions by action",
	       sum.judge.allowed, "action", "allow");
	metric(fd, "decisions_total", "counter", "Policy decisions by action",
	       sum.judge.blocked, "action", "block");
	metric(fd, "decisions_total", "counter", "Policy decisions by action",
	       sum.judge.logged, "action", "log");
	metric(fd, "overflow_decisions_total", "counter", "Flows decided by --on-overflow",
	       sum.judge.overflow_decisions, NULL, NULL);
	metric(fd, "ambiguous_decisions_total", "counter",
	       "Flows blocked because their stream reads two ways (conflicting copies, urgent data)",
	       sum.judge.ambiguous_decisions, NULL, NULL);
	metric(fd, "paused_decisions_total", "counter",
	       "Requests blocked because their client is paused (urlctl pause, block all)",
	       sum.judge.paused_decisions, NULL, NULL);
	metric(fd, "pause_drops_total", "counter", "Packets of paused clients dropped by TC",
	       blk[UE_BLK_PAUSE_DROP], NULL, NULL);
	metric(fd, "flows_active", "gauge", "Sessions followed by the workers",
	       sum.pipe.flows_active, NULL, NULL);
	metric(fd, "flows_evicted_total", "counter", "Sessions dropped from a full flow table",
	       sum.pipe.flows_evicted, NULL, NULL);
	metric(fd, "midstream_pickups_total", "counter", "Sessions picked up without their handshake",
	       sum.pipe.midstream_pickups, NULL, NULL);
	metric(fd, "segments_without_ack_total", "counter",
	       "Client segments ignored for want of an ACK (the server discards them)",
	       sum.pipe.no_ack, NULL, NULL);
	metric(fd, "overlap_conflicts_total", "counter",
	       "Overlapping TCP segments with different data (first data wins)",
	       sum.pipe.overlap_conflicts, NULL, NULL);
	metric(fd, "blocks_added_total", "counter", "Sessions written to the kernel blocklist",
	       sum.blocks_added, NULL, NULL);
	metric(fd, "blocks_active", "gauge", "Sessions in the kernel blocklist", active, NULL, NULL);
	metric(fd, "blocks_expired_total", "counter", "Blocklist entries removed by the idle sweep",
	       d->blocks_expired, NULL, NULL);
	metric(fd, "blocks_ended_total", "counter", "Blocklist entries removed at the session's end",
	       d->blocks_ended, NULL, NULL);
	metric(fd, "kernel_drops_total", "counter", "Packets of blocked sessions dropped by TC",
	       blk[UE_BLK_DROP_INGRESS], "direction", "ingress");
	metric(fd, "kernel_drops_total", "counter", "Packets of blocked sessions dropped by TC",
	       blk[UE_BLK_DROP_EGRESS], "direction", "egress");
	metric(fd, "quic_drops_total", "counter", "QUIC packets of `block quic` clients dropped by TC",
	       blk[UE_BLK_QUIC_DROP], NULL, NULL);
	metric(fd, "fail_closed_drops_total", "counter",
	       "New sessions refused by TC while no daemon renewed the heartbeat",
	       blk[UE_BLK_FAIL_CLOSED_DROP], NULL, NULL);
	metric(fd, "injected_packets_passed_total", "counter",
	       "Resets and block pages TC let through a blocked session", blk[UE_BLK_INJECTED],
	       NULL, NULL);
	metric(fd, "fragment_drops_total", "counter",
	       "First fragments of IPv6 TCP to a tapped port dropped by TC",
	       blk[UE_BLK_FRAGMENT_DROP], NULL, NULL);
	metric(fd, "inject_failures_total", "counter", "Resets or block pages that could not be sent",
	       sum.inject_failures, NULL, NULL);
	metric(fd, "hold_held_total", "counter", "--hold: client segments TC ingress held",
	       blk[UE_BLK_HOLD_HELD], NULL, NULL);
	metric(fd, "hold_released_total", "counter", "--hold: held segments the daemon released",
	       sum.hold.released, NULL, NULL);
	metric(fd, "hold_reinjected_total", "counter",
	       "--hold: released segments sent back in (no retransmission waited for)",
	       sum.hold.reinjected, NULL, NULL);
	metric(fd, "hold_marked_passed_total", "counter",
	       "--hold: released segments TC ingress let in by their mark",
	       blk[UE_BLK_HOLD_RELEASED], NULL, NULL);
	metric(fd, "hold_dropped_total", "counter",
	       "--hold: held segments of blocked sessions, never released", sum.hold.kept,
	       NULL, NULL);
	metric(fd, "hold_release_failures_total", "counter",
	       "--hold: released segments that could not be sent (the sender retransmits)",
	       sum.hold.send_failures, NULL, NULL);
	metric(fd, "hold_unjudged_total", "counter",
	       "--hold, --fail open: segments passed while no daemon renewed the heartbeat",
	       blk[UE_BLK_HOLD_UNJUDGED], NULL, NULL);
	verdict_histogram_rows(fd, &sum.verdict);
	metric(fd, "log_lines_total", "counter", "Decision-log lines written", ls.written, NULL, NULL);
	metric(fd, "log_lines_dropped_total", "counter", "Decision-log lines lost (queue full, errors)",
	       ls.dropped + ls.write_errors, NULL, NULL);
	metric(fd, "policy_reloads_total", "counter", "Policies swapped in", d->reloads, NULL, NULL);
	metric(fd, "policy_reload_failures_total", "counter", "Invalid policies refused",
	       d->reload_failures, NULL, NULL);
	return metric(fd, "control_rejected_total", "counter", "Malformed or refused control requests",
		      d->ctl.rejected, NULL, NULL) ? CTL_FAILED : CTL_OK;
}

struct blocks_walk {
	struct daemon *d;
	int fd;
	const struct in6_addr *only;    /* unblock IP: either endpoint */
	bool remove;
	uint64_t count;
};

static int block_row(const struct flow_tuple *t, const struct ue_block_value *v, void *arg)
{
	static struct ctl_msg m;
	struct blocks_walk *b = arg;
	struct timespec now;
	char client[INET6_ADDRSTRLEN], server[INET6_ADDRSTRLEN];
	const char *rule = "-";

	if (b->only && memcmp(b->only, &t->client, 16) && memcmp(b->only, &t->server, 16))
		return 0;
	b->count++;
	if (b->remove) {
		blocklist_remove(b->d->bl, t);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (v->rule_hash && v->rule_hash <= b->d->n_labels)
		rule = b->d->labels[v->rule_hash - 1];
	ctl_msg_init(&m, CTL_REC_ROW);
	ctl_msg_add_str(&m, "client", addr_text(&t->client, client, sizeof(client)));
	ctl_msg_add_u64(&m, "client_port", t->client_port);
	ctl_msg_add_str(&m, "server", addr_text(&t->server, server, sizeof(server)));
	ctl_msg_add_u64(&m, "server_port", t->server_port);
	ctl_msg_add_str(&m, "rule", rule);
	ctl_msg_add_u64(&m, "age_s", (now.tv_sec * 1000000000ull + now.tv_nsec - v->created_ns) /
				     1000000000ull);
	ctl_msg_add_u64(&m, "drops", v->drops);
	return ctl_msg_send(b->fd, &m) ? -EPIPE : 0;
}

static int on_blocks(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	struct blocks_walk b = { .d = arg, .fd = fd };

	(void)args, (void)end;
	return blocklist_foreach(b.d->bl, block_row, &b) ? CTL_FAILED : CTL_OK;
}

static int on_unblock(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	static struct ctl_msg m;
	struct blocks_walk b = { .d = arg, .fd = fd, .remove = true };
	const char *what = NULL;
	struct in6_addr ip = { 0 };

	if (ctl_arg_next(&args, end, &what) != 1)
		return CTL_USAGE;
	if (strcmp(what, "all")) {
		if (ip_parse_mapped(what, &ip)) {
			control_send_msg(fd, "unblock: not an IP address nor \"all\": %s", what);
			return CTL_USAGE;
		}
		b.only = &ip;
	}
	blocklist_foreach(b.d->bl, block_row, &b);
	log_info("unblock %s: %llu sessions", what, (unsigned long long)b.count);
	ctl_msg_init(&m, CTL_REC_ROW);
	ctl_msg_add_u64(&m, "unblocked", b.count);
	return send_row(fd, &m);
}

static int on_mode(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	static struct ctl_msg m;
	struct daemon *d = arg;
	const char *mode = NULL;

	if (ctl_arg_next(&args, end, &mode) != 1 ||
	    (strcmp(mode, "enforce") && strcmp(mode, "audit")))
		return CTL_USAGE;
	atomic_store(&d->audit, !strcmp(mode, "audit"));
	log_info("mode %s", mode);
	ctl_msg_init(&m, CTL_REC_ROW);
	ctl_msg_add_str(&m, "mode", mode);
	return send_row(fd, &m);
}

static int on_apply(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	static struct ctl_msg m;
	struct daemon *d = arg;
	const char *path = NULL;
	struct policy_summary ps;

	if (ctl_arg_next(&args, end, &path) != 1 || path[0] != '/')
		return CTL_USAGE;
	if (daemon_reload(d, path, fd))
		return CTL_FAILED;
	policy_summarize(atomic_load(&d->policy), &ps);
	ctl_msg_init(&m, CTL_REC_ROW);
	ctl_msg_add_str(&m, "policy", path);
	ctl_msg_add_u64(&m, "rules", ps.rules);
	return send_row(fd, &m);
}

static int decision_row(int fd, const struct request *r, enum policy_action action,
			const struct rule_info *rule, enum policy_response response)
{
	static struct ctl_msg m;
	char where[512];

	ctl_msg_init(&m, CTL_REC_ROW);
	ctl_msg_add_str(&m, "proto", r->proto == REQUEST_TLS ? "tls" : "http");
	ctl_msg_add_str(&m, "url", r->url);
	ctl_msg_add_str(&m, "action", policy_action_name(action));
	if (rule) {
		snprintf(where, sizeof(where), "%s:%u", rule->file, rule->line);
		ctl_msg_add_str(&m, "rule", where);
	} else {
		ctl_msg_add_str(&m, "rule", "default");
	}
	if (rule && rule->id)
		ctl_msg_add_str(&m, "rule_id", rule->id);
	else
		ctl_msg_add_null(&m, "rule_id");
	ctl_msg_add_str(&m, "response", action == ACTION_BLOCK ? policy_response_name(response) : "-");
	return ctl_msg_send(fd, &m);
}

static int on_test(void *arg, int fd, const uint8_t *args, const uint8_t *end)
{
	static struct url_norm norm[2];
	struct daemon *d = arg;
	const char *url = NULL, *client = NULL, *method = NULL;
	struct request r;
	struct decision dec;

	if (ctl_arg_next(&args, end, &url) != 1 || ctl_arg_next(&args, end, &client) != 1 ||
	    ctl_arg_next(&args, end, &method) != 1)
		return CTL_USAGE;
	if (request_from_text(url, *client ? client : NULL, *method ? method : NULL, norm, &r)) {
		control_send_msg(fd, "urlctl test: not a URL or address: %s %s", url, client);
		return CTL_USAGE;
	}
	if (!d->ctl_scratch && !(d->ctl_scratch = match_scratch_new()))
		return CTL_FAILED;
	policy_match(atomic_load(&d->policy), &r, time(NULL), d->ctl_scratch, &dec);
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
}
