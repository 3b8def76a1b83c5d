// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target for the dump query language (cli/query.h): the input is
 * split on spaces into words and parsed against three key/value plan pairs
 * (struct/struct, scalar/struct, none/struct) built from hand-made BTF.
 * Every query that parses is run on a few records (fixed ones and one made
 * of the input bytes): query_match, query_cmp/query_cmp_ex (checked to be
 * antisymmetric and reflexive), the accessors and query_format; a where-only
 * query must parse back from its canonical form and filter the same way.
 * Failed parses must leave a one-line message. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "query/query.h"
#include "base/strbuf.h"
#include "tval/tval.h"
#include "../unit/btf_fixture.h"

#define VSIZE 88
#define KSIZE 16
#define MAXWORDS 256
#define NREC 4

static struct btf *btf;
static const struct tv_plan *plans[3][2];
static uint8_t krec[NREC][KSIZE], vrec[NREC][VSIZE];

static void tag(int id, int comp, const char *fmt)
{
	btf_fx_tag(btf, id, comp, fmt);
}

static struct tv_plan *plan(int id)
{
	struct tv_plan *p = tv_plan_new(btf, id, 0, NULL);

	if (!p)
		abort();
	return p;
}

/* flow_key {src_ip, dst_ip, src_port, dst_port, protocol, pad[3]} and a
 * value with counters, ktime, a string, an enum, a signed int, tcp flags,
 * ipv6, mac, a nested struct, an array and a double. */
static void init(void)
{
	struct btf_fx_query_types t;
	int id, in, u8x2, u8x3, u8x6, u8x16, chr12, u32x2, kid, vid;
	struct tv_plan *kp, *vp, *sp;

	btf = btf__new_empty();
	btf_fx_add_query_types(btf, &t);
	u8x2 = btf__add_array(btf, t.u32, t.u8, 2);
	u8x3 = btf__add_array(btf, t.u32, t.u8, 3);
	u8x6 = btf__add_array(btf, t.u32, t.u8, 6);
	u8x16 = btf__add_array(btf, t.u32, t.u8, 16);
	chr12 = btf__add_array(btf, t.u32, t.chr, 12);
	u32x2 = btf__add_array(btf, t.u32, t.u32, 2);

	kid = btf_fx_flow_key(btf, "flow_key", t.be32, t.be16, t.u8, u8x3);

	in = btf__add_struct(btf, "pair", 4);
	btf__add_field(btf, "a", t.u16, 0, 0);
	btf__add_field(btf, "b", t.u16, 16, 0);
	id = btf__add_struct(btf, "flow_val", VSIZE);
	btf__add_field(btf, "packets", t.u64, 0, 0);
	btf__add_field(btf, "last_seen", t.u64, 64, 0);
	btf__add_field(btf, "name", chr12, 128, 0);
	btf__add_field(btf, "action", t.en, 224, 0);
	btf__add_field(btf, "delta", t.s32, 256, 0);
	btf__add_field(btf, "tcp_flags", t.u8, 288, 0);
	btf__add_field(btf, "pad", u8x3, 296, 0);
	btf__add_field(btf, "nh6", u8x16, 320, 0);
	btf__add_field(btf, "mac", u8x6, 448, 0);
	btf__add_field(btf, "pad2", u8x2, 496, 0);
	btf__add_field(btf, "inner", in, 512, 0);
	btf__add_field(btf, "hist", u32x2, 544, 0);
	btf__add_field(btf, "ratio", t.dbl, 640, 0);
	tag(id, 0, "counter");
	tag(id, 1, "ktime");
	tag(id, 5, "tcpflags");
	tag(id, 7, "ipv6");
	tag(id, 8, "mac");
	vid = id;
	/* plans last: they point at BTF strings, which adding types moves */
	kp = plan(kid);
	vp = plan(vid);
	sp = plan(t.u32);

	plans[0][0] = kp;
	plans[0][1] = vp;
	plans[1][0] = sp;
	plans[1][1] = vp;
	plans[2][0] = NULL;
	plans[2][1] = vp;

	/* fixed records: small, big, NaN ratio */
	for (int r = 0; r < NREC - 1; r++) {
		uint64_t pk = r == 0 ? 5 : r == 1 ? 100 : ~0ull;
		double ratio = r == 0 ? 0.5 : r == 1 ? -1e300 : NAN;

		memset(krec[r], 0x11 * r, KSIZE);
		krec[r][12] = r == 0 ? 6 : 17;
		memset(vrec[r], 0, VSIZE);
		memcpy(vrec[r], &pk, 8);
		strcpy((char *)vrec[r] + 16,
		       r == 0 ? "web" : r == 1 ? "a b" : "\xff");
		vrec[r][28] = (uint8_t)r;
		vrec[r][36] = 0x12;
		memset(vrec[r] + 40, 0xfe * r, 16);
		memcpy(vrec[r] + 80, &ratio, 8);
	}
}

static double rate(void *ctx, const struct tv_leaf *leaf, bool in_key,
		   const void *k, const void *v)
{
	const uint8_t *rec = in_key ? k : v;

	(void)ctx;
	if (!rec)
		return NAN;
	if (rec[0] == 3)
		return NAN;
	return (double)tv_leaf_get_u64(leaf, rec) / 3.0;
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void exercise(const struct query *q, const struct tv_plan *kp,
		     const struct tv_plan *vp)
{
	struct strbuf sb = STRBUF_INIT;
	bool m[NREC];

	for (int i = 0; i < NREC; i++) {
		const void *k = kp ? krec[i] : NULL;

		m[i] = query_match(q, k, vrec[i]);
		for (int j = 0; j < NREC; j++) {
			const void *k2 = kp ? krec[j] : NULL;
			int a = query_cmp(q, k, vrec[i], k2, vrec[j]);
			int b = query_cmp(q, k2, vrec[j], k, vrec[i]);
			int c = query_cmp_ex(q, k, vrec[i], k2, vrec[j], rate,
					     NULL);
			int d = query_cmp_ex(q, k2, vrec[j], k, vrec[i], rate,
					     NULL);

			if (sign(a) != -sign(b) || sign(c) != -sign(d))
				abort();
			if (i == j && (a || c))
				abort();
		}
	}
	(void)query_limit(q);
	for (int i = 0; i < query_nfields(q); i++)
		if (!query_field(q, i)->leaf || !query_field(q, i)->name)
			abort();
	for (int i = 0; i < query_nsort(q); i++)
		(void)(query_sort_desc(q, i) + query_sort_is_rate(q, i) +
		       !query_sort_field(q, i)->name);
	query_format(q, &sb);

	/* where-only queries parse back from their canonical form */
	if (query_has_where(q) && !query_has_sort(q) && query_limit(q) < 0 &&
	    !query_nfields(q)) {
		struct strbuf err = STRBUF_INIT;
		char *argv[2] = { "where", NULL };
		struct query *q2 = NULL;

		if (strncmp(sb_str(&sb), "where ", 6))
			abort();
		argv[1] = sb.buf + 6;
		if (query_parse(kp, vp, 2, argv, NULL, &q2, &err)) {
			fprintf(stderr, "canonical form does not parse: %s\n"
				"  %s\n", sb_str(&sb), sb_str(&err));
			abort();
		}
		for (int i = 0; i < NREC; i++)
			if (query_match(q2, kp ? krec[i] : NULL, vrec[i]) !=
			    m[i]) {
				fprintf(stderr, "canonical form filters "
					"differently: %s\n", sb_str(&sb));
				abort();
			}
		query_free(q2);
		sb_free(&err);
	}
	sb_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[MAXWORDS];
	int argc = 0;

	if (!btf)
		init();
	if (size > 4096)
		return 0;
	buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* a record made of the input bytes */
	memset(krec[NREC - 1], 0, KSIZE);
	memset(vrec[NREC - 1], 0, VSIZE);
	memcpy(krec[NREC - 1], data, size < KSIZE ? size : KSIZE);
	memcpy(vrec[NREC - 1], data, size < VSIZE ? size : VSIZE);

	/* words: split on spaces (an embedded NUL ends the input) */
	for (char *p = buf; *p && argc < MAXWORDS;) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}

	for (int pi = 0; pi < 3; pi++) {
		const struct tv_plan *kp = plans[pi][0], *vp = plans[pi][1];
		struct strbuf err = STRBUF_INIT;
		struct query *q = (struct query *)&err;
		int used = -1;

		if (query_parse(kp, vp, argc, argv, &used, &q, &err)) {
			if (q || !err.len || strchr(sb_str(&err), '\n') ||
			    used < 0 || used > argc)
				abort();
		} else {
			if (err.len || used < 0 || used > argc)
				abort();
			exercise(q, kp, vp);
			query_free(q);
		}
		sb_free(&err);
	}
	free(buf);
	return 0;
}
