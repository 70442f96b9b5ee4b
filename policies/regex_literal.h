/*
 * Required literals of a PCRE2 pattern, for the prefilter: a set of strings
 * such that every match of the pattern contains at least one of them. They
 * are lower-cased, and a subject is compared lower-cased too, which keeps the
 * set valid for caseless and case-sensitive patterns alike. The analysis is
 * conservative: any construct it does not fully understand makes it give up,
 * and then the pattern simply runs on every subject.
 */
#ifndef UE_REGEX_LITERAL_H
#define UE_REGEX_LITERAL_H

#include <stddef.h>

#define LITERAL_MAX 64
#define LITERAL_SET_MAX 16

struct literal {
	unsigned len;
	char s[LITERAL_MAX];
};

struct literal_set {
	unsigned n;
	struct literal lit[LITERAL_SET_MAX];
};

/*
 * PATTERN must compile (PCRE2, no UTF, no extended option from outside).
 * Of all the sets that would do, OUT is the one rarest in URLs (url_model.h).
 * Returns 0 with OUT filled, or -ENOENT when no set is known or the best one
 * is in about every URL (URL_SHARE_EVERY): the pattern runs on every URL.
 * ALSO (may be NULL) gets a second such set, none of whose literals is
 * within one of OUT's or holds one ("doubleclick" and "banner" for
 * "doubleclick.*banner"), n == 0 if none is known: a subject needs one of
 * both for a match, so one that has OUT's and lacks ALSO's need not run.
 */
int regex_required_literals(const char *pattern, size_t len, struct literal_set *out,
			    struct literal_set *also);

#endif
