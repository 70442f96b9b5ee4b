/* AF_PACKET + TPACKET_V3 ring + flow-hash fanout; see capture.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "enforcer/capture/capture.h"

#define DEFAULT_BLOCK_SIZE  (256u << 10)
#define DEFAULT_BLOCK_COUNT 32u
#define DEFAULT_RETIRE_MS   5u
#define PER_FRAME_MAX       65600u      /* a GRO aggregate: 64 KiB of IP plus headers */
#define PER_FRAME_RCVBUF    (8 << 20)

struct capture {
	int fd;
	uint8_t *ring;
	size_t ring_len;
	unsigned block_size, block_count, next_block;
	uint8_t *frame;                 /* per_frame: the one frame being handed over */
	uint64_t packets, drops;        /* atomics: the kernel resets its own on read */
};

static int setup_ring(struct capture *c, const struct capture_opts *o)
{
	long page = sysconf(_SC_PAGESIZE);
	int version = TPACKET_V3;
	struct tpacket_req3 req;

	c->block_size = o && o->block_size ? o->block_size : DEFAULT_BLOCK_SIZE;
	c->block_count = o && o->block_count ? o->block_count : DEFAULT_BLOCK_COUNT;
	if (page <= 0 || c->block_size % page)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.tp_block_size = c->block_size;
	req.tp_block_nr = c->block_count;
	/* V3 packs frames of any size into a block; the frame fields only
	 * have to be consistent with it */
	req.tp_frame_size = TPACKET_ALIGNMENT << 7;
	req.tp_frame_nr = (uint64_t)c->block_size * c->block_count / req.tp_frame_size;
	req.tp_retire_blk_tov = o && o->retire_ms ? o->retire_ms : DEFAULT_RETIRE_MS;
	if (setsockopt(c->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) ||
	    setsockopt(c->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)))
		return -errno;
	c->ring_len = (size_t)c->block_size * c->block_count;
	c->ring = mmap(NULL, c->ring_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED, c->fd, 0);
	if (c->ring == MAP_FAILED) {
		c->ring = NULL;
		return -errno;
	}
	return 0;
}

static int setup_per_frame(struct capture *c)
{
	int one = 1, rcvbuf = PER_FRAME_RCVBUF;

	c->frame = malloc(PER_FRAME_MAX);
	if (!c->frame)
		return -ENOMEM;
	/* beyond rmem_max where allowed (CAP_NET_ADMIN): bursts queue here */
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (setsockopt(c->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) ||
	    setsockopt(c->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)))
		return -errno;
	return 0;
}

/*
 * DEFRAG: the kernel reassembles IPv4 fragments before the fanout (on a
 * copy; the stack still gets the fragments), so the filter and the daemon
 * see the datagram the server will, and it hashes to its flow's worker.
 */
static int join_fanout(struct capture *c, struct fanout_group *group)
{
	/* the flags go in the top half: shifted unsigned (DEFRAG is 0x8000) */
	int arg = (int)((unsigned)(PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16);
	socklen_t len = sizeof(arg);

	if (group->joined)
		arg |= group->id;
	else
		arg |= (int)((unsigned)PACKET_FANOUT_FLAG_UNIQUEID << 16);
	if (setsockopt(c->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)))
		return -errno;
	if (!group->joined) {
		if (getsockopt(c->fd, SOL_PACKET, PACKET_FANOUT, &arg, &len))
			return -errno;
		group->id = arg & 0xffff;
		group->joined = true;
	}
	return 0;
}

struct capture *capture_open(const char *ifname, int tap_fd, struct fanout_group *group,
			     const struct capture_opts *opts)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct capture *c = calloc(1, sizeof(*c));
	int err = 0;

	if (!c)
		return NULL;
	c->fd = -1;
	sll.sll_ifindex = if_nametoindex(ifname);
	if (!sll.sll_ifindex) {
		err = -errno;
		goto fail;
	}
	/* Protocol 0: the socket receives nothing until bind(), after the
	 * filter is in place. */
	c->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		err = -errno;
		goto fail;
	}
	if (setsockopt(c->fd, SOL_SOCKET, SO_ATTACH_BPF, &tap_fd, sizeof(tap_fd))) {
		err = -errno;
		goto fail;
	}
	if (opts && opts->per_frame)
		err = setup_per_frame(c);
	else if (!opts || !opts->hook_only)
		err = setup_ring(c, opts);
	if (err)
		goto fail;
	if (bind(c->fd, (struct sockaddr *)&sll, sizeof(sll))) {
		err = -errno;
		goto fail;
	}
	err = join_fanout(c, group);
	if (err)
		goto fail;
	return c;
fail:
	capture_close(c);
	errno = -err;
	return NULL;
}

static void frame_from_hdr(struct capture_frame *f, const struct tpacket3_hdr *h)
{
	const struct sockaddr_ll *sll =
		(const void *)((const uint8_t *)h + TPACKET_ALIGN(sizeof(*h)));

	f->data = (const uint8_t *)h + h->tp_mac;
	f->caplen = h->tp_snaplen;
	f->len = h->tp_len;
	f->ts.tv_sec = h->tp_sec;
	f->ts.tv_nsec = h->tp_nsec;
	f->ifindex = sll->sll_ifindex;
	f->pkttype = sll->sll_pkttype;
	f->csum = h->tp_status & (TP_STATUS_CSUMNOTREADY | TP_STATUS_CSUM_VALID) ?
		  CSUM_SKIP : CSUM_VERIFY;
	if (h->tp_status & TP_STATUS_VLAN_VALID) {
		f->vlan_tci = h->hv1.tp_vlan_tci;
		f->vlan_tpid = h->tp_status & TP_STATUS_VLAN_TPID_VALID ?
			       h->hv1.tp_vlan_tpid : ETH_P_8021Q;
	} else {
		f->vlan_tci = f->vlan_tpid = 0;
	}
}

/*
 * The interface going down leaves ENETDOWN pending on the socket, and poll()
 * reports POLLERR until that error is read (the kernel clears it only then):
 * read it here, or every caller's poll loop would spin from then on, even
 * after the interface is back up.
 */
static int take_socket_error(struct capture *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -errno;
	return err ? -err : -EIO;
}

/* One frame from a per_frame socket: 1, 0 if none is queued, or -errno. */
static int read_frame(struct capture *c, struct capture_frame *f)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata)) +
			 CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_ll sll;
	struct iovec iov = { .iov_base = c->frame, .iov_len = PER_FRAME_MAX };
	struct msghdr msg = {
		.msg_name = &sll, .msg_namelen = sizeof(sll), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	ssize_t n = recvmsg(c->fd, &msg, MSG_DONTWAIT | MSG_TRUNC);

	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	memset(f, 0, sizeof(*f));
	f->csum = CSUM_VERIFY;
	f->data = c->frame;
	f->len = (uint32_t)n;
	f->caplen = n > PER_FRAME_MAX ? PER_FRAME_MAX : (uint32_t)n;
	f->ifindex = sll.sll_ifindex;
	f->pkttype = sll.sll_pkttype;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&f->ts, CMSG_DATA(cm), sizeof(f->ts));
		} else if (cm->cmsg_level == SOL_PACKET && cm->cmsg_type == PACKET_AUXDATA) {
			struct tpacket_auxdata aux;

			memcpy(&aux, CMSG_DATA(cm), sizeof(aux));
			f->len = aux.tp_len;
			f->csum = aux.tp_status & (TP_STATUS_CSUMNOTREADY | TP_STATUS_CSUM_VALID) ?
				  CSUM_SKIP : CSUM_VERIFY;
			if (aux.tp_status & TP_STATUS_VLAN_VALID) {
				f->vlan_tci = aux.tp_vlan_tci;
				f->vlan_tpid = aux.tp_status & TP_STATUS_VLAN_TPID_VALID ?
					       aux.tp_vlan_tpid : ETH_P_8021Q;
			}
		}
	}
	if (!f->ts.tv_sec)
		clock_gettime(CLOCK_REALTIME, &f->ts);
	return 1;
}

/* Waits up to TIMEOUT_MS for C's socket: 0 (readable or not), or -errno. */
static int wait_socket(struct capture *c, int timeout_ms)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

	if (poll(&pfd, 1, timeout_ms) < 0)
		return -errno;
	if (pfd.revents & POLLNVAL)
		return -EIO;
	if (pfd.revents & POLLERR)
		return take_socket_error(c);
	return 0;
}

static int next_frames(struct capture *c, int timeout_ms, capture_cb cb, void *arg)
{
	struct capture_frame f;
	int n = 0, r;

	r = wait_socket(c, timeout_ms);
	if (r < 0)
		return r;
	while (c->frame && n < CAPTURE_PER_FRAME_BATCH && (r = read_frame(c, &f)) > 0) {
		cb(&f, arg);
		n++;
	}
	return r < 0 && !n ? r : n;
}

int capture_next_block(struct capture *c, int timeout_ms, capture_cb cb, void *arg)
{
	struct tpacket_block_desc *bd =
		c->ring ? (void *)(c->ring + (size_t)c->next_block * c->block_size) : NULL;
	const uint8_t *p;
	uint32_t n;

	if (c->frame || !c->ring)
		return next_frames(c, timeout_ms, cb, arg);
	if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) {
		int r = wait_socket(c, timeout_ms);

		if (r < 0)
			return r;
		if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) &
		      TP_STATUS_USER))
			return 0;
	}
	n = bd->hdr.bh1.num_pkts;
	p = (const uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;
	for (uint32_t i = 0; i < n; i++) {
		const struct tpacket3_hdr *h = (const void *)p;
		struct capture_frame f;

		frame_from_hdr(&f, h);
		cb(&f, arg);
		p += h->tp_next_offset;
	}
	__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
	c->next_block = (c->next_block + 1) % c->block_count;
	return n;
}

int capture_fd(const struct capture *c)
{
	return c->fd;
}

int capture_stats(struct capture *c, struct capture_stats *st)
{
	struct tpacket_stats_v3 k;
	socklen_t len = sizeof(k);

	if (getsockopt(c->fd, SOL_PACKET, PACKET_STATISTICS, &k, &len))
		return -errno;
	/* tp_packets counts the dropped ones too */
	__atomic_add_fetch(&c->packets, k.tp_packets - k.tp_drops, __ATOMIC_RELAXED);
	__atomic_add_fetch(&c->drops, k.tp_drops, __ATOMIC_RELAXED);
	st->packets = __atomic_load_n(&c->packets, __ATOMIC_RELAXED);
	st->drops = __atomic_load_n(&c->drops, __ATOMIC_RELAXED);
	return 0;
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	if (c->ring)
		munmap(c->ring, c->ring_len);
	free(c->frame);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}
