/* The every-split check shared by the stream parser tests (stream_check.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/harness.h"
#include "tests/unit/stream_check.h"

#define PAIRS_MAX_LEN 600      /* every pair of cuts only for inputs this short */
#define TS_SEC 1700000000

struct capture {
	const struct flow_tuple *flow;
	char *text;
	size_t len;
};

static struct url_norm scratch;

static void capture_request(void *arg, const struct request *r)
{
	static const char *const protos[] = { "HTTP", "TLS", "H2C" };
	struct capture *c = arg;
	char *line;
	int n = asprintf(&line, "%s %#x %s %s %s %s %s\n", protos[r->proto], r->flags,
			 r->method ? r->method : "-", r->host, r->url, r->path,
			 r->target ? r->target : "-");

	ASSERT_TRUE(n > 0);
	ASSERT_EQ(r->ts.tv_sec, TS_SEC);
	ASSERT_MEMEQ(&r->tuple, c->flow, sizeof(r->tuple));
	c->text = realloc(c->text, c->len + (size_t)n + 1);
	ASSERT_NONNULL(c->text);
	memcpy(c->text + c->len, line, (size_t)n + 1);
	c->len += (size_t)n;
	free(line);
}

struct flow_tuple stream_check_flow(uint16_t server_port)
{
	struct flow_tuple f = { .client_port = 40312, .server_port = server_port };

	inet_pton(AF_INET6, "::ffff:10.0.0.2", &f.client);
	inet_pton(AF_INET6, "::ffff:10.0.1.2", &f.server);
	return f;
}

int stream_feed_pieces(const struct parser_ops *ops, const uint8_t *input, size_t len,
		       const size_t *cuts, size_t ncuts, uint32_t limit, uint16_t server_port,
		       char **text)
{
	struct flow_tuple flow = stream_check_flow(server_port);
	struct capture c = { .flow = &flow };
	struct parse_ctx ctx = {
		.tuple = &flow, .ts = { .tv_sec = TS_SEC }, .emit = capture_request,
		.arg = &c, .scratch = &scratch,
	};
	void *stream = malloc(ops->size);
	size_t at = 0;
	int first = 0;

	ASSERT_NONNULL(stream);
	ops->init(stream, limit);
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : len;
		int rc = ops->feed(stream, input + at, end - at, &ctx);

		if (rc && !first)
			first = rc;
		at = end;
	}
	ops->release(stream);
	free(stream);
	*text = c.text ? c.text : strdup("");
	return first;
}

static void expect_same(const char *name, const char *how, int rc, char *text, int want_rc,
			const char *want)
{
	if (rc != want_rc || strcmp(text, want))
		harness_fail(__FILE__, __LINE__, "%s (%s): rc %d, emitted:\n%s--- expected rc %d:\n%s",
			     name, how, rc, text, want_rc, want);
	free(text);
}

void stream_check(const struct parser_ops *ops, const char *name, const uint8_t *input,
		  size_t len, uint32_t limit, uint16_t server_port, int want_rc, const char *want)
{
	char how[64], *text;
	size_t cuts[2], *every;
	int rc;

	rc = stream_feed_pieces(ops, input, len, NULL, 0, limit, server_port, &text);
	expect_same(name, "whole", rc, text, want_rc, want);
	for (size_t a = 1; a < len; a++) {
		cuts[0] = a;
		rc = stream_feed_pieces(ops, input, len, cuts, 1, limit, server_port, &text);
		snprintf(how, sizeof(how), "split at %zu", a);
		expect_same(name, how, rc, text, want_rc, want);
		for (size_t b = a + 1; len <= PAIRS_MAX_LEN && b < len; b++) {
			cuts[1] = b;
			rc = stream_feed_pieces(ops, input, len, cuts, 2, limit, server_port, &text);
			snprintf(how, sizeof(how), "split at %zu and %zu", a, b);
			expect_same(name, how, rc, text, want_rc, want);
		}
	}
	every = malloc((len + 1) * sizeof(*every));
	ASSERT_NONNULL(every);
	for (size_t i = 0; i + 1 < len; i++)
		every[i] = i + 1;
	rc = stream_feed_pieces(ops, input, len, every, len ? len - 1 : 0, limit, server_port, &text);
	free(every);
	expect_same(name, "byte by byte", rc, text, want_rc, want);
}
