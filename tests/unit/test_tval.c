// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the typed-value engine (cli/tval*.c): every BTF kind a map
 * can hold, formatted to text and JSON and parsed back, on hand-made BTF
 * and on the BTF of the bundled BPF objects. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "tval/tval.h"
/* Each tag of the shared fixtures is asserted, as the local ones are. */
#define BTF_FX_CHECK(ok) assert_true(ok)
#include "btf_fixture.h"

#ifndef BPF_OBJ_DIR
#define BPF_OBJ_DIR "build/bpf"
#endif

/* ------------------------------------------------------- hand-made BTF */

struct zoo {
	struct btf *btf;
	int u8, u16, u32, u64, s8, s16, s32, s64, u128, s128, chr, uchr, sch;
	int boolt, flt, dbl, ldbl;
	int t_u8, t_u16, t_u32, t_u64, t_be16, t_be32, t_be64;
	int flow_key, flow6_key, flow_metrics, fw_action, fw_verdict, lpm;
	int ints, bits, color, with_union, anon, multi, floats, e64, ptrs, aos;
	int fb, in6, tdt, chars, mac_s, pad_s, ktimes;
};

static struct zoo Z;

static int field(const char *name, int type, int bitoff)
{
	return btf__add_field(Z.btf, name, type, bitoff, 0);
}

static void tag(const char *fmt, int type, int comp)
{
	btf_fx_tag(Z.btf, type, comp, fmt);
}

static int arr(int elem, int n)
{
	return btf__add_array(Z.btf, Z.u32, elem, n);
}

/* Types that members refer to are all created before the struct that
 * uses them: btf__add_field() extends the last type added. */
static void build_zoo(void)
{
	struct btf *b = btf__new_empty();
	int t, u, a_u8_3, a_u8_16, a_u8_7, a_u8_4, a_u8_6, a_u8_2;
	int a_m, a_chr_8x2, a_chr_16, a_uchr_4, a_be32_4, a_pt_3, a_pt_2x2;
	int a_ti_2, parts, au, pt, u6, ti, big64, sbig, small, se_ptrs[7];

	Z.btf = b;
	Z.u8 = btf__add_int(b, "unsigned char", 1, 0);
	Z.u16 = btf__add_int(b, "unsigned short", 2, 0);
	Z.u32 = btf__add_int(b, "unsigned int", 4, 0);
	Z.u64 = btf__add_int(b, "unsigned long long", 8, 0);
	Z.s8 = btf__add_int(b, "signed char", 1, BTF_INT_SIGNED);
	Z.s16 = btf__add_int(b, "short", 2, BTF_INT_SIGNED);
	Z.s32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	Z.s64 = btf__add_int(b, "long long", 8, BTF_INT_SIGNED);
	Z.u128 = btf__add_int(b, "unsigned __int128", 16, 0);
	Z.s128 = btf__add_int(b, "__int128", 16, BTF_INT_SIGNED);
	Z.chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	Z.uchr = Z.u8;
	Z.sch = Z.s8;
	Z.boolt = btf__add_int(b, "_Bool", 1, BTF_INT_BOOL);
	Z.flt = btf__add_float(b, "float", 4);
	Z.dbl = btf__add_float(b, "double", 8);
	Z.ldbl = btf__add_float(b, "long double", 16);
	Z.t_u8 = btf__add_typedef(b, "__u8", Z.u8);
	Z.t_u16 = btf__add_typedef(b, "__u16", Z.u16);
	Z.t_u32 = btf__add_typedef(b, "__u32", Z.u32);
	Z.t_u64 = btf__add_typedef(b, "__u64", Z.u64);
	Z.t_be16 = btf__add_typedef(b, "__be16", Z.t_u16);
	Z.t_be32 = btf__add_typedef(b, "__be32", Z.t_u32);
	Z.t_be64 = btf__add_typedef(b, "__be64", Z.t_u64);
	a_u8_3 = arr(Z.t_u8, 3);
	a_u8_16 = arr(Z.t_u8, 16);
	a_u8_7 = arr(Z.t_u8, 7);
	a_u8_4 = arr(Z.t_u8, 4);
	a_u8_6 = arr(Z.t_u8, 6);
	a_u8_2 = arr(Z.t_u8, 2);
	a_m = arr(arr(Z.s32, 3), 2);
	a_chr_8x2 = arr(arr(Z.chr, 8), 2);
	a_chr_16 = arr(Z.chr, 16);
	a_uchr_4 = arr(Z.uchr, 4);
	a_be32_4 = arr(Z.t_be32, 4);

	/* struct flow_key (bpf/mapsh.h) */
	Z.flow_key = btf_fx_flow_key(b, "flow_key", Z.t_be32, Z.t_be16, Z.t_u8,
				     a_u8_3);

	Z.flow6_key = t = btf__add_struct(b, "flow6_key", 40);
	field("src_ip", a_u8_16, 0);
	field("dst_ip", a_u8_16, 128);
	field("src_port", Z.t_be16, 256);
	field("dst_port", Z.t_be16, 272);
	field("protocol", Z.t_u8, 288);
	field("pad", a_u8_3, 296);
	tag("ipv6", t, 0);
	tag("ipv6", t, 1);
	tag("port", t, 2);
	tag("port", t, 3);
	tag("ipproto", t, 4);

	Z.flow_metrics = btf_fx_flow_metrics(b, "flow_metrics", Z.t_u64, Z.t_u8,
					     a_u8_7);

	Z.fw_action = btf__add_enum(b, "fw_action", 4);
	btf__add_enum_value(b, "FW_ALLOW", 0);
	btf__add_enum_value(b, "FW_DROP", 1);
	Z.fw_verdict = t = btf__add_struct(b, "fw_verdict", 16);
	field("action", Z.fw_action, 0);
	field("pad", Z.t_u32, 32);
	field("hits", Z.t_u64, 64);
	tag("counter", t, 2);

	Z.lpm = t = btf__add_struct(b, "lpm_v4_key", 8);
	field("prefixlen", Z.t_u32, 0);
	field("addr", Z.t_be32, 32);
	tag("ipv4", t, 1);

	/* every integer width */
	Z.ints = btf__add_struct(b, "ints", 80);
	field("a", Z.t_u8, 0);
	field("b", Z.s8, 8);
	field("c", Z.t_u16, 16);
	field("d", Z.s16, 32);
	field("e", Z.t_u32, 64);
	field("f", Z.s32, 96);
	field("g", Z.t_u64, 128);
	field("h", Z.s64, 192);
	field("i", Z.u128, 256);
	field("j", Z.s128, 384);
	field("k", Z.boolt, 512);

	/* bitfields (kflag struct) */
	Z.color = btf__add_enum(b, "color", 4);
	btf__add_enum_value(b, "COLOR_RED", 0);
	btf__add_enum_value(b, "COLOR_GREEN", 1);
	btf__add_enum_value(b, "COLOR_BLUE", 2);
	Z.bits = btf__add_struct(b, "bits", 16);
	btf__add_field(b, "a", Z.u32, 0, 3);
	btf__add_field(b, "b", Z.s32, 3, 5);
	btf__add_field(b, "c", Z.u32, 8, 24);
	btf__add_field(b, "col", Z.color, 32, 2);
	btf__add_field(b, "", Z.u32, 34, 2);	/* unnamed padding */
	btf__add_field(b, "big", Z.u64, 36, 40);
	btf__add_field(b, "e", Z.u16, 96, 0);

	/* unions, named and anonymous */
	u = btf__add_union(b, "u", 4);
	field("x", Z.t_u32, 0);
	field("b", a_u8_4, 0);
	Z.with_union = btf__add_struct(b, "with_union", 8);
	field("tag", Z.t_u32, 0);
	field("u", u, 32);
	parts = btf__add_struct(b, "", 4);
	field("lo", Z.t_u16, 0);
	field("hi", Z.t_u16, 16);
	au = btf__add_union(b, "", 4);
	field("ival", Z.s32, 0);
	field("parts", parts, 0);
	Z.anon = btf__add_struct(b, "anon", 8);
	field("kind", Z.t_u32, 0);
	field("", au, 32);

	/* multi-dimensional arrays and char arrays */
	Z.multi = btf__add_struct(b, "multi", 44);
	field("m", a_m, 0);
	field("raw", a_u8_4, 192);
	field("names", a_chr_8x2, 224);

	Z.floats = btf__add_struct(b, "floats", 32);
	field("f", Z.flt, 0);
	field("d", Z.dbl, 64);
	field("ld", Z.ldbl, 128);

	/* enum64, unsigned and signed, plus a 1-byte signed enum */
	big64 = btf__add_enum64(b, "big64", 8, false);
	btf__add_enum64_value(b, "B_SMALL", 1);
	btf__add_enum64_value(b, "B_HUGE", UINT64_MAX);
	sbig = btf__add_enum64(b, "sbig", 8, true);
	btf__add_enum64_value(b, "S_NEG", (uint64_t)-5);
	btf__add_enum64_value(b, "S_POS", 5);
	small = btf__add_enum(b, "small", 1);
	btf__add_enum_value(b, "SM_NEG", -1);
	btf__add_enum_value(b, "SM_ONE", 1);
	Z.e64 = btf__add_struct(b, "e64", 24);
	field("a", big64, 0);
	field("b", sbig, 64);
	field("c", small, 128);

	/* pointers and modifiers */
	se_ptrs[0] = btf__add_ptr(b, 0);			/* void * */
	se_ptrs[1] = btf__add_ptr(b, Z.s32);
	se_ptrs[2] = btf__add_restrict(b, se_ptrs[1]);		/* int *restrict */
	se_ptrs[3] = btf__add_type_tag(b, "user", Z.s32);
	se_ptrs[4] = btf__add_ptr(b, se_ptrs[3]);		/* int __user * */
	se_ptrs[5] = btf__add_volatile(b, Z.t_u32);
	se_ptrs[6] = btf__add_const(b, se_ptrs[5]);		/* const volatile */
	Z.ptrs = btf__add_struct(b, "ptrs", 32);
	field("p", se_ptrs[0], 0);
	field("rp", se_ptrs[2], 64);
	field("tp", se_ptrs[4], 128);
	field("cv", se_ptrs[6], 192);
	field("pad", Z.t_u32, 224);

	/* arrays of structs */
	pt = btf__add_struct(b, "pt", 4);
	field("x", Z.t_u16, 0);
	field("y", Z.t_u16, 16);
	a_pt_3 = arr(pt, 3);
	a_pt_2x2 = arr(arr(pt, 2), 2);
	Z.aos = btf__add_struct(b, "aos", 32);
	field("n", Z.t_u32, 0);
	field("pts", a_pt_3, 32);
	field("grid", a_pt_2x2, 128);

	/* untagged foreign struct: name fallbacks (seq is tagged hex) */
	u6 = btf__add_union(b, "", 16);
	field("u6_addr8", a_u8_16, 0);
	field("u6_addr32", a_be32_4, 0);
	Z.in6 = btf__add_struct(b, "in6_addr", 16);
	field("in6_u", u6, 0);
	Z.fb = t = btf__add_struct(b, "fb", 48);
	field("saddr", Z.t_be32, 0);
	field("dst_ip", Z.t_u32, 32);
	field("h_dest", a_u8_6, 64);
	field("sport", Z.t_be16, 112);
	field("seq", Z.t_be32, 128);
	field("ack", Z.t_be32, 160);
	field("daddr6", Z.in6, 192);
	field("src_mac", a_u8_6, 320);
	field("pad0", Z.t_u16, 368);
	tag("hex", t, 4);

	/* a tag on a typedef */
	ti = btf__add_typedef(b, "my_ifindex", Z.t_u32);
	tag("ifindex", ti, -1);
	a_ti_2 = arr(ti, 2);
	Z.tdt = btf__add_struct(b, "tdt", 12);
	field("dev", ti, 0);
	field("devs", a_ti_2, 32);

	Z.chars = btf__add_struct(b, "chars", 28);
	field("name", a_chr_16, 0);
	field("uname", a_uchr_4, 128);
	field("bytes", a_u8_4, 160);
	field("sc", Z.sch, 192);
	field("c", Z.chr, 200);
	field("_pad1", a_u8_2, 208);

	Z.mac_s = t = btf__add_struct(b, "mac_s", 12);
	field("mac", a_u8_6, 0);
	field("flags", Z.t_u16, 48);
	field("ifindex", Z.t_u32, 64);
	tag("mac", t, 0);
	tag("tcpflags", t, 1);
	tag("ifindex", t, 2);

	Z.ktimes = t = btf__add_struct(b, "ktimes", 16);
	field("t", Z.t_u64, 0);
	field("v", Z.t_be64, 64);
	tag("ktime", t, 0);
}

static int setup(void **state)
{
	(void)state;
	build_zoo();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	btf__free(Z.btf);
	return 0;
}

/* ------------------------------------------------------------- helpers */

static struct tv_plan *plan(int type_id, unsigned flags)
{
	struct strbuf err = STRBUF_INIT;
	struct tv_plan *p = tv_plan_new(Z.btf, (__u32)type_id, flags, &err);

	if (!p)
		fail_msg("plan: %s", sb_str(&err));
	sb_free(&err);
	return p;
}

static char *text(const struct tv_plan *p, const void *data)
{
	struct strbuf sb = STRBUF_INIT;

	tv_format_text(p, data, &sb);
	return sb.buf ? sb.buf : strdup("");
}

static char *json(const struct tv_plan *p, const void *data)
{
	struct strbuf sb = STRBUF_INIT;
	struct jw w;
	json_error_t e;
	json_t *j;

	jw_init(&w, &sb, false);
	tv_format_json(p, data, &w);
	/* every JSON we print must be valid (u64 above INT64_MAX are valid
	 * JSON numbers that jansson only reads as reals) */
	j = json_loads(sb_str(&sb), JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &e);
	if (!j)
		fail_msg("invalid JSON %s: %s", sb_str(&sb), e.text);
	json_decref(j);
	return sb.buf;
}

#define assert_text(p, data, want) do {			\
		char *_t = text(p, data);			\
		assert_string_equal(_t, want);			\
		free(_t);					\
	} while (0)

#define assert_json(p, data, want) do {			\
		char *_j = json(p, data);			\
		assert_string_equal(_j, want);			\
		free(_j);					\
	} while (0)

/* Parse text into buf; returns 0 or fails with the message. */
static void parse_ok(const struct tv_plan *p, const char *in, void *buf,
		     unsigned flags)
{
	struct strbuf err = STRBUF_INIT;

	if (tv_parse_text(p, in, buf, flags, &err))
		fail_msg("parse '%s': %s", in, sb_str(&err));
	sb_free(&err);
}

static void parse_err(const struct tv_plan *p, const char *in, unsigned flags,
		      const char *want)
{
	struct strbuf err = STRBUF_INIT;
	uint8_t *buf = calloc(1, tv_plan_size(p) + 1);
	uint8_t *copy = calloc(1, tv_plan_size(p) + 1);
	int rc;

	for (uint32_t i = 0; i < tv_plan_size(p); i++)
		buf[i] = copy[i] = (uint8_t)(i * 7 + 1);
	rc = tv_parse_text(p, in, buf, flags, &err);
	if (!rc)
		fail_msg("parse '%s' succeeded, wanted: %s", in, want);
	/* the buffer is left exactly as it was */
	assert_memory_equal(buf, copy, tv_plan_size(p));
	assert_string_equal(sb_str(&err), want);
	assert_null(strchr(sb_str(&err), '\n'));
	free(buf);
	free(copy);
	sb_free(&err);
}

/* format text -> parse -> same bytes; JSON -> parse -> same bytes;
 * parse(text) -> format -> same text. data must have padding zeroed. */
static void roundtrip(const struct tv_plan *p, const void *data)
{
	uint32_t n = tv_plan_size(p);
	uint8_t *b1 = calloc(1, n + 1), *b2 = calloc(1, n + 1);
	struct strbuf err = STRBUF_INIT;
	char *t = text(p, data), *j = json(p, data), *t2;

	if (tv_parse_text(p, t, b1, 0, &err))
		fail_msg("%s: text '%s' does not parse back: %s",
			 tv_plan_type_name(p), t, sb_str(&err));
	if (memcmp(b1, data, n))
		fail_msg("%s: text '%s' parses to other bytes",
			 tv_plan_type_name(p), t);
	if (tv_parse_json(p, j, b2, 0, &err))
		fail_msg("%s: JSON '%s' does not parse back: %s",
			 tv_plan_type_name(p), j, sb_str(&err));
	if (memcmp(b2, data, n))
		fail_msg("%s: JSON '%s' parses to other bytes",
			 tv_plan_type_name(p), j);
	t2 = text(p, b1);
	assert_string_equal(t, t2);
	free(t);
	free(t2);
	free(j);
	free(b1);
	free(b2);
	sb_free(&err);
}

static void random_fill(const struct tv_plan *p, uint8_t *buf, unsigned seed)
{
	uint32_t n = tv_plan_size(p);
	uint8_t *mask = malloc(n + 1);

	srandom(seed);
	for (uint32_t i = 0; i < n; i++)
		buf[i] = (uint8_t)random();
	tv_plan_data_mask(p, mask);
	for (uint32_t i = 0; i < n; i++)
		buf[i] &= mask[i];
	free(mask);
}

/* --------------------------------------------------------------- tests */

static const uint8_t fk_bytes[16] = {
	10, 0, 0, 1, 10, 0, 0, 2, 0x15, 0xb3, 0, 80, 6, 0, 0, 0,
};

static void test_flow_key(void **state)
{
	struct tv_plan *p = plan(Z.flow_key, 0);
	uint8_t buf[16] = { 0 };

	(void)state;
	assert_int_equal(tv_plan_size(p), 16);
	assert_string_equal(tv_plan_type_name(p), "struct flow_key");
	assert_int_equal(tv_plan_nleaves(p), 6);
	assert_true(tv_plan_leaf(p, 5)->is_padding);
	assert_int_equal(tv_plan_leaf(p, 0)->fmt, TV_FMT_IPV4);
	assert_int_equal(tv_plan_leaf(p, 2)->fmt, TV_FMT_PORT);
	assert_text(p, fk_bytes,
		    "{src_ip=10.0.0.1 dst_ip=10.0.0.2 src_port=5555 dst_port=80 protocol=tcp}");
	assert_json(p, fk_bytes,
		    "{\"src_ip\":\"10.0.0.1\",\"dst_ip\":\"10.0.0.2\",\"src_port\":5555,"
		    "\"dst_port\":80,\"protocol\":\"tcp\",\"pad\":[0,0,0]}");

	/* the forms the command line accepts */
	parse_ok(p, "src_ip=10.0.0.1 dst_ip=10.0.0.2 src_port=5555 dst_port=80 protocol=TCP",
		 buf, TV_PARSE_ALL);
	assert_memory_equal(buf, fk_bytes, 16);
	memset(buf, 0, 16);
	parse_ok(p, "10.0.0.1 10.0.0.2 5555 80 6", buf, TV_PARSE_ALL);
	assert_memory_equal(buf, fk_bytes, 16);
	memset(buf, 0, 16);
	parse_ok(p, "hex 0a 00 00 01 0a 00 00 02 15 b3 00 50 06 00 00 00", buf,
		 TV_PARSE_ALL);
	assert_memory_equal(buf, fk_bytes, 16);
	memset(buf, 0, 16);
	parse_ok(p, "10 0 0 1 0xa 0 0 2 0x15 0xb3 0 80 6 0 0 0", buf, TV_PARSE_ALL);
	assert_memory_equal(buf, fk_bytes, 16);
	memset(buf, 0, 16);
	parse_ok(p, "{ \"src_ip\": \"10.0.0.1\", \"dst_ip\": \"10.0.0.2\", "
		    "\"src_port\": 5555, \"dst_port\": 80, \"protocol\": 6 }",
		 buf, TV_PARSE_ALL);
	assert_memory_equal(buf, fk_bytes, 16);
	/* overlay: only the named field changes */
	parse_ok(p, "dst_port=0x1f90", buf, 0);
	assert_int_equal(buf[10], 0x1f);
	assert_int_equal(buf[11], 0x90);
	assert_memory_equal(buf, fk_bytes, 10);
	roundtrip(p, fk_bytes);
	tv_plan_free(p);
}

static void test_flow6_and_lpm(void **state)
{
	struct tv_plan *p = plan(Z.flow6_key, 0), *l = plan(Z.lpm, 0);
	struct strbuf err = STRBUF_INIT;
	uint8_t buf[40] = { 0 };
	uint8_t lk[8] = { 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4 };

	(void)state;
	parse_ok(p, "src_ip=fe80::1 dst_ip=2001:db8::2 src_port=1 dst_port=2 protocol=icmpv6",
		 buf, TV_PARSE_ALL);
	assert_text(p, buf,
		    "{src_ip=fe80::1 dst_ip=2001:db8::2 src_port=1 dst_port=2 protocol=icmpv6}");
	roundtrip(p, buf);
	assert_false(tv_plan_is_lpm_key(p));

	assert_true(tv_plan_is_lpm_key(l));
	assert_int_equal(tv_parse_cidr_key(l, "10.1.2.3/8", lk, &err), 0);
	assert_text(l, lk, "{prefixlen=8 addr=10.0.0.0}");
	assert_int_equal(tv_parse_cidr_key(l, "10.1.2.3", lk, &err), 0);
	assert_text(l, lk, "{prefixlen=32 addr=10.1.2.3}");
	assert_int_equal(tv_parse_cidr_key(l, "fe80::/10", lk, &err), -1);
	assert_string_equal(sb_str(&err), "fe80::/10: addr holds an IPv4 address");
	sb_reset(&err);
	assert_int_equal(tv_parse_cidr_key(l, "10.0.0.0/40", lk, &err), -1);
	assert_string_equal(sb_str(&err),
		"10.0.0.0/40: not an address/prefix (expected e.g. 10.0.0.0/8 or fe80::/10)");
	sb_reset(&err);
	assert_int_equal(tv_parse_cidr_key(p, "10.0.0.0/8", buf, &err), -1);
	assert_string_equal(sb_str(&err),
		"10.0.0.0/8: struct flow6_key is not an LPM key {prefixlen, addr}");
	sb_free(&err);
	tv_plan_free(p);
	tv_plan_free(l);
}

static void test_flow_metrics(void **state)
{
	struct tv_plan *p = plan(Z.flow_metrics, 0);
	const uint64_t s = 1000000000ULL, now = 1000 * s;
	uint64_t v[5] = { 10, UINT64_MAX, now - 3 * s - s / 5, 0, 0x12 };
	char *t;

	(void)state;
	tv_plan_set_clock(p, now, 1704067200ULL * s);
	assert_text(p, v,
		    "{packets=10 bytes=18446744073709551615 first_seen=3.2s ago "
		    "last_seen=- tcp_flags=SYN|ACK}");
	assert_json(p, v,
		    "{\"packets\":10,\"bytes\":18446744073709551615,"
		    "\"first_seen\":996800000000,\"last_seen\":0,"
		    "\"tcp_flags\":\"SYN|ACK\",\"pad\":[0,0,0,0,0,0,0]}");
	tv_plan_set_flags(p, TV_KTIME_WALL);
	assert_text(p, v,
		    "{packets=10 bytes=18446744073709551615 "
		    "first_seen=2023-12-31T23:59:56.800000000Z last_seen=- "
		    "tcp_flags=SYN|ACK}");
	t = json(p, v);
	assert_non_null(strstr(t, "\"first_seen\":\"2023-12-31T23:59:56.800000000Z\""));
	free(t);
	/* the wall-clock form parses back to the same stamp */
	roundtrip(p, v);
	tv_plan_set_flags(p, TV_TEXT_EXACT);
	assert_text(p, v,
		    "{packets=10 bytes=18446744073709551615 first_seen=996800000000 "
		    "last_seen=0 tcp_flags=SYN|ACK}");
	roundtrip(p, v);
	{
		uint64_t b[5] = { 0 };

		parse_ok(p, "first_seen=now tcp_flags=syn,fin", b, 0);
		assert_int_equal(b[2], now);
		assert_int_equal(b[4], 0x03);
		parse_ok(p, "last_seen=- tcp_flags=0", b, 0);
		assert_int_equal(b[3], 0);
	}
	tv_plan_free(p);
}

static void test_enum(void **state)
{
	struct tv_plan *p = plan(Z.fw_verdict, 0);
	uint32_t v[4] = { 1, 0, 7, 0 };
	uint32_t b[4];

	(void)state;
	assert_text(p, v, "{action=FW_DROP hits=7}");
	assert_json(p, v, "{\"action\":\"FW_DROP\",\"pad\":0,\"hits\":7}");
	v[0] = 9;
	assert_text(p, v, "{action=9 hits=7}");
	assert_json(p, v, "{\"action\":9,\"pad\":0,\"hits\":7}");
	roundtrip(p, v);
	const char *forms[] = { "action=FW_DROP", "action=fw_drop", "action=drop",
				"action=DROP", "action=1", "action=0x1" };

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		memset(b, 0, sizeof(b));
		parse_ok(p, forms[i], b, 0);
		assert_int_equal(b[0], 1);
	}
	parse_ok(p, "allow 5", b, 0);
	assert_int_equal(b[0], 0);
	assert_int_equal(b[2], 5);
	tv_plan_free(p);
}

static void test_ints(void **state)
{
	struct tv_plan *p = plan(Z.ints, 0);
	uint8_t buf[80] = { 0 }, b2[80] = { 0 };
	unsigned __int128 umax = ~(unsigned __int128)0;
	__int128 smin = (__int128)((unsigned __int128)1 << 127);

	(void)state;
	parse_ok(p, "a=255 b=-128 c=65535 d=-32768 e=4294967295 f=-2147483648 "
		    "g=18446744073709551615 h=-9223372036854775808 "
		    "i=340282366920938463463374607431768211455 "
		    "j=-170141183460469231731687303715884105728 k=true",
		 buf, TV_PARSE_ALL);
	assert_int_equal(buf[0], 255);
	assert_int_equal((int8_t)buf[1], -128);
	assert_memory_equal(buf + 32, &umax, 16);
	assert_memory_equal(buf + 48, &smin, 16);
	assert_text(p, buf,
		    "{a=255 b=-128 c=65535 d=-32768 e=4294967295 f=-2147483648 "
		    "g=18446744073709551615 h=-9223372036854775808 "
		    "i=340282366920938463463374607431768211455 "
		    "j=-170141183460469231731687303715884105728 k=true}");
	assert_json(p, buf,
		    "{\"a\":255,\"b\":-128,\"c\":65535,\"d\":-32768,\"e\":4294967295,"
		    "\"f\":-2147483648,\"g\":18446744073709551615,"
		    "\"h\":-9223372036854775808,"
		    "\"i\":340282366920938463463374607431768211455,"
		    "\"j\":-170141183460469231731687303715884105728,\"k\":true}");
	roundtrip(p, buf);
	/* other bases, and a bool that is neither 0 nor 1 stays exact */
	parse_ok(p, "0x10 -0x10 0b101 -017 0 0 0 0 0 0 2", b2, 0);
	assert_int_equal(b2[0], 16);
	assert_int_equal((int8_t)b2[1], -16);
	assert_int_equal(b2[2], 5);
	assert_int_equal(*(int16_t *)(b2 + 4), -15);
	assert_int_equal(b2[64], 2);
	assert_text(p, b2, "{a=16 b=-16 c=5 d=-15 e=0 f=0 g=0 h=0 i=0 j=0 k=2}");
	roundtrip(p, b2);
	tv_plan_free(p);
}

static void test_bitfields(void **state)
{
	struct tv_plan *p = plan(Z.bits, 0);
	uint8_t buf[16], mask[16];
	const struct tv_leaf *l;

	(void)state;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(tv_plan_nleaves(p), 6);	/* no leaf for the unnamed one */
	l = tv_find_leaf(p, "b", NULL);
	assert_int_equal(l->bit_size, 5);
	assert_int_equal(l->bit_offset, 3);
	parse_ok(p, "a=5 b=-16 c=0xabcdef col=blue big=0xffffffffff e=65535", buf, TV_PARSE_ALL);
	assert_text(p, buf, "{a=5 b=-16 c=11259375 col=COLOR_BLUE big=1099511627775 e=65535}");
	assert_json(p, buf, "{\"a\":5,\"b\":-16,\"c\":11259375,\"col\":\"COLOR_BLUE\","
			    "\"big\":1099511627775,\"e\":65535}");
	assert_int_equal(tv_leaf_get_i64(l, buf), -16);
	assert_int_equal(tv_leaf_get_u64(tv_find_leaf(p, "big", NULL), buf),
			 0xffffffffffULL);
	/* neighbours keep their bits when one field changes */
	parse_ok(p, "b=15", buf, 0);
	assert_text(p, buf, "{a=5 b=15 c=11259375 col=COLOR_BLUE big=1099511627775 e=65535}");
	/* the unnamed 2 bits stay untouched and out of the data mask */
	tv_plan_data_mask(p, mask);
	assert_int_equal(mask[4], 0xf3);
	buf[4] |= 0x0c;
	parse_ok(p, "col=red", buf, 0);
	assert_int_equal(buf[4] & 0x0f, 0x0c);
	for (unsigned seed = 1; seed < 50; seed++) {
		random_fill(p, buf, seed);
		roundtrip(p, buf);
	}
	tv_plan_free(p);
}

static void test_unions(void **state)
{
	struct tv_plan *p = plan(Z.with_union, 0), *a = plan(Z.anon, 0);
	uint8_t buf[8] = { 1, 0, 0, 0, 0x11, 0x22, 0x33, 0x44 };
	uint8_t b2[8] = { 0 };

	(void)state;
	assert_text(p, buf, "{tag=1 u={x=1144201745 b=[17,34,51,68]}}");
	/* JSON writes the first member of a union only */
	assert_json(p, buf, "{\"tag\":1,\"u\":{\"x\":1144201745}}");
	roundtrip(p, buf);
	/* two members in one command: refused; in the text form they agree */
	parse_err(p, "u.x=1 u.b=1,0,0,0", 0,
		  "u.b[0]=1: 'u.x' is given too and shares these bytes (members of one union): give one");
	parse_ok(p, "{tag=1 u={x=1 b=[1,0,0,0]}}", b2, 0);
	parse_err(p, "{tag=1 u={x=1 b=[2,0,0,0]}}", 0,
		  "u.b[0]=2: 'u.x' is given too and shares these bytes (members of one union): give one");
	memset(b2, 0, 8);
	/* writing one member sets the union's bytes through it */
	parse_ok(p, "u.b=1,2,3,4", b2, 0);
	assert_memory_equal(b2 + 4, "\x01\x02\x03\x04", 4);
	parse_ok(p, "u.b[2]=9", b2, 0);
	assert_int_equal(b2[6], 9);
	/* positional values skip the other union members */
	memset(b2, 0, 8);
	parse_ok(p, "7 8", b2, TV_PARSE_ALL);
	assert_int_equal(b2[0], 7);
	assert_int_equal(b2[4], 8);
	/* a key names one member of a union: enough */
	parse_ok(p, "tag=1 u.x=3", b2, TV_PARSE_ALL);
	parse_err(p, "tag=1", TV_PARSE_ALL,
		  "missing field 'u' in struct with_union (a key must name every field)");

	/* anonymous union members belong to the struct, as in C */
	memset(b2, 0, 8);
	parse_ok(a, "kind=2 ival=-1", b2, 0);
	assert_text(a, b2, "{kind=2 ival=-1 parts={lo=65535 hi=65535}}");
	assert_non_null(tv_find_leaf(a, "parts.hi", NULL));
	roundtrip(a, b2);
	tv_plan_free(p);
	tv_plan_free(a);
}

static void test_arrays(void **state)
{
	struct tv_plan *p = plan(Z.multi, 0);
	uint8_t buf[44] = { 0 };
	const struct tv_leaf *m;

	(void)state;
	m = tv_find_leaf(p, "m", NULL);
	assert_int_equal(m->ndims, 2);
	assert_int_equal(m->nelems, 6);
	parse_ok(p, "m=1,2,3,4,5,-6 raw=[1,2,3,255] names=[abc,\"x y\"]", buf, 0);
	assert_text(p, buf, "{m=[[1,2,3],[4,5,-6]] raw=[1,2,3,255] names=[abc,\"x y\"]}");
	assert_json(p, buf, "{\"m\":[[1,2,3],[4,5,-6]],\"raw\":[1,2,3,255],"
			    "\"names\":[\"abc\",\"x y\"]}");
	roundtrip(p, buf);
	parse_ok(p, "m[1]=7,8,9 m[0][2]=-3 names[1]=z", buf, 0);
	assert_text(p, buf, "{m=[[1,2,-3],[7,8,9]] raw=[1,2,3,255] names=[abc,z]}");
	parse_ok(p, "m=[[0,0,0],[1,1,1]]", buf, 0);
	assert_text(p, buf, "{m=[[0,0,0],[1,1,1]] raw=[1,2,3,255] names=[abc,z]}");
	/* positional, the first value an array */
	parse_ok(p, "[[9,8,7],[6,5,4]] 1,2,3,4 [a,b]", buf, 0);
	assert_text(p, buf, "{m=[[9,8,7],[6,5,4]] raw=[1,2,3,4] names=[a,b]}");
	parse_ok(p, "{m=[[1,2,3],[4,5,6]] raw=[0,0,0,0] names=[\"\",\"q\"]}", buf, 0);
	assert_text(p, buf, "{m=[[1,2,3],[4,5,6]] raw=[0,0,0,0] names=[\"\",q]}");
	for (unsigned seed = 1; seed < 20; seed++) {
		random_fill(p, buf, seed);
		roundtrip(p, buf);
	}
	tv_plan_free(p);

	p = plan(Z.aos, 0);
	memset(buf, 0, sizeof(buf));
	assert_non_null(tv_find_leaf(p, "pts[2].y", NULL));
	assert_non_null(tv_find_leaf(p, "grid[1][0].x", NULL));
	parse_ok(p, "n=3 pts[1].y=5 grid[1][1]={x=7 y=8}", buf, 0);
	assert_text(p, buf, "{n=3 pts=[{x=0 y=0},{x=0 y=5},{x=0 y=0}] "
			    "grid=[[{x=0 y=0},{x=0 y=0}],[{x=0 y=0},{x=7 y=8}]]}");
	assert_json(p, buf, "{\"n\":3,\"pts\":[{\"x\":0,\"y\":0},{\"x\":0,\"y\":5},"
			    "{\"x\":0,\"y\":0}],\"grid\":[[{\"x\":0,\"y\":0},"
			    "{\"x\":0,\"y\":0}],[{\"x\":0,\"y\":0},{\"x\":7,\"y\":8}]]}");
	roundtrip(p, buf);
	parse_ok(p, "pts=[{x=1 y=2},{x=3 y=4},{5 6}]", buf, 0);
	assert_text(p, buf, "{n=3 pts=[{x=1 y=2},{x=3 y=4},{x=5 y=6}] "
			    "grid=[[{x=0 y=0},{x=0 y=0}],[{x=0 y=0},{x=7 y=8}]]}");
	tv_plan_free(p);
}

static void test_chars(void **state)
{
	struct tv_plan *p = plan(Z.chars, 0);
	uint8_t buf[28] = { 0 };
	char *j;

	(void)state;
	parse_ok(p, "name=bash uname=ab bytes=1,2,3,4 sc=-1 c=65", buf, 0);
	assert_text(p, buf, "{name=bash uname=ab bytes=[1,2,3,4] sc=-1 c=65}");
	assert_json(p, buf, "{\"name\":\"bash\",\"uname\":\"ab\",\"bytes\":[1,2,3,4],"
			    "\"sc\":-1,\"c\":65,\"_pad1\":[0,0]}");
	roundtrip(p, buf);
	/* quoting only when needed; non-printable arrays become hex */
	parse_ok(p, "name=\"a b\\\"c\\\\\"", buf, 0);
	assert_text(p, buf, "{name=\"a b\\\"c\\\\\" uname=ab bytes=[1,2,3,4] sc=-1 c=65}");
	roundtrip(p, buf);
	memcpy(buf, "\x01\x02\n\x7f\xff" "abc\0\0\0\0\0\0\0\x01", 16);
	assert_text(p, buf, "{name=0x01020a7fff6162630000000000000001 uname=ab "
			    "bytes=[1,2,3,4] sc=-1 c=65}");
	j = json(p, buf);
	assert_non_null(strstr(j, "\"name\":\"0x01020a7fff6162630000000000000001\""));
	free(j);
	roundtrip(p, buf);
	memset(buf, 0, 16);
	assert_text(p, buf, "{name=\"\" uname=ab bytes=[1,2,3,4] sc=-1 c=65}");
	roundtrip(p, buf);
	/* a tab is not printable: such an array is shown as bytes */
	parse_ok(p, "name=\"tab\\there\"", buf, 0);
	assert_text(p, buf, "{name=0x74616209686572650000000000000000 uname=ab "
			    "bytes=[1,2,3,4] sc=-1 c=65}");
	roundtrip(p, buf);
	/* control bytes in a string are escaped in JSON and still valid */
	parse_ok(p, "name=\"\\x01\\x1f\\n\"", buf, 0);
	j = json(p, buf);
	assert_non_null(strstr(j, "\"name\":\"0x011f0a"));
	free(j);
	/* padding fields are hidden in text, optional on input */
	parse_ok(p, "{\"_pad1\":[1,2]}", buf, 0);
	assert_int_equal(buf[26], 1);
	assert_int_equal(buf[27], 2);
	parse_ok(p, "name=x uname=y bytes=0,0,0,0 sc=0 c=0", buf, TV_PARSE_ALL);
	assert_int_equal(buf[26], 0);	/* keys: padding nobody named is zero */
	tv_plan_free(p);
}

static void test_floats(void **state)
{
	struct tv_plan *p = plan(Z.floats, 0);
	uint8_t buf[32] = { 0 };
	float f = 0.1f;
	double d = -2.5e-300;

	(void)state;
	memcpy(buf, &f, 4);
	memcpy(buf + 8, &d, 8);
	buf[16] = 0xab;
	assert_text(p, buf, "{f=0.1 d=-2.5e-300 ld=0xab000000000000000000000000000000}");
	assert_json(p, buf, "{\"f\":0.1,\"d\":-2.5e-300,"
			    "\"ld\":\"0xab000000000000000000000000000000\"}");
	roundtrip(p, buf);
	parse_ok(p, "f=inf d=nan", buf, 0);
	assert_text(p, buf, "{f=inf d=nan ld=0xab000000000000000000000000000000}");
	assert_json(p, buf, "{\"f\":\"inf\",\"d\":\"nan\","
			    "\"ld\":\"0xab000000000000000000000000000000\"}");
	parse_ok(p, "{\"f\": 3.4028234663852886e38, \"d\": 1e308}", buf, 0);
	assert_text(p, buf, "{f=3.4028235e+38 d=1e+308 ld=0xab000000000000000000000000000000}");
	roundtrip(p, buf);
	parse_err(p, "f=1e39", 0, "f=1e39: out of range for float");
	tv_plan_free(p);
}

static void test_enum64(void **state)
{
	struct tv_plan *p = plan(Z.e64, 0);
	uint8_t buf[24] = { 0 };

	(void)state;
	parse_ok(p, "a=huge b=neg c=sm_neg", buf, TV_PARSE_ALL);
	assert_text(p, buf, "{a=B_HUGE b=S_NEG c=SM_NEG}");
	assert_json(p, buf, "{\"a\":\"B_HUGE\",\"b\":\"S_NEG\",\"c\":\"SM_NEG\"}");
	assert_int_equal(buf[16], 0xff);
	roundtrip(p, buf);
	parse_ok(p, "a=7 b=-7 c=-128", buf, 0);
	assert_text(p, buf, "{a=7 b=-7 c=-128}");
	roundtrip(p, buf);
	parse_ok(p, "a=0xffffffffffffffff b=5 c=1", buf, 0);
	assert_text(p, buf, "{a=B_HUGE b=S_POS c=SM_ONE}");
	parse_err(p, "c=128", 0, "c=128: out of range for enum small (-128..127)");
	tv_plan_free(p);
}

static void test_ptrs(void **state)
{
	struct tv_plan *p = plan(Z.ptrs, 0);
	uint8_t buf[32] = { 0 };
	const struct tv_leaf *cv;

	(void)state;
	parse_ok(p, "p=0xffff888012345678 rp=0 tp=16 cv=7", buf, 0);
	assert_text(p, buf, "{p=0xffff888012345678 rp=0x0 tp=0x10 cv=7}");
	/* JSON: pointers are numbers (as bpftool has them) */
	assert_json(p, buf, "{\"p\":18446612682375452280,\"rp\":0,"
			    "\"tp\":16,\"cv\":7,\"pad\":0}");
	cv = tv_find_leaf(p, "cv", NULL);
	assert_string_equal(cv->type_name, "__u32");
	assert_int_equal(cv->kind, TV_KIND_UINT);
	roundtrip(p, buf);
	tv_plan_free(p);
}

static void test_fallbacks(void **state)
{
	struct tv_plan *p = plan(Z.fb, 0), *r = plan(Z.fb, TV_RAW);
	struct tv_plan *n = plan(Z.fb, TV_NO_TAGS);
	uint8_t buf[48] = { 0 };

	(void)state;
	parse_ok(p, "saddr=1.2.3.4 dst_ip=5.6.7.8 h_dest=00:11:22:33:44:55 "
		    "sport=443 seq=0x01020304 ack=258 daddr6=::1 "
		    "src_mac=aa:bb:cc:dd:ee:ff", buf, TV_PARSE_ALL);
	assert_text(p, buf, "{saddr=1.2.3.4 dst_ip=5.6.7.8 h_dest=00:11:22:33:44:55 "
			    "sport=443 seq=0x1020304 ack=258 daddr6=::1 "
			    "src_mac=aa:bb:cc:dd:ee:ff}");
	assert_int_equal(tv_find_leaf(p, "seq", NULL)->fmt, TV_FMT_HEX);
	assert_int_equal(tv_find_leaf(p, "ack", NULL)->fmt, TV_FMT_BE);
	assert_int_equal(tv_find_leaf(p, "daddr6", NULL)->fmt, TV_FMT_IPV6);
	assert_true(tv_find_leaf(p, "pad0", NULL)->is_padding);
	roundtrip(p, buf);
	/* TV_RAW: no name guesses, tags still apply */
	assert_text(r, buf, "{saddr=67305985 dst_ip=134678021 h_dest=[0,17,34,51,68,85] "
			    "sport=47873 seq=0x1020304 ack=33619968 "
			    "daddr6={in6_u={u6_addr8=[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1] "
			    "u6_addr32=[0,0,0,16777216]}} src_mac=[170,187,204,221,238,255]}");
	roundtrip(r, buf);
	assert_int_equal(tv_find_leaf(n, "seq", NULL)->fmt, TV_FMT_NONE);
	tv_plan_free(p);
	tv_plan_free(r);
	tv_plan_free(n);
}

static void test_formats_misc(void **state)
{
	struct tv_plan *p = plan(Z.tdt, 0), *m = plan(Z.mac_s, 0);
	struct tv_plan *k = plan(Z.ktimes, 0);
	uint32_t buf[3] = { 1, 1, 999999 };
	uint8_t mb[12] = { 0 };
	uint64_t kb[2] = { 0, 0 };

	(void)state;
	/* typedef tag: ifindex, shown by name when the interface exists */
	assert_int_equal(tv_find_leaf(p, "dev", NULL)->fmt, TV_FMT_IFINDEX);
	assert_int_equal(tv_find_leaf(p, "devs", NULL)->fmt, TV_FMT_IFINDEX);
	assert_text(p, buf, "{dev=lo devs=[lo,999999]}");
	assert_json(p, buf, "{\"dev\":1,\"devs\":[1,999999]}");
	tv_plan_set_flags(p, TV_TEXT_EXACT);
	assert_text(p, buf, "{dev=1 devs=[1,999999]}");
	roundtrip(p, buf);
	memset(buf, 0, sizeof(buf));
	parse_ok(p, "dev=lo devs=lo,3", buf, 0);
	assert_int_equal(buf[0], 1);
	assert_int_equal(buf[2], 3);

	parse_ok(m, "mac=02:00:00:00:00:0a ifindex=lo flags=FIN|PSH", mb, TV_PARSE_ALL);
	assert_text(m, mb, "{mac=02:00:00:00:00:0a flags=FIN|PSH ifindex=lo}");
	assert_json(m, mb, "{\"mac\":\"02:00:00:00:00:0a\",\"flags\":\"FIN|PSH\","
			   "\"ifindex\":1}");
	tv_plan_set_flags(m, TV_TEXT_EXACT);
	roundtrip(m, mb);

	kb[1] = 0x0100000000000000ULL;	/* be64 1 */
	assert_text(k, kb, "{t=- v=1}");
	parse_ok(k, "v=0x0102030405060708", kb, 0);
	assert_memory_equal(&kb[1], "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	tv_plan_free(p);
	tv_plan_free(m);
	tv_plan_free(k);
}

static void test_raw_and_scalar(void **state)
{
	struct tv_plan *r = tv_plan_raw(4), *u = plan(Z.t_u32, 0);
	struct tv_plan *a = plan(arr(Z.s32, 3), 0), *e = tv_plan_raw(0);
	uint8_t buf[12] = { 0 };
	struct strbuf err = STRBUF_INIT;
	char *argv[] = { "0x0a", "0", "0", "1" };

	(void)state;
	assert_true(tv_plan_is_raw(r));
	assert_true(tv_plan_is_scalar(r));
	parse_ok(r, "0a 00 00 01", buf, TV_PARSE_ALL);
	assert_text(r, buf, "0a 00 00 01");
	assert_json(r, buf, "[\"0x0a\",\"0x00\",\"0x00\",\"0x01\"]");
	roundtrip(r, buf);
	assert_int_equal(tv_parse_args(r, 4, argv, buf, TV_PARSE_ALL, &err), 0);
	assert_memory_equal(buf, "\x0a\x00\x00\x01", 4);
	parse_ok(r, "hex ff 00 00 01", buf, 0);
	assert_int_equal(buf[0], 0xff);
	parse_ok(r, "0x0a 0 0 255", buf, 0);
	assert_memory_equal(buf, "\x0a\x00\x00\xff", 4);
	parse_ok(r, "[\"0x01\", 2, \"3\", 4]", buf, 0);
	assert_memory_equal(buf, "\x01\x02\x03\x04", 4);

	/* a plain __u32 key: a bare value, or bpftool's byte list */
	assert_true(tv_plan_is_scalar(u));
	assert_string_equal(tv_plan_type_name(u), "__u32");
	parse_ok(u, "42", buf, TV_PARSE_ALL);
	assert_text(u, buf, "42");
	assert_json(u, buf, "42");
	roundtrip(u, buf);
	assert_int_equal(tv_parse_args(u, 4, argv, buf, TV_PARSE_ALL, &err), 0);
	assert_memory_equal(buf, "\x0a\x00\x00\x01", 4);
	parse_err(u, "4294967296", 0, "4294967296: out of range for __u32 (0..4294967295)");
	parse_err(u, "1 2", 0, "2: too many values (__u32 is one value)");

	parse_ok(a, "1,2,-3", buf, 0);
	assert_text(a, buf, "[1,2,-3]");
	parse_ok(a, "4 5 6", buf, 0);
	assert_text(a, buf, "[4,5,6]");
	parse_ok(a, "[7, 8, 9]", buf, 0);
	assert_text(a, buf, "[7,8,9]");
	roundtrip(a, buf);

	/* queue/stack keys have no bytes at all */
	assert_text(e, buf, "");
	parse_ok(e, "", buf, TV_PARSE_ALL);
	sb_free(&err);
	tv_plan_free(r);
	tv_plan_free(u);
	tv_plan_free(a);
	tv_plan_free(e);
}

static void test_leaf_api(void **state)
{
	struct tv_plan *p = plan(Z.flow_key, 0);
	struct tv_plan *m = plan(Z.flow_metrics, 0);
	uint8_t a[16], b[16];
	const struct tv_leaf *src, *port, *proto;
	const char *sug;
	struct strbuf sb = STRBUF_INIT;
	struct tv_match *mt;

	(void)state;
	memcpy(a, fk_bytes, 16);
	memcpy(b, fk_bytes, 16);
	src = tv_find_leaf(p, "src_ip", NULL);
	port = tv_find_leaf(p, "src_port", NULL);
	proto = tv_find_leaf(p, "protocol", NULL);
	assert_non_null(src);
	assert_null(tv_find_leaf(p, "srcip", &sug));
	assert_string_equal(sug, "src_ip");
	assert_non_null(tv_find_leaf(p, "SRC_IP", NULL));
	assert_null(tv_find_leaf(p, "zzzz", &sug));
	assert_null(sug);

	assert_int_equal(tv_leaf_get_u64(src, a), 0x0a000001);
	assert_int_equal(tv_leaf_get_u64(port, a), 5555);
	assert_true(tv_leaf_is_numeric(port));
	assert_false(tv_leaf_is_numeric(src));
	tv_leaf_set_u64(port, b, 80);
	assert_int_equal(b[8], 0);
	assert_int_equal(b[9], 80);
	assert_int_equal(tv_leaf_cmp(port, a, b), 1);
	assert_int_equal(tv_leaf_cmp(port, b, a), -1);
	assert_int_equal(tv_leaf_cmp(src, a, b), 0);
	b[3] = 0;	/* 10.0.0.0 < 10.0.0.1 */
	assert_int_equal(tv_leaf_cmp(src, b, a), -1);

	assert_true(tv_leaf_match_prefix(src, a, "10.0.0.0/8"));
	assert_false(tv_leaf_match_prefix(src, a, "11.0.0.0/8"));
	assert_true(tv_leaf_match_prefix(src, a, "10.0.0.1"));
	assert_false(tv_leaf_match_prefix(src, b, "10.0.0.1"));
	assert_true(tv_leaf_match_prefix(src, a, "0.0."));	/* substring */
	assert_true(tv_leaf_match_prefix(proto, a, "TC"));
	mt = tv_match_new(src, "10.0.0.0/31");
	assert_true(tv_match_test(mt, a));
	assert_true(tv_match_test(mt, b));
	tv_match_free(mt);

	tv_leaf_format_text(proto, a, &sb);
	sb_addc(&sb, ' ');
	tv_leaf_format_text(src, a, &sb);
	assert_string_equal(sb_str(&sb), "tcp 10.0.0.1");
	sb_reset(&sb);
	{
		struct jw w;

		jw_init(&w, &sb, false);
		tv_leaf_format_json(proto, a, &w);
		assert_string_equal(sb_str(&sb), "\"tcp\"");
	}
	sb_reset(&sb);
	assert_int_equal(tv_leaf_parse(proto, "udp", a, &sb), 0);
	assert_int_equal(a[12], 17);
	assert_int_equal(tv_leaf_parse(proto, "nope", a, &sb), -1);
	assert_int_equal(a[12], 17);
	assert_string_equal(sb_str(&sb), "protocol=nope: unknown IP protocol 'nope' "
		"(expected a number or a name: tcp, udp, icmp, icmpv6, gre, sctp, esp, ...)");
	sb_reset(&sb);

	/* per-CPU folding: counters add, ktime keeps the latest, flags OR */
	{
		uint64_t acc[5] = { 1, 10, 100, 200, 0x02 };
		uint64_t cpu[5] = { 2, 20, 50, 300, 0x10 };

		tv_plan_accumulate(m, acc, cpu);
		assert_int_equal(acc[0], 3);
		assert_int_equal(acc[1], 30);
		assert_int_equal(acc[2], 100);
		assert_int_equal(acc[3], 300);
		assert_int_equal(acc[4], 0x12);
	}
	sb_free(&sb);
	tv_plan_free(p);
	tv_plan_free(m);
}

/* Leaf helpers on the kinds test_leaf_api does not reach. */
static void test_leaf_kinds(void **state)
{
	struct tv_plan *f = plan(Z.floats, 0), *i = plan(Z.ints, 0);
	struct tv_plan *c = plan(Z.chars, 0), *m = plan(Z.multi, 0);
	uint8_t a[80] = { 0 }, b[80] = { 0 };
	const struct tv_leaf *l;

	(void)state;
	parse_ok(f, "f=-2.5 d=1e300", a, 0);
	parse_ok(f, "f=3 d=nan", b, 0);
	l = tv_find_leaf(f, "f", NULL);
	assert_true(tv_leaf_is_numeric(l));
	assert_int_equal(tv_leaf_get_u64(l, a), 0);
	assert_int_equal(tv_leaf_get_i64(l, a), -2);
	assert_int_equal(tv_leaf_get_u64(l, b), 3);
	assert_int_equal(tv_leaf_cmp(l, a, b), -1);
	tv_leaf_set_u64(l, a, 7);
	assert_text(f, a, "{f=7 d=1e+300 ld=0x00000000000000000000000000000000}");
	l = tv_find_leaf(f, "d", NULL);
	assert_int_equal(tv_leaf_get_i64(l, a), INT64_MAX);
	assert_int_equal(tv_leaf_get_i64(l, b), 0);
	assert_int_equal(tv_leaf_get_u64(l, a), UINT64_MAX);
	tv_leaf_set_u64(l, b, 5);
	assert_text(f, b, "{f=3 d=5 ld=0x00000000000000000000000000000000}");
	assert_false(tv_leaf_is_numeric(tv_find_leaf(f, "ld", NULL)));

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	parse_ok(i, "b=-5 j=-1", a, 0);
	parse_ok(i, "b=3 j=1", b, 0);
	assert_int_equal(tv_leaf_cmp(tv_find_leaf(i, "b", NULL), a, b), -1);
	assert_int_equal(tv_leaf_cmp(tv_find_leaf(i, "j", NULL), a, b), -1);
	assert_int_equal(tv_leaf_get_i64(tv_find_leaf(i, "b", NULL), a), -5);
	assert_int_equal(tv_leaf_get_u64(tv_find_leaf(i, "b", NULL), a),
			 (uint64_t)-5);
	tv_leaf_set_u64(tv_find_leaf(i, "b", NULL), a, (uint64_t)-7);
	assert_int_equal((int8_t)a[1], -7);

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	parse_ok(c, "name=abc", a, 0);
	parse_ok(c, "name=abd", b, 0);
	l = tv_find_leaf(c, "name", NULL);
	assert_false(tv_leaf_is_numeric(l));
	assert_int_equal(tv_leaf_cmp(l, a, b), -1);
	assert_int_equal(tv_leaf_cmp(l, b, a), 1);
	assert_int_equal(tv_leaf_cmp(l, a, a), 0);
	assert_true(tv_leaf_match_prefix(l, a, "BC"));

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	parse_ok(m, "m=1,2,3,4,5,6 names=a,b", a, 0);
	parse_ok(m, "m=1,2,3,4,5,7 names=a,a", b, 0);
	assert_int_equal(tv_leaf_cmp(tv_find_leaf(m, "m", NULL), a, b), -1);
	assert_int_equal(tv_leaf_cmp(tv_find_leaf(m, "names", NULL), a, b), 1);
	assert_true(tv_leaf_match_prefix(tv_find_leaf(m, "m", NULL), a, "[4,5"));
	tv_plan_free(f);
	tv_plan_free(i);
	tv_plan_free(c);
	tv_plan_free(m);
}

static void test_var_tag(void **state)
{
	struct btf *b = btf__new_empty();
	int u32 = btf__add_int(b, "unsigned int", 4, 0);
	int st = btf__add_struct(b, "", 8);
	int v, ds;
	char out[32];

	(void)state;
	btf__add_field(b, "type", u32, 0, 0);
	btf__add_field(b, "max_entries", u32, 32, 0);
	v = btf__add_var(b, "events", BTF_VAR_GLOBAL_ALLOCATED, st);
	btf__add_decl_tag(b, "mapsh:record=flow_event", v, -1);
	ds = btf__add_datasec(b, ".maps", 8);
	btf__add_datasec_var_info(b, v, 0, 8);
	(void)ds;
	assert_int_equal(tv_find_var_tag(b, "events", "mapsh:record=", out,
					 sizeof(out)), 0);
	assert_string_equal(out, "flow_event");
	assert_int_equal(tv_find_var_tag(b, "events", "mapsh:other=", out,
					 sizeof(out)), -ENOENT);
	assert_int_equal(tv_find_var_tag(b, "nope", "mapsh:record=", out,
					 sizeof(out)), -ENOENT);
	assert_int_equal(tv_find_var_tag(b, "events", "mapsh:record=", out, 4),
			 -ENOSPC);
	btf__free(b);
}

static void test_plan_errors(void **state)
{
	struct strbuf err = STRBUF_INIT;
	int fwd = btf__add_fwd(Z.btf, "opaque", BTF_FWD_STRUCT);
	struct tv_plan *p;

	(void)state;
	assert_null(tv_plan_new(Z.btf, fwd, 0, &err));
	assert_string_equal(sb_str(&err), "struct opaque has no size");
	sb_reset(&err);
	assert_null(tv_plan_new(Z.btf, 0, 0, &err));
	assert_string_equal(sb_str(&err), "void has no size");
	sb_reset(&err);
	assert_null(tv_plan_new(Z.btf, 99999, 0, &err));
	assert_string_equal(sb_str(&err), "no BTF type 99999");
	/* a map whose BTF does not match its size falls back to raw */
	p = tv_plan_for_map(Z.btf, Z.flow_key, 12, 0);
	assert_true(tv_plan_is_raw(p));
	assert_int_equal(tv_plan_size(p), 12);
	tv_plan_free(p);
	p = tv_plan_for_map(Z.btf, Z.flow_key, 16, 0);
	assert_false(tv_plan_is_raw(p));
	tv_plan_free(p);
	p = tv_plan_for_map(NULL, 0, 8, 0);
	assert_true(tv_plan_is_raw(p));
	tv_plan_free(p);
	sb_free(&err);
}

/* ------------------------------------------------------ bad-input table */

struct bad {
	int *type;
	const char *in;
	unsigned flags;
	const char *want;
};

static const struct bad bad_inputs[] = {
	{ &Z.flow_key, "src_port=70000", 0,
	  "src_port=70000: out of range for __u16 (0..65535)" },
	{ &Z.flow_key, "srcip=10.0.0.1", 0,
	  "srcip=10.0.0.1: struct flow_key has no field 'srcip' (did you mean 'src_ip'?)" },
	{ &Z.flow_key, "dst_ip=10.0.0.256", 0,
	  "dst_ip=10.0.0.256: not an IPv4 address" },
	{ &Z.flow_key, "src_ip=1.1.1.1 dst_ip=2.2.2.2 src_port=1 protocol=tcp", TV_PARSE_ALL,
	  "missing field 'dst_port' in struct flow_key (a key must name every field)" },
	{ &Z.flow_key, "src_ip=1.1.1.1", TV_PARSE_ALL,
	  "missing fields 'dst_ip', 'src_port', 'dst_port', 'protocol' in struct flow_key "
	  "(a key must name every field)" },
	{ &Z.flow_key, "protocol=tcpp", 0,
	  "protocol=tcpp: unknown IP protocol 'tcpp' (expected a number or a name: "
	  "tcp, udp, icmp, icmpv6, gre, sctp, esp, ...) (did you mean 'tcp'?)" },
	{ &Z.flow_key, "protocol=256", 0,
	  "protocol=256: out of range for __u8 (0..255)" },
	{ &Z.flow_key, "src_port=80x", 0,
	  "src_port=80x: trailing characters 'x' after number" },
	{ &Z.flow_key, "src_port=http", 0,
	  "src_port=http: expected an integer for __u16 (0..65535)" },
	{ &Z.flow_key, "src_port=-1", 0,
	  "src_port=-1: out of range for __u16 (0..65535)" },
	{ &Z.flow_key, "src_port=", 0, "src_port=: missing value" },
	{ &Z.flow_key, "src_ip=1.2.3.4 src_ip=1.2.3.5", 0,
	  "src_ip=1.2.3.5: field 'src_ip' given twice" },
	{ &Z.flow_key, "1.1.1.1 2.2.2.2 1 2 tcp 9", 0,
	  "9: too many values (struct flow_key has 5 fields)" },
	{ &Z.flow_key, "1.1.1.1 dst_ip=2.2.2.2", 0,
	  "1.1.1.1: cannot mix positional values and field=value" },
	{ &Z.flow_key, "src_ip.x=1", 0,
	  "src_ip.x=1: 'src_ip' is not a struct (no field 'x')" },
	{ &Z.flow_key, "hex 0a 00", 0, "hex: expected 16 bytes, got 2" },
	{ &Z.flow_key, "hex 0a 00 00 01 0a 00 00 02 15 b3 00 50 06 00 00 0g", 0,
	  "0g: not a byte (expected 2 hex digits)" },
	{ &Z.flow_key, "{\"src_ip\": }", 0,
	  "invalid JSON at position 12: unexpected token near '}'" },
	{ &Z.flow_key, "{\"srcip\": \"1.1.1.1\"}", 0,
	  "srcip: struct flow_key has no field 'srcip' (did you mean 'src_ip'?)" },
	{ &Z.flow_key, "{\"src_port\": \"http\"}", 0,
	  "src_port=http: expected an integer for __u16 (0..65535)" },
	{ &Z.flow_key, "{\"src_ip\": null}", 0,
	  "src_ip: expected a value for __be32, got null" },
	{ &Z.flow_key, "{\"src_ip\": \"1.1.1.1\", \"src_ip\": \"1.1.1.2\"}", 0,
	  "invalid JSON at position 30: duplicate object key near '\"src_ip\"'" },
	{ &Z.flow_key, "{src_ip=1.1.1.1 dst_ip=2.2.2.2", 0,
	  "{src_ip=1.1.1.1 dst_ip=2.2.2.2: missing '}'" },
	{ &Z.flow_key, "{src_ip=1.1.1.1} x", 0,
	  "x: trailing characters after the value" },
	{ &Z.flow_key, "", 0, "no value given for struct flow_key" },
	{ &Z.flow6_key, "src_ip=1.2.3.4", 0, "src_ip=1.2.3.4: not an IPv6 address" },
	{ &Z.mac_s, "mac=aa:bb:cc", 0,
	  "mac=aa:bb:cc: not a MAC address (expected aa:bb:cc:dd:ee:ff)" },
	{ &Z.mac_s, "flags=SYNN", 0,
	  "flags=SYNN: not TCP flags (expected names like SYN|ACK or syn,ack from "
	  "FIN SYN RST PSH ACK URG ECE CWR, or a number)" },
	{ &Z.mac_s, "ifindex=nosuchif0", 0,
	  "ifindex=nosuchif0: no such interface (expected an interface name or index)" },
	{ &Z.fw_verdict, "action=dorp", 0,
	  "action=dorp: enum fw_action has no value 'dorp' (expected FW_ALLOW, FW_DROP, "
	  "or a number) (did you mean 'FW_DROP'?)" },
	{ &Z.fw_verdict, "action=2 action=1", 0,
	  "action=1: field 'action' given twice" },
	{ &Z.bits, "a=8", 0, "a=8: out of range for unsigned int:3 (0..7)" },
	{ &Z.bits, "b=-17", 0, "b=-17: out of range for int:5 (-16..15)" },
	{ &Z.bits, "col=purple", 0,
	  "col=purple: enum color has no value 'purple' (expected COLOR_RED, COLOR_GREEN, "
	  "COLOR_BLUE, or a number)" },
	{ &Z.multi, "m=1,2,3", 0, "m: expected 2 values, got 3" },
	{ &Z.multi, "m[2]=1,2,3", 0,
	  "m[2]=1,2,3: index 2 out of range for 'm' (2 elements)" },
	{ &Z.multi, "m[1][1]=99999999999", 0,
	  "m[1][1]=99999999999: out of range for int (-2147483648..2147483647)" },
	{ &Z.multi, "m=[[1,2,3],[4,5]]", 0, "m[1]: expected 3 values, got 2" },
	{ &Z.multi, "names=abc", 0, "names: expected 2 values, got 1" },
	{ &Z.chars, "name=abcdefghijklmnopq", 0,
	  "name=abcdefghijklmnopq: string too long for char[16] (at most 15 characters)" },
	{ &Z.chars, "name=\"abc", 0, "name=\"abc: unterminated string" },
	{ &Z.chars, "{\"name\": 5}", 0, "name=5: expected a string for char[16]" },
	{ &Z.ints, "k=maybe", 0, "k=maybe: expected true, false or a number" },
	{ &Z.ints, "b=128", 0, "b=128: out of range for signed char (-128..127)" },
	{ &Z.ints, "i=340282366920938463463374607431768211456", 0,
	  "i=340282366920938463463374607431768211456: out of range for unsigned "
	  "__int128 (0..340282366920938463463374607431768211455)" },
	{ &Z.floats, "f=1.5x", 0, "f=1.5x: expected a number for float" },
	{ &Z.aos, "pts=[{x=1},{x=2}]", 0, "pts: expected 3 values, got 2" },
	{ &Z.aos, "pts[1].z=1", 0,
	  "pts[1].z=1: struct pt has no field 'z' (fields: x y)" },
	{ &Z.aos, "n.x=1", 0, "n.x=1: 'n' is not a struct (no field 'x')" },
	{ &Z.aos, "{n=1,pts=2}", 0, "n=1,pts=2: trailing characters ',pts=2' after number" },
	{ &Z.ptrs, "p=-1", 0, "p=-1: out of range for pointer (0..18446744073709551615)" },
	{ &Z.flow_key, "{\"src_port\": 1 2}", 0,
	  "invalid JSON at position 16: '}' expected near '2'" },
	{ &Z.multi, "{\"m\": {\"a\": 1}}", 0, "m: expected an array of 2" },
	{ &Z.multi, "{\"m\": [[1,2,3],[4,5,6]], \"names\": [\"a\", [1]]}", 0,
	  "names: expected a value for char, got an array" },
	{ &Z.with_union, "{\"u\": 5}", 0, "u: expected a JSON object for union u" },
	{ &Z.with_union, "{\"u\": {\"z\": 1}}", 0,
	  "u.z: union u has no field 'z' (fields: x b)" },
	{ &Z.aos, "{\"pts\": [{}]}", 0, "pts: expected an array of 3" },
	{ &Z.aos, "{\"pts\": [{}, {}, {\"x\": \"1\", \"y\": true}]}", 0,
	  "pts[2].y=true: expected an integer for __u16 (0..65535)" },
	{ &Z.aos, "[1]", 0, "n=[1]: expected an integer for __u32 (0..4294967295)" },
	{ &Z.aos, "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", 0,
	  "16: too many values (struct aos has 15 fields)" },
};

static void test_bad_inputs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		const struct bad *b = &bad_inputs[i];
		struct tv_plan *p = plan(*b->type, 0);

		parse_err(p, b->in, b->flags, b->want);
		tv_plan_free(p);
	}
}

/* --------------------------------------------- the bundled BPF objects */

static unsigned bpf_types_checked;

static void check_type(const struct btf *btf, __u32 id, const char *what)
{
	struct strbuf err = STRBUF_INIT;
	struct tv_plan *p = tv_plan_new(btf, id, 0, &err);
	uint8_t *buf;

	if (!p)
		fail_msg("%s: %s", what, sb_str(&err));
	tv_plan_set_flags(p, TV_TEXT_EXACT);
	buf = calloc(1, tv_plan_size(p) + 1);
	for (unsigned seed = 1; seed <= 40; seed++) {
		random_fill(p, buf, seed * 7919 + id);
		roundtrip(p, buf);
	}
	memset(buf, 0, tv_plan_size(p));
	roundtrip(p, buf);
	free(buf);
	tv_plan_free(p);
	sb_free(&err);
	bpf_types_checked++;
}

static __u32 member_target(const struct btf *btf, const struct btf_type *t,
			   const char *name)
{
	const struct btf_member *m = btf_members(t);

	for (__u16 i = 0; i < btf_vlen(t); i++) {
		const struct btf_type *mt;

		if (strcmp(btf__name_by_offset(btf, m[i].name_off), name))
			continue;
		mt = btf__type_by_id(btf, m[i].type);
		if (mt && btf_is_ptr(mt))
			return mt->type;
	}
	return 0;
}

static void check_object(const char *path)
{
	struct btf *btf = btf__parse_elf(path, NULL);
	__s32 sec;
	const struct btf_type *ds;
	const struct btf_var_secinfo *vs;
	char rec[64];

	if (!btf)
		fail_msg("%s: no BTF", path);
	sec = btf__find_by_name_kind(btf, ".maps", BTF_KIND_DATASEC);
	assert_true(sec > 0);
	ds = btf__type_by_id(btf, sec);
	vs = btf_var_secinfos(ds);
	for (__u16 i = 0; i < btf_vlen(ds); i++) {
		const struct btf_type *v = btf__type_by_id(btf, vs[i].type);
		const struct btf_type *t = btf__type_by_id(btf, v->type);
		const char *name = btf__name_by_offset(btf, v->name_off);
		char what[700];
		__u32 k, val;

		while (t && (btf_is_typedef(t) || btf_is_mod(t)))
			t = btf__type_by_id(btf, t->type);
		if (!t || !btf_is_struct(t))
			continue;
		k = member_target(btf, t, "key");
		val = member_target(btf, t, "value");
		if (k) {
			snprintf(what, sizeof(what), "%s: %s key", path, name);
			check_type(btf, k, what);
		}
		if (val) {
			snprintf(what, sizeof(what), "%s: %s value", path, name);
			check_type(btf, val, what);
		}
		if (!tv_find_var_tag(btf, name, "mapsh:record=", rec, sizeof(rec))) {
			__s32 rid = btf__find_by_name_kind(btf, rec, BTF_KIND_STRUCT);

			assert_true(rid > 0);
			snprintf(what, sizeof(what), "%s: %s record", path, name);
			check_type(btf, (__u32)rid, what);
		}
	}
	btf__free(btf);
}

static void test_bpf_objects(void **state)
{
	DIR *d = opendir(BPF_OBJ_DIR);
	struct dirent *e;
	unsigned objs = 0;

	(void)state;
	if (!d) {
		print_message("no %s: build the BPF objects to test their BTF\n",
			      BPF_OBJ_DIR);
		skip();
	}
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char path[512];

		if (n < 7 || strcmp(e->d_name + n - 6, ".bpf.o"))
			continue;
		/* maps' map iterator (map/kcount.c) has no maps of its own */
		if (!strcmp(e->d_name, "mapcount.bpf.o"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", BPF_OBJ_DIR, e->d_name);
		check_object(path);
		objs++;
	}
	closedir(d);
	if (!objs) {
		print_message("no *.bpf.o in %s: build the BPF objects to test their BTF\n",
			      BPF_OBJ_DIR);
		skip();
	}
	print_message("checked %u key/value/record types in %u BPF objects\n",
		      bpf_types_checked, objs);
}

/* A canonical flow key from the objects' BTF: text in, same text out. */
static void test_bpf_canonical(void **state)
{
	char path[512];
	struct btf *btf;
	struct tv_plan *p;
	__s32 id;
	uint8_t buf[64] = { 0 };
	const char *canon =
		"{src_ip=192.168.1.10 dst_ip=10.0.0.1 src_port=40000 dst_port=443 protocol=tcp}";

	(void)state;
	snprintf(path, sizeof(path), "%s/flowtrack.bpf.o", BPF_OBJ_DIR);
	btf = btf__parse_elf(path, NULL);
	if (!btf) {
		print_message("no %s: skipped\n", path);
		skip();
	}
	id = btf__find_by_name_kind(btf, "flow_key", BTF_KIND_STRUCT);
	assert_true(id > 0);
	p = tv_plan_new(btf, (__u32)id, 0, NULL);
	assert_non_null(p);
	parse_ok(p, canon, buf, TV_PARSE_ALL);
	assert_text(p, buf, canon);
	assert_memory_equal(buf, "\xc0\xa8\x01\x0a\x0a\x00\x00\x01\x9c\x40\x01\xbb\x06",
			    13);
	tv_plan_free(p);
	btf__free(btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_key),
		cmocka_unit_test(test_flow6_and_lpm),
		cmocka_unit_test(test_flow_metrics),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_ints),
		cmocka_unit_test(test_bitfields),
		cmocka_unit_test(test_unions),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_chars),
		cmocka_unit_test(test_floats),
		cmocka_unit_test(test_enum64),
		cmocka_unit_test(test_ptrs),
		cmocka_unit_test(test_fallbacks),
		cmocka_unit_test(test_formats_misc),
		cmocka_unit_test(test_raw_and_scalar),
		cmocka_unit_test(test_leaf_api),
		cmocka_unit_test(test_leaf_kinds),
		cmocka_unit_test(test_var_tag),
		cmocka_unit_test(test_plan_errors),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_bpf_objects),
		cmocka_unit_test(test_bpf_canonical),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
