/*
 * The blocklist TC programs in the kernel, through BPF_PROG_TEST_RUN, with
 * sessions blocked through the loader's blocklist_add(): one table of
 * frames, each with the hook it runs at, the verdict and the counter it
 * must bump. Then the map API on its own: add/remove/foreach.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/pkt_cls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "enforcer/enforce/blocklist.h"
#include "tests/harness.h"
#include "tests/unit/bpf_testrun.h"
#include "tests/unit/pktbuild.h"

/* Blocked: 10.0.0.2:40000 -> 10.0.1.2:80 and [fd00::2]:40000 -> [fd00:1::2]:443 */
#define V4_C2S .src = "10.0.0.2", .dst = "10.0.1.2", .sport = 40000, .dport = 80
#define V4_S2C .src = "10.0.1.2", .dst = "10.0.0.2", .sport = 80, .dport = 40000
#define V6_C2S .src = "fd00::2", .dst = "fd00:1::2", .sport = 40000, .dport = 443
#define V6_S2C .src = "fd00:1::2", .dst = "fd00::2", .sport = 443, .dport = 40000
#define DATA .tcp_flags = TH_ACK | TH_PUSH, .payload = "data", .payload_len = 4

struct blk_case {
	const char *name;
	enum blocklist_hook hook;
	struct pkt_spec spec;
	uint32_t mark;
	bool dropped;
	int counter;                   /* besides SEEN_*; -1: none */
	bool hits_v4;                  /* counts on the IPv4 session's drops */
};

static const struct blk_case cases[] = {
	{ "client to server, ingress", BLOCKLIST_INGRESS, { V4_C2S, DATA },
	  .dropped = true, .counter = UE_BLK_DROP_INGRESS, .hits_v4 = true },
	{ "server to client, egress", BLOCKLIST_EGRESS, { V4_S2C, DATA },
	  .dropped = true, .counter = UE_BLK_DROP_EGRESS, .hits_v4 = true },
	{ "server to client, ingress", BLOCKLIST_INGRESS, { V4_S2C, .tcp_flags = TH_ACK },
	  .dropped = true, .counter = UE_BLK_DROP_INGRESS, .hits_v4 = true },
	{ "client syn, egress", BLOCKLIST_EGRESS, { V4_C2S, .tcp_flags = TH_SYN },
	  .dropped = true, .counter = UE_BLK_DROP_EGRESS, .hits_v4 = true },
	{ "802.1Q", BLOCKLIST_INGRESS, { V4_C2S, DATA, .n_vlan = 1, .vlan = { 7 } },
	  .dropped = true, .counter = UE_BLK_DROP_INGRESS, .hits_v4 = true },
	{ "QinQ", BLOCKLIST_EGRESS, { V4_S2C, DATA, .n_vlan = 2, .vlan = { 7, 8 } },
	  .dropped = true, .counter = UE_BLK_DROP_EGRESS, .hits_v4 = true },
	{ "ipv4 options", BLOCKLIST_INGRESS, { V4_C2S, DATA,
	  .ip_options = "\x01\x01\x01\x00", .ip_options_len = 4 },
	  .dropped = true, .counter = UE_BLK_DROP_INGRESS, .hits_v4 = true },
	{ "ipv4 first fragment", BLOCKLIST_INGRESS, { V4_C2S, DATA, .more_fragments = 1 },
	  .dropped = true, .counter = UE_BLK_DROP_INGRESS, .hits_v4 = true },
	{ "ipv6 client to server", BLOCKLIST_INGRESS, { V6_C2S, DATA },
	  .dropped = true, .counter = UE_BLK_DROP_INGRESS },
	{ "ipv6 server to client, extension headers", BLOCKLIST_EGRESS,
	  { V6_S2C, DATA, .n_ext = 3, .ext = { IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_DSTOPTS } },
	  .dropped = true, .counter = UE_BLK_DROP_EGRESS },
	{ "ipv6 first fragment", BLOCKLIST_EGRESS,
	  { V6_S2C, DATA, .n_ext = 1, .ext = { IPPROTO_FRAGMENT }, .more_fragments = 1 },
	  .dropped = true, .counter = UE_BLK_DROP_EGRESS },
	{ "neighbour session: other client port", BLOCKLIST_INGRESS,
	  { .src = "10.0.0.2", .dst = "10.0.1.2", .sport = 40001, .dport = 80, DATA },
	  .counter = -1 },
	{ "neighbour session: other server port", BLOCKLIST_EGRESS,
	  { .src = "10.0.1.2", .dst = "10.0.0.2", .sport = 8080, .dport = 40000, DATA },
	  .counter = -1 },
	{ "neighbour session: other server", BLOCKLIST_INGRESS,
	  { .src = "10.0.0.2", .dst = "10.0.1.3", .sport = 40000, .dport = 80, DATA },
	  .counter = -1 },
	{ "same ports over udp", BLOCKLIST_INGRESS,
	  { V4_C2S, .l4 = IPPROTO_UDP, .payload = "x", .payload_len = 1 }, .counter = -1 },
	{ "ipv6 neighbour session", BLOCKLIST_INGRESS,
	  { .src = "fd00::2", .dst = "fd00:1::2", .sport = 40002, .dport = 443, DATA },
	  .counter = -1 },
	{ "later fragment (no ports to match)", BLOCKLIST_INGRESS,
	  { V4_C2S, DATA, .frag_offset = 1480 }, .counter = -1 },
	{ "inject mark passes a blocked session", BLOCKLIST_EGRESS,
	  { V4_S2C, .tcp_flags = TH_RST }, .mark = UE_INJECT_MARK, .counter = UE_BLK_INJECTED },
	{ "inject mark at ingress", BLOCKLIST_INGRESS,
	  { V6_C2S, .tcp_flags = TH_RST }, .mark = UE_INJECT_MARK, .counter = UE_BLK_INJECTED },
	{ "another mark is dropped", BLOCKLIST_EGRESS,
	  { V4_S2C, .tcp_flags = TH_RST }, .mark = 1,
	  .dropped = true, .counter = UE_BLK_DROP_EGRESS, .hits_v4 = true },
};

static const struct flow_tuple *tuple(const char *client, uint16_t cport,
				      const char *server, uint16_t sport)
{
	static struct flow_tuple t;

	memset(&t, 0, sizeof(t));
	/* the v4-mapped form the daemon uses for IPv4 */
	if (strchr(client, ':')) {
		ASSERT_EQ(inet_pton(AF_INET6, client, &t.client), 1);
		ASSERT_EQ(inet_pton(AF_INET6, server, &t.server), 1);
	} else {
		t.client.s6_addr[10] = t.client.s6_addr[11] = 0xff;
		t.server.s6_addr[10] = t.server.s6_addr[11] = 0xff;
		ASSERT_EQ(inet_pton(AF_INET, client, &t.client.s6_addr[12]), 1);
		ASSERT_EQ(inet_pton(AF_INET, server, &t.server.s6_addr[12]), 1);
	}
	t.client_port = cport;
	t.server_port = sport;
	return &t;
}

static struct blocklist *open_blocklist(void)
{
	struct blocklist *bl;

	require_root();
	bl = blocklist_open(&(struct blocklist_config){ .max_entries = 1024 });
	if (!bl)
		bpf_load_failed("blocklist", errno);
	return bl;
}

static void run_case(struct blocklist *bl, const struct blk_case *c)
{
	uint64_t before[UE_BLK_COUNTER_MAX], after[UE_BLK_COUNTER_MAX];
	int seen = c->hook == BLOCKLIST_EGRESS ? UE_BLK_SEEN_EGRESS : UE_BLK_SEEN_INGRESS;
	uint8_t f[PKT_MAX];
	size_t len = pkt_build(&c->spec, f, sizeof(f));
	uint32_t ret;
	int err;

	if (!len)
		harness_fail(__FILE__, __LINE__, "%s: pkt_build refused the spec", c->name);
	ASSERT_OK(blocklist_counters(bl, before));
	err = bpf_testrun(blocklist_prog_fd(bl, c->hook), f, len, c->mark, &ret);
	if (err)
		harness_fail(__FILE__, __LINE__, "%s: test run failed: %s", c->name, strerror(-err));
	ASSERT_OK(blocklist_counters(bl, after));
	if (ret != (uint32_t)(c->dropped ? TC_ACT_SHOT : TC_ACT_OK))
		harness_fail(__FILE__, __LINE__, "%s: returned %u", c->name, ret);
	for (int i = 0; i < UE_BLK_COUNTER_MAX; i++) {
		uint64_t want = (i == seen) + (i == c->counter);

		if (after[i] - before[i] != want)
			harness_fail(__FILE__, __LINE__, "%s: counter %d moved by %llu, expected %llu",
				     c->name, i, (unsigned long long)(after[i] - before[i]),
				     (unsigned long long)want);
	}
}

struct find {
	struct flow_tuple want;
	struct ue_block_value got;
	unsigned found, seen;
};

static int find_cb(const struct flow_tuple *t, const struct ue_block_value *v, void *arg)
{
	struct find *f = arg;

	f->seen++;
	if (!memcmp(t, &f->want, sizeof(*t))) {
		f->found++;
		f->got = *v;
	}
	return 0;
}

static struct find find_block(struct blocklist *bl, const struct flow_tuple *t)
{
	struct find f = { .want = *t };

	ASSERT_OK(blocklist_foreach(bl, find_cb, &f));
	return f;
}

void test_bpf_blocklist_table(void)
{
	struct blocklist *bl = open_blocklist();
	uint64_t v4_drops = 0;
	struct find f;

	ASSERT_OK(blocklist_add(bl, tuple("10.0.0.2", 40000, "10.0.1.2", 80), 7, 0));
	ASSERT_OK(blocklist_add(bl, tuple("fd00::2", 40000, "fd00:1::2", 443), 8, UE_BLOCK_RESET));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_case(bl, &cases[i]);
		v4_drops += cases[i].hits_v4;
	}
	/* each drop was counted on the session's entry, and stamped */
	f = find_block(bl, tuple("10.0.0.2", 40000, "10.0.1.2", 80));
	ASSERT_EQ(f.found, 1);
	ASSERT_EQ(f.got.drops, v4_drops);
	ASSERT_EQ(f.got.rule_hash, 7);
	ASSERT_TRUE(f.got.last_hit_ns > f.got.created_ns);
	blocklist_close(bl);
}

void test_bpf_blocklist_add_remove_list(void)
{
	struct blocklist *bl = open_blocklist();
	/* one tuple whose client is the key's lo endpoint, one whose client is hi */
	const struct flow_tuple lo = *tuple("10.0.0.2", 40000, "10.0.1.2", 80);
	const struct flow_tuple hi = *tuple("fd00:9::2", 50000, "fd00:1::2", 443);
	struct find f;

	ASSERT_OK(blocklist_add(bl, &lo, 1, 0));
	ASSERT_OK(blocklist_add(bl, &hi, 2, UE_BLOCK_RESET));
	ASSERT_OK(blocklist_add(bl, &hi, 3, 0));      /* already blocked: kept as it was */

	f = find_block(bl, &hi);
	ASSERT_EQ(f.seen, 2);
	ASSERT_EQ(f.found, 1);                        /* listed as client -> server */
	ASSERT_EQ(f.got.rule_hash, 2);
	ASSERT_EQ(f.got.flags & UE_BLOCK_RESET, UE_BLOCK_RESET);
	ASSERT_EQ(f.got.drops, 0);
	ASSERT_EQ(find_block(bl, &lo).found, 1);

	ASSERT_OK(blocklist_remove(bl, &lo, IPPROTO_TCP));
	ASSERT_EQ(blocklist_remove(bl, &lo, IPPROTO_TCP), -ENOENT);
	f = find_block(bl, &lo);
	ASSERT_EQ(f.found, 0);
	ASSERT_EQ(f.seen, 1);
	blocklist_close(bl);
}

static int remove_cb(const struct flow_tuple *t, const struct ue_block_value *v, void *arg)
{
	(void)v;
	return blocklist_remove(arg, t, IPPROTO_TCP);
}

static int stop_cb(const struct flow_tuple *t, const struct ue_block_value *v, void *arg)
{
	(void)t, (void)v;
	++*(int *)arg;
	return 42;
}

/* more entries than one batch read (FOREACH_BATCH): each seen once */
void test_bpf_blocklist_foreach_may_remove_and_stop(void)
{
	struct blocklist *bl = open_blocklist();
	struct find f;
	int calls = 0;

	for (uint16_t port = 1000; port < 2000; port++)
		ASSERT_OK(blocklist_add(bl, tuple("10.0.0.2", port, "10.0.1.2", 443), port, 0));
	f = find_block(bl, tuple("10.0.0.2", 1999, "10.0.1.2", 443));
	ASSERT_EQ(f.seen, 1000);
	ASSERT_EQ(f.found, 1);
	ASSERT_EQ(f.got.rule_hash, 1999);
	ASSERT_EQ(blocklist_foreach(bl, stop_cb, &calls), 42);
	ASSERT_EQ(calls, 1);
	ASSERT_OK(blocklist_foreach(bl, remove_cb, bl));
	ASSERT_EQ(find_block(bl, tuple("10.0.0.2", 1000, "10.0.1.2", 443)).seen, 0);
	blocklist_close(bl);
}

static struct blocklist *open_configured(const struct blocklist_config *cfg)
{
	struct blocklist *bl;

	require_root();
	bl = blocklist_open(cfg);
	if (!bl)
		bpf_load_failed("blocklist", errno);
	return bl;
}

static struct blocklist_config tapped_config(bool fail_closed, uint32_t timeout_ms)
{
	struct blocklist_config cfg = { .max_entries = 64, .fail_closed = fail_closed,
					.heartbeat_timeout_ms = timeout_ms };

	ASSERT_OK(port_set_parse(&cfg.http_ports, "80,8080"));
	ASSERT_OK(port_set_parse(&cfg.tls_ports, "443"));
	return cfg;
}

static struct client_prefix prefix(const char *addr, unsigned len)
{
	struct client_prefix p = { .len = len };
	const struct flow_tuple *t = tuple(addr, 0, addr, 0);   /* v4-mapped for IPv4 */

	p.addr = t->client;
	return p;
}

#define QUIC(s, d) .src = s, .dst = d, .l4 = IPPROTO_UDP, .payload = "\xc0quic", .payload_len = 5

static const struct blk_case quic_cases[] = {
	{ "quic from a listed ipv4 client", BLOCKLIST_INGRESS,
	  { QUIC("10.0.0.2", "10.0.1.2"), .sport = 50000, .dport = 443 },
	  .dropped = true, .counter = UE_BLK_QUIC_DROP },
	{ "quic at egress (host placement)", BLOCKLIST_EGRESS,
	  { QUIC("10.9.9.9", "192.0.2.1"), .sport = 50000, .dport = 443 },
	  .dropped = true, .counter = UE_BLK_QUIC_DROP },
	{ "quic in QinQ", BLOCKLIST_INGRESS,
	  { QUIC("10.0.0.2", "10.0.1.2"), .sport = 50000, .dport = 443, .n_vlan = 2,
	    .vlan = { 3, 4 } }, .dropped = true, .counter = UE_BLK_QUIC_DROP },
	{ "quic from a listed ipv6 client", BLOCKLIST_INGRESS,
	  { QUIC("fd00:5::9", "fd00:1::2"), .sport = 50000, .dport = 443,
	    .n_ext = 1, .ext = { IPPROTO_DSTOPTS } }, .dropped = true, .counter = UE_BLK_QUIC_DROP },
	{ "quic from another client", BLOCKLIST_INGRESS,
	  { QUIC("192.168.1.2", "10.0.1.2"), .sport = 50000, .dport = 443 }, .counter = -1 },
	{ "quic from another ipv6 client", BLOCKLIST_INGRESS,
	  { QUIC("fd00:6::9", "fd00:1::2"), .sport = 50000, .dport = 443 }, .counter = -1 },
	{ "udp to another port", BLOCKLIST_INGRESS,
	  { QUIC("10.0.0.2", "10.0.1.2"), .sport = 50000, .dport = 8443 }, .counter = -1 },
	{ "quic server to client", BLOCKLIST_EGRESS,
	  { QUIC("10.0.1.2", "10.0.0.2"), .sport = 443, .dport = 50000 }, .counter = -1 },
	{ "tcp to the tls port", BLOCKLIST_INGRESS,
	  { .src = "10.0.0.2", .dst = "10.0.1.2", .sport = 50000, .dport = 443,
	    .tcp_flags = TH_SYN }, .counter = -1 },
};

void test_bpf_blocklist_quic(void)
{
	struct blocklist_config cfg = tapped_config(false, 0);
	struct blocklist *bl = open_configured(&cfg);
	const struct client_prefix set[] = {
		prefix("10.77.1.1", 96 + 8),       /* 10.0.0.0/8, host bits ignored */
		prefix("fd00:5::", 32),
	};
	const struct client_prefix one[] = { prefix("10.0.0.2", 128) };
	struct client_prefix bad = prefix("::", 129);

	for (size_t i = 0; i < sizeof(quic_cases) / sizeof(quic_cases[0]); i++)
		if (quic_cases[i].dropped)
			run_case(bl, &(struct blk_case){ .name = "before any quic rule",
				 .hook = quic_cases[i].hook, .spec = quic_cases[i].spec,
				 .counter = -1 });
	ASSERT_OK(blocklist_quic_clients_set(bl, set, 2));
	for (size_t i = 0; i < sizeof(quic_cases) / sizeof(quic_cases[0]); i++)
		run_case(bl, &quic_cases[i]);

	/* replaced by one host: the rest of 10/8 and fd00:5::/32 are free again */
	ASSERT_OK(blocklist_quic_clients_set(bl, one, 1));
	run_case(bl, &quic_cases[0]);
	run_case(bl, &(struct blk_case){ "quic from 10.0.0.3 after the change", BLOCKLIST_INGRESS,
		 { QUIC("10.0.0.3", "10.0.1.2"), .sport = 50000, .dport = 443 }, .counter = -1 });
	run_case(bl, &(struct blk_case){ "quic from fd00:5::9 after the change", BLOCKLIST_INGRESS,
		 quic_cases[3].spec, .counter = -1 });

	ASSERT_OK(blocklist_quic_clients_set(bl, NULL, 0));
	run_case(bl, &(struct blk_case){ "quic after the rules went", BLOCKLIST_INGRESS,
		 quic_cases[0].spec, .counter = -1 });
	ASSERT_EQ(blocklist_quic_clients_set(bl, &bad, 1), -EINVAL);
	ASSERT_EQ(blocklist_quic_clients_set(bl, set, UE_QUIC_MAX_PREFIXES + 1), -E2BIG);
	blocklist_close(bl);
}

/* A QUIC connection blocked by its 4-tuple: both directions, not its TCP twin. */
void test_bpf_blocklist_quic_connection(void)
{
	struct blocklist *bl = open_blocklist();
	const struct flow_tuple *t = tuple("10.0.0.2", 50000, "10.0.1.2", 443);
	const struct blk_case udp_cases[] = {
		{ "blocked quic, client to server", BLOCKLIST_INGRESS,
		  { QUIC("10.0.0.2", "10.0.1.2"), .sport = 50000, .dport = 443 },
		  .dropped = true, .counter = UE_BLK_DROP_INGRESS },
		{ "blocked quic, server to client", BLOCKLIST_EGRESS,
		  { QUIC("10.0.1.2", "10.0.0.2"), .sport = 443, .dport = 50000 },
		  .dropped = true, .counter = UE_BLK_DROP_EGRESS },
		{ "tcp on the same ports", BLOCKLIST_INGRESS,
		  { .src = "10.0.0.2", .dst = "10.0.1.2", .sport = 50000, .dport = 443, DATA },
		  .counter = -1 },
		{ "another quic connection", BLOCKLIST_INGRESS,
		  { QUIC("10.0.0.2", "10.0.1.2"), .sport = 50001, .dport = 443 }, .counter = -1 },
	};

	ASSERT_OK(blocklist_add(bl, t, 5, UE_BLOCK_UDP));
	ASSERT_TRUE(blocklist_contains(bl, t, IPPROTO_UDP));
	ASSERT_TRUE(!blocklist_contains(bl, t, IPPROTO_TCP));
	for (size_t i = 0; i < sizeof(udp_cases) / sizeof(udp_cases[0]); i++)
		run_case(bl, &udp_cases[i]);
	ASSERT_EQ(blocklist_remove(bl, t, IPPROTO_TCP), -ENOENT);
	ASSERT_OK(blocklist_remove(bl, t, IPPROTO_UDP));
	run_case(bl, &(struct blk_case){ "unblocked quic", BLOCKLIST_INGRESS, udp_cases[0].spec,
		 .counter = -1 });
	blocklist_close(bl);
}

#define SYN_TO(port) .src = "10.0.0.2", .dst = "10.0.1.2", .sport = 50000, .dport = port, \
	.tcp_flags = TH_SYN

static const struct blk_case stale_cases[] = {
	{ "new session to an http port", BLOCKLIST_INGRESS, { SYN_TO(80) },
	  .dropped = true, .counter = UE_BLK_FAIL_CLOSED_DROP },
	{ "new ipv6 session to the tls port, egress", BLOCKLIST_EGRESS,
	  { .src = "fd00::2", .dst = "fd00:1::2", .sport = 50000, .dport = 443,
	    .tcp_flags = TH_SYN }, .dropped = true, .counter = UE_BLK_FAIL_CLOSED_DROP },
	{ "new session to an untapped port", BLOCKLIST_INGRESS, { SYN_TO(22) }, .counter = -1 },
	{ "syn-ack of a session under way", BLOCKLIST_EGRESS,
	  { .src = "10.0.1.2", .dst = "10.0.0.2", .sport = 80, .dport = 50000,
	    .tcp_flags = TH_SYN | TH_ACK }, .counter = -1 },
	{ "data of a session under way", BLOCKLIST_INGRESS,
	  { .src = "10.0.0.2", .dst = "10.0.1.2", .sport = 50001, .dport = 80, DATA },
	  .counter = -1 },
	{ "a blocked session keeps dropping", BLOCKLIST_INGRESS, { V4_C2S, DATA },
	  .dropped = true, .counter = UE_BLK_DROP_INGRESS },
	{ "the daemon's own syn", BLOCKLIST_EGRESS, { SYN_TO(80) },
	  .mark = UE_INJECT_MARK, .counter = UE_BLK_INJECTED },
};

static void sleep_past(uint32_t ms)
{
	struct timespec ts = { .tv_nsec = (ms + 5) * 1000000L };

	nanosleep(&ts, NULL);
}

void test_bpf_blocklist_fail_closed_stale_heartbeat(void)
{
	struct blocklist_config cfg = tapped_config(true, 1);
	struct blocklist *bl = open_configured(&cfg);

	ASSERT_OK(blocklist_add(bl, tuple("10.0.0.2", 40000, "10.0.1.2", 80), 0, 0));
	sleep_past(1);        /* the heartbeat renewed at load is now older than 1 ms */
	for (size_t i = 0; i < sizeof(stale_cases) / sizeof(stale_cases[0]); i++)
		run_case(bl, &stale_cases[i]);
	blocklist_close(bl);
}

void test_bpf_blocklist_fail_closed_live_heartbeat(void)
{
	struct blocklist_config cfg = tapped_config(true, 3600 * 1000);
	struct blocklist *bl = open_configured(&cfg);

	ASSERT_OK(blocklist_heartbeat_renew(bl));
	run_case(bl, &(struct blk_case){ "heartbeat fresh: new session passes",
		 BLOCKLIST_INGRESS, { SYN_TO(80) }, .counter = -1 });
	blocklist_close(bl);
}

void test_bpf_blocklist_fail_open_ignores_heartbeat(void)
{
	struct blocklist_config cfg = tapped_config(false, 1);
	struct blocklist *bl = open_configured(&cfg);

	sleep_past(1);
	run_case(bl, &(struct blk_case){ "fail open, heartbeat stale: new session passes",
		 BLOCKLIST_INGRESS, { SYN_TO(443) }, .counter = -1 });
	blocklist_close(bl);
}

static const struct blk_case fragment_cases[] = {
	{ "ipv6 first fragment to a tapped port", BLOCKLIST_INGRESS,
	  { V6_C2S, DATA, .n_ext = 1, .ext = { IPPROTO_FRAGMENT }, .more_fragments = 1 },
	  .dropped = true, .counter = UE_BLK_FRAGMENT_DROP },
	{ "ipv6 first fragment after other headers, egress", BLOCKLIST_EGRESS,
	  { .src = "fd00::7", .dst = "fd00:1::2", .sport = 40000, .dport = 80, DATA, .n_ext = 2,
	    .ext = { IPPROTO_DSTOPTS, IPPROTO_FRAGMENT }, .more_fragments = 1 },
	  .dropped = true, .counter = UE_BLK_FRAGMENT_DROP },
	{ "ipv6 later fragment (nothing to reassemble without the first)", BLOCKLIST_INGRESS,
	  { V6_C2S, DATA, .n_ext = 1, .ext = { IPPROTO_FRAGMENT }, .frag_offset = 1232 },
	  .counter = -1 },
	{ "ipv6 first fragment to an untapped port", BLOCKLIST_INGRESS,
	  { .src = "fd00::2", .dst = "fd00:1::2", .sport = 40000, .dport = 22, DATA, .n_ext = 1,
	    .ext = { IPPROTO_FRAGMENT }, .more_fragments = 1 }, .counter = -1 },
	{ "ipv6 first fragment from the server", BLOCKLIST_EGRESS,
	  { V6_S2C, DATA, .n_ext = 1, .ext = { IPPROTO_FRAGMENT }, .more_fragments = 1 },
	  .counter = -1 },
	{ "ipv6 udp fragment to the tls port", BLOCKLIST_INGRESS,
	  { QUIC("fd00::2", "fd00:1::2"), .sport = 50000, .dport = 443, .n_ext = 1,
	    .ext = { IPPROTO_FRAGMENT }, .more_fragments = 1 }, .counter = -1 },
	{ "ipv4 first fragment to a tapped port (the capture reassembles IPv4)",
	  BLOCKLIST_INGRESS, { V4_C2S, DATA, .more_fragments = 1 }, .counter = -1 },
};

void test_bpf_blocklist_ipv6_fragments_to_tapped_ports(void)
{
	struct blocklist_config cfg = tapped_config(false, 0);
	struct blocklist *bl = open_configured(&cfg);

	for (size_t i = 0; i < sizeof(fragment_cases) / sizeof(fragment_cases[0]); i++)
		run_case(bl, &fragment_cases[i]);
	blocklist_close(bl);
}

/* A daemon that blocks T with its map pinned at PATH, then dies without a word. */
static void crash_with_block(const char *path, uint32_t size, const struct flow_tuple *t)
{
	pid_t pid = fork();
	int status;

	ASSERT_TRUE(pid >= 0);
	if (pid == 0) {
		struct blocklist *bl = blocklist_open(&(struct blocklist_config){
			.max_entries = size, .pin_path = path });

		_exit(!bl || blocklist_pin_status(bl) < 0 || blocklist_add(bl, t, 3, 0) ? 1 : 0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

void test_bpf_blocklist_pinned_blocks_outlive_a_crash(void)
{
	char fs[] = "/tmp/ue-bpffs-XXXXXX", path[64];
	const struct flow_tuple t = *tuple("10.0.0.2", 40000, "10.0.1.2", 80);
	struct blocklist *bl;

	require_root();
	ASSERT_TRUE(mkdtemp(fs) != NULL);
	if (mount("bpf", fs, "bpf", 0, NULL)) {
		rmdir(fs);
		harness_fail(__FILE__, __LINE__, "mounting a BPF file system as root: %s",
			     strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/ue/blocklist", fs);

	crash_with_block(path, 1024, &t);
	bl = blocklist_open(&(struct blocklist_config){ .max_entries = 1024, .pin_path = path });
	ASSERT_TRUE(bl != NULL);
	ASSERT_EQ(blocklist_pin_status(bl), 1);
	ASSERT_TRUE(blocklist_contains(bl, &t, IPPROTO_TCP));
	blocklist_close(bl);                   /* a clean stop forgets them */
	ASSERT_EQ(access(path, F_OK), -1);

	crash_with_block(path, 1024, &t);      /* another size: a new, empty map */
	bl = blocklist_open(&(struct blocklist_config){ .max_entries = 2048, .pin_path = path });
	ASSERT_TRUE(bl != NULL);
	ASSERT_EQ(blocklist_pin_status(bl), 0);
	ASSERT_TRUE(!blocklist_contains(bl, &t, IPPROTO_TCP));
	blocklist_close(bl);

	bl = blocklist_open(&(struct blocklist_config){ .max_entries = 64,
			    .pin_path = "/tmp/not-a-bpf-fs/blocklist" });
	ASSERT_TRUE(bl != NULL);
	ASSERT_EQ(blocklist_pin_status(bl), -EINVAL);
	blocklist_close(bl);
	ASSERT_OK(umount(fs));
	ASSERT_OK(rmdir(fs));
}

/* A reset session's port opened anew passes and unblocks; a drop block does not. */
void test_bpf_blocklist_reset_port_reuse(void)
{
	struct blocklist *bl = open_blocklist();
	const struct pkt_spec syn = { V4_C2S, .tcp_flags = TH_SYN };
	const struct pkt_spec synack = { V4_S2C, .tcp_flags = TH_SYN | TH_ACK };
	uint64_t before[UE_BLK_COUNTER_MAX], after[UE_BLK_COUNTER_MAX];
	int in = blocklist_prog_fd(bl, BLOCKLIST_INGRESS);
	uint8_t f[PKT_MAX];
	uint32_t ret;

	ASSERT_OK(blocklist_add(bl, tuple("10.0.0.2", 40000, "10.0.1.2", 80), 1, UE_BLOCK_RESET));
	ASSERT_OK(blocklist_counters(bl, before));
	/* a SYN-ACK is no new session: still dropped */
	ASSERT_OK(bpf_testrun(in, f, pkt_build(&synack, f, sizeof(f)), 0, &ret));
	ASSERT_EQ(ret, TC_ACT_SHOT);
	ASSERT_OK(bpf_testrun(in, f, pkt_build(&syn, f, sizeof(f)), 0, &ret));
	ASSERT_EQ(ret, TC_ACT_OK);
	ASSERT_OK(blocklist_counters(bl, after));
	ASSERT_EQ(after[UE_BLK_PORT_REUSED] - before[UE_BLK_PORT_REUSED], 1);
	ASSERT_EQ(find_block(bl, tuple("10.0.0.2", 40000, "10.0.1.2", 80)).found, 0);

	ASSERT_OK(blocklist_add(bl, tuple("10.0.0.2", 40000, "10.0.1.2", 80), 1, 0));
	ASSERT_OK(bpf_testrun(in, f, pkt_build(&syn, f, sizeof(f)), 0, &ret));
	ASSERT_EQ(ret, TC_ACT_SHOT);
	ASSERT_EQ(find_block(bl, tuple("10.0.0.2", 40000, "10.0.1.2", 80)).found, 1);
	blocklist_close(bl);
}

/* A paused client (10.0.0.0/24, fd00:7::/64) and a neighbour (10.0.9.2). */
#define PAUSED_TCP(dp, ...) .src = "10.0.0.2", .dst = "10.0.1.2", .sport = 41000, .dport = dp, __VA_ARGS__
#define ICMP_ECHO .payload = "\x08\x00\x00\x00\x00\x01\x00\x01", .payload_len = 8
#define ICMP6_TYPE(t) .payload = t "\x00\x00\x00\x00\x00\x00", .payload_len = 8

static const struct blk_case pause_cases[] = {
	{ "ping from a paused client", BLOCKLIST_INGRESS,
	  { .src = "10.0.0.2", .dst = "10.0.1.2", .l4 = IPPROTO_ICMP, ICMP_ECHO },
	  .dropped = true, .counter = UE_BLK_PAUSE_DROP },
	{ "udp from a paused client", BLOCKLIST_INGRESS,
	  { .src = "10.0.0.2", .dst = "10.0.1.2", .l4 = IPPROTO_UDP, .sport = 5000, .dport = 9999,
	    .payload = "x", .payload_len = 1 }, .dropped = true, .counter = UE_BLK_PAUSE_DROP },
	{ "quic from a paused client", BLOCKLIST_INGRESS,
	  { QUIC("10.0.0.2", "10.0.1.2"), .sport = 50000, .dport = 443 },
	  .dropped = true, .counter = UE_BLK_PAUSE_DROP },
	{ "tcp 443 syn from a paused client", BLOCKLIST_INGRESS,
	  { PAUSED_TCP(443, .tcp_flags = TH_SYN) }, .dropped = true, .counter = UE_BLK_PAUSE_DROP },
	{ "tcp 443 data of an open session", BLOCKLIST_INGRESS,
	  { PAUSED_TCP(443, DATA) }, .dropped = true, .counter = UE_BLK_PAUSE_DROP },
	{ "host placement: egress from the paused host", BLOCKLIST_EGRESS,
	  { PAUSED_TCP(22, .tcp_flags = TH_SYN) }, .dropped = true, .counter = UE_BLK_PAUSE_DROP },
	{ "ipv6 ping from a paused client", BLOCKLIST_INGRESS,
	  { .src = "fd00:7::2", .dst = "fd00:1::2", .l4 = IPPROTO_ICMPV6, ICMP6_TYPE("\x80") },
	  .dropped = true, .counter = UE_BLK_PAUSE_DROP },
	{ "ipv6 tcp 443 behind extension headers", BLOCKLIST_INGRESS,
	  { .src = "fd00:7::2", .dst = "fd00:1::2", .sport = 41000, .dport = 443,
	    .tcp_flags = TH_SYN, .n_ext = 1, .ext = { IPPROTO_DSTOPTS } },
	  .dropped = true, .counter = UE_BLK_PAUSE_DROP },
	{ "dns over udp passes", BLOCKLIST_INGRESS,
	  { .src = "10.0.0.2", .dst = "10.0.1.2", .l4 = IPPROTO_UDP, .sport = 5000, .dport = 53,
	    .payload = "q", .payload_len = 1 }, .counter = -1 },
	{ "dns over tcp passes", BLOCKLIST_INGRESS,
	  { PAUSED_TCP(53, DATA) }, .counter = -1 },
	{ "dhcp passes", BLOCKLIST_INGRESS,
	  { .src = "10.0.0.2", .dst = "10.0.1.2", .l4 = IPPROTO_UDP, .sport = 68, .dport = 67,
	    .payload = "d", .payload_len = 1 }, .counter = -1 },
	{ "dhcpv6 passes", BLOCKLIST_INGRESS,
	  { .src = "fd00:7::2", .dst = "fd00:1::2", .l4 = IPPROTO_UDP, .sport = 546,
	    .dport = 547, .payload = "d", .payload_len = 1 }, .counter = -1 },
	{ "ipv6 neighbour solicitation passes", BLOCKLIST_INGRESS,
	  { .src = "fd00:7::2", .dst = "fd00:1::2", .l4 = IPPROTO_ICMPV6, ICMP6_TYPE("\x87") },
	  .counter = -1 },
	{ "tcp 80 handshake passes", BLOCKLIST_INGRESS,
	  { PAUSED_TCP(80, .tcp_flags = TH_SYN) }, .counter = -1 },
	{ "tcp 8080 ack passes", BLOCKLIST_INGRESS,
	  { PAUSED_TCP(8080, .tcp_flags = TH_ACK) }, .counter = -1 },
	{ "tcp 80 request dropped at ingress (the tap has it: the page answers)",
	  BLOCKLIST_INGRESS, { PAUSED_TCP(80, DATA) }, .dropped = true,
	  .counter = UE_BLK_PAUSE_DROP },
	{ "tcp 80 request at egress passes (host placement: the tap comes after)",
	  BLOCKLIST_EGRESS, { PAUSED_TCP(80, DATA) }, .counter = -1 },
	{ "the neighbour pings", BLOCKLIST_INGRESS,
	  { .src = "10.0.9.2", .dst = "10.0.1.2", .l4 = IPPROTO_ICMP, ICMP_ECHO }, .counter = -1 },
	{ "the neighbour's tcp 443", BLOCKLIST_INGRESS,
	  { .src = "10.0.9.2", .dst = "10.0.1.2", .sport = 41000, .dport = 443,
	    .tcp_flags = TH_SYN }, .counter = -1 },
	{ "replies to the paused client pass", BLOCKLIST_EGRESS,
	  { .src = "10.0.1.2", .dst = "10.0.0.2", .sport = 443, .dport = 41000,
	    .tcp_flags = TH_ACK }, .counter = -1 },
};

void test_bpf_blocklist_pause(void)
{
	struct blocklist_config cfg = tapped_config(false, 0);
	struct blocklist *bl = open_configured(&cfg);
	const struct client_prefix set[] = {
		prefix("10.0.0.0", 96 + 24), prefix("fd00:7::", 64),
	};

	for (size_t i = 0; i < sizeof(pause_cases) / sizeof(pause_cases[0]); i++)
		if (pause_cases[i].dropped)
			run_case(bl, &(struct blk_case){ .name = "before the pause",
				 .hook = pause_cases[i].hook, .spec = pause_cases[i].spec,
				 .counter = -1 });
	ASSERT_OK(blocklist_paused_clients_set(bl, set, 2));
	for (size_t i = 0; i < sizeof(pause_cases) / sizeof(pause_cases[0]); i++)
		run_case(bl, &pause_cases[i]);
	ASSERT_OK(blocklist_paused_clients_set(bl, NULL, 0));
	run_case(bl, &(struct blk_case){ "ping after the resume", BLOCKLIST_INGRESS,
		 pause_cases[0].spec, .counter = -1 });
	ASSERT_EQ(blocklist_paused_clients_set(bl, set, UE_PAUSE_MAX_PREFIXES + 1), -E2BIG);
	blocklist_close(bl);
}
