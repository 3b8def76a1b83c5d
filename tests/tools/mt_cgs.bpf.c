// SPDX-License-Identifier: GPL-2.0
/*
 * mt_cgs - a cgroup_skb program with a cgroup storage and a per-CPU cgroup
 * storage, for the map type tests (tests/maptypes.bats): attaching it to a
 * cgroup creates one entry in each, keyed by the cgroup and attach type.
 * Each packet leaving the cgroup adds 1 to both.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct mt_cg_val {
	__u64 packets;
	__u32 mark;
	__u32 flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, struct mt_cg_val);
} mt_cg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, __u64);
} mt_pcg SEC(".maps");

SEC("cgroup_skb/egress")
int mt_egress(struct __sk_buff *skb)
{
	struct mt_cg_val *v = bpf_get_local_storage(&mt_cg, 0);
	__u64 *p = bpf_get_local_storage(&mt_pcg, 0);

	__sync_fetch_and_add(&v->packets, 1);
	*p += 1;
	(void)skb;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
