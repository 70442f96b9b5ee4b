/* Requests made from text (request_text.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "common/ip_text.h"
#include "common/request_text.h"

static int refuse(const char **why, const char *what, int err)
{
	*why = what;
	return err;
}

/* The ClientHello a client sends for NORM[0]'s host, in NORM[1]. */
static int client_hello(const struct request_text *t, struct url_norm norm[2],
			struct request *r, const char **why)
{
	bool address = !ip_parse_mapped(norm[0].host, &r->tuple.server);
	int err;

	if (address && t->ech)
		return refuse(why, "--ech needs a host name: an ECH ClientHello names its public name",
			      -EINVAL);
	r->proto = t->quic ? REQUEST_QUIC : REQUEST_TLS;
	if (address)
		r->flags |= REQUEST_TLS_NO_SNI;
	if (t->ech)
		r->flags |= REQUEST_TLS_ECH_EXT;
	err = address ? url_normalize_tls(NULL, 0, &r->tuple, &norm[1])
		      : url_normalize_tls(norm[0].host, strlen(norm[0].host), &r->tuple, &norm[1]);
	return err ? refuse(why, "the name is too long", err) : 0;
}

int request_from_text(const struct request_text *t, struct url_norm norm[2],
		      struct request *r, const char **why)
{
	bool https = !strncasecmp(t->url, "https://", 8);
	int err;

	memset(r, 0, sizeof(*r));
	if (t->client && ip_parse_mapped(t->client, &r->tuple.client))
		return refuse(why, "--client takes an IPv4 or IPv6 address", -EINVAL);
	if (!https && strncasecmp(t->url, "http://", 7))
		return refuse(why, "only http:// and https:// URLs can be tested", -EPROTONOSUPPORT);
	if (https && t->method)
		return refuse(why, "--method does not apply to https: a ClientHello has none", -EINVAL);
	if (!https && (t->quic || t->ech))
		return refuse(why, "--quic and --ech describe a ClientHello: they need an https:// URL",
			      -EINVAL);
	err = url_normalize_text(t->url, &norm[0]);
	if (err == -ERANGE)
		return refuse(why, "the port is not a number from 1 to 65535", err);
	if (err == -ENAMETOOLONG)
		return refuse(why, "too long", err);
	if (err)
		return refuse(why, "not a URL with a host", err);
	r->tuple.server_port = norm[0].port;
	if (https) {
		if ((err = client_hello(t, norm, r, why)))
			return err;
		norm++;
	} else {
		r->proto = REQUEST_HTTP;
		r->method = t->method ? t->method : "GET";
		r->target = norm->path;
	}
	request_names_from(r, norm);
	return 0;
}
