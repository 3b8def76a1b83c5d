// SPDX-License-Identifier: GPL-2.0
/* Types for the typing tests (tests/typing.bats): well-known kernel types
 * (struct in6_addr, an Ethernet address struct), fields whose names look
 * like addresses but are not (num_ip, stomach), and a flow key for maps
 * created without BTF and typed with --btf. No display tags anywhere. */
#include <linux/bpf.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>

struct ethaddr {
	__u8 addr[6];
};

struct ty_val {
	struct in6_addr src6;	/* 16: ipv6 by its type */
	struct ethaddr eth;	/* 6: mac by its type */
	__u8 h_source[6];	/* 6: mac by its (safe) name */
	__u8 stomach[6];	/* 6: bytes, not a mac */
	__u32 num_ip;		/* a count, not an address */
	__u32 dst_ip;		/* an address by its name */
	__u32 plain;
};

struct flow_key {
	__u32 src;
	__u32 dst;
	__u16 sport;
	__u16 proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct ty_val);
} ty_vals SEC(".maps");

/* info's C declaration: unnamed bitfields (not in BTF) and function
 * pointers with their prototypes. */
struct ty_decl {
	__u32 a : 3;
	__u32 : 5;
	__u32 b : 4;
	__u32 : 0;
	__u32 c : 2;
	int (*cb)(int x, const char *s);
	void (*v)(void);
};

/* Keep struct flow_key and struct ty_decl in the object's BTF. */
struct flow_key ty_flow_key_anchor SEC(".data.ty");
struct ty_decl ty_decl_anchor SEC(".data.ty");

SEC("xdp")
int ty_pass(struct xdp_md *ctx)
{
	__u32 k = 0;

	(void)ctx;
	bpf_map_lookup_elem(&ty_vals, &k);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
