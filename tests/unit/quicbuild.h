/*
 * Client Initial datagrams for tests, fuzz seeds, the end-to-end tool and
 * the benchmark's pcap: plaintext frames protected as RFC 9001 and
 * RFC 9369 say (quic_packet.h), padded to the 1,200 bytes a client sends.
 */
#ifndef UE_TESTS_QUICBUILD_H
#define UE_TESTS_QUICBUILD_H

#include <stddef.h>
#include <stdint.h>

#include "enforcer/proto/quic_crypto.h"

struct quic_initial_spec {
	uint32_t version;
	const uint8_t *dcid;          /* in the header */
	size_t dcid_len;
	const uint8_t *key_dcid;      /* the keys' DCID (the first one); NULL: dcid */
	size_t key_dcid_len;
	uint64_t pn;
	const uint8_t *frames;        /* plaintext frames; PADDING follows to 1,200 bytes */
	size_t frames_len;
};

/* Writes one datagram into OUT; returns its length, 0 if it does not fit CAP. */
size_t quic_initial_build(struct quic_crypto *c, const struct quic_initial_spec *s,
			  uint8_t *out, size_t cap);

/* Writes a CRYPTO frame carrying DATA[0..LEN) at OFFSET; returns its length. */
size_t quic_put_crypto(uint8_t *out, uint64_t offset, const uint8_t *data, size_t len);

/* A TLS record's handshake message (tlsbuild.h): what CRYPTO frames carry. */
#define TLS_RECORD_HEADER 5

#endif
