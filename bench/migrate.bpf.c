// SPDX-License-Identifier: GPL-2.0
/*
 * The target of the migrate figure of `make bench` (bench/bench.sh, 7.):
 * bench_flows2, bench_flows (bench.bpf.c) with a changed type: the key
 * gains a field, the value's fields are reordered and one is widened, one
 * added.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "mapsh.h"

struct flow_key2 {
	__be32 src_ip __mapsh("ipv4");
	__be32 dst_ip __mapsh("ipv4");
	__be16 src_port __mapsh("port");
	__be16 dst_port __mapsh("port");
	__u8 protocol __mapsh("ipproto");
	__u8 pad[3];
	__u32 zone;				/* new */
};

struct flow_metrics2 {
	__u64 bytes __mapsh("counter");		/* before packets now */
	__u64 packets __mapsh("counter");
	__u64 last_seen __mapsh("ktime");
	__u64 first_seen __mapsh("ktime");
	__u32 tcp_flags;			/* was __u8 */
	__u32 drops __mapsh("counter");		/* new */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 20);
	__type(key, struct flow_key2);
	__type(value, struct flow_metrics2);
} bench_flows2 SEC(".maps");

SEC("xdp")
int bench_mig_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
