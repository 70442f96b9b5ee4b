/*
 * struct request: one parsed HTTP/1.x request or TLS ClientHello (over TCP
 * or QUIC), the only thing the policy matcher reads (parsers produce it, the
 * matcher consumes it). Strings are NUL-terminated and owned by the
 * producer; they stay valid only for the duration of the callback that
 * hands the request over.
 */
#ifndef UE_REQUEST_H
#define UE_REQUEST_H

#include <netinet/in.h>
#include <stdint.h>
#include <time.h>

enum request_proto {
	REQUEST_HTTP,
	REQUEST_TLS,
	REQUEST_H2C,          /* HTTP/2 cleartext preface: no method, no URL */
	REQUEST_QUIC,         /* a ClientHello in QUIC Initial packets, judged as TLS */
};

/* "http", "tls", "h2c", "quic": the log's and urlctl's name for it */
static inline const char *request_proto_name(enum request_proto p)
{
	static const char *const names[] = {
		[REQUEST_HTTP] = "http", [REQUEST_TLS] = "tls",
		[REQUEST_H2C] = "h2c", [REQUEST_QUIC] = "quic",
	};

	return names[p];
}

enum request_flags {
	REQUEST_TLS_NO_SNI     = 1 << 0,  /* ClientHello without server_name */
	REQUEST_TLS_ECH_EXT    = 1 << 1,  /* encrypted_client_hello present: browsers
					     GREASE it, policy_ech() says if it is real */
	REQUEST_HOST_CONFLICT  = 1 << 2,  /* two Host headers, or target vs Host */
	REQUEST_MIDSTREAM      = 1 << 3,  /* flow picked up without its handshake */
	REQUEST_NO_HOST        = 1 << 4,  /* host is the server's IP literal */
	REQUEST_SUSPICIOUS     = 1 << 5,  /* a form servers disagree on (url.h, http.h) */
	REQUEST_QUIC_VERSION   = 1 << 6,  /* QUIC in a version whose Initials we cannot
					   * read: no SNI, the host is the server's address */
};

/* Client->server endpoints; IPv4 as v4-mapped IPv6. Ports host order. */
struct flow_tuple {
	struct in6_addr client;
	struct in6_addr server;
	uint16_t client_port;
	uint16_t server_port;
};

struct request {
	struct flow_tuple tuple;
	struct timespec ts;       /* CLOCK_REALTIME of the completing packet */
	enum request_proto proto;
	unsigned flags;           /* enum request_flags */
	const char *method;       /* HTTP only, else NULL */
	const char *host;         /* normalized: lower case, no port, no trailing dot */
	const char *url;          /* normalized http://host[:port]/path?query or https://sni/ */
	const char *path;         /* normalized path and query ("/" for TLS) */
	const char *target;       /* raw request target as sent, HTTP only, else NULL */
};

#endif
