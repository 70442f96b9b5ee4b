/* The per-worker flow table; design in flow.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "enforcer/stream/flow.h"

#define FLOW_NONE UINT32_MAX
#define SLOT_EMPTY 0              /* slot.entry holds entry index + 1 */

struct slot {
	uint32_t hash;
	uint32_t entry;
};

struct flow_table {
	struct flow_table_config cfg;
	size_t stride;                /* bytes per entry */
	unsigned char *entries;
	uint32_t free_head;           /* singly linked through lru_next */
	uint32_t used;                /* entries ever handed out (the rest are untouched) */
	uint32_t lru_head, lru_tail;  /* least, most recently active */
	struct slot *slots;
	uint32_t slot_mask;
	uint64_t seed;
	struct flow_stats stats;
};

/*
 * The copy behind flow_latest_request(): the strings one after the other,
 * each string's offset in `text`, or NO_STRING for NULL.
 */
#define NO_STRING UINT32_MAX
enum copy_field { COPY_METHOD, COPY_HOST, COPY_URL, COPY_PATH, COPY_TARGET, COPY_FIELDS };

struct flow_request_copy {
	struct timespec ts;
	uint32_t capacity;            /* bytes of text */
	uint8_t proto;
	unsigned flags;
	uint32_t at[COPY_FIELDS];
	char text[];
};

static struct flow *entry(const struct flow_table *t, uint32_t i)
{
	return (struct flow *)(t->entries + (size_t)i * t->stride);
}

static uint32_t entry_index(const struct flow_table *t, const struct flow *f)
{
	return (uint32_t)(((const unsigned char *)f - t->entries) / t->stride);
}

static uint64_t mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 32);
}

static uint32_t tuple_hash(const struct flow_table *t, const struct flow_tuple *k)
{
	uint64_t w[4], h = t->seed;
	uint32_t ports;

	memcpy(w, &k->client, 16);
	memcpy(w + 2, &k->server, 16);
	memcpy(&ports, &k->client_port, 4);
	for (unsigned i = 0; i < 4; i++)
		h = mix(h, w[i]);
	h = mix(h, ports);
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(h ^ (h >> 32));
}

static bool tuple_equal(const struct flow_tuple *a, const struct flow_tuple *b)
{
	return !memcmp(a, b, sizeof(*a));
}

_Static_assert(sizeof(struct flow_tuple) == 36, "flow_tuple has no padding to compare");

struct flow_table *flow_table_new(const struct flow_table_config *cfg)
{
	struct flow_table *t;
	uint64_t nslots = 2;

	if (!cfg->max_flows || cfg->max_flows >= FLOW_NONE / 2) {
		errno = EINVAL;
		return NULL;
	}
	while (nslots < 2ull * cfg->max_flows)
		nslots <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cfg = *cfg;
	t->stride = (sizeof(struct flow) + cfg->data_size + 7) & ~(size_t)7;
	t->entries = calloc(cfg->max_flows, t->stride);
	t->slots = calloc(nslots, sizeof(*t->slots));
	if (!t->entries || !t->slots) {
		flow_table_free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->slot_mask = (uint32_t)(nslots - 1);
	t->free_head = FLOW_NONE;
	t->lru_head = t->lru_tail = FLOW_NONE;
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != sizeof(t->seed))
		t->seed = (uint64_t)(uintptr_t)t ^ 0x5bd1e9955bd1e995ull;
	return t;
}

static void lru_unlink(struct flow_table *t, struct flow *f)
{
	if (f->lru_prev != FLOW_NONE)
		entry(t, f->lru_prev)->lru_next = f->lru_next;
	else
		t->lru_head = f->lru_next;
	if (f->lru_next != FLOW_NONE)
		entry(t, f->lru_next)->lru_prev = f->lru_prev;
	else
		t->lru_tail = f->lru_prev;
}

static void lru_append(struct flow_table *t, struct flow *f, uint32_t i)
{
	f->lru_prev = t->lru_tail;
	f->lru_next = FLOW_NONE;
	if (t->lru_tail != FLOW_NONE)
		entry(t, t->lru_tail)->lru_next = i;
	else
		t->lru_head = i;
	t->lru_tail = i;
}

static uint32_t slot_of(const struct flow_table *t, const struct flow *f, uint32_t i)
{
	uint32_t s = f->hash & t->slot_mask;

	while (t->slots[s].entry != i + 1)
		s = (s + 1) & t->slot_mask;
	return s;
}

/* Backward-shift deletion: later members of the probe run move up into the hole. */
static void slot_delete(struct flow_table *t, uint32_t hole)
{
	uint32_t j = hole;

	for (;;) {
		j = (j + 1) & t->slot_mask;
		if (t->slots[j].entry == SLOT_EMPTY)
			break;
		uint32_t home = t->slots[j].hash & t->slot_mask;

		/* j's element may fill the hole if its home is not in (hole, j] */
		if (((j - home) & t->slot_mask) >= ((j - hole) & t->slot_mask)) {
			t->slots[hole] = t->slots[j];
			hole = j;
		}
	}
	t->slots[hole].entry = SLOT_EMPTY;
}

static void flow_remove(struct flow_table *t, struct flow *f)
{
	uint32_t i = entry_index(t, f);

	if (t->cfg.release)
		t->cfg.release(t->cfg.arg, f);
	free(f->latest);
	slot_delete(t, slot_of(t, f, i));
	lru_unlink(t, f);
	f->lru_next = t->free_head;
	t->free_head = i;
	t->stats.active--;
}

void flow_table_free(struct flow_table *t)
{
	if (!t)
		return;
	while (t->entries && t->lru_head != FLOW_NONE)
		flow_remove(t, entry(t, t->lru_head));
	free(t->entries);
	free(t->slots);
	free(t);
}

struct flow *flow_lookup(struct flow_table *t, const struct flow_tuple *tuple)
{
	uint32_t h = tuple_hash(t, tuple);

	for (uint32_t s = h & t->slot_mask;; s = (s + 1) & t->slot_mask) {
		const struct slot *sl = &t->slots[s];

		if (sl->entry == SLOT_EMPTY)
			return NULL;
		if (sl->hash == h && tuple_equal(&entry(t, sl->entry - 1)->tuple, tuple))
			return entry(t, sl->entry - 1);
	}
}

struct flow *flow_insert(struct flow_table *t, const struct flow_tuple *tuple, int64_t now)
{
	struct flow *f;
	uint32_t i, s;

	if (t->stats.active == t->cfg.max_flows) {
		flow_remove(t, entry(t, t->lru_head));
		t->stats.evicted++;
	}
	if (t->free_head != FLOW_NONE) {
		i = t->free_head;
		t->free_head = entry(t, i)->lru_next;
	} else {
		i = t->used++;
	}
	f = entry(t, i);
	memset(f, 0, t->stride);
	f->tuple = *tuple;
	f->hash = tuple_hash(t, tuple);
	f->last_active = now;
	for (s = f->hash & t->slot_mask; t->slots[s].entry != SLOT_EMPTY; s = (s + 1) & t->slot_mask)
		;
	t->slots[s] = (struct slot){ .hash = f->hash, .entry = i + 1 };
	lru_append(t, f, i);
	t->stats.created++;
	t->stats.active++;
	return f;
}

void flow_touch(struct flow_table *t, struct flow *f, int64_t now)
{
	uint32_t i = entry_index(t, f);

	f->last_active = now;
	if (t->lru_tail == i)
		return;
	lru_unlink(t, f);
	lru_append(t, f, i);
}

void flow_close(struct flow_table *t, struct flow *f)
{
	flow_remove(t, f);
	t->stats.closed++;
}

unsigned flow_table_expire(struct flow_table *t, int64_t now)
{
	unsigned n = 0;

	while (t->lru_head != FLOW_NONE) {
		struct flow *f = entry(t, t->lru_head);

		if (now - f->last_active < (int64_t)t->cfg.idle_timeout)
			break;
		flow_remove(t, f);
		n++;
	}
	t->stats.expired += n;
	return n;
}

void flow_table_foreach(struct flow_table *t, void (*fn)(void *arg, struct flow *f), void *arg)
{
	for (uint32_t i = t->lru_head; i != FLOW_NONE; i = entry(t, i)->lru_next)
		fn(arg, entry(t, i));
}

const struct flow_stats *flow_table_stats(const struct flow_table *t)
{
	return &t->stats;
}

size_t flow_table_bytes_per_flow(const struct flow_table *t)
{
	return t->stride + ((size_t)t->slot_mask + 1) * sizeof(struct slot) / t->cfg.max_flows;
}

int flow_keep_request(struct flow *f, const struct request *r)
{
	const char *field[COPY_FIELDS] = {
		[COPY_METHOD] = r->method, [COPY_HOST] = r->host, [COPY_URL] = r->url,
		[COPY_PATH] = r->path, [COPY_TARGET] = r->target,
	};
	size_t len[COPY_FIELDS], need = 0;
	struct flow_request_copy *c = f->latest;
	bool path_in_url;

	for (unsigned i = 0; i < COPY_FIELDS; i++) {
		len[i] = field[i] ? strlen(field[i]) + 1 : 0;
		need += len[i];
	}
	/* the normalized URL normally ends with the path: share its bytes */
	path_in_url = len[COPY_PATH] && len[COPY_URL] >= len[COPY_PATH] &&
		!strcmp(field[COPY_URL] + len[COPY_URL] - len[COPY_PATH], field[COPY_PATH]);
	if (path_in_url)
		need -= len[COPY_PATH];
	if (need > UINT32_MAX / 2)
		return -ENOMEM;
	if (!c || c->capacity < need) {
		c = malloc(sizeof(*c) + need);
		if (!c)
			return -ENOMEM;
		free(f->latest);
		f->latest = c;
		c->capacity = (uint32_t)need;
	}
	c->ts = r->ts;
	c->proto = (uint8_t)r->proto;
	c->flags = r->flags;
	need = 0;
	for (unsigned i = 0; i < COPY_FIELDS; i++) {
		c->at[i] = field[i] ? (uint32_t)need : NO_STRING;
		if (i == COPY_PATH && path_in_url) {
			c->at[i] = c->at[COPY_URL] + (uint32_t)(len[COPY_URL] - len[COPY_PATH]);
			continue;
		}
		if (len[i])
			memcpy(c->text + need, field[i], len[i]);
		need += len[i];
	}
	return 0;
}

bool flow_latest_request(const struct flow *f, struct request *out)
{
	const struct flow_request_copy *c = f->latest;
	const char *field[COPY_FIELDS];

	if (!c)
		return false;
	for (unsigned i = 0; i < COPY_FIELDS; i++)
		field[i] = c->at[i] == NO_STRING ? NULL : c->text + c->at[i];
	*out = (struct request){
		.tuple = f->tuple, .ts = c->ts, .proto = (enum request_proto)c->proto,
		.flags = c->flags, .method = field[COPY_METHOD], .host = field[COPY_HOST],
		.url = field[COPY_URL], .path = field[COPY_PATH], .target = field[COPY_TARGET],
	};
	return true;
}
