/*
 * The published QUIC Initial test vectors, as hex text: RFC 9001 Appendix A
 * (version 1) and RFC 9369 Appendix A (version 2). Both protect the same
 * ClientHello (SNI example.com) under DCID 8394c8f03e515708, packet number 2.
 */
#ifndef UE_TESTS_QUIC_VECTORS_H
#define UE_TESTS_QUIC_VECTORS_H

#include <stddef.h>
#include <stdint.h>

struct quic_vector {
	uint32_t version;
	const char *key, *iv, *hp;        /* client Initial keys (A.1) */
	const char *sample, *mask;        /* header protection (A.2) */
	const char *header;               /* unprotected header (A.2) */
	const char *packet;               /* the 1200-byte protected Initial (A.2) */
};

extern const char quic_vector_dcid[];
extern const char quic_vector_crypto_frame[];   /* the payload before its PADDING */
#define QUIC_VECTOR_PAYLOAD_LEN 1162
extern const struct quic_vector quic_vector_v1, quic_vector_v2;

/* The tests' libcrypto contexts: one for the test process, made on first use. */
struct quic_crypto *quic_test_crypto(void);

/* Decodes hex text (spaces ignored) into OUT; returns the byte count, 0 if over CAP. */
size_t quic_vector_unhex(const char *hex, uint8_t *out, size_t cap);

#endif
