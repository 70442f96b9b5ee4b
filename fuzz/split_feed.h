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

#include "tests/unit/parser_ops.h"

void split_feed_check(const struct parser_ops *p, const uint8_t *data, size_t size);

#endif
