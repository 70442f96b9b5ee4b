/*
 * The oracle the stream parser fuzzers share: an input is fed whole and
 * again in fuzzer-chosen pieces; both runs must emit the same requests and
 * return the same first error, or the harness aborts.
 *
 * Input layout: byte 0 = flags (bit 7: a small head limit) and the number
 * of piece lengths (bits 0-3); then that many bytes, each a piece length
 * minus one, used in turn and over again; the rest is the stream.
 */
#ifndef UE_FUZZ_SPLIT_FEED_H
#define UE_FUZZ_SPLIT_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "enforcer/parse_ctx.h"

struct fuzz_parser {
	size_t size;
	void (*init)(void *stream, uint32_t limit);
	void (*release)(void *stream);
	int (*feed)(void *stream, const uint8_t *data, size_t len, const struct parse_ctx *ctx);
};

void split_feed_check(const struct fuzz_parser *p, const uint8_t *data, size_t size);

#endif
