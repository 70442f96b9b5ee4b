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

struct frame {
	const uint8_t *data;
	uint32_t caplen, wirelen;
	struct timespec ts;            /* CLOCK_REALTIME (live) or the pcap's */
	enum decode_link link;
	bool verify_csum;              /* see decode.h: false for CHECKSUM_PARTIAL frames */
};

typedef void (*frame_fn)(void *arg, const struct frame *fr);

#endif
