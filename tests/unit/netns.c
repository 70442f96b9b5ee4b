/* Fresh network namespaces for kernel tests; see netns.h. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/netns.h"

int in_fresh_netns(int (*body)(void *arg, char *why, size_t why_len), void *arg,
		   char *why, size_t why_len)
{
	int orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int ret;

	if (orig < 0 || unshare(CLONE_NEWNET)) {
		ret = -errno;
		snprintf(why, why_len, "new network namespace: %s", strerror(errno));
		if (orig >= 0)
			close(orig);
		return ret;
	}
	if (system("ip link set lo up") != 0) {
		snprintf(why, why_len, "ip link set lo up failed");
		ret = -EIO;
	} else {
		ret = body(arg, why, why_len);
	}
	if (setns(orig, CLONE_NEWNET)) {
		/* the rest of the run would happen in the wrong namespace */
		perror("setns back to the original network namespace");
		abort();
	}
	close(orig);
	return ret;
}

int veth_pair_add(const char *a, const char *b)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "ip link add %s type veth peer name %s && "
		 "sysctl -qw net.ipv6.conf.%s.disable_ipv6=1 net.ipv6.conf.%s.disable_ipv6=1 && "
		 "ip link set %s up && ip link set %s up", a, b, a, b, a, b);
	return system(cmd) == 0 ? 0 : -1;
}
