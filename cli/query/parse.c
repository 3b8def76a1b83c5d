// SPDX-License-Identifier: GPL-2.0
/* query_parse: the words after `dump MAP` into a compiled query (grammar,
 * word rules and messages in query.h). The lexer and field resolution
 * are lex.c; constants are parsed by their leaf once, here. */
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

/* -------------------------------------------------------- where: values */

/* What a field is, for "'x' is a string". */
static const char *leaf_what(const struct tv_leaf *l)
{
	if (tv_fmt_info(l->fmt)->addr_width)
		return tv_fmt_info(l->fmt)->what;
	if (l->kind == TV_KIND_CHAR)
		return "a string";
	if (l->nelems > 1)
		return "an array";
	return "raw bytes";
}

static bool leaf_ordered(const struct tv_leaf *l)
{
	return tv_leaf_is_numeric(l) || tv_fmt_info(l->fmt)->ordered;
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
		if (qp_lx_fresh(p) && strpbrk(s, " \t\n\r\v\f")) {
			int open = 0, close = 0, back = 0;

			n = strlen(s);
			for (size_t j = 0; j < n; j++) {
				open += s[j] == '(';
				close += s[j] == ')';
			}
			for (;;) {
				while (n && qp_is_ws(s[n - 1]))
					n--;
				if (!n || s[n - 1] != ')' || back >= p->depth ||
				    close <= open)
					break;
				n--;
				close--;
				back++;
			}
			*len = back ? n : strlen(s);
			*text = qp_xstrndup(s, n);
			*quoted = true;
			return 0;
		}
		n = qp_value_run(s);
		*len = n;
		*text = qp_xstrndup(s, n);
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
	*text = qp_xstrndup(sb_str(&sb), sb.len);
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
	r = qp_xstrndup(sb_str(&sb), sb.len);
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
	a = qp_xstrndup(pat, (size_t)(slash - pat));
	r = v4 ? nf_parse_ipv4(a, addr) : nf_parse_ipv6(a, addr);
	free(a);
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (!r && isdigit((unsigned char)slash[1]) && !*end &&
	    (errno || len > max))
		return qp_fail(p, "%s %s %s: prefix length out of range (0..%u)",
			    field, opname, shown, max);
	return qp_fail(p, "%s %s %s: not an %s prefix (expected ADDRESS/LENGTH)",
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
	n->kid = qp_xrealloc(n->kid, (n->n + 1) * sizeof(*n->kid));
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
	const struct tv_plan *plan = qp_side_plan(p, n->in_key);
	struct strbuf tmp = STRBUF_INIT;
	char *passed;
	int r = 0;

	if (n->op == Q_MATCH || n->op == Q_NMATCH) {
		if ((l->fmt == TV_FMT_IPV4 || l->fmt == TV_FMT_IPV6) &&
		    check_prefix(p, field, opname, shown, l, n->text))
			return -1;
		n->m = tv_match_new(l, n->text);
		if (!n->m)
			return qp_fail(p, "%s %s %s: not a valid pattern", field,
				    opname, shown);
		return 0;
	}
	n->cval = calloc(1, (size_t)tv_plan_size(plan) + 1);
	if (!n->cval)
		abort();
	/* char arrays take C string literals: keep what was quoted intact */
	passed = l->kind == TV_KIND_CHAR && quoted ? c_quote(n->text)
						   : qp_xstrndup(n->text,
							      strlen(n->text));
	if (tv_leaf_parse(l, passed, n->cval, &tmp)) {
		bool prefix = (l->fmt == TV_FMT_IPV4 ||
			       l->fmt == TV_FMT_IPV6) &&
			      strchr(n->text, '/');

		r = qp_fail(p, "%s %s %s: %s%s", field, opname, shown,
			 parse_reason(sb_str(&tmp), l, passed),
			 prefix ? " (use ~ for a prefix match)" : "");
	}
	free(passed);
	sb_free(&tmp);
	return r;
}

enum { C_AND, C_OR, C_RP, C_END, C_OTHER };
static int peek_conn(struct qp *p, size_t *len);

/* When the words end where an operator should come, a shell may have
 * taken `> 10000` or `< 10000` as a redirection: say so, with the quoted
 * form and the word form (*buf holds the text; the caller frees it). */
static const char *shell_hint(const struct qp *p, const char *field,
			      char **buf)
{
	struct strbuf sb = STRBUF_INIT;

	sb_addf(&sb, "; a shell takes an unquoted > or < as a redirection: "
		"quote the expression (%s%swhere '%s > N') or write %s gt N",
		p->cmd ? p->cmd : "", p->cmd ? " " : "", field, field);
	free(*buf);
	*buf = qp_xstrndup(sb_str(&sb), sb.len);
	sb_free(&sb);
	return *buf;
}

/* FIELD OP VALUE at s. */
static struct q_node *parse_cmp(struct qp *p, const char *s)
{
	size_t n = qp_field_run(s), before = p->err->len, vlen;
	bool kw_word = qp_lx_fresh(p) && qp_lx_word_ends(p, n);
	char *name = qp_xstrndup(s, n), *opname = NULL, *shown = NULL;
	char *tok = NULL, *text = NULL;
	struct fvec fv = { 0 };
	struct q_node *node = NULL;
	bool quoted;
	int op;

	p->c += n;
	if (n > 2 && !strcmp(name + n - 2, "/s")) {
		qp_fail(p, "'%s': a rate can only be sorted on (sort %s desc)",
		     name, name);
		goto out;
	}
	if (qp_resolve(p, name, false, &fv)) {
		if (kw_word && qp_is_keyword(name)) {
			sb_trunc(p->err, before);
			qp_fail(p, "expected a condition, got '%s'", name);
		}
		goto out;
	}
	s = qp_lx_cur(p);
	if (!s) {
		qp_fail(p, "expected an operator " OPS_LIST " after '%s'%s", name,
			shell_hint(p, name, &tok));
		goto out;
	}
	n = qp_op_len(s, &op);
	if (!n) {
		size_t k;
		int c = peek_conn(p, &k);
		char *hint = NULL;

		tok = qp_tok_text(s);
		/* `where bytes > 10 and ...`: the shell took `> 10` too */
		qp_fail(p, "expected an operator " OPS_LIST " after '%s', got "
		     "'%s'%s", name, tok, c == C_AND || c == C_OR || c == C_END ?
		     shell_hint(p, name, &hint) : "");
		free(hint);
		goto out;
	}
	opname = qp_xstrndup(s, n);
	p->c += n;
	if (op_ordered(op) && !leaf_ordered(fv.v[0].leaf)) {
		qp_fail(p, "'%s' needs a number or address field; '%s' is %s",
		     opname, name, leaf_what(fv.v[0].leaf));
		goto out;
	}
	s = qp_lx_cur(p);
	if (!s) {
		qp_fail(p, "expected a value after '%s %s'", name, opname);
		goto out;
	}
	if (strchr("<>=!~)", *s) || qp_is_andor(s)) {
		tok = qp_tok_text(s);
		qp_fail(p, "expected a value after '%s %s', got '%s'", name,
		     opname, tok);
		goto out;
	}
	if (lex_value(p, s, &vlen, &text, &quoted)) {
		qp_fail(p, "%s %s %s: missing closing %c", name, opname, s, *s);
		goto out;
	}
	shown = qp_xstrndup(s, vlen);
	p->c += vlen;
	node = new_node(QN_CMP);
	node->op = (uint8_t)op;
	node->in_key = fv.v[0].in_key;
	node->leaf = fv.v[0].leaf;
	node->field = qp_xstrndup(fv.v[0].name, strlen(fv.v[0].name));
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

/* What follows a condition: and, or, ')', the end of the expression (no
 * more words, or a new word that is a clause keyword or an option) or
 * something else. *len: characters of the token. */
static int peek_conn(struct qp *p, size_t *len)
{
	const char *s = qp_lx_cur(p);
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
	n = qp_field_run(s);
	*len = n;
	if (qp_word_is(s, n, "and"))
		return C_AND;
	if (qp_word_is(s, n, "or"))
		return C_OR;
	if (n && qp_lx_fresh(p) && qp_lx_word_ends(p, n)) {
		if (s[0] == '-')
			return C_END;
		for (size_t i = 0; query_clause_words[i]; i++)
			if (qp_word_is(s, n, query_clause_words[i]))
				return C_END;
	}
	return C_OTHER;
}

/* Something that is neither and, or, ')' nor the end after a condition. */
static int fail_conn(struct qp *p, bool in_paren)
{
	const char *s = qp_lx_cur(p);
	size_t n = qp_field_run(s);
	char *tok = qp_tok_text(s);

	if (!in_paren && n && qp_lx_fresh(p) && qp_lx_word_ends(p, n) &&
	    qp_keyword_suggest(tok)) {
		qp_fail_unexpected(p, tok);
	} else {
		qp_fail(p, in_paren ? "expected 'and', 'or' or ')' before '%s'"
				 : "expected 'and' or 'or' before '%s'", tok);
	}
	free(tok);
	return -1;
}

static struct q_node *parse_or(struct qp *p, const char *prev);

static int enter(struct qp *p)
{
	if (++p->depth > QUERY_MAX_DEPTH)
		return qp_fail(p, "nested too deeply (more than %d parentheses "
			    "and nots)", QUERY_MAX_DEPTH);
	return 0;
}

/* not NOT | '(' OR ')' | FIELD OP VALUE; prev names what came before, for
 * messages (NULL at the start). */
static struct q_node *parse_not(struct qp *p, const char *prev)
{
	const char *s = qp_lx_cur(p);
	struct q_node *e, *n;
	size_t len;
	char *tok;

	if (!s) {
		if (prev)
			qp_fail(p, "expected a condition after '%s'", prev);
		else
			qp_fail(p, "expected a condition (FIELD OP VALUE)");
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
			qp_fail(p, "missing ')'");
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
	len = qp_field_run(s);
	if ((*s == '!' && s[1] != '=' && s[1] != '~') ||
	    qp_word_is(s, len, "not")) {
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
	if (!len || qp_is_andor(s)) {
		tok = qp_tok_text(s);
		if (prev)
			qp_fail(p, "expected a condition after '%s', got '%s'",
			     prev, tok);
		else
			qp_fail(p, "expected a condition (FIELD OP VALUE), got "
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
		const char *s = qp_lx_cur(p);
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

	while (qp_is_ws(*s))
		s++;
	n = strlen(s);
	while (n && qp_is_ws(s[n - 1]))
		n--;
	return qp_xstrndup(s, n);
}

/* Does the word at p->w end the current clause? */
static bool clause_ends(const struct qp *p)
{
	char *w = cur_word(p);
	bool r = w[0] == '-' || qp_is_keyword(w);

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
		return qp_fail(p, "unexpected ')'");
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
		return qp_fail(p, "given twice");
	if (++p->w >= p->argc)
		return qp_fail(p, "expected a count >= 0");
	w = cur_word(p);
	errno = 0;
	v = strtoll(w, &end, 10);
	if (qp_is_keyword(w) || !*w)
		r = qp_fail(p, "expected a count >= 0, got '%s'", w);
	else if (!isdigit((unsigned char)w[0]) || *end)
		r = qp_fail(p, "'%s' is not a number (expected a count >= 0)", w);
	else if (errno)
		r = qp_fail(p, "'%s' is too large", w);
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
		return qp_fail(p, "expected asc or desc, got '%s' (did you mean "
			    "'%s'?)", item, b.best);
	return qp_fail(p, "expected asc or desc, got '%s'", item);
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
			return qp_fail(p, "expected a field, got '%s'", item);
		for (int i = *pending; i < q->nsort; i++)
			q->sort[i].desc = item[0] == 'd' || item[0] == 'D';
		*pending = -1;
		return 0;
	}
	if (rate)
		item[n - 2] = '\0';
	if (qp_resolve(p, item, !rate, &fv)) {
		if (rate)
			item[n - 2] = '/';
		r = *pending >= 0 ? fail_direction(p, before, item) : -1;
		goto out;
	}
	if (rate && !tv_leaf_is_numeric(fv.v[0].leaf)) {
		r = qp_fail(p, "'%s/s': a rate needs a number field; '%s' is %s",
			 item, item, leaf_what(fv.v[0].leaf));
		goto out;
	}
	*pending = q->nsort;
	q->sort = qp_xrealloc(q->sort, (size_t)(q->nsort + fv.n) *
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
		return qp_fail(p, "'%s': a rate can only be sorted on", item);
	if (qp_resolve(p, item, true, &fv))
		return -1;
	q->fields = qp_xrealloc(q->fields, (size_t)(q->nfields + fv.n) *
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

			while (qp_is_ws(*item))
				item++;
			while (t > item && qp_is_ws(t[-1]))
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

			qp_fail(p, sort ? "expected a field, got '%s'"
				     : "expected a field list (a,b,...), got "
				       "'%s'", w);
			free(w);
			return -1;
		}
		return qp_fail(p, sort ? "expected a field"
				    : "expected a field list (a,b,...)");
	}
	return 0;
}

int query_parse(const struct tv_plan *key, const struct tv_plan *value,
		int argc, char **argv, int *consumed, struct query **out,
		struct strbuf *err)
{
	return query_parse_in(NULL, key, value, argc, argv, consumed, out, err);
}

int query_parse_in(const char *cmd, const struct tv_plan *key,
		   const struct tv_plan *value, int argc, char **argv,
		   int *consumed, struct query **out, struct strbuf *err)
{
	struct query *q = calloc(1, sizeof(*q));
	struct qp p = {
		.kp = key, .vp = value, .argc = argc, .argv = argv, .q = q,
		.err = err, .cmd = cmd,
	};
	bool any = false;

	if (!q)
		abort();
	q->kplan = key;
	q->vplan = value;
	q->limit = -1;
	*out = NULL;
	while (qp_lx_cur(&p)) {
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
			r = qp_fail_unexpected(&p, w);
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
