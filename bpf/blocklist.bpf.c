// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The blocklist: a TC program at ingress and egress of every enforced
 * interface. It drops
 *   - every packet of a session the daemon has blocked, both directions
 *     alike (the key is canonical), TCP or QUIC (UDP);
 *   - client->server UDP to a TLS port from a client under `block quic`,
 *     so browsers fall back to TCP, where the SNI is visible;
 *   - with fail_closed, a new session (SYN without ACK) to a tapped port
 *     while the daemon's heartbeat is stale: nobody would judge it;
 *   - every packet a paused client sends (`block all`, urlctl pause), but
 *     for DHCP, DNS and IPv6 neighbour discovery, which keep it on the
 *     network, and TCP to an HTTP port, so its browser shows the daemon's
 *     page; at ingress the payload of those is dropped too (the tap, which
 *     runs first, hands it to the daemon, which answers with the page), so
 *     the server never serves a paused client;
 *   - with fail_closed, client->server data of a session the tap could not
 *     record (ue_unrecorded, shared with tap.bpf.c) from its first
 *     unrecorded byte on: the daemon would never judge it;
 *   - the first fragment of a fragmented IPv6 datagram carrying TCP to a
 *     tapped port: the daemon's capture reassembles IPv4 only, so such a
 *     datagram would reach the server unjudged. No IPv6 TCP sender needs
 *     fragments (RFC 8200 path MTU discovery), and without its first
 *     fragment the datagram is never reassembled.
 * Everything else passes, and so does whatever the daemon itself sends.
 *
 * With hold (--hold, ingress of the client-facing interface), a client->
 * server payload segment to a tapped port that has not been judged yet is
 * dropped here too: the tap, which runs before TC ingress, has handed it to
 * the daemon, which sends it back out with UE_RELEASE_MARK once it has
 * judged it; egress turns such a segment around to ingress, where the mark
 * lets it pass. Retransmissions of released data pass on the per-session
 * ue_held entry. See kern_user.h. QUIC datagrams are held the same way, the
 * ones the tap hands over only (hold_datagram).
 */
#include <linux/pkt_cls.h>

#include "bpf/counters.h"
#include "bpf/parse.h"
#include "bpf/unrecorded.h"

/* Set by the daemon before load. Ports host order, 0 = unused slot. */
const volatile __u16 http_ports[UE_MAX_PORTS] = {};
const volatile __u16 tls_ports[UE_MAX_PORTS] = {};
const volatile __u8 fail_closed = 0;
const volatile __u64 heartbeat_timeout_ns = 0;
const volatile __u8 hold = 0;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);    /* the daemon sets --blocklist-size */
	__type(key, struct ue_session_key);
	__type(value, struct ue_block_value);
} ue_blocklist SEC(".maps");

/* --hold: sessions whose client payload TC ingress holds (kern_user.h). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, UE_HOLD_DEFAULT_FLOWS);   /* the daemon may set another */
	__type(key, struct ue_session_key);
	__type(value, struct ue_hold_value);
} ue_held SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, UE_QUIC_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ue_prefix_key);
	__type(value, __u8);
} ue_quic_clients SEC(".maps");

/* Clients cut off: `block all` rules in their window, urlctl pause. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, UE_PAUSE_MAX_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ue_prefix_key);
	__type(value, __u8);
} ue_paused_clients SEC(".maps");

/* The daemon's last sign of life, bpf_ktime_get_ns() clock; 0: never. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} ue_heartbeat SEC(".maps");

UE_COUNTERS(blk_counters, UE_BLK_COUNTER_MAX)

static __always_inline int session_blocked(const struct ue_packet *p)
{
	struct ue_block_value *v = bpf_map_lookup_elem(&ue_blocklist, &p->key);

	if (!v)
		return 0;
	/*
	 * Both ends were reset: a new SYN is a new session that reuses the
	 * port, not the old one resuming (its server side is gone). Without
	 * a reset the server still holds the old session, so it stays blocked.
	 */
	if ((v->flags & UE_BLOCK_RESET) &&
	    (p->tcp_flags & (UE_TCP_SYN | UE_TCP_ACK)) == UE_TCP_SYN) {
		bpf_map_delete_elem(&ue_blocklist, &p->key);
		count(UE_BLK_PORT_REUSED);
		return 0;
	}
	v->last_hit_ns = bpf_ktime_get_ns();
	__sync_fetch_and_add(&v->drops, 1);
	return 1;
}

static __always_inline int tapped_port(__u16 port)
{
	return ue_port_in(http_ports, port) || ue_port_in(tls_ports, port);
}

static __always_inline int daemon_absent(void)
{
	__u32 zero = 0;
	__u64 *beat = bpf_map_lookup_elem(&ue_heartbeat, &zero);
	__u64 last = beat ? *beat : 0;

	return !last || bpf_ktime_get_ns() - last > heartbeat_timeout_ns;
}

static __always_inline int quic_client(const struct ue_packet *p)
{
	struct ue_prefix_key k = { .prefixlen = 128 };

	__builtin_memcpy(k.addr, ue_packet_src(p), sizeof(k.addr));
	return bpf_map_lookup_elem(&ue_quic_clients, &k) != NULL;
}

#define UE_PORT_DNS 53
#define UE_PORT_DHCP_SERVER 67
#define UE_PORT_DHCP6_SERVER 547

/* Whether a paused client's packet P may pass (see the top of this file). */
static __always_inline int pause_exempt(const struct ue_packet *p, int ingress)
{
	if (p->l4_proto == IPPROTO_ICMPV6)
		return p->icmp6_type >= 133 && p->icmp6_type <= 137;   /* RS RA NS NA redirect */
	if (p->l4_proto == IPPROTO_UDP)
		return p->dport == UE_PORT_DNS || p->dport == UE_PORT_DHCP_SERVER ||
		       p->dport == UE_PORT_DHCP6_SERVER;
	if (p->l4_proto != IPPROTO_TCP)
		return 0;
	if (p->dport == UE_PORT_DNS)
		return 1;
	return ue_port_in(http_ports, p->dport) && !(ingress && p->payload_len);
}

/* P comes from a paused client and is not exempt: drop it. */
static __always_inline int paused_drop(const struct ue_packet *p, int ingress)
{
	struct ue_prefix_key k = { .prefixlen = 128 };

	__builtin_memcpy(k.addr, ue_packet_src(p), sizeof(k.addr));
	if (!bpf_map_lookup_elem(&ue_paused_clients, &k))
		return 0;
	return !pause_exempt(p, ingress);
}

/* An unjudged packet waits, unless the daemon is gone and --fail open. */
static __always_inline int wait_for_daemon(void)
{
	if (!fail_closed && daemon_absent()) {
		count(UE_BLK_HOLD_UNJUDGED);
		return 0;
	}
	count(UE_BLK_HOLD_HELD);
	return 1;
}

/* Client data at or past the first byte the tap could not record. */
static __always_inline int unrecorded(const struct ue_packet *p)
{
	struct ue_unrecorded_value *v;
	__u32 end = ue_seq_end(p);

	if (end == p->seq || !tapped_port(p->dport))
		return 0;
	v = bpf_map_lookup_elem(&ue_unrecorded, &p->key);
	return v && (__s32)(end - v->from_seq) > 0;
}

/*
 * --hold at ingress: should this client->server segment wait for the
 * daemon? A session without an entry (the map is LRU: evicted, or begun
 * before the daemon) gets one starting at this segment, so it is held, never
 * let through unjudged. With the daemon gone, --fail open lets it pass
 * (the sender's retransmissions then get through); closed keeps it held.
 */
static __always_inline int hold_segment(struct __sk_buff *skb, const struct ue_packet *p)
{
	struct ue_hold_value *v, fresh = { .updated_ns = bpf_ktime_get_ns() };
	__u32 start = p->seq;

	if (!tapped_port(p->dport))
		return 0;
	if ((p->tcp_flags & (UE_TCP_SYN | UE_TCP_ACK)) == UE_TCP_SYN) {
		/* a new connection on these ports starts over */
		start = p->seq + 1;
		fresh.released_to = start;
		bpf_map_update_elem(&ue_held, &p->key, &fresh, BPF_ANY);
	}
	if (!p->payload_len)
		return 0;
	if (skb->mark == UE_RELEASE_MARK) {
		count(UE_BLK_HOLD_RELEASED);
		return 0;
	}
	v = bpf_map_lookup_elem(&ue_held, &p->key);
	if (!v) {
		fresh.released_to = start;
		bpf_map_update_elem(&ue_held, &p->key, &fresh, BPF_NOEXIST);
	} else if ((v->flags & UE_HOLD_PASS) ||
		   (__s32)(start + p->payload_len - v->released_to) <= 0) {
		return 0;
	}
	return wait_for_daemon();
}

/*
 * --hold at ingress for QUIC: a client's first-flight datagram (parse.h)
 * waits for the daemon, which holds no per-connection state in the kernel:
 * once it has judged a connection it releases that connection's later
 * Initials at once, and its Handshake and 1-RTT packets are never held.
 */
static __always_inline int hold_datagram(struct __sk_buff *skb, const struct ue_packet *p)
{
	if (!ue_quic_first_flight(skb, p))
		return 0;
	if (skb->mark == UE_RELEASE_MARK) {
		count(UE_BLK_HOLD_RELEASED);
		return 0;
	}
	return wait_for_daemon();
}

static __always_inline int handle(struct __sk_buff *skb, __u32 seen, __u32 drop)
{
	struct ue_packet p = {};   /* no partly set stack: no CAP_PERFMON needed */
	int ret;

	count(seen);
	/* The daemon's own RSTs and block page belong to a blocked session. */
	if (skb->mark == UE_INJECT_MARK) {
		count(UE_BLK_INJECTED);
		return TC_ACT_OK;
	}
	ret = ue_parse_sender(skb, &p, 1);
	/* l4_proto 0 with NOT_L4: not IP at all (ARP), no sender address */
	if ((ret == UE_PARSE_OK || (ret == UE_PARSE_NOT_L4 && p.l4_proto)) &&
	    paused_drop(&p, seen == UE_BLK_SEEN_INGRESS)) {
		count(UE_BLK_PAUSE_DROP);
		return TC_ACT_SHOT;
	}
	if (ret != UE_PARSE_OK)
		return TC_ACT_OK;
	if (session_blocked(&p)) {
		count(drop);
		return TC_ACT_SHOT;
	}
	if (p.l4_proto == IPPROTO_TCP) {
		if (p.ipv6 && p.first_fragment && tapped_port(p.dport)) {
			count(UE_BLK_FRAGMENT_DROP);
			return TC_ACT_SHOT;
		}
		if (fail_closed && unrecorded(&p)) {
			count(UE_BLK_UNRECORDED_DROP);
			return TC_ACT_SHOT;
		}
		if (hold && seen == UE_BLK_SEEN_INGRESS && hold_segment(skb, &p))
			return TC_ACT_SHOT;
		if (fail_closed &&
		    (p.tcp_flags & (UE_TCP_SYN | UE_TCP_ACK)) == UE_TCP_SYN &&
		    tapped_port(p.dport) && daemon_absent()) {
			count(UE_BLK_FAIL_CLOSED_DROP);
			return TC_ACT_SHOT;
		}
	} else if (ue_port_in(tls_ports, p.dport)) {
		if (quic_client(&p)) {
			count(UE_BLK_QUIC_DROP);
			return TC_ACT_SHOT;
		}
		if (hold && seen == UE_BLK_SEEN_INGRESS && hold_datagram(skb, &p))
			return TC_ACT_SHOT;
	}
	return TC_ACT_OK;
}

SEC("tc")
int blk_ingress(struct __sk_buff *skb)
{
	return handle(skb, UE_BLK_SEEN_INGRESS, UE_BLK_DROP_INGRESS);
}

SEC("tc")
int blk_egress(struct __sk_buff *skb)
{
	/* a held segment the daemon released: back in at this interface's ingress */
	if (hold && skb->mark == UE_RELEASE_MARK) {
		count(UE_BLK_SEEN_EGRESS);
		count(UE_BLK_HOLD_TURNED);
		return bpf_redirect(skb->ifindex, BPF_F_INGRESS);
	}
	return handle(skb, UE_BLK_SEEN_EGRESS, UE_BLK_DROP_EGRESS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
