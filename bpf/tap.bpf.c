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
 *
 * With record set (the BPF ring capture), a kept frame goes to the ring of
 * its flow's worker instead (kern_user.h, struct ue_tap_record) and the
 * socket gets nothing: a worker that sleeps is woken by the first record
 * with payload or a SYN, not by a ring block's retirement; one that is
 * awake is not woken again. A frame the ring has no room for marks its
 * session in ue_unrecorded, which TC (blocklist.bpf.c, --fail closed)
 * reads; the tap runs before TC ingress, so the frame itself is dropped
 * there.
 */
#include "bpf/counters.h"
#include "bpf/parse.h"
#include "bpf/unrecorded.h"

/* Set by the daemon before load: host-order ports, 0 = unused slot. */
const volatile __u16 http_ports[UE_MAX_PORTS] = {};
const volatile __u16 tls_ports[UE_MAX_PORTS] = {};
const volatile __u8 record = 0;
const volatile __u32 n_rings = 1;      /* entries of tap_rings in use */

/* One ring a worker; the daemon sizes them (the inner map) before load. */
struct tap_ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, UE_TAP_MAX_RINGS);
	__type(key, __u32);
	__array(values, struct tap_ring);
} tap_rings SEC(".maps");

/* Whose worker sleeps, one entry a ring (the loader sets max_entries). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ue_tap_waiter);
} tap_waiters SEC(".maps");

/* A record is built here, one slot a CPU (the loader sets max_entries):
 * too big for the stack, and a ring reservation must be of constant size. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ue_tap_record);
} tap_scratch SEC(".maps");

/* --fail open: what passed unjudged, per client address (v4-mapped) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, UE_UNRECORDED_CLIENTS);
	__type(key, __u8[16]);
	__type(value, __u64);
} ue_unrecorded_clients SEC(".maps");

UE_COUNTERS(tap_counters, UE_TAP_COUNTER_MAX)

static __always_inline __u32 verdict(struct __sk_buff *skb, struct ue_packet *pp)
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
	*pp = p;
	return UE_TAP_KEPT;
}

static __always_inline void mark_unrecorded(const struct ue_packet *p)
{
	struct ue_unrecorded_value *v, fresh = {
		.from_seq = p->seq, .marked_ns = bpf_ktime_get_ns(),
	};
	__u8 client[16];
	__u64 one = 1, *n;

	count(UE_TAP_UNRECORDED);
	if (p->l4_proto != IPPROTO_TCP)
		return;
	__builtin_memcpy(client, ue_packet_src(p), sizeof(client));
	n = bpf_map_lookup_elem(&ue_unrecorded_clients, client);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&ue_unrecorded_clients, client, &one, BPF_NOEXIST);
	if (ue_seq_end(p) == p->seq)
		return;   /* occupies no sequence space (a bare RST): nothing to stop */
	v = bpf_map_lookup_elem(&ue_unrecorded, &p->key);
	if (!v) {
		bpf_map_update_elem(&ue_unrecorded, &p->key, &fresh, BPF_NOEXIST);
	} else {
		if ((__s32)(p->seq - v->from_seq) < 0)
			v->from_seq = p->seq;
		v->marked_ns = fresh.marked_ns;
	}
}

/* A recorded segment that carries the first unrecorded byte: the gap is closed. */
static __always_inline void recorded(const struct ue_packet *p)
{
	struct ue_unrecorded_value *v;

	count(UE_TAP_RECORDED);
	if (p->l4_proto != IPPROTO_TCP)
		return;
	v = bpf_map_lookup_elem(&ue_unrecorded, &p->key);
	if (v && (__s32)(v->from_seq - p->seq) >= 0 && (__s32)(ue_seq_end(p) - v->from_seq) > 0)
		bpf_map_delete_elem(&ue_unrecorded, &p->key);
}

/*
 * A frame with payload can complete a request, and a SYN announces one: a
 * worker woken by the SYN has the flow set up, and its CPU out of idle,
 * when the request comes a round trip later (at 300 requests/s this cut
 * the verdict's median by a quarter and its p99 by a third, for half as
 * much again of the daemon's CPU a request: bench/README.md). After
 * either, the worker is woken if it sleeps, by a nudge (kern_user.h).
 * FIN and RST without data are read with the next one or at the worker's
 * next look (a tenth of a second at most), in order. A worker that is
 * awake reads on without: under load a record costs no wakeup, which the
 * kernel would make an interprocessor interrupt (irq_work) even with
 * nobody waiting.
 */
static __always_inline void wake_worker(void *ring, __u32 idx, const struct ue_packet *p)
{
	struct ue_tap_waiter *w;
	__u8 nudge[UE_TAP_NUDGE_SIZE] = {};

	if (p->l4_proto && !p->payload_len && !(p->tcp_flags & UE_TCP_SYN))
		return;
	w = bpf_map_lookup_elem(&tap_waiters, &idx);
	/* The record is committed (an atomic exchange, a full barrier) before
	 * the flag is read, and the worker sets the flag before it looks at
	 * the ring a last time: one of the two sees the other. Two CPUs may
	 * both take the flag: one nudge too many. */
	if (!w || !*(volatile __u32 *)&w->sleeping)
		return;
	*(volatile __u32 *)&w->sleeping = 0;
	bpf_ringbuf_output(ring, nudge, sizeof(nudge), BPF_RB_FORCE_WAKEUP);
}

/*
 * The ring of a frame's flow: a hash of its canonical session key, the same
 * for every frame of the flow whatever the device or the sender's socket
 * made of skb->hash (a TCP sender picks a new one after a timeout). A frame
 * the filter could not parse has no key: skb->hash is what there is.
 */
static __always_inline __u32 ring_of(struct __sk_buff *skb, const struct ue_packet *p)
{
	const __u32 *w = (const __u32 *)&p->key;
	__u32 h = 2166136261u;
	int i;

	if (!p->l4_proto)
		return skb->hash % n_rings;
	for (i = 0; i < (int)(sizeof(p->key) / 4); i++)
		h = (h ^ w[i]) * 16777619u;
	return (h ^ (h >> 16)) % n_rings;
}

/* The frame to the ring of its flow's worker. */
static __always_inline void to_ring(struct __sk_buff *skb, const struct ue_packet *p)
{
	__u32 cpu = bpf_get_smp_processor_id(), idx = ring_of(skb, p), len = skb->len;
	struct ue_tap_record *r = bpf_map_lookup_elem(&tap_scratch, &cpu);
	void *ring = bpf_map_lookup_elem(&tap_rings, &idx);

	if (!r || !ring || !len) {
		mark_unrecorded(p);
		return;
	}
	if (len > UE_TAP_RECORD_MAX)
		len = UE_TAP_RECORD_MAX;
	r->ts_ns = bpf_ktime_get_ns();
	r->len = skb->len;
	r->caplen = len;
	r->ifindex = skb->ifindex;
	r->pkttype = skb->pkt_type;
	r->flags = skb->gso_size ? UE_TAP_REC_GSO : 0;
	r->vlan_tci = skb->vlan_present ? skb->vlan_tci : 0;
	r->vlan_proto = skb->vlan_present ? skb->vlan_proto : 0;
	if (bpf_skb_load_bytes(skb, 0, r->data, len) ||
	    bpf_ringbuf_output(ring, r, __builtin_offsetof(struct ue_tap_record, data) + len,
			       BPF_RB_NO_WAKEUP)) {
		mark_unrecorded(p);
		return;
	}
	recorded(p);
	wake_worker(ring, idx, p);
}

SEC("socket")
int tap_socket(struct __sk_buff *skb)
{
	struct ue_packet p = {};
	__u32 v = verdict(skb, &p);

	count(UE_TAP_SEEN);
	count(v);
	if (record && (v == UE_TAP_KEPT || v == UE_TAP_MALFORMED)) {
		to_ring(skb, &p);
		return 0;
	}
	/* Malformed here may be well-formed in the daemon, which reads the
	 * whole copy: a reassembled IPv4 datagram whose first fragment was too
	 * small for the TCP header has that header beyond the linear part this
	 * program can read. The daemon decodes it, or counts it malformed. */
	return v == UE_TAP_KEPT || v == UE_TAP_MALFORMED ? skb->len : 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
