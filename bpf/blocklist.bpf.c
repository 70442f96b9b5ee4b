// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The blocklist: a TC program at ingress and egress of every enforced
 * interface that drops every packet of a session the daemon has blocked,
 * both directions alike (the key is canonical). Everything else passes.
 */
#include <linux/pkt_cls.h>

#include "bpf/parse.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);    /* the daemon sets --blocklist-size */
	__type(key, struct ue_session_key);
	__type(value, struct ue_block_value);
} ue_blocklist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, UE_BLK_COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} blk_counters SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *c = bpf_map_lookup_elem(&blk_counters, &idx);

	if (c)
		*c += 1;   /* per-CPU slot: no other writer */
}

static __always_inline int blocked(struct __sk_buff *skb)
{
	struct ue_block_value *v;
	struct ue_packet p;

	if (ue_parse(skb, &p) != UE_PARSE_OK || p.l4_proto != IPPROTO_TCP)
		return 0;
	v = bpf_map_lookup_elem(&ue_blocklist, &p.key);
	if (!v)
		return 0;
	v->last_hit_ns = bpf_ktime_get_ns();
	__sync_fetch_and_add(&v->drops, 1);
	return 1;
}

static __always_inline int handle(struct __sk_buff *skb, __u32 seen, __u32 drop)
{
	count(seen);
	/* The daemon's own RSTs and block page belong to a blocked session. */
	if (skb->mark == UE_INJECT_MARK) {
		count(UE_BLK_INJECTED);
		return TC_ACT_OK;
	}
	if (blocked(skb)) {
		count(drop);
		return TC_ACT_SHOT;
	}
	return TC_ACT_OK;
}

SEC("tc")
int blk_ingress(struct __sk_buff *skb)
{
	return handle(skb, UE_BLK_SEEN_INGRESS, UE_BLK_DROP_INGRESS);
}

SEC("tc")
int blk_egress(struct __sk_buff *skb)
{
	return handle(skb, UE_BLK_SEEN_EGRESS, UE_BLK_DROP_EGRESS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
