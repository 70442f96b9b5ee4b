/* urlctl check and urlctl test -p: rule files judged here, no daemon. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ctl/urlctl.h"
#include "common/ctl_proto.h"
#include "ctl/cmd_daemon.h"
#include "common/ip_text.h"
#include "common/request_text.h"
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

int cmd_check(const struct ctl_env *env, int argc, char **argv)
{
	struct policy_summary sum;
	struct every_url every = { 0 };

	(void)env;
	if (argc != 2) {
		fprintf(stderr, "usage: urlctl check FILE\n");
		return CTL_USAGE;
	}
	struct policy *p = policy_load(argv[1], stderr);

	if (!p)
		return CTL_FAILED;
	policy_summarize(p, &sum);
	printf("%s: ok: %u rules (%u regexes, %u of them prefiltered; %zu domain names), "
	       "default %s\n", argv[1], sum.rules, sum.regexes, sum.regexes_prefiltered,
	       sum.domain_names, policy_action_name(sum.default_action));
	if (sum.regexes_every_url) {
		printf("%s: %u regex%s run on every URL (no required literal rarer than "
		       "about every URL has):\n", argv[1], sum.regexes_every_url,
		       sum.regexes_every_url == 1 ? "" : "es");
		policy_each_every_url(p, every_url_name, &every);
		if (every.n > EVERY_URL_NAMED)
			printf("  and %u more\n", every.n - EVERY_URL_NAMED);
	}
	if (sum.regexes_every_url >= EVERY_URL_WARN)
		fprintf(stderr, "%s: warning: %u regexes run on every URL (%u or more slow "
			"every request down): give each a literal only the URLs it is for "
			"contain\n", argv[1], sum.regexes_every_url, EVERY_URL_WARN);
	policy_free(p);
	return CTL_OK;
}

struct test_args {
	const char *policy;
	const char *client;
	const char *method;
	const char *time;
	const char *url;
	bool verbose;
};

static int test_usage(const char *why)
{
	if (why)
		fprintf(stderr, "urlctl test: %s\n", why);
	fprintf(stderr, "usage: urlctl test [-p FILE [-v]] [--client IP] [--method M] "
		"[--time 'YYYY-MM-DD HH:MM'] URL\n");
	return CTL_USAGE;
}

static int test_parse_args(int argc, char **argv, struct test_args *a)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "client", required_argument, NULL, 'c' },
		{ "method", required_argument, NULL, 'm' },
		{ "time", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "p:v", longopts, NULL)) != -1) {
		switch (opt) {
		case 'p': a->policy = optarg; break;
		case 'v': a->verbose = true; break;
		case 'c': a->client = optarg; break;
		case 'm': a->method = optarg; break;
		case 't': a->time = optarg; break;
		default: return -EINVAL;
		}
	}
	if (optind != argc - 1)
		return -EINVAL;
	a->url = argv[optind];
	return 0;
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

int cmd_test(const struct ctl_env *env, int argc, char **argv)
{
	struct test_args a = { 0 };
	struct request r = { 0 };
	struct decision d;
	time_t now = time(NULL);
	int status = CTL_FAILED;

	if (test_parse_args(argc, argv, &a))
		return test_usage(NULL);
	if (a.client && ip_parse_mapped(a.client, &r.tuple.client))
		return test_usage("--client takes an IPv4 or IPv6 address");
	if (a.time && time_parse(a.time, &now))
		return test_usage("--time takes 'YYYY-MM-DD HH:MM' (local time)");
	if (a.method && !strncasecmp(a.url, "https://", 8))
		return test_usage("--method does not apply to https: a TLS ClientHello has none");
	if (a.verbose && !a.policy)
		return test_usage("-v needs -p: the daemon does not say which rules ran");
	if (!a.policy)
		return cmd_test_daemon(env->socket, a.url, a.client, a.method);
	struct url_norm *norm = malloc(2 * sizeof(*norm));
	struct policy *p = NULL;
	struct match_scratch *s = match_scratch_new();

	if (!norm || !s) {
		fprintf(stderr, "urlctl test: out of memory\n");
		goto out;
	}
	int err = request_from_text(a.url, a.client, a.method, norm, &r);

	if (err) {
		fprintf(stderr, "urlctl test: \"%s\" is not a URL (%s)\n", a.url, strerror(-err));
		status = CTL_USAGE;
		goto out;
	}
	p = policy_load(a.policy, stderr);
	if (!p)
		goto out;
	printf("%-8s %s%s%s\n", r.proto == REQUEST_TLS ? "tls" : "http",
	       r.method ? r.method : "", r.method ? " " : "", r.url);
	if (a.verbose)
		match_scratch_trace(s, print_ran, NULL);
	policy_match(p, &r, now, s, &d);
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
	free(norm);
	return status;
}
