/*
 * The tap socket filter in the kernel, through BPF_PROG_TEST_RUN: one table
 * of frames, each with the verdict and the counter it must bump. Tapped
 * ports: HTTP 80, 8080; TLS 443. Under a test run a socket filter sees the
 * frame from L3 on, so "kept" means it returns the frame length minus the
 * 14-byte Ethernet header.
 */
#include <errno.h>
#include <string.h>

#include "enforcer/capture/tap_loader.h"
#include "tests/harness.h"
#include "tests/unit/bpf_testrun.h"
#include "tests/unit/pktbuild.h"
#include "tests/unit/quic_vectors.h"

#define GET "GET / HTTP/1.1\r\nHost: example.test\r\n\r\n"
#define V4_C2S .src = "10.0.0.2", .dst = "10.0.1.2", .sport = 40000
#define V6_C2S .src = "fd00::2", .dst = "fd00:1::2", .sport = 40000
/* UDP with a 6-byte QUIC header start HDR (then zeros: the tap reads 5 bytes) */
#define QUIC_C2S(dir, port, hdr) dir, .l4 = IPPROTO_UDP, .dport = port, \
	.payload = hdr "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", .payload_len = 30
#define DATA .tcp_flags = TH_ACK | TH_PUSH, .payload = GET, .payload_len = sizeof(GET) - 1

enum patch {
	NO_PATCH,
	IPV4_IHL_4,          /* header length below 20 */
	IPV4_TOT_LEN_SHORT,  /* total length shorter than IP + TCP headers */
	IPV4_VERSION_5,
	IPV4_ICMP,           /* protocol byte set to ICMP */
	TCP_DOFF_4,          /* TCP header length below 20 */
	ETHERTYPE_ARP,
	ETHERTYPE_3_TAGS,    /* a third VLAN tag behind QinQ */
};

struct tap_case {
	const char *name;
	struct pkt_spec spec;
	enum patch patch;
	size_t cut_to;                 /* truncate the frame; 0: keep it whole */
	bool kept;
	enum ue_tap_counter counter;
};

static const struct tap_case cases[] = {
	{ "ipv4 http request", { V4_C2S, .dport = 80, DATA }, .kept = true, .counter = UE_TAP_KEPT },
	{ "ipv4 second http port", { V4_C2S, .dport = 8080, DATA }, .kept = true, .counter = UE_TAP_KEPT },
	{ "ipv6 tls payload", { V6_C2S, .dport = 443, DATA }, .kept = true, .counter = UE_TAP_KEPT },
	{ "802.1Q", { V4_C2S, .dport = 80, DATA, .n_vlan = 1, .vlan = { 10 } },
	  .kept = true, .counter = UE_TAP_KEPT },
	{ "QinQ ipv6", { V6_C2S, .dport = 443, DATA, .n_vlan = 2, .vlan = { 10, 20 } },
	  .kept = true, .counter = UE_TAP_KEPT },
	{ "ipv4 options", { V4_C2S, .dport = 80, DATA,
	  .ip_options = "\x01\x01\x01\x01\x94\x04\x00\x00", .ip_options_len = 8 },
	  .kept = true, .counter = UE_TAP_KEPT },
	{ "ipv6 hop-by-hop, routing, destination options",
	  { V6_C2S, .dport = 443, DATA, .n_ext = 3,
	    .ext = { IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS } },
	  .kept = true, .counter = UE_TAP_KEPT },
	{ "ipv4 first fragment", { V4_C2S, .dport = 80, DATA, .more_fragments = 1, .frag_id = 9 },
	  .kept = true, .counter = UE_TAP_KEPT },
	{ "ipv4 later fragment", { V4_C2S, .dport = 80, DATA, .frag_offset = 1480, .frag_id = 9 },
	  .counter = UE_TAP_FRAGMENT },
	{ "ipv6 first fragment", { V6_C2S, .dport = 443, DATA, .n_ext = 2,
	  .ext = { IPPROTO_DSTOPTS, IPPROTO_FRAGMENT }, .more_fragments = 1 },
	  .kept = true, .counter = UE_TAP_KEPT },
	{ "ipv6 later fragment", { V6_C2S, .dport = 443, DATA, .n_ext = 1,
	  .ext = { IPPROTO_FRAGMENT }, .frag_offset = 1232 }, .counter = UE_TAP_FRAGMENT },
	{ "fin", { V4_C2S, .dport = 80, .tcp_flags = TH_FIN | TH_ACK },
	  .kept = true, .counter = UE_TAP_KEPT },
	{ "rst", { V6_C2S, .dport = 443, .tcp_flags = TH_RST },
	  .kept = true, .counter = UE_TAP_KEPT },
	{ "syn (initial sequence number)", { V4_C2S, .dport = 443, .tcp_flags = TH_SYN },
	  .kept = true, .counter = UE_TAP_KEPT },
	{ "syn with payload (fast open)", { V4_C2S, .dport = 80, .tcp_flags = TH_SYN,
	  .payload = GET, .payload_len = sizeof(GET) - 1 }, .kept = true, .counter = UE_TAP_KEPT },
	{ "pure ack", { V4_C2S, .dport = 80, .tcp_flags = TH_ACK }, .counter = UE_TAP_NO_PAYLOAD },
	{ "wrong port", { V4_C2S, .dport = 22, DATA }, .counter = UE_TAP_WRONG_PORT },
	{ "server to client", { .src = "10.0.1.2", .dst = "10.0.0.2", .sport = 80,
	  .dport = 40000, DATA }, .counter = UE_TAP_WRONG_PORT },
	{ "server syn-ack", { .src = "fd00:1::2", .dst = "fd00::2", .sport = 443,
	  .dport = 40000, .tcp_flags = TH_SYN | TH_ACK }, .counter = UE_TAP_WRONG_PORT },
	/* QUIC: a client's first flight only (parse.h), to a TLS port */
	{ "quic v1 initial", { QUIC_C2S(V4_C2S, 443, "\xc3\x00\x00\x00\x01\x08") },
	  .kept = true, .counter = UE_TAP_KEPT },
	{ "quic v2 initial, ipv6", { QUIC_C2S(V6_C2S, 443, "\xd3\x6b\x33\x43\xcf\x08") },
	  .kept = true, .counter = UE_TAP_KEPT },
	{ "quic draft-29 long header", { QUIC_C2S(V4_C2S, 443, "\xc3\xff\x00\x00\x1d\x08") },
	  .kept = true, .counter = UE_TAP_KEPT },
	{ "quic v1 handshake", { QUIC_C2S(V4_C2S, 443, "\xe3\x00\x00\x00\x01\x08") },
	  .counter = UE_TAP_NOT_TCP },
	{ "quic v1 0-rtt", { QUIC_C2S(V4_C2S, 443, "\xd3\x00\x00\x00\x01\x08") },
	  .counter = UE_TAP_NOT_TCP },
	{ "quic v2 handshake (v1's initial bits)", { QUIC_C2S(V4_C2S, 443,
	  "\xc3\x6b\x33\x43\xcf\x08") }, .counter = UE_TAP_NOT_TCP },
	{ "quic short header (1-rtt)", { QUIC_C2S(V4_C2S, 443, "\x43\x00\x00\x00\x01\x08") },
	  .counter = UE_TAP_NOT_TCP },
	{ "quic version negotiation", { QUIC_C2S(V4_C2S, 443, "\x80\x00\x00\x00\x00\x08") },
	  .counter = UE_TAP_NOT_TCP },
	{ "quic initial to an http port", { QUIC_C2S(V4_C2S, 80, "\xc3\x00\x00\x00\x01\x08") },
	  .counter = UE_TAP_NOT_TCP },
	{ "udp too short for a long header", { V4_C2S, .l4 = IPPROTO_UDP, .dport = 443,
	  .payload = "\xc3\x00\x00\x00", .payload_len = 4 }, .counter = UE_TAP_NOT_TCP },
	{ "icmp", { V4_C2S, .dport = 80, DATA }, IPV4_ICMP, .counter = UE_TAP_NOT_TCP },
	{ "arp", { V4_C2S, .dport = 80, DATA }, ETHERTYPE_ARP, .counter = UE_TAP_NOT_TCP },
	{ "three vlan tags", { V4_C2S, .dport = 80, DATA, .n_vlan = 2, .vlan = { 1, 2 } },
	  ETHERTYPE_3_TAGS, .counter = UE_TAP_NOT_TCP },
	{ "cut in the vlan tag", { V4_C2S, .dport = 80, DATA, .n_vlan = 1 }, .cut_to = 16,
	  .kept = true, .counter = UE_TAP_MALFORMED },
	/* test runs refuse an untagged IP frame shorter than its IP header */
	{ "cut in the ipv4 header", { V4_C2S, .dport = 80, DATA, .n_vlan = 1 },
	  .cut_to = 18 + 12, .kept = true, .counter = UE_TAP_MALFORMED },
	{ "cut in the ipv6 header", { V6_C2S, .dport = 443, DATA, .n_vlan = 1 },
	  .cut_to = 18 + 39, .kept = true, .counter = UE_TAP_MALFORMED },
	{ "cut in the tcp header", { V4_C2S, .dport = 80, DATA }, .cut_to = 14 + 20 + 19,
	  .kept = true, .counter = UE_TAP_MALFORMED },
	{ "cut in an ipv6 extension header", { V6_C2S, .dport = 443, DATA, .n_ext = 2,
	  .ext = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS } }, .cut_to = 14 + 40 + 8 + 1,
	  .kept = true, .counter = UE_TAP_MALFORMED },
	{ "too many ipv6 extension headers", { V6_C2S, .dport = 443, DATA, .n_ext = 9,
	  .ext = { 60, 60, 60, 60, 60, 60, 60, 60, 60 } },
	  .kept = true, .counter = UE_TAP_MALFORMED },
	{ "ipv4 header length 16", { V4_C2S, .dport = 80, DATA }, IPV4_IHL_4,
	  .kept = true, .counter = UE_TAP_MALFORMED },
	{ "ipv4 total length too short", { V4_C2S, .dport = 80, DATA }, IPV4_TOT_LEN_SHORT,
	  .kept = true, .counter = UE_TAP_MALFORMED },
	{ "ip version 5", { V4_C2S, .dport = 80, DATA }, IPV4_VERSION_5,
	  .kept = true, .counter = UE_TAP_MALFORMED },
	{ "tcp data offset 4", { V4_C2S, .dport = 80, DATA }, TCP_DOFF_4,
	  .kept = true, .counter = UE_TAP_MALFORMED },
};

static void apply_patch(enum patch p, uint8_t *f, size_t *len)
{
	static const uint8_t tags[] = { 0x81, 0x00, 0x00, 0x03, 0x08, 0x00 };

	switch (p) {
	case NO_PATCH:
		break;
	case IPV4_IHL_4:
		f[14] = 0x44;
		break;
	case IPV4_TOT_LEN_SHORT:
		f[14 + 2] = 0;
		f[14 + 3] = 20 + 19;
		break;
	case IPV4_VERSION_5:
		f[14] = 0x55;
		break;
	case IPV4_ICMP:
		f[14 + 9] = IPPROTO_ICMP;
		break;
	case TCP_DOFF_4:
		f[14 + 20 + 12] = 0x40;
		break;
	case ETHERTYPE_ARP:
		f[12] = 0x08;
		f[13] = 0x06;
		break;
	case ETHERTYPE_3_TAGS:
		/* the 2-tag frame's last ethertype becomes a third tag */
		memmove(f + 22 + 4, f + 22 + 2, *len - 24);
		memcpy(f + 20, tags, sizeof(tags));
		*len += 4;
		break;
	}
}

static struct tap_prog *load_tap(void)
{
	struct port_set http, tls;
	struct tap_prog *tap;

	require_root();
	ASSERT_OK(port_set_parse(&http, "80,8080"));
	ASSERT_OK(port_set_parse(&tls, "443"));
	tap = tap_prog_load(&http, &tls, NULL);
	if (!tap)
		bpf_load_failed("tap", errno);
	return tap;
}

static void run_case(struct tap_prog *tap, const struct tap_case *c)
{
	uint64_t before[UE_TAP_COUNTER_MAX], after[UE_TAP_COUNTER_MAX];
	uint8_t f[PKT_MAX];
	size_t len = pkt_build(&c->spec, f, sizeof(f) - 4);
	uint32_t ret;
	int err;

	if (!len)
		harness_fail(__FILE__, __LINE__, "%s: pkt_build refused the spec", c->name);
	apply_patch(c->patch, f, &len);
	if (c->cut_to)
		len = c->cut_to;
	ASSERT_OK(tap_prog_counters(tap, before));
	err = bpf_testrun(tap_prog_fd(tap), f, len, 0, &ret);
	if (err)
		harness_fail(__FILE__, __LINE__, "%s: test run failed: %s", c->name, strerror(-err));
	ASSERT_OK(tap_prog_counters(tap, after));

	if (ret != (c->kept ? len - 14 : 0))
		harness_fail(__FILE__, __LINE__, "%s: returned %u, expected %zu", c->name,
			     ret, c->kept ? len - 14 : 0);
	for (unsigned i = 0; i < UE_TAP_COUNTER_MAX; i++) {
		uint64_t want = (i == UE_TAP_SEEN) + (i == c->counter);

		if (after[i] - before[i] != want)
			harness_fail(__FILE__, __LINE__, "%s: counter %u moved by %llu, expected %llu",
				     c->name, i, (unsigned long long)(after[i] - before[i]),
				     (unsigned long long)want);
	}
}

void test_bpf_tap_table(void)
{
	struct tap_prog *tap = load_tap();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(tap, &cases[i]);
	tap_prog_destroy(tap);
}

void test_bpf_tap_port_sets_come_from_the_loader(void)
{
	struct port_set http, tls;
	struct tap_prog *tap;
	uint8_t f[PKT_MAX];
	size_t len;
	uint32_t ret;

	require_root();
	ASSERT_OK(port_set_parse(&http, "8000"));
	ASSERT_OK(port_set_parse(&tls, "8443,9443"));
	tap = tap_prog_load(&http, &tls, NULL);
	if (!tap)
		bpf_load_failed("tap", errno);
	len = pkt_build(&(struct pkt_spec){ V4_C2S, .dport = 9443, DATA }, f, sizeof(f));
	ASSERT_OK(bpf_testrun(tap_prog_fd(tap), f, len, 0, &ret));
	ASSERT_EQ(ret, len - 14);
	len = pkt_build(&(struct pkt_spec){ V4_C2S, .dport = 80, DATA }, f, sizeof(f));
	ASSERT_OK(bpf_testrun(tap_prog_fd(tap), f, len, 0, &ret));
	ASSERT_EQ(ret, 0);
	tap_prog_destroy(tap);
}

/* The RFC 9001 and RFC 9369 protected client Initials, whole, are kept. */
void test_bpf_tap_quic_rfc_initials(void)
{
	const struct quic_vector *v[] = { &quic_vector_v1, &quic_vector_v2 };
	struct tap_prog *tap = load_tap();

	for (size_t i = 0; i < 2; i++) {
		uint8_t pkt[1200], f[PKT_MAX];
		size_t n = quic_vector_unhex(v[i]->packet, pkt, sizeof(pkt)), len;
		uint32_t ret;

		len = pkt_build(&(struct pkt_spec){ V6_C2S, .l4 = IPPROTO_UDP, .dport = 443,
						    .payload = pkt, .payload_len = n }, f, sizeof(f));
		ASSERT_OK(bpf_testrun(tap_prog_fd(tap), f, len, 0, &ret));
		ASSERT_EQ(ret, len - 14);
	}
	tap_prog_destroy(tap);
}
