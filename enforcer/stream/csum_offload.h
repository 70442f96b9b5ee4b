/*
 * Which senders of a capture left their TCP checksums to offload
 * (--checksums auto on a pcap). A capture taken on the sending host, or on
 * a veth, holds that host's segments before the checksum is filled in: all
 * of them look corrupt, yet the peer acknowledges them. An evasion decoy
 * also carries a wrong checksum, but the peer drops it: what it
 * acknowledges is the copy with a right one.
 *
 * A sender is proven to offload when its peer acknowledges data that the
 * sender only ever sent with wrong checksums, as far as the capture shows:
 * per direction of a connection, the furthest byte sent with a right
 * checksum (good_high) and the end of data sent with a wrong one beyond it
 * (bad_end); an acknowledgement from the peer at or past bad_end proves it.
 * A decoy is followed by its right copy (which moves good_high past it) or
 * is never acknowledged: it proves nothing. Errors lean one way: data with
 * a right checksum anywhere beyond a bad segment clears it, even across a
 * hole.
 *
 * A capture cannot tell who sent a frame: a client that forges its
 * server's acknowledgement of its own corrupt segments passes for an
 * offloading sender (docs/evasion.md). Live captures do not guess: the
 * kernel marks the frames whose checksums are not filled in (capture.h).
 *
 * Memory: 48 bytes a client->server direction that carried data, at most
 * CSUM_OFFLOAD_MAX_DIRECTIONS (later ones are not followed: they prove
 * nothing); the senders found, at most CSUM_OFFLOAD_MAX_SENDERS.
 */
#ifndef UE_CSUM_OFFLOAD_H
#define UE_CSUM_OFFLOAD_H

#include <netinet/in.h>

#include "enforcer/capture/frame.h"
#include "enforcer/capture/port_set.h"

#define CSUM_OFFLOAD_MAX_DIRECTIONS (1u << 20)
#define CSUM_OFFLOAD_MAX_SENDERS 64

struct csum_offload;

/* Clients are the senders to HTTP_PORTS and TLS_PORTS (their data is what
 * the pipeline verifies). NULL and errno set on failure. */
struct csum_offload *csum_offload_new(const struct port_set *http_ports,
				       const struct port_set *tls_ports);
void csum_offload_free(struct csum_offload *o);

/* A frame of the capture, in order (a frame_fn: ARG is the csum_offload). */
void csum_offload_frame(void *arg, const struct frame *fr);

/* The senders proven to offload, in the order found: their number, *SENDERS
 * pointing at them (IPv4 as v4-mapped IPv6). */
unsigned csum_offload_senders(const struct csum_offload *o, const struct in6_addr **senders);

#endif
