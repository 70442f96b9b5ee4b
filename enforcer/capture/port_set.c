/* Port lists for --http-ports / --tls-ports. */
#include <errno.h>
#include <stdlib.h>

#include "enforcer/capture/port_set.h"

bool port_set_has(const struct port_set *set, uint16_t port)
{
	for (unsigned i = 0; i < set->n; i++)
		if (set->port[i] == port)
			return true;
	return false;
}

int port_set_parse(struct port_set *set, const char *list)
{
	struct port_set out = { .n = 0 };
	const char *p = list;

	for (;;) {
		char *end;
		unsigned long v;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v == 0 || v > 65535)
			return -EINVAL;
		if (!port_set_has(&out, v)) {
			if (out.n == UE_MAX_PORTS)
				return -E2BIG;
			out.port[out.n++] = v;
		}
		if (*end == 0)
			break;
		if (*end != ',')
			return -EINVAL;
		p = end + 1;
	}
	*set = out;
	return 0;
}
