/*
 * HTTP stream parser vectors, each checked at every split (stream_check.h):
 * PROTO FLAGS METHOD HOST URL PATH TARGET for every request emitted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "enforcer/proto/http.h"
#include "tests/harness.h"
#include "tests/unit/stream_check.h"

#define CHECK_LIMIT(name, input, head_max, rc, want) \
	stream_check(&http_parser_ops, name, (const uint8_t *)(input), sizeof(input) - 1, head_max, 80, \
		     rc, want)
#define CHECK(name, input, rc, want) CHECK_LIMIT(name, input, 0, rc, want)

#define SUSP "0x20"

void test_http_simple_get(void)
{
	CHECK("simple GET",
	      "GET /a?x=1 HTTP/1.1\r\n"
	      "Host: Example.TEST\r\n"
	      "User-Agent: t\r\n"
	      "\r\n",
	      0, "HTTP 0 GET example.test http://example.test/a?x=1 /a?x=1 /a?x=1\n");
}

void test_http_keepalive_pipelined(void)
{
	CHECK("pipelined",
	      "GET /1 HTTP/1.1\r\nHost: a.test\r\n\r\n"
	      "HEAD /2 HTTP/1.1\r\nhost: b.test\r\nConnection: keep-alive\r\n\r\n"
	      "DELETE /3/../4 HTTP/1.0\r\nHOST: c.test:8080\r\n\r\n",
	      0,
	      "HTTP 0 GET a.test http://a.test/1 /1 /1\n"
	      "HTTP 0 HEAD b.test http://b.test/2 /2 /2\n"
	      "HTTP 0 DELETE c.test http://c.test:8080/4 /4 /3/../4\n");
}

void test_http_any_method_token(void)
{
	CHECK("methods",
	      "PROPFIND / HTTP/1.1\r\nHost: h\r\n\r\n"
	      "get / HTTP/1.1\r\nHost: h\r\n\r\n"
	      "X-Y.Z~! / HTTP/1.1\r\nHost: h\r\n\r\n",
	      0,
	      "HTTP 0 PROPFIND h http://h/ / /\n"
	      "HTTP 0 get h http://h/ / /\n"
	      "HTTP 0 X-Y.Z~! h http://h/ / /\n");
}

void test_http_content_length_body_skipped(void)
{
	/* The body looks like a request: it must not be emitted. */
	CHECK("content-length body",
	      "POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: 38\r\n\r\n"
	      "GET /evil HTTP/1.1\r\nHost: evil\r\n\r\n\r\n\r\n"
	      "GET /next HTTP/1.1\r\nHost: h\r\n\r\n",
	      0,
	      "HTTP 0 POST h http://h/form /form /form\n"
	      "HTTP 0 GET h http://h/next /next /next\n");
}

void test_http_chunked_with_extensions_and_trailers(void)
{
	CHECK("chunked",
	      "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"
	      "1a;name=value;q=\"x\"\r\n"                 /* 26 bytes with an extension */
	      "GET /evil HTTP/1.1\r\n\r\n\r\n\r\n"
	      "\r\n"
	      "000A \t; ext\r\n"                            /* leading zeros, BWS */
	      "0123456789\r\n"
	      "0\r\n"
	      "Trailer-One: GET /evil HTTP/1.1\r\n"
	      "Trailer-Two: x\r\n"
	      "\r\n"
	      "GET /next HTTP/1.1\r\nHost: h\r\n\r\n",
	      0,
	      "HTTP 0 POST h http://h/up /up /up\n"
	      "HTTP 0 GET h http://h/next /next /next\n");
}

void test_http_chunked_lf_only(void)
{
	CHECK("chunked LF only",
	      "POST /up HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\n\n"
	      "3\nabc\n"
	      "0\n\n"
	      "GET /next HTTP/1.1\nHost: h\n\n",
	      0,
	      "HTTP 0 POST h http://h/up /up /up\n"
	      "HTTP 0 GET h http://h/next /next /next\n");
}

void test_http_chunked_bad_framing(void)
{
	CHECK("chunk size not hex",
	      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "zz\r\n",
	      -EPROTO, "HTTP 0 POST h http://h/ / /\n");
	CHECK("chunk data not followed by CRLF",
	      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "2\r\nabc\r\n",
	      -EPROTO, "HTTP 0 POST h http://h/ / /\n");
	CHECK("chunk size overflows",
	      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "1000000000000000000\r\n",
	      -EPROTO, "HTTP 0 POST h http://h/ / /\n");
	CHECK("CR then junk after a chunk size",
	      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "1\rx",
	      -EPROTO, "HTTP 0 POST h http://h/ / /\n");
}

void test_http_chunked_trailer_odd_cr(void)
{
	/* A trailer line that starts with a lone CR is still a trailer line. */
	CHECK("trailer CR",
	      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "0\r\n\rx: y\r\n\r\n"
	      "GET /n HTTP/1.1\r\nHost: h\r\n\r\n",
	      0, "HTTP 0 POST h http://h/ / /\nHTTP 0 GET h http://h/n /n /n\n");
}

void test_http_te_and_cl(void)
{
	CHECK("chunked wins over Content-Length",
	      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "0\r\n\r\n"
	      "GET /n HTTP/1.1\r\nHost: h\r\n\r\n",
	      0, "HTTP " SUSP " POST h http://h/ / /\nHTTP 0 GET h http://h/n /n /n\n");
	CHECK("a coding that is not chunked: no body",
	      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
	      "GET /n HTTP/1.1\r\nHost: h\r\n\r\n",
	      0, "HTTP " SUSP " POST h http://h/ / /\nHTTP 0 GET h http://h/n /n /n\n");
	CHECK("the last Transfer-Encoding header counts",
	      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "0\r\n\r\n",
	      0, "HTTP 0 POST h http://h/ / /\n");
}

void test_http_content_length_variants(void)
{
	CHECK("a list of equal values",
	      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3 , 3\r\nContent-Length: 3\r\n\r\n"
	      "abc"
	      "GET /n HTTP/1.1\r\nHost: h\r\n\r\n",
	      0, "HTTP 0 POST h http://h/ / /\nHTTP 0 GET h http://h/n /n /n\n");
	CHECK("different values: the smallest counts",
	      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 40\r\nContent-Length: 0\r\n\r\n"
	      "GET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n",
	      0, "HTTP " SUSP " POST h http://h/ / /\n"
	      "HTTP 0 GET h http://h/smuggled /smuggled /smuggled\n");
	CHECK("different values in one header",
	      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 1\r\n\r\n"
	      "xGET /n HTTP/1.1\r\nHost: h\r\n\r\n",
	      0, "HTTP " SUSP " POST h http://h/ / /\nHTTP 0 GET h http://h/n /n /n\n");
	CHECK("not digits: 0",
	      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n"
	      "GET /n HTTP/1.1\r\nHost: h\r\n\r\n",
	      0, "HTTP " SUSP " POST h http://h/ / /\nHTTP 0 GET h http://h/n /n /n\n");
	CHECK("zero",
	      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
	      "GET /n HTTP/1.1\r\nHost: h\r\n\r\n",
	      0, "HTTP 0 POST h http://h/ / /\nHTTP 0 GET h http://h/n /n /n\n");
	CHECK("GET with a body",
	      "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n"
	      "hello",
	      0, "HTTP 0 GET h http://h/ / /\n");
}

void test_http_host_conflicts(void)
{
	CHECK("two different Host headers: the first counts",
	      "GET / HTTP/1.1\r\nHost: allowed.test\r\nHost: blocked.test\r\n\r\n",
	      0, "HTTP 0x4 GET allowed.test http://allowed.test/ / /\n");
	CHECK("the same Host twice",
	      "GET / HTTP/1.1\r\nHost: a.test\r\nhost:  A.TEST \r\n\r\n",
	      0, "HTTP " SUSP " GET a.test http://a.test/ / /\n");
	CHECK("absolute target against Host: the target's reading, then Host's",
	      "GET http://blocked.test/x HTTP/1.1\r\nHost: allowed.test\r\n\r\n",
	      0, "HTTP 0x4 GET blocked.test http://blocked.test/x /x http://blocked.test/x\n"
	      "HTTP 0x4 GET allowed.test http://allowed.test/x /x http://blocked.test/x\n");
	CHECK("authority target against Host, Host with a port",
	      "CONNECT a.test:443 HTTP/1.1\r\nHost: b.test:8443\r\n\r\n",
	      0, "HTTP 0x4 CONNECT a.test http://a.test:443/ / a.test:443\n"
	      "HTTP 0x4 CONNECT b.test http://b.test:8443/ / a.test:443\n");
	CHECK("an encoded slash: as written, then as nginx reads it",
	      "GET /x%2F..%2fb?q=%2F HTTP/1.1\r\nHost: h\r\n\r\n",
	      0, "HTTP 0 GET h http://h/x%2F..%2Fb?q=%2F /x%2F..%2Fb?q=%2F /x%2F..%2fb?q=%2F\n"
	      "HTTP 0 GET h http://h/b?q=%2F /b?q=%2F /x%2F..%2fb?q=%2F\n");
	CHECK("an encoded slash in the query only: one reading",
	      "GET /a?q=%2F HTTP/1.1\r\nHost: h\r\n\r\n",
	      0, "HTTP 0 GET h http://h/a?q=%2F /a?q=%2F /a?q=%2F\n");
	CHECK("absolute target against an empty Host: one reading",
	      "GET http://a.test/x HTTP/1.1\r\nHost: \r\n\r\n",
	      0, "HTTP 0x4 GET a.test http://a.test/x /x http://a.test/x\n");
	CHECK("absolute target agreeing with Host",
	      "GET http://a.test:80/x HTTP/1.1\r\nHost: a.test\r\n\r\n",
	      0, "HTTP 0 GET a.test http://a.test/x /x http://a.test:80/x\n");
	CHECK("userinfo",
	      "GET http://allowed.test@blocked.test/ HTTP/1.1\r\n\r\n",
	      0, "HTTP " SUSP " GET blocked.test http://blocked.test/ / "
	      "http://allowed.test@blocked.test/\n");
	CHECK("no Host",
	      "GET /x HTTP/1.0\r\n\r\n",
	      0, "HTTP 0x10 GET 10.0.1.2 http://10.0.1.2/x /x /x\n");
}

void test_http_header_evasions(void)
{
	CHECK("space before the colon: ignored",
	      "GET / HTTP/1.1\r\nHost : blocked.test\r\n\r\n",
	      0, "HTTP 0x30 GET 10.0.1.2 http://10.0.1.2/ / /\n");
	CHECK("obs-fold: the continuation is ignored",
	      "GET / HTTP/1.1\r\nHost: a.test\r\n blocked.test\r\nX: y\r\n\r\n",
	      0, "HTTP " SUSP " GET a.test http://a.test/ / /\n");
	CHECK("folded line before the first header",
	      "GET / HTTP/1.1\r\n\tHost: blocked.test\r\nHost: a.test\r\n\r\n",
	      0, "HTTP " SUSP " GET a.test http://a.test/ / /\n");
	CHECK("line without a colon",
	      "GET / HTTP/1.1\r\nnonsense\r\nHost: a.test\r\n\r\n",
	      0, "HTTP " SUSP " GET a.test http://a.test/ / /\n");
	CHECK("empty header name",
	      "GET / HTTP/1.1\r\n: x\r\nHost: a.test\r\n\r\n",
	      0, "HTTP " SUSP " GET a.test http://a.test/ / /\n");
	CHECK("a stray CR inside a value",
	      "GET / HTTP/1.1\r\nX: a\rb\r\nHost: a.test\r\n\r\n",
	      0, "HTTP " SUSP " GET a.test http://a.test/ / /\n");
	CHECK("NUL inside a value",
	      "GET / HTTP/1.1\r\nX: a\0b\r\nHost: a.test\r\n\r\n",
	      0, "HTTP " SUSP " GET a.test http://a.test/ / /\n");
	CHECK("tabs around the Host value",
	      "GET / HTTP/1.1\r\nHost:\t a.test \t\r\n\r\n",
	      0, "HTTP 0 GET a.test http://a.test/ / /\n");
}

void test_http_line_ends_and_whitespace(void)
{
	CHECK("LF only",
	      "GET /a HTTP/1.1\nHost: h\n\nGET /b HTTP/1.1\nHost: h\n\n",
	      0, "HTTP 0 GET h http://h/a /a /a\nHTTP 0 GET h http://h/b /b /b\n");
	CHECK("mixed line ends",
	      "GET /a HTTP/1.1\r\nHost: h\n\r\nGET /b HTTP/1.1\nHost: h\r\n\n",
	      0, "HTTP 0 GET h http://h/a /a /a\nHTTP 0 GET h http://h/b /b /b\n");
	CHECK("empty lines before a request",
	      "\r\n\r\n\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n",
	      0, "HTTP 0 GET h http://h/a /a /a\nHTTP 0 GET h http://h/b /b /b\n");
	CHECK("several spaces, lower-case version",
	      "GET   /a   http/1.1  \r\nHost: h\r\n\r\n",
	      0, "HTTP 0 GET h http://h/a /a /a\n");
	CHECK("space inside the target",
	      "GET /a b/c HTTP/1.1\r\nHost: h\r\n\r\n",
	      0, "HTTP 0 GET h http://h/a%20b/c /a%20b/c /a b/c\n");
	CHECK("no request line end yet", "GET / HTTP/1.1\r\nHost: h\r\n", 0, "");
	CHECK("only empty lines", "\r\n\n\r\n", 0, "");
	CHECK("nothing", "", 0, "");
}

void test_http_target_forms(void)
{
	CHECK("CONNECT, then TLS in the tunnel: ignored",
	      "CONNECT blocked.test:443 HTTP/1.1\r\nHost: blocked.test:443\r\n\r\n"
	      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03GET / HTTP/1.1\r\n\r\n",
	      0, "HTTP 0 CONNECT blocked.test http://blocked.test:443/ / blocked.test:443\n");
	CHECK("CONNECT, then plain HTTP in the tunnel",
	      "CONNECT h:80 HTTP/1.1\r\nHost: h:80\r\n\r\n"
	      "GET /in HTTP/1.1\r\nHost: h\r\n\r\n",
	      0, "HTTP 0 CONNECT h http://h/ / h:80\nHTTP 0 GET h http://h/in /in /in\n");
	CHECK("asterisk",
	      "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
	      0, "HTTP 0 OPTIONS h http://h/ * *\n");
	CHECK("absolute https target",
	      "GET HTTPS://H.test:443/x/./y HTTP/1.1\r\n\r\n",
	      0, "HTTP 0 GET h.test https://h.test/x/y /x/y HTTPS://H.test:443/x/./y\n");
	CHECK("WebSocket upgrade, then frames: ignored",
	      "GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
	      "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
	      0, "HTTP 0 GET h http://h/ws /ws /ws\n");
	CHECK("Upgrade refused, the next request parsed",
	      "POST /u HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\nContent-Length: 2\r\n\r\nab"
	      "GET /n HTTP/1.1\r\nHost: h\r\n\r\n",
	      0, "HTTP 0 POST h http://h/u /u /u\nHTTP 0 GET h http://h/n /n /n\n");
}

void test_http_h2c_preface(void)
{
	CHECK("h2c preface",
	      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
	      "\x00\x00\x12\x04\x00\x00\x00\x00\x00GET / HTTP/1.1\r\n\r\n",
	      0, "H2C 0x10 - 10.0.1.2 http://10.0.1.2/ / -\n");
	CHECK("h2c after an Upgrade",
	      "GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
	      "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n"
	      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x01\x00\x00\x00\x00",
	      0, "HTTP 0 GET h http://h/ / /\nH2C 0x10 - 10.0.1.2 http://10.0.1.2/ / -\n");
	CHECK("HTTP/2.0 with another method", "GET / HTTP/2.0\r\n\r\n", -EPROTO, "");
}

void test_http_09(void)
{
	CHECK("HTTP/0.9", "GET /old\r\nGET /ignored HTTP/1.1\r\n\r\n",
	      0, "HTTP 0x10 GET 10.0.1.2 http://10.0.1.2/old /old /old\n");
	CHECK("HTTP/0.9 takes GET only", "POST /old\r\n\r\n", -EPROTO, "");
}

void test_http_garbage(void)
{
	CHECK("TLS on an HTTP port", "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", -EPROTO, "");
	CHECK("space first", " GET / HTTP/1.1\r\n\r\n", -EPROTO, "");
	CHECK("no target", "GET\r\n\r\n", -EPROTO, "");
	CHECK("no target, spaces", "GET   \r\n\r\n", -EPROTO, "");
	CHECK("HTTP/3", "GET / HTTP/3.0\r\n\r\n", -EPROTO, "");
	CHECK("SSH banner", "SSH-2.0-OpenSSH_9.2\r\n", -EPROTO, "");
	CHECK("method too long",
	      "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ / HTTP/1.1\r\n\r\n", -EPROTO, "");
	CHECK("garbage after a request",
	      "GET / HTTP/1.1\r\nHost: h\r\n\r\n\x01\x02\x03",
	      -EPROTO, "HTTP 0 GET h http://h/ / /\n");
	CHECK("the stream is ignored after an error",
	      "\x01GET / HTTP/1.1\r\nHost: h\r\n\r\n", -EPROTO, "");
}

static char *repeat_header(size_t head_size, const char *tail)
{
	const char *start = "GET / HTTP/1.1\r\nHost: h\r\nX: ";
	size_t fixed = strlen(start) + 4, tail_len = strlen(tail);
	char *s = malloc(head_size + tail_len + 1);

	ASSERT_NONNULL(s);
	strcpy(s, start);
	memset(s + strlen(start), 'a', head_size - fixed);
	memcpy(s + head_size - 4, "\r\n\r\n", 4);
	memcpy(s + head_size, tail, tail_len + 1);
	return s;
}

static void expect_pieces(const char *name, const char *input, size_t cut, int want_rc,
			  const char *want)
{
	char *text;
	int rc = stream_feed_pieces(&http_parser_ops, (const uint8_t *)input, strlen(input), &cut,
				    cut ? 1 : 0, 0, 80, &text);

	if (rc != want_rc || strcmp(text, want))
		harness_fail(__FILE__, __LINE__, "%s cut at %zu: rc %d, emitted \"%s\"", name, cut,
			     rc, text);
	free(text);
}

void test_http_head_limit(void)
{
	char *at_limit = repeat_header(HTTP_HEAD_MAX_DEFAULT, "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
	char *over = repeat_header(HTTP_HEAD_MAX_DEFAULT + 1, "");

	/* Whole and cut once at a few places (every cut is slow at this size). */
	for (size_t cut = 0; cut < strlen(at_limit); cut += 997) {
		expect_pieces("head at the limit", at_limit, cut, 0,
			      "HTTP 0 GET h http://h/ / /\nHTTP 0 GET h http://h/2 /2 /2\n");
		expect_pieces("head over the limit", over, cut, -E2BIG, "");
	}
	free(at_limit);
	free(over);

	/* A configured limit, checked at every split. */
	CHECK_LIMIT("limit 40 ok", "GET / HTTP/1.1\r\nHost: h\r\nX: 01234567\r\n\r\n", 40, 0,
		    "HTTP 0 GET h http://h/ / /\n");
	CHECK_LIMIT("limit 40 over", "GET / HTTP/1.1\r\nHost: h\r\nX: 012345678\r\n\r\n", 40,
		    -E2BIG, "");
	CHECK_LIMIT("limit 40, second request over",
		    "GET / HTTP/1.1\r\n\r\nGET /0123456789012345678901234567890 HTTP/1.1\r\n\r\n",
		    40, -E2BIG, "HTTP 0x10 GET 10.0.1.2 http://10.0.1.2/ / /\n");
}

/* A host that cannot be a DNS name and cannot fit: the overflow rule, never cut. */
void test_http_host_too_long(void)
{
	char req[512];
	char host[URL_HOST_MAX + 1];

	memset(host, 'a', sizeof(host) - 1);
	host[sizeof(host) - 1] = 0;
	snprintf(req, sizeof(req), "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", host);
	expect_pieces("long Host", req, 0, -E2BIG, "");
	expect_pieces("long Host", req, 100, -E2BIG, "");
	snprintf(req, sizeof(req), "GET http://%s/ HTTP/1.1\r\n\r\n", host);
	expect_pieces("long absolute host", req, 0, -E2BIG, "");
}

static void count_request(void *arg, const struct request *r)
{
	unsigned *seen = arg;

	*seen = r->flags | 0x80000000u;
}

void test_http_head_buffer_lazy_and_flags(void)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
	static struct url_norm scratch;
	struct flow_tuple flow = stream_check_flow(80);
	unsigned seen = 0;
	struct parse_ctx ctx = {
		.tuple = &flow, .flags = REQUEST_MIDSTREAM, .emit = count_request, .arg = &seen,
		.scratch = &scratch,
	};
	struct http_stream hs;

	ASSERT_EQ(sizeof(struct http_stream), 40);
	http_stream_init(&hs, 0);
	ASSERT_OK(http_feed(&hs, (const uint8_t *)req, sizeof(req) - 1, &ctx));
	ASSERT_NULL(hs.head);
	ASSERT_EQ(seen, 0x80000000u | REQUEST_MIDSTREAM);
	seen = 0;
	ASSERT_OK(http_feed(&hs, (const uint8_t *)req, 10, &ctx));
	ASSERT_NONNULL(hs.head);
	ASSERT_EQ(hs.head_cap, 512);
	ASSERT_EQ(seen, 0);
	ASSERT_OK(http_feed(&hs, (const uint8_t *)req + 10, sizeof(req) - 11, &ctx));
	ASSERT_NULL(hs.head);
	ASSERT_EQ(seen, 0x80000000u | REQUEST_MIDSTREAM);
	http_stream_release(&hs);
}

void test_http_is_request_start(void)
{
	static const struct {
		const char *data;
		bool start;
	} v[] = {
		{ "GET / HTTP/1.1\r\nHost: h\r\n", true },
		{ "GET /partial-line", true },
		{ "OPTIONS * HTTP/1.1\r\n", true },
		{ "PRI * HTTP/2.0\r\n", true },
		{ "GET /0.9\r\n", true },
		{ "GET ", false },
		{ "GET", false },
		{ "", false },
		{ "\r\nGET / HTTP/1.1\r\n", false },
		{ "ab\x01 / HTTP/1.1\r\n", false },
		{ "hello world\r\n", false },
		{ "POST /x HTTP/9.9\r\n", false },
		{ "\x16\x03\x01\x00\x10", false },
		{ "{\"json\": 1}", false },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (http_is_request_start((const uint8_t *)v[i].data, strlen(v[i].data)) != v[i].start)
			harness_fail(__FILE__, __LINE__, "\"%s\": expected %d", v[i].data, v[i].start);
}
