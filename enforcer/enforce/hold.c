/* --hold: releasing or keeping the segments TC ingress held; see hold.h. */
#include <errno.h>
#include <stdbool.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "enforcer/stream/decode.h"
#include "enforcer/enforce/hold.h"
#include "enforcer/stream/reasm.h"

#define HOLD_FRAME_MAX 65600   /* a GRO aggregate: 64 KiB of IP plus headers */

static int iface_mtu(int fd, int ifindex, unsigned *mtu)
{
	struct ifreq ifr = { 0 };

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return -errno;
	if (ioctl(fd, SIOCGIFMTU, &ifr))
		return -errno;
	*mtu = ifr.ifr_mtu;
	return 0;
}

int hold_open(struct hold *h, struct blocklist *bl, const struct port_set *http_ports,
	      const struct port_set *tls_ports, const int *ifindex, unsigned n)
{
	int one = 1, mark = UE_RELEASE_MARK, err;

	if (n > HOLD_MAX_IFACES)
		return -E2BIG;
	memset(h, 0, sizeof(*h));
	h->bl = bl;
	h->http_ports = *http_ports;
	h->tls_ports = *tls_ports;
	h->n_ifaces = n;
	/* protocol 0: this socket only sends, nothing is queued to it */
	h->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (h->fd < 0)
		return -errno;
	if (setsockopt(h->fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) ||
	    setsockopt(h->fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)))
		goto fail;
	for (unsigned i = 0; i < n; i++) {
		h->ifindex[i] = ifindex[i];
		if ((err = iface_mtu(h->fd, ifindex[i], &h->mtu[i]))) {
			errno = -err;
			goto fail;
		}
	}
	return 0;
fail:
	err = -errno;
	close(h->fd);
	h->fd = -1;
	return err;
}

void hold_close(struct hold *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

static int iface_slot(const struct hold *h, int ifindex)
{
	for (unsigned i = 0; i < h->n_ifaces; i++)
		if (h->ifindex[i] == ifindex)
			return (int)i;
	return -1;
}

/*
 * Sends the frame back out of its interface, the TCP (or, for a QUIC
 * datagram, UDP) checksum left to the kernel (CHECKSUM_PARTIAL), a TCP
 * aggregate cut to the MTU by GSO.
 */
static int reinject(const struct hold *h, const struct capture_frame *f,
		    const struct pipeline_segment *seg, unsigned mtu)
{
	const struct packet *pkt = &seg->pkt;
	static _Thread_local uint8_t buf[sizeof(struct virtio_net_hdr) + HOLD_FRAME_MAX];
	struct virtio_net_hdr *vh = (struct virtio_net_hdr *)buf;
	uint8_t *frame = buf + sizeof(*vh);
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET, .sll_ifindex = f->ifindex,
	};
	/* the pipeline decoded the captured bytes: offsets carry over to the copy */
	size_t l4_off = (size_t)(pkt->l4 - f->data), l3_off = ETH_HLEN;
	size_t thlen = seg->tcp ? (size_t)(pkt->l4[12] >> 4) * 4 : 8;
	size_t csum_at = seg->tcp ? 16 : 6;
	bool v4 = IN6_IS_ADDR_V4MAPPED(&pkt->src);
	uint16_t csum;

	if (f->caplen < f->len || f->caplen > HOLD_FRAME_MAX)
		return -EMSGSIZE;
	memcpy(frame, f->data, f->caplen);
	memcpy(&to.sll_protocol, frame + 12, 2);
	csum = decode_tcp_csum(pkt, true);     /* the pseudo-header sum: TCP's and UDP's alike */
	memcpy(frame + l4_off + csum_at, &csum, 2);
	memset(vh, 0, sizeof(*vh));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = (uint16_t)l4_off;
	vh->csum_offset = (uint16_t)csum_at;
	if (seg->tcp && f->caplen > ETH_HLEN + mtu) {
		vh->gso_type = v4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
		vh->gso_size = (uint16_t)(mtu - (l4_off - l3_off) - thlen);
		vh->hdr_len = (uint16_t)(l4_off + thlen);
	}
	if (sendto(h->fd, buf, sizeof(*vh) + f->caplen, MSG_DONTWAIT,
		   (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

static void release(const struct hold *h, const struct pipeline_segment *seg,
		    const struct capture_frame *f, int slot, struct hold_stats *st)
{
	st->released++;
	if (reinject(h, f, seg, h->mtu[slot]))
		st->send_failures++;
	else
		st->reinjected++;
}

/* The flow's mark M, from the kernel's entry when the pipeline has none (yet). */
static struct hold_mark *mark_of(const struct hold *h, struct hold_mark *m,
				 const struct flow_tuple *t, struct hold_mark *scratch)
{
	struct ue_hold_value v;

	if (m && m->known)
		return m;
	if (!m)
		m = scratch;
	*m = (struct hold_mark){ 0 };
	if (!blocklist_hold_get(h->bl, t, &v))
		*m = (struct hold_mark){
			.released_to = v.released_to, .known = true, .pass = v.flags & UE_HOLD_PASS,
		};
	return m;
}

void hold_settle(const struct hold *h, const struct pipeline_segment *seg,
		 const struct capture_frame *f, enum hold_outcome outcome, struct hold_stats *st)
{
	const struct packet *pkt = &seg->pkt;
	struct hold_mark scratch, *m;
	struct flow_tuple t;
	uint32_t end;
	int slot = iface_slot(h, f->ifindex);
	bool sync = false;

	/* only what TC ingress can have held: client payload coming in */
	if (slot < 0 || f->pkttype == PACKET_OUTGOING)
		return;
	/* QUIC: TC held every datagram the tap handed over; no state is kept */
	if (seg->quic) {
		if (outcome == HOLD_KEEP)
			st->kept++;
		else
			release(h, seg, f, slot, st);
		return;
	}
	if (!seg->tcp || !pkt->payload_len ||
	    !(port_set_has(&h->http_ports, pkt->dport) || port_set_has(&h->tls_ports, pkt->dport)))
		return;
	if (outcome == HOLD_KEEP) {
		st->kept++;
		return;
	}
	t = (struct flow_tuple){
		.client = pkt->src, .server = pkt->dst,
		.client_port = pkt->sport, .server_port = pkt->dport,
	};
	m = mark_of(h, seg->hold, &t, &scratch);
	if (m->pass)
		return;          /* the kernel let it through */
	end = pkt->seq + pkt->payload_len + !!(pkt->tcp_flags & TCP_SYN);
	if (m->known && !seq_before(m->released_to, end))
		/* the sender retransmits released data: from now on the kernel
		 * lets that through itself (the entry is not written for every
		 * segment: that would cost a syscall each) */
		sync = true;
	else if (m->known && !seq_before(m->released_to, pkt->seq))
		m->released_to = end;  /* moved over contiguous data only: a gap's bytes are not judged yet */
	if (outcome == HOLD_RELEASE_SESSION) {
		m->pass = sync = true;
		if (!m->known)
			m->released_to = end;
	}
	if (sync && blocklist_hold_set(h->bl, &t, &(struct ue_hold_value){
			.released_to = m->released_to, .flags = m->pass ? UE_HOLD_PASS : 0 }))
		st->send_failures++;
	release(h, seg, f, slot, st);
}

void hold_position(const struct hold *h, const struct flow_tuple *t, struct hold_mark *mark,
		   struct session_position *pos)
{
	struct hold_mark scratch, *m = mark_of(h, mark, t, &scratch);
	uint32_t end = pos->seq + pos->len;

	if (!m->known || m->pass || !seq_before(m->released_to, end))
		return;
	pos->len = end - m->released_to;
	pos->seq = m->released_to;
	pos->withheld = true;
}
