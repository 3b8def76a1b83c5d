/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mapsh.h - map key/value layouts shared by the bundled eBPF programs
 * (flowtrack.bpf.c, policy.bpf.c) and by user-space C.  Only <linux/types.h>
 * types are used so the header compiles on both sides.
 *
 * Display tags
 * ------------
 * Fields carry __mapsh("fmt"), a BTF decl tag "mapsh:<fmt>" that mapsh reads
 * from the object's BTF to pick a display format:
 *
 *   ipv4      4-byte address, network order
 *   ipv6      16-byte address
 *   mac       6-byte MAC address
 *   port      __be16 port, network order, shown in host order
 *   be        any other network-order integer
 *   ifindex   interface index (shown with its name)
 *   ktime     ns since boot (bpf_ktime_get_ns)
 *   ipproto   IP protocol number
 *   tcpflags  u8 of TCP flags (FIN SYN RST PSH ACK URG ECE CWR)
 *   hex       shown in hex
 *   counter   monotonic counter (packets, bytes, drops, hits)
 *   log2hist  array of counters: log2 buckets, slot i counting the values
 *             of bit length i ([0], [1], [2, 4), [4, 8), ...: bcc's and
 *             bpftrace's); untagged arrays named buckets or *hist* are
 *             taken as such; an untagged one named slots is libbpf-tools'
 *             struct hist, slot i holding floor(log2 v): [0, 2), [2, 4),
 *             [4, 8), ...
 *   linhist=MIN,STEP  array of counters: linear buckets, bucket i counting
 *             MIN + i*STEP .. MIN + (i+1)*STEP - 1
 *   log2      a key that is a log2 bucket index (the map is a histogram)
 *
 * Ring buffers have no value type in the kernel, so their record struct is
 * named by a tag on the map variable: __mapsh_record(flow_event) emits
 * "mapsh:record=flow_event".
 *
 * Maps of flowtrack.bpf.c (XDP)             key -> value
 * --------------------------------------------------------------------------
 *  flows            LRU_HASH        16384  flow_key    -> flow_metrics   prog
 *  flows6           LRU_HASH        16384  flow6_key   -> flow_metrics   prog
 *  iface_stats      ARRAY             256  __u32 ifindex -> pkt_counters prog
 *  cpu_stats        PERCPU_ARRAY        1  __u32 0     -> pkt_counters   prog
 *  proto_stats      PERCPU_HASH       256  proto_key   -> pkt_counters   prog
 *  pkt_sizes        PERCPU_ARRAY        1  __u32 0     -> size_hist      prog
 *  config           ARRAY               1  __u32 0     -> config         user
 *  blocklist        HASH             4096  fw_rule     -> fw_verdict     user (prog: hits)
 *  blocked_prefixes LPM_TRIE         1024  lpm_v4_key  -> fw_verdict     user (prog: hits)
 *  iface_blocklist  HASH_OF_MAPS      256  iface_key   -> inner HASH fw_rule -> fw_verdict
 *                                          user creates/inserts inner maps (prog: hits)
 *  rate_limits      LRU_PERCPU_HASH  4096  rl_key      -> token_bucket   prog
 *  events           RINGBUF       256 KiB  records: flow_event           prog
 *  samples          QUEUE            1024  values: pkt_sample            prog
 *  recent_drops     STACK             256  values: pkt_sample            prog
 *
 * Maps of policy.bpf.c (tc clsact ingress)
 * --------------------------------------------------------------------------
 *  policy_routes    HASH             1024  route_key    -> route         user
 *  redirect_stats   HASH              256  redirect_key -> pkt_counters  prog
 *
 * "user" maps are written by user space, "prog" maps by the BPF program.
 * The kernel keeps 15 chars of a map name: blocked_prefixes shows up as
 * "blocked_prefixe" (bpftool "name blocked_prefixes" is rejected).
 * iface_blocklist inner maps: HASH, key 8, value 16, flags 0 (any size).
 * config must be written at load time (enabled=1, event_mask=3): with
 * enabled == 0 flowtrack passes every packet and updates no map.
 */
#ifndef MAPSH_H
#define MAPSH_H

#include <linux/types.h>

/* Tags only matter in BTF; compilers without btf_decl_tag (gcc) skip them. */
#ifdef __has_attribute
#if __has_attribute(btf_decl_tag)
#define __mapsh(fmt) __attribute__((btf_decl_tag("mapsh:" fmt)))
#define __mapsh_record(type) __attribute__((btf_decl_tag("mapsh:record=" #type)))
#endif
#endif
#ifndef __mapsh
#define __mapsh(fmt)
#define __mapsh_record(type)
#endif

/* ---- flow tracking ---- */

struct flow_key {
	__be32 src_ip __mapsh("ipv4");
	__be32 dst_ip __mapsh("ipv4");
	__be16 src_port __mapsh("port");	/* 0 for ICMP */
	__be16 dst_port __mapsh("port");
	__u8 protocol __mapsh("ipproto");
	__u8 pad[3];
};

struct flow6_key {
	__u8 src_ip[16] __mapsh("ipv6");
	__u8 dst_ip[16] __mapsh("ipv6");
	__be16 src_port __mapsh("port");
	__be16 dst_port __mapsh("port");
	__u8 protocol __mapsh("ipproto");
	__u8 pad[3];
};

struct flow_metrics {
	__u64 packets __mapsh("counter");
	__u64 bytes __mapsh("counter");
	__u64 first_seen __mapsh("ktime");
	__u64 last_seen __mapsh("ktime");
	__u8 tcp_flags __mapsh("tcpflags");	/* OR of all flags seen */
	__u8 pad[7];
};

/* ---- counters ---- */

struct pkt_counters {
	__u64 packets __mapsh("counter");
	__u64 bytes __mapsh("counter");
	__u64 drops __mapsh("counter");
};

/* Sizes of the packets seen (passed or dropped), in log2 slots: slot i
 * counts the frames of bit length i (slot 11: 1024..2047 bytes). */
#define PKT_SIZE_SLOTS 17
struct size_hist {
	__u64 slots[PKT_SIZE_SLOTS] __mapsh("log2hist");
};

struct proto_key {
	__u8 protocol __mapsh("ipproto");
};

/* ---- configuration (config[0], written by user space) ---- */

enum event_mask_bits {
	EVENT_NEW_FLOW = 1,
	EVENT_DROP = 2,
};

struct config {
	__u32 enabled;		/* 0: pass everything, count nothing */
	__u32 sample_rate;	/* N > 0: push 1 in N IPv4 packets to samples */
	__u32 rate_limit_pps;	/* per source and CPU; 0 = off */
	__u32 event_mask __mapsh("hex");	/* enum event_mask_bits */
};

/* ---- firewall ---- */

enum fw_action {
	FW_ALLOW = 0,
	FW_DROP = 1,
};

/*
 * Rules are looked up as {src, dport, proto}, then {src, 0, 0}, then
 * {0, dport, proto}; the first hit decides.
 */
struct fw_rule {
	__be32 src_ip __mapsh("ipv4");
	__be16 dst_port __mapsh("port");
	__u8 protocol __mapsh("ipproto");
	__u8 pad;
};

struct fw_verdict {
	enum fw_action action;
	__u32 pad;
	__u64 hits __mapsh("counter");
};

struct lpm_v4_key {
	__u32 prefixlen;
	__be32 addr __mapsh("ipv4");
};

/* Key of iface_blocklist; inner maps: HASH, key fw_rule, value fw_verdict. */
struct iface_key {
	__u32 ifindex __mapsh("ifindex");
};

struct rl_key {
	__be32 src_ip __mapsh("ipv4");
};

/* Token bucket: refill rate = burst = config.rate_limit_pps. */
struct token_bucket {
	__u64 tokens;
	__u64 last_refill __mapsh("ktime");
	__u64 passed __mapsh("counter");
	__u64 dropped __mapsh("counter");
};

/* ---- events and samples ---- */

enum event_type {
	EVENT_TYPE_NEW_FLOW = 1,
	EVENT_TYPE_DROP = 2,
};

enum drop_reason {
	DROP_REASON_NONE = 0,
	DROP_REASON_BLOCKLIST,
	DROP_REASON_IFACE_BLOCKLIST,
	DROP_REASON_PREFIX,
	DROP_REASON_RATE_LIMIT,
};

/* Ring buffer record; only the fields of ip_version (4 or 6) are set. */
struct flow_event {
	__u64 timestamp __mapsh("ktime");
	__u32 ifindex __mapsh("ifindex");
	enum event_type type;
	enum drop_reason reason;
	__be32 src_ip __mapsh("ipv4");
	__be32 dst_ip __mapsh("ipv4");
	__u8 src_ip6[16] __mapsh("ipv6");
	__u8 dst_ip6[16] __mapsh("ipv6");
	__be16 src_port __mapsh("port");
	__be16 dst_port __mapsh("port");
	__u8 protocol __mapsh("ipproto");
	__u8 ip_version;
	__u8 pad[6];
};

/* IPv4 packet sample (samples queue, recent_drops stack). */
struct pkt_sample {
	__u64 timestamp __mapsh("ktime");
	__u32 ifindex __mapsh("ifindex");
	__u32 len;
	__be32 src_ip __mapsh("ipv4");
	__be32 dst_ip __mapsh("ipv4");
	enum drop_reason reason;	/* DROP_REASON_NONE if passed */
	__be16 src_port __mapsh("port");
	__be16 dst_port __mapsh("port");
	__u8 protocol __mapsh("ipproto");
	__u8 pad[7];
};

/* ---- policy routing (policy.bpf.c) ---- */

struct route_key {
	__be32 src_ip __mapsh("ipv4");
};

struct route {
	__u32 ifindex __mapsh("ifindex");	/* egress interface */
	__be32 next_hop __mapsh("ipv4");	/* 0: use the packet's destination */
};

struct redirect_key {
	__u32 ifindex __mapsh("ifindex");	/* egress interface */
};

#endif /* MAPSH_H */
