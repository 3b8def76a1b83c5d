// SPDX-License-Identifier: GPL-2.0
/* tval_args: the parser's entry points. Decides which input form it was
 * given (field=value tokens, positional values, bpftool byte lists, the
 * text form, JSON), runs it against a scratch copy of the record, checks
 * that keys named every field, and commits only on success so a failed
 * `set` never leaves half a record. Also the LPM CIDR shorthand. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tval/netfmt.h"
#include "tval/tval_int.h"

static int pctx_init(struct tv_pctx *c, const struct tv_plan *p,
		     const void *buf, unsigned flags, struct strbuf *err)
{
	memset(c, 0, sizeof(*c));
	c->p = p;
	c->flags = flags;
	c->err = err;
	c->buf = malloc(p->size ? p->size : 1);
	c->given = calloc(p->nelems ? p->nelems : 1, 1);
	if (!c->buf || !c->given)
		abort();
	if (p->size)
		memcpy(c->buf, buf, p->size);
	for (uint32_t i = 0; i < p->nleaves; i++)
		if (p->leaves[i].in_union_alt) {
			c->wbits = calloc(p->size, 1);
			if (!c->wbits)
				abort();
			break;
		}
	return 0;
}

static void collect_missing(struct tv_pctx *c, uint32_t idx,
			    struct strbuf *names, unsigned *count);

static bool complete(const struct tv_pctx *c, uint32_t idx)
{
	const struct tv_plan *p = c->p;
	const struct tv_node *nd = &p->nodes[idx];
	bool any = false, all = true, has = false;

	if (nd->is_padding)
		return true;
	if (nd->type == TV_N_LEAF) {
		const struct tv_leaf *l = &p->leaves[nd->leaf];

		/* (a zero-size raw plan has nothing to give) */
		return !l->size || !memchr(c->given + l->elem_base, 0, l->nelems);
	}
	for (uint32_t ch = idx + 1; ch < nd->end; ch = p->nodes[ch].end) {
		bool ok = complete(c, ch);

		if (p->nodes[ch].is_padding)
			continue;
		has = true;
		any |= ok;
		all &= ok;
	}
	/* a union is complete when one member is */
	return nd->type == TV_N_UNION ? (!has || any) : all;
}

static void collect_missing(struct tv_pctx *c, uint32_t idx,
			    struct strbuf *names, unsigned *count)
{
	const struct tv_plan *p = c->p;
	const struct tv_node *nd = &p->nodes[idx];

	if (complete(c, idx))
		return;
	if (nd->type == TV_N_LEAF || nd->type == TV_N_UNION) {
		if (*count < 4)
			sb_addf(names, "%s'%s'", *count ? ", " : "",
				*nd->path ? nd->path : "value");
		(*count)++;
		return;
	}
	for (uint32_t ch = idx + 1; ch < nd->end; ch = p->nodes[ch].end)
		collect_missing(c, ch, names, count);
}

int tv_write_uncovered(struct tv_pctx *c, const char *s, size_t n)
{
	const struct tv_plan *p = c->p;
	size_t len = n >= 2 ? (n - 2) / 2 : 0;

	if (c->unc) {
		tv_what(c, s, n);
		return tv_fail(c, TV_UNCOVERED " given twice");
	}
	if (n < 4 || n % 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') ||
	    len > p->size || strspn(s + 2, "0123456789abcdefABCDEF") != n - 2) {
		tv_what(c, s, n);
		return tv_fail(c, TV_UNCOVERED " takes 0x and up to %u bytes in hex (the bytes no field names)",
			       p->size);
	}
	c->unc = calloc(p->size ? p->size : 1, 1);
	if (!c->unc)
		abort();
	for (size_t i = 0; i < len; i++) {
		char h[3] = { s[2 + 2 * i], s[3 + 2 * i], 0 };

		c->unc[i] = (uint8_t)strtoul(h, NULL, 16);
	}
	return 0;
}

static bool is_uncovered_tok(const char *a)
{
	return !strncmp(a, TV_UNCOVERED "=", TV_UNCOVERED_LEN + 1);
}

static int pctx_finish(struct tv_pctx *c, int rc, void *buf)
{
	const struct tv_plan *p = c->p;


	if (!rc && (c->flags & TV_PARSE_ALL) && p->nnodes && !complete(c, 0)) {
		struct strbuf names = STRBUF_INIT;
		unsigned count = 0;

		collect_missing(c, 0, &names, &count);
		tv_fail(c, "missing field%s %s%s in %s (a key must name every field)",
			count > 1 ? "s" : "", sb_str(&names),
			count > 4 ? ", ..." : "", p->type_name);
		sb_free(&names);
		rc = -1;
	}
	if (!rc && (c->flags & TV_PARSE_ALL)) {
		/* keys: padding nobody named is zero, so lookups match */
		for (uint32_t i = 0; i < p->nleaves; i++) {
			const struct tv_leaf *l = &p->leaves[i];

			if (!l->is_padding)
				continue;
			for (uint32_t e = 0; e < l->nelems; e++)
				if (!c->given[l->elem_base + e]) {
					if (l->kind == TV_KIND_BYTES ||
					    l->kind == TV_KIND_FLOAT ||
					    l->kind == TV_KIND_CHAR)
						memset(c->buf + l->offset +
						       (size_t)e * l->elem_size,
						       0, l->elem_size);
					else
						tv_elem_put(l, c->buf, e, 0);
				}
		}
	}
	if (!rc && c->unc)
		tv_apply_uncovered(p, c->buf, c->unc);
	if (!rc && p->size)
		memcpy(buf, c->buf, p->size);
	free(c->unc);
	free(c->wbits);
	free(c->buf);
	free(c->given);
	sb_free(&c->tmp);
	sb_free(&c->path);
	return rc ? -1 : 0;
}

/* bpftool forms: "hex 0a 00 00 01" or "0x0a 0 0 1", exactly size bytes. */
static int parse_bytes(struct tv_pctx *c, int argc, char **argv, bool hex)
{
	const struct tv_plan *p = c->p;

	if ((uint32_t)argc != p->size)
		return tv_fail(c, "%s: expected %u bytes, got %d",
			       hex ? "hex" : "byte list", p->size, argc);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		size_t n = strlen(a), bad;
		tv_u128 v = 0;
		bool neg;
		bool ok;

		if (hex) {
			ok = n >= 1 && n <= 2 && isxdigit((unsigned char)a[0]) &&
			     (n == 1 || isxdigit((unsigned char)a[1]));
			if (ok)
				v = strtoul(a, NULL, 16);
		} else {
			ok = !tv_parse_int(a, n, &v, &neg, &bad) && !neg &&
			     v <= 255;
		}
		if (!ok) {
			tv_what(c, a, n);
			return tv_fail(c, "not a byte (%s)",
				       hex ? "expected 2 hex digits" : "expected 0..255");
		}
		c->buf[i] = (uint8_t)v;
	}
	memset(c->given, 1, p->nelems);
	return 0;
}

static bool all_bytes(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		tv_u128 v;
		size_t bad;
		bool neg;

		if (tv_parse_int(argv[i], strlen(argv[i]), &v, &neg, &bad) ||
		    neg || v > 255)
			return false;
	}
	return true;
}

/* Does a token starting with ch hold the whole value in text/JSON form?
 * '{' always; '[' unless the root is a struct, where it can only be the
 * first positional value (an array field). */
static bool whole_value(const struct tv_plan *p, char ch)
{
	if (ch == '{')
		return true;
	return ch == '[' && p->nodes[0].type != TV_N_STRUCT &&
	       p->nodes[0].type != TV_N_UNION;
}

/* Tokens of one or two hex digits: a raw plan's text form. */
static bool all_hex(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (n < 1 || n > 2 || !isxdigit((unsigned char)argv[i][0]) ||
		    (n == 2 && !isxdigit((unsigned char)argv[i][1])))
			return false;
	}
	return true;
}

static int parse_whole_text(struct tv_pctx *c, const char *s, size_t n)
{
	size_t pos = 0, k;
	struct tv_target root = { .node = 0 };
	bool syntax = false;

	/* the whole value as text or JSON prints every union member:
	 * they may all be given if they agree */
	c->json = true;
	tv_skip_ws(s, n, &pos);
	k = pos + 1;
	tv_skip_ws(s, n, &k);
	if (pos < n && s[pos] == '{' && (k >= n || s[k] == '"' || s[k] == '}'))
		return tv_json_into(c, s, n, false, &syntax);
	if (pos < n && s[pos] == '[') {
		/* [1,2] reads the same in both; JSON first, then text. */
		if (!tv_json_into(c, s, n, true, &syntax))
			return 0;
		if (!syntax)
			return -1;
	}
	if (c->p->nodes[0].type == TV_N_LEAF)
		root.leaf = &c->p->leaves[c->p->nodes[0].leaf];
	if (tv_parse_value(c, &root, s, n, &pos, TV_M_STRUCT))
		return -1;
	tv_skip_ws(s, n, &pos);
	if (pos < n) {
		tv_what(c, s + pos, n - pos);
		return tv_fail(c, "trailing characters after the value");
	}
	return 0;
}

/* One token into target t: it must be used up. */
static int parse_token(struct tv_pctx *c, const struct tv_target *t,
		       const char *a, size_t start)
{
	size_t n = strlen(a), pos = start;

	if (tv_parse_value(c, t, a, n, &pos, TV_M_TOP))
		return -1;
	return pos == n ? 0 : tv_trailing(c, a, n, pos);
}

/* The join of argv when its first token opens a {...} or [...] value. */
static int parse_joined(struct tv_pctx *c, int argc, char **argv)
{
	struct strbuf all = STRBUF_INIT;
	int r;

	for (int i = 0; i < argc; i++) {
		if (i)
			sb_addc(&all, ' ');
		sb_adds(&all, argv[i]);
	}
	r = parse_whole_text(c, sb_str(&all), all.len);
	sb_free(&all);
	return r;
}

/* Scalar plans (the root is one leaf): a bare value, one token per
 * element or row of an array, or bpftool's byte list. */
static int parse_root_leaf(struct tv_pctx *c, int argc, char **argv)
{
	const struct tv_plan *p = c->p;
	const struct tv_leaf *l = &p->leaves[p->nodes[0].leaf];
	struct tv_target t = { .node = 0, .leaf = l };
	int nd = l->ndims - (l->kind == TV_KIND_CHAR ? 1 : 0);

	if (argc > 1 && nd > 0 &&
	    ((uint32_t)argc == l->dims[0] ||
	     (l->kind != TV_KIND_CHAR && (uint32_t)argc == l->nelems))) {
		bool rows = (uint32_t)argc == l->dims[0];

		for (int i = 0; i < argc; i++) {
			struct tv_target el = {
				.node = 0, .leaf = l,
				.level = rows ? 1 : l->ndims,
				.base = rows ? (uint32_t)i * tv_level_count(l, 1)
					     : (uint32_t)i,
			};

			if (parse_token(c, &el, argv[i], 0))
				return -1;
		}
		return 0;
	}
	if (argc > 1 && (uint32_t)argc == p->size && all_bytes(argc, argv))
		return parse_bytes(c, argc, argv, false);
	if (argc > 1) {
		tv_what(c, argv[1], strlen(argv[1]));
		return tv_fail(c, "too many values (%s is one value)",
			       p->type_name);
	}
	return parse_token(c, &t, argv[0], 0);
}

/* Structs: all field=value, or all positional (in leaf order), or
 * bpftool's byte list when the count says so. */
static int parse_fields(struct tv_pctx *c, int argc, char **argv)
{
	const struct tv_plan *p = c->p;
	bool named = false;
	uint32_t cur = 0;

	for (int i = 0; i < argc; i++)
		if (tv_named_prefix(argv[i], strlen(argv[i])))
			named = true;
	for (int i = 0; named && i < argc; i++) {
		const char *a = argv[i];
		size_t n = strlen(a), np = tv_named_prefix(a, n);
		struct tv_target t;

		if (is_uncovered_tok(a)) {
			if (tv_write_uncovered(c, a + TV_UNCOVERED_LEN + 1,
					       n - TV_UNCOVERED_LEN - 1))
				return -1;
			continue;
		}

		if (!np) {
			tv_what(c, a, n);
			return tv_fail(c, "cannot mix positional values and field=value");
		}
		if (tv_resolve_path(c, 0, a, np, &t, a, n) ||
		    parse_token(c, &t, a, np + 1))
			return -1;
	}
	if (named)
		return 0;
	if ((uint32_t)argc != p->npositional && (uint32_t)argc == p->size &&
	    all_bytes(argc, argv))
		return parse_bytes(c, argc, argv, false);
	for (int i = 0; i < argc; i++) {
		const struct tv_leaf *l = tv_next_positional(p, 0, &cur);
		struct tv_target t = { .node = 0, .leaf = l };

		if (!l) {
			tv_what(c, argv[i], strlen(argv[i]));
			return tv_fail(c, "too many values (%s has %u fields)",
				       p->type_name, p->npositional);
		}
		if (parse_token(c, &t, argv[i], 0))
			return -1;
	}
	return 0;
}

static int parse_argv(struct tv_pctx *c, int argc, char **argv)
{
	const struct tv_plan *p = c->p;
	const char *a;

	if (argc <= 0)
		return p->size ? tv_fail(c, "no value given for %s", p->type_name)
			       : 0;
	if (!p->nnodes)
		return tv_fail(c, "%s holds no data", p->type_name);
	if (!strcmp(argv[0], "hex"))
		return parse_bytes(c, argc - 1, argv + 1, true);
	for (a = argv[0]; isspace((unsigned char)*a); a++)
		;
	if (whole_value(p, *a))
		return parse_joined(c, argc, argv);
	if (p->raw)
		return parse_bytes(c, argc, argv, false);
	if (p->nodes[0].type == TV_N_LEAF)
		return parse_root_leaf(c, argc, argv);
	return parse_fields(c, argc, argv);
}

int tv_parse_args(const struct tv_plan *p, int argc, char **argv, void *buf,
		  unsigned flags, struct strbuf *err)
{
	struct tv_pctx c;

	pctx_init(&c, p, buf, flags, err);
	return pctx_finish(&c, parse_argv(&c, argc, argv), buf);
}

/* Split text at whitespace outside quotes and brackets. */
static char **split_ws(const char *s, int *argc)
{
	size_t n = strlen(s), i = 0;
	char **v = calloc(n / 2 + 2, sizeof(*v));
	int k = 0;

	if (!v)
		abort();
	while (i < n) {
		size_t st;
		int depth = 0;
		bool q = false;

		while (i < n && isspace((unsigned char)s[i]))
			i++;
		if (i >= n)
			break;
		st = i;
		for (; i < n; i++) {
			if (q) {
				if (s[i] == '\\' && i + 1 < n)
					i++;
				else if (s[i] == '"')
					q = false;
				continue;
			}
			if (s[i] == '"')
				q = true;
			else if (s[i] == '[' || s[i] == '{')
				depth++;
			else if ((s[i] == ']' || s[i] == '}') && depth > 0)
				depth--;
			else if (isspace((unsigned char)s[i]) && !depth)
				break;
		}
		v[k] = strndup(s + st, i - st);
		if (!v[k])
			abort();
		k++;
	}
	*argc = k;
	return v;
}

int tv_parse_text(const struct tv_plan *p, const char *text, void *buf,
		  unsigned flags, struct strbuf *err)
{
	struct tv_pctx c;
	const char *s = text;
	char **argv;
	int argc, rc;

	while (isspace((unsigned char)*s))
		s++;
	pctx_init(&c, p, buf, flags, err);
	if (p->nnodes && whole_value(p, *s)) {
		rc = parse_whole_text(&c, s, strlen(s));
		return pctx_finish(&c, rc, buf);
	}
	argv = split_ws(s, &argc);
	/* a raw plan's text form is bare hex bytes */
	if (p->raw && argc && strcmp(argv[0], "hex") && all_hex(argc, argv))
		rc = parse_bytes(&c, argc, argv, true);
	else
		rc = parse_argv(&c, argc, argv);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	return pctx_finish(&c, rc, buf);
}

int tv_parse_json(const struct tv_plan *p, const char *json, void *buf,
		  unsigned flags, struct strbuf *err)
{
	struct tv_pctx c;
	bool syntax;

	pctx_init(&c, p, buf, flags, err);
	return pctx_finish(&c, tv_json_into(&c, json, strlen(json), false,
					    &syntax), buf);
}

int tv_leaf_parse(const struct tv_leaf *l, const char *text, void *rec,
		  struct strbuf *err)
{
	struct tv_pctx c;
	struct tv_target t = { .leaf = l };
	size_t pos = 0, n = strlen(text);
	int rc;

	pctx_init(&c, l->plan, rec, 0, err);
	rc = tv_parse_value(&c, &t, text, n, &pos, TV_M_TOP);
	if (!rc && pos != n)
		rc = tv_trailing(&c, text, n, pos);
	return pctx_finish(&c, rc, rec);
}

/* ------------------------------------------------------------- LPM keys */

static const struct tv_leaf *lpm_addr(const struct tv_plan *p)
{
	const struct tv_leaf *l0, *l1 = NULL;

	if (p->raw || p->nleaves < 2 || p->nodes[0].type != TV_N_STRUCT)
		return NULL;
	l0 = &p->leaves[0];
	if (strcmp(l0->name, "prefixlen") || l0->offset || l0->ndims ||
	    l0->bit_size || l0->elem_size != 4 || l0->kind != TV_KIND_UINT)
		return NULL;
	for (uint32_t i = 1; i < p->nleaves && !l1; i++)
		if (!p->leaves[i].is_padding)
			l1 = &p->leaves[i];
	if (!l1 || l1->bit_size || (l1->size != 4 && l1->size != 16))
		return NULL;
	return l1;
}

bool tv_plan_is_lpm_key(const struct tv_plan *p)
{
	return lpm_addr(p) != NULL;
}

int tv_parse_cidr_key(const struct tv_plan *p, const char *text, void *buf,
		      struct strbuf *err)
{
	const struct tv_leaf *a = lpm_addr(p);
	uint8_t addr[16], *dst;
	unsigned plen, w;
	int fam;

	if (!a) {
		tv_add_shown(err, text, strlen(text));
		sb_addf(err, ": %s is not an LPM key {prefixlen, addr}",
			p->type_name);
		return -1;
	}
	if (nf_parse_cidr(text, &fam, addr, &plen)) {
		tv_add_shown(err, text, strlen(text));
		sb_adds(err, ": not an address/prefix (expected e.g. 10.0.0.0/8 or fe80::/10)");
		return -1;
	}
	w = fam == 4 ? 4 : 16;
	if (w != a->size) {
		tv_add_shown(err, text, strlen(text));
		sb_addf(err, ": %s holds an IPv%d address", a->name,
			a->size == 4 ? 4 : 6);
		return -1;
	}
	/* clear host bits so the key prints as the prefix it matches */
	for (unsigned b = plen; b < w * 8; b++)
		addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
	dst = (uint8_t *)buf + a->offset;
	memcpy(dst, addr, w);
	tv_elem_put(&p->leaves[0], buf, 0, plen);
	return 0;
}
