/*
 * libFuzzer: stream reassembly (enforcer/stream/reasm.c) fed a sequence of
 * segments. Input: 4 bytes of ISN (so wraparound is exercised), then
 * records [offset][length][flags] cut from one 256-byte true stream; flag
 * bit 0 turns a record into conflicting garbage. Every byte delivered must
 * be the true stream's byte at that position unless a conflicting segment
 * was fed (first data wins: then only bounds are checked), the byte
 * accounting must return to zero, and nothing may leak.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "enforcer/stream/reasm.h"

#define STREAM_LEN 256

struct sink {
	uint8_t truth[STREAM_LEN];
	size_t delivered;
	bool conflicts;
};

static int deliver(void *arg, const uint8_t *data, size_t len)
{
	struct sink *s = arg;

	if (s->delivered + len > STREAM_LEN)
		abort();   /* more bytes than any segment carried */
	if (!s->conflicts && memcmp(s->truth + s->delivered, data, len))
		abort();
	s->delivered += len;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reasm_pool pool;
	struct reasm r = { 0 };
	struct sink s = { .delivered = 0 };
	uint8_t garbage[STREAM_LEN];
	uint32_t isn;

	if (size < 4)
		return 0;
	memcpy(&isn, data, 4);
	data += 4;
	size -= 4;
	for (int i = 0; i < STREAM_LEN; i++) {
		s.truth[i] = (uint8_t)(i * 7 + 3);
		garbage[i] = (uint8_t)~s.truth[i];
	}
	/* small limits, so the over-limit paths run too */
	reasm_pool_init(&pool, 512, 1024);
	reasm_start(&r, isn);
	for (; size >= 3; data += 3, size -= 3) {
		unsigned off = data[0], len = data[1] % 64;
		bool conflict = data[2] & 1;

		if (off + len > STREAM_LEN)
			len = STREAM_LEN - off;
		s.conflicts |= conflict;
		if (reasm_feed(&r, &pool, isn + off, (conflict ? garbage : s.truth) + off, len,
			       deliver, &s))
			break;
	}
	reasm_release(&r, &pool);
	if (pool.held_bytes)
		abort();   /* the pool's accounting leaked */
	return 0;
}
