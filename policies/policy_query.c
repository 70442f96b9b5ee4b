/* What the daemon and urlctl ask a loaded policy besides decisions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policies/policy_internal.h"
#include "policies/rule_options.h"
#include "policies/services.h"

const char *policy_action_name(enum policy_action a)
{
	switch (a) {
	case ACTION_ALLOW: return "allow";
	case ACTION_BLOCK: return "block";
	case ACTION_LOG: return "log";
	}
	return "?";
}

const char *policy_response_name(enum policy_response r)
{
	switch (r) {
	case RESPONSE_DROP: return "drop";
	case RESPONSE_RESET: return "reset";
	case RESPONSE_PAGE: return "page";
	}
	return "?";
}

const char *policy_path(const struct policy *p)
{
	return p->path;
}

/* The list files of a `service` rule (its names, comma-separated, in R->pattern). */
static int service_files(const struct rule *r, policy_file_fn fn, void *arg)
{
	int rc = 0;

	for (const char *name = r->pattern; *name && !rc;) {
		size_t len = strcspn(name, ",");
		char one[SERVICE_NAME_MAX + 1], beside[SERVICE_NAME_MAX + 32];
		char *path, *as;

		snprintf(one, sizeof(one), "%.*s", (int)len, name);
		snprintf(beside, sizeof(beside), "services/%s.list", one);
		path = service_list_path(r->info.file, one);
		as = path_beside(r->info.file, beside);
		rc = path && as ? fn(path, as, arg) : -ENOMEM;
		free(path);
		free(as);
		name += len + (name[len] == ',');
	}
	return rc;
}

int policy_files(const struct policy *p, policy_file_fn fn, void *arg)
{
	int rc = 0;

	for (unsigned i = 0; i < p->n_files && !rc; i++)
		rc = fn(p->files[i], p->files[i], arg);
	for (unsigned i = 0; i < p->n_sources && !rc; i++) {
		const struct domain_source *src = &p->sources[i];

		if (src->list_path && src->n_rules &&
		    p->rules[src->rules[0]].field == FIELD_DOMAIN_LIST)
			rc = fn(src->list_path, src->list_path, arg);
	}
	for (unsigned i = 0; i < p->n_rules && !rc; i++)
		if (p->rules[i].field == FIELD_SERVICE)
			rc = service_files(&p->rules[i], fn, arg);
	return rc;
}

void policy_summarize(const struct policy *p, struct policy_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->rules = p->n_rules;
	s->default_action = p->default_action;
	for (unsigned i = 0; i < p->n_rules; i++) {
		const struct rule *r = &p->rules[i];

		if (!r->re)
			continue;
		s->regexes++;
		s->regexes_jit += r->jit;
		s->regexes_prefiltered += r->prefiltered;
		s->regexes_every_url += !r->prefiltered;
	}
	s->domain_names = name_map_count(p->domains);
	s->index_bytes = name_map_memory(p->domains);
	for (unsigned f = 0; f < REGEX_FIELDS; f++)
		if (p->prefilter[f])
			s->index_bytes += literal_index_memory(p->prefilter[f]);
}

void policy_each_every_url(const struct policy *p, policy_rule_fn fn, void *arg)
{
	for (unsigned i = 0; i < p->n_rules; i++)
		if (p->rules[i].re && !p->rules[i].prefiltered)
			fn(&p->rules[i].info, arg);
}

static bool rule_open_at(const struct rule *r, time_t now)
{
	int wday, minute;

	if (!r->n_windows)
		return true;
	time_local_clock(now, &wday, &minute);
	return time_windows_active(r->windows, r->n_windows, wday, minute);
}

/* The client prefixes of the FIELD rules whose window is open at NOW. */
static int clients_of(const struct policy *p, enum rule_field field, time_t now,
		      policy_prefix_fn fn, void *arg)
{
	static const struct prefix everyone;   /* ::/0 */

	for (unsigned i = 0; i < p->n_rules; i++) {
		const struct rule *r = &p->rules[i];
		int err = 0;

		if (r->field != field || !rule_open_at(r, now))
			continue;
		if (!r->n_clients)
			err = fn(&everyone.addr, everyone.len, arg);
		for (unsigned j = 0; j < r->n_clients && !err; j++)
			err = fn(&r->clients[j].addr, r->clients[j].len, arg);
		if (err)
			return err;
	}
	return 0;
}

int policy_quic_clients(const struct policy *p, time_t now, policy_prefix_fn fn, void *arg)
{
	return clients_of(p, FIELD_QUIC, now, fn, arg);
}

int policy_cutoff_clients(const struct policy *p, time_t now, policy_prefix_fn fn, void *arg)
{
	return clients_of(p, FIELD_ALL, now, fn, arg);
}

int policy_cutoff_rules(const struct policy *p, time_t now, policy_cutoff_fn fn, void *arg)
{
	for (unsigned i = 0; i < p->n_cutoffs; i++) {
		const struct rule *r = &p->rules[p->cutoffs[i]];
		int err;

		if (!rule_open_at(r, now))
			continue;
		err = fn(&r->info, r->clients, r->n_clients, r->n_windows ?
			 time_windows_next_change(r->windows, r->n_windows, now) : 0, arg);
		if (err)
			return err;
	}
	return 0;
}

int policy_group(const struct policy *p, const char *name, policy_prefix_fn fn, void *arg)
{
	const struct group *g = groups_find(&p->groups, name, strlen(name));
	int err = 0;

	if (!g)
		return -ENOENT;
	for (unsigned i = 0; i < g->n && !err; i++)
		err = fn(&g->prefixes[i].addr, g->prefixes[i].len, arg);
	return err;
}

time_t policy_next_change(const struct policy *p, time_t now)
{
	time_t best = 0;

	for (unsigned i = 0; i < p->n_rules; i++) {
		const struct rule *r = &p->rules[i];

		if (!r->n_windows)
			continue;
		time_t t = time_windows_next_change(r->windows, r->n_windows, now);

		if (t && (!best || t < best))
			best = t;
	}
	return best;
}

void policy_label_rules(struct policy *p, policy_label_fn fn, void *arg)
{
	for (unsigned i = 0; i < p->n_rules; i++)
		p->rules[i].info.label = fn(&p->rules[i].info, arg);
}
