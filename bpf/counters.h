/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A program's per-CPU counters, indexed as kern_user.h says, and count(),
 * the one way to bump one. Each program declares its own map from here
 * (UE_COUNTERS(name, entries)); the daemon sums the CPUs (bpf_counters.h).
 * Per-CPU slots have one writer each: no atomics.
 */
#ifndef UE_BPF_COUNTERS_H
#define UE_BPF_COUNTERS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define UE_COUNTERS(name, entries)                                      \
	struct {                                                        \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);                \
		__uint(max_entries, entries);                           \
		__type(key, __u32);                                     \
		__type(value, __u64);                                   \
	} name SEC(".maps");                                            \
									\
	static __always_inline void count(__u32 idx)                    \
	{                                                               \
		__u64 *c = bpf_map_lookup_elem(&name, &idx);            \
									\
		if (c)                                                  \
			*c += 1;                                        \
	}

#endif
