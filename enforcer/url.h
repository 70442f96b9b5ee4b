/*
 * URL normalization (SPEC section 4): host lower-cased, trailing dot dropped,
 * default port dropped; absolute-form targets take their host from the
 * target; no Host header: the server's IP literal; percent-escapes of
 * unreserved characters decoded; dot-segments removed.
 */
#ifndef UE_URL_H
#define UE_URL_H

#include <stddef.h>
#include <stdint.h>

#include "enforcer/request.h"

#define URL_HOST_MAX 256
#define URL_PATH_MAX 16384     /* the request-head limit bounds any target */

struct url_norm {
	char host[URL_HOST_MAX];               /* lower case, no port, no trailing dot */
	uint16_t port;                         /* explicit, else the scheme's default */
	char path[URL_PATH_MAX];               /* normalized path and query */
	char url[URL_HOST_MAX + URL_PATH_MAX + 16];
};

/*
 * An HTTP request: TARGET as sent (origin-, absolute-, authority- or
 * asterisk-form), the Host header value (NULL if none), the flow for the
 * server address and port. May set REQUEST_HOST_CONFLICT or REQUEST_NO_HOST
 * in *FLAGS. Returns 0 or -EINVAL for a target that is not a URL.
 */
int url_normalize_http(const char *target, size_t target_len, const char *host_hdr,
		       size_t host_len, const struct flow_tuple *flow,
		       struct url_norm *out, unsigned *flags);

/* A TLS ClientHello: https://SNI/ (or the server IP literal without SNI). */
int url_normalize_tls(const char *sni, size_t sni_len, const struct flow_tuple *flow,
		      struct url_norm *out);

/* A URL as a person types it ("http://h/p", "https://h"), for urlctl test. */
int url_normalize_text(const char *text, struct url_norm *out);

#endif
