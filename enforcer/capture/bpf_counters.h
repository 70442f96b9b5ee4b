/* Per-CPU counter arrays of the kernel programs, read as one sum per index. */
#ifndef UE_BPF_COUNTERS_H
#define UE_BPF_COUNTERS_H

#include <stdint.h>

/*
 * out[i] = the sum over every possible CPU of element i of the per-CPU
 * array map_fd, for i < n. Returns 0 or -errno.
 */
int bpf_counters_sum(int map_fd, uint32_t n, uint64_t *out);

#endif
