/*
 * Open addressing with linear probing over 16-byte slots (hash, name offset,
 * value). Names live NUL-terminated in one arena. A name with one value keeps
 * it in its slot; more values move to a growable block in `lists`, marked by
 * the top bit. A blocked Bloom filter (one 64-bit word a name, two bits, 8
 * bits a slot) answers most misses from cache: a host's suffixes are mostly
 * absent, and with a million names every table probe would be a cache miss.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/name_map.h"

#define LIST_BIT 0x80000000u
#define DOMAIN_LABELS_MAX 128   /* a 253-byte name has at most 127 labels */

struct slot {
	uint64_t hash;        /* 0: empty */
	uint32_t name;        /* offset into the arena */
	uint32_t value;       /* the value, or LIST_BIT | offset of a block in lists */
};

struct name_map {
	struct slot *slots;
	size_t mask;
	uint64_t *bloom;            /* (mask + 1) / 8 words */
	size_t count;
	char *arena;
	size_t arena_len, arena_cap;
	uint32_t *lists;      /* blocks of [capacity, count, values...] */
	size_t lists_len, lists_cap;
};

/* FNV-1a fed from the last byte to the first, so every suffix of a name is a
 * prefix of the feed and one pass over a host yields all its suffix hashes. */
#define HASH_SEED 0xcbf29ce484222325ull
#define HASH_PRIME 0x100000001b3ull

static inline uint64_t hash_feed(uint64_t h, unsigned char c)
{
	return (h ^ c) * HASH_PRIME;
}

static inline uint64_t hash_final(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h ? h : 1;
}

static inline uint64_t bloom_bits(uint64_t h)
{
	return 1ull << ((h >> 20) & 63) | 1ull << ((h >> 26) & 63);
}

static inline uint64_t *bloom_word(const struct name_map *m, uint64_t h)
{
	return &m->bloom[(h >> 32) & (m->mask >> 3)];
}

static inline bool bloom_may_hold(const struct name_map *m, uint64_t h)
{
	uint64_t bits = bloom_bits(h);

	return (*bloom_word(m, h) & bits) == bits;
}

static uint64_t name_hash(const char *name, size_t len)
{
	uint64_t h = HASH_SEED;

	while (len)
		h = hash_feed(h, (unsigned char)name[--len]);
	return hash_final(h);
}

struct name_map *name_map_new(size_t expected)
{
	struct name_map *m = calloc(1, sizeof(*m));
	size_t cap = 16;

	if (!m)
		return NULL;
	while (cap < expected * 2)
		cap *= 2;
	m->slots = calloc(cap, sizeof(*m->slots));
	m->bloom = calloc(cap / 8, sizeof(*m->bloom));
	if (!m->slots || !m->bloom) {
		name_map_free(m);
		return NULL;
	}
	m->mask = cap - 1;
	return m;
}

void name_map_free(struct name_map *m)
{
	if (!m)
		return;
	free(m->slots);
	free(m->bloom);
	free(m->arena);
	free(m->lists);
	free(m);
}

static struct slot *slot_find(const struct name_map *m, uint64_t h, const char *name,
			      size_t len)
{
	for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
		struct slot *s = &m->slots[i];

		if (!s->hash)
			return s;
		if (s->hash == h && !memcmp(m->arena + s->name, name, len) &&
		    !m->arena[s->name + len])
			return s;
	}
}

static int map_grow(struct name_map *m)
{
	size_t cap = (m->mask + 1) * 2;
	struct slot *slots = calloc(cap, sizeof(*slots));
	uint64_t *bloom = calloc(cap / 8, sizeof(*bloom));

	if (!slots || !bloom) {
		free(slots);
		free(bloom);
		return -ENOMEM;
	}
	for (size_t i = 0; i <= m->mask; i++) {
		struct slot *s = &m->slots[i];

		if (!s->hash)
			continue;
		size_t j = s->hash & (cap - 1);

		while (slots[j].hash)
			j = (j + 1) & (cap - 1);
		slots[j] = *s;
		bloom[(s->hash >> 32) & ((cap - 1) >> 3)] |= bloom_bits(s->hash);
	}
	free(m->slots);
	free(m->bloom);
	m->slots = slots;
	m->bloom = bloom;
	m->mask = cap - 1;
	return 0;
}

static int grow_array(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t c = *cap ? *cap : 4096;

	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * elem);

	if (!q)
		return -ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}

/* Reserves a block for N values and as many more; the caller fills it. */
static int list_reserve(struct name_map *m, uint32_t n, uint32_t *off)
{
	uint32_t cap = n * 2;

	if (m->lists_len + 2 + cap >= LIST_BIT)
		return -ENOMEM;
	if (grow_array((void **)&m->lists, &m->lists_cap, m->lists_len + 2 + cap,
		       sizeof(uint32_t)))
		return -ENOMEM;
	*off = m->lists_len;
	m->lists[*off] = cap;
	m->lists[*off + 1] = n;
	m->lists_len += 2 + cap;
	return 0;
}

static int slot_append(struct name_map *m, struct slot *s, uint32_t value)
{
	uint32_t off;

	if (!(s->value & LIST_BIT)) {
		if (s->value == value)
			return 0;
		if (list_reserve(m, 2, &off))
			return -ENOMEM;
		m->lists[off + 2] = s->value;
		m->lists[off + 3] = value;
		s->value = LIST_BIT | off;
		return 0;
	}
	off = s->value & ~LIST_BIT;
	uint32_t cap = m->lists[off], n = m->lists[off + 1];

	if (m->lists[off + 2 + n - 1] == value)
		return 0;
	if (n == cap) {
		uint32_t grown;

		/* the old block stays behind as garbage: names rarely have many values */
		if (list_reserve(m, n, &grown))
			return -ENOMEM;
		memcpy(&m->lists[grown + 2], &m->lists[off + 2], n * sizeof(uint32_t));
		off = grown;
		s->value = LIST_BIT | off;
	}
	m->lists[off + 2 + n] = value;
	m->lists[off + 1] = n + 1;
	return 0;
}

int name_map_add(struct name_map *m, const char *name, size_t len, uint32_t value)
{
	uint64_t h = name_hash(name, len);
	struct slot *s = slot_find(m, h, name, len);

	if (s->hash)
		return slot_append(m, s, value);
	if (value & LIST_BIT || m->arena_len + len + 1 > UINT32_MAX)
		return -ENOMEM;
	if (grow_array((void **)&m->arena, &m->arena_cap, m->arena_len + len + 1, 1))
		return -ENOMEM;
	memcpy(m->arena + m->arena_len, name, len);
	m->arena[m->arena_len + len] = 0;
	s->hash = h;
	s->name = m->arena_len;
	s->value = value;
	*bloom_word(m, h) |= bloom_bits(h);
	m->arena_len += len + 1;
	if (++m->count * 2 > m->mask + 1)
		return map_grow(m);
	return 0;
}

static const uint32_t *slot_values(const struct name_map *m, const struct slot *s,
				   unsigned *n)
{
	if (!(s->value & LIST_BIT)) {
		*n = 1;
		return &s->value;
	}
	uint32_t off = s->value & ~LIST_BIT;

	*n = m->lists[off + 1];
	return &m->lists[off + 2];
}

const uint32_t *name_map_get(const struct name_map *m, const char *name, size_t len,
			     unsigned *n)
{
	uint64_t h = name_hash(name, len);

	if (!bloom_may_hold(m, h))
		return NULL;
	const struct slot *s = slot_find(m, h, name, len);

	return s->hash ? slot_values(m, s, n) : NULL;
}

void name_map_each_suffix(const struct name_map *m, const char *host, size_t len,
			  name_map_suffix_fn fn, void *arg)
{
	uint64_t hashes[DOMAIN_LABELS_MAX];
	size_t starts[DOMAIN_LABELS_MAX];
	unsigned n = 0;
	uint64_t h = HASH_SEED;

	if (!m->count)
		return;
	/* all the suffix hashes first, so the Bloom words (and then the slots)
	 * of every label are fetched from memory at once, not one after another */
	for (size_t i = len; i-- > 0 && n < DOMAIN_LABELS_MAX;) {
		h = hash_feed(h, (unsigned char)host[i]);
		if (i && host[i - 1] != '.')
			continue;
		hashes[n] = hash_final(h);
		starts[n] = i;
		__builtin_prefetch(bloom_word(m, hashes[n]));
		n++;
	}
	unsigned maybe = 0;

	for (unsigned k = 0; k < n; k++) {
		if (!bloom_may_hold(m, hashes[k]))
			continue;
		__builtin_prefetch(&m->slots[hashes[k] & m->mask]);
		hashes[maybe] = hashes[k];
		starts[maybe++] = starts[k];
	}
	for (unsigned k = 0; k < maybe; k++) {
		size_t i = starts[k];
		const struct slot *s = slot_find(m, hashes[k], host + i, len - i);

		if (s->hash) {
			unsigned nv;
			const uint32_t *v = slot_values(m, s, &nv);

			fn(v, nv, arg);
		}
	}
}

size_t name_map_count(const struct name_map *m)
{
	return m->count;
}

size_t name_map_memory(const struct name_map *m)
{
	return sizeof(*m) + (m->mask + 1) * (sizeof(struct slot) + 1) + m->arena_cap +
	       m->lists_cap * sizeof(uint32_t);
}
