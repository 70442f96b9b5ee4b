/*
 * --hold, the daemon's half (url-enforcer(8), The first request): settles each client->server payload
 * segment TC ingress held (bpf/blocklist.bpf.c) once the pipeline has
 * processed it, judgment included.
 *
 * Released, the segment is sent back out of the interface it came in on,
 * from the bytes the tap handed over, through an AF_PACKET socket with
 * SO_MARK = UE_RELEASE_MARK: TC egress turns it around to that interface's
 * ingress (bpf_redirect with BPF_F_INGRESS, same device and namespace, so
 * the mark survives), TC ingress lets the marked segment pass, and the
 * forwarding path takes it on as if it had just arrived. No retransmission
 * timeout is paid, and the segments of one flow go out in the order they
 * came in (one worker per flow). What is released of a flow (contiguous
 * data only) is kept with the flow (struct hold_mark); the session's
 * ue_held entry is written when the sender retransmits released data, so
 * that its further retransmissions pass in the kernel, and when a TLS
 * session is released for good once its ClientHello is judged. HTTP
 * sessions are released segment by segment (per request).
 *
 * QUIC: TC holds each datagram of a client's first flight (parse.h); the
 * daemon releases it once the pipeline has processed it, unless its
 * connection is blocked. Nothing is kept per connection: a judged
 * connection's later Initials go through the daemon and out at once.
 *
 * Which segment waits: every one goes through the daemon, but only the one
 * that completes a request head or ClientHello waits for a verdict (the
 * pipeline judges during that segment): the ones before it leave an
 * incomplete head, on which no server acts, and are released at once, so a
 * request sent in tiny segments never stalls on the sender's window.
 *
 * Frames bigger than the MTU (GRO/TSO aggregates) go out as GSO frames
 * (PACKET_VNET_HDR), the kernel cuts them again; checksums are left to the
 * kernel (CHECKSUM_PARTIAL), whatever state the captured frame's was in.
 *
 * An open hold is never written again: any worker may settle through it.
 */
#ifndef UE_HOLD_H
#define UE_HOLD_H

#include <stdint.h>

#include "enforcer/enforce/blocklist.h"
#include "enforcer/capture/capture.h"
#include "enforcer/enforce/inject.h"
#include "enforcer/pipeline/pipeline.h"
#include "enforcer/capture/port_set.h"

#define HOLD_MAX_IFACES 16

/* What the pipeline made of a held segment. */
enum hold_outcome {
	HOLD_RELEASE,            /* nothing blocked: release it */
	HOLD_RELEASE_SESSION,    /* a ClientHello was allowed: release the whole session */
	HOLD_KEEP,               /* its session was blocked: never release it */
};

/* Per worker, summed for urlctl stats. */
struct hold_stats {
	uint64_t released;       /* held segments the daemon let go */
	uint64_t reinjected;     /* of which sent back in (the others had passed already) */
	uint64_t kept;           /* held segments of blocked sessions: never released */
	uint64_t send_failures;  /* released but not sent: the sender retransmits */
};

struct hold {
	int fd;                  /* AF_PACKET, SO_MARK UE_RELEASE_MARK, PACKET_VNET_HDR */
	struct blocklist *bl;
	struct port_set http_ports, tls_ports;
	unsigned n_ifaces;
	int ifindex[HOLD_MAX_IFACES];
	unsigned mtu[HOLD_MAX_IFACES];
};

/*
 * Opens the socket (CAP_NET_RAW, CAP_NET_ADMIN for SO_MARK) for the N
 * interfaces IFINDEX; BL is the blocklist whose TC programs hold. 0 or -errno.
 */
int hold_open(struct hold *h, struct blocklist *bl, const struct port_set *http_ports,
	      const struct port_set *tls_ports, const int *ifindex, unsigned n);
/*
 * The frame F the pipeline has just processed, as it decoded it (SEG,
 * pipeline_last_segment): release it or keep it held. The flow's struct
 * hold_mark records what is released.
 */
void hold_settle(const struct hold *h, const struct pipeline_segment *seg,
		 const struct capture_frame *f, enum hold_outcome outcome, struct hold_stats *st);
/*
 * For the RST of a blocked session T whose mark is MARK (the event's; NULL
 * if the pipeline has none): where the server's stream stands, if TC has
 * held part of what the client sent (pos->withheld then).
 */
void hold_position(const struct hold *h, const struct flow_tuple *t, struct hold_mark *mark,
		   struct session_position *pos);
void hold_close(struct hold *h);

#endif
