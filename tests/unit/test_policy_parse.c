/*
 * Rule-file diagnostics: every error message at its exact line and column,
 * all errors of a file in one run, warnings that do not fail a load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/harness.h"
#include "tests/unit/policy_fixture.h"

struct diag_case {
	const char *rules;          /* t.rules */
	const char *diag;           /* everything policy_load writes */
};

/* LOADS: the cases have warnings only, and the policy loads. */
static void check_cases(const struct diag_case *c, size_t n, bool loads)
{
	for (size_t i = 0; i < n; i++) {
		char *diag;

		fixture_dir();
		struct policy *p = fixture_load("t.rules", c[i].rules, &diag);
		bool ok = !strcmp(diag, c[i].diag) && !!p == loads;

		policy_free(p);
		if (!ok) {
			char rules[256], got[512];

			snprintf(rules, sizeof(rules), "%s", c[i].rules);
			snprintf(got, sizeof(got), "%s", diag);
			free(diag);
			harness_fail(__FILE__, __LINE__, "case %zu \"%s\": got \"%s\"%s, expected \"%s\"",
				     i, rules, got, p ? " (loaded)" : "", c[i].diag);
		}
		free(diag);
	}
}

#define CHECK_CASES(c, loads) check_cases(c, sizeof(c) / sizeof(c[0]), loads)

void test_policy_errors_statements(void)
{
	static const struct diag_case cases[] = {
		{ "frob x\n", "t.rules:1:1: error: unknown statement \"frob\" "
		  "(block, allow, log, default, include, group, ech-public-name)\n" },
		{ "  default\n", "t.rules:1:11: error: default needs allow or block\n" },
		{ "default maybe\n", "t.rules:1:9: error: default takes allow or block, "
		  "not \"maybe\"\n" },
		{ "default allow extra\n", "t.rules:1:15: error: unexpected \"extra\"\n" },
		{ "default allow\n# two\ndefault block\n",
		  "t.rules:3:1: error: default is already set at t.rules:1\n" },
		{ "group\n", "t.rules:1:7: error: group needs a NAME and CIDR[,CIDR...]\n" },
		{ "ech-public-name\n", "t.rules:1:17: error: ech-public-name needs a NAME\n" },
		{ "ech-public-name a.example b.example\n",
		  "t.rules:1:27: error: unexpected \"b.example\"\n" },
		{ "ech-public-name  ech_x.example\n", "t.rules:1:21: error: bad ech-public-name "
		  "\"ech_x.example\" (a host name: letters, digits, - and dots)\n" },
		{ "ech-public-name a..example\n", "t.rules:1:19: error: bad ech-public-name "
		  "\"a..example\" (a host name: letters, digits, - and dots)\n" },
		{ "ech-public-name -a.example\n", "t.rules:1:17: error: bad ech-public-name "
		  "\"-a.example\" (a host name: letters, digits, - and dots)\n" },
		{ "ech-public-name .\n", "t.rules:1:17: error: bad ech-public-name "
		  "\".\" (1 to 253 characters)\n" },
		{ "group k!ds 10.0.0.0/8\n", "t.rules:1:8: error: bad group name \"k!ds\" "
		  "(letters, digits, _ and -)\n" },
		{ "group kids 10.0.0.0/8\ngroup kids ::1\n",
		  "t.rules:2:7: error: group \"kids\" is already defined at t.rules:1\n" },
		{ "group kids 10.0.0.0/8 extra\n", "t.rules:1:23: error: unexpected \"extra\"\n" },
		{ "group kids 10.0.0.0/8,,::1\n", "t.rules:1:23: error: empty element in list\n" },
		{ "group kids 10.0.0.0/33\n", "t.rules:1:12: error: bad address \"10.0.0.0/33\": "
		  "prefix length over 32\n" },
		{ "group kids 10.0.0/8\n", "t.rules:1:12: error: bad address \"10.0.0/8\": "
		  "not an IPv4 or IPv6 address\n" },
		{ "group kids fd00::/129\n", "t.rules:1:12: error: bad address \"fd00::/129\": "
		  "prefix length over 128\n" },
		{ "group kids 10.0.0.0/x\n", "t.rules:1:12: error: bad address \"10.0.0.0/x\": "
		  "bad prefix length\n" },
		{ "include\n", "t.rules:1:9: error: include needs a PATH\n" },
		{ "include a b\n", "t.rules:1:11: error: unexpected \"b\"\n" },
	};

	CHECK_CASES(cases, false);
}

void test_policy_errors_fields(void)
{
	static const struct diag_case cases[] = {
		{ "block\n", "t.rules:1:7: error: block needs a field: url, host, path, domain, "
		  "domain-list, tls, quic, service or all\n" },
		{ "block ftp x\n", "t.rules:1:7: error: unknown field \"ftp\" "
		  "(url, host, path, domain, domain-list, tls, quic, service, all)\n" },
		{ "allow url\n", "t.rules:1:11: error: url needs a PCRE2 pattern\n" },
		{ "log path # a comment, not a pattern\n",
		  "t.rules:1:10: error: path needs a PCRE2 pattern\n" },
		{ "block domain\n", "t.rules:1:14: error: domain needs a NAME\n" },
		{ "block domain-list\n", "t.rules:1:19: error: domain-list needs a PATH\n" },
		{ "block tls\n", "t.rules:1:11: error: tls needs no-sni or ech\n" },
		{ "block tls sni\n", "t.rules:1:11: error: unknown tls condition \"sni\" "
		  "(no-sni or ech)\n" },
		{ "allow quic\n", "t.rules:1:1: error: quic rules can only block\n" },
		{ "block quic udp\n", "t.rules:1:12: error: quic takes no pattern\n" },
		/* PCRE2's message, its offset, and the column of the offending byte */
		{ "block url a(b\n", "t.rules:1:13: error: bad regex: missing closing "
		  "parenthesis (at offset 3)\n" },
		{ "block host *x\n", "t.rules:1:12: error: bad regex: quantifier does not "
		  "follow a repeatable item (at offset 0)\n" },
		{ "block path ^/a\\\n", "t.rules:1:15: error: bad regex: \\ at end of pattern "
		  "(at offset 4)\n" },
		{ "block url (*UTF)x\n", "t.rules:1:17: error: bad regex: using UTF is "
		  "disabled by the application (at offset 6)\n" },
		{ "block domain a..b\n", "t.rules:1:16: error: bad domain name \"a..b\": "
		  "empty label\n" },
		{ "block domain ex*ample.com\n", "t.rules:1:16: error: bad domain name "
		  "\"ex*ample.com\": only letters, digits, '-', '_' and dots between labels\n" },
		{ "block domain aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com\n",
		  "t.rules:1:77: error: bad domain name \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaa.com\": label longer than 63 bytes\n" },
		{ "block domain-list nolist.txt\n", "t.rules:1:19: error: cannot read domain "
		  "list nolist.txt: No such file or directory\n" },
	};

	CHECK_CASES(cases, false);
}

void test_policy_errors_options(void)
{
	static const struct diag_case cases[] = {
		{ "block url x foo\n", "t.rules:1:13: error: unexpected \"foo\" "
		  "(options are NAME=VALUE)\n" },
		{ "block url x colour=red\n", "t.rules:1:13: error: unknown option \"colour\" "
		  "(client, method, port, time, response, id, case)\n" },
		{ "block url x id=a id=b\n", "t.rules:1:18: error: id= given twice\n" },
		{ "block url x id=\n", "t.rules:1:16: error: id= needs a value\n" },
		{ "block url x client=@kids\n", "t.rules:1:20: error: unknown group \"kids\" "
		  "(groups are defined before use)\n" },
		{ "block url x client=10.0.0.1,nope\n", "t.rules:1:29: error: bad address "
		  "\"nope\": not an IPv4 or IPv6 address\n" },
		{ "block url x client=10.0.0.1,\n", "t.rules:1:29: error: empty element in list\n" },
		{ "block url x method=GET,G(T\n", "t.rules:1:25: error: bad method \"G(T\"\n" },
		{ "block url x port=80,0\n", "t.rules:1:21: error: bad port \"0\" (1 to 65535)\n" },
		{ "block url x port=65536\n", "t.rules:1:18: error: bad port \"65536\" "
		  "(1 to 65535)\n" },
		{ "block url x response=block\n", "t.rules:1:22: error: bad response \"block\" "
		  "(drop, reset or page)\n" },
		{ "block url x id=a+b\n", "t.rules:1:17: error: id takes letters, digits and "
		  "_ - . : /\n" },
		{ "block url x id=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		  "t.rules:1:80: error: id longer than 64 bytes\n" },
		{ "block url x case=insensitive\n", "t.rules:1:18: error: case= takes only "
		  "\"sensitive\" (patterns are caseless by default)\n" },
		{ "allow url x response=reset\n", "t.rules:1:13: error: response= applies to "
		  "block rules only\n" },
		{ "block domain a.com case=sensitive\n", "t.rules:1:20: error: case= applies to "
		  "url, host and path patterns only\n" },
		{ "block tls no-sni method=GET\n", "t.rules:1:18: error: method= never matches "
		  "a TLS ClientHello\n" },
		{ "block quic id=q port=443\n", "t.rules:1:17: error: port= does not apply to "
		  "quic\n" },
	};

	CHECK_CASES(cases, false);
}

void test_policy_errors_time(void)
{
	static const struct diag_case cases[] = {
		{ "block url x time=mon@25:00-01:00\n", "t.rules:1:22: error: bad time window: "
		  "expected HH:MM-HH:MM (00:00 to 24:00) or *\n" },
		{ "block url x time=funday@*\n", "t.rules:1:18: error: bad time window: "
		  "expected days (mon-fri, sat, *) before @\n" },
		{ "block url x time=mon@10:00-10:00\n", "t.rules:1:22: error: bad time window: "
		  "empty window: start and end are the same\n" },
		{ "block url x time=mon@24:00-01:00\n", "t.rules:1:22: error: bad time window: "
		  "a window cannot start at 24:00\n" },
		{ "block url x time=mon@10:00\n", "t.rules:1:22: error: bad time window: "
		  "expected HH:MM-HH:MM or *\n" },
		{ "block url x time=sat,sun\n", "t.rules:1:18: error: bad time window: "
		  "days without @HH:MM-HH:MM or @*\n" },
		{ "block url x time=mon@*,,tue@*\n", "t.rules:1:24: error: bad time window: "
		  "empty list element\n" },
		{ "block url x time=mon@*,xyz\n", "t.rules:1:24: error: bad time window: "
		  "expected days (mon-fri, sat, *)\n" },
	};

	CHECK_CASES(cases, false);
}

void test_policy_error_nul_byte(void)
{
	static const char rules[] = "block url a\0b\nblock url (\n";
	char *diag = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&diag, &len);

	fixture_dir();
	struct policy *p = policy_load(fixture_write_n("t.rules", rules, sizeof(rules) - 1), mem);

	fclose(mem);
	ASSERT_NULL(p);
	/* the NUL line is reported and skipped; the next line is still read */
	ASSERT_TRUE(strstr(diag, "t.rules:1:12: error: NUL byte in line\n"));
	ASSERT_TRUE(strstr(diag, "t.rules:2:11: error: bad regex: missing closing parenthesis"));
	free(diag);
}

void test_policy_byte_order_mark_and_crlf(void)
{
	char *diag;

	fixture_dir();
	/* columns count from after the mark; CR LF line ends are blanks */
	ASSERT_NULL(fixture_load("t.rules", "\xef\xbb\xbf" "block url (\r\nlog url x\r\n", &diag));
	ASSERT_STREQ(diag, "t.rules:1:11: error: bad regex: missing closing parenthesis "
		     "(at offset 1)\n");
	free(diag);
}

void test_policy_errors_include(void)
{
	char *diag;
	char name[32], text[64];

	fixture_dir();
	fixture_write("b.rules", "block url ok\ninclude t.rules\n");
	ASSERT_NULL(fixture_load("t.rules", "include b.rules\n", &diag));
	ASSERT_STREQ(diag, "b.rules:2:9: error: include cycle: t.rules -> b.rules -> t.rules\n");
	free(diag);

	fixture_dir();
	fixture_write("self.rules", "include self.rules\n");
	ASSERT_NULL(fixture_load("t.rules", "include self.rules\n", &diag));
	ASSERT_STREQ(diag, "self.rules:1:9: error: include cycle: self.rules -> self.rules\n");
	free(diag);

	fixture_dir();
	ASSERT_NULL(fixture_load("t.rules", "log url a\ninclude missing.rules\n", &diag));
	ASSERT_STREQ(diag, "t.rules:2:9: error: include missing.rules: No such file or directory\n");
	free(diag);

	fixture_dir();
	fixture_write("sub/x.rules", "log url x\n");
	ASSERT_NULL(fixture_load("t.rules", "include sub\n", &diag));
	ASSERT_STREQ(diag, "t.rules:1:9: error: include sub: Is a directory\n");
	free(diag);

	/* t.rules and f1..f15 fill the 16 levels; f15's include is refused */
	fixture_dir();
	for (int i = 1; i <= 16; i++) {
		snprintf(name, sizeof(name), "f%d.rules", i);
		snprintf(text, sizeof(text), "include f%d.rules\n", i + 1);
		fixture_write(name, text);
	}
	ASSERT_NULL(fixture_load("t.rules", "include f1.rules\n", &diag));
	ASSERT_STREQ(diag, "f15.rules:1:9: error: include f16.rules: nested more than 16 files deep\n");
	free(diag);

	fixture_dir();
	FILE *mem = open_memstream(&diag, &(size_t){ 0 });

	ASSERT_NULL(policy_load("/nonexistent/none.rules", mem));
	fclose(mem);
	ASSERT_STREQ(diag, "/nonexistent/none.rules: error: No such file or directory\n");
	free(diag);
}

void test_policy_errors_all_at_once(void)
{
	char *diag;

	fixture_dir();
	fixture_write("inc/more.rules", "block url ok\nblock host (\nblock domain-list ../lists/none\n");
	ASSERT_NULL(fixture_load("t.rules",
				 "# every error of the run, in file order\n"
				 "block url [\n"
				 "include inc/more.rules\n"
				 "allow domain example.com response=page\n"
				 "log url fine\n"
				 "bogus\n", &diag));
	ASSERT_STREQ(diag,
		     "t.rules:2:11: error: bad regex: missing terminating ] for character class "
		     "(at offset 1)\n"
		     "inc/more.rules:2:12: error: bad regex: missing closing parenthesis "
		     "(at offset 1)\n"
		     "inc/more.rules:3:19: error: cannot read domain list inc/../lists/none: "
		     "No such file or directory\n"
		     "t.rules:4:26: error: response= applies to block rules only\n"
		     "t.rules:6:1: error: unknown statement \"bogus\" "
		     "(block, allow, log, default, include, group, ech-public-name)\n");
	free(diag);
}

void test_policy_warnings(void)
{
	static const struct diag_case cases[] = {
		{ "log url x\nlog url x\n",
		  "t.rules:2:1: warning: duplicate of the rule at t.rules:1\n" },
		{ "block url x id=a\nblock url x id=b\n",
		  "t.rules:2:1: warning: duplicate of the rule at t.rules:1\n" },
		{ "block url x\nallow url x method=GET\n",
		  "t.rules:2:1: warning: never matches: the rule at t.rules:1 always decides "
		  "first\n" },
		{ "group kids 10.0.0.0/8\nblock host x client=@kids\n  log host x client=10.1.0.0/16\n",
		  "t.rules:3:3: warning: never matches: the rule at t.rules:2 always decides "
		  "first\n" },
		{ "allow domain example.com\nblock domain WWW.Example.com.\n",
		  "t.rules:2:1: warning: never matches: the rule at t.rules:1 always decides "
		  "first\n" },
		{ "block quic\nblock quic\n",
		  "t.rules:2:1: warning: duplicate of the rule at t.rules:1\n" },
		{ "block url X\nallow url X case=sensitive\n",
		  "t.rules:2:1: warning: never matches: the rule at t.rules:1 always decides "
		  "first\n" },
		/* narrower earlier rules, a log rule, another case: no warning */
		{ "block url x client=10.0.0.0/8\nallow url x\n", "" },
		{ "block url x method=GET\nallow url x method=GET,POST\n", "" },
		{ "block url x port=80\nallow url x\n", "" },
		{ "block url x time=mon@*\nallow url x\n", "" },
		{ "log url x\nblock url x\n", "" },
		{ "block url X case=sensitive\nblock url X\n", "" },
		{ "block domain www.example.com\nallow domain example.com\n", "" },
	};

	fixture_dir();
	CHECK_CASES(cases, true);
	fixture_dir();
	fixture_write("lists/ads.txt", "# comment\n! adblock comment\n[Adblock Plus 2.0]\n"
		      "||a.example^\n||b.example^$third-party\n@@||c.example^\n"
		      "0.0.0.0 d.example\n");
	char *diag;
	struct policy *p = fixture_load("t.rules", "block domain-list lists/ads.txt\n", &diag);

	ASSERT_NONNULL(p);
	ASSERT_STREQ(diag, "lists/ads.txt:5:1: warning: 2 lines skipped (first here): not a "
		     "domain name, a hosts-file line or an adblock ||name^ line\n");
	free(diag);
	policy_free(p);

	fixture_write("lists/games.txt", "games.example\nplay.test\n");
	p = fixture_load("t.rules", "block domain-list lists/games.txt\n"
			 "allow domain www.games.example\n"
			 "allow domain games.example client=10.0.0.0/8\n"
			 "allow domain other.example\n", &diag);
	ASSERT_NONNULL(p);
	ASSERT_STREQ(diag, "t.rules:2:1: warning: never matches: the rule at t.rules:1 always "
		     "decides first\n"
		     "t.rules:3:1: warning: never matches: the rule at t.rules:1 always "
		     "decides first\n");
	free(diag);
	policy_free(p);

	fixture_write("empty.txt", "# nothing yet\n");
	p = fixture_load("t.rules", "block domain-list empty.txt\n", &diag);
	ASSERT_NONNULL(p);
	ASSERT_STREQ(diag, "t.rules:1:19: warning: domain list empty.txt has no names\n");
	free(diag);
	policy_free(p);
}
