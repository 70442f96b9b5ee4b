/*
 * The trie of the literals becomes a full transition table: row r of `delta`
 * holds, for each byte class, the next state's row offset; the top bit marks
 * a state that ends a literal (itself or through its failure chain), so the
 * scan loop is one load and one test a byte. States are numbered breadth
 * first: the shallow ones, where a scan spends most of its time, share cache
 * lines. Literals are cut to AC_LITERAL_MAX bytes (any part of a required
 * literal is required too), which bounds the table.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/aho_corasick.h"
#include "common/array.h"
#include "common/ascii.h"

#define AC_LITERAL_MAX 24
#define HIT_BIT 0x80000000u

struct ac_item {
	char s[AC_LITERAL_MAX];
	unsigned len;
	uint32_t value;
};

struct ac_builder {
	struct ac_item *items;
	unsigned n;
};

struct ac {
	uint8_t cls[256];       /* byte -> class; upper case shares lower case's */
	unsigned nclass;
	unsigned nstates;
	uint32_t *delta;        /* nstates * nclass: next row offset | HIT_BIT */
	uint32_t *out_start;    /* per state: its own values in `values` */
	uint32_t *out_count;
	uint32_t *dict;         /* per state: nearest state with values on its failure chain */
	uint32_t *values;
};


struct ac_builder *ac_builder_new(void)
{
	return calloc(1, sizeof(struct ac_builder));
}

void ac_builder_free(struct ac_builder *b)
{
	if (!b)
		return;
	free(b->items);
	free(b);
}

int ac_builder_add(struct ac_builder *b, const char *lit, size_t len, uint32_t value)
{
	struct ac_item it = { .len = len < AC_LITERAL_MAX ? len : AC_LITERAL_MAX, .value = value };

	if (!len)
		return -EINVAL;
	for (unsigned i = 0; i < it.len; i++)
		it.s[i] = ascii_fold(lit[i]);
	return array_append(&b->items, &b->n, &it, sizeof(it));
}

void ac_free(struct ac *a)
{
	if (!a)
		return;
	free(a->delta);
	free(a->out_start);
	free(a->out_count);
	free(a->dict);
	free(a->values);
	free(a);
}

static void classes_assign(struct ac *a, const struct ac_builder *b)
{
	uint8_t used[256] = { 0 };

	for (size_t i = 0; i < b->n; i++)
		for (unsigned j = 0; j < b->items[i].len; j++)
			used[(unsigned char)b->items[i].s[j]] = 1;
	a->nclass = 1;              /* class 0: bytes in no literal */
	for (unsigned c = 0; c < 256; c++)
		a->cls[c] = used[c] ? a->nclass++ : 0;
	for (unsigned c = 'A'; c <= 'Z'; c++)
		a->cls[c] = a->cls[c + ('a' - 'A')];
}

/* The trie, numbered in insertion order; `goto` rows with 0 for no child. */
struct trie {
	uint32_t *next;             /* nstates * nclass state numbers */
	uint32_t *end_first;        /* per state: first literal ending here, or -1 */
	uint32_t *end_link;         /* per literal: next literal ending at the same state */
	unsigned nstates, cap;
};

static int trie_add_state(struct trie *t, unsigned nclass)
{
	if (t->nstates == t->cap) {
		unsigned cap = t->cap ? t->cap * 2 : 256;
		uint32_t *next = realloc(t->next, (size_t)cap * nclass * sizeof(uint32_t));

		if (!next)
			return -ENOMEM;
		t->next = next;
		uint32_t *ef = realloc(t->end_first, cap * sizeof(uint32_t));

		if (!ef)
			return -ENOMEM;
		t->end_first = ef;
		t->cap = cap;
	}
	memset(&t->next[(size_t)t->nstates * nclass], 0, nclass * sizeof(uint32_t));
	t->end_first[t->nstates] = UINT32_MAX;
	return t->nstates++;
}

static int trie_build(struct trie *t, const struct ac *a, const struct ac_builder *b)
{
	if (trie_add_state(t, a->nclass) < 0)
		return -ENOMEM;
	t->end_link = malloc((b->n ? b->n : 1) * sizeof(uint32_t));
	if (!t->end_link)
		return -ENOMEM;
	for (size_t i = 0; i < b->n; i++) {
		const struct ac_item *it = &b->items[i];
		uint32_t s = 0;

		for (unsigned j = 0; j < it->len; j++) {
			uint32_t *slot = &t->next[(size_t)s * a->nclass + a->cls[(unsigned char)it->s[j]]];

			if (!*slot) {
				int ns = trie_add_state(t, a->nclass);

				if (ns < 0)
					return -ENOMEM;
				/* trie_add_state may have moved the table */
				slot = &t->next[(size_t)s * a->nclass + a->cls[(unsigned char)it->s[j]]];
				*slot = ns;
			}
			s = *slot;
		}
		t->end_link[i] = t->end_first[s];
		t->end_first[s] = i;
	}
	return 0;
}

static void trie_release(struct trie *t)
{
	free(t->next);
	free(t->end_first);
	free(t->end_link);
}

/* Breadth-first order of the trie's states, with each one's failure state. */
static int bfs_order(const struct trie *t, unsigned nclass, uint32_t *order, uint32_t *fail,
		     uint32_t *rank)
{
	unsigned head = 0, tail = 0;

	order[tail++] = 0;
	fail[0] = 0;
	while (head < tail) {
		uint32_t s = order[head++];

		for (unsigned c = 0; c < nclass; c++) {
			uint32_t child = t->next[(size_t)s * nclass + c];

			if (!child)
				continue;
			order[tail++] = child;
			if (s == 0) {
				fail[child] = 0;
				continue;
			}
			uint32_t f = fail[s];

			while (f && !t->next[(size_t)f * nclass + c])
				f = fail[f];
			uint32_t via = t->next[(size_t)f * nclass + c];

			fail[child] = via != child ? via : 0;
		}
	}
	for (unsigned i = 0; i < tail; i++)
		rank[order[i]] = i;
	return 0;
}

static int ac_fill(struct ac *a, const struct trie *t, const struct ac_builder *b)
{
	unsigned n = t->nstates, nc = a->nclass;
	uint32_t *order = malloc(n * sizeof(uint32_t)), *fail = malloc(n * sizeof(uint32_t));
	uint32_t *rank = malloc(n * sizeof(uint32_t));
	int err = -ENOMEM;

	a->nstates = n;
	a->delta = malloc((size_t)n * nc * sizeof(uint32_t));
	a->out_start = calloc(n, sizeof(uint32_t));
	a->out_count = calloc(n, sizeof(uint32_t));
	a->dict = calloc(n, sizeof(uint32_t));
	a->values = malloc((b->n ? b->n : 1) * sizeof(uint32_t));
	if (!order || !fail || !rank || !a->delta || !a->out_start || !a->out_count ||
	    !a->dict || !a->values)
		goto out;
	bfs_order(t, nc, order, fail, rank);
	/* values and dictionary links, in BFS order so failure states come first */
	uint32_t nvalues = 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t s = order[i], r = i;

		a->out_start[r] = nvalues;
		for (uint32_t l = t->end_first[s]; l != UINT32_MAX; l = t->end_link[l])
			a->values[nvalues++] = b->items[l].value;
		a->out_count[r] = nvalues - a->out_start[r];
		if (s) {
			uint32_t fr = rank[fail[s]];

			a->dict[r] = a->out_count[fr] ? fr : a->dict[fr];
		}
	}
	/* full rows: a missing edge goes where the failure state's edge goes */
	for (unsigned i = 0; i < n; i++) {
		uint32_t s = order[i], r = i;

		for (unsigned c = 0; c < nc; c++) {
			uint32_t child = t->next[(size_t)s * nc + c];
			uint32_t target;

			if (child)
				target = rank[child];
			else if (s)
				target = (a->delta[(size_t)rank[fail[s]] * nc + c] & ~HIT_BIT) / nc;
			else
				target = 0;
			a->delta[(size_t)r * nc + c] = target * nc |
				(a->out_count[target] || a->dict[target] ? HIT_BIT : 0);
		}
	}
	err = 0;
out:
	free(order);
	free(fail);
	free(rank);
	return err;
}

struct ac *ac_build(struct ac_builder *b)
{
	struct ac *a = calloc(1, sizeof(*a));
	struct trie t = { 0 };
	int err = -ENOMEM;

	if (!a)
		goto out;
	classes_assign(a, b);
	err = trie_build(&t, a, b);
	if (!err && (size_t)t.nstates * a->nclass >= HIT_BIT)
		err = -E2BIG;
	if (!err)
		err = ac_fill(a, &t, b);
out:
	trie_release(&t);
	ac_builder_free(b);
	if (err) {
		ac_free(a);
		errno = -err;
		return NULL;
	}
	return a;
}

static void report(const struct ac *a, uint32_t state, ac_hit_fn fn, void *arg)
{
	for (uint32_t s = state; s; s = a->dict[s])
		for (uint32_t i = 0; i < a->out_count[s]; i++)
			fn(a->values[a->out_start[s] + i], arg);
}

void ac_scan(const struct ac *a, const char *s, size_t len, ac_hit_fn fn, void *arg)
{
	const uint32_t *delta = a->delta;
	const uint8_t *cls = a->cls;
	uint32_t row = 0;

	for (size_t i = 0; i < len; i++) {
		uint32_t next = delta[row + cls[(unsigned char)s[i]]];

		row = next & ~HIT_BIT;
		if (next & HIT_BIT)
			report(a, row / a->nclass, fn, arg);
	}
}

size_t ac_memory(const struct ac *a)
{
	return sizeof(*a) + (size_t)a->nstates * (a->nclass + 3) * sizeof(uint32_t);
}
