/*
 * Conntrack DESTROY events: messages built here the way ctnetlink lays them
 * out, parsed back; the watch socket itself needs root.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "enforcer/enforce/conntrack.h"
#include "tests/harness.h"

/* What one test message carries; attributes set to 0 are left out. */
struct event_spec {
	uint16_t msg_type;        /* IPCTNL_MSG_CT_* */
	uint8_t family;
	const char *src, *dst;
	size_t addr_len;          /* bytes put in each address attribute */
	uint8_t l4proto;
	uint16_t sport, dport;    /* 0: attribute left out */
};

static void put_tuple(struct nlmsghdr *nlh, uint16_t type, const struct event_spec *e,
		      bool reverse)
{
	uint8_t src[16], dst[16];
	int af = e->family == AF_INET ? AF_INET : AF_INET6;
	struct nlattr *tuple = mnl_attr_nest_start(nlh, type);
	struct nlattr *nest = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	uint16_t sport = reverse ? e->dport : e->sport;
	uint16_t dport = reverse ? e->sport : e->dport;

	ASSERT_EQ(inet_pton(af, reverse ? e->dst : e->src, src), 1);
	ASSERT_EQ(inet_pton(af, reverse ? e->src : e->dst, dst), 1);
	mnl_attr_put(nlh, af == AF_INET ? CTA_IP_V4_SRC : CTA_IP_V6_SRC, e->addr_len, src);
	mnl_attr_put(nlh, af == AF_INET ? CTA_IP_V4_DST : CTA_IP_V6_DST, e->addr_len, dst);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, e->l4proto);
	if (sport)
		mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	if (dport)
		mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_nest_end(nlh, tuple);
}

/* An event as ctnetlink sends it: original and reply tuples, then more. */
static struct nlmsghdr *build_event(void *buf, const struct event_spec *e)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = NFNL_SUBSYS_CTNETLINK << 8 | e->msg_type;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = e->family;
	nfg->version = NFNETLINK_V0;
	put_tuple(nlh, CTA_TUPLE_ORIG, e, false);
	put_tuple(nlh, CTA_TUPLE_REPLY, e, true);
	mnl_attr_put_u32(nlh, CTA_ID, htonl(42));
	return nlh;
}

static const struct event_spec tcp4_end = {
	.msg_type = IPCTNL_MSG_CT_DELETE, .family = AF_INET,
	.src = "10.77.1.2", .dst = "10.77.2.2", .addr_len = 4,
	.l4proto = IPPROTO_TCP, .sport = 40312, .dport = 8080,
};

void test_conntrack_parses_ipv4_destroy(void)
{
	uint8_t buf[1024];
	struct flow_tuple t;
	struct in6_addr want;

	ASSERT_OK(conntrack_parse_event(build_event(buf, &tcp4_end), &t));
	ASSERT_EQ(inet_pton(AF_INET6, "::ffff:10.77.1.2", &want), 1);
	ASSERT_MEMEQ(&t.client, &want, 16);
	ASSERT_EQ(inet_pton(AF_INET6, "::ffff:10.77.2.2", &want), 1);
	ASSERT_MEMEQ(&t.server, &want, 16);
	ASSERT_EQ(t.client_port, 40312);
	ASSERT_EQ(t.server_port, 8080);
}

void test_conntrack_parses_ipv6_destroy(void)
{
	struct event_spec e = {
		.msg_type = IPCTNL_MSG_CT_DELETE, .family = AF_INET6,
		.src = "fd77:1::2", .dst = "fd77:2::2", .addr_len = 16,
		.l4proto = IPPROTO_TCP, .sport = 55555, .dport = 443,
	};
	uint8_t buf[1024];
	struct flow_tuple t;
	struct in6_addr want;

	ASSERT_OK(conntrack_parse_event(build_event(buf, &e), &t));
	ASSERT_EQ(inet_pton(AF_INET6, e.src, &want), 1);
	ASSERT_MEMEQ(&t.client, &want, 16);
	ASSERT_EQ(inet_pton(AF_INET6, e.dst, &want), 1);
	ASSERT_MEMEQ(&t.server, &want, 16);
	ASSERT_EQ(t.client_port, 55555);
	ASSERT_EQ(t.server_port, 443);
}

void test_conntrack_ignores_other_events(void)
{
	uint8_t buf[1024];
	struct flow_tuple t;
	struct event_spec udp = tcp4_end, created = tcp4_end;

	udp.l4proto = IPPROTO_UDP;
	ASSERT_EQ(conntrack_parse_event(build_event(buf, &udp), &t), -ENOENT);
	created.msg_type = IPCTNL_MSG_CT_NEW;
	ASSERT_EQ(conntrack_parse_event(build_event(buf, &created), &t), -ENOENT);
}

void test_conntrack_rejects_malformed_events(void)
{
	uint8_t buf[1024];
	struct flow_tuple t;
	struct event_spec no_port = tcp4_end, short_addr = tcp4_end;
	struct nlmsghdr *nlh;

	no_port.dport = 0;
	ASSERT_EQ(conntrack_parse_event(build_event(buf, &no_port), &t), -EINVAL);
	short_addr.addr_len = 3;
	ASSERT_EQ(conntrack_parse_event(build_event(buf, &short_addr), &t), -EINVAL);

	/* no original tuple at all */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE;
	((struct nfgenmsg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg)))
		->nfgen_family = AF_INET;
	ASSERT_EQ(conntrack_parse_event(nlh, &t), -EINVAL);

	/* too short for its nfgenmsg */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE;
	ASSERT_EQ(conntrack_parse_event(nlh, &t), -EINVAL);
}

static void count_end(void *arg, const struct flow_tuple *t)
{
	(void)t;
	(*(unsigned *)arg)++;
}

void test_conntrack_watch_opens_nonblocking(void)
{
	static struct conntrack_watch w;
	unsigned ends = 0;
	int err;

	require_root();
	err = conntrack_watch_open(&w, count_end, &ends);
	if (err)
		harness_fail(__FILE__, __LINE__, "conntrack events as root: %s", strerror(-err));
	ASSERT_TRUE(fcntl(conntrack_watch_fd(&w), F_GETFL) & O_NONBLOCK);
	ASSERT_OK(conntrack_watch_read(&w));
	ASSERT_EQ(w.lost, 0);
	ASSERT_EQ(w.malformed, 0);
	conntrack_watch_close(&w);
	ASSERT_NULL(w.nl);
}
