// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for the typed-value parser. The first input byte picks
 * a plan and an entry point; the rest is fed as a command line (split on
 * spaces), as one text, as JSON, as a single leaf value, as a CIDR key or as
 * a `~` pattern. Besides crashes, leaks and overflows it checks:
 *   - a failed parse leaves the buffer exactly as it was and says why in
 *     one printable line;
 *   - whatever parsed formats to valid JSON, and its exact text form
 *     parses back to the same bytes (for plans without floats). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "tval/tval.h"
#include "../unit/btf_fixture.h"

#define NPLANS 6

static struct btf *btf;
static struct tv_plan *plans[NPLANS];
static bool has_float[NPLANS];

static int arr(int u32, int elem, int n)
{
	return btf__add_array(btf, u32, elem, n);
}

static void tag(const char *fmt, int type, int comp)
{
	btf_fx_tag(btf, type, comp, fmt);
}

static void build(void)
{
	int u8, u16, u32, u64, s32, s64, u128, chr, boolt, flt, t_u8, t_u16;
	int t_u32, t_u64, be16, be32, a_u8_3, a_u8_16, a_u8_6, a_s32_2x3;
	int a_chr_8, a_chr_4x2, a_pt_2, pt, e, e64, un, fk, zoo, mt, ptr;
	int a_be32_2;

	btf = btf__new_empty();
	u8 = btf__add_int(btf, "unsigned char", 1, 0);
	u16 = btf__add_int(btf, "unsigned short", 2, 0);
	u32 = btf__add_int(btf, "unsigned int", 4, 0);
	u64 = btf__add_int(btf, "unsigned long long", 8, 0);
	s32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	s64 = btf__add_int(btf, "long long", 8, BTF_INT_SIGNED);
	u128 = btf__add_int(btf, "__int128", 16, BTF_INT_SIGNED);
	chr = btf__add_int(btf, "char", 1, BTF_INT_SIGNED);
	boolt = btf__add_int(btf, "_Bool", 1, BTF_INT_BOOL);
	flt = btf__add_float(btf, "double", 8);
	t_u8 = btf__add_typedef(btf, "__u8", u8);
	t_u16 = btf__add_typedef(btf, "__u16", u16);
	t_u32 = btf__add_typedef(btf, "__u32", u32);
	t_u64 = btf__add_typedef(btf, "__u64", u64);
	be16 = btf__add_typedef(btf, "__be16", t_u16);
	be32 = btf__add_typedef(btf, "__be32", t_u32);
	a_u8_3 = arr(u32, t_u8, 3);
	a_u8_16 = arr(u32, t_u8, 16);
	a_u8_6 = arr(u32, t_u8, 6);
	a_s32_2x3 = arr(u32, arr(u32, s32, 3), 2);
	a_chr_8 = arr(u32, chr, 8);
	a_chr_4x2 = arr(u32, arr(u32, chr, 4), 2);
	a_be32_2 = arr(u32, be32, 2);
	ptr = btf__add_ptr(btf, 0);

	fk = btf_fx_flow_key(btf, "flow_key", be32, be16, t_u8, a_u8_3);

	e = btf__add_enum(btf, "fw_action", 4);
	btf__add_enum_value(btf, "FW_ALLOW", 0);
	btf__add_enum_value(btf, "FW_DROP", 1);
	e64 = btf__add_enum64(btf, "big", 8, true);
	btf__add_enum64_value(btf, "BIG_NEG", (uint64_t)-3);
	btf__add_enum64_value(btf, "BIG_MAX", INT64_MAX);
	pt = btf__add_struct(btf, "pt", 4);
	btf__add_field(btf, "x", t_u16, 0, 0);
	btf__add_field(btf, "y", t_u16, 16, 0);
	a_pt_2 = arr(u32, pt, 2);
	un = btf__add_union(btf, "un", 8);
	btf__add_field(btf, "q", t_u64, 0, 0);
	btf__add_field(btf, "w", a_be32_2, 0, 0);
	btf__add_field(btf, "s", a_chr_8, 0, 0);

	/* everything hard at once, without floats */
	zoo = btf__add_struct(btf, "zoo", 112);
	btf__add_field(btf, "a", u32, 0, 3);
	btf__add_field(btf, "b", s32, 3, 7);
	btf__add_field(btf, "act", e, 10, 2);
	btf__add_field(btf, "ok", boolt, 16, 0);
	btf__add_field(btf, "m", a_s32_2x3, 32, 0);
	btf__add_field(btf, "u", un, 224, 0);
	btf__add_field(btf, "pts", a_pt_2, 288, 0);
	btf__add_field(btf, "names", a_chr_4x2, 352, 0);
	btf__add_field(btf, "mac", a_u8_6, 416, 0);
	btf__add_field(btf, "flags", t_u16, 464, 0);
	btf__add_field(btf, "big", e64, 512, 0);
	btf__add_field(btf, "v6", a_u8_16, 576, 0);
	btf__add_field(btf, "huge", u128, 768, 0);
	tag("mac", zoo, 8);
	tag("tcpflags", zoo, 9);
	tag("ipv6", zoo, 11);

	mt = btf__add_struct(btf, "metrics", 40);
	btf__add_field(btf, "packets", t_u64, 0, 0);
	btf__add_field(btf, "seen", t_u64, 64, 0);
	btf__add_field(btf, "rate", flt, 128, 0);
	btf__add_field(btf, "delta", s64, 192, 0);
	btf__add_field(btf, "p", ptr, 256, 0);
	tag("counter", mt, 0);
	tag("ktime", mt, 1);

	plans[0] = tv_plan_new(btf, fk, 0, NULL);
	plans[1] = tv_plan_new(btf, zoo, 0, NULL);
	plans[2] = tv_plan_new(btf, mt, 0, NULL);
	plans[3] = tv_plan_new(btf, t_u32, 0, NULL);
	plans[4] = tv_plan_raw(6);
	plans[5] = tv_plan_new(btf, a_s32_2x3, 0, NULL);
	has_float[2] = true;
	for (int i = 0; i < NPLANS; i++) {
		if (!plans[i])
			abort();
		tv_plan_set_flags(plans[i], tv_plan_flags(plans[i]) | TV_TEXT_EXACT);
	}
}

static void check_err(const struct strbuf *err)
{
	const char *s = sb_str(err);

	if (!err->len)
		abort();	/* a failure always says why */
	for (size_t i = 0; i < err->len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();	/* one printable line */
}

/* Formatting what parsed must give valid JSON and an exact text form. */
static void check_formats(int pi, const uint8_t *buf)
{
	const struct tv_plan *p = plans[pi];
	uint32_t n = tv_plan_size(p);
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT;
	uint8_t *mask = malloc(n + 1), *a = calloc(1, n + 1), *b = calloc(1, n + 1);
	struct jw w;
	json_t *j;

	jw_init(&w, &sb, false);
	tv_format_json(p, buf, &w);
	j = json_loads(sb_str(&sb), JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, NULL);
	if (!j)
		abort();
	json_decref(j);
	if (!has_float[pi]) {
		tv_plan_data_mask(p, mask);
		for (uint32_t i = 0; i < n; i++)
			a[i] = buf[i] & mask[i];
		sb_reset(&sb);
		tv_format_text(p, a, &sb);
		if (tv_parse_text(p, sb_str(&sb), b, 0, &err)) {
			fprintf(stderr, "no parse back: %s: %s\n", sb_str(&sb),
				sb_str(&err));
			abort();
		}
		if (memcmp(a, b, n)) {
			fprintf(stderr, "parse back differs: %s\n", sb_str(&sb));
			abort();
		}
	}
	free(mask);
	free(a);
	free(b);
	sb_free(&sb);
	sb_free(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct strbuf err = STRBUF_INIT;
	uint8_t buf[128], before[128];
	char *text, **argv;
	int argc = 0, rc = 0, pi, mode;
	unsigned flags;
	const struct tv_plan *p;

	if (!init) {
		build();
		init = true;
	}
	if (size < 1 || size > 4096)
		return 0;
	pi = data[0] % NPLANS;
	mode = (data[0] / NPLANS) % 6;
	flags = (data[0] & 0x80) ? TV_PARSE_ALL : 0;
	p = plans[pi];
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + size);
	memcpy(before, buf, sizeof(buf));

	switch (mode) {
	case 0: {	/* a command line */
		char *save = NULL, *tok;

		argv = calloc(size + 1, sizeof(*argv));
		for (tok = strtok_r(text, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save))
			argv[argc++] = tok;
		rc = tv_parse_args(p, argc, argv, buf, flags, &err);
		free(argv);
		break;
	}
	case 1:
		rc = tv_parse_json(p, text, buf, flags, &err);
		break;
	case 2:
		rc = tv_parse_text(p, text, buf, flags, &err);
		break;
	case 3: {	/* one leaf, picked by the second byte */
		uint32_t nl = tv_plan_nleaves(p);
		const struct tv_leaf *l = tv_plan_leaf(p, size > 1 ? data[1] % nl : 0);

		rc = tv_leaf_parse(l, size > 1 ? text + 1 : text, buf, &err);
		break;
	}
	case 4:
		rc = tv_parse_cidr_key(p, text, buf, &err);
		if (rc && !err.len)
			abort();
		/* (the flow key is no LPM key: exercise the check only) */
		break;
	case 5: {	/* a ~ pattern on every leaf */
		for (uint32_t i = 0; i < tv_plan_nleaves(p); i++) {
			struct tv_match *m = tv_match_new(tv_plan_leaf(p, i), text);

			(void)tv_match_test(m, buf);
			tv_match_free(m);
		}
		break;
	}
	}
	if (rc) {
		check_err(&err);
		if (memcmp(buf, before, sizeof(buf)))
			abort();	/* a failed parse changes nothing */
	} else {
		/* bytes past the plan are never touched */
		if (memcmp(buf + tv_plan_size(p), before + tv_plan_size(p),
			   sizeof(buf) - tv_plan_size(p)))
			abort();
		check_formats(pi, buf);
	}
	free(text);
	sb_free(&err);
	return 0;
}
