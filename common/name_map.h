/*
 * A hash map from names (byte strings) to lists of uint32 values, built once
 * and then read by any number of threads. Besides exact look-ups it visits
 * every label suffix of a host name ("a.b.c", "b.c", "c"), hashing the host
 * once from its right end, so a domain look-up costs one probe per label
 * whatever the number of names held.
 */
#ifndef UE_NAME_MAP_H
#define UE_NAME_MAP_H

#include <stddef.h>
#include <stdint.h>

struct name_map;

struct name_map *name_map_new(size_t expected);
void name_map_free(struct name_map *m);
/* Appends VALUE to NAME's list unless it is already there last. 0 or -ENOMEM. */
int name_map_add(struct name_map *m, const char *name, size_t len, uint32_t value);
/* NAME's values (*N of them), or NULL. */
const uint32_t *name_map_get(const struct name_map *m, const char *name, size_t len,
			     unsigned *n);

typedef void (*name_map_suffix_fn)(const uint32_t *values, unsigned n, void *arg);
/* Calls FN for each label suffix of HOST that the map holds, shortest first. */
void name_map_each_suffix(const struct name_map *m, const char *host, size_t len,
			  name_map_suffix_fn fn, void *arg);

size_t name_map_count(const struct name_map *m);
size_t name_map_memory(const struct name_map *m);

#endif
