/*
 * A QUIC connection's ClientHello put together from its client Initials
 * (enforcer/proto/quic.h): the RFC vectors, ClientHellos split over
 * Initials in every order, repeated, overlapping, with PING and PADDING
 * between, another DCID on a later Initial; and what is refused. Each
 * request must read as the TLS parser reads the same ClientHello over TCP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "enforcer/proto/quic.h"
#include "tests/harness.h"
#include "tests/unit/quic_vectors.h"
#include "tests/unit/quicbuild.h"
#include "tests/unit/stream_check.h"
#include "tests/unit/tlsbuild.h"

#define TS_SEC 1700000000

struct seen {
	char text[2048];
	size_t len;
	unsigned n;
};

static struct url_norm scratch;

static void capture(void *arg, const struct request *r)
{
	struct seen *s = arg;
	int n = snprintf(s->text + s->len, sizeof(s->text) - s->len, "%s %#x %s %s %s %s %s\n",
			 r->proto == REQUEST_QUIC ? "QUIC" : "?", r->flags,
			 r->method ? r->method : "-", r->host, r->url, r->path,
			 r->target ? r->target : "-");

	ASSERT_TRUE(n > 0 && (size_t)n < sizeof(s->text) - s->len);
	s->len += (size_t)n;
	s->n++;
}

struct conn {
	struct quic_conn qc;
	struct flow_tuple flow;
	struct parse_ctx ctx;
	struct seen seen;
	struct quic_stats stats;
};

static void conn_init(struct conn *c)
{
	memset(c, 0, sizeof(*c));
	quic_conn_init(&c->qc);
	c->flow = stream_check_flow(443);
	c->ctx = (struct parse_ctx){
		.tuple = &c->flow, .ts = { .tv_sec = TS_SEC }, .emit = capture,
		.arg = &c->seen, .scratch = &scratch,
	};
}

static int conn_feed(struct conn *c, const uint8_t *d, size_t len)
{
	return quic_feed(&c->qc, quic_test_crypto(), d, len, &c->ctx, &c->stats);
}

/* What the TLS parser hands over for RECORD over TCP, as QUIC's would read. */
static void tls_reading(const uint8_t *record, size_t len, char *out, size_t cap)
{
	char *text;

	ASSERT_OK(stream_feed_pieces(&tls_parser_ops, record, len, NULL, 0, 0, 443, &text));
	ASSERT_TRUE(!strncmp(text, "TLS ", 4));
	snprintf(out, cap, "QUIC %s", text + 4);
	free(text);
}

static void check_vector(const struct quic_vector *v)
{
	uint8_t pkt[1200];
	size_t len = quic_vector_unhex(v->packet, pkt, sizeof(pkt));
	struct conn c;

	conn_init(&c);
	ASSERT_OK(conn_feed(&c, pkt, len));
	ASSERT_EQ(c.seen.n, 1);
	ASSERT_STREQ(c.seen.text, "QUIC 0 - example.com https://example.com/ / -\n");
	ASSERT_TRUE(quic_conn_done(&c.qc));
	ASSERT_EQ(quic_conn_memory(&c.qc), 0);
	ASSERT_EQ(c.stats.initials, 1);
	/* Done: the same packet again hands nothing over. */
	ASSERT_OK(conn_feed(&c, pkt, len));
	ASSERT_EQ(c.seen.n, 1);
	quic_conn_release(&c.qc);
}

void test_quic_conn_rfc9001_vector(void)
{
	check_vector(&quic_vector_v1);
}

void test_quic_conn_rfc9369_vector(void)
{
	check_vector(&quic_vector_v2);
}

static const uint8_t dcid_a[8] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 };
static const uint8_t dcid_b[5] = { 0xb1, 0xb2, 0xb3, 0xb4, 0xb5 };

/* One Initial of connection DCID_A (keys from it) with FRAMES; header DCID as given. */
static size_t initial(uint32_t version, const uint8_t *dcid, size_t dcid_len, uint64_t pn,
		      const uint8_t *frames, size_t frames_len, uint8_t *out, size_t cap)
{
	struct quic_initial_spec s = {
		.version = version, .dcid = dcid, .dcid_len = dcid_len,
		.key_dcid = dcid_a, .key_dcid_len = sizeof(dcid_a), .pn = pn,
		.frames = frames, .frames_len = frames_len,
	};
	size_t n = quic_initial_build(quic_test_crypto(), &s, out, cap);

	ASSERT_NE(n, 0);
	return n;
}

struct split {
	uint8_t pkt[2][2048];
	size_t len[2];
	char want[512];
};

/*
 * A post-quantum-sized ClientHello for SNI split over two Initials: the
 * first carries bytes [CUT, end) then PING, the second PADDING then [0, CUT)
 * — each in two overlapping frames; the second Initial's header DCID is
 * DCID2 (the keys stay the first DCID's).
 */
static void make_split(struct split *sp, uint32_t version, const char *sni,
		       const struct tls_hello_extras *extras, const uint8_t *dcid2, size_t dcid2_len)
{
	uint8_t record[4096], f[2][4096];
	size_t rlen = tls_client_hello_extras(sni, extras, record, sizeof(record));
	const uint8_t *msg = record + TLS_RECORD_HEADER;
	size_t mlen = rlen - TLS_RECORD_HEADER, cut = mlen / 2, n0 = 0, n1 = 0;

	ASSERT_NE(rlen, 0);
	tls_reading(record, rlen, sp->want, sizeof(sp->want));
	n0 += quic_put_crypto(f[0] + n0, cut + 10, msg + cut + 10, mlen - cut - 10);
	n0 += quic_put_crypto(f[0] + n0, cut, msg + cut, 20);
	f[0][n0++] = 0x01;                               /* PING */
	f[1][n1++] = 0x00;                               /* PADDING */
	f[1][n1++] = 0x00;
	n1 += quic_put_crypto(f[1] + n1, 0, msg, cut - 5);
	n1 += quic_put_crypto(f[1] + n1, 3, msg + 3, cut - 3);
	sp->len[0] = initial(version, dcid_a, sizeof(dcid_a), 1, f[0], n0, sp->pkt[0], 2048);
	sp->len[1] = initial(version, dcid2, dcid2_len, 2, f[1], n1, sp->pkt[1], 2048);
}

/* Feeds the split's Initials in ORDER (indices), each REPEAT times. */
static void check_split_order(const struct split *sp, const int *order, size_t n, int repeat)
{
	struct conn c;

	conn_init(&c);
	for (size_t i = 0; i < n; i++)
		for (int r = 0; r < repeat; r++)
			ASSERT_OK(conn_feed(&c, sp->pkt[order[i]], sp->len[order[i]]));
	ASSERT_EQ(c.seen.n, 1);
	ASSERT_STREQ(c.seen.text, sp->want);
	ASSERT_TRUE(quic_conn_done(&c.qc));
	ASSERT_EQ(quic_conn_memory(&c.qc), 0);
	quic_conn_release(&c.qc);
}

static void check_split(uint32_t version, const char *sni, const struct tls_hello_extras *x)
{
	static const int fwd[] = { 0, 1 }, rev[] = { 1, 0 };
	struct split sp;

	make_split(&sp, version, sni, x, dcid_a, sizeof(dcid_a));
	ASSERT_TRUE(sp.len[0] >= 1200 && sp.len[1] >= 1200);
	check_split_order(&sp, fwd, 2, 1);
	check_split_order(&sp, rev, 2, 1);
	check_split_order(&sp, fwd, 2, 3);
	/* Another DCID on the second Initial, in either order. */
	make_split(&sp, version, sni, x, dcid_b, sizeof(dcid_b));
	check_split_order(&sp, fwd, 2, 1);
	check_split_order(&sp, rev, 2, 2);
}

void test_quic_conn_split_hello_v1(void)
{
	struct tls_hello_extras pq = { .key_share_len = 1250 };

	check_split(QUIC_VERSION_1, "video.example.test", &pq);
}

void test_quic_conn_split_hello_v2(void)
{
	struct tls_hello_extras pq = { .key_share_len = 1250 };

	check_split(QUIC_VERSION_2, "video.example.test", &pq);
}

void test_quic_conn_no_sni_and_ech_read_as_tls(void)
{
	struct tls_hello_extras pq = { .key_share_len = 1250 }, ech = { .ech = true };

	check_split(QUIC_VERSION_1, NULL, &pq);
	check_split(QUIC_VERSION_1, "cloudflare-ech.com", &ech);
	check_split(QUIC_VERSION_1, "a.test", &ech);
}

void test_quic_conn_first_initial_lost_after_retry(void)
{
	/* The client's Initials after a Retry use keys from their own DCID. */
	uint8_t record[512], frames[600], pkt[2048];
	size_t rlen = tls_client_hello("after.retry.test", record, sizeof(record));
	size_t n = quic_put_crypto(frames, 0, record + TLS_RECORD_HEADER,
				   rlen - TLS_RECORD_HEADER);
	struct quic_initial_spec s = {
		.version = QUIC_VERSION_1, .dcid = dcid_b, .dcid_len = sizeof(dcid_b),
		.frames = frames, .frames_len = n,
	};
	size_t len = quic_initial_build(quic_test_crypto(), &s, pkt, sizeof(pkt));
	struct conn c;

	conn_init(&c);
	ASSERT_OK(conn_feed(&c, pkt, len));
	ASSERT_EQ(c.seen.n, 1);
	quic_conn_release(&c.qc);
}

void test_quic_conn_ignores_forged_and_foreign_datagrams(void)
{
	uint8_t pkt[1200], bad[1200], junk[40] = { 0xc0, 0, 0, 0, 1, 30 };
	size_t len = quic_vector_unhex(quic_vector_v1.packet, pkt, sizeof(pkt));
	uint8_t short_hdr[100] = { 0x40 };
	struct conn c;

	conn_init(&c);
	memcpy(bad, pkt, len);
	bad[len - 1] ^= 1;                               /* the tag no longer matches */
	ASSERT_OK(conn_feed(&c, bad, len));
	ASSERT_OK(conn_feed(&c, junk, sizeof(junk)));
	ASSERT_OK(conn_feed(&c, short_hdr, sizeof(short_hdr)));
	ASSERT_EQ(c.seen.n, 0);
	ASSERT_EQ(c.stats.unopened, 1);
	ASSERT_EQ(c.stats.malformed, 1);
	ASSERT_EQ(c.stats.other_packets, 1);
	ASSERT_TRUE(quic_conn_memory(&c.qc) > 1200);     /* the forged one, kept for later keys */
	ASSERT_OK(conn_feed(&c, pkt, len));
	ASSERT_EQ(c.seen.n, 1);
	ASSERT_EQ(c.stats.initials, 1);
	ASSERT_EQ(c.stats.unopened, 1);                  /* tried again, still forged */
	quic_conn_release(&c.qc);
}

void test_quic_conn_unknown_version_and_version_negotiation(void)
{
	uint8_t draft[1200] = { 0xc0, 0xff, 0x00, 0x00, 0x1d, 8 };
	uint8_t vn[20] = { 0x80, 0, 0, 0, 0, 4, 1, 2, 3, 4, 0, 0, 0, 0, 1 };
	struct conn c;

	conn_init(&c);
	ASSERT_EQ(conn_feed(&c, draft, sizeof(draft)), -EPROTONOSUPPORT);
	ASSERT_TRUE(quic_conn_done(&c.qc));
	ASSERT_OK(conn_feed(&c, draft, sizeof(draft)));  /* told once */
	quic_conn_release(&c.qc);
	conn_init(&c);
	ASSERT_EQ(conn_feed(&c, vn, sizeof(vn)), -EPROTONOSUPPORT);
	quic_conn_release(&c.qc);
}

void test_quic_conn_limits(void)
{
	uint8_t frames[1400], pkt[2048], msg[1100] = { 1, 0, 0x40, 0 };   /* 16 KiB announced */
	struct conn c;
	size_t n;

	/* A ClientHello announced over QUIC_HELLO_MAX. */
	n = quic_put_crypto(frames, 0, msg, sizeof(msg));
	conn_init(&c);
	ASSERT_EQ(conn_feed(&c, pkt, initial(QUIC_VERSION_1, dcid_a, 8, 0, frames, n, pkt,
					     sizeof(pkt))), -E2BIG);
	ASSERT_EQ(quic_conn_memory(&c.qc), 0);
	quic_conn_release(&c.qc);

	/* A frame reaching past QUIC_HELLO_MAX before the header is known. */
	n = quic_put_crypto(frames, QUIC_HELLO_MAX - 10, msg + 4, 20);
	conn_init(&c);
	ASSERT_EQ(conn_feed(&c, pkt, initial(QUIC_VERSION_1, dcid_a, 8, 0, frames, n, pkt,
					     sizeof(pkt))), -E2BIG);
	quic_conn_release(&c.qc);

	/* Not a ClientHello. */
	msg[0] = 2;
	n = quic_put_crypto(frames, 0, msg, 10);
	conn_init(&c);
	ASSERT_EQ(conn_feed(&c, pkt, initial(QUIC_VERSION_1, dcid_a, 8, 0, frames, n, pkt,
					     sizeof(pkt))), -EPROTO);
	quic_conn_release(&c.qc);

	/* Half a ClientHello: memory stays held until released (the caller's
	 * idle timeout), bounded by what was received. */
	uint8_t record[4096];
	struct tls_hello_extras pq = { .key_share_len = 1250 };
	size_t rlen = tls_client_hello_extras("half.test", &pq, record, sizeof(record));

	n = quic_put_crypto(frames, 0, record + TLS_RECORD_HEADER, 1000);
	ASSERT_TRUE(rlen > 1100);
	conn_init(&c);
	ASSERT_OK(conn_feed(&c, pkt, initial(QUIC_VERSION_1, dcid_a, 8, 0, frames, n, pkt,
					     sizeof(pkt))));
	ASSERT_EQ(c.seen.n, 0);
	ASSERT_TRUE(!quic_conn_done(&c.qc));
	ASSERT_TRUE(quic_conn_memory(&c.qc) <= 2048 + 2048 / 8 + 128);
	quic_conn_release(&c.qc);
	ASSERT_EQ(quic_conn_memory(&c.qc), 0);
}
