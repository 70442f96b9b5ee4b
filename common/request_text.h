/*
 * A request made from text, as a person types it (urlctl test, and the
 * daemon answering it): the request a client would send for a URL.
 */
#ifndef UE_REQUEST_TEXT_H
#define UE_REQUEST_TEXT_H

#include <stdbool.h>

#include "common/request.h"
#include "common/url.h"

struct request_text {
	const char *url;        /* http:// or https:// only */
	const char *client;     /* NULL: the unspecified address */
	const char *method;     /* http:// only; NULL: GET */
	bool quic;              /* https://: the ClientHello of a QUIC connection */
	bool ech;               /* https://: a ClientHello with the ECH extension */
};

/*
 * For http:// an HTTP request with its method; for https:// a ClientHello
 * (TLS, or QUIC), whose only name is the SNI: the path is not visible. A
 * host that is an IP address is no SNI at all (clients send none for an
 * address): the ClientHello has none, and its server is that address.
 * NORM holds two url_norm: the text's and the ClientHello's; R points into
 * it. 0, or -errno with *WHY saying what is wrong, for a person.
 */
int request_from_text(const struct request_text *t, struct url_norm norm[2],
		      struct request *r, const char **why);

#endif
