/*
 * HTTP/1.x request stream parser: finds each request head, judges nothing,
 * hands every head over as a struct request, and skips bodies by their
 * framing. How ambiguous input is resolved is documented in http.h.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "common/ascii.h"
#include "enforcer/proto/http.h"
#include "enforcer/stream/stream_buf.h"

#define METHOD_MAX 32

enum http_state {
	HS_HEAD,            /* in (or before) a request head */
	HS_BODY,            /* skipping Content-Length bytes */
	HS_CHUNK_SIZE,      /* hex digits of a chunk size */
	HS_CHUNK_EXT,       /* the rest of a chunk-size line */
	HS_CHUNK_SIZE_LF,   /* CR seen after a chunk size */
	HS_CHUNK_DATA,
	HS_CHUNK_DATA_END,  /* CRLF after chunk data */
	HS_CHUNK_DATA_LF,
	HS_TRAILER_START,   /* start of a trailer line, or of the final empty line */
	HS_TRAILER_LINE,
	HS_TRAILER_LF,      /* CR seen at the start of a trailer line */
	HS_SWITCHED,        /* after CONNECT or Upgrade: HTTP, or not? */
	HS_IGNORE,          /* not ours to parse any more */
};

/* What a request line splits into. */
struct request_line {
	const char *method, *target;
	size_t method_len, target_len;
	int major, minor;       /* 0.9 when the line has no version */
};

/* What the header lines say, as far as framing and the URL go. */
struct head_fields {
	const char *host;
	size_t host_len;
	bool have_length, length_invalid, chunked, other_coding, upgrade;
	uint64_t length;
	unsigned flags;
};

void http_stream_init(struct http_stream *hs, uint32_t head_max)
{
	memset(hs, 0, sizeof(*hs));
	hs->head_max = head_max ? head_max : HTTP_HEAD_MAX_DEFAULT;
	hs->state = HS_HEAD;
}

void http_stream_release(struct http_stream *hs)
{
	stream_buf_free(&hs->head, &hs->head_len, &hs->head_cap);
}

static bool is_tchar(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool name_is(const char *s, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n && name[i]; i++)
		if (ascii_lower(s[i]) != name[i])
			return false;
	return i == n && !name[i];
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* "HTTP/1.1" (any case for the letters): 0, else -EPROTO. */
static int parse_version(const char *s, size_t n, struct request_line *rl)
{
	if (n != 8 || !name_is(s, 5, "http/") || s[5] < '0' || s[5] > '9' || s[6] != '.' ||
	    s[7] < '0' || s[7] > '9')
		return -EPROTO;
	rl->major = s[5] - '0';
	rl->minor = s[7] - '0';
	return 0;
}

/*
 * A method token followed by a space: 1 when P starts with one, 0 when P is
 * too short to tell, -EPROTO when it cannot be a request line.
 */
static int check_method(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && i <= METHOD_MAX; i++) {
		if (p[i] == ' ')
			return i ? 1 : -EPROTO;
		if (!is_tchar(p[i]))
			return -EPROTO;
	}
	return n > METHOD_MAX ? -EPROTO : 0;
}

/* LINE without its line end. Returns 0 or -EPROTO. */
static int parse_request_line(const char *line, size_t n, struct request_line *rl)
{
	size_t i = 0;

	if (n && line[n - 1] == '\r')
		n--;
	if (check_method((const uint8_t *)line, n) != 1)
		return -EPROTO;
	while (line[i] != ' ')
		i++;
	rl->method = line;
	rl->method_len = i;
	while (i < n && line[i] == ' ')
		i++;
	while (n > i && line[n - 1] == ' ')
		n--;
	if (i == n)
		return -EPROTO;
	rl->target = line + i;
	rl->target_len = n - i;

	const char *last_space = memrchr(rl->target, ' ', rl->target_len);

	if (last_space && !parse_version(last_space + 1, (size_t)(line + n - last_space - 1), rl)) {
		if (rl->major > 1 && !(rl->major == 2 && rl->minor == 0))
			return -EPROTO;
		rl->target_len = (size_t)(last_space - rl->target);
		while (rl->target[rl->target_len - 1] == ' ')
			rl->target_len--;
		return 0;
	}
	/* HTTP/0.9: "GET /path", nothing more (nginx takes GET only). */
	rl->major = 0;
	rl->minor = 9;
	return rl->method_len == 3 && !memcmp(rl->method, "GET", 3) ? 0 : -EPROTO;
}

/*
 * Searches HEAD[0..LEN) for the end of a request head, from where the last
 * call stopped. Returns the head's length (through its final LF), 0 when it
 * is not complete yet, or -EPROTO.
 */
static long find_head_end(struct http_stream *hs, const uint8_t *head, size_t len)
{
	if (!hs->line_done) {
		int m = check_method(head, len);

		if (m < 0)
			return m;
	}
	for (size_t i = hs->scanned; i < len; i++) {
		if (head[i] != '\n')
			continue;
		if (!hs->line_done) {
			struct request_line rl;

			hs->line_done = true;
			if (parse_request_line((const char *)head, i, &rl))
				return -EPROTO;
			if (rl.major == 0)
				return (long)i + 1;
			continue;
		}
		if ((i >= 1 && head[i - 1] == '\n') ||
		    (i >= 2 && head[i - 1] == '\r' && head[i - 2] == '\n'))
			return (long)i + 1;
	}
	hs->scanned = (uint32_t)len;
	return 0;
}

/* "5" or "5, 5": 0, or -1 when it is not a list of digits. */
static int parse_content_length(const char *v, size_t n, struct head_fields *f)
{
	const char *end = v + n;

	for (;;) {
		const char *comma = memchr(v, ',', (size_t)(end - v));
		const char *e = v;
		size_t elen = (size_t)((comma ? comma : end) - v);
		uint64_t value = 0;

		trim(&e, &elen);
		if (elen == 0 || elen > 18)
			return -1;
		for (size_t i = 0; i < elen; i++) {
			if (e[i] < '0' || e[i] > '9')
				return -1;
			value = value * 10 + (uint64_t)(e[i] - '0');
		}
		if (f->have_length && value != f->length) {
			f->flags |= REQUEST_SUSPICIOUS;
			if (value < f->length)
				f->length = value;
		} else {
			f->length = value;
		}
		f->have_length = true;
		if (!comma)
			return 0;
		v = comma + 1;
	}
}

/* The last coding of a Transfer-Encoding value: chunked or something else. */
static void parse_transfer_encoding(const char *v, size_t n, struct head_fields *f)
{
	const char *comma = memrchr(v, ',', n);

	if (comma) {
		n -= (size_t)(comma + 1 - v);
		v = comma + 1;
	}
	trim(&v, &n);
	f->chunked = name_is(v, n, "chunked");
	f->other_coding = !f->chunked;
}

static void parse_header(const char *line, size_t n, struct head_fields *f)
{
	const char *colon = memchr(line, ':', n);

	if (n && line[n - 1] == '\r')
		n--;
	if (memchr(line, '\r', n) || memchr(line, 0, n))
		f->flags |= REQUEST_SUSPICIOUS;
	if (line[0] == ' ' || line[0] == '\t' || !colon || colon == line) {
		f->flags |= REQUEST_SUSPICIOUS;
		return;
	}
	size_t name_len = (size_t)(colon - line);

	for (size_t i = 0; i < name_len; i++) {
		if (!is_tchar((uint8_t)line[i])) {
			f->flags |= REQUEST_SUSPICIOUS;
			return;
		}
	}
	const char *value = colon + 1;
	size_t value_len = n - name_len - 1;

	trim(&value, &value_len);
	if (name_is(line, name_len, "host")) {
		if (!f->host) {
			f->host = value;
			f->host_len = value_len;
		} else if (value_len != f->host_len || strncasecmp(value, f->host, value_len)) {
			f->flags |= REQUEST_HOST_CONFLICT;
		} else {
			f->flags |= REQUEST_SUSPICIOUS;
		}
	} else if (name_is(line, name_len, "content-length")) {
		if (parse_content_length(value, value_len, f)) {
			f->flags |= REQUEST_SUSPICIOUS;
			f->length_invalid = true;
		}
	} else if (name_is(line, name_len, "transfer-encoding")) {
		parse_transfer_encoding(value, value_len, f);
	} else if (name_is(line, name_len, "upgrade")) {
		f->upgrade = true;
	}
}

static void emit(const struct parse_ctx *ctx, enum request_proto proto, unsigned flags,
		 const char *method, const char *target)
{
	struct request r = parse_ctx_request(ctx, proto, flags);

	r.method = method;
	r.target = target;
	ctx->emit(ctx->arg, &r);
}

/* A complete head HEAD[0..LEN): emit it, set up what follows. */
static int process_head(struct http_stream *hs, const char *head, size_t len,
			const struct parse_ctx *ctx)
{
	const char *lf = memchr(head, '\n', len);
	struct head_fields f = { 0 };
	struct request_line rl;
	char method[METHOD_MAX + 1];
	struct url_norm *out = ctx->scratch;
	int err;

	if (parse_request_line(head, (size_t)(lf - head), &rl))
		return -EPROTO;
	if (rl.major == 2) {
		if (!name_is(rl.method, rl.method_len, "pri") || rl.target_len != 1 ||
		    rl.target[0] != '*')
			return -EPROTO;
		err = url_normalize_http("/", 1, NULL, 0, ctx->tuple, out, &f.flags);
		if (err)
			return -E2BIG;
		emit(ctx, REQUEST_H2C, f.flags, NULL, NULL);
		hs->state = HS_IGNORE;
		return 0;
	}
	for (const char *line = lf + 1; line < head + len;) {
		const char *end = memchr(line, '\n', (size_t)(head + len - line));
		size_t n = (size_t)(end - line);

		if (n == 0 || (n == 1 && line[0] == '\r'))
			break;
		parse_header(line, n, &f);
		line = end + 1;
	}
	if (rl.target_len >= sizeof(out->target))
		return -E2BIG;
	memcpy(out->target, rl.target, rl.target_len);
	out->target[rl.target_len] = 0;
	memcpy(method, rl.method, rl.method_len);
	method[rl.method_len] = 0;

	err = url_normalize_http(rl.target, rl.target_len, f.host, f.host_len, ctx->tuple,
				 out, &f.flags);
	if (err)
		return -E2BIG;
	if (f.other_coding || (f.chunked && (f.have_length || f.length_invalid)))
		f.flags |= REQUEST_SUSPICIOUS;
	emit(ctx, REQUEST_HTTP, f.flags, method, out->target);
	/* Servers that read it otherwise: judge their readings too. */
	for (unsigned k = URL_READING_HOST; k < URL_READINGS_END; k++)
		if (!url_normalize_http_as(k, rl.target, rl.target_len, f.host, f.host_len,
					   ctx->tuple, out, &f.flags))
			emit(ctx, REQUEST_HTTP, f.flags, method, out->target);

	bool connect = rl.method_len == 7 && !memcmp(rl.method, "CONNECT", 7);

	hs->switch_after = connect || f.upgrade;
	hs->remaining = 0;
	if (rl.major == 0)
		hs->state = HS_IGNORE;
	else if (connect)
		hs->state = HS_SWITCHED;
	else if (f.chunked)
		hs->state = HS_CHUNK_SIZE;
	else if (f.have_length && !f.other_coding && f.length > 0)
		hs->state = HS_BODY, hs->remaining = f.length;
	else
		hs->state = hs->switch_after ? HS_SWITCHED : HS_HEAD;
	hs->chunk_digits = 0;
	return 0;
}

static void head_reset(struct http_stream *hs)
{
	http_stream_release(hs);
	hs->scanned = 0;
	hs->line_done = false;
}

/* Consumes bytes of a head. Returns how many, or -errno. */
static long feed_head(struct http_stream *hs, const uint8_t *data, size_t len,
		      const struct parse_ctx *ctx)
{
	size_t skipped = 0;

	if (hs->head_len == 0) {
		while (skipped < len && (data[skipped] == '\r' || data[skipped] == '\n'))
			skipped++;
		data += skipped;
		len -= skipped;
		if (len == 0)
			return (long)skipped;
	}
	size_t old = hs->head_len;
	size_t take = len < hs->head_max - old ? len : hs->head_max - old;
	const uint8_t *head = data;
	int err;

	if (old) {
		err = stream_buf_append(&hs->head, &hs->head_len, &hs->head_cap, data, take,
						hs->head_max);
		if (err)
			return err;
		head = hs->head;
	}
	long end = find_head_end(hs, head, old + take);

	if (end < 0)
		return end;
	if (end == 0) {
		if (old + take >= hs->head_max)
			return -E2BIG;
		if (!old) {
			err = stream_buf_append(&hs->head, &hs->head_len, &hs->head_cap, data, take,
						hs->head_max);
			if (err)
				return err;
		}
		return (long)(skipped + take);
	}
	err = process_head(hs, (const char *)head, (size_t)end, ctx);
	head_reset(hs);
	if (err)
		return err;
	return (long)(skipped + (size_t)end - old);
}

static void message_done(struct http_stream *hs)
{
	hs->state = hs->switch_after ? HS_SWITCHED : HS_HEAD;
}

/* Chunked framing, byte by byte except the data. Returns bytes consumed or -EPROTO. */
static long feed_chunked(struct http_stream *hs, const uint8_t *data, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = data[i];

		switch (hs->state) {
		case HS_CHUNK_SIZE: {
			int d = c >= '0' && c <= '9' ? c - '0' :
				(c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;

			if (d >= 0) {
				/* Leading zeros are harmless; 15 significant digits are not. */
				if (hs->remaining >> 56)
					return -EPROTO;
				hs->remaining = hs->remaining * 16 + (uint64_t)d;
				hs->chunk_digits = 1;
				i++;
				break;
			}
			if (!hs->chunk_digits)
				return -EPROTO;
			if (c == ';' || c == ' ' || c == '\t')
				hs->state = HS_CHUNK_EXT;
			else if (c == '\r')
				hs->state = HS_CHUNK_SIZE_LF;
			else if (c != '\n')
				return -EPROTO;
			i++;
			if (c == '\n')
				goto size_line_done;
			break;
		}
		case HS_CHUNK_EXT:
			i++;
			if (c == '\n')
				goto size_line_done;
			break;
		case HS_CHUNK_SIZE_LF:
			if (c != '\n')
				return -EPROTO;
			i++;
size_line_done:
			hs->chunk_digits = 0;
			hs->state = hs->remaining ? HS_CHUNK_DATA : HS_TRAILER_START;
			break;
		case HS_CHUNK_DATA: {
			uint64_t skip = len - i < hs->remaining ? len - i : hs->remaining;

			i += skip;
			hs->remaining -= skip;
			if (!hs->remaining)
				hs->state = HS_CHUNK_DATA_END;
			break;
		}
		case HS_CHUNK_DATA_END:
		case HS_CHUNK_DATA_LF:
			if (c == '\r' && hs->state == HS_CHUNK_DATA_END)
				hs->state = HS_CHUNK_DATA_LF;
			else if (c == '\n')
				hs->state = HS_CHUNK_SIZE;
			else
				return -EPROTO;
			i++;
			break;
		case HS_TRAILER_START:
		case HS_TRAILER_LF:
			i++;
			if (c == '\n') {
				message_done(hs);
				return (long)i;
			}
			/* A CR not followed by LF starts a trailer line. */
			hs->state = c == '\r' && hs->state == HS_TRAILER_START ?
				    HS_TRAILER_LF : HS_TRAILER_LINE;
			break;
		case HS_TRAILER_LINE:
			i++;
			if (c == '\n')
				hs->state = HS_TRAILER_START;
			break;
		default:
			return (long)i;
		}
	}
	return (long)i;
}

int http_feed(struct http_stream *hs, const uint8_t *data, size_t len,
	      const struct parse_ctx *ctx)
{
	while (len > 0) {
		long used;

		switch (hs->state) {
		case HS_HEAD:
			used = feed_head(hs, data, len, ctx);
			break;
		case HS_BODY:
			used = (long)(len < hs->remaining ? len : hs->remaining);
			hs->remaining -= (uint64_t)used;
			if (!hs->remaining)
				message_done(hs);
			break;
		case HS_SWITCHED:
			hs->state = is_tchar(data[0]) || data[0] == '\r' || data[0] == '\n' ?
				    HS_HEAD : HS_IGNORE;
			hs->switch_after = false;
			used = 0;
			break;
		case HS_IGNORE:
			return 0;
		default:
			used = feed_chunked(hs, data, len);
			break;
		}
		if (used < 0) {
			head_reset(hs);
			hs->state = HS_IGNORE;
			return (int)used;
		}
		data += used;
		len -= (size_t)used;
	}
	return 0;
}

bool http_is_request_start(const uint8_t *data, size_t len)
{
	const uint8_t *lf = memchr(data, '\n', len);
	struct request_line rl;

	if (check_method(data, len) != 1)
		return false;
	if (!lf) {
		const uint8_t *sp = memchr(data, ' ', len);

		while ((size_t)(sp - data) < len && *sp == ' ')
			sp++;
		return (size_t)(sp - data) < len;
	}
	return parse_request_line((const char *)data, (size_t)(lf - data), &rl) == 0;
}
