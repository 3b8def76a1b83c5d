// SPDX-License-Identifier: GPL-2.0
/* diff: two sides, each a live map (read in batches, map/mapiter.h) or a
 * save file (read as apply reads it, apply_read.c), held the same way: an
 * entry set of apply_set.h, keys and values packed in two flat arrays with
 * a hash index over the keys. The first side is walked against the
 * second's index, then the second's entries the first did not have are
 * the additions. Only the changes are kept (two indexes each), sorted by
 * key and printed typed, as dump prints entries (diff.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "base/err.h"
#include "base/interrupt.h"
#include "map/mapiter.h"
#include "output/entry_out.h"
#include "query/query.h"
#include "verbs/map_verbs.h"
#include "verbs/diff.h"

#include "verbs/apply_set.h"

const struct opt_spec diff_verb_opts[] = {
	[VOPT_DIFF_MAP] = { "map", 0, "OTHER",
			    "compare with the live map OTHER (NAME, 'id N', 'pinned PATH', 'name NAME')",
			    COMPLETE_MAP },
	[VOPT_DIFF_STATS] = { "stats", 'v', NULL,
			      "on stderr, for each live map read: entries read, batches, readers, retries, elapsed time" },
	{ NULL },
};

const struct opt_spec diff_files_opts[] = {
	[DIFF_OPT_TYPE_OF] = { "type-of", 0, "MAP",
			       "type both files by MAP's key and value (required)",
			       COMPLETE_MAP },
	{ NULL },
};

enum dop { D_REMOVE, D_ADD, D_CHANGE };
static const char *const dop_names[] = { "remove", "add", "change" };
static const char dop_marks[] = { '-', '+', '~' };

struct dchange {
	uint32_t a, b;		/* entry of the first / second side */
	uint8_t op;		/* enum dop */
};

struct diff {
	struct ctx *ctx;
	const struct mapref *m;	/* types both sides */
	struct out *o;
	const struct query *q;	/* where / fields, or NULL */
	struct query *order;	/* `sort key`: the order changes print in */
	struct entry_out eo;
	struct apply_set s[2];	/* the first and the second side */
	/* the value leaves compared and shown, and each one's bits */
	const struct tv_leaf **leaves;
	int nleaves;
	char *lmask;		/* nleaves * value_size */
	char *cmp;		/* lookup_size: the bits compared */
	bool sel;		/* a field selection names value fields */
	char *va, *vb;		/* lookup_size: the two values compared */
	char *sa, *sb;		/* value_size: their sums (per-CPU) */
	struct dchange *ch;
	size_t nch, chcap;
	struct strbuf line, t1, t2;
};

/* ---- the sides ---- */

/* Every entry of the live map src into s (typed and sized as s->m);
 * stats: say how it was read (--stats). */
static int read_map(struct apply_set *s, const struct mapref *src, bool stats)
{
	const struct mapref *m = s->m;
	struct mapiter it;
	const void *k, *v;
	__u32 n;
	int r;

	if (mapiter_init(&it, src->fd, m->info.key_size, m->lookup_size,
			 src->info.max_entries))
		return err_fail("out of memory");
	/* read ahead, split over the CPUs for big hash maps: the order does
	 * not matter, set_index sorts */
	if (src->info.max_entries > it.chunk)
		mapiter_prefetch(&it);	/* while this thread copies */
	while ((r = mapiter_next_chunk(&it, &k, &v, &n)) > 0) {
		if (s->n + n > s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 4096;
			char *nk, *nv;

			while (cap < s->n + n)
				cap *= 2;
			nk = realloc(s->keys, cap * m->info.key_size);
			if (nk)
				s->keys = nk;
			nv = nk ? realloc(s->vals, cap * m->lookup_size) : NULL;
			if (!nv) {
				r = -ENOMEM;
				break;
			}
			s->vals = nv;
			s->cap = cap;
		}
		memcpy(KEY_AT(s, s->n), k, (size_t)n * m->info.key_size);
		memcpy(VAL_AT(s, s->n), v, (size_t)n * m->lookup_size);
		s->n += n;
		if (interrupted()) {
			r = -EINTR;
			break;
		}
	}
	if (r >= 0 && stats)
		mapiter_print_stats(&it, src->name);
	mapiter_fini(&it);
	if (r < 0)
		return err_fail("%s diff: reading %s failed: %s", m->name, src->name,
				strerror(-r));
	return set_index(s, true);
}

static int read_file(struct apply_set *s, const char *path)
{
	bool unreadable;

	s->file = !strcmp(path, "-") ? "standard input" : path;
	return apply_read(s, path, &unreadable);
}

/* ---- what is compared ---- */

static void leaf_bits(const struct tv_leaf *l, char *mask)
{
	if (l->bit_size)
		tv_leaf_set_u64(l, mask, ~0ull);
	else
		memset(mask + l->offset, 0xff, l->size);
}

static bool selected(const struct query *q, const struct tv_leaf *l)
{
	for (int i = 0; i < query_nfields(q); i++) {
		const struct query_field *f = query_field(q, i);

		if (!f->in_key && f->leaf == l)
			return true;
	}
	return false;
}

static int setup_fields(struct diff *d)
{
	const struct mapref *m = d->m;
	const struct tv_plan *p = m->value;
	__u32 vs = m->info.value_size;
	uint32_t nl = tv_plan_nleaves(p);
	char *one;

	for (int i = 0; d->q && i < query_nfields(d->q); i++)
		if (!query_field(d->q, i)->in_key)
			d->sel = true;
	d->leaves = calloc(nl + 1, sizeof(*d->leaves));
	d->lmask = calloc(nl + 1, vs);
	d->cmp = calloc(1, m->lookup_size);
	one = calloc(1, vs);
	if (!d->leaves || !d->lmask || !d->cmp || !one) {
		free(one);
		return err_fail("out of memory");
	}
	for (uint32_t i = 0; i < nl; i++) {
		const struct tv_leaf *l = tv_plan_leaf(p, i);

		if (l->in_union_alt || (d->sel ? !selected(d->q, l) : l->is_padding))
			continue;
		leaf_bits(l, d->lmask + (size_t)d->nleaves * vs);
		d->leaves[d->nleaves++] = l;
		if (d->sel)
			leaf_bits(l, one);
	}
	if (!d->sel)
		memset(one, 0xff, vs);
	for (int c = 0; c < m->ncpus; c++)
		memcpy(d->cmp + (size_t)c * m->stride, one, vs);
	free(one);
	return EXIT_OK;
}

/* The two values of a key as compared: what a file's entry leaves out
 * (set_mask) is the other side's, so it never differs. */
static void load_pair(struct diff *d, size_t a, size_t b)
{
	const struct mapref *m = d->m;
	const char *ma = set_mask(&d->s[0], a), *mb = set_mask(&d->s[1], b);
	const char *A = VAL_AT(&d->s[0], a), *B = VAL_AT(&d->s[1], b);

	for (__u32 i = 0; i < m->lookup_size; i++) {
		char x = ma ? (char)((A[i] & ma[i]) | (B[i] & ~ma[i])) : A[i];

		d->va[i] = x;
		d->vb[i] = mb ? (char)((B[i] & mb[i]) | (x & ~mb[i])) : B[i];
	}
}

static bool differ(const struct diff *d)
{
	for (__u32 i = 0; i < d->m->lookup_size; i++)
		if ((d->va[i] ^ d->vb[i]) & d->cmp[i])
			return true;
	return false;
}

/* Do leaf li's bits differ on CPU c? */
static bool leaf_differs(const struct diff *d, int li, int c)
{
	const struct tv_leaf *l = d->leaves[li];
	const char *lm = d->lmask + (size_t)li * d->m->info.value_size;
	size_t base = (size_t)c * d->m->stride;

	for (__u32 i = l->offset; i < l->offset + l->size; i++)
		if ((d->va[base + i] ^ d->vb[base + i]) & lm[i])
			return true;
	return false;
}

/* The value dump folds a lookup to (raw itself for other maps). */
static const void *fold(const struct diff *d, const char *raw, char *sum)
{
	if (!d->m->percpu)
		return raw;
	mapref_sum_cpus(d->m, raw, sum);
	return sum;
}

static bool matches(struct diff *d, const void *key, const char *raw, char *sum)
{
	return !d->q || eo_match(&d->eo, d->q, key, fold(d, raw, sum), raw);
}

static int add_change(struct diff *d, enum dop op, size_t a, size_t b)
{
	if (d->nch == d->chcap) {
		size_t cap = d->chcap ? d->chcap * 2 : 256;
		struct dchange *n = realloc(d->ch, cap * sizeof(*n));

		if (!n)
			return err_fail("out of memory");
		d->ch = n;
		d->chcap = cap;
	}
	d->ch[d->nch++] = (struct dchange){ (uint32_t)a, (uint32_t)b, (uint8_t)op };
	return EXIT_OK;
}

static int compare(struct diff *d)
{
	struct apply_set *A = &d->s[0], *B = &d->s[1];
	uint8_t *seen = calloc(B->n / 8 + 1, 1);
	int rc = EXIT_OK;

	if (!seen)
		return err_fail("out of memory");
	for (size_t a = 0; a < A->n && !rc; a++) {
		const char *key = KEY_AT(A, a);
		long b;

		if (A->dups && set_find(A, key) != (long)a)
			continue;	/* a key the map showed twice */
		b = set_find(B, key);
		if (b < 0) {
			if (matches(d, key, VAL_AT(A, a), d->sa))
				rc = add_change(d, D_REMOVE, a, 0);
			continue;
		}
		seen[b / 8] |= (uint8_t)(1u << (b % 8));
		load_pair(d, a, (size_t)b);
		if (differ(d) && (matches(d, key, d->va, d->sa) ||
				  matches(d, key, d->vb, d->sb)))
			rc = add_change(d, D_CHANGE, a, (size_t)b);
	}
	for (size_t b = 0; b < B->n && !rc; b++) {
		const char *key = KEY_AT(B, b);

		if ((seen[b / 8] & (1u << (b % 8))) ||
		    (B->dups && set_find(B, key) != (long)b))
			continue;
		if (matches(d, key, VAL_AT(B, b), d->sb))
			rc = add_change(d, D_ADD, 0, b);
	}
	free(seen);
	return rc;
}

/* ---- the order ---- */

static const char *ch_key(const struct diff *d, const struct dchange *c)
{
	return c->op == D_ADD ? KEY_AT(&d->s[1], c->b) : KEY_AT(&d->s[0], c->a);
}

static const char *ch_val(const struct diff *d, const struct dchange *c)
{
	return c->op == D_ADD ? VAL_AT(&d->s[1], c->b) : VAL_AT(&d->s[0], c->a);
}

static int ch_cmp(const void *x, const void *y, void *arg)
{
	const struct diff *d = arg;
	const struct dchange *a = x, *b = y;

	if (d->order)
		return query_cmp(d->order, ch_key(d, a), ch_val(d, a), ch_key(d, b),
				 ch_val(d, b));
	return memcmp(ch_key(d, a), ch_key(d, b), d->m->info.key_size);
}

/* ---- printing ---- */

/* One leaf's value (l NULL: the whole value) as dump shows it. */
static void value_text(const struct diff *d, const struct tv_leaf *l,
		       const char *raw, char *sum, struct strbuf *sb)
{
	const struct mapref *m = d->m;

	eo_value_text(m, l, fold(d, raw, sum), m->percpu ? raw : NULL, sb);
}

static void leaf_name(const struct diff *d, const struct tv_leaf *l, char *buf,
		      size_t size)
{
	eo_leaf_col_name(l, false, d->m->key, buf, size);
}

/* The whole value of an added or removed entry, text. */
static void entry_text(struct diff *d, const char *raw, char *sum)
{
	char name[160];

	if (!d->sel) {
		value_text(d, NULL, raw, sum, &d->line);
		return;
	}
	for (int i = 0; i < d->nleaves; i++) {
		leaf_name(d, d->leaves[i], name, sizeof(name));
		sb_addf(&d->line, "%s%s=", i ? " " : "", name);
		value_text(d, d->leaves[i], raw, sum, &d->line);
	}
}

/* One changed field: "F: OLD -> NEW" (text) or {"field": F, ...};
 * cpu >= 0: that CPU's values of the field. */
static void field_out(struct diff *d, struct jw *jw, const struct tv_leaf *l,
		      int cpu, const void *old, const void *new, int *nf)
{
	char name[160];

	if (l)
		leaf_name(d, l, name, sizeof(name));
	else
		snprintf(name, sizeof(name), "@uncovered");
	if (jw) {
		jw_start_object(jw);
		jw_kv_string(jw, "field", name);
		if (cpu >= 0)
			jw_kv_u64(jw, "cpu", (uint64_t)cpu);
		for (int side = 0; side < 2; side++) {
			const void *v = side ? new : old;

			jw_name(jw, side ? "new" : "old");
			if (l) {
				tv_leaf_format_json(l, v, jw);
			} else {
				sb_reset(&d->t1);
				if (!tv_add_uncovered(d->m->value, v, &d->t1))
					sb_adds(&d->t1, "0x0");
				jw_string(jw, sb_str(&d->t1));
			}
		}
		jw_end_object(jw);
	} else {
		sb_adds(&d->line, *nf ? ", " : "  ");
		sb_adds(&d->line, name);
		if (cpu >= 0)
			sb_addf(&d->line, "@cpu%d", cpu);
		sb_adds(&d->line, ": ");
		for (int side = 0; side < 2; side++) {
			const void *v = side ? new : old;

			if (side)
				sb_adds(&d->line, " -> ");
			if (!l) {
				if (!tv_add_uncovered(d->m->value, v, &d->line))
					sb_adds(&d->line, "0x0");
			} else if (cpu >= 0 || !d->m->percpu) {
				tv_leaf_format_text(l, v, &d->line);
			} else {
				sb_adds(&d->line, sb_str(side ? &d->t2 : &d->t1));
			}
		}
	}
	(*nf)++;
}

/* Each CPU on which leaf li changed. */
static void per_cpu_fields(struct diff *d, struct jw *jw, int li, int *nf)
{
	const struct mapref *m = d->m;

	for (int c = 0; c < m->ncpus; c++)
		if (leaf_differs(d, li, c))
			field_out(d, jw, d->leaves[li], c, d->va + (size_t)c * m->stride,
				  d->vb + (size_t)c * m->stride, nf);
}

/* The fields of a change (d->va, d->vb loaded). */
static void changed_fields(struct diff *d, struct jw *jw)
{
	const struct mapref *m = d->m;
	int nf = 0;

	if (m->percpu) {
		mapref_sum_cpus(m, d->va, d->sa);
		mapref_sum_cpus(m, d->vb, d->sb);
	}
	for (int li = 0; li < d->nleaves; li++) {
		const struct tv_leaf *l = d->leaves[li];
		bool any = false;

		for (int c = 0; c < m->ncpus && !any; c++)
			any = leaf_differs(d, li, c);
		if (!any)
			continue;
		if (!m->percpu) {
			field_out(d, jw, l, -1, d->va, d->vb, &nf);
			continue;
		}
		/* Per-CPU: the folded value when it shows the change (a sum
		 * that moved; a field every CPU holds the same of), else
		 * the CPUs that changed. */
		if (tv_leaf_fold(m->value, l) == TV_FOLD_NONE) {
			if (mapref_cpus_differ(m, l, d->va) || mapref_cpus_differ(m, l, d->vb)) {
				per_cpu_fields(d, jw, li, &nf);
				continue;
			}
		} else {
			sb_reset(&d->t1);
			sb_reset(&d->t2);
			tv_leaf_format_text(l, d->sa, &d->t1);
			tv_leaf_format_text(l, d->sb, &d->t2);
			if (!strcmp(sb_str(&d->t1), sb_str(&d->t2))) {
				per_cpu_fields(d, jw, li, &nf);
				continue;
			}
		}
		sb_reset(&d->t1);
		sb_reset(&d->t2);
		tv_leaf_format_text(l, d->sa, &d->t1);
		tv_leaf_format_text(l, d->sb, &d->t2);
		field_out(d, jw, l, -1, d->sa, d->sb, &nf);
	}
	if (nf)
		return;
	/* Only bytes no field names changed. */
	for (int c = 0; c < m->ncpus; c++) {
		const char *x = d->va + (size_t)c * m->stride;
		const char *y = d->vb + (size_t)c * m->stride;

		if (memcmp(x, y, m->info.value_size))
			field_out(d, jw, NULL, m->percpu ? c : -1, x, y, &nf);
	}
}

/* One entry as dump -j prints it, as the member name. */
static void entry_json(struct diff *d, const char *name, const void *key,
		       const char *raw, char *sum)
{
	struct jw *jw = out_json_field(d->o, name);

	jw_start_object(jw);
	eo_json_members(&d->eo, key, fold(d, raw, sum), raw);
	jw_end_object(jw);
}

static void print_change(struct diff *d, const struct dchange *c)
{
	const struct mapref *m = d->m;
	struct out *o = d->o;
	const char *key = ch_key(d, c);

	if (c->op == D_CHANGE)
		load_pair(d, c->a, c->b);
	if (out_is_json(o)) {
		struct jw *jw;

		out_record_begin(o);
		out_str(o, "op", dop_names[c->op]);
		jw = out_json_field(o, "key");
		tv_format_json(m->key, key, jw);
		if (c->op == D_REMOVE)
			entry_json(d, "old", key, VAL_AT(&d->s[0], c->a), d->sa);
		else if (c->op == D_ADD)
			entry_json(d, "new", key, VAL_AT(&d->s[1], c->b), d->sb);
		else {
			entry_json(d, "old", key, d->va, d->sa);
			entry_json(d, "new", key, d->vb, d->sb);
			jw = out_json_field(o, "fields");
			jw_start_array(jw);
			changed_fields(d, jw);
			jw_end_array(jw);
		}
		out_record_end(o);
		return;
	}
	sb_reset(&d->line);
	sb_addc(&d->line, dop_marks[c->op]);
	sb_addc(&d->line, ' ');
	mapref_key_text(m, key, &d->line);
	if (c->op == D_CHANGE) {
		changed_fields(d, NULL);
	} else {
		sb_adds(&d->line, "  ");
		if (c->op == D_REMOVE)
			entry_text(d, VAL_AT(&d->s[0], c->a), d->sa);
		else
			entry_text(d, VAL_AT(&d->s[1], c->b), d->sb);
	}
	out_line(o, "%s", sb_str(&d->line));
}

/* ---- the run ---- */

/* One side of a diff: a live map, else a file. */
struct dside {
	const struct mapref *map;
	const char *file;
};

static void diff_free(struct diff *d)
{
	set_free(&d->s[0]);
	set_free(&d->s[1]);
	query_free(d->order);
	free(d->leaves);
	free(d->lmask);
	free(d->cmp);
	free(d->va);
	free(d->sa);
	free(d->ch);
	sb_free(&d->line);
	sb_free(&d->t1);
	sb_free(&d->t2);
}

/* stats: say how each live map was read (--stats). */
static int diff_run(struct ctx *ctx, const struct mapref *m,
		    const struct dside sides[2], const struct query *q, bool stats)
{
	struct out *o = &ctx->out;
	enum out_mode mode = o->mode;
	struct diff d = { .ctx = ctx, .m = m, .o = o, .q = q };
	int rc = EXIT_OK;

	if (!m->key || !m->value)
		return err_usage("%s diff: %s maps have no keys and values to compare",
				 m->name, map_type_str(m->info.type));
	/* -j is JSON lines too: one object per change. */
	if (out_is_json(o))
		o->mode = OUT_JSONL;
	d.va = calloc(2, m->lookup_size);
	d.sa = calloc(2, m->info.value_size + 8);
	if (!d.va || !d.sa) {
		free(d.va);
		free(d.sa);
		o->mode = mode;
		return err_fail("out of memory");
	}
	d.vb = d.va + m->lookup_size;
	d.sb = d.sa + m->info.value_size + 8;
	{
		char *w[] = { "sort", "key", NULL };
		struct strbuf err = STRBUF_INIT;

		if (query_parse(m->key, m->value, 2, w, NULL, &d.order, &err))
			d.order = NULL;
		sb_free(&err);
	}
	mapref_fix_clock(m);
	eo_init(&d.eo, o, m, q, false);
	rc = setup_fields(&d);
	for (int i = 0; i < 2 && !rc; i++) {
		d.s[i].m = m;
		d.s[i].verb = "diff";
		rc = sides[i].map ? read_map(&d.s[i], sides[i].map, stats)
				  : read_file(&d.s[i], sides[i].file);
	}
	if (!rc)
		rc = compare(&d);
	if (!rc && d.nch) {
		qsort_r(d.ch, d.nch, sizeof(*d.ch), ch_cmp, &d);
		for (size_t i = 0; i < d.nch && !o->broken; i++)
			print_change(&d, &d.ch[i]);
	}
	eo_fini(&d.eo);
	out_flush(o);
	o->mode = mode;
	if (!rc && out_failed(o))
		rc = EXIT_FAIL;	/* said by out_flush */
	if (!rc && interrupted())
		rc = EXIT_FAIL;
	if (rc)
		rc = DIFF_TROUBLE;
	else if (d.nch)
		rc = EXIT_FAIL;	/* different, as diff(1) */
	diff_free(&d);
	return rc;
}

/* where / fields after the files (sort and limit do not apply). */
static int diff_query(const struct mapref *m, const char *who, int argc,
		      char **argv, struct query **q)
{
	struct strbuf err = STRBUF_INIT;
	int consumed = 0, rc;

	*q = NULL;
	if (!argc)
		return EXIT_OK;
	if (!query_is_keyword(argv[0]))
		return err_usage("%s: unexpected argument '%s' (expected where or fields)",
				 who, argv[0]);
	rc = query_parse(m->key, m->value, argc, argv, &consumed, q, &err);
	if (rc) {
		rc = err_usage("%s: %s", who, err.len ? sb_str(&err) : "not a valid query");
		sb_free(&err);
		return rc;
	}
	sb_free(&err);
	if (consumed < argc)
		rc = err_usage("%s: unexpected '%s' (expected where or fields)", who,
			       argv[consumed]);
	else if (query_has_sort(*q) || query_limit(*q) >= 0)
		rc = err_usage("%s: sort and limit do not apply (changes print in key order; where and fields do)",
			       who);
	if (rc) {
		query_free(*q);
		*q = NULL;
	}
	return rc;
}

static bool sel_keyword(const char *w)
{
	return !strcmp(w, "id") || !strcmp(w, "pinned") || !strcmp(w, "name");
}

/* A map given as one option word: NAME, "id N", "pinned PATH", "name
 * NAME", or a path on a bpffs (/...); next: the word after it, for the
 * selector's second word (NULL when none). *used: 1 when next was taken. */
static int open_other(struct ctx *ctx, const char *opt, const char *spec,
		      const char *next, int *used, struct mapref **out)
{
	char *copy = strdup(spec), *w[3] = { copy, NULL, NULL }, *sp;
	struct mapsel sel;
	int n = 1, rc;

	*used = 0;
	if (!copy)
		return err_fail("out of memory");
	if (copy[0] == '/') {
		w[0] = "pinned";
		w[1] = copy;
		n = 2;
	} else if ((sp = strchr(copy, ' '))) {
		*sp = '\0';
		w[1] = sp + 1;
		n = 2;
		if (!sel_keyword(copy)) {
			free(copy);
			return err_usage("%s '%s': not a map (expected NAME, 'id N', 'pinned PATH' or 'name NAME')",
					 opt, spec);
		}
	} else if (sel_keyword(copy) && next) {
		w[1] = (char *)next;
		n = 2;
		*used = 1;
	}
	rc = mapsel_parse(n, w, &sel) < 0 ? DIFF_TROUBLE
		: mapref_open(&ctx->set.map, &sel, out) ? DIFF_TROUBLE : EXIT_OK;
	free(copy);
	return rc;
}

/* Can m's entries be compared with o's, byte for byte? */
static int same_types(const struct mapref *m, const struct mapref *o)
{
	const char *mk = tv_plan_type_name(m->key), *ok = tv_plan_type_name(o->key);
	const char *mv = tv_plan_type_name(m->value), *ov = tv_plan_type_name(o->value);

	if (m->info.key_size != o->info.key_size ||
	    m->info.value_size != o->info.value_size || m->percpu != o->percpu)
		return err_usage("%s diff: %s is not typed as %s (key %u / value %u bytes%s against %u / %u%s)",
				 m->name, o->name, m->name, o->info.key_size,
				 o->info.value_size, o->percpu ? ", per-CPU" : "",
				 m->info.key_size, m->info.value_size,
				 m->percpu ? ", per-CPU" : "");
	if (!tv_plan_is_raw(m->key) && !tv_plan_is_raw(o->key) && mk && ok && strcmp(mk, ok))
		return err_usage("%s diff: %s's key is %s, %s's is %s", m->name, o->name,
				 ok, m->name, mk);
	if (!tv_plan_is_raw(m->value) && !tv_plan_is_raw(o->value) && mv && ov &&
	    strcmp(mv, ov))
		return err_usage("%s diff: %s's value is %s, %s's is %s", m->name, o->name,
				 ov, m->name, mv);
	return EXIT_OK;
}

int verb_diff(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map, *other = NULL;
	const char *om = opt_get(opts, VOPT_DIFF_MAP);
	struct dside sides[2] = { { 0 }, { .map = m } };
	struct query *q = NULL;
	char who[352];
	int rc, used = 0;

	snprintf(who, sizeof(who), "%s %s", m->name, cmd->name);
	if (om) {
		const char *next = argc && !query_is_keyword(argv[0]) ? argv[0] : NULL;

		rc = open_other(ctx, "--map", om, next, &used, &other);
		if (rc)
			return DIFF_TROUBLE;
		argc -= used;
		argv += used;
		if (argc && !query_is_keyword(argv[0])) {
			rc = err_usage("%s: a FILE and --map: compare with one of them", who);
			goto out;
		}
		if ((rc = same_types(m, other)))
			goto out;
		sides[0].map = other;
	} else {
		if (!argc || query_is_keyword(argv[0])) {
			rc = err_usage("%s: compare with what? (expected FILE, as save writes it, or --map OTHER)",
				       who);
			goto out;
		}
		sides[0].file = argv[0];
		argc--;
		argv++;
	}
	rc = diff_query(m, who, argc, argv, &q);
	if (!rc)
		rc = diff_run(ctx, m, sides, q, opts->count[VOPT_DIFF_STATS] > 0);
out:
	query_free(q);
	mapref_free(other);
	return rc == EXIT_FAIL || rc == EXIT_OK ? rc : DIFF_TROUBLE;
}

int do_diff_files(struct ctx *ctx, const struct cmd *cmd,
		  const struct opt_vals *opts, int argc, char **argv)
{
	const char *tm = opt_get(opts, DIFF_OPT_TYPE_OF);
	struct mapref *m = NULL;
	struct dside sides[2] = { { 0 } };
	struct query *q = NULL;
	char who[352];
	int rc, used;

	if (argc < 2 || query_is_keyword(argv[0]) || query_is_keyword(argv[1]))
		return err_usage("diff: expected two files (mapsh diff FILE1 FILE2 --type-of MAP; a map against a file: mapsh MAP diff FILE)");
	if (!tm)
		return err_usage("diff: --type-of MAP is required: the map whose key and value types type %s and %s",
				 argv[0], argv[1]);
	if (!strcmp(argv[0], "-") && !strcmp(argv[1], "-"))
		return err_usage("diff: standard input ('-') can be one of the files, not both");
	rc = open_other(ctx, "--type-of", tm, NULL, &used, &m);
	if (rc)
		return DIFF_TROUBLE;
	snprintf(who, sizeof(who), "%s diff", m->name);
	if (!map_verb_applies(cmd_find(map_verbs, "diff"), m->info.type)) {
		rc = err_usage("diff: --type-of %s: %s maps cannot be compared (entries of %s)",
			       tm, map_type_str(m->info.type), "hash, array and LPM maps");
		goto out;
	}
	sides[0].file = argv[0];
	sides[1].file = argv[1];
	rc = diff_query(m, who, argc - 2, argv + 2, &q);
	if (!rc)
		rc = diff_run(ctx, m, sides, q, false);	/* two files: no map read */
out:
	query_free(q);
	mapref_free(m);
	return rc == EXIT_FAIL || rc == EXIT_OK ? rc : DIFF_TROUBLE;
}
