// SPDX-License-Identifier: GPL-2.0
/* A map whose value carries display tags that cannot apply: a port tag on
 * a 4-byte field, a tag that names no format, next to ones that fit
 * (tests/house.bats). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct tagged_value {
	__u32 port __attribute__((btf_decl_tag("mapsh:port")));
	__u32 addr __attribute__((btf_decl_tag("mapsh:ipv4")));
	__u64 when __attribute__((btf_decl_tag("mapsh:sparkle")));
	__u16 okport __attribute__((btf_decl_tag("mapsh:port")));
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct tagged_value);
} bad_tags SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
