/* Loads bpf/tap.bpf.c from its embedded skeleton. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/tap.skel.h"
#include "enforcer/capture/bpf_counters.h"
#include "enforcer/capture/tap_loader.h"

struct tap_prog {
	struct tap_bpf *skel;
	unsigned n_rings;
	int ring_fd[UE_TAP_MAX_RINGS];
	struct ue_tap_waiter *waiters;   /* tap_waiters, mmapped: n_rings */
};

static size_t waiters_bytes(unsigned n_rings)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (n_rings * sizeof(struct ue_tap_waiter) + page - 1) / page * page;
}

static bool ring_size_ok(uint32_t bytes)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 && bytes >= (uint32_t)page && !(bytes & (bytes - 1)) && !(bytes % page);
}

/*
 * Before load: the rings, one of which stands for them all as the array's
 * inner map (every ring must have its size).
 */
static int create_rings(struct tap_prog *tap, const struct tap_rings *rings)
{
	struct tap_bpf *skel = tap->skel;
	int cpus = libbpf_num_possible_cpus();

	if (rings->count < 1 || rings->count > UE_TAP_MAX_RINGS || !ring_size_ok(rings->bytes))
		return -EINVAL;
	if (cpus < 0)
		return cpus;
	for (unsigned i = 0; i < rings->count; i++) {
		int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "tap_ring", 0, 0, rings->bytes, NULL);

		if (fd < 0)
			return -errno;
		tap->ring_fd[tap->n_rings++] = fd;
	}
	skel->rodata->record = 1;
	skel->rodata->n_rings = rings->count;
	return bpf_map__set_inner_map_fd(skel->maps.tap_rings, tap->ring_fd[0]) ?:
	       bpf_map__set_max_entries(skel->maps.tap_scratch, (uint32_t)cpus) ?:
	       bpf_map__set_max_entries(skel->maps.tap_waiters, rings->count);
}

/* After load: the rings in the tap's array, the workers' flags mapped. */
static int fill_rings(struct tap_prog *tap)
{
	int outer = bpf_map__fd(tap->skel->maps.tap_rings);
	void *waiters;

	for (unsigned i = 0; i < tap->n_rings; i++)
		if (bpf_map_update_elem(outer, &i, &tap->ring_fd[i], BPF_ANY))
			return -errno;
	waiters = mmap(NULL, waiters_bytes(tap->n_rings), PROT_READ | PROT_WRITE, MAP_SHARED,
		       bpf_map__fd(tap->skel->maps.tap_waiters), 0);
	if (waiters == MAP_FAILED)
		return -errno;
	tap->waiters = waiters;
	return 0;
}

struct tap_prog *tap_prog_load(const struct port_set *http, const struct port_set *tls,
			       const struct tap_rings *rings)
{
	struct tap_prog *tap = calloc(1, sizeof(*tap));
	int err;

	if (!tap)
		return NULL;
	tap->skel = tap_bpf__open();
	if (!tap->skel)
		goto fail;
	for (unsigned i = 0; i < http->n && i < UE_MAX_PORTS; i++)
		tap->skel->rodata->http_ports[i] = http->port[i];
	for (unsigned i = 0; i < tls->n && i < UE_MAX_PORTS; i++)
		tap->skel->rodata->tls_ports[i] = tls->port[i];
	err = rings ? create_rings(tap, rings) : 0;
	if (!err)
		err = tap_bpf__load(tap->skel);
	if (!err && rings)
		err = fill_rings(tap);
	if (err) {
		errno = -err;
		goto fail;
	}
	return tap;
fail:
	err = errno;
	tap_prog_destroy(tap);
	errno = err;
	return NULL;
}

int tap_prog_fd(const struct tap_prog *tap)
{
	return bpf_program__fd(tap->skel->progs.tap_socket);
}

int tap_prog_ring_fd(const struct tap_prog *tap, unsigned i)
{
	return i < tap->n_rings ? tap->ring_fd[i] : -1;
}

uint32_t *tap_prog_ring_sleeping(const struct tap_prog *tap, unsigned i)
{
	return i < tap->n_rings ? &tap->waiters[i].sleeping : NULL;
}

int tap_prog_unrecorded_fd(const struct tap_prog *tap)
{
	return bpf_map__fd(tap->skel->maps.ue_unrecorded);
}

int tap_prog_unrecorded_clients(const struct tap_prog *tap, tap_client_fn fn, void *arg)
{
	int fd = bpf_map__fd(tap->skel->maps.ue_unrecorded_clients), end, ret;
	uint8_t addr[16], next[16];
	uint64_t n;

	end = bpf_map_get_next_key(fd, NULL, addr) ? errno : 0;
	while (!end) {
		end = bpf_map_get_next_key(fd, addr, next) ? errno : 0;
		if (!bpf_map_lookup_elem(fd, addr, &n) && (ret = fn(addr, n, arg)))
			return ret;
		memcpy(addr, next, sizeof(addr));
	}
	return end == ENOENT ? 0 : -end;
}

int tap_prog_counters(const struct tap_prog *tap, uint64_t out[UE_TAP_COUNTER_MAX])
{
	return bpf_counters_sum(bpf_map__fd(tap->skel->maps.tap_counters),
				UE_TAP_COUNTER_MAX, out);
}

void tap_prog_destroy(struct tap_prog *tap)
{
	if (!tap)
		return;
	if (tap->waiters)
		munmap(tap->waiters, waiters_bytes(tap->n_rings));
	while (tap->n_rings)
		close(tap->ring_fd[--tap->n_rings]);
	tap_bpf__destroy(tap->skel);
	free(tap);
}
