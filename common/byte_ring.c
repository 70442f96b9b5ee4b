/* A bounded byte queue; see byte_ring.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/byte_ring.h"

int byte_ring_init(struct byte_ring *r, size_t cap)
{
	*r = (struct byte_ring){ .buf = malloc(cap), .cap = cap };
	return r->buf ? 0 : -ENOMEM;
}

void byte_ring_free(struct byte_ring *r)
{
	free(r->buf);
	r->buf = NULL;
}

bool byte_ring_put(struct byte_ring *r, const void *p, size_t n)
{
	size_t tail, first;

	if (n > r->cap - r->queued)
		return false;
	tail = (r->head + r->queued) % r->cap;
	first = n < r->cap - tail ? n : r->cap - tail;
	memcpy(r->buf + tail, p, first);
	memcpy(r->buf, (const char *)p + first, n - first);
	r->queued += n;
	return true;
}

size_t byte_ring_peek(const struct byte_ring *r, const char **p)
{
	*p = r->buf + r->head;
	return r->queued < r->cap - r->head ? r->queued : r->cap - r->head;
}

void byte_ring_drop(struct byte_ring *r, size_t n)
{
	r->head = (r->head + n) % r->cap;
	r->queued -= n;
}
