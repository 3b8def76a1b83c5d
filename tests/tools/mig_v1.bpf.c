// SPDX-License-Identifier: GPL-2.0
/* Version 1 of a small XDP flow counter, for migrating its map across a
 * struct change (tests/migrate.bats, the upgrade tests of load --object):
 * mig_flows counts packets and bytes per IPv4 flow. mig_v2.bpf.c is the
 * next version of the same program. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "../../bpf/mapsh.h"

struct mig_key {
	__be32 src_ip __mapsh("ipv4");
	__be32 dst_ip __mapsh("ipv4");
	__be16 dst_port __mapsh("port");
	__u8 proto __mapsh("ipproto");
	__u8 pad;
};

struct mig_val {
	__u32 packets __mapsh("counter");	/* v2: __u64 */
	__u32 flags __mapsh("hex");
	__u64 bytes __mapsh("counter");		/* v2: before packets */
	__u64 last_seen __mapsh("ktime");
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct mig_key);
	__type(value, struct mig_val);
} mig_flows SEC(".maps");

SEC("xdp")
int mig_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct mig_key k = {};
	struct mig_val *v, nv = {};

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	k.src_ip = ip->saddr;
	k.dst_ip = ip->daddr;
	k.proto = ip->protocol;
	if (ip->protocol == IPPROTO_UDP || ip->protocol == IPPROTO_TCP) {
		struct udphdr *l4 = (void *)ip + ip->ihl * 4;

		if ((void *)(l4 + 1) <= end)
			k.dst_port = l4->dest;
	}
	v = bpf_map_lookup_elem(&mig_flows, &k);
	if (!v) {
		nv.flags = 1;
		bpf_map_update_elem(&mig_flows, &k, &nv, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&mig_flows, &k);
		if (!v)
			return XDP_PASS;
	}
	__sync_fetch_and_add(&v->packets, 1);
	__sync_fetch_and_add(&v->bytes, end - data);
	v->last_seen = bpf_ktime_get_ns();
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
