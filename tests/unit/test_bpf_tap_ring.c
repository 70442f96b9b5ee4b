/*
 * The BPF ring capture in the kernel, through BPF_PROG_TEST_RUN: the tap
 * writes what it keeps to the ring (the socket gets nothing), a worker's
 * tap_ring reads it back as a frame; a ring without room marks the session
 * in ue_unrecorded, which the TC program reads with --fail closed: the
 * unrecorded segment and later data are dropped, a pure ACK and earlier
 * data pass, and a recorded retransmission lifts the mark. Under a test run
 * the socket filter sees the frame from L3 on (14 bytes less).
 */
#include <errno.h>
#include <linux/pkt_cls.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "enforcer/enforce/blocklist.h"
#include "enforcer/capture/tap_ring.h"
#include "enforcer/capture/tap_loader.h"
#include "tests/harness.h"
#include "tests/unit/bpf_testrun.h"
#include "tests/unit/pktbuild.h"

#define C2S .src = "10.0.0.2", .dst = "10.0.1.2", .sport = 40000, .dport = 80
#define BODY "GET /ring HTTP/1.1\r\nHost: ring.test\r\n\r\n"
#define SEG(s) C2S, .tcp_flags = TH_ACK | TH_PUSH, .seq = (s), .payload = big, \
	.payload_len = sizeof(big)

static uint8_t big[1200];   /* three of these frames fill a page's ring */

static struct tap_prog *load_ring_tap(unsigned count, uint32_t ring_bytes)
{
	struct tap_rings rings = { .count = count, .bytes = ring_bytes };
	struct port_set http, tls;
	struct tap_prog *tap;

	require_root();
	ASSERT_OK(port_set_parse(&http, "80"));
	ASSERT_OK(port_set_parse(&tls, "443"));
	tap = tap_prog_load(&http, &tls, &rings);
	if (!tap)
		bpf_load_failed("tap with rings", errno);
	return tap;
}

/* Runs PROG_FD over SPEC; returns the program's answer. */
static uint32_t run(int prog_fd, const struct pkt_spec *spec)
{
	uint8_t f[PKT_MAX];
	size_t len = pkt_build(spec, f, sizeof(f));
	uint32_t ret;

	ASSERT_TRUE(len > 0);
	ASSERT_OK(bpf_testrun(prog_fd, f, len, 0, &ret));
	return ret;
}

#define tap_run(tap, ...) run(tap_prog_fd(tap), __VA_ARGS__)
#define tc_run(bl, ...) (int)run(blocklist_prog_fd(bl, BLOCKLIST_INGRESS), __VA_ARGS__)

struct got {
	unsigned frames;
	struct capture_frame last;
	uint8_t data[PKT_MAX];
};

static void on_frame(const struct capture_frame *f, void *arg)
{
	struct got *g = arg;

	g->frames++;
	g->last = *f;
	ASSERT_TRUE(f->caplen <= sizeof(g->data));
	memcpy(g->data, f->data, f->caplen);
}

static uint64_t tap_counter(struct tap_prog *tap, enum ue_tap_counter c)
{
	uint64_t v[UE_TAP_COUNTER_MAX];

	ASSERT_OK(tap_prog_counters(tap, v));
	return v[c];
}

void test_bpf_tap_ring_records_what_it_keeps(void)
{
	struct tap_prog *tap = load_ring_tap(1, 1 << 16);
	struct tap_ring *r = tap_ring_open(tap_prog_ring_fd(tap, 0), tap_prog_ring_sleeping(tap, 0));
	struct pkt_spec get = { C2S, .tcp_flags = TH_ACK | TH_PUSH, .seq = 7,
				.payload = BODY, .payload_len = sizeof(BODY) - 1 };
	uint8_t f[PKT_MAX];
	size_t len = pkt_build(&get, f, sizeof(f));
	struct timespec now;
	struct got g = { 0 };

	ASSERT_TRUE(r != NULL);
	ASSERT_EQ(tap_run(tap, &get), 0);                     /* nothing for the socket */
	ASSERT_EQ(tap_run(tap, &(struct pkt_spec){ C2S, .tcp_flags = TH_ACK }), 0);  /* not kept */
	ASSERT_EQ(tap_ring_read(r, on_frame, &g), 1);
	ASSERT_EQ(g.frames, 1);
	ASSERT_EQ(g.last.caplen, len - 14);
	ASSERT_EQ(g.last.len, len - 14);
	ASSERT_TRUE(!memcmp(g.data, f + 14, len - 14));
	ASSERT_EQ(g.last.csum, CSUM_VERIFY_OR_PARTIAL);
	clock_gettime(CLOCK_REALTIME, &now);                  /* the kernel's time, as wall clock */
	ASSERT_TRUE(g.last.ts.tv_sec >= now.tv_sec - 1 && g.last.ts.tv_sec <= now.tv_sec);
	ASSERT_EQ(tap_counter(tap, UE_TAP_RECORDED), 1);
	ASSERT_EQ(tap_counter(tap, UE_TAP_UNRECORDED), 0);
	ASSERT_EQ(tap_ring_read(r, on_frame, &g), 0);
	ASSERT_EQ(tap_ring_records(r), 1);
	tap_ring_close(r);
	tap_prog_destroy(tap);
}

/* Whether the ring's epoll fd turns readable within MS milliseconds. */
static bool woken(struct tap_ring *r, int ms)
{
	struct pollfd p = { .fd = tap_ring_fd(r), .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

void test_bpf_tap_ring_wakes_only_a_sleeping_reader(void)
{
	struct tap_prog *tap = load_ring_tap(1, 1 << 16);
	uint32_t *sleeping = tap_prog_ring_sleeping(tap, 0);
	struct tap_ring *r = tap_ring_open(tap_prog_ring_fd(tap, 0), sleeping);
	struct pkt_spec syn = { C2S, .tcp_flags = TH_SYN, .seq = 6 };
	struct pkt_spec get = { C2S, .tcp_flags = TH_ACK | TH_PUSH, .seq = 7,
				.payload = BODY, .payload_len = sizeof(BODY) - 1 };
	struct pkt_spec fin = { C2S, .tcp_flags = TH_ACK | TH_FIN, .seq = 7 + sizeof(BODY) - 1 };
	struct got g = { 0 };

	ASSERT_TRUE(r != NULL && sleeping != NULL);
	/* awake: a request is recorded, nobody is woken */
	tap_run(tap, &get);
	ASSERT_TRUE(!woken(r, 100));
	ASSERT_TRUE(!tap_ring_sleep(r));                      /* it waits: read it instead */
	ASSERT_EQ(*sleeping, 0);
	ASSERT_EQ(tap_ring_read(r, on_frame, &g), 1);
	/* asleep: a FIN wakes nobody; a SYN does (a nudge, not a frame) */
	ASSERT_TRUE(tap_ring_sleep(r));
	tap_run(tap, &fin);
	ASSERT_TRUE(!woken(r, 100));
	ASSERT_EQ(*sleeping, 1);
	tap_run(tap, &syn);
	ASSERT_EQ(*sleeping, 0);
	ASSERT_TRUE(woken(r, 2000));
	tap_ring_awake(r);
	ASSERT_EQ(tap_ring_read(r, on_frame, &g), 2);
	/* and so does a request */
	ASSERT_TRUE(tap_ring_sleep(r));
	tap_run(tap, &get);
	ASSERT_EQ(*sleeping, 0);
	ASSERT_TRUE(woken(r, 2000));
	tap_ring_awake(r);
	ASSERT_EQ(tap_ring_read(r, on_frame, &g), 1);
	ASSERT_EQ(g.frames, 4);
	ASSERT_EQ(tap_ring_records(r), 4);
	tap_ring_close(r);
	tap_prog_destroy(tap);
}

static int count_client(const uint8_t addr[16], uint64_t frames, void *arg)
{
	(void)addr;
	*(uint64_t *)arg += frames;
	return 0;
}

static struct blocklist *open_sharing(struct tap_prog *tap, bool fail_closed)
{
	struct blocklist_config cfg = { .max_entries = 64, .fail_closed = fail_closed,
					.unrecorded_fd = tap_prog_unrecorded_fd(tap) };
	struct blocklist *bl;

	ASSERT_OK(port_set_parse(&cfg.http_ports, "80"));
	ASSERT_OK(port_set_parse(&cfg.tls_ports, "443"));
	bl = blocklist_open(&cfg);
	if (!bl)
		bpf_load_failed("blocklist", errno);
	return bl;
}

void test_bpf_tap_ring_full_stops_the_session_when_closed(void)
{
	struct tap_prog *tap = load_ring_tap(1, (uint32_t)sysconf(_SC_PAGESIZE));
	struct tap_ring *r = tap_ring_open(tap_prog_ring_fd(tap, 0), tap_prog_ring_sleeping(tap, 0));
	struct blocklist *closed = open_sharing(tap, true), *open = open_sharing(tap, false);
	uint32_t seq = 1000, lost;
	uint64_t per_client = 0;
	struct got g = { 0 };

	ASSERT_TRUE(r != NULL);
	/* fill the ring: the frame that finds no room is the first unrecorded one */
	while (!tap_counter(tap, UE_TAP_UNRECORDED)) {
		ASSERT_TRUE(seq < 1000 + 10 * sizeof(big));
		tap_run(tap, &(struct pkt_spec){ SEG(seq) });
		seq += sizeof(big);
	}
	lost = seq - sizeof(big);
	ASSERT_EQ(tap_counter(tap, UE_TAP_UNRECORDED), 1);
	ASSERT_OK(tap_prog_unrecorded_clients(tap, count_client, &per_client));
	ASSERT_EQ(per_client, 1);

	/* closed: the unrecorded segment and later data go; earlier data, ACKs pass */
	ASSERT_EQ(tc_run(closed, &(struct pkt_spec){ SEG(lost) }), TC_ACT_SHOT);
	ASSERT_EQ(tc_run(closed, &(struct pkt_spec){ SEG(lost + sizeof(big)) }), TC_ACT_SHOT);
	ASSERT_EQ(tc_run(closed, &(struct pkt_spec){ SEG(lost - sizeof(big)) }), TC_ACT_OK);
	ASSERT_EQ(tc_run(closed, &(struct pkt_spec){ C2S, .tcp_flags = TH_ACK, .seq = lost }),
		  TC_ACT_OK);
	/* another session is not concerned */
	ASSERT_EQ(tc_run(closed, &(struct pkt_spec){ .src = "10.0.0.2", .dst = "10.0.1.2",
		  .sport = 40001, .dport = 80, .tcp_flags = TH_ACK | TH_PUSH, .seq = lost,
		  .payload = big, .payload_len = sizeof(big) }), TC_ACT_OK);
	/* open: counted only */
	ASSERT_EQ(tc_run(open, &(struct pkt_spec){ SEG(lost) }), TC_ACT_OK);

	/* the worker catches up; the retransmission is recorded and lifts the mark */
	ASSERT_TRUE(tap_ring_read(r, on_frame, &g) > 0);
	tap_run(tap, &(struct pkt_spec){ SEG(lost) });
	ASSERT_EQ(tap_counter(tap, UE_TAP_UNRECORDED), 1);
	ASSERT_EQ(tc_run(closed, &(struct pkt_spec){ SEG(lost) }), TC_ACT_OK);
	ASSERT_EQ(tc_run(closed, &(struct pkt_spec){ SEG(lost + sizeof(big)) }), TC_ACT_OK);
	blocklist_close(open);
	blocklist_close(closed);
	tap_ring_close(r);
	tap_prog_destroy(tap);
}

/* Ring I's records: the source port of each (IPv4 from L3 under a test run) -> the ring. */
struct ports_seen {
	int ring;
	int8_t ring_of_port[64];
	unsigned records;
};

static void note_port(const struct capture_frame *f, void *arg)
{
	struct ports_seen *s = arg;
	unsigned port = (unsigned)(f->data[20] << 8 | f->data[21]) - 40000;

	ASSERT_TRUE(port < 64);
	s->records++;
	if (s->ring_of_port[port] != -1 && s->ring_of_port[port] != s->ring)
		harness_fail(__FILE__, __LINE__, "port %u in rings %d and %d", port + 40000,
			     s->ring_of_port[port], s->ring);
	s->ring_of_port[port] = (int8_t)s->ring;
}

/* Every frame of a flow reaches one ring; flows spread over the rings. */
void test_bpf_tap_ring_one_flow_one_ring(void)
{
	struct tap_prog *tap = load_ring_tap(4, 1 << 16);
	struct ports_seen s = { 0 };
	bool used[4] = { false };
	unsigned n_used = 0;

	for (uint16_t i = 0; i < 64; i++) {
		struct pkt_spec syn = { .src = "10.0.0.2", .dst = "10.0.1.2", .sport = 40000 + i,
					.dport = 80, .tcp_flags = TH_SYN, .seq = 99 };
		struct pkt_spec get = syn;

		get.tcp_flags = TH_ACK | TH_PUSH;
		get.seq = 100;
		get.payload = BODY;
		get.payload_len = sizeof(BODY) - 1;
		tap_run(tap, &syn);
		tap_run(tap, &get);
	}
	memset(s.ring_of_port, -1, sizeof(s.ring_of_port));
	for (s.ring = 0; s.ring < 4; s.ring++) {
		struct tap_ring *r = tap_ring_open(tap_prog_ring_fd(tap, (unsigned)s.ring),
						    tap_prog_ring_sleeping(tap, (unsigned)s.ring));
		unsigned before = s.records;

		ASSERT_TRUE(r != NULL);
		tap_ring_read(r, note_port, &s);
		if (s.records > before && !used[s.ring]) {
			used[s.ring] = true;
			n_used++;
		}
		tap_ring_close(r);
	}
	ASSERT_EQ(s.records, 128);
	ASSERT_TRUE(n_used >= 2);
	tap_prog_destroy(tap);
}
