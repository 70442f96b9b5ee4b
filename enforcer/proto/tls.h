/*
 * TLS ClientHello parser for one client->server stream: the handshake message
 * reassembled across records and segments, SNI extracted, ECH and missing SNI
 * flagged, GREASE ignored. One request per stream, then the rest is ignored.
 *
 * Memory: 32 bytes per flow (struct tls_stream). A ClientHello that does not
 * arrive whole in one record of one segment is copied into a buffer that
 * grows (from 512 bytes) to at most its announced size, allocated then and
 * freed once it is parsed.
 *
 * Decisions (tests/unit/test_tls.c pins each):
 * - SNI: the first host_name entry of the first server_name extension, as
 *   OpenSSL reads it. More entries, or a second server_name extension:
 *   REQUEST_SUSPICIOUS. An empty host_name counts as none:
 *   REQUEST_TLS_NO_SNI, and the host is the server's address (url.h).
 * - ECH: encrypted_client_hello (0xfe0d), and the older ESNI (0xffce), set
 *   REQUEST_TLS_ECH_EXT; the host is still the outer SNI. Browsers send the
 *   extension as GREASE: whether the hello really hides its server name is
 *   the policy's call (policy_ech: the extension and an ECH public name).
 * - GREASE extension types (0x?a?a) are skipped, also when repeated.
 * - Records: handshake (22), version 3.x, 1..16384+2048 bytes; anything
 *   else before the ClientHello completes (SSLv2 hellos, an alert, another
 *   handshake message type) is not TLS: -EPROTO. Malformed lengths inside
 *   the ClientHello: -EPROTO.
 * - A ClientHello over TLS_HELLO_MAX (the 4-byte header included): -E2BIG.
 */
#ifndef UE_TLS_H
#define UE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enforcer/proto/parse_ctx.h"

#define TLS_HELLO_MAX 65536

struct tls_stream {
	uint8_t *hello;          /* the handshake message being reassembled */
	uint32_t hello_len, hello_cap;
	uint16_t record_left;    /* payload bytes left in the current record */
	uint8_t header[5];       /* a record header split across segments */
	uint8_t header_len;
	uint8_t state;           /* tls.c's enum tls_state */
};

void tls_stream_init(struct tls_stream *ts);
/* Frees what the stream holds; it may be initialized again. */
void tls_stream_release(struct tls_stream *ts);

/* Returns 0; -E2BIG over the ClientHello size limit; -EPROTO if not TLS;
 * -ENOMEM. After a ClientHello or an error, later feeds return 0. */
int tls_feed(struct tls_stream *ts, const uint8_t *data, size_t len,
	     const struct parse_ctx *ctx);

/*
 * One whole ClientHello handshake message MSG[0..LEN) (its 4-byte header
 * included), as QUIC's CRYPTO frames carry it without records: read as
 * tls_feed reads one and handed over as a PROTO request. Returns 0,
 * -EPROTO if it is not a ClientHello of exactly LEN bytes or malformed,
 * -E2BIG if its SNI does not fit a URL.
 */
int tls_hello_parse(const uint8_t *msg, size_t len, enum request_proto proto,
		    const struct parse_ctx *ctx);

/* Could DATA be the start of a TLS handshake record? (mid-stream pickup):
 * a valid record header and, when visible, the ClientHello type. */
bool tls_is_record_start(const uint8_t *data, size_t len);

#endif
