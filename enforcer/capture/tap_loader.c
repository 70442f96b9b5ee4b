/* Loads bpf/tap.bpf.c from its embedded skeleton. */
#include <errno.h>
#include <stdlib.h>

#include <bpf/libbpf.h>

#include "bpf/tap.skel.h"
#include "enforcer/capture/bpf_counters.h"
#include "enforcer/capture/tap_loader.h"

struct tap_prog {
	struct tap_bpf *skel;
};

struct tap_prog *tap_prog_load(const struct port_set *http, const struct port_set *tls)
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
	err = tap_bpf__load(tap->skel);
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

int tap_prog_counters(const struct tap_prog *tap, uint64_t out[UE_TAP_COUNTER_MAX])
{
	return bpf_counters_sum(bpf_map__fd(tap->skel->maps.tap_counters),
				UE_TAP_COUNTER_MAX, out);
}

void tap_prog_destroy(struct tap_prog *tap)
{
	if (!tap)
		return;
	tap_bpf__destroy(tap->skel);
	free(tap);
}
