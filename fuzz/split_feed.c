/* Whole-versus-pieces oracle for the stream parser fuzzers (split_feed.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/split_feed.h"

#define SMALL_LIMIT 128

/* A digest of everything emitted, and a check of each request's shape. */
struct digest {
	uint64_t hash;
	unsigned count;
};

static void mix(struct digest *d, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		d->hash = (d->hash ^ b[i]) * 0x100000001b3ull;
}

static void mix_string(struct digest *d, const char *s)
{
	if (!s) {
		mix(d, "\xff", 1);
		return;
	}
	mix(d, s, strlen(s) + 1);
}

static void on_request(void *arg, const struct request *r)
{
	struct digest *d = arg;

	if (!r->host || !r->url || !r->path || !r->host[0] || (r->proto == REQUEST_HTTP) != !!r->method)
		abort();
	if (!strstr(r->url, "://"))
		abort();
	d->count++;
	mix(d, &r->proto, sizeof(r->proto));
	mix(d, &r->flags, sizeof(r->flags));
	mix_string(d, r->method);
	mix_string(d, r->host);
	mix_string(d, r->url);
	mix_string(d, r->path);
	mix_string(d, r->target);
}

static int run(const struct parser_ops *p, const uint8_t *data, size_t size,
	       const uint8_t *pieces, size_t npieces, uint32_t limit, struct digest *d)
{
	static struct url_norm scratch;
	struct flow_tuple flow = { .client_port = 40312, .server_port = 80 };
	struct parse_ctx ctx = { .tuple = &flow, .emit = on_request, .arg = d, .scratch = &scratch };
	void *stream = malloc(p->size);
	size_t at = 0, i = 0;
	int first = 0;

	if (!stream)
		abort();
	flow.server.s6_addr[10] = flow.server.s6_addr[11] = 0xff;
	flow.server.s6_addr[15] = 2;
	memset(d, 0, sizeof(*d));
	p->init(stream, limit);
	while (at < size) {
		size_t n = npieces ? (size_t)pieces[i++ % npieces] + 1 : size;

		if (n > size - at)
			n = size - at;
		int rc = p->feed(stream, data + at, n, &ctx);

		if (rc && !first)
			first = rc;
		at += n;
	}
	p->release(stream);
	free(stream);
	return first;
}

void split_feed_check(const struct parser_ops *p, const uint8_t *data, size_t size)
{
	struct digest whole, split;

	if (size < 1)
		return;
	uint32_t limit = data[0] & 0x80 ? SMALL_LIMIT : 0;
	size_t npieces = data[0] & 0x0f;

	if (size < 1 + npieces)
		return;
	const uint8_t *pieces = data + 1;

	data += 1 + npieces;
	size -= 1 + npieces;
	int rc_whole = run(p, data, size, NULL, 0, limit, &whole);
	int rc_split = run(p, data, size, pieces, npieces, limit, &split);

	if (rc_whole != rc_split || whole.count != split.count || whole.hash != split.hash)
		abort();
}
