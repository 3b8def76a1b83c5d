/* SPDX-License-Identifier: GPL-2.0 */
/* Hand-made BTF shared by the unit tests (tests/unit/test_*.c) and the fuzz
 * targets (tests/fuzz/fuzz_*.c): the types several of them build the same
 * way. Each test and target is built as one source, so these are static
 * functions in a header rather than an object of their own.
 *
 * btf__add_field() extends the type added last, so every type a builder's
 * members refer to must exist before it is called; the builders add their
 * struct, its members and its tags in one go and return the struct's id.
 *
 * Failed tag additions go through BTF_FX_CHECK: the unit tests define it as
 * cmocka's assert_true before including this header, so every tag is
 * checked as before; the fuzz targets leave it a no-op. */
#ifndef MAPSH_TESTS_BTF_FIXTURE_H
#define MAPSH_TESTS_BTF_FIXTURE_H

#include <stdio.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#ifndef BTF_FX_CHECK
#define BTF_FX_CHECK(ok) ((void)(ok))
#endif

/* The decl tag "mapsh:FMT" on member comp of type (-1: the type itself). */
static inline void btf_fx_tag(struct btf *btf, int type, int comp,
			      const char *fmt)
{
	char v[64];

	snprintf(v, sizeof(v), "mapsh:%s", fmt);
	BTF_FX_CHECK(btf__add_decl_tag(btf, v, type, comp) > 0);
}

/* struct flow_key of bpf/mapsh.h (16 bytes), named name: src_ip and dst_ip
 * (be32, ipv4), src_port and dst_port (be16, port), protocol (u8,
 * ipproto), pad (pad3: an array of 3 bytes). */
static inline int btf_fx_flow_key(struct btf *btf, const char *name, int be32,
				  int be16, int u8, int pad3)
{
	int t = btf__add_struct(btf, name, 16);

	btf__add_field(btf, "src_ip", be32, 0, 0);
	btf__add_field(btf, "dst_ip", be32, 32, 0);
	btf__add_field(btf, "src_port", be16, 64, 0);
	btf__add_field(btf, "dst_port", be16, 80, 0);
	btf__add_field(btf, "protocol", u8, 96, 0);
	btf__add_field(btf, "pad", pad3, 104, 0);
	btf_fx_tag(btf, t, 0, "ipv4");
	btf_fx_tag(btf, t, 1, "ipv4");
	btf_fx_tag(btf, t, 2, "port");
	btf_fx_tag(btf, t, 3, "port");
	btf_fx_tag(btf, t, 4, "ipproto");
	return t;
}

/* struct flow_metrics of bpf/mapsh.h (40 bytes), named name: packets and
 * bytes (u64, counter), first_seen and last_seen (u64, ktime), tcp_flags
 * (u8, tcpflags), pad (pad7: an array of 7 bytes). */
static inline int btf_fx_flow_metrics(struct btf *btf, const char *name,
				      int u64, int u8, int pad7)
{
	int t = btf__add_struct(btf, name, 40);

	btf__add_field(btf, "packets", u64, 0, 0);
	btf__add_field(btf, "bytes", u64, 64, 0);
	btf__add_field(btf, "first_seen", u64, 128, 0);
	btf__add_field(btf, "last_seen", u64, 192, 0);
	btf__add_field(btf, "tcp_flags", u8, 256, 0);
	btf__add_field(btf, "pad", pad7, 264, 0);
	btf_fx_tag(btf, t, 0, "counter");
	btf_fx_tag(btf, t, 1, "counter");
	btf_fx_tag(btf, t, 2, "ktime");
	btf_fx_tag(btf, t, 3, "ktime");
	btf_fx_tag(btf, t, 4, "tcpflags");
	return t;
}

/* The base types of the query tests, in this order: __u8 ... __u64 as
 * integers, int, char, double, the __be16 and __be32 typedefs, and enum
 * fw_action {FW_ALLOW, FW_DROP}, added last so that a test can append
 * more values to it. */
struct btf_fx_query_types {
	int u8, u16, u32, u64, s32, chr, dbl, be16, be32, en;
};

static inline void btf_fx_add_query_types(struct btf *btf,
					  struct btf_fx_query_types *t)
{
	t->u8 = btf__add_int(btf, "__u8", 1, 0);
	t->u16 = btf__add_int(btf, "__u16", 2, 0);
	t->u32 = btf__add_int(btf, "__u32", 4, 0);
	t->u64 = btf__add_int(btf, "__u64", 8, 0);
	t->s32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	t->chr = btf__add_int(btf, "char", 1, BTF_INT_CHAR | BTF_INT_SIGNED);
	t->dbl = btf__add_float(btf, "double", 8);
	t->be16 = btf__add_typedef(btf, "__be16", t->u16);
	t->be32 = btf__add_typedef(btf, "__be32", t->u32);
	t->en = btf__add_enum(btf, "fw_action", 4);
	btf__add_enum_value(btf, "FW_ALLOW", 0);
	btf__add_enum_value(btf, "FW_DROP", 1);
}

#endif
