/*
 * A request made from text, as a person types it (urlctl test, and the
 * daemon answering it): the request a client would send for a URL.
 */
#ifndef UE_REQUEST_TEXT_H
#define UE_REQUEST_TEXT_H

#include "common/request.h"
#include "common/url.h"

/*
 * For http:// an HTTP request with METHOD (NULL: GET); for https:// a TLS
 * ClientHello, whose only name is the SNI (the path is not visible). CLIENT
 * may be NULL. NORM holds two url_norm: the text's and the ClientHello's;
 * R points into it. 0, or -EINVAL for a bad URL or address.
 */
int request_from_text(const char *url, const char *client, const char *method,
		      struct url_norm norm[2], struct request *r);

#endif
