/*
 * make bench-match: decisions per second of one core for generated rule
 * sets, three ways in the same run: the engine (policy_match: domain index,
 * prefilter, first match), the naive loop (policy_match_naive: every rule in
 * order, every regex run with PCRE2 JIT; on a sample when slow) and, for the
 * regex sets, Hyperscan over the same patterns (first match = the lowest
 * matching rule). Everything is generated from fixed seeds: the rule files,
 * a 1,000,000-name domain list and, per set, 1,000,000 URLs of which about
 * 5% hit a rule; the regex sets come from the generators of match_sets.c,
 * most of them written apart from the prefilter. Hyperscan is a dependency
 * of this benchmark only.
 *   bench_match [URLS [SET...]]    (default 1000000 URLs, every set)
 *   bench_match --emit SET DIR     only write a regex set for another benchmark
 *                                  (see emit())
 */
#include <errno.h>
#include <stdbool.h>
#include <hs.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/match_sets.h"
#include "policies/policy.h"

#define HIT_PERCENT 5
#define NAIVE_SECONDS 0.5
#define RUNS 3                  /* engine and Hyperscan: the best of RUNS passes */
#define EMIT_MISSES 1000

static void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench_match: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* CPU time of this (single-threaded) process: rates per core, whatever else
 * the machine runs. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static size_t rss_bytes(void)
{
	long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f && fscanf(f, "%*s %ld", &pages) != 1)
		pages = 0;
	if (f)
		fclose(f);
	return (size_t)pages * sysconf(_SC_PAGESIZE);
}

/* ---- rule sets ---- */

enum set_kind { SET_DOMAINS, SET_LIST, SET_REGEX };

struct rule_set {
	const char *name;
	enum set_kind kind;
	unsigned rules;             /* for SET_LIST: names in the list */
	const struct generator *gen;  /* SET_REGEX */
	char path[256];
	char **patterns;            /* SET_REGEX: rule N (line N + 1) */
	bool *case_sensitive;
};

static const char *const tlds[] = { "com", "net", "org", "example" };

static void domain_name(unsigned i, uint64_t salt, char *out, size_t size)
{
	char w[16];

	snprintf(out, size, "%s%u.%s", gen_word(i * 7 + salt, w), i, tlds[i % 4]);
}

static FILE *create(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fatal("%s: %s", path, strerror(errno));
	return f;
}

static void set_write(struct rule_set *s, const char *dir)
{
	char name[128];
	struct gen_rule g;
	FILE *f;

	snprintf(s->path, sizeof(s->path), "%s/%s.rules", dir, s->name);
	f = create(s->path);
	switch (s->kind) {
	case SET_DOMAINS:
		for (unsigned i = 0; i < s->rules; i++) {
			domain_name(i, 0, name, sizeof(name));
			fprintf(f, "block domain %s\n", name);
		}
		break;
	case SET_LIST: {
		char list[300];

		snprintf(list, sizeof(list), "%s/%s.txt", dir, s->name);
		FILE *l = create(list);

		fprintf(l, "# generated block list\n");
		for (unsigned i = 0; i < s->rules; i++) {
			domain_name(i, 1000003, name, sizeof(name));
			fprintf(l, i % 4 ? "%s\n" : "0.0.0.0 %s\n", name);
		}
		fclose(l);
		fprintf(f, "block domain-list %s.txt\n", s->name);
		break;
	}
	case SET_REGEX:
		s->patterns = calloc(s->rules, sizeof(char *));
		s->case_sensitive = calloc(s->rules, sizeof(bool));
		if (!s->patterns || !s->case_sensitive)
			fatal("out of memory");
		for (unsigned i = 0; i < s->rules; i++) {
			s->gen->rule(i, &g);
			s->patterns[i] = strdup(g.pattern);
			s->case_sensitive[i] = g.case_sensitive;
			fprintf(f, "block url %s%s\n", g.pattern,
				g.case_sensitive ? " case=sensitive" : "");
		}
	}
	fclose(f);
}

/* ---- the URL corpus ---- */

struct corpus {
	char *arena;
	size_t len, cap;
	uint32_t *url, *host;       /* offsets; the path follows the host in the URL */
	uint16_t *host_len;
	unsigned n;
};

static uint32_t corpus_put(struct corpus *c, const char *s)
{
	size_t n = strlen(s) + 1;

	if (c->len + n > c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1 << 24;
		c->arena = realloc(c->arena, c->cap);
		if (!c->arena)
			fatal("out of memory");
	}
	memcpy(c->arena + c->len, s, n);
	c->len += n;
	return c->len - n;
}

static void corpus_add(struct corpus *c, unsigned i, const char *host, const char *path)
{
	char url[1024];

	snprintf(url, sizeof(url), "http://%s%s", host, path);
	c->url[i] = corpus_put(c, url);
	c->host[i] = corpus_put(c, host);
	c->host_len[i] = strlen(host);
}

static void corpus_build(struct corpus *c, const struct rule_set *s, unsigned n)
{
	const struct generator *gen = s->kind == SET_REGEX ? s->gen : &gen_own;
	char name[128];
	struct gen_rule g;

	c->len = 0;
	c->n = n;
	c->url = realloc(c->url, n * sizeof(*c->url));
	c->host = realloc(c->host, n * sizeof(*c->host));
	c->host_len = realloc(c->host_len, n * sizeof(*c->host_len));
	if (!c->url || !c->host || !c->host_len)
		fatal("out of memory");
	gen_seed(0x853c49e6748fea9bull);
	for (unsigned i = 0; i < n; i++) {
		gen->background(g.host, g.path);
		if (gen_rnd(100) < HIT_PERCENT) {
			unsigned k = gen_rnd(s->rules);

			if (s->kind == SET_REGEX) {
				gen->rule(k, &g);
			} else {
				domain_name(k, s->kind == SET_LIST ? 1000003 : 0, name, sizeof(name));
				snprintf(g.host, sizeof(g.host), "%s%s", gen_rnd(2) ? "www." : "", name);
			}
		}
		corpus_add(c, i, g.host, g.path);
	}
}

static void request_of(const struct corpus *c, unsigned i, struct request *r)
{
	r->url = c->arena + c->url[i];
	r->host = c->arena + c->host[i];
	r->path = r->url + 7 + c->host_len[i];
}

/* ---- the three contenders ---- */

typedef void (*match_fn)(const struct policy *, const struct request *, time_t,
			 struct match_scratch *, struct decision *);

/* Decides URLs [0, LIMIT) (stopping after MAX_S seconds); the count decided,
 * each decision's rule line in LINES, the rate in *RATE. */
static unsigned run_policy(const struct policy *p, const struct corpus *c, match_fn fn,
			   unsigned limit, double max_s, uint32_t *lines, double *rate)
{
	struct match_scratch *s = match_scratch_new();
	struct request r = { .proto = REQUEST_HTTP, .method = "GET" };
	struct decision d;
	double t0 = now_s(), t = t0;
	unsigned i;

	r.tuple.server_port = 80;
	for (i = 0; i < limit; i++) {
		if (!(i & 255) && i && (t = now_s()) - t0 > max_s)
			break;
		request_of(c, i, &r);
		fn(p, &r, 0, s, &d);
		lines[i] = d.rule ? d.rule->line : 0;
	}
	t = now_s();
	*rate = i / (t - t0);
	match_scratch_free(s);
	return i;
}

struct hs_result {
	unsigned first;             /* lowest matching pattern id, 0: none */
};

static int hs_on_match(unsigned id, unsigned long long from, unsigned long long to,
		       unsigned flags, void *ctx)
{
	struct hs_result *res = ctx;

	(void)from;
	(void)to;
	(void)flags;
	if (!res->first || id < res->first)
		res->first = id;
	return 0;
}

struct hs_figures {
	double compile_s;
	size_t bytes;
	double rate;
	unsigned disagree;
};

static void run_hyperscan(const struct rule_set *s, const struct corpus *c,
			  const uint32_t *engine_lines, struct hs_figures *out)
{
	unsigned *flags = malloc(s->rules * sizeof(unsigned));
	unsigned *ids = malloc(s->rules * sizeof(unsigned));
	hs_database_t *db;
	hs_compile_error_t *err;
	hs_scratch_t *scratch = NULL;
	size_t db_size, scratch_size;

	for (unsigned i = 0; i < s->rules; i++) {
		flags[i] = (s->case_sensitive[i] ? 0 : HS_FLAG_CASELESS) | HS_FLAG_SINGLEMATCH;
		ids[i] = i + 1;             /* the rule's line */
	}
	double t0 = now_s();

	if (hs_compile_multi((const char *const *)s->patterns, flags, ids, s->rules,
			     HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS)
		fatal("hyperscan: pattern %d: %s", err->expression, err->message);
	out->compile_s = now_s() - t0;
	if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS)
		fatal("hyperscan: no scratch");
	hs_database_size(db, &db_size);
	hs_scratch_size(scratch, &scratch_size);
	out->bytes = db_size + scratch_size;
	out->rate = 0;
	for (int run = 0; run < RUNS; run++) {
		out->disagree = 0;
		t0 = now_s();
		for (unsigned i = 0; i < c->n; i++) {
			struct hs_result res = { 0 };
			const char *url = c->arena + c->url[i];

			hs_scan(db, url, strlen(url), 0, scratch, hs_on_match, &res);
			out->disagree += res.first != engine_lines[i];
		}
		double rate = c->n / (now_s() - t0);

		if (rate > out->rate)
			out->rate = rate;
	}
	hs_free_scratch(scratch);
	hs_free_database(db);
	free(flags);
	free(ids);
}

static void count_run(const struct rule_info *rule, void *arg)
{
	(void)rule;
	++*(unsigned long *)arg;
}

/* Regex runs a URL of the engine, over the corpus (not timed). */
static double count_runs(const struct policy *p, const struct corpus *c)
{
	struct match_scratch *s = match_scratch_new();
	struct request r = { .proto = REQUEST_HTTP, .method = "GET" };
	struct decision d;
	unsigned long runs = 0;

	r.tuple.server_port = 80;
	match_scratch_trace(s, count_run, &runs);
	for (unsigned i = 0; i < c->n; i++) {
		request_of(c, i, &r);
		policy_match(p, &r, 0, s, &d);
	}
	match_scratch_free(s);
	return (double)runs / c->n;
}

/* ---- one set, one row ---- */

struct row {
	unsigned every_url;         /* regexes without a selective literal */
	double runs;                /* regex runs a URL (a traced, untimed pass) */
	double load_s;
	size_t heap, rss;
	double engine, naive;
	unsigned naive_n, naive_disagree;
	double hits;
	struct hs_figures hs;
	bool has_hs;
};

static void bench_set(struct rule_set *s, struct corpus *c, unsigned n_urls, struct row *row)
{
	uint32_t *lines = malloc(n_urls * sizeof(uint32_t));
	uint32_t *naive_lines = malloc(n_urls * sizeof(uint32_t));
	struct policy_summary sum;
	unsigned hits = 0;

	corpus_build(c, s, n_urls);
	malloc_trim(0);
	size_t heap0 = heap_bytes(), rss0 = rss_bytes();
	double t0 = now_s();
	struct policy *p = policy_load(s->path, stderr);

	if (!p)
		fatal("%s does not load", s->path);
	row->load_s = now_s() - t0;
	malloc_trim(0);
	row->heap = heap_bytes() - heap0;
	row->rss = rss_bytes() - rss0;

	row->engine = 0;
	for (int run = 0; run < RUNS; run++) {
		double rate;

		run_policy(p, c, policy_match, n_urls, 1e9, lines, &rate);
		if (rate > row->engine)
			row->engine = rate;
	}
	policy_summarize(p, &sum);
	row->every_url = sum.regexes_every_url;
	row->runs = count_runs(p, c);
	row->naive_n = run_policy(p, c, policy_match_naive, n_urls, NAIVE_SECONDS, naive_lines,
				  &row->naive);
	row->naive_disagree = 0;
	for (unsigned i = 0; i < row->naive_n; i++)
		row->naive_disagree += naive_lines[i] != lines[i];
	for (unsigned i = 0; i < n_urls; i++)
		hits += lines[i] != 0;
	row->hits = 100.0 * hits / n_urls;
	row->has_hs = s->kind == SET_REGEX;
	if (row->has_hs)
		run_hyperscan(s, c, lines, &row->hs);
	policy_free(p);
	free(lines);
	free(naive_lines);
}

/* No SET arguments: every set. */
/*
 * --emit SET DIR: the regex set's rule file DIR/SET.rules, and beside it
 * DIR/SET.hits, whose line N is a URL that the rule on line N matches, and
 * DIR/SET.misses, EMIT_MISSES URLs that no rule matches: the same rules and
 * URLs for benchmarks that drive the live daemon (bench/verdict.sh).
 */
static void emit(struct rule_set *s, const char *dir)
{
	char file[300];
	struct gen_rule g;
	FILE *f;

	if (s->kind != SET_REGEX)
		fatal("--emit: %s is not a regex set", s->name);
	set_write(s, dir);
	snprintf(file, sizeof(file), "%s/%s.hits", dir, s->name);
	f = create(file);
	for (unsigned k = 0; k < s->rules; k++) {
		s->gen->rule(k, &g);
		fprintf(f, "http://%s%s\n", g.host, g.path);
		free(s->patterns[k]);
	}
	free(s->patterns);
	free(s->case_sensitive);
	fclose(f);
	snprintf(file, sizeof(file), "%s/%s.misses", dir, s->name);
	f = create(file);
	gen_seed(0x853c49e6748fea9bull);
	for (unsigned i = 0; i < EMIT_MISSES; i++) {
		s->gen->background(g.host, g.path);
		fprintf(f, "http://%s%s\n", g.host, g.path);
	}
	fclose(f);
}

static bool selected(int argc, char **argv, const char *name)
{
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], name))
			return true;
	return argc <= 2;
}

static void print_rate(double r)
{
	if (r >= 1e6)
		printf(" %7.2fM", r / 1e6);
	else
		printf(" %7.1fk", r / 1e3);
}

int main(int argc, char **argv)
{
	unsigned n_urls = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	char dir[] = "/tmp/bench-match-XXXXXX";
	struct rule_set sets[] = {
		{ .name = "domains-1k", .kind = SET_DOMAINS, .rules = 1000 },
		{ .name = "domains-10k", .kind = SET_DOMAINS, .rules = 10000 },
		{ .name = "domains-100k", .kind = SET_DOMAINS, .rules = 100000 },
		{ .name = "list-1M", .kind = SET_LIST, .rules = 1000000 },
		{ .name = "regex-1k", .kind = SET_REGEX, .rules = 1000, .gen = &gen_own },
		{ .name = "regex-10k", .kind = SET_REGEX, .rules = 10000, .gen = &gen_own },
		{ .name = "syllables-10k", .kind = SET_REGEX, .rules = 10000, .gen = &gen_syllables },
		{ .name = "words-10k", .kind = SET_REGEX, .rules = 10000, .gen = &gen_words },
		{ .name = "case-10k", .kind = SET_REGEX, .rules = 10000, .gen = &gen_case },
		{ .name = "dotstar-10k", .kind = SET_REGEX, .rules = 10000, .gen = &gen_dotstar },
		{ .name = "lists-10k", .kind = SET_REGEX, .rules = 10000, .gen = &gen_lists },
	};
	struct row rows[sizeof(sets) / sizeof(sets[0])];
	struct corpus corpus = { 0 };
	char info[64];

	if (argc == 4 && !strcmp(argv[1], "--emit")) {
		for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
			if (!strcmp(argv[2], sets[i].name)) {
				emit(&sets[i], argv[3]);
				return 0;
			}
		fatal("--emit: no set %s", argv[2]);
	}
	if (!n_urls || !mkdtemp(dir))
		fatal("usage: bench_match [URLS [SET...]] | --emit SET DIR");
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("bench-match: %u URLs a set (~%d%% hits), decisions per CPU second (one core)\n",
	       n_urls, HIT_PERCENT);
	printf("engine: policy_match; naive: every rule in order, PCRE2 JIT, on a %.1f s sample;\n"
	       "hyperscan %s: the same regexes, first match = lowest matching rule;\n"
	       "engine and hyperscan: the best of %d passes\n\n", NAIVE_SECONDS, hs_version(), RUNS);
	printf("every: regexes that run on every URL; runs: regex runs a URL\n\n");
	printf("%-13s %7s %6s %6s %8s %8s %8s %9s %9s %7s %9s %7s %9s %8s\n", "set", "hits",
	       "every", "runs", "load s", "heap MB", "RSS MB", "engine", "naive", "x naive",
	       "hyperscan", "x hs", "hs comp s", "hs MB");
	memset(rows, 0, sizeof(rows));
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		struct row *r = &rows[i];

		if (!selected(argc, argv, sets[i].name))
			continue;
		set_write(&sets[i], dir);
		bench_set(&sets[i], &corpus, n_urls, r);
		printf("%-13s %6.2f%% %6u %6.2f %8.2f %8.1f %8.1f", sets[i].name, r->hits,
		       r->every_url, r->runs, r->load_s,
		       r->heap / 1048576.0, r->rss / 1048576.0);
		print_rate(r->engine);
		print_rate(r->naive);
		printf(" %7.0f", r->engine / r->naive);
		if (r->has_hs) {
			print_rate(r->hs.rate);
			printf(" %7.2f %9.2f %8.1f", r->engine / r->hs.rate, r->hs.compile_s,
			       r->hs.bytes / 1048576.0);
		}
		printf("\n");
		if (r->naive_disagree)
			fatal("%s: engine and naive disagree on %u of %u URLs", sets[i].name,
			      r->naive_disagree, r->naive_n);
		if (r->has_hs && r->hs.disagree)
			printf("  note: hyperscan's first match differs on %u URLs\n", r->hs.disagree);
	}
	snprintf(info, sizeof(info), "rm -rf %s", dir);
	if (system(info))
		fprintf(stderr, "bench_match: could not remove %s\n", dir);

	printf("\ntargets: every 10k regex set >= 1M/s and >= 0.3x hyperscan; "
	       "list-1M >= 5M/s, loads in < 2 s, < 200 MB\n");
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		const struct row *r = &rows[i];

		if (!r->engine)
			continue;
		if (sets[i].kind == SET_REGEX && sets[i].rules == 10000)
			printf("  %-13s %6.2fM/s: %-3s %6.2fx hyperscan: %-3s  %s\n", sets[i].name,
			       r->engine / 1e6, r->engine >= 1e6 ? "yes" : "NO",
			       r->engine / r->hs.rate, r->engine >= 0.3 * r->hs.rate ? "yes" : "NO",
			       sets[i].gen->about);
		else if (sets[i].kind == SET_LIST)
			printf("  %-13s %6.2fM/s: %-3s %.2f s: %-3s %.0f MB: %s\n", sets[i].name,
			       r->engine / 1e6, r->engine >= 5e6 ? "yes" : "NO", r->load_s,
			       r->load_s < 2 ? "yes" : "NO", r->rss / 1048576.0,
			       r->rss < 200u << 20 ? "yes" : "NO");
	}
	return 0;
}
