/*
 * A worker's end of the BPF ring capture: the ring buffer the tap
 * (bpf/tap.bpf.c) writes this worker's flows to, read as the frames a
 * capture socket would hand over (struct capture_frame), with the kernel's
 * time of the tap. The kernel wakes the reader for the first record after
 * it has caught up, so a quiet request is read at once and a busy reader
 * takes what piled up in one pass.
 *
 *   struct tap_ring *r = tap_ring_open(tap_prog_ring_fd(tap, w));
 *   poll tap_ring_fd(r) for POLLIN, then tap_ring_read(r, on_frame, ctx);
 */
#ifndef UE_TAP_RING_H
#define UE_TAP_RING_H

#include <stdint.h>

#include "enforcer/capture/capture.h"

struct tap_ring;

/* NULL with errno set on failure. */
struct tap_ring *tap_ring_open(int ring_map_fd);
/* Readable when records wait. */
int tap_ring_fd(const struct tap_ring *r);
/* Hands every waiting record to CB; the number handed, or -errno. */
int tap_ring_read(struct tap_ring *r, capture_cb cb, void *arg);
/* Records read since tap_ring_open. */
uint64_t tap_ring_records(const struct tap_ring *r);
void tap_ring_close(struct tap_ring *r);

#endif
