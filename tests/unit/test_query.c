// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the dump query language (cli/query.h): parsing, typed
 * filters, precedence, sorting, limit, field selection and error texts,
 * on plans compiled from BTF built by hand. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "query/query.h"
#include "base/strbuf.h"
#include "tval/tval.h"
/* Each tag of the shared fixtures is asserted, as the local ones are. */
#define BTF_FX_CHECK(ok) assert_true(ok)
#include "btf_fixture.h"

/* ---- records: C mirrors of the BTF types below ---- */

struct fkey {
	uint32_t src_ip, dst_ip;	/* ipv4 */
	uint16_t src_port, dst_port;	/* port */
	uint8_t protocol;		/* ipproto */
	uint8_t pad[3];
};

struct fval {
	uint64_t packets, bytes;	/* counter */
	uint64_t last_seen;		/* ktime */
	char name[16];
	uint32_t action;		/* enum fw_action */
	int32_t delta;
	uint8_t tcp_flags;		/* tcpflags */
	uint8_t pad[7];
	uint8_t nh6[16];		/* ipv6 */
	uint8_t mac[6];			/* mac */
	uint8_t pad2[2];
	struct { uint32_t a, b; } inner;
	uint32_t hist[2];
	double ratio;
};

/* A value sharing names with the key, for key./value. disambiguation. */
struct dval {
	uint32_t src_ip;		/* ipv4 */
	uint32_t hits;
};

_Static_assert(sizeof(struct fkey) == 16, "fkey");
_Static_assert(sizeof(struct fval) == 104, "fval");

static struct btf *btf;
static struct tv_plan *kp, *vp, *dp, *u32p, *qvp;

static void tag(int id, int comp, const char *fmt)
{
	btf_fx_tag(btf, id, comp, fmt);
}

static struct tv_plan *plan(int id)
{
	struct strbuf err = STRBUF_INIT;
	struct tv_plan *p = tv_plan_new(btf, id, 0, &err);

	if (!p)
		fail_msg("tv_plan_new: %s", sb_str(&err));
	sb_free(&err);
	return p;
}

static int setup(void **state)
{
	struct btf_fx_query_types t;
	int id, in, a, u8x2, u8x3, u8x6, u8x7, u8x16, chr16, kid, vid;

	btf = btf__new_empty();
	assert_non_null(btf);
	btf_fx_add_query_types(btf, &t);
	btf__add_enum_value(btf, "FW_REJECT", 2);

	/* types a struct refers to come first: fields must follow it */
	u8x2 = btf__add_array(btf, t.u32, t.u8, 2);
	u8x3 = btf__add_array(btf, t.u32, t.u8, 3);
	u8x6 = btf__add_array(btf, t.u32, t.u8, 6);
	u8x7 = btf__add_array(btf, t.u32, t.u8, 7);
	u8x16 = btf__add_array(btf, t.u32, t.u8, 16);
	chr16 = btf__add_array(btf, t.u32, t.chr, 16);
	a = btf__add_array(btf, t.u32, t.u32, 2);

	kid = btf_fx_flow_key(btf, "flow_key", t.be32, t.be16, t.u8, u8x3);

	in = btf__add_struct(btf, "pair", 8);
	btf__add_field(btf, "a", t.u32, 0, 0);
	btf__add_field(btf, "b", t.u32, 32, 0);
	id = btf__add_struct(btf, "flow_val", 104);
	btf__add_field(btf, "packets", t.u64, 0, 0);
	btf__add_field(btf, "bytes", t.u64, 64, 0);
	btf__add_field(btf, "last_seen", t.u64, 128, 0);
	btf__add_field(btf, "name", chr16, 192, 0);
	btf__add_field(btf, "action", t.en, 320, 0);
	btf__add_field(btf, "delta", t.s32, 352, 0);
	btf__add_field(btf, "tcp_flags", t.u8, 384, 0);
	btf__add_field(btf, "pad", u8x7, 392, 0);
	btf__add_field(btf, "nh6", u8x16, 448, 0);
	btf__add_field(btf, "mac", u8x6, 576, 0);
	btf__add_field(btf, "pad2", u8x2, 624, 0);
	btf__add_field(btf, "inner", in, 640, 0);
	btf__add_field(btf, "hist", a, 704, 0);
	btf__add_field(btf, "ratio", t.dbl, 768, 0);
	tag(id, 0, "counter");
	tag(id, 1, "counter");
	tag(id, 2, "ktime");
	tag(id, 6, "tcpflags");
	tag(id, 8, "ipv6");
	tag(id, 9, "mac");
	vid = id;

	id = btf__add_struct(btf, "dup_val", 8);
	btf__add_field(btf, "src_ip", t.be32, 0, 0);
	btf__add_field(btf, "hits", t.u32, 32, 0);
	tag(id, 0, "ipv4");

	/* plans last: they point at BTF strings, which adding types moves */
	kp = plan(kid);
	vp = plan(vid);
	dp = plan(id);
	u32p = plan(t.u32);
	qvp = vp;
	(void)state;
	return 0;
}

static int teardown(void **state)
{
	tv_plan_free(kp);
	tv_plan_free(vp);
	tv_plan_free(dp);
	tv_plan_free(u32p);
	btf__free(btf);
	(void)state;
	return 0;
}

/* ---- helpers ---- */

#define MAXW 64

struct words {
	char *buf;
	char *argv[MAXW];
	int argc;
};

/* Split on spaces, like a shell without quotes. */
static void split(struct words *w, const char *line)
{
	char *save = NULL;

	w->buf = strdup(line);
	w->argc = 0;
	for (char *t = strtok_r(w->buf, " ", &save); t && w->argc < MAXW;
	     t = strtok_r(NULL, " ", &save))
		w->argv[w->argc++] = t;
}

static struct query *parse_argv(const struct tv_plan *k,
				const struct tv_plan *v, int argc,
				char **argv)
{
	struct strbuf err = STRBUF_INIT;
	struct query *q = NULL;
	int used = -1;

	if (query_parse(k, v, argc, argv, &used, &q, &err))
		fail_msg("query_parse failed: %s", sb_str(&err));
	assert_int_equal(used, argc);
	sb_free(&err);
	return q;
}

static struct query *parse_kv(const struct tv_plan *k,
			      const struct tv_plan *v, const char *line)
{
	struct words w;
	struct query *q;

	split(&w, line);
	q = parse_argv(k, v, w.argc, w.argv);
	free(w.buf);
	return q;
}

static struct query *parse(const char *line)
{
	return parse_kv(kp, vp, line);
}

/* The error of a failing parse (static buffer). */
static const char *parse_err_kv(const struct tv_plan *k,
				const struct tv_plan *v, const char *line,
				int *used)
{
	static char msg[512];
	struct strbuf err = STRBUF_INIT;
	struct query *q = (struct query *)1;
	struct words w;
	int r;

	split(&w, line);
	r = query_parse(k, v, w.argc, w.argv, used, &q, &err);
	free(w.buf);
	if (!r) {
		query_free(q);
		fail_msg("'%s' parsed but should fail", line);
	}
	assert_null(q);
	snprintf(msg, sizeof(msg), "%s", sb_str(&err));
	sb_free(&err);
	return msg;
}


/* Canonical form of a parsed line (static buffer). */
static const char *canon(const char *line)
{
	static char out[512];
	struct strbuf sb = STRBUF_INIT;
	struct query *q = parse(line);

	query_format(q, &sb);
	snprintf(out, sizeof(out), "%s", sb_str(&sb));
	sb_free(&sb);
	query_free(q);
	return out;
}

/* Three flows. */
static struct fkey K[3];
static struct fval V[3];

static void set_ip(uint32_t *a, const char *s)
{
	assert_int_equal(inet_pton(AF_INET, s, a), 1);
}

static void records(void)
{
	memset(K, 0, sizeof(K));
	memset(V, 0, sizeof(V));
	set_ip(&K[0].src_ip, "10.1.2.3");
	set_ip(&K[0].dst_ip, "192.168.0.1");
	K[0].src_port = htons(1234);
	K[0].dst_port = htons(80);
	K[0].protocol = 6;
	V[0].packets = 100;
	V[0].bytes = 15000;
	V[0].last_seen = 1000;
	strcpy(V[0].name, "web-front");
	V[0].action = 0;
	V[0].delta = -5;
	V[0].tcp_flags = 0x12;		/* SYN|ACK */
	assert_int_equal(inet_pton(AF_INET6, "fe80::1", V[0].nh6), 1);
	memcpy(V[0].mac, "\x00\x11\x22\x33\x44\x55", 6);
	V[0].inner.a = 1;
	V[0].inner.b = 2;
	V[0].hist[0] = 3;
	V[0].hist[1] = 4;
	V[0].ratio = 0.5;

	set_ip(&K[1].src_ip, "10.200.0.9");
	set_ip(&K[1].dst_ip, "8.8.8.8");
	K[1].src_port = htons(5353);
	K[1].dst_port = htons(53);
	K[1].protocol = 17;
	V[1].packets = 5;
	V[1].bytes = 500;
	strcpy(V[1].name, "dns");
	V[1].action = 1;
	V[1].delta = 7;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", V[1].nh6), 1);
	V[1].ratio = 2.0;

	set_ip(&K[2].src_ip, "172.16.0.1");
	set_ip(&K[2].dst_ip, "10.0.0.1");
	K[2].protocol = 1;
	V[2].packets = 100;
	V[2].bytes = 9000;
	strcpy(V[2].name, "ping probe");
	V[2].action = 1;
	V[2].ratio = NAN;
}

/* Bitmask of the flows a filter keeps. */
static unsigned sel(const char *line)
{
	struct query *q = parse(line);
	unsigned m = 0;

	for (int i = 0; i < 3; i++)
		if (query_match(q, &K[i], &V[i]))
			m |= 1u << i;
	query_free(q);
	return m;
}

static unsigned sel_argv(int argc, ...)
{
	char *argv[MAXW];
	struct query *q;
	unsigned m = 0;
	va_list ap;

	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	q = parse_argv(kp, vp, argc, argv);
	for (int i = 0; i < 3; i++)
		if (query_match(q, &K[i], &V[i]))
			m |= 1u << i;
	query_free(q);
	return m;
}

#define R0 1u
#define R1 2u
#define R2 4u

/* ---- tests ---- */

static void test_empty(void **state)
{
	struct strbuf err = STRBUF_INIT;
	struct query *q = (struct query *)1;
	char *argv[] = { "-j", "where" };
	int used = -1;

	assert_int_equal(query_parse(kp, vp, 0, argv, &used, &q, &err), 0);
	assert_null(q);
	assert_int_equal(used, 0);
	/* a leading option: nothing consumed, no query */
	assert_int_equal(query_parse(kp, vp, 2, argv, &used, &q, &err), 0);
	assert_null(q);
	assert_int_equal(used, 0);
	assert_int_equal(err.len, 0);
	/* NULL queries are neutral */
	assert_true(query_match(NULL, &K[0], &V[0]));
	assert_false(query_has_sort(NULL));
	assert_false(query_has_where(NULL));
	assert_int_equal(query_limit(NULL), -1);
	assert_int_equal(query_nfields(NULL), 0);
	assert_null(query_field(NULL, 0));
	assert_int_equal(query_cmp(NULL, &K[0], &V[0], &K[1], &V[1]), 0);
	query_free(NULL);
	sb_free(&err);
	(void)state;
}

static void test_numbers(void **state)
{
	records();
	assert_int_equal(sel("where packets == 100"), R0 | R2);
	assert_int_equal(sel("where packets = 100"), R0 | R2);
	assert_int_equal(sel("where packets != 100"), R1);
	assert_int_equal(sel("where packets < 100"), R1);
	assert_int_equal(sel("where packets <= 100"), R0 | R1 | R2);
	assert_int_equal(sel("where packets > 5"), R0 | R2);
	assert_int_equal(sel("where packets >= 5"), R0 | R1 | R2);
	assert_int_equal(sel("where packets > 100"), 0);
	assert_int_equal(sel("where packets == 0x64"), R0 | R2);
	assert_int_equal(sel("where bytes ~ 500"), R0 | R1);	/* substring */
	assert_int_equal(sel("where bytes !~ 500"), R2);
	/* signed */
	assert_int_equal(sel("where delta < 0"), R0);
	assert_int_equal(sel("where delta >= -5"), R0 | R1 | R2);
	assert_int_equal(sel("where delta > -5"), R1 | R2);
	/* ktime (ns), float */
	assert_int_equal(sel("where last_seen > 0"), R0);
	assert_int_equal(sel("where ratio > 1"), R1);
	assert_int_equal(sel("where ratio <= 0.5"), R0);
	/* NaN (flow 2) compares like IEEE: only != holds */
	assert_int_equal(sel("where ratio != 0.5"), R1 | R2);
	assert_int_equal(sel("where ratio < 100 or ratio >= 100"), R0 | R1);
	assert_int_equal(sel("where ratio == nan"), 0);
	/* the word operators, for a shell that would take > as a redirection */
	assert_int_equal(sel("where packets eq 100"), R0 | R2);
	assert_int_equal(sel("where packets ne 100"), R1);
	assert_int_equal(sel("where packets lt 100"), R1);
	assert_int_equal(sel("where packets le 100"), R0 | R1 | R2);
	assert_int_equal(sel("where packets gt 5"), R0 | R2);
	assert_int_equal(sel("where packets GE 5 and delta Lt 0"), R0);
	(void)state;
}

static void test_addresses(void **state)
{
	records();
	assert_int_equal(sel("where src_ip == 10.1.2.3"), R0);
	assert_int_equal(sel("where src_ip != 10.1.2.3"), R1 | R2);
	assert_int_equal(sel("where src_ip ~ 10.0.0.0/8"), R0 | R1);
	assert_int_equal(sel("where src_ip !~ 10.0.0.0/8"), R2);
	assert_int_equal(sel("where src_ip ~ 10.200.0.0/16"), R1);
	assert_int_equal(sel("where src_ip ~ 0.0.0.0/0"), R0 | R1 | R2);
	assert_int_equal(sel("where src_ip ~ 10.1.2.3"), R0);
	/* ordered as numbers: 8.8.8.8 < 10.0.0.1 < 10.0.0.2 < 192.168.0.1 */
	assert_int_equal(sel("where dst_ip < 10.0.0.2"), R1 | R2);
	assert_int_equal(sel("where dst_ip >= 10.0.0.1"), R0 | R2);
	assert_int_equal(sel("where src_ip > 10.100.0.0"), R1 | R2);
	/* ipv6 and mac */
	assert_int_equal(sel("where nh6 ~ fe80::/10"), R0);
	assert_int_equal(sel("where nh6 == 2001:db8::1"), R1);
	assert_int_equal(sel("where nh6 > ::"), R0 | R1);
	assert_int_equal(sel("where mac == 00:11:22:33:44:55"), R0);
	assert_int_equal(sel("where mac != 00:11:22:33:44:55"), R1 | R2);
	/* ports, host order */
	assert_int_equal(sel("where dst_port == 80"), R0);
	assert_int_equal(sel("where dst_port < 100"), R0 | R1 | R2);
	assert_int_equal(sel("where src_port > 2000"), R1);
	(void)state;
}

static void test_names(void **state)
{
	records();
	/* protocol names */
	assert_int_equal(sel("where protocol == tcp"), R0);
	assert_int_equal(sel("where protocol == TCP"), R0);
	assert_int_equal(sel("where protocol != udp"), R0 | R2);
	assert_int_equal(sel("where protocol == 17"), R1);
	assert_int_equal(sel("where protocol ~ ud"), R1);
	assert_int_equal(sel("where protocol < udp"), R0 | R2);
	/* enums: full name, without prefix, any case, number */
	assert_int_equal(sel("where action == FW_DROP"), R1 | R2);
	assert_int_equal(sel("where action == drop"), R1 | R2);
	assert_int_equal(sel("where action == 0"), R0);
	assert_int_equal(sel("where action > FW_ALLOW"), R1 | R2);
	assert_int_equal(sel("where action ~ allow"), R0);
	/* tcp flags */
	assert_int_equal(sel("where tcp_flags ~ syn"), R0);
	assert_int_equal(sel("where tcp_flags == SYN|ACK"), R0);
	(void)state;
}

static void test_strings(void **state)
{
	records();
	assert_int_equal(sel("where name == dns"), R1);
	assert_int_equal(sel("where name != dns"), R0 | R2);
	assert_int_equal(sel("where name ~ front"), R0);
	assert_int_equal(sel("where name ~ FRONT"), R0);	/* any case */
	assert_int_equal(sel("where name ~ n"), R0 | R1 | R2);
	assert_int_equal(sel("where name !~ n"), 0);
	assert_int_equal(sel("where name == web"), 0);	/* whole string */
	/* a shell word with a blank is one value */
	assert_int_equal(sel_argv(4, "where", "name", "==", "ping probe"), R2);
	assert_int_equal(sel_argv(4, "where", "name", "~", "g p"), R2);
	/* quotes inside a word */
	assert_int_equal(sel_argv(2, "where", "name == \"ping probe\""), R2);
	assert_int_equal(sel_argv(2, "where", "name=='ping probe'"), R2);
	assert_int_equal(sel_argv(2, "where", "name ~ \"g\\x20p\""), R2);
	assert_int_equal(sel_argv(2, "where", "(name ~ 'g p')"), R2);
	/* closing parentheses glued to such a word still close */
	assert_int_equal(sel_argv(8, "where", "((packets", "==", "5", "or",
				  "name", "==", "ping probe))"), R1 | R2);
	assert_int_equal(sel_argv(4, "where", "name", "==", "a (b)"), 0);
	assert_int_equal(sel_argv(4, "where", "name", "==", "ping probe)"), 0);
	/* operator characters inside a value */
	assert_int_equal(sel("where name == a=b"), 0);
	(void)state;
}

static void test_precedence(void **state)
{
	records();
	/* and binds tighter than or */
	assert_int_equal(sel("where protocol == tcp or protocol == icmp and "
			     "packets == 5"), R0);
	assert_int_equal(sel("where protocol == icmp and packets == 5 or "
			     "protocol == tcp"), R0);
	/* not binds tighter than and */
	assert_int_equal(sel("where not protocol == tcp and packets == 100"),
			 R2);
	assert_int_equal(sel("where not not protocol == tcp"), R0);
	/* parentheses */
	assert_int_equal(sel("where ( protocol == tcp or protocol == icmp ) "
			     "and packets == 100"), R0 | R2);
	assert_int_equal(sel("where not ( protocol == tcp or protocol == udp )"),
			 R2);
	assert_int_equal(sel("where ((packets == 5))"), R1);
	assert_int_equal(sel("where NOT protocol == tcp AND packets == 100"),
			 R2);
	(void)state;
}

static void test_canonical(void **state)
{
	assert_string_equal(canon("where protocol == tcp or protocol == icmp "
				  "and packets == 5"),
			    "where (protocol == tcp or (protocol == icmp and "
			    "packets == 5))");
	assert_string_equal(canon("where not protocol == tcp and packets > 1"),
			    "where (not protocol == tcp and packets > 1)");
	assert_string_equal(canon("where not ( protocol == tcp or protocol == "
				  "udp ) or packets < 1 and bytes > 1"),
			    "where (not (protocol == tcp or protocol == udp) "
			    "or (packets < 1 and bytes > 1))");
	assert_string_equal(canon("where (packets>1) sort bytes desc limit 3 "
				  "fields src_ip,packets"),
			    "where packets > 1 sort bytes desc limit 3 fields "
			    "src_ip,packets");
	assert_string_equal(canon("where name~\"a\\x20b\" where name=\"\""),
			    "where (name ~ \"a b\" and name == \"\")");
	(void)state;
}

static void test_glued(void **state)
{
	records();
	assert_int_equal(sel("where packets>10"), R0 | R2);
	assert_int_equal(sel("where packets>=100 and bytes<10000"), R2);
	assert_int_equal(sel("where (protocol==tcp)"), R0);
	assert_int_equal(sel("where (protocol==tcp or protocol==udp)"),
			 R0 | R1);
	assert_int_equal(sel("where not(protocol==tcp)"), R1 | R2);
	assert_int_equal(sel("where !(protocol==tcp)"), R1 | R2);
	assert_int_equal(sel("where packets>10&&protocol==tcp"), R0);
	assert_int_equal(sel("where packets<10||protocol==icmp"), R1 | R2);
	assert_int_equal(sel("where src_ip~10.0.0.0/8"), R0 | R1);
	assert_int_equal(sel("where src_ip!~10.0.0.0/8"), R2);
	assert_int_equal(sel("where packets!=100"), R1);
	/* a whole expression in one word */
	assert_int_equal(sel_argv(2, "where",
				  "protocol == tcp or packets < 10"), R0 | R1);
	assert_int_equal(sel_argv(2, "where",
				  " (protocol == icmp) and (bytes > 1) "), R2);
	/* several where clauses are and-ed */
	assert_int_equal(sel("where packets == 100 where protocol == icmp"),
			 R2);
	(void)state;
}

/* Sort indexes of the three flows with q. */
static struct query *sort_q;
static int cmp_idx(const void *a, const void *b)
{
	int i = *(const int *)a, j = *(const int *)b;

	return query_cmp(sort_q, &K[i], &V[i], &K[j], &V[j]);
}

static void order(const char *line, int a, int b, int c)
{
	int idx[3] = { 2, 1, 0 };

	sort_q = parse(line);
	assert_true(query_has_sort(sort_q));
	qsort(idx, 3, sizeof(int), cmp_idx);
	if (idx[0] != a || idx[1] != b || idx[2] != c)
		fail_msg("%s: got %d %d %d, want %d %d %d", line, idx[0],
			 idx[1], idx[2], a, b, c);
	/* a total order: antisymmetric, reflexive zero */
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			int x = query_cmp(sort_q, &K[i], &V[i], &K[j], &V[j]);
			int y = query_cmp(sort_q, &K[j], &V[j], &K[i], &V[i]);

			assert_int_equal(x > 0, y < 0);
			assert_int_equal(x == 0, i == j);
		}
	query_free(sort_q);
}

static void test_sort(void **state)
{
	records();
	order("sort packets", 1, 0, 2);		/* tie 0/2: key order */
	order("sort packets asc", 1, 0, 2);
	order("sort packets desc", 0, 2, 1);
	order("sort packets desc, bytes", 2, 0, 1);
	order("sort packets desc bytes desc", 0, 2, 1);
	order("sort packets desc,bytes asc", 2, 0, 1);
	order("sort packets desc sort bytes", 2, 0, 1);
	order("sort name", 1, 2, 0);		/* strcmp */
	order("sort name desc", 0, 2, 1);
	order("sort src_ip desc", 2, 1, 0);	/* numeric address order */
	order("sort dst_ip", 1, 2, 0);
	order("sort action desc, delta", 2, 1, 0);
	order("sort protocol", 2, 0, 1);	/* icmp 1, tcp 6, udp 17 */
	order("sort ratio", 2, 0, 1);		/* NaN first */
	order("sort ratio desc", 1, 0, 2);
	order("sort key desc", 2, 1, 0);
	order("sort value.packets desc key.dst_ip", 2, 0, 1);
	(void)state;
}

static void test_sort_keys(void **state)
{
	struct query *q = parse("sort key");

	assert_int_equal(query_nsort(q), 5);	/* pad skipped */
	assert_string_equal(query_sort_field(q, 0)->name, "src_ip");
	assert_string_equal(query_sort_field(q, 4)->name, "protocol");
	assert_true(query_sort_field(q, 4)->in_key);
	assert_false(query_sort_desc(q, 0));
	assert_null(query_sort_field(q, 5));
	query_free(q);

	q = parse("sort inner desc, packets");
	assert_int_equal(query_nsort(q), 3);
	assert_string_equal(query_sort_field(q, 1)->name, "inner.b");
	assert_true(query_sort_desc(q, 1));
	assert_false(query_sort_desc(q, 2));
	assert_false(query_has_rate_sort(q));
	query_free(q);
	(void)state;
}

/* Rates for the test: bytes/s of flow i is 10 * i. */
static double fake_rate(void *ctx, const struct tv_leaf *leaf, bool in_key,
			const void *k, const void *v)
{
	int *calls = ctx;

	(*calls)++;
	assert_false(in_key);
	assert_string_equal(leaf->name, "bytes");
	return 10.0 * (double)((const struct fval *)v - V);
}

static void test_rate_sort(void **state)
{
	struct query *q;
	int calls = 0;

	records();
	q = parse("sort bytes/s desc, packets");
	assert_int_equal(query_nsort(q), 2);
	assert_true(query_sort_is_rate(q, 0));
	assert_false(query_sort_is_rate(q, 1));
	assert_true(query_sort_desc(q, 0));
	assert_true(query_has_rate_sort(q));
	/* with rates: flow 2 (20/s) first */
	assert_true(query_cmp_ex(q, &K[2], &V[2], &K[0], &V[0], fake_rate,
				 &calls) < 0);
	assert_true(query_cmp_ex(q, &K[0], &V[0], &K[1], &V[1], fake_rate,
				 &calls) > 0);
	assert_int_equal(calls, 4);
	/* without: the current value (15000 > 9000) */
	assert_true(query_cmp(q, &K[0], &V[0], &K[2], &V[2]) < 0);
	assert_string_equal(canon("sort bytes/s desc packets"),
			    "sort bytes/s desc, packets asc");
	query_free(q);
	(void)state;
}

static void test_limit(void **state)
{
	struct query *q = parse("limit 10");

	assert_int_equal(query_limit(q), 10);
	assert_false(query_has_sort(q));
	assert_false(query_has_where(q));
	assert_true(query_match(q, &K[0], &V[0]));
	query_free(q);
	q = parse("limit 0");
	assert_int_equal(query_limit(q), 0);
	query_free(q);
	q = parse("where packets > 1 limit 9223372036854775807 sort bytes");
	assert_int_equal(query_limit(q), 9223372036854775807LL);
	query_free(q);
	q = parse("sort bytes");
	assert_int_equal(query_limit(q), -1);
	query_free(q);
	(void)state;
}

static void check_field(const struct query *q, int i, const char *name,
			bool in_key)
{
	const struct query_field *f = query_field(q, i);

	assert_non_null(f);
	assert_string_equal(f->name, name);
	assert_int_equal(f->in_key, in_key);
	assert_non_null(f->leaf);
}

static void test_fields(void **state)
{
	struct query *q = parse("fields src_ip,packets");

	assert_int_equal(query_nfields(q), 2);
	check_field(q, 0, "src_ip", true);
	check_field(q, 1, "packets", false);
	assert_string_equal(query_field(q, 0)->leaf->name, "src_ip");
	assert_null(query_field(q, 2));
	query_free(q);

	/* commas and/or words, repeated clause appends, duplicates once */
	q = parse("fields src_ip, packets name fields name ,bytes");
	assert_int_equal(query_nfields(q), 4);
	check_field(q, 2, "name", false);
	check_field(q, 3, "bytes", false);
	query_free(q);

	/* structs expand to their leaves; case-insensitive names */
	q = parse("fields inner,key,PACKETS");
	assert_int_equal(query_nfields(q), 8);
	check_field(q, 0, "inner.a", false);
	check_field(q, 1, "inner.b", false);
	check_field(q, 2, "src_ip", true);
	check_field(q, 6, "protocol", true);
	check_field(q, 7, "packets", false);
	query_free(q);

	/* padding only when asked for */
	q = parse("fields value.pad,key.src_ip");
	check_field(q, 0, "value.pad", false);	/* pad exists on both sides */
	check_field(q, 1, "src_ip", true);
	query_free(q);
	(void)state;
}

static void test_disambiguation(void **state)
{
	struct dval d = { 0 };
	struct query *q;
	int used;

	records();
	set_ip(&d.src_ip, "172.16.0.1");
	q = parse_kv(kp, dp, "where key.src_ip ~ 10.0.0.0/8 and "
			     "value.src_ip == 172.16.0.1 fields key.src_ip,"
			     "value.src_ip,hits sort value.src_ip");
	assert_true(query_match(q, &K[0], &d));
	assert_false(query_match(q, &K[2], &d));
	assert_int_equal(query_nfields(q), 3);
	check_field(q, 0, "key.src_ip", true);	/* canonical: qualified */
	check_field(q, 1, "value.src_ip", false);
	check_field(q, 2, "hits", false);
	query_free(q);
	assert_string_equal(parse_err_kv(kp, dp, "where src_ip == 1.2.3.4",
					 &used),
			    "where: 'src_ip' is in both the key and the value "
			    "(write key.src_ip or value.src_ip)");
	assert_int_equal(used, 1);
	(void)state;
}

static void test_scalar_and_keyless(void **state)
{
	uint32_t k[2] = { 3, 7 };
	struct query *q;
	int used;

	records();
	/* scalar key is `key` */
	q = parse_kv(u32p, vp, "where key >= 5 and packets > 1 fields key,"
			       "packets sort key desc");
	assert_false(query_match(q, &k[0], &V[0]));
	assert_true(query_match(q, &k[1], &V[0]));
	check_field(q, 0, "key", true);
	assert_true(query_cmp(q, &k[1], &V[0], &k[0], &V[0]) < 0);
	query_free(q);
	/* scalar value */
	q = parse_kv(kp, u32p, "where value == 7");
	assert_true(query_match(q, &K[0], &k[1]));
	assert_false(query_match(q, &K[0], &k[0]));
	query_free(q);
	/* no key (queue/stack): value fields only, NULL key pointers */
	q = parse_kv(NULL, vp, "where packets == 5 sort name");
	assert_true(query_match(q, NULL, &V[1]));
	assert_false(query_match(q, NULL, &V[0]));
	assert_true(query_cmp(q, NULL, &V[1], NULL, &V[0]) < 0);
	assert_true(query_cmp(q, NULL, &V[0], NULL, &V[0]) == 0);
	query_free(q);
	/* value fields of a keyless map: ties broken by value */
	q = parse_kv(NULL, vp, "sort packets");
	assert_true(query_cmp(q, NULL, &V[2], NULL, &V[0]) < 0);
	query_free(q);
	assert_string_equal(parse_err_kv(NULL, vp, "where key == 1", &used),
			    "where: 'key': the map has no key");
	assert_string_equal(parse_err_kv(NULL, vp, "where key.x == 1", &used),
			    "where: 'key.x': the map has no key");
	assert_string_equal(parse_err_kv(u32p, vp, "where pakets > 1", &used),
			    "where: 'pakets' is not a field of the key (__u32) "
			    "or struct flow_val (did you mean 'packets'?)");
	assert_string_equal(parse_err_kv(u32p, vp, "where kye > 1", &used),
			    "where: 'kye' is not a field of the key (__u32) "
			    "or struct flow_val (did you mean 'key'?)");
	(void)state;
}

static void test_consumed(void **state)
{
	struct strbuf err = STRBUF_INIT;
	char *argv[] = { "where", "packets", ">", "1", "-j", "x" };
	char *argv2[] = { "sort", "packets", "--", "limit" };
	struct query *q;
	int used;

	assert_int_equal(query_parse(kp, vp, 6, argv, &used, &q, &err), 0);
	assert_int_equal(used, 4);
	assert_non_null(q);
	query_free(q);
	assert_int_equal(query_parse(kp, vp, 4, argv2, &used, &q, &err), 0);
	assert_int_equal(used, 2);
	assert_int_equal(query_nsort(q), 1);
	query_free(q);
	assert_int_equal(query_parse(kp, vp, 4, argv2, NULL, &q, &err), 0);
	query_free(q);
	{
		char *one[] = { "where packets > 1" };

		assert_int_equal(query_parse(kp, vp, 1, one, &used, &q, &err),
				 -1);
		assert_string_equal(sb_str(&err), "unexpected 'where packets > "
				    "1' (where must be a word of its own: "
				    "where '...')");
		sb_reset(&err);
	}
	assert_true(query_is_keyword("SORT"));
	assert_false(query_is_keyword("sorted"));
	sb_free(&err);
	(void)state;
}

#define OPS "(== != < <= > >= ~, or eq ne lt le gt ge)"
#define SHELL_HINT "; a shell takes an unquoted > or < as a redirection: " \
	"quote the expression (where 'packets > N') or write packets gt N"

/* Bad input -> exact message and the index of the offending word. */
static const struct {
	const char *line;
	const char *msg;
	int word;
} bad[] = {
	{ "where srcip == 10.0.0.1",
	  "where: 'srcip' is not a field of struct flow_key or struct "
	  "flow_val (did you mean 'src_ip'?)", 1 },
	{ "where key.srcip == 10.0.0.1",
	  "where: 'key.srcip' is not a field of struct flow_key (did you mean "
	  "'key.src_ip'?)", 1 },
	{ "where packets foo",
	  "where: expected an operator " OPS " after 'packets', "
	  "got 'foo'", 2 },
	{ "where packets",
	  "where: expected an operator " OPS " after 'packets'" SHELL_HINT,
	  2 },
	{ "where dst_ip == 10.0.0.256",
	  "where: dst_ip == 10.0.0.256: not an IPv4 address", 3 },
	{ "where dst_ip == 10.0.0.0/8",
	  "where: dst_ip == 10.0.0.0/8: not an IPv4 address (use ~ for a "
	  "prefix match)", 3 },
	{ "where dst_ip ~ 10.0.0.0/33",
	  "where: dst_ip ~ 10.0.0.0/33: prefix length out of range (0..32)", 3 },
	{ "where dst_ip ~ 10.0.0/8",
	  "where: dst_ip ~ 10.0.0/8: not an IPv4 prefix (expected "
	  "ADDRESS/LENGTH)", 3 },
	{ "where dst_port == 70000",
	  "where: dst_port == 70000: out of range for __u16 (0..65535)", 3 },
	{ "where ( packets > 1",
	  "where: missing ')'", 5 },
	{ "where (packets > 1 limit 3",
	  "where: missing ')'", 4 },
	{ "where packets > 1 )",
	  "where: unexpected ')'", 4 },
	{ "where (packets > 1))",
	  "where: unexpected ')'", 3 },
	{ "where",
	  "where: expected a condition (FIELD OP VALUE)", 1 },
	{ "where sort packets",
	  "where: expected a condition, got 'sort'", 1 },
	{ "where packets > 1 and",
	  "where: expected a condition after 'and'", 5 },
	{ "where not",
	  "where: expected a condition after 'not'", 2 },
	{ "where ( )",
	  "where: expected a condition after '(', got ')'", 2 },
	{ "where == 5",
	  "where: expected a condition (FIELD OP VALUE), got '=='", 1 },
	{ "where packets >",
	  "where: expected a value after 'packets >'", 3 },
	{ "where packets >> 5",
	  "where: expected a value after 'packets >', got '>'", 2 },
	{ "where packets > 1 bytes > 2",
	  "where: expected 'and' or 'or' before 'bytes'", 4 },
	{ "where (packets > 1 bytes > 2)",
	  "where: expected 'and', 'or' or ')' before 'bytes'", 4 },
	{ "where packets > 1 srot bytes",
	  "unexpected 'srot' (did you mean 'sort'?)", 4 },
	{ "where name < abc",
	  "where: '<' needs a number or address field; 'name' is a string", 2 },
	{ "where hist >= 1",
	  "where: '>=' needs a number or address field; 'hist' is an array",
	  2 },
	{ "where packets == abc",
	  "where: packets == abc: expected an integer for __u64 "
	  "(0..18446744073709551615)", 3 },
	{ "where action == maybe",
	  "where: action == maybe: enum fw_action has no value 'maybe' "
	  "(expected FW_ALLOW, FW_DROP, FW_REJECT, or a number)", 3 },
	{ "where packets/s > 5",
	  "where: 'packets/s': a rate can only be sorted on (sort packets/s "
	  "desc)", 1 },
	{ "where inner == 1",
	  "where: 'inner' is a struct, not a single value; name one of its "
	  "fields (inner.*)", 1 },
	{ "where key == 1",
	  "where: 'key' is struct flow_key, not a single value; name one of "
	  "its fields (key.src_ip)", 1 },
	{ "where pad == 1",
	  "where: 'pad' is in both the key and the value (write key.pad or "
	  "value.pad)", 1 },
	{ "where name == \"abc",
	  "where: name == \"abc: missing closing \"", 3 },
	{ "limit x",
	  "limit: 'x' is not a number (expected a count >= 0)", 1 },
	{ "limit -1",
	  "limit: '-1' is not a number (expected a count >= 0)", 1 },
	{ "limit",
	  "limit: expected a count >= 0", 1 },
	{ "limit sort",
	  "limit: expected a count >= 0, got 'sort'", 1 },
	{ "limit 99999999999999999999",
	  "limit: '99999999999999999999' is too large", 1 },
	{ "limit 5 limit 6",
	  "limit: given twice", 2 },
	{ "sort packets up",
	  "sort: expected asc or desc, got 'up'", 2 },
	{ "sort packets dsec",
	  "sort: expected asc or desc, got 'dsec' (did you mean 'desc'?)", 2 },
	{ "sort packets bytse",
	  "sort: 'bytse' is not a field of struct flow_key or struct flow_val "
	  "(did you mean 'bytes'?)", 2 },
	{ "sort desc",
	  "sort: expected a field, got 'desc'", 1 },
	{ "sort packets desc asc",
	  "sort: expected a field, got 'asc'", 3 },
	{ "sort",
	  "sort: expected a field", 1 },
	{ "sort limit 5",
	  "sort: expected a field, got 'limit'", 1 },
	{ "sort name/s",
	  "sort: 'name/s': a rate needs a number field; 'name' is a string",
	  1 },
	{ "fields",
	  "fields: expected a field list (a,b,...)", 1 },
	{ "fields src_ip,nmae",
	  "fields: 'nmae' is not a field of struct flow_key or struct flow_val "
	  "(did you mean 'name'?)", 1 },
	{ "fields packets/s",
	  "fields: 'packets/s': a rate can only be sorted on", 1 },
	{ "fields value.",
	  "fields: 'value.': expected a field name after 'value.'", 1 },
	{ "packets > 5",
	  "unexpected 'packets' (expected where, sort, limit or fields)", 0 },
	{ "where pa\001ckets == 1",	/* printable whatever the input */
	  "where: 'pa\\x01ckets' is not a field of struct flow_key or struct "
	  "flow_val (did you mean 'packets'?)", 1 },
	{ "limit 5\n6",
	  "limit: '5\\n6' is not a number (expected a count >= 0)", 1 },
	{ "where packets > 1 or name == ping probe",
	  "where: expected 'and' or 'or' before 'probe'", 8 },
	{ "where packets gtx 5",
	  "where: expected an operator " OPS " after 'packets', got 'gtx'", 2 },
	{ "where packets and bytes gt 1",
	  "where: expected an operator " OPS " after 'packets', got 'and'"
	  SHELL_HINT, 2 },
	{ "limit 5 wehre packets > 5",
	  "unexpected 'wehre' (did you mean 'where'?)", 2 },
};

static void test_errors(void **state)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int used = -2;
		const char *msg = parse_err_kv(kp, vp, bad[i].line, &used);

		if (strcmp(msg, bad[i].msg))
			fail_msg("'%s':\n got  %s\n want %s", bad[i].line, msg,
				 bad[i].msg);
		if (used != bad[i].word)
			fail_msg("'%s': error word %d, want %d", bad[i].line,
				 used, bad[i].word);
		assert_null(strchr(msg, '\n'));
	}
	(void)state;
}

static void test_depth(void **state)
{
	char line[1024] = "where ";
	struct strbuf err = STRBUF_INIT;
	struct query *q;
	char *argv[2] = { "where", line + 6 };

	/* QUERY_MAX_DEPTH parentheses are fine, one more is not */
	for (int i = 0; i < QUERY_MAX_DEPTH; i++)
		strcat(line, "(");
	strcat(line, "packets>1");
	for (int i = 0; i < QUERY_MAX_DEPTH; i++)
		strcat(line, ")");
	assert_int_equal(query_parse(kp, vp, 2, argv, NULL, &q, &err), 0);
	query_free(q);
	memmove(line + 7, line + 6, strlen(line + 6) + 1);
	line[6] = '!';
	assert_int_equal(query_parse(kp, vp, 2, argv, NULL, &q, &err), -1);
	assert_string_equal(sb_str(&err), "where: nested too deeply (more "
			    "than 64 parentheses and nots)");
	sb_free(&err);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_glued),
		cmocka_unit_test(test_sort),
		cmocka_unit_test(test_sort_keys),
		cmocka_unit_test(test_rate_sort),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_disambiguation),
		cmocka_unit_test(test_scalar_and_keyless),
		cmocka_unit_test(test_consumed),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_depth),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
