/*
 * A packet builder for tests: Ethernet (optionally 802.1Q or QinQ tagged),
 * IPv4 (options, fragments) or IPv6 (extension headers, fragments), then TCP
 * or UDP with payload, every checksum correct. Describe the packet in a
 * struct pkt_spec with designated initializers; unset fields take the
 * defaults named below.
 *
 *   uint8_t f[PKT_MAX];
 *   size_t n = pkt_build(&(struct pkt_spec){ .src = "10.0.0.2", .dst = "10.0.1.2",
 *           .sport = 40000, .dport = 80, .tcp_flags = TH_ACK | TH_PUSH,
 *           .payload = "GET / HTTP/1.1\r\n\r\n", .payload_len = 18 }, f, sizeof(f));
 */
#ifndef UE_TESTS_PKTBUILD_H
#define UE_TESTS_PKTBUILD_H

#include <netinet/in.h>
#include <netinet/tcp.h>     /* TH_FIN, TH_SYN, TH_RST, TH_PUSH, TH_ACK */
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 9216         /* enough for any frame a test builds */
#define PKT_MAX_EXT 12

struct pkt_spec {
	const char *src, *dst;        /* IPv4 or IPv6 literals, same family */
	uint8_t l4;                   /* IPPROTO_TCP (default), IPPROTO_UDP, or IPPROTO_ICMP
				       * and IPPROTO_ICMPV6: no header written, the payload is
				       * the whole message */
	uint16_t sport, dport;
	uint8_t tcp_flags;            /* TH_*, as given (0 is 0) */
	uint32_t seq, ack;
	const void *payload;
	size_t payload_len;
	const void *tcp_options;      /* raw, length a multiple of 4, <= 40 */
	size_t tcp_options_len;

	const uint8_t *eth_src, *eth_dst;   /* 6 bytes; default 02:00:00:00:00:01/02 */
	unsigned n_vlan;              /* 0, 1 (802.1Q) or 2 (802.1ad outer, 802.1Q inner) */
	uint16_t vlan[2];             /* VLAN ids, outer first */

	uint8_t ttl;                  /* default 64 (hop limit for IPv6) */
	const void *ip_options;       /* IPv4: raw, length a multiple of 4, <= 40 */
	size_t ip_options_len;
	/*
	 * IPv6 extension headers in order: IPPROTO_HOPOPTS and IPPROTO_DSTOPTS
	 * (8 bytes, PadN), IPPROTO_ROUTING (8 bytes, experimental type 253,
	 * segments left 0: the destination stays final), IPPROTO_FRAGMENT (takes
	 * the fragment fields below).
	 */
	uint8_t ext[PKT_MAX_EXT];
	unsigned n_ext;
	/*
	 * Fragments. IPv4: the header carries them; IPv6: put IPPROTO_FRAGMENT
	 * in ext. frag_offset in bytes, a multiple of 8; a non-first fragment
	 * (offset > 0) carries the payload bytes only, no L4 header.
	 */
	uint16_t frag_offset;
	int more_fragments;
	uint32_t frag_id;
};

/* Writes the frame into buf; returns its length, or 0 if the spec is invalid
 * or the frame does not fit in cap. */
size_t pkt_build(const struct pkt_spec *spec, uint8_t *buf, size_t cap);

#endif
