/* Netlink TC attach/detach of the blocklist programs, via libbpf. */
#include <errno.h>
#include <stdarg.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "enforcer/enforce/tc_attach.h"

/* Swapped in around netlink calls whose failure is expected and handled: the
 * kernel's complaint would only be noise (start-up only; not thread-safe). */
static int print_nothing(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static void hook_init(struct bpf_tc_hook *hook, int ifindex, enum bpf_tc_attach_point where)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = ifindex;
	hook->attach_point = where;
}

static void opts_init(struct bpf_tc_opts *opts, int prog_fd, __u32 flags)
{
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts);
	opts->handle = TC_UE_HANDLE;
	opts->priority = TC_UE_PRIORITY;
	opts->prog_fd = prog_fd;
	opts->flags = flags;
}

static int filter_attach(int ifindex, enum bpf_tc_attach_point where, int prog_fd)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;

	hook_init(&hook, ifindex, where);
	opts_init(&opts, prog_fd, BPF_TC_F_REPLACE);
	return bpf_tc_attach(&hook, &opts);
}

/* 0 also when there is nothing to remove: the interface or hook is gone. */
static int filter_detach(int ifindex, enum bpf_tc_attach_point where)
{
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	int err;

	hook_init(&hook, ifindex, where);
	opts_init(&opts, 0, 0);
	err = bpf_tc_detach(&hook, &opts);
	return err == -ENOENT || err == -ENODEV || err == -EINVAL ? 0 : err;
}

static int clsact_destroy(int ifindex)
{
	struct bpf_tc_hook hook;
	int err;

	hook_init(&hook, ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);
	err = bpf_tc_hook_destroy(&hook);
	return err == -ENOENT || err == -ENODEV || err == -EINVAL ? 0 : err;
}

int tc_attach(struct tc_attachment *a, int ifindex, int ingress_fd, int egress_fd)
{
	struct bpf_tc_hook hook;
	libbpf_print_fn_t print;
	int err;

	memset(a, 0, sizeof(*a));
	a->ifindex = ifindex;
	hook_init(&hook, ifindex, BPF_TC_INGRESS);
	print = libbpf_set_print(print_nothing);    /* EEXIST is fine */
	err = bpf_tc_hook_create(&hook);
	libbpf_set_print(print);
	if (err && err != -EEXIST)
		return err;
	a->created_clsact = err == 0;

	err = filter_attach(ifindex, BPF_TC_INGRESS, ingress_fd);
	if (err)
		goto undo;
	a->ingress = true;
	err = filter_attach(ifindex, BPF_TC_EGRESS, egress_fd);
	if (err)
		goto undo;
	a->egress = true;
	return 0;
undo:
	tc_detach(a);
	return err;
}

int tc_detach(struct tc_attachment *a)
{
	int err = 0, e;

	if (a->ingress && (e = filter_detach(a->ifindex, BPF_TC_INGRESS)) && !err)
		err = e;
	if (a->egress && (e = filter_detach(a->ifindex, BPF_TC_EGRESS)) && !err)
		err = e;
	if (a->created_clsact && (e = clsact_destroy(a->ifindex)) && !err)
		err = e;
	a->ingress = a->egress = a->created_clsact = false;
	return err;
}

/* Is the filter at our handle and priority there, running one of ours? */
static bool stale_filter_present(int ifindex, enum bpf_tc_attach_point where)
{
	struct bpf_prog_info info;
	__u32 info_len = sizeof(info);
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	bool ours;
	int fd;

	hook_init(&hook, ifindex, where);
	opts_init(&opts, 0, 0);
	if (bpf_tc_query(&hook, &opts))
		return false;
	fd = bpf_prog_get_fd_by_id(opts.prog_id);
	if (fd < 0)
		return false;
	memset(&info, 0, sizeof(info));
	ours = !bpf_obj_get_info_by_fd(fd, &info, &info_len) &&
	       !strncmp(info.name, TC_UE_PROG_PREFIX, strlen(TC_UE_PROG_PREFIX));
	close(fd);
	return ours;
}

int tc_remove_stale(void)
{
	static const enum bpf_tc_attach_point where[] = { BPF_TC_INGRESS, BPF_TC_EGRESS };
	struct if_nameindex *ifs = if_nameindex();
	libbpf_print_fn_t print;
	int removed = 0, err = 0;

	if (!ifs)
		return -errno;
	/* Most interfaces have no clsact: the kernel's complaint is noise. */
	print = libbpf_set_print(print_nothing);
	for (struct if_nameindex *i = ifs; i->if_index && !err; i++) {
		for (unsigned w = 0; w < 2 && !err; w++) {
			if (!stale_filter_present(i->if_index, where[w]))
				continue;
			err = filter_detach(i->if_index, where[w]);
			removed += !err;
		}
	}
	libbpf_set_print(print);
	if_freenameindex(ifs);
	return err ? err : removed;
}
