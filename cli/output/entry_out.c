// SPDX-License-Identifier: GPL-2.0
/* Map entries through the output layer: see entry_out.h. Columns are
 * worked out once per command; each entry then costs one formatter call
 * per cell and no allocation. */
#include <stdlib.h>
#include <string.h>
#include "output/entry_out.h"
#include "tval/fast.h"
#include "output/bpfjson.h"

/* Does a non-padding leaf of plan have this exact name? */
static bool plan_has_name(const struct tv_plan *plan, const char *name)
{
	if (!plan)
		return false;
	for (uint32_t i = 0; i < tv_plan_nleaves(plan); i++) {
		const struct tv_leaf *l = tv_plan_leaf(plan, i);

		if (!l->is_padding && !strcmp(l->name, name))
			return true;
	}
	return false;
}

void eo_leaf_col_name(const struct tv_leaf *leaf, bool in_key,
		      const struct tv_plan *other, char *buf, size_t size)
{
	const char *side = in_key ? "key" : "value";

	if (!leaf->name[0])
		snprintf(buf, size, "%s", side);
	else if (plan_has_name(other, leaf->name))
		snprintf(buf, size, "%s.%s", side, leaf->name);
	else
		snprintf(buf, size, "%s", leaf->name);
}

static bool add_col(struct entry_out *eo, enum eo_col_kind kind, bool in_key,
		    const struct tv_leaf *leaf, const char *name)
{
	struct eo_col *c;

	if (eo->ncols >= OUT_MAX_COLS)
		return false;
	c = &eo->cols[eo->ncols++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->in_key = in_key;
	c->leaf = leaf;
	if (kind == EO_COL_LEAF)
		eo_leaf_col_name(leaf, in_key, in_key ? eo->m->value : eo->m->key,
				 c->name, sizeof(c->name));
	else
		snprintf(c->name, sizeof(c->name), "%s", name);
	return true;
}

static bool add_plan_cols(struct entry_out *eo, const struct tv_plan *plan,
			  bool in_key)
{
	if (!plan)
		return true;
	if (in_key && eo->m->lpm) {
		struct strbuf sb = STRBUF_INIT;
		char *zero = calloc(1, eo->m->info.key_size);
		bool lpm = zero && mapref_lpm_text(eo->m, zero, &sb);

		free(zero);
		sb_free(&sb);
		if (lpm)
			return add_col(eo, EO_COL_LPM, true, NULL, "prefix");
	}
	for (uint32_t i = 0; i < tv_plan_nleaves(plan); i++) {
		const struct tv_leaf *l = tv_plan_leaf(plan, i);

		if (l->is_padding)
			continue;
		if (!add_col(eo, EO_COL_LEAF, in_key, l, NULL))
			return false;
	}
	return true;
}

/* Does side s (0 key, 1 value) get a trailing @uncovered cell: its
 * fields are columns of their own (a whole key or value as one cell
 * shows those bytes in its text already) and its records can have them. */
static bool unc_side(const struct entry_out *eo, int s)
{
	const struct tv_plan *p = s ? eo->m->value : eo->m->key;
	bool cols = false;

	for (int i = 0; i < eo->ncols && !cols; i++)
		cols = eo->cols[i].kind == EO_COL_LEAF && eo->cols[i].in_key == !s;
	return cols && tv_plan_may_uncover(p);
}

static void init_cols(struct entry_out *eo, struct out *o,
		      const struct mapref *m, const struct query *q,
		      bool per_cpu)
{
	int nf = q ? query_nfields(q) : 0;

	memset(eo, 0, sizeof(*eo));
	eo->o = o;
	eo->m = m;
	eo->per_cpu = per_cpu && m->percpu;
	sb_init(&eo->cell);
	if (m->percpu && m->value) {
		eo->total = calloc(1, tv_plan_size(m->value) + 8);
		eo->view = calloc(1, tv_plan_size(m->value) + 8);
	}
	if (nf > 0) {
		eo->flat = true;
		if (eo->per_cpu)
			add_col(eo, EO_COL_CPU, false, NULL, "cpu");
		for (int i = 0; i < nf; i++) {
			const struct query_field *f = query_field(q, i);

			if (add_col(eo, EO_COL_LEAF, f->in_key, f->leaf, NULL) && f->name)
				snprintf(eo->cols[eo->ncols - 1].name,
					 sizeof(eo->cols[0].name), "%s", f->name);
		}
		return;
	}
	if (add_plan_cols(eo, m->key, true) &&
	    (!eo->per_cpu || add_col(eo, EO_COL_CPU, false, NULL, "cpu")) &&
	    add_plan_cols(eo, m->value, false) &&
	    eo->ncols + unc_side(eo, 0) + unc_side(eo, 1) <= OUT_MAX_COLS)
		return;
	/* Too many leaves for a table, @uncovered cells counted (without
	 * room for theirs those bytes would not show): one cell per key and
	 * value, whose text has them. */
	eo->ncols = 0;
	if (m->key)
		add_col(eo, EO_COL_WHOLE, true, NULL, "key");
	if (eo->per_cpu)
		add_col(eo, EO_COL_CPU, false, NULL, "cpu");
	if (m->value)
		add_col(eo, EO_COL_WHOLE, false, NULL, "value");
}

static unsigned plan_flags(const struct tv_plan *p)
{
	return p ? tv_plan_flags(p) : 0;
}

/* The compiled formatters stay valid while the display flags they were
 * built for do. */
static bool fast_ok(const struct entry_out *eo)
{
	return plan_flags(eo->m->key) == eo->fast_flags[0] &&
	       plan_flags(eo->m->value) == eo->fast_flags[1];
}

static struct tvf *fast_done(struct tvf *f)
{
	if (tvf_ok(f))
		return f;
	tvf_free(f);
	return NULL;
}

/* ---- per-CPU values that are not folded ---- */

/* Do CPU values a and b agree on leaf l (NULL: the whole value)? */
static bool cpu_eq(const struct mapref *m, const struct tv_leaf *l,
		   const char *a, const char *b)
{
	if (!l)
		return !memcmp(a, b, m->info.value_size);
	if (l->bit_size)
		return tv_leaf_get_u64(l, a) == tv_leaf_get_u64(l, b);
	return !memcmp(a + l->offset, b + l->offset, l->size);
}

/* Is the cell of value leaf l (NULL: the whole value) shown per CPU for
 * this lookup: a per-CPU map, a leaf that is not folded, CPUs that differ. */
static bool shown_per_cpu(const struct mapref *m, const struct tv_leaf *l,
			  const void *raw)
{
	if (!m->percpu || !raw || !m->value)
		return false;
	if (!l)
		return !mapref_one_value(m, raw);
	if (l->is_padding || l->in_union_alt ||
	    tv_leaf_fold(m->value, l) != TV_FOLD_NONE)
		return false;
	return mapref_cpus_differ(m, l, raw);
}

/* "cpu0,2-3=A|cpu1=B": each distinct value once, after the CPUs that hold
 * it, in the order of their first CPU. */
static void per_cpu_text(const struct mapref *m, const struct tv_leaf *l,
			 const char *raw, struct strbuf *sb)
{
	bool *done = calloc((size_t)m->ncpus, sizeof(*done));
	bool first = true;

	if (!done)
		abort();
	for (int c = 0; c < m->ncpus; c++) {
		const char *v = raw + (size_t)c * m->stride;
		int run = -1;	/* start of the current range of CPUs */

		if (done[c])
			continue;
		if (!first)
			sb_addc(sb, '|');
		first = false;
		sb_adds(sb, "cpu");
		for (int d = c; d <= m->ncpus; d++) {
			bool in = d < m->ncpus && !done[d] &&
				  cpu_eq(m, l, v, raw + (size_t)d * m->stride);

			if (in) {
				done[d] = true;
				if (run < 0)
					run = d;
				continue;
			}
			if (run < 0)
				continue;
			if (run != c)
				sb_addc(sb, ',');
			sb_add_u64(sb, (unsigned long long)run);
			if (d - 1 > run) {
				sb_addc(sb, d - 1 > run + 1 ? '-' : ',');
				sb_add_u64(sb, (unsigned long long)(d - 1));
			}
			run = -1;
		}
		sb_addc(sb, '=');
		if (l)
			tv_leaf_format_text(l, v, sb);
		else
			tv_format_text(m->value, v, sb);
	}
	free(done);
}

void eo_value_text(const struct mapref *m, const struct tv_leaf *l,
		   const void *value, const void *raw, struct strbuf *sb)
{
	if (shown_per_cpu(m, l, raw))
		per_cpu_text(m, l, raw, sb);
	else if (l)
		tv_leaf_format_text(l, value, sb);
	else
		tv_format_text(m->value, value, sb);
}

/* Compile what this output mode prints of every entry. */
static void compile(struct entry_out *eo)
{
	const struct mapref *m = eo->m;
	struct out *o = eo->o;
	bool leaves = eo->ncols > 0;
	struct tvf *f;

	eo->fast_flags[0] = plan_flags(m->key);
	eo->fast_flags[1] = plan_flags(m->value);
	for (int i = 0; i < eo->ncols; i++)
		if (eo->cols[i].kind != EO_COL_LEAF)
			leaves = false;
	if (o->mode == OUT_PLAIN && leaves && (f = tvf_new())) {
		for (int i = 0; i < eo->ncols; i++) {
			if (i)
				tvf_lit(f, "\t", 1);
			tvf_leaf_text(f, eo->cols[i].leaf, eo->cols[i].in_key ? 0 : 1);
		}
		tvf_lit(f, "\n", 1);
		eo->row = fast_done(f);
	}
	if (o->mode == OUT_TABLE) {
		for (int i = 0; i < eo->ncols; i++) {
			if (eo->cols[i].kind != EO_COL_LEAF || !(f = tvf_new()))
				continue;
			tvf_leaf_text(f, eo->cols[i].leaf, eo->cols[i].in_key ? 0 : 1);
			eo->cellf[i] = fast_done(f);
		}
	}
	if (out_is_json(o) && !o->pretty && !eo->flat && (m->key || m->value) &&
	    (f = tvf_new())) {
		/* after the first member's name */
		if (m->key)
			tvf_plan_json(f, m->key, 0);
		if (m->key && m->value)
			tvf_lit(f, ",\"value\":", 9);
		if (m->value)
			tvf_plan_json(f, m->value, 1);
		eo->kv = fast_done(f);
		if (m->percpu && m->value && (f = tvf_new())) {
			tvf_plan_json(f, m->value, 1);
			eo->cpu_value = fast_done(f);
		}
	}
}

/* The trailing cells of uncovered bytes (unc_side; a field selection
 * shows just what was asked); init_cols left room for them. */
static void init_unc(struct entry_out *eo)
{
	eo->nunc = 0;
	for (int s = 0; s < 2; s++) {
		sb_init(&eo->unc[s]);
		eo->unc_slot[s] = -1;
	}
	if (eo->flat)
		return;
	for (int s = 0; s < 2; s++)
		if (unc_side(eo, s) && eo->ncols + eo->nunc < OUT_MAX_COLS)
			eo->unc_slot[s] = eo->nunc++;
	for (int s = 0; s < 2; s++)
		snprintf(eo->unc_name[s], sizeof(eo->unc_name[s]), "%s%s",
			 eo->nunc < 2 ? "" : s ? "value." : "key.",
			 "@uncovered");
}

void eo_init(struct entry_out *eo, struct out *o, const struct mapref *m,
	     const struct query *q, bool per_cpu)
{
	init_cols(eo, o, m, q, per_cpu);
	init_unc(eo);
	compile(eo);
	eo->json_lines = o->jw.lines;
}

void eo_fini(struct entry_out *eo)
{
	sb_free(&eo->cell);
	sb_free(&eo->unc[0]);
	sb_free(&eo->unc[1]);
	free(eo->total);
	free(eo->view);
	eo->total = eo->view = NULL;
	tvf_free(eo->row);
	tvf_free(eo->kv);
	tvf_free(eo->cpu_value);
	eo->row = eo->kv = eo->cpu_value = NULL;
	for (int i = 0; i < OUT_MAX_COLS; i++) {
		tvf_free(eo->cellf[i]);
		eo->cellf[i] = NULL;
	}
}

const void *eo_total(struct entry_out *eo, const void *raw)
{
	const struct mapref *m = eo->m;

	if (!m->percpu || !m->value || !eo->total)
		return raw;
	mapref_sum_cpus(m, raw, eo->total);
	return eo->total;
}

bool eo_match(struct entry_out *eo, const struct query *q, const void *key,
	      const void *value, const void *raw)
{
	const struct mapref *m = eo->m;

	if (!q || query_match(q, key, value))
		return true;
	/* CPU 0's view is value itself: the sum keeps CPU 0's unsummed fields. */
	if (!m->percpu || !eo->total || !eo->view || mapref_one_value(m, raw))
		return false;
	for (int c = 1; c < m->ncpus; c++) {
		mapref_cpu_view(m, raw, value, c, eo->view);
		if (query_match(q, key, eo->view))
			return true;
	}
	return false;
}

void eo_sort_value(struct entry_out *eo, const void *raw)
{
	const struct mapref *m = eo->m;

	if (m->percpu && eo->total && m->ncpus > 1)
		mapref_max_cpus(m, raw, eo->total);
}

/* The text of one table cell, appended to sb. */
static void cell_text(struct entry_out *eo, const struct eo_col *c,
		      const void *key, const void *value, int cpu,
		      struct strbuf *sb)
{
	/* One row for the entry (not --per-cpu): value fields that are not
	 * folded show each CPU's where the CPUs differ. */
	const void *raw = cpu < 0 && !c->in_key ? eo->raw : NULL;

	switch (c->kind) {
	case EO_COL_LEAF:
		if (eo->o->human && !c->in_key && eo->m->value &&
		    tv_leaf_is_counter(eo->m->value, c->leaf,
				       !(tv_plan_flags(eo->m->value) & TV_RAW)) &&
		    (!raw || !mapref_cpus_differ(eo->m, c->leaf, raw) ||
		     tv_leaf_fold(eo->m->value, c->leaf) != TV_FOLD_NONE)) {
			out_human(sb, tv_leaf_get_u64(c->leaf, value),
				  out_name_is_bytes(c->leaf->name));
			break;
		}
		if (eo->fast_now && eo->cellf[c - eo->cols]) {
			const void *recs[2] = { key, value };

			tvf_run(eo->cellf[c - eo->cols], sb, recs);
			break;
		}
		if (c->in_key)
			tv_leaf_format_text(c->leaf, key, sb);
		else
			eo_value_text(eo->m, c->leaf, value, raw, sb);
		break;
	case EO_COL_WHOLE:
		if (c->in_key)
			tv_format_text(eo->m->key, key, sb);
		else
			eo_value_text(eo->m, NULL, value, raw, sb);
		break;
	case EO_COL_LPM:
		mapref_lpm_text(eo->m, key, sb);
		break;
	case EO_COL_CPU:
		if (cpu >= 0)
			sb_add_u64(sb, (unsigned long long)cpu);
		else
			sb_adds(sb, "all");
		break;
	}
}

/* A cell of a row written straight into the output buffer: control bytes
 * become spaces, as the output layer does, since one would break the line
 * (tval's text never holds a tab, newline or other control byte: belt and
 * braces). */
static void row_cell(struct entry_out *eo, const struct eo_col *c,
		     const void *key, const void *value, int cpu,
		     struct strbuf *sb)
{
	size_t start = sb->len;

	cell_text(eo, c, key, value, cpu, sb);
	for (size_t k = start; k < sb->len; k++)
		if ((unsigned char)sb->buf[k] < 0x20 || sb->buf[k] == 0x7f)
			sb->buf[k] = ' ';
}

/* The uncovered bytes of this row's key and value into eo->unc: how
 * many trailing cells they need (0: all zero). */
static int row_unc(struct entry_out *eo, const void *key, const void *value)
{
	const struct tv_plan *p[2] = { eo->m->key, eo->m->value };
	const void *rec[2] = { key, value };
	int n = 0;

	for (int s = 0; s < 2; s++) {
		sb_reset(&eo->unc[s]);
		if (eo->unc_slot[s] >= 0 &&
		    tv_add_uncovered_holes(p[s], rec[s], &eo->unc[s]))
			n = eo->unc_slot[s] + 1;
	}
	return n;
}

/* Where no header names them (slots from the first on): "@uncovered=0x.."
 * words, sep between them and before the first. */
static void unc_words(const struct entry_out *eo, struct strbuf *sb,
		      const char *sep, int first)
{
	for (int s = 0; s < 2; s++) {
		if (!eo->unc[s].len || eo->unc_slot[s] < first)
			continue;
		sb_adds(sb, sep);
		sb_adds(sb, eo->unc_name[s]);
		sb_addc(sb, '=');
		sb_add(sb, eo->unc[s].buf, eo->unc[s].len);
	}
}

static void text_cell(struct entry_out *eo, const struct eo_col *c,
		      const void *key, const void *value, int cpu)
{
	struct strbuf *sb = &eo->cell;

	sb_reset(sb);
	cell_text(eo, c, key, value, cpu, sb);
	out_text_field(eo->o, c->name, sb_str(sb));
}

/* A table row once the output layer has printed the header and frozen
 * the column widths: the cells straight into the output buffer, laid
 * out as its emit_row_text() does (two spaces between columns, every one
 * but the last padded up to where its column ends, control bytes as
 * spaces). False when the widths are not fixed yet. */
static bool table_row(struct entry_out *eo, const void *key,
		      const void *value, int cpu, int nunc)
{
	struct out *o = eo->o;
	struct strbuf *sb = &o->buf;
	/* the uncovered columns the header has; the others become words */
	int hdr = o->ncols - eo->ncols;
	int n = eo->ncols + (nunc < hdr ? nunc : hdr);
	bool words = nunc > hdr;
	size_t row = sb->len, end = 0;	/* where the row and the column end */

	if (o->mode != OUT_TABLE || !o->widths_fixed || hdr < 0 ||
	    hdr > eo->nunc)
		return false;
	for (int i = 0; i < n; i++) {
		if (i)
			sb_add(sb, "  ", 2);
		if (i < eo->ncols) {
			row_cell(eo, &eo->cols[i], key, value, cpu, sb);
		} else {
			for (int s = 0; s < 2; s++)
				if (eo->unc_slot[s] == i - eo->ncols)
					sb_add(sb, eo->unc[s].buf, eo->unc[s].len);
		}
		/* a cell wider than its column pushes the next ones right
		 * until one has room to spare: never cut */
		end += (i ? 2 : 0) + o->col_width[i];
		if ((i + 1 < n || words) && sb->len - row < end)
			sb_addcn(sb, ' ', end - (sb->len - row));
	}
	if (words)
		unc_words(eo, sb, "  ", hdr);
	sb_addc(sb, '\n');
	if (sb->len >= 64 * 1024)
		out_flush(o);
	return true;
}

/* Plain mode: cells formatted straight into the output buffer, tab
 * between them: what the output layer would write, without a copy per
 * cell. */
static void plain_row(struct entry_out *eo, const void *key, const void *value,
		      int cpu, int nunc)
{
	struct out *o = eo->o;
	struct strbuf *sb = &o->buf;

	if (eo->row && eo->fast_now && cpu < 0 && !o->human) {
		const void *recs[2] = { key, value };

		tvf_run(eo->row, sb, recs);
		if (nunc && sb->len && sb->buf[sb->len - 1] == '\n') {
			sb->len--;	/* the words go before the newline */
			unc_words(eo, sb, "\t", 0);
			sb_addc(sb, '\n');
		}
		if (sb->len >= 64 * 1024)
			out_flush(o);
		return;
	}
	for (int i = 0; i < eo->ncols; i++) {
		if (i)
			sb_addc(sb, '\t');
		row_cell(eo, &eo->cols[i], key, value, cpu, sb);
	}
	if (nunc)
		unc_words(eo, sb, "\t", 0);
	sb_addc(sb, '\n');
	if (sb->len >= 64 * 1024)
		out_flush(o);
}

/* "key" (or "value" alone) and what follows, by the compiled formatter
 * eo->kv, into jw's object: recs are the key and the value. */
static void kv_members(const struct entry_out *eo, struct jw *jw,
		       const void *const *recs)
{
	if (eo->m->key)
		jw_name_quoted(jw, "\"key\"", 5);
	else
		jw_name_quoted(jw, "\"value\"", 7);
	jw_value_begin(jw);
	tvf_run(eo->kv, jw->out, recs);
}

bool eo_rows_apart(const struct entry_out *eo)
{
	const struct out *o = eo->o;

	if (o->broken || eo->m->percpu || !fast_ok(eo))
		return false;
	if (o->mode == OUT_PLAIN)
		return !o->human && eo->row;
	/* eo_json_members' compiled path, which every such entry takes */
	return (o->mode == OUT_JSON || o->mode == OUT_JSONL) && !o->pretty &&
	       !o->bpftool && !eo->flat && eo->kv;
}

/* JSON records as eo_entry writes them for eo_rows_apart's entries:
 * out_record_begin, eo_json_members, out_record_end. */
static void format_json_rows(const struct entry_out *eo, const char *keys,
			     const char *values, __u32 n, struct strbuf *sb)
{
	const struct mapref *m = eo->m;
	size_t ks = m->info.key_size, vs = m->info.value_size;
	bool jsonl = eo->o->mode == OUT_JSONL;
	struct jw t;

	if (!jsonl)
		jw_init_elements(&t, sb, eo->json_lines);
	for (__u32 i = 0; i < n; i++) {
		const void *recs[2] = { keys + i * ks, values + i * vs };

		if (jsonl)
			jw_init(&t, sb, false);
		jw_start_object(&t);
		kv_members(eo, &t, recs);
		if (eo->wall && m->value)
			out_json_wall(&t, m->value, recs[1], 0, 0);
		jw_end_object(&t);
		if (jsonl)
			sb_addc(sb, '\n');
	}
}

void eo_format_rows_fn(void *arg, const char *keys, const char *values,
		       __u32 n, struct strbuf *sb)
{
	eo_format_rows(arg, keys, values, n, sb);
}

void eo_format_rows(const struct entry_out *eo, const char *keys,
		    const char *values, __u32 n, struct strbuf *sb)
{
	const struct tv_plan *p[2] = { eo->m->key, eo->m->value };
	size_t ks = eo->m->info.key_size, vs = eo->m->info.value_size;
	struct strbuf unc[2] = { STRBUF_INIT, STRBUF_INIT };

	if (eo->o->mode != OUT_PLAIN) {
		format_json_rows(eo, keys, values, n, sb);
		return;
	}
	for (__u32 i = 0; i < n; i++) {
		const void *recs[2] = { keys + i * ks, values + i * vs };
		bool any = false;

		tvf_run(eo->row, sb, recs);
		/* the bytes no field covers: words before the newline, as
		 * plain_row writes them (unc_words), in buffers of this call */
		for (int s = 0; s < 2; s++) {
			sb_reset(&unc[s]);
			if (eo->unc_slot[s] >= 0 &&
			    tv_add_uncovered_holes(p[s], recs[s], &unc[s]))
				any = true;
		}
		if (!any || !sb->len || sb->buf[sb->len - 1] != '\n')
			continue;
		sb->len--;
		for (int s = 0; s < 2; s++) {
			if (!unc[s].len)
				continue;
			sb_addc(sb, '\t');
			sb_adds(sb, eo->unc_name[s]);
			sb_addc(sb, '=');
			sb_add(sb, unc[s].buf, unc[s].len);
		}
		sb_addc(sb, '\n');
	}
	sb_free(&unc[0]);
	sb_free(&unc[1]);
}

static void text_row(struct entry_out *eo, const void *key, const void *value,
		     int cpu)
{
	int nunc = row_unc(eo, key, value);

	if (eo->o->mode == OUT_PLAIN) {
		if (!eo->o->broken)
			plain_row(eo, key, value, cpu, nunc);
		return;
	}
	if (table_row(eo, key, value, cpu, nunc))
		return;
	/* CSV is one rectangle, its header printed after the first rows
	 * (OUT_TABLE_BUFFER_ROWS): a later row could not add a column, so
	 * every row has the @uncovered cells, empty where zero. */
	if (eo->o->mode == OUT_CSV)
		nunc = eo->nunc;
	out_record_begin(eo->o);
	for (int i = 0; i < eo->ncols; i++)
		text_cell(eo, &eo->cols[i], key, value, cpu);
	/* before the header: cells that make their columns */
	for (int k = 0; k < nunc; k++) {
		const char *t = "";

		for (int s = 0; s < 2; s++)
			if (eo->unc_slot[s] == k)
				t = sb_str(&eo->unc[s]);
		out_text_field(eo->o, eo->unc_name[k && eo->nunc > 1], t);
	}
	out_record_end(eo->o);
}

static void json_col(struct entry_out *eo, struct jw *jw,
		     const struct eo_col *c, const void *key,
		     const void *value)
{
	switch (c->kind) {
	case EO_COL_LEAF:
		tv_leaf_format_json(c->leaf, c->in_key ? key : value, jw);
		break;
	case EO_COL_WHOLE:
		tv_format_json(c->in_key ? eo->m->key : eo->m->value,
			       c->in_key ? key : value, jw);
		break;
	case EO_COL_LPM:
		sb_reset(&eo->cell);
		mapref_lpm_text(eo->m, key, &eo->cell);
		jw_string(jw, sb_str(&eo->cell));
		break;
	case EO_COL_CPU:
		jw_null(jw);
		break;
	}
}

void eo_json_members(struct entry_out *eo, const void *key, const void *value,
		     const void *raw)
{
	const struct mapref *m = eo->m;
	struct out *o = eo->o;
	/* "value" is there when it is the one value of the entry: no field
	 * that is not folded differs between the CPUs ("per_cpu" has them). */
	bool one = !m->percpu || mapref_one_value(m, raw);
	struct jw *jw;

	if (o->bpftool) {	/* every byte, as bpftool prints it */
		bj_members(&o->jw, m, m->info.key_size ? key : NULL,
			   m->percpu ? raw : value);
		return;
	}
	if (eo->flat) {
		for (int i = 0; i < eo->ncols; i++) {
			const struct eo_col *c = &eo->cols[i];

			if (c->kind == EO_COL_CPU ||
			    (!c->in_key && !one &&
			     shown_per_cpu(m, c->kind == EO_COL_LEAF ? c->leaf : NULL, raw)))
				continue;
			jw = out_json_field(o, c->name);
			json_col(eo, jw, c, key, value);
		}
	} else if (eo->kv && fast_ok(eo) && !o->pretty && one) {
		const void *recs[2] = { key, value };

		kv_members(eo, &o->jw, recs);
	} else {
		if (m->key) {
			jw = out_json_field(o, "key");
			tv_format_json(m->key, key, jw);
		}
		if (m->value && one) {
			jw = out_json_field(o, "value");
			tv_format_json(m->value, value, jw);
		}
	}
	if (eo->wall && !eo->flat && m->value)
		out_json_wall(&o->jw, m->value, value, 0, 0);
	if (!m->percpu || !m->value)
		return;
	jw = out_json_field(o, "per_cpu");
	jw_start_array(jw);
	for (int cpu = 0; cpu < m->ncpus; cpu++) {
		const void *v = (const char *)raw + (size_t)cpu * m->stride;

		jw_start_object(jw);
		jw_kv_u64(jw, "cpu", (uint64_t)cpu);
		if (eo->flat) {
			for (int i = 0; i < eo->ncols; i++) {
				const struct eo_col *c = &eo->cols[i];

				if (c->in_key || c->kind == EO_COL_CPU)
					continue;
				jw_name(jw, c->name);
				json_col(eo, jw, c, key, v);
			}
		} else if (eo->cpu_value && fast_ok(eo) && !o->pretty) {
			const void *recs[2] = { NULL, v };

			jw_name(jw, "value");
			jw_value_begin(jw);
			tvf_run(eo->cpu_value, jw->out, recs);
		} else {
			jw_name(jw, "value");
			tv_format_json(m->value, v, jw);
		}
		jw_end_object(jw);
	}
	jw_end_array(jw);
}

void eo_entry(struct entry_out *eo, const void *key, const void *value,
	      const void *raw)
{
	struct out *o = eo->o;

	eo->raw = eo->m->percpu ? raw : NULL;
	eo->fast_now = fast_ok(eo) && (eo->per_cpu || !eo->raw ||
				       mapref_one_value(eo->m, raw));
	if (out_is_json(o)) {
		out_record_begin(o);
		eo_json_members(eo, key, value, raw);
		out_record_end(o);
		return;
	}
	if (!eo->per_cpu) {
		text_row(eo, key, value, -1);
		return;
	}
	for (int cpu = 0; cpu < eo->m->ncpus; cpu++)
		text_row(eo, key, (const char *)raw + (size_t)cpu * eo->m->stride,
			 cpu);
}

void eo_empty(struct entry_out *eo)
{
	const char *names[OUT_MAX_COLS];

	for (int i = 0; i < eo->ncols; i++)
		names[i] = eo->cols[i].name;
	out_list_empty(eo->o, names, eo->ncols, "(0 entries)");
}

/* ---- histograms ---- */

int eo_nhist(const struct entry_out *eo)
{
	const struct tv_plan *p = eo->m->value;
	int n = 0;

	if (!p || eo->flat)
		return 0;
	for (uint32_t i = 0; i < tv_plan_nleaves(p); i++) {
		const struct tv_leaf *l = tv_plan_leaf(p, i);

		if (tv_leaf_is_hist(l) && !l->is_padding && !l->in_union_alt)
			n++;
	}
	return n;
}

void eo_hist_of(const struct entry_out *eo, const struct tv_leaf *l,
		const void *value, struct tv_hist *h)
{
	const struct tv_leaf *sl = tv_hist_sum_leaf(eo->m->value, l);

	tv_hist_from_leaf(h, l, value);
	if (sl) {
		h->has_sum = true;
		h->sum = sl->is_signed ? (double)tv_leaf_get_i64(sl, value)
				       : (double)tv_leaf_get_u64(sl, value);
	}
}

void eo_entry_hist(struct entry_out *eo, const struct hist_style *st,
		   const void *key, const void *value, const void *raw)
{
	const struct tv_plan *p = eo->m->value;
	struct out *o = eo->o;
	struct tv_hist h;

	if (out_is_json(o)) {
		eo->raw = eo->m->percpu ? raw : NULL;
		eo->fast_now = fast_ok(eo) && (!eo->raw ||
					       mapref_one_value(eo->m, raw));
		out_record_begin(o);
		eo_json_members(eo, key, value, raw);
		jw_name(&o->jw, "histograms");
		jw_start_object(&o->jw);
		for (uint32_t i = 0; i < tv_plan_nleaves(p); i++) {
			const struct tv_leaf *l = tv_plan_leaf(p, i);

			if (!tv_leaf_is_hist(l) || l->is_padding || l->in_union_alt)
				continue;
			eo_hist_of(eo, l, value, &h);
			jw_name(&o->jw, l->name[0] ? l->name : "value");
			hist_json(&o->jw, &h);
		}
		jw_end_object(&o->jw);
		out_record_end(o);
		return;
	}
	/* Text: the entry as a table of its own, then its histograms. */
	out_list_begin(o);
	eo_entry(eo, key, value, raw);
	out_list_end(o);
	for (uint32_t i = 0; i < tv_plan_nleaves(p); i++) {
		const struct tv_leaf *l = tv_plan_leaf(p, i);

		if (!tv_leaf_is_hist(l) || l->is_padding || l->in_union_alt)
			continue;
		eo_hist_of(eo, l, value, &h);
		hist_text(o, st, l->name[0] ? l->name : "value", &h);
	}
}

void eo_single(struct entry_out *eo, const void *key, const void *value,
	       const void *raw)
{
	struct out *o = eo->o;

	if (out_is_json(o)) {
		out_object_begin(o);
		eo_json_members(eo, key, value, raw);
		out_object_end(o);
	} else {
		out_list_begin(o);
		eo_entry(eo, key, value, raw);
		out_list_end(o);
	}
}

bool eo_cpu0_fields(const struct entry_out *eo, struct strbuf *sb)
{
	const struct tv_plan *p = eo->m->value;
	bool any = false;

	if (!eo->m->percpu || !p)
		return false;
	for (uint32_t i = 0; i < tv_plan_nleaves(p); i++) {
		const struct tv_leaf *l = tv_plan_leaf(p, i);

		if (l->is_padding || l->in_union_alt ||
		    tv_leaf_fold(p, l) != TV_FOLD_NONE)
			continue;
		if (any)
			sb_adds(sb, ", ");
		sb_adds(sb, l->name[0] ? l->name : "value");
		any = true;
	}
	return any;
}
