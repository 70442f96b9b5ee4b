/*
 * The rule-file parser (url-enforcer.rules(5)), hand-written in the manner of
 * OpenBSD's parse.y: one statement a line; an error is reported, the rest of
 * its line skipped and parsing goes on, so one run lists every error. Regexes
 * are compiled and domain lists read as their rules are met, so diagnostics
 * come out in file order. Includes are read in place, relative to the
 * including file, with a depth limit and cycle detection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/array.h"
#include "policies/diag.h"
#include "policies/domain_list.h"
#include "policies/policy_internal.h"
#include "policies/rule_options.h"
#include "policies/rules_lex.h"
#include "policies/services.h"
#include "policies/shadow.h"

#define INCLUDE_DEPTH_MAX 16

struct include_frame {
	dev_t dev;
	ino_t ino;
	const char *name;
};

struct parser {
	struct policy *p;
	struct diag *diag;
	struct include_frame stack[INCLUDE_DEPTH_MAX];
	unsigned depth;
	struct groups groups;
	const char *default_file;   /* where `default` was set, NULL: not yet */
	unsigned default_line;
	struct shadow_index *shadow;
	int fatal;                  /* -ENOMEM: stop */
};

static bool is_regex_field(enum rule_field f)
{
	return f == FIELD_URL || f == FIELD_HOST || f == FIELD_PATH;
}

void rule_release(struct rule *r)
{
	free(r->pattern);
	free(r->also);
	pcre2_code_free(r->re);
	free((char *)r->info.id);
	free(r->clients);
	for (unsigned i = 0; i < r->n_methods; i++)
		free(r->methods[i]);
	free(r->methods);
	free(r->ports);
	free(r->windows);
	memset(r, 0, sizeof(*r));
}

static void out_of_memory(struct parser *P, const struct site *at)
{
	if (!P->fatal)
		diag_error(P->diag, at->file, at->line, 1, "out of memory");
	P->fatal = -ENOMEM;
}

/* The column just past the last token: where a missing one would go. */
static unsigned col_after(const struct lexer *lx)
{
	const struct token *t = &lx->tok[lx->ntok - 1];

	return t->col + t->len + 1;
}

static bool unexpected_after(struct parser *P, const struct site *at, const struct lexer *lx,
			     unsigned expected)
{
	if (lx->ntok <= expected)
		return false;
	diag_error(P->diag, at->file, at->line, lx->tok[expected].col, "unexpected \"%s\"",
		   lx->tok[expected].s);
	return true;
}

/* NAME relative to the folder of FILE (NAME itself if absolute). */
char *path_beside(const char *file, const char *name)
{
	const char *slash = strrchr(file, '/');
	char *out;

	if (name[0] == '/' || !slash)
		return strdup(name);
	if (asprintf(&out, "%.*s/%s", (int)(slash - file), file, name) < 0)
		return NULL;
	return out;
}

/* ---- domain sources ---- */

static int source_new(struct policy *p, char *list_path, uint32_t *id)
{
	struct domain_source s = { .list_path = list_path };

	*id = p->n_sources;
	return array_append(&p->sources, &p->n_sources, &s, sizeof(s));
}

static int source_add_rule(struct domain_source *s, uint32_t rule)
{
	return array_append(&s->rules, &s->n_rules, &rule, sizeof(rule));
}

struct list_load {
	struct name_map *domains;
	uint32_t source;
};

static int list_add_name(const char *name, size_t len, void *arg)
{
	struct list_load *ll = arg;

	return name_map_add(ll->domains, name, len, ll->source);
}

/* ---- patterns ---- */

static int pattern_regex(struct parser *P, const struct site *at, struct rule *r,
			 const struct token *t)
{
	uint32_t options = PCRE2_NEVER_UTF | (r->case_sensitive ? 0 : PCRE2_CASELESS);
	PCRE2_SIZE offset;
	int code;

	r->re = pcre2_compile((PCRE2_SPTR)t->s, t->len, options, &code, &offset, NULL);
	if (!r->re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(code, msg, sizeof(msg));
		/* PCRE2 may point past the end ("\" at the end, a missing ')'):
		 * the column stays on the pattern's last byte */
		diag_error(P->diag, at->file, at->line,
			   t->col + (offset < t->len ? offset : t->len - 1),
			   "bad regex: %s (at offset %zu)", (char *)msg, (size_t)offset);
		return -EINVAL;
	}
	/* without JIT (no executable memory, say) the interpreter still works */
	r->jit = pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE) == 0;
	r->pattern = strdup(t->s);
	return r->pattern ? 0 : -ENOMEM;
}

static int pattern_domain(struct parser *P, const struct site *at, struct rule *r,
			  const struct token *t)
{
	char name[DOMAIN_NAME_MAX + 1];
	size_t bad;
	const char *why;
	int len = domain_name_normalize(t->s, t->len, name, &bad, &why);

	if (len < 0) {
		diag_error(P->diag, at->file, at->line, t->col + bad, "bad domain name \"%s\": %s",
			   t->s, why);
		return -EINVAL;
	}
	r->pattern = strdup(name);
	if (!r->pattern || source_new(P->p, NULL, &r->source))
		return -ENOMEM;
	return name_map_add(P->p->domains, name, len, r->source);
}

static int pattern_domain_list(struct parser *P, const struct site *at, struct rule *r,
			       const struct token *t)
{
	struct policy *p = P->p;
	char *path = path_beside(at->file, t->s);
	struct domain_list_report rep;

	r->pattern = strdup(t->s);
	if (!path || !r->pattern) {
		free(path);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < p->n_sources; i++) {
		if (p->sources[i].list_path && !strcmp(p->sources[i].list_path, path)) {
			r->source = i;
			free(path);
			return 0;
		}
	}
	if (source_new(p, path, &r->source)) {
		free(path);
		return -ENOMEM;
	}
	struct list_load ll = { .domains = p->domains, .source = r->source };
	int err = domain_list_read(path, list_add_name, &ll, &rep);

	if (err == -ENOMEM)
		return err;
	if (err) {
		diag_error(P->diag, at->file, at->line, t->col, "cannot read domain list %s: %s",
			   path, strerror(-err));
		return -EINVAL;
	}
	if (rep.skipped)
		diag_warning(P->diag, path, rep.first_skipped, 1,
			     "%lu line%s skipped (first here): not a domain name, a hosts-file "
			     "line or an adblock ||name^ line", rep.skipped,
			     rep.skipped == 1 ? "" : "s");
	if (!rep.names)
		diag_warning(P->diag, at->file, at->line, t->col, "domain list %s has no names",
			     path);
	return 0;
}

/*
 * `service NAME[,NAME...]`: the services' lists read into one new source,
 * so the rule is found through the domain index like a domain-list rule.
 * Each unknown or unreadable name is reported at its own column.
 */
static int pattern_service(struct parser *P, const struct site *at, struct rule *r,
			   const struct token *t)
{
	struct policy *p = P->p;
	char *label = NULL;
	int bad = 0;

	r->pattern = strdup(t->s);
	if (!r->pattern || asprintf(&label, "service %s", t->s) < 0 ||
	    source_new(p, label, &r->source)) {
		free(label);
		return -ENOMEM;
	}
	for (const char *name = t->s; *name;) {
		size_t len = strcspn(name, ",");
		unsigned col = t->col + (name - t->s);
		char one[SERVICE_NAME_MAX + 1];

		if (!service_name_valid(name, len)) {
			diag_error(P->diag, at->file, at->line, col,
				   "bad service name \"%.*s\" (letters, digits, - and _)",
				   (int)len, name);
			return -EINVAL;
		}
		snprintf(one, sizeof(one), "%.*s", (int)len, name);
		char *path = service_list_path(at->file, one);
		struct domain_list_report rep;

		if (!path && errno == ENOMEM)
			return -ENOMEM;
		if (!path) {
			diag_error(P->diag, at->file, at->line, col,
				   "unknown service \"%s\" (none in services/ beside the rule file "
				   "nor in %s; urlctl services lists them)", one, services_dir());
			bad = -EINVAL;
		} else {
			struct list_load ll = { .domains = p->domains, .source = r->source };
			int err = domain_list_read(path, list_add_name, &ll, &rep);

			if (err == -ENOMEM) {
				free(path);
				return err;
			}
			if (err) {
				diag_error(P->diag, at->file, at->line, col,
					   "cannot read service list %s: %s", path, strerror(-err));
				bad = -EINVAL;
			} else if (rep.skipped) {
				diag_warning(P->diag, path, rep.first_skipped, 1,
					     "%lu line%s skipped (first here): not a domain name",
					     rep.skipped, rep.skipped == 1 ? "" : "s");
			}
			free(path);
		}
		name += len + (name[len] == ',');
	}
	return bad;
}

/* The field token (and its pattern, if it takes one) into R; the index of
 * the first option token, or -EINVAL after reporting. */
static int rule_field(struct parser *P, const struct site *at, struct rule *r,
		      const struct lexer *lx)
{
	static const char *const fields[] = {
		"url", "host", "path", "domain", "domain-list", "tls", "quic", "service", "all",
	};
	static const enum rule_field kinds[] = {
		FIELD_URL, FIELD_HOST, FIELD_PATH, FIELD_DOMAIN, FIELD_DOMAIN_LIST,
		FIELD_TLS_NO_SNI, FIELD_QUIC, FIELD_SERVICE, FIELD_ALL,
	};
	const struct token *t = lx->tok;
	unsigned k;

	if (lx->ntok < 2) {
		diag_error(P->diag, at->file, at->line, col_after(lx),
			   "%s needs a field: url, host, path, domain, domain-list, tls, quic, "
			   "service or all",
			   t[0].s);
		return -EINVAL;
	}
	for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
		if (!strcmp(t[1].s, fields[k]))
			break;
	if (k == sizeof(fields) / sizeof(fields[0])) {
		diag_error(P->diag, at->file, at->line, t[1].col,
			   "unknown field \"%s\" (url, host, path, domain, domain-list, tls, "
			   "quic, service, all)",
			   t[1].s);
		return -EINVAL;
	}
	r->field = kinds[k];
	if (r->field == FIELD_QUIC || r->field == FIELD_ALL) {
		if (r->info.action != ACTION_BLOCK) {
			diag_error(P->diag, at->file, at->line, t[0].col,
				   "%s rules can only block", t[1].s);
			return -EINVAL;
		}
		if (lx->ntok > 2 && !strchr(t[2].s, '=')) {
			diag_error(P->diag, at->file, at->line, t[2].col, "%s takes no pattern",
				   t[1].s);
			return -EINVAL;
		}
		return 2;
	}
	if (lx->ntok < 3) {
		diag_error(P->diag, at->file, at->line, col_after(lx),
			   r->field == FIELD_TLS_NO_SNI ? "tls needs no-sni or ech" :
			   r->field == FIELD_DOMAIN ? "domain needs a NAME" :
			   r->field == FIELD_DOMAIN_LIST ? "domain-list needs a PATH" :
			   r->field == FIELD_SERVICE ? "service needs NAME[,NAME...]" :
			   "%s needs a PCRE2 pattern", t[1].s);
		return -EINVAL;
	}
	const struct token *pat = &t[2];
	int err;

	switch (r->field) {
	case FIELD_URL:
	case FIELD_HOST:
	case FIELD_PATH:
		for (unsigned i = 3; i < lx->ntok; i++)
			if (!strcmp(t[i].s, "case=sensitive"))
				r->case_sensitive = true;
		err = pattern_regex(P, at, r, pat);
		break;
	case FIELD_DOMAIN:
		err = pattern_domain(P, at, r, pat);
		break;
	case FIELD_DOMAIN_LIST:
		err = pattern_domain_list(P, at, r, pat);
		break;
	case FIELD_SERVICE:
		err = pattern_service(P, at, r, pat);
		break;
	default:
		if (!strcmp(pat->s, "no-sni") || !strcmp(pat->s, "ech")) {
			r->field = pat->s[0] == 'e' ? FIELD_TLS_ECH : FIELD_TLS_NO_SNI;
			r->pattern = strdup(pat->s);
			err = r->pattern ? 0 : -ENOMEM;
		} else {
			diag_error(P->diag, at->file, at->line, pat->col,
				   "unknown tls condition \"%s\" (no-sni or ech)", pat->s);
			err = -EINVAL;
		}
	}
	if (err == -ENOMEM)
		out_of_memory(P, at);
	return err ? err : 3;
}

/* An option given where it means nothing: its column and why, or 0. */
static unsigned misplaced_option(const struct rule *r, const struct option_cols *c,
				 char *why, size_t len)
{
	unsigned best = 0;

	for (unsigned k = 0; k < OPT_COUNT; k++) {
		const char *reason = NULL;

		if (!c->col[k] || (best && c->col[k] > best))
			continue;
		if (r->field == FIELD_QUIC && k != OPT_CLIENT && k != OPT_TIME && k != OPT_ID)
			reason = "does not apply to quic";
		else if (r->field == FIELD_ALL && k != OPT_CLIENT && k != OPT_TIME &&
			 k != OPT_ID && k != OPT_RESPONSE)
			reason = "does not apply to all";
		else if (k == OPT_RESPONSE && r->info.action != ACTION_BLOCK)
			reason = "applies to block rules only";
		else if (k == OPT_CASE && !is_regex_field(r->field))
			reason = "applies to url, host and path patterns only";
		else if (k == OPT_METHOD &&
			 (r->field == FIELD_TLS_NO_SNI || r->field == FIELD_TLS_ECH))
			reason = "never matches a TLS ClientHello";
		if (reason) {
			best = c->col[k];
			snprintf(why, len, "%s= %s", option_name(k), reason);
		}
	}
	return best;
}

static void stmt_rule(struct parser *P, const struct site *at, const struct lexer *lx,
		      enum policy_action action)
{
	struct policy *p = P->p;
	struct rule r = { .info = { .file = at->file, .line = at->line, .action = action } };
	struct option_cols cols;
	char why[128];
	int first = rule_field(P, at, &r, lx);

	if (first < 0)
		goto fail;
	int err = rule_options_parse(at, &r, lx->tok + first, lx->ntok - first, &P->groups,
				     &cols);

	if (err == -ENOMEM)
		out_of_memory(P, at);
	if (err)
		goto fail;
	unsigned col = misplaced_option(&r, &cols, why, sizeof(why));

	if (col) {
		diag_error(P->diag, at->file, at->line, col, "%s", why);
		goto fail;
	}
	/* internet off for everyone would cut the gateway's own network off */
	if (r.field == FIELD_ALL && !r.n_clients) {
		diag_error(P->diag, at->file, at->line, lx->tok[1].col,
			   "block all needs client=");
		goto fail;
	}
	if (array_append(&p->rules, &p->n_rules, &r, sizeof(r))) {
		out_of_memory(P, at);
		goto fail;
	}
	if (((r.field == FIELD_DOMAIN || r.field == FIELD_DOMAIN_LIST ||
	      r.field == FIELD_SERVICE) &&
	     source_add_rule(&p->sources[r.source], p->n_rules - 1)) ||
	    shadow_check(P->shadow, p, p->n_rules - 1, lx->tok[0].col, P->diag))
		out_of_memory(P, at);
	return;
fail:
	rule_release(&r);
}

static void stmt_default(struct parser *P, const struct site *at, const struct lexer *lx)
{
	const struct token *t = lx->tok;

	if (lx->ntok < 2) {
		diag_error(P->diag, at->file, at->line, col_after(lx),
			   "default needs allow or block");
		return;
	}
	if (strcmp(t[1].s, "allow") && strcmp(t[1].s, "block")) {
		diag_error(P->diag, at->file, at->line, t[1].col,
			   "default takes allow or block, not \"%s\"", t[1].s);
		return;
	}
	if (unexpected_after(P, at, lx, 2))
		return;
	if (P->default_file) {
		diag_error(P->diag, at->file, at->line, t[0].col, "default is already set at %s:%u",
			   P->default_file, P->default_line);
		return;
	}
	P->default_file = at->file;
	P->default_line = at->line;
	P->p->default_action = t[1].s[0] == 'a' ? ACTION_ALLOW : ACTION_BLOCK;
}

static void stmt_group(struct parser *P, const struct site *at, const struct lexer *lx)
{
	const struct token *t = lx->tok;
	struct group g = { .file = at->file, .line = at->line };

	if (lx->ntok < 3) {
		diag_error(P->diag, at->file, at->line, col_after(lx),
			   "group needs a NAME and CIDR[,CIDR...]");
		return;
	}
	if (unexpected_after(P, at, lx, 3))
		return;
	for (unsigned i = 0; i < t[1].len; i++) {
		char c = t[1].s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-')) {
			diag_error(P->diag, at->file, at->line, t[1].col + i,
				   "bad group name \"%s\" (letters, digits, _ and -)", t[1].s);
			return;
		}
	}
	const struct group *dup = groups_find(&P->groups, t[1].s, t[1].len);

	if (dup) {
		diag_error(P->diag, at->file, at->line, t[1].col,
			   "group \"%s\" is already defined at %s:%u", t[1].s, dup->file, dup->line);
		return;
	}
	int err = prefix_list_parse(at, &t[2], t[2].s, &P->groups, &g.prefixes, &g.n);

	if (err == -ENOMEM)
		out_of_memory(P, at);
	if (err)
		return;
	g.name = strdup(t[1].s);
	if (!g.name || array_append(&P->groups.g, &P->groups.n, &g, sizeof(g))) {
		free(g.name);
		free(g.prefixes);
		out_of_memory(P, at);
	}
}

/*
 * ech-public-name NAME: a host name (letters, digits, -, dot-separated
 * labels; caseless, a trailing dot dropped) that ClientHellos with the ECH
 * extension name when they hide the real one (policy_ech).
 */
static void stmt_ech_public_name(struct parser *P, const struct site *at, const struct lexer *lx)
{
	const struct token *t = &lx->tok[1];
	struct policy *p = P->p;
	size_t len;
	char *name;

	if (lx->ntok < 2) {
		diag_error(P->diag, at->file, at->line, col_after(lx), "ech-public-name needs a NAME");
		return;
	}
	if (unexpected_after(P, at, lx, 2))
		return;
	len = t->len && t->s[t->len - 1] == '.' ? t->len - 1 : t->len;
	for (size_t i = 0; i < len; i++) {
		char c = t->s[i];
		bool label_edge = i == 0 || i + 1 == len || t->s[i - 1] == '.' || t->s[i + 1] == '.';

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    (c == '-' && !label_edge) || (c == '.' && i > 0 && i + 1 < len && t->s[i - 1] != '.'))
			continue;
		diag_error(P->diag, at->file, at->line, t->col + (unsigned)i,
			   "bad ech-public-name \"%s\" (a host name: letters, digits, - and dots)",
			   t->s);
		return;
	}
	if (len == 0 || len > 253) {
		diag_error(P->diag, at->file, at->line, t->col,
			   "bad ech-public-name \"%s\" (1 to 253 characters)", t->s);
		return;
	}
	name = strndup(t->s, len);
	if (!name || array_append(&p->ech_public_names, &p->n_ech_public_names, &name,
				  sizeof(name))) {
		free(name);
		out_of_memory(P, at);
		return;
	}
	for (char *c = name; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
}

static void parse_file(struct parser *P, char *path, const struct site *from, unsigned col);

static void stmt_include(struct parser *P, const struct site *at, const struct lexer *lx)
{
	if (lx->ntok < 2) {
		diag_error(P->diag, at->file, at->line, col_after(lx), "include needs a PATH");
		return;
	}
	if (unexpected_after(P, at, lx, 2))
		return;
	char *path = path_beside(at->file, lx->tok[1].s);

	if (!path) {
		out_of_memory(P, at);
		return;
	}
	parse_file(P, path, at, lx->tok[1].col);
}

static void statement(struct parser *P, const char *file, const struct lexer *lx)
{
	const struct site at = { .diag = P->diag, .file = file, .line = lx->line };
	const char *kw = lx->tok[0].s;

	if (!strcmp(kw, "block"))
		stmt_rule(P, &at, lx, ACTION_BLOCK);
	else if (!strcmp(kw, "allow"))
		stmt_rule(P, &at, lx, ACTION_ALLOW);
	else if (!strcmp(kw, "log"))
		stmt_rule(P, &at, lx, ACTION_LOG);
	else if (!strcmp(kw, "default"))
		stmt_default(P, &at, lx);
	else if (!strcmp(kw, "include"))
		stmt_include(P, &at, lx);
	else if (!strcmp(kw, "group"))
		stmt_group(P, &at, lx);
	else if (!strcmp(kw, "ech-public-name"))
		stmt_ech_public_name(P, &at, lx);
	else
		diag_error(P->diag, file, lx->line, lx->tok[0].col,
			   "unknown statement \"%s\" (block, allow, log, default, include, group, "
			   "ech-public-name)", kw);
}

/* Reports a problem with PATH at the include that names it, or on its own. */
static void file_error(struct parser *P, const struct site *from, unsigned col,
		       const char *path, const char *what)
{
	if (from)
		diag_error(P->diag, from->file, from->line, col, "include %s: %s", path, what);
	else
		diag_error(P->diag, path, 0, 0, "%s", what);
}

/* Whether PATH (dev/ino in ST) is already being read; reports the cycle. */
static bool include_cycle(struct parser *P, const struct site *from, unsigned col,
			  const char *path, const struct stat *st)
{
	char chain[1024] = "";
	size_t used = 0;
	unsigned i;

	for (i = 0; i < P->depth; i++)
		if (P->stack[i].dev == st->st_dev && P->stack[i].ino == st->st_ino)
			break;
	if (i == P->depth)
		return false;
	for (unsigned j = i; j < P->depth && used < sizeof(chain); j++)
		used += snprintf(chain + used, sizeof(chain) - used, "%s -> ", P->stack[j].name);
	if (used < sizeof(chain))
		snprintf(chain + used, sizeof(chain) - used, "%s", path);
	diag_error(P->diag, from->file, from->line, col, "include cycle: %s", chain);
	return true;
}

/* Reads PATH (taken over) statement by statement; FROM: the include line. */
static void parse_file(struct parser *P, char *path, const struct site *from, unsigned col)
{
	struct policy *p = P->p;
	struct stat st;
	struct lexer lx;
	FILE *f = NULL;
	int n = 0;

	if (P->depth == INCLUDE_DEPTH_MAX) {
		diag_error(P->diag, from->file, from->line, col,
			   "include %s: nested more than %d files deep", path, INCLUDE_DEPTH_MAX);
		goto out;
	}
	f = fopen(path, "re");
	if (!f || fstat(fileno(f), &st)) {
		file_error(P, from, col, path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		file_error(P, from, col, path, S_ISDIR(st.st_mode) ? strerror(EISDIR) :
			   "not a regular file");
		goto out;
	}
	if (from && include_cycle(P, from, col, path, &st))
		goto out;
	if (array_append(&p->files, &p->n_files, &path, sizeof(path))) {
		P->fatal = -ENOMEM;
		goto out;
	}
	P->stack[P->depth++] = (struct include_frame){ st.st_dev, st.st_ino, path };
	lexer_init(&lx, f, path, P->diag);
	while (!P->fatal && (n = lexer_next(&lx)) > 0)
		statement(P, path, &lx);
	if (n < 0)
		diag_error(P->diag, path, lx.line + 1, 1, "cannot read: %s", strerror(-n));
	lexer_release(&lx);
	P->depth--;
	path = NULL;                /* now p->files owns it */
out:
	if (f)
		fclose(f);
	free(path);
}

int rules_parse(struct policy *p, const char *path, struct diag *diag)
{
	struct parser P = { .p = p, .diag = diag };
	char *top = strdup(path);

	P.shadow = shadow_new();
	if (!top || !P.shadow) {
		free(top);
		shadow_free(P.shadow);
		return -ENOMEM;
	}
	parse_file(&P, top, NULL, 0);
	p->groups = P.groups;       /* the policy keeps them for urlctl pause @GROUP */
	shadow_free(P.shadow);
	return P.fatal;
}
