/*
 * QUIC long-header packets as a client sends them before the handshake
 * (RFC 9000 17.2, RFC 9369 3.2): the header read up to the packet number,
 * an Initial's protection removed or applied (quic_crypto.h), and the
 * frames of an opened Initial walked for their CRYPTO data.
 *
 * Decisions:
 * - Only what RFC 8999's invariants fix is read for an unknown version
 *   (version and connection IDs): -EPROTONOSUPPORT, the caller decides.
 * - The packet number is taken as sent, not expanded against a largest
 *   acknowledged one: a client's first Initials are numbered from 0, so
 *   the truncated number is the number (RFC 9000 A.3 with none received).
 * - Frames an Initial may carry (RFC 9000 12.4): PADDING, PING, ACK,
 *   CRYPTO, CONNECTION_CLOSE (0x1c). Any other, or a frame running past
 *   the payload: -EPROTO, and the CRYPTO frames before it still count.
 */
#ifndef UE_QUIC_PACKET_H
#define UE_QUIC_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "enforcer/proto/quic_crypto.h"

enum quic_packet_type {
	QUIC_PACKET_INITIAL,
	QUIC_PACKET_0RTT,
	QUIC_PACKET_HANDSHAKE,
	QUIC_PACKET_RETRY,
	QUIC_PACKET_VERSION_NEGOTIATION,
};

struct quic_long_header {
	uint32_t version;
	enum quic_packet_type type;
	uint8_t dcid_len, scid_len;
	const uint8_t *dcid, *scid;
	size_t pn_offset;   /* Initial, 0-RTT, Handshake: where the packet number starts */
	size_t size;        /* the whole packet: header, number, payload and tag */
};

/*
 * Reads the long header at D[0..LEN) (a datagram may hold more packets
 * after it: they start at D + size). Returns 0; -ENOMSG for a short header;
 * -EPROTONOSUPPORT for a version other than 1 and 2 (version and connection
 * IDs filled in); -EPROTO if malformed or longer than LEN.
 */
int quic_long_header_parse(const uint8_t *d, size_t len, struct quic_long_header *h);

/*
 * Opens the Initial packet PKT (H from quic_long_header_parse) with KEYS:
 * header protection removed and payload authenticated and decrypted into
 * OUT (room for H->size bytes), its length in *OUT_LEN. Returns 0,
 * -EBADMSG if it does not open with these keys, -EPROTO if too short to
 * carry a header protection sample.
 */
int quic_initial_open(struct quic_crypto *c, const struct quic_keys *keys, const uint8_t *pkt,
		      const struct quic_long_header *h, uint8_t *out, size_t *out_len);

/*
 * For the tests' packet builders: HDR[0..HDR_LEN) is an unprotected long
 * header ending in a PN_LEN-byte packet number PN; PAYLOAD is sealed after
 * it and the header protected. OUT gets HDR_LEN + LEN + 16 bytes.
 */
int quic_initial_protect(struct quic_crypto *c, const struct quic_keys *keys,
			 const uint8_t *hdr, size_t hdr_len, unsigned pn_len, uint64_t pn,
			 const uint8_t *payload, size_t len, uint8_t *out);

/* Called for each CRYPTO frame: DATA[0..LEN) at OFFSET of the crypto stream. */
typedef int (*quic_crypto_frame_fn)(void *arg, uint64_t offset, const uint8_t *data,
				    size_t len);

/*
 * Walks the frames of an opened Initial's payload, calling FN for each
 * CRYPTO frame. Returns 0, -EPROTO (see above), or what FN returned if not 0.
 */
int quic_initial_frames(const uint8_t *payload, size_t len, quic_crypto_frame_fn fn, void *arg);

#endif
