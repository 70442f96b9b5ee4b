/*
 * Earlier rules are found by what they match: a map from field + case +
 * pattern to rule indexes (a case-sensitive rule also looks for its caseless
 * twin), one from domain names to `domain` rules, whose label suffixes find
 * the parent domains, and the policy's own domain index for the lists that
 * hold a name or a parent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/name_map.h"
#include "policies/shadow.h"

struct shadow_index {
	struct name_map *patterns;
	struct name_map *domains;
};

struct shadow_index *shadow_new(void)
{
	struct shadow_index *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->patterns = name_map_new(64);
	s->domains = name_map_new(64);
	if (!s->patterns || !s->domains) {
		shadow_free(s);
		return NULL;
	}
	return s;
}

void shadow_free(struct shadow_index *s)
{
	if (!s)
		return;
	name_map_free(s->patterns);
	name_map_free(s->domains);
	free(s);
}

static bool clients_cover(const struct rule *e, const struct rule *r)
{
	if (!e->n_clients)
		return true;
	if (!r->n_clients)
		return false;
	for (unsigned i = 0; i < r->n_clients; i++) {
		bool covered = false;

		for (unsigned j = 0; j < e->n_clients && !covered; j++)
			covered = prefix_covers(&e->clients[j], &r->clients[i]);
		if (!covered)
			return false;
	}
	return true;
}

static bool methods_cover(const struct rule *e, const struct rule *r)
{
	if (!e->n_methods)
		return true;
	if (!r->n_methods)
		return false;
	for (unsigned i = 0; i < r->n_methods; i++) {
		bool found = false;

		for (unsigned j = 0; j < e->n_methods && !found; j++)
			found = !strcasecmp(e->methods[j], r->methods[i]);
		if (!found)
			return false;
	}
	return true;
}

static bool ports_cover(const struct rule *e, const struct rule *r)
{
	if (!e->n_ports)
		return true;
	if (!r->n_ports)
		return false;
	for (unsigned i = 0; i < r->n_ports; i++) {
		bool found = false;

		for (unsigned j = 0; j < e->n_ports && !found; j++)
			found = e->ports[j] == r->ports[i];
		if (!found)
			return false;
	}
	return true;
}

/* Whenever R's options let a request through, E's do too. */
static bool options_cover(const struct rule *e, const struct rule *r)
{
	if (e->n_windows && (e->n_windows != r->n_windows ||
			     memcmp(e->windows, r->windows, e->n_windows * sizeof(*e->windows))))
		return false;
	return clients_cover(e, r) && methods_cover(e, r) && ports_cover(e, r);
}

static bool is_terminal(const struct rule *r)
{
	return r->info.action != ACTION_LOG;
}

enum verdict { UNRELATED, DUPLICATE, SHADOWED };

/* What earlier rule E (matching the same requests as R, or more) makes of R. */
static enum verdict judge(const struct rule *e, const struct rule *r, bool same_pattern)
{
	if (same_pattern && e->info.action == r->info.action &&
	    e->info.response == r->info.response && options_cover(e, r) && options_cover(r, e))
		return DUPLICATE;
	if (is_terminal(e) && options_cover(e, r))
		return SHADOWED;
	return UNRELATED;
}

struct probe {
	const struct policy *p;
	const struct rule *r;
	bool same_key;              /* the rules probed have R's pattern and case */
	const struct rule *found;
	enum verdict verdict;
};

static void probe_rule(struct probe *pr, const struct rule *e)
{
	/* a domain found by suffix may be a parent of R's */
	bool same = pr->same_key &&
		    (pr->r->field != FIELD_DOMAIN || !strcmp(e->pattern, pr->r->pattern));
	enum verdict verdict = pr->found ? UNRELATED : judge(e, pr->r, same);

	if (verdict != UNRELATED) {
		pr->found = e;
		pr->verdict = verdict;
	}
}

/* V: earlier rules. */
static void probe_earlier(const uint32_t *v, unsigned n, void *arg)
{
	struct probe *pr = arg;

	for (unsigned i = 0; i < n; i++)
		probe_rule(pr, &pr->p->rules[v[i]]);
}

/* V: domain sources holding a suffix of R's name; the lists among them. */
static void probe_lists(const uint32_t *v, unsigned n, void *arg)
{
	struct probe *pr = arg;

	for (unsigned i = 0; i < n; i++) {
		const struct domain_source *src = &pr->p->sources[v[i]];

		for (unsigned j = 0; src->list_path && j < src->n_rules; j++)
			probe_rule(pr, &pr->p->rules[src->rules[j]]);
	}
}

static const char field_key[] = {
	[FIELD_URL] = 'u', [FIELD_HOST] = 'h', [FIELD_PATH] = 'p', [FIELD_DOMAIN] = 'd',
	[FIELD_DOMAIN_LIST] = 'l', [FIELD_TLS_NO_SNI] = 'n', [FIELD_TLS_ECH] = 'e',
	[FIELD_QUIC] = 'q', [FIELD_SERVICE] = 's', [FIELD_ALL] = 'a',
};

int shadow_check(struct shadow_index *s, const struct policy *p, uint32_t idx,
		 unsigned col, struct diag *d)
{
	const struct rule *r = &p->rules[idx];
	struct probe pr = { .p = p, .r = r, .same_key = true };
	const char *pattern = r->pattern ? r->pattern : "";
	size_t klen = strlen(pattern) + 2;
	char *key = malloc(klen + 1);
	int err;

	if (!key)
		return -ENOMEM;
	snprintf(key, klen + 1, "%c%c%s", field_key[r->field], r->case_sensitive ? 's' : 'i',
		 pattern);
	if (r->field == FIELD_DOMAIN) {
		name_map_each_suffix(s->domains, r->pattern, strlen(r->pattern),
				     probe_earlier, &pr);
		pr.same_key = false;    /* a list holding the name or a parent */
		name_map_each_suffix(p->domains, r->pattern, strlen(r->pattern),
				     probe_lists, &pr);
	} else {
		unsigned n;
		const uint32_t *v = name_map_get(s->patterns, key, klen, &n);

		if (v)
			probe_earlier(v, n, &pr);
		if (r->case_sensitive) {   /* the same pattern caseless matches more */
			key[1] = 'i';
			pr.same_key = false;
			v = name_map_get(s->patterns, key, klen, &n);
			if (v)
				probe_earlier(v, n, &pr);
			key[1] = 's';
		}
	}
	if (pr.verdict == DUPLICATE)
		diag_warning(d, r->info.file, r->info.line, col, "duplicate of the rule at %s:%u",
			     pr.found->info.file, pr.found->info.line);
	else if (pr.verdict == SHADOWED)
		diag_warning(d, r->info.file, r->info.line, col,
			     "never matches: the rule at %s:%u always decides first",
			     pr.found->info.file, pr.found->info.line);
	if (r->field == FIELD_DOMAIN)
		err = name_map_add(s->domains, r->pattern, strlen(r->pattern), idx);
	else
		err = name_map_add(s->patterns, key, klen, idx);
	free(key);
	return err;
}
