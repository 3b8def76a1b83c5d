// SPDX-License-Identifier: GPL-2.0
/* hist: the distribution of a numeric field over a map's entries, or the
 * sum of the entries' histograms, drawn as output/hist.h draws one.
 *   mapsh MAP hist [FIELD] [where EXPR] [--log2 | --linear STEP] [--by FIELD]
 * The map is read in chunks with batch lookups (mapiter_next_chunk), the
 * field read from the packed values in place. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "output/entry_out.h"
#include "output/hist.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "verbs/map_verbs.h"
#include "map/mapiter.h"

const struct opt_spec hist_opts[] = {
	[VOPT_H_LOG2] = { "log2", 0, NULL, "log2 buckets (the default)" },
	[VOPT_H_LINEAR] = { "linear", 0, "STEP", "buckets STEP wide" },
	[VOPT_H_BY] = { "by", 0, "FIELD", "one histogram per value of FIELD",
			COMPLETE_FIELD },
	[VOPT_H_BARS] = { "bars", 0, NULL, "draw the bars in a pipe too (default: the bucket table)" },
	[VOPT_H_STATS] = { "stats", 'v', NULL,
			   "on stderr once the map is read: entries read, batches, readers, retries, elapsed time" },
	{ NULL },
};

#define MAX_GROUPS 1024
#define HSLOTS 2048	/* open addressing, a power of 2 > MAX_GROUPS */

enum hmode {
	HM_LOG2,	/* a numeric field, log2 buckets */
	HM_LINEAR,	/* a numeric field, buckets of STEP */
	HM_LEAF,	/* a histogram field: its buckets summed */
	HM_KEY,		/* the key is a log2 bucket index: count per key */
};

struct group {
	const void *rec;	/* a record of the group (its --by value) */
	bool rec_in_key;
	struct tv_hist h;	/* log2 and leaf modes */
	int64_t lbase;		/* linear: bucket index of lin[0] */
	uint32_t ln, lcap;
	uint64_t *lin;
	double sum;
	bool has_sum;
	uint64_t neg;		/* log2: values below 0, counted in [0] */
};

struct hrun {
	const struct mapref *m;
	enum hmode mode;
	const struct tv_leaf *f;	/* the field (NULL: key mode) */
	bool f_in_key;
	const struct tv_leaf *by;	/* --by field or NULL */
	bool by_in_key;
	const struct tv_leaf *cnt;	/* key mode: the value's count */
	uint64_t step;
	struct group *g;
	uint32_t ng;
	uint32_t slot[HSLOTS];		/* group index + 1; 0 empty */
	char *recs;			/* --by records, one per group */
	size_t rec_size;
};

static uint64_t fnv(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

/* The --by value of an entry as bytes: integers by value, else the
 * leaf's bytes. */
static size_t by_bytes(const struct tv_leaf *l, const void *rec,
		       unsigned char *out)
{
	if (l->bit_size || (tv_leaf_is_numeric(l) && l->nelems == 1)) {
		uint64_t v = tv_leaf_get_u64(l, rec);

		memcpy(out, &v, 8);
		return 8;
	}
	memcpy(out, (const char *)rec + l->offset, l->size);
	return l->size;
}

static struct group *group_for(struct hrun *r, const void *key,
			       const void *value)
{
	const void *rec = r->by_in_key ? key : value;
	unsigned char b[256];
	size_t n;
	uint32_t s;

	if (!r->by)
		return r->g;
	n = by_bytes(r->by, rec, b);
	for (s = (uint32_t)fnv(b, n) & (HSLOTS - 1); r->slot[s];
	     s = (s + 1) & (HSLOTS - 1)) {
		struct group *g = &r->g[r->slot[s] - 1];
		unsigned char gb[256];

		if (by_bytes(r->by, g->rec, gb) == n && !memcmp(gb, b, n))
			return g;
	}
	if (r->ng == MAX_GROUPS)
		return NULL;
	r->slot[s] = ++r->ng;
	memcpy(r->recs + (r->ng - 1) * r->rec_size, rec, r->rec_size);
	r->g[r->ng - 1].rec = r->recs + (r->ng - 1) * r->rec_size;
	return &r->g[r->ng - 1];
}

/* Add v to the linear buckets of g; -1 when they would span too many. */
static int lin_add(struct hrun *r, struct group *g, double v)
{
	double q = v / (double)r->step;
	int64_t idx = (int64_t)q;

	if ((double)idx > q)
		idx--;	/* floor, for values below 0 */

	if (!g->lcap) {
		g->lcap = 16;
		g->lin = calloc(g->lcap, sizeof(*g->lin));
		if (!g->lin)
			return -1;
		g->lbase = idx;
		g->ln = 1;
	}
	if (idx < g->lbase) {
		uint64_t grow = (uint64_t)(g->lbase - idx);

		if (grow + g->ln > TV_HIST_MAX)
			return -1;
		if (g->ln + grow > g->lcap) {
			uint64_t *n = calloc(TV_HIST_MAX, sizeof(*n));

			if (!n)
				return -1;
			memcpy(n + grow, g->lin, g->ln * sizeof(*n));
			free(g->lin);
			g->lin = n;
			g->lcap = TV_HIST_MAX;
		} else {
			memmove(g->lin + grow, g->lin, g->ln * sizeof(*g->lin));
			memset(g->lin, 0, grow * sizeof(*g->lin));
		}
		g->ln += (uint32_t)grow;
		g->lbase = idx;
	} else if ((uint64_t)(idx - g->lbase) >= g->ln) {
		uint64_t need = (uint64_t)(idx - g->lbase) + 1;

		if (need > TV_HIST_MAX)
			return -1;
		if (need > g->lcap) {
			uint64_t *n = realloc(g->lin, TV_HIST_MAX * sizeof(*n));

			if (!n)
				return -1;
			memset(n + g->lcap, 0, (TV_HIST_MAX - g->lcap) * sizeof(*n));
			g->lin = n;
			g->lcap = TV_HIST_MAX;
		}
		g->ln = (uint32_t)need;
	}
	g->lin[idx - g->lbase]++;
	return 0;
}

static double field_value(const struct tv_leaf *l, const void *rec)
{
	if (l->kind == TV_KIND_FLOAT)
		return tv_leaf_get_double(l, rec, 0);
	if (l->is_signed)
		return (double)tv_leaf_get_i64(l, rec);
	return (double)tv_leaf_get_u64(l, rec);
}

/* One entry into the histogram of its group. 1 ok, 0 too many groups,
 * -1 linear buckets out of range. */
static int add_entry(struct hrun *r, const struct entry_out *eo,
		     const void *key, const void *value)
{
	struct group *g = group_for(r, key, value);
	const void *rec;

	if (!g)
		return 0;
	switch (r->mode) {
	case HM_KEY: {
		uint64_t slot = tv_leaf_get_u64(tv_plan_leaf(r->m->key, 0), key);
		uint64_t c = r->cnt ? tv_leaf_get_u64(r->cnt, value) : 1;

		if (slot >= TV_HIST_MAX)
			slot = TV_HIST_MAX - 1;
		if (slot >= g->h.n)
			g->h.n = (uint32_t)slot + 1;
		g->h.counts[slot] += c;
		return 1;
	}
	case HM_LEAF: {
		struct tv_hist e;

		eo_hist_of(eo, r->f, value, &e);
		if (!g->h.n)
			g->h = e;
		else
			for (uint32_t i = 0; i < e.n; i++)
				g->h.counts[i] += e.counts[i];
		if (e.has_sum) {
			g->has_sum = true;
			g->sum += e.sum;
		}
		return 1;
	}
	case HM_LOG2: {
		double v;

		rec = r->f_in_key ? key : value;
		if (!r->f->is_signed && r->f->kind != TV_KIND_FLOAT) {
			uint64_t u = tv_leaf_get_u64(r->f, rec);

			g->h.counts[tv_log2_slot(u)]++;
			g->sum += (double)u;
			return 1;
		}
		v = field_value(r->f, rec);
		g->sum += v;
		if (v < 0) {
			g->neg++;
			g->h.counts[0]++;
		} else {
			g->h.counts[tv_log2_slot((uint64_t)v)]++;
		}
		return 1;
	}
	case HM_LINEAR: {
		double v;

		rec = r->f_in_key ? key : value;
		v = field_value(r->f, rec);
		g->sum += v;
		return lin_add(r, g, v) ? -1 : 1;
	}
	}
	return 1;
}

/* The group's histogram, finished. */
static void finish(struct hrun *r, struct group *g)
{
	if (r->mode == HM_LOG2) {
		uint32_t last = 0;

		for (uint32_t i = 0; i < 65; i++)
			if (g->h.counts[i])
				last = i;
		g->h.n = last + 1;
		g->h.has_sum = true;
		g->h.sum = g->sum;
	} else if (r->mode == HM_LINEAR) {
		g->h.linear = true;
		g->h.step = r->step;
		g->h.min = g->lbase * (int64_t)r->step;
		g->h.n = g->ln;
		memcpy(g->h.counts, g->lin, g->ln * sizeof(*g->lin));
		g->h.has_sum = true;
		g->h.sum = g->sum;
	} else if (r->mode == HM_LEAF) {
		g->h.has_sum = g->has_sum;
		g->h.sum = g->sum;
	}
}

static int group_cmp(const void *a, const void *b, void *arg)
{
	const struct hrun *r = arg;
	const struct group *x = a, *y = b;

	return tv_leaf_cmp(r->by, x->rec, y->rec);
}

/* A field of the value, else of the key ("key."/"value." say which). */
static const struct tv_leaf *find_field(const struct mapref *m,
					const char *name, bool *in_key)
{
	const struct tv_leaf *l = NULL;

	*in_key = false;
	if (!strncmp(name, "key.", 4) && m->key) {
		*in_key = true;
		return tv_find_leaf(m->key, name + 4, NULL);
	}
	if (!strncmp(name, "value.", 6) && m->value)
		return tv_find_leaf(m->value, name + 6, NULL);
	if (m->value)
		l = tv_find_leaf(m->value, name, NULL);
	if (!l && m->key && (l = tv_find_leaf(m->key, name, NULL)))
		*in_key = true;
	if (!l && !strcmp(name, "key") && m->key && tv_plan_is_scalar(m->key)) {
		*in_key = true;
		l = tv_plan_leaf(m->key, 0);
	}
	if (!l && !strcmp(name, "value") && m->value && tv_plan_is_scalar(m->value))
		l = tv_plan_leaf(m->value, 0);
	return l;
}

static bool key_is_bucket(const struct mapref *m)
{
	return m->key && tv_plan_is_scalar(m->key) && tv_plan_nleaves(m->key) == 1 &&
	       tv_plan_leaf(m->key, 0)->fmt == TV_FMT_LOG2;
}

/* Key mode: the value's count, a counter, else its first numeric field. */
static const struct tv_leaf *count_leaf(const struct mapref *m)
{
	const struct tv_leaf *first = NULL;

	for (uint32_t i = 0; m->value && i < tv_plan_nleaves(m->value); i++) {
		const struct tv_leaf *l = tv_plan_leaf(m->value, i);

		if (l->is_padding || l->nelems != 1 || !tv_leaf_is_numeric(l))
			continue;
		if (tv_leaf_is_counter(m->value, l, true))
			return l;
		if (!first)
			first = l;
	}
	return first;
}

static void print_groups(struct ctx *ctx, struct hrun *r, const char *fname,
			 bool bars)
{
	struct out *o = &ctx->out;
	struct hist_style st;
	struct strbuf sb = STRBUF_INIT;
	char byname[160];

	hist_style_init(&st, o, bars);
	if (r->by)
		eo_leaf_col_name(r->by, r->by_in_key,
				 r->by_in_key ? r->m->value : r->m->key,
				 byname, sizeof(byname));
	if (out_is_json(o)) {
		struct jw *jw = &o->jw;

		out_object_begin(o);
		jw = out_json_field(o, "field");
		jw_string(jw, fname);
		if (!r->by) {
			jw = out_json_field(o, "histogram");
			hist_json(jw, &r->g[0].h);
		} else {
			jw = out_json_field(o, "by");
			jw_string(jw, byname);
			jw = out_json_field(o, "groups");
			jw_start_array(jw);
			for (uint32_t i = 0; i < r->ng; i++) {
				jw_start_object(jw);
				jw_name(jw, byname);
				tv_leaf_format_json(r->by, r->g[i].rec, jw);
				jw_name(jw, "histogram");
				hist_json(jw, &r->g[i].h);
				jw_end_object(jw);
			}
			jw_end_array(jw);
		}
		out_object_end(o);
		sb_free(&sb);
		return;
	}
	for (uint32_t i = 0; i < (r->by ? r->ng : 1); i++) {
		if (r->by) {
			sb_reset(&sb);
			tv_leaf_format_text(r->by, r->g[i].rec, &sb);
			if (i)
				out_line(o, "%s", "");
			out_line(o, "%s=%s", byname, sb_str(&sb));
		}
		hist_text(o, &st, fname, &r->g[i].h);
		if (r->g[i].neg)
			out_line(o, "(%llu below 0, counted in [0])",
				 (unsigned long long)r->g[i].neg);
	}
	sb_free(&sb);
}

int verb_hist(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct hrun *r;
	struct query *q = NULL;
	struct strbuf err = STRBUF_INIT;
	struct entry_out eo;
	struct mapiter it;
	const char *fname = NULL, *lin = opt_get(opts, VOPT_H_LINEAR);
	const char *byn = opt_get(opts, VOPT_H_BY);
	int rc = EXIT_OK, consumed = 0;
	char fbuf[160];

	(void)cmd;
	if (lin && opts->count[VOPT_H_LOG2])
		return err_usage("%s hist: --log2 or --linear, not both", m->name);
	if (!m->value)
		return err_usage("%s hist: %s has no values to count", m->name,
				 m->name);
	r = calloc(1, sizeof(*r));
	if (!r)
		return err_fail("out of memory");
	r->m = m;
	if (argc && !query_is_keyword(argv[0]) && argv[0][0] != '-') {
		fname = argv[0];
		argc--;
		argv++;
	}
	if (argc) {
		rc = query_parse(m->key, m->value, argc, argv, &consumed, &q, &err);
		if (rc || consumed < argc || (q && (query_has_sort(q) || query_limit(q) >= 0))) {
			rc = err_usage("%s hist: %s", m->name,
				       err.len ? sb_str(&err)
				       : "expected FIELD, then where EXPR");
			goto out;
		}
	}
	if (fname) {
		r->f = find_field(m, fname, &r->f_in_key);
		if (!r->f) {
			rc = err_usage("%s hist: no field '%s' in the key or the value",
				       m->name, fname);
			goto out;
		}
	} else if (key_is_bucket(m)) {
		r->mode = HM_KEY;
	} else {
		for (uint32_t i = 0; i < tv_plan_nleaves(m->value); i++)
			if (tv_leaf_is_hist(tv_plan_leaf(m->value, i))) {
				r->f = tv_plan_leaf(m->value, i);
				break;
			}
		if (!r->f) {
			rc = err_usage("%s hist: which field? (FIELD: a number of the key or the value, or a histogram field)",
				       m->name);
			goto out;
		}
	}
	if (r->f && tv_leaf_is_hist(r->f) && !r->f_in_key) {
		r->mode = HM_LEAF;
		if (lin || opts->count[VOPT_H_LOG2]) {
			rc = err_usage("%s hist: %s is a histogram already: its own buckets are summed (no --log2 or --linear)",
				       m->name, r->f->name);
			goto out;
		}
	} else if (r->f) {
		if (!tv_leaf_is_numeric(r->f) || r->f->nelems != 1) {
			rc = err_usage("%s hist: %s is %s, not a number", m->name,
				       fname, r->f->type_name);
			goto out;
		}
		r->mode = lin ? HM_LINEAR : HM_LOG2;
	}
	if (r->mode == HM_KEY)
		r->cnt = count_leaf(m);
	if (lin) {
		char *e;

		errno = 0;
		r->step = strtoull(lin, &e, 0);
		if (errno || e == lin || *e || !r->step || lin[0] == '-') {
			rc = err_usage("%s hist: --linear %s: expected a bucket width (a whole number >= 1)",
				       m->name, lin);
			goto out;
		}
	}
	if (byn) {
		r->by = find_field(m, byn, &r->by_in_key);
		if (!r->by) {
			rc = err_usage("%s hist: --by %s: no field '%s' in the key or the value",
				       m->name, byn, byn);
			goto out;
		}
		if (r->by->size > 256) {
			rc = err_usage("%s hist: --by %s: a field of at most 256 bytes",
				       m->name, byn);
			goto out;
		}
	}
	r->g = calloc(r->by ? MAX_GROUPS : 1, sizeof(*r->g));
	r->rec_size = r->by_in_key ? m->info.key_size : tv_plan_size(m->value);
	r->recs = r->by ? malloc(MAX_GROUPS * r->rec_size) : NULL;
	if (!r->g || (r->by && !r->recs)) {
		rc = err_fail("out of memory");
		goto out;
	}
	if (!r->by)
		r->ng = 1;
	if (r->mode == HM_LEAF)
		snprintf(fbuf, sizeof(fbuf), "%s", r->f->name);
	else if (r->mode == HM_KEY)
		snprintf(fbuf, sizeof(fbuf), "key");
	else
		snprintf(fbuf, sizeof(fbuf), "%s", fname);

	if (mapiter_init(&it, m->fd, m->info.key_size, m->lookup_size,
			 m->info.max_entries)) {
		rc = err_fail("out of memory");
		goto out;
	}
	/* More than a chunk: read ahead, split over the CPUs for big hash
	 * maps, as dump does. */
	if (m->info.max_entries > it.chunk)
		mapiter_prefetch(&it);	/* while this thread counts */
	eo_init(&eo, &ctx->out, m, NULL, false);
	for (;;) {
		const void *keys, *vals;
		__u32 n;
		int got = mapiter_next_chunk(&it, &keys, &vals, &n);

		if (got <= 0 || interrupted())
			break;
		for (__u32 i = 0; i < n && rc == EXIT_OK; i++) {
			const void *k = (const char *)keys + (size_t)i * m->info.key_size;
			const void *raw = (const char *)vals + (size_t)i * m->lookup_size;
			const void *v = m->percpu ? eo_total(&eo, raw) : raw;
			int a;

			if (q && !eo_match(&eo, q, k, v, raw))
				continue;
			a = add_entry(r, &eo, k, v);
			if (a == 0)
				rc = err_fail("%s hist: --by %s: more than %d groups",
					      m->name, byn, MAX_GROUPS);
			else if (a < 0)
				rc = err_usage("%s hist: --linear %llu: the values span more than %d buckets (a larger STEP)",
					       m->name, (unsigned long long)r->step, TV_HIST_MAX);
		}
		if (rc)
			break;
	}
	if (!rc && it.err)
		rc = err_fail("%s hist: reading the map failed: %s", m->name,
			      strerror(-it.err));
	eo_fini(&eo);
	if (!rc && opts->count[VOPT_H_STATS])
		mapiter_print_stats(&it, m->name);
	mapiter_fini(&it);
	if (rc)
		goto out;
	for (uint32_t i = 0; i < r->ng; i++)
		finish(r, &r->g[i]);
	if (r->by)
		qsort_r(r->g, r->ng, sizeof(*r->g), group_cmp, r);
	print_groups(ctx, r, fbuf, opts->count[VOPT_H_BARS] > 0);
	rc = out_status(&ctx->out, EXIT_OK);
out:
	for (uint32_t i = 0; r->g && i < r->ng; i++)
		free(r->g[i].lin);
	free(r->g);
	free(r->recs);
	free(r);
	query_free(q);
	sb_free(&err);
	return rc;
}
