/*
 * TLS ClientHello parser for one client->server stream: the handshake message
 * reassembled across records and segments, SNI extracted, ECH and missing SNI
 * flagged, GREASE ignored. One request per stream, then the rest is ignored.
 */
#ifndef UE_TLS_H
#define UE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enforcer/parse_ctx.h"

struct tls_stream;

/* Returns 0; -E2BIG over the ClientHello size limit; -EPROTO if not TLS. */
int tls_feed(struct tls_stream *ts, const uint8_t *data, size_t len,
	     const struct parse_ctx *ctx);

/* Could DATA be the start of a TLS handshake record? (mid-stream pickup) */
bool tls_is_record_start(const uint8_t *data, size_t len);

#endif
