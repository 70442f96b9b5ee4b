/*
 * A QUIC connection's ClientHello from its client Initials; the decisions
 * are listed in quic.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "enforcer/proto/quic.h"
#include "enforcer/proto/quic_packet.h"
#include "enforcer/proto/tls.h"

#define HANDSHAKE_HEADER 4
#define HANDSHAKE_CLIENT_HELLO 1
#define KEPT_MAX 2048            /* an Initial kept for later keys: one datagram's worth */
#define GROW_STEP 2048

enum quic_state {
	QS_HELLO,                /* reading Initials */
	QS_DONE,                 /* handed over, or given up */
};

/* A connection's state while its ClientHello is incomplete. */
struct quic_progress {
	struct quic_keys keys;
	uint32_t version;        /* of the keys */
	uint8_t *buf;            /* crypto stream from offset 0 */
	uint8_t *have;           /* a bit per byte of buf: received */
	uint32_t cap;            /* bytes of buf (a multiple of 8) */
	uint32_t contiguous;     /* bytes from 0 all received */
	uint8_t *kept;           /* an Initial no known key opened yet */
	uint16_t kept_len;
	bool have_keys;
};

/* What a packet's frames are put together with. */
struct assembly {
	struct quic_conn *qc;
	const struct parse_ctx *ctx;
};

void quic_conn_init(struct quic_conn *qc)
{
	memset(qc, 0, sizeof(*qc));
	qc->state = QS_HELLO;
}

static void free_buffers(struct quic_conn *qc)
{
	struct quic_progress *pr = qc->progress;

	if (!pr)
		return;
	free(pr->buf);
	free(pr->have);
	free(pr->kept);
	free(pr);
	qc->progress = NULL;
}

void quic_conn_release(struct quic_conn *qc)
{
	free_buffers(qc);
}

bool quic_conn_done(const struct quic_conn *qc)
{
	return qc->state == QS_DONE;
}

size_t quic_conn_memory(const struct quic_conn *qc)
{
	const struct quic_progress *pr = qc->progress;

	return pr ? sizeof(*pr) + pr->cap + pr->cap / 8 + pr->kept_len : 0;
}

static bool received(const struct quic_progress *pr, size_t i)
{
	return pr->have[i / 8] & (1u << (i % 8));
}

/* Room for the crypto stream up to END (<= QUIC_HELLO_MAX). 0 or -ENOMEM. */
static int reserve(struct quic_progress *pr, size_t end)
{
	size_t cap = (end + GROW_STEP - 1) / GROW_STEP * GROW_STEP;
	uint8_t *buf, *have;

	if (end <= pr->cap)
		return 0;
	if (cap > QUIC_HELLO_MAX)
		cap = QUIC_HELLO_MAX;
	buf = realloc(pr->buf, cap);
	if (!buf)
		return -ENOMEM;
	pr->buf = buf;
	have = realloc(pr->have, cap / 8);
	if (!have)
		return -ENOMEM;
	memset(have + pr->cap / 8, 0, (cap - pr->cap) / 8);
	pr->have = have;
	pr->cap = (uint32_t)cap;
	return 0;
}

/* The ClientHello's size with its header, once its header is in; 0 before. */
static size_t hello_size(const struct quic_progress *pr)
{
	const uint8_t *h = pr->buf;

	if (pr->contiguous < HANDSHAKE_HEADER)
		return 0;
	return HANDSHAKE_HEADER + ((size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3]);
}

/* Nothing more is read of the connection; ERR says why (0: handed over). */
static int finish(struct quic_conn *qc, int err)
{
	qc->state = QS_DONE;
	free_buffers(qc);
	return err;
}

static int on_crypto(void *arg, uint64_t offset, const uint8_t *data, size_t len)
{
	struct assembly *a = arg;
	struct quic_conn *qc = a->qc;
	struct quic_progress *pr = qc->progress;
	uint64_t end = offset + len;
	int err;

	if (qc->state == QS_DONE)
		return 0;
	if (hello_size(pr) && end > hello_size(pr))
		end = hello_size(pr);   /* past the ClientHello: not ours to read */
	if (end <= offset)
		return 0;
	if (end > QUIC_HELLO_MAX)
		return finish(qc, -E2BIG);
	if ((err = reserve(pr, (size_t)end)))
		return finish(qc, err);
	for (size_t i = (size_t)offset; i < end; i++) {
		if (received(pr, i))
			continue;
		pr->buf[i] = data[i - offset];
		pr->have[i / 8] |= (uint8_t)(1u << (i % 8));
	}
	while (pr->contiguous < pr->cap && received(pr, pr->contiguous))
		pr->contiguous++;
	if (pr->contiguous < HANDSHAKE_HEADER)
		return 0;
	if (pr->buf[0] != HANDSHAKE_CLIENT_HELLO)
		return finish(qc, -EPROTO);
	if (hello_size(pr) > QUIC_HELLO_MAX)
		return finish(qc, -E2BIG);
	if (pr->contiguous < hello_size(pr))
		return 0;
	err = tls_hello_parse(pr->buf, hello_size(pr), REQUEST_QUIC, a->ctx);
	return finish(qc, err);
}

/* Opens PKT with the connection's keys or, failing that, its own DCID's. */
static int open_initial(struct quic_progress *pr, struct quic_crypto *c, const uint8_t *pkt,
			const struct quic_long_header *h, uint8_t *out, size_t *out_len)
{
	struct quic_keys own;
	int err;

	if (pr->have_keys && pr->version == h->version &&
	    !quic_initial_open(c, &pr->keys, pkt, h, out, out_len))
		return 0;
	if ((err = quic_client_initial_keys(c, h->version, h->dcid, h->dcid_len, &own)) ||
	    (err = quic_initial_open(c, &own, pkt, h, out, out_len)))
		return err;
	if (!pr->have_keys) {
		pr->keys = own;
		pr->version = h->version;
		pr->have_keys = true;
	}
	return 0;
}

static void keep(struct quic_progress *pr, const uint8_t *pkt, size_t len)
{
	if (pr->kept || len > KEPT_MAX || !(pr->kept = malloc(len)))
		return;
	memcpy(pr->kept, pkt, len);
	pr->kept_len = (uint16_t)len;
}

/* One Initial packet: opened, its frames put together. 0 or -errno (quic.h). */
static int feed_initial(struct quic_conn *qc, struct quic_crypto *c, const uint8_t *pkt,
			const struct quic_long_header *h, const struct parse_ctx *ctx,
			struct quic_stats *stats, bool may_keep)
{
	uint8_t out[65536];
	size_t out_len;
	struct assembly a = { .qc = qc, .ctx = ctx };
	int err = open_initial(qc->progress, c, pkt, h, out, &out_len);

	if (err == -EBADMSG) {
		stats->unopened++;
		if (may_keep)
			keep(qc->progress, pkt, h->size);
		return 0;
	}
	if (err) {
		stats->malformed++;
		return 0;
	}
	stats->initials++;
	err = quic_initial_frames(out, out_len, on_crypto, &a);
	if (err == -EPROTO && qc->state != QS_DONE) {
		stats->malformed++;     /* the CRYPTO frames before the bad one count */
		err = 0;
	}
	return err;
}

/* A kept Initial, tried again now that the connection has keys. */
static int feed_kept(struct quic_conn *qc, struct quic_crypto *c, const struct parse_ctx *ctx,
		     struct quic_stats *stats)
{
	struct quic_progress *pr = qc->progress;
	struct quic_long_header h;
	uint8_t *pkt;
	size_t len;
	int err = 0;

	if (qc->state == QS_DONE || !pr->kept || !pr->have_keys)
		return 0;
	pkt = pr->kept;
	len = pr->kept_len;
	pr->kept = NULL;
	pr->kept_len = 0;
	if (!quic_long_header_parse(pkt, len, &h)) {
		stats->unopened--;      /* counted again if it still does not open */
		err = feed_initial(qc, c, pkt, &h, ctx, stats, false);
	}
	free(pkt);
	return err;
}

int quic_feed(struct quic_conn *qc, struct quic_crypto *c, const uint8_t *d, size_t len,
	      const struct parse_ctx *ctx, struct quic_stats *stats)
{
	bool first;

	if (qc->state == QS_DONE)
		return 0;
	if (!qc->progress && !(qc->progress = calloc(1, sizeof(*qc->progress))))
		return finish(qc, -ENOMEM);
	first = !qc->progress->have_keys;
	while (len > 0 && qc->state == QS_HELLO) {
		struct quic_long_header h;
		int err = quic_long_header_parse(d, len, &h);

		if (err == -EPROTONOSUPPORT && first)
			return finish(qc, err);
		if (err == -ENOMSG || (!err && h.type != QUIC_PACKET_INITIAL)) {
			stats->other_packets++;
			if (err)
				break;          /* a short header takes the rest of the datagram */
		} else if (err) {
			stats->malformed++;
			break;
		} else {
			bool had_keys = qc->progress->have_keys;

			err = feed_initial(qc, c, d, &h, ctx, stats, true);
			if (!err && !had_keys)
				err = feed_kept(qc, c, ctx, stats);
			if (err)
				return finish(qc, err);
		}
		first = false;
		d += h.size;
		len -= h.size;
	}
	return 0;
}
