/* A worker's ring of tap records; see tap_ring.h. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/mman.h>
#include <bpf/libbpf.h>

#include "bpf/kern_user.h"
#include "common/clock.h"
#include "enforcer/capture/tap_ring.h"

struct tap_ring {
	struct ring_buffer *rb;
	uint32_t *sleeping;           /* struct ue_tap_waiter: the tap reads it */
	/* the ring's consumer and producer pages, read-only: whether records
	 * wait (libbpf 1.1's ring_buffer cannot say without reading them) */
	void *positions;
	size_t page;
	uint64_t records;
	/* during tap_ring_read: */
	capture_cb cb;
	void *arg;
	int64_t realtime_offset_ns;   /* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

_Static_assert(UE_TAP_NUDGE_SIZE < offsetof(struct ue_tap_record, data), "a nudge is no frame");

static int on_record(void *ctx, void *data, size_t size)
{
	const struct ue_tap_record *rec = data;
	struct tap_ring *r = ctx;
	struct capture_frame f = { 0 };
	int64_t ts;

	if (size == UE_TAP_NUDGE_SIZE)
		return 0;     /* it only woke the reader (kern_user.h) */
	if (size < offsetof(struct ue_tap_record, data) ||
	    rec->caplen > size - offsetof(struct ue_tap_record, data))
		return 0;     /* the kernel writes whole records: cannot happen */
	ts = (int64_t)rec->ts_ns + r->realtime_offset_ns;
	f.data = rec->data;
	f.caplen = rec->caplen;
	f.len = rec->len;
	f.ts.tv_sec = ts / 1000000000;
	f.ts.tv_nsec = ts % 1000000000;
	f.ifindex = (int)rec->ifindex;
	f.pkttype = rec->pkttype;
	if (rec->vlan_proto) {
		f.vlan_tci = rec->vlan_tci;
		f.vlan_tpid = ntohs(rec->vlan_proto);
	}
	f.csum = rec->flags & UE_TAP_REC_GSO ? CSUM_SKIP : CSUM_VERIFY_OR_PARTIAL;
	r->records++;
	r->cb(&f, r->arg);
	return 0;
}

struct tap_ring *tap_ring_open(int ring_map_fd, uint32_t *sleeping)
{
	struct tap_ring *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return NULL;
	r->sleeping = sleeping;
	r->page = (size_t)sysconf(_SC_PAGESIZE);
	r->positions = mmap(NULL, 2 * r->page, PROT_READ, MAP_SHARED, ring_map_fd, 0);
	if (r->positions == MAP_FAILED) {
		err = errno;
		free(r);
		errno = err;
		return NULL;
	}
	r->rb = ring_buffer__new(ring_map_fd, on_record, r, NULL);
	if (!r->rb) {
		err = errno;
		tap_ring_close(r);
		errno = err;
		return NULL;
	}
	return r;
}

int tap_ring_fd(const struct tap_ring *r)
{
	return ring_buffer__epoll_fd(r->rb);
}

int tap_ring_read(struct tap_ring *r, capture_cb cb, void *arg)
{
	uint64_t before = r->records;
	int n;

	r->cb = cb;
	r->arg = arg;
	r->realtime_offset_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	n = ring_buffer__consume(r->rb);
	return n < 0 ? n : (int)(r->records - before);
}

bool tap_ring_sleep(struct tap_ring *r)
{
	const unsigned long *consumer = r->positions;
	const unsigned long *producer = (const void *)((const char *)r->positions + r->page);

	__atomic_store_n(r->sleeping, 1, __ATOMIC_SEQ_CST);
	/* the flag before the look: see tap.bpf.c, wake_worker */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(producer, __ATOMIC_ACQUIRE) == __atomic_load_n(consumer, __ATOMIC_ACQUIRE))
		return true;
	tap_ring_awake(r);
	return false;
}

void tap_ring_awake(struct tap_ring *r)
{
	__atomic_store_n(r->sleeping, 0, __ATOMIC_RELAXED);
}

uint64_t tap_ring_records(const struct tap_ring *r)
{
	return r->records;
}

void tap_ring_close(struct tap_ring *r)
{
	if (!r)
		return;
	ring_buffer__free(r->rb);
	munmap(r->positions, 2 * r->page);
	free(r);
}
