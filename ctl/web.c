/*
 * urlctl web: the dashboard. A separate, unprivileged process that speaks
 * HTTP (libmicrohttpd: small, long kept, bounded connections and memory by
 * option) and talks to the daemon over the control socket only. It serves the
 * page from ctl/web/ built into the binary and the JSON API of web_api.c.
 */
#include <arpa/inet.h>
#include <cap-ng.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "ctl/urlctl.h"
#include "ctl/web_api.h"
#include "ctl/web_assets.h"
#include "ctl/web_auth.h"
#include "common/ctl_proto.h"

#define WEB_LISTEN_DEFAULT "127.0.0.1:8380"
#define WEB_BODY_MAX 4096            /* an action's JSON is a few dozen bytes */
#define WEB_CONNECTIONS 32
#define WEB_CONNECTIONS_PER_IP 8
#define WEB_TIMEOUT_S 15
#define WEB_CONNECTION_MEMORY (32 * 1024)   /* request line and headers */

/* Every answer forbids what the page does not need: no inline script, no
 * framing, nothing from another origin. */
static const char *const security_headers[][2] = {
	{ "Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
	  "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
	  "frame-ancestors 'none'" },
	{ "X-Content-Type-Options", "nosniff" },
	{ "X-Frame-Options", "DENY" },
	{ "Referrer-Policy", "no-referrer" },
	{ "Cache-Control", "no-store" },
};

struct web {
	const char *socket;
	struct web_auth *auth;               /* NULL: loopback, no login */
	char csrf[WEB_TOKEN_LEN + 1];
};

/* What one request has sent so far. */
struct pending {
	char body[WEB_BODY_MAX];
	size_t len;
	bool too_big;
};

static enum MHD_Result send_reply(struct MHD_Connection *c, unsigned status, const char *type,
				  const void *data, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data, mode);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	for (size_t i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]); i++)
		MHD_add_response_header(r, security_headers[i][0], security_headers[i][1]);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT);

	if (!text)
		return MHD_NO;
	return send_reply(c, status, "application/json", text, strlen(text), MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *why)
{
	json_t *j = json_pack("{s:s}", "error", why);
	enum MHD_Result ret = send_json(c, status, j);

	json_decref(j);
	return ret;
}

static bool authorized(const struct web *w, struct MHD_Connection *c)
{
	char *password = NULL;
	char *user;
	bool ok;

	if (!w->auth)
		return true;
	user = MHD_basic_auth_get_username_password(c, &password);
	ok = user && password && web_auth_check(w->auth, user, password);
	MHD_free(user);
	MHD_free(password);
	return ok;
}

static enum MHD_Result ask_login(struct MHD_Connection *c)
{
	static const char text[] = "{\"error\":\"login required\"}";
	struct MHD_Response *r = MHD_create_response_from_buffer(sizeof(text) - 1, (void *)text,
								 MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	ret = MHD_queue_basic_auth_fail_response(c, "url-enforcer", r);
	MHD_destroy_response(r);
	return ret;
}

static const char *query_arg(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

/* An action must come from our own page: a JSON body (which a form on
 * another site cannot send without a preflight) and this process's token. */
static const char *action_refused(const struct web *w, struct MHD_Connection *c)
{
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_CONTENT_TYPE);
	const char *token = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");

	if (!token || !web_token_equal(token, w->csrf))
		return "missing or wrong CSRF token";
	if (!type || strncmp(type, "application/json", 16))
		return "actions take a JSON body";
	return NULL;
}

static enum MHD_Result serve_api(struct web *w, struct MHD_Connection *c, const char *name,
				 bool post, struct pending *p)
{
	struct api_call call = { .socket = w->socket, .csrf = w->csrf,
				 .query = query_arg, .query_ctx = c };
	enum MHD_Result ret;
	json_error_t jerr;
	int status = 500;

	if (post) {
		const char *why = action_refused(w, c);

		if (why)
			return send_error(c, MHD_HTTP_FORBIDDEN, why);
		if (p->too_big)
			return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
		call.body = json_loadb(p->body, p->len, 0, &jerr);
		if (!json_is_object(call.body)) {
			json_decref(call.body);
			return send_error(c, MHD_HTTP_BAD_REQUEST, "the body is not a JSON object");
		}
	}
	switch (web_api_run(name, post, &call, &status)) {
	case API_NOT_FOUND:
		ret = send_error(c, MHD_HTTP_NOT_FOUND, "no such API call");
		break;
	case API_WRONG_METHOD:
		ret = send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, post ? "use GET" : "use POST");
		break;
	default:
		ret = send_json(c, status, call.result);
	}
	json_decref(call.result);
	json_decref(call.body);
	return ret;
}

static enum MHD_Result serve_asset(struct MHD_Connection *c, const char *url)
{
	for (size_t i = 0; i < web_assets_count; i++)
		if (!strcmp(web_assets[i].path, url))
			return send_reply(c, MHD_HTTP_OK, web_assets[i].type, web_assets[i].data,
					  web_assets[i].len, MHD_RESPMEM_PERSISTENT);
	return send_error(c, MHD_HTTP_NOT_FOUND, "not found");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	struct web *w = cls;
	struct pending *p = *state;
	bool post = !strcmp(method, MHD_HTTP_METHOD_POST);

	(void)version;
	if (!p) {                /* headers only so far */
		p = calloc(1, sizeof(*p));
		*state = p;
		return p ? MHD_YES : MHD_NO;
	}
	if (*upload_size) {
		if (p->len + *upload_size > sizeof(p->body))
			p->too_big = true;
		else
			memcpy(p->body + p->len, upload, *upload_size);
		p->len += p->too_big ? 0 : *upload_size;
		*upload_size = 0;
		return MHD_YES;
	}
	if (!authorized(w, c))
		return ask_login(c);
	if (!post && strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET or POST only");
	if (!strncmp(url, "/api/", 5))
		return serve_api(w, c, url + 5, post, p);
	if (post)
		return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
	return serve_asset(c, url);
}

static void on_done(void *cls, struct MHD_Connection *c, void **state,
		    enum MHD_RequestTerminationCode why)
{
	(void)cls, (void)c, (void)why;
	free(*state);
	*state = NULL;
}

/* "ADDR:PORT" or "[ADDR6]:PORT" into SA; 0, or -1. */
static int parse_listen(const char *text, struct sockaddr_storage *sa, bool *loopback)
{
	char host[64];
	const char *colon = strrchr(text, ':');
	char *end;
	long port;
	size_t n;

	if (!colon || colon == text || !colon[1])
		goto bad;
	port = strtol(colon + 1, &end, 10);
	n = colon - text;
	if (*end || port < 1 || port > 65535 || n >= sizeof(host))
		goto bad;
	memcpy(host, text, n);
	host[n] = '\0';
	memset(sa, 0, sizeof(*sa));
	if (host[0] == '[' && host[n - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;

		host[n - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			goto bad;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*loopback = IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;

		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			goto bad;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*loopback = (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	return 0;
bad:
	return -1;
}

/* The dashboard needs no privilege: whatever it was started with goes. */
static int drop_privileges(void)
{
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_apply(CAPNG_SELECT_BOTH) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		fprintf(stderr, "urlctl web: cannot drop capabilities\n");
		return -1;
	}
	return 0;
}

int cmd_web(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a)
{
	const char *listen = ctl_value(c, a, "listen"), *auth_path = ctl_value(c, a, "auth");
	struct web w = { .socket = env->socket };
	struct sockaddr_storage sa;
	struct MHD_Daemon *httpd;
	bool loopback = false;
	sigset_t stop;
	int sig;

	if (!listen)
		listen = WEB_LISTEN_DEFAULT;
	if (parse_listen(listen, &sa, &loopback))
		return ctl_usage_error(c, "--listen takes ADDR:PORT or [ADDR6]:PORT, not \"%s\"",
				       listen);
	if (!loopback && !auth_path)
		return ctl_usage_error(c, "%s is not a loopback address: give --auth FILE", listen);
	if (auth_path && !(w.auth = web_auth_load(auth_path, stderr)))
		return CTL_FAILED;
	if (drop_privileges() || web_token_new(w.csrf)) {
		web_auth_free(w.auth);
		return CTL_FAILED;
	}
	/* SIGINT/SIGTERM are waited for below, not delivered to a handler */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	httpd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
				 (sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				 0, NULL, NULL, on_request, &w,
				 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				 MHD_OPTION_CONNECTION_LIMIT, (unsigned)WEB_CONNECTIONS,
				 MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)WEB_CONNECTIONS_PER_IP,
				 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)WEB_TIMEOUT_S,
				 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_CONNECTION_MEMORY,
				 MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
				 MHD_OPTION_END);
	if (!httpd) {
		fprintf(stderr, "urlctl web: cannot listen on %s\n", listen);
		web_auth_free(w.auth);
		return CTL_FAILED;
	}
	fprintf(stderr, "urlctl web: the dashboard is at http://%s/%s\n", listen,
		w.auth ? " (login required)" : "");
	sigwait(&stop, &sig);
	MHD_stop_daemon(httpd);
	web_auth_free(w.auth);
	return CTL_OK;
}
