// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the compiled formatters (cli/tval_fast.c): for every type
 * of a hand-made BTF and of the bundled BPF objects, under every display
 * flag, and for many records, a compiled program must print exactly what
 * tv_leaf_format_text / tv_format_json print. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "tval/tval.h"
#include "tval/fast.h"
/* Each tag of the shared fixtures is asserted, as the local ones are. */
#define BTF_FX_CHECK(ok) assert_true(ok)
#include "btf_fixture.h"

#ifndef BPF_OBJ_DIR
#define BPF_OBJ_DIR "build/bpf"
#endif

#define MAX_REC 4096
#define NRECS 40

static unsigned long long checks;

/* ------------------------------------------------------- hand-made BTF */

static struct btf *B;

static void tag(const char *fmt, int type, int comp)
{
	btf_fx_tag(B, type, comp, fmt);
}

/* Every kind the fast path knows, and its neighbours it must leave to
 * tval_format.c: the plan decides what each becomes. */
static void build_zoo(void)
{
	int u8, u16, u32, u64, s8, s16, s32, s64, u128, chr, boolt, flt, dbl;
	int be16, be32, be64, t_u8, t_u32, u32x4, u32n, a_u8_3, a_u8_4, a_u8_7;
	int a_u8_6, a_u8_16, a_u16_4, a_s8_3, a_be32_2, a_s32_2x3, a_chr_8;
	int a_u8_0, e, pt, a_pt_2, un, t, ti;

	B = btf__new_empty();
	u8 = btf__add_int(B, "unsigned char", 1, 0);
	u16 = btf__add_int(B, "unsigned short", 2, 0);
	u32 = btf__add_int(B, "unsigned int", 4, 0);
	u64 = btf__add_int(B, "unsigned long long", 8, 0);
	s8 = btf__add_int(B, "signed char", 1, BTF_INT_SIGNED);
	s16 = btf__add_int(B, "short", 2, BTF_INT_SIGNED);
	s32 = btf__add_int(B, "int", 4, BTF_INT_SIGNED);
	s64 = btf__add_int(B, "long long", 8, BTF_INT_SIGNED);
	u128 = btf__add_int(B, "unsigned __int128", 16, 0);
	chr = btf__add_int(B, "char", 1, BTF_INT_SIGNED);
	boolt = btf__add_int(B, "_Bool", 1, BTF_INT_BOOL);
	flt = btf__add_float(B, "float", 4);
	dbl = btf__add_float(B, "double", 8);
	t_u8 = btf__add_typedef(B, "__u8", u8);
	t_u32 = btf__add_typedef(B, "__u32", u32);
	be16 = btf__add_typedef(B, "__be16", btf__add_typedef(B, "__u16", u16));
	be32 = btf__add_typedef(B, "__be32", t_u32);
	be64 = btf__add_typedef(B, "__be64", btf__add_typedef(B, "__u64", u64));
	u32n = u32;
	a_u8_0 = btf__add_array(B, u32n, t_u8, 0);
	a_u8_3 = btf__add_array(B, u32n, t_u8, 3);
	a_u8_4 = btf__add_array(B, u32n, t_u8, 4);
	a_u8_6 = btf__add_array(B, u32n, t_u8, 6);
	a_u8_7 = btf__add_array(B, u32n, t_u8, 7);
	a_u8_16 = btf__add_array(B, u32n, t_u8, 16);
	a_u16_4 = btf__add_array(B, u32n, u16, 4);
	a_s8_3 = btf__add_array(B, u32n, s8, 3);
	a_be32_2 = btf__add_array(B, u32n, be32, 2);
	a_s32_2x3 = btf__add_array(B, u32n, btf__add_array(B, u32n, s32, 3), 2);
	a_chr_8 = btf__add_array(B, u32n, chr, 8);
	u32x4 = btf__add_array(B, u32n, u32, 4);
	e = btf__add_enum(B, "act", 4);
	btf__add_enum_value(B, "ACT_PASS", 0);
	btf__add_enum_value(B, "ACT_DROP", 1);
	btf__add_enum_value(B, "ACT_WEIRD", 3);
	ti = btf__add_typedef(B, "my_ifindex", t_u32);
	tag("ifindex", ti, -1);

	/* a flows-like key and value: the dump's hot path */
	btf_fx_flow_key(B, "fkey", be32, be16, t_u8, a_u8_3);
	btf_fx_flow_metrics(B, "fval", u64, t_u8, a_u8_7);

	/* tags on every width and signedness */
	t = btf__add_struct(B, "tagged", 96);
	btf__add_field(B, "c8", s8, 0, 0);
	btf__add_field(B, "proto16", u16, 16, 0);
	btf__add_field(B, "k32", s32, 32, 0);
	btf__add_field(B, "k64s", s64, 64, 0);
	btf__add_field(B, "ku32", u32, 128, 0);
	btf__add_field(B, "be64", be64, 192, 0);
	btf__add_field(B, "bes32", s32, 256, 0);
	btf__add_field(B, "flags16", u16, 288, 0);
	btf__add_field(B, "flags8s", s8, 304, 0);
	btf__add_field(B, "proto8s", s8, 312, 0);
	btf__add_field(B, "ifx", ti, 320, 0);
	btf__add_field(B, "ifs", s32, 352, 0);
	btf__add_field(B, "hex32", u32, 384, 0);
	btf__add_field(B, "mac", a_u8_6, 416, 0);
	btf__add_field(B, "port8", u8, 464, 0);
	btf__add_field(B, "cnt16", s16, 480, 0);
	btf__add_field(B, "ip6", a_u8_16, 512, 0);
	btf__add_field(B, "ipa", a_be32_2, 640, 0);
	tag("counter", t, 0);
	tag("ipproto", t, 1);
	tag("ktime", t, 2);
	tag("ktime", t, 3);
	tag("ktime", t, 4);
	tag("be", t, 5);
	tag("be", t, 6);
	tag("tcpflags", t, 7);
	tag("tcpflags", t, 8);
	tag("ipproto", t, 9);
	tag("ifindex", t, 11);
	tag("hex", t, 12);
	tag("mac", t, 13);
	tag("port", t, 14);
	tag("counter", t, 15);
	tag("ipv6", t, 16);
	tag("ipv4", t, 17);

	/* plain C values of every kind */
	pt = btf__add_struct(B, "pt", 4);
	btf__add_field(B, "x", u16, 0, 0);
	btf__add_field(B, "y", s16, 16, 0);
	a_pt_2 = btf__add_array(B, u32n, pt, 2);
	un = btf__add_union(B, "un", 4);
	btf__add_field(B, "w", u32, 0, 0);
	btf__add_field(B, "b", a_u8_4, 0, 0);
	t = btf__add_struct(B, "kinds", 128);
	btf__add_field(B, "a", u8, 0, 0);
	btf__add_field(B, "b", s8, 8, 0);
	btf__add_field(B, "c", u16, 16, 0);
	btf__add_field(B, "d", s16, 32, 0);
	btf__add_field(B, "e", u32, 64, 0);
	btf__add_field(B, "f", s32, 96, 0);
	btf__add_field(B, "g", u64, 128, 0);
	btf__add_field(B, "h", s64, 192, 0);
	btf__add_field(B, "i", u128, 256, 0);
	btf__add_field(B, "ok", boolt, 384, 0);
	btf__add_field(B, "act", e, 416, 0);
	btf__add_field(B, "name", a_chr_8, 448, 0);
	btf__add_field(B, "fl", flt, 512, 0);
	btf__add_field(B, "db", dbl, 576, 0);
	btf__add_field(B, "m", a_s32_2x3, 640, 0);
	btf__add_field(B, "w4", a_u16_4, 832, 0);
	btf__add_field(B, "s3", a_s8_3, 896, 0);
	btf__add_field(B, "z", a_u8_0, 920, 0);
	btf__add_field(B, "pts", a_pt_2, 928, 0);
	btf__add_field(B, "u", un, 992, 0);

	/* bitfields */
	t = btf__add_struct(B, "bits", 16);
	btf__add_field(B, "a", u32, 0, 3);
	btf__add_field(B, "b", s32, 3, 5);
	btf__add_field(B, "c", u32, 8, 24);
	btf__add_field(B, "big", u64, 36, 40);
	btf__add_field(B, "e", u16, 96, 0);
	btf__add_field(B, "v4", u32x4, 0, 0);
	(void)t;
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
	btf__free(B);
	return 0;
}

/* ------------------------------------------------------------- checks */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Record number i: zeros, ones, random bytes, small bytes (booleans,
 * enums, strings), printable text. */
static void fill(uint8_t *rec, size_t n, int i)
{
	for (size_t k = 0; k < n; k++) {
		uint64_t r = next_rand();

		switch (i % 5) {
		case 0: rec[k] = i ? (uint8_t)(r & 1) : 0; break;
		case 1: rec[k] = 0xff; break;
		case 2: rec[k] = (uint8_t)r; break;
		case 3: rec[k] = (uint8_t)(r % 4); break;
		default: rec[k] = (uint8_t)('a' + r % 26); break;
		}
	}
	/* ktime-like values near the reference clock */
	if (i % 7 == 6)
		for (size_t k = 0; k + 8 <= n; k += 8) {
			uint64_t v = 5000000000000ull + (next_rand() % 2000000000000ull) -
				     1000000000000ull;

			memcpy(rec + k, &v, 8);
		}
}

/* A prefix of some length already in the buffer, so growing is tested at
 * every offset. */
static void prefix(struct strbuf *sb, int i)
{
	for (int k = 0; k < (i * 7) % 71; k++)
		sb_addc(sb, (char)('A' + k % 26));
}

static void sanitize(struct strbuf *sb, size_t from)
{
	for (size_t k = from; k < sb->len; k++)
		if ((unsigned char)sb->buf[k] < 0x20 || sb->buf[k] == 0x7f)
			sb->buf[k] = ' ';
}

static void same(const struct strbuf *want, const struct strbuf *got,
		 const char *what, const struct tv_plan *p, unsigned flags)
{
	checks++;
	if (want->len != got->len || memcmp(sb_str(want), sb_str(got), want->len))
		fail_msg("%s of %s (flags %#x):\nwant %s\ngot  %s", what,
			 tv_plan_type_name(p), flags, sb_str(want), sb_str(got));
	assert_int_equal(strlen(sb_str(got)), got->len);
}

static void check_plan(struct tv_plan *p, unsigned flags)
{
	uint32_t size = tv_plan_size(p), nl = tv_plan_nleaves(p);
	struct tvf *row, *json, *leaf[64] = { NULL };
	uint8_t *rec;

	if (!size || size > MAX_REC)
		return;
	rec = calloc(1, size);
	assert_non_null(rec);
	tv_plan_set_clock(p, 5000000000000ull, 1764000000000000000ull);

	/* a plain row: every leaf, tab-separated */
	row = tvf_new();
	assert_non_null(row);
	for (uint32_t i = 0; i < nl; i++) {
		tvf_lit(row, i ? "\t" : "<", 1);
		tvf_leaf_text(row, tv_plan_leaf(p, i), 1);
		if (i < 64) {
			leaf[i] = tvf_new();
			assert_non_null(leaf[i]);
			tvf_leaf_text(leaf[i], tv_plan_leaf(p, i), 0);
			assert_true(tvf_ok(leaf[i]));
		}
	}
	tvf_lit(row, "\n", 1);
	assert_true(tvf_ok(row));
	/* a JSON member */
	json = tvf_new();
	assert_non_null(json);
	tvf_lit(json, "{\"a long member name to copy\":", 30);
	tvf_plan_json(json, p, 1);
	tvf_lit(json, "}", 1);
	assert_true(tvf_ok(json));

	for (int r = 0; r < NRECS; r++) {
		struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
		const void *recs[2] = { rec, rec };
		struct jw w;
		size_t start;

		fill(rec, size, r);
		/* row */
		prefix(&want, r);
		prefix(&got, r);
		for (uint32_t i = 0; i < nl; i++) {
			sb_addc(&want, i ? '\t' : '<');
			start = want.len;
			tv_leaf_format_text(tv_plan_leaf(p, i), rec, &want);
			sanitize(&want, start);
		}
		sb_addc(&want, '\n');
		tvf_run(row, &got, recs);
		same(&want, &got, "text row", p, flags);
		/* one leaf at a time */
		for (uint32_t i = 0; i < nl && i < 64; i++) {
			sb_reset(&want);
			sb_reset(&got);
			tv_leaf_format_text(tv_plan_leaf(p, i), rec, &want);
			sanitize(&want, 0);
			tvf_run(leaf[i], &got, recs);
			same(&want, &got, tv_plan_leaf(p, i)->name, p, flags);
		}
		/* JSON */
		sb_reset(&want);
		sb_reset(&got);
		prefix(&want, r + 1);
		prefix(&got, r + 1);
		jw_init(&w, &want, false);
		w.depth = 3;	/* inside a list of records, say */
		w.after_name = true;
		jw_start_object(&w);
		jw_name(&w, "a long member name to copy");
		tv_format_json(p, rec, &w);
		jw_end_object(&w);
		tvf_run(json, &got, recs);
		same(&want, &got, "JSON", p, flags);
		sb_free(&want);
		sb_free(&got);
	}
	for (uint32_t i = 0; i < nl && i < 64; i++)
		tvf_free(leaf[i]);
	tvf_free(row);
	tvf_free(json);
	free(rec);
}

static const unsigned all_flags[] = {
	0, TV_RAW, TV_NO_TAGS, TV_TEXT_EXACT, TV_KTIME_WALL,
	TV_TEXT_EXACT | TV_KTIME_WALL,
};

/* Every type of btf that makes a plan, under every flag. */
static unsigned check_btf(const struct btf *btf)
{
	unsigned n = 0;

	for (__u32 id = 1; id < btf__type_cnt(btf); id++) {
		for (size_t f = 0; f < sizeof(all_flags) / sizeof(all_flags[0]); f++) {
			struct tv_plan *p = tv_plan_new(btf, id, all_flags[f], NULL);

			if (!p)
				continue;
			check_plan(p, all_flags[f]);
			tv_plan_free(p);
			n++;
		}
	}
	return n;
}

static void test_zoo(void **state)
{
	(void)state;
	assert_true(check_btf(B) > 100);
}

static void test_raw(void **state)
{
	(void)state;
	for (uint32_t size = 1; size <= 80; size++) {
		struct tv_plan *p = tv_plan_raw(size);

		assert_non_null(p);
		check_plan(p, 0);
		tv_plan_free(p);
	}
}

/* Formats that change after the program was built are the caller's
 * business (entry_out rebuilds); a program built for the flags of the
 * moment must still follow the clock it reads when it runs. */
static void test_clock(void **state)
{
	__s32 id = btf__find_by_name_kind(B, "fval", BTF_KIND_STRUCT);
	struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
	struct tv_plan *p;
	struct tvf *f;
	uint8_t rec[40] = { 0 };
	uint64_t t = 1000000000ull;
	const void *recs[1] = { rec };

	(void)state;
	assert_true(id > 0);
	p = tv_plan_new(B, (__u32)id, 0, NULL);
	assert_non_null(p);
	f = tvf_new();
	tvf_leaf_text(f, tv_plan_leaf(p, 2), 0);
	assert_true(tvf_ok(f));
	memcpy(rec + 16, &t, 8);
	for (uint64_t now = 1; now < 100000000000000ull; now = now * 3 + 7) {
		tv_plan_set_clock(p, now, 0);
		sb_reset(&want);
		sb_reset(&got);
		tv_leaf_format_text(tv_plan_leaf(p, 2), rec, &want);
		tvf_run(f, &got, recs);
		assert_string_equal(sb_str(&want), sb_str(&got));
	}
	sb_free(&want);
	sb_free(&got);
	tvf_free(f);
	tv_plan_free(p);
}

static void test_bpf_objects(void **state)
{
	DIR *d = opendir(BPF_OBJ_DIR);
	struct dirent *e;
	unsigned objs = 0, plans = 0;

	(void)state;
	if (!d) {
		print_message("no %s: build the BPF objects to test their BTF\n",
			      BPF_OBJ_DIR);
		skip();
	}
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char path[512];
		struct btf *btf;

		if (n < 7 || strcmp(e->d_name + n - 6, ".bpf.o"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", BPF_OBJ_DIR, e->d_name);
		btf = btf__parse_elf(path, NULL);
		if (!btf)
			continue;
		plans += check_btf(btf);
		btf__free(btf);
		objs++;
	}
	closedir(d);
	if (!objs) {
		print_message("no *.bpf.o in %s\n", BPF_OBJ_DIR);
		skip();
	}
	print_message("%u plans of %u BPF objects, %llu outputs compared in all\n",
		      plans, objs, checks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zoo),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_bpf_objects),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
