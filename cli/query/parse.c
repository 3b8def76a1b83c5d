// SPDX-License-Identifier: GPL-2.0
/* query_parse: the words after `dump MAP` into a compiled query (grammar,
 * word rules and messages in query.h). A small lexer walks the shell words
 * character by character, so operators and parentheses may be glued to
 * their operands or the whole expression may be one word; field names are
 * resolved against the key/value plans and constants parsed by their leaf
 * once, here. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAPSH_QUERY_PRIVATE
#include "query/query.h"
#include "query/words.h"
#include "tval/netfmt.h"
#include "base/suggest.h"
#include "tval/tval.h"

#define OPS_LIST "(== != < <= > >= ~)"

#define keywords query_clause_words
#define NKEYWORDS QUERY_NCLAUSES

struct qp {
	const struct tv_plan *kp, *vp;
	int argc;
	char **argv;
	int w;			/* lexer: current word ... */
	size_t c;		/* ... and offset in it */
	struct query *q;
	struct strbuf *err;
	const char *clause;	/* "where", "sort", ...: message prefix */
	int depth;
	int err_word;
};

/* Dynamic array of resolved fields. */
struct fvec {
	struct query_field *v;
	int n, cap;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *r = xrealloc(NULL, n + 1);

	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

static void fvec_push(struct fvec *fv, const struct query_field *f)
{
	if (fv->n == fv->cap) {
		fv->cap = fv->cap ? fv->cap * 2 : 8;
		fv->v = xrealloc(fv->v, (size_t)fv->cap * sizeof(*fv->v));
	}
	fv->v[fv->n++] = *f;
}

/* ------------------------------------------------------------- messages */

static int fail(struct qp *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "<clause>: <message>"; remembers the word the error was found in. The
 * message quotes user words: control characters are escaped (\n, \x01)
 * so it stays one line. */
static int fail(struct qp *p, const char *fmt, ...)
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

static bool is_keyword(const char *s)
{
	for (size_t i = 0; i < NKEYWORDS; i++)
		if (!strcasecmp(s, keywords[i]))
			return true;
	return false;
}

bool query_is_keyword(const char *word)
{
	return word && is_keyword(word);
}

/* The keyword a typo is closest to, or NULL. */
static const char *keyword_suggest(const char *s)
{
	struct sg_best b;

	sg_init(&b, s);
	for (size_t i = 0; i < NKEYWORDS; i++)
		sg_offer(&b, keywords[i]);
	return b.best;
}

/* ---------------------------------------------------------------- lexer */

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Skip whitespace, moving to the next word when this one is used up.
 * Returns the current position or NULL at the end of the words. */
static const char *lx_cur(struct qp *p)
{
	while (p->w < p->argc) {
		const char *s = p->argv[p->w];

		while (s[p->c] && is_ws(s[p->c]))
			p->c++;
		if (s[p->c])
			return s + p->c;
		p->w++;
		p->c = 0;
	}
	return NULL;
}

/* Is the current position the first non-blank character of its word? */
static bool lx_fresh(const struct qp *p)
{
	for (size_t i = 0; i < p->c; i++)
		if (!is_ws(p->argv[p->w][i]))
			return false;
	return true;
}

/* Is only blank left in the word after n more characters? */
static bool lx_word_ends(const struct qp *p, size_t n)
{
	for (const char *s = p->argv[p->w] + p->c + n; *s; s++)
		if (!is_ws(*s))
			return false;
	return true;
}

static bool is_andor(const char *s)
{
	return (s[0] == '&' && s[1] == '&') || (s[0] == '|' && s[1] == '|');
}

/* A FIELD (or keyword) run: up to whitespace, ( ) < > = ! ~, && or ||. */
static size_t field_run(const char *s)
{
	size_t n = 0;

	while (s[n] && !is_ws(s[n]) && !strchr("()<>=!~", s[n]) &&
	       !is_andor(s + n))
		n++;
	return n;
}

/* A bare VALUE run: up to whitespace, an unbalanced ')', && or ||. */
static size_t value_run(const char *s)
{
	size_t n = 0;
	int par = 0;

	for (; s[n] && !is_ws(s[n]) && !is_andor(s + n); n++) {
		if (s[n] == '(')
			par++;
		else if (s[n] == ')' && par-- == 0)
			break;
	}
	return n;
}

/* Comparison operator at s: its length (0: none) and *op. */
static size_t op_len(const char *s, int *op)
{
	for (const struct query_op_word *o = query_op_words; o->text; o++) {
		size_t n = strlen(o->text);

		if (!strncmp(s, o->text, n)) {
			*op = o->op;
			return n;
		}
	}
	return 0;
}

/* The next token as text, for "got 'x'" in messages (caller frees). */
static char *tok_text(const char *s)
{
	size_t n = field_run(s);
	int op;

	if (n)
		return xstrndup(s, n);
	if (is_andor(s))
		return xstrndup(s, 2);
	if ((n = op_len(s, &op)))
		return xstrndup(s, n);
	return xstrndup(s, 1);
}

static bool word_is(const char *s, size_t n, const char *kw)
{
	return strlen(kw) == n && !strncasecmp(s, kw, n);
}

/* A word that starts no clause where one could start. */
static int fail_unexpected(struct qp *p, const char *word)
{
	const char *kw = keyword_suggest(word);
	size_t n;

	p->clause = NULL;
	n = field_run(word);
	if (word[n] && is_ws(word[n]))
		for (size_t i = 0; i < NKEYWORDS; i++)
			if (word_is(word, n, keywords[i]))
				return fail(p, "unexpected '%s' (%s must be a "
					    "word of its own: %s '...')", word,
					    keywords[i], keywords[i]);
	if (kw)
		return fail(p, "unexpected '%s' (did you mean '%s'?)", word,
			    kw);
	return fail(p, "unexpected '%s' (expected where, sort, limit or "
		    "fields)", word);
}

/* ------------------------------------------------------ field resolution */

static const char *add_name(struct query *q, char *s)
{
	q->names = xrealloc(q->names, (size_t)(q->nnames + 1) *
				      sizeof(*q->names));
	q->names[q->nnames++] = s;
	return s;
}

static const struct tv_plan *side_plan(const struct qp *p, bool in_key)
{
	return in_key ? p->kp : p->vp;
}

/* The column name of a leaf: its name, "key"/"value" for a scalar root,
 * "key."/"value." prefixed when the bare name would be ambiguous. */
static const char *canon_name(struct qp *p, bool in_key,
			      const struct tv_leaf *l)
{
	const struct tv_plan *other = side_plan(p, !in_key);
	const char *side = in_key ? "key" : "value";
	char *s;

	if (!l->name[0])
		return side;
	if ((other && tv_find_leaf(other, l->name, NULL) &&
	     !strcmp(tv_find_leaf(other, l->name, NULL)->name, l->name)) ||
	    !strcasecmp(l->name, "key") || !strcasecmp(l->name, "value")) {
		size_t n = strlen(side) + 1 + strlen(l->name) + 1;

		s = xrealloc(NULL, n);
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
	const struct tv_plan *plan = side_plan(p, in_key);
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
		const struct tv_plan *plan = side_plan(p, side);

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
		const struct tv_plan *plan = side_plan(p, side);

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
	fail(p, "%s", sb_str(&sb));
	sb_free(&sb);
	return -1;
}

/* Resolve a field name into out: one leaf, or with expand all leaves of
 * a struct ("key", "value", "inner"). Returns 0 or -1 (message set). */
static int resolve(struct qp *p, const char *name, bool expand,
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
		return fail(p, "'%s': the map has no %s", name,
			    sk ? "key" : "value");
	if (!*rest)
		return fail(p, "'%s': expected a field name after '%.*s'",
			    name, (int)(rest - name), name);
	if (rest == name && (!strcasecmp(name, "key") ||
			     !strcasecmp(name, "value"))) {
		bool in_key = !strcasecmp(name, "key");
		const struct tv_plan *plan = side_plan(p, in_key);

		if (plan && tv_plan_is_scalar(plan)) {
			push_leaf(p, out, in_key, tv_plan_leaf(plan, 0));
			return 0;
		}
		/* a field named key/value wins over the whole side */
		lk = p->kp ? tv_find_leaf(p->kp, name, NULL) : NULL;
		lv = p->vp ? tv_find_leaf(p->vp, name, NULL) : NULL;
		if (!lk && !lv) {
			if (!plan)
				return fail(p, "'%s': the map has no %s", name,
					    name);
			if (expand) {
				push_prefixed(p, out, in_key, "", false);
				return 0;
			}
			return fail(p, "'%s' is %s, not a single value; name "
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
			return fail(p, "'%s' is in both the key and the value "
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
		return fail(p, "'%s' is in both the key and the value (write "
			    "key.%s or value.%s)", name, rest, rest);
	if (nk || nv) {
		if (expand) {
			push_prefixed(p, out, nk > 0, rest, false);
			return 0;
		}
		return fail(p, "'%s' is a struct, not a single value; name one "
			    "of its fields (%s.*)", name, name);
	}
	return fail_not_field(p, name, rest, sk, sv);
}

/* -------------------------------------------------------- where: values */

/* What a field is, for "'x' is a string". */
static const char *leaf_what(const struct tv_leaf *l)
{
	if (l->fmt == TV_FMT_IPV4 || l->fmt == TV_FMT_IPV6 ||
	    l->fmt == TV_FMT_MAC)
		return "an address";
	if (l->kind == TV_KIND_CHAR)
		return "a string";
	if (l->nelems > 1)
		return "an array";
	return "raw bytes";
}

static bool leaf_ordered(const struct tv_leaf *l)
{
	return tv_leaf_is_numeric(l) || l->fmt == TV_FMT_IPV4 ||
	       l->fmt == TV_FMT_IPV6 || l->fmt == TV_FMT_MAC;
}

/* Read one VALUE token at s. *len: characters used; *text: decoded value
 * (caller frees); *quoted: it was quoted. Returns -1 on an unterminated
 * quote. */
static int lex_value(struct qp *p, const char *s, size_t *len, char **text,
		     bool *quoted)
{
	struct strbuf sb = STRBUF_INIT;
	char q = s[0];
	size_t i;

	*quoted = false;
	if (q != '"' && q != '\'') {
		size_t n;

		/* a whole shell word with blanks in it: `name == "a b"`;
		 * trailing ')' that close open groups are given back
		 * (`(x == 1 or name == 'a b')` arrives as "a b)") */
		if (lx_fresh(p) && strpbrk(s, " \t\n\r\v\f")) {
			int open = 0, close = 0, back = 0;

			n = strlen(s);
			for (size_t j = 0; j < n; j++) {
				open += s[j] == '(';
				close += s[j] == ')';
			}
			for (;;) {
				while (n && is_ws(s[n - 1]))
					n--;
				if (!n || s[n - 1] != ')' || back >= p->depth ||
				    close <= open)
					break;
				n--;
				close--;
				back++;
			}
			*len = back ? n : strlen(s);
			*text = xstrndup(s, n);
			*quoted = true;
			return 0;
		}
		n = value_run(s);
		*len = n;
		*text = xstrndup(s, n);
		return 0;
	}
	for (i = 1; s[i] && s[i] != q; i++) {
		unsigned char c = (unsigned char)s[i];

		if (q == '"' && c == '\\' && s[i + 1]) {
			c = (unsigned char)s[++i];
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '0': c = '\0'; break;
			case 'x':
				if (isxdigit((unsigned char)s[i + 1])) {
					char hex[3] = { s[i + 1], 0, 0 };

					i++;
					if (isxdigit((unsigned char)s[i + 1]))
						hex[1] = s[++i];
					c = (unsigned char)strtoul(hex, NULL,
								   16);
				}
				break;
			}
			if (!c)		/* a NUL cannot be in a C string */
				continue;
		}
		sb_addc(&sb, (char)c);
	}
	if (s[i] != q) {
		sb_free(&sb);
		return -1;
	}
	*len = i + 1;
	*text = xstrndup(sb_str(&sb), sb.len);
	*quoted = true;
	sb_free(&sb);
	return 0;
}

/* text as a C string literal, for char array leaves. */
static char *c_quote(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	char *r;

	sb_addc(&sb, '"');
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			sb_addf(&sb, "\\%c", *c);
		else if (*c < ' ' || *c == 0x7f)
			sb_addf(&sb, "\\x%02x", *c);
		else
			sb_addc(&sb, (char)*c);
	}
	sb_addc(&sb, '"');
	r = xstrndup(sb_str(&sb), sb.len);
	sb_free(&sb);
	return r;
}

/* The reason of a tv_leaf_parse error "path=shown: reason". */
static const char *parse_reason(const char *msg, const struct tv_leaf *l,
				const char *passed)
{
	size_t n = strlen(l->name), m = strlen(passed);
	const char *r;

	if (n && !strncmp(msg, l->name, n) && msg[n] == '=')
		msg += n + 1;
	if (!strncmp(msg, passed, m) && msg[m] == ':' && msg[m + 1] == ' ')
		return msg + m + 2;
	r = strstr(msg, ": ");
	return r ? r + 2 : msg;
}

/* For ~ on an address field: a pattern with '/' must be ADDR/LEN (tv_match
 * would quietly take anything else as a substring that never matches). */
static int check_prefix(struct qp *p, const char *field, const char *opname,
			const char *shown, const struct tv_leaf *l,
			const char *pat)
{
	bool v4 = l->fmt == TV_FMT_IPV4;
	unsigned max = v4 ? 32 : 128, plen;
	const char *slash = strchr(pat, '/');
	uint8_t addr[16];
	unsigned long len;
	char *a, *end;
	int fam, r;

	if (!slash)
		return 0;
	if (!nf_parse_cidr(pat, &fam, addr, &plen) && fam == (v4 ? 4 : 6))
		return 0;
	a = xstrndup(pat, (size_t)(slash - pat));
	r = v4 ? nf_parse_ipv4(a, addr) : nf_parse_ipv6(a, addr);
	free(a);
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (!r && isdigit((unsigned char)slash[1]) && !*end &&
	    (errno || len > max))
		return fail(p, "%s %s %s: prefix length out of range (0..%u)",
			    field, opname, shown, max);
	return fail(p, "%s %s %s: not an %s prefix (expected ADDRESS/LENGTH)",
		    field, opname, shown, v4 ? "IPv4" : "IPv6");
}

/* ---------------------------------------------------- where: expressions */

static struct q_node *new_node(int type)
{
	struct q_node *n = calloc(1, sizeof(*n));

	if (!n)
		abort();
	n->type = (uint8_t)type;
	return n;
}

static void node_add(struct q_node *n, struct q_node *kid)
{
	n->kid = xrealloc(n->kid, (n->n + 1) * sizeof(*n->kid));
	n->kid[n->n++] = kid;
}

static bool op_ordered(int op)
{
	return op == Q_LT || op == Q_LE || op == Q_GT || op == Q_GE;
}

/* Compile the constant (or pattern) of a comparison into n. */
static int compile_value(struct qp *p, struct q_node *n, const char *field,
			 const char *opname, const char *shown, bool quoted)
{
	const struct tv_leaf *l = n->leaf;
	const struct tv_plan *plan = side_plan(p, n->in_key);
	struct strbuf tmp = STRBUF_INIT;
	char *passed;
	int r = 0;

	if (n->op == Q_MATCH || n->op == Q_NMATCH) {
		if ((l->fmt == TV_FMT_IPV4 || l->fmt == TV_FMT_IPV6) &&
		    check_prefix(p, field, opname, shown, l, n->text))
			return -1;
		n->m = tv_match_new(l, n->text);
		if (!n->m)
			return fail(p, "%s %s %s: not a valid pattern", field,
				    opname, shown);
		return 0;
	}
	n->cval = calloc(1, (size_t)tv_plan_size(plan) + 1);
	if (!n->cval)
		abort();
	/* char arrays take C string literals: keep what was quoted intact */
	passed = l->kind == TV_KIND_CHAR && quoted ? c_quote(n->text)
						   : xstrndup(n->text,
							      strlen(n->text));
	if (tv_leaf_parse(l, passed, n->cval, &tmp)) {
		bool prefix = (l->fmt == TV_FMT_IPV4 ||
			       l->fmt == TV_FMT_IPV6) &&
			      strchr(n->text, '/');

		r = fail(p, "%s %s %s: %s%s", field, opname, shown,
			 parse_reason(sb_str(&tmp), l, passed),
			 prefix ? " (use ~ for a prefix match)" : "");
	}
	free(passed);
	sb_free(&tmp);
	return r;
}

/* FIELD OP VALUE at s. */
static struct q_node *parse_cmp(struct qp *p, const char *s)
{
	size_t n = field_run(s), before = p->err->len, vlen;
	bool kw_word = lx_fresh(p) && lx_word_ends(p, n);
	char *name = xstrndup(s, n), *opname = NULL, *shown = NULL;
	char *tok = NULL, *text = NULL;
	struct fvec fv = { 0 };
	struct q_node *node = NULL;
	bool quoted;
	int op;

	p->c += n;
	if (n > 2 && !strcmp(name + n - 2, "/s")) {
		fail(p, "'%s': a rate can only be sorted on (sort %s desc)",
		     name, name);
		goto out;
	}
	if (resolve(p, name, false, &fv)) {
		if (kw_word && is_keyword(name)) {
			sb_trunc(p->err, before);
			fail(p, "expected a condition, got '%s'", name);
		}
		goto out;
	}
	s = lx_cur(p);
	if (!s) {
		fail(p, "expected an operator " OPS_LIST " after '%s'", name);
		goto out;
	}
	n = op_len(s, &op);
	if (!n) {
		tok = tok_text(s);
		fail(p, "expected an operator " OPS_LIST " after '%s', got "
		     "'%s'", name, tok);
		goto out;
	}
	opname = xstrndup(s, n);
	p->c += n;
	if (op_ordered(op) && !leaf_ordered(fv.v[0].leaf)) {
		fail(p, "'%s' needs a number or address field; '%s' is %s",
		     opname, name, leaf_what(fv.v[0].leaf));
		goto out;
	}
	s = lx_cur(p);
	if (!s) {
		fail(p, "expected a value after '%s %s'", name, opname);
		goto out;
	}
	if (strchr("<>=!~)", *s) || is_andor(s)) {
		tok = tok_text(s);
		fail(p, "expected a value after '%s %s', got '%s'", name,
		     opname, tok);
		goto out;
	}
	if (lex_value(p, s, &vlen, &text, &quoted)) {
		fail(p, "%s %s %s: missing closing %c", name, opname, s, *s);
		goto out;
	}
	shown = xstrndup(s, vlen);
	p->c += vlen;
	node = new_node(QN_CMP);
	node->op = (uint8_t)op;
	node->in_key = fv.v[0].in_key;
	node->leaf = fv.v[0].leaf;
	node->field = xstrndup(fv.v[0].name, strlen(fv.v[0].name));
	node->text = text;
	text = NULL;
	if (compile_value(p, node, name, opname, shown, quoted)) {
		q_node_free(node);
		node = NULL;
	}
out:
	free(fv.v);
	free(name);
	free(opname);
	free(shown);
	free(tok);
	free(text);
	return node;
}

enum { C_AND, C_OR, C_RP, C_END, C_OTHER };

/* What follows a condition: and, or, ')', the end of the expression (no
 * more words, or a new word that is a clause keyword or an option) or
 * something else. *len: characters of the token. */
static int peek_conn(struct qp *p, size_t *len)
{
	const char *s = lx_cur(p);
	size_t n;

	if (!s)
		return C_END;
	*len = 2;
	if (s[0] == '&' && s[1] == '&')
		return C_AND;
	if (s[0] == '|' && s[1] == '|')
		return C_OR;
	*len = 1;
	if (s[0] == ')')
		return C_RP;
	n = field_run(s);
	*len = n;
	if (word_is(s, n, "and"))
		return C_AND;
	if (word_is(s, n, "or"))
		return C_OR;
	if (n && lx_fresh(p) && lx_word_ends(p, n)) {
		if (s[0] == '-')
			return C_END;
		for (size_t i = 0; i < NKEYWORDS; i++)
			if (word_is(s, n, keywords[i]))
				return C_END;
	}
	return C_OTHER;
}

/* Something that is neither and, or, ')' nor the end after a condition. */
static int fail_conn(struct qp *p, bool in_paren)
{
	const char *s = lx_cur(p);
	size_t n = field_run(s);
	char *tok = tok_text(s);

	if (!in_paren && n && lx_fresh(p) && lx_word_ends(p, n) &&
	    keyword_suggest(tok)) {
		fail_unexpected(p, tok);
	} else {
		fail(p, in_paren ? "expected 'and', 'or' or ')' before '%s'"
				 : "expected 'and' or 'or' before '%s'", tok);
	}
	free(tok);
	return -1;
}

static struct q_node *parse_or(struct qp *p, const char *prev);

static int enter(struct qp *p)
{
	if (++p->depth > QUERY_MAX_DEPTH)
		return fail(p, "nested too deeply (more than %d parentheses "
			    "and nots)", QUERY_MAX_DEPTH);
	return 0;
}

/* not NOT | '(' OR ')' | FIELD OP VALUE; prev names what came before, for
 * messages (NULL at the start). */
static struct q_node *parse_not(struct qp *p, const char *prev)
{
	const char *s = lx_cur(p);
	struct q_node *e, *n;
	size_t len;
	char *tok;

	if (!s) {
		if (prev)
			fail(p, "expected a condition after '%s'", prev);
		else
			fail(p, "expected a condition (FIELD OP VALUE)");
		return NULL;
	}
	if (*s == '(') {
		if (enter(p))
			return NULL;
		p->c++;
		e = parse_or(p, "(");
		if (!e)
			return NULL;
		switch (peek_conn(p, &len)) {
		case C_RP:
			p->c += len;
			break;
		case C_END:
			fail(p, "missing ')'");
			q_node_free(e);
			return NULL;
		default:
			fail_conn(p, true);
			q_node_free(e);
			return NULL;
		}
		p->depth--;
		return e;
	}
	len = field_run(s);
	if ((*s == '!' && s[1] != '=' && s[1] != '~') ||
	    word_is(s, len, "not")) {
		const char *what = *s == '!' ? "!" : "not";

		if (enter(p))
			return NULL;
		p->c += *s == '!' ? 1 : len;
		e = parse_not(p, what);
		if (!e)
			return NULL;
		p->depth--;
		n = new_node(QN_NOT);
		node_add(n, e);
		return n;
	}
	if (!len || is_andor(s)) {
		tok = tok_text(s);
		if (prev)
			fail(p, "expected a condition after '%s', got '%s'",
			     prev, tok);
		else
			fail(p, "expected a condition (FIELD OP VALUE), got "
			     "'%s'", tok);
		free(tok);
		return NULL;
	}
	return parse_cmp(p, s);
}

/* NOT {and NOT} / AND {or AND}: one flat node per chain. */
static struct q_node *parse_chain(struct qp *p, const char *prev, int type)
{
	struct q_node *first, *n = NULL, *kid;
	size_t len;

	first = type == QN_AND ? parse_not(p, prev) : parse_chain(p, prev,
								  QN_AND);
	if (!first)
		return NULL;
	while (peek_conn(p, &len) == (type == QN_AND ? C_AND : C_OR)) {
		const char *s = lx_cur(p);
		const char *what = type == QN_AND ? (*s == '&' ? "&&" : "and")
						  : (*s == '|' ? "||" : "or");

		p->c += len;
		kid = type == QN_AND ? parse_not(p, what)
				     : parse_chain(p, what, QN_AND);
		if (!kid) {
			q_node_free(n ? n : first);
			return NULL;
		}
		if (!n) {
			n = new_node(type);
			node_add(n, first);
		}
		node_add(n, kid);
	}
	return n ? n : first;
}

static struct q_node *parse_or(struct qp *p, const char *prev)
{
	return parse_chain(p, prev, QN_OR);
}

/* ------------------------------------------------------------- clauses */

/* The word at p->w without surrounding blanks (caller frees). */
static char *cur_word(const struct qp *p)
{
	const char *s = p->argv[p->w];
	size_t n;

	while (is_ws(*s))
		s++;
	n = strlen(s);
	while (n && is_ws(s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* Does the word at p->w end the current clause? */
static bool clause_ends(const struct qp *p)
{
	char *w = cur_word(p);
	bool r = w[0] == '-' || is_keyword(w);

	free(w);
	return r;
}

static int parse_where(struct qp *p)
{
	struct q_node *e;
	size_t len;

	p->clause = "where";
	p->w++;
	p->c = 0;
	p->depth = 0;
	e = parse_or(p, NULL);
	if (!e)
		return -1;
	switch (peek_conn(p, &len)) {
	case C_END:
		break;
	case C_RP:
		q_node_free(e);
		return fail(p, "unexpected ')'");
	default:
		q_node_free(e);
		return fail_conn(p, false);
	}
	if (!p->q->where) {
		p->q->where = e;
	} else {
		if (p->q->where->type != QN_AND) {
			struct q_node *a = new_node(QN_AND);

			node_add(a, p->q->where);
			p->q->where = a;
		}
		node_add(p->q->where, e);
	}
	return 0;
}

static int parse_limit(struct qp *p)
{
	char *w, *end;
	long long v;
	int r = 0;

	p->clause = "limit";
	if (p->q->limit >= 0)
		return fail(p, "given twice");
	if (++p->w >= p->argc)
		return fail(p, "expected a count >= 0");
	w = cur_word(p);
	errno = 0;
	v = strtoll(w, &end, 10);
	if (is_keyword(w) || !*w)
		r = fail(p, "expected a count >= 0, got '%s'", w);
	else if (!isdigit((unsigned char)w[0]) || *end)
		r = fail(p, "'%s' is not a number (expected a count >= 0)", w);
	else if (errno)
		r = fail(p, "'%s' is too large", w);
	else
		p->q->limit = v;
	free(w);
	p->w++;
	return r;
}

/* The "asc or desc" error for a word after a sort key, unless the word is
 * a near miss of a field (then resolve's message stays). */
static int fail_direction(struct qp *p, size_t before, const char *item)
{
	struct sg_best b;

	if (strstr(p->err->buf + before, "did you mean") ||
	    !strstr(p->err->buf + before, "is not a field"))
		return -1;
	sb_trunc(p->err, before);
	sg_init(&b, item);
	sg_offer(&b, "asc");
	sg_offer(&b, "desc");
	if (b.best)
		return fail(p, "expected asc or desc, got '%s' (did you mean "
			    "'%s'?)", item, b.best);
	return fail(p, "expected asc or desc, got '%s'", item);
}

/* One sort item (FIELD, FIELD/s, asc, desc). *pending: index of the first
 * key of the previous item when it has no direction yet, else -1. */
static int sort_item(struct qp *p, char *item, int *pending)
{
	struct query *q = p->q;
	struct fvec fv = { 0 };
	size_t n = strlen(item), before = p->err->len;
	bool rate = n > 2 && !strcmp(item + n - 2, "/s");
	int r = 0;

	if (!strcasecmp(item, "asc") || !strcasecmp(item, "desc")) {
		if (*pending < 0)
			return fail(p, "expected a field, got '%s'", item);
		for (int i = *pending; i < q->nsort; i++)
			q->sort[i].desc = item[0] == 'd' || item[0] == 'D';
		*pending = -1;
		return 0;
	}
	if (rate)
		item[n - 2] = '\0';
	if (resolve(p, item, !rate, &fv)) {
		if (rate)
			item[n - 2] = '/';
		r = *pending >= 0 ? fail_direction(p, before, item) : -1;
		goto out;
	}
	if (rate && !tv_leaf_is_numeric(fv.v[0].leaf)) {
		r = fail(p, "'%s/s': a rate needs a number field; '%s' is %s",
			 item, item, leaf_what(fv.v[0].leaf));
		goto out;
	}
	*pending = q->nsort;
	q->sort = xrealloc(q->sort, (size_t)(q->nsort + fv.n) *
				    sizeof(*q->sort));
	for (int i = 0; i < fv.n; i++) {
		q->sort[q->nsort].f = fv.v[i];
		q->sort[q->nsort].desc = false;
		q->sort[q->nsort].rate = rate;
		q->nsort++;
	}
	q->has_rate |= rate;
out:
	free(fv.v);
	return r;
}

static bool same_field(const struct query_field *a,
		       const struct query_field *b)
{
	return a->leaf == b->leaf && a->in_key == b->in_key;
}

static int fields_item(struct qp *p, const char *item)
{
	struct query *q = p->q;
	struct fvec fv = { 0 };
	size_t n = strlen(item);

	if (n > 2 && !strcmp(item + n - 2, "/s"))
		return fail(p, "'%s': a rate can only be sorted on", item);
	if (resolve(p, item, true, &fv))
		return -1;
	q->fields = xrealloc(q->fields, (size_t)(q->nfields + fv.n) *
					sizeof(*q->fields));
	for (int i = 0; i < fv.n; i++) {
		bool dup = false;

		for (int j = 0; j < q->nfields && !dup; j++)
			dup = same_field(&q->fields[j], &fv.v[i]);
		if (!dup)
			q->fields[q->nfields++] = fv.v[i];
	}
	free(fv.v);
	return 0;
}

/* sort and fields: items separated by commas and/or words, up to the
 * next clause. */
static int parse_list(struct qp *p, bool sort)
{
	int pending = -1, items = 0;

	p->clause = sort ? "sort" : "fields";
	p->w++;
	for (; p->w < p->argc; p->w++) {
		char *w, *item, *save = NULL;
		int r = 0;

		if (clause_ends(p))
			break;
		w = cur_word(p);
		for (item = strtok_r(w, ",", &save); item && !r;
		     item = strtok_r(NULL, ",", &save)) {
			char *t = item + strlen(item);

			while (is_ws(*item))
				item++;
			while (t > item && is_ws(t[-1]))
				*--t = '\0';
			if (!*item)
				continue;
			items++;
			r = sort ? sort_item(p, item, &pending)
				 : fields_item(p, item);
		}
		free(w);
		if (r)
			return -1;
	}
	if (!items) {
		if (p->w < p->argc) {
			char *w = cur_word(p);

			fail(p, sort ? "expected a field, got '%s'"
				     : "expected a field list (a,b,...), got "
				       "'%s'", w);
			free(w);
			return -1;
		}
		return fail(p, sort ? "expected a field"
				    : "expected a field list (a,b,...)");
	}
	return 0;
}

int query_parse(const struct tv_plan *key, const struct tv_plan *value,
		int argc, char **argv, int *consumed, struct query **out,
		struct strbuf *err)
{
	struct query *q = calloc(1, sizeof(*q));
	struct qp p = {
		.kp = key, .vp = value, .argc = argc, .argv = argv, .q = q,
		.err = err,
	};
	bool any = false;

	if (!q)
		abort();
	q->kplan = key;
	q->vplan = value;
	q->limit = -1;
	*out = NULL;
	while (lx_cur(&p)) {
		char *w = cur_word(&p);
		int r;

		p.c = 0;
		p.clause = NULL;
		if (w[0] == '-') {
			free(w);
			break;
		}
		if (!strcasecmp(w, "where"))
			r = parse_where(&p);
		else if (!strcasecmp(w, "sort"))
			r = parse_list(&p, true);
		else if (!strcasecmp(w, "limit"))
			r = parse_limit(&p);
		else if (!strcasecmp(w, "fields"))
			r = parse_list(&p, false);
		else
			r = fail_unexpected(&p, w);
		free(w);
		if (r) {
			if (consumed)
				*consumed = p.err_word;
			query_free(q);
			return -1;
		}
		any = true;
	}
	if (consumed)
		*consumed = p.w < argc ? p.w : argc;
	if (any)
		*out = q;
	else
		query_free(q);
	return 0;
}
