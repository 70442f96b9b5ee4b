/*
 * One worker's data path: frame -> decode -> flow -> reassembly -> HTTP or
 * TLS parser (by server port) -> struct request -> the caller's callback,
 * which judges and enforces. Single-threaded: one pipeline per worker, each
 * with its own flow table; the daemon sums their counters.
 *
 * Direction: a TCP segment to an HTTP or TLS port is client->server; only
 * those are reassembled and parsed. A RST in either direction ends the
 * session; so does the client's FIN once the stream up to it is consumed;
 * other flows leave by idle timeout or eviction (flow.h).
 *
 * QUIC: a UDP datagram to a TLS port is a client's; each UDP 4-tuple is
 * one connection (a flow of its own table) whose Initials are read until
 * its ClientHello is whole (quic.h) and handed over as a REQUEST_QUIC
 * request. A connection in a version we cannot read is handed over once,
 * without SNI, flagged REQUEST_QUIC_VERSION: the policy decides it as it
 * would a ClientHello without server name (its default, unless a rule
 * names the server's address or `quic`).
 *
 * Flows whose SYN was not seen (the daemon started late, the flow was
 * evicted) are picked up at the first segment that starts an HTTP request
 * or a TLS record; their requests carry REQUEST_MIDSTREAM. Data on a SYN
 * (TCP Fast Open) is part of the stream.
 *
 * A flow that goes over a reassembly limit or a parser limit (a request
 * head too long) is reported once as PIPELINE_OVERFLOW; the caller decides
 * it (--on-overflow) and the pipeline parses no more of it.
 *
 * What the server reads must be what the parsers read (docs/evasion.md):
 * - a segment without ACK (other than a SYN) is ignored, as the server's
 *   stack discards it;
 * - a stream that reads two ways is reported once as PIPELINE_AMBIGUOUS
 *   and parsing goes on: two copies of the same bytes that differ (reasm.h)
 *   or urgent data (a server takes the urgent byte out of the stream or
 *   leaves it in, by its socket options and TCP flavour).
 */
#ifndef UE_PIPELINE_H
#define UE_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/request.h"
#include "enforcer/capture/frame.h"
#include "enforcer/capture/port_set.h"
#include "enforcer/proto/quic.h"
#include "enforcer/stream/decode.h"
#include "enforcer/stream/flow.h"
#include "enforcer/stream/reasm.h"
#include "enforcer/stream/session_position.h"

enum pipeline_event {
	PIPELINE_REQUEST,        /* a request head or ClientHello completed */
	PIPELINE_OVERFLOW,       /* over a limit: request has tuple, ts, proto, flags only */
	PIPELINE_AMBIGUOUS,      /* two readings: request as for PIPELINE_OVERFLOW */
};

struct pipeline_session;
/* S: the flow the event is about, valid during the call (below). */
typedef void (*pipeline_fn)(void *arg, enum pipeline_event ev, const struct request *r,
			    struct pipeline_session *s);

struct pipeline_config {
	struct port_set http_ports;    /* disjoint from tls_ports */
	struct port_set tls_ports;
	uint32_t max_flows;            /* 0: FLOW_MAX_DEFAULT */
	uint32_t idle_timeout;         /* seconds; 0: FLOW_IDLE_TIMEOUT_DEFAULT */
	size_t reasm_flow_limit;       /* 0: REASM_FLOW_LIMIT_DEFAULT */
	size_t reasm_limit;            /* 0: REASM_POOL_LIMIT_DEFAULT */
	uint32_t http_head_max;        /* 0: HTTP_HEAD_MAX_DEFAULT */
	/* senders whose TCP checksums a capture shows left to offload
	 * (csum_offload.h): their segments count whatever their checksum */
	const struct in6_addr *csum_trusted;
	unsigned n_csum_trusted;
	pipeline_fn emit;
	void *arg;
};

/* Every field a count, so that workers' stats add up field by field. */
struct pipeline_stats {
	uint64_t packets;
	uint64_t bytes;                /* on the wire */
	uint64_t decode[DECODE_RESULT_MAX];  /* by result: TCP, UDP, fragments, malformed by reason */
	uint64_t not_tapped;           /* TCP not to or from an HTTP or TLS port */
	uint64_t quic_packets;         /* client->server UDP to a TLS port */
	uint64_t quic_unknown_version; /* connections in a version other than 1 and 2 */
	uint64_t quic_abandoned;       /* connections forgotten before their ClientHello was whole */
	uint64_t payload_bytes;        /* client->server TCP payload */
	uint64_t requests_http;
	uint64_t requests_tls;
	uint64_t requests_h2c;
	uint64_t requests_quic;
	uint64_t midstream_pickups;    /* flows picked up without their SYN */
	uint64_t midstream_skipped;    /* segments of such flows before a request start */
	uint64_t not_parsed;           /* streams that were not HTTP or TLS (-EPROTO) */
	uint64_t overflows;            /* flows over a reassembly or parser limit */
	uint64_t ambiguous;            /* flows whose stream reads two ways */
	uint64_t no_ack;               /* segments ignored for want of an ACK */
	uint64_t parse_failures;       /* out of memory in a parser */
	struct reasm_stats reasm;
	struct flow_stats flows;
	struct quic_stats quic;        /* Initial packets (quic.h) */
};

struct pipeline;

/* Returns NULL and sets errno (EINVAL for a bad config, ENOMEM). */
struct pipeline *pipeline_new(const struct pipeline_config *cfg);
void pipeline_free(struct pipeline *p);

/* Everything a frame leads to happens in this call, callbacks included. */
void pipeline_packet(struct pipeline *p, const struct frame *fr);
/* pipeline_packet as a frame_fn, for pcap_source_run. */
static inline void pipeline_feed(void *p, const struct frame *fr)
{
	pipeline_packet(p, fr);
}

/* Forget flows idle at NOW (seconds of the frames' clock); for quiet times. */
void pipeline_expire(struct pipeline *p, int64_t now);

/* Each open flow's latest request (to judge again under a new policy). */
void pipeline_foreach_latest(struct pipeline *p,
			     void (*fn)(void *arg, const struct request *r,
					struct pipeline_session *s), void *arg);

/*
 * --hold (hold.c): how much of a flow's client stream has been released,
 * kept with the flow so that settling a segment costs no map lookup. It
 * starts at ISN + 1 when the flow's SYN was seen (as the kernel's entry
 * does), unknown otherwise, and starts over with a new connection.
 */
struct hold_mark {
	uint32_t released_to;
	bool known;              /* released_to is valid */
	bool pass;               /* released for good (a TLS session after its ClientHello) */
};

/*
 * What an event's caller may act on without looking the flow up again:
 * where the session stands for a RST or block page (inject.h), from the
 * furthest client->server segment with an ACK, and the flow's --hold mark.
 */
struct pipeline_session {
	struct session_position pos;
	bool position_known;
	struct hold_mark *hold;
};

/*
 * The frame pipeline_packet() took last, for --hold to settle without
 * decoding it again or looking its flow up (hold.c): its TCP segment, if it
 * decoded as one (whatever its checksum), and the flow's mark, NULL when
 * the pipeline follows no flow for it (or the frame ended the flow). Valid
 * until the next call on the pipeline.
 */
struct pipeline_segment {
	bool tcp;
	bool quic;               /* UDP to a TLS port */
	struct packet pkt;
	struct hold_mark *hold;
};

const struct pipeline_segment *pipeline_last_segment(const struct pipeline *p);

void pipeline_stats(const struct pipeline *p, struct pipeline_stats *out);
void pipeline_stats_add(struct pipeline_stats *sum, const struct pipeline_stats *add);

/* What one flow costs in the table, before lazy buffers. */
size_t pipeline_bytes_per_flow(const struct pipeline *p);

#endif
