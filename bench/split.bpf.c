// SPDX-License-Identifier: GPL-2.0
/*
 * Maps for section 7 of `make bench` (the read engine), filled by
 * bench/mkextra:
 *
 *  bench_marr    ARRAY, BPF_F_MMAPABLE  1<<20  u32 -> struct bench_slot
 *  bench_sparse  HASH, no prealloc     1<<24  slots, 100 entries
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bench_slot {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1 << 20);
	__type(key, __u32);
	__type(value, struct bench_slot);
} bench_marr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 24);
	__type(key, __u32);
	__type(value, struct bench_slot);
} bench_sparse SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
