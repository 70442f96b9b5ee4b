/*
 * A set of TCP/UDP ports as the kernel programs take it: at most
 * UE_MAX_PORTS ports, host byte order, from a list like "80,8000,8080".
 */
#ifndef UE_PORT_SET_H
#define UE_PORT_SET_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/kern_user.h"

struct port_set {
	uint16_t port[UE_MAX_PORTS];
	unsigned n;
};

/* "80,8000,8080" -> set; 0, -EINVAL (not a port 1-65535), -E2BIG (too many).
 * Duplicates are kept once. */
int port_set_parse(struct port_set *set, const char *list);
bool port_set_has(const struct port_set *set, uint16_t port);

#endif
