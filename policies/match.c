/*
 * policy_match(): first-match evaluation over the candidates the indexes
 * leave. A request's candidates are the domain rules whose names one of its
 * host's label suffixes hits, the regex rules whose required literal the
 * prefilter finds in their field, and the rules no index covers; they are
 * judged in rule order, cheap checks (method, port, client, time) first, so
 * the first allow or block among them is the first in the whole policy.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/ascii.h"
#include "policies/policy_internal.h"

/* Bounds on one regex run: URLs are attacker-controlled. */
#define MATCH_LIMIT 200000
#define DEPTH_LIMIT 5000
#define HEAP_LIMIT_KIB 8192
#define JIT_STACK_MIN (32 * 1024)
#define JIT_STACK_MAX (512 * 1024)

struct match_scratch {
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit_stack;
	uint32_t *stamp;            /* per rule: the epoch it last became a candidate */
	uint32_t *cand;
	size_t cap;                 /* rules that stamp and cand have room for */
	uint32_t epoch;
	policy_rule_fn trace;       /* told of every regex run, if set */
	void *trace_arg;
	time_t clock_at;            /* the local clock, cached for one second */
	int wday, minute;
	bool clock_valid;
};

/* PCRE2's JIT stack allocator caches the page size in a static, unlocked,
 * on first use: threads creating their first scratch at once would race on
 * it (all writing the same value). The first use goes through pthread_once. */
static void jit_stack_warm_up(void)
{
	pcre2_jit_stack_free(pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MIN, NULL));
}

struct match_scratch *match_scratch_new(void)
{
	static pthread_once_t warm_up = PTHREAD_ONCE_INIT;
	struct match_scratch *s;

	pthread_once(&warm_up, jit_stack_warm_up);
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	/* one ovector pair: a decision needs only whether a rule matched */
	s->md = pcre2_match_data_create(1, NULL);
	s->mctx = pcre2_match_context_create(NULL);
	s->jit_stack = pcre2_jit_stack_create(JIT_STACK_MIN, JIT_STACK_MAX, NULL);
	if (!s->md || !s->mctx) {
		match_scratch_free(s);
		return NULL;
	}
	pcre2_set_match_limit(s->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(s->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(s->mctx, HEAP_LIMIT_KIB);
	if (s->jit_stack)
		pcre2_jit_stack_assign(s->mctx, NULL, s->jit_stack);
	return s;
}

void match_scratch_free(struct match_scratch *s)
{
	if (!s)
		return;
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mctx);
	pcre2_jit_stack_free(s->jit_stack);
	free(s->stamp);
	free(s->cand);
	free(s);
}

void match_scratch_trace(struct match_scratch *s, policy_rule_fn fn, void *arg)
{
	s->trace = fn;
	s->trace_arg = arg;
}

/* Room for N rules; false if memory is short (the caller then goes naive). */
static bool scratch_fit(struct match_scratch *s, size_t n)
{
	if (n <= s->cap)
		return true;
	uint32_t *stamp = realloc(s->stamp, n * sizeof(*stamp));

	if (!stamp)
		return false;
	s->stamp = stamp;
	uint32_t *cand = realloc(s->cand, n * sizeof(*cand));

	if (!cand)
		return false;
	s->cand = cand;
	memset(stamp + s->cap, 0, (n - s->cap) * sizeof(*stamp));
	s->cap = n;
	return true;
}

/* One request being judged. */
struct eval {
	const struct policy *p;
	const struct request *r;
	struct match_scratch *s;
	struct decision *d;
	time_t now;
	const char *subject[REGEX_FIELDS];
	size_t len[REGEX_FIELDS];   /* SIZE_MAX until needed */
	unsigned n_cand;
	const struct rule *domain_rule;  /* naive look-up: the rule asked about */
	bool domain_hit;
};

static void eval_init(struct eval *e, const struct policy *p, const struct request *r,
		      time_t now, struct match_scratch *s, struct decision *d)
{
	memset(e, 0, sizeof(*e));
	e->p = p;
	e->r = r;
	e->s = s;
	e->d = d;
	e->now = now;
	e->subject[FIELD_URL] = r->url;
	e->subject[FIELD_HOST] = r->host;
	e->subject[FIELD_PATH] = r->path;
	for (unsigned f = 0; f < REGEX_FIELDS; f++)
		e->len[f] = SIZE_MAX;
	memset(d, 0, sizeof(*d));
	d->action = p->default_action;
	d->response = RESPONSE_DROP;
}

/* The length of field F (the subject is not NULL). */
static size_t subject_len(struct eval *e, unsigned f)
{
	if (e->len[f] == SIZE_MAX)
		e->len[f] = strlen(e->subject[f]);
	return e->len[f];
}

static bool window_open(struct eval *e, const struct rule *r)
{
	struct match_scratch *s = e->s;

	if (!s->clock_valid || s->clock_at != e->now) {
		time_local_clock(e->now, &s->wday, &s->minute);
		s->clock_at = e->now;
		s->clock_valid = true;
	}
	return time_windows_active(r->windows, r->n_windows, s->wday, s->minute);
}

static bool options_pass(struct eval *e, const struct rule *r)
{
	const struct request *q = e->r;
	unsigned i;

	if (r->n_methods) {
		if (!q->method)
			return false;
		for (i = 0; i < r->n_methods && strcasecmp(r->methods[i], q->method); i++)
			;
		if (i == r->n_methods)
			return false;
	}
	if (r->n_ports) {
		for (i = 0; i < r->n_ports && r->ports[i] != q->tuple.server_port; i++)
			;
		if (i == r->n_ports)
			return false;
	}
	if (r->n_clients) {
		for (i = 0; i < r->n_clients && !prefix_contains(&r->clients[i], &q->tuple.client); i++)
			;
		if (i == r->n_clients)
			return false;
	}
	return !r->n_windows || window_open(e, r);
}

static bool regex_matches(struct eval *e, const struct rule *r)
{
	const char *subject = e->subject[r->field];
	int rc;

	if (!subject)
		return false;
	if (e->s->trace)
		e->s->trace(&r->info, e->s->trace_arg);
	if (r->jit)
		rc = pcre2_jit_match(r->re, (PCRE2_SPTR)subject, subject_len(e, r->field), 0, 0,
				     e->s->md, e->s->mctx);
	else
		rc = pcre2_match(r->re, (PCRE2_SPTR)subject, subject_len(e, r->field), 0, 0,
				 e->s->md, e->s->mctx);
	if (rc >= 0)
		return true;
	if (rc == PCRE2_ERROR_NOMATCH)
		return false;
	e->d->match_errors++;
	return r->info.action != ACTION_ALLOW;
}

static void naive_domain_hit(const uint32_t *sources, unsigned n, void *arg)
{
	struct eval *e = arg;

	for (unsigned i = 0; i < n; i++)
		if (sources[i] == e->domain_rule->source)
			e->domain_hit = true;
}

/* Whether a suffix of the host is one of R's names, without the index's help. */
static bool domain_matches(struct eval *e, const struct rule *r)
{
	if (!e->r->host)
		return false;
	e->domain_rule = r;
	e->domain_hit = false;
	name_map_each_suffix(e->p->domains, e->r->host, subject_len(e, FIELD_HOST),
			     naive_domain_hit, e);
	return e->domain_hit;
}

/* `tls` rules see ClientHellos whether TCP or QUIC carried them. */
static bool is_client_hello(const struct request *q)
{
	return q->proto == REQUEST_TLS || q->proto == REQUEST_QUIC;
}

bool policy_ech(const struct policy *p, const struct request *r)
{
	static const char *const built_in[] = { "cloudflare-ech.com" };

	if (!is_client_hello(r) || !(r->flags & REQUEST_TLS_ECH_EXT) ||
	    (r->flags & REQUEST_TLS_NO_SNI) || !r->host)
		return false;
	for (size_t i = 0; i < sizeof(built_in) / sizeof(built_in[0]); i++)
		if (!strcmp(r->host, built_in[i]))
			return true;
	for (unsigned i = 0; i < p->n_ech_public_names; i++)
		if (!strcmp(r->host, p->ech_public_names[i]))
			return true;
	return false;
}

/* R matches the request. PATTERN_KNOWN: an index has already seen its pattern hit. */
static bool rule_matches(struct eval *e, const struct rule *r, bool pattern_known)
{
	const struct request *q = e->r;

	if (!options_pass(e, r))
		return false;
	switch (r->field) {
	case FIELD_URL:
	case FIELD_HOST:
	case FIELD_PATH:
		return regex_matches(e, r);
	case FIELD_DOMAIN:
	case FIELD_DOMAIN_LIST:
	case FIELD_SERVICE:
		return pattern_known || domain_matches(e, r);
	case FIELD_TLS_NO_SNI:
		return is_client_hello(q) && (q->flags & REQUEST_TLS_NO_SNI);
	case FIELD_TLS_ECH:
		return policy_ech(e->p, q);
	case FIELD_QUIC:
		return q->proto == REQUEST_QUIC;
	case FIELD_ALL:             /* cutoff_decides() */
		break;
	}
	return false;
}

/* Applies a matching rule; true when it decides. */
static bool rule_apply(struct eval *e, const struct rule *r)
{
	struct decision *d = e->d;

	if (r->info.action == ACTION_LOG) {
		if (d->n_logged < POLICY_MAX_LOGGED)
			d->logged[d->n_logged++] = &r->info;
		return false;
	}
	d->action = r->info.action;
	d->response = r->info.response;
	d->rule = &r->info;
	return true;
}

/*
 * `block all` rules decide before any other, wherever they stand: the
 * kernel drops everything else such a client sends, so no allow rule could
 * give it the network back.
 */
static bool cutoff_decides(struct eval *e)
{
	for (unsigned i = 0; i < e->p->n_cutoffs; i++) {
		const struct rule *r = &e->p->rules[e->p->cutoffs[i]];

		if (options_pass(e, r)) {
			rule_apply(e, r);
			e->d->paused = true;
			e->d->paused_until = r->n_windows ?
				time_windows_next_change(r->windows, r->n_windows, e->now) : 0;
			return true;
		}
	}
	return false;
}

void policy_match_naive(const struct policy *p, const struct request *r, time_t now,
			struct match_scratch *s, struct decision *d)
{
	struct eval e;

	eval_init(&e, p, r, now, s, d);
	if (cutoff_decides(&e))
		return;
	for (unsigned i = 0; i < p->n_rules; i++)
		if (rule_matches(&e, &p->rules[i], false) && rule_apply(&e, &p->rules[i]))
			return;
}

/* Whether R's second required literal is in its subject (ASCII-caseless);
 * without it, R cannot match and its regex need not run. */
static bool also_present(struct eval *e, const struct rule *r)
{
	const char *s;
	size_t len;

	if (!r->also)               /* so are domain and tls rules: no subject here */
		return true;
	s = e->subject[r->field];
	if (!s)
		return true;
	len = subject_len(e, r->field);
	for (size_t i = 0; i + r->also_len <= len; i++) {
		size_t j = 0;

		while (j < r->also_len && ascii_fold(s[i + j]) == (unsigned char)r->also[j])
			j++;
		if (j == r->also_len)
			return true;
	}
	return false;
}

static void candidate_push(struct eval *e, uint32_t idx)
{
	struct match_scratch *s = e->s;

	if (s->stamp[idx] != s->epoch) {
		s->stamp[idx] = s->epoch;
		s->cand[e->n_cand++] = idx;
	}
}

static void candidate_literal(uint32_t rule, void *arg)
{
	candidate_push(arg, rule);
}

static void candidate_domain(const uint32_t *sources, unsigned n, void *arg)
{
	struct eval *e = arg;

	for (unsigned i = 0; i < n; i++) {
		const struct domain_source *src = &e->p->sources[sources[i]];

		for (unsigned j = 0; j < src->n_rules; j++)
			candidate_push(e, src->rules[j]);
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void candidates_sort(uint32_t *c, unsigned n)
{
	if (n > 32) {
		qsort(c, n, sizeof(*c), cmp_u32);
		return;
	}
	for (unsigned i = 1; i < n; i++) {
		uint32_t v = c[i];
		unsigned j = i;

		for (; j && c[j - 1] > v; j--)
			c[j] = c[j - 1];
		c[j] = v;
	}
}

void policy_match(const struct policy *p, const struct request *r, time_t now,
		  struct match_scratch *s, struct decision *d)
{
	struct eval e;

	if (!scratch_fit(s, p->n_rules)) {
		policy_match_naive(p, r, now, s, d);
		return;
	}
	eval_init(&e, p, r, now, s, d);
	if (cutoff_decides(&e))
		return;
	if (!++s->epoch) {          /* wrapped: old stamps could look current */
		memset(s->stamp, 0, s->cap * sizeof(*s->stamp));
		s->epoch = 1;
	}
	if (r->host && name_map_count(p->domains))
		name_map_each_suffix(p->domains, r->host, subject_len(&e, FIELD_HOST),
				     candidate_domain, &e);
	for (unsigned f = 0; f < REGEX_FIELDS; f++)
		if (p->prefilter[f] && e.subject[f])
			literal_index_scan(p->prefilter[f], e.subject[f], subject_len(&e, f),
					   candidate_literal, &e);
	candidates_sort(s->cand, e.n_cand);

	/* merge the candidates with the always-judged rules, both ascending */
	unsigned i = 0, j = 0;

	while (i < e.n_cand || j < p->n_always) {
		uint32_t idx;

		if (j == p->n_always || (i < e.n_cand && s->cand[i] < p->always[j]))
			idx = s->cand[i++];
		else
			idx = p->always[j++];
		const struct rule *rule = &p->rules[idx];

		if (also_present(&e, rule) && rule_matches(&e, rule, true) && rule_apply(&e, rule))
			return;
	}
}
