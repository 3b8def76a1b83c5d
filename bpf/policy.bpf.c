// SPDX-License-Identifier: GPL-2.0
/*
 * policy - tc (clsact ingress) source-based policy routing.
 *
 * IPv4 packets whose source address has an entry in policy_routes are
 * redirected with bpf_redirect_neigh() to route.ifindex, via route.next_hop
 * when it is set (otherwise the packet's destination is resolved).  Every
 * redirect is counted per egress interface in redirect_stats.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "mapsh.h"

#ifndef AF_INET
#define AF_INET 2
#endif

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct route_key);
	__type(value, struct route);
} policy_routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct redirect_key);
	__type(value, struct pkt_counters);
} redirect_stats SEC(".maps");

/* A failed redirect is counted in drops; the packet then goes on normally. */
static __always_inline void count(__u32 ifindex, __u32 len, int failed)
{
	struct redirect_key key = { .ifindex = ifindex };
	struct pkt_counters *c, zero = {};

	c = bpf_map_lookup_elem(&redirect_stats, &key);
	if (!c) {
		bpf_map_update_elem(&redirect_stats, &key, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&redirect_stats, &key);
		if (!c)
			return;
	}
	if (failed) {
		__sync_fetch_and_add(&c->drops, 1);
		return;
	}
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, len);
}

SEC("tc")
int policy(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct route_key key = {};
	struct bpf_redir_neigh nh;
	struct route *rt;
	long ret;

	if (skb->protocol != bpf_htons(ETH_P_IP) || (void *)(iph + 1) > data_end)
		return TC_ACT_OK;

	key.src_ip = iph->saddr;
	rt = bpf_map_lookup_elem(&policy_routes, &key);
	if (!rt)
		return TC_ACT_OK;

	if (rt->next_hop) {
		/* filled in place: an initializer would be copied from .rodata */
		__builtin_memset(&nh, 0, sizeof(nh));
		nh.nh_family = AF_INET;
		nh.ipv4_nh = rt->next_hop;
		ret = bpf_redirect_neigh(rt->ifindex, &nh, sizeof(nh), 0);
	} else {
		ret = bpf_redirect_neigh(rt->ifindex, NULL, 0, 0);
	}

	count(rt->ifindex, skb->len, ret != TC_ACT_REDIRECT);
	return ret == TC_ACT_REDIRECT ? TC_ACT_REDIRECT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
