/*
 * The stream parsers (http.c, tls.c) behind one set of function pointers,
 * so that the unit tests' every-split check and the fuzzers' whole-versus-
 * split oracle drive both the same way.
 */
#ifndef UE_TEST_PARSER_OPS_H
#define UE_TEST_PARSER_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "enforcer/proto/parse_ctx.h"

struct parser_ops {
	size_t size;                                   /* of the stream struct */
	void (*init)(void *stream, uint32_t limit);    /* LIMIT 0: the default */
	void (*release)(void *stream);
	int (*feed)(void *stream, const uint8_t *data, size_t len, const struct parse_ctx *ctx);
};

extern const struct parser_ops http_parser_ops;
extern const struct parser_ops tls_parser_ops;    /* LIMIT is not used */

#endif
