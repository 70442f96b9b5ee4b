/*
 * The dashboard's JSON API, /api/NAME: each name is a row of one table that
 * turns an HTTP call into a control request to the daemon and its typed rows
 * into JSON. The page reads nothing else, and neither need Home Assistant or
 * a script (documented in urlctl(8)).
 */
#ifndef UE_WEB_API_H
#define UE_WEB_API_H

#include <jansson.h>
#include <stdbool.h>

/* One call: what came in and what goes out. */
struct api_call {
	const char *socket;               /* the daemon's control socket */
	const char *csrf;                 /* this process's token, for /api/session */
	json_t *body;                     /* POST: the parsed JSON object */
	/* GET: a query argument, or NULL */
	const char *(*query)(void *ctx, const char *name);
	void *query_ctx;
	json_t *result;                   /* set by the handler: what is sent */
	char error[256];                  /* set on failure: the reason sent */
};

enum api_found { API_NOT_FOUND, API_WRONG_METHOD, API_FOUND };

/*
 * Runs the API call NAME (the path after /api/) for METHOD ("GET" or "POST").
 * Returns API_FOUND and sets *HTTP_STATUS, or tells why it ran nothing.
 */
enum api_found web_api_run(const char *name, bool post, struct api_call *call, int *http_status);

#endif
