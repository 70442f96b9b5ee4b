/*
 * Live capture: one AF_PACKET socket per (interface, worker) with the tap
 * program attached, read through a TPACKET_V3 memory-mapped ring. The
 * sockets of one interface form a PACKET_FANOUT group hashed by flow, so
 * every packet of a flow lands on the same worker.
 *
 *   struct fanout_group group = { 0 };        one per interface
 *   for (w = 0; w < workers; w++)
 *           cap[w] = capture_open("eth0", tap_prog_fd(tap), &group, NULL);
 *   ... in worker w:
 *   while (running)
 *           capture_next_block(cap[w], 100, on_frame, ctx);
 */
#ifndef UE_CAPTURE_H
#define UE_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "enforcer/capture/frame.h"

struct capture;

/*
 * The fanout group one interface's sockets share. The kernel hands out
 * unique group ids from 0 (the first daemon after boot gets 0), so "no
 * group yet" is a flag of its own, never an id.
 */
struct fanout_group {
	bool joined;
	uint16_t id;
};

struct capture_frame {
	const uint8_t *data;      /* the frame from its MAC header; valid during the callback */
	uint32_t caplen;          /* bytes at data */
	uint32_t len;             /* bytes on the wire: more than caplen if the ring cut it */
	struct timespec ts;       /* CLOCK_REALTIME, stamped by the kernel on receipt */
	int ifindex;
	uint8_t pkttype;          /* PACKET_HOST, PACKET_OUTGOING, ... (linux/if_packet.h) */
	uint16_t vlan_tci;        /* a tag the kernel took out of the frame, if vlan_tpid */
	uint16_t vlan_tpid;       /* 0: no such tag */
	enum csum_check csum;     /* CSUM_SKIP: not filled in yet (CHECKSUM_PARTIAL) or
				     already checked by the device */
};

typedef void (*capture_cb)(const struct capture_frame *f, void *arg);

struct capture_opts {
	unsigned block_size;      /* bytes, a multiple of the page size; 0: 256 KiB */
	unsigned block_count;     /* 0: 32 */
	unsigned retire_ms;       /* a block not yet full is handed over after this; 0: 5 */
	/*
	 * No ring: each frame is read (recvmsg) and handed over as it arrives,
	 * for --hold, where the client waits on every frame and a block's
	 * retirement (milliseconds) would be added to each request. A "block"
	 * is then what is queued when the call reads, at most
	 * CAPTURE_PER_FRAME_BATCH frames. block_* and retire_ms are unused.
	 */
	bool per_frame;
	/*
	 * Neither: the tap writes what it keeps elsewhere (the BPF ring
	 * capture, capture/tap_ring.h) and the socket only carries it and
	 * reports the interface's errors; capture_next_block hands nothing.
	 */
	bool hook_only;
};

#define CAPTURE_PER_FRAME_BATCH 64

/*
 * Opens the socket on ifname with the socket filter tap_fd attached before
 * it is bound (no unfiltered packet gets in), maps its ring and joins the
 * fanout group *group; a group not joined yet is created with a unique id,
 * stored in *group for the interface's other workers. opts may be NULL.
 * NULL with errno set on failure.
 */
struct capture *capture_open(const char *ifname, int tap_fd, struct fanout_group *group,
			     const struct capture_opts *opts);
/*
 * Waits up to timeout_ms (-1: forever, 0: not at all) for the next block of
 * frames, hands each to cb, gives the block back to the kernel. Returns the
 * number of frames, 0 if none came in time, or -errno (-EINTR on a signal;
 * a socket error such as -ENETDOWN, the interface went down, once: the
 * socket goes on capturing when it is back up).
 */
int capture_next_block(struct capture *c, int timeout_ms, capture_cb cb, void *arg);
/* For a worker that polls several captures itself: readable = a block is ready. */
int capture_fd(const struct capture *c);

struct capture_stats {
	uint64_t packets;         /* accepted by the filter and queued to the ring */
	uint64_t drops;           /* accepted but lost: the ring was full */
};
/* Totals since capture_open. 0 or -errno. Safe from another thread. */
int capture_stats(struct capture *c, struct capture_stats *st);

void capture_close(struct capture *c);

#endif
