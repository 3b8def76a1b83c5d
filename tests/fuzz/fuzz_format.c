// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for the compiled formatters (cli/tval_fast.c). The
 * first input byte picks a plan and display flags, the next eight the
 * reference clock, the rest are the record's bytes. A compiled program must
 * print exactly what tv_leaf_format_text / tv_format_json print: every
 * leaf alone, all leaves as one tab-separated row, and the whole value as
 * a JSON member. The reader of that JSON (tvf_read) must give back a record
 * that prints the same text, and on any text (the input after its first
 * byte, read as JSON) a read it calls exact must print back byte for byte
 * what it read. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "tval/tval.h"
#include "tval/fast.h"
#include "../unit/btf_fixture.h"

#define NTYPES 7
#define NFLAGS 4

static struct btf *btf;
static struct tv_plan *plans[NTYPES][NFLAGS];
static struct tvf *rows[NTYPES][NFLAGS], *jsons[NTYPES][NFLAGS];
static const unsigned flag_sets[NFLAGS] = {
	0, TV_TEXT_EXACT, TV_KTIME_WALL, TV_RAW,
};

static void tag(const char *fmt, int type, int comp)
{
	btf_fx_tag(btf, type, comp, fmt);
}

static void build(void)
{
	int u8, u16, u32, u64, s8, s16, s32, s64, chr, boolt, flt, t_u8, be16;
	int be32, be64, a_u8_3, a_u8_7, a_u8_16, a_s16_2, a_be32_2, a_chr_6;
	int a_s32_2x2, e, fk, fm, tg, mix, bits, types[NTYPES];

	btf = btf__new_empty();
	u8 = btf__add_int(btf, "unsigned char", 1, 0);
	u16 = btf__add_int(btf, "unsigned short", 2, 0);
	u32 = btf__add_int(btf, "unsigned int", 4, 0);
	u64 = btf__add_int(btf, "unsigned long long", 8, 0);
	s8 = btf__add_int(btf, "signed char", 1, BTF_INT_SIGNED);
	s16 = btf__add_int(btf, "short", 2, BTF_INT_SIGNED);
	s32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	s64 = btf__add_int(btf, "long long", 8, BTF_INT_SIGNED);
	chr = btf__add_int(btf, "char", 1, BTF_INT_SIGNED);
	boolt = btf__add_int(btf, "_Bool", 1, BTF_INT_BOOL);
	flt = btf__add_float(btf, "double", 8);
	t_u8 = btf__add_typedef(btf, "__u8", u8);
	be16 = btf__add_typedef(btf, "__be16", u16);
	be32 = btf__add_typedef(btf, "__be32", u32);
	be64 = btf__add_typedef(btf, "__be64", u64);
	a_u8_3 = btf__add_array(btf, u32, t_u8, 3);
	a_u8_7 = btf__add_array(btf, u32, t_u8, 7);
	a_u8_16 = btf__add_array(btf, u32, t_u8, 16);
	a_s16_2 = btf__add_array(btf, u32, s16, 2);
	a_be32_2 = btf__add_array(btf, u32, be32, 2);
	a_chr_6 = btf__add_array(btf, u32, chr, 6);
	a_s32_2x2 = btf__add_array(btf, u32, btf__add_array(btf, u32, s32, 2), 2);
	e = btf__add_enum(btf, "act", 4);
	btf__add_enum_value(btf, "ACT_PASS", 0);
	btf__add_enum_value(btf, "ACT_DROP", 1);

	fk = btf_fx_flow_key(btf, "flow_key", be32, be16, t_u8, a_u8_3);
	fm = btf_fx_flow_metrics(btf, "flow_metrics", u64, t_u8, a_u8_7);

	tg = btf__add_struct(btf, "tagged", 56);
	btf__add_field(btf, "k32", s32, 0, 0);
	btf__add_field(btf, "b64", be64, 64, 0);
	btf__add_field(btf, "fl16", u16, 128, 0);
	btf__add_field(btf, "pr8", s8, 144, 0);
	btf__add_field(btf, "ifx", u32, 160, 0);
	btf__add_field(btf, "hx", u32, 192, 0);
	btf__add_field(btf, "ips", a_be32_2, 224, 0);
	btf__add_field(btf, "v6", a_u8_16, 288, 0);
	tag("ktime", tg, 0);
	tag("be", tg, 1);
	tag("tcpflags", tg, 2);
	tag("ipproto", tg, 3);
	tag("ifindex", tg, 4);
	tag("hex", tg, 5);
	tag("ipv4", tg, 6);
	tag("ipv6", tg, 7);

	mix = btf__add_struct(btf, "mix", 48);
	btf__add_field(btf, "a", s8, 0, 0);
	btf__add_field(btf, "b", s16, 16, 0);
	btf__add_field(btf, "c", s64, 64, 0);
	btf__add_field(btf, "ok", boolt, 128, 0);
	btf__add_field(btf, "act", e, 160, 0);
	btf__add_field(btf, "name", a_chr_6, 192, 0);
	btf__add_field(btf, "w", a_s16_2, 240, 0);
	btf__add_field(btf, "d", flt, 320, 0);

	bits = btf__add_struct(btf, "bits", 24);
	btf__add_field(btf, "a", u32, 0, 3);
	btf__add_field(btf, "b", s32, 3, 9);
	btf__add_field(btf, "big", u64, 12, 44);
	btf__add_field(btf, "m", a_s32_2x2, 64, 0);

	types[0] = fk;
	types[1] = fm;
	types[2] = tg;
	types[3] = mix;
	types[4] = bits;
	types[5] = be16;
	types[6] = -1;	/* raw */
	for (int t = 0; t < NTYPES; t++) {
		for (int f = 0; f < NFLAGS; f++) {
			struct tv_plan *p = types[t] < 0 ? tv_plan_raw(11) :
				tv_plan_new(btf, (__u32)types[t], flag_sets[f], NULL);
			struct tvf *row = tvf_new(), *json = tvf_new();

			if (!p || !row || !json)
				abort();
			if (types[t] >= 0)
				tv_plan_set_flags(p, flag_sets[f]);
			for (uint32_t i = 0; i < tv_plan_nleaves(p); i++) {
				tvf_lit(row, i ? "\t" : "", i ? 1 : 0);
				tvf_leaf_text(row, tv_plan_leaf(p, i), 0);
			}
			tvf_lit(row, "\n", 1);
			tvf_lit(json, "{\"v\":", 5);
			tvf_plan_json(json, p, 0);
			tvf_lit(json, "}", 1);
			if (!tvf_ok(row) || !tvf_ok(json))
				abort();
			plans[t][f] = p;
			rows[t][f] = row;
			jsons[t][f] = json;
		}
	}
}

static void same(const struct strbuf *want, const struct strbuf *got)
{
	if (want->len != got->len || memcmp(sb_str(want), sb_str(got), want->len)) {
		fprintf(stderr, "want %s\ngot  %s\n", sb_str(want), sb_str(got));
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct strbuf want = STRBUF_INIT, got = STRBUF_INIT;
	struct tv_plan *p;
	uint8_t rec[64] = { 0 };
	const void *recs[1] = { rec };
	uint64_t now = 0;
	int t, f;
	struct jw w;

	if (!init) {
		build();
		init = true;
	}
	if (size < 1)
		return 0;
	t = data[0] % NTYPES;
	f = (data[0] / NTYPES) % NFLAGS;
	p = plans[t][f];
	if (size > 1)
		memcpy(&now, data + 1, size - 1 < 8 ? size - 1 : 8);
	/* 0 would read the clock per call: results would race with it */
	tv_plan_set_clock(p, now | 1, now ^ 0x5555555555555555ull);
	if (size > 9)
		memcpy(rec, data + 9, size - 9 < sizeof(rec) ? size - 9 : sizeof(rec));
	if (tv_plan_size(p) > sizeof(rec))
		abort();

	for (uint32_t i = 0; i < tv_plan_nleaves(p); i++) {
		size_t start;

		if (i)
			sb_addc(&want, '\t');
		start = want.len;
		tv_leaf_format_text(tv_plan_leaf(p, i), rec, &want);
		for (size_t k = start; k < want.len; k++)
			if ((unsigned char)want.buf[k] < 0x20 || want.buf[k] == 0x7f)
				want.buf[k] = ' ';
	}
	sb_addc(&want, '\n');
	tvf_run(rows[t][f], &got, recs);
	same(&want, &got);

	sb_reset(&want);
	sb_reset(&got);
	jw_init(&w, &want, false);
	jw_start_object(&w);
	jw_name(&w, "v");
	tv_format_json(p, rec, &w);
	jw_end_object(&w);
	tvf_run(jsons[t][f], &got, recs);
	same(&want, &got);

	/* read back what was printed */
	{
		uint8_t back[64] = { 0 };
		void *brecs[1] = { back };
		bool exact;
		size_t n = tvf_read(jsons[t][f], got.buf, got.len, brecs, &exact);

		if (n && n != got.len)
			abort();
		if (n) {
			sb_reset(&want);
			tvf_run(jsons[t][f], &want, (const void *const *)brecs);
			same(&got, &want);
		}
	}
	/* any text: an exact read prints back what it read */
	if (size > 1) {
		uint8_t any[64] = { 0 };
		void *arecs[1] = { any };
		bool exact;
		size_t n = tvf_read(jsons[t][f], (const char *)data + 1, size - 1, arecs,
				    &exact);

		if (n > size - 1)
			abort();
		if (n && exact) {
			sb_reset(&want);
			tvf_run(jsons[t][f], &want, (const void *const *)arecs);
			if (want.len != n || memcmp(want.buf, data + 1, n)) {
				fprintf(stderr, "read %.*s\nprints %s\n", (int)n,
					(const char *)data + 1, sb_str(&want));
				abort();
			}
		}
	}
	sb_free(&want);
	sb_free(&got);
	return 0;
}
