/*
 * Kernel tests that need interfaces of their own run in a fresh, anonymous
 * network namespace: it vanishes with its last reference, so nothing is
 * left in `ip netns` even when a test fails half-way.
 */
#ifndef UE_TESTS_NETNS_H
#define UE_TESTS_NETNS_H

#include <stddef.h>

/*
 * Runs body(arg, why, why_len) in a fresh network namespace with lo up and
 * comes back to the original one whatever body does. body must not use the
 * ASSERT macros (they would leave the namespace behind): it returns 0, or
 * nonzero with the reason in why. Returns body's result, or -errno if the
 * namespace could not be made (why says so).
 */
int in_fresh_netns(int (*body)(void *arg, char *why, size_t why_len), void *arg,
		   char *why, size_t why_len);

/* Creates the veth pair a <-> b, both up, IPv6 off (no stray traffic). 0 or -1. */
int veth_pair_add(const char *a, const char *b);

#endif
