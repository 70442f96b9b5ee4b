/*
 * Every counter, gauge and histogram the daemon reports (urlctl stats, its
 * --json and --prometheus forms, urlctl(8)), described once. Adding one is
 * one line here: its name (Prometheus adds the url_enforcer_ prefix), kind,
 * an optional label (name and value: series of one metric differ by it),
 * where the daemon finds the value, and a line of help.
 *
 * WHERE is a member of the daemon's stats snapshot (struct stats_snapshot,
 * enforcer/daemon_ctl.c): a uint64_t for a counter or gauge, a struct
 * verdict_histogram for a histogram, a struct client_counts for a counter
 * with a series per client (a label without a value: the client's address). urlctl uses the rest of the line to
 * render (ctl/render.c); the daemon sends only names, labels and values.
 */
#ifndef UE_METRICS_H
#define UE_METRICS_H

#define UE_METRICS(M) \
	M("packets_tapped_total", COUNTER, NULL, NULL, workers.capture.packets, \
	  "Packets the socket filter passed to the daemon") \
	M("capture_drops_total", COUNTER, NULL, NULL, workers.capture.drops, \
	  "Tapped packets lost because a ring was full") \
	M("unrecorded_frames_total", COUNTER, "client", NULL, unrecorded_clients, \
	  "Frames the tap kept but could not hand to the daemon (a full BPF ring), by client") \
	M("unrecorded_drops_total", COUNTER, NULL, NULL, blk[UE_BLK_UNRECORDED_DROP], \
	  "--fail closed: client segments TC dropped as unrecorded, or after an unrecorded one") \
	M("kernel_tap_seen_total", COUNTER, NULL, NULL, tap[UE_TAP_SEEN], \
	  "Frames the socket filter examined") \
	M("malformed_packets_total", COUNTER, NULL, NULL, malformed, \
	  "Tapped frames that failed to decode") \
	M("requests_parsed_total", COUNTER, "proto", "http", workers.pipe.requests_http, \
	  "Requests and ClientHellos parsed") \
	M("requests_parsed_total", COUNTER, "proto", "tls", workers.pipe.requests_tls, \
	  "Requests and ClientHellos parsed") \
	M("requests_parsed_total", COUNTER, "proto", "h2c", workers.pipe.requests_h2c, \
	  "Requests and ClientHellos parsed") \
	M("requests_parsed_total", COUNTER, "proto", "quic", workers.pipe.requests_quic, \
	  "Requests and ClientHellos parsed") \
	M("quic_initials_total", COUNTER, NULL, NULL, workers.pipe.quic.initials, \
	  "QUIC client Initial packets opened") \
	M("quic_unopened_total", COUNTER, NULL, NULL, workers.pipe.quic.unopened, \
	  "QUIC Initial packets that opened with no key (forged, damaged)") \
	M("quic_unknown_version_total", COUNTER, NULL, NULL, workers.pipe.quic_unknown_version, \
	  "QUIC connections in a version other than 1 and 2") \
	M("quic_abandoned_total", COUNTER, NULL, NULL, workers.pipe.quic_abandoned, \
	  "QUIC connections forgotten before their ClientHello was whole") \
	M("decisions_total", COUNTER, "action", "allow", workers.judge.allowed, \
	  "Policy decisions by action") \
	M("decisions_total", COUNTER, "action", "block", workers.judge.blocked, \
	  "Policy decisions by action") \
	M("decisions_total", COUNTER, "action", "log", workers.judge.logged, \
	  "Policy decisions by action") \
	M("overflow_decisions_total", COUNTER, NULL, NULL, workers.judge.overflow_decisions, \
	  "Flows decided by --on-overflow") \
	M("ambiguous_decisions_total", COUNTER, NULL, NULL, workers.judge.ambiguous_decisions, \
	  "Flows blocked because their stream reads two ways (conflicting copies, urgent data)") \
	M("paused_decisions_total", COUNTER, NULL, NULL, workers.judge.paused_decisions, \
	  "Requests blocked because their client is paused (urlctl pause, block all)") \
	M("pause_drops_total", COUNTER, NULL, NULL, blk[UE_BLK_PAUSE_DROP], \
	  "Packets of paused clients dropped by TC") \
	M("flows_active", GAUGE, NULL, NULL, workers.pipe.flows.active, \
	  "Sessions followed by the workers") \
	M("flows_evicted_total", COUNTER, NULL, NULL, workers.pipe.flows.evicted, \
	  "Sessions dropped from a full flow table") \
	M("midstream_pickups_total", COUNTER, NULL, NULL, workers.pipe.midstream_pickups, \
	  "Sessions picked up without their handshake") \
	M("segments_without_ack_total", COUNTER, NULL, NULL, workers.pipe.no_ack, \
	  "Client segments ignored for want of an ACK (the server discards them)") \
	M("overlap_conflicts_total", COUNTER, NULL, NULL, workers.pipe.reasm.overlap_conflicts, \
	  "Overlapping TCP segments with different data (first data wins)") \
	M("blocks_added_total", COUNTER, NULL, NULL, workers.blocks_added, \
	  "Sessions written to the kernel blocklist") \
	M("blocks_active", GAUGE, NULL, NULL, blocks_active, \
	  "Sessions in the kernel blocklist") \
	M("blocks_expired_total", COUNTER, NULL, NULL, daemon.blocks_expired, \
	  "Blocklist entries removed by the idle sweep") \
	M("blocks_ended_total", COUNTER, NULL, NULL, daemon.blocks_ended, \
	  "Blocklist entries removed at the session's end") \
	M("kernel_drops_total", COUNTER, "direction", "ingress", blk[UE_BLK_DROP_INGRESS], \
	  "Packets of blocked sessions dropped by TC") \
	M("kernel_drops_total", COUNTER, "direction", "egress", blk[UE_BLK_DROP_EGRESS], \
	  "Packets of blocked sessions dropped by TC") \
	M("quic_drops_total", COUNTER, NULL, NULL, blk[UE_BLK_QUIC_DROP], \
	  "QUIC packets of `block quic` clients dropped by TC") \
	M("fail_closed_drops_total", COUNTER, NULL, NULL, blk[UE_BLK_FAIL_CLOSED_DROP], \
	  "New sessions refused by TC while no daemon renewed the heartbeat") \
	M("injected_packets_passed_total", COUNTER, NULL, NULL, blk[UE_BLK_INJECTED], \
	  "Resets and block pages TC let through a blocked session") \
	M("fragment_drops_total", COUNTER, NULL, NULL, blk[UE_BLK_FRAGMENT_DROP], \
	  "First fragments of IPv6 TCP to a tapped port dropped by TC") \
	M("inject_failures_total", COUNTER, NULL, NULL, workers.inject_failures, \
	  "Resets or block pages that could not be sent") \
	M("hold_held_total", COUNTER, NULL, NULL, blk[UE_BLK_HOLD_HELD], \
	  "--hold: client segments TC ingress held") \
	M("hold_released_total", COUNTER, NULL, NULL, workers.hold.released, \
	  "--hold: held segments the daemon released") \
	M("hold_reinjected_total", COUNTER, NULL, NULL, workers.hold.reinjected, \
	  "--hold: released segments sent back in (no retransmission waited for)") \
	M("hold_marked_passed_total", COUNTER, NULL, NULL, blk[UE_BLK_HOLD_RELEASED], \
	  "--hold: released segments TC ingress let in by their mark") \
	M("hold_dropped_total", COUNTER, NULL, NULL, workers.hold.kept, \
	  "--hold: held segments of blocked sessions, never released") \
	M("hold_release_failures_total", COUNTER, NULL, NULL, workers.hold.send_failures, \
	  "--hold: released segments that could not be sent (the sender retransmits)") \
	M("hold_unjudged_total", COUNTER, NULL, NULL, blk[UE_BLK_HOLD_UNJUDGED], \
	  "--hold, --fail open: segments passed while no daemon renewed the heartbeat") \
	M("verdict_latency_us", HISTOGRAM, NULL, NULL, workers.verdict, \
	  "Microseconds from each request's last packet to its verdict (a block: its blocklist entry)") \
	M("log_lines_total", COUNTER, NULL, NULL, log.written, \
	  "Decision-log lines written") \
	M("log_lines_dropped_total", COUNTER, NULL, NULL, log_lost, \
	  "Decision-log lines lost (queue full, errors)") \
	M("policy_reloads_total", COUNTER, NULL, NULL, daemon.reloads, \
	  "Policies swapped in") \
	M("policy_reload_failures_total", COUNTER, NULL, NULL, daemon.reload_failures, \
	  "Invalid policies refused") \
	M("control_rejected_total", COUNTER, NULL, NULL, control_rejected, \
	  "Malformed or refused control requests") \
	M("fleet_connected", GAUGE, NULL, NULL, fleet.connected, \
	  "--nats: 1 while a NATS server of the fleet answers") \
	M("fleet_bundle_generation", GAUGE, NULL, NULL, fleet.generation, \
	  "--nats: generation of the fleet's bundle in force (0: the -p file)") \
	M("fleet_bundles_applied_total", COUNTER, NULL, NULL, fleet.bundles_applied, \
	  "--nats: fleet bundles put in force") \
	M("fleet_bundles_refused_total", COUNTER, NULL, NULL, fleet.bundles_refused, \
	  "--nats: fleet bundles refused (invalid, damaged); the policy in force stayed") \
	M("fleet_decisions_published_total", COUNTER, NULL, NULL, fleet.decisions.published, \
	  "--nats: decision-log lines the fleet's stream acknowledged") \
	M("fleet_decisions_spooled_total", COUNTER, NULL, NULL, fleet.decisions.spooled, \
	  "--nats: decision-log lines kept on disk while NATS could not take them") \
	M("fleet_decisions_lost_total", COUNTER, NULL, NULL, fleet.decisions.lost, \
	  "--nats: decision-log lines lost to a full spool (--nats-spool) or queue") \
	M("fleet_spool_bytes", GAUGE, NULL, NULL, fleet.decisions.spool_bytes, \
	  "--nats: bytes of decisions in the spool, waiting for NATS")

enum metric_kind { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

struct metric_def {
	const char *name;
	enum metric_kind kind;
	const char *label, *label_value;   /* NULL: no label */
	const char *help;
};

enum {
#define UE_METRIC_COUNT_ONE(name, kind, label, label_value, where, help) +1
	METRIC_COUNT = 0 UE_METRICS(UE_METRIC_COUNT_ONE)
#undef UE_METRIC_COUNT_ONE
};

/* The table, in the order of UE_METRICS (the order urlctl prints). */
extern const struct metric_def metric_defs[METRIC_COUNT];

/* "counter", "gauge", "histogram": Prometheus' names of the kinds. */
const char *metric_kind_name(enum metric_kind kind);
/* The first row named NAME, or NULL. */
const struct metric_def *metric_find(const char *name);

#endif
