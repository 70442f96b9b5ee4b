/* libFuzzer: the TLS ClientHello parser, whole against split (split_feed.h). */
#include "enforcer/tls.h"
#include "fuzz/split_feed.h"

static void init(void *stream, uint32_t limit)
{
	(void)limit;
	tls_stream_init(stream);
}

static void release(void *stream)
{
	tls_stream_release(stream);
}

static int feed(void *stream, const uint8_t *data, size_t len, const struct parse_ctx *ctx)
{
	return tls_feed(stream, data, len, ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_parser tls = {
		.size = sizeof(struct tls_stream), .init = init, .release = release, .feed = feed,
	};

	split_feed_check(&tls, data, size);
	if (size > 1)
		(void)tls_is_record_start(data + 1, size - 1);
	return 0;
}
