/*
 * A worker's end of the BPF ring capture: the ring buffer the tap
 * (bpf/tap.bpf.c) writes this worker's flows to, read as the frames a
 * capture socket would hand over (struct capture_frame), with the kernel's
 * time of the tap. A reader that says it sleeps is woken by the first
 * record with payload or a SYN, so a quiet request is read at once; one
 * that is awake is not woken, and takes what piled up in one pass.
 *
 *   struct tap_ring *r = tap_ring_open(tap_prog_ring_fd(tap, w),
 *                                      tap_prog_ring_sleeping(tap, w));
 *   loop: if tap_ring_sleep(r), poll tap_ring_fd(r) for POLLIN;
 *         tap_ring_awake(r); tap_ring_read(r, on_frame, ctx);
 */
#ifndef UE_TAP_RING_H
#define UE_TAP_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "enforcer/capture/capture.h"

struct tap_ring;

/* SLEEPING: the ring's flag for the tap (tap_prog_ring_sleeping). NULL
 * with errno set on failure. */
struct tap_ring *tap_ring_open(int ring_map_fd, uint32_t *sleeping);
/* Readable when records wait. */
int tap_ring_fd(const struct tap_ring *r);
/* Hands every waiting record to CB; the number handed, or -errno. */
int tap_ring_read(struct tap_ring *r, capture_cb cb, void *arg);
/* About to sleep: tells the tap so; false when records already wait (the
 * flag is taken back: read them instead). */
bool tap_ring_sleep(struct tap_ring *r);
/* Awake again: records no longer wake the reader. */
void tap_ring_awake(struct tap_ring *r);
/* Records read since tap_ring_open. */
uint64_t tap_ring_records(const struct tap_ring *r);
void tap_ring_close(struct tap_ring *r);

#endif
