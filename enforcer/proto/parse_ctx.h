/*
 * What the stream parsers (http.c, tls.c) need from the flow they serve, and
 * how they hand over what they find. The pipeline fills one per segment.
 */
#ifndef UE_PARSE_CTX_H
#define UE_PARSE_CTX_H

#include "common/request.h"
#include "common/url.h"

typedef void (*request_fn)(void *arg, const struct request *r);

struct parse_ctx {
	const struct flow_tuple *tuple;
	struct timespec ts;          /* of the segment being fed */
	unsigned flags;              /* request flags the flow adds (REQUEST_MIDSTREAM) */
	request_fn emit;             /* called once per complete request head / ClientHello */
	void *arg;
	struct url_norm *scratch;    /* per worker; parsers normalize into it */
};

/* The request a parser hands over: the flow's, named by what it just normalized. */
static inline struct request parse_ctx_request(const struct parse_ctx *ctx,
					       enum request_proto proto, unsigned flags)
{
	struct request r = {
		.tuple = *ctx->tuple, .ts = ctx->ts, .proto = proto, .flags = ctx->flags | flags,
	};

	request_names_from(&r, ctx->scratch);
	return r;
}

#endif
