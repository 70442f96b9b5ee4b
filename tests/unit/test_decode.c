/* Decoding frames built by pktbuild: link layers, IP options and extensions, damage. */
#include <arpa/inet.h>
#include <stdio.h>

#include "enforcer/stream/decode.h"
#include "tests/harness.h"
#include "tests/unit/pktbuild.h"

static const char get[] = "GET / HTTP/1.1\r\nHost: a.test\r\n\r\n";
#define GET_LEN (sizeof(get) - 1)

static size_t build(const struct pkt_spec *spec, uint8_t *f)
{
	size_t n = pkt_build(spec, f, PKT_MAX);

	ASSERT_TRUE(n > 0);
	return n;
}

static enum decode_result run(enum decode_link link, const uint8_t *f, size_t n,
			      struct packet *p)
{
	enum decode_result r;

	memset(p, 0, sizeof(*p));
	r = decode_packet(link, f, (uint32_t)n, (uint32_t)n, true, p);
	return r == DECODE_TCP && !decode_tcp_csum_ok(p) ? DECODE_BAD_TCP_CSUM : r;
}

static void assert_addr(const struct in6_addr *a, const char *text)
{
	struct in6_addr want;
	char mapped[64];

	if (!strchr(text, ':')) {
		snprintf(mapped, sizeof(mapped), "::ffff:%s", text);
		text = mapped;
	}
	ASSERT_EQ(inet_pton(AF_INET6, text, &want), 1);
	ASSERT_MEMEQ(a, &want, sizeof(want));
}

static void assert_get(const struct packet *p)
{
	ASSERT_EQ(p->payload_len, GET_LEN);
	ASSERT_MEMEQ(p->payload, get, GET_LEN);
}

static const struct pkt_spec v4_get = {
	.src = "10.0.0.2", .dst = "10.0.1.2", .sport = 40000, .dport = 80,
	.tcp_flags = TH_PUSH | TH_ACK, .seq = 0xfffffff0u, .ack = 77,
	.payload = get, .payload_len = GET_LEN,
};

void test_decode_ipv4_tcp(void)
{
	uint8_t f[PKT_MAX];
	size_t n = build(&v4_get, f);
	struct packet p;

	ASSERT_EQ(run(DECODE_LINK_ETHERNET, f, n, &p), DECODE_TCP);
	assert_addr(&p.src, "10.0.0.2");
	assert_addr(&p.dst, "10.0.1.2");
	ASSERT_EQ(p.sport, 40000);
	ASSERT_EQ(p.dport, 80);
	ASSERT_EQ(p.seq, 0xfffffff0u);
	ASSERT_EQ(p.ack, 77);
	ASSERT_EQ(p.tcp_flags, TCP_PSH | TCP_ACK);
	assert_get(&p);
}

void test_decode_vlan_qinq_options(void)
{
	static const uint8_t ip_opts[] = { 1, 1, 1, 0 };
	static const uint8_t tcp_opts[] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2 };
	uint8_t f[PKT_MAX];
	struct packet p;

	for (unsigned tags = 0; tags <= 2; tags++) {
		struct pkt_spec s = v4_get;
		size_t n;

		s.n_vlan = tags;
		s.vlan[0] = 100;
		s.vlan[1] = 200;
		s.ip_options = ip_opts;
		s.ip_options_len = sizeof(ip_opts);
		s.tcp_options = tcp_opts;
		s.tcp_options_len = sizeof(tcp_opts);
		n = build(&s, f);
		ASSERT_EQ(run(DECODE_LINK_ETHERNET, f, n, &p), DECODE_TCP);
		assert_get(&p);
		ASSERT_EQ(p.dport, 80);
	}
}

void test_decode_too_many_vlan_tags(void)
{
	uint8_t f[PKT_MAX], g[PKT_MAX];
	size_t n = build(&v4_get, f);
	struct packet p;

	/* five 802.1Q tags between the MAC addresses and the IPv4 ethertype */
	memcpy(g, f, 12);
	for (unsigned i = 0; i < 5; i++)
		memcpy(g + 12 + 4 * i, "\x81\x00\x00\x07", 4);
	memcpy(g + 32, f + 12, n - 12);
	ASSERT_EQ(run(DECODE_LINK_ETHERNET, g, n + 20, &p), DECODE_BAD_LINK);
}

void test_decode_ipv6_extension_headers(void)
{
	uint8_t f[PKT_MAX];
	struct pkt_spec s = v4_get;
	struct packet p;
	size_t n;

	s.src = "fd77:1::2";
	s.dst = "fd77:2::2";
	s.ext[0] = IPPROTO_HOPOPTS;
	s.ext[1] = IPPROTO_ROUTING;
	s.ext[2] = IPPROTO_DSTOPTS;
	s.n_ext = 3;
	n = build(&s, f);
	ASSERT_EQ(run(DECODE_LINK_ETHERNET, f, n, &p), DECODE_TCP);
	assert_addr(&p.src, "fd77:1::2");
	assert_addr(&p.dst, "fd77:2::2");
	assert_get(&p);
}

void test_decode_fragments_skipped(void)
{
	uint8_t f[PKT_MAX];
	struct pkt_spec s = v4_get;
	struct packet p;

	s.more_fragments = 1;                    /* first fragment */
	ASSERT_EQ(run(DECODE_LINK_ETHERNET, f, build(&s, f), &p), DECODE_FRAGMENT);
	s.more_fragments = 0;
	s.frag_offset = 64;                      /* last fragment */
	ASSERT_EQ(run(DECODE_LINK_ETHERNET, f, build(&s, f), &p), DECODE_FRAGMENT);
	s.src = "fd77:1::2";
	s.dst = "fd77:2::2";
	s.ext[0] = IPPROTO_FRAGMENT;
	s.n_ext = 1;
	ASSERT_EQ(run(DECODE_LINK_ETHERNET, f, build(&s, f), &p), DECODE_FRAGMENT);
	s.frag_offset = 0;
	s.more_fragments = 1;
	ASSERT_EQ(run(DECODE_LINK_ETHERNET, f, build(&s, f), &p), DECODE_FRAGMENT);
}

void test_decode_checksums(void)
{
	uint8_t f[PKT_MAX];
	size_t n = build(&v4_get, f);
	struct packet p;

	f[n - 1] ^= 0x20;                        /* payload damaged: TCP checksum */
	ASSERT_EQ(run(DECODE_LINK_ETHERNET, f, n, &p), DECODE_BAD_TCP_CSUM);
	/* not verified (CHECKSUM_PARTIAL on a live tap): decoded */
	ASSERT_EQ(decode_packet(DECODE_LINK_ETHERNET, f, (uint32_t)n, (uint32_t)n, false, &p),
		  DECODE_TCP);
	ASSERT_TRUE(decode_tcp_csum_ok(&p));
	f[n - 1] ^= 0x20;
	f[14 + 8] ^= 1;                          /* TTL: the IPv4 header checksum */
	ASSERT_EQ(run(DECODE_LINK_ETHERNET, f, n, &p), DECODE_BAD_IPV4_CSUM);

	/* IPv6: the pseudo-header covers the addresses */
	struct pkt_spec s = v4_get;

	s.src = "fd77:1::2";
	s.dst = "fd77:2::2";
	n = build(&s, f);
	ASSERT_EQ(run(DECODE_LINK_ETHERNET, f, n, &p), DECODE_TCP);
	f[14 + 8 + 15] ^= 1;
	ASSERT_EQ(run(DECODE_LINK_ETHERNET, f, n, &p), DECODE_BAD_TCP_CSUM);
	/* odd payload length: the last byte is padded for the sum */
	s.payload_len = GET_LEN - 1;
	n = build(&s, f);
	ASSERT_EQ(run(DECODE_LINK_ETHERNET, f, n, &p), DECODE_TCP);
	ASSERT_EQ(p.payload_len, GET_LEN - 1);
}

/* Every cut of a frame: never decoded as TCP; snapped when the capture cut it. */
void test_decode_every_truncation(void)
{
	const struct pkt_spec v6 = {
		.src = "fd77:1::2", .dst = "fd77:2::2", .sport = 1, .dport = 443,
		.tcp_flags = TH_ACK, .payload = get, .payload_len = GET_LEN,
		.ext = { IPPROTO_HOPOPTS }, .n_ext = 1, .n_vlan = 1,
	};
	const struct pkt_spec *specs[] = { &v4_get, &v6 };
	uint8_t f[PKT_MAX];
	struct packet p;

	for (unsigned k = 0; k < 2; k++) {
		size_t n = build(specs[k], f);

		for (size_t cut = 0; cut < n; cut++) {
			enum decode_result snapped = decode_packet(DECODE_LINK_ETHERNET, f,
				(uint32_t)cut, (uint32_t)n, true, &p);
			enum decode_result claimed = decode_packet(DECODE_LINK_ETHERNET, f,
				(uint32_t)cut, (uint32_t)cut, true, &p);

			ASSERT_EQ(snapped, DECODE_SNAPPED);
			ASSERT_TRUE(claimed >= DECODE_FIRST_MALFORMED);
			ASSERT_NE(claimed, DECODE_SNAPPED);
		}
	}
}

void test_decode_ethernet_padding_trimmed(void)
{
	uint8_t f[PKT_MAX];
	struct pkt_spec s = v4_get;
	struct packet p;
	size_t n;

	s.payload_len = 2;                       /* a 56-byte frame, padded to 60 */
	n = build(&s, f);
	memset(f + n, 0xee, 4);
	ASSERT_EQ(run(DECODE_LINK_ETHERNET, f, n + 4, &p), DECODE_TCP);
	ASSERT_EQ(p.payload_len, 2);
}

/* The same IP packet behind each link layer pcap gives us. */
void test_decode_link_layers(void)
{
	uint8_t f[PKT_MAX], g[PKT_MAX];
	size_t n = build(&v4_get, f), ip = n - 14;
	struct packet p;

	ASSERT_EQ(run(DECODE_LINK_RAW, f + 14, ip, &p), DECODE_TCP);
	assert_get(&p);

	memset(g, 0, 16);                        /* cooked v1: protocol at 14 */
	g[14] = 0x08;
	memcpy(g + 16, f + 14, ip);
	ASSERT_EQ(run(DECODE_LINK_SLL, g, ip + 16, &p), DECODE_TCP);
	assert_get(&p);

	memset(g, 0, 20);                        /* cooked v2: protocol at 0 */
	g[0] = 0x08;
	memcpy(g + 20, f + 14, ip);
	ASSERT_EQ(run(DECODE_LINK_SLL2, g, ip + 20, &p), DECODE_TCP);
	assert_get(&p);

	g[0] = 0x08;                             /* ARP */
	g[1] = 0x06;
	ASSERT_EQ(run(DECODE_LINK_SLL2, g, ip + 20, &p), DECODE_NOT_IP);
	ASSERT_EQ(run(DECODE_LINK_RAW, (const uint8_t *)"\x20", 1, &p), DECODE_NOT_IP);
}

void test_decode_udp_and_other_protocols(void)
{
	uint8_t f[PKT_MAX];
	struct pkt_spec s = v4_get;
	struct packet p;
	size_t n;

	s.l4 = IPPROTO_UDP;
	s.dport = 443;
	n = build(&s, f);
	ASSERT_EQ(run(DECODE_LINK_ETHERNET, f, n, &p), DECODE_UDP);
	ASSERT_EQ(p.dport, 443);
	assert_get(&p);

	f[14 + 9] = IPPROTO_ICMP;                /* header checksum now wrong: not verified */
	ASSERT_EQ(decode_packet(DECODE_LINK_ETHERNET, f, (uint32_t)n, (uint32_t)n, false, &p),
		  DECODE_OTHER_L4);
}

void test_decode_bad_tcp_header(void)
{
	uint8_t f[PKT_MAX];
	size_t n = build(&v4_get, f);
	struct packet p;

	f[14 + 20 + 12] = 4 << 4;                /* data offset below 20 bytes */
	ASSERT_EQ(run(DECODE_LINK_ETHERNET, f, n, &p), DECODE_BAD_TCP);
	f[14 + 20 + 12] = 15 << 4;               /* 60 bytes: more than the segment */
	ASSERT_TRUE(20 + GET_LEN < 60);
	ASSERT_EQ(run(DECODE_LINK_ETHERNET, f, n, &p), DECODE_BAD_TCP);
	ASSERT_STREQ(decode_result_name(DECODE_BAD_TCP_CSUM), "bad-tcp-csum");
}
