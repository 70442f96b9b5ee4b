/*
 * URL normalization: the one place that turns what a client sent (request
 * target, Host header, SNI) into the host, path and URL the policy matches.
 * The decisions on ambiguous input are listed in url.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/ascii.h"
#include "common/ip_text.h"
#include "common/url.h"

#define SCHEME_MAX 16

/* A bounded output string; overflow is remembered, not written. */
struct outbuf {
	char *p;
	size_t len, cap;
	bool overflow;
};

/* What an authority ("user@host:port", "[v6]:port") splits into. */
struct authority {
	const char *host;
	size_t host_len;
	int port;                /* -1: none or not a valid port */
	bool bad_port;           /* a port was written, not 1-65535 */
	bool userinfo;
};

static const char hex_upper[] = "0123456789ABCDEF";

static void out_init(struct outbuf *o, char *p, size_t cap)
{
	o->p = p;
	o->len = 0;
	o->cap = cap;
	o->overflow = false;
	p[0] = 0;
}

static void out_char(struct outbuf *o, char c)
{
	if (o->len + 1 < o->cap) {
		o->p[o->len++] = c;
		o->p[o->len] = 0;
	} else {
		o->overflow = true;
	}
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool is_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

static void out_escaped(struct outbuf *o, unsigned char c)
{
	out_char(o, '%');
	out_char(o, hex_upper[c >> 4]);
	out_char(o, hex_upper[c & 15]);
}

/*
 * Percent-escapes of unreserved characters decoded, other escapes kept with
 * upper-case hex, a '%' without two hex digits kept as it is; controls and
 * space written as escapes so the result is one printable token. HOST
 * lower-cases letters (never the hex of a kept escape) and escapes what
 * would end or split an authority, so that the URL reads back the same.
 */
static void out_percent_normalized(struct outbuf *o, const char *s, size_t n, bool host,
				   bool decode_slash)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '?')
			decode_slash = false;      /* the query keeps its form */
		if (c == '%' && i + 2 < n && hex_value(s[i + 1]) >= 0 &&
		    hex_value(s[i + 2]) >= 0) {
			unsigned char d = (unsigned char)(hex_value(s[i + 1]) << 4 |
							  hex_value(s[i + 2]));

			if (is_unreserved(d) || (decode_slash && d == '/'))
				out_char(o, host ? ascii_lower((char)d) : (char)d);
			else
				out_escaped(o, d);
			i += 2;
		} else if (c <= ' ' || c == 0x7f || (host && strchr(":[]/?#@", c))) {
			out_escaped(o, c);
		} else {
			out_char(o, host ? ascii_lower((char)c) : (char)c);
		}
	}
}

/*
 * RFC 3986 section 5.2.4 on an absolute path, with empty segments merged as
 * nginx and Apache do by default ("//a" is "/a"). Works in place: the output
 * never outgrows the input.
 */
static size_t remove_dot_segments(char *path, size_t len)
{
	size_t out = 0, i = 0;
	bool trailing = false;

	while (i < len) {
		size_t start = i + 1, end = start;   /* path[i] == '/' */

		while (end < len && path[end] != '/')
			end++;
		size_t seg = end - start;
		bool last = end >= len;

		if (seg == 0 || (seg == 1 && path[start] == '.')) {
			trailing = last;
		} else if (seg == 2 && path[start] == '.' && path[start + 1] == '.') {
			while (out > 0 && path[out - 1] != '/')
				out--;
			if (out > 0)
				out--;
			trailing = last;
		} else {
			path[out++] = '/';
			memmove(path + out, path + start, seg);
			out += seg;
			trailing = false;
		}
		i = end;
	}
	if (out == 0 || trailing)
		path[out++] = '/';
	path[out] = 0;
	return out;
}

/*
 * PATH (raw, may be empty, may lack its leading '/') into OUT: percent
 * normalization everywhere, dot-segments and empty segments removed before
 * the first '?' only. Returns 0 or -ENAMETOOLONG.
 */
/* DECODE_SLASH: "%2F" before the query is a '/' (nginx's reading). */
static int normalize_path(const char *path, size_t len, bool decode_slash, char *out,
			  size_t cap)
{
	struct outbuf o;

	out_init(&o, out, cap);
	if (len == 0 || path[0] != '/')
		out_char(&o, '/');
	out_percent_normalized(&o, path, len, false, decode_slash);
	if (o.overflow)
		return -ENAMETOOLONG;

	char *query = strchr(out, '?');
	size_t path_len = query ? (size_t)(query - out) : o.len;
	char saved = out[path_len];
	size_t query_len = o.len - path_len;

	out[path_len] = 0;
	size_t new_len = remove_dot_segments(out, path_len);

	/* The segment pass can only shrink the path; restore what followed it. */
	if (query) {
		out[path_len] = saved;
		memmove(out + new_len, out + path_len, query_len + 1);
	}
	return 0;
}

static int parse_port(const char *s, size_t n)
{
	int port = 0;

	if (n == 0 || n > 5)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		port = port * 10 + (s[i] - '0');
	}
	return port >= 1 && port <= 65535 ? port : -1;
}

static bool parse_ipv6(const char *s, size_t n, struct in6_addr *addr)
{
	char tmp[INET6_ADDRSTRLEN];

	if (n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	return inet_pton(AF_INET6, tmp, addr) == 1;
}

static void split_authority(const char *s, size_t n, struct authority *a)
{
	const char *at = memrchr(s, '@', n);

	memset(a, 0, sizeof(*a));
	a->port = -1;
	if (at) {
		a->userinfo = true;
		n -= (size_t)(at + 1 - s);
		s = at + 1;
	}
	a->host = s;
	a->host_len = n;
	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (close) {
			a->host = s + 1;
			a->host_len = (size_t)(close - s - 1);
			if ((size_t)(close + 2 - s) < n && close[1] == ':') {
				a->port = parse_port(close + 2, n - (size_t)(close + 2 - s));
				a->bad_port = a->port < 0;
			}
			return;
		}
	}
	const char *colon = memrchr(s, ':', n);

	if (!colon)
		return;
	struct in6_addr addr;

	/* An unbracketed IPv6 literal has colons but no port. */
	if (memchr(s, ':', (size_t)(colon - s)) && parse_ipv6(s, n, &addr))
		return;
	a->host_len = (size_t)(colon - s);
	if (n - a->host_len - 1 > 0) {          /* "host:" is the default port */
		a->port = parse_port(colon + 1, n - a->host_len - 1);
		a->bad_port = a->port < 0;
	}
}

/*
 * The host of A into OUT->host. Returns 0, -ENOENT for an empty host, or
 * -ENAMETOOLONG.
 */
static int normalize_host(const struct authority *a, struct url_norm *out)
{
	struct in6_addr addr;
	struct outbuf o;

	if (memchr(a->host, ':', a->host_len) && parse_ipv6(a->host, a->host_len, &addr)) {
		ip_format_mapped(&addr, out->host, sizeof(out->host));
		return 0;
	}
	out_init(&o, out->host, sizeof(out->host));
	out_percent_normalized(&o, a->host, a->host_len, true, false);
	if (o.overflow)
		return -ENAMETOOLONG;
	while (o.len > 0 && out->host[o.len - 1] == '.')
		out->host[--o.len] = 0;
	return o.len ? 0 : -ENOENT;
}

static uint16_t scheme_default_port(const char *scheme)
{
	if (!strcmp(scheme, "http"))
		return 80;
	if (!strcmp(scheme, "https"))
		return 443;
	return 0;
}

static bool is_scheme_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '-' || c == '.';
}

/* "scheme://": the scheme's length, or 0 when S does not start with one. */
static size_t scheme_length(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	while (i < n && i < SCHEME_MAX && is_scheme_char(s[i]))
		i++;
	if (i + 3 <= n && !memcmp(s + i, "://", 3))
		return i;
	return 0;
}

/* A host and optional port from an authority; port 0 means "the default". */
struct host_port {
	bool present;
	bool bad_port;
	uint16_t port;
	char host[URL_HOST_MAX];
};

static int host_port_from(const char *s, size_t n, struct host_port *hp, bool *userinfo,
			  struct url_norm *scratch)
{
	struct authority a;

	split_authority(s, n, &a);
	if (userinfo && a.userinfo)
		*userinfo = true;
	int err = normalize_host(&a, scratch);

	hp->present = false;
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	hp->present = true;
	hp->bad_port = a.bad_port;
	hp->port = a.port > 0 ? (uint16_t)a.port : 0;
	memcpy(hp->host, scratch->host, sizeof(hp->host));
	return 0;
}

/* out->host, port, path already set: write out->url. */
static int format_url(const char *scheme, struct url_norm *out, const char *path_in_url)
{
	bool v6 = strchr(out->host, ':') != NULL;
	char port[8] = "";

	if (out->port && out->port != scheme_default_port(scheme))
		snprintf(port, sizeof(port), ":%u", out->port);
	int n = snprintf(out->url, sizeof(out->url), "%s://%s%s%s%s%s", scheme,
			 v6 ? "[" : "", out->host, v6 ? "]" : "", port, path_in_url);

	return n < 0 || (size_t)n >= sizeof(out->url) ? -ENAMETOOLONG : 0;
}

static void host_from_flow(const struct flow_tuple *flow, struct url_norm *out)
{
	ip_format_mapped(&flow->server, out->host, sizeof(out->host));
	out->port = flow->server_port;
}

static bool is_authority_form(const char *t, size_t n)
{
	struct authority a;

	split_authority(t, n, &a);
	return !a.userinfo && a.port > 0 && a.host_len > 0 && !memchr(t, '/', n);
}

/* "%2F" in the path before the query? */
static bool has_encoded_slash(const char *path, size_t len)
{
	for (size_t i = 0; i + 2 < len && path[i] != '?'; i++)
		if (path[i] == '%' && path[i + 1] == '2' && (path[i + 2] | 0x20) == 'f')
			return true;
	return false;
}

/* READING 0: the request as url.h reads it; else as url_normalize_http_as(). */
static int normalize_http(const char *target, size_t target_len, const char *host_hdr,
			  size_t host_len, const struct flow_tuple *flow, unsigned reading,
			  struct url_norm *out, unsigned *flags)
{
	struct host_port from_target = { 0 }, from_header = { 0 };
	char scheme[SCHEME_MAX + 1] = "http";
	const char *path = target;
	size_t path_len = target_len;
	bool userinfo = false, asterisk = false;
	int err;

	if (target_len == 0)
		return -EINVAL;
	size_t slen = scheme_length(target, target_len);

	if (slen) {
		const char *auth = target + slen + 3;
		size_t rest = target_len - slen - 3, alen = 0;

		while (alen < rest && auth[alen] != '/' && auth[alen] != '?' && auth[alen] != '#')
			alen++;
		for (size_t i = 0; i < slen; i++)
			scheme[i] = ascii_lower(target[i]);
		scheme[slen] = 0;
		err = host_port_from(auth, alen, &from_target, &userinfo, out);
		if (err)
			return err;
		path = auth + alen;
		path_len = rest - alen;
	} else if (target_len == 1 && target[0] == '*') {
		asterisk = true;
		path_len = 0;
	} else if (target[0] != '/' && is_authority_form(target, target_len)) {
		err = host_port_from(target, target_len, &from_target, NULL, out);
		if (err)
			return err;
		path_len = 0;
	}
	if (host_hdr) {
		err = host_port_from(host_hdr, host_len, &from_header, &userinfo, out);
		if (err)
			return err;
	}

	uint16_t dflt = scheme_default_port(scheme);
	const struct host_port *chosen = from_target.present ? &from_target : &from_header;

	bool conflict = from_target.present && host_hdr &&
			(!from_header.present || strcmp(from_target.host, from_header.host) ||
			 (from_target.port ? from_target.port : dflt) !=
			 (from_header.port ? from_header.port : dflt));

	if (conflict)
		*flags |= REQUEST_HOST_CONFLICT;
	if (reading == URL_READING_HOST) {
		if (!conflict || !from_header.present)
			return -ENODATA;
		chosen = &from_header;
	}
	if (reading == URL_READING_SLASH && !has_encoded_slash(path, path_len))
		return -ENODATA;
	if (userinfo)
		*flags |= REQUEST_SUSPICIOUS;
	if (chosen->present) {
		memcpy(out->host, chosen->host, sizeof(out->host));
		out->port = chosen->port ? chosen->port : dflt;
	} else {
		host_from_flow(flow, out);
		*flags |= REQUEST_NO_HOST;
	}

	if (asterisk) {
		strcpy(out->path, "*");
		return format_url(scheme, out, "/");
	}
	err = normalize_path(path, path_len, reading == URL_READING_SLASH, out->path,
			     sizeof(out->path));
	if (err)
		return err;
	return format_url(scheme, out, out->path);
}

int url_normalize_http(const char *target, size_t target_len, const char *host_hdr,
		       size_t host_len, const struct flow_tuple *flow,
		       struct url_norm *out, unsigned *flags)
{
	return normalize_http(target, target_len, host_hdr, host_len, flow, 0, out, flags);
}

int url_normalize_http_as(enum url_reading reading, const char *target, size_t target_len,
			  const char *host_hdr, size_t host_len, const struct flow_tuple *flow,
			  struct url_norm *out, unsigned *flags)
{
	return normalize_http(target, target_len, host_hdr, host_len, flow, reading, out, flags);
}

int url_normalize_tls(const char *sni, size_t sni_len, const struct flow_tuple *flow,
		      struct url_norm *out)
{
	struct authority a = { .host = sni, .host_len = sni_len, .port = -1 };
	int err = sni ? normalize_host(&a, out) : -ENOENT;

	if (err == -ENOENT)
		host_from_flow(flow, out);
	else if (err)
		return err;
	else
		out->port = flow->server_port;
	strcpy(out->path, "/");
	return format_url("https", out, out->path);
}

int url_normalize_text(const char *text, struct url_norm *out)
{
	size_t n = strlen(text);
	size_t slen, start = 0;
	char scheme[SCHEME_MAX + 1] = "http";
	struct host_port hp;

	while (start < n && (text[start] == ' ' || text[start] == '\t'))
		start++;
	while (n > start && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\n'))
		n--;
	text += start;
	n -= start;
	slen = scheme_length(text, n);
	if (slen) {
		for (size_t i = 0; i < slen; i++)
			scheme[i] = ascii_lower(text[i]);
		scheme[slen] = 0;
		text += slen + 3;
		n -= slen + 3;
	}
	size_t alen = 0;

	while (alen < n && text[alen] != '/' && text[alen] != '?' && text[alen] != '#')
		alen++;
	int err = host_port_from(text, alen, &hp, NULL, out);

	if (err)
		return err;
	if (!hp.present)
		return -EINVAL;
	if (hp.bad_port)
		return -ERANGE;
	memcpy(out->host, hp.host, sizeof(out->host));
	out->port = hp.port ? hp.port : scheme_default_port(scheme);
	err = normalize_path(text + alen, n - alen, false, out->path, sizeof(out->path));
	if (err)
		return err;
	return format_url(scheme, out, out->path);
}
