/*
 * Attaching the blocklist programs at TC ingress and egress of an interface
 * through netlink (libbpf 1.1 has no TCX links). Our filters are the ones at
 * TC_UE_HANDLE / TC_UE_PRIORITY running a program whose name starts with
 * TC_UE_PROG_PREFIX. They outlive a crashed daemon: tc_remove_stale() clears
 * them at the next start.
 */
#ifndef UE_TC_ATTACH_H
#define UE_TC_ATTACH_H

#include <stdbool.h>

#define TC_UE_HANDLE      0x7565   /* "ue" */
#define TC_UE_PRIORITY    0x75     /* runs before filters added without a priority */
#define TC_UE_PROG_PREFIX "blk_"

struct tc_attachment {
	int ifindex;
	bool created_clsact;   /* the clsact qdisc is ours to remove */
	bool ingress, egress;  /* our filter is attached there */
};

/*
 * Creates the clsact qdisc if absent (remembering it), then attaches (or
 * replaces ours with) ingress_fd and egress_fd. All or nothing: on error
 * nothing of ours stays. Returns 0 or -errno.
 */
int tc_attach(struct tc_attachment *a, int ifindex, int ingress_fd, int egress_fd);
/*
 * Removes our filters, and the clsact qdisc if tc_attach created it. An
 * interface that is gone is not an error. Returns 0 or the first -errno.
 */
int tc_detach(struct tc_attachment *a);
/*
 * Removes our filters from every interface of the network namespace (a
 * crashed daemon's). Call before attaching. Returns how many were removed,
 * or -errno.
 */
int tc_remove_stale(void);

#endif
