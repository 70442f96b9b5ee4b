/* The split-head buffer of the stream parsers (stream_buf.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "enforcer/stream/stream_buf.h"

#define STREAM_BUF_MIN 512

int stream_buf_append(uint8_t **buf, uint32_t *len, uint32_t *cap, const uint8_t *data,
		      size_t n, size_t max)
{
	size_t need = *len + n;

	if (need > *cap) {
		size_t size = *cap > STREAM_BUF_MIN ? *cap : STREAM_BUF_MIN;

		while (size < need)
			size *= 2;
		if (size > max)
			size = max;
		uint8_t *p = realloc(*buf, size);

		if (!p)
			return -ENOMEM;
		*buf = p;
		*cap = (uint32_t)size;
	}
	memcpy(*buf + *len, data, n);
	*len = (uint32_t)need;
	return 0;
}

void stream_buf_free(uint8_t **buf, uint32_t *len, uint32_t *cap)
{
	free(*buf);
	*buf = NULL;
	*len = *cap = 0;
}
