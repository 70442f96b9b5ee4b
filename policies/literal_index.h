/*
 * The prefilter's scanner: reports every literal of a set that a subject
 * contains (ASCII-caseless), in one pass, at a cost that follows the
 * subject's length and barely the number of literals. Built once, then
 * read-only: any number of threads may scan at once.
 */
#ifndef UE_LITERAL_INDEX_H
#define UE_LITERAL_INDEX_H

#include <stddef.h>
#include <stdint.h>

struct literal_index;
struct literal_index_builder;

struct literal_index_builder *literal_index_builder_new(void);
/* A literal (1 to LITERAL_MAX bytes) and the value a hit reports. 0 or -errno. */
int literal_index_add(struct literal_index_builder *b, const char *lit, size_t len,
		      uint32_t value);
/* Builds the index and frees B (in any case). NULL with errno on failure. */
struct literal_index *literal_index_build(struct literal_index_builder *b);
void literal_index_builder_free(struct literal_index_builder *b);
void literal_index_free(struct literal_index *x);

typedef void (*literal_hit_fn)(uint32_t value, void *arg);
/* Calls FN for each literal occurrence in S (a value may come many times). */
void literal_index_scan(const struct literal_index *x, const char *s, size_t len,
			literal_hit_fn fn, void *arg);

size_t literal_index_memory(const struct literal_index *x);

#endif
