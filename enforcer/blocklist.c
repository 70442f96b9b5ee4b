/*
 * Loads bpf/blocklist.bpf.c, attaches it through tc_attach.c and keeps the
 * blocklist map: the one place a flow_tuple becomes a kernel session key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/blocklist.skel.h"
#include "enforcer/blocklist.h"
#include "enforcer/bpf_counters.h"
#include "enforcer/tc_attach.h"

struct blocklist {
	struct blocklist_bpf *skel;
	int map_fd;
	struct tc_attachment ifaces[BLOCKLIST_MAX_IFACES];
	unsigned n_ifaces;
};

/* Returns whether the client is the key's hi endpoint. */
static bool key_from_tuple(struct ue_session_key *k, const struct flow_tuple *t)
{
	return !ue_session_key_fill(k, t->client.s6_addr, htons(t->client_port),
				    t->server.s6_addr, htons(t->server_port),
				    IPPROTO_TCP);
}

static void tuple_from_key(struct flow_tuple *t, const struct ue_session_key *k,
			   bool client_hi)
{
	memcpy(t->client.s6_addr, client_hi ? k->hi_addr : k->lo_addr, 16);
	memcpy(t->server.s6_addr, client_hi ? k->lo_addr : k->hi_addr, 16);
	t->client_port = ntohs(client_hi ? k->hi_port : k->lo_port);
	t->server_port = ntohs(client_hi ? k->lo_port : k->hi_port);
}

struct blocklist *blocklist_open(const struct blocklist_config *cfg)
{
	struct blocklist *bl = calloc(1, sizeof(*bl));
	int err;

	if (!bl)
		return NULL;
	bl->skel = blocklist_bpf__open();
	if (!bl->skel)
		goto fail;
	err = bpf_map__set_max_entries(bl->skel->maps.ue_blocklist,
				       cfg->max_entries ? cfg->max_entries
							: BLOCKLIST_DEFAULT_SIZE);
	if (!err)
		err = blocklist_bpf__load(bl->skel);
	if (err) {
		errno = -err;
		goto fail;
	}
	bl->map_fd = bpf_map__fd(bl->skel->maps.ue_blocklist);
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
	struct timespec now;

	v.flags = flags & ~UE_BLOCK_CLIENT_HI;
	if (key_from_tuple(&k, t))
		v.flags |= UE_BLOCK_CLIENT_HI;
	clock_gettime(CLOCK_MONOTONIC, &now);   /* bpf_ktime_get_ns()'s clock */
	v.created_ns = v.last_hit_ns = now.tv_sec * 1000000000ull + now.tv_nsec;
	if (bpf_map_update_elem(bl->map_fd, &k, &v, BPF_NOEXIST))
		return errno == EEXIST ? 0 : -errno;
	return 0;
}

bool blocklist_contains(struct blocklist *bl, const struct flow_tuple *t)
{
	struct ue_session_key k;
	struct ue_block_value v;

	key_from_tuple(&k, t);
	return bpf_map_lookup_elem(bl->map_fd, &k, &v) == 0;
}

int blocklist_remove(struct blocklist *bl, const struct flow_tuple *t)
{
	struct ue_session_key k;

	key_from_tuple(&k, t);
	return bpf_map_delete_elem(bl->map_fd, &k) ? -errno : 0;
}

int blocklist_foreach(struct blocklist *bl, blocklist_cb cb, void *arg)
{
	struct ue_session_key key, next;
	struct ue_block_value v;
	struct flow_tuple t;
	bool more;
	int ret;

	more = !bpf_map_get_next_key(bl->map_fd, NULL, &key);
	while (more) {
		/* Step before the callback so it may delete the entry. */
		more = !bpf_map_get_next_key(bl->map_fd, &key, &next);
		if (!bpf_map_lookup_elem(bl->map_fd, &key, &v)) {
			tuple_from_key(&t, &key, v.flags & UE_BLOCK_CLIENT_HI);
			ret = cb(&t, &v, arg);
			if (ret)
				return ret;
		}
		key = next;
	}
	return errno == ENOENT ? 0 : -errno;
}

int blocklist_counters(const struct blocklist *bl, uint64_t out[UE_BLK_COUNTER_MAX])
{
	return bpf_counters_sum(bpf_map__fd(bl->skel->maps.blk_counters),
				UE_BLK_COUNTER_MAX, out);
}
