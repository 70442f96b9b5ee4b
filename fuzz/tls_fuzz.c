/* libFuzzer: the TLS ClientHello parser, whole against split (split_feed.h). */
#include "enforcer/proto/tls.h"
#include "fuzz/split_feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	split_feed_check(&tls_parser_ops, data, size);
	if (size > 1)
		(void)tls_is_record_start(data + 1, size - 1);
	return 0;
}
