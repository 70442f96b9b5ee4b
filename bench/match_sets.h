/*
 * The regex rule sets bench_match times, each a generator of rules and of
 * URLs: rule K with a URL that it matches, and background URLs that the
 * corpus is mostly made of. Deterministic: the same sequence of calls gives
 * the same rules and URLs. Only `own` was written with the engine's
 * prefilter in mind; the others were written from what rule writers and
 * URLs do, not from what the prefilter does well (see bench/README.md).
 */
#ifndef UE_BENCH_MATCH_SETS_H
#define UE_BENCH_MATCH_SETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GEN_PATTERN_MAX 256
#define GEN_HOST_MAX 160
#define GEN_PATH_MAX 300

struct gen_rule {
	char pattern[GEN_PATTERN_MAX];
	bool case_sensitive;
	char host[GEN_HOST_MAX];        /* with path: a URL the rule matches */
	char path[GEN_PATH_MAX];
};

struct generator {
	const char *name;
	const char *about;              /* one line for the table's legend */
	void (*rule)(unsigned k, struct gen_rule *out);
	/* A URL of the corpus that is not meant to match (it may, by chance). */
	void (*background)(char *host, char *path);
};

extern const struct generator gen_own, gen_syllables, gen_words, gen_case, gen_dotstar,
	gen_lists;

/* The shared random stream every generator draws from. */
void gen_seed(uint64_t seed);
uint32_t gen_rnd(uint32_t n);
/* A pronounceable word of 2 to 4 syllables, the same for the same seed. */
const char *gen_word(uint64_t seed, char *buf);

#endif
