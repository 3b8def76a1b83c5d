/* SPDX-License-Identifier: GPL-2.0 */
/* query: the trailing words of `dump` (and later `watch`): a filter, sort
 * keys, a row limit and a column selection, typed by the map's key/value
 * plans (tval.h). Everything is compiled by query_parse(): field names are
 * resolved to leaves, constants are parsed into record-shaped buffers and
 * `~` patterns are compiled once, so query_match() costs a few leaf
 * comparisons per entry.
 *
 * Grammar (keywords are case-insensitive; clauses in any order):
 *
 *   where EXPR        repeatable; several where clauses are AND-ed
 *   sort KEY [asc|desc] {[,] KEY [asc|desc]}
 *                     repeatable (`sort a desc sort b` == `sort a desc, b`);
 *                     default asc
 *   limit N           N >= 0, decimal; at most once
 *   fields F {[,] F}  comma- and/or space-separated; repeatable (appends;
 *                     a field named twice is kept once)
 *
 *   EXPR  := OR
 *   OR    := AND { (or | ||) AND }
 *   AND   := NOT { (and | &&) NOT }
 *   NOT   := (not | !) NOT | '(' OR ')' | FIELD OP VALUE
 *   OP    := == | = | != | < | <= | > | >= | ~ | !~ | eq | ne | lt | le |
 *            gt | ge   (the words: any case, a word of their own, so that
 *            `where bytes gt 10000` needs no quoting in a shell)
 *
 * Precedence: comparison > not > and > or; parentheses group. Nesting
 * (parentheses and nots) is limited to QUERY_MAX_DEPTH.
 *
 * Words: the shell has already split the line. Operators and parentheses
 * may be separate words or glued to their operands (`packets>10`,
 * `(protocol==tcp)`, `not(a==1)`), and a whole expression may be one quoted
 * word (`where 'a == 1 and b ~ x'`). Inside a word, a FIELD ends at
 * whitespace, ( ) < > = ! ~, && or ||; a VALUE ends at whitespace, an
 * unbalanced ')', && or ||, so `name == a=b` and `ts > 2024-01-01T00:00:00Z`
 * need no quoting. A VALUE may be quoted inside a word ("a b" with C escapes,
 * or 'a b'); a VALUE that is a whole shell word containing whitespace
 * (`name == "a b"` typed at the shell) is taken verbatim, except for
 * trailing ')' that close open groups (`(a == 1 or name == 'a b')`).
 * Clause keywords must be words of their own (`where 'a == 1'`, not
 * `'where a == 1'`).
 *
 * FIELD: a leaf of the key or the value plan by its dotted name (a.b,
 * x[1].y; exact, then case-insensitive). `key.F` / `value.F` pick a side
 * (required when both have F). A scalar key or value is `key` / `value`.
 * In `fields` and `sort`, a struct (`key`, `value`, `inner`) stands for all
 * of its non-padding leaves in order. Elements of a scalar array cannot be
 * named (x[1] of `int x[4]`): compare the whole array (`x == 1,2,3,4`) or
 * use ~. Field names equal to a keyword
 * (where/sort/limit/fields) must be written key.F / value.F where a clause
 * could start.
 *
 * VALUE is parsed by the field's leaf (tv_leaf_parse: numbers, addresses,
 * protocol/enum/interface names, tcp flags, strings, ktime "now"/ISO, ...).
 * `~` / `!~` take a pattern instead (tv_match_new): ADDR/LEN or ADDR is a
 * prefix match on ipv4/ipv6 fields (a pattern with '/' must be a valid
 * prefix there), anything else a case-insensitive substring of the field's
 * text form (strings, protocol names, tcp flags, numbers, ...).
 *
 * Type rules: == != ~ !~ work on every field (== != compare with
 * tv_leaf_cmp, so on the full typed value). < <= > >= need a number (ints,
 * enums by value, bools, floats, pointers, ports, ktime, ifindex, counters,
 * tcp flags) or an address (ipv4, ipv6, mac: by numeric value); strings,
 * arrays and raw bytes are rejected (use ~ for strings). Sorting works on
 * every field (tv_leaf_cmp order: strings by strcmp, arrays element-wise).
 * Floats: filters follow IEEE (a NaN field only satisfies !=); sorting puts
 * NaN below every number so the order stays total.
 *
 * Aliases: = for ==, ! for not, && for and, || for or.
 *
 * Rates (for watch): a sort KEY may be FIELD/s (`sort packets/s desc`) on a
 * numeric field; the caller supplies rates through query_cmp_ex(). FIELD/s
 * is rejected in where and fields.
 *
 * Parsing is strict: every word must belong to a clause, except that a word
 * starting with '-' where a new clause could start ends the query (so a
 * caller may put options after it; *consumed tells where). Errors are one
 * line, no trailing newline, no "mapsh: " prefix, starting with the clause
 * ("where: ", "sort: ", "limit: ", "fields: "), naming the offending token
 * and what was expected, with "did you mean" hints for fields and keywords
 * (control characters of quoted words are escaped, as \n or \x01):
 *   where: 'srcip' is not a field of struct flow_key or struct flow_metrics (did you mean 'src_ip'?)
 *   where: expected an operator (== != < <= > >= ~, or eq ne lt le gt ge) after 'packets', got 'foo'
 *   where: dst_ip == 10.0.0.256: not an IPv4 address
 *   where: missing ')'
 *   where: '<' needs a number or address field; 'name' is a string
 *   limit: 'x' is not a number (expected a count >= 0)
 *   sort: expected asc or desc, got 'up'
 *   unexpected 'srot' (did you mean 'sort'?)
 */
#ifndef MAPSH_QUERY_H
#define MAPSH_QUERY_H

#include <stdbool.h>
#include "base/strbuf.h"

struct tv_plan;
struct tv_leaf;
struct query;

#define QUERY_MAX_DEPTH 64	/* nested parentheses + nots */

/* A resolved field: which record it lives in and its leaf. name is the
 * canonical column name: the leaf's name, "key"/"value" for a scalar root,
 * prefixed "key."/"value." when the name exists on both sides. */
struct query_field {
	bool in_key;
	const struct tv_leaf *leaf;
	const char *name;
};

/* Parse argv[0..argc) (the words after the map). Either plan may be NULL
 * (maps without a key or without a value); the plans (and the BTF they
 * were built from) must outlive the query. err is appended to. On success returns 0, *out is the query (NULL when argc is 0 or
 * argv[0] starts with '-': no clause at all) and *consumed the number of
 * words used (argc unless a '-' word ended the query). On error returns -1,
 * *out is NULL, err holds the message and *consumed is the index of the
 * word where the error was found. consumed may be NULL. */
int query_parse(const struct tv_plan *key, const struct tv_plan *value,
		int argc, char **argv, int *consumed, struct query **out,
		struct strbuf *err);
/* The same; cmd ("mapsh flows dump") is shown in the hint given when the
 * words end where an operator should come (a shell redirection took `>`). */
int query_parse_in(const char *cmd, const struct tv_plan *key,
		   const struct tv_plan *value, int argc, char **argv,
		   int *consumed, struct query **out, struct strbuf *err);
void query_free(struct query *q);

/* Whether word starts a clause (where, sort, limit, fields; any case). */
bool query_is_keyword(const char *word);

/* ---- filter ---- */
/* Does the entry pass the where clauses? true for a NULL q or no where.
 * A NULL key/value (side without a plan) fails comparisons on that side. */
bool query_match(const struct query *q, const void *key, const void *value);
bool query_has_where(const struct query *q);

/* ---- sort ---- */
bool query_has_sort(const struct query *q);
/* <0, 0, >0: a total order. Sort keys first (tv_leaf_cmp, desc reversed),
 * then ties are broken in ascending key order (leaf by leaf, then the key
 * bytes; for keyless maps the value's), so 0 means identical keys (or
 * values). Rate keys compare the field's current value here. NULL q: 0. */
int query_cmp(const struct query *q, const void *ka, const void *va,
	      const void *kb, const void *vb);
/* The same with rate keys (FIELD/s) ordered by rate(ctx, leaf, in_key,
 * k, v) of each entry; NaN sorts below every number. rate may be NULL
 * (then like query_cmp). */
int query_cmp_ex(const struct query *q, const void *ka, const void *va,
		 const void *kb, const void *vb,
		 double (*rate)(void *ctx, const struct tv_leaf *leaf,
				bool in_key, const void *k, const void *v),
		 void *ctx);
/* Sort keys in priority order; `sort key` etc. expand to several keys. */
int query_nsort(const struct query *q);
const struct query_field *query_sort_field(const struct query *q, int i);
bool query_sort_desc(const struct query *q, int i);
bool query_sort_is_rate(const struct query *q, int i);
bool query_has_rate_sort(const struct query *q);

/* ---- limit ---- */
long long query_limit(const struct query *q);	/* -1 = none */

/* ---- fields ---- */
int query_nfields(const struct query *q);	/* 0 = all */
const struct query_field *query_field(const struct query *q, int i);

/* ---- debugging / display ---- */
/* The query in canonical form, e.g.
 *   where (protocol == tcp and (a == 1 or not b ~ x)) sort packets desc limit 5 fields src_ip,dst_ip
 * Every and/or/not group of the where expression is parenthesized, which
 * shows how it was grouped. Appends nothing for a NULL q. */
void query_format(const struct query *q, struct strbuf *sb);

/* ---- private: shared by query_parse.c and query_eval.c ---- */
#ifdef MAPSH_QUERY_PRIVATE
#include <stdint.h>

enum q_op { Q_EQ, Q_NE, Q_LT, Q_LE, Q_GT, Q_GE, Q_MATCH, Q_NMATCH };
enum q_type { QN_CMP, QN_AND, QN_OR, QN_NOT };

struct q_node {
	uint8_t type;		/* enum q_type */
	uint8_t op;		/* QN_CMP: enum q_op */
	bool in_key;
	const struct tv_leaf *leaf;
	uint8_t *cval;		/* record-sized, the constant at leaf's place */
	struct tv_match *m;	/* ~ and !~ */
	char *field;		/* as written (canonical), for query_format */
	char *text;		/* the value as written (decoded) */
	uint32_t n;		/* AND/OR/NOT: children */
	struct q_node **kid;
};

struct q_sort {
	struct query_field f;
	bool desc;
	bool rate;
};

struct query {
	const struct tv_plan *kplan, *vplan;
	struct q_node *where;	/* NULL: no filter */
	struct q_sort *sort;
	int nsort;
	struct query_field *fields;
	int nfields;
	long long limit;
	bool has_rate;
	char **names;		/* owned strings the fields/sorts point to */
	int nnames;
};

void q_node_free(struct q_node *n);
#endif

#endif
