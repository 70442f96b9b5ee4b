/* Parses the options of a rule and the prefix lists of client= and group. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/array.h"
#include "policies/rule_options.h"

static const char *const option_names[OPT_COUNT] = {
	[OPT_CLIENT] = "client", [OPT_METHOD] = "method", [OPT_PORT] = "port",
	[OPT_TIME] = "time", [OPT_RESPONSE] = "response", [OPT_ID] = "id",
	[OPT_CASE] = "case",
};

const char *option_name(enum option_kind k)
{
	return option_names[k];
}

static unsigned col_of(const struct token *tok, const char *p)
{
	return tok->col + (p - tok->s);
}

/* The comma-separated elements of a value, each reported empty at its column. */
struct elements {
	const struct site *at;
	const struct token *tok;
	const char *p, *end;
	const char *s;              /* the current element */
	size_t len;
};

static void elements_init(struct elements *e, const struct site *at, const struct token *tok,
			  const char *value)
{
	e->at = at;
	e->tok = tok;
	e->p = value;
	e->end = tok->s + tok->len;
}

/* 1 with the next element, 0 at the end, -EINVAL (reported) for an empty one. */
static int elements_next(struct elements *e)
{
	if (!e->p)
		return 0;
	const char *comma = memchr(e->p, ',', e->end - e->p);

	e->s = e->p;
	e->len = (comma ? comma : e->end) - e->p;
	e->p = comma ? comma + 1 : NULL;
	if (!e->len) {
		diag_error(e->at->diag, e->at->file, e->at->line, col_of(e->tok, e->s),
			   "empty element in list");
		return -EINVAL;
	}
	return 1;
}

const struct group *groups_find(const struct groups *g, const char *name, size_t len)
{
	for (unsigned i = 0; i < g->n; i++)
		if (strlen(g->g[i].name) == len && !memcmp(g->g[i].name, name, len))
			return &g->g[i];
	return NULL;
}

void groups_release(struct groups *g)
{
	for (unsigned i = 0; i < g->n; i++) {
		free(g->g[i].name);
		free(g->g[i].prefixes);
	}
	free(g->g);
	memset(g, 0, sizeof(*g));
}

int prefix_list_parse(const struct site *at, const struct token *tok, const char *value,
		      const struct groups *groups, struct prefix **out, unsigned *n)
{
	struct elements e;
	int r;

	*out = NULL;
	*n = 0;
	elements_init(&e, at, tok, value);
	while ((r = elements_next(&e)) > 0) {
		if (*e.s == '@') {
			const struct group *g = groups_find(groups, e.s + 1, e.len - 1);

			if (!g) {
				diag_error(at->diag, at->file, at->line, col_of(tok, e.s),
					   "unknown group \"%.*s\" (groups are defined before use)",
					   (int)e.len - 1, e.s + 1);
				r = -EINVAL;
				break;
			}
			r = 0;
			for (unsigned i = 0; i < g->n && !r; i++)
				r = array_append(out, n, &g->prefixes[i], sizeof(**out));
		} else {
			struct prefix p;
			const char *why;

			if (prefix_parse(e.s, e.len, &p, &why)) {
				diag_error(at->diag, at->file, at->line, col_of(tok, e.s),
					   "bad address \"%.*s\": %s", (int)e.len, e.s, why);
				r = -EINVAL;
				break;
			}
			r = array_append(out, n, &p, sizeof(p));
		}
		if (r)
			break;
	}
	if (r) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

/* RFC 9110 token characters. */
static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int methods_parse(const struct site *at, const struct token *tok, const char *value,
			 struct rule *r)
{
	struct elements e;
	int res;

	elements_init(&e, at, tok, value);
	while ((res = elements_next(&e)) > 0) {
		for (size_t i = 0; i < e.len; i++) {
			if (!is_tchar(e.s[i])) {
				diag_error(at->diag, at->file, at->line, col_of(tok, e.s + i),
					   "bad method \"%.*s\"", (int)e.len, e.s);
				return -EINVAL;
			}
		}
		char *m = strndup(e.s, e.len);

		if (!m || array_append(&r->methods, &r->n_methods, &m, sizeof(m))) {
			free(m);
			return -ENOMEM;
		}
	}
	return res;
}

static int ports_parse(const struct site *at, const struct token *tok, const char *value,
		       struct rule *r)
{
	struct elements e;
	int res;

	elements_init(&e, at, tok, value);
	while ((res = elements_next(&e)) > 0) {
		unsigned long v = 0;
		size_t i;

		for (i = 0; i < e.len && e.s[i] >= '0' && e.s[i] <= '9' && v <= 65535; i++)
			v = v * 10 + (e.s[i] - '0');
		if (i < e.len || !v || v > 65535) {
			diag_error(at->diag, at->file, at->line, col_of(tok, e.s),
				   "bad port \"%.*s\" (1 to 65535)", (int)e.len, e.s);
			return -EINVAL;
		}
		uint16_t port = v;

		if (array_append(&r->ports, &r->n_ports, &port, sizeof(port)))
			return -ENOMEM;
	}
	return res;
}

static bool is_id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == ':' || c == '/';
}

#define ID_MAX 64

static int option_value(const struct site *at, struct rule *r, enum option_kind k,
			const struct token *tok, const char *v, const struct groups *groups)
{
	size_t len = tok->s + tok->len - v;
	size_t bad;
	const char *why;

	switch (k) {
	case OPT_CLIENT:
		return prefix_list_parse(at, tok, v, groups, &r->clients, &r->n_clients);
	case OPT_METHOD:
		return methods_parse(at, tok, v, r);
	case OPT_PORT:
		return ports_parse(at, tok, v, r);
	case OPT_TIME:
		if (time_windows_parse(v, len, &r->windows, &r->n_windows, &bad, &why)) {
			diag_error(at->diag, at->file, at->line, col_of(tok, v + bad),
				   "bad time window: %s", why);
			return -EINVAL;
		}
		return 0;
	case OPT_RESPONSE:
		if (!strcmp(v, "drop"))
			r->info.response = RESPONSE_DROP;
		else if (!strcmp(v, "reset"))
			r->info.response = RESPONSE_RESET;
		else if (!strcmp(v, "page"))
			r->info.response = RESPONSE_PAGE;
		else {
			diag_error(at->diag, at->file, at->line, col_of(tok, v),
				   "bad response \"%s\" (drop, reset or page)", v);
			return -EINVAL;
		}
		return 0;
	case OPT_ID:
		for (size_t i = 0; i < len; i++) {
			if (!is_id_char(v[i]) || i == ID_MAX) {
				diag_error(at->diag, at->file, at->line, col_of(tok, v + i),
					   i == ID_MAX ? "id longer than 64 bytes" :
					   "id takes letters, digits and _ - . : /");
				return -EINVAL;
			}
		}
		r->info.id = strdup(v);
		return r->info.id ? 0 : -ENOMEM;
	case OPT_CASE:
		if (strcmp(v, "sensitive")) {
			diag_error(at->diag, at->file, at->line, col_of(tok, v),
				   "case= takes only \"sensitive\" (patterns are caseless by default)");
			return -EINVAL;
		}
		r->case_sensitive = true;
		return 0;
	case OPT_COUNT:
		break;
	}
	return -EINVAL;
}

int rule_options_parse(const struct site *at, struct rule *r, const struct token *tok,
		       unsigned n, const struct groups *groups, struct option_cols *cols)
{
	memset(cols, 0, sizeof(*cols));
	for (unsigned i = 0; i < n; i++) {
		const struct token *t = &tok[i];
		const char *eq = strchr(t->s, '=');
		unsigned k;

		if (!eq) {
			diag_error(at->diag, at->file, at->line, t->col,
				   "unexpected \"%s\" (options are NAME=VALUE)", t->s);
			return -EINVAL;
		}
		for (k = 0; k < OPT_COUNT; k++)
			if (strlen(option_names[k]) == (size_t)(eq - t->s) &&
			    !strncmp(t->s, option_names[k], eq - t->s))
				break;
		if (k == OPT_COUNT) {
			diag_error(at->diag, at->file, at->line, t->col,
				   "unknown option \"%.*s\" (client, method, port, time, "
				   "response, id, case)", (int)(eq - t->s), t->s);
			return -EINVAL;
		}
		if (cols->col[k]) {
			diag_error(at->diag, at->file, at->line, t->col,
				   "%s= given twice", option_names[k]);
			return -EINVAL;
		}
		cols->col[k] = t->col;
		if (!eq[1]) {
			diag_error(at->diag, at->file, at->line, col_of(t, eq + 1),
				   "%s= needs a value", option_names[k]);
			return -EINVAL;
		}
		int err = option_value(at, r, k, t, eq + 1, groups);

		if (err)
			return err;
	}
	return 0;
}
