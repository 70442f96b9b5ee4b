/* URL normalization vectors: each pins one decision listed in url.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/url.h"
#include "tests/harness.h"

struct http_vector {
	const char *target;
	const char *host_hdr;     /* NULL: no Host header */
	const char *server;       /* the flow's server address */
	uint16_t server_port;
	const char *host, *path, *url;
	uint16_t port;
	unsigned flags;
};

static const struct http_vector http_vectors[] = {
	/* plain origin-form */
	{ "/", "example.test", "10.0.1.2", 80, "example.test", "/", "http://example.test/", 80, 0 },
	{ "/a?x=1", "example.test", "10.0.1.2", 80,
	  "example.test", "/a?x=1", "http://example.test/a?x=1", 80, 0 },
	/* host: case, trailing dots, default and other ports, OWS handled by http.c */
	{ "/p", "ExAmPle.TEST.", "10.0.1.2", 80, "example.test", "/p", "http://example.test/p", 80, 0 },
	{ "/p", "example.test..", "10.0.1.2", 80, "example.test", "/p", "http://example.test/p", 80, 0 },
	{ "/p", "example.test:80", "10.0.1.2", 80, "example.test", "/p", "http://example.test/p", 80, 0 },
	{ "/p", "example.test.:8080", "10.0.1.2", 80,
	  "example.test", "/p", "http://example.test:8080/p", 8080, 0 },
	/* Host port differs from the flow's: kept as written, not flagged */
	{ "/p", "example.test:8080", "10.0.1.2", 80,
	  "example.test", "/p", "http://example.test:8080/p", 8080, 0 },
	{ "/p", "example.test", "10.0.1.2", 8080, "example.test", "/p", "http://example.test/p", 80, 0 },
	/* empty port is the default; an invalid port is ignored, the host kept */
	{ "/p", "example.test:", "10.0.1.2", 80, "example.test", "/p", "http://example.test/p", 80, 0 },
	{ "/p", "example.test:99999", "10.0.1.2", 80, "example.test", "/p", "http://example.test/p", 80, 0 },
	{ "/p", "example.test:8x", "10.0.1.2", 80, "example.test", "/p", "http://example.test/p", 80, 0 },
	{ "/p", "example.test:0", "10.0.1.2", 80, "example.test", "/p", "http://example.test/p", 80, 0 },
	{ "/p", "example.test:443", "10.0.1.2", 80,
	  "example.test", "/p", "http://example.test:443/p", 443, 0 },
	/* unreserved escapes in a host decoded, then lower-cased */
	{ "/p", "ex%41mple.test", "10.0.1.2", 80, "example.test", "/p", "http://example.test/p", 80, 0 },
	/* IPv6 literal hosts */
	{ "/p", "[2001:DB8:0:0::1]", "10.0.1.2", 80, "2001:db8::1", "/p", "http://[2001:db8::1]/p", 80, 0 },
	{ "/p", "[2001:db8::1]:8080", "10.0.1.2", 80,
	  "2001:db8::1", "/p", "http://[2001:db8::1]:8080/p", 8080, 0 },
	{ "/p", "2001:db8::1", "10.0.1.2", 80, "2001:db8::1", "/p", "http://[2001:db8::1]/p", 80, 0 },
	{ "/p", "[::ffff:10.0.1.2]:81", "10.0.1.2", 80, "10.0.1.2", "/p", "http://10.0.1.2:81/p", 81, 0 },
	{ "/p", "[fe80::1%25Eth0]", "10.0.1.2", 80,
	  "fe80%3A%3A1%25eth0", "/p", "http://fe80%3A%3A1%25eth0/p", 80, 0 },
	/* text hosts: what would split an authority is escaped */
	{ "/p", "a/b.test", "10.0.1.2", 80, "a%2Fb.test", "/p", "http://a%2Fb.test/p", 80, 0 },
	{ "/p", "a:b:c", "10.0.1.2", 80, "a%3Ab", "/p", "http://a%3Ab/p", 80, 0 },
	{ "/p", "[h]x:81", "10.0.1.2", 80, "h", "/p", "http://h/p", 80, 0 },
	{ "/p", "user@h.test", "10.0.1.2", 80, "h.test", "/p", "http://h.test/p", 80, REQUEST_SUSPICIOUS },
	{ "/p", "10.0.1.2:80", "10.0.1.2", 80, "10.0.1.2", "/p", "http://10.0.1.2/p", 80, 0 },
	{ "/p", "0x7f.1", "127.0.0.1", 80, "0x7f.1", "/p", "http://0x7f.1/p", 80, 0 },
	/* no Host: the server's IP literal and port */
	{ "/p", NULL, "10.0.1.2", 80, "10.0.1.2", "/p", "http://10.0.1.2/p", 80, REQUEST_NO_HOST },
	{ "/p", NULL, "10.0.1.2", 8080, "10.0.1.2", "/p", "http://10.0.1.2:8080/p", 8080, REQUEST_NO_HOST },
	{ "/p", "", "10.0.1.2", 80, "10.0.1.2", "/p", "http://10.0.1.2/p", 80, REQUEST_NO_HOST },
	{ "/p", ".", "10.0.1.2", 80, "10.0.1.2", "/p", "http://10.0.1.2/p", 80, REQUEST_NO_HOST },
	{ "/p", NULL, "fd77::2", 80, "fd77::2", "/p", "http://[fd77::2]/p", 80, REQUEST_NO_HOST },
	/* absolute-form: the target wins, a different Host is a conflict */
	{ "http://Example.TEST/a", NULL, "10.0.1.2", 80,
	  "example.test", "/a", "http://example.test/a", 80, 0 },
	{ "http://example.test/a", "example.test", "10.0.1.2", 80,
	  "example.test", "/a", "http://example.test/a", 80, 0 },
	{ "http://example.test/a", "example.test:80", "10.0.1.2", 80,
	  "example.test", "/a", "http://example.test/a", 80, 0 },
	{ "http://blocked.test/a", "allowed.test", "10.0.1.2", 80,
	  "blocked.test", "/a", "http://blocked.test/a", 80, REQUEST_HOST_CONFLICT },
	{ "http://example.test:81/a", "example.test", "10.0.1.2", 80,
	  "example.test", "/a", "http://example.test:81/a", 81, REQUEST_HOST_CONFLICT },
	{ "http://example.test/a", "", "10.0.1.2", 80,
	  "example.test", "/a", "http://example.test/a", 80, REQUEST_HOST_CONFLICT },
	{ "HTTPS://example.test:443/a", NULL, "10.0.1.2", 80,
	  "example.test", "/a", "https://example.test/a", 443, 0 },
	{ "https://example.test:80/a", NULL, "10.0.1.2", 80,
	  "example.test", "/a", "https://example.test:80/a", 80, 0 },
	{ "ftp://example.test/a", NULL, "10.0.1.2", 80, "example.test", "/a", "ftp://example.test/a", 0, 0 },
	{ "http://example.test", NULL, "10.0.1.2", 80, "example.test", "/", "http://example.test/", 80, 0 },
	{ "http://example.test?q", NULL, "10.0.1.2", 80,
	  "example.test", "/?q", "http://example.test/?q", 80, 0 },
	{ "http://[2001:db8::1]:8080/a", NULL, "10.0.1.2", 80,
	  "2001:db8::1", "/a", "http://[2001:db8::1]:8080/a", 8080, 0 },
	/* absolute-form without a host falls back to Host */
	{ "http:///a", "example.test", "10.0.1.2", 80,
	  "example.test", "/a", "http://example.test/a", 80, 0 },
	/* userinfo stripped and flagged; '@' in the path is no userinfo */
	{ "http://allowed.test@blocked.test/a", NULL, "10.0.1.2", 80,
	  "blocked.test", "/a", "http://blocked.test/a", 80, REQUEST_SUSPICIOUS },
	{ "http://u:p@w@example.test:8080/", NULL, "10.0.1.2", 80,
	  "example.test", "/", "http://example.test:8080/", 8080, REQUEST_SUSPICIOUS },
	{ "http://example.test/a@b", NULL, "10.0.1.2", 80,
	  "example.test", "/a@b", "http://example.test/a@b", 80, 0 },
	/* authority-form (CONNECT) */
	{ "example.test:443", "example.test:443", "10.0.1.2", 3128,
	  "example.test", "/", "http://example.test:443/", 443, 0 },
	{ "blocked.test:443", "allowed.test:443", "10.0.1.2", 3128,
	  "blocked.test", "/", "http://blocked.test:443/", 443, REQUEST_HOST_CONFLICT },
	{ "[2001:db8::1]:443", NULL, "10.0.1.2", 3128,
	  "2001:db8::1", "/", "http://[2001:db8::1]:443/", 443, 0 },
	/* asterisk-form */
	{ "*", "example.test", "10.0.1.2", 80, "example.test", "*", "http://example.test/", 80, 0 },
	/* not a URL: a relative path */
	{ "a.html", "example.test", "10.0.1.2", 80,
	  "example.test", "/a.html", "http://example.test/a.html", 80, 0 },
	{ "?q=1", "example.test", "10.0.1.2", 80, "example.test", "/?q=1", "http://example.test/?q=1", 80, 0 },
	/* percent-escapes */
	{ "/%7Euser/%41%62%2d%2E%5f", "h", "10.0.1.2", 80, "h", "/~user/Ab-._", "http://h/~user/Ab-._", 80, 0 },
	{ "/a%2fb%3f%3D%e2%82%ac", "h", "10.0.1.2", 80,
	  "h", "/a%2Fb%3F%3D%E2%82%AC", "http://h/a%2Fb%3F%3D%E2%82%AC", 80, 0 },
	{ "/100%", "h", "10.0.1.2", 80, "h", "/100%", "http://h/100%", 80, 0 },
	{ "/a%4", "h", "10.0.1.2", 80, "h", "/a%4", "http://h/a%4", 80, 0 },
	{ "/a%zz%", "h", "10.0.1.2", 80, "h", "/a%zz%", "http://h/a%zz%", 80, 0 },
	{ "/%u0041dmin", "h", "10.0.1.2", 80, "h", "/%u0041dmin", "http://h/%u0041dmin", 80, 0 },
	{ "/%2541", "h", "10.0.1.2", 80, "h", "/%2541", "http://h/%2541", 80, 0 },
	{ "/%00x", "h", "10.0.1.2", 80, "h", "/%00x", "http://h/%00x", 80, 0 },
	{ "/\x01\x7f", "h", "10.0.1.2", 80, "h", "/%01%7F", "http://h/%01%7F", 80, 0 },
	{ "/caf\xc3\xa9", "h", "10.0.1.2", 80, "h", "/caf\xc3\xa9", "http://h/caf\xc3\xa9", 80, 0 },
	/* dot-segments (RFC 3986 5.2.4 and its examples) and merged slashes */
	{ "/a/b/c/./../../g", "h", "10.0.1.2", 80, "h", "/a/g", "http://h/a/g", 80, 0 },
	{ "/mid/content=5/../6", "h", "10.0.1.2", 80, "h", "/mid/6", "http://h/mid/6", 80, 0 },
	{ "/../../../etc/passwd", "h", "10.0.1.2", 80, "h", "/etc/passwd", "http://h/etc/passwd", 80, 0 },
	{ "/a/%2e%2E/b", "h", "10.0.1.2", 80, "h", "/b", "http://h/b", 80, 0 },
	{ "/a/.%2e", "h", "10.0.1.2", 80, "h", "/", "http://h/", 80, 0 },
	{ "/a/b/..", "h", "10.0.1.2", 80, "h", "/a/", "http://h/a/", 80, 0 },
	{ "/a/b/.", "h", "10.0.1.2", 80, "h", "/a/b/", "http://h/a/b/", 80, 0 },
	{ "/a/.../b", "h", "10.0.1.2", 80, "h", "/a/.../b", "http://h/a/.../b", 80, 0 },
	{ "/a/..b/.c", "h", "10.0.1.2", 80, "h", "/a/..b/.c", "http://h/a/..b/.c", 80, 0 },
	{ "//blocked//x///", "h", "10.0.1.2", 80, "h", "/blocked/x/", "http://h/blocked/x/", 80, 0 },
	{ "/a//../b", "h", "10.0.1.2", 80, "h", "/b", "http://h/b", 80, 0 },
	{ "/a?b/../c//d", "h", "10.0.1.2", 80, "h", "/a?b/../c//d", "http://h/a?b/../c//d", 80, 0 },
	{ "/a/../b?x?y", "h", "10.0.1.2", 80, "h", "/b?x?y", "http://h/b?x?y", 80, 0 },
	{ "/a/..?q", "h", "10.0.1.2", 80, "h", "/?q", "http://h/?q", 80, 0 },
	{ "/.", "h", "10.0.1.2", 80, "h", "/", "http://h/", 80, 0 },
	{ "/..", "h", "10.0.1.2", 80, "h", "/", "http://h/", 80, 0 },
	/* backslashes, ';', '#' are ordinary characters */
	{ "/a\\..\\b", "h", "10.0.1.2", 80, "h", "/a\\..\\b", "http://h/a\\..\\b", 80, 0 },
	{ "/a;x=1/../b#f", "h", "10.0.1.2", 80, "h", "/b#f", "http://h/b#f", 80, 0 },
	/* case of the path is kept */
	{ "/CaSe", "h", "10.0.1.2", 80, "h", "/CaSe", "http://h/CaSe", 80, 0 },
};

static void set_flow(struct flow_tuple *f, const char *server, uint16_t port)
{
	struct in_addr v4;

	memset(f, 0, sizeof(*f));
	if (inet_pton(AF_INET, server, &v4) == 1) {
		f->server.s6_addr[10] = 0xff;
		f->server.s6_addr[11] = 0xff;
		memcpy(&f->server.s6_addr[12], &v4, 4);
	} else {
		ASSERT_EQ(inet_pton(AF_INET6, server, &f->server), 1);
	}
	f->server_port = port;
	f->client_port = 40000;
}

static void check_http_vector(const struct http_vector *v)
{
	static struct url_norm out;
	struct flow_tuple flow;
	unsigned flags = 0;

	set_flow(&flow, v->server, v->server_port);
	int err = url_normalize_http(v->target, strlen(v->target), v->host_hdr,
				     v->host_hdr ? strlen(v->host_hdr) : 0, &flow, &out, &flags);
	if (err || strcmp(out.host, v->host) || strcmp(out.path, v->path) ||
	    strcmp(out.url, v->url) || out.port != v->port || flags != v->flags)
		harness_fail(__FILE__, __LINE__,
			     "target \"%s\" host \"%s\": err %d host \"%s\" port %u path \"%s\" "
			     "url \"%s\" flags %#x, expected host \"%s\" port %u path \"%s\" "
			     "url \"%s\" flags %#x", v->target, v->host_hdr ? v->host_hdr : "(none)",
			     err, out.host, out.port, out.path, out.url, flags, v->host, v->port,
			     v->path, v->url, v->flags);
}

void test_url_http_vectors(void)
{
	for (size_t i = 0; i < sizeof(http_vectors) / sizeof(http_vectors[0]); i++)
		check_http_vector(&http_vectors[i]);
}

/* Normalizing a normalized URL changes nothing. */
void test_url_http_idempotent(void)
{
	static struct url_norm first, second;
	struct flow_tuple flow;

	set_flow(&flow, "10.0.1.2", 80);
	for (size_t i = 0; i < sizeof(http_vectors) / sizeof(http_vectors[0]); i++) {
		const struct http_vector *v = &http_vectors[i];
		unsigned flags = 0;

		if (!strcmp(v->target, "*"))
			continue;
		ASSERT_OK(url_normalize_http(v->target, strlen(v->target), v->host_hdr,
					     v->host_hdr ? strlen(v->host_hdr) : 0, &flow, &first, &flags));
		ASSERT_OK(url_normalize_text(first.url, &second));
		ASSERT_STREQ(second.url, first.url);
	}
}

/* The flags argument is added to, never cleared. */
void test_url_http_flags_accumulate(void)
{
	static struct url_norm out;
	struct flow_tuple flow;
	unsigned flags = REQUEST_MIDSTREAM;

	set_flow(&flow, "10.0.1.2", 80);
	ASSERT_OK(url_normalize_http("/", 1, NULL, 0, &flow, &out, &flags));
	ASSERT_EQ(flags, REQUEST_MIDSTREAM | REQUEST_NO_HOST);
}

void test_url_http_errors(void)
{
	static struct url_norm out;
	struct flow_tuple flow;
	unsigned flags = 0;
	char *big = malloc(URL_PATH_MAX + 8);

	ASSERT_NONNULL(big);
	set_flow(&flow, "10.0.1.2", 80);
	ASSERT_EQ(url_normalize_http("", 0, "h", 1, &flow, &out, &flags), -EINVAL);

	/* A path that cannot fit, and one that just fits. */
	big[0] = '/';
	memset(big + 1, 'a', URL_PATH_MAX);
	ASSERT_EQ(url_normalize_http(big, URL_PATH_MAX, "h", 1, &flow, &out, &flags), -ENAMETOOLONG);
	ASSERT_OK(url_normalize_http(big, URL_PATH_MAX - 1, "h", 1, &flow, &out, &flags));
	ASSERT_EQ(strlen(out.path), URL_PATH_MAX - 1);
	ASSERT_EQ(strlen(out.url), URL_PATH_MAX - 1 + strlen("http://h"));

	/* A host of URL_HOST_MAX characters does not fit: never truncated. */
	memset(big, 'a', URL_HOST_MAX);
	memcpy(big + URL_HOST_MAX - 5, ".test", 5);
	ASSERT_EQ(url_normalize_http("/", 1, big, URL_HOST_MAX, &flow, &out, &flags), -ENAMETOOLONG);
	ASSERT_OK(url_normalize_http("/", 1, big + 1, URL_HOST_MAX - 1, &flow, &out, &flags));
	ASSERT_EQ(strlen(out.host), URL_HOST_MAX - 1);

	/* Escaping controls can outgrow the buffer. */
	memset(big + 1, '\x01', URL_PATH_MAX / 2);
	big[0] = '/';
	ASSERT_EQ(url_normalize_http(big, URL_PATH_MAX / 2, "h", 1, &flow, &out, &flags), -ENAMETOOLONG);
	free(big);
}

struct tls_vector {
	const char *sni;          /* NULL: none */
	size_t sni_len;           /* 0: strlen(sni) */
	const char *server;
	uint16_t server_port;
	const char *host, *url;
};

void test_url_tls_vectors(void)
{
	static const struct tls_vector vectors[] = {
		{ "Example.TEST.", 0, "10.0.1.2", 443, "example.test", "https://example.test/" },
		{ "example.test", 0, "10.0.1.2", 8443, "example.test", "https://example.test:8443/" },
		{ NULL, 0, "10.0.1.2", 443, "10.0.1.2", "https://10.0.1.2/" },
		{ "", 0, "fd77::2", 443, "fd77::2", "https://[fd77::2]/" },
		{ NULL, 0, "fd77::2", 8443, "fd77::2", "https://[fd77::2]:8443/" },
		/* an address as SNI (clients should not, some do) */
		{ "2001:DB8:0::1", 0, "10.0.1.2", 443, "2001:db8::1", "https://[2001:db8::1]/" },
		{ "::ffff:10.0.0.9", 0, "10.0.1.2", 443, "10.0.0.9", "https://10.0.0.9/" },
		/* a NUL or space inside an SNI cannot cut the name short */
		{ "blocked.test\0.allowed.test", 26, "10.0.1.2", 443,
		  "blocked.test%00.allowed.test", "https://blocked.test%00.allowed.test/" },
	};
	static struct url_norm out;

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct tls_vector *v = &vectors[i];
		struct flow_tuple flow;
		size_t len = v->sni_len ? v->sni_len : v->sni ? strlen(v->sni) : 0;

		set_flow(&flow, v->server, v->server_port);
		ASSERT_OK(url_normalize_tls(v->sni, len, &flow, &out));
		ASSERT_STREQ(out.host, v->host);
		ASSERT_STREQ(out.url, v->url);
		ASSERT_STREQ(out.path, "/");
		ASSERT_EQ(out.port, v->server_port);
	}
}

void test_url_text(void)
{
	static const struct {
		const char *text, *url, *host, *path;
		uint16_t port;
	} vectors[] = {
		{ "http://Example.test/a/../b", "http://example.test/b", "example.test", "/b", 80 },
		{ "https://example.test", "https://example.test/", "example.test", "/", 443 },
		{ "  example.test/x?y \n", "http://example.test/x?y", "example.test", "/x?y", 80 },
		{ "example.test:8080", "http://example.test:8080/", "example.test", "/", 8080 },
		{ "HTTPS://[::1]:443/", "https://[::1]/", "::1", "/", 443 },
		{ "http://u@example.test/a b", "http://example.test/a%20b", "example.test", "/a%20b", 80 },
	};
	static struct url_norm out;

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		ASSERT_OK(url_normalize_text(vectors[i].text, &out));
		ASSERT_STREQ(out.url, vectors[i].url);
		ASSERT_STREQ(out.host, vectors[i].host);
		ASSERT_STREQ(out.path, vectors[i].path);
		ASSERT_EQ(out.port, vectors[i].port);
	}
	ASSERT_EQ(url_normalize_text("", &out), -EINVAL);
	ASSERT_EQ(url_normalize_text("http:///a", &out), -EINVAL);
	ASSERT_EQ(url_normalize_text("/a", &out), -EINVAL);
}
