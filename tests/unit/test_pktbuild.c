/*
 * The packet builder against frames built by scapy (the hex below was
 * produced once with scapy 2.5 from the same field values), so checksums
 * and layouts are checked by an independent implementation.
 */
#include <stdio.h>

#include "tests/harness.h"
#include "tests/unit/pktbuild.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned byte;

	while (hex[0] && hex[1] && n < cap && sscanf(hex, "%2x", &byte) == 1) {
		out[n++] = byte;
		hex += 2;
	}
	return n;
}

static void expect_frame(const struct pkt_spec *spec, const char *hex)
{
	uint8_t got[PKT_MAX], want[PKT_MAX];
	size_t n = pkt_build(spec, got, sizeof(got));
	size_t m = unhex(hex, want, sizeof(want));

	ASSERT_EQ(n, m);
	ASSERT_MEMEQ(got, want, n);
}

void test_pktbuild_ipv4_tcp_payload(void)
{
	expect_frame(&(struct pkt_spec){
		.src = "10.0.0.2", .dst = "10.0.1.2", .sport = 40000, .dport = 80,
		.tcp_flags = TH_PUSH | TH_ACK, .seq = 1, .ack = 2,
		.payload = "GET / HTTP/1.1\r\n\r\n", .payload_len = 18 },
		"02000000000202000000000108004500003a00000000400665bb0a0000020a000102"
		"9c40005000000001000000025018ffff1f830000474554202f20485454502f312e31"
		"0d0a0d0a");
}

void test_pktbuild_ipv6_ext_udp(void)
{
	expect_frame(&(struct pkt_spec){
		.src = "fd00::2", .dst = "fd00:1::2", .l4 = IPPROTO_UDP,
		.sport = 5353, .dport = 443, .payload = "hello quic", .payload_len = 10,
		.ext = { IPPROTO_HOPOPTS, IPPROTO_DSTOPTS }, .n_ext = 2 },
		"02000000000202000000000186dd6000000000220040fd0000000000000000000000"
		"00000002fd0000010000000000000000000000023c00010400000000110001040000"
		"000014e901bb0012d05468656c6c6f2071756963");
}

void test_pktbuild_qinq_ipv4_options_syn(void)
{
	static const uint8_t ip_opts[] = { 1, 1, 1, 0 };        /* NOP NOP NOP EOL */
	static const uint8_t tcp_opts[] = { 2, 4, 0x05, 0xb4 };  /* MSS 1460 */

	expect_frame(&(struct pkt_spec){
		.src = "192.168.1.10", .dst = "192.168.2.20", .sport = 1234, .dport = 8080,
		.tcp_flags = TH_SYN, .seq = 0x11223344, .n_vlan = 2, .vlan = { 100, 200 },
		.ip_options = ip_opts, .ip_options_len = sizeof(ip_opts),
		.tcp_options = tcp_opts, .tcp_options_len = sizeof(tcp_opts) },
		"02000000000202000000000188a80064810000c8080046000030000000004006f358"
		"c0a8010ac0a802140101010004d21f9011223344000000006002ffffaaef00000204"
		"05b4");
}

void test_pktbuild_ipv6_first_fragment(void)
{
	expect_frame(&(struct pkt_spec){
		.src = "fd00::2", .dst = "fd00:1::2", .sport = 40000, .dport = 443,
		.tcp_flags = TH_ACK, .seq = 5, .ack = 6, .payload = "xxxxxxx", .payload_len = 7,
		.ext = { IPPROTO_FRAGMENT }, .n_ext = 1, .more_fragments = 1, .frag_id = 7 },
		"02000000000202000000000186dd6000000000232c40fd0000000000000000000000"
		"00000002fd00000100000000000000000000000206000001000000079c4001bb0000"
		"0005000000065010ffff3657000078787878787878");
}

void test_pktbuild_later_fragment_has_no_l4_header(void)
{
	uint8_t f[PKT_MAX];
	size_t n = pkt_build(&(struct pkt_spec){
		.src = "10.0.0.2", .dst = "10.0.1.2", .dport = 80,
		.frag_offset = 1480, .payload = "tail", .payload_len = 4 }, f, sizeof(f));

	ASSERT_EQ(n, 14 + 20 + 4);
	ASSERT_EQ(f[14 + 6], 0);          /* MF clear, offset 1480/8 = 185 */
	ASSERT_EQ(f[14 + 7], 185);
	ASSERT_MEMEQ(f + 34, "tail", 4);
}

void test_pktbuild_rejects_invalid_specs(void)
{
	uint8_t f[64];

	ASSERT_EQ(pkt_build(&(struct pkt_spec){ .src = "10.0.0.2", .dst = "fd00::1" },
			    f, sizeof(f)), 0);
	ASSERT_EQ(pkt_build(&(struct pkt_spec){ .src = "10.0.0.2", .dst = "10.0.0.1",
			    .ext = { IPPROTO_HOPOPTS }, .n_ext = 1 }, f, sizeof(f)), 0);
	ASSERT_EQ(pkt_build(&(struct pkt_spec){ .src = "10.0.0.2", .dst = "10.0.0.1",
			    .payload = "x", .payload_len = 64 }, f, sizeof(f)), 0);
}
