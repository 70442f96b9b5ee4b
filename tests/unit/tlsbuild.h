/*
 * A TLS ClientHello builder for tests and benchmarks: one handshake record
 * with a TLS 1.3 cipher suite and, unless SNI is NULL, a server_name.
 */
#ifndef UE_TESTS_TLSBUILD_H
#define UE_TESTS_TLSBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes the record into OUT; returns its length, or 0 if it does not fit in CAP. */
size_t tls_client_hello(const char *sni, uint8_t *out, size_t cap);

/* What a browser's ClientHello adds that matters to a parser. */
struct tls_hello_extras {
	size_t key_share_len;    /* a key_share of this many bytes (a post-quantum one: 1,200+) */
	bool ech;                /* an encrypted_client_hello extension (0xfe0d) */
};

/* tls_client_hello with EXTRAS after the server_name. */
size_t tls_client_hello_extras(const char *sni, const struct tls_hello_extras *extras,
			       uint8_t *out, size_t cap);

#endif
