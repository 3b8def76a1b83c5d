// SPDX-License-Identifier: GPL-2.0
/* A map of someone else's program for tests/export.bats: a struct key and a
 * struct value with BTF but no mapsh tags, typed by the guesses alone
 * (daddr an IPv4 address, __be16 dport a port, bytes a counter), with
 * fields that are no values (an enum, a string, an address). */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

enum svc_state { SVC_IDLE = 0, SVC_BUSY = 1 };

struct svc_key {
	__u32 daddr;
	__be16 dport;
	__u8 proto;
	__u8 pad;
	char tenant[8];
};

struct svc_stats {
	__u64 requests;
	__u64 bytes;
	__s32 queue_depth;
	enum svc_state state;
	__u32 peer_addr;
	__u32 pad2;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct svc_key);
	__type(value, struct svc_stats);
} svc_stats SEC(".maps");


/* Latencies in log2 slots (slot i: values of bit length i), per service. */
struct svc_lat {
	__u64 calls;
	__u64 lat_hist[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct svc_lat);
} svc_lat SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
