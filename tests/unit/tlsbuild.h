/*
 * A TLS ClientHello builder for tests and benchmarks: one handshake record
 * with a TLS 1.3 cipher suite and, unless SNI is NULL, a server_name.
 */
#ifndef UE_TESTS_TLSBUILD_H
#define UE_TESTS_TLSBUILD_H

#include <stddef.h>
#include <stdint.h>

/* Writes the record into OUT; returns its length, or 0 if it does not fit in CAP. */
size_t tls_client_hello(const char *sni, uint8_t *out, size_t cap);

#endif
