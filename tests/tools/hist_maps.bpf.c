// SPDX-License-Identifier: GPL-2.0
/* Histogram maps for tests/hist.bats, as other programs write them:
 *  hist_lat   a libbpf-tools struct hist (no mapsh tags at all)
 *  hist_lin   linear buckets named by a mapsh:linhist tag, with a sum
 *  hist_idx   a key that is a log2 bucket index (typed with --as key=log2)
 *  hist_vals  plain values for the hist verb */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#define MAX_SLOTS 26

struct hist {
	__u32 slots[MAX_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct hist);
} hist_lat SEC(".maps");

struct lin_hist {
	__u64 sum;
	__u64 dist[5] __attribute__((btf_decl_tag("mapsh:linhist=100,50")));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lin_hist);
} hist_lin SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} hist_idx SEC(".maps");

struct hv_key {
	__u32 id;
	__u8 proto;
	__u8 pad[3];
};

struct hv_val {
	__u64 size;
	__s32 delta;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct hv_key);
	__type(value, struct hv_val);
} hist_vals SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
