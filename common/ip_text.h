/*
 * Addresses as text. Every address is kept as IPv6, IPv4 ones v4-mapped
 * (::ffff:a.b.c.d, struct flow_tuple); people and logs see IPv4 dotted.
 */
#ifndef UE_IP_TEXT_H
#define UE_IP_TEXT_H

#include <netinet/in.h>
#include <stddef.h>

/* An IPv4 (stored v4-mapped) or IPv6 address; 0 or -EINVAL. */
int ip_parse_mapped(const char *s, struct in6_addr *out);
/* A as text in BUF of LEN (INET6_ADDRSTRLEN): dotted IPv4 if v4-mapped, else RFC 5952. */
const char *ip_format_mapped(const struct in6_addr *a, char *buf, size_t len);

#endif
