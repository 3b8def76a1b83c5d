// SPDX-License-Identifier: GPL-2.0
/* tval_json: JSON input. jansson does the parsing; this file only walks the
 * parsed document along the plan tree. jansson reads integers into a signed
 * long long (no u64 above INT64_MAX, no 128-bit values) and reals into
 * doubles, so before parsing every bare number token is wrapped into a
 * marked string ("\u0001<token>") and parsed exactly by tval_scalar, like a
 * number on the command line. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "tval/tval_int.h"

#define NUM_MARK '\x01'
#define MARK_TEXT "\"\\u0001"	/* what is inserted before a number */

/* Copy s to out, quoting number tokens; map[i] = input offset of out[i]. */
static uint32_t *quote_numbers(const char *s, size_t n, struct strbuf *out)
{
	uint32_t *map = malloc((2 * n + 8 * (n + 1) + 1) * sizeof(*map));
	bool str = false;
	size_t i = 0;

	if (!map)
		abort();
#define PUT(ch, at) do { map[out->len] = (uint32_t)(at); sb_addc(out, (ch)); } while (0)
	while (i < n) {
		char ch = s[i];

		if (str) {
			PUT(ch, i);
			if (ch == '\\' && i + 1 < n) {
				i++;
				PUT(s[i], i);
			} else if (ch == '"') {
				str = false;
			}
			i++;
			continue;
		}
		if (ch == '"') {
			str = true;
			PUT(ch, i);
			i++;
			continue;
		}
		if (isdigit((unsigned char)ch) || ch == '-' || ch == '+' ||
		    (ch == '.' && i + 1 < n && isdigit((unsigned char)s[i + 1]))) {
			size_t j = i;

			while (j < n && (isalnum((unsigned char)s[j]) ||
					 s[j] == '+' || s[j] == '-' ||
					 s[j] == '.' || s[j] == '_'))
				j++;
			for (const char *m = MARK_TEXT; *m; m++)
				PUT(*m, i);
			for (; i < j; i++)
				PUT(s[i], i);
			PUT('"', j);
			continue;
		}
		PUT(ch, i);
		i++;
	}
	map[out->len] = (uint32_t)n;
#undef PUT
	return map;
}

/* jansson's message shows our quoting ("\u0001123"): drop it again. */
static void clean_msg(struct strbuf *err, const char *msg)
{
	const char *p = msg;

	while (*p) {
		const char *m = strstr(p, MARK_TEXT);

		if (!m) {
			tv_add_shown(err, p, strlen(p));
			return;
		}
		tv_add_shown(err, p, (size_t)(m - p));
		p = m + strlen(MARK_TEXT);
		/* the closing quote after the number */
		while (*p && (isalnum((unsigned char)*p) || strchr("+-._", *p)))
			sb_addc(err, *p++);
		if (*p == '"')
			p++;
	}
}

static int at(struct tv_pctx *c, const char *path, const char *fmt,
	      const char *type)
{
	sb_adds(c->err, *path ? path : "value");
	sb_add(c->err, ": ", 2);
	sb_addf(c->err, fmt, type);
	return -1;
}

/* A scalar JSON value as text: strings as they are, marked numbers
 * without the mark, booleans as words. */
static bool scalar_text(json_t *v, const char **s, size_t *n,
			enum tv_src *src)
{
	if (json_is_string(v)) {
		*s = json_string_value(v);
		*n = json_string_length(v);
		*src = TV_SRC_JSON_STR;
		if (*n && **s == NUM_MARK) {
			(*s)++;
			(*n)--;
			*src = TV_SRC_JSON_NUM;
		}
		return true;
	}
	if (json_is_true(v) || json_is_false(v)) {
		*s = json_is_true(v) ? "true" : "false";
		*n = strlen(*s);
		*src = TV_SRC_TEXT;
		return true;
	}
	return false;
}

static const char *kind_name(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_NULL: return "null";
	default: return "a value";
	}
}

static int walk_raw(struct tv_pctx *c, const struct tv_leaf *l, json_t *v)
{
	size_t i;
	json_t *e;

	if (!json_is_array(v) || json_array_size(v) != l->elem_size) {
		sb_addf(c->err, "value: expected an array of %u bytes",
			l->elem_size);
		return -1;
	}
	json_array_foreach(v, i, e) {
		const char *s;
		size_t n, bad;
		enum tv_src src;
		tv_u128 x;
		bool neg;

		if (!scalar_text(e, &s, &n, &src) ||
		    tv_parse_int(s, n, &x, &neg, &bad) || neg || x > 255) {
			sb_addf(c->err, "value[%zu]: not a byte (expected \"0x0a\" or 0..255)",
				i);
			return -1;
		}
		c->buf[l->offset + i] = (uint8_t)x;
	}
	tv_mark(c, l, 0, 1);
	return 0;
}

static int walk_leaf(struct tv_pctx *c, const struct tv_leaf *l, int level,
		     uint32_t base, json_t *v)
{
	const char *s;
	size_t n;
	enum tv_src src;

	if (l->plan->raw)
		return walk_raw(c, l, v);
	if (l->kind == TV_KIND_CHAR && level == l->ndims - 1) {
		if (!scalar_text(v, &s, &n, &src))
			goto bad_scalar;
		return tv_write_chars(c, l, base, s, n, src);
	}
	if (level < l->ndims) {
		uint32_t stride = 1;
		size_t i;
		json_t *e;

		for (int k = level + 1; k < l->ndims; k++)
			stride *= l->dims[k];
		if (!json_is_array(v) || json_array_size(v) != l->dims[level]) {
			sb_addf(c->err, "%s: expected an array of %u",
				*l->name ? l->name : "value", l->dims[level]);
			return -1;
		}
		json_array_foreach(v, i, e)
			if (walk_leaf(c, l, level + 1,
				      base + (uint32_t)i * stride, e))
				return -1;
		return 0;
	}
	if (!scalar_text(v, &s, &n, &src))
		goto bad_scalar;
	return tv_write_scalar(c, l, base, s, n, src);
bad_scalar:
	sb_addf(c->err, "%s: expected a value for %s, got %s",
		*l->name ? l->name : "value", l->type_name, kind_name(v));
	return -1;
}

static int walk_node(struct tv_pctx *c, uint32_t idx, json_t *v)
{
	const struct tv_plan *p = c->p;
	const struct tv_node *nd = &p->nodes[idx];

	switch (nd->type) {
	case TV_N_LEAF:
		return walk_leaf(c, &p->leaves[nd->leaf], 0, 0, v);
	case TV_N_STRUCT:
	case TV_N_UNION: {
		const char *key;
		json_t *val;

		if (!json_is_object(v))
			return at(c, nd->path, "expected a JSON object for %s",
				  nd->type_name);
		json_object_foreach(v, key, val) {
			size_t kl = strlen(key);
			uint32_t ch = tv_find_child(p, idx, key, kl);

			if (ch == UINT32_MAX && !idx && !strcmp(key, TV_UNCOVERED)) {
				const char *us;
				size_t un;
				enum tv_src src;

				if (!scalar_text(val, &us, &un, &src) ||
				    src != TV_SRC_JSON_STR)
					return at(c, TV_UNCOVERED, "expected a \"0x..\" string%s", "");
				if (tv_write_uncovered(c, us, un))
					return -1;
				continue;
			}
			if (ch == UINT32_MAX) {
				struct strbuf tok = STRBUF_INIT;
				int r;

				if (*nd->path) {
					sb_adds(&tok, nd->path);
					sb_addc(&tok, '.');
				}
				sb_adds(&tok, key);
				r = tv_no_field(c, idx, key, kl, sb_str(&tok),
						tok.len);
				sb_free(&tok);
				return r;
			}
			if (walk_node(c, ch, val))
				return -1;
		}
		return 0;
	}
	case TV_N_ARRAY: {
		uint32_t ch = idx + 1;
		size_t i;
		json_t *e;

		if (!json_is_array(v) || json_array_size(v) != nd->nchild) {
			sb_addf(c->err, "%s: expected an array of %u",
				*nd->path ? nd->path : "value", nd->nchild);
			return -1;
		}
		json_array_foreach(v, i, e) {
			if (walk_node(c, ch, e))
				return -1;
			ch = p->nodes[ch].end;
		}
		return 0;
	}
	}
	return -1;
}

int tv_json_into(struct tv_pctx *c, const char *text, size_t n, bool quiet,
		 bool *syntax)
{
	struct strbuf q = STRBUF_INIT;
	uint32_t *map = quote_numbers(text, n, &q);
	json_error_t jerr;
	json_t *root;
	int rc;

	*syntax = false;
	root = json_loadb(sb_str(&q), q.len,
			  JSON_REJECT_DUPLICATES | JSON_DECODE_ANY |
			  JSON_ALLOW_NUL, &jerr);
	if (!root) {
		size_t pos = jerr.position > 0 ? (size_t)jerr.position : 0;

		*syntax = true;
		if (!quiet) {
			if (pos > q.len)
				pos = q.len;
			sb_addf(c->err, "invalid JSON at position %u: ",
				map[pos]);
			clean_msg(c->err, jerr.text);
		}
		free(map);
		sb_free(&q);
		return -1;
	}
	free(map);
	sb_free(&q);
	c->json = true;
	rc = c->p->nnodes ? walk_node(c, 0, root) : 0;
	json_decref(root);
	return rc;
}
