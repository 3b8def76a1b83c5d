// SPDX-License-Identifier: GPL-2.0
/* The query parser's lexer, messages and field resolution (parse_int.h):
 * a small lexer walks the shell words character by character, so
 * operators and parentheses may be glued to their operands or the whole
 * expression may be one word; field names are resolved against the
 * key/value plans. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "query/parse_int.h"
#include "tval/netfmt.h"
#include "base/suggest.h"

void *qp_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *qp_xstrndup(const char *s, size_t n)
{
	char *r = qp_xrealloc(NULL, n + 1);

	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

static void fvec_push(struct fvec *fv, const struct query_field *f)
{
	if (fv->n == fv->cap) {
		fv->cap = fv->cap ? fv->cap * 2 : 8;
		fv->v = qp_xrealloc(fv->v, (size_t)fv->cap * sizeof(*fv->v));
	}
	fv->v[fv->n++] = *f;
}

/* ------------------------------------------------------------- messages */

/* "<clause>: <message>"; remembers the word the error was found in. The
 * message quotes user words: control characters are escaped (\n, \x01)
 * so it stays one line. */
int qp_fail(struct qp *p, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	p->err_word = p->w < p->argc ? p->w : p->argc;
	if (p->clause)
		sb_addf(p->err, "%s: ", p->clause);
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < sb.len; i++) {
		unsigned char c = (unsigned char)sb.buf[i];

		if (c == '\n')
			sb_adds(p->err, "\\n");
		else if (c == '\t')
			sb_adds(p->err, "\\t");
		else if (c < ' ' || c == 0x7f)
			sb_addf(p->err, "\\x%02x", c);
		else
			sb_addc(p->err, (char)c);
	}
	sb_free(&sb);
	return -1;
}

bool qp_is_keyword(const char *s)
{
	for (size_t i = 0; query_clause_words[i]; i++)
		if (!strcasecmp(s, query_clause_words[i]))
			return true;
	return false;
}

bool query_is_keyword(const char *word)
{
	return word && qp_is_keyword(word);
}

/* The keyword a typo is closest to, or NULL. */
const char *qp_keyword_suggest(const char *s)
{
	struct sg_best b;

	sg_init(&b, s);
	for (size_t i = 0; query_clause_words[i]; i++)
		sg_offer(&b, query_clause_words[i]);
	return b.best;
}

/* ---------------------------------------------------------------- lexer */

bool qp_is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Skip whitespace, moving to the next word when this one is used up.
 * Returns the current position or NULL at the end of the words. */
const char *qp_lx_cur(struct qp *p)
{
	while (p->w < p->argc) {
		const char *s = p->argv[p->w];

		while (s[p->c] && qp_is_ws(s[p->c]))
			p->c++;
		if (s[p->c])
			return s + p->c;
		p->w++;
		p->c = 0;
	}
	return NULL;
}

/* Is the current position the first non-blank character of its word? */
bool qp_lx_fresh(const struct qp *p)
{
	for (size_t i = 0; i < p->c; i++)
		if (!qp_is_ws(p->argv[p->w][i]))
			return false;
	return true;
}

/* Is only blank left in the word after n more characters? */
bool qp_lx_word_ends(const struct qp *p, size_t n)
{
	for (const char *s = p->argv[p->w] + p->c + n; *s; s++)
		if (!qp_is_ws(*s))
			return false;
	return true;
}

bool qp_is_andor(const char *s)
{
	return (s[0] == '&' && s[1] == '&') || (s[0] == '|' && s[1] == '|');
}

/* A FIELD (or keyword) run: up to whitespace, ( ) < > = ! ~, && or ||. */
size_t qp_field_run(const char *s)
{
	size_t n = 0;

	while (s[n] && !qp_is_ws(s[n]) && !strchr("()<>=!~", s[n]) &&
	       !qp_is_andor(s + n))
		n++;
	return n;
}

/* A bare VALUE run: up to whitespace, an unbalanced ')', && or ||. */
size_t qp_value_run(const char *s)
{
	size_t n = 0;
	int par = 0;

	for (; s[n] && !qp_is_ws(s[n]) && !qp_is_andor(s + n); n++) {
		if (s[n] == '(')
			par++;
		else if (s[n] == ')' && par-- == 0)
			break;
	}
	return n;
}

/* Comparison operator at s: its length (0: none) and *op. */
size_t qp_op_len(const char *s, int *op)
{
	for (const struct query_op_word *o = query_op_words; o->text; o++) {
		size_t n = strlen(o->text);

		/* a word operator ends at a blank or the word's end
		 * (`bytes gtx` is not `bytes gt x`) */
		if (o->word && (strncasecmp(s, o->text, n) ||
				(s[n] && !qp_is_ws(s[n]))))
			continue;
		if (!strncmp(s, o->text, n) || o->word) {
			*op = o->op;
			return n;
		}
	}
	return 0;
}

/* The next token as text, for "got 'x'" in messages (caller frees). */
char *qp_tok_text(const char *s)
{
	size_t n = qp_field_run(s);
	int op;

	if (n)
		return qp_xstrndup(s, n);
	if (qp_is_andor(s))
		return qp_xstrndup(s, 2);
	if ((n = qp_op_len(s, &op)))
		return qp_xstrndup(s, n);
	return qp_xstrndup(s, 1);
}

bool qp_word_is(const char *s, size_t n, const char *kw)
{
	return strlen(kw) == n && !strncasecmp(s, kw, n);
}

/* A word that starts no clause where one could start. */
int qp_fail_unexpected(struct qp *p, const char *word)
{
	const char *kw = qp_keyword_suggest(word);
	size_t n;

	p->clause = NULL;
	n = qp_field_run(word);
	if (word[n] && qp_is_ws(word[n]))
		for (size_t i = 0; query_clause_words[i]; i++)
			if (qp_word_is(word, n, query_clause_words[i]))
				return qp_fail(p, "unexpected '%s' (%s must be a "
					    "word of its own: %s '...')", word,
					    query_clause_words[i], query_clause_words[i]);
	if (kw)
		return qp_fail(p, "unexpected '%s' (did you mean '%s'?)", word,
			    kw);
	return qp_fail(p, "unexpected '%s' (expected where, sort, limit or "
		    "fields)", word);
}

/* ------------------------------------------------------ field resolution */

static const char *add_name(struct query *q, char *s)
{
	q->names = qp_xrealloc(q->names, (size_t)(q->nnames + 1) *
				      sizeof(*q->names));
	q->names[q->nnames++] = s;
	return s;
}

const struct tv_plan *qp_side_plan(const struct qp *p, bool in_key)
{
	return in_key ? p->kp : p->vp;
}

/* The column name of a leaf: its name, "key"/"value" for a scalar root,
 * "key."/"value." prefixed when the bare name would be ambiguous. */
static const char *canon_name(struct qp *p, bool in_key,
			      const struct tv_leaf *l)
{
	const struct tv_plan *other = qp_side_plan(p, !in_key);
	const char *side = in_key ? "key" : "value";
	char *s;

	if (!l->name[0])
		return side;
	if ((other && tv_find_leaf(other, l->name, NULL) &&
	     !strcmp(tv_find_leaf(other, l->name, NULL)->name, l->name)) ||
	    !strcasecmp(l->name, "key") || !strcasecmp(l->name, "value")) {
		size_t n = strlen(side) + 1 + strlen(l->name) + 1;

		s = qp_xrealloc(NULL, n);
		snprintf(s, n, "%s.%s", side, l->name);
		return add_name(p->q, s);
	}
	return l->name;
}

static void push_leaf(struct qp *p, struct fvec *out, bool in_key,
		      const struct tv_leaf *l)
{
	struct query_field f = { in_key, l, canon_name(p, in_key, l) };

	fvec_push(out, &f);
}

/* Leaves under a struct path "a" (a.x, a[1].y) of one plan. */
static int push_prefixed(struct qp *p, struct fvec *out, bool in_key,
			 const char *prefix, bool dry)
{
	const struct tv_plan *plan = qp_side_plan(p, in_key);
	size_t n = strlen(prefix);
	int found = 0;

	if (!plan)
		return 0;
	for (uint32_t i = 0; i < tv_plan_nleaves(plan); i++) {
		const struct tv_leaf *l = tv_plan_leaf(plan, i);

		if (n && (strncmp(l->name, prefix, n) ||
			  (l->name[n] != '.' && l->name[n] != '[')))
			continue;
		if (l->is_padding)
			continue;
		found++;
		if (!dry)
			push_leaf(p, out, in_key, l);
	}
	return found;
}

/* "struct flow_key", "the key (__u32)" */
static void add_plan_desc(struct strbuf *sb, const struct tv_plan *plan,
			  bool in_key)
{
	if (tv_plan_is_scalar(plan))
		sb_addf(sb, "the %s (%s)", in_key ? "key" : "value",
			tv_plan_type_name(plan));
	else
		sb_adds(sb, tv_plan_type_name(plan));
}

static int fail_not_field(struct qp *p, const char *name, const char *rest,
			  bool sk, bool sv)
{
	struct strbuf sb = STRBUF_INIT;
	struct sg_best b;
	const char *s;
	bool any = false;

	sg_init(&b, rest);
	for (int side = 1; side >= 0; side--) {
		const struct tv_plan *plan = qp_side_plan(p, side);

		if (!plan || !(side ? sk : sv))
			continue;
		if (tv_plan_is_scalar(plan)) {
			if (rest == name)
				sg_offer(&b, side ? "key" : "value");
			continue;
		}
		tv_find_leaf(plan, rest, &s);
		sg_offer(&b, s);
	}
	sb_addf(&sb, "'%s' is not a field", name);
	for (int side = 1; side >= 0; side--) {
		const struct tv_plan *plan = qp_side_plan(p, side);

		if (!plan || !(side ? sk : sv))
			continue;
		sb_adds(&sb, any ? " or " : " of ");
		add_plan_desc(&sb, plan, side);
		any = true;
	}
	if (!any)
		sb_adds(&sb, " (the map has no key or value)");
	if (b.best)
		sb_addf(&sb, " (did you mean '%.*s%s'?)",
			(int)(rest - name), name, b.best);
	qp_fail(p, "%s", sb_str(&sb));
	sb_free(&sb);
	return -1;
}

/* Resolve a field name into out: one leaf, or with expand all leaves of
 * a struct ("key", "value", "inner"). Returns 0 or -1 (message set). */
int qp_resolve(struct qp *p, const char *name, bool expand,
		   struct fvec *out)
{
	bool sk = true, sv = true;
	const char *rest = name;
	const struct tv_leaf *lk = NULL, *lv = NULL;
	int nk, nv;

	if (!strncasecmp(name, "key.", 4)) {
		sv = false;
		rest = name + 4;
	} else if (!strncasecmp(name, "value.", 6)) {
		sk = false;
		rest = name + 6;
	}
	if ((!sk && !p->vp) || (!sv && !p->kp))
		return qp_fail(p, "'%s': the map has no %s", name,
			    sk ? "key" : "value");
	if (!*rest)
		return qp_fail(p, "'%s': expected a field name after '%.*s'",
			    name, (int)(rest - name), name);
	if (rest == name && (!strcasecmp(name, "key") ||
			     !strcasecmp(name, "value"))) {
		bool in_key = !strcasecmp(name, "key");
		const struct tv_plan *plan = qp_side_plan(p, in_key);

		if (plan && tv_plan_is_scalar(plan)) {
			push_leaf(p, out, in_key, tv_plan_leaf(plan, 0));
			return 0;
		}
		/* a field named key/value wins over the whole side */
		lk = p->kp ? tv_find_leaf(p->kp, name, NULL) : NULL;
		lv = p->vp ? tv_find_leaf(p->vp, name, NULL) : NULL;
		if (!lk && !lv) {
			if (!plan)
				return qp_fail(p, "'%s': the map has no %s", name,
					    name);
			if (expand) {
				push_prefixed(p, out, in_key, "", false);
				return 0;
			}
			return qp_fail(p, "'%s' is %s, not a single value; name "
				    "one of its fields (%s.%s)", name,
				    tv_plan_type_name(plan), name,
				    tv_plan_leaf(plan, 0)->name);
		}
	}
	if (sk && p->kp && !tv_plan_is_scalar(p->kp))
		lk = tv_find_leaf(p->kp, rest, NULL);
	if (sv && p->vp && !tv_plan_is_scalar(p->vp))
		lv = tv_find_leaf(p->vp, rest, NULL);
	if (lk && lv) {
		bool ek = !strcmp(lk->name, rest), ev = !strcmp(lv->name, rest);

		if (ek && !ev)
			lv = NULL;
		else if (ev && !ek)
			lk = NULL;
		else
			return qp_fail(p, "'%s' is in both the key and the value "
				    "(write key.%s or value.%s)", name,
				    lk->name, lv->name);
	}
	if (lk || lv) {
		push_leaf(p, out, lk != NULL, lk ? lk : lv);
		return 0;
	}
	/* a struct inside the key or value */
	nk = sk ? push_prefixed(p, out, true, rest, true) : 0;
	nv = sv ? push_prefixed(p, out, false, rest, true) : 0;
	if (nk && nv)
		return qp_fail(p, "'%s' is in both the key and the value (write "
			    "key.%s or value.%s)", name, rest, rest);
	if (nk || nv) {
		if (expand) {
			push_prefixed(p, out, nk > 0, rest, false);
			return 0;
		}
		return qp_fail(p, "'%s' is a struct, not a single value; name one "
			    "of its fields (%s.*)", name, name);
	}
	return fail_not_field(p, name, rest, sk, sv);
}
