// SPDX-License-Identifier: GPL-2.0
/* An object of the user's own for `mapsh load --object` (tests/object.bats):
 * an XDP program counting IPv4 packets per source address in a hash map and
 * per protocol in a per-CPU array, a tc ingress program counting what it sees
 * in an array, and global data (.data, .bss, .rodata) the programs use. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct src_key {
	__u32 addr;
};

struct src_val {
	__u64 packets;
	__u64 bytes;
	__u32 last_len;
	__u8 proto;
	__u8 pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct src_key);
	__type(value, struct src_val);
} ox_src SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} ox_proto SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} ox_tc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} ox_lru SEC(".maps");

__u64 xdp_seen = 0;			/* .bss */
__u32 tc_mark = 7;			/* .data */
const volatile __u32 min_len = 14;	/* .rodata */

SEC("xdp")
int ox_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct src_key k = {};
	struct src_val *v, nv = {};
	__u32 len = (__u32)(end - data), proto;
	__u64 *pc;

	__sync_fetch_and_add(&xdp_seen, 1);
	if ((void *)(ip + 1) > end || len < min_len)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	k.addr = ip->saddr;
	proto = ip->protocol;
	pc = bpf_map_lookup_elem(&ox_proto, &proto);
	if (pc)
		*pc += 1;
	v = bpf_map_lookup_elem(&ox_src, &k);
	if (v) {
		__sync_fetch_and_add(&v->packets, 1);
		__sync_fetch_and_add(&v->bytes, len);
		v->last_len = len;
		v->proto = (__u8)proto;
	} else {
		nv.packets = 1;
		nv.bytes = len;
		nv.last_len = len;
		nv.proto = (__u8)proto;
		bpf_map_update_elem(&ox_src, &k, &nv, BPF_NOEXIST);
	}
	bpf_map_update_elem(&ox_lru, &k.addr, &len, BPF_ANY);
	return XDP_PASS;
}

SEC("tc")
int ox_tc_in(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *c = bpf_map_lookup_elem(&ox_tc, &zero);

	if (c)
		__sync_fetch_and_add(c, 1);
	skb->mark = tc_mark;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
