/*
 * The packets a block sends besides the blocklist entry (`response=`,
 * url-enforcer.rules(5); url-enforcer(8) ENFORCEMENT):
 * `reset` RSTs both endpoints, `page` answers the client with a 403 page and
 * FIN and RSTs the server. Each packet impersonates the other endpoint and
 * goes out through a raw IP socket with the source address spoofed and
 * skb->mark = UE_INJECT_MARK, so the TC program lets it pass although the
 * session is blocked. Routing then serves both placements: on a gateway the
 * packets leave towards the other hosts, on a single host the one addressed
 * to the local client is delivered to its socket through loopback. (An
 * AF_PACKET socket could not reach a local socket at all.)
 *
 * The sockets are opened once by injector_open (CAP_NET_RAW, and
 * CAP_NET_ADMIN for SO_MARK) and keep working after privileges are dropped.
 * An open injector is never written again: any thread may send through it.
 */
#ifndef UE_INJECT_H
#define UE_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "common/request.h"
#include "enforcer/stream/session_position.h"

/*
 * At most this many bytes a packet, IP header included: IPv6's minimum MTU,
 * so no path in either family needs to fragment the page.
 */
#define INJECT_PACKET_MAX 1280
/* A rule id longer than this (once HTML-escaped) is cut short on the page. */
#define INJECT_RULE_ID_MAX 256

/* One crafted packet, from its IP header on, as a raw socket sends it. */
struct inject_packet {
	size_t len;
	uint8_t data[INJECT_PACKET_MAX];
};

/* The packets of one response, in the order they are sent. */
struct inject_burst {
	unsigned count;
	struct inject_packet packet[2];
};

struct injector {
	int fd4;              /* AF_INET raw, IPPROTO_RAW */
	int fd6;              /* AF_INET6 raw, IPV6_HDRINCL; -1 where IPv6 is off */
};

/*
 * The RST to the server (seq = the client's next sequence number), then the
 * RST to the client (seq = the server's next). -EINVAL if the tuple mixes
 * IPv4 and IPv6.
 */
int inject_craft_reset(const struct flow_tuple *t, const struct session_position *pos,
		       struct inject_burst *out);
/* A paused client's page says so, and until when (local time; 0: until resumed). */
struct page_pause {
	time_t until;
};

/*
 * The RST to the server, then to the client `HTTP/1.1 403 Forbidden` with a
 * short HTML page naming RULE_ID (HTML-escaped; NULL: no id), or saying
 * that the internet is paused (PAUSE not NULL), Connection: close and FIN
 * in the same segment, acknowledging the client's request.
 */
int inject_craft_page(const struct flow_tuple *t, const struct session_position *pos,
		      const char *rule_id, const struct page_pause *pause,
		      struct inject_burst *out);

/* Opens the raw sockets; 0 or -errno (IPv4 is required, IPv6 optional). */
int injector_open(struct injector *inj);
/*
 * Sends every packet of BURST without blocking; 0, or the first -errno
 * (-EAFNOSUPPORT for IPv6 without an IPv6 socket, -EAGAIN when the socket's
 * buffer is full): the packets after a failed one are still tried.
 */
int injector_send(const struct injector *inj, const struct inject_burst *burst);
/* inject_craft_reset + injector_send. */
int injector_reset(const struct injector *inj, const struct flow_tuple *t,
		   const struct session_position *pos);
/* inject_craft_page + injector_send. */
int injector_page(const struct injector *inj, const struct flow_tuple *t,
		  const struct session_position *pos, const char *rule_id,
		  const struct page_pause *pause);
void injector_close(struct injector *inj);

#endif
