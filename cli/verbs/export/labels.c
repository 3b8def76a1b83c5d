// SPDX-License-Identifier: GPL-2.0
/* The labels of a scrape: metric and label names from field names, label
 * values escaped, and a key's fields as labels printed in place by
 * compiled tval programs (as dump prints them). */
#include <stdlib.h>
#include <string.h>
#include "verbs/export/export.h"
#include "tval/fast.h"

/* A metric or label name: [a-zA-Z0-9_], anything else as '_'. */
void xp_add_name(struct strbuf *sb, const char *s)
{
	if (*s >= '0' && *s <= '9')
		sb_addc(sb, '_');
	for (; *s; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			c = '_';
		/* "x[2].y" -> "x_2_y", not "x_2__y" */
		if (c == '_' && sb->len && sb->buf[sb->len - 1] == '_' && *s != '_')
			continue;
		sb_addc(sb, c);
	}
	while (sb->len && sb->buf[sb->len - 1] == '_' && s[-1] != '_')
		sb->len--;
	sb->buf[sb->len] = 0;
}

void xp_label_value(struct strbuf *sb, const char *s)
{
	const char *p = s;

	/* most values need no escape: in one piece (a plain loop: strcspn
	 * costs more on these short strings) */
	while (*p && *p != '\\' && *p != '"' && *p != '\n')
		p++;
	sb_add(sb, s, (size_t)(p - s));
	for (s = p; *s; s++) {
		if (*s == '\\' || *s == '"')
			sb_addc(sb, '\\');
		if (*s == '\n') {
			sb_adds(sb, "\\n");
			continue;
		}
		sb_addc(sb, *s);
	}
}

/* The label names of a key's fields, `a="` each (empty for the fields
 * that are no label), made once per map: names[i] for leaf i. */
struct strbuf *xp_key_label_names(const struct mapref *m,
				      const struct xover_map *om)
{
	const struct tv_plan *kp = m->key;
	struct strbuf *names;
	uint32_t n;

	if (!kp || tv_plan_is_scalar(kp) || tv_plan_is_raw(kp))
		return NULL;
	n = tv_plan_nleaves(kp);
	names = calloc(n ? n : 1, sizeof(*names));
	if (!names)
		abort();
	for (uint32_t i = 0; i < n; i++) {
		const struct tv_leaf *l = tv_plan_leaf(kp, i);

		sb_init(&names[i]);
		if (l->is_padding || l->in_union_alt || xo_drops(om, l->name))
			continue;
		xp_add_name(&names[i], l->name);
		sb_adds(&names[i], "=\"");
	}
	return names;
}

/* Per key field (as in key_label_names) a program that prints it as
 * tv_leaf_format_text does, or NULL (then that function prints it). */
struct tvf **xp_key_label_progs(const struct mapref *m)
{
	const struct tv_plan *kp = m->key;
	struct tvf **progs;
	uint32_t n;

	if (!kp || tv_plan_is_scalar(kp) || tv_plan_is_raw(kp))
		return NULL;
	n = tv_plan_nleaves(kp);
	progs = calloc(n ? n : 1, sizeof(*progs));
	if (!progs)
		abort();
	for (uint32_t i = 0; i < n; i++) {
		const struct tv_leaf *l = tv_plan_leaf(kp, i);

		if (l->is_padding || l->in_union_alt)
			continue;
		progs[i] = tvf_new();
		if (progs[i])
			tvf_leaf_text(progs[i], l, 0);
		if (progs[i] && !tvf_ok(progs[i])) {
			tvf_free(progs[i]);
			progs[i] = NULL;
		}
	}
	return progs;
}

/* Does text a label value holds need xp_label_value (an escape, or a NUL
 * where it ends)? */
static bool needs_escape(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\\' || s[i] == '"' || s[i] == '\n' || !s[i])
			return true;
	return false;
}

/* The labels of one key: `a="..",b=".."` (no braces); names from
 * key_label_names, progs from key_label_progs (or NULL). */
void xp_key_labels(const struct mapref *m, const struct strbuf *names,
		       struct tvf *const *progs, const void *key,
		       struct strbuf *lab, struct strbuf *tmp)
{
	const struct tv_plan *kp = m->key;

	if (!kp)
		return;
	if (tv_plan_is_scalar(kp) || tv_plan_is_raw(kp)) {
		sb_reset(tmp);
		mapref_key_text(m, key, tmp);
		sb_adds(lab, "key=\"");
		xp_label_value(lab, sb_str(tmp));
		sb_addc(lab, '"');
		return;
	}
	for (uint32_t i = 0; i < tv_plan_nleaves(kp); i++) {
		const struct tv_leaf *l = tv_plan_leaf(kp, i);
		const void *recs[1] = { key };
		size_t at;

		if (l->is_padding || l->in_union_alt || !names[i].len)
			continue;	/* or dropped */
		if (lab->len)
			sb_addc(lab, ',');
		sb_add(lab, names[i].buf, names[i].len);
		at = lab->len;
		/* printed in place; escaped when it has to be (rare) */
		if (progs && progs[i])
			tvf_run(progs[i], lab, recs);
		else
			tv_leaf_format_text(l, key, lab);
		if (needs_escape(lab->buf + at, lab->len - at)) {
			sb_reset(tmp);
			sb_add(tmp, lab->buf + at, lab->len - at);
			sb_trunc(lab, at);
			xp_label_value(lab, sb_str(tmp));
		}
		sb_addc(lab, '"');
	}
}
