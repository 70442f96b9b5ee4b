/* Client address prefixes (client=, group): IPv4 kept as v4-mapped IPv6. */
#ifndef UE_CIDR_H
#define UE_CIDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

struct prefix {
	struct in6_addr addr;  /* host bits cleared */
	unsigned len;          /* 0..128; IPv4 /N is 96+N */
};

/*
 * "10.0.0.0/8", "192.0.2.7" (a /32), "fd00::/8", "::1". Host bits are
 * cleared. Returns 0, or -EINVAL with *WHY saying what is wrong.
 */
int prefix_parse(const char *s, size_t len, struct prefix *out, const char **why);
bool prefix_contains(const struct prefix *p, const struct in6_addr *a);
/* P as prefix_parse reads it: "10.0.0.0/24", "fd00::/64", a bare address for a host. */
void prefix_format(const struct prefix *p, char *buf, size_t len);
/* Every address of INNER is in OUTER. */
bool prefix_covers(const struct prefix *outer, const struct prefix *inner);

#endif
