/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The map of sessions with frames the tap kept but could not record
 * (kern_user.h, struct ue_unrecorded_value): the tap writes it, TC reads
 * it. Both programs declare it from here; the daemon loads the tap first
 * and hands its map to the blocklist programs (bpf_map__reuse_fd).
 */
#ifndef UE_UNRECORDED_H
#define UE_UNRECORDED_H

#include <bpf/bpf_helpers.h>

#include "bpf/kern_user.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, UE_UNRECORDED_SESSIONS);
	__type(key, struct ue_session_key);
	__type(value, struct ue_unrecorded_value);
} ue_unrecorded SEC(".maps");

#endif
