/*
 * libFuzzer: URL normalization. Input: a request target, then optionally
 * '\n' and a Host value; also taken whole as SNI and as typed text. Every
 * result must have the normalized shape (below), and typed text without
 * '%' must normalize to a fixed point.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/url.h"

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static void check_host(const char *host)
{
	if (!host[0] || host[strlen(host) - 1] == '.' || !printable(host))
		abort();
	for (const char *c = host; *c; c++)
		if (*c >= 'A' && *c <= 'Z' && !(c - host >= 1 && (c[-1] == '%' ||
					   (c - host >= 2 && c[-2] == '%'))))
			abort();
}

/* Before '?': starts with '/', no empty, "." or ".." segment but a last empty one. */
static void check_path(const char *path)
{
	size_t end = strcspn(path, "?");

	if (!strcmp(path, "*"))
		return;
	if (path[0] != '/' || !printable(path))
		abort();
	for (size_t i = 0; i < end; i++) {
		if (path[i] != '/')
			continue;
		size_t seg = strcspn(path + i + 1, "/?");

		if ((seg == 0 && i + 1 < end) ||
		    (seg == 1 && path[i + 1] == '.') ||
		    (seg == 2 && path[i + 1] == '.' && path[i + 2] == '.'))
			abort();
	}
}

static void check(const struct url_norm *u)
{
	check_host(u->host);
	check_path(u->path);
	if (!strstr(u->url, "://") || !printable(u->url))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct url_norm out, again;
	struct flow_tuple flow = { .server_port = 8080 };
	const char *text = (const char *)data;
	const char *nl = memchr(text, '\n', size);
	size_t target_len = nl ? (size_t)(nl - text) : size;
	unsigned flags = 0;

	flow.server.s6_addr[0] = 0xfd;
	flow.server.s6_addr[15] = 2;
	if (!url_normalize_http(text, target_len, nl ? nl + 1 : NULL,
				nl ? size - target_len - 1 : 0, &flow, &out, &flags))
		check(&out);
	if (!url_normalize_tls(text, size, &flow, &out))
		check(&out);

	char *copy = strndup(text, size);

	if (!copy)
		abort();
	if (!url_normalize_text(copy, &out)) {
		check(&out);
		if (!strchr(copy, '%')) {
			if (url_normalize_text(out.url, &again) || strcmp(out.url, again.url))
				abort();
		}
	}
	free(copy);
	return 0;
}
