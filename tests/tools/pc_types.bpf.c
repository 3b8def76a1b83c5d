// SPDX-License-Identifier: GPL-2.0
/* Per-CPU maps whose value mixes fields that sum over CPUs (counters,
 * plain integers) with fields that do not (flag bits, hex, an enum,
 * bitfields): tests/percpu.bats. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "mapsh.h"

enum pc_state { PC_IDLE = 0, PC_BUSY = 1, PC_DONE = 2 };

struct pc_value {
	__u64 hits;			/* a counter by its name */
	__u64 flags;			/* flag bits: not a quantity */
	__u64 pkts __mapsh("counter");
	__u32 total;			/* a plain integer */
	__u32 seen __mapsh("hex");
	enum pc_state phase;		/* an enum: never summed */
	__u32 lvl:4, prio:4, rest:24;	/* bitfields */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct pc_value);
} pc_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct pc_value);
} pc_arr SEC(".maps");

SEC("xdp")
int pc_pass(struct xdp_md *ctx __attribute__((unused)))
{
	__u32 k = 0;
	struct pc_value *v = bpf_map_lookup_elem(&pc_hash, &k);

	if (v)
		v->hits++;
	v = bpf_map_lookup_elem(&pc_arr, &k);
	if (v)
		v->pkts++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
