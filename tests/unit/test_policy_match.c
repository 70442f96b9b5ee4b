/*
 * Matching semantics: first match, log rules, the default, each field and
 * option, groups, includes, case; threads sharing one policy. Every decision
 * is also reached by the naive evaluation, which must agree.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"
#include "tests/unit/policy_fixture.h"

static struct match_scratch *scratch;

/* The decision for T at NOW, checked against the naive evaluation. */
static struct decision judge_at(const struct policy *p, const struct test_request *t, time_t now)
{
	struct decision d, naive;

	if (!scratch)
		scratch = match_scratch_new();
	ASSERT_NONNULL(scratch);
	policy_match(p, &t->r, now, scratch, &d);
	policy_match_naive(p, &t->r, now, scratch, &naive);
	ASSERT_EQ(d.action, naive.action);
	ASSERT_TRUE(d.rule == naive.rule);
	ASSERT_EQ(d.n_logged, naive.n_logged);
	for (unsigned i = 0; i < d.n_logged; i++)
		ASSERT_TRUE(d.logged[i] == naive.logged[i]);
	return d;
}

static struct decision judge(const struct policy *p, const struct test_request *t)
{
	return judge_at(p, t, 0);
}

/* The line of the deciding rule, 0 for the default. */
static unsigned decided_by(const struct policy *p, const struct test_request *t)
{
	struct decision d = judge(p, t);

	return d.rule ? d.rule->line : 0;
}

static struct policy *load(const char *rules)
{
	fixture_dir();
	struct policy *p = fixture_load("t.rules", rules, NULL);

	ASSERT_NONNULL(p);
	return p;
}

void test_policy_first_match_decides(void)
{
	struct policy *p = load("block url /a\n"
				"allow url /a\n"
				"allow url /b\n"
				"block url /b\n");
	struct test_request t;
	struct decision d;

	req_http(&t, "GET", "h.example", 80, "/a", NULL);
	d = judge(p, &t);
	ASSERT_EQ(d.action, ACTION_BLOCK);
	ASSERT_EQ(d.rule->line, 1);
	ASSERT_EQ(d.rule->action, ACTION_BLOCK);
	req_http(&t, "GET", "h.example", 80, "/b", NULL);
	d = judge(p, &t);
	ASSERT_EQ(d.action, ACTION_ALLOW);
	ASSERT_EQ(d.rule->line, 3);
	req_http(&t, "GET", "h.example", 80, "/c", NULL);
	d = judge(p, &t);
	ASSERT_EQ(d.action, ACTION_ALLOW);
	ASSERT_NULL(d.rule);
	policy_free(p);
}

void test_policy_default(void)
{
	struct test_request t;
	struct policy *p = load("default block\nallow domain ok.example\n");
	struct decision d;

	req_http(&t, "GET", "other.example", 80, "/", NULL);
	d = judge(p, &t);
	ASSERT_EQ(d.action, ACTION_BLOCK);
	ASSERT_NULL(d.rule);
	ASSERT_EQ(d.response, RESPONSE_DROP);
	req_http(&t, "GET", "www.ok.example", 80, "/", NULL);
	ASSERT_EQ(judge(p, &t).action, ACTION_ALLOW);
	policy_free(p);

	p = load("log url x\n");
	ASSERT_EQ(judge(p, &t).action, ACTION_ALLOW);
	policy_free(p);
}

void test_policy_log_is_not_terminal(void)
{
	struct policy *p = load("log url /a id=first\n"
				"log host example\n"
				"block url /a/b\n"
				"log url /a id=after-the-decision\n");
	struct test_request t;
	struct decision d;

	req_http(&t, "GET", "example.org", 80, "/a/b", NULL);
	d = judge(p, &t);
	ASSERT_EQ(d.action, ACTION_BLOCK);
	ASSERT_EQ(d.rule->line, 3);
	ASSERT_EQ(d.n_logged, 2);
	ASSERT_EQ(d.logged[0]->line, 1);
	ASSERT_STREQ(d.logged[0]->id, "first");
	ASSERT_EQ(d.logged[0]->action, ACTION_LOG);
	ASSERT_EQ(d.logged[1]->line, 2);
	ASSERT_NULL(d.logged[1]->id);

	req_http(&t, "GET", "other.org", 80, "/a/c", NULL);
	d = judge(p, &t);
	ASSERT_EQ(d.action, ACTION_ALLOW);
	ASSERT_NULL(d.rule);
	ASSERT_EQ(d.n_logged, 2);
	ASSERT_EQ(d.logged[1]->line, 4);
	policy_free(p);
}

void test_policy_logged_rules_are_capped(void)
{
	char rules[1024] = "";

	for (int i = 0; i < POLICY_MAX_LOGGED + 3; i++)
		snprintf(rules + strlen(rules), sizeof(rules) - strlen(rules), "log url x%d\n", i);
	struct policy *p = load(rules);
	struct test_request t;

	req_http(&t, "GET", "h", 80, "/x0x1x2x3x4x5x6x7x8x9x10", NULL);
	struct decision d = judge(p, &t);

	ASSERT_EQ(d.n_logged, POLICY_MAX_LOGGED);
	ASSERT_EQ(d.logged[POLICY_MAX_LOGGED - 1]->line, POLICY_MAX_LOGGED);
	policy_free(p);
}

void test_policy_fields(void)
{
	struct policy *p = load("block url ^http://u\\.example/only-url\n"
				"block host ^h\\.example$\n"
				"block path ^/p/\n"
				"block url ^https://tls\\.example/$\n");
	struct test_request t;

	req_http(&t, "GET", "u.example", 80, "/only-url", NULL);
	ASSERT_EQ(decided_by(p, &t), 1);
	req_http(&t, "GET", "u.example", 8080, "/only-url", NULL);
	ASSERT_EQ(decided_by(p, &t), 0);           /* the port is part of the URL */
	req_http(&t, "GET", "h.example", 80, "/x", NULL);
	ASSERT_EQ(decided_by(p, &t), 2);
	req_http(&t, "GET", "hh.example", 80, "/x", NULL);
	ASSERT_EQ(decided_by(p, &t), 0);
	req_http(&t, "GET", "any.example", 80, "/p/q", NULL);
	ASSERT_EQ(decided_by(p, &t), 3);
	req_http(&t, "GET", "any.example", 80, "/q/p/", NULL);
	ASSERT_EQ(decided_by(p, &t), 0);
	req_tls(&t, "tls.example", NULL, 0);
	ASSERT_EQ(decided_by(p, &t), 4);
	req_tls(&t, "h.example", NULL, 0);
	ASSERT_EQ(decided_by(p, &t), 2);
	policy_free(p);
}

void test_policy_regex_anchoring_and_case(void)
{
	struct policy *p = load("block path /Ads/\n"
				"block path ^/Exact$ case=sensitive\n"
				"block url Tracker case=sensitive\n");
	struct test_request t;

	req_http(&t, "GET", "h", 80, "/x/ads/y", NULL);  /* unanchored, caseless */
	ASSERT_EQ(decided_by(p, &t), 1);
	req_http(&t, "GET", "h", 80, "/x/ADS/y", NULL);
	ASSERT_EQ(decided_by(p, &t), 1);
	req_http(&t, "GET", "h", 80, "/Exact", NULL);
	ASSERT_EQ(decided_by(p, &t), 2);
	req_http(&t, "GET", "h", 80, "/exact", NULL);
	ASSERT_EQ(decided_by(p, &t), 0);
	req_http(&t, "GET", "h", 80, "/Exact/more", NULL);
	ASSERT_EQ(decided_by(p, &t), 0);
	req_http(&t, "GET", "h", 80, "/?q=Tracker", NULL);
	ASSERT_EQ(decided_by(p, &t), 3);
	req_http(&t, "GET", "h", 80, "/?q=tracker", NULL);
	ASSERT_EQ(decided_by(p, &t), 0);
	policy_free(p);
}

void test_policy_domain_label_boundaries(void)
{
	struct policy *p = load("block domain Example.COM.\n");
	struct test_request t;
	static const struct { const char *host; unsigned line; } cases[] = {
		{ "example.com", 1 }, { "www.example.com", 1 }, { "a.b.example.com", 1 },
		{ "badexample.com", 0 }, { "example.com.evil", 0 }, { "com", 0 },
		{ "example.co", 0 }, { "xample.com", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		req_http(&t, "GET", cases[i].host, 80, "/", NULL);
		ASSERT_EQ(decided_by(p, &t), cases[i].line);
	}
	policy_free(p);
}

void test_policy_tls_conditions(void)
{
	struct policy *p = load("block tls no-sni id=nosni\n"
				"block tls ech response=reset\n"
				"block quic\n");
	struct test_request t;
	struct decision d;

	req_tls(&t, NULL, NULL, 0);
	ASSERT_EQ(decided_by(p, &t), 1);
	req_tls(&t, "cloudflare-ech.com", NULL, REQUEST_TLS_ECH_EXT);
	d = judge(p, &t);
	ASSERT_EQ(d.rule->line, 2);
	ASSERT_EQ(d.response, RESPONSE_RESET);
	req_tls(&t, "a.example", NULL, 0);
	ASSERT_EQ(decided_by(p, &t), 0);           /* quic judges no TLS over TCP */
	req_http(&t, "GET", "a.example", 80, "/", NULL);
	t.r.flags = REQUEST_TLS_NO_SNI;           /* only a ClientHello has no SNI */
	ASSERT_EQ(decided_by(p, &t), 0);

	/* A ClientHello over QUIC: the tls conditions as over TCP, and `quic`. */
	req_tls(&t, NULL, NULL, 0);
	t.r.proto = REQUEST_QUIC;
	ASSERT_EQ(decided_by(p, &t), 1);
	req_tls(&t, "cloudflare-ech.com", NULL, REQUEST_TLS_ECH_EXT);
	t.r.proto = REQUEST_QUIC;
	ASSERT_EQ(decided_by(p, &t), 2);
	req_tls(&t, "a.example", NULL, 0);
	t.r.proto = REQUEST_QUIC;
	ASSERT_EQ(decided_by(p, &t), 3);
	policy_free(p);
}

/*
 * ECH is the extension and an ECH public name as SNI. Browsers GREASE the
 * extension on nearly every handshake: with any other SNI the hello is
 * judged by its SNI, as if the extension were not there.
 */
void test_policy_ech_needs_a_public_name(void)
{
	struct policy *p = load("ech-public-name Public.ECH.example.\n"
				"block tls ech id=ech\n"
				"block domain news.example id=news\n");
	struct test_request t;
	static const struct { const char *sni; unsigned flags, proto; unsigned line; bool ech; } cases[] = {
		/* Chrome-like GREASE: the extension with the real name */
		{ "www.example.org", REQUEST_TLS_ECH_EXT, REQUEST_TLS, 0, false },
		{ "news.example", REQUEST_TLS_ECH_EXT, REQUEST_TLS, 3, false },
		{ "news.example", REQUEST_TLS_ECH_EXT, REQUEST_QUIC, 3, false },
		/* real ECH: the outer SNI is a public name, built in or declared */
		{ "cloudflare-ech.com", REQUEST_TLS_ECH_EXT, REQUEST_TLS, 2, true },
		{ "cloudflare-ech.com", REQUEST_TLS_ECH_EXT, REQUEST_QUIC, 2, true },
		{ "public.ech.example", REQUEST_TLS_ECH_EXT, REQUEST_TLS, 2, true },
		/* a public name without the extension, or a name it only ends in */
		{ "cloudflare-ech.com", 0, REQUEST_TLS, 0, false },
		{ "x.cloudflare-ech.com", REQUEST_TLS_ECH_EXT, REQUEST_TLS, 0, false },
		{ "ech.example", REQUEST_TLS_ECH_EXT, REQUEST_TLS, 0, false },
		{ NULL, REQUEST_TLS_ECH_EXT, REQUEST_TLS, 0, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		req_tls(&t, cases[i].sni, NULL, cases[i].flags);
		t.r.proto = cases[i].proto;
		ASSERT_EQ(decided_by(p, &t), cases[i].line);
		ASSERT_EQ(policy_ech(p, &t.r), cases[i].ech);
	}
	/* an HTTP request naming the public name is no ClientHello */
	req_http(&t, "GET", "cloudflare-ech.com", 80, "/", NULL);
	t.r.flags |= REQUEST_TLS_ECH_EXT;
	ASSERT_EQ(decided_by(p, &t), 0);
	policy_free(p);
}

void test_policy_option_client(void)
{
	struct policy *p = load("group kids 10.0.0.0/24,fd00:1::/64\n"
				"group tv 10.0.1.5\n"
				"block url /a client=@kids\n"
				"block url /b client=@tv,192.168.0.0/16\n"
				"block url /c client=::ffff:10.9.0.0/112\n");
	struct test_request t;
	static const struct { const char *path, *client; unsigned line; } cases[] = {
		{ "/a", "10.0.0.7", 3 }, { "/a", "10.0.1.7", 0 }, { "/a", "fd00:1::9", 3 },
		{ "/a", "fd00:2::9", 0 }, { "/a", NULL, 0 }, { "/b", "10.0.1.5", 4 },
		{ "/b", "10.0.1.6", 0 }, { "/b", "192.168.77.1", 4 }, { "/c", "10.9.3.4", 5 },
		{ "/c", "10.8.3.4", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		req_http(&t, "GET", "h", 80, cases[i].path, cases[i].client);
		ASSERT_EQ(decided_by(p, &t), cases[i].line);
	}
	policy_free(p);
}

void test_policy_option_method_and_port(void)
{
	struct policy *p = load("block url /m method=POST,put\n"
				"block url /p port=8080,8443\n"
				"block host ^h$ method=GET\n");
	struct test_request t;

	req_http(&t, "POST", "x", 80, "/m", NULL);
	ASSERT_EQ(decided_by(p, &t), 1);
	req_http(&t, "PUT", "x", 80, "/m", NULL);
	ASSERT_EQ(decided_by(p, &t), 1);
	req_http(&t, "GET", "x", 80, "/m", NULL);
	ASSERT_EQ(decided_by(p, &t), 0);
	req_http(&t, "GET", "x", 8443, "/p", NULL);
	ASSERT_EQ(decided_by(p, &t), 2);
	req_http(&t, "GET", "x", 80, "/p", NULL);
	ASSERT_EQ(decided_by(p, &t), 0);
	req_tls(&t, "h", NULL, 0);                 /* a ClientHello has no method */
	ASSERT_EQ(decided_by(p, &t), 0);
	req_http(&t, "GET", "h", 80, "/", NULL);
	ASSERT_EQ(decided_by(p, &t), 3);
	policy_free(p);
}

void test_policy_option_response_and_id(void)
{
	struct policy *p = load("block url /d\n"
				"block url /r response=reset id=r-rule\n"
				"block url /p response=page id=games\n");
	struct test_request t;
	struct decision d;

	req_http(&t, "GET", "x", 80, "/d", NULL);
	d = judge(p, &t);
	ASSERT_EQ(d.response, RESPONSE_DROP);
	ASSERT_NULL(d.rule->id);
	req_http(&t, "GET", "x", 80, "/r", NULL);
	d = judge(p, &t);
	ASSERT_EQ(d.response, RESPONSE_RESET);
	ASSERT_EQ(d.rule->response, RESPONSE_RESET);
	ASSERT_STREQ(d.rule->id, "r-rule");
	req_http(&t, "GET", "x", 80, "/p", NULL);
	d = judge(p, &t);
	ASSERT_EQ(d.response, RESPONSE_PAGE);
	ASSERT_STREQ(d.rule->id, "games");
	ASSERT_TRUE(strstr(d.rule->file, "t.rules"));
	policy_free(p);
}

void test_policy_include_in_place(void)
{
	fixture_dir();
	fixture_write("rules.d/middle.rules", "block url /m\ninclude deeper/last.rules\n");
	fixture_write("rules.d/deeper/last.rules", "allow url /l\nblock url /x\n");
	struct policy *p = fixture_load("t.rules", "allow url /x\n"
					"include rules.d/middle.rules\n"
					"block url /l\n", NULL);
	struct test_request t;
	struct decision d;
	struct policy_summary sum;

	ASSERT_NONNULL(p);
	policy_summarize(p, &sum);
	ASSERT_EQ(sum.rules, 5);
	req_http(&t, "GET", "h.example", 80, "/x", NULL);
	d = judge(p, &t);
	ASSERT_EQ(d.action, ACTION_ALLOW);
	ASSERT_EQ(d.rule->line, 1);
	req_http(&t, "GET", "h.example", 80, "/m", NULL);
	d = judge(p, &t);
	ASSERT_TRUE(strstr(d.rule->file, "rules.d/middle.rules"));
	req_http(&t, "GET", "h.example", 80, "/l", NULL);
	d = judge(p, &t);
	ASSERT_EQ(d.action, ACTION_ALLOW);         /* the included rule comes first */
	ASSERT_TRUE(strstr(d.rule->file, "rules.d/deeper/last.rules"));
	ASSERT_EQ(d.rule->line, 1);
	policy_free(p);
}

void test_policy_match_limit_never_allows(void)
{
	struct policy *p = load("allow path ^/(a|aa)+$\n"
				"block path ^/(aa|a)+$\n");
	struct test_request t;
	char path[200] = "/";
	struct decision d;

	memset(path + 1, 'a', 120);
	path[121] = 'c';
	req_http(&t, "GET", "x", 80, path, NULL);
	d = judge(p, &t);
	/* both runs hit the limit: the allow does not match, the block does */
	ASSERT_EQ(d.action, ACTION_BLOCK);
	ASSERT_EQ(d.rule->line, 2);
	ASSERT_EQ(d.match_errors, 2);
	policy_free(p);
}

void test_policy_missing_fields_never_match(void)
{
	struct policy *p = load("block url .\nblock host .\nblock path .\nblock domain example\n");
	struct test_request t = { 0 };

	t.r.proto = REQUEST_H2C;                   /* no method, no URL, no host */
	ASSERT_EQ(decided_by(p, &t), 0);
	policy_free(p);
}

static int collect_prefix(const struct in6_addr *a, unsigned len, void *arg)
{
	char *out = arg;
	char buf[64];

	snprintf(buf, sizeof(buf), "%02x%02x/%u ", a->s6_addr[12], a->s6_addr[15], len);
	strcat(out, buf);
	return 0;
}

void test_policy_quic_clients(void)
{
	setenv("TZ", "UTC0", 1);
	tzset();
	struct policy *p = load("group kids 10.0.0.0/24\n"
				"block quic client=@kids,10.0.9.9\n"
				"block quic client=10.7.0.0/16 time=sat,sun@*\n");
	char out[256] = "";
	time_t monday = local_time(2026, 11, 23, 12, 0), saturday = local_time(2026, 11, 28, 12, 0);

	ASSERT_OK(policy_quic_clients(p, monday, collect_prefix, out));
	ASSERT_STREQ(out, "0a00/120 0a09/128 ");
	out[0] = 0;
	ASSERT_OK(policy_quic_clients(p, saturday, collect_prefix, out));
	ASSERT_STREQ(out, "0a00/120 0a09/128 0a00/112 ");
	policy_free(p);

	p = load("block quic\n");
	out[0] = 0;
	ASSERT_OK(policy_quic_clients(p, monday, collect_prefix, out));
	ASSERT_STREQ(out, "0000/0 ");
	policy_free(p);
	unsetenv("TZ");
	tzset();
}

void test_policy_summary_and_path(void)
{
	fixture_dir();
	fixture_write("l.txt", "a.example\nb.example\n");
	struct policy *p = fixture_load("t.rules", "default block\n"
					"block url (foo|bar)baz\n"
					"block url .\n"
					"block domain-list l.txt\n"
					"block domain c.example\n", NULL);
	struct policy_summary s;

	ASSERT_NONNULL(p);
	policy_summarize(p, &s);
	ASSERT_EQ(s.rules, 4);
	ASSERT_EQ(s.regexes, 2);
	ASSERT_EQ(s.regexes_prefiltered, 1);
	ASSERT_EQ(s.domain_names, 3);
	ASSERT_EQ(s.default_action, ACTION_BLOCK);
	ASSERT_TRUE(s.index_bytes > 0);
	ASSERT_TRUE(strstr(policy_path(p), "/t.rules"));
	ASSERT_STREQ(policy_action_name(ACTION_LOG), "log");
	ASSERT_STREQ(policy_response_name(RESPONSE_PAGE), "page");
	policy_free(p);
}

/* ---- many threads, one policy ---- */

#define THREADS 4
#define REQUESTS 3000

struct worker {
	const struct policy *p;
	const struct test_request *reqs;
	unsigned lines[REQUESTS];
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct match_scratch *s = match_scratch_new();
	struct decision d;

	for (int round = 0; round < 5; round++) {
		for (unsigned i = 0; i < REQUESTS; i++) {
			policy_match(w->p, &w->reqs[i].r, 0, s, &d);
			w->lines[i] = d.rule ? d.rule->line : 0;
		}
	}
	match_scratch_free(s);
	return NULL;
}

void test_policy_threads_share_a_policy(void)
{
	static struct test_request reqs[REQUESTS];
	static struct worker workers[THREADS];
	static const char *const hosts[] = { "ads.example", "www.shop.example", "cdn.test", "x.y" };
	pthread_t tid[THREADS];
	struct policy *p = load("block domain ads.example\n"
				"log url (banner|popup)\\d+\n"
				"allow path ^/ok/\n"
				"block url /(banner|popup)\\d+\\.js\n"
				"block host ^cdn\\.\n"
				"block path \\?token=\n");
	struct decision d;

	for (unsigned i = 0; i < REQUESTS; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/%s/%s%u.js%s", i % 5 ? "a" : "ok",
			 i % 3 ? "banner" : "popup", i, i % 7 ? "" : "?token=1");
		req_http(&reqs[i], "GET", hosts[i % 4], 80, path, NULL);
	}
	for (int t = 0; t < THREADS; t++) {
		workers[t] = (struct worker){ .p = p, .reqs = reqs };
		ASSERT_OK(pthread_create(&tid[t], NULL, worker_run, &workers[t]));
	}
	for (int t = 0; t < THREADS; t++)
		ASSERT_OK(pthread_join(tid[t], NULL));
	for (unsigned i = 0; i < REQUESTS; i++) {
		d = judge(p, &reqs[i]);
		for (int t = 0; t < THREADS; t++)
			ASSERT_EQ(workers[t].lines[i], d.rule ? d.rule->line : 0);
	}
	policy_free(p);
}

/* `block all`: decides before every other rule for its clients, in its window. */
void test_policy_block_all(void)
{
	setenv("TZ", "UTC0", 1);
	tzset();
	struct policy *p = load("group kids 10.0.0.0/24,fd00:7::/64\n"
				"allow domain school.example id=school\n"
				"block all client=@kids time=mon-fri@20:00-07:00 response=page id=bedtime\n"
				"block path ^/x id=x\n");
	struct match_scratch *s = match_scratch_new();
	struct test_request t;
	struct decision d, naive;
	time_t evening = local_time(2026, 11, 23, 21, 0), noon = local_time(2026, 11, 24, 12, 0);
	char out[256] = "";

	req_http(&t, "GET", "school.example", 80, "/", "10.0.0.2");
	policy_match(p, &t.r, evening, s, &d);
	policy_match_naive(p, &t.r, evening, s, &naive);
	ASSERT_EQ(d.action, ACTION_BLOCK);
	ASSERT_EQ(naive.action, ACTION_BLOCK);
	ASSERT_EQ(d.response, RESPONSE_PAGE);
	ASSERT_STREQ(d.rule->id, "bedtime");
	ASSERT_TRUE(d.paused && naive.paused);
	ASSERT_EQ(d.paused_until, local_time(2026, 11, 24, 7, 0));
	policy_match(p, &t.r, noon, s, &d);
	ASSERT_EQ(d.action, ACTION_ALLOW);
	ASSERT_TRUE(!d.paused);
	req_tls(&t, "other.example", "fd00:7::9", 0);
	policy_match(p, &t.r, evening, s, &d);
	ASSERT_TRUE(d.paused && d.action == ACTION_BLOCK);
	req_http(&t, "GET", "school.example", 80, "/", "10.0.1.2");   /* the neighbour */
	policy_match(p, &t.r, evening, s, &d);
	ASSERT_TRUE(!d.paused && d.action == ACTION_ALLOW);

	ASSERT_OK(policy_cutoff_clients(p, evening, collect_prefix, out));
	ASSERT_STREQ(out, "0a00/120 0000/64 ");
	out[0] = 0;
	ASSERT_OK(policy_cutoff_clients(p, noon, collect_prefix, out));
	ASSERT_STREQ(out, "");
	ASSERT_OK(policy_group(p, "kids", collect_prefix, out));
	ASSERT_STREQ(out, "0a00/120 0000/64 ");
	ASSERT_EQ(policy_group(p, "nobody", collect_prefix, out), -ENOENT);
	match_scratch_free(s);
	policy_free(p);
	unsetenv("TZ");
	tzset();
}

void test_policy_block_all_errors(void)
{
	char *diag;

	fixture_dir();
	ASSERT_NULL(fixture_load("t.rules",
		"allow all client=10.0.0.2\n"
		"block all\n"
		"block all client=10.0.0.2 method=GET\n"
		"block all x client=10.0.0.2\n", &diag));
	ASSERT_STREQ(diag,
		"t.rules:1:1: error: all rules can only block\n"
		"t.rules:2:7: error: block all needs client=\n"
		"t.rules:3:27: error: method= does not apply to all\n"
		"t.rules:4:11: error: all takes no pattern\n");
	free(diag);
}
