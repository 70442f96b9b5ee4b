/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * L2-L4 parsing shared by the socket filter and the TC program.
 *
 * Every read goes through bpf_skb_load_bytes_relative(BPF_HDR_START_NET) and
 * the protocol comes from skb->protocol, the ethertype of whatever sits at
 * the network header. That holds in every context the programs run in:
 *   - a live AF_PACKET socket sees the frame from L2, a socket filter under
 *     bpf_prog_test_run from L3, TC from L2: the network offset hides that;
 *   - a VLAN tag the driver or the stack moved into skb->vlan_tci is simply
 *     absent from the data, and skb->protocol already names the inner type;
 *   - a tag still in the data (test runs, a QinQ inner tag after the outer
 *     one was taken out on receive) sits at the network offset and
 *     skb->protocol is 802.1Q/802.1ad: it is walked here;
 *   - L3 devices without an Ethernet header (tun, WireGuard) just work.
 * The helper reads the linear part only; headers live there in practice,
 * a header that does not is counted as malformed.
 * Known gap: when the stack inserts a VLAN tag in software on transmit (a
 * device without VLAN TX offload), skb->protocol becomes 802.1Q while the
 * network header still points past the tag, so a tap on such a parent
 * device misreads its outgoing tagged frames. TC egress runs before the
 * insertion and is not affected; tapping the VLAN device itself avoids it.
 */
#ifndef UE_PARSE_H
#define UE_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "bpf/kern_user.h"

#define UE_MAX_VLAN_TAGS 2     /* 802.1ad outer + 802.1Q inner */
#define UE_MAX_IPV6_EXT  8     /* extension headers walked before giving up */

#define UE_IP_MF      0x2000
#define UE_IP_OFFSET  0x1fff
#define UE_IP6_OFFSET 0xfff8
#define UE_IP6_MF     0x0001

#define UE_TCP_FIN 0x01
#define UE_TCP_SYN 0x02
#define UE_TCP_RST 0x04
#define UE_TCP_ACK 0x10

enum ue_parse_result {
	UE_PARSE_OK,          /* TCP or UDP header found, struct ue_packet filled */
	UE_PARSE_NOT_L4,      /* not IP, or IP carrying neither TCP nor UDP */
	UE_PARSE_FRAGMENT,    /* a later IP fragment: no L4 header to read */
	UE_PARSE_MALFORMED,   /* truncated or inconsistent headers */
};

struct ue_packet {
	struct ue_session_key key;   /* canonical, both directions alike */
	__u16 sport;                 /* host byte order */
	__u16 dport;
	__u32 payload_len;           /* L4 payload, from the IP length fields */
	__u32 payload_off;           /* where it starts, from the network header */
	__u32 seq;                   /* TCP sequence number, host order; 0 for UDP */
	__u8 l4_proto;               /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 tcp_flags;              /* 0 for UDP */
	__u8 src_is_lo;              /* the sender is the key's lo endpoint */
	__u8 ipv6;
	__u8 first_fragment;         /* offset 0, more fragments follow */
	__u8 icmp6_type;             /* ICMPv6: its type (neighbour discovery passes a pause) */
};

/* The sender's address, v4-mapped for IPv4. */
static __always_inline const __u8 *ue_packet_src(const struct ue_packet *p)
{
	return p->src_is_lo ? p->key.lo_addr : p->key.hi_addr;
}

/* Past the client sequence space a TCP segment occupies: SYN and FIN count one. */
static __always_inline __u32 ue_seq_end(const struct ue_packet *p)
{
	return p->seq + p->payload_len + !!(p->tcp_flags & UE_TCP_SYN) +
	       !!(p->tcp_flags & UE_TCP_FIN);
}

/* A port set from rodata: UE_MAX_PORTS host-order ports, 0 = unused slot. */
static __always_inline int ue_port_in(const volatile __u16 *set, __u16 port)
{
	int i;

	for (i = 0; i < UE_MAX_PORTS; i++)
		if (set[i] && set[i] == port)
			return 1;
	return 0;
}

static __always_inline int ue_load(struct __sk_buff *skb, __u32 off, void *to,
				   __u32 len)
{
	return bpf_skb_load_bytes_relative(skb, off, to, len, BPF_HDR_START_NET);
}

static __always_inline void ue_v4_mapped(__u8 out[16], __be32 addr)
{
	__builtin_memset(out, 0, 10);
	out[10] = 0xff;
	out[11] = 0xff;
	__builtin_memcpy(out + 12, &addr, 4);
}

/*
 * IPv4 at *off: on UE_PARSE_OK *off is the L4 header, *l4_end one past the
 * IP datagram, *proto the L4 protocol and src/dst the v4-mapped addresses.
 */
static __always_inline int ue_parse_ipv4(struct __sk_buff *skb, __u32 *off,
					 __u32 *l4_end, __u8 *proto,
					 __u8 src[16], __u8 dst[16], __u8 *first_fragment)
{
	struct iphdr ip = {};
	__u32 hlen, tot_len;

	if (ue_load(skb, *off, &ip, sizeof(ip)))
		return UE_PARSE_MALFORMED;
	hlen = ip.ihl * 4;
	tot_len = bpf_ntohs(ip.tot_len);
	if (ip.version != 4 || hlen < sizeof(ip) || tot_len < hlen)
		return UE_PARSE_MALFORMED;
	if (bpf_ntohs(ip.frag_off) & UE_IP_OFFSET)
		return UE_PARSE_FRAGMENT;
	*first_fragment = !!(bpf_ntohs(ip.frag_off) & UE_IP_MF);
	ue_v4_mapped(src, ip.saddr);
	ue_v4_mapped(dst, ip.daddr);
	*proto = ip.protocol;
	*l4_end = *off + tot_len;
	*off += hlen;
	return UE_PARSE_OK;
}

/* IPv6 at *off, extension headers walked; outputs as ue_parse_ipv4. */
static __always_inline int ue_parse_ipv6(struct __sk_buff *skb, __u32 *off,
					 __u32 *l4_end, __u8 *proto,
					 __u8 src[16], __u8 dst[16], __u8 *first_fragment)
{
	struct ipv6hdr ip6 = {};
	__u8 nexthdr;
	int i;

	if (ue_load(skb, *off, &ip6, sizeof(ip6)))
		return UE_PARSE_MALFORMED;
	if (ip6.version != 6)
		return UE_PARSE_MALFORMED;
	__builtin_memcpy(src, &ip6.saddr, 16);
	__builtin_memcpy(dst, &ip6.daddr, 16);
	*l4_end = *off + sizeof(ip6) + bpf_ntohs(ip6.payload_len);
	*off += sizeof(ip6);
	nexthdr = ip6.nexthdr;

	for (i = 0; i < UE_MAX_IPV6_EXT; i++) {
		struct ipv6_opt_hdr ext;
		struct { __u8 nexthdr, reserved; __be16 frag_off; } frag;

		switch (nexthdr) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (ue_load(skb, *off, &ext, sizeof(ext)))
				return UE_PARSE_MALFORMED;
			nexthdr = ext.nexthdr;
			*off += (ext.hdrlen + 1) * 8;
			break;
		case IPPROTO_FRAGMENT:
			/* 8 bytes: the 4 read here, then the identification */
			if (ue_load(skb, *off, &frag, sizeof(frag)))
				return UE_PARSE_MALFORMED;
			if (bpf_ntohs(frag.frag_off) & UE_IP6_OFFSET)
				return UE_PARSE_FRAGMENT;
			*first_fragment = !!(bpf_ntohs(frag.frag_off) & UE_IP6_MF);
			nexthdr = frag.nexthdr;
			*off += 8;
			break;
		default:
			*proto = nexthdr;
			return *off <= *l4_end ? UE_PARSE_OK : UE_PARSE_MALFORMED;
		}
	}
	return UE_PARSE_MALFORMED;     /* more extension headers than we walk */
}

/*
 * Parses the packet in skb down to its TCP or UDP header. On UE_PARSE_OK *p
 * holds the canonical session key, ports, TCP flags and payload length.
 * SENDER (a constant, so the tap, which passes 0, carries none of it): on
 * UE_PARSE_NOT_L4 for IP, the key's addresses, src_is_lo, l4_proto and
 * icmp6_type are set too, for a packet a paused client sends.
 */
static __always_inline int ue_parse_sender(struct __sk_buff *skb, struct ue_packet *p,
					   const int sender)
{
	__u16 proto = bpf_ntohs(skb->protocol);
	/* All zeroed: without CAP_PERFMON the verifier refuses any read of
	 * stack bytes it cannot prove were written on every path. */
	__u8 src[16] = {}, dst[16] = {}, l4_proto = 0, first_fragment = 0;
	__u32 off = 0, l4_end = 0, hlen;
	__u16 ports[2] = {};
	int i, ret;

	for (i = 0; i < UE_MAX_VLAN_TAGS; i++) {
		__be16 tag[2];   /* TCI, encapsulated ethertype */

		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			break;
		if (ue_load(skb, off, tag, sizeof(tag)))
			return UE_PARSE_MALFORMED;
		proto = bpf_ntohs(tag[1]);
		off += sizeof(tag);
	}

	if (proto == ETH_P_IP)
		ret = ue_parse_ipv4(skb, &off, &l4_end, &l4_proto, src, dst, &first_fragment);
	else if (proto == ETH_P_IPV6)
		ret = ue_parse_ipv6(skb, &off, &l4_end, &l4_proto, src, dst, &first_fragment);
	else
		return UE_PARSE_NOT_L4;
	if (ret != UE_PARSE_OK)
		return ret;
	p->l4_proto = l4_proto;

	if (l4_proto == IPPROTO_TCP) {
		struct tcphdr th = {};

		if (ue_load(skb, off, &th, sizeof(th)))
			return UE_PARSE_MALFORMED;
		hlen = th.doff * 4;
		if (hlen < sizeof(th))
			return UE_PARSE_MALFORMED;
		/* flags byte: the 14th of the header (CWR..FIN) */
		p->tcp_flags = ((__u8 *)&th)[13];
		p->seq = bpf_ntohl(th.seq);
		ports[0] = th.source;
		ports[1] = th.dest;
	} else if (l4_proto == IPPROTO_UDP) {
		struct udphdr uh = {};

		if (ue_load(skb, off, &uh, sizeof(uh)))
			return UE_PARSE_MALFORMED;
		hlen = sizeof(uh);
		p->tcp_flags = 0;
		p->seq = 0;
		ports[0] = uh.source;
		ports[1] = uh.dest;
	} else {
		if (!sender)
			return UE_PARSE_NOT_L4;
		if (l4_proto == IPPROTO_ICMPV6 && ue_load(skb, off, &p->icmp6_type, 1))
			return UE_PARSE_MALFORMED;
		p->src_is_lo = ue_session_key_fill(&p->key, src, 0, dst, 0, l4_proto);
		return UE_PARSE_NOT_L4;
	}
	if (off + hlen > l4_end)
		return UE_PARSE_MALFORMED;

	p->payload_len = l4_end - off - hlen;
	p->payload_off = off + hlen;
	p->l4_proto = l4_proto;
	p->ipv6 = proto == ETH_P_IPV6;
	p->first_fragment = first_fragment;
	p->sport = bpf_ntohs(ports[0]);
	p->dport = bpf_ntohs(ports[1]);
	p->src_is_lo = ue_session_key_fill(&p->key, src, ports[0], dst, ports[1],
					   l4_proto);
	return UE_PARSE_OK;
}

/*
 * Is this UDP payload a QUIC client's first flight, what the daemon reads
 * to judge a connection (RFC 8999, 9000, 9369): a long header that is an
 * Initial of version 1 or 2, or any long header of another version (the
 * daemon decides those too). Handshake, 0-RTT and 1-RTT (short header)
 * packets are not: once a connection is judged, nothing more is.
 */
static __always_inline int ue_quic_first_flight(struct __sk_buff *skb, const struct ue_packet *p)
{
	__u8 h[5] = {};
	__u32 version;
	__u8 type;

	if (p->l4_proto != IPPROTO_UDP || p->payload_len < sizeof(h) ||
	    ue_load(skb, p->payload_off, h, sizeof(h)))
		return 0;
	if (!(h[0] & 0x80))
		return 0;
	version = (__u32)h[1] << 24 | (__u32)h[2] << 16 | (__u32)h[3] << 8 | h[4];
	type = (h[0] >> 4) & 3;
	if (version == UE_QUIC_V1)
		return type == 0;
	if (version == UE_QUIC_V2)
		return type == 1;
	return version != 0;          /* 0: Version Negotiation, a server's */
}

static __always_inline int ue_parse(struct __sk_buff *skb, struct ue_packet *p)
{
	return ue_parse_sender(skb, p, 0);
}

#endif
