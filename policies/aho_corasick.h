/*
 * A multi-literal scanner (Aho-Corasick compiled to a DFA over byte classes):
 * one pass over a subject reports the value of every literal it contains.
 * Literals and subjects are compared ASCII-caseless. Built once, then
 * read-only: any number of threads may scan at once.
 */
#ifndef UE_AHO_CORASICK_H
#define UE_AHO_CORASICK_H

#include <stddef.h>
#include <stdint.h>

struct ac;
struct ac_builder;

struct ac_builder *ac_builder_new(void);
/* Adds a literal (non-empty) and the value a hit reports. 0 or -ENOMEM. */
int ac_builder_add(struct ac_builder *b, const char *lit, size_t len, uint32_t value);
/* Builds the scanner and frees B (in any case). NULL with errno on failure. */
struct ac *ac_build(struct ac_builder *b);
void ac_builder_free(struct ac_builder *b);
void ac_free(struct ac *a);

typedef void (*ac_hit_fn)(uint32_t value, void *arg);
/* Calls FN for each literal occurrence in S (a value may come many times). */
void ac_scan(const struct ac *a, const char *s, size_t len, ac_hit_fn fn, void *arg);

size_t ac_memory(const struct ac *a);

#endif
