/* libFuzzer: the HTTP stream parser, whole against split (split_feed.h). */
#include "enforcer/http.h"
#include "fuzz/split_feed.h"

static void init(void *stream, uint32_t limit)
{
	http_stream_init(stream, limit);
}

static void release(void *stream)
{
	http_stream_release(stream);
}

static int feed(void *stream, const uint8_t *data, size_t len, const struct parse_ctx *ctx)
{
	return http_feed(stream, data, len, ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_parser http = {
		.size = sizeof(struct http_stream), .init = init, .release = release, .feed = feed,
	};

	split_feed_check(&http, data, size);
	if (size > 1)
		(void)http_is_request_start(data + 1, size - 1);
	return 0;
}
