/*
 * Session-end detection from conntrack: a netlink socket subscribed to
 * NFNLGRP_CONNTRACK_DESTROY hands each ended TCP session's original tuple
 * (client = original source) to a callback, so the daemon can forget the
 * flow and its blocklist entry. Where conntrack is missing, does not track
 * the traffic, or loses events (ENOBUFS, counted), the daemon's idle sweep
 * is what ends sessions; this is only the prompt path.
 *
 * A conntrack entry is destroyed some time after its session: 10 s after a
 * RST, 120 s (TIME_WAIT) after a FIN exchange, by default. With
 * nf_conntrack_events = 2 (the default), entries created before the first
 * listener subscribed never report their end.
 */
#ifndef UE_CONNTRACK_H
#define UE_CONNTRACK_H

#include <stdint.h>
#include <linux/netlink.h>

#include "common/request.h"

typedef void (*conntrack_ended_fn)(void *arg, const struct flow_tuple *t);

/* The largest message the kernel sends a netlink listener (NLMSG_GOODSIZE). */
#define CONNTRACK_BUF_SIZE 8192

struct conntrack_watch {
	struct mnl_socket *nl;
	unsigned portid;
	conntrack_ended_fn on_end;
	void *arg;
	uint64_t ended;           /* TCP session ends handed to on_end */
	uint64_t lost;            /* receive buffer overflows (ENOBUFS): events lost */
	uint64_t malformed;       /* messages that failed to parse */
	uint8_t buf[CONNTRACK_BUF_SIZE];
};

/*
 * Subscribes to DESTROY events on a non-blocking socket (CAP_NET_ADMIN; the
 * subscription outlives dropped privileges). 0, or -errno meaning "conntrack
 * unavailable, fall back to the idle sweep": -EPROTONOSUPPORT without
 * nfnetlink, -EOPNOTSUPP with conntrack events switched off
 * (net.netfilter.nf_conntrack_events = 0), the kernel's error when ctnetlink
 * does not answer.
 */
int conntrack_watch_open(struct conntrack_watch *w, conntrack_ended_fn on_end, void *arg);
/* The fd to poll for input. */
int conntrack_watch_fd(const struct conntrack_watch *w);
/*
 * Reads every pending event, calling on_end for each ended TCP session;
 * never blocks. Lost events and malformed messages are counted, not errors;
 * 0, or -errno if the socket itself failed.
 */
int conntrack_watch_read(struct conntrack_watch *w);
void conntrack_watch_close(struct conntrack_watch *w);

/*
 * One ctnetlink message: 0 and *T if it is a TCP entry's DESTROY event,
 * -ENOENT for any other message or protocol, -EINVAL if malformed.
 */
int conntrack_parse_event(const struct nlmsghdr *nlh, struct flow_tuple *t);

#endif
