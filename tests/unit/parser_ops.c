/* http.c and tls.c behind struct parser_ops (parser_ops.h). */
#include "enforcer/proto/http.h"
#include "enforcer/proto/tls.h"
#include "tests/unit/parser_ops.h"

static void http_init(void *stream, uint32_t limit)
{
	http_stream_init(stream, limit);
}

static void http_release(void *stream)
{
	http_stream_release(stream);
}

static int http_feed_any(void *stream, const uint8_t *data, size_t len,
			 const struct parse_ctx *ctx)
{
	return http_feed(stream, data, len, ctx);
}

static void tls_init(void *stream, uint32_t limit)
{
	(void)limit;
	tls_stream_init(stream);
}

static void tls_release(void *stream)
{
	tls_stream_release(stream);
}

static int tls_feed_any(void *stream, const uint8_t *data, size_t len,
			const struct parse_ctx *ctx)
{
	return tls_feed(stream, data, len, ctx);
}

const struct parser_ops http_parser_ops = {
	.size = sizeof(struct http_stream), .init = http_init, .release = http_release,
	.feed = http_feed_any,
};

const struct parser_ops tls_parser_ops = {
	.size = sizeof(struct tls_stream), .init = tls_init, .release = tls_release,
	.feed = tls_feed_any,
};
