/* See log_jansson.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/ip_text.h"
#include "tests/unit/log_jansson.h"

/* The bytes of a UTF-8 sequence its first byte announces; 0: none. */
static size_t announced(unsigned char c)
{
	return c < 0x80 ? 1 : c >= 0xc0 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 :
	       c >= 0xf0 && c < 0xf8 ? 4 : 0;
}

/* Valid sequences kept (jansson says which are), any other byte as U+00XX. */
static json_t *wire_string(const char *s)
{
	size_t len = strlen(s), n = 0;
	json_t *j = json_string(s);
	char *text;

	if (j)
		return j;               /* valid UTF-8: as the daemon's formatter did */
	text = malloc(2 * len + 1);
	if (!text)
		return NULL;
	for (size_t i = 0; i < len;) {
		size_t k = announced((unsigned char)s[i]);
		json_t *seq = k && i + k <= len ? json_stringn(s + i, k) : NULL;

		if (seq) {
			json_decref(seq);
			memcpy(text + n, s + i, k);
			n += k;
			i += k;
		} else {
			unsigned char c = (unsigned char)s[i++];

			text[n++] = (char)(0xc0 | c >> 6);
			text[n++] = (char)(0x80 | (c & 0x3f));
		}
	}
	j = json_stringn(text, n);
	free(text);
	return j;
}

static json_t *addr_string(const struct in6_addr *a)
{
	char text[INET6_ADDRSTRLEN];

	return json_string(ip_format_mapped(a, text, sizeof(text)));
}

static json_t *ts_string(const struct timespec *ts)
{
	char text[48];
	struct tm tm;
	time_t sec = ts->tv_sec;
	size_t n;

	if (!gmtime_r(&sec, &tm))
		return NULL;
	n = strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(text + n, sizeof(text) - n, ".%06ldZ", ts->tv_nsec / 1000);
	return json_string(text);
}

static json_t *rule_string(const struct rule_info *rule)
{
	char *text;
	json_t *j;

	if (!rule)
		return json_null();
	if (asprintf(&text, "%s:%u", rule->file, rule->line) < 0)
		return NULL;
	j = wire_string(text);
	free(text);
	return j;
}

static const char *const proto_names[] = {
	[REQUEST_HTTP] = "http", [REQUEST_TLS] = "tls", [REQUEST_H2C] = "h2c",
	[REQUEST_QUIC] = "quic",
};
static const char *const action_names[] = { "allow", "block", "log" };
static const char *const response_names[] = { "drop", "reset", "page" };

int log_jansson_format(const struct decision_record *rec, char *buf, size_t size)
{
	const struct request *r = rec->request;
	const struct rule_info *rule = rec->rule;
	json_t *o = json_object();
	int bad = !o;
	size_t n;

#define PUT(key, value) (bad |= json_object_set_new(o, key, value))
	if (o) {
		PUT("ts", ts_string(&r->ts));
		PUT("mode", json_string(rec->audit ? "audit" : "enforce"));
		PUT("proto", json_string(proto_names[r->proto]));
		PUT("client", addr_string(&r->tuple.client));
		PUT("client_port", json_integer(r->tuple.client_port));
		PUT("server", addr_string(&r->tuple.server));
		PUT("server_port", json_integer(r->tuple.server_port));
		if (r->method)
			PUT("method", wire_string(r->method));
		if (r->host)
			PUT("host", wire_string(r->host));
		if (r->url)
			PUT("url", wire_string(r->url));
		if (r->target)
			PUT("target", wire_string(r->target));
		PUT("action", json_string(action_names[rec->action]));
		PUT("rule", rule_string(rule));
		PUT("rule_id", rule && rule->id ? wire_string(rule->id) : json_null());
		PUT("response", rec->action == ACTION_BLOCK ?
		    json_string(response_names[rec->response]) : json_null());
		PUT("enforced", json_boolean(rec->enforced));
		if (rec->overflow)
			PUT("reason", json_string("overflow"));
		else if (rec->ambiguous)
			PUT("reason", json_string("ambiguous"));
		else if (rec->paused)
			PUT("reason", json_string("paused"));
		else if (r->flags & REQUEST_QUIC_VERSION)
			PUT("reason", json_string("quic-version"));
		if (rec->ech)
			PUT("ech", json_true());
	}
#undef PUT
	if (bad) {
		json_decref(o);
		return -ENOMEM;
	}
	n = json_dumpb(o, buf, size > 2 ? size - 2 : 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (n == 0)
		return -EINVAL;
	if (n + 2 > size)
		return -E2BIG;
	buf[n++] = '\n';
	buf[n] = 0;
	return (int)n;
}
