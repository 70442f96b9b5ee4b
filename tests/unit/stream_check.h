/*
 * Checks a stream parser (http.c, tls.c) the same way for every input: fed
 * whole, split at every point, at every pair of points (short inputs), and
 * one byte at a time, it must emit the same requests and the same first
 * error each time. Requests are rendered one line each:
 *   PROTO FLAGS METHOD HOST URL PATH TARGET
 * with "-" for a NULL method or target.
 */
#ifndef UE_TEST_STREAM_CHECK_H
#define UE_TEST_STREAM_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "enforcer/proto/parse_ctx.h"
#include "tests/unit/parser_ops.h"

/* The flow every check uses: 10.0.0.2:40312 -> 10.0.1.2:SERVER_PORT. */
struct flow_tuple stream_check_flow(uint16_t server_port);

/* Feeds INPUT in pieces ending at CUTS[0..NCUTS) and the rest; returns the
 * first error and the rendered requests (malloc'd, "" when none) in *TEXT. */
int stream_feed_pieces(const struct parser_ops *ops, const uint8_t *input, size_t len,
		       const size_t *cuts, size_t ncuts, uint32_t limit, uint16_t server_port,
		       char **text);

/* The whole check; fails the current test on the first difference. */
void stream_check(const struct parser_ops *ops, const char *name, const uint8_t *input,
		  size_t len, uint32_t limit, uint16_t server_port, int want_rc, const char *want);

#endif
