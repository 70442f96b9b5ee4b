/* Requests made from text (request_text.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "common/ip_text.h"
#include "common/request_text.h"

int request_from_text(const char *url, const char *client, const char *method,
		      struct url_norm norm[2], struct request *r)
{
	int err;

	memset(r, 0, sizeof(*r));
	if (client && ip_parse_mapped(client, &r->tuple.client))
		return -EINVAL;
	if ((err = url_normalize_text(url, &norm[0])))
		return err;
	r->tuple.server_port = norm[0].port;
	if (!strncasecmp(url, "https://", 8)) {
		err = url_normalize_tls(norm[0].host, strlen(norm[0].host), &r->tuple, &norm[1]);
		if (err)
			return err;
		norm++;
		r->proto = REQUEST_TLS;
	} else {
		r->proto = REQUEST_HTTP;
		r->method = method ? method : "GET";
		r->target = norm->path;
	}
	request_names_from(r, norm);
	return 0;
}
