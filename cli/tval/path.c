// SPDX-License-Identifier: GPL-2.0
/* tval_path: field paths ("a.b[2].c") to plan nodes, with "did you mean"
 * hints for unknown names, and the positional order of leaves. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/suggest.h"
#include "tval/tval_int.h"

/* Direct child of a struct/union node by name. */
uint32_t tv_find_child(const struct tv_plan *p, uint32_t idx,
			   const char *name, size_t len)
{
	for (uint32_t ch = idx + 1; ch < p->nodes[idx].end;
	     ch = p->nodes[ch].end) {
		const char *cn = p->nodes[ch].name;

		if (cn && strlen(cn) == len && !memcmp(cn, name, len))
			return ch;
	}
	return UINT32_MAX;
}

int tv_no_field(struct tv_pctx *c, uint32_t idx, const char *name,
		    size_t len, const char *tok, size_t tn)
{
	const struct tv_plan *p = c->p;
	struct sg_best best;
	char *nm = strndup(name, len);

	if (!nm)
		abort();
	tv_what(c, tok, tn);
	sb_addf(c->err, "%s has no field '", p->nodes[idx].type_name);
	tv_add_shown(c->err, nm, len);
	sb_addc(c->err, '\'');
	sg_init(&best, nm);
	for (uint32_t ch = idx + 1; ch < p->nodes[idx].end; ch = p->nodes[ch].end)
		sg_offer(&best, p->nodes[ch].name);
	if (best.best) {
		sb_addf(c->err, " (did you mean '%s'?)", best.best);
	} else {
		/* short structs: just list what is there */
		uint32_t k = 0;

		for (uint32_t ch = idx + 1; ch < p->nodes[idx].end;
		     ch = p->nodes[ch].end)
			k++;
		if (k && k <= 12) {
			sb_adds(c->err, " (fields:");
			for (uint32_t ch = idx + 1; ch < p->nodes[idx].end;
			     ch = p->nodes[ch].end)
				if (p->nodes[ch].name)
					sb_addf(c->err, " %s", p->nodes[ch].name);
			sb_addc(c->err, ')');
		}
	}
	free(nm);
	return -1;
}

/* Resolve "a.b[2].c" below node idx into a target. tok is the whole token
 * for messages. */
int tv_resolve_path(struct tv_pctx *c, uint32_t idx, const char *path,
			size_t plen, struct tv_target *t, const char *tok,
			size_t tn)
{
	const struct tv_plan *p = c->p;
	size_t i = 0;

	t->node = idx;
	t->leaf = NULL;
	t->level = 0;
	t->base = 0;
	while (i < plen) {
		const struct tv_node *nd = &p->nodes[t->node];

		if (path[i] == '[') {
			size_t st = ++i;
			unsigned long v = 0;

			while (i < plen && isdigit((unsigned char)path[i]) &&
			       v < 100000000)
				v = v * 10 + (unsigned long)(path[i++] - '0');
			if (i == st || i >= plen || path[i] != ']') {
				tv_what(c, tok, tn);
				return tv_fail(c, "bad index in '%.*s'",
					       (int)plen, path);
			}
			i++;
			if (!t->leaf && nd->type == TV_N_LEAF) {
				t->leaf = &p->leaves[nd->leaf];
				t->level = 0;
				t->base = 0;
			}
			if (t->leaf) {
				const struct tv_leaf *l = t->leaf;
				int maxlvl = l->ndims -
					     (l->kind == TV_KIND_CHAR ? 1 : 0);

				if (t->level >= maxlvl) {
					tv_what(c, tok, tn);
					return tv_fail(c, "'%.*s' is not an array",
						       (int)(st - 1), path);
				}
				if (v >= l->dims[t->level]) {
					tv_what(c, tok, tn);
					return tv_fail(c, "index %lu out of range for '%.*s' (%u elements)",
						       v, (int)(st - 1), path,
						       l->dims[t->level]);
				}
				t->base += (uint32_t)v *
					   tv_level_count(l, t->level + 1);
				t->level++;
				continue;
			}
			if (nd->type != TV_N_ARRAY) {
				tv_what(c, tok, tn);
				return tv_fail(c, "'%.*s' is not an array",
					       (int)(st - 1), path);
			}
			if (v >= nd->nchild) {
				tv_what(c, tok, tn);
				return tv_fail(c, "index %lu out of range for '%.*s' (%u elements)",
					       v, (int)(st - 1), path, nd->nchild);
			}
			uint32_t ch = t->node + 1;

			for (unsigned long k = 0; k < v; k++)
				ch = p->nodes[ch].end;
			t->node = ch;
			continue;
		}
		if (i) {
			if (path[i] != '.') {
				tv_what(c, tok, tn);
				return tv_fail(c, "bad field name '%.*s'",
					       (int)plen, path);
			}
			i++;
		}
		size_t st = i;

		while (i < plen && (isalnum((unsigned char)path[i]) ||
				    path[i] == '_'))
			i++;
		if (i == st) {
			tv_what(c, tok, tn);
			return tv_fail(c, "bad field name '%.*s'", (int)plen,
				       path);
		}
		if (t->leaf || (nd->type != TV_N_STRUCT &&
				nd->type != TV_N_UNION)) {
			tv_what(c, tok, tn);
			return tv_fail(c, "'%.*s' is not a struct (no field '%.*s')",
				       (int)(st ? st - 1 : 0), path,
				       (int)(i - st), path + st);
		}
		uint32_t ch = tv_find_child(p, t->node, path + st, i - st);

		if (ch == UINT32_MAX)
			return tv_no_field(c, t->node, path + st, i - st, tok, tn);
		t->node = ch;
	}
	if (!t->leaf && p->nodes[t->node].type == TV_N_LEAF)
		t->leaf = &p->leaves[p->nodes[t->node].leaf];
	return 0;
}

/* Does s start with "name=" / "a.b[1]=" (a field path and '=')? */
size_t tv_named_prefix(const char *s, size_t n)
{
	size_t i = 0;

	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' ||
			 s[i] == '.' || s[i] == '[' || s[i] == ']'))
		i++;
	return i < n && s[i] == '=' ? i : 0;
}

/* Next leaf below node idx that positional values fill, after *cur. */
const struct tv_leaf *tv_next_positional(const struct tv_plan *p,
					     uint32_t idx, uint32_t *cur)
{
	for (uint32_t k = *cur; k < p->nodes[idx].end; k++) {
		const struct tv_node *nd = &p->nodes[k];

		if (nd->type != TV_N_LEAF)
			continue;
		const struct tv_leaf *l = &p->leaves[nd->leaf];

		if (l->is_padding || l->in_union_alt)
			continue;
		*cur = k + 1;
		return l;
	}
	*cur = p->nodes[idx].end;
	return NULL;
}
