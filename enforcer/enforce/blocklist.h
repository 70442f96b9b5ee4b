/*
 * The kernel blocklist: the TC programs of bpf/blocklist.bpf.c, their LRU
 * map of blocked sessions (ue_blocklist) and the interfaces they are
 * attached to. A session is named by its struct flow_tuple here; the
 * canonical kernel key is derived in blocklist.c only.
 *
 * Map operations are safe from any thread; open/attach/close from one.
 */
#ifndef UE_BLOCKLIST_H
#define UE_BLOCKLIST_H

#include <stdbool.h>
#include <netinet/in.h>
#include <stdint.h>

#include "bpf/kern_user.h"
#include "enforcer/capture/port_set.h"
#include "common/request.h"

#define BLOCKLIST_DEFAULT_SIZE 65536
#define BLOCKLIST_MAX_IFACES   32

struct blocklist;

#define BLOCKLIST_DEFAULT_HEARTBEAT_MS 3000

struct blocklist_config {
	uint32_t max_entries;          /* 0: BLOCKLIST_DEFAULT_SIZE */
	struct port_set http_ports;    /* the tapped ports: fail-closed guards them */
	struct port_set tls_ports;     /* also the ports `block quic` closes to UDP */
	/*
	 * --fail closed: while the heartbeat (blocklist_heartbeat_renew) is
	 * older than heartbeat_timeout_ms, new TCP sessions to the tapped ports
	 * are refused. Blocked sessions stay blocked either way.
	 */
	bool fail_closed;
	uint32_t heartbeat_timeout_ms; /* 0: BLOCKLIST_DEFAULT_HEARTBEAT_MS */
	/*
	 * --hold: TC ingress holds unjudged client payload (kern_user.h,
	 * struct ue_hold_value) in a map of held_flows sessions (0:
	 * UE_HOLD_DEFAULT_FLOWS), LRU: an evicted session is held again from
	 * its next segment on, never let through unjudged.
	 */
	bool hold;
	uint32_t held_flows;
	/*
	 * The tap's map of sessions with frames it could not record
	 * (tap_prog_unrecorded_fd): with fail_closed, TC drops their client
	 * data from the first unrecorded byte on. 0: none shared.
	 */
	int unrecorded_fd;
	/*
	 * A file on a BPF file system where the blocklist map is pinned, so
	 * that blocks outlive a crashed daemon: the next blocklist_open() with
	 * this path takes the map over if it fits (same size and layout; a
	 * misfit is replaced). blocklist_close() unpins it: a clean stop
	 * forgets the blocks, as it detaches the programs. NULL: no pin.
	 */
	const char *pin_path;
};

/*
 * A client prefix for `block quic`: IPv4 as v4-mapped IPv6 with len 96 + N
 * (10.0.0.0/8 is ::ffff:10.0.0.0 len 104), so one table serves both families.
 */
struct client_prefix {
	struct in6_addr addr;
	uint8_t len;                   /* 0-128 */
};

enum blocklist_hook { BLOCKLIST_INGRESS, BLOCKLIST_EGRESS };

/* Loads the programs and the maps and renews the heartbeat once; NULL with
 * errno set on failure. */
struct blocklist *blocklist_open(const struct blocklist_config *cfg);
/*
 * What became of cfg->pin_path: 1 the map of a previous run was taken over,
 * 0 pinned anew, -errno not pinned (-EINVAL: no BPF file system there;
 * -ENOENT: no pin_path).
 */
int blocklist_pin_status(const struct blocklist *bl);
/* Attaches at ingress and egress of ifindex (see tc_attach.h). 0 or -errno. */
int blocklist_attach(struct blocklist *bl, int ifindex);
/* Detaches from every interface, then frees. NULL is fine. */
void blocklist_close(struct blocklist *bl);
/* The program fd of one hook, for test runs. */
int blocklist_prog_fd(const struct blocklist *bl, enum blocklist_hook hook);

/*
 * Blocks the TCP session t (both directions), or with UE_BLOCK_UDP in
 * flags the QUIC connection t. rule_hash and flags (enum ue_block_flags)
 * are kept for listings. A session already blocked keeps its entry and
 * this returns 0. 0 or -errno.
 */
int blocklist_add(struct blocklist *bl, const struct flow_tuple *t,
		  uint32_t rule_hash, uint32_t flags);
/* Is t blocked? L4_PROTO: IPPROTO_TCP, or IPPROTO_UDP for QUIC. */
bool blocklist_contains(struct blocklist *bl, const struct flow_tuple *t, uint8_t l4_proto);

/* Unblocks t; -ENOENT if it was not blocked. */
int blocklist_remove(struct blocklist *bl, const struct flow_tuple *t, uint8_t l4_proto);

/* The protocol of a listed entry (blocklist_foreach), for blocklist_remove. */
static inline uint8_t blocklist_entry_proto(const struct ue_block_value *v)
{
	return v->flags & UE_BLOCK_UDP ? IPPROTO_UDP : IPPROTO_TCP;
}

/*
 * Calls cb for every blocked session, with its client/server tuple and the
 * kernel's value (drops, last hit). cb may blocklist_remove() the session it
 * is given; a nonzero return from cb stops the walk and is returned.
 */
typedef int (*blocklist_cb)(const struct flow_tuple *t,
			    const struct ue_block_value *v, void *arg);
int blocklist_foreach(struct blocklist *bl, blocklist_cb cb, void *arg);

/*
 * Makes the `block quic` clients exactly these n prefixes (n = 0: none);
 * prefixes past len are ignored. -E2BIG beyond UE_QUIC_MAX_PREFIXES,
 * -EINVAL for len > 128. 0 or -errno; on error the old set may be partly
 * replaced.
 */
int blocklist_quic_clients_set(struct blocklist *bl, const struct client_prefix *p,
			       size_t n);
/* The same for the clients cut off (`block all`, urlctl pause; UE_PAUSE_MAX_PREFIXES). */
int blocklist_paused_clients_set(struct blocklist *bl, const struct client_prefix *p,
				 size_t n);

/* --hold: the session's entry; -ENOENT if TC holds nothing of it. */
int blocklist_hold_get(struct blocklist *bl, const struct flow_tuple *t,
		       struct ue_hold_value *out);
/* --hold: writes the session's entry (updated_ns is set here). 0 or -errno. */
int blocklist_hold_set(struct blocklist *bl, const struct flow_tuple *t,
		       const struct ue_hold_value *v);

/* The daemon is alive: renew at least every heartbeat_timeout_ms / 3. */
int blocklist_heartbeat_renew(struct blocklist *bl);

/* out[enum ue_blk_counter], summed over all CPUs; 0 or -errno. */
int blocklist_counters(const struct blocklist *bl, uint64_t out[UE_BLK_COUNTER_MAX]);

#endif
