/*
 * --hold in the blocklist TC programs, through BPF_PROG_TEST_RUN: a session's
 * client payload is held at ingress until released (by the daemon's mark or
 * by its ue_held entry), released segments are turned from egress to
 * ingress, and a stale heartbeat lets held flows go (fail open) or not
 * (fail closed). The steps share state, so they run in order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/pkt_cls.h>
#include <string.h>
#include <time.h>

#include "enforcer/enforce/blocklist.h"
#include "tests/harness.h"
#include "tests/unit/bpf_testrun.h"
#include "tests/unit/pktbuild.h"

#define C2S(cport) .src = "10.0.0.2", .dst = "10.0.1.2", .sport = cport, .dport = 80
#define S2C .src = "10.0.1.2", .dst = "10.0.0.2", .sport = 80, .dport = 40000
#define DATA4 .tcp_flags = TH_ACK | TH_PUSH, .payload = "GET ", .payload_len = 4

struct hold_step {
	const char *name;
	enum blocklist_hook hook;
	struct pkt_spec spec;
	uint32_t mark;
	uint32_t ret;                  /* TC_ACT_* */
	int counter;                   /* besides SEEN_*; -1: none */
};

static struct blocklist *open_hold(bool hold, bool fail_closed, uint32_t timeout_ms)
{
	struct blocklist_config cfg = { .max_entries = 64, .hold = hold, .held_flows = 64,
					.fail_closed = fail_closed,
					.heartbeat_timeout_ms = timeout_ms };
	struct blocklist *bl;

	require_root();
	ASSERT_OK(port_set_parse(&cfg.http_ports, "80"));
	ASSERT_OK(port_set_parse(&cfg.tls_ports, "443"));
	bl = blocklist_open(&cfg);
	if (!bl)
		bpf_load_failed("blocklist", errno);
	return bl;
}

static void run_step(struct blocklist *bl, const struct hold_step *s)
{
	uint64_t before[UE_BLK_COUNTER_MAX], after[UE_BLK_COUNTER_MAX];
	int seen = s->hook == BLOCKLIST_EGRESS ? UE_BLK_SEEN_EGRESS : UE_BLK_SEEN_INGRESS;
	uint8_t f[PKT_MAX];
	size_t len = pkt_build(&s->spec, f, sizeof(f));
	uint32_t ret;
	int err;

	if (!len)
		harness_fail(__FILE__, __LINE__, "%s: pkt_build refused the spec", s->name);
	ASSERT_OK(blocklist_counters(bl, before));
	err = bpf_testrun(blocklist_prog_fd(bl, s->hook), f, len, s->mark, &ret);
	if (err)
		harness_fail(__FILE__, __LINE__, "%s: test run failed: %s", s->name, strerror(-err));
	ASSERT_OK(blocklist_counters(bl, after));
	if (ret != s->ret)
		harness_fail(__FILE__, __LINE__, "%s: returned %u, expected %u", s->name, ret, s->ret);
	for (int i = 0; i < UE_BLK_COUNTER_MAX; i++) {
		uint64_t want = (i == seen) + (i == s->counter);

		if (after[i] - before[i] != want)
			harness_fail(__FILE__, __LINE__, "%s: counter %d moved by %llu, expected %llu",
				     s->name, i, (unsigned long long)(after[i] - before[i]),
				     (unsigned long long)want);
	}
}

static const struct flow_tuple *session(uint16_t cport)
{
	static struct flow_tuple t;

	memset(&t, 0, sizeof(t));
	t.client.s6_addr[10] = t.client.s6_addr[11] = 0xff;
	t.server.s6_addr[10] = t.server.s6_addr[11] = 0xff;
	ASSERT_EQ(inet_pton(AF_INET, "10.0.0.2", &t.client.s6_addr[12]), 1);
	ASSERT_EQ(inet_pton(AF_INET, "10.0.1.2", &t.server.s6_addr[12]), 1);
	t.client_port = cport;
	t.server_port = 80;
	return &t;
}

void test_bpf_hold_holds_until_released(void)
{
	struct blocklist *bl = open_hold(true, false, 0);
	struct ue_hold_value v;
	static const struct hold_step before_release[] = {
		{ "syn starts the entry", BLOCKLIST_INGRESS,
		  { C2S(40000), .tcp_flags = TH_SYN, .seq = 1000 }, .ret = TC_ACT_OK, .counter = -1 },
		{ "first payload held", BLOCKLIST_INGRESS,
		  { C2S(40000), DATA4, .seq = 1001 }, .ret = TC_ACT_SHOT, .counter = UE_BLK_HOLD_HELD },
		{ "pure ack passes", BLOCKLIST_INGRESS,
		  { C2S(40000), .tcp_flags = TH_ACK, .seq = 1001 }, .ret = TC_ACT_OK, .counter = -1 },
		{ "released by the daemon's mark", BLOCKLIST_INGRESS,
		  { C2S(40000), DATA4, .seq = 1001 }, .mark = UE_RELEASE_MARK, .ret = TC_ACT_OK,
		  .counter = UE_BLK_HOLD_RELEASED },
		{ "another mark is still held", BLOCKLIST_INGRESS,
		  { C2S(40000), DATA4, .seq = 1001 }, .mark = 1, .ret = TC_ACT_SHOT,
		  .counter = UE_BLK_HOLD_HELD },
		{ "released segment turned to ingress", BLOCKLIST_EGRESS,
		  { C2S(40000), DATA4, .seq = 1001 }, .mark = UE_RELEASE_MARK,
		  .ret = TC_ACT_REDIRECT, .counter = UE_BLK_HOLD_TURNED },
		{ "egress without the mark passes", BLOCKLIST_EGRESS,
		  { S2C, DATA4, .seq = 7 }, .ret = TC_ACT_OK, .counter = -1 },
		{ "server to client never held", BLOCKLIST_INGRESS,
		  { S2C, DATA4, .seq = 7 }, .ret = TC_ACT_OK, .counter = -1 },
		{ "untapped port never held", BLOCKLIST_INGRESS,
		  { .src = "10.0.0.2", .dst = "10.0.1.2", .sport = 40000, .dport = 22, DATA4 },
		  .ret = TC_ACT_OK, .counter = -1 },
		{ "session begun unseen: held from its first payload", BLOCKLIST_INGRESS,
		  { C2S(40001), DATA4, .seq = 5000 }, .ret = TC_ACT_SHOT, .counter = UE_BLK_HOLD_HELD },
	};
	static const struct hold_step after_release[] = {
		{ "retransmission of released data passes", BLOCKLIST_INGRESS,
		  { C2S(40000), DATA4, .seq = 1001 }, .ret = TC_ACT_OK, .counter = -1 },
		{ "the next segment is held", BLOCKLIST_INGRESS,
		  { C2S(40000), DATA4, .seq = 1005 }, .ret = TC_ACT_SHOT, .counter = UE_BLK_HOLD_HELD },
		{ "one straddling the release point is held", BLOCKLIST_INGRESS,
		  { C2S(40000), DATA4, .seq = 1003 }, .ret = TC_ACT_SHOT, .counter = UE_BLK_HOLD_HELD },
		{ "a session released for good passes", BLOCKLIST_INGRESS,
		  { C2S(40001), DATA4, .seq = 9000 }, .ret = TC_ACT_OK, .counter = -1 },
	};

	for (size_t i = 0; i < sizeof(before_release) / sizeof(before_release[0]); i++) {
		run_step(bl, &before_release[i]);
		if (i == 0) {
			ASSERT_OK(blocklist_hold_get(bl, session(40000), &v));
			ASSERT_EQ(v.released_to, 1001);
			ASSERT_EQ(v.flags, 0);
		}
	}
	ASSERT_OK(blocklist_hold_get(bl, session(40001), &v));
	ASSERT_EQ(v.released_to, 5000);
	/* what the daemon writes as it releases */
	ASSERT_OK(blocklist_hold_set(bl, session(40000), &(struct ue_hold_value){ .released_to = 1005 }));
	ASSERT_OK(blocklist_hold_set(bl, session(40001), &(struct ue_hold_value){
		.released_to = 5004, .flags = UE_HOLD_PASS }));
	for (size_t i = 0; i < sizeof(after_release) / sizeof(after_release[0]); i++)
		run_step(bl, &after_release[i]);
	/* a new connection on the same ports starts over */
	run_step(bl, &(struct hold_step){ "new syn", BLOCKLIST_INGRESS,
		{ C2S(40001), .tcp_flags = TH_SYN, .seq = 70000 }, .ret = TC_ACT_OK, .counter = -1 });
	run_step(bl, &(struct hold_step){ "its payload held", BLOCKLIST_INGRESS,
		{ C2S(40001), DATA4, .seq = 70001 }, .ret = TC_ACT_SHOT, .counter = UE_BLK_HOLD_HELD });
	ASSERT_EQ(blocklist_hold_get(bl, session(40002), &v), -ENOENT);
	blocklist_close(bl);
}

void test_bpf_hold_blocked_session_dropped_before_release(void)
{
	struct blocklist *bl = open_hold(true, false, 0);

	ASSERT_OK(blocklist_add(bl, session(40000), 0, 0));
	run_step(bl, &(struct hold_step){ "released segment of a blocked session", BLOCKLIST_INGRESS,
		{ C2S(40000), DATA4, .seq = 1 }, .mark = UE_RELEASE_MARK, .ret = TC_ACT_SHOT,
		.counter = UE_BLK_DROP_INGRESS });
	blocklist_close(bl);
}

static void stale_heartbeat(void)
{
	nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000000 }, NULL);
}

void test_bpf_hold_fail_open_lets_held_flows_go(void)
{
	struct blocklist *bl = open_hold(true, false, 1);

	stale_heartbeat();
	run_step(bl, &(struct hold_step){ "daemon gone, fail open", BLOCKLIST_INGRESS,
		{ C2S(40000), DATA4, .seq = 1 }, .ret = TC_ACT_OK, .counter = UE_BLK_HOLD_UNJUDGED });
	ASSERT_OK(blocklist_heartbeat_renew(bl));
	run_step(bl, &(struct hold_step){ "daemon back", BLOCKLIST_INGRESS,
		{ C2S(40000), DATA4, .seq = 5 }, .ret = TC_ACT_SHOT, .counter = UE_BLK_HOLD_HELD });
	blocklist_close(bl);
}

void test_bpf_hold_fail_closed_keeps_them(void)
{
	struct blocklist *bl = open_hold(true, true, 1);

	stale_heartbeat();
	run_step(bl, &(struct hold_step){ "daemon gone, fail closed", BLOCKLIST_INGRESS,
		{ C2S(40000), DATA4, .seq = 1 }, .ret = TC_ACT_SHOT, .counter = UE_BLK_HOLD_HELD });
	blocklist_close(bl);
}

void test_bpf_hold_off_changes_nothing(void)
{
	struct blocklist *bl = open_hold(false, false, 0);

	run_step(bl, &(struct hold_step){ "payload without --hold", BLOCKLIST_INGRESS,
		{ C2S(40000), DATA4, .seq = 1 }, .ret = TC_ACT_OK, .counter = -1 });
	run_step(bl, &(struct hold_step){ "release mark without --hold", BLOCKLIST_EGRESS,
		{ C2S(40000), DATA4, .seq = 1 }, .mark = UE_RELEASE_MARK, .ret = TC_ACT_OK,
		.counter = -1 });
	blocklist_close(bl);
}

/* UDP whose payload starts with the 5 bytes HDR (flags, version), then zeros */
#define QUIC_PAYLOAD(hdr) .l4 = IPPROTO_UDP, \
	.payload = hdr "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", .payload_len = 29
#define QUIC_C2S(cport, hdr) .src = "10.0.0.2", .dst = "10.0.1.2", .sport = cport, .dport = 443, \
	QUIC_PAYLOAD(hdr)

/* QUIC: a client's first flight is held until the daemon releases it, the rest passes. */
void test_bpf_hold_quic_first_flight(void)
{
	struct blocklist *bl = open_hold(true, false, 0);
	const struct hold_step steps[] = {
		{ "v1 initial held", BLOCKLIST_INGRESS,
		  { QUIC_C2S(50000, "\xc3\x00\x00\x00\x01") }, 0, TC_ACT_SHOT,
		  UE_BLK_HOLD_HELD },
		{ "v2 initial held", BLOCKLIST_INGRESS,
		  { QUIC_C2S(50000, "\xd3\x6b\x33\x43\xcf") }, 0, TC_ACT_SHOT,
		  UE_BLK_HOLD_HELD },
		{ "released by the daemon, egress turns it", BLOCKLIST_EGRESS,
		  { QUIC_C2S(50000, "\xc3\x00\x00\x00\x01") }, UE_RELEASE_MARK,
		  TC_ACT_REDIRECT, UE_BLK_HOLD_TURNED },
		{ "released, ingress lets it in", BLOCKLIST_INGRESS,
		  { QUIC_C2S(50000, "\xc3\x00\x00\x00\x01") }, UE_RELEASE_MARK,
		  TC_ACT_OK, UE_BLK_HOLD_RELEASED },
		{ "handshake packet passes", BLOCKLIST_INGRESS,
		  { QUIC_C2S(50000, "\xe3\x00\x00\x00\x01") }, 0, TC_ACT_OK, -1 },
		{ "1-rtt packet passes", BLOCKLIST_INGRESS,
		  { QUIC_C2S(50000, "\x43\x00\x00\x00\x01") }, 0, TC_ACT_OK, -1 },
		{ "server initial passes", BLOCKLIST_INGRESS,
		  { .src = "10.0.1.2", .dst = "10.0.0.2", .sport = 443, .dport = 50000,
		    QUIC_PAYLOAD("\xc3\x00\x00\x00\x01") },
		  0, TC_ACT_OK, -1 },
	};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		run_step(bl, &steps[i]);
	/* blocked: dropped as blocked, before any hold */
	ASSERT_OK(blocklist_add(bl, &(struct flow_tuple){ .client = session(50000)->client,
		  .server = session(50000)->server, .client_port = 50000, .server_port = 443 },
		  0, UE_BLOCK_UDP));
	run_step(bl, &(struct hold_step){ "blocked connection's initial", BLOCKLIST_INGRESS,
		 steps[0].spec, 0, TC_ACT_SHOT, UE_BLK_DROP_INGRESS });
	blocklist_close(bl);
}
