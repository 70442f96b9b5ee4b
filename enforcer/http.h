/*
 * Incremental HTTP/1.x request parser for one client->server stream: every
 * request on a connection (keep-alive, pipelining), bodies skipped by
 * Content-Length or chunked framing without buffering.
 */
#ifndef UE_HTTP_H
#define UE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enforcer/parse_ctx.h"

#define HTTP_HEAD_MAX_DEFAULT 16384

struct http_stream;      /* defined in http.c's header section below */

/*
 * Feed the next in-order bytes. Emits a request through ctx->emit each time
 * a request head completes. Returns 0; -E2BIG when a request head exceeds
 * the limit (the overflow rule applies); -EPROTO when the stream is not
 * HTTP/1.x (the stream is then ignored).
 */
int http_feed(struct http_stream *hs, const uint8_t *data, size_t len,
	      const struct parse_ctx *ctx);

/* Could DATA be the first bytes of a request? (mid-stream pickup) */
bool http_is_request_start(const uint8_t *data, size_t len);

#endif
