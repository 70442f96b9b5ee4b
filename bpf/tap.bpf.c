// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The tap: a socket filter on the daemon's AF_PACKET sockets that keeps only
 * client->server TCP segments towards a tapped port which the daemon needs
 * to follow a request stream: payload (SYN with payload too: TCP Fast Open),
 * the SYN that gives the initial sequence number, and FIN/RST that end it;
 * and UDP to a TLS port that is a QUIC client's first flight (an Initial:
 * parse.h), until its connection is judged and the client moves on to
 * Handshake and 1-RTT packets. Malformed frames are kept too (see the end). Its return value only trims
 * the tapping socket's copy; it blocks nothing.
 */
#include "bpf/parse.h"

/* Set by the daemon before load: host-order ports, 0 = unused slot. */
const volatile __u16 http_ports[UE_MAX_PORTS] = {};
const volatile __u16 tls_ports[UE_MAX_PORTS] = {};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, UE_TAP_COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} tap_counters SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&tap_counters, &idx);

	if (c)
		*c += 1;   /* per-CPU slot: no other writer */
}

static __always_inline __u32 verdict(struct __sk_buff *skb)
{
	struct ue_packet p = {};   /* no partly set stack: no CAP_PERFMON needed */

	/* --hold: a segment the daemon released, already tapped once */
	if (skb->mark == UE_RELEASE_MARK)
		return UE_TAP_RELEASED;
	switch (ue_parse(skb, &p)) {
	case UE_PARSE_OK:
		break;
	case UE_PARSE_FRAGMENT:
		return UE_TAP_FRAGMENT;
	case UE_PARSE_MALFORMED:
		return UE_TAP_MALFORMED;
	default:
		return UE_TAP_NOT_TCP;
	}
	if (p.l4_proto == IPPROTO_UDP)
		return ue_port_in(tls_ports, p.dport) && ue_quic_first_flight(skb, &p) ?
		       UE_TAP_KEPT : UE_TAP_NOT_TCP;
	if (p.l4_proto != IPPROTO_TCP)
		return UE_TAP_NOT_TCP;
	/* Towards a tapped port only: server->client replies never match. */
	if (!ue_port_in(http_ports, p.dport) && !ue_port_in(tls_ports, p.dport))
		return UE_TAP_WRONG_PORT;
	if (p.payload_len == 0 &&
	    !(p.tcp_flags & (UE_TCP_FIN | UE_TCP_RST)) &&
	    (p.tcp_flags & (UE_TCP_SYN | UE_TCP_ACK)) != UE_TCP_SYN)
		return UE_TAP_NO_PAYLOAD;
	return UE_TAP_KEPT;
}

SEC("socket")
int tap_socket(struct __sk_buff *skb)
{
	__u32 v = verdict(skb);

	count(UE_TAP_SEEN);
	count(v);
	/* Malformed here may be well-formed in the daemon, which reads the
	 * whole copy: a reassembled IPv4 datagram whose first fragment was too
	 * small for the TCP header has that header beyond the linear part this
	 * program can read. The daemon decodes it, or counts it malformed. */
	return v == UE_TAP_KEPT || v == UE_TAP_MALFORMED ? skb->len : 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
