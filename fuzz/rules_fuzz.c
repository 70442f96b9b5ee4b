/*
 * libFuzzer: the rule-file parser and compiler. Input: a rule file. It
 * loads or is refused with diagnostics, never crashes; a loaded policy
 * decides a few requests exactly as the naive evaluation does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "policies/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const urls[][3] = {
	{ "example.com", "/", "http://example.com/" },
	{ "www.ads.example", "/a/b?x=1", "http://www.ads.example/a/b?x=1" },
	{ "h", "/shorts/AbC", "http://h/shorts/AbC" },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct match_scratch *s;
	static FILE *devnull;
	char path[64];
	int fd = memfd_create("rules", 0);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	if (!s)
		s = match_scratch_new();
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct policy *p = policy_load(path, devnull);

	close(fd);
	if (!p)
		return 0;
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		struct request r = { .proto = REQUEST_HTTP, .method = "GET" };
		struct decision d, naive;

		r.host = urls[i][0];
		r.path = urls[i][1];
		r.url = urls[i][2];
		r.tuple.server_port = 80;
		policy_match(p, &r, 0, s, &d);
		policy_match_naive(p, &r, 0, s, &naive);
		if (d.action != naive.action || d.rule != naive.rule || d.n_logged != naive.n_logged)
			abort();
	}
	policy_free(p);
	return 0;
}
