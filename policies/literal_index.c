/*
 * A literal of eight bytes or more is found through one 8-byte window of it,
 * one of four to seven bytes through a 4-byte window (its "anchor", chosen to
 * be as rare as the set allows): every position of the subject hashes its
 * windows into bitmaps that fit in cache; only a set bit leads to the bucket
 * of literals anchored there, each then compared in full. Windows are folded
 * with | 0x20 on both sides, which maps a letter and its capital together
 * (and a few punctuation bytes too: the comparison that follows is exact,
 * caseless). Shorter literals go to a small Aho-Corasick automaton. A big
 * Aho-Corasick table over thousands of literals would miss the cache on most
 * bytes; the bitmaps do not. Wide windows matter where words recur: a
 * 4-byte window of a literal is often a common syllable of the text too.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policies/aho_corasick.h"
#include "common/array.h"
#include "common/ascii.h"
#include "policies/literal_index.h"
#include "policies/regex_literal.h"
#include "policies/url_model.h"

#define NARROW 4
#define WIDE 8
#define BITMAP_BITS_PER_LITERAL 64
/* Below this many literals of WIDE bytes, 4-byte windows are rare enough
 * and a second hash at every position would cost more than it saves. */
#define WIDE_MIN_LITERALS 2048

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

/* The literals found through windows of one width. */
struct window_set {
	unsigned width;             /* NARROW or WIDE */
	unsigned shift;             /* a window's hash: its top bits, see window_hash */
	uint64_t *bitmap;           /* one bit a hash */
	struct bucket *buckets;
	uint32_t bucket_mask;
	struct anchored *anchored;
	size_t n;
};

struct literal_index {
	size_t wide_from;           /* literals this long use wide windows: WIDE or never */
	struct window_set narrow;   /* literals of NARROW bytes to wide_from - 1 */
	struct window_set wide;     /* wide_from bytes and more */
	struct item *items;
	size_t n_items;
	struct ac *short_literals;  /* under NARROW bytes; NULL if none */
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

static void window_set_release(struct window_set *ws)
{
	free(ws->bitmap);
	free(ws->buckets);
	free(ws->anchored);
}

void literal_index_free(struct literal_index *x)
{
	if (!x)
		return;
	window_set_release(&x->narrow);
	window_set_release(&x->wide);
	free(x->items);
	ac_free(x->short_literals);
	free(x);
}

static inline uint32_t hash_narrow(unsigned shift, const char *p)
{
	uint32_t w;

	memcpy(&w, p, NARROW);
	return ((w | 0x20202020u) * 0x9e3779b1u) >> shift;
}

static inline uint32_t hash_wide(unsigned shift, const char *p)
{
	uint64_t w;

	memcpy(&w, p, WIDE);
	return ((w | 0x2020202020202020ull) * 0x9e3779b97f4a7c15ull) >> shift;
}

static uint32_t window_hash(const struct window_set *ws, const char *p)
{
	return ws->width == WIDE ? hash_wide(ws->shift, p) : hash_narrow(ws->shift, p);
}

static inline bool bitmap_has(const uint64_t *bitmap, uint32_t h)
{
	return bitmap[h / 64] & (1ull << (h % 64));
}

/* An anchor in this share of URLs or more would be checked nearly always. */
#define ANCHOR_COMMON_SHARE 0.05

static bool in_set(const struct literal_index *x, const struct window_set *ws,
		   const struct item *it)
{
	if (ws->width == WIDE)
		return it->len >= x->wide_from;
	return it->len >= NARROW && it->len < x->wide_from;
}

/* Picks each literal's anchor: common URL windows only as a last resort,
 * then the window least frequent among all the literals' windows (a
 * stand-in for how often text has it: windows shared by many literals are
 * the language's common syllables), then the one whose bucket is smallest
 * so far. */
static void anchors_choose(const struct literal_index *x, struct window_set *ws,
			   uint32_t *seen, uint32_t *chosen)
{
	size_t n = 0;

	for (size_t i = 0; i < x->n_items; i++)
		for (uint32_t off = 0; off + ws->width <= x->items[i].len; off++)
			seen[window_hash(ws, x->items[i].s + off)]++;
	for (size_t i = 0; i < x->n_items; i++) {
		const struct item *it = &x->items[i];

		if (!in_set(x, ws, it))
			continue;
		uint32_t best = 0;
		uint64_t best_cost = UINT64_MAX;

		for (uint32_t off = 0; off + ws->width <= it->len; off++) {
			uint32_t h = window_hash(ws, it->s + off);
			bool common = url_share(it->s + off, ws->width) >= ANCHOR_COMMON_SHARE;
			uint64_t cost = (uint64_t)common << 63 |
					(uint64_t)seen[h] << 32 | chosen[h];

			if (cost < best_cost) {
				best_cost = cost;
				best = off;
			}
		}
		chosen[window_hash(ws, it->s + best)]++;
		ws->anchored[n++] = (struct anchored){ .item = i, .offset = best };
	}
}

struct sort_ctx {
	const struct literal_index *x;
	const struct window_set *ws;
};

static int cmp_anchored(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *c = arg;
	const struct anchored *p = a, *q = b;
	uint32_t hp = window_hash(c->ws, c->x->items[p->item].s + p->offset);
	uint32_t hq = window_hash(c->ws, c->x->items[q->item].s + q->offset);

	if (hp != hq)
		return hp < hq ? -1 : 1;
	return p->item < q->item ? -1 : p->item > q->item;
}

static uint32_t bucket_slot(const struct window_set *ws, uint32_t h)
{
	uint32_t i = (h * 0x85ebca6bu) & ws->bucket_mask;

	while (ws->buckets[i].hash != UINT32_MAX && ws->buckets[i].hash != h)
		i = (i + 1) & ws->bucket_mask;
	return i;
}

static int window_set_build(const struct literal_index *x, struct window_set *ws,
			    unsigned width)
{
	unsigned bits = 10;
	int err = -ENOMEM;

	ws->width = width;
	for (size_t i = 0; i < x->n_items; i++)
		ws->n += in_set(x, ws, &x->items[i]);
	while (bits < 24 && (1ull << bits) < ws->n * BITMAP_BITS_PER_LITERAL)
		bits++;
	ws->shift = (width == WIDE ? 64 : 32) - bits;
	ws->bitmap = calloc((1ull << bits) / 64, sizeof(uint64_t));
	ws->anchored = malloc((ws->n ? ws->n : 1) * sizeof(*ws->anchored));
	uint32_t *seen = calloc(1ull << bits, sizeof(uint32_t));
	uint32_t *chosen = calloc(1ull << bits, sizeof(uint32_t));
	size_t cap = 16;

	if (!ws->bitmap || !ws->anchored || !seen || !chosen)
		goto out;
	anchors_choose(x, ws, seen, chosen);
	qsort_r(ws->anchored, ws->n, sizeof(*ws->anchored), cmp_anchored,
		&(struct sort_ctx){ .x = x, .ws = ws });
	while (cap < ws->n * 2)
		cap *= 2;
	ws->buckets = malloc(cap * sizeof(*ws->buckets));
	if (!ws->buckets)
		goto out;
	memset(ws->buckets, 0xff, cap * sizeof(*ws->buckets));
	ws->bucket_mask = cap - 1;
	for (size_t i = 0; i < ws->n; i++) {
		const struct anchored *a = &ws->anchored[i];
		uint32_t h = window_hash(ws, x->items[a->item].s + a->offset);
		struct bucket *b = &ws->buckets[bucket_slot(ws, h)];

		if (b->hash != h)
			*b = (struct bucket){ .hash = h, .start = i, .count = 0 };
		b->count++;
		ws->bitmap[h / 64] |= 1ull << (h % 64);
	}
	err = 0;
out:
	free(seen);
	free(chosen);
	return err;
}

static int short_build(struct literal_index *x)
{
	struct ac_builder *b = NULL;

	for (size_t i = 0; i < x->n_items; i++) {
		const struct item *it = &x->items[i];

		if (it->len >= NARROW)
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
		size_t wide = 0;

		x->items = b->items;        /* taken over */
		x->n_items = b->n;
		b->items = NULL;
		for (size_t i = 0; i < x->n_items; i++)
			wide += x->items[i].len >= WIDE;
		x->wide_from = wide >= WIDE_MIN_LITERALS ? WIDE : SIZE_MAX;
		err = window_set_build(x, &x->narrow, NARROW);
		if (!err)
			err = window_set_build(x, &x->wide, WIDE);
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

/* The literals of WS anchored at window hash H, checked around position I. */
static void bucket_check(const struct literal_index *x, const struct window_set *ws,
			 uint32_t h, const char *s, size_t len, size_t i, literal_hit_fn fn,
			 void *arg)
{
	const struct bucket *b = &ws->buckets[bucket_slot(ws, h)];

	for (uint32_t k = 0; k < b->count; k++) {
		const struct anchored *a = &ws->anchored[b->start + k];
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

static inline void narrow_at(const struct literal_index *x, const char *s, size_t len, size_t i,
			     literal_hit_fn fn, void *arg)
{
	uint32_t h = hash_narrow(x->narrow.shift, s + i);

	if (bitmap_has(x->narrow.bitmap, h))
		bucket_check(x, &x->narrow, h, s, len, i, fn, arg);
}

void literal_index_scan(const struct literal_index *x, const char *s, size_t len,
			literal_hit_fn fn, void *arg)
{
	size_t i = 0;

	if (x->short_literals)
		ac_scan(x->short_literals, s, len, fn, arg);
	if (x->wide.n) {
		for (; i + WIDE <= len; i++) {
			uint32_t h = hash_wide(x->wide.shift, s + i);

			if (bitmap_has(x->wide.bitmap, h))
				bucket_check(x, &x->wide, h, s, len, i, fn, arg);
			if (x->narrow.n)
				narrow_at(x, s, len, i, fn, arg);
		}
	}
	if (x->narrow.n)
		for (; i + NARROW <= len; i++)
			narrow_at(x, s, len, i, fn, arg);
}

static size_t window_set_memory(const struct window_set *ws)
{
	unsigned bits = (ws->width == WIDE ? 64 : 32) - ws->shift;

	return (1ull << bits) / 8 + (ws->bucket_mask + 1) * sizeof(struct bucket) +
	       ws->n * sizeof(struct anchored);
}

size_t literal_index_memory(const struct literal_index *x)
{
	return sizeof(*x) + window_set_memory(&x->narrow) + window_set_memory(&x->wide) +
	       x->n_items * sizeof(struct item) +
	       (x->short_literals ? ac_memory(x->short_literals) : 0);
}
