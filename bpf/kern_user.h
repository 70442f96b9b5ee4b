/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The kernel/user ABI of url-enforcer: every map key, map value, counter id
 * and constant shared by the BPF programs and the daemon. Fixed-width types
 * only; hash keys carry explicit padding that both sides zero, because the
 * kernel compares every byte of a key.
 */
#ifndef UE_KERN_USER_H
#define UE_KERN_USER_H

#include <linux/types.h>

#define UE_MAX_PORTS 16       /* per port set (HTTP, TLS) */

/*
 * skb->mark of packets the daemon itself sends (RSTs, the block page): the TC
 * program lets them through although their session is blocked.
 */
#define UE_INJECT_MARK 0x75656e66u

/*
 * --hold: skb->mark of a held client->server segment the daemon sends back
 * out of the interface it arrived on (AF_PACKET, SO_MARK). TC egress turns
 * it around to the same interface's ingress (bpf_redirect, BPF_F_INGRESS),
 * where TC ingress lets it pass; the socket filter does not tap it again.
 */
#define UE_RELEASE_MARK 0x75656e72u

/*
 * One TCP session (or QUIC connection), the same key for both directions: the endpoint whose
 * (address, port) compares lower is stored in lo_*. IPv4 addresses are stored
 * v4-mapped (::ffff:a.b.c.d) so one key type serves both families.
 */
struct ue_session_key {
	__u8 lo_addr[16];
	__u8 hi_addr[16];
	__u16 lo_port;        /* network byte order */
	__u16 hi_port;        /* network byte order */
	__u8 l4_proto;        /* IPPROTO_TCP, or IPPROTO_UDP for QUIC */
	__u8 pad[3];          /* zero */
};

/* Why a session is in the blocklist; set by the daemon, read by TC. */
enum ue_block_flags {
	UE_BLOCK_RESET = 1 << 0,  /* both ends were reset: a new SYN may reuse the port */
	UE_BLOCK_CLIENT_HI = 1 << 1, /* the client is the key's hi endpoint: lets a
				      * listing tell client from server */
	UE_BLOCK_UDP = 1 << 2,    /* a QUIC connection: the key's l4_proto is UDP */
};

struct ue_block_value {
	__u64 created_ns;     /* bpf_ktime_get_ns() clock (CLOCK_MONOTONIC) */
	__u64 last_hit_ns;    /* updated by TC on every drop */
	__u64 drops;          /* packets dropped, both directions */
	__u32 rule_hash;      /* opaque rule reference for `urlctl blocks` */
	__u32 flags;          /* enum ue_block_flags */
};

/* Per-CPU counters, one array each program; indices below. */
enum ue_tap_counter {
	UE_TAP_SEEN,          /* every frame the filter ran on */
	UE_TAP_KEPT,          /* copied to the daemon */
	UE_TAP_NOT_TCP,       /* neither TCP nor a QUIC client's first flight */
	UE_TAP_WRONG_PORT,
	UE_TAP_NO_PAYLOAD,    /* pure ACKs etc. */
	UE_TAP_FRAGMENT,      /* later IP fragments (no L4 header) */
	UE_TAP_MALFORMED,     /* truncated or inconsistent headers */
	UE_TAP_RELEASED,      /* --hold: a segment the daemon re-sent (UE_RELEASE_MARK) */
	UE_TAP_RECORDED,      /* kept, and written to its worker's ring */
	UE_TAP_UNRECORDED,    /* kept, but its worker's ring was full: the session is
			       * marked in ue_unrecorded */
	UE_TAP_COUNTER_MAX,
};

enum ue_blk_counter {
	UE_BLK_SEEN_INGRESS,
	UE_BLK_SEEN_EGRESS,
	UE_BLK_DROP_INGRESS,
	UE_BLK_DROP_EGRESS,
	UE_BLK_INJECTED,          /* passed unchecked: skb->mark == UE_INJECT_MARK */
	UE_BLK_QUIC_DROP,         /* client->server UDP to a TLS port, `block quic` */
	UE_BLK_FAIL_CLOSED_DROP,  /* new session refused: daemon heartbeat stale */
	UE_BLK_FRAGMENT_DROP,     /* first fragment of IPv6 TCP to a tapped port */
	UE_BLK_PORT_REUSED,       /* a reset session's port opened anew: entry removed */
	UE_BLK_HOLD_HELD,         /* --hold: client payload kept out of the stack */
	UE_BLK_HOLD_RELEASED,     /* --hold: a segment the daemon released, passed at ingress */
	UE_BLK_HOLD_TURNED,       /* --hold: released segments turned from egress to ingress */
	UE_BLK_HOLD_UNJUDGED,     /* --hold, --fail open: passed, daemon heartbeat stale */
	UE_BLK_PAUSE_DROP,        /* sent by a paused client (`block all`, urlctl pause) */
	UE_BLK_UNRECORDED_DROP,   /* --fail closed: client data at or past a byte the
				   * tap could not record (ue_unrecorded) */
	UE_BLK_COUNTER_MAX,
};

/*
 * --hold: one client->server session whose payload TC ingress holds, keyed
 * by struct ue_session_key. A segment ending at or before released_to
 * (client sequence space) passes: it was judged, this is a retransmission.
 * TC creates the entry at the client's SYN (released_to = ISN + 1) or at
 * the first payload of a session it did not see start; the daemon moves
 * released_to forward, over contiguous data only, as it releases.
 */
enum ue_hold_flags {
	UE_HOLD_PASS = 1 << 0,    /* judged for good (a TLS session after its ClientHello) */
};

struct ue_hold_value {
	__u32 released_to;
	__u32 flags;              /* enum ue_hold_flags */
	__u64 updated_ns;         /* bpf_ktime_get_ns(): last change */
};

#define UE_HOLD_DEFAULT_FLOWS 65536

/*
 * The tap's records (the BPF ring capture): each worker has a ring buffer
 * in the tap's array of rings, and the tap writes every frame it keeps to
 * the ring of the flow's worker (by a hash of the session key, so one
 * flow's records reach one worker), the frame from its first byte (the MAC
 * header on a live socket) and at most UE_TAP_RECORD_MAX bytes of it.
 */
#define UE_TAP_RECORD_MAX 65600    /* a GRO aggregate: 64 KiB of IP plus headers */
#define UE_TAP_MAX_RINGS 1024     /* --workers at most */

enum ue_tap_record_flags {
	/* A GRO or GSO aggregate: GRO merged only segments whose checksums it
	 * had verified, a local stack's GSO leaves them to offload; either way
	 * the TCP checksum field does not cover the aggregate. */
	UE_TAP_REC_GSO = 1 << 0,
};

/*
 * Whether ring I's worker sleeps (tap_waiters, mmapped by the daemon): the
 * worker sets it before its last look at the ring ahead of a sleep and
 * clears it when it wakes; the tap takes it after a record with payload or
 * a SYN and then wakes the worker with a nudge, a record of
 * UE_TAP_NUDGE_SIZE bytes that carries no frame. One cache line each:
 * every worker writes its own at every sleep.
 */
#define UE_TAP_NUDGE_SIZE 8
struct ue_tap_waiter {
	__u32 sleeping;
	__u8 pad[60];
};

struct ue_tap_record {
	__u64 ts_ns;          /* bpf_ktime_get_ns() when the tap ran */
	__u32 len;            /* the frame's length */
	__u32 caplen;         /* bytes in data[] */
	__u32 ifindex;
	__u16 vlan_tci;       /* a tag the kernel took out of the frame, if vlan_proto */
	__u16 vlan_proto;     /* network byte order; 0: no such tag */
	__u8 pkttype;         /* PACKET_HOST, PACKET_OUTGOING, ... */
	__u8 flags;           /* enum ue_tap_record_flags */
	__u8 pad[6];
	__u8 data[UE_TAP_RECORD_MAX];
};

/*
 * A session of which the tap kept a frame that it could not record (its
 * worker's ring was full), by struct ue_session_key. from_seq is the first
 * client sequence number not recorded (the lowest over all such frames).
 * With --fail closed, TC drops the session's client->server segments that
 * carry that byte or later ones, the unrecorded frame itself included (the
 * tap runs before TC ingress), until the tap records a segment that covers
 * from_seq again (a retransmission) and removes the entry.
 */
struct ue_unrecorded_value {
	__u32 from_seq;
	__u32 pad;
	__u64 marked_ns;      /* bpf_ktime_get_ns() of the last mark */
};

#define UE_UNRECORDED_SESSIONS 65536
#define UE_UNRECORDED_CLIENTS 4096  /* frames lost, per client address (v4-mapped) */

#define UE_QUIC_MAX_PREFIXES 4096   /* client prefixes for `block quic` */
#define UE_QUIC_V1 0x00000001u
#define UE_QUIC_V2 0x6b3343cfu       /* RFC 9369 */

#define UE_PAUSE_MAX_PREFIXES 4096  /* client prefixes cut off (`block all`, urlctl pause) */

/*
 * A client prefix for `block quic` or a pause in an LPM trie. IPv4 prefixes are stored
 * v4-mapped with prefixlen 96 + N, so one trie serves both families.
 */
struct ue_prefix_key {
	__u32 prefixlen;
	__u8 addr[16];
};

/*
 * Fills *k for a session between endpoints a and b (addresses 16 bytes,
 * v4-mapped for IPv4; ports in network byte order) and returns 1 when a is
 * the lo endpoint. The one definition of the canonical order: the kernel
 * programs and the daemon both call it, so their keys cannot disagree.
 * Endpoints compare as the 18 bytes address then port, big-endian.
 */
static inline __attribute__((always_inline)) int
ue_session_key_fill(struct ue_session_key *k, const __u8 *a_addr, __u16 a_port,
		    const __u8 *b_addr, __u16 b_port, __u8 l4_proto)
{
	const __u8 *ap = (const __u8 *)&a_port, *bp = (const __u8 *)&b_port;
	int a_lo = 1, i;

	for (i = 0; i < 16; i++) {
		if (a_addr[i] != b_addr[i]) {
			a_lo = a_addr[i] < b_addr[i];
			goto decided;
		}
	}
	if (ap[0] != bp[0])
		a_lo = ap[0] < bp[0];
	else
		a_lo = ap[1] <= bp[1];
decided:
	for (i = 0; i < 16; i++) {
		k->lo_addr[i] = a_lo ? a_addr[i] : b_addr[i];
		k->hi_addr[i] = a_lo ? b_addr[i] : a_addr[i];
	}
	k->lo_port = a_lo ? a_port : b_port;
	k->hi_port = a_lo ? b_port : a_port;
	k->l4_proto = l4_proto;
	k->pad[0] = k->pad[1] = k->pad[2] = 0;
	return a_lo;
}

#endif
