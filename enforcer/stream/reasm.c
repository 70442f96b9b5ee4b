/* In-order delivery of one client->server stream; rules in reasm.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "enforcer/stream/reasm.h"

/* A held out-of-order piece. */
struct reasm_seg {
	struct reasm_seg *next;
	uint32_t seq;
	uint32_t len;
	uint8_t data[];
};

/* What a held piece is charged: its bytes and its bookkeeping. */
static size_t seg_cost(uint32_t len)
{
	return sizeof(struct reasm_seg) + len;
}

/* Any overlap or conflict seen while feeding one segment. */
struct overlap_note {
	bool overlap;
	bool conflict;
};

static void note_overlap(struct overlap_note *note, const uint8_t *first,
			 const uint8_t *later, uint32_t n)
{
	note->overlap = true;
	if (memcmp(first, later, n))
		note->conflict = true;
}

void reasm_pool_init(struct reasm_pool *pool, size_t flow_limit, size_t limit)
{
	memset(pool, 0, sizeof(*pool));
	pool->flow_limit = flow_limit;
	pool->limit = limit;
}

void reasm_start(struct reasm *r, uint32_t seq)
{
	r->next_seq = seq;
	r->started = true;
}

void reasm_fin(struct reasm *r, uint32_t seq)
{
	if (r->fin)
		return;
	r->fin = true;
	r->fin_seq = seq;
}

bool reasm_finished(const struct reasm *r)
{
	return r->started && r->fin && r->next_seq == r->fin_seq;
}

static void free_held(struct reasm *r, struct reasm_pool *pool)
{
	while (r->held) {
		struct reasm_seg *s = r->held;

		r->held = s->next;
		pool->held_bytes -= seg_cost(s->len);
		free(s);
	}
	r->held_bytes = 0;
}

void reasm_release(struct reasm *r, struct reasm_pool *pool)
{
	free_held(r, pool);
	memset(r, 0, sizeof(*r));
}

/* Hold the parts of [seq, seq+len) that no held piece covers yet. */
static int hold(struct reasm *r, struct reasm_pool *pool, uint32_t seq, const uint8_t *data,
		uint32_t len, struct overlap_note *note)
{
	struct reasm_seg **link = &r->held;
	uint32_t end = seq + len;

	while (seq_before(seq, end)) {
		struct reasm_seg *s = *link;

		if (s && !seq_after(s->seq + s->len, seq)) {
			link = &s->next;
			continue;
		}
		if (s && !seq_after(s->seq, seq)) {
			uint32_t upto = seq_before(end, s->seq + s->len) ? end : s->seq + s->len;

			note_overlap(note, s->data + (seq - s->seq), data, upto - seq);
			data += upto - seq;
			seq = upto;
			link = &s->next;
			continue;
		}
		uint32_t upto = s && seq_before(s->seq, end) ? s->seq : end;
		uint32_t n = upto - seq;
		size_t cost = seg_cost(n);
		struct reasm_seg *piece;

		if (r->held_bytes + cost > pool->flow_limit || pool->held_bytes + cost > pool->limit)
			return -ENOBUFS;
		piece = malloc(cost);
		if (!piece)
			return -ENOBUFS;
		piece->seq = seq;
		piece->len = n;
		memcpy(piece->data, data, n);
		piece->next = s;
		*link = piece;
		link = &piece->next;
		r->held_bytes += cost;
		pool->held_bytes += cost;
		pool->stats.held++;
		data += n;
		seq = upto;
	}
	return 0;
}

/*
 * [seq, seq+len) starts at or before the stream position: deliver it, held
 * pieces winning where they overlap it, and every held piece it makes
 * contiguous.
 */
static int deliver_in_order(struct reasm *r, struct reasm_pool *pool, uint32_t seq,
			    const uint8_t *data, uint32_t len, reasm_deliver_fn deliver,
			    void *arg, struct overlap_note *note)
{
	uint32_t end = seq + len;
	int rc;

	for (;;) {
		struct reasm_seg *s = r->held;

		if (seq_after(end, r->next_seq)) {
			uint32_t upto = s && seq_before(s->seq, end) ? s->seq : end;

			if (seq_after(upto, r->next_seq)) {
				uint32_t from = r->next_seq;

				r->next_seq = upto;
				rc = deliver(arg, data + (from - seq), upto - from);
				if (rc)
					return rc;
			}
		}
		if (!s || seq_after(s->seq, r->next_seq))
			return 0;
		if (seq_after(end, s->seq)) {
			uint32_t upto = seq_before(end, s->seq + s->len) ? end : s->seq + s->len;

			note_overlap(note, s->data, data + (s->seq - seq), upto - s->seq);
		}
		r->held = s->next;
		r->next_seq = s->seq + s->len;
		r->held_bytes -= seg_cost(s->len);
		pool->held_bytes -= seg_cost(s->len);
		rc = deliver(arg, s->data, s->len);
		free(s);
		if (rc)
			return rc;
	}
}

int reasm_feed(struct reasm *r, struct reasm_pool *pool, uint32_t seq, const uint8_t *data,
	       uint32_t len, reasm_deliver_fn deliver, void *arg)
{
	struct overlap_note note = { 0 };
	uint32_t end = seq + len;
	int rc;

	if (r->fin && seq_after(end, r->fin_seq))   /* nothing follows a FIN */
		end = seq_after(r->fin_seq, seq) ? r->fin_seq : seq;
	if (!seq_after(end, r->next_seq)) {
		if (end != seq)
			pool->stats.retransmits++;
		return 0;
	}
	len = end - seq;
	if (seq_before(seq, r->next_seq)) {
		note.overlap = true;
		data += r->next_seq - seq;
		len -= r->next_seq - seq;
		seq = r->next_seq;
	}
	if (seq == r->next_seq) {
		rc = deliver_in_order(r, pool, seq, data, len, deliver, arg, &note);
	} else {
		rc = hold(r, pool, seq, data, len, &note);
		if (rc == -ENOBUFS) {
			pool->stats.overflows++;
			free_held(r, pool);
		}
	}
	pool->stats.overlaps += note.overlap;
	pool->stats.overlap_conflicts += note.conflict;
	r->conflict |= note.conflict;
	return rc;
}
