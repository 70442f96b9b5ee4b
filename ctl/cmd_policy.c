/* urlctl check and urlctl test: rule files judged here (test without -p asks the daemon). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/urlctl.h"
#include "policies/policy.h"

/* Patterns without a selective literal that check names, and the number
 * from which it warns: each costs a regex run on every request (~0.1 us
 * with the JIT), and ten of them cost about as much as the whole rest of a
 * decision at the engine's target of 1M decisions a second a core. */
#define EVERY_URL_NAMED 5
#define EVERY_URL_WARN 10

struct every_url {
	unsigned n;
};

static void every_url_name(const struct rule_info *rule, void *arg)
{
	struct every_url *e = arg;

	if (e->n++ < EVERY_URL_NAMED)
		printf("  %s:%u%s%s\n", rule->file, rule->line, rule->id ? " id=" : "",
		       rule->id ? rule->id : "");
}

int cmd_check(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a)
{
	struct policy_summary sum;
	struct every_url every = { 0 };
	struct policy *p = policy_load(a->argv[0], stderr);

	(void)c;
	(void)env;
	if (!p)
		return CTL_FAILED;
	policy_summarize(p, &sum);
	printf("%s: ok: %u rules (%u regexes, %u of them prefiltered; %zu domain names), "
	       "default %s\n", a->argv[0], sum.rules, sum.regexes, sum.regexes_prefiltered,
	       sum.domain_names, policy_action_name(sum.default_action));
	if (sum.regexes_every_url) {
		printf("%s: %u regex%s run on every URL (no required literal rarer than "
		       "about every URL has):\n", a->argv[0], sum.regexes_every_url,
		       sum.regexes_every_url == 1 ? "" : "es");
		policy_each_every_url(p, every_url_name, &every);
		if (every.n > EVERY_URL_NAMED)
			printf("  and %u more\n", every.n - EVERY_URL_NAMED);
	}
	if (sum.regexes_every_url >= EVERY_URL_WARN)
		fprintf(stderr, "%s: warning: %u regexes run on every URL (%u or more slow "
			"every request down): give each a literal only the URLs it is for "
			"contain\n", a->argv[0], sum.regexes_every_url, EVERY_URL_WARN);
	policy_free(p);
	return CTL_OK;
}

static int time_parse(const char *s, time_t *out)
{
	struct tm tm = { .tm_isdst = -1 };
	const char *end = strptime(s, "%Y-%m-%d %H:%M", &tm);

	if (!end || *end)
		return -EINVAL;
	*out = mktime(&tm);
	return *out == (time_t)-1 ? -EINVAL : 0;
}

static void print_rule(const char *what, const struct rule_info *ri)
{
	printf("%-8s %s:%u", what, ri->file, ri->line);
	if (ri->id)
		printf(" id=%s", ri->id);
}

/* test -v: a rule whose regex ran, as the matcher runs it. */
static void print_ran(const struct rule_info *rule, void *arg)
{
	(void)arg;
	print_rule("ran", rule);
	printf("\n");
}

/* Judges R by the rules in FILE at WHEN and prints the decision (VERBOSE: the regexes run). */
static int test_offline(const char *file, const struct request *r, time_t when, bool verbose)
{
	struct match_scratch *s = match_scratch_new();
	struct policy *p = NULL;
	struct decision d;
	int status = CTL_FAILED;

	if (!s) {
		fprintf(stderr, "urlctl test: out of memory\n");
		goto out;
	}
	p = policy_load(file, stderr);
	if (!p)
		goto out;
	printf("%-8s %s%s%s\n", request_proto_name(r->proto), r->method ? r->method : "",
	       r->method ? " " : "", r->url);
	if (verbose)
		match_scratch_trace(s, print_ran, NULL);
	policy_match(p, r, when, s, &d);
	for (unsigned i = 0; i < d.n_logged; i++) {
		print_rule("log", d.logged[i]);
		printf("\n");
	}
	if (d.rule) {
		print_rule(policy_action_name(d.action), d.rule);
		if (d.action == ACTION_BLOCK)
			printf(" response=%s", policy_response_name(d.response));
		printf("\n");
	} else {
		printf("%-8s default\n", policy_action_name(d.action));
	}
	if (d.match_errors)
		printf("note: %u regex run%s hit the match limit\n", d.match_errors,
		       d.match_errors == 1 ? "" : "s");
	status = CTL_OK;
out:
	policy_free(p);
	match_scratch_free(s);
	return status;
}

int cmd_test(const struct ctl_command *c, const struct ctl_env *env, const struct ctl_args *a)
{
	static struct url_norm norm[2];
	const char *policy = ctl_value(c, a, "policy"), *at = ctl_value(c, a, "time"), *why;
	struct request_text t = {
		.url = a->argv[0],
		.client = ctl_value(c, a, "client"),
		.method = ctl_value(c, a, "method"),
		.quic = ctl_value(c, a, "quic") != NULL,
		.ech = ctl_value(c, a, "ech") != NULL,
	};
	struct request r;
	time_t when = 0;

	if (at && time_parse(at, &when))
		return ctl_usage_error(c, "--time takes 'YYYY-MM-DD HH:MM' (local time), not \"%s\"", at);
	/* the daemon says the same, but a mistake is better caught before asking */
	bool verbose = ctl_value(c, a, "verbose") != NULL;

	if (request_from_text(&t, norm, &r, &why))
		return ctl_usage_error(c, "\"%s\": %s", t.url, why);
	if (verbose && !policy)
		return ctl_usage_error(c, "-v needs -p: the daemon does not say which rules ran");
	if (!policy)
		return ctl_test_daemon(env, &t, when);
	return test_offline(policy, &r, at ? when : time(NULL), verbose);
}
