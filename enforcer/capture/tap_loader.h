/*
 * The tap program (bpf/tap.bpf.c): loaded once with the tapped port sets,
 * then attached by fd to every capture socket (enforcer/capture/capture.c).
 */
#ifndef UE_TAP_LOADER_H
#define UE_TAP_LOADER_H

#include <stdint.h>

#include "bpf/kern_user.h"
#include "enforcer/capture/port_set.h"

struct tap_prog;

/*
 * The BPF ring capture (bpf/tap.bpf.c, kern_user.h): the tap writes the
 * frames it keeps to one ring buffer a worker instead of the sockets.
 */
struct tap_rings {
	unsigned count;        /* rings, one a worker: 1-UE_TAP_MAX_RINGS */
	uint32_t bytes;        /* each: a power of 2, a multiple of the page size */
};

/*
 * Loads the socket filter for these ports; RINGS NULL: kept frames go to
 * the tapping socket. NULL with errno set on failure (EPERM without the
 * privilege, EINVAL when the verifier refuses or RINGS does not fit).
 */
struct tap_prog *tap_prog_load(const struct port_set *http, const struct port_set *tls,
			       const struct tap_rings *rings);
/* The program's fd, for SO_ATTACH_BPF and for test runs. */
int tap_prog_fd(const struct tap_prog *tap);
/* Ring I's map fd (for struct tap_ring), -1 without rings. */
int tap_prog_ring_fd(const struct tap_prog *tap, unsigned i);
/* Ring I's worker's sleeping flag (struct ue_tap_waiter), NULL without rings. */
uint32_t *tap_prog_ring_sleeping(const struct tap_prog *tap, unsigned i);
/* The map of sessions with unrecorded frames, which TC reads (blocklist_config). */
int tap_prog_unrecorded_fd(const struct tap_prog *tap);
/*
 * Calls FN for every client with frames the tap kept but could not record
 * (address v4-mapped for IPv4), with how many; stops at FN's first non-zero
 * return and returns it. 0 or -errno.
 */
typedef int (*tap_client_fn)(const uint8_t addr[16], uint64_t frames, void *arg);
int tap_prog_unrecorded_clients(const struct tap_prog *tap, tap_client_fn fn, void *arg);
/* out[enum ue_tap_counter], summed over all CPUs; 0 or -errno. */
int tap_prog_counters(const struct tap_prog *tap, uint64_t out[UE_TAP_COUNTER_MAX]);
/* Sockets the program is attached to keep it alive on their own. */
void tap_prog_destroy(struct tap_prog *tap);

#endif
