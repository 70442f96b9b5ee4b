/* One worker's data path; what it does and in which order is in pipeline.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "enforcer/stream/flow.h"
#include "enforcer/proto/http.h"
#include "enforcer/proto/parse_ctx.h"
#include "enforcer/pipeline/pipeline.h"
#include "enforcer/proto/quic.h"
#include "enforcer/proto/tls.h"
#include "common/url.h"

enum port_kind { PORT_NONE, PORT_HTTP, PORT_TLS, PORT_QUIC /* a flow's kind only */ };

enum stream_status {
	STREAM_WAITING,          /* no SYN seen: waiting for a request start */
	STREAM_PARSING,
	STREAM_DONE,             /* parser stopped or over a limit: nothing more to see */
};

/* What the pipeline keeps in each flow's data area. */
struct flow_state {
	struct reasm reasm;
	uint32_t isn;            /* valid with syn_seen */
	uint32_t client_next;    /* furthest client sequence number seen, + payload (+ FIN) */
	uint32_t client_ack;     /* with that segment: the server's next sequence number */
	bool position_known;
	uint8_t kind;            /* enum port_kind */
	uint8_t status;          /* enum stream_status */
	bool syn_seen;
	bool midstream;
	bool ambiguous;          /* reported */
	struct hold_mark hold;   /* --hold: what is released (hold.c) */
	union {
		struct http_stream http;
		struct tls_stream tls;
		struct quic_conn quic;
	} parser;
};

struct pipeline {
	struct pipeline_config cfg;
	struct flow_table *flows;
	struct flow_table *quic_flows;   /* UDP 4-tuples: a table of their own */
	struct quic_crypto *crypto;
	struct reasm_pool reasm;
	struct pipeline_stats stats;
	struct pipeline_segment last;
	struct url_norm scratch;
	uint8_t port_kind[65536];
};

/* What reassembly hands the parser a segment's bytes with. */
struct delivery {
	struct pipeline *p;
	struct flow *f;
	struct parse_ctx ctx;
};

static struct flow_state *state_of(struct flow *f)
{
	return (struct flow_state *)f->data;
}

static void parser_release(struct flow_state *st)
{
	if (st->kind == PORT_HTTP)
		http_stream_release(&st->parser.http);
	else if (st->kind == PORT_QUIC)
		quic_conn_release(&st->parser.quic);
	else
		tls_stream_release(&st->parser.tls);
}

/* Parsers hold state until their stream is done (stream_stop released it). */
static void release_flow(void *arg, struct flow *f)
{
	struct pipeline *p = arg;
	struct flow_state *st = state_of(f);

	reasm_release(&st->reasm, &p->reasm);
	if (st->kind == PORT_QUIC && st->status != STREAM_DONE)
		p->stats.quic_abandoned++;
	if (st->status != STREAM_DONE)
		parser_release(st);
}

static void state_init(struct pipeline *p, struct flow_state *st, enum port_kind kind)
{
	memset(st, 0, sizeof(*st));
	st->kind = (uint8_t)kind;
	if (kind == PORT_HTTP)
		http_stream_init(&st->parser.http, p->cfg.http_head_max);
	else if (kind == PORT_QUIC)
		quic_conn_init(&st->parser.quic);
	else
		tls_stream_init(&st->parser.tls);
}

static int set_ports(struct pipeline *p, const struct port_set *set, enum port_kind kind)
{
	if (set->n > UE_MAX_PORTS)
		return -EINVAL;
	for (unsigned i = 0; i < set->n; i++) {
		uint16_t port = set->port[i];

		if (!port || p->port_kind[port])
			return -EINVAL;
		p->port_kind[port] = (uint8_t)kind;
	}
	return 0;
}

struct pipeline *pipeline_new(const struct pipeline_config *cfg)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	struct flow_table_config fcfg;

	if (!p)
		return NULL;
	p->cfg = *cfg;
	if (!p->cfg.max_flows)
		p->cfg.max_flows = FLOW_MAX_DEFAULT;
	if (!p->cfg.idle_timeout)
		p->cfg.idle_timeout = FLOW_IDLE_TIMEOUT_DEFAULT;
	if (!p->cfg.reasm_flow_limit)
		p->cfg.reasm_flow_limit = REASM_FLOW_LIMIT_DEFAULT;
	if (!p->cfg.reasm_limit)
		p->cfg.reasm_limit = REASM_POOL_LIMIT_DEFAULT;
	if (!cfg->emit || set_ports(p, &cfg->http_ports, PORT_HTTP) ||
	    set_ports(p, &cfg->tls_ports, PORT_TLS)) {
		free(p);
		errno = EINVAL;
		return NULL;
	}
	reasm_pool_init(&p->reasm, p->cfg.reasm_flow_limit, p->cfg.reasm_limit);
	fcfg = (struct flow_table_config){
		.max_flows = p->cfg.max_flows, .idle_timeout = p->cfg.idle_timeout,
		.data_size = sizeof(struct flow_state), .release = release_flow, .arg = p,
	};
	p->flows = flow_table_new(&fcfg);
	p->quic_flows = p->flows ? flow_table_new(&fcfg) : NULL;
	p->crypto = p->quic_flows ? quic_crypto_new() : NULL;
	if (!p->crypto) {
		int err = errno;

		pipeline_free(p);
		errno = err;
		return NULL;
	}
	return p;
}

void pipeline_free(struct pipeline *p)
{
	if (!p)
		return;
	flow_table_free(p->flows);
	flow_table_free(p->quic_flows);
	quic_crypto_free(p->crypto);
	free(p);
}

static unsigned stream_flags(const struct flow_state *st)
{
	return st->midstream ? REQUEST_MIDSTREAM : 0;
}

static struct pipeline_session session_of(struct flow *f)
{
	struct flow_state *st = state_of(f);

	return (struct pipeline_session){
		.pos = { .seq = st->client_next, .ack = st->client_ack },
		.position_known = st->position_known, .hold = &st->hold,
	};
}

static void on_request(void *arg, const struct request *r)
{
	struct delivery *d = arg;
	uint64_t *by_proto[] = {
		[REQUEST_HTTP] = &d->p->stats.requests_http,
		[REQUEST_TLS] = &d->p->stats.requests_tls,
		[REQUEST_H2C] = &d->p->stats.requests_h2c,
		[REQUEST_QUIC] = &d->p->stats.requests_quic,
	};
	struct pipeline_session s;

	if ((unsigned)r->proto < sizeof(by_proto) / sizeof(by_proto[0]))
		(*by_proto[r->proto])++;
	/* no room for the copy: re-judging this flow sees its previous request */
	if (flow_keep_request(d->f, r))
		d->p->stats.parse_failures++;
	s = session_of(d->f);
	d->p->cfg.emit(d->p->cfg.arg, PIPELINE_REQUEST, r, &s);
}

static int deliver(void *arg, const uint8_t *data, size_t len)
{
	struct delivery *d = arg;
	struct flow_state *st = state_of(d->f);

	if (st->kind == PORT_HTTP)
		return http_feed(&st->parser.http, data, len, &d->ctx);
	return tls_feed(&st->parser.tls, data, len, &d->ctx);
}

/* An event about the flow rather than one of its requests. */
static void report(struct pipeline *p, struct flow *f, enum pipeline_event ev,
		   const struct timespec *ts)
{
	struct flow_state *st = state_of(f);
	struct request r = {
		.tuple = f->tuple, .ts = *ts,
		.proto = st->kind == PORT_HTTP ? REQUEST_HTTP :
			 st->kind == PORT_QUIC ? REQUEST_QUIC : REQUEST_TLS,
		.flags = stream_flags(st),
	};
	struct pipeline_session s = session_of(f);

	p->cfg.emit(p->cfg.arg, ev, &r, &s);
}

static void report_overflow(struct pipeline *p, struct flow *f, const struct timespec *ts)
{
	p->stats.overflows++;
	report(p, f, PIPELINE_OVERFLOW, ts);
}

/* Once a flow: conflicting copies (reasm.h) or urgent data in its stream. */
static void check_ambiguous(struct pipeline *p, struct flow *f, const struct packet *pkt,
			    const struct timespec *ts)
{
	struct flow_state *st = state_of(f);

	if (st->ambiguous || st->status != STREAM_PARSING ||
	    (!st->reasm.conflict && !(pkt->tcp_flags & TCP_URG)))
		return;
	st->ambiguous = true;
	p->stats.ambiguous++;
	report(p, f, PIPELINE_AMBIGUOUS, ts);
}

/* The stream's parser stopped (RC < 0): count why, and stop feeding it. */
static void stream_stop(struct pipeline *p, struct flow *f, int rc, const struct timespec *ts)
{
	struct flow_state *st = state_of(f);

	if (rc == -ENOBUFS || rc == -E2BIG)
		report_overflow(p, f, ts);
	else if (rc == -EPROTO)
		p->stats.not_parsed++;
	else
		p->stats.parse_failures++;
	reasm_release(&st->reasm, &p->reasm);
	parser_release(st);
	st->status = STREAM_DONE;
}

static bool is_stream_start(const struct flow_state *st, const struct packet *pkt)
{
	if (st->kind == PORT_HTTP)
		return http_is_request_start(pkt->payload, pkt->payload_len);
	return tls_is_record_start(pkt->payload, pkt->payload_len);
}

/*
 * A client SYN. A new ISN on a known flow is a new connection on the same
 * ports (the previous one ended unseen): start over.
 */
static void on_syn(struct pipeline *p, struct flow *f, const struct packet *pkt)
{
	struct flow_state *st = state_of(f);

	if (st->syn_seen && st->isn == pkt->seq)
		return;                 /* retransmitted SYN */
	if (st->syn_seen || st->reasm.started) {
		release_flow(p, f);
		state_init(p, st, (enum port_kind)st->kind);
	}
	st->syn_seen = true;
	st->isn = pkt->seq;
	st->hold = (struct hold_mark){ .released_to = pkt->seq + 1, .known = true };
	st->status = STREAM_PARSING;
	reasm_start(&st->reasm, pkt->seq + 1);
}

/* Where a RST must land: the furthest segment, never a retransmission's. */
static void note_position(struct flow_state *st, const struct packet *pkt)
{
	uint32_t end = pkt->seq + pkt->payload_len +
		       !!(pkt->tcp_flags & TCP_SYN) + !!(pkt->tcp_flags & TCP_FIN);

	if (!(pkt->tcp_flags & TCP_ACK))
		return;
	if (st->position_known && seq_before(end, st->client_next))
		return;
	st->client_next = end;
	st->client_ack = pkt->ack;
	st->position_known = true;
}

/* The client's FIN or the whole stream is through: the flow and its mark go. */
static void end_flow(struct pipeline *p, struct flow *f)
{
	p->last.hold = NULL;
	flow_close(p->flows, f);
}

/* Client->server segment of flow F (created if it carries a SYN or data). */
static void client_segment(struct pipeline *p, const struct packet *pkt, enum port_kind kind,
			   const struct frame *fr)
{
	struct flow_tuple tuple = {
		.client = pkt->src, .server = pkt->dst,
		.client_port = pkt->sport, .server_port = pkt->dport,
	};
	struct flow *f = flow_lookup(p->flows, &tuple);
	struct flow_state *st;
	uint32_t seq = pkt->seq;

	if (pkt->tcp_flags & TCP_RST) {
		if (f)
			flow_close(p->flows, f);
		return;
	}
	/* The server's stack discards it (RFC 9293 3.10.7.4, "check the ACK
	 * field"): bytes on it would be bytes the server never reads. */
	if (!(pkt->tcp_flags & (TCP_ACK | TCP_SYN))) {
		p->stats.no_ack++;
		return;
	}
	if (!f) {
		if (!(pkt->tcp_flags & TCP_SYN) && !pkt->payload_len)
			return;         /* an ACK or FIN of a flow we do not follow */
		f = flow_insert(p->flows, &tuple, fr->ts.tv_sec);
		state_init(p, state_of(f), kind);
	} else {
		flow_touch(p->flows, f, fr->ts.tv_sec);
	}
	st = state_of(f);
	p->last.hold = &st->hold;
	p->stats.payload_bytes += pkt->payload_len;
	note_position(st, pkt);
	if ((pkt->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		on_syn(p, f, pkt);
		seq++;                  /* the SYN occupies one sequence number; TFO data follows */
	}
	if (st->status == STREAM_WAITING && pkt->payload_len) {
		if (is_stream_start(st, pkt)) {
			reasm_start(&st->reasm, seq);
			st->status = STREAM_PARSING;
			st->midstream = true;
			p->stats.midstream_pickups++;
		} else {
			p->stats.midstream_skipped++;
		}
	}
	if (st->status == STREAM_PARSING && pkt->payload_len) {
		struct delivery d = {
			.p = p, .f = f,
			.ctx = {
				.tuple = &f->tuple, .ts = fr->ts, .flags = stream_flags(st),
				.emit = on_request, .scratch = &p->scratch,
			},
		};
		int rc;

		d.ctx.arg = &d;
		rc = reasm_feed(&st->reasm, &p->reasm, seq, pkt->payload, pkt->payload_len,
				deliver, &d);
		if (rc)
			stream_stop(p, f, rc, &fr->ts);
	}
	check_ambiguous(p, f, pkt, &fr->ts);
	if (pkt->tcp_flags & TCP_FIN) {
		if (st->status != STREAM_PARSING) {
			end_flow(p, f);
			return;
		}
		reasm_fin(&st->reasm, seq + pkt->payload_len);
	}
	if (reasm_finished(&st->reasm))
		end_flow(p, f);
}

/* Server->client: only a RST matters (it ends the session). */
static void server_segment(struct pipeline *p, const struct packet *pkt)
{
	struct flow_tuple tuple = {
		.client = pkt->dst, .server = pkt->src,
		.client_port = pkt->dport, .server_port = pkt->sport,
	};
	struct flow *f;

	if (!(pkt->tcp_flags & TCP_RST))
		return;
	f = flow_lookup(p->flows, &tuple);
	if (f)
		flow_close(p->flows, f);
}

/* A connection in a QUIC version we cannot read: handed over once, without SNI. */
static void quic_unreadable(struct pipeline *p, struct flow *f, const struct timespec *ts)
{
	struct delivery d = { .p = p, .f = f };
	struct request r = {
		.tuple = f->tuple, .ts = *ts, .proto = REQUEST_QUIC,
		.flags = REQUEST_QUIC_VERSION,
	};

	p->stats.quic_unknown_version++;
	if (url_normalize_tls(NULL, 0, &f->tuple, &p->scratch))
		return;
	request_names_from(&r, &p->scratch);
	on_request(&d, &r);
}

/* A client->server UDP datagram to a TLS port: QUIC, read until judged. */
static void quic_datagram(struct pipeline *p, const struct packet *pkt, const struct frame *fr)
{
	struct flow_tuple tuple = {
		.client = pkt->src, .server = pkt->dst,
		.client_port = pkt->sport, .server_port = pkt->dport,
	};
	struct flow *f = flow_lookup(p->quic_flows, &tuple);
	struct flow_state *st;
	struct delivery d = { .p = p };
	int rc;

	p->stats.quic_packets++;
	/* a connection starts with a long header (its Initial); a 1-RTT packet
	 * of one we did not see start tells nothing */
	if (!f && !(pkt->payload_len && (pkt->payload[0] & 0x80)))
		return;
	if (!f) {
		f = flow_insert(p->quic_flows, &tuple, fr->ts.tv_sec);
		state_init(p, state_of(f), PORT_QUIC);
		state_of(f)->status = STREAM_PARSING;
	} else {
		flow_touch(p->quic_flows, f, fr->ts.tv_sec);
	}
	st = state_of(f);
	if (st->status == STREAM_DONE)
		return;
	d.f = f;
	d.ctx = (struct parse_ctx){
		.tuple = &f->tuple, .ts = fr->ts, .emit = on_request, .arg = &d,
		.scratch = &p->scratch,
	};
	rc = quic_feed(&st->parser.quic, p->crypto, pkt->payload, pkt->payload_len, &d.ctx,
		       &p->stats.quic);
	if (rc == -EPROTONOSUPPORT)
		quic_unreadable(p, f, &fr->ts);
	if (rc == -EPROTONOSUPPORT || (!rc && quic_conn_done(&st->parser.quic))) {
		st->status = STREAM_DONE;
		parser_release(st);
	} else if (rc) {
		stream_stop(p, f, rc, &fr->ts);
	}
}

/*
 * The segments whose TCP checksum matters: whatever the pipeline acts on.
 * Server->client data and pure ACKs are never verified (half the bytes).
 */
static bool csum_matters(const struct pipeline *p, const struct packet *pkt)
{
	if (p->port_kind[pkt->dport])
		return pkt->payload_len || (pkt->tcp_flags & (TCP_SYN | TCP_FIN | TCP_RST));
	return p->port_kind[pkt->sport] && (pkt->tcp_flags & TCP_RST);
}

static bool csum_trusted(const struct pipeline *p, const struct in6_addr *sender)
{
	for (unsigned i = 0; i < p->cfg.n_csum_trusted; i++)
		if (!memcmp(&p->cfg.csum_trusted[i], sender, sizeof(*sender)))
			return true;
	return false;
}

void pipeline_packet(struct pipeline *p, const struct frame *fr)
{
	struct packet *pkt = &p->last.pkt;
	enum decode_result res;

	p->stats.packets++;
	p->stats.bytes += fr->wirelen;
	flow_table_expire(p->flows, fr->ts.tv_sec);
	flow_table_expire(p->quic_flows, fr->ts.tv_sec);
	res = decode_packet(fr->link, fr->data, fr->caplen, fr->wirelen, fr->verify_csum, pkt);
	p->last.tcp = res == DECODE_TCP;
	p->last.quic = res == DECODE_UDP && p->port_kind[pkt->dport] == PORT_TLS;
	p->last.hold = NULL;
	if (res == DECODE_TCP && csum_matters(p, pkt) && !decode_tcp_csum_ok(pkt) &&
	    !csum_trusted(p, &pkt->src))
		res = DECODE_BAD_TCP_CSUM;
	p->stats.decode[res]++;
	if (res == DECODE_UDP) {
		if (p->last.quic)
			quic_datagram(p, pkt, fr);
		return;
	}
	if (res != DECODE_TCP)
		return;
	if (p->port_kind[pkt->dport])
		client_segment(p, pkt, (enum port_kind)p->port_kind[pkt->dport], fr);
	else if (p->port_kind[pkt->sport])
		server_segment(p, pkt);
	else
		p->stats.not_tapped++;
}

void pipeline_expire(struct pipeline *p, int64_t now)
{
	flow_table_expire(p->flows, now);
	flow_table_expire(p->quic_flows, now);
}

struct latest_visit {
	void (*fn)(void *arg, const struct request *r, struct pipeline_session *s);
	void *arg;
};

static void visit_latest(void *arg, struct flow *f)
{
	struct latest_visit *v = arg;
	struct pipeline_session s;
	struct request r;

	if (flow_latest_request(f, &r)) {
		s = session_of(f);
		v->fn(v->arg, &r, &s);
	}
}

void pipeline_foreach_latest(struct pipeline *p,
			     void (*fn)(void *arg, const struct request *r,
					struct pipeline_session *s), void *arg)
{
	struct latest_visit v = { .fn = fn, .arg = arg };

	flow_table_foreach(p->flows, visit_latest, &v);
	flow_table_foreach(p->quic_flows, visit_latest, &v);
}

const struct pipeline_segment *pipeline_last_segment(const struct pipeline *p)
{
	return &p->last;
}

void pipeline_stats(const struct pipeline *p, struct pipeline_stats *out)
{
	*out = p->stats;
	out->reasm = p->reasm.stats;
	out->flows = *flow_table_stats(p->flows);
}

_Static_assert(sizeof(struct pipeline_stats) % sizeof(uint64_t) == 0,
	       "pipeline_stats is made of uint64_t counters only");

void pipeline_stats_add(struct pipeline_stats *sum, const struct pipeline_stats *add)
{
	uint64_t *s = (uint64_t *)sum;
	const uint64_t *a = (const uint64_t *)add;

	for (size_t i = 0; i < sizeof(*sum) / sizeof(uint64_t); i++)
		s[i] += a[i];
}

size_t pipeline_bytes_per_flow(const struct pipeline *p)
{
	return flow_table_bytes_per_flow(p->flows);
}
