/*
 * Live capture through a veth pair in a fresh network namespace: frames sent
 * into one end reach the capture rings on the other end through the tap,
 * every frame of a flow on the same fanout socket, untapped ones never.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "enforcer/capture/capture.h"
#include "enforcer/capture/tap_loader.h"
#include "tests/harness.h"
#include "tests/unit/bpf_testrun.h"
#include "tests/unit/fanout_id.h"
#include "tests/unit/netns.h"
#include "tests/unit/pktbuild.h"

#define WORKERS 2
#define FLOWS 16
#define PER_FLOW 4
#define FIRST_SPORT 41000
#define VLAN_SPORT 42000

#define FAIL_IF(cond, ...) do { if (cond) { \
	snprintf(why, why_len, __VA_ARGS__); goto out; } } while (0)

struct seen {
	unsigned frames[WORKERS];
	unsigned flow_frames[FLOWS][WORKERS];
	unsigned untapped, vlan_ok, vlan_frames, truncated;
	int worker;
};

static void on_frame(const struct capture_frame *f, void *arg)
{
	struct seen *s = arg;
	uint16_t sport, dport;

	s->frames[s->worker]++;
	if (f->caplen < 14 + 20 + 4 || f->caplen != f->len) {
		s->truncated++;
		return;
	}
	/* frames are built untagged or with a tag the kernel moves out: the
	 * ports sit right after an option-less IPv4 header */
	sport = f->data[34] << 8 | f->data[35];
	dport = f->data[36] << 8 | f->data[37];
	if (dport != 80)
		s->untapped++;
	else if (sport == VLAN_SPORT)
		s->vlan_frames++, s->vlan_ok += f->vlan_tci == 5 && f->vlan_tpid == ETH_P_8021Q;
	else if (sport >= FIRST_SPORT && sport < FIRST_SPORT + FLOWS)
		s->flow_frames[sport - FIRST_SPORT][s->worker]++;
	else
		s->untapped++;
}

static int send_frame(int fd, const struct pkt_spec *spec)
{
	uint8_t f[PKT_MAX];
	size_t n = pkt_build(spec, f, sizeof(f));

	return n && send(fd, f, n, 0) == (ssize_t)n ? 0 : -1;
}

static int sender_open(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = 0,
				   .sll_ifindex = if_nametoindex(ifname) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -1;
	}
	return fd;
}

struct fanout_case {
	struct tap_prog *tap;
	bool id_zero;             /* the kernel hands out group id 0 (first start after boot) */
};

static int capture_body(void *arg, char *why, size_t why_len)
{
	const struct fanout_case *fc = arg;
	struct tap_prog *tap = fc->tap;
	struct capture *cap[WORKERS] = { 0 };
	struct capture_stats st;
	uint64_t tc[UE_TAP_COUNTER_MAX];
	struct seen s = { 0 };
	struct fanout_group group = { 0 };
	unsigned got = 0, packets = 0, want = FLOWS * PER_FLOW + 1;
	char payload[32];
	int tx = -1, ret = 1, err;

	FAIL_IF(veth_pair_add("uecap0", "uecap1"), "veth pair");
	if (fc->id_zero)
		FAIL_IF((err = fanout_next_unique_id_zero()), "steering the fanout id to 0: %s",
			strerror(-err));
	for (int w = 0; w < WORKERS; w++) {
		cap[w] = capture_open("uecap1", tap_prog_fd(tap), &group, NULL);
		FAIL_IF(!cap[w], "capture_open worker %d: %s", w, strerror(errno));
		FAIL_IF(w == 0 && fc->id_zero && group.id != 0, "the kernel handed out group "
			"%u, not 0 (another process took a unique id meanwhile)", group.id);
	}
	FAIL_IF(!group.joined, "no fanout group");
	tx = sender_open("uecap0");
	FAIL_IF(tx < 0, "sender socket: %s", strerror(errno));

	/* untapped first: once the tapped ones are in, these were judged */
	for (int i = 0; i < 10; i++) {
		FAIL_IF(send_frame(tx, &(struct pkt_spec){ .src = "10.0.0.2", .dst = "10.0.1.2",
			.sport = 40000 + i, .dport = 22, .tcp_flags = TH_ACK | TH_PUSH,
			.payload = "ssh", .payload_len = 3 }), "send");
		FAIL_IF(send_frame(tx, &(struct pkt_spec){ .src = "10.0.1.2", .dst = "10.0.0.2",
			.sport = 80, .dport = 40000 + i, .tcp_flags = TH_ACK | TH_PUSH,
			.payload = "HTTP/1.1 200 OK", .payload_len = 15 }), "send");
	}
	for (int j = 0; j < PER_FLOW; j++)
		for (int i = 0; i < FLOWS; i++) {
			int n = snprintf(payload, sizeof(payload), "flow %d part %d", i, j);

			FAIL_IF(send_frame(tx, &(struct pkt_spec){ .src = "10.0.0.2",
				.dst = "10.0.1.2", .sport = FIRST_SPORT + i, .dport = 80,
				.tcp_flags = TH_ACK | TH_PUSH, .seq = 1 + j * n,
				.payload = payload, .payload_len = n }), "send");
		}
	FAIL_IF(send_frame(tx, &(struct pkt_spec){ .src = "10.0.0.2", .dst = "10.0.1.2",
		.sport = VLAN_SPORT, .dport = 80, .tcp_flags = TH_ACK | TH_PUSH,
		.payload = "GET", .payload_len = 3, .n_vlan = 1, .vlan = { 5 } }), "send");

	/* a bounded wait for frames the kernel has already accepted */
	for (int round = 0; round < 100 && got < want; round++)
		for (int w = 0; w < WORKERS; w++) {
			int n;

			s.worker = w;
			n = capture_next_block(cap[w], 10, on_frame, &s);
			FAIL_IF(n < 0, "capture_next_block: %s", strerror(-n));
			got += n;
		}

	FAIL_IF(got != want, "%u frames captured (%u + %u), %u sent tapped", got, s.frames[0], s.frames[1], want);
	FAIL_IF(s.untapped, "%u untapped frames reached the ring", s.untapped);
	FAIL_IF(s.truncated, "%u frames cut short", s.truncated);
	FAIL_IF(s.vlan_frames != 1 || s.vlan_ok != 1,
		"tagged frame: %u seen, %u with its tag", s.vlan_frames, s.vlan_ok);
	for (int i = 0; i < FLOWS; i++) {
		int on = 0;

		for (int w = 0; w < WORKERS; w++)
			on += s.flow_frames[i][w] != 0;
		FAIL_IF(on != 1, "flow %d spread over %d sockets", i, on);
		for (int w = 0; w < WORKERS; w++)
			FAIL_IF(s.flow_frames[i][w] && s.flow_frames[i][w] != PER_FLOW,
				"flow %d: %u of %d frames", i, s.flow_frames[i][w], PER_FLOW);
	}
	for (int w = 0; w < WORKERS; w++) {
		FAIL_IF(capture_stats(cap[w], &st), "capture_stats: %s", strerror(errno));
		FAIL_IF(st.drops, "worker %d: %llu drops", w, (unsigned long long)st.drops);
		FAIL_IF(st.packets != s.frames[w], "worker %d: stats say %llu, ring gave %u",
			w, (unsigned long long)st.packets, s.frames[w]);
		packets += st.packets;
	}
	FAIL_IF(packets != want, "stats count %u packets", packets);
	FAIL_IF(tap_prog_counters(tap, tc), "tap counters");
	FAIL_IF(tc[UE_TAP_KEPT] != want, "tap kept %llu", (unsigned long long)tc[UE_TAP_KEPT]);
	FAIL_IF(tc[UE_TAP_WRONG_PORT] != 20, "tap wrong-port %llu",
		(unsigned long long)tc[UE_TAP_WRONG_PORT]);
	ret = 0;
out:
	if (tx >= 0)
		close(tx);
	for (int w = 0; w < WORKERS; w++)
		capture_close(cap[w]);
	return ret;
}

static void fanout_case_run(bool id_zero)
{
	struct port_set http, tls;
	struct fanout_case fc = { .id_zero = id_zero };
	char why[256] = "";
	int ret;

	require_root();
	ASSERT_OK(port_set_parse(&http, "80"));
	ASSERT_OK(port_set_parse(&tls, "443"));
	fc.tap = tap_prog_load(&http, &tls, NULL);
	if (!fc.tap)
		bpf_load_failed("tap", errno);
	ret = in_fresh_netns(capture_body, &fc, why, sizeof(why));
	tap_prog_destroy(fc.tap);
	if (ret)
		harness_fail(__FILE__, __LINE__, "%s", why);
}

void test_capture_veth_fanout(void)
{
	fanout_case_run(false);
}

/* Group id 0 is a group like any other: both sockets join it and each
 * frame reaches exactly one of them. */
void test_capture_fanout_group_id_zero(void)
{
	fanout_case_run(true);
}

static void count_frame(const struct capture_frame *f, void *arg)
{
	(void)f;
	++*(unsigned *)arg;
}

/* The interface going down is reported once, not on every later poll (a
 * worker would spin), and capture resumes when it is back up. */
static int link_down_body(void *arg, char *why, size_t why_len)
{
	struct tap_prog *tap = arg;
	struct capture *cap = NULL;
	struct pollfd pfd;
	struct fanout_group group = { 0 };
	unsigned frames = 0;
	int tx = -1, ret = 1, n;

	FAIL_IF(veth_pair_add("uecap0", "uecap1"), "veth pair");
	cap = capture_open("uecap1", tap_prog_fd(tap), &group, NULL);
	FAIL_IF(!cap, "capture_open: %s", strerror(errno));
	FAIL_IF(system("ip link set uecap1 down"), "ip link set down");
	n = capture_next_block(cap, 0, count_frame, &frames);
	FAIL_IF(n != -ENETDOWN, "link down: capture_next_block gave %d, not -ENETDOWN", n);
	n = capture_next_block(cap, 0, count_frame, &frames);
	FAIL_IF(n != 0, "link down, second call: %d, not 0", n);
	pfd = (struct pollfd){ .fd = capture_fd(cap), .events = POLLIN };
	FAIL_IF(poll(&pfd, 1, 0) != 0, "poll still reports 0x%x", pfd.revents);

	FAIL_IF(system("ip link set uecap1 up"), "ip link set up");
	tx = sender_open("uecap0");
	FAIL_IF(tx < 0, "sender socket: %s", strerror(errno));
	FAIL_IF(send_frame(tx, &(struct pkt_spec){ .src = "10.0.0.2", .dst = "10.0.1.2",
		.sport = FIRST_SPORT, .dport = 80, .tcp_flags = TH_ACK | TH_PUSH,
		.seq = 1, .payload = "GET", .payload_len = 3 }), "send");
	for (int round = 0; round < 100 && !frames; round++) {
		n = capture_next_block(cap, 10, count_frame, &frames);
		FAIL_IF(n < 0, "link up again: capture_next_block: %s", strerror(-n));
	}
	FAIL_IF(frames != 1, "link up again: %u frames captured, 1 sent", frames);
	ret = 0;
out:
	if (tx >= 0)
		close(tx);
	capture_close(cap);
	return ret;
}

void test_capture_link_down_once(void)
{
	struct port_set http, tls;
	struct tap_prog *tap;
	char why[256] = "";
	int ret;

	require_root();
	ASSERT_OK(port_set_parse(&http, "80"));
	ASSERT_OK(port_set_parse(&tls, "443"));
	tap = tap_prog_load(&http, &tls, NULL);
	if (!tap)
		bpf_load_failed("tap", errno);
	ret = in_fresh_netns(link_down_body, tap, why, sizeof(why));
	tap_prog_destroy(tap);
	if (ret)
		harness_fail(__FILE__, __LINE__, "%s", why);
}
