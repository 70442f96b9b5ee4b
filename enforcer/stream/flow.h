/*
 * The flow table of one worker: client->server TCP sessions by 4-tuple.
 *
 * - Bounded: at most max_flows entries, allocated up front as one array of
 *   fixed-size entries (the kernel backs only the pages that get used).
 * - O(1) lookup: open addressing with linear probing over a power-of-two
 *   slot array at most half full, a seeded hash of the tuple (flooding a
 *   bucket takes knowing the seed); deletion shifts back, no tombstones.
 * - Every flow sits on one recency list. When the table is full, a new flow
 *   evicts the least recently active one (counted). flow_table_expire()
 *   frees flows idle for idle_timeout seconds or more.
 * - Each entry carries `data_size` bytes for its owner (the pipeline keeps
 *   its reassembly and parser state there, no separate allocation); the
 *   owner's release() runs before any flow leaves the table, for whatever
 *   reason, to free what that state points to.
 *
 * Memory: sizeof(struct flow) + data_size rounded to 8, plus 16 bytes of
 * slots per flow; the latest request copy is allocated on its first request.
 */
#ifndef UE_FLOW_H
#define UE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/request.h"

#define FLOW_MAX_DEFAULT 262144
#define FLOW_IDLE_TIMEOUT_DEFAULT 300

struct flow_request_copy;

struct flow {
	struct flow_tuple tuple;
	uint32_t hash;
	uint32_t lru_prev, lru_next;     /* entry indices; FLOW_NONE ends the list */
	int64_t last_active;             /* seconds, the clock the owner feeds in */
	struct flow_request_copy *latest;
	_Alignas(8) unsigned char data[];  /* data_size bytes for the owner, zeroed at insert */
};

struct flow_stats {
	uint64_t created;
	uint64_t closed;                 /* removed by the owner (FIN, RST) */
	uint64_t expired;                /* idle */
	uint64_t evicted;                /* the table was full */
	uint64_t active;                 /* a count like the others: workers' stats add up */
};

struct flow_table_config {
	uint32_t max_flows;
	uint32_t idle_timeout;           /* seconds */
	size_t data_size;
	void (*release)(void *arg, struct flow *f);   /* may be NULL */
	void *arg;
};

struct flow_table;

/* Returns NULL and sets errno (EINVAL, ENOMEM). */
struct flow_table *flow_table_new(const struct flow_table_config *cfg);
void flow_table_free(struct flow_table *t);

struct flow *flow_lookup(struct flow_table *t, const struct flow_tuple *tuple);

/*
 * A new flow for TUPLE (not in the table), active at NOW, its data zeroed.
 * Evicts the least recently active flow when the table is full.
 */
struct flow *flow_insert(struct flow_table *t, const struct flow_tuple *tuple, int64_t now);

/* The flow saw a packet at NOW: it becomes the most recently active. */
void flow_touch(struct flow_table *t, struct flow *f, int64_t now);

/* The session ended: release and remove. */
void flow_close(struct flow_table *t, struct flow *f);

/* Remove every flow idle since NOW - idle_timeout or earlier; returns how many. */
unsigned flow_table_expire(struct flow_table *t, int64_t now);

/* Visit every flow, least recently active first. FN must not change the table. */
void flow_table_foreach(struct flow_table *t, void (*fn)(void *arg, struct flow *f),
			void *arg);

const struct flow_stats *flow_table_stats(const struct flow_table *t);

/* The bytes one flow costs in the table, before its lazy allocations. */
size_t flow_table_bytes_per_flow(const struct flow_table *t);

/*
 * Keep a compact copy of R as the flow's latest request (one allocation,
 * reused while it fits). Returns 0 or -ENOMEM (the old copy then stays).
 */
int flow_keep_request(struct flow *f, const struct request *r);

/* The latest request, pointing into the flow's copy; false if none. */
bool flow_latest_request(const struct flow *f, struct request *out);

#endif
