/*
 * The data path end to end on frames from pktbuild: decode, flows,
 * reassembly and the real HTTP and TLS parsers, events as the daemon gets them.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "enforcer/pipeline/pipeline.h"
#include "tests/harness.h"
#include "tests/unit/pktbuild.h"
#include "tests/unit/quic_vectors.h"
#include "tests/unit/quicbuild.h"
#include "tests/unit/tlsbuild.h"

#define EVENTS_MAX 16

struct event {
	enum pipeline_event kind;
	enum request_proto proto;
	unsigned flags;
	char host[64], url[128];
	uint16_t client_port;
	long sec;
	struct pipeline_session session;   /* its hold pointer only compared */
	struct hold_mark hold;             /* *session.hold at the event */
};

struct recorder {
	struct event ev[EVENTS_MAX];
	unsigned n;
};

static void record(void *arg, enum pipeline_event kind, const struct request *r,
		   struct pipeline_session *s)
{
	struct recorder *rec = arg;
	struct event *e;

	ASSERT_TRUE(rec->n < EVENTS_MAX);
	e = &rec->ev[rec->n++];
	e->kind = kind;
	e->proto = r->proto;
	e->flags = r->flags;
	snprintf(e->host, sizeof(e->host), "%s", r->host ? r->host : "");
	snprintf(e->url, sizeof(e->url), "%s", r->url ? r->url : "");
	e->client_port = r->tuple.client_port;
	e->sec = r->ts.tv_sec;
	e->session = *s;
	if (s->hold)
		e->hold = *s->hold;
}

/* A pipeline with the default ports, and a client 10.0.0.2:SPORT -> 10.0.1.2:DPORT. */
struct rig {
	struct pipeline *p;
	struct recorder rec;
	struct pipeline_stats st;
	long now;
};

static void setup(struct rig *b, const struct pipeline_config *over)
{
	struct pipeline_config cfg = {
		.http_ports = { { 80, 8080 }, 2 }, .tls_ports = { { 443 }, 1 },
	};

	memset(b, 0, sizeof(*b));
	if (over) {
		cfg.max_flows = over->max_flows;
		cfg.idle_timeout = over->idle_timeout;
		cfg.reasm_flow_limit = over->reasm_flow_limit;
		cfg.http_head_max = over->http_head_max;
	}
	cfg.emit = record;
	cfg.arg = &b->rec;
	b->p = pipeline_new(&cfg);
	ASSERT_NONNULL(b->p);
	b->now = 1700000000;
}

static void teardown(struct rig *b)
{
	pipeline_free(b->p);
}

/* One frame; BAD_CSUM damages the TCP checksum. */
static void send_pkt(struct rig *b, const struct pkt_spec *s, bool bad_csum)
{
	uint8_t f[PKT_MAX];
	size_t n = pkt_build(s, f, sizeof(f));
	struct frame fr = {
		.data = f, .caplen = (uint32_t)n, .wirelen = (uint32_t)n,
		.ts = { b->now, 0 }, .link = DECODE_LINK_ETHERNET, .verify_csum = true,
	};

	ASSERT_TRUE(n > 0);
	if (bad_csum)
		f[14 + 20 + 16] ^= 0x55;
	pipeline_packet(b->p, &fr);
	pipeline_stats(b->p, &b->st);
}

static void client(struct rig *b, uint16_t sport, uint16_t dport, uint8_t flags,
		   uint32_t seq, const char *data, size_t len)
{
	send_pkt(b, &(struct pkt_spec){
		.src = "10.0.0.2", .dst = "10.0.1.2", .sport = sport, .dport = dport,
		.tcp_flags = flags, .seq = seq, .ack = 1, .payload = data, .payload_len = len,
	}, false);
}

static void server(struct rig *b, uint16_t sport, uint16_t dport, uint8_t flags)
{
	send_pkt(b, &(struct pkt_spec){
		.src = "10.0.1.2", .dst = "10.0.0.2", .sport = sport, .dport = dport,
		.tcp_flags = flags, .seq = 1, .ack = 1,
	}, false);
}

static const char req1[] = "GET /a/../b?x=%41 HTTP/1.1\r\nHost: Example.TEST\r\n\r\n";
static const char req2[] = "POST /up HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\n\r\n"
			   "hello";
static const char req3[] = "GET /c HTTP/1.1\r\nHost: example.test:8080\r\n\r\n";

#define ISN 0xfffffff0u    /* the stream wraps around 2^32 */

void test_pipeline_http_keepalive_one_byte_segments(void)
{
	struct rig b;
	char stream[512];
	size_t len;

	setup(&b, NULL);
	len = (size_t)snprintf(stream, sizeof(stream), "%s%s%s", req1, req2, req3);
	client(&b, 40000, 80, TH_SYN, ISN, NULL, 0);
	for (size_t i = 0; i < len; i++)
		client(&b, 40000, 80, TH_ACK | TH_PUSH, ISN + 1 + (uint32_t)i, stream + i, 1);
	ASSERT_EQ(b.rec.n, 3);
	ASSERT_EQ(b.rec.ev[0].kind, PIPELINE_REQUEST);
	ASSERT_STREQ(b.rec.ev[0].host, "example.test");
	ASSERT_STREQ(b.rec.ev[0].url, "http://example.test/b?x=A");
	ASSERT_STREQ(b.rec.ev[1].url, "http://example.test/up");
	ASSERT_STREQ(b.rec.ev[2].url, "http://example.test:8080/c");
	ASSERT_EQ(b.rec.ev[0].flags & REQUEST_MIDSTREAM, 0);
	ASSERT_EQ(b.rec.ev[0].client_port, 40000);
	ASSERT_EQ(b.rec.ev[0].sec, 1700000000);
	ASSERT_EQ(b.st.requests_http, 3);
	ASSERT_EQ(b.st.flows.active, 1);
	/* the client's FIN, once the stream is consumed, ends the flow */
	client(&b, 40000, 80, TH_FIN | TH_ACK, ISN + 1 + (uint32_t)len, NULL, 0);
	ASSERT_EQ(b.st.flows.active, 0);
	ASSERT_EQ(b.st.flows.closed, 1);
	teardown(&b);
}

void test_pipeline_out_of_order_and_fin_first(void)
{
	struct rig b;
	size_t len = sizeof(req1) - 1;

	setup(&b, NULL);
	client(&b, 40001, 80, TH_SYN, 100, NULL, 0);
	/* second half with the FIN, then the first half: one request, then closed */
	client(&b, 40001, 80, TH_ACK | TH_FIN, 101 + 10, req1 + 10, len - 10);
	ASSERT_EQ(b.rec.n, 0);
	ASSERT_EQ(b.st.flows.active, 1);
	client(&b, 40001, 80, TH_ACK, 101, req1, 10);
	ASSERT_EQ(b.rec.n, 1);
	ASSERT_EQ(b.st.reasm.held, 1);
	ASSERT_EQ(b.st.flows.active, 0);
	teardown(&b);
}

void test_pipeline_bad_checksum_never_decides(void)
{
	struct rig b;
	struct pkt_spec s = {
		.src = "10.0.0.2", .dst = "10.0.1.2", .sport = 40002, .dport = 80,
		.tcp_flags = TH_ACK, .seq = 501, .payload = req3, .payload_len = sizeof(req3) - 1,
	};

	setup(&b, NULL);
	client(&b, 40002, 80, TH_SYN, 500, NULL, 0);
	send_pkt(&b, &s, true);
	ASSERT_EQ(b.rec.n, 0);
	ASSERT_EQ(b.st.decode[DECODE_BAD_TCP_CSUM], 1);
	send_pkt(&b, &s, false);                 /* the retransmission */
	ASSERT_EQ(b.rec.n, 1);
	teardown(&b);
}

void test_pipeline_midstream_pickup(void)
{
	struct rig b;

	setup(&b, NULL);
	/* no SYN: the tail of a body, then a request */
	client(&b, 40003, 80, TH_ACK, 7000, "xyz\r\n", 5);
	ASSERT_EQ(b.st.midstream_skipped, 1);
	client(&b, 40003, 80, TH_ACK, 7005, req3, sizeof(req3) - 1);
	ASSERT_EQ(b.rec.n, 1);
	ASSERT_TRUE(b.rec.ev[0].flags & REQUEST_MIDSTREAM);
	ASSERT_EQ(b.st.midstream_pickups, 1);
	/* an ACK of a flow never seen creates nothing */
	client(&b, 40004, 80, TH_ACK, 1, NULL, 0);
	ASSERT_EQ(b.st.flows.created, 1);
	teardown(&b);
}

void test_pipeline_tcp_fast_open(void)
{
	struct rig b;

	setup(&b, NULL);
	client(&b, 40005, 80, TH_SYN, 9, req3, sizeof(req3) - 1);
	ASSERT_EQ(b.rec.n, 1);
	ASSERT_EQ(b.rec.ev[0].flags & REQUEST_MIDSTREAM, 0);
	/* the SYN again (retransmitted with its data): nothing new */
	client(&b, 40005, 80, TH_SYN, 9, req3, sizeof(req3) - 1);
	ASSERT_EQ(b.rec.n, 1);
	/* a new ISN on the same ports: a new connection */
	client(&b, 40005, 80, TH_SYN, 90000, req3, sizeof(req3) - 1);
	ASSERT_EQ(b.rec.n, 2);
	teardown(&b);
}

void test_pipeline_rst_from_server_ends_flow(void)
{
	struct rig b;

	setup(&b, NULL);
	client(&b, 40006, 80, TH_SYN, 1, NULL, 0);
	ASSERT_EQ(b.st.flows.active, 1);
	server(&b, 80, 40006, TH_RST | TH_ACK);
	ASSERT_EQ(b.st.flows.active, 0);
	client(&b, 40007, 80, TH_SYN, 1, NULL, 0);
	client(&b, 40007, 80, TH_RST, 2, NULL, 0);
	ASSERT_EQ(b.st.flows.active, 0);
	ASSERT_EQ(b.st.flows.closed, 2);
	teardown(&b);
}

void test_pipeline_tls_sni_any_split(void)
{
	uint8_t hello[256];
	size_t len = tls_client_hello("Video.Example.TEST", hello, sizeof(hello));

	for (size_t cut = 1; cut < len; cut++) {
		struct rig b;

		setup(&b, NULL);
		client(&b, 50000, 443, TH_SYN, 1, NULL, 0);
		client(&b, 50000, 443, TH_ACK, 2 + (uint32_t)cut, (char *)hello + cut, len - cut);
		client(&b, 50000, 443, TH_ACK, 2, (char *)hello, cut);
		ASSERT_EQ(b.rec.n, 1);
		ASSERT_EQ(b.rec.ev[0].proto, REQUEST_TLS);
		ASSERT_STREQ(b.rec.ev[0].host, "video.example.test");
		ASSERT_STREQ(b.rec.ev[0].url, "https://video.example.test/");
		ASSERT_EQ(b.st.requests_tls, 1);
		teardown(&b);
	}
}

void test_pipeline_tls_midstream_and_quic(void)
{
	struct rig b;
	uint8_t hello[256];
	size_t len = tls_client_hello("a.test", hello, sizeof(hello));

	setup(&b, NULL);
	client(&b, 50001, 443, TH_ACK, 77, "\x17\x03\x03\x00\x01x", 6);   /* app data */
	ASSERT_EQ(b.st.midstream_skipped, 1);
	client(&b, 50002, 443, TH_ACK, 99, (char *)hello, len);
	ASSERT_EQ(b.rec.n, 1);
	ASSERT_TRUE(b.rec.ev[0].flags & REQUEST_MIDSTREAM);
	send_pkt(&b, &(struct pkt_spec){
		.src = "10.0.0.2", .dst = "10.0.1.2", .l4 = IPPROTO_UDP, .sport = 5000,
		.dport = 443, .payload = "quic", .payload_len = 4,
	}, false);
	ASSERT_EQ(b.st.quic_packets, 1);
	teardown(&b);
}

static void udp(struct rig *b, uint16_t sport, const void *data, size_t len)
{
	send_pkt(b, &(struct pkt_spec){
		.src = "10.0.0.2", .dst = "10.0.1.2", .l4 = IPPROTO_UDP, .sport = sport,
		.dport = 443, .payload = data, .payload_len = len,
	}, false);
}

/* A post-quantum-sized ClientHello for SNI in two Initials, each with half. */
static void quic_split(uint32_t version, const char *sni, uint8_t pkt[2][2048], size_t len[2])
{
	static const uint8_t dcid[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, other[4] = { 4, 3, 2, 1 };
	const struct tls_hello_extras pq = { .key_share_len = 1300 };
	uint8_t record[2048], frames[2][2048];
	size_t rlen = tls_client_hello_extras(sni, &pq, record, sizeof(record));
	size_t mlen = rlen - TLS_RECORD_HEADER, cut = mlen / 2;

	for (int i = 0; i < 2; i++) {
		size_t off = i ? cut : 0, n = i ? mlen - cut : cut;
		struct quic_initial_spec s = {
			.version = version, .dcid = i ? other : dcid,
			.dcid_len = i ? sizeof(other) : sizeof(dcid),
			.key_dcid = dcid, .key_dcid_len = sizeof(dcid), .pn = (uint64_t)i,
			.frames = frames[i],
			.frames_len = quic_put_crypto(frames[i], off, record + TLS_RECORD_HEADER + off, n),
		};

		len[i] = quic_initial_build(quic_test_crypto(), &s, pkt[i], 2048);
		ASSERT_NE(len[i], 0);
	}
}

void test_pipeline_quic_split_hello_v1_v2(void)
{
	static const uint32_t versions[] = { QUIC_VERSION_1, QUIC_VERSION_2 };

	for (size_t v = 0; v < 2; v++) {
		uint8_t pkt[2][2048];
		size_t len[2];
		struct rig b;

		quic_split(versions[v], "Video.Example.TEST", pkt, len);
		setup(&b, NULL);
		udp(&b, 5000, pkt[1], len[1]);           /* the second half first */
		ASSERT_EQ(b.rec.n, 0);
		udp(&b, 5000, pkt[0], len[0]);
		ASSERT_EQ(b.rec.n, 1);
		ASSERT_EQ(b.rec.ev[0].kind, PIPELINE_REQUEST);
		ASSERT_EQ(b.rec.ev[0].proto, REQUEST_QUIC);
		ASSERT_EQ(b.rec.ev[0].flags, 0);
		ASSERT_STREQ(b.rec.ev[0].url, "https://video.example.test/");
		ASSERT_EQ(b.rec.ev[0].client_port, 5000);
		udp(&b, 5000, pkt[0], len[0]);           /* judged: nothing more */
		udp(&b, 5000, "\x40short", 6);
		ASSERT_EQ(b.rec.n, 1);
		ASSERT_EQ(b.st.requests_quic, 1);
		ASSERT_EQ(b.st.quic.initials, 2);
		ASSERT_EQ(b.st.quic_packets, 4);
		teardown(&b);
	}
}

void test_pipeline_quic_unknown_version_once(void)
{
	uint8_t draft[1200] = { 0xc0, 0xff, 0x00, 0x00, 0x1d, 8 };
	struct rig b;

	setup(&b, NULL);
	udp(&b, 5001, "\x40short", 6);                 /* no connection starts so */
	udp(&b, 5001, draft, sizeof(draft));
	udp(&b, 5001, draft, sizeof(draft));
	ASSERT_EQ(b.rec.n, 1);
	ASSERT_EQ(b.rec.ev[0].proto, REQUEST_QUIC);
	ASSERT_EQ(b.rec.ev[0].flags, REQUEST_QUIC_VERSION);
	ASSERT_STREQ(b.rec.ev[0].host, "10.0.1.2");
	ASSERT_EQ(b.st.quic_unknown_version, 1);
	teardown(&b);
}

void test_pipeline_quic_abandoned_counted(void)
{
	uint8_t pkt[2][2048];
	size_t len[2];
	struct pipeline_config quick = { .idle_timeout = 5 };
	struct rig b;

	quic_split(QUIC_VERSION_1, "half.test", pkt, len);
	setup(&b, &quick);
	udp(&b, 5002, pkt[0], len[0]);
	ASSERT_EQ(b.st.quic_abandoned, 0);
	pipeline_expire(b.p, b.now + 60);
	pipeline_stats(b.p, &b.st);
	ASSERT_EQ(b.st.quic_abandoned, 1);
	ASSERT_EQ(b.rec.n, 0);
	/* A connection judged and then forgotten is not abandoned. */
	udp(&b, 5003, pkt[0], len[0]);
	udp(&b, 5003, pkt[1], len[1]);
	ASSERT_EQ(b.rec.n, 1);
	pipeline_expire(b.p, b.now + 120);
	pipeline_stats(b.p, &b.st);
	ASSERT_EQ(b.st.quic_abandoned, 1);
	teardown(&b);
}

void test_pipeline_overflow_reported_once(void)
{
	struct pipeline_config small = { .reasm_flow_limit = 64 };
	struct rig b;
	char big[200];

	memset(big, 'a', sizeof(big));
	setup(&b, &small);
	client(&b, 40008, 80, TH_SYN, 1, NULL, 0);
	client(&b, 40008, 80, TH_ACK, 100, big, sizeof(big));  /* a gap, over the limit */
	ASSERT_EQ(b.rec.n, 1);
	ASSERT_EQ(b.rec.ev[0].kind, PIPELINE_OVERFLOW);
	ASSERT_EQ(b.rec.ev[0].proto, REQUEST_HTTP);
	ASSERT_EQ(b.st.overflows, 1);
	ASSERT_EQ(b.st.reasm.overflows, 1);
	client(&b, 40008, 80, TH_ACK, 2, req3, sizeof(req3) - 1);
	ASSERT_EQ(b.rec.n, 1);                                  /* no longer parsed */
	client(&b, 40008, 80, TH_ACK | TH_FIN, 300, NULL, 0);
	ASSERT_EQ(b.st.flows.active, 0);
	teardown(&b);
}

void test_pipeline_head_too_long_overflows(void)
{
	struct pipeline_config small = { .http_head_max = 32 };
	struct rig b;

	setup(&b, &small);
	client(&b, 40009, 80, TH_SYN, 1, NULL, 0);
	client(&b, 40009, 80, TH_ACK, 2, req2, sizeof(req2) - 1);
	ASSERT_EQ(b.rec.n, 1);
	ASSERT_EQ(b.rec.ev[0].kind, PIPELINE_OVERFLOW);
	teardown(&b);
}

void test_pipeline_not_http_ignored(void)
{
	struct rig b;

	setup(&b, NULL);
	client(&b, 40010, 80, TH_SYN, 1, NULL, 0);
	client(&b, 40010, 80, TH_ACK, 2, "\x16\x03\x01\x00\x05hello", 10);
	client(&b, 40010, 80, TH_ACK, 12, req3, sizeof(req3) - 1);
	ASSERT_EQ(b.rec.n, 0);
	ASSERT_EQ(b.st.not_parsed, 1);
	client(&b, 40011, 22, TH_SYN, 1, NULL, 0);
	ASSERT_EQ(b.st.not_tapped, 1);
	teardown(&b);
}

void test_pipeline_eviction_and_idle(void)
{
	struct pipeline_config small = { .max_flows = 2, .idle_timeout = 60 };
	struct rig b;

	setup(&b, &small);
	client(&b, 41000, 80, TH_SYN, 1, NULL, 0);
	client(&b, 41001, 80, TH_SYN, 1, NULL, 0);
	client(&b, 41002, 80, TH_SYN, 1, NULL, 0);
	ASSERT_EQ(b.st.flows.evicted, 1);
	ASSERT_EQ(b.st.flows.active, 2);
	b.now += 61;
	client(&b, 41003, 80, TH_SYN, 1, NULL, 0);               /* the clock moves: both expire */
	ASSERT_EQ(b.st.flows.expired, 2);
	ASSERT_EQ(b.st.flows.active, 1);
	teardown(&b);
}

static void collect_latest(void *arg, const struct request *r, struct pipeline_session *s)
{
	struct recorder *rec = arg;

	record(rec, PIPELINE_REQUEST, r, s);
}

void test_pipeline_latest_requests_and_stats_sum(void)
{
	struct rig b;
	struct recorder latest = { 0 };
	struct pipeline_stats sum = { 0 };

	setup(&b, NULL);
	client(&b, 42000, 80, TH_SYN, 1, NULL, 0);
	client(&b, 42000, 80, TH_ACK, 2, req1, sizeof(req1) - 1);
	client(&b, 42000, 80, TH_ACK, 2 + sizeof(req1) - 1, req3, sizeof(req3) - 1);
	client(&b, 42001, 80, TH_SYN, 1, NULL, 0);                 /* no request yet */
	pipeline_foreach_latest(b.p, collect_latest, &latest);
	ASSERT_EQ(latest.n, 1);
	ASSERT_STREQ(latest.ev[0].url, "http://example.test:8080/c");
	pipeline_stats_add(&sum, &b.st);
	pipeline_stats_add(&sum, &b.st);
	ASSERT_EQ(sum.requests_http, 4);
	ASSERT_EQ(sum.packets, 2 * b.st.packets);
	/* 160 + 8 for the session position a RST or block page needs,
	 * + 8 for what --hold has released (struct hold_mark) */
	ASSERT_TRUE(pipeline_bytes_per_flow(b.p) <= 176);
	teardown(&b);
}

/*
 * A request event carries its flow's session position and --hold mark, and
 * the frame's decoded segment stays readable: the worker neither looks the
 * flow up again nor decodes the frame again (hold.c).
 */
void test_pipeline_event_carries_session(void)
{
	struct rig b;
	const struct pipeline_segment *seg;
	const size_t len = sizeof(req1) - 1;

	setup(&b, NULL);
	client(&b, 43000, 80, TH_SYN, 1000, NULL, 0);
	seg = pipeline_last_segment(b.p);
	ASSERT_TRUE(seg->tcp);
	ASSERT_NONNULL(seg->hold);
	ASSERT_TRUE(seg->hold->known);
	ASSERT_EQ(seg->hold->released_to, 1001);        /* ISN + 1, as the kernel's entry */
	seg->hold->released_to = 1005;                   /* hold.c moves it on */
	client(&b, 43000, 80, TH_ACK | TH_PUSH, 1001, req1, len);
	ASSERT_EQ(b.rec.n, 1);
	ASSERT_TRUE(b.rec.ev[0].session.position_known);
	ASSERT_EQ(b.rec.ev[0].session.pos.seq, 1001 + len);   /* the client's next */
	ASSERT_EQ(b.rec.ev[0].session.pos.ack, 1);              /* the server's next */
	ASSERT_EQ(b.rec.ev[0].session.pos.withheld, 0);
	ASSERT_TRUE(b.rec.ev[0].session.hold == seg->hold);
	ASSERT_EQ(b.rec.ev[0].hold.released_to, 1005);          /* the flow's own mark */
	ASSERT_TRUE(seg == pipeline_last_segment(b.p));
	ASSERT_TRUE(seg->tcp);
	ASSERT_EQ(seg->pkt.seq, 1001);
	ASSERT_EQ(seg->pkt.payload_len, len);
	ASSERT_NONNULL(seg->hold);
	/* the FIN ends the flow: its mark goes with it */
	client(&b, 43000, 80, TH_FIN | TH_ACK, 1001 + (uint32_t)len, NULL, 0);
	ASSERT_EQ(b.st.flows.active, 0);
	ASSERT_TRUE(seg->tcp);
	ASSERT_NULL(seg->hold);
	/* a server's segment has no flow of its own to mark */
	server(&b, 80, 43000, TH_ACK);
	ASSERT_NULL(seg->hold);
	teardown(&b);
}
