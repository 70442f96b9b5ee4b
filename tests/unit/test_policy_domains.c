/*
 * Domain rules and lists: the name index, the list formats published block
 * lists use, lists shared between rules, and a generated 1,000,000-name list.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policies/domain_list.h"
#include "common/name_map.h"
#include "tests/harness.h"
#include "tests/unit/policy_fixture.h"

static void collect_values(const uint32_t *v, unsigned n, void *arg)
{
	char *out = arg;

	for (unsigned i = 0; i < n; i++)
		snprintf(out + strlen(out), 64, "%u ", v[i]);
	strcat(out, "| ");
}

void test_policy_name_map(void)
{
	struct name_map *m = name_map_new(0);
	unsigned n;
	char out[256] = "";

	ASSERT_NONNULL(m);
	ASSERT_OK(name_map_add(m, "example.com", 11, 1));
	ASSERT_OK(name_map_add(m, "com", 3, 2));
	ASSERT_OK(name_map_add(m, "a.example.com", 13, 3));
	for (uint32_t v = 4; v < 20; v++)        /* one name, many values */
		ASSERT_OK(name_map_add(m, "example.com", 11, v));
	ASSERT_OK(name_map_add(m, "example.com", 11, 19));    /* already there last */
	const uint32_t *v = name_map_get(m, "example.com", 11, &n);

	ASSERT_NONNULL(v);
	ASSERT_EQ(n, 17);
	ASSERT_EQ(v[0], 1);
	ASSERT_EQ(v[16], 19);
	ASSERT_NULL(name_map_get(m, "example.co", 10, &n));
	ASSERT_NULL(name_map_get(m, "xample.com", 10, &n));
	name_map_each_suffix(m, "a.example.com", 13, collect_values, out);
	ASSERT_STREQ(out, "2 | 1 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 | 3 | ");
	out[0] = 0;
	name_map_each_suffix(m, "b.aexample.com", 14, collect_values, out);
	ASSERT_STREQ(out, "2 | ");
	for (uint32_t i = 0; i < 5000; i++) {     /* growth keeps every name */
		char name[32];

		snprintf(name, sizeof(name), "n%u.test", i);
		ASSERT_OK(name_map_add(m, name, strlen(name), i));
	}
	ASSERT_EQ(name_map_count(m), 5003);
	ASSERT_NONNULL(name_map_get(m, "n4999.test", 10, &n));
	ASSERT_EQ(*name_map_get(m, "n77.test", 8, &n), 77);
	name_map_free(m);
}

static int collect_name(const char *name, size_t len, void *arg)
{
	char *out = arg;

	snprintf(out + strlen(out), 512, "%.*s ", (int)len, name);
	return 0;
}

void test_policy_domain_list_formats(void)
{
	struct domain_list_report rep;
	char names[1024] = "";

	fixture_dir();
	const char *path = fixture_write("l.txt",
		"# comment\n"
		"! adblock comment\n"
		"[Adblock Plus 2.0]\n"
		"\n"
		"Plain.Example.\n"
		"   spaced.example   \r\n"
		"trailing.example # a comment after the name\n"
		"0.0.0.0 hosts1.example hosts2.example\n"
		"127.0.0.1\tlocalhost\n"
		":: v6sink.example\n"
		"||adblock.example^\n"
		"||with-options.example^$third-party\n"
		"@@||exception.example^\n"
		"/banner[0-9]+/\n"
		"example.com##.ad-banner\n"
		"192.168.1.1 router.example\n"
		"*.wildcard.example\n"
		"two names.example\n"
		"last.example");
	ASSERT_OK(domain_list_read(path, collect_name, names, &rep));
	ASSERT_STREQ(names, "plain.example spaced.example trailing.example hosts1.example "
		     "hosts2.example v6sink.example adblock.example last.example ");
	ASSERT_EQ(rep.names, 8);
	ASSERT_EQ(rep.skipped, 7);
	ASSERT_EQ(rep.first_skipped, 12);
	ASSERT_EQ(domain_list_read("/nonexistent/list", collect_name, names, &rep), -ENOENT);
}

void test_policy_domain_lists_in_rules(void)
{
	fixture_dir();
	fixture_write("lists/games.txt", "games.example\nplay.example\n");
	fixture_write("lists/social.txt", "social.example\nplay.example\n");
	struct policy *p = fixture_load("t.rules",
		"block domain-list lists/games.txt client=10.0.0.0/8 id=kids\n"
		"block domain-list lists/social.txt id=social\n"
		"log domain-list ./lists/games.txt\n"
		"block domain-list lists/games.txt time=sat@* id=again\n", NULL);
	struct match_scratch *s = match_scratch_new();
	struct policy_summary sum;
	struct test_request t;
	struct decision d, naive;
	static const struct { const char *host, *client; const char *id; unsigned logged; } cases[] = {
		{ "www.games.example", "10.1.2.3", "kids", 0 },
		{ "www.games.example", "192.0.2.1", NULL, 1 },
		{ "play.example", "10.1.2.3", "kids", 0 },
		{ "play.example", "192.0.2.1", "social", 0 },
		{ "social.example", "10.1.2.3", "social", 0 },
		{ "other.example", "10.1.2.3", NULL, 0 },
	};

	ASSERT_NONNULL(p);
	policy_summarize(p, &sum);
	ASSERT_EQ(sum.domain_names, 3);           /* a list read once for all its rules */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		req_http(&t, "GET", cases[i].host, 80, "/", cases[i].client);
		policy_match(p, &t.r, 0, s, &d);
		policy_match_naive(p, &t.r, 0, s, &naive);
		ASSERT_TRUE(d.rule == naive.rule);
		if (cases[i].id)
			ASSERT_STREQ(d.rule ? d.rule->id : NULL, cases[i].id);
		else
			ASSERT_NULL(d.rule);
		ASSERT_EQ(d.n_logged, cases[i].logged);
	}
	policy_free(p);
	match_scratch_free(s);
}

#define BIG_LIST 1000000

/* The Nth name of the generated list: varied lengths and label counts. */
static int big_name(char *buf, size_t size, unsigned i)
{
	static const char *const tlds[] = { "com", "net", "org", "example", "co.uk" };

	if (i % 3 == 0)
		return snprintf(buf, size, "host%u.tracker%u.%s", i, i % 977, tlds[i % 5]);
	return snprintf(buf, size, "ads-%x.%s", i * 2654435761u, tlds[i % 5]);
}

void test_policy_domain_list_million(void)
{
	char path[64] = "/tmp/ue-biglist-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	char name[96];

	ASSERT_NONNULL(f);
	fprintf(f, "# generated\n");
	for (unsigned i = 0; i < BIG_LIST; i++) {
		big_name(name, sizeof(name), i);
		fprintf(f, i % 2 ? "%s\n" : "0.0.0.0 %s\n", name);
	}
	fclose(f);

	fixture_dir();
	char rules[128];

	snprintf(rules, sizeof(rules), "block domain-list %s id=big\nallow url .\n", path);
	struct policy *p = fixture_load("t.rules", rules, NULL);

	unlink(path);
	ASSERT_NONNULL(p);
	struct policy_summary sum;
	struct match_scratch *s = match_scratch_new();
	struct test_request t;
	struct decision d;

	policy_summarize(p, &sum);
	ASSERT_EQ(sum.domain_names, BIG_LIST);
	for (unsigned i = 0; i < BIG_LIST; i += 99991) {
		big_name(name, sizeof(name), i);
		req_http(&t, "GET", name, 80, "/", NULL);
		policy_match(p, &t.r, 0, s, &d);
		ASSERT_STREQ(d.rule->id, "big");
		snprintf(t.host, sizeof(t.host), "sub.%s", name);
		policy_match(p, &t.r, 0, s, &d);
		ASSERT_STREQ(d.rule->id, "big");
		snprintf(t.host, sizeof(t.host), "x%s", name);   /* not on a label boundary */
		policy_match(p, &t.r, 0, s, &d);
		ASSERT_EQ(d.rule->line, 2);
	}
	policy_free(p);
	match_scratch_free(s);
}
