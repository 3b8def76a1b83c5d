// SPDX-License-Identifier: GPL-2.0
/* tval_parse: the text walker, the inverse of tval_format. It follows the
 * plan tree over the one-line text form ({a=1 b=[1,2] s="x y"}) and over
 * the value part of command-line tokens, writing each scalar through
 * tval_scalar into the parse context's scratch copy of the record. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tval/tval_int.h"

static bool is_term(char ch, enum tv_mode m)
{
	if (m == TV_M_STRUCT)
		return isspace((unsigned char)ch) || ch == '}';
	if (m == TV_M_ARRAY)
		return isspace((unsigned char)ch) || ch == ',' || ch == ']';
	return false;
}

/* One scalar token: a "quoted string" with C escapes (unescaped into
 * c->tmp) or a bare run up to the mode's terminator. */
static int read_token(struct tv_pctx *c, const char *s, size_t n,
		      size_t *pos, enum tv_mode m, const char **tok, size_t *len)
{
	size_t i = *pos, st = i;

	if (i < n && s[i] == '"') {
		sb_reset(&c->tmp);
		for (i++; i < n && s[i] != '"'; i++) {
			unsigned v = 0;
			int k;

			if (s[i] != '\\') {
				sb_addc(&c->tmp, s[i]);
				continue;
			}
			if (++i >= n)
				break;
			switch (s[i]) {
			case 'n': sb_addc(&c->tmp, '\n'); continue;
			case 't': sb_addc(&c->tmp, '\t'); continue;
			case 'r': sb_addc(&c->tmp, '\r'); continue;
			case 'a': sb_addc(&c->tmp, '\a'); continue;
			case 'b': sb_addc(&c->tmp, '\b'); continue;
			case 'f': sb_addc(&c->tmp, '\f'); continue;
			case 'v': sb_addc(&c->tmp, '\v'); continue;
			case '0': sb_addc(&c->tmp, '\0'); continue;
			case '\\': case '"': case '\'':
				sb_addc(&c->tmp, s[i]);
				continue;
			case 'x':
				for (k = 0; k < 2 && i + 1 < n &&
				     isxdigit((unsigned char)s[i + 1]); k++) {
					char h = s[++i];

					v = v * 16 + (unsigned)(isdigit((unsigned char)h)
						? h - '0' : (tolower((unsigned char)h) - 'a' + 10));
				}
				if (!k)
					break;
				sb_addc(&c->tmp, (char)v);
				continue;
			default:
				break;
			}
			/* a top-level token is shown whole (name=...) */
			if (m == TV_M_TOP)
				st = 0;
			tv_what(c, s + st, n - st);
			sb_adds(c->err, "bad escape '\\");
			tv_add_shown(c->err, s + i, 1);
			return tv_fail(c, "' in string");
		}
		if (i >= n) {
			if (m == TV_M_TOP)
				st = 0;
			tv_what(c, s + st, n - st);
			return tv_fail(c, "unterminated string");
		}
		*pos = i + 1;
		*tok = sb_str(&c->tmp);
		*len = c->tmp.len;
		return 0;
	}
	if (m == TV_M_TOP)
		i = n;
	else
		while (i < n && !is_term(s[i], m))
			i++;
	*tok = s + st;
	*len = i - st;
	*pos = i;
	return 0;
}

/* Split s[0..n) at commas that are outside quotes and brackets. Returns
 * the item count; starts[]/ends[] filled up to max items. */
static uint32_t split_commas(const char *s, size_t n, size_t *starts,
			     size_t *ends, uint32_t max)
{
	uint32_t k = 0;
	int depth = 0;
	bool q = false;
	size_t st = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && q) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				q = false;
			continue;
		}
		if (i < n && s[i] == '"') {
			q = true;
		} else if (i < n && (s[i] == '[' || s[i] == '{')) {
			depth++;
		} else if (i < n && (s[i] == ']' || s[i] == '}')) {
			depth--;
		} else if (i == n || (s[i] == ',' && depth == 0)) {
			if (k < max) {
				starts[k] = st;
				ends[k] = i;
			}
			k++;
			st = i + 1;
		}
	}
	return k;
}

static void node_path(struct tv_pctx *c, const struct tv_target *t)
{
	sb_reset(&c->path);
	if (t->leaf) {
		sb_adds(&c->path, t->leaf->name);
		/* indexes already taken: recompute from base */
		uint32_t rest = t->base / tv_level_count(t->leaf, t->level);
		uint32_t idx[TV_MAX_DIMS];

		for (int k = t->level - 1; k >= 0; k--) {
			idx[k] = rest % t->leaf->dims[k];
			rest /= t->leaf->dims[k];
		}
		for (int k = 0; k < t->level; k++)
			sb_addf(&c->path, "[%u]", idx[k]);
	} else {
		sb_adds(&c->path, c->p->nodes[t->node].path);
	}
	if (!c->path.len)
		sb_adds(&c->path, "value");
}

static int count_err(struct tv_pctx *c, const struct tv_target *t,
		     uint32_t want, uint32_t got)
{
	node_path(c, t);
	return tv_fail(c, "%s: expected %u values, got %u", sb_str(&c->path),
		       want, got);
}

/* After an array element: 1 on ',' (more follow), 0 on ']' (done). */
static int array_sep(struct tv_pctx *c, const struct tv_target *t,
		     const char *s, size_t n, size_t *pos)
{
	tv_skip_ws(s, n, pos);
	if (*pos < n && (s[*pos] == ',' || s[*pos] == ']'))
		return s[(*pos)++] == ',';
	node_path(c, t);
	return tv_fail(c, "%s: expected ',' or ']' in array", sb_str(&c->path));
}

/* An array leaf dimension: [a,b,c], or in a top-level token a bare comma
 * list (one item per index, or flat over every element below). */
static int parse_dims(struct tv_pctx *c, const struct tv_target *t,
		      const char *s, size_t n, size_t *pos, enum tv_mode m)
{
	const struct tv_leaf *l = t->leaf;
	uint32_t cnt = l->dims[t->level];
	uint32_t stride = tv_level_count(l, t->level + 1);
	struct tv_target sub = { .node = t->node, .leaf = l,
			      .level = t->level + 1 };

	if (*pos < n && s[*pos] == '[') {
		uint32_t j = 0;
		int sep;

		(*pos)++;
		tv_skip_ws(s, n, pos);
		if (*pos < n && s[*pos] == ']') {
			(*pos)++;
			return cnt ? count_err(c, t, cnt, 0) : 0;
		}
		for (;;) {
			tv_skip_ws(s, n, pos);
			if (j >= cnt) {
				count_err(c, t, cnt, j + 1);
				return -1;
			}
			sub.base = t->base + j * stride;
			if (tv_parse_value(c, &sub, s, n, pos, TV_M_ARRAY))
				return -1;
			j++;
			sep = array_sep(c, t, s, n, pos);
			if (sep < 0)
				return -1;
			if (!sep)
				break;
		}
		return j == cnt ? 0 : count_err(c, t, cnt, j);
	}
	if (m == TV_M_TOP) {
		uint32_t total = tv_level_count(l, t->level);
		bool flat_ok = l->kind != TV_KIND_CHAR;
		size_t *st, *en;
		uint32_t k, max = total > cnt ? total : cnt;
		const char *v = s + *pos;
		size_t vn = n - *pos;
		int r = 0;

		k = split_commas(v, vn, NULL, NULL, 0);
		if (k != cnt && !(flat_ok && k == total))
			return count_err(c, t, cnt, k);
		st = malloc(sizeof(*st) * max);
		en = malloc(sizeof(*en) * max);
		if (!st || !en)
			abort();
		split_commas(v, vn, st, en, max);
		for (uint32_t j = 0; j < k && !r; j++) {
			size_t ip = 0, in = en[j] - st[j];
			const char *item = v + st[j];

			if (k == cnt) {
				sub.base = t->base + j * stride;
				r = tv_parse_value(c, &sub, item, in, &ip, TV_M_TOP);
			} else {
				struct tv_target el = { .node = t->node, .leaf = l,
						     .level = l->ndims,
						     .base = t->base + j };

				r = tv_parse_value(c, &el, item, in, &ip, TV_M_TOP);
			}
			if (!r && ip != in)
				r = tv_trailing(c, item, in, ip);
		}
		free(st);
		free(en);
		*pos = n;
		return r;
	}
	node_path(c, t);
	return tv_fail(c, "%s: expected '[' for an array of %u", sb_str(&c->path),
		       cnt);
}

static int parse_struct(struct tv_pctx *c, uint32_t idx, const char *s,
			size_t n, size_t *pos)
{
	const struct tv_plan *p = c->p;
	uint32_t cur = idx;
	int style = 0;	/* 1 named, 2 positional */

	if (*pos >= n || s[*pos] != '{') {
		struct tv_target t = { .node = idx };

		node_path(c, &t);
		return tv_fail(c, "%s: expected '{' for %s", sb_str(&c->path),
			       p->nodes[idx].type_name);
	}
	(*pos)++;
	for (;;) {
		struct tv_target t;
		size_t np, st;

		tv_skip_ws(s, n, pos);
		if (*pos >= n) {
			tv_what(c, s, n);
			return tv_fail(c, "missing '}'");
		}
		if (s[*pos] == '}') {
			(*pos)++;
			return 0;
		}
		st = *pos;
		if (!idx && n - st > TV_UNCOVERED_LEN &&
		    !memcmp(s + st, TV_UNCOVERED "=", TV_UNCOVERED_LEN + 1)) {
			size_t e = st + TV_UNCOVERED_LEN + 1, v = e;

			while (e < n && !isspace((unsigned char)s[e]) && s[e] != '}')
				e++;
			if (tv_write_uncovered(c, s + v, e - v))
				return -1;
			*pos = e;
			continue;
		}
		np = tv_named_prefix(s + st, n - st);
		if ((np && style == 2) || (!np && style == 1)) {
			tv_what(c, s + st, n - st);
			return tv_fail(c, "cannot mix positional values and field=value");
		}
		if (np) {
			size_t e = st + np + 1;

			style = 1;
			while (e < n && !isspace((unsigned char)s[e]) && s[e] != '}')
				e++;
			if (tv_resolve_path(c, idx, s + st, np, &t, s + st, e - st))
				return -1;
			*pos = st + np + 1;
		} else {
			const struct tv_leaf *l = tv_next_positional(p, idx, &cur);

			style = 2;
			if (!l) {
				uint32_t k = idx, total = 0;

				while (tv_next_positional(p, idx, &k))
					total++;
				tv_what(c, s + st, n - st);
				return tv_fail(c, "too many values (%s has %u fields)",
					       p->nodes[idx].type_name, total);
			}
			t = (struct tv_target){ .node = idx, .leaf = l };
		}
		if (tv_parse_value(c, &t, s, n, pos, TV_M_STRUCT))
			return -1;
		if (*pos < n && !isspace((unsigned char)s[*pos]) &&
		    s[*pos] != '}') {
			tv_what(c, s + st, n - st);
			return tv_fail(c, "expected a space or '}' after the value");
		}
	}
}

/* An array whose elements are structs: [{...},{...}]. */
static int parse_array_nodes(struct tv_pctx *c, uint32_t idx, const char *s,
			     size_t n, size_t *pos)
{
	const struct tv_plan *p = c->p;
	const struct tv_node *nd = &p->nodes[idx];
	struct tv_target t = { .node = idx };
	uint32_t ch = idx + 1, j = 0;
	int sep;

	if (*pos >= n || s[*pos] != '[') {
		node_path(c, &t);
		return tv_fail(c, "%s: expected '[' for an array of %u",
			       sb_str(&c->path), nd->nchild);
	}
	(*pos)++;
	tv_skip_ws(s, n, pos);
	if (*pos < n && s[*pos] == ']') {
		(*pos)++;
		return nd->nchild ? count_err(c, &t, nd->nchild, 0) : 0;
	}
	for (;;) {
		struct tv_target el = { 0 };

		tv_skip_ws(s, n, pos);
		if (j >= nd->nchild)
			return count_err(c, &t, nd->nchild, j + 1);
		el.node = ch;
		if (p->nodes[ch].type == TV_N_LEAF)
			el.leaf = &p->leaves[p->nodes[ch].leaf];
		if (tv_parse_value(c, &el, s, n, pos, TV_M_ARRAY))
			return -1;
		ch = p->nodes[ch].end;
		j++;
		sep = array_sep(c, &t, s, n, pos);
		if (sep < 0)
			return -1;
		if (!sep)
			break;
	}
	return j == nd->nchild ? 0 : count_err(c, &t, nd->nchild, j);
}

int tv_parse_value(struct tv_pctx *c, const struct tv_target *t,
		       const char *s, size_t n, size_t *pos, enum tv_mode m)
{
	const struct tv_leaf *l = t->leaf;
	const char *tok;
	size_t tl;

	if (!l) {
		const struct tv_node *nd = &c->p->nodes[t->node];

		if (nd->type == TV_N_ARRAY)
			return parse_array_nodes(c, t->node, s, n, pos);
		return parse_struct(c, t->node, s, n, pos);
	}
	if (l->kind == TV_KIND_CHAR && t->level == l->ndims - 1) {
		if (read_token(c, s, n, pos, m, &tok, &tl))
			return -1;
		return tv_write_chars(c, l, t->base, tok, tl, TV_SRC_TEXT);
	}
	if (t->level < l->ndims)
		return parse_dims(c, t, s, n, pos, m);
	if (read_token(c, s, n, pos, m, &tok, &tl))
		return -1;
	return tv_write_scalar(c, l, t->base, tok, tl, TV_SRC_TEXT);
}
