/*
 * Walks a PCRE2 pattern once and keeps, for each sub-expression, what every
 * one of its matches must look like (a "fragment"): whether it is exactly one
 * string, a string every match starts with, one it ends with, and a set of
 * strings one of which every match contains. Concatenation joins the end of
 * the left side to the start of the right one; alternation unites the sets;
 * a quantifier with a minimum of zero forgets everything. Zero-width items
 * (anchors, \b, lookarounds) consume nothing, so the literals around them
 * stay adjacent. Whatever is not understood sets `bail` and the pattern gets
 * no literal at all.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "common/ascii.h"
#include "policies/regex_literal.h"
#include "policies/url_model.h"

#define DEPTH_MAX 16         /* nested groups (~6 KB of stack each); deeper: no literal */
#define REPEAT_MANY 2       /* any maximum above one */

/* A set of required literals and the share of URLs expected to hold one of
 * them (a sum: an upper bound), computed once. */
struct choice {
	struct literal_set set;
	double share;               /* meaningful when set.n > 0 */
};

struct fragment {
	bool exact;                 /* every match is exactly `pre` (== `suf`) */
	struct literal pre;         /* every match starts with it */
	struct literal suf;         /* every match ends with it */
	struct choice req;          /* every match contains one of them; n == 0: unknown */
	struct choice also;         /* and one of these, none within req's (n == 0: none) */
};

struct scan {
	const char *p, *end;
	int depth;
	bool quoting;               /* inside \Q...\E */
	bool bail;
};


/* ---- fragments ---- */

static void frag_exact(struct fragment *f, const char *s, unsigned len)
{
	memset(f, 0, sizeof(*f));
	f->exact = true;
	memcpy(f->pre.s, s, len);
	f->pre.len = len;
	f->suf = f->pre;
}

static void frag_unknown(struct fragment *f)
{
	memset(f, 0, sizeof(*f));
}

/* The share of C; an empty set, nothing known, is worse than any. */
static double choice_share(const struct choice *c)
{
	return c->set.n ? c->share : HUGE_VAL;
}

/* The shortest literal of C: among equally rare sets, the longer finds
 * fewer false candidates. */
static unsigned choice_min_len(const struct choice *c)
{
	unsigned len = LITERAL_MAX;

	for (unsigned i = 0; i < c->set.n; i++)
		if (c->set.lit[i].len < len)
			len = c->set.lit[i].len;
	return len;
}

/* CAND is rarer in URLs than BEST; on a tie, of fewer, then longer, literals. */
static bool choice_better(const struct choice *cand, const struct choice *best)
{
	double a = choice_share(best), b = choice_share(cand);

	return b < a || (b == a && cand->set.n &&
			 (cand->set.n < best->set.n ||
			  (cand->set.n == best->set.n && choice_min_len(cand) > choice_min_len(best))));
}

static void choice_keep_better(struct choice *best, const struct choice *cand)
{
	if (choice_better(cand, best))
		*best = *cand;
}

/* A literal of A within one of B's or the other way round: a subject with
 * one may well have the other, so the two filter as one. */
static bool choices_overlap(const struct choice *a, const struct choice *b)
{
	for (unsigned i = 0; i < a->set.n; i++)
		for (unsigned j = 0; j < b->set.n; j++) {
			const struct literal *x = &a->set.lit[i], *y = &b->set.lit[j];

			if (x->len <= y->len ? memmem(y->s, y->len, x->s, x->len) != NULL
					     : memmem(x->s, x->len, y->s, y->len) != NULL)
				return true;
		}
	return false;
}

/* CAND is required of every match of F too: the rarest such choice goes to
 * F's req, the rarest of those apart from it to F's also. */
static void frag_offer(struct fragment *f, const struct choice *cand)
{
	if (!cand->set.n)
		return;
	if (choice_better(cand, &f->req)) {
		struct choice old = f->req;

		f->req = *cand;
		if (choices_overlap(&f->also, &f->req))
			f->also.set.n = 0;
		if (old.set.n && !choices_overlap(&old, &f->req))
			choice_keep_better(&f->also, &old);
	} else if (!choices_overlap(cand, &f->req)) {
		choice_keep_better(&f->also, cand);
	}
}

static void frag_offer_literal(struct fragment *f, const struct literal *l)
{
	struct choice one = { .set.n = 1 };

	if (!l->len)
		return;
	one.set.lit[0] = *l;
	one.share = url_share(l->s, l->len);
	frag_offer(f, &one);
}

/* A's first bytes then B's, at most LITERAL_MAX in all. */
static void literal_join_head(struct literal *out, const struct literal *a,
			      const struct literal *b)
{
	struct literal r = *a;
	unsigned take = b->len < LITERAL_MAX - r.len ? b->len : LITERAL_MAX - r.len;

	memcpy(r.s + r.len, b->s, take);
	r.len += take;
	*out = r;
}

/* The last LITERAL_MAX bytes of A then B. */
static void literal_join_tail(struct literal *out, const struct literal *a,
			      const struct literal *b)
{
	char buf[2 * LITERAL_MAX];
	unsigned n = a->len + b->len, from = n > LITERAL_MAX ? n - LITERAL_MAX : 0;

	memcpy(buf, a->s, a->len);
	memcpy(buf + a->len, b->s, b->len);
	out->len = n - from;
	memcpy(out->s, buf + from, out->len);
}

/* The bytes where A's end meets B's start: A's tail and B's head, halved if too long. */
static void literal_junction(struct literal *out, const struct literal *a,
			     const struct literal *b)
{
	unsigned ta = a->len, tb = b->len;

	if (ta + tb > LITERAL_MAX) {
		unsigned half = LITERAL_MAX / 2;

		if (ta > half && tb > half)
			ta = tb = half;
		else if (ta > half)
			ta = LITERAL_MAX - tb;
		else
			tb = LITERAL_MAX - ta;
	}
	memcpy(out->s, a->s + a->len - ta, ta);
	memcpy(out->s + ta, b->s, tb);
	out->len = ta + tb;
}

/* A := A followed by B. */
static void frag_concat(struct fragment *a, const struct fragment *b)
{
	struct literal junction, pre, suf;

	if (a->exact && b->exact && a->pre.len + b->pre.len <= LITERAL_MAX) {
		literal_join_head(&a->pre, &a->pre, &b->pre);
		a->suf = a->pre;
		return;
	}
	literal_junction(&junction, &a->suf, &b->pre);
	if (a->exact)
		literal_join_head(&pre, &a->pre, &b->pre);
	else
		pre = a->pre;
	if (b->exact)
		literal_join_tail(&suf, &a->suf, &b->suf);
	else
		suf = b->suf;
	if (a->exact)
		frag_offer_literal(a, &a->pre);
	frag_offer(a, &b->req);
	frag_offer(a, &b->also);
	if (b->exact)
		frag_offer_literal(a, &b->pre);
	frag_offer_literal(a, &junction);
	frag_offer_literal(a, &pre);
	frag_offer_literal(a, &suf);
	a->exact = false;
	a->pre = pre;
	a->suf = suf;
}

/* The most telling requirement of F as a set (empty when nothing is known)
 * and, if ALSO, a second one apart from it. */
static void frag_best(const struct fragment *f, struct choice *best, struct choice *also)
{
	struct fragment g = *f;

	frag_offer_literal(&g, &g.pre);
	frag_offer_literal(&g, &g.suf);
	*best = g.req;
	if (also)
		*also = g.also;
}

/* ALT := ALT | B, ALT holding the first branch on the first call. */
static void frag_alternate(struct fragment *alt, const struct fragment *b)
{
	struct choice sa, sb;
	unsigned n = 0;

	frag_best(alt, &sa, NULL);
	frag_best(b, &sb, NULL);
	while (n < alt->pre.len && n < b->pre.len && alt->pre.s[n] == b->pre.s[n])
		n++;
	alt->pre.len = n;
	for (n = 0; n < alt->suf.len && n < b->suf.len &&
	     alt->suf.s[alt->suf.len - 1 - n] == b->suf.s[b->suf.len - 1 - n];)
		n++;
	memmove(alt->suf.s, alt->suf.s + alt->suf.len - n, n);
	alt->suf.len = n;
	alt->exact = false;
	alt->req.set.n = 0;
	alt->also.set.n = 0;
	if (!sa.set.n || !sb.set.n || sa.set.n + sb.set.n > LITERAL_SET_MAX)
		return;
	alt->req = sa;
	for (unsigned i = 0; i < sb.set.n; i++)
		alt->req.set.lit[alt->req.set.n++] = sb.set.lit[i];
	alt->req.share += sb.share;
}

/* F repeated MIN to MAX times (MAX == REPEAT_MANY: more than once). */
static void frag_repeat(struct fragment *f, unsigned min, unsigned max)
{
	if (min == 0) {
		frag_unknown(f);
		return;
	}
	if (max == 1)
		return;
	if (f->exact)
		frag_offer_literal(f, &f->pre);
	f->exact = false;
}

/* ---- the pattern ---- */

static bool at_end(const struct scan *sc)
{
	return sc->p >= sc->end;
}

/* Items PCRE2 skips (\Q, \E, comments, option settings): a quantifier after
 * one repeats the item before it, which this walk cannot undo. */
static void frag_transparent(struct scan *sc, struct fragment *f)
{
	frag_exact(f, "", 0);
	if (!at_end(sc) && strchr("*+?{", *sc->p))
		sc->bail = true;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_fold(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Skips a {...}, <...> or '...' argument of an escape; false if there is none. */
static bool skip_delimited(struct scan *sc)
{
	char close;

	if (at_end(sc))
		return false;
	switch (*sc->p) {
	case '{': close = '}'; break;
	case '<': close = '>'; break;
	case '\'': close = '\''; break;
	default: return false;
	}
	const char *c = memchr(sc->p + 1, close, sc->end - sc->p - 1);

	if (!c)
		return false;
	sc->p = c + 1;
	return true;
}

/* \x, \o, \0 and \c escapes (the letter already read): the byte, or -1. */
static int escape_code(struct scan *sc, char letter)
{
	int v = 0, digits = 0;

	switch (letter) {
	case 'x':
		if (!at_end(sc) && *sc->p == '{') {
			sc->p++;
			while (!at_end(sc) && hex_value(*sc->p) >= 0) {
				int d = hex_value(*sc->p++);

				v = v > 0xff ? v : v * 16 + d;    /* past a byte: too big anyway */
				digits++;
			}
			if (at_end(sc) || *sc->p != '}' || !digits || v > 0xff)
				return -1;
			sc->p++;
			return v;
		}
		while (!at_end(sc) && digits < 2 && hex_value(*sc->p) >= 0) {
			v = v * 16 + hex_value(*sc->p++);
			digits++;
		}
		return v;
	case 'o':
		if (at_end(sc) || *sc->p != '{')
			return -1;
		sc->p++;
		while (!at_end(sc) && *sc->p >= '0' && *sc->p <= '7' && digits < 4) {
			v = v * 8 + (*sc->p++ - '0');
			digits++;
		}
		if (at_end(sc) || *sc->p != '}' || !digits || v > 0xff)
			return -1;
		sc->p++;
		return v;
	case '0':
		while (!at_end(sc) && digits < 2 && *sc->p >= '0' && *sc->p <= '7') {
			v = v * 8 + (*sc->p++ - '0');
			digits++;
		}
		return v;
	case 'c':
		if (at_end(sc) || (unsigned char)*sc->p < 0x20 || (unsigned char)*sc->p > 0x7e)
			return -1;
		v = *sc->p++;
		if (v >= 'a' && v <= 'z')
			v -= 'a' - 'A';
		return v ^ 0x40;
	}
	return -1;
}

static int simple_escape(char letter)
{
	switch (letter) {
	case 'a': return 7;
	case 'e': return 27;
	case 'f': return 12;
	case 'n': return 10;
	case 'r': return 13;
	case 't': return 9;
	}
	return -1;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* An escape outside a class (after the backslash) as a fragment. */
static void parse_escape(struct scan *sc, struct fragment *f)
{
	char c = *sc->p++;
	char byte;
	int v;

	if (!is_alnum(c)) {
		byte = ascii_fold(c);
		frag_exact(f, &byte, 1);
		return;
	}
	switch (c) {
	case 'Q':
		sc->quoting = true;
		frag_exact(f, "", 0);
		return;
	case 'E':
		frag_transparent(sc, f);
		return;
	case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G': case 'K':
		frag_exact(f, "", 0);     /* zero width */
		return;
	case 'd': case 'D': case 'w': case 'W': case 's': case 'S': case 'h': case 'H':
	case 'v': case 'V': case 'N': case 'R': case 'X': case 'C':
		frag_unknown(f);
		return;
	case 'p': case 'P':
		if (!skip_delimited(sc)) {
			if (at_end(sc))
				sc->bail = true;
			else
				sc->p++;
		}
		frag_unknown(f);
		return;
	case 'g':
		if (!skip_delimited(sc)) {
			if (!at_end(sc) && (*sc->p == '+' || *sc->p == '-'))
				sc->p++;
			while (!at_end(sc) && *sc->p >= '0' && *sc->p <= '9')
				sc->p++;
		}
		frag_unknown(f);
		return;
	case 'k':
		if (!skip_delimited(sc))
			sc->bail = true;
		frag_unknown(f);
		return;
	case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
		/* a back reference, or an octal escape PCRE2 reads the same way:
		 * taking all the digits as one unknown item is right for both */
		while (!at_end(sc) && *sc->p >= '0' && *sc->p <= '9')
			sc->p++;
		frag_unknown(f);
		return;
	case 'x': case 'o': case '0': case 'c':
		v = escape_code(sc, c);
		break;
	default:
		v = simple_escape(c);
	}
	if (v < 0) {
		sc->bail = true;
		frag_unknown(f);
		return;
	}
	byte = ascii_fold(v);
	frag_exact(f, &byte, 1);
}

/* One member of a class (after '[' or a range's '-'): 0..255, -1 for \d-like
 * sets, -2 if not understood. */
static int class_member(struct scan *sc)
{
	if (at_end(sc))
		return -2;
	char c = *sc->p++;

	if (c != '\\')
		return (unsigned char)c;
	if (at_end(sc))
		return -2;
	c = *sc->p++;
	if (!is_alnum(c))
		return (unsigned char)c;
	switch (c) {
	case 'd': case 'D': case 'w': case 'W': case 's': case 'S': case 'h': case 'H':
	case 'v': case 'V':
		return -1;
	case 'p': case 'P':
		if (!skip_delimited(sc) && !at_end(sc))
			sc->p++;
		return -1;
	case 'b':
		return 8;
	case 'x': case 'o': case '0': case 'c': {
		int v = escape_code(sc, c);

		return v < 0 ? -2 : v;
	}
	}
	int v = simple_escape(c);

	return v < 0 ? -2 : v;
}

/* A POSIX class "[:name:]" at sc->p: skipped, true; otherwise untouched. */
static bool skip_posix_class(struct scan *sc)
{
	const char *q = sc->p + 2;

	if (sc->end - sc->p < 2 || sc->p[0] != '[' || sc->p[1] != ':')
		return false;
	if (q < sc->end && *q == '^')
		q++;
	while (q < sc->end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
		q++;
	if (sc->end - q < 2 || q[0] != ':' || q[1] != ']')
		return false;
	sc->p = q + 2;
	return true;
}

/* A class after its '[': one byte (all members fold to it) or unknown. */
static void parse_class(struct scan *sc, struct fragment *f)
{
	bool negated = false, complex = false, first = true;
	int only = -1;            /* the one folded byte seen so far, -2 for several */

	if (!at_end(sc) && *sc->p == '^') {
		negated = true;
		sc->p++;
	}
	for (;;) {
		if (at_end(sc)) {
			sc->bail = true;
			break;
		}
		if (*sc->p == ']' && !first) {
			sc->p++;
			break;
		}
		first = false;
		if (sc->end - sc->p > 1 && sc->p[0] == '[' &&
		    (sc->p[1] == '.' || sc->p[1] == '=')) {
			sc->bail = true;
			break;
		}
		if (skip_posix_class(sc)) {
			complex = true;
			continue;
		}
		if (sc->end - sc->p > 1 && sc->p[0] == '\\' && sc->p[1] == 'Q') {
			sc->bail = true;
			break;
		}
		if (sc->end - sc->p > 1 && sc->p[0] == '\\' && sc->p[1] == 'E') {
			sc->p += 2;
			continue;
		}
		int lo = class_member(sc), hi = lo;

		if (lo == -2) {
			sc->bail = true;
			break;
		}
		if (sc->end - sc->p > 1 && sc->p[0] == '-' && sc->p[1] != ']') {
			sc->p++;
			hi = class_member(sc);
			if (hi == -2 || lo < 0 || hi < 0) {
				/* PCRE2 takes "\d-x" as three members: unknown either way */
				if (hi == -2) {
					sc->bail = true;
					break;
				}
				complex = true;
				continue;
			}
		}
		if (lo < 0) {
			complex = true;
			continue;
		}
		for (int c = lo; c <= hi && only != -2; c++) {
			int fc = (unsigned char)ascii_fold(c);

			only = only == -1 || only == fc ? fc : -2;
		}
	}
	if (negated || complex || only < 0) {
		frag_unknown(f);
		return;
	}
	char byte = only;

	frag_exact(f, &byte, 1);
}

static void parse_alternation(struct scan *sc, struct fragment *out);

/* The body of a group up to and including its ')'. */
static void parse_group_body(struct scan *sc, struct fragment *f)
{
	if (++sc->depth > DEPTH_MAX) {
		sc->bail = true;
		frag_unknown(f);
		return;
	}
	parse_alternation(sc, f);
	sc->depth--;
	if (at_end(sc) || *sc->p != ')')
		sc->bail = true;
	else
		sc->p++;
}

/* Skips to just after the next ')' (subroutine calls, comments). */
static void skip_to_paren(struct scan *sc)
{
	const char *c = memchr(sc->p, ')', sc->end - sc->p);

	if (!c)
		sc->bail = true;
	else
		sc->p = c + 1;
}

/* A group after its '('. */
static void parse_group(struct scan *sc, struct fragment *f)
{
	struct fragment inner;

	frag_unknown(f);
	if (at_end(sc) || *sc->p == '*') {
		sc->bail = true;        /* verbs such as (*ACCEPT) change what must match */
		return;
	}
	if (*sc->p != '?') {
		parse_group_body(sc, f);
		return;
	}
	sc->p++;
	if (at_end(sc)) {
		sc->bail = true;
		return;
	}
	char c = *sc->p;
	char next = sc->end - sc->p > 1 ? sc->p[1] : 0;

	if (c == '#') {
		skip_to_paren(sc);
		frag_transparent(sc, f);
	} else if (c == ':' || c == '|' || c == '>') {
		sc->p++;
		parse_group_body(sc, f);
	} else if (c == '=' || c == '!' || (c == '<' && (next == '=' || next == '!'))) {
		sc->p += c == '<' ? 2 : 1;
		parse_group_body(sc, &inner);   /* a lookaround consumes nothing */
		frag_exact(f, "", 0);
	} else if (c == '<' || c == '\'' || (c == 'P' && next == '<')) {
		const char *close = memchr(sc->p + 1, c == '\'' ? '\'' : '>',
					   sc->end - sc->p - 1);

		if (!close) {
			sc->bail = true;
			return;
		}
		sc->p = close + 1;
		parse_group_body(sc, f);
	} else if (c == 'R' || c == '&' || c == '+' || (c >= '0' && c <= '9') ||
		   (c == '-' && next >= '0' && next <= '9') ||
		   (c == 'P' && (next == '=' || next == '>'))) {
		skip_to_paren(sc);            /* back reference or subroutine call */
	} else {
		/* option letters: "(?i)" sets them, "(?i:...)" is a group */
		const char *q = sc->p;

		while (q < sc->end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
				       *q == '-' || *q == '^')) {
			if (*q == 'x') {       /* extended syntax: spaces and '#' change meaning */
				sc->bail = true;
				return;
			}
			q++;
		}
		if (q == sc->end || (*q != ')' && *q != ':')) {
			sc->bail = true;        /* conditionals, callouts, ... */
			return;
		}
		sc->p = q + 1;
		if (*q == ')')
			frag_transparent(sc, f);
		else
			parse_group_body(sc, f);
	}
}

/* "{n}", "{n,}", "{n,m}" at sc->p: 1 with the bounds, 0 if '{' is a plain
 * byte, -1 if it is something PCRE2 versions disagree on ("{,3}", "{ 2 }"). */
static int parse_braces(struct scan *sc, unsigned *min, unsigned *max)
{
	const char *q = sc->p + 1;
	unsigned bound[2] = { 0, 0 }, digits[2] = { 0, 0 }, part = 0;
	bool spaces = false;

	for (; q < sc->end && *q != '}'; q++) {
		if (*q >= '0' && *q <= '9') {
			digits[part]++;
			if (bound[part] < 100000)
				bound[part] = bound[part] * 10 + (*q - '0');
		} else if (*q == ',' && !part) {
			part = 1;
		} else if (*q == ' ') {
			spaces = true;
		} else {
			return 0;
		}
	}
	if (q == sc->end)
		return 0;
	if (spaces || !digits[0])
		return -1;
	*min = bound[0];
	*max = !part ? bound[0] : digits[1] ? bound[1] : REPEAT_MANY;
	if (*max > 1)
		*max = REPEAT_MANY;
	sc->p = q + 1;
	return 1;
}

/* A quantifier after an atom, if any: applied to F. */
static void parse_quantifier(struct scan *sc, struct fragment *f)
{
	unsigned min, max;

	if (at_end(sc) || sc->quoting)
		return;
	switch (*sc->p) {
	case '*': min = 0; max = REPEAT_MANY; sc->p++; break;
	case '+': min = 1; max = REPEAT_MANY; sc->p++; break;
	case '?': min = 0; max = 1; sc->p++; break;
	case '{': {
		int r = parse_braces(sc, &min, &max);

		if (r < 0)
			sc->bail = true;
		if (r <= 0)
			return;
		break;
	}
	default:
		return;
	}
	if (!at_end(sc) && (*sc->p == '?' || *sc->p == '+'))
		sc->p++;                /* lazy or possessive: the same requirement */
	frag_repeat(f, min, max);
}

/* One item of a sequence; false at its end ('|', ')' or the pattern's end). */
static bool parse_atom(struct scan *sc, struct fragment *f)
{
	if (at_end(sc))
		return false;
	if (sc->quoting) {
		if (sc->end - sc->p > 1 && sc->p[0] == '\\' && sc->p[1] == 'E') {
			sc->quoting = false;
			sc->p += 2;
			frag_transparent(sc, f);
			return !sc->bail;
		}
		char byte = ascii_fold(*sc->p++);

		frag_exact(f, &byte, 1);
		return true;
	}
	char c = *sc->p;
	char byte;

	switch (c) {
	case '|':
	case ')':
		return false;
	case '(':
		sc->p++;
		parse_group(sc, f);
		break;
	case '[':
		sc->p++;
		parse_class(sc, f);
		break;
	case '.':
		sc->p++;
		frag_unknown(f);
		break;
	case '^':
	case '$':
		sc->p++;
		frag_exact(f, "", 0);
		break;
	case '\\':
		sc->p++;
		if (at_end(sc)) {
			sc->bail = true;
			return false;
		}
		parse_escape(sc, f);
		break;
	case '*':
	case '+':
	case '?':
		sc->bail = true;        /* a quantifier with nothing to repeat */
		return false;
	case '{': {
		unsigned min, max;

		if (parse_braces(sc, &min, &max)) {
			sc->bail = true;      /* a quantifier with nothing to repeat */
			return false;
		}
		sc->p++;
		frag_exact(f, "{", 1);
		break;
	}
	default:
		sc->p++;
		byte = ascii_fold(c);
		frag_exact(f, &byte, 1);
	}
	parse_quantifier(sc, f);
	return !sc->bail;
}

static void parse_sequence(struct scan *sc, struct fragment *out)
{
	struct fragment atom;

	frag_exact(out, "", 0);
	while (!sc->bail && parse_atom(sc, &atom))
		frag_concat(out, &atom);
}

static void parse_alternation(struct scan *sc, struct fragment *out)
{
	struct fragment branch;

	parse_sequence(sc, out);
	while (!sc->bail && !at_end(sc) && *sc->p == '|') {
		sc->p++;
		parse_sequence(sc, &branch);
		frag_alternate(out, &branch);
	}
}

int regex_required_literals(const char *pattern, size_t len, struct literal_set *out,
			    struct literal_set *also)
{
	struct scan sc = { .p = pattern, .end = pattern + len };
	struct fragment f;
	struct choice best, second;

	parse_alternation(&sc, &f);
	if (sc.bail || !at_end(&sc))
		return -ENOENT;
	frag_best(&f, &best, &second);
	*out = best.set;
	if (also) {
		*also = second.set;
		if (choice_share(&second) >= URL_SHARE_EVERY)
			also->n = 0;
	}
	return choice_share(&best) < URL_SHARE_EVERY ? 0 : -ENOENT;
}
