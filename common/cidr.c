/* Parses and matches address prefixes. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cidr.h"

static void prefix_mask(struct in6_addr *a, unsigned len)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = len > i * 8 ? len - i * 8 : 0;

		if (bits < 8)
			a->s6_addr[i] &= (uint8_t)(0xff00 >> bits);
	}
}

int prefix_parse(const char *s, size_t len, struct prefix *out, const char **why)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	unsigned max, base;

	if (alen == 0 || alen >= INET6_ADDRSTRLEN) {
		*why = "not an IPv4 or IPv6 address";
		return -EINVAL;
	}
	memcpy(buf, s, alen);
	buf[alen] = 0;
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, &out->addr.s6_addr[12]) == 1) {
		out->addr.s6_addr[10] = 0xff;
		out->addr.s6_addr[11] = 0xff;
		max = 32;
		base = 96;
	} else if (inet_pton(AF_INET6, buf, &out->addr) == 1) {
		max = 128;
		base = 0;
	} else {
		*why = "not an IPv4 or IPv6 address";
		return -EINVAL;
	}
	unsigned plen = max;

	if (slash) {
		const char *p = slash + 1, *end = s + len;

		if (p == end || end - p > 3) {
			*why = "bad prefix length";
			return -EINVAL;
		}
		plen = 0;
		for (; p < end; p++) {
			if (*p < '0' || *p > '9') {
				*why = "bad prefix length";
				return -EINVAL;
			}
			plen = plen * 10 + (*p - '0');
		}
		if (plen > max) {
			*why = max == 32 ? "prefix length over 32" : "prefix length over 128";
			return -EINVAL;
		}
	}
	out->len = base + plen;
	prefix_mask(&out->addr, out->len);
	return 0;
}

bool prefix_contains(const struct prefix *p, const struct in6_addr *a)
{
	unsigned full = p->len / 8, rest = p->len % 8;

	if (memcmp(a, &p->addr, full))
		return false;
	return !rest || !((a->s6_addr[full] ^ p->addr.s6_addr[full]) & (0xff00 >> rest));
}

bool prefix_covers(const struct prefix *outer, const struct prefix *inner)
{
	return outer->len <= inner->len && prefix_contains(outer, &inner->addr);
}

void prefix_format(const struct prefix *p, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	bool v4 = IN6_IS_ADDR_V4MAPPED(&p->addr) && p->len >= 96;

	if (v4)
		inet_ntop(AF_INET, &p->addr.s6_addr[12], addr, sizeof(addr));
	else
		inet_ntop(AF_INET6, &p->addr, addr, sizeof(addr));
	if (p->len == 128)
		snprintf(buf, len, "%s", addr);
	else
		snprintf(buf, len, "%s/%u", addr, v4 ? p->len - 96 : p->len);
}
