/*
 * Rule-set generators for bench_match. `own` is the set the prefilter was
 * tuned on (eight literal-heavy shapes over pronounceable words). The
 * others come from how rules and URLs look, not from how the prefilter
 * works:
 *   syllables  rules and URLs built from the same twelve syllables, so
 *              every 4-byte window of a literal is common in the URLs
 *   words      English-like words (onset, vowel, coda), the URLs drawing
 *              them Zipf-like from the same vocabulary, the rules uniformly
 *   case       case=sensitive rules on CamelCase names that the URLs often
 *              carry in other cases (the prefilter is caseless)
 *   dotstar    two or three words with `.*` between them
 *   lists      the shapes of published block lists: ^https?://[^/]*NAME
 *              (4 rules in 27, 1,481 of 10,000), ([a-z0-9-]+\.)*NAME/,
 *              /ads?/ and \.(exe|scr)$ under a name, query keys
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/match_sets.h"

static const char *const tlds[] = { "com", "net", "org", "example" };

static uint64_t rng_state;

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void gen_seed(uint64_t seed)
{
	rng_state = seed;
}

uint32_t gen_rnd(uint32_t n)
{
	rng_state = mix(rng_state);
	return (uint32_t)(rng_state >> 32) % n;
}

const char *gen_word(uint64_t seed, char *buf)
{
	static const char cons[] = "bcdfghklmnprstvz", vow[] = "aeiou";
	uint64_t x = mix(seed);
	int n = 2 + x % 3, len = 0;

	x >>= 2;
	for (int i = 0; i < n; i++, x >>= 7) {
		buf[len++] = cons[x % 16];
		buf[len++] = vow[(x >> 4) % 5];
	}
	buf[len] = 0;
	return buf;
}

/* ---- own: the shapes the prefilter was built with ---- */

static void own_rule(unsigned k, struct gen_rule *g)
{
	char w1[16], w2[16], w3[16];

	gen_word(k * 3 + 1, w1);
	gen_word(k * 3 + 2, w2);
	gen_word(k * 3 + 3, w3);
	g->case_sensitive = false;
	switch (k % 8) {
	case 0:
		snprintf(g->pattern, GEN_PATTERN_MAX, "^https?://([a-z0-9-]+\\.)*%s%u\\.(com|net)/", w1, k);
		snprintf(g->host, GEN_HOST_MAX, "cdn.%s%u.net", w1, k);
		snprintf(g->path, GEN_PATH_MAX, "/%s/index.html", w2);
		break;
	case 1:
		snprintf(g->pattern, GEN_PATTERN_MAX, "/%s/%s%u[0-9]*\\.(gif|png|js)", w1, w2, k);
		snprintf(g->host, GEN_HOST_MAX, "static.%s.com", w3);
		snprintf(g->path, GEN_PATH_MAX, "/%s/%s%u42.png", w1, w2, k);
		break;
	case 2:
		snprintf(g->pattern, GEN_PATTERN_MAX, "[?&]%s%u=[^&]+", w1, k);
		snprintf(g->host, GEN_HOST_MAX, "www.%s.org", w2);
		snprintf(g->path, GEN_PATH_MAX, "/search?q=x&%s%u=1", w1, k);
		break;
	case 3:
		snprintf(g->pattern, GEN_PATTERN_MAX, "(?:%s|%s)%u-%s", w1, w2, k, w3);
		snprintf(g->host, GEN_HOST_MAX, "%s.net", w3);
		snprintf(g->path, GEN_PATH_MAX, "/a/%s%u-%s/", w2, k, w3);
		break;
	case 4:
		snprintf(g->pattern, GEN_PATTERN_MAX, "\\.%s%u\\.example/ads/", w1, k);
		snprintf(g->host, GEN_HOST_MAX, "x.%s%u.example", w1, k);
		snprintf(g->path, GEN_PATH_MAX, "/ads/%s.js", w2);
		break;
	case 5:
		snprintf(g->pattern, GEN_PATTERN_MAX, "/%s-%s/%u/?$", w1, w2, k);
		snprintf(g->host, GEN_HOST_MAX, "www.%s.com", w3);
		snprintf(g->path, GEN_PATH_MAX, "/%s-%s/%u/", w1, w2, k);
		break;
	case 6:
		snprintf(g->pattern, GEN_PATTERN_MAX, "%s%u(banner|popup|promo)", w1, k);
		snprintf(g->host, GEN_HOST_MAX, "ads.%s.com", w2);
		snprintf(g->path, GEN_PATH_MAX, "/%s%upopup.js", w1, k);
		break;
	default:
		snprintf(g->pattern, GEN_PATTERN_MAX, "^http://[^/]+/%s/%s/%u\\b", w1, w2, k);
		snprintf(g->host, GEN_HOST_MAX, "%s.org", w3);
		snprintf(g->path, GEN_PATH_MAX, "/%s/%s/%u?x=1", w1, w2, k);
	}
}

/* Words only, no rule's numbers: matches no `own` rule. */
static void own_background(char *host, char *path)
{
	char a[16], b[16], c[16], d[16];

	snprintf(host, GEN_HOST_MAX, "%s.%s-%s.%s", gen_rnd(2) ? "www" : gen_word(gen_rnd(50000), a),
		 gen_word(gen_rnd(50000), b), gen_word(gen_rnd(50000), c), tlds[gen_rnd(4)]);
	snprintf(path, GEN_PATH_MAX, "/%s/%s-%s.html?id=%u&q=%s", gen_word(gen_rnd(50000), a),
		 gen_word(gen_rnd(50000), b), gen_word(gen_rnd(50000), c), gen_rnd(100000),
		 gen_word(gen_rnd(50000), d));
}

const struct generator gen_own = {
	.name = "regex", .rule = own_rule, .background = own_background,
	.about = "bench_match's own eight shapes (the prefilter was tuned on them)",
};

/* ---- syllables: 4-byte windows that every URL shares ---- */

static const char *const syllables[] = {
	"ba", "ko", "ri", "ta", "ne", "mo", "su", "ke", "ra", "to", "ni", "ma",
};
#define N_SYLLABLES 12

/* N syllables drawn from X. */
static char *syllable_word(uint64_t x, unsigned n, char *out)
{
	x = mix(x);
	out[0] = 0;
	for (unsigned i = 0; i < n; i++, x /= N_SYLLABLES)
		strcat(out, syllables[x % N_SYLLABLES]);
	return out;
}

static void syllables_rule(unsigned k, struct gen_rule *g)
{
	char name[32], other[32], bg[16];

	syllable_word(k, 5 + k % 2, name);
	syllable_word(k + 1000003, 3, other);
	syllable_word(k + 2000003, 2, bg);
	g->case_sensitive = false;
	switch (k % 4) {
	case 0:
		snprintf(g->pattern, GEN_PATTERN_MAX, "^https?://[^/]*%s\\.", name);
		snprintf(g->host, GEN_HOST_MAX, "%s%s.com", bg, name);
		snprintf(g->path, GEN_PATH_MAX, "/%s/%s", other, bg);
		break;
	case 1:
		snprintf(g->pattern, GEN_PATTERN_MAX, "/%s/[0-9]+", name);
		snprintf(g->host, GEN_HOST_MAX, "%s.%s.net", bg, other);
		snprintf(g->path, GEN_PATH_MAX, "/%s/%u", name, k);
		break;
	case 2:
		snprintf(g->pattern, GEN_PATTERN_MAX, "%s(-|_)%s", name, other);
		snprintf(g->host, GEN_HOST_MAX, "www.%s.com", bg);
		snprintf(g->path, GEN_PATH_MAX, "/%s/%s_%s.html", bg, name, other);
		break;
	default:
		snprintf(g->pattern, GEN_PATTERN_MAX, "[?&]%s=", name);
		snprintf(g->host, GEN_HOST_MAX, "%s.com", other);
		snprintf(g->path, GEN_PATH_MAX, "/%s?%s=1", bg, name);
	}
}

static void syllables_background(char *host, char *path)
{
	char a[16], b[16], c[16], d[16], e[16];

	snprintf(host, GEN_HOST_MAX, "%s.%s.%s", syllable_word(gen_rnd(~0u), 2 + gen_rnd(4), a),
		 syllable_word(gen_rnd(~0u), 2 + gen_rnd(3), b), tlds[gen_rnd(4)]);
	snprintf(path, GEN_PATH_MAX, "/%s/%s-%s?%s=%s", syllable_word(gen_rnd(~0u), 2 + gen_rnd(4), a),
		 syllable_word(gen_rnd(~0u), 2 + gen_rnd(4), b),
		 syllable_word(gen_rnd(~0u), 2 + gen_rnd(4), c),
		 syllable_word(gen_rnd(~0u), 2 + gen_rnd(2), d),
		 syllable_word(gen_rnd(~0u), 2 + gen_rnd(4), e));
}

const struct generator gen_syllables = {
	.name = "syllables", .rule = syllables_rule, .background = syllables_background,
	.about = "rules and URLs from the same 12 syllables: every 4-byte window collides",
};

/* ---- English-like words ---- */

#define VOCABULARY 20000

/* Word I of the vocabulary: one to three syllables of onset, vowel, coda. */
static char *english_word(uint32_t i, char *out)
{
	static const char *const onset[] = {
		"", "b", "bl", "br", "c", "ch", "cl", "cr", "d", "dr", "f", "fl", "fr", "g",
		"gl", "gr", "h", "j", "k", "l", "m", "n", "p", "pl", "pr", "qu", "r", "s",
		"sh", "sl", "sm", "sn", "sp", "st", "str", "t", "th", "tr", "v", "w", "wh", "y",
	};
	static const char *const vowel[] = {
		"a", "e", "i", "o", "u", "ai", "ea", "ee", "oo", "ou", "ie", "y",
	};
	static const char *const coda[] = {
		"", "", "b", "ck", "d", "ff", "g", "ll", "m", "n", "ng", "nk", "nt", "p", "r",
		"rd", "rk", "rn", "rt", "s", "sh", "ss", "st", "t", "th", "x",
	};
	uint64_t x = mix(i + 77);
	unsigned n = 1 + (x & 3 ? 1 : 0) + (x % 7 == 0);

	x >>= 3;
	out[0] = 0;
	for (unsigned s = 0; s < n; s++) {
		strcat(out, onset[x % 42]);
		x /= 42;
		strcat(out, vowel[x % 12]);
		x /= 12;
		strcat(out, coda[x % 26]);
		x /= 26;
	}
	return out;
}

/* A word as text draws them: a few very often, most rarely (rank r with
 * probability ~1/r, Zipf). */
static char *zipf_word(char *out)
{
	double u = gen_rnd(1u << 30) / (double)(1u << 30);

	return english_word((uint32_t)pow(VOCABULARY, u) - 1, out);
}

/* A word a rule names: of 5 letters or more, evenly from the vocabulary
 * but its RULE_RANK_MIN commonest words (no list blocks "the"), which URLs
 * still carry now and then; consecutive seeds name different words. */
#define RULE_RANK_MIN 1000

static char *rule_word(uint64_t seed, char *out)
{
	uint64_t i = seed * 7919;

	while (strlen(english_word(RULE_RANK_MIN + i % (VOCABULARY - RULE_RANK_MIN), out)) < 5)
		i += 7919;
	return out;
}

/* A background URL of Zipf-drawn words; SEP joins the words of the file name. */
static void words_url(char *host, char *path, const char *sep)
{
	char a[40], b[40], c[40], d[40], e[40];

	snprintf(host, GEN_HOST_MAX, "%s%s.%s", gen_rnd(2) ? "www." : "", zipf_word(a),
		 tlds[gen_rnd(4)]);
	snprintf(path, GEN_PATH_MAX, "/%s/%s%s%s.html?q=%s&page=%u", zipf_word(b), zipf_word(c),
		 sep, zipf_word(d), zipf_word(e), gen_rnd(100));
}

static void words_background(char *host, char *path)
{
	words_url(host, path, "-");
}

static void words_rule(unsigned k, struct gen_rule *g)
{
	char w1[40], w2[40], bg[40];

	rule_word(k * 2, w1);
	rule_word(k * 2 + 1, w2);
	english_word(k % 500, bg);
	g->case_sensitive = false;
	switch (k % 5) {
	case 0:
		snprintf(g->pattern, GEN_PATTERN_MAX, "/%s-%s/", w1, w2);
		snprintf(g->host, GEN_HOST_MAX, "www.%s.com", bg);
		snprintf(g->path, GEN_PATH_MAX, "/%s-%s/%s.html", w1, w2, bg);
		break;
	case 1:
		snprintf(g->pattern, GEN_PATTERN_MAX, "%s%s\\.(html|php)", w1, w2);
		snprintf(g->host, GEN_HOST_MAX, "%s.org", bg);
		snprintf(g->path, GEN_PATH_MAX, "/%s/%s%s.php", bg, w1, w2);
		break;
	case 2:
		snprintf(g->pattern, GEN_PATTERN_MAX, "[?&]%s_%s=[^&]*", w1, w2);
		snprintf(g->host, GEN_HOST_MAX, "%s.net", bg);
		snprintf(g->path, GEN_PATH_MAX, "/%s?%s_%s=on", bg, w1, w2);
		break;
	case 3:
		snprintf(g->pattern, GEN_PATTERN_MAX, "^https?://(www\\.)?%s%s\\.(com|org)/", w1, w2);
		snprintf(g->host, GEN_HOST_MAX, "www.%s%s.com", w1, w2);
		snprintf(g->path, GEN_PATH_MAX, "/%s/", bg);
		break;
	default:
		snprintf(g->pattern, GEN_PATTERN_MAX, "/%s/%s/\\d+", w1, w2);
		snprintf(g->host, GEN_HOST_MAX, "%s.com", bg);
		snprintf(g->path, GEN_PATH_MAX, "/%s/%s/%u", w1, w2, k);
	}
}

const struct generator gen_words = {
	.name = "words", .rule = words_rule, .background = words_background,
	.about = "English-like words, Zipf-drawn in URLs, paired in rules",
};

/* ---- case-sensitive rules ---- */

/* Rule K's name: two words, each capitalized (CamelCase). */
static char *camel_name(unsigned k, char *out)
{
	char w1[40], w2[40];

	rule_word(k * 2 + 500000, w1);
	rule_word(k * 2 + 500001, w2);
	w1[0] -= 'a' - 'A';
	w2[0] -= 'a' - 'A';
	snprintf(out, 80, "%s%s", w1, w2);
	return out;
}

static void case_rule(unsigned k, struct gen_rule *g)
{
	char name[80], bg[40];

	camel_name(k, name);
	english_word(k % 500, bg);
	g->case_sensitive = true;
	switch (k % 4) {
	case 0:
		snprintf(g->pattern, GEN_PATTERN_MAX, "/%s/", name);
		snprintf(g->host, GEN_HOST_MAX, "www.%s.com", bg);
		snprintf(g->path, GEN_PATH_MAX, "/%s/%s.html", name, bg);
		break;
	case 1:
		snprintf(g->pattern, GEN_PATTERN_MAX, "[?&]%sId=[0-9]+", name);
		snprintf(g->host, GEN_HOST_MAX, "%s.net", bg);
		snprintf(g->path, GEN_PATH_MAX, "/%s?%sId=42", bg, name);
		break;
	case 2:
		snprintf(g->pattern, GEN_PATTERN_MAX, "%s\\.JS$", name);
		snprintf(g->host, GEN_HOST_MAX, "cdn.%s.org", bg);
		snprintf(g->path, GEN_PATH_MAX, "/lib/%s.JS", name);
		break;
	default:
		snprintf(g->pattern, GEN_PATTERN_MAX, "^https?://[^/]*/%s/", name);
		snprintf(g->host, GEN_HOST_MAX, "%s.com", bg);
		snprintf(g->path, GEN_PATH_MAX, "/%s/x", name);
	}
}

/* One URL in four carries some rule's name in lower case, where a
 * caseless rule would match. */
static void case_background(char *host, char *path)
{
	char name[80];

	words_url(host, path, "-");
	if (gen_rnd(4))
		return;
	camel_name(gen_rnd(10000), name);
	for (char *c = name; *c; c++)
		*c |= 0x20;
	snprintf(path + strlen(path), GEN_PATH_MAX - strlen(path), "&v=/%s/%sId=1.js", name, name);
}

const struct generator gen_case = {
	.name = "case", .rule = case_rule, .background = case_background,
	.about = "case=sensitive CamelCase rules; 1 URL in 4 has a rule's name in lower case",
};

/* ---- dotstar: `.*` between literals ---- */

static void dotstar_rule(unsigned k, struct gen_rule *g)
{
	char w1[40], w2[40], w3[40];

	rule_word(k * 3 + 900000, w1);
	rule_word(k * 3 + 900001, w2);
	rule_word(k * 3 + 900002, w3);
	g->case_sensitive = false;
	switch (k % 3) {
	case 0:
		snprintf(g->pattern, GEN_PATTERN_MAX, "%s.*%s", w1, w2);
		snprintf(g->host, GEN_HOST_MAX, "www.%s.com", w1);
		snprintf(g->path, GEN_PATH_MAX, "/a/%s.html", w2);
		break;
	case 1:
		snprintf(g->pattern, GEN_PATTERN_MAX, "/%s/.*%s.*%s", w1, w2, w3);
		snprintf(g->host, GEN_HOST_MAX, "%s.net", w3);
		snprintf(g->path, GEN_PATH_MAX, "/%s/x/%s-%s.php", w1, w2, w3);
		break;
	default:
		snprintf(g->pattern, GEN_PATTERN_MAX, "^https?://[^/]*%s.*[?&]%s=.*%s", w1, w2, w3);
		snprintf(g->host, GEN_HOST_MAX, "%s.org", w1);
		snprintf(g->path, GEN_PATH_MAX, "/?%s=1&x=%s", w2, w3);
	}
}

const struct generator gen_dotstar = {
	.name = "dotstar", .rule = dotstar_rule, .background = words_background,
	.about = "two or three English-like words with .* between them",
};

/* ---- lists: the shapes of published block lists ---- */

/* A name as lists have them: a word, two joined, or two with a dash. */
static char *list_name(uint64_t seed, char *out)
{
	char w1[40], w2[40];

	rule_word(seed, w1);
	rule_word(seed + 1, w2);
	switch (seed % 3) {
	case 0: snprintf(out, 80, "%s", w1); break;
	case 1: snprintf(out, 80, "%s%s", w1, w2); break;
	default: snprintf(out, 80, "%s-%s", w1, w2);
	}
	return out;
}

static void lists_rule(unsigned k, struct gen_rule *g)
{
	char name[80], bg[40];
	unsigned shape = k % 27;

	list_name(k * 2 + 3000000, name);
	english_word(k % 500, bg);
	g->case_sensitive = false;
	if (k == 7 || k == 13) {        /* two that every list has, once */
		snprintf(g->pattern, GEN_PATTERN_MAX, k == 7 ? "/ads?/" : "\\.(exe|scr)$");
		snprintf(g->host, GEN_HOST_MAX, "www.%s.com", bg);
		snprintf(g->path, GEN_PATH_MAX, k == 7 ? "/ads/%s.js" : "/%s.scr", name);
	} else if (shape < 4) {
		snprintf(g->pattern, GEN_PATTERN_MAX, "^https?://[^/]*%s", name);
		snprintf(g->host, GEN_HOST_MAX, "%s%s.com", bg, name);
		snprintf(g->path, GEN_PATH_MAX, "/");
	} else if (shape < 12) {
		snprintf(g->pattern, GEN_PATTERN_MAX, "^https?://([a-z0-9-]+\\.)*%s\\.%s/", name,
			 tlds[k % 4]);
		snprintf(g->host, GEN_HOST_MAX, "img.%s.%s", name, tlds[k % 4]);
		snprintf(g->path, GEN_PATH_MAX, "/%s.gif", bg);
	} else if (shape < 16) {
		snprintf(g->pattern, GEN_PATTERN_MAX, "/%s/ads?/", name);
		snprintf(g->host, GEN_HOST_MAX, "www.%s.net", bg);
		snprintf(g->path, GEN_PATH_MAX, "/%s/ad/1.js", name);
	} else if (shape < 19) {
		snprintf(g->pattern, GEN_PATTERN_MAX, "%s[^/]*\\.(exe|scr)$", name);
		snprintf(g->host, GEN_HOST_MAX, "dl.%s.com", bg);
		snprintf(g->path, GEN_PATH_MAX, "/get/%s_setup.exe", name);
	} else if (shape < 23) {
		snprintf(g->pattern, GEN_PATTERN_MAX, "[?&]%s=", name);
		snprintf(g->host, GEN_HOST_MAX, "%s.org", bg);
		snprintf(g->path, GEN_PATH_MAX, "/t.gif?%s=1", name);
	} else {
		snprintf(g->pattern, GEN_PATTERN_MAX, "/%s\\.(js|gif|png)(\\?|$)", name);
		snprintf(g->host, GEN_HOST_MAX, "static.%s.com", bg);
		snprintf(g->path, GEN_PATH_MAX, "/js/%s.js?v=2", name);
	}
}

const struct generator gen_lists = {
	.name = "lists", .rule = lists_rule, .background = words_background,
	.about = "published block-list shapes, ^https?://[^/]*NAME in 4 rules of 27",
};
