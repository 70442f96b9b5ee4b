/*
 * The prefilter: required literals of patterns (exact expectations, then a
 * soundness property: any subject a random pattern matches contains one of
 * its literals), the scanners (every literal reported, none invented), and
 * the property that matters: policy_match and the naive in-order evaluation
 * decide alike on random policies and random and adversarial URLs.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "policies/aho_corasick.h"
#include "policies/literal_index.h"
#include "policies/regex_literal.h"
#include "tests/harness.h"
#include "tests/unit/policy_fixture.h"

static void set_text(const struct literal_set *set, char *out, size_t size)
{
	out[0] = 0;
	for (unsigned i = 0; i < set->n; i++)
		snprintf(out + strlen(out), size - strlen(out), "%s%.*s", i ? "|" : "",
			 (int)set->lit[i].len, set->lit[i].s);
}

/* "a|b", or "a|b & c" with the second set, or "(none)". */
static void literals_text(const char *pattern, char *out, size_t size)
{
	struct literal_set set, also;

	if (regex_required_literals(pattern, strlen(pattern), &set, &also)) {
		snprintf(out, size, "(none)");
		return;
	}
	set_text(&set, out, size);
	if (also.n) {
		snprintf(out + strlen(out), size - strlen(out), " & ");
		set_text(&also, out + strlen(out), size - strlen(out));
	}
}

struct literal_case {
	const char *pattern, *literals;     /* "a|b": a set, "a & b": a second set, "(none)" */
};

static void check_literal_cases(const struct literal_case *cases, size_t n)
{
	char got[256];

	for (size_t i = 0; i < n; i++) {
		literals_text(cases[i].pattern, got, sizeof(got));
		if (strcmp(got, cases[i].literals))
			harness_fail(__FILE__, __LINE__, "/%s/: literals \"%s\", expected \"%s\"",
				     cases[i].pattern, got, cases[i].literals);
	}
}

void test_policy_required_literals(void)
{
	static const struct literal_case cases[] = {
		{ "foobar", "foobar" },
		{ "FooBar", "foobar" },                      /* compared lower-cased */
		{ "(foo|bar)baz", "baz & foo|bar" },
		{ "(foo|barx)", "foo|barx" },
		{ "foo|bar", "foo|bar" },
		{ "(a|b)", "(none)" },                      /* one letter: in about every URL */
		{ "(foo|)", "(none)" },
		{ "abc+d", "abc & cd" },
		{ "colou?r", "colo" },
		{ "x{0}abc", "abc" },
		{ "(abc){2}", "abc" },
		{ "(abc)?def", "def" },
		{ "(abc)*", "(none)" },
		{ "[Aa]pple", "apple" },
		{ "[.]com/x", ".com/x" },
		{ "\\.example\\.com", ".example.com" },
		{ "\\x41\\x{62}c\\n", "abc\n" },
		{ "\\Qa.b\\E+", "(none)" },                 /* the + repeats the b */
		{ "\\Qa.b\\E", "a.b" },
		{ "ab(?#comment)*", "(none)" },
		{ "foo(?=bar)baz", "foobaz" },
		{ "(?i)Foo", "foo" },
		{ "(?x)foo bar", "(none)" },                /* spaces mean nothing there */
		{ "foo(*ACCEPT)bar", "(none)" },
		{ "^/ads/", "/ads/" },
		{ "\\d+foo\\b", "foo" },
		{ "a{,3}bc", "(none)" },                    /* PCRE2 versions disagree */
		{ "a{x}", "a{x}" },
		{ "https?://", "(none)" },                  /* in every URL: no use */
		{ "\\bword\\b", "word" },
		{ "(?<name>abc)d", "abcd" },
		{ "(?:xab|yab)c", "xab|yab & abc" },        /* x and y are rarer than c */
		{ "[^a]bc", "bc" },
		{ "(a)\\1bb", "bb" },
		{ "xx[[:alpha:]]y", "xx" },
		{ "(?|(ab)|(cd))e", "ab|cd" },
		{ "a(?(1)b|c)", "(none)" },
		{ "(?:ab|cd)+x", "ab|cd & x" },
		{ "\\cAz", "\001z" },
		{ "\\p{L}abc", "abc" },
		{ "a\\Kbc", "abc" },                        /* \K consumes nothing */
		{ "\\x{1111111111111}ab", "(none)" },       /* no overflow, no byte */
	};

	check_literal_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * The literal a URL-shaped pattern waits on: of all it requires, the one the
 * URL model (policies/url_model.c) takes to be rarest; text about every URL
 * has (scheme, "www.", ".com", "/") only when nothing else is required, and
 * then the pattern runs on every URL. One or more patterns per construct
 * the analysis knows.
 */
void test_policy_prefilter_picks_rarest_literal(void)
{
	static const struct literal_case cases[] = {
		/* [^/]*: the reported shape, and the scheme it must not wait on */
		{ "^https?://[^/]*tracker", "tracker" },
		{ "^https?://[^/]*ads", "ads" },
		{ "^https?://[^/]*\\.ru/", ".ru/" },
		{ "^https?://[^/]*/(ads|banners)/[^/]*\\.gif$", "ads|banners & .gif" },
		/* .* */
		{ "^https?://www\\..*doubleclick", "doubleclick" },
		{ "\\.html.*banner", "banner & .html" },         /* not .html first */
		{ "index\\.php.*[?&]q=casino", "q=casino & index.php" },
		{ "abc.*xyzzy.*qq", "xyzzy & qq" },
		/* classes */
		{ "^https?://www\\.[a-z]+\\.com/[Aa]ds[0-9]/", ".com/ads" },
		{ "/[Pp]ixel\\.gif\\?[a-z]+=", "/pixel.gif?" },
		/* alternations */
		{ "^https?://(www\\.)?(doubleclick|adnxs)\\.(com|net)/", "doubleclick|adnxs" },
		{ "\\.(exe|scr)$", "exe|scr" },
		{ "(?:xab|yab)c", "xab|yab & abc" },
		/* optional groups */
		{ "^https?://(www\\.)?example\\.org/(index\\.html)?\\?ref=", "example.org/ & ?ref=" },
		{ "/ads?/", "/ad" },
		/* anchors */
		{ "^/index\\.php\\?id=[0-9]+$", "/index.php?id=" },
		{ "\\bsmartad\\b", "smartad" },
		/* counted repeats */
		{ "^https?://([a-z]{2,8}\\.){2}trackfoo\\.com", ".trackfoo.com" },
		{ "(pop){2,}\\.js", "pop.js" },
		{ "^https?://([a-z0-9-]+\\.)*ad-srv\\.net/", "ad-srv.net/" },
		/* URL furniture is waited on when nothing rarer is required */
		{ "^https?://[^/]*\\.(com|net|org)/index\\.html$", "/index.html" },
		/* ... and not at all when it is in about every URL */
		{ "^https?://", "(none)" },
		{ "^https?://www\\.[^/]*\\.com/", "(none)" },
		{ "www\\.", "(none)" },
		{ "^/$", "(none)" },
	};

	check_literal_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void count_run(const struct rule_info *rule, void *arg)
{
	(void)rule;
	++*(unsigned *)arg;
}

/* Name I: letters only, unlike any URL word below. */
static void list_name(unsigned i, char *out)
{
	out[0] = 'q';
	for (int k = 1; k < 7; k++, i /= 26)
		out[k] = 'a' + i % 26;
	out[7] = 0;
}

/*
 * The reported case: 1,481 patterns ^https?://[^/]*NAME among 10,000 in
 * the shapes of published lists. None may run on every URL: URLs without
 * any name run no regex at all, a URL with a name runs its rules only.
 */
void test_policy_prefilter_list_shapes_run_on_their_names(void)
{
	static const char *const urls[][2] = {
		{ "www.example.com", "/index.html" }, { "news.example.org", "/a/b.php?id=1" },
		{ "cdn.example.net", "/static/app.js" }, { "www.shop.example", "/img/x.exe" },
	};
	size_t size = 10000 * 80, len = 0;
	char *rules = malloc(size), name[8];
	struct match_scratch *s = match_scratch_new();
	struct policy_summary sum;
	unsigned runs = 0;

	ASSERT_NONNULL(rules);
	ASSERT_NONNULL(s);
	for (unsigned i = 0; i < 10000; i++) {
		list_name(i, name);
		if (i < 1481)
			len += snprintf(rules + len, size - len, "block url ^https?://[^/]*%s\n", name);
		else if (i % 3 == 0)
			len += snprintf(rules + len, size - len,
					"block url ^https?://([a-z0-9-]+\\.)*%s\\.com/\n", name);
		else if (i % 3 == 1)
			len += snprintf(rules + len, size - len, "block url /%s/ads?/\n", name);
		else
			len += snprintf(rules + len, size - len, "block url %s\\.(exe|scr)$\n", name);
	}
	fixture_dir();
	struct policy *p = fixture_load("lists.rules", rules, NULL);

	ASSERT_NONNULL(p);
	policy_summarize(p, &sum);
	ASSERT_EQ(sum.regexes, 10000);
	ASSERT_EQ(sum.regexes_every_url, 0);
	match_scratch_trace(s, count_run, &runs);
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		struct test_request t;
		struct decision d;
		char host[64];

		req_http(&t, "GET", urls[i][0], 80, urls[i][1], NULL);
		policy_match(p, &t.r, 0, s, &d);
		ASSERT_TRUE(d.rule == NULL);
		list_name(700, name);           /* a ^https?://[^/]*NAME rule: line 701 */
		snprintf(host, sizeof(host), "x%s.example.com", name);
		req_http(&t, "GET", host, 80, "/index.html", NULL);
		policy_match(p, &t.r, 0, s, &d);
		ASSERT_NONNULL(d.rule);
		ASSERT_EQ(d.rule->line, 701);
	}
	ASSERT_EQ(runs, sizeof(urls) / sizeof(urls[0]));   /* one regex a named URL */
	match_scratch_free(s);
	policy_free(p);
	free(rules);
}

/* A pattern waits on its rarest literal and runs only where its second
 * required literal is too: a URL with one of the two runs no regex. */
void test_policy_prefilter_second_literal(void)
{
	static const struct { const char *host, *path; unsigned line, runs; } cases[] = {
		{ "ads.doubleclick.example", "/x/banner.gif", 1, 1 },
		{ "ads.doubleclick.example", "/x/BANNER.gif", 1, 1 },
		{ "ads.doubleclick.example", "/x/image.gif", 0, 0 },   /* no "banner" */
		{ "www.example.com", "/banner/doubleclick", 0, 1 },   /* both, wrong order */
		{ "www.example.com", "/home.php?q=casino", 0, 0 },    /* no "index.php" */
		{ "www.example.com", "/index.php?q=casino", 2, 1 },
	};
	struct match_scratch *s = match_scratch_new();
	struct policy *p;

	ASSERT_NONNULL(s);
	fixture_dir();
	p = fixture_load("t.rules", "block url doubleclick.*banner\n"
			 "block url index\\.php.*[?&]q=casino\n", NULL);
	ASSERT_NONNULL(p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct test_request t;
		struct decision d;
		unsigned runs = 0;

		req_http(&t, "GET", cases[i].host, 80, cases[i].path, NULL);
		match_scratch_trace(s, count_run, &runs);
		policy_match(p, &t.r, 0, s, &d);
		ASSERT_EQ(d.rule ? d.rule->line : 0, cases[i].line);
		ASSERT_EQ(runs, cases[i].runs);
	}
	match_scratch_free(s);
	policy_free(p);
}

static void collect_hit(uint32_t value, void *arg)
{
	char *out = arg;

	snprintf(out + strlen(out), 16, "%u ", value);
}

void test_policy_aho_corasick(void)
{
	struct ac_builder *b = ac_builder_new();
	char hits[256] = "";

	ASSERT_NONNULL(b);
	ASSERT_OK(ac_builder_add(b, "he", 2, 1));
	ASSERT_OK(ac_builder_add(b, "She", 3, 2));
	ASSERT_OK(ac_builder_add(b, "his", 3, 3));
	ASSERT_OK(ac_builder_add(b, "hers", 4, 4));
	ASSERT_OK(ac_builder_add(b, "\xe9t\xe9", 3, 5));
	struct ac *a = ac_build(b);

	ASSERT_NONNULL(a);
	ac_scan(a, "USHERS", 6, collect_hit, hits);    /* overlapping, caseless */
	ASSERT_STREQ(hits, "2 1 4 ");
	hits[0] = 0;
	ac_scan(a, "ahishe\xe9t\xe9", 9, collect_hit, hits);
	ASSERT_STREQ(hits, "3 2 1 5 ");
	hits[0] = 0;
	ac_scan(a, "\xc9T\xc9", 3, collect_hit, hits);  /* only ASCII folds */
	ASSERT_STREQ(hits, "");
	ac_free(a);
}

static void mark_hit(uint32_t value, void *arg)
{
	((unsigned char *)arg)[value] = 1;
}

static uint64_t rng_state;

static uint32_t rnd(uint32_t n);

/* Whether NEEDLE occurs in HAY, ASCII-caseless. */
static bool caseless_in(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	for (size_t i = 0; i + nlen <= hlen; i++)
		if ((hay[i] | 0x20) == (needle[0] | 0x20) && !strncasecmp(hay + i, needle, nlen))
			return true;
	return false;
}

/* N literals (one in four of 1 to 3 bytes, the others MIN_LEN to MIN_LEN +
 * 11) against SUBJECTS random subjects, some with a literal planted. */
static void check_literal_index(unsigned n, unsigned min_len, unsigned subjects)
{
	/* '@' and '`' differ only in the bit the window hash folds away */
	static const char alphabet[] = "abcdABCD@`/.-01";
	char (*lits)[24] = calloc(n, sizeof(*lits));
	unsigned char *hit = malloc(n);
	struct literal_index_builder *b = literal_index_builder_new();
	unsigned found = 0;

	ASSERT_NONNULL(lits);
	ASSERT_NONNULL(b);
	for (unsigned i = 0; i < n; i++) {
		unsigned len = i % 4 ? min_len + rnd(12) : 1 + rnd(3);

		for (unsigned j = 0; j < len; j++)
			lits[i][j] = alphabet[rnd(sizeof(alphabet) - 1)];
		ASSERT_OK(literal_index_add(b, lits[i], len, i));
	}
	struct literal_index *x = literal_index_build(b);

	ASSERT_NONNULL(x);
	for (unsigned k = 0; k < subjects; k++) {
		char subject[128];
		size_t len = rnd(100);

		for (size_t j = 0; j < len; j++)
			subject[j] = alphabet[rnd(sizeof(alphabet) - 1)];
		if (k % 3 == 0 && len > 30) {   /* plant a literal, in another case */
			const char *l = lits[rnd(n)];

			for (size_t j = 0; l[j]; j++)
				subject[5 + j] = isalpha((unsigned char)l[j]) && rnd(2) ? l[j] ^ 0x20 : l[j];
		}
		memset(hit, 0, n);
		literal_index_scan(x, subject, len, mark_hit, hit);
		for (unsigned i = 0; i < n; i++) {
			bool want = caseless_in(subject, len, lits[i], strlen(lits[i]));

			if (want != hit[i])
				harness_fail(__FILE__, __LINE__, "\"%.*s\": literal \"%s\" %s",
					     (int)len, subject, lits[i],
					     want ? "not reported" : "reported but absent");
			found += want;
		}
	}
	literal_index_free(x);
	free(lits);
	free(hit);
	ASSERT_TRUE(found > subjects);
}

void test_policy_literal_index_finds_every_literal(void)
{
	rng_state = 0x1234567887654321ull;
	check_literal_index(400, 1, 1500);      /* 4-byte windows and short literals */
	check_literal_index(4000, 6, 200);      /* also 8-byte windows: many long literals */
}

/* ---- random patterns ---- */

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11) % n;
}

static void append(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s", s);
}

static void random_regex(char *buf, size_t size, int depth);

static void random_atom(char *buf, size_t size, int depth)
{
	static const char *const atoms[] = {
		"a", "b", "c", "A", "B", "x", "y", "/", "-", "_", "\\.", ".", "\\d", "\\w",
		"[ab]", "[^a]", "[Bb]", "\\x61", "\\x{42}", "\\b", "^", "$", "\\Qa.\\E", "[.]",
		"(?=a)", "(?!b)", "(?i)", "(?-i)", "ab", "abc", "xyz", "\\/", "\\s",
		/* URL furniture, which the prefilter must not wait on when it can help */
		"https?://", "[^/]*", ".*", "www\\.", "\\.com/", "index\\.html", "\\.php",
		"(www\\.)?", "[a-z0-9-]+\\.", "http",
	};
	static const char *const quants[] = {
		"", "", "", "", "?", "*", "+", "{2}", "{0,2}", "{1,}", "*?", "++", "{0}",
	};

	if (depth < 3 && !rnd(5)) {
		static const char *const opens[] = { "(", "(?:", "(?>", "(?<g>" };
		const char *open = opens[rnd(4)];

		if (!strcmp(open, "(?<g>") && strstr(buf, "(?<g>"))
			open = "(";
		append(buf, size, open);
		random_regex(buf, size, depth + 1);
		append(buf, size, ")");
	} else {
		append(buf, size, atoms[rnd(sizeof(atoms) / sizeof(atoms[0]))]);
	}
	const char *q = quants[rnd(sizeof(quants) / sizeof(quants[0]))];

	/* a quantifier after \E or an option setting repeats the item before */
	if (strlen(buf) >= 2 && (!strcmp(buf + strlen(buf) - 2, "\\E") ||
				 buf[strlen(buf) - 1] == ')'))
		q = "";
	append(buf, size, q);
}

static void random_regex(char *buf, size_t size, int depth)
{
	int branches = rnd(4) ? 1 : 2 + rnd(2);

	for (int b = 0; b < branches; b++) {
		if (b)
			append(buf, size, "|");
		for (int n = 1 + rnd(5); n > 0; n--)
			random_atom(buf, size, depth);
	}
}

static void random_subject(char *buf, size_t len)
{
	static const char alphabet[] = "abcABCxyzXYZ./-_019 \xe9";
	static const char *const furniture[] = {
		"https://", "http://www.", ".com/", "index.html", ".php", "www.",
	};
	size_t i = 0;

	while (i < len) {
		const char *f = furniture[rnd(sizeof(furniture) / sizeof(furniture[0]))];

		if (!rnd(6) && i + strlen(f) <= len) {
			memcpy(buf + i, f, strlen(f));
			i += strlen(f);
		} else {
			buf[i++] = alphabet[rnd(sizeof(alphabet) - 1)];
		}
	}
	buf[len] = 0;
}

static bool contains_literal(const char *subject, const struct literal_set *set)
{
	char low[128];
	size_t n = strlen(subject);

	for (size_t i = 0; i <= n; i++)
		low[i] = subject[i] >= 'A' && subject[i] <= 'Z' ? subject[i] + 32 : subject[i];
	for (unsigned i = 0; i < set->n; i++)
		if (memmem(low, n, set->lit[i].s, set->lit[i].len))
			return true;
	return false;
}

void test_policy_required_literals_are_sound(void)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	unsigned patterns = 0, with_literals = 0, matched = 0;

	rng_state = 0x9e3779b97f4a7c15ull;
	while (patterns < 3000) {
		char pattern[256] = "", subject[64];
		struct literal_set set, also;
		int code;
		PCRE2_SIZE off;
		uint32_t opts = rnd(2) ? PCRE2_CASELESS : 0;

		random_regex(pattern, sizeof(pattern), 0);
		pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts,
					       &code, &off, NULL);

		if (!re)
			continue;
		patterns++;
		if (regex_required_literals(pattern, strlen(pattern), &set, &also)) {
			pcre2_code_free(re);
			continue;
		}
		with_literals++;
		for (int k = 0; k < 200; k++) {
			random_subject(subject, rnd(24));
			if (pcre2_match(re, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, NULL) < 0)
				continue;
			matched++;
			if (!contains_literal(subject, &set) ||
			    (also.n && !contains_literal(subject, &also))) {
				char lits[256];

				literals_text(pattern, lits, sizeof(lits));
				harness_fail(__FILE__, __LINE__, "/%s/ matches \"%s\" without %s",
					     pattern, subject, lits);
			}
		}
		pcre2_code_free(re);
	}
	pcre2_match_data_free(md);
	/* the property must have been exercised, not passed vacuously */
	ASSERT_TRUE(with_literals > patterns / 4);
	ASSERT_TRUE(matched > 1000);
}

/* ---- policy_match against the naive evaluation ---- */

static const char *const hosts[] = {
	"ads.example", "www.ads.example", "tracker.test", "cdn.tracker.test", "a.b.c.example",
	"shop.example", "x.y", "example", "AB.example", "xyz.abc.test",
};

static void random_rules(char *out, size_t size)
{
	static const char *const actions[] = { "block", "allow", "log" };
	static const char *const fields[] = { "url", "host", "path" };
	static const char *const options[] = {
		"", "", "", " method=GET", " method=POST", " port=8080", " client=10.0.0.0/8",
		" client=fd00::/16,192.0.2.0/24", " response=reset", " case=sensitive",
	};

	out[0] = 0;
	if (rnd(3) == 0)
		append(out, size, rnd(2) ? "default block\n" : "default allow\n");
	for (int n = 5 + rnd(40); n > 0; n--) {
		char line[400] = "";
		const char *action = actions[rnd(3)];
		unsigned kind = rnd(10);
		const char *opt = options[rnd(sizeof(options) / sizeof(options[0]))];

		if (strstr(opt, "response=") && strcmp(action, "block"))
			opt = "";
		if (kind < 2) {
			if (strstr(opt, "case="))
				opt = "";
			snprintf(line, sizeof(line), "%s domain %s%s\n", action,
				 hosts[rnd(sizeof(hosts) / sizeof(hosts[0]))], opt);
		} else if (kind == 2) {
			snprintf(line, sizeof(line), "%s tls no-sni\n", action);
		} else {
			char pattern[256] = "";
			int code;
			PCRE2_SIZE off;

			random_regex(pattern, sizeof(pattern), 0);
			if (pattern[0] == '#')
				continue;
			pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
						       0, &code, &off, NULL);

			if (!re)
				continue;
			pcre2_code_free(re);
			snprintf(line, sizeof(line), "%s %s %s%s\n", action, fields[rnd(3)], pattern, opt);
		}
		append(out, size, line);
	}
}

static void random_request(struct test_request *t)
{
	static const char *const methods[] = { "GET", "POST", "get" };
	static const char *const clients[] = { "10.1.2.3", "192.0.2.9", "fd00::1", "203.0.113.5" };
	char path[300] = "/";

	if (rnd(8) == 0) {
		req_tls(t, rnd(3) ? hosts[rnd(sizeof(hosts) / sizeof(hosts[0]))] : NULL,
			clients[rnd(4)], 0);
		return;
	}
	for (int n = rnd(6); n > 0; n--) {
		char piece[64] = "";

		if (rnd(2))
			random_subject(piece, rnd(12));
		else
			random_regex(piece, sizeof(piece), 3);   /* pattern text as subject */
		append(path, sizeof(path), piece);
		append(path, sizeof(path), rnd(2) ? "/" : "?");
	}
	req_http(t, methods[rnd(3)], hosts[rnd(sizeof(hosts) / sizeof(hosts[0]))],
		 rnd(4) ? 80 : 8080, path, clients[rnd(4)]);
}

/* Hand-made subjects that stress the scanner: long runs, every byte. */
static void adversarial_request(struct test_request *t, unsigned k)
{
	char path[390];

	switch (k % 4) {
	case 0:
		memset(path, "aAbB"[k % 4], sizeof(path) - 1);
		break;
	case 1:
		for (size_t i = 0; i < sizeof(path) - 1; i++)
			path[i] = (char)(1 + (i * 7 + k) % 255);
		break;
	case 2:
		for (size_t i = 0; i < sizeof(path) - 1; i++)
			path[i] = "abcxyz./"[(i * i + k) % 8];
		break;
	default:
		for (size_t i = 0; i < sizeof(path) - 1; i++)
			path[i] = "ABCXYZ-_"[(i + k) % 8];
	}
	path[0] = '/';
	path[sizeof(path) - 1] = 0;
	req_http(t, "GET", hosts[k % (sizeof(hosts) / sizeof(hosts[0]))], 80, path, "10.9.9.9");
}

void test_policy_prefilter_never_changes_a_decision(void)
{
	static char rules[32768];
	struct match_scratch *s = match_scratch_new();
	unsigned compared = 0, blocked = 0, prefiltered = 0;

	ASSERT_NONNULL(s);
	rng_state = 0x2545f4914f6cdd1dull;
	for (int round = 0; round < 60; round++) {
		struct policy_summary sum;
		char *diag;

		random_rules(rules, sizeof(rules));
		fixture_dir();
		struct policy *p = fixture_load("t.rules", rules, &diag);

		if (!p)
			harness_fail(__FILE__, __LINE__, "generated rules rejected: %.300s", diag);
		free(diag);
		policy_summarize(p, &sum);
		prefiltered += sum.regexes_prefiltered;
		for (unsigned k = 0; k < 400; k++) {
			struct test_request t;
			struct decision d, naive;

			if (k < 20)
				adversarial_request(&t, k);
			else
				random_request(&t);
			policy_match(p, &t.r, 0, s, &d);
			policy_match_naive(p, &t.r, 0, s, &naive);
			compared++;
			blocked += d.action == ACTION_BLOCK && d.rule;
			if (d.action != naive.action || d.rule != naive.rule ||
			    d.n_logged != naive.n_logged ||
			    memcmp(d.logged, naive.logged, d.n_logged * sizeof(d.logged[0])))
				harness_fail(__FILE__, __LINE__, "%s decided by line %u, naive by line "
					     "%u (logged %u vs %u); rules:\n%.200s", t.r.url,
					     d.rule ? d.rule->line : 0,
					     naive.rule ? naive.rule->line : 0, d.n_logged,
					     naive.n_logged, rules);
		}
		policy_free(p);
	}
	match_scratch_free(s);
	ASSERT_TRUE(prefiltered > 100);
	ASSERT_TRUE(blocked > compared / 20);
}
