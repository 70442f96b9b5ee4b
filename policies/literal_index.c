/*
 * Literals of four bytes or more are found through one 4-byte window of each
 * (its "anchor", chosen to be as rare as the set allows): every position of
 * the subject hashes its window into a bitmap that fits in cache; only a set
 * bit leads to the bucket of literals anchored there, each then compared in
 * full. Windows are folded with | 0x20 on both sides, which maps a letter and
 * its capital together (and a few punctuation bytes too: the comparison that
 * follows is exact, caseless). Shorter literals go to a small Aho-Corasick
 * automaton. A big Aho-Corasick table over thousands of literals would miss
 * the cache on most bytes; the bitmap does not.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "policies/aho_corasick.h"
#include "policies/array.h"
#include "policies/ascii.h"
#include "policies/literal_index.h"
#include "policies/regex_literal.h"

#define GRAM 4
#define GRAM_FOLD 0x20202020u
#define GRAM_MULT 0x9e3779b1u
#define BITMAP_BITS_PER_LITERAL 64

struct item {
	char s[LITERAL_MAX];
	unsigned len;
	uint32_t value;
};

struct literal_index_builder {
	struct item *items;
	unsigned n;
};

struct anchored {
	uint32_t item;              /* index into items */
	uint32_t offset;            /* where the anchor sits in the literal */
};

struct bucket {
	uint32_t hash;              /* the window hash, UINT32_MAX: empty */
	uint32_t start, count;      /* into `anchored` */
};

struct literal_index {
	unsigned shift;             /* window hash = (window * GRAM_MULT) >> shift */
	uint64_t *bitmap;           /* 1 << (32 - shift) bits */
	struct bucket *buckets;
	uint32_t bucket_mask;
	struct anchored *anchored;
	struct item *items;
	size_t n_items;
	struct ac *short_literals;  /* under GRAM bytes; NULL if none */
};


struct literal_index_builder *literal_index_builder_new(void)
{
	return calloc(1, sizeof(struct literal_index_builder));
}

void literal_index_builder_free(struct literal_index_builder *b)
{
	if (!b)
		return;
	free(b->items);
	free(b);
}

int literal_index_add(struct literal_index_builder *b, const char *lit, size_t len,
		      uint32_t value)
{
	struct item it = { .len = len, .value = value };

	if (!len || len > LITERAL_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		it.s[i] = ascii_fold(lit[i]);
	return array_append(&b->items, &b->n, &it, sizeof(it));
}

void literal_index_free(struct literal_index *x)
{
	if (!x)
		return;
	free(x->bitmap);
	free(x->buckets);
	free(x->anchored);
	free(x->items);
	ac_free(x->short_literals);
	free(x);
}

static inline uint32_t window_hash(const struct literal_index *x, const char *p)
{
	uint32_t w;

	memcpy(&w, p, GRAM);
	return ((w | GRAM_FOLD) * GRAM_MULT) >> x->shift;
}

/* Windows that nearly every URL has: an anchor there would be checked always. */
static bool window_is_common(const char *w)
{
	static const char common[][GRAM + 1] = {
		"http", "ttp:", "tp:/", "p://", "ttps", "tps:", "ps:/", "s://", "://w", "//ww",
		"/www", "www.", ".com", ".net", ".org", "html", ".htm", "com/", "net/", "org/",
	};

	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		if (!memcmp(w, common[i], GRAM))
			return true;
	return false;
}

/* Picks each long literal's anchor: the window least frequent among all the
 * literals' windows (a stand-in for how often text has it: windows shared by
 * many literals are the language's common syllables), then the one whose
 * bucket is smallest so far; common URL windows only as a last resort. */
static size_t anchors_choose(struct literal_index *x, uint32_t *seen, uint32_t *chosen)
{
	size_t n = 0;

	for (size_t i = 0; i < x->n_items; i++)
		for (uint32_t off = 0; off + GRAM <= x->items[i].len; off++)
			seen[window_hash(x, x->items[i].s + off)]++;
	for (size_t i = 0; i < x->n_items; i++) {
		const struct item *it = &x->items[i];

		if (it->len < GRAM)
			continue;
		uint32_t best = 0;
		uint64_t best_cost = UINT64_MAX;

		for (uint32_t off = 0; off + GRAM <= it->len; off++) {
			uint32_t h = window_hash(x, it->s + off);
			uint64_t cost = (uint64_t)window_is_common(it->s + off) << 62 |
					(uint64_t)seen[h] << 32 | chosen[h];

			if (cost < best_cost) {
				best_cost = cost;
				best = off;
			}
		}
		chosen[window_hash(x, it->s + best)]++;
		x->anchored[n++] = (struct anchored){ .item = i, .offset = best };
	}
	return n;
}

static int cmp_anchored(const void *a, const void *b, void *arg)
{
	const struct literal_index *x = arg;
	const struct anchored *p = a, *q = b;
	uint32_t hp = window_hash(x, x->items[p->item].s + p->offset);
	uint32_t hq = window_hash(x, x->items[q->item].s + q->offset);

	if (hp != hq)
		return hp < hq ? -1 : 1;
	return p->item < q->item ? -1 : p->item > q->item;
}

static uint32_t bucket_slot(const struct literal_index *x, uint32_t h)
{
	uint32_t i = (h * 0x85ebca6bu) & x->bucket_mask;

	while (x->buckets[i].hash != UINT32_MAX && x->buckets[i].hash != h)
		i = (i + 1) & x->bucket_mask;
	return i;
}

static int windows_build(struct literal_index *x)
{
	size_t n_long = 0;
	unsigned bits = 10;

	for (size_t i = 0; i < x->n_items; i++)
		n_long += x->items[i].len >= GRAM;
	while (bits < 24 && (1ull << bits) < n_long * BITMAP_BITS_PER_LITERAL)
		bits++;
	x->shift = 32 - bits;
	x->bitmap = calloc((1ull << bits) / 64, sizeof(uint64_t));
	x->anchored = malloc((n_long ? n_long : 1) * sizeof(*x->anchored));
	uint32_t *seen = calloc(1ull << bits, sizeof(uint32_t));
	uint32_t *chosen = calloc(1ull << bits, sizeof(uint32_t));

	if (!x->bitmap || !x->anchored || !seen || !chosen) {
		free(seen);
		free(chosen);
		return -ENOMEM;
	}
	n_long = anchors_choose(x, seen, chosen);
	free(seen);
	free(chosen);
	qsort_r(x->anchored, n_long, sizeof(*x->anchored), cmp_anchored, x);

	size_t cap = 16;

	while (cap < n_long * 2)
		cap *= 2;
	x->buckets = malloc(cap * sizeof(*x->buckets));
	if (!x->buckets)
		return -ENOMEM;
	memset(x->buckets, 0xff, cap * sizeof(*x->buckets));
	x->bucket_mask = cap - 1;
	for (size_t i = 0; i < n_long; i++) {
		const struct anchored *a = &x->anchored[i];
		uint32_t h = window_hash(x, x->items[a->item].s + a->offset);
		struct bucket *b = &x->buckets[bucket_slot(x, h)];

		if (b->hash != h)
			*b = (struct bucket){ .hash = h, .start = i, .count = 0 };
		b->count++;
		x->bitmap[h / 64] |= 1ull << (h % 64);
	}
	return 0;
}

static int short_build(struct literal_index *x)
{
	struct ac_builder *b = NULL;

	for (size_t i = 0; i < x->n_items; i++) {
		const struct item *it = &x->items[i];

		if (it->len >= GRAM)
			continue;
		if (!b && !(b = ac_builder_new()))
			return -ENOMEM;
		if (ac_builder_add(b, it->s, it->len, it->value)) {
			ac_builder_free(b);
			return -ENOMEM;
		}
	}
	if (!b)
		return 0;
	x->short_literals = ac_build(b);
	return x->short_literals ? 0 : -errno;
}

struct literal_index *literal_index_build(struct literal_index_builder *b)
{
	struct literal_index *x = calloc(1, sizeof(*x));
	int err = -ENOMEM;

	if (x) {
		x->items = b->items;        /* taken over */
		x->n_items = b->n;
		b->items = NULL;
		err = windows_build(x);
		if (!err)
			err = short_build(x);
	}
	literal_index_builder_free(b);
	if (err) {
		literal_index_free(x);
		errno = -err;
		return NULL;
	}
	return x;
}

/* The literals anchored at window hash H, checked around position I. */
static void bucket_check(const struct literal_index *x, uint32_t h, const char *s, size_t len,
			 size_t i, literal_hit_fn fn, void *arg)
{
	const struct bucket *b = &x->buckets[bucket_slot(x, h)];

	for (uint32_t k = 0; k < b->count; k++) {
		const struct anchored *a = &x->anchored[b->start + k];
		const struct item *it = &x->items[a->item];
		unsigned j = 0;

		if (i < a->offset || i - a->offset + it->len > len)
			continue;
		const char *p = s + i - a->offset;

		while (j < it->len && ascii_fold(p[j]) == (unsigned char)it->s[j])
			j++;
		if (j == it->len)
			fn(it->value, arg);
	}
}

void literal_index_scan(const struct literal_index *x, const char *s, size_t len,
			literal_hit_fn fn, void *arg)
{
	if (x->short_literals)
		ac_scan(x->short_literals, s, len, fn, arg);
	for (size_t i = 0; i + GRAM <= len; i++) {
		uint32_t h = window_hash(x, s + i);

		if (x->bitmap[h / 64] & (1ull << (h % 64)))
			bucket_check(x, h, s, len, i, fn, arg);
	}
}

size_t literal_index_memory(const struct literal_index *x)
{
	return sizeof(*x) + (1ull << (32 - x->shift)) / 8 +
	       (x->bucket_mask + 1) * sizeof(struct bucket) +
	       x->n_items * (sizeof(struct item) + sizeof(struct anchored)) +
	       (x->short_literals ? ac_memory(x->short_literals) : 0);
}
