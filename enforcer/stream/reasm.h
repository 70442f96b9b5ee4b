/*
 * Client->server TCP stream reassembly: segments in, the byte stream out in
 * sequence order, as the server's stack would see it.
 *
 * - Sequence numbers compare in serial arithmetic (RFC 1982), so a stream may
 *   wrap around 2^32.
 * - Bytes before the stream position are retransmissions and are ignored.
 * - Overlaps: the first copy of a byte wins, whether it was delivered already
 *   or is held out of order; a later, different copy is counted as a conflict
 *   (an evasion attempt or a broken sender), dropped, and marks the stream
 *   (`conflict`): servers disagree on which copy wins (Linux keeps a later
 *   segment that starts at or before a held one and covers it), so the
 *   stream has two readings. Conflicts with bytes already delivered cannot be
 *   seen (they are not kept) and count as plain overlaps.
 * - Out-of-order segments are held, charged with their bookkeeping, up to a
 *   per-stream and a pool-wide limit; over either, the stream's held data is
 *   freed and reasm_feed() returns -ENOBUFS: the caller decides the flow by
 *   its overflow rule and feeds it no more.
 */
#ifndef UE_REASM_H
#define UE_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REASM_FLOW_LIMIT_DEFAULT (256u * 1024)
#define REASM_POOL_LIMIT_DEFAULT ((size_t)64 * 1024 * 1024)

static inline bool seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

struct reasm_seg;

/* One stream; zeroed is a valid stream not yet started. 24 bytes. */
struct reasm {
	struct reasm_seg *held;       /* sorted, disjoint, all after next_seq */
	uint32_t next_seq;            /* the next byte the stream delivers */
	uint32_t held_bytes;          /* charged against the limits */
	uint32_t fin_seq;             /* valid once `fin` is set */
	bool started;
	bool fin;
	bool conflict;                /* a later copy of held bytes differed */
};

struct reasm_stats {
	uint64_t retransmits;         /* segments wholly before the stream position */
	uint64_t overlaps;            /* segments covering bytes seen before */
	uint64_t overlap_conflicts;   /* ... with different contents */
	uint64_t held;                /* segments (or pieces) held out of order */
	uint64_t overflows;           /* streams over a limit */
};

/* Shared by every stream of one worker. */
struct reasm_pool {
	size_t flow_limit;            /* bytes one stream may hold */
	size_t limit;                 /* bytes all streams may hold */
	size_t held_bytes;
	struct reasm_stats stats;
};

/* Receives in-order bytes; a non-zero return stops delivery and is returned. */
typedef int (*reasm_deliver_fn)(void *arg, const uint8_t *data, size_t len);

void reasm_pool_init(struct reasm_pool *pool, size_t flow_limit, size_t limit);

/* The stream's first byte has sequence number SEQ (ISN + 1 after a SYN). */
void reasm_start(struct reasm *r, uint32_t seq);

/*
 * A segment of a started stream. Returns 0, -ENOBUFS over a limit, or what
 * DELIVER returned.
 */
int reasm_feed(struct reasm *r, struct reasm_pool *pool, uint32_t seq, const uint8_t *data,
	       uint32_t len, reasm_deliver_fn deliver, void *arg);

/* The client's FIN occupies sequence number SEQ. */
void reasm_fin(struct reasm *r, uint32_t seq);

/* Has every byte up to the FIN been delivered? */
bool reasm_finished(const struct reasm *r);

/* Free what the stream holds; it is then as if zeroed. */
void reasm_release(struct reasm *r, struct reasm_pool *pool);

#endif
