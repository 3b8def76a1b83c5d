// SPDX-License-Identifier: GPL-2.0
/* query_eval: running a compiled query (see query.h): the filter on every
 * entry, the sort comparator, accessors and the canonical printer. Nothing
 * here parses or allocates per entry. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAPSH_QUERY_PRIVATE
#include "query/query.h"
#include "tval/tval.h"

void q_node_free(struct q_node *n)
{
	if (!n)
		return;
	for (uint32_t i = 0; i < n->n; i++)
		q_node_free(n->kid[i]);
	free(n->kid);
	free(n->cval);
	if (n->m)
		tv_match_free(n->m);
	free(n->field);
	free(n->text);
	free(n);
}

void query_free(struct query *q)
{
	if (!q)
		return;
	q_node_free(q->where);
	free(q->sort);
	free(q->fields);
	for (int i = 0; i < q->nnames; i++)
		free(q->names[i]);
	free(q->names);
	free(q);
}

/* ---- comparisons ---- */

/* A total order on doubles: NaN below everything, then numeric order. */
static int dbl_cmp(double a, double b)
{
	bool na = isnan(a), nb = isnan(b);

	if (na || nb)
		return na == nb ? 0 : (na ? -1 : 1);
	return (a > b) - (a < b);
}

/* tv_leaf_cmp, made a total order for floats: it calls NaN equal to
 * everything; here NaN sorts below every number (and equals NaN). */
static int leaf_cmp(const struct tv_leaf *l, const void *a, const void *b)
{
	if (l->kind == TV_KIND_FLOAT && !l->bit_size &&
	    (l->elem_size == 4 || l->elem_size == 8)) {
		for (uint32_t i = 0; i < l->nelems; i++) {
			int c = dbl_cmp(tv_leaf_get_double(l, a, i),
					tv_leaf_get_double(l, b, i));

			if (c)
				return c;
		}
		return 0;
	}
	return tv_leaf_cmp(l, a, b);
}

/* ---- filter ---- */

static bool eval(const struct q_node *n, const void *k, const void *v)
{
	switch (n->type) {
	case QN_CMP: {
		const void *rec = n->in_key ? k : v;
		int c;

		if (!rec)
			return false;
		switch (n->op) {
		case Q_MATCH:
			return tv_match_test(n->m, rec);
		case Q_NMATCH:
			return !tv_match_test(n->m, rec);
		}
		if (n->leaf->kind == TV_KIND_FLOAT && n->leaf->nelems == 1 &&
		    !n->leaf->bit_size &&
		    (n->leaf->elem_size == 4 || n->leaf->elem_size == 8)) {
			/* IEEE: NaN is neither <, == nor > anything */
			double x = tv_leaf_get_double(n->leaf, rec, 0);
			double y = tv_leaf_get_double(n->leaf, n->cval, 0);

			switch (n->op) {
			case Q_EQ: return x == y;
			case Q_NE: return x != y;
			case Q_LT: return x < y;
			case Q_LE: return x <= y;
			case Q_GT: return x > y;
			case Q_GE: return x >= y;
			}
			return false;
		}
		c = tv_leaf_cmp(n->leaf, rec, n->cval);
		switch (n->op) {
		case Q_EQ: return c == 0;
		case Q_NE: return c != 0;
		case Q_LT: return c < 0;
		case Q_LE: return c <= 0;
		case Q_GT: return c > 0;
		case Q_GE: return c >= 0;
		}
		return false;
	}
	case QN_AND:
		for (uint32_t i = 0; i < n->n; i++)
			if (!eval(n->kid[i], k, v))
				return false;
		return true;
	case QN_OR:
		for (uint32_t i = 0; i < n->n; i++)
			if (eval(n->kid[i], k, v))
				return true;
		return false;
	case QN_NOT:
		return !eval(n->kid[0], k, v);
	}
	return false;
}

bool query_match(const struct query *q, const void *key, const void *value)
{
	if (!q || !q->where)
		return true;
	return eval(q->where, key, value);
}

bool query_has_where(const struct query *q)
{
	return q && q->where;
}

/* ---- sort ---- */

bool query_has_sort(const struct query *q)
{
	return q && q->nsort > 0;
}

int query_nsort(const struct query *q)
{
	return q ? q->nsort : 0;
}

const struct query_field *query_sort_field(const struct query *q, int i)
{
	if (!q || i < 0 || i >= q->nsort)
		return NULL;
	return &q->sort[i].f;
}

bool query_sort_desc(const struct query *q, int i)
{
	return q && i >= 0 && i < q->nsort && q->sort[i].desc;
}

bool query_sort_is_rate(const struct query *q, int i)
{
	return q && i >= 0 && i < q->nsort && q->sort[i].rate;
}

bool query_has_rate_sort(const struct query *q)
{
	return q && q->has_rate;
}

/* Records of one side may be NULL (no plan, or the caller has none):
 * NULL sorts first. */
static int null_cmp(const void *a, const void *b)
{
	return (a != NULL) - (b != NULL);
}

/* Ascending order of one side: leaf by leaf, then the raw bytes. */
static int rec_cmp(const struct tv_plan *plan, const void *a, const void *b)
{
	uint32_t n;

	if (!plan)
		return 0;
	if (!a || !b)
		return null_cmp(a, b);
	n = tv_plan_nleaves(plan);
	for (uint32_t i = 0; i < n; i++) {
		const struct tv_leaf *l = tv_plan_leaf(plan, i);
		int c;

		if (l->is_padding)
			continue;
		c = leaf_cmp(l, a, b);
		if (c)
			return c < 0 ? -1 : 1;
	}
	n = tv_plan_size(plan);
	if (n) {
		int c = memcmp(a, b, n);

		if (c)
			return c < 0 ? -1 : 1;
	}
	return 0;
}

int query_cmp_ex(const struct query *q, const void *ka, const void *va,
		 const void *kb, const void *vb,
		 double (*rate)(void *ctx, const struct tv_leaf *leaf,
				bool in_key, const void *k, const void *v),
		 void *ctx)
{
	int c;

	if (!q)
		return 0;
	for (int i = 0; i < q->nsort; i++) {
		const struct q_sort *s = &q->sort[i];
		const void *ra = s->f.in_key ? ka : va;
		const void *rb = s->f.in_key ? kb : vb;

		if (s->rate && rate)
			c = dbl_cmp(rate(ctx, s->f.leaf, s->f.in_key, ka, va),
				    rate(ctx, s->f.leaf, s->f.in_key, kb, vb));
		else if (!ra || !rb)
			c = null_cmp(ra, rb);
		else
			c = leaf_cmp(s->f.leaf, ra, rb);
		if (c)
			return (c < 0) != s->desc ? -1 : 1;
	}
	if (q->kplan)
		return rec_cmp(q->kplan, ka, kb);
	return rec_cmp(q->vplan, va, vb);
}

int query_cmp(const struct query *q, const void *ka, const void *va,
	      const void *kb, const void *vb)
{
	return query_cmp_ex(q, ka, va, kb, vb, NULL, NULL);
}

/* ---- limit, fields ---- */

long long query_limit(const struct query *q)
{
	return q ? q->limit : -1;
}

int query_nfields(const struct query *q)
{
	return q ? q->nfields : 0;
}

const struct query_field *query_field(const struct query *q, int i)
{
	if (!q || i < 0 || i >= q->nfields)
		return NULL;
	return &q->fields[i];
}

/* ---- canonical form ---- */

static const char *const op_names[] = {
	[Q_EQ] = "==", [Q_NE] = "!=", [Q_LT] = "<", [Q_LE] = "<=",
	[Q_GT] = ">", [Q_GE] = ">=", [Q_MATCH] = "~", [Q_NMATCH] = "!~",
};

/* A value that would not lex back as one VALUE token is double-quoted
 * with C escapes. */
static void add_value(struct strbuf *sb, const char *s)
{
	bool plain = *s != '\0' && *s != '"' && *s != '\'' &&
		     !strchr("<>=!~", *s);

	for (const char *p = s; plain && *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '(' || *p == ')' ||
		    (unsigned char)*p >= 0x7f ||
		    ((*p == '&' || *p == '|') && p[1] == *p))
			plain = false;
	if (plain) {
		sb_adds(sb, s);
		return;
	}
	sb_addc(sb, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_addf(sb, "\\%c", *p);
		else if (*p < ' ' || *p >= 0x7f)
			sb_addf(sb, "\\x%02x", *p);
		else
			sb_addc(sb, (char)*p);
	}
	sb_addc(sb, '"');
}

static void format_node(const struct q_node *n, struct strbuf *sb)
{
	switch (n->type) {
	case QN_CMP:
		sb_adds(sb, n->field);
		sb_addc(sb, ' ');
		sb_adds(sb, op_names[n->op]);
		sb_addc(sb, ' ');
		add_value(sb, n->text);
		break;
	case QN_NOT:
		sb_adds(sb, "not ");
		format_node(n->kid[0], sb);
		break;
	case QN_AND:
	case QN_OR:
		sb_addc(sb, '(');
		for (uint32_t i = 0; i < n->n; i++) {
			if (i)
				sb_adds(sb, n->type == QN_AND ? " and " : " or ");
			format_node(n->kid[i], sb);
		}
		sb_addc(sb, ')');
		break;
	}
}

void query_format(const struct query *q, struct strbuf *sb)
{
	const char *sep = "";

	if (!q)
		return;
	if (q->where) {
		sb_adds(sb, "where ");
		format_node(q->where, sb);
		sep = " ";
	}
	if (q->nsort) {
		sb_adds(sb, sep);
		sb_adds(sb, "sort ");
		for (int i = 0; i < q->nsort; i++) {
			if (i)
				sb_adds(sb, ", ");
			sb_adds(sb, q->sort[i].f.name);
			if (q->sort[i].rate)
				sb_adds(sb, "/s");
			sb_adds(sb, q->sort[i].desc ? " desc" : " asc");
		}
		sep = " ";
	}
	if (q->limit >= 0) {
		sb_adds(sb, sep);
		sb_addf(sb, "limit %lld", q->limit);
		sep = " ";
	}
	if (q->nfields) {
		sb_adds(sb, sep);
		sb_adds(sb, "fields ");
		for (int i = 0; i < q->nfields; i++) {
			if (i)
				sb_addc(sb, ',');
			sb_adds(sb, q->fields[i].name);
		}
	}
}
