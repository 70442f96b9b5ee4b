/*
 * policy_load(): parse, then build the indexes the matcher needs beyond the
 * rule list: per field, a prefilter over the required literals of its regex
 * rules (and per rule a second literal it requires, checked before its regex
 * runs), and the rules that no index can rule out ("always"). The domain
 * index is filled by the parser as it reads domain rules and lists.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "policies/diag.h"
#include "policies/policy_internal.h"
#include "policies/regex_literal.h"
#include "policies/rule_options.h"

static int always_push(struct policy *p, uint32_t idx)
{
	return array_append(&p->always, &p->n_always, &idx, sizeof(idx));
}

/* Puts a regex rule's required literals in its field's prefilter, or the
 * rule in the always list when it has none. */
static int index_regex(struct policy *p, struct literal_index_builder **b, uint32_t idx)
{
	struct rule *r = &p->rules[idx];
	struct literal_set lits, also;

	if (regex_required_literals(r->pattern, strlen(r->pattern), &lits, &also))
		return always_push(p, idx);
	if (also.n == 1) {
		r->also = malloc(also.lit[0].len);
		if (!r->also)
			return -ENOMEM;
		memcpy(r->also, also.lit[0].s, also.lit[0].len);
		r->also_len = also.lit[0].len;
	}
	if (!b[r->field] && !(b[r->field] = literal_index_builder_new()))
		return -ENOMEM;
	for (unsigned i = 0; i < lits.n; i++)
		if (literal_index_add(b[r->field], lits.lit[i].s, lits.lit[i].len, idx))
			return -ENOMEM;
	r->prefiltered = true;
	return 0;
}

int policy_index(struct policy *p)
{
	struct literal_index_builder *b[REGEX_FIELDS] = { 0 };
	int err = 0;

	for (uint32_t i = 0; i < p->n_rules && !err; i++) {
		const struct rule *r = &p->rules[i];

		if (r->n_windows)
			p->has_time = true;
		switch (r->field) {
		case FIELD_URL:
		case FIELD_HOST:
		case FIELD_PATH:
			err = index_regex(p, b, i);
			break;
		case FIELD_TLS_NO_SNI:
		case FIELD_TLS_ECH:
		case FIELD_QUIC:            /* the kernel drops it; the log names the rule */
			err = always_push(p, i);
			break;
		case FIELD_DOMAIN:
		case FIELD_DOMAIN_LIST:     /* found through the domain index */
		case FIELD_SERVICE:
			break;
		case FIELD_ALL:
			err = array_append(&p->cutoffs, &p->n_cutoffs, &i, sizeof(i));
			break;
		}
	}
	for (unsigned f = 0; f < REGEX_FIELDS; f++) {
		if (!b[f])
			continue;
		if (err) {
			literal_index_builder_free(b[f]);
			continue;
		}
		p->prefilter[f] = literal_index_build(b[f]);
		if (!p->prefilter[f])
			err = -errno;
	}
	return err;
}

struct policy *policy_load(const char *path, FILE *diag_out)
{
	struct diag diag = { .out = diag_out };
	struct policy *p = calloc(1, sizeof(*p));
	int err = -ENOMEM;

	if (!p)
		goto fail;
	p->path = strdup(path);
	p->domains = name_map_new(0);
	if (!p->path || !p->domains)
		goto fail;
	err = rules_parse(p, path, &diag);
	if (!err && !diag.errors)
		err = policy_index(p);
	if (!err && !diag.errors)
		return p;
fail:
	if (err && !diag.errors)
		diag_error(&diag, path, 0, 0, "%s", strerror(-err));
	policy_free(p);
	errno = err ? -err : EINVAL;
	return NULL;
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->n_rules; i++)
		rule_release(&p->rules[i]);
	free(p->rules);
	for (unsigned i = 0; i < p->n_sources; i++) {
		free(p->sources[i].list_path);
		free(p->sources[i].rules);
	}
	free(p->sources);
	for (unsigned i = 0; i < p->n_files; i++)
		free(p->files[i]);
	free(p->files);
	name_map_free(p->domains);
	for (unsigned f = 0; f < REGEX_FIELDS; f++)
		literal_index_free(p->prefilter[f]);
	free(p->always);
	free(p->cutoffs);
	groups_release(&p->groups);
	for (unsigned i = 0; i < p->n_ech_public_names; i++)
		free(p->ech_public_names[i]);
	free(p->ech_public_names);
	free(p->path);
	free(p);
}
