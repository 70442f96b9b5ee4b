/*
 * TLS ClientHello stream parser: reassembles the first handshake message
 * from records and segments, reads SNI and ECH from it, hands it over as a
 * struct request. Decisions on odd input are listed in tls.h.
 */
#include <errno.h>
#include <string.h>

#include "enforcer/stream/stream_buf.h"
#include "enforcer/proto/tls.h"

#define RECORD_HANDSHAKE 22
#define RECORD_MAX (16384 + 2048)
#define HANDSHAKE_CLIENT_HELLO 1
#define EXT_SERVER_NAME 0x0000
#define EXT_ECH 0xfe0d
#define EXT_ESNI 0xffce
#define NAME_TYPE_HOST 0

enum tls_state {
	TS_HELLO,       /* reading records until the ClientHello is whole */
	TS_DONE,        /* handed over, or given up: the rest is ignored */
};

/* A bounds-checked cursor over the ClientHello; any overrun marks it bad. */
struct reader {
	const uint8_t *p;
	size_t left;
	bool bad;
};

/* What the ClientHello says that the policy needs. */
struct hello_fields {
	const uint8_t *sni;
	size_t sni_len;
	unsigned flags;
};

void tls_stream_init(struct tls_stream *ts)
{
	memset(ts, 0, sizeof(*ts));
	ts->state = TS_HELLO;
}

void tls_stream_release(struct tls_stream *ts)
{
	stream_buf_free(&ts->hello, &ts->hello_len, &ts->hello_cap);
}

static const uint8_t *read_bytes(struct reader *r, size_t n)
{
	const uint8_t *p = r->p;

	if (r->bad || n > r->left) {
		r->bad = true;
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return p;
}

static uint32_t read_uint(struct reader *r, size_t n)
{
	const uint8_t *p = read_bytes(r, n);
	uint32_t v = 0;

	for (size_t i = 0; p && i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* The next N-byte-length-prefixed vector as a reader of its own. */
static struct reader read_vector(struct reader *r, size_t n)
{
	size_t len = read_uint(r, n);
	const uint8_t *p = read_bytes(r, len);
	struct reader sub = { .p = p, .left = p ? len : 0, .bad = !p };

	return sub;
}

static bool is_grease(uint16_t type)
{
	return (type & 0x0f0f) == 0x0a0a && (type >> 8) == (type & 0xff);
}

static void parse_server_name(struct reader ext, struct hello_fields *f)
{
	struct reader list = read_vector(&ext, 2);
	unsigned entries = 0;

	while (!list.bad && list.left) {
		unsigned type = read_uint(&list, 1);
		struct reader name = read_vector(&list, 2);

		if (list.bad)
			break;
		if (entries++ == 0 && type == NAME_TYPE_HOST && name.left) {
			f->sni = name.p;
			f->sni_len = name.left;
		}
	}
	if (entries > 1)
		f->flags |= REQUEST_SUSPICIOUS;
}

/* BODY: the ClientHello after its 4-byte header. Returns 0 or -EPROTO. */
static int parse_client_hello(const uint8_t *body, size_t len, struct hello_fields *f)
{
	struct reader r = { .p = body, .left = len };
	bool seen_sni = false;

	read_bytes(&r, 2 + 32);                 /* legacy_version, random */
	read_vector(&r, 1);                     /* legacy_session_id */
	read_vector(&r, 2);                     /* cipher_suites */
	read_vector(&r, 1);                     /* legacy_compression_methods */
	if (r.bad)
		return -EPROTO;
	if (r.left == 0)
		return 0;                       /* no extensions at all */

	struct reader exts = read_vector(&r, 2);

	while (!exts.bad && exts.left) {
		uint16_t type = (uint16_t)read_uint(&exts, 2);
		struct reader ext = read_vector(&exts, 2);

		if (exts.bad || is_grease(type))
			continue;
		if (type == EXT_SERVER_NAME) {
			if (seen_sni)
				f->flags |= REQUEST_SUSPICIOUS;
			else
				parse_server_name(ext, f);
			seen_sni = true;
		} else if (type == EXT_ECH || type == EXT_ESNI) {
			f->flags |= REQUEST_TLS_ECH_EXT;
		}
	}
	return exts.bad ? -EPROTO : 0;
}

/* The ClientHello BODY judged by its fields and handed over as a PROTO request. */
static int emit_hello(const uint8_t *body, size_t len, enum request_proto proto,
		      const struct parse_ctx *ctx)
{
	struct hello_fields f = { 0 };
	int err = parse_client_hello(body, len, &f);

	if (err)
		return err;
	if (!f.sni)
		f.flags |= REQUEST_TLS_NO_SNI;
	if (url_normalize_tls((const char *)f.sni, f.sni_len, ctx->tuple, ctx->scratch))
		return -E2BIG;

	struct request r = parse_ctx_request(ctx, proto, f.flags);

	ctx->emit(ctx->arg, &r);
	return 0;
}

static int hand_over(struct tls_stream *ts, const uint8_t *body, size_t len,
		     const struct parse_ctx *ctx)
{
	ts->state = TS_DONE;
	return emit_hello(body, len, REQUEST_TLS, ctx);
}

static bool record_header_valid(const uint8_t *h)
{
	unsigned len = (unsigned)h[3] << 8 | h[4];

	return h[0] == RECORD_HANDSHAKE && h[1] == 3 && len > 0 && len <= RECORD_MAX;
}

/* The handshake message's total size (header included), once its header is in. */
static size_t hello_size(const uint8_t *msg)
{
	return 4 + ((size_t)msg[1] << 16 | (size_t)msg[2] << 8 | msg[3]);
}

/*
 * Consumes payload of the current record. Returns bytes consumed, or
 * -errno. Takes at most what completes the message header, then the message.
 */
static long feed_payload(struct tls_stream *ts, const uint8_t *data, size_t len,
			 const struct parse_ctx *ctx)
{
	size_t avail = len < ts->record_left ? len : ts->record_left;

	/* The usual case: the whole message in one record of one segment. */
	if (ts->hello_len == 0 && avail >= 4 && data[0] == HANDSHAKE_CLIENT_HELLO &&
	    hello_size(data) <= avail && hello_size(data) <= TLS_HELLO_MAX) {
		int err = hand_over(ts, data + 4, hello_size(data) - 4, ctx);

		return err ? err : (long)len;
	}
	size_t want = ts->hello_len < 4 ? 4 - ts->hello_len :
		      hello_size(ts->hello) - ts->hello_len;
	size_t n = avail < want ? avail : want;
	size_t max = ts->hello_len >= 4 ? hello_size(ts->hello) : 4;
	int err = stream_buf_append(&ts->hello, &ts->hello_len, &ts->hello_cap, data, n, max);

	if (err)
		return err;
	ts->record_left -= (uint16_t)n;
	if (ts->hello_len == 4) {
		if (ts->hello[0] != HANDSHAKE_CLIENT_HELLO)
			return -EPROTO;
		if (hello_size(ts->hello) > TLS_HELLO_MAX)
			return -E2BIG;
	}
	if (ts->hello_len >= 4 && ts->hello_len == hello_size(ts->hello)) {
		err = hand_over(ts, ts->hello + 4, ts->hello_len - 4, ctx);
		tls_stream_release(ts);
		return err ? err : (long)len;
	}
	return (long)n;
}

int tls_feed(struct tls_stream *ts, const uint8_t *data, size_t len,
	     const struct parse_ctx *ctx)
{
	while (len > 0 && ts->state == TS_HELLO) {
		long used;

		if (ts->record_left == 0) {
			size_t missing = sizeof(ts->header) - ts->header_len;
			size_t n = missing < len ? missing : len;

			memcpy(ts->header + ts->header_len, data, n);
			ts->header_len = (uint8_t)(ts->header_len + n);
			used = (long)n;
			if (ts->header_len == 5) {
				if (!record_header_valid(ts->header))
					used = -EPROTO;
				ts->record_left = (uint16_t)(ts->header[3] << 8 | ts->header[4]);
				ts->header_len = 0;
			}
		} else {
			used = feed_payload(ts, data, len, ctx);
		}
		if (used < 0) {
			tls_stream_release(ts);
			ts->state = TS_DONE;
			return (int)used;
		}
		data += used;
		len -= (size_t)used;
	}
	return 0;
}

bool tls_is_record_start(const uint8_t *data, size_t len)
{
	return len >= 5 && record_header_valid(data) &&
	       (len < 6 || data[5] == HANDSHAKE_CLIENT_HELLO);
}

int tls_hello_parse(const uint8_t *msg, size_t len, enum request_proto proto,
		    const struct parse_ctx *ctx)
{
	if (len < 4 || msg[0] != HANDSHAKE_CLIENT_HELLO || hello_size(msg) != len)
		return -EPROTO;
	return emit_hello(msg + 4, len - 4, proto, ctx);
}
