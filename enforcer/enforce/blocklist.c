/*
 * Loads bpf/blocklist.bpf.c, attaches it through tc_attach.c and keeps the
 * blocklist map: the one place a flow_tuple becomes a kernel session key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/blocklist.skel.h"
#include "common/clock.h"
#include "enforcer/enforce/blocklist.h"
#include "enforcer/capture/bpf_counters.h"
#include "enforcer/enforce/tc_attach.h"

/* The kernel compares keys byte for byte: no implicit padding anywhere. */
_Static_assert(sizeof(struct ue_session_key) == 40, "session key layout");
_Static_assert(sizeof(struct ue_block_value) == 32, "block value layout");
_Static_assert(sizeof(struct ue_prefix_key) == 20, "prefix key layout");
_Static_assert(sizeof(struct ue_hold_value) == 16, "hold value layout");

struct blocklist {
	struct blocklist_bpf *skel;
	int map_fd;
	int pin_status;                /* blocklist_pin_status() */
	bool pinned;                   /* unpin at close */
	struct tc_attachment ifaces[BLOCKLIST_MAX_IFACES];
	unsigned n_ifaces;
};

/* Returns whether the client is the key's hi endpoint. */
static bool key_from_tuple(struct ue_session_key *k, const struct flow_tuple *t,
			   uint8_t l4_proto)
{
	return !ue_session_key_fill(k, t->client.s6_addr, htons(t->client_port),
				    t->server.s6_addr, htons(t->server_port),
				    l4_proto);
}

static void tuple_from_key(struct flow_tuple *t, const struct ue_session_key *k,
			   bool client_hi)
{
	memcpy(t->client.s6_addr, client_hi ? k->hi_addr : k->lo_addr, 16);
	memcpy(t->server.s6_addr, client_hi ? k->lo_addr : k->hi_addr, 16);
	t->client_port = ntohs(client_hi ? k->hi_port : k->lo_port);
	t->server_port = ntohs(client_hi ? k->lo_port : k->hi_port);
}

/*
 * The map pinned at PATH by a previous run, if it fits MAP: its fd, else -1.
 * A misfit (another --blocklist-size, an older layout) is unpinned: its
 * blocks cannot be carried over.
 */
static int pinned_map(const char *path, const struct bpf_map *map)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == bpf_map__type(map) &&
	    info.key_size == bpf_map__key_size(map) &&
	    info.value_size == bpf_map__value_size(map) &&
	    info.max_entries == bpf_map__max_entries(map))
		return fd;
	close(fd);
	unlink(path);
	return -1;
}

/* Before load: take over the pinned map if there is one that fits. */
static int adopt_pinned(struct blocklist *bl, const char *path)
{
	struct bpf_map *map = bl->skel->maps.ue_blocklist;
	int fd = pinned_map(path, map), err;

	if (fd < 0)
		return 0;
	err = bpf_map__reuse_fd(map, fd);
	close(fd);
	if (!err)
		bl->pin_status = 1;
	return err;
}

static bool on_bpffs(const char *dir)
{
	struct statfs fs;

	return !statfs(dir, &fs) && fs.f_type == BPF_FS_MAGIC;
}

/* PATH's folder, created on a BPF file system if it is not there yet. */
static int pin_folder(const char *path)
{
	char path_copy[PATH_MAX], dir_copy[PATH_MAX];
	const char *dir, *parent;

	if (strlen(path) >= sizeof(path_copy))
		return -ENAMETOOLONG;
	strcpy(path_copy, path);
	dir = dirname(path_copy);         /* dirname() may write into its argument */
	strcpy(dir_copy, dir);
	parent = dirname(dir_copy);
	if (on_bpffs(dir))
		return 0;
	if (!on_bpffs(parent))
		return -EINVAL;
	return mkdir(dir, 0700) && errno != EEXIST ? -errno : 0;
}

/* After load: pin a new map; a path where pinning fails is no error. */
static void pin(struct blocklist *bl, const char *path)
{
	struct bpf_map *map = bl->skel->maps.ue_blocklist;

	if (bl->pin_status != 1 && !(bl->pin_status = pin_folder(path)))
		bl->pin_status = bpf_map__pin(map, path);
	else
		bpf_map__set_pin_path(map, path);   /* for the unpin at close */
	bl->pinned = bl->pin_status >= 0;
}

int blocklist_pin_status(const struct blocklist *bl)
{
	return bl->pin_status;
}

struct blocklist *blocklist_open(const struct blocklist_config *cfg)
{
	struct blocklist *bl = calloc(1, sizeof(*bl));
	struct blocklist_bpf__rodata *rodata;
	int err;

	if (!bl)
		return NULL;
	bl->pin_status = -ENOENT;
	bl->skel = blocklist_bpf__open();
	if (!bl->skel)
		goto fail;
	rodata = bl->skel->rodata;
	for (unsigned i = 0; i < cfg->http_ports.n && i < UE_MAX_PORTS; i++)
		rodata->http_ports[i] = cfg->http_ports.port[i];
	for (unsigned i = 0; i < cfg->tls_ports.n && i < UE_MAX_PORTS; i++)
		rodata->tls_ports[i] = cfg->tls_ports.port[i];
	rodata->fail_closed = cfg->fail_closed;
	rodata->heartbeat_timeout_ns = (cfg->heartbeat_timeout_ms ? cfg->heartbeat_timeout_ms
				       : BLOCKLIST_DEFAULT_HEARTBEAT_MS) * 1000000ull;
	rodata->hold = cfg->hold;
	err = bpf_map__set_max_entries(bl->skel->maps.ue_blocklist,
				       cfg->max_entries ? cfg->max_entries
							: BLOCKLIST_DEFAULT_SIZE);
	if (!err && cfg->pin_path)
		err = adopt_pinned(bl, cfg->pin_path);
	if (!err && cfg->unrecorded_fd > 0)
		err = bpf_map__reuse_fd(bl->skel->maps.ue_unrecorded, cfg->unrecorded_fd);
	if (!err && cfg->held_flows)
		err = bpf_map__set_max_entries(bl->skel->maps.ue_held, cfg->held_flows);
	if (!err)
		err = blocklist_bpf__load(bl->skel);
	if (err) {
		errno = -err;
		goto fail;
	}
	if (cfg->pin_path)
		pin(bl, cfg->pin_path);
	bl->map_fd = bpf_map__fd(bl->skel->maps.ue_blocklist);
	err = blocklist_heartbeat_renew(bl);
	if (err) {
		errno = -err;
		goto fail;
	}
	return bl;
fail:
	err = errno;
	blocklist_close(bl);
	errno = err;
	return NULL;
}

int blocklist_attach(struct blocklist *bl, int ifindex)
{
	int err;

	if (bl->n_ifaces == BLOCKLIST_MAX_IFACES)
		return -E2BIG;
	err = tc_attach(&bl->ifaces[bl->n_ifaces], ifindex,
			blocklist_prog_fd(bl, BLOCKLIST_INGRESS),
			blocklist_prog_fd(bl, BLOCKLIST_EGRESS));
	if (!err)
		bl->n_ifaces++;
	return err;
}

void blocklist_close(struct blocklist *bl)
{
	if (!bl)
		return;
	while (bl->n_ifaces)
		tc_detach(&bl->ifaces[--bl->n_ifaces]);
	if (bl->pinned)
		bpf_map__unpin(bl->skel->maps.ue_blocklist, NULL);
	blocklist_bpf__destroy(bl->skel);
	free(bl);
}

int blocklist_prog_fd(const struct blocklist *bl, enum blocklist_hook hook)
{
	return bpf_program__fd(hook == BLOCKLIST_EGRESS ? bl->skel->progs.blk_egress
							: bl->skel->progs.blk_ingress);
}

int blocklist_add(struct blocklist *bl, const struct flow_tuple *t,
		  uint32_t rule_hash, uint32_t flags)
{
	struct ue_block_value v = { .rule_hash = rule_hash };
	struct ue_session_key k;

	v.flags = flags & ~UE_BLOCK_CLIENT_HI;
	if (key_from_tuple(&k, t, flags & UE_BLOCK_UDP ? IPPROTO_UDP : IPPROTO_TCP))
		v.flags |= UE_BLOCK_CLIENT_HI;
	v.created_ns = v.last_hit_ns = (uint64_t)clock_ns(CLOCK_MONOTONIC);
	if (bpf_map_update_elem(bl->map_fd, &k, &v, BPF_NOEXIST))
		return errno == EEXIST ? 0 : -errno;
	return 0;
}

bool blocklist_contains(struct blocklist *bl, const struct flow_tuple *t, uint8_t l4_proto)
{
	struct ue_session_key k;
	struct ue_block_value v;

	key_from_tuple(&k, t, l4_proto);
	return bpf_map_lookup_elem(bl->map_fd, &k, &v) == 0;
}

int blocklist_remove(struct blocklist *bl, const struct flow_tuple *t, uint8_t l4_proto)
{
	struct ue_session_key k;

	key_from_tuple(&k, t, l4_proto);
	return bpf_map_delete_elem(bl->map_fd, &k) ? -errno : 0;
}

/* Entries read a syscall at a time by blocklist_foreach(). */
#define FOREACH_BATCH 256

int blocklist_foreach(struct blocklist *bl, blocklist_cb cb, void *arg)
{
	struct ue_session_key keys[FOREACH_BATCH];
	struct ue_block_value vals[FOREACH_BATCH];
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct ue_session_key cursor;
	struct flow_tuple t;
	bool first = true, last = false;
	int ret;

	/*
	 * A batch ends on a hash bucket boundary; the cursor names the next
	 * bucket, so deleting what a batch returned (cb may) moves nothing
	 * that is still to come.
	 */
	while (!last) {
		__u32 n = FOREACH_BATCH;

		if (bpf_map_lookup_batch(bl->map_fd, first ? NULL : &cursor, &cursor,
					 keys, vals, &n, &opts)) {
			if (errno != ENOENT)
				return -errno;
			last = true;
		}
		first = false;
		for (__u32 i = 0; i < n; i++) {
			tuple_from_key(&t, &keys[i], vals[i].flags & UE_BLOCK_CLIENT_HI);
			ret = cb(&t, &vals[i], arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int blocklist_counters(const struct blocklist *bl, uint64_t out[UE_BLK_COUNTER_MAX])
{
	return bpf_counters_sum(bpf_map__fd(bl->skel->maps.blk_counters),
				UE_BLK_COUNTER_MAX, out);
}

static void prefix_key(struct ue_prefix_key *k, const struct client_prefix *p)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = p->len;
	/* the trie compares prefixlen bits only; clear the rest so equal
	 * prefixes written differently are one key */
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = p->len > i * 8 ? p->len - i * 8 : 0;

		k->addr[i] = bits >= 8 ? p->addr.s6_addr[i]
				       : p->addr.s6_addr[i] & (uint8_t)(0xff00 >> bits);
	}
}

static bool prefix_wanted(const struct ue_prefix_key *k, const struct client_prefix *p,
			  size_t n)
{
	struct ue_prefix_key w;

	for (size_t i = 0; i < n; i++) {
		prefix_key(&w, &p[i]);
		if (!memcmp(&w, k, sizeof(w)))
			return true;
	}
	return false;
}

/* Makes the LPM trie FD hold exactly the N prefixes P (at most MAX). */
static int prefix_set_replace(int fd, const struct client_prefix *p, size_t n, size_t max)
{
	struct ue_prefix_key k, next;
	uint8_t one = 1;
	int end;

	if (n > max)
		return -E2BIG;
	for (size_t i = 0; i < n; i++)
		if (p[i].len > 128)
			return -EINVAL;
	/* add first, then drop the rest: a client listed before and after
	 * never slips through in between */
	for (size_t i = 0; i < n; i++) {
		prefix_key(&k, &p[i]);
		if (bpf_map_update_elem(fd, &k, &one, BPF_ANY))
			return -errno;
	}
	end = bpf_map_get_next_key(fd, NULL, &k) ? errno : 0;
	while (!end) {
		end = bpf_map_get_next_key(fd, &k, &next) ? errno : 0;
		if (!prefix_wanted(&k, p, n) && bpf_map_delete_elem(fd, &k) && errno != ENOENT)
			return -errno;
		k = next;
	}
	return end == ENOENT ? 0 : -end;
}

int blocklist_quic_clients_set(struct blocklist *bl, const struct client_prefix *p,
			       size_t n)
{
	return prefix_set_replace(bpf_map__fd(bl->skel->maps.ue_quic_clients), p, n,
				  UE_QUIC_MAX_PREFIXES);
}

int blocklist_paused_clients_set(struct blocklist *bl, const struct client_prefix *p,
				 size_t n)
{
	return prefix_set_replace(bpf_map__fd(bl->skel->maps.ue_paused_clients), p, n,
				  UE_PAUSE_MAX_PREFIXES);
}

int blocklist_hold_get(struct blocklist *bl, const struct flow_tuple *t,
		       struct ue_hold_value *out)
{
	struct ue_session_key k;

	key_from_tuple(&k, t, IPPROTO_TCP);
	return bpf_map_lookup_elem(bpf_map__fd(bl->skel->maps.ue_held), &k, out) ? -errno : 0;
}

int blocklist_hold_set(struct blocklist *bl, const struct flow_tuple *t,
		       const struct ue_hold_value *v)
{
	struct ue_hold_value w = *v;
	struct ue_session_key k;

	key_from_tuple(&k, t, IPPROTO_TCP);
	w.updated_ns = (uint64_t)clock_ns(CLOCK_MONOTONIC);
	return bpf_map_update_elem(bpf_map__fd(bl->skel->maps.ue_held), &k, &w, BPF_ANY)
	       ? -errno : 0;
}

int blocklist_heartbeat_renew(struct blocklist *bl)
{
	uint64_t now = (uint64_t)clock_ns(CLOCK_MONOTONIC);
	uint32_t zero = 0;

	return bpf_map_update_elem(bpf_map__fd(bl->skel->maps.ue_heartbeat), &zero, &now,
				   BPF_ANY) ? -errno : 0;
}
