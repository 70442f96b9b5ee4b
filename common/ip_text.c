/* Addresses as text (ip_text.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "common/ip_text.h"

int ip_parse_mapped(const char *s, struct in6_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, &out->s6_addr[12]) == 1) {
		out->s6_addr[10] = out->s6_addr[11] = 0xff;
		return 0;
	}
	return inet_pton(AF_INET6, s, out) == 1 ? 0 : -EINVAL;
}

const char *ip_format_mapped(const struct in6_addr *a, char *buf, size_t len)
{
	if (IN6_IS_ADDR_V4MAPPED(a))
		return inet_ntop(AF_INET, &a->s6_addr[12], buf, (socklen_t)len);
	return inet_ntop(AF_INET6, a, buf, (socklen_t)len);
}
