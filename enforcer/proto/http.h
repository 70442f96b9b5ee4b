/*
 * Incremental HTTP/1.x request parser for one client->server stream: every
 * request on a connection (keep-alive, pipelining), bodies skipped by
 * Content-Length or chunked framing without buffering.
 *
 * Memory: 40 bytes per flow (struct http_stream) while no request head is
 * incomplete. A head split across segments is copied into a buffer
 * allocated at that moment (a power of two from 512 bytes, at most the head
 * limit) and freed as soon as the head completes.
 *
 * How forms that servers disagree on are resolved (tests/unit/test_http.c
 * pins each; "suspicious" sets REQUEST_SUSPICIOUS on the request):
 * - Line ends: CRLF or bare LF (nginx and Apache accept both). Empty lines
 *   before a request line are skipped (RFC 9112 2.2).
 * - Request line: any method token; one or more spaces between the parts;
 *   a target with spaces ("GET /a b HTTP/1.1", as nginx takes it) runs up
 *   to the last space before the version; "HTTP/" is matched without case,
 *   major version 0 or 1. "GET /path" without a version is HTTP/0.9: one
 *   line, no headers, the last request of the stream. Controls inside the
 *   target are kept (url.c escapes them). Anything else is not HTTP:
 *   -EPROTO.
 * - Headers: names without case. A line starting with a space or tab
 *   (obs-fold), a line without ':' and a name with a space before the ':'
 *   are ignored, as nginx does (Apache answers 400): suspicious. A stray CR
 *   or NUL inside a line is kept in the value: suspicious. Never fatal: a
 *   request with an odd header is still judged.
 * - Host: the first one counts; a second one with another value sets
 *   REQUEST_HOST_CONFLICT, the same value again is suspicious (nginx and
 *   Apache answer 400 to either). An absolute or authority target wins
 *   over Host (url.h).
 * - Readings: a request that servers read in more than one way (url.h's
 *   enum url_reading: a target naming another host than Host, an encoded
 *   slash in the path) is emitted once for each reading, url.h's first,
 *   so that a rule sees every one.
 * - Body framing (RFC 9112 6.3): Transfer-Encoding whose last coding is
 *   "chunked" wins over Content-Length (both present: suspicious); chunk
 *   extensions and trailers skipped; a Transfer-Encoding not ending in
 *   chunked means no body we can delimit: suspicious, parsing goes on after
 *   the head. Content-Length "5, 5" is 5; different values (one header or
 *   several) are suspicious and the smallest counts, so that whatever might
 *   follow it is parsed as a request too; a value that is not digits is
 *   suspicious and counts as 0. Servers answer 400 and close to all of
 *   these, so parsing more than they would costs nothing.
 * - Bad chunk framing (no hex size, missing CRLF after the data): -EPROTO.
 * - CONNECT and requests with an Upgrade header switch protocols: what
 *   follows is parsed as HTTP only if it starts like a request (a token
 *   byte or a line end), otherwise the rest of the stream is ignored
 *   quietly (TLS inside a proxy tunnel, WebSocket frames).
 * - "PRI * HTTP/2.0" (the HTTP/2 cleartext preface) is emitted as
 *   REQUEST_H2C with the server's address as host (no method, no target),
 *   then the stream is ignored.
 * - A head over the limit, or a target or host that cannot fit struct
 *   url_norm: -E2BIG. Errors end parsing: later feeds return 0.
 */
#ifndef UE_HTTP_H
#define UE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enforcer/proto/parse_ctx.h"

#define HTTP_HEAD_MAX_DEFAULT 16384

struct http_stream {
	uint8_t *head;           /* the incomplete head; NULL between heads */
	uint64_t remaining;      /* body or chunk bytes still to skip */
	uint32_t head_len, head_cap;
	uint32_t scanned;        /* bytes of head already searched for its end */
	uint32_t head_max;
	uint8_t state;           /* http.c's enum http_state */
	uint8_t chunk_digits;
	bool line_done;          /* the head's request line is complete */
	bool switch_after;       /* CONNECT or Upgrade: check what follows */
};

/* HEAD_MAX 0 means HTTP_HEAD_MAX_DEFAULT. */
void http_stream_init(struct http_stream *hs, uint32_t head_max);
/* Frees what the stream holds; it may be initialized again. */
void http_stream_release(struct http_stream *hs);

/*
 * Feed the next in-order bytes. Emits a request through ctx->emit each time
 * a request head completes. Returns 0; -E2BIG when a request head exceeds
 * the limit (the overflow rule applies); -EPROTO when the stream is not
 * HTTP/1.x (the stream is then ignored); -ENOMEM.
 */
int http_feed(struct http_stream *hs, const uint8_t *data, size_t len,
	      const struct parse_ctx *ctx);

/*
 * Could DATA be the first bytes of a request? (mid-stream pickup): a method
 * token, a space, a target, and if the line ends within DATA, a version.
 */
bool http_is_request_start(const uint8_t *data, size_t len);

#endif
