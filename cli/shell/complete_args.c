// SPDX-License-Identifier: GPL-2.0
/* Completing what follows a verb: typed keys and values (field=, enum
 * names, formats' words) and the query words of dump, count and watch. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include "shell/batch.h"
#include "cmd/registry.h"
#include "map/bundle.h"
#include "shell/complete.h"
#include "shell/complete_int.h"
#include "base/err.h"
#include "verbs/map_verbs.h"
#include "map/mapinfo.h"
#include "map/mapref.h"
#include "tval/netfmt.h"
#include "query/query.h"
#include "query/words.h"
#include "tval/tval.h"

/* ---- values of a typed field ---- */

static void offer_enum(struct an *a, const struct btf *btf, __u32 type_id)
{
	const struct btf_type *t = btf ? btf__type_by_id(btf, type_id) : NULL;
	size_t plen = 0;
	int n;

	if (!t || !(btf_is_enum(t) || btf_is_enum64(t)))
		return;
	n = btf_vlen(t);
	/* The common prefix up to an underscore ("FW_"), which the parser
	 * lets the user leave out. */
	for (int i = 0; i < n; i++) {
		__u32 off = btf_is_enum(t) ? btf_enum(t)[i].name_off
					   : btf_enum64(t)[i].name_off;
		const char *s = btf__name_by_offset(btf, off);
		const char *f;
		size_t k = 0;

		if (!s)
			return;
		if (i == 0) {
			const char *u = strrchr(s, '_');

			plen = u ? (size_t)(u - s) + 1 : 0;
			continue;
		}
		f = btf__name_by_offset(btf, btf_is_enum(t) ? btf_enum(t)[0].name_off
							    : btf_enum64(t)[0].name_off);
		while (k < plen && s[k] == f[k])
			k++;
		while (k > 0 && s[k - 1] != '_')
			k--;
		plen = k;
	}
	for (int i = 0; i < n; i++) {
		char desc[32];
		long long v;
		const char *s;

		if (btf_is_enum(t)) {
			s = btf__name_by_offset(btf, btf_enum(t)[i].name_off);
			v = btf_enum(t)[i].val;
		} else {
			s = btf__name_by_offset(btf, btf_enum64(t)[i].name_off);
			v = (long long)btf_enum64_value(&btf_enum64(t)[i]);
		}
		snprintf(desc, sizeof(desc), "%lld", v);
		offer_alt(a, s, strlen(s) > plen ? s + plen : NULL, desc);
	}
}

bool leaf_has_values(const struct tv_leaf *l)
{
	return l->kind == TV_KIND_ENUM || l->kind == TV_KIND_BOOL ||
	       tv_fmt_info(l->fmt)->values;
}

void offer_leaf_values(struct an *a, const struct btf *btf, const struct tv_leaf *l)
{
	if (l->kind == TV_KIND_ENUM)
		offer_enum(a, btf, l->type_id);
	if (l->kind == TV_KIND_BOOL) {
		offer(a, "true", NULL);
		offer(a, "false", NULL);
	}
	switch (l->fmt) {
	case TV_FMT_IPPROTO:
		for (unsigned p = 0; p < 256; p++) {
			const char *name = nf_ipproto_name(p);
			char desc[16];

			if (name) {
				snprintf(desc, sizeof(desc), "protocol %u", p);
				offer(a, name, desc);
			}
		}
		break;
	case TV_FMT_IFINDEX:
		offer_ifaces(a);
		break;
	case TV_FMT_TCPFLAGS:
		for (int b = 0; b < 9; b++) {
			struct strbuf sb = STRBUF_INIT;

			nf_add_tcpflags(&sb, 1ull << b);
			if (sb.len && !strchr(sb_str(&sb), 'x'))
				offer(a, sb_str(&sb), NULL);
			sb_free(&sb);
		}
		break;
	case TV_FMT_KTIME:
		offer(a, "now", NULL);
		break;
	default:
		break;
	}
}

void leaf_desc(const struct tv_leaf *l, char *buf, size_t len)
{
	const char *f = tv_fmt_name(l->fmt);

	snprintf(buf, len, "%s%s%s%s", l->type_name ? l->type_name : "",
		 f && *f ? " (" : "", f && *f ? f : "", f && *f ? ")" : "");
}

bool leaf_listed(const struct tv_leaf *l)
{
	return !l->is_padding && l->name && *l->name;
}

/* key=/value= style field names of a plan, skipping those in used[]. */
static void offer_fields_eq(struct an *a, const struct tv_plan *p,
			    char **used, int nused)
{
	for (uint32_t i = 0; p && i < tv_plan_nleaves(p); i++) {
		const struct tv_leaf *l = tv_plan_leaf(p, i);
		char w[256], desc[128];
		bool seen = false;

		if (!leaf_listed(l))
			continue;
		for (int k = 0; k < nused && !seen; k++) {
			const char *eq = strchr(used[k], '=');

			seen = eq && strlen(l->name) == (size_t)(eq - used[k]) &&
			       !strncmp(used[k], l->name, (size_t)(eq - used[k]));
		}
		if (seen)
			continue;
		snprintf(w, sizeof(w), "%s=", l->name);
		leaf_desc(l, desc, sizeof(desc));
		offer(a, w, desc);
	}
}

static const struct tv_leaf *plan_leaf(const struct tv_plan *p,
				       const char *name, size_t len)
{
	for (uint32_t i = 0; p && i < tv_plan_nleaves(p); i++) {
		const struct tv_leaf *l = tv_plan_leaf(p, i);

		if (l->name && strlen(l->name) == len &&
		    !strncmp(l->name, name, len))
			return l;
	}
	return NULL;
}

/* A query field name (query.h): a leaf name, key.F / value.F, or key /
 * value for a scalar side. */
static const struct tv_leaf *query_leaf(const struct cmap *m, const char *name,
					size_t len)
{
	const struct tv_leaf *l;

	if (len > 4 && !strncmp(name, "key.", 4))
		return plan_leaf(m->kplan, name + 4, len - 4);
	if (len > 6 && !strncmp(name, "value.", 6))
		return plan_leaf(m->vplan, name + 6, len - 6);
	if (len == 3 && !strncmp(name, "key", 3) && m->kplan &&
	    tv_plan_is_scalar(m->kplan))
		return tv_plan_leaf(m->kplan, 0);
	if (len == 5 && !strncmp(name, "value", 5) && m->vplan &&
	    tv_plan_is_scalar(m->vplan))
		return tv_plan_leaf(m->vplan, 0);
	l = plan_leaf(m->kplan, name, len);
	return l ? l : plan_leaf(m->vplan, name, len);
}

void offer_query_fields(struct an *a, const struct cmap *m)
{
	for (int side = 0; side < 2; side++) {
		const struct tv_plan *p = side ? m->vplan : m->kplan;
		const struct tv_plan *o = side ? m->kplan : m->vplan;

		if (!p)
			continue;
		if (tv_plan_is_scalar(p)) {
			char desc[128];

			leaf_desc(tv_plan_leaf(p, 0), desc, sizeof(desc));
			offer(a, side ? "value" : "key", desc);
			continue;
		}
		for (uint32_t i = 0; i < tv_plan_nleaves(p); i++) {
			const struct tv_leaf *l = tv_plan_leaf(p, i);
			char w[256], desc[128];

			if (!leaf_listed(l))
				continue;
			if (plan_leaf(o, l->name, strlen(l->name)))
				snprintf(w, sizeof(w), "%s.%s",
					 side ? "value" : "key", l->name);
			else
				snprintf(w, sizeof(w), "%s", l->name);
			leaf_desc(l, desc, sizeof(desc));
			offer(a, w, desc);
		}
	}
}

/* ---- query words (dump ... where/sort/limit/fields) ---- */

/* The clauses the verb's synopsis has (count: only where). */
static void offer_query_keywords(struct an *a)
{
	static const unsigned clause_bits[] = {	/* query_clause_words' order */
		QC_WHERE, QC_SORT | QC_SORT_RATE, QC_LIMIT, QC_FIELDS | QC_FIELDS_FLAT,
	};
	const char *save = a->prefix;
	const struct arg_spec *q = a->cmd ? cmd_arg_kind(a->cmd, ARG_QUERY) : NULL;

	a->prefix = NULL;
	for (int i = 0; q && query_clause_words[i] &&
			i < (int)(sizeof(clause_bits) / sizeof(clause_bits[0])); i++)
		if (q->clauses & clause_bits[i])
			offer(a, query_clause_words[i], NULL);
	a->prefix = save;
}

/* Complete the last comma-separated part of the partial word. */
static void offer_fields_list(struct an *a, const struct cmap *m)
{
	const char *comma = strrchr(a->cur, ',');
	char pre[512];

	if (comma) {
		snprintf(pre, sizeof(pre), "%.*s", (int)(comma - a->cur + 1),
			 a->cur);
		a->prefix = pre;
	}
	offer_query_fields(a, m);
	a->prefix = NULL;
}

/* After sort: the fields, and for watch the rates of the counters. */
static void offer_sort_fields(struct an *a, const struct cmap *m)
{
	const char *comma = strrchr(a->cur, ',');
	char pre[512], w[256];

	offer_fields_list(a, m);
	if (!a->cmd || strcmp(a->cmd->name, "watch") || !m->vplan)
		return;
	if (comma) {
		snprintf(pre, sizeof(pre), "%.*s", (int)(comma - a->cur + 1), a->cur);
		a->prefix = pre;
	}
	for (uint32_t i = 0; i < tv_plan_nleaves(m->vplan); i++) {
		const struct tv_leaf *l = tv_plan_leaf(m->vplan, i);

		/* watch's counter rule: those get a rate column. */
		if (!leaf_listed(l) || !tv_leaf_is_counter(m->vplan, l, !a->ctx->set.map.raw_values))
			continue;
		snprintf(w, sizeof(w), "%s%s/s",
			 plan_leaf(m->kplan, l->name, strlen(l->name)) ? "value." : "", l->name);
		offer(a, w, "rate per second");
	}
	a->prefix = NULL;
}

static void complete_query(struct an *a, const struct cmap *m, char **q, int nq)
{
	const char *kw = q[0];
	const char *prev = nq > 1 ? q[nq - 1] : NULL;

	if (!strcasecmp(kw, "limit")) {
		if (prev)
			offer_query_keywords(a);
		return;
	}
	if (!strcasecmp(kw, "fields")) {
		offer_fields_list(a, m);
		if (prev && !strchr(a->cur, ','))
			offer_query_keywords(a);
		return;
	}
	if (!strcasecmp(kw, "sort")) {
		if (!prev || prev[strlen(prev) - 1] == ',') {
			offer_sort_fields(a, m);
			return;
		}
		if (strcasecmp(prev, "asc") && strcasecmp(prev, "desc")) {
			offer(a, "asc", "ascending (the default)");
			offer(a, "desc", "descending");
		} else {
			offer_sort_fields(a, m);
		}
		offer_query_keywords(a);
		return;
	}
	/* where */
	{
		const char *op = NULL;
		size_t flen = 0;
		char pre[512];

		/* An operator glued to the partial word: protocol==t */
		for (const char *p = a->cur; *p && !op; p++)
			if (strchr("=!<>~", *p) && p != a->cur) {
				op = p;
				flen = (size_t)(p - a->cur);
			}
		if (op) {
			const struct tv_leaf *l = query_leaf(m, a->cur, flen);
			const char *v = op;

			while (*v && strchr("=!<>~", *v))
				v++;
			if (l) {
				snprintf(pre, sizeof(pre), "%.*s",
					 (int)(v - a->cur), a->cur);
				a->prefix = pre;
				offer_leaf_values(a, m->btf, l);
				a->prefix = NULL;
			}
			return;
		}
		if (!prev || query_is_bool_word(prev) || !strcasecmp(prev, "where")) {
			offer_query_fields(a, m);
			offer(a, "not", NULL);
			return;
		}
		if (query_is_op(prev)) {
			const struct tv_leaf *l = nq > 2 ?
				query_leaf(m, q[nq - 2], strlen(q[nq - 2])) : NULL;

			if (l)
				offer_leaf_values(a, m->btf, l);
			return;
		}
		if (query_leaf(m, prev, strlen(prev))) {
			for (int i = 0; query_op_words[i].text; i++)
				if (query_op_words[i].shown)
					offer(a, query_op_words[i].text, NULL);
			return;
		}
		offer(a, "and", NULL);
		offer(a, "or", NULL);
		offer_query_keywords(a);
	}
}

/* ---- verb arguments ---- */


static int plan_nfields(const struct tv_plan *p)
{
	int n = 0;

	for (uint32_t i = 0; p && i < tv_plan_nleaves(p); i++) {
		const struct tv_leaf *l = tv_plan_leaf(p, i);

		if (!l->is_padding && !l->in_union_alt)
			n++;
	}
	return n;
}

/* Has the key been given in full by the positional words? */
static bool key_given(const struct cmap *m, char **pos, int npos)
{
	int named = 0, bare = 0, need;

	if (!m->kplan)
		return true;
	need = tv_plan_is_scalar(m->kplan) ? 1 : plan_nfields(m->kplan);
	for (int i = 0; i < npos; i++) {
		const char *eq = strchr(pos[i], '=');

		if (pos[i][0] == '{' || pos[i][0] == '[' || !strcmp(pos[i], "hex"))
			return true;
		if (eq && plan_leaf(m->kplan, pos[i], (size_t)(eq - pos[i])))
			named++;
		else if (!eq)
			bare++;
	}
	/* An LPM key is one prefix word (10.0.0.0/8). */
	if (bare && tv_plan_is_lpm_key(m->kplan))
		return true;
	return named >= need || bare >= need;
}

void complete_verb_args(struct an *a)
{
	const struct cmap *m = &a->map;
	bool has_key = cmd_arg_kind(a->cmd, ARG_KEY) != NULL;
	bool has_value = cmd_arg_kind(a->cmd, ARG_VALUE) || cmd_arg_kind(a->cmd, ARG_FIELDS);
	bool has_query = cmd_arg_kind(a->cmd, ARG_QUERY) != NULL;
	bool has_file = cmd_arg_kind(a->cmd, ARG_FILE) || cmd_arg_kind(a->cmd, ARG_PATH);
	const char *eq = strchr(a->cur, '=');
	bool in_value = false;
	char pre[512];

	if (has_query) {
		for (int q = a->npos - 1; q >= 0; q--)
			if (query_is_clause(a->pos[q])) {
				complete_query(a, m, a->pos + q, a->npos - q);
				return;
			}
	}
	if (eq && eq != a->cur) {
		size_t len = (size_t)(eq - a->cur);
		const struct tv_leaf *l = NULL;

		if (has_key)
			l = plan_leaf(m->kplan, a->cur, len);
		if (!l && (has_value || !has_key))
			l = plan_leaf(m->vplan, a->cur, len);
		if (l) {
			snprintf(pre, sizeof(pre), "%.*s", (int)len + 1, a->cur);
			a->prefix = pre;
			offer_leaf_values(a, m->btf, l);
			a->prefix = NULL;
		}
		return;
	}
	/* Where KEY ends and VALUE starts (map_verbs.h): the word `value`,
	 * or the first field=value naming a value field the key lacks. */
	for (int i = 0; i < a->npos && has_key && has_value; i++) {
		const char *e = strchr(a->pos[i], '=');

		if (!strcmp(a->pos[i], "value") ||
		    (e && plan_leaf(m->vplan, a->pos[i], (size_t)(e - a->pos[i])) &&
		     !plan_leaf(m->kplan, a->pos[i], (size_t)(e - a->pos[i])))) {
			in_value = true;
		}
		if (in_value)
			break;
	}
	if (has_key && m->kplan && !in_value) {
		if (tv_plan_is_scalar(m->kplan)) {
			if (!a->npos && leaf_has_values(tv_plan_leaf(m->kplan, 0)))
				offer_leaf_values(a, m->btf, tv_plan_leaf(m->kplan, 0));
		} else if (!key_given(m, a->pos, a->npos)) {
			offer_fields_eq(a, m->kplan, a->pos, a->npos);
		}
	}
	if (has_value && m->vplan &&
	    (in_value || !has_key || !m->kplan || tv_plan_is_scalar(m->kplan) ||
	     key_given(m, a->pos, a->npos))) {
		if (tv_plan_is_scalar(m->vplan)) {
			if (leaf_has_values(tv_plan_leaf(m->vplan, 0)))
				offer_leaf_values(a, m->btf, tv_plan_leaf(m->vplan, 0));
		} else {
			offer_fields_eq(a, m->vplan, a->pos, a->npos);
		}
	}
	/* A FIELD word first (hist): the fields of the key and the value. */
	if (!a->npos && cmd_arg_kind(a->cmd, ARG_WORD) &&
	    cmd_arg_kind(a->cmd, ARG_WORD)->name &&
	    !strcmp(cmd_arg_kind(a->cmd, ARG_WORD)->name, "FIELD"))
		offer_query_fields(a, m);
	if (has_query)
		offer_query_keywords(a);
	if (has_file && !has_key && !has_value && a->npos == 0)
		offer_files(a, false);
}

/* OUTER[KEY of a map of maps: the keys that can be listed (interface
 * names for iface_blocklist[), as OUTER[KEY]. */
void complete_outer_key(struct an *a)
{
	const char *br = strchr(a->cur, '[');
	const struct tv_leaf *only = NULL;
	char outer[256], pre[300];
	char *w[2] = { outer, NULL };
	struct cmap m;
	struct cands tmp = { 0 };
	struct cands *out = a->out;
	int n = 0;

	snprintf(outer, sizeof(outer), "%.*s", (int)(br - a->cur), a->cur);
	cmap_resolve(a->ctx, w, 1, &m);
	if (!m.known || !m.kplan || (m.type != BPF_MAP_TYPE_HASH_OF_MAPS &&
				     m.type != BPF_MAP_TYPE_ARRAY_OF_MAPS)) {
		cmap_free(&m);
		return;
	}
	for (uint32_t i = 0; i < tv_plan_nleaves(m.kplan); i++) {
		const struct tv_leaf *l = tv_plan_leaf(m.kplan, i);

		if (l->is_padding)
			continue;
		only = l;
		n++;
	}
	if (n == 1 && leaf_has_values(only)) {
		/* the values, then wrapped as OUTER[VALUE] */
		const char *save = a->cur;

		a->cur = br + 1;
		a->out = &tmp;
		offer_leaf_values(a, m.btf, only);
		a->out = out;
		a->cur = save;
		for (int i = 0; i < tmp.n; i++) {
			snprintf(pre, sizeof(pre), "%s[%s]", outer, tmp.v[i].word);
			if (out)
				cands_push(out, pre, tmp.v[i].desc);
		}
		cands_free(&tmp);
	}
	cmap_free(&m);
}
