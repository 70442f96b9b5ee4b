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

/* Loads the socket filter for these ports; NULL with errno set on failure
 * (EPERM without the privilege, EINVAL when the verifier refuses). */
struct tap_prog *tap_prog_load(const struct port_set *http, const struct port_set *tls);
/* The program's fd, for SO_ATTACH_BPF and for test runs. */
int tap_prog_fd(const struct tap_prog *tap);
/* out[enum ue_tap_counter], summed over all CPUs; 0 or -errno. */
int tap_prog_counters(const struct tap_prog *tap, uint64_t out[UE_TAP_COUNTER_MAX]);
/* Sockets the program is attached to keep it alive on their own. */
void tap_prog_destroy(struct tap_prog *tap);

#endif
