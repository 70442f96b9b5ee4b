/*
 * Conntrack DESTROY events over ctnetlink, read with libmnl.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "enforcer/enforce/conntrack.h"

/* Enough for a burst of session ends while the daemon is busy elsewhere. */
#define CONNTRACK_RCVBUF (4 << 20)

#define CT_EVENTS_SYSCTL "/proc/sys/net/netfilter/nf_conntrack_events"

struct attr_table {
	const struct nlattr **tb;
	unsigned max;
};

static int collect_attr(const struct nlattr *a, void *data)
{
	struct attr_table *t = data;
	unsigned type = mnl_attr_get_type(a);

	if (type <= t->max)
		t->tb[type] = a;
	return MNL_CB_OK;
}

/* TB[0..MAX] = the attributes nested in NEST, NULL where absent. */
static int parse_nested(const struct nlattr *nest, const struct nlattr **tb, unsigned max)
{
	struct attr_table t = { tb, max };

	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (!nest || mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(nest, collect_attr, &t) < 0)
		return -EINVAL;
	return 0;
}

/* OUT = the address in A, LEN bytes (4: stored v4-mapped, or 16). */
static int get_addr(const struct nlattr *a, size_t len, struct in6_addr *out)
{
	if (!a || mnl_attr_get_payload_len(a) != len)
		return -EINVAL;
	if (len == 4) {
		memset(out, 0, sizeof(*out));
		out->s6_addr[10] = out->s6_addr[11] = 0xff;
		memcpy(&out->s6_addr[12], mnl_attr_get_payload(a), 4);
	} else {
		memcpy(out, mnl_attr_get_payload(a), 16);
	}
	return 0;
}

static int get_port(const struct nlattr *a, uint16_t *port)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U16) < 0)
		return -EINVAL;
	*port = ntohs(mnl_attr_get_u16(a));
	return 0;
}

int conntrack_parse_event(const struct nlmsghdr *nlh, struct flow_tuple *t)
{
	const struct nlattr *top[CTA_MAX + 1] = { 0 };
	const struct nlattr *tuple[CTA_TUPLE_MAX + 1];
	const struct nlattr *ip[CTA_IP_MAX + 1];
	const struct nlattr *proto[CTA_PROTO_MAX + 1];
	struct attr_table top_table = { top, CTA_MAX };
	const struct nfgenmsg *nfg;
	size_t addr_len;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_CTNETLINK ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != IPCTNL_MSG_CT_DELETE)
		return -ENOENT;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*nfg))
		return -EINVAL;
	nfg = mnl_nlmsg_get_payload(nlh);
	if (nfg->nfgen_family == AF_INET)
		addr_len = 4;
	else if (nfg->nfgen_family == AF_INET6)
		addr_len = 16;
	else
		return -ENOENT;
	if (mnl_attr_parse(nlh, sizeof(*nfg), collect_attr, &top_table) < 0 ||
	    parse_nested(top[CTA_TUPLE_ORIG], tuple, CTA_TUPLE_MAX) ||
	    parse_nested(tuple[CTA_TUPLE_PROTO], proto, CTA_PROTO_MAX) ||
	    !proto[CTA_PROTO_NUM] || mnl_attr_validate(proto[CTA_PROTO_NUM], MNL_TYPE_U8) < 0)
		return -EINVAL;
	if (mnl_attr_get_u8(proto[CTA_PROTO_NUM]) != IPPROTO_TCP)
		return -ENOENT;
	if (parse_nested(tuple[CTA_TUPLE_IP], ip, CTA_IP_MAX) ||
	    get_addr(ip[addr_len == 4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC], addr_len, &t->client) ||
	    get_addr(ip[addr_len == 4 ? CTA_IP_V4_DST : CTA_IP_V6_DST], addr_len, &t->server) ||
	    get_port(proto[CTA_PROTO_SRC_PORT], &t->client_port) ||
	    get_port(proto[CTA_PROTO_DST_PORT], &t->server_port))
		return -EINVAL;
	return 0;
}

static int on_event(const struct nlmsghdr *nlh, void *data)
{
	struct conntrack_watch *w = data;
	struct flow_tuple t;
	int err = conntrack_parse_event(nlh, &t);

	if (err == -EINVAL) {
		w->malformed++;
	} else if (!err) {
		w->ended++;
		w->on_end(w->arg, &t);
	}
	return MNL_CB_OK;
}

/*
 * Asks ctnetlink for its statistics: an answer means conntrack and its
 * netlink interface are there. The kernel answers within the sendto, so the
 * non-blocking socket finds the reply and the ACK already queued.
 */
static int probe_ctnetlink(struct conntrack_watch *w)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(w->buf);
	struct nfgenmsg *nfg;
	unsigned seq = (unsigned)time(NULL);

	nlh->nlmsg_type = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET_STATS;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	if (mnl_socket_sendto(w->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(w->nl, w->buf, sizeof(w->buf));
		int ret;

		if (n < 0)
			return -errno;
		ret = mnl_cb_run(w->buf, n, seq, w->portid, NULL, NULL);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

/* -EOPNOTSUPP if the sysctl says conntrack sends no events at all. */
static int check_events_enabled(void)
{
	FILE *f = fopen(CT_EVENTS_SYSCTL, "re");
	int value = -1;

	if (!f)
		return -errno;
	if (fscanf(f, "%d", &value) != 1)
		value = -1;
	fclose(f);
	return value == 0 ? -EOPNOTSUPP : 0;
}

int conntrack_watch_open(struct conntrack_watch *w, conntrack_ended_fn on_end, void *arg)
{
	int group = NFNLGRP_CONNTRACK_DESTROY;
	const int rcvbuf = CONNTRACK_RCVBUF;
	int fd, err;

	memset(w, 0, offsetof(struct conntrack_watch, buf));
	w->on_end = on_end;
	w->arg = arg;
	w->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!w->nl)
		return -errno;
	if (mnl_socket_bind(w->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail_errno;
	w->portid = mnl_socket_get_portid(w->nl);
	err = probe_ctnetlink(w);
	if (!err)
		err = check_events_enabled();
	if (err)
		goto fail;
	fd = mnl_socket_get_fd(w->nl);
	/* Past rmem_max needs CAP_NET_ADMIN; without it, what SO_RCVBUF grants. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (mnl_socket_setsockopt(w->nl, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) < 0)
		goto fail_errno;
	return 0;

fail_errno:
	err = -errno;
fail:
	mnl_socket_close(w->nl);
	w->nl = NULL;
	return err;
}

int conntrack_watch_fd(const struct conntrack_watch *w)
{
	return mnl_socket_get_fd(w->nl);
}

int conntrack_watch_read(struct conntrack_watch *w)
{
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(w->nl, w->buf, sizeof(w->buf));

		if (n < 0) {
			if (errno == EAGAIN)
				return 0;
			if (errno == ENOBUFS) {
				w->lost++;
				continue;
			}
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/*
		 * Events are no answer to a request of ours: sequence number 0,
		 * and the port id of whoever caused them (conntrack -D's), so
		 * neither can be matched; mnl_cb_run still checks the framing.
		 */
		if (mnl_cb_run(w->buf, n, 0, 0, on_event, w) < 0)
			w->malformed++;
	}
}

void conntrack_watch_close(struct conntrack_watch *w)
{
	if (w->nl)
		mnl_socket_close(w->nl);
	w->nl = NULL;
}
