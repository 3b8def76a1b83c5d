// SPDX-License-Identifier: GPL-2.0
/* Maps for the read engine's tests (tests/split.bats): the hash kinds the
 * split reader reads (65536 buckets: split by default on more than one CPU), a
 * BPF_F_MMAPABLE array and the same without the flag, and global data
 * (libbpf makes .data / .bss mmapable). Filled and churned by sp_churn. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SP_HASH(name, kind)					\
	struct {						\
		__uint(type, kind);				\
		__uint(max_entries, 65536);			\
		__type(key, __u32);				\
		__type(value, __u64);				\
	} name SEC(".maps")

SP_HASH(sp_hash, BPF_MAP_TYPE_HASH);
SP_HASH(sp_lru, BPF_MAP_TYPE_LRU_HASH);
SP_HASH(sp_pchash, BPF_MAP_TYPE_PERCPU_HASH);
SP_HASH(sp_lrupc, BPF_MAP_TYPE_LRU_PERCPU_HASH);

/* A hash with the seed zero: sp_churn skew places keys by bucket. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_ZERO_SEED);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} sp_zhash SEC(".maps");

/* Keys with a hole (3 bytes after a): the bytes no field covers, shown
 * by rows that the split readers format themselves. */
struct sp_hkey {
	__u8 a;
	__u32 b;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct sp_hkey);
	__type(value, __u64);
} sp_holes SEC(".maps");

/* Values with a time since boot: JSON records that the split readers
 * format themselves carry "wall" for it. */
struct sp_tval {
	__u64 seen __attribute__((btf_decl_tag("mapsh:ktime")));
	__u64 n;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct sp_tval);
} sp_times SEC(".maps");

/* Values with an interface: its name is looked up (and cached) by the
 * readers that format the rows, on several threads at once. */
struct sp_ifv {
	__u32 ifindex __attribute__((btf_decl_tag("mapsh:ifindex")));
	__u32 n;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct sp_ifv);
} sp_ifs SEC(".maps");

/* A sparse hash: 1M buckets for the few keys a test puts in, the seed zero
 * so that where they fall, and so how far the first reader's batches run
 * past its range, is the same on every run. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_ZERO_SEED | BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 20);
	__type(key, __u32);
	__type(value, __u64);
} sp_sparse SEC(".maps");

/* A small hash (8 buckets): the split reader with MAPSH_READERS=N only. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} sp_tiny SEC(".maps");

struct __attribute__((packed)) sp_val {
	__u32 a;
	__u16 b;	/* 6 bytes (packed): the mmap stride is 8 */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 100000);
	__type(key, __u32);
	__type(value, struct sp_val);
} sp_marr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 100000);
	__type(key, __u32);
	__type(value, struct sp_val);
} sp_arr SEC(".maps");

__u64 sp_hits = 3;
__u32 sp_seen[4] = { 1, 2, 3, 4 };

SEC("xdp")
int sp_prog(struct xdp_md *ctx __attribute__((unused)))
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&sp_hash, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	sp_hits++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
