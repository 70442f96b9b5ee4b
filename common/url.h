/*
 * URL normalization (url-enforcer.rules(5), URL NORMALIZATION): host lower-cased, trailing dot dropped,
 * default port dropped; absolute-form targets take their host from the
 * target; no Host header: the server's IP literal; percent-escapes of
 * unreserved characters decoded; dot-segments removed.
 *
 * Decisions where the man page leaves room (tests/unit/test_url.c pins each):
 * - Port: the URL's port is the one the Host header (or the absolute or
 *   authority target) names, dropped when it is the scheme's default (http
 *   80, https 443). A Host port that differs from the flow's server port is
 *   kept as the client wrote it and not flagged: rules see the real server
 *   port through port=. A port that is not 1..65535 digits is ignored (the
 *   host before the colon still counts). No Host: the server's IP literal
 *   and the flow's server port. TLS: https://SNI/, with ":PORT" only when
 *   the flow's server port is not 443.
 * - Hosts: letters lower-cased, every trailing dot dropped, unreserved
 *   escapes decoded as in paths. IPv6 literals ("[2001:DB8::1]:8080", also
 *   unbracketed without a port) in RFC 5952 form, without brackets in
 *   `host`, in brackets in `url`; v4-mapped addresses as dotted IPv4 (also
 *   for the server's own address). Any other host is text: controls, space
 *   and ": [ ] / ? # @" written as %XX (a bracketed text that is no address,
 *   zone ids included, too), so that `url` reads back to the same host.
 *   Numeric IPv4 forms (0x7f.1) are kept.
 * - Userinfo ("http://user:pw@host/", also "Host: user@host") is stripped
 *   and REQUEST_SUSPICIOUS set.
 * - Absolute target and Host header both present but naming a different
 *   host or port: REQUEST_HOST_CONFLICT, the target wins (RFC 9112 3.2.2);
 *   URL_READING_HOST gives the Host header's reading.
 *   An empty Host header counts as none.
 * - Target forms: "/..." origin; "scheme://..." absolute (any scheme, kept
 *   lower-cased in the URL; a missing host falls back to Host); "host:port"
 *   without '/' authority (CONNECT; path "/"); "*" asterisk (path "*", url
 *   "scheme://host/"); anything else is taken as a relative path and gets a
 *   leading '/' (lenient servers serve "GET a.html").
 * - Paths: empty -> "/"; escapes of unreserved characters decoded first (so
 *   "%2e%2e" is a dot-segment), other escapes kept with upper-case hex
 *   ("%2f" -> "%2F": an encoded slash is not a separator here, though nginx
 *   decodes it: URL_READING_SLASH is nginx's reading); '%' not followed by
 *   two hex digits and IIS "%u1234" kept literally; controls and space
 *   written as %XX; bytes >= 0x80 kept raw.
 *   Before the first '?' only: empty segments merged ("//a" -> "/a", as
 *   nginx and Apache do by default) and dot-segments removed (RFC 3986
 *   5.2.4). Backslashes are kept: IIS treats them as '/', nginx and Apache
 *   do not. '#' and ';' are ordinary characters. The query keeps its form.
 * Returns -ENAMETOOLONG when a host does not fit URL_HOST_MAX or a path
 * URL_PATH_MAX (callers treat it as an oversize request).
 */
#ifndef UE_URL_H
#define UE_URL_H

#include <stddef.h>
#include <stdint.h>

#include "common/request.h"

#define URL_HOST_MAX 256
#define URL_PATH_MAX 16384     /* the request-head limit bounds any target */

struct url_norm {
	char host[URL_HOST_MAX];               /* lower case, no port, no trailing dot */
	uint16_t port;                         /* explicit, else the scheme's default */
	char path[URL_PATH_MAX];               /* normalized path and query */
	char url[URL_HOST_MAX + URL_PATH_MAX + 16];
	char target[URL_PATH_MAX];             /* http.c: the raw target, NUL-terminated */
};

/*
 * An HTTP request: TARGET as sent (origin-, absolute-, authority- or
 * asterisk-form), the Host header value (NULL if none), the flow for the
 * server address and port. May set REQUEST_HOST_CONFLICT, REQUEST_NO_HOST or
 * REQUEST_SUSPICIOUS in *FLAGS (added, never cleared). Returns 0, -EINVAL
 * for an empty target, or -ENAMETOOLONG.
 */
int url_normalize_http(const char *target, size_t target_len, const char *host_hdr,
		       size_t host_len, const struct flow_tuple *flow,
		       struct url_norm *out, unsigned *flags);

/* Other ways servers read a request, judged as well (docs/evasion.md). */
enum url_reading {
	URL_READING_HOST = 1,    /* the host from Host even when the target names
				  * another: RFC 9112 says the target wins, many
				  * applications read Host */
	URL_READING_SLASH,       /* "%2F" in the path is a '/', so "/a%2F..%2Fb"
				  * is "/b" (nginx) */
	URL_READINGS_END,
};

/*
 * The request as READING has it. Returns 0, -ENODATA when that reading is
 * the one url_normalize_http() gives (no conflict or no usable Host; no
 * encoded slash), or what url_normalize_http() returns.
 */
int url_normalize_http_as(enum url_reading reading, const char *target, size_t target_len,
			  const char *host_hdr, size_t host_len, const struct flow_tuple *flow,
			  struct url_norm *out, unsigned *flags);

/* A TLS ClientHello: https://SNI/ (or the server IP literal when SNI is
 * NULL or empty). Returns 0 or -ENAMETOOLONG. */
int url_normalize_tls(const char *sni, size_t sni_len, const struct flow_tuple *flow,
		      struct url_norm *out);

/* A URL as a person types it ("http://h/p", "https://h", "h/p" meaning
 * http), for urlctl test. Returns 0, -EINVAL without a host, -ERANGE for a
 * port that is not 1-65535, or -ENAMETOOLONG. */
int url_normalize_text(const char *text, struct url_norm *out);

/* R's names (host, URL, path) from N: every request is judged by these. */
static inline void request_names_from(struct request *r, const struct url_norm *n)
{
	r->host = n->host;
	r->url = n->url;
	r->path = n->path;
}

#endif
