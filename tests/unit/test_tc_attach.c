/*
 * TC attach and detach of the blocklist programs on a veth in a fresh
 * network namespace: clsact created only when absent and removed only if
 * ours, filters of a crashed run cleared by tc_remove_stale(), other
 * filters never touched.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "enforcer/enforce/blocklist.h"
#include "enforcer/enforce/tc_attach.h"
#include "tests/harness.h"
#include "tests/unit/netns.h"

#define FAIL_IF(cond, ...) do { if (cond) { \
	snprintf(why, why_len, __VA_ARGS__); goto out; } } while (0)

static int sh(const char *fmt, const char *ifname)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), fmt, ifname);
	return system(cmd) == 0;
}

static bool has_clsact(const char *ifname)
{
	return sh("tc qdisc show dev %s | grep -q clsact", ifname);
}

/* Our filter at both hooks, as `tc filter show` lists it. */
static int our_filters(const char *ifname)
{
	return sh("tc filter show dev %s ingress | grep -q blk_ingress", ifname) +
	       sh("tc filter show dev %s egress | grep -q blk_egress", ifname);
}

static int attach_body(void *arg, char *why, size_t why_len)
{
	struct blocklist *bl = NULL, *crashed = NULL;
	struct tc_attachment leaked;
	int ifindex, ret = 1, removed;

	(void)arg;
	FAIL_IF(veth_pair_add("uetc0", "uetc1"), "veth pair");
	ifindex = if_nametoindex("uetc0");

	/* no clsact before: created, then removed with our filters */
	bl = blocklist_open(&(struct blocklist_config){ .max_entries = 64 });
	FAIL_IF(!bl, "blocklist_open: %s", strerror(errno));
	FAIL_IF(blocklist_attach(bl, ifindex), "attach");
	FAIL_IF(our_filters("uetc0") != 2, "filters not listed after attach");
	FAIL_IF(blocklist_attach(bl, if_nametoindex("uetc1")), "attach second interface");
	FAIL_IF(our_filters("uetc1") != 2, "filters not listed on the second interface");
	blocklist_close(bl);
	bl = NULL;
	FAIL_IF(our_filters("uetc0") || our_filters("uetc1"), "filters left after close");
	FAIL_IF(has_clsact("uetc0"), "our clsact left after close");

	/* someone else's clsact and filter: both stay */
	FAIL_IF(!sh("tc qdisc add dev %s clsact", "uetc0") ||
		!sh("tc filter add dev %s ingress prio 1 u32 match u32 0 0", "uetc0"),
		"tc setup");
	bl = blocklist_open(&(struct blocklist_config){ .max_entries = 64 });
	FAIL_IF(!bl, "blocklist_open: %s", strerror(errno));
	FAIL_IF(blocklist_attach(bl, ifindex), "attach beside a foreign filter");
	FAIL_IF(our_filters("uetc0") != 2, "filters not listed");
	blocklist_close(bl);
	bl = NULL;
	FAIL_IF(our_filters("uetc0"), "filters left after close");
	FAIL_IF(!has_clsact("uetc0"), "a clsact we did not create was removed");
	FAIL_IF(!sh("tc filter show dev %s ingress | grep -q u32", "uetc0"),
		"the foreign filter was removed");

	/* a crashed daemon: its filters outlive it, the next start clears them */
	crashed = blocklist_open(&(struct blocklist_config){ .max_entries = 64 });
	FAIL_IF(!crashed, "blocklist_open: %s", strerror(errno));
	FAIL_IF(tc_attach(&leaked, if_nametoindex("uetc1"),
			  blocklist_prog_fd(crashed, BLOCKLIST_INGRESS),
			  blocklist_prog_fd(crashed, BLOCKLIST_EGRESS)), "tc_attach");
	blocklist_close(crashed);          /* knows nothing of the leaked attachment */
	crashed = NULL;
	FAIL_IF(our_filters("uetc1") != 2, "leaked filters did not stay");
	removed = tc_remove_stale();
	FAIL_IF(removed != 2, "tc_remove_stale removed %d", removed);
	FAIL_IF(our_filters("uetc1"), "stale filters left");
	FAIL_IF(!sh("tc filter show dev %s ingress | grep -q u32", "uetc0"),
		"tc_remove_stale removed a foreign filter");
	FAIL_IF(tc_remove_stale() != 0, "a second sweep found more");
	ret = 0;
out:
	blocklist_close(bl);
	blocklist_close(crashed);
	return ret;
}

void test_tc_attach_detach_and_stale(void)
{
	char why[256] = "";
	int ret;

	require_root();
	ret = in_fresh_netns(attach_body, NULL, why, sizeof(why));
	if (ret)
		harness_fail(__FILE__, __LINE__, "%s", why);
}
