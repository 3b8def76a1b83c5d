// SPDX-License-Identifier: GPL-2.0
/*
 * flowtrack - XDP flow accounting and IPv4 firewall.
 *
 * Per packet: read config; parse Ethernet (+ one VLAN tag), IPv4/IPv6 and
 * TCP/UDP/ICMP; for IPv4 apply iface_blocklist, blocklist, blocked_prefixes
 * and the per-source rate limit; then either drop (count, event,
 * recent_drops) or account the packet (flows, counters, new-flow event).
 * Map layouts and the display tags are described in mapsh.h.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <xdp/xdp_helpers.h>

#include "mapsh.h"

#define MAX_IFINDEX	256
#define NSEC_PER_SEC	1000000000ULL
#define IP_OFFSET	0x1fff

/* libxdp multiprog dispatcher: priority 20, continue the chain on XDP_PASS */
struct {
	__uint(priority, 20);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(flowtrack);

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct flow_key);
	__type(value, struct flow_metrics);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct flow6_key);
	__type(value, struct flow_metrics);
} flows6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_IFINDEX);
	__type(key, __u32);
	__type(value, struct pkt_counters);
} iface_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pkt_counters);
} cpu_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct size_hist);
} pkt_sizes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 256);
	__type(key, struct proto_key);
	__type(value, struct pkt_counters);
} proto_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct fw_rule);
	__type(value, struct fw_verdict);
} blocklist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v4_key);
	__type(value, struct fw_verdict);
} blocked_prefixes SEC(".maps");

/* Inner maps are created by user space and must match this template. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, MAX_IFINDEX);
	__type(key, struct iface_key);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__uint(max_entries, 4096);
		__type(key, struct fw_rule);
		__type(value, struct fw_verdict);
	});
} iface_blocklist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct rl_key);
	__type(value, struct token_bucket);
} rate_limits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps") __mapsh_record(flow_event);

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 1024);
	__type(value, struct pkt_sample);
} samples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 256);
	__type(value, struct pkt_sample);
} recent_drops SEC(".maps");

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

/* Parsed packet; only the fields of ip_version (0 = not IP, 4, 6) are set. */
struct pkt {
	__u64 now;
	__u32 len;
	__u32 ifindex;
	__be32 saddr;
	__be32 daddr;
	__u8 saddr6[16];
	__u8 daddr6[16];
	__be16 sport;
	__be16 dport;
	__u8 protocol;
	__u8 ip_version;
	__u8 tcp_flags;
};

/* Ports and TCP flags; ICMP and unknown protocols leave them 0. */
static __always_inline void parse_l4(struct pkt *p, void *l4, void *data_end)
{
	if (p->protocol == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > data_end)
			return;
		p->sport = th->source;
		p->dport = th->dest;
		/* flags live in byte 13 of the header, after doff/res1 */
		p->tcp_flags = ((__u8 *)th)[13];
	} else if (p->protocol == IPPROTO_UDP) {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > data_end)
			return;
		p->sport = uh->source;
		p->dport = uh->dest;
	}
}

static __always_inline void parse(struct xdp_md *ctx, struct pkt *p)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l3 = eth + 1;
	__u16 proto;

	if (l3 > data_end)
		return;
	proto = eth->h_proto;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		struct vlan_hdr *vh = l3;

		if ((void *)(vh + 1) > data_end)
			return;
		proto = vh->encap_proto;
		l3 = vh + 1;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = l3;

		if ((void *)(iph + 1) > data_end || iph->ihl < 5)
			return;
		p->ip_version = 4;
		p->saddr = iph->saddr;
		p->daddr = iph->daddr;
		p->protocol = iph->protocol;
		/* non-first fragments carry no L4 header */
		if (!(iph->frag_off & bpf_htons(IP_OFFSET)))
			parse_l4(p, l3 + iph->ihl * 4, data_end);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6h = l3;

		if ((void *)(ip6h + 1) > data_end)
			return;
		p->ip_version = 6;
		__builtin_memcpy(p->saddr6, &ip6h->saddr, 16);
		__builtin_memcpy(p->daddr6, &ip6h->daddr, 16);
		p->protocol = ip6h->nexthdr;
		parse_l4(p, ip6h + 1, data_end);
	}
}

/*
 * Submitting through a real (not inlined) subprogram makes clang emit
 * struct flow_event into BTF, where mapsh finds it via the "record" tag of
 * the events ring buffer.  A local variable alone would not keep the type.
 */
static __noinline int event_submit(struct flow_event *e)
{
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __always_inline void emit_event(const struct pkt *p, enum event_type type,
				       enum drop_reason reason)
{
	struct flow_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return;
	__builtin_memset(e, 0, sizeof(*e));
	e->timestamp = p->now;
	e->ifindex = p->ifindex;
	e->type = type;
	e->reason = reason;
	e->src_port = p->sport;
	e->dst_port = p->dport;
	e->protocol = p->protocol;
	e->ip_version = p->ip_version;
	if (p->ip_version == 4) {
		e->src_ip = p->saddr;
		e->dst_ip = p->daddr;
	} else {
		__builtin_memcpy(e->src_ip6, p->saddr6, 16);
		__builtin_memcpy(e->dst_ip6, p->daddr6, 16);
	}
	event_submit(e);
}

static __always_inline void fill_sample(struct pkt_sample *s, const struct pkt *p,
					enum drop_reason reason)
{
	__builtin_memset(s, 0, sizeof(*s));
	s->timestamp = p->now;
	s->ifindex = p->ifindex;
	s->len = p->len;
	s->src_ip = p->saddr;
	s->dst_ip = p->daddr;
	s->reason = reason;
	s->src_port = p->sport;
	s->dst_port = p->dport;
	s->protocol = p->protocol;
}

/* First matching rule of @rules in lookup order; counts the hit. */
static __always_inline struct fw_verdict *rule_match(void *rules, const struct pkt *p)
{
	struct fw_rule r = {
		.src_ip = p->saddr,
		.dst_port = p->dport,
		.protocol = p->protocol,
	};
	struct fw_verdict *v;

	v = bpf_map_lookup_elem(rules, &r);
	if (!v) {
		r.dst_port = 0;
		r.protocol = 0;
		v = bpf_map_lookup_elem(rules, &r);
	}
	if (!v) {
		r.src_ip = 0;
		r.dst_port = p->dport;
		r.protocol = p->protocol;
		v = bpf_map_lookup_elem(rules, &r);
	}
	if (v)
		__sync_fetch_and_add(&v->hits, 1);
	return v;
}

/*
 * Per source, per CPU token bucket with rate = burst = pps.  Tokens are
 * whole packets; last_refill only advances by the time the added tokens
 * stand for, so slow trickles of time are not lost.
 */
static __always_inline int rate_limited(__be32 saddr, __u64 pps, __u64 now)
{
	struct rl_key key = { .src_ip = saddr };
	struct token_bucket *tb;
	__u64 elapsed, added;

	tb = bpf_map_lookup_elem(&rate_limits, &key);
	if (!tb) {
		struct token_bucket nb = {
			.tokens = pps - 1,
			.last_refill = now,
			.passed = 1,
		};

		bpf_map_update_elem(&rate_limits, &key, &nb, BPF_ANY);
		return 0;
	}

	elapsed = now - tb->last_refill;
	if (elapsed >= NSEC_PER_SEC) {
		tb->tokens = pps;
		tb->last_refill = now;
	} else {
		/* elapsed < 1e9 and pps < 2^32: no overflow */
		added = elapsed * pps / NSEC_PER_SEC;
		if (added) {
			tb->tokens += added;
			if (tb->tokens > pps)
				tb->tokens = pps;
			tb->last_refill += added * NSEC_PER_SEC / pps;
		}
	}

	/* per-CPU value: plain updates are safe */
	if (tb->tokens) {
		tb->tokens--;
		tb->passed++;
		return 0;
	}
	tb->dropped++;
	return 1;
}

/* IPv4 firewall; returns the drop reason or DROP_REASON_NONE. */
static __always_inline enum drop_reason firewall(const struct pkt *p,
						 const struct config *cfg)
{
	struct iface_key ik = { .ifindex = p->ifindex };
	struct lpm_v4_key lk = { .prefixlen = 32, .addr = p->saddr };
	struct fw_verdict *v;
	void *rules;

	rules = bpf_map_lookup_elem(&iface_blocklist, &ik);
	if (rules) {
		v = rule_match(rules, p);
		if (v)
			return v->action == FW_DROP ? DROP_REASON_IFACE_BLOCKLIST
						    : DROP_REASON_NONE;
	}

	v = rule_match(&blocklist, p);
	if (v)
		return v->action == FW_DROP ? DROP_REASON_BLOCKLIST : DROP_REASON_NONE;

	v = bpf_map_lookup_elem(&blocked_prefixes, &lk);
	if (v) {
		__sync_fetch_and_add(&v->hits, 1);
		return v->action == FW_DROP ? DROP_REASON_PREFIX : DROP_REASON_NONE;
	}

	if (cfg->rate_limit_pps && rate_limited(p->saddr, cfg->rate_limit_pps, p->now))
		return DROP_REASON_RATE_LIMIT;
	return DROP_REASON_NONE;
}

/* Counts the packet in flows/flows6; true if this created the entry. */
static __always_inline int flow_account(void *map, const void *key, const struct pkt *p)
{
	struct flow_metrics *m;
	struct flow_metrics nm = {
		.packets = 1,
		.bytes = p->len,
		.first_seen = p->now,
		.last_seen = p->now,
		.tcp_flags = p->tcp_flags,
	};

	m = bpf_map_lookup_elem(map, key);
	if (!m) {
		if (bpf_map_update_elem(map, key, &nm, BPF_NOEXIST) == 0)
			return 1;
		/* another CPU created it first */
		m = bpf_map_lookup_elem(map, key);
		if (!m)
			return 0;
	}
	__sync_fetch_and_add(&m->packets, 1);
	__sync_fetch_and_add(&m->bytes, p->len);
	m->last_seen = p->now;
	/* no 8-bit atomics; a lost race only loses a flag bit */
	if ((m->tcp_flags & p->tcp_flags) != p->tcp_flags)
		m->tcp_flags |= p->tcp_flags;
	return 0;
}

static __always_inline void flows_update(const struct pkt *p, const struct config *cfg)
{
	int created = 0;

	if (p->ip_version == 4) {
		struct flow_key k = {
			.src_ip = p->saddr,
			.dst_ip = p->daddr,
			.src_port = p->sport,
			.dst_port = p->dport,
			.protocol = p->protocol,
		};

		created = flow_account(&flows, &k, p);
	} else if (p->ip_version == 6) {
		struct flow6_key k = {
			.src_port = p->sport,
			.dst_port = p->dport,
			.protocol = p->protocol,
		};

		__builtin_memcpy(k.src_ip, p->saddr6, 16);
		__builtin_memcpy(k.dst_ip, p->daddr6, 16);
		created = flow_account(&flows6, &k, p);
	}
	if (created && (cfg->event_mask & EVENT_NEW_FLOW))
		emit_event(p, EVENT_TYPE_NEW_FLOW, DROP_REASON_NONE);
}

static __always_inline void proto_count(const struct pkt *p)
{
	struct proto_key k = { .protocol = p->protocol };
	struct pkt_counters *c, nc = { .packets = 1, .bytes = p->len };

	c = bpf_map_lookup_elem(&proto_stats, &k);
	if (!c) {
		bpf_map_update_elem(&proto_stats, &k, &nc, BPF_NOEXIST);
		return;
	}
	/* per-CPU value */
	c->packets++;
	c->bytes += p->len;
}

/* The bit length of v (0 for 0): its log2 slot. */
static __always_inline __u32 bit_len(__u32 v)
{
	__u32 r = 0, shift;

	if (!v)
		return 0;
	shift = (v > 0xFFFF) << 4; v >>= shift; r |= shift;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= v >> 1;
	return r + 1;
}

static __always_inline void size_count(__u32 len)
{
	__u32 zero = 0, slot = bit_len(len);
	struct size_hist *h = bpf_map_lookup_elem(&pkt_sizes, &zero);

	if (!h)
		return;
	if (slot >= PKT_SIZE_SLOTS)
		slot = PKT_SIZE_SLOTS - 1;
	h->slots[slot]++;	/* per-CPU value */
}

SEC("xdp")
int flowtrack(struct xdp_md *ctx)
{
	__u32 zero = 0, ifindex = ctx->ingress_ifindex;
	struct pkt p = {};
	struct pkt_counters *ifc, *cpuc;
	struct pkt_sample s;
	struct config *cfg;
	enum drop_reason reason = DROP_REASON_NONE;

	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg || !cfg->enabled)
		return XDP_PASS;

	p.now = bpf_ktime_get_ns();
	p.ifindex = ifindex;
	p.len = ctx->data_end - ctx->data;
	parse(ctx, &p);
	size_count(p.len);

	if (p.ip_version == 4)
		reason = firewall(&p, cfg);

	ifc = ifindex < MAX_IFINDEX ? bpf_map_lookup_elem(&iface_stats, &ifindex) : NULL;
	cpuc = bpf_map_lookup_elem(&cpu_stats, &zero);

	if (p.ip_version == 4 && cfg->sample_rate &&
	    bpf_get_prandom_u32() % cfg->sample_rate == 0) {
		fill_sample(&s, &p, reason);
		bpf_map_push_elem(&samples, &s, 0);
	}

	if (reason != DROP_REASON_NONE) {
		if (ifc)
			__sync_fetch_and_add(&ifc->drops, 1);
		if (cpuc)
			cpuc->drops++;
		if (cfg->event_mask & EVENT_DROP)
			emit_event(&p, EVENT_TYPE_DROP, reason);
		fill_sample(&s, &p, reason);
		/* BPF_EXIST: a full stack drops its oldest entry */
		bpf_map_push_elem(&recent_drops, &s, BPF_EXIST);
		return XDP_DROP;
	}

	if (ifc) {
		__sync_fetch_and_add(&ifc->packets, 1);
		__sync_fetch_and_add(&ifc->bytes, p.len);
	}
	if (cpuc) {
		cpuc->packets++;
		cpuc->bytes += p.len;
	}
	if (p.ip_version) {
		proto_count(&p);
		flows_update(&p, cfg);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
