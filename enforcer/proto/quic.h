/*
 * One QUIC connection's client Initials until its ClientHello is whole:
 * each datagram's Initial packets opened (quic_packet.h), their CRYPTO
 * frames put together, and the ClientHello handed to the TLS parser
 * (tls_hello_parse), which reads SNI and ECH as it does over TCP and hands
 * it over as a REQUEST_QUIC request.
 *
 * Decisions (tests/unit/test_quic.c pins each):
 * - Keys: from the DCID of the first Initial that opens (RFC 9001 5.2).
 *   A packet that does not open with them is tried with keys from its own
 *   DCID (a client after a Retry); one that opens with neither is kept
 *   (one at a time) and tried again once keys are known: a later Initial
 *   with another DCID may arrive before the first.
 * - CRYPTO data: frames in any order, repeated or overlapping; the first
 *   copy of a byte wins, as a QUIC receiver keeps it. Bytes past the
 *   ClientHello's end are ignored.
 * - Memory: 16 bytes a flow; while a ClientHello is incomplete, its keys
 *   and a crypto stream buffer that grows with the highest offset seen, to
 *   at most QUIC_HELLO_MAX bytes plus one bit a byte, and the kept packet:
 *   all freed when the ClientHello is handed over or the connection
 *   released (quic_conn_memory).
 * - Returns: 0 while waiting and once done; -EPROTONOSUPPORT when the
 *   first long header has a version other than 1 and 2 (or is a Version
 *   Negotiation); -E2BIG for a ClientHello over QUIC_HELLO_MAX; -EPROTO if
 *   the crypto stream holds no ClientHello. After an error nothing more is
 *   read. Datagrams that hold no Initial, are malformed, or do not open
 *   are counted in struct quic_stats and otherwise ignored: anyone can send
 *   them on the client's 4-tuple.
 */
#ifndef UE_QUIC_H
#define UE_QUIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enforcer/proto/parse_ctx.h"
#include "enforcer/proto/quic_crypto.h"

#define QUIC_HELLO_MAX 16384

/* Per flow: a pointer, allocated at the first datagram, freed once done. */
struct quic_conn {
	struct quic_progress *progress;   /* quic.c: keys, crypto stream, a kept Initial */
	uint8_t state;                    /* quic.c's enum quic_state */
};

struct quic_stats {
	uint64_t initials;       /* Initial packets opened */
	uint64_t unopened;       /* Initial packets that opened with no key (forged, damaged) */
	uint64_t malformed;      /* long headers or frames that do not parse */
	uint64_t other_packets;  /* 0-RTT, Handshake, short-header packets */
};

void quic_conn_init(struct quic_conn *qc);
/* Frees what it holds; it may be initialized again. */
void quic_conn_release(struct quic_conn *qc);
/* Has it handed its ClientHello over (or given up)? */
bool quic_conn_done(const struct quic_conn *qc);
/* The bytes it holds beyond struct quic_conn itself. */
size_t quic_conn_memory(const struct quic_conn *qc);

/* One client->server UDP payload, D[0..LEN). See above for what it returns. */
int quic_feed(struct quic_conn *qc, struct quic_crypto *c, const uint8_t *d, size_t len,
	      const struct parse_ctx *ctx, struct quic_stats *stats);

#endif
