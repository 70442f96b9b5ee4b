/*
 * A bounded queue of bytes in one buffer, for lines that one side writes
 * and another takes (the decision log's writer, a fleet's decision stream).
 * No lock of its own: its users hold theirs.
 */
#ifndef UE_BYTE_RING_H
#define UE_BYTE_RING_H

#include <stdbool.h>
#include <stddef.h>

struct byte_ring {
	char *buf;
	size_t cap, head, queued;
};

/* 0, or -ENOMEM. */
int byte_ring_init(struct byte_ring *r, size_t cap);
void byte_ring_free(struct byte_ring *r);

/* Appends P[0..N) whole, or nothing (false) when it does not fit. */
bool byte_ring_put(struct byte_ring *r, const void *p, size_t n);

/*
 * The oldest bytes that lie in one piece: *P and the length (0: empty).
 * They stay put while more is appended, until byte_ring_drop.
 */
size_t byte_ring_peek(const struct byte_ring *r, const char **p);
void byte_ring_drop(struct byte_ring *r, size_t n);

#endif
