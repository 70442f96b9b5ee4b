/* Stream reassembly: order, retransmissions, overlaps, wraparound, limits. */
#include <errno.h>
#include <stdlib.h>

#include "enforcer/stream/reasm.h"
#include "tests/harness.h"

/* What the stream delivered, in order. */
struct sink {
	uint8_t bytes[4096];
	size_t len;
	unsigned calls;
	int stop_after;           /* >0: return -EPROTO on that call */
};

static int sink_deliver(void *arg, const uint8_t *data, size_t len)
{
	struct sink *s = arg;

	ASSERT_TRUE(s->len + len <= sizeof(s->bytes));
	memcpy(s->bytes + s->len, data, len);
	s->len += len;
	s->calls++;
	return s->stop_after && (int)s->calls == s->stop_after ? -EPROTO : 0;
}

struct stream {
	struct reasm r;
	struct reasm_pool pool;
	struct sink out;
	uint32_t isn;
};

static void stream_init(struct stream *st, uint32_t isn, size_t flow_limit, size_t limit)
{
	memset(st, 0, sizeof(*st));
	reasm_pool_init(&st->pool, flow_limit, limit);
	st->isn = isn;
	reasm_start(&st->r, isn);
}

/* Feed TEXT[off, off+len) as one segment. */
static int feed(struct stream *st, const char *text, uint32_t off, uint32_t len)
{
	return reasm_feed(&st->r, &st->pool, st->isn + off, (const uint8_t *)text + off, len,
			  sink_deliver, &st->out);
}

static void assert_delivered(const struct stream *st, const char *text)
{
	ASSERT_EQ(st->out.len, strlen(text));
	ASSERT_MEMEQ(st->out.bytes, text, st->out.len);
}

static void stream_done(struct stream *st)
{
	reasm_release(&st->r, &st->pool);
	ASSERT_EQ(st->pool.held_bytes, 0);
}

static const char msg[] = "GET /index.html HTTP/1.1\r\nHost: example.test\r\n\r\n";
#define MSG_LEN ((uint32_t)sizeof(msg) - 1)

void test_reasm_in_order_one_byte_segments(void)
{
	struct stream st;

	stream_init(&st, 1000, REASM_FLOW_LIMIT_DEFAULT, REASM_POOL_LIMIT_DEFAULT);
	for (uint32_t i = 0; i < MSG_LEN; i++)
		ASSERT_OK(feed(&st, msg, i, 1));
	assert_delivered(&st, msg);
	ASSERT_EQ(st.out.calls, MSG_LEN);
	ASSERT_EQ(st.pool.stats.held, 0);
	stream_done(&st);
}

void test_reasm_reversed_one_byte_segments(void)
{
	struct stream st;

	stream_init(&st, 7, REASM_FLOW_LIMIT_DEFAULT, REASM_POOL_LIMIT_DEFAULT);
	for (uint32_t i = MSG_LEN; i-- > 0;) {
		ASSERT_OK(feed(&st, msg, i, 1));
		ASSERT_EQ(st.out.len, i == 0 ? MSG_LEN : 0);
	}
	assert_delivered(&st, msg);
	ASSERT_EQ(st.pool.stats.held, MSG_LEN - 1);
	ASSERT_EQ(st.pool.held_bytes, 0);
	stream_done(&st);
}

/* Every split of the message into three segments, sent in every order. */
void test_reasm_every_split_every_order(void)
{
	static const int orders[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 }, { 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};

	for (uint32_t a = 1; a < MSG_LEN; a++) {
		for (uint32_t b = a + 1; b < MSG_LEN; b++) {
			uint32_t from[3] = { 0, a, b }, to[3] = { a, b, MSG_LEN };

			for (unsigned o = 0; o < 6; o++) {
				struct stream st;

				stream_init(&st, 0xfffffff0u + a, REASM_FLOW_LIMIT_DEFAULT,
					    REASM_POOL_LIMIT_DEFAULT);
				for (unsigned k = 0; k < 3; k++) {
					int seg = orders[o][k];

					ASSERT_OK(feed(&st, msg, from[seg], to[seg] - from[seg]));
				}
				assert_delivered(&st, msg);
				ASSERT_EQ(st.pool.stats.overlaps, 0);
				stream_done(&st);
			}
		}
	}
}

void test_reasm_wraparound(void)
{
	struct stream st;

	/* the sequence space wraps in the middle of the message */
	stream_init(&st, 0xffffffff - 10, REASM_FLOW_LIMIT_DEFAULT, REASM_POOL_LIMIT_DEFAULT);
	ASSERT_OK(feed(&st, msg, 20, MSG_LEN - 20));    /* after the wrap: held */
	ASSERT_EQ(st.out.len, 0);
	ASSERT_OK(feed(&st, msg, 5, 15));               /* straddles the wrap: held */
	ASSERT_EQ(st.out.len, 0);
	ASSERT_OK(feed(&st, msg, 0, 5));
	assert_delivered(&st, msg);
	ASSERT_OK(feed(&st, msg, 0, 12));               /* old: a retransmission */
	ASSERT_EQ(st.pool.stats.retransmits, 1);
	assert_delivered(&st, msg);
	stream_done(&st);
}

void test_reasm_retransmits_ignored(void)
{
	struct stream st;

	stream_init(&st, 5, REASM_FLOW_LIMIT_DEFAULT, REASM_POOL_LIMIT_DEFAULT);
	ASSERT_OK(feed(&st, msg, 0, 10));
	ASSERT_OK(feed(&st, msg, 0, 10));
	ASSERT_OK(feed(&st, msg, 3, 4));
	ASSERT_EQ(st.pool.stats.retransmits, 2);
	ASSERT_OK(feed(&st, msg, 5, 10));               /* half old, half new */
	ASSERT_EQ(st.pool.stats.overlaps, 1);
	ASSERT_OK(feed(&st, msg, 15, MSG_LEN - 15));
	assert_delivered(&st, msg);
	stream_done(&st);
}

/* The first copy of a byte wins, held or delivered; differences are counted. */
void test_reasm_overlap_first_copy_wins(void)
{
	const char *evil = "GET /evil.html HTTP/1.1\r\nHost: example.test\r\n\r\n";
	struct stream st;

	stream_init(&st, 100, REASM_FLOW_LIMIT_DEFAULT, REASM_POOL_LIMIT_DEFAULT);
	ASSERT_OK(feed(&st, msg, 5, 6));                /* "index." held */
	ASSERT_OK(feed(&st, evil, 5, 4));               /* "evil" over it: conflict */
	ASSERT_EQ(st.pool.stats.overlap_conflicts, 1);
	ASSERT_OK(feed(&st, msg, 5, 6));                /* the same bytes again */
	ASSERT_EQ(st.pool.stats.overlaps, 2);
	ASSERT_EQ(st.pool.stats.overlap_conflicts, 1);
	/* an in-order segment that covers the held piece with other bytes */
	ASSERT_OK(reasm_feed(&st.r, &st.pool, 100, (const uint8_t *)evil, 20, sink_deliver,
			     &st.out));
	ASSERT_EQ(st.pool.stats.overlap_conflicts, 2);
	ASSERT_EQ(st.out.len, 20);
	ASSERT_MEMEQ(st.out.bytes, "GET /index.tml HTTP/", 20);
	stream_done(&st);
}

/* A held piece that fills the gaps between held pieces is split around them. */
void test_reasm_overlap_spanning_held_pieces(void)
{
	struct stream st;

	stream_init(&st, 0, REASM_FLOW_LIMIT_DEFAULT, REASM_POOL_LIMIT_DEFAULT);
	ASSERT_OK(feed(&st, msg, 10, 3));
	ASSERT_OK(feed(&st, msg, 20, 3));
	ASSERT_OK(feed(&st, msg, 5, 30));
	ASSERT_EQ(st.pool.stats.overlaps, 1);
	ASSERT_EQ(st.pool.stats.held, 5);
	ASSERT_OK(feed(&st, msg, 0, 5));
	ASSERT_EQ(st.out.len, 35);
	ASSERT_OK(feed(&st, msg, 35, MSG_LEN - 35));
	assert_delivered(&st, msg);
	stream_done(&st);
}

void test_reasm_flow_limit_overflows(void)
{
	struct stream st;

	stream_init(&st, 0, 64, REASM_POOL_LIMIT_DEFAULT);
	ASSERT_OK(feed(&st, msg, 10, 20));
	ASSERT_EQ(feed(&st, msg, 40, 20), -ENOBUFS);
	ASSERT_EQ(st.pool.stats.overflows, 1);
	ASSERT_EQ(st.r.held_bytes, 0);
	ASSERT_EQ(st.pool.held_bytes, 0);
	stream_done(&st);
}

void test_reasm_pool_limit_shared(void)
{
	struct reasm_pool pool;
	struct reasm a = { 0 }, b = { 0 };
	struct sink out = { 0 };

	reasm_pool_init(&pool, 1024, 100);
	reasm_start(&a, 0);
	reasm_start(&b, 0);
	ASSERT_OK(reasm_feed(&a, &pool, 10, (const uint8_t *)msg, 30, sink_deliver, &out));
	ASSERT_EQ(reasm_feed(&b, &pool, 10, (const uint8_t *)msg, 40, sink_deliver, &out),
		  -ENOBUFS);
	ASSERT_EQ(pool.stats.overflows, 1);
	ASSERT_EQ(b.held_bytes, 0);
	ASSERT_TRUE(a.held_bytes > 0);
	reasm_release(&a, &pool);
	reasm_release(&b, &pool);
	ASSERT_EQ(pool.held_bytes, 0);
	ASSERT_EQ(out.len, 0);
}

void test_reasm_stop_from_consumer(void)
{
	struct stream st;

	stream_init(&st, 0, REASM_FLOW_LIMIT_DEFAULT, REASM_POOL_LIMIT_DEFAULT);
	st.out.stop_after = 2;
	ASSERT_OK(feed(&st, msg, 10, 10));
	ASSERT_OK(feed(&st, msg, 0, 5));
	ASSERT_EQ(feed(&st, msg, 5, 5), -EPROTO);       /* stops before the held piece */
	ASSERT_EQ(st.out.len, 10);
	stream_done(&st);
}

void test_reasm_fin_ends_stream(void)
{
	struct stream st;

	stream_init(&st, 50, REASM_FLOW_LIMIT_DEFAULT, REASM_POOL_LIMIT_DEFAULT);
	ASSERT_OK(feed(&st, msg, 10, MSG_LEN - 10));
	reasm_fin(&st.r, 50 + MSG_LEN);
	ASSERT_TRUE(!reasm_finished(&st.r));
	ASSERT_OK(feed(&st, msg, 0, 10));
	ASSERT_TRUE(reasm_finished(&st.r));
	/* nothing after the FIN is delivered */
	ASSERT_OK(reasm_feed(&st.r, &st.pool, 50 + MSG_LEN, (const uint8_t *)"xx", 2,
			     sink_deliver, &st.out));
	assert_delivered(&st, msg);
	stream_done(&st);
}

/* Random segments, overlapping and repeated, in random order: the message comes out whole. */
void test_reasm_random_segments(void)
{
	uint64_t rng = 0x9e3779b97f4a7c15ull;

	for (unsigned round = 0; round < 500; round++) {
		struct stream st;
		uint32_t covered_to = 0;

		stream_init(&st, (uint32_t)(round * 0x01000193u), REASM_FLOW_LIMIT_DEFAULT,
			    REASM_POOL_LIMIT_DEFAULT);
		for (unsigned n = 0; st.out.len < MSG_LEN; n++) {
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			uint32_t off = (uint32_t)(rng % MSG_LEN);
			uint32_t len = 1 + (uint32_t)((rng >> 20) % 12);

			/* now and then, the earliest bytes not sent yet */
			if (n % 7 == 6)
				off = covered_to;
			if (off + len > MSG_LEN)
				len = MSG_LEN - off;
			if (off <= covered_to && off + len > covered_to)
				covered_to = off + len;
			ASSERT_OK(feed(&st, msg, off, len));
		}
		assert_delivered(&st, msg);
		ASSERT_EQ(st.pool.stats.overlap_conflicts, 0);
		stream_done(&st);
	}
}
