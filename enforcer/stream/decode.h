/*
 * Packet decoding: a captured frame -> the TCP (or UDP) segment it carries.
 * Link layers: Ethernet with any stack of 802.1Q/802.1ad tags, raw IP, Linux
 * cooked captures v1 and v2. IPv4 with options, IPv6 with extension headers.
 * Nothing here trusts the wire: every length is checked against the bytes
 * captured, and what does not add up is reported by reason for counting.
 *
 * Checksums: a segment whose checksum is wrong never decides anything (the
 * server would drop it). The IPv4 header checksum is checked here; the TCP
 * checksum, which covers the whole segment, only by decode_tcp_csum_ok(),
 * for the segments the caller will use (most of a capture's bytes are
 * server->client and never looked at). VERIFY_CSUM should be true wherever the capture
 * holds the packet as it travels the wire: pcap files, and frames received
 * from another host. It must be false for frames whose checksum is not filled
 * in yet: on a live AF_PACKET tap, packets this host sends carry
 * CHECKSUM_PARTIAL (tpacket status TP_STATUS_CSUMNOTREADY), and packets the
 * kernel already verified or merged by GRO say TP_STATUS_CSUM_VALID.
 */
#ifndef UE_DECODE_H
#define UE_DECODE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "enforcer/capture/frame.h"

enum decode_result {
	DECODE_TCP,               /* out is filled in */
	DECODE_UDP,               /* out is filled in, tcp fields zero */
	DECODE_NOT_IP,            /* ARP, LLDP...: not ours */
	DECODE_OTHER_L4,          /* IP, neither TCP nor UDP */
	DECODE_FRAGMENT,          /* an IP fragment: not reassembled, skipped */
	/* malformed, by reason; every one is skipped */
	DECODE_SNAPPED,           /* the capture cut the packet short */
	DECODE_BAD_LINK,          /* truncated link header, too many VLAN tags */
	DECODE_BAD_IPV4,          /* truncated, bad IHL or total length */
	DECODE_BAD_IPV4_CSUM,
	DECODE_BAD_IPV6,          /* truncated, bad payload length or extension header */
	DECODE_BAD_TCP,           /* truncated, bad data offset */
	DECODE_BAD_TCP_CSUM,      /* never returned by decode_packet(): see decode_tcp_csum_ok() */
	DECODE_BAD_UDP,
	DECODE_RESULT_MAX,
};

#define DECODE_FIRST_MALFORMED DECODE_SNAPPED

/* TCP flags as in the header's 13th byte. */
enum tcp_flag {
	TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08,
	TCP_ACK = 0x10, TCP_URG = 0x20,
};

/* One segment, pointing into the frame it came from. */
struct packet {
	struct in6_addr src, dst;     /* IPv4 as v4-mapped IPv6 */
	uint16_t sport, dport;        /* host order */
	uint8_t tcp_flags;            /* enum tcp_flag */
	uint16_t window;              /* unscaled */
	uint32_t seq, ack;
	const uint8_t *payload;
	uint32_t payload_len;
	/* for decode_tcp_csum_ok() */
	const uint8_t *l4;
	uint32_t l4_len;
	uint64_t pseudo_sum;
	enum csum_check verify_csum;
};

/*
 * Decode FRAME: CAPLEN bytes captured of a packet WIRELEN bytes long. Fills
 * OUT for DECODE_TCP and DECODE_UDP only.
 */
enum decode_result decode_packet(enum decode_link link, const uint8_t *frame,
				 uint32_t caplen, uint32_t wirelen, enum csum_check verify_csum,
				 struct packet *out);

/* Is the TCP checksum of a DECODE_TCP packet right (or not to be verified)? */
bool decode_tcp_csum_ok(const struct packet *p);
/*
 * The TCP checksum of P's segment, to memcpy into its header: with
 * PSEUDO_ONLY the pseudo-header sum a CHECKSUM_PARTIAL segment carries (the
 * device or GSO completes it), else the full checksum, computed with the
 * header's checksum field as it is now (zero it first).
 */
uint16_t decode_tcp_csum(const struct packet *p, bool pseudo_only);

/* A short stable name for counters and stats: "bad-tcp-csum". */
const char *decode_result_name(enum decode_result r);

#endif
