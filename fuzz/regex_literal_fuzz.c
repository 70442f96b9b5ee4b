/*
 * libFuzzer: the prefilter's soundness. Input: flags byte, a PCRE2 pattern,
 * '\n', a subject. When the pattern compiles and matches the subject, the
 * subject must contain one of the pattern's required literals (caselessly),
 * and the literal index built from them must report one: otherwise the
 * prefilter would skip a rule that matches.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "policies/literal_index.h"
#include "policies/regex_literal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reported(uint32_t value, void *arg)
{
	(void)value;
	*(int *)arg = 1;
}

static int contains_caseless(const char *s, size_t n, const struct literal *l)
{
	for (size_t i = 0; i + l->len <= n; i++)
		if (!strncasecmp(s + i, l->s, l->len))
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct literal_set set;
	PCRE2_SIZE off;
	int code;

	if (size < 2)
		return 0;
	uint32_t options = PCRE2_NEVER_UTF | (data[0] & 1 ? PCRE2_CASELESS : 0);
	const char *pattern = (const char *)data + 1;
	const char *nl = memchr(pattern, '\n', size - 1);
	size_t plen = nl ? (size_t)(nl - pattern) : size - 1;
	const char *subject = nl ? nl + 1 : "";
	size_t slen = nl ? size - 1 - plen - 1 : 0;

	if (regex_required_literals(pattern, plen, &set, NULL))
		return 0;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, plen, options, &code, &off, NULL);

	if (!re)
		return 0;
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int rc = pcre2_match(re, (PCRE2_SPTR)subject, slen, 0, 0, md, NULL);

	pcre2_match_data_free(md);
	pcre2_code_free(re);
	if (rc < 0)
		return 0;
	int found = 0, hit = 0;

	for (unsigned i = 0; i < set.n; i++)
		found |= contains_caseless(subject, slen, &set.lit[i]);
	if (!found)
		abort();
	struct literal_index_builder *b = literal_index_builder_new();

	for (unsigned i = 0; i < set.n; i++)
		literal_index_add(b, set.lit[i].s, set.lit[i].len, i);
	struct literal_index *x = literal_index_build(b);

	literal_index_scan(x, subject, slen, reported, &hit);
	literal_index_free(x);
	if (!hit)
		abort();
	return 0;
}
