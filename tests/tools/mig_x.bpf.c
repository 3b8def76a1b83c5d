// SPDX-License-Identifier: GPL-2.0
/* Maps typed as targets of a migration from mig_v1.bpf.c's mig_flows,
 * for the refusals and map type changes of tests/migrate.bats. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "../../bpf/mapsh.h"

struct mig_key {		/* as v1 */
	__be32 src_ip __mapsh("ipv4");
	__be32 dst_ip __mapsh("ipv4");
	__be16 dst_port __mapsh("port");
	__u8 proto __mapsh("ipproto");
	__u8 pad;
};

struct mig_key_noport {		/* dst_port left out: flows collide */
	__be32 src_ip __mapsh("ipv4");
	__be32 dst_ip __mapsh("ipv4");
	__u8 proto __mapsh("ipproto");
	__u8 pad[3];
};

struct mig_val_narrow {		/* packets narrowed to 16 bits */
	__u16 packets;
	__u16 flags;
	__u64 bytes __mapsh("counter");
};

struct mig_val_renamed {	/* packets is pkts; last_seen gone */
	__u64 pkts __mapsh("counter");
	__u64 bytes __mapsh("counter");
	__u32 flags __mapsh("hex");
	__u32 pad;
};

struct mig_val {		/* as v2 */
	__u64 bytes __mapsh("counter");
	__u64 packets __mapsh("counter");
	__u32 flags __mapsh("hex");
	__u32 pad;
	__u64 last_seen __mapsh("ktime");
	__u64 first_seen __mapsh("ktime");
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct mig_key);
	__type(value, struct mig_val_narrow);
} mig_narrow SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct mig_key_noport);
	__type(value, struct mig_val);
} mig_noport SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct mig_key);
	__type(value, struct mig_val_renamed);
} mig_renamed SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, struct mig_key);
	__type(value, struct mig_val);
} mig_lru SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, struct mig_key);
	__type(value, struct mig_val);
} mig_small SEC(".maps");

SEC("xdp")
int mig_x_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";

/* Big enough that a migration can be killed while it writes. */
struct mig_val_v1 {		/* as v1 */
	__u32 packets __mapsh("counter");
	__u32 flags __mapsh("hex");
	__u64 bytes __mapsh("counter");
	__u64 last_seen __mapsh("ktime");
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 262144);
	__type(key, struct mig_key);
	__type(value, struct mig_val_v1);
} mig_big1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 262144);
	__type(key, struct mig_key);
	__type(value, struct mig_val);
} mig_big2 SEC(".maps");
