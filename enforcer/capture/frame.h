/*
 * One captured frame, as the capture layer hands it up: from a live ring
 * (capture.h, through the worker) or from a file (pcap_source.h). The
 * stream layer decodes it (decode.h).
 */
#ifndef UE_FRAME_H
#define UE_FRAME_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

enum decode_link {
	DECODE_LINK_ETHERNET,     /* pcap EN10MB; AF_PACKET on Ethernet-like devices */
	DECODE_LINK_RAW,          /* pcap RAW, IPV4, IPV6; AF_PACKET on tun devices */
	DECODE_LINK_SLL,          /* pcap LINUX_SLL ("any" device, v1) */
	DECODE_LINK_SLL2,         /* pcap LINUX_SLL2 */
};

/* Which checksums decoding verifies (IPv4 header, TCP of decode_tcp_csum_ok). */
enum csum_check {
	CSUM_SKIP,            /* not filled in yet (CHECKSUM_PARTIAL) or checked by the device */
	CSUM_VERIFY,
	/*
	 * The frame's state is unknown (the BPF ring capture): a TCP checksum
	 * field holding only the pseudo-header sum passes too, as a segment
	 * whose checksum is left to offload (CHECKSUM_PARTIAL, from a local
	 * stack or a veth) carries it. A sender who forges that value gets the
	 * segment judged although the server drops it; the copy the server
	 * takes then conflicts with it, which blocks (PIPELINE_AMBIGUOUS).
	 */
	CSUM_VERIFY_OR_PARTIAL,
};

struct frame {
	const uint8_t *data;
	uint32_t caplen, wirelen;
	struct timespec ts;            /* CLOCK_REALTIME (live) or the pcap's */
	enum decode_link link;
	enum csum_check verify_csum;
};

typedef void (*frame_fn)(void *arg, const struct frame *fr);

#endif
