// SPDX-License-Identifier: GPL-2.0
/* Reading verbs: dump, lookup, getnext, count. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include "output/entry_out.h"
#include "base/err.h"
#include "base/interrupt.h"
#include "verbs/map_verbs.h"
#include "map/mapiter.h"
#include "base/rowset.h"

static int iter_init(struct mapiter *it, const struct mapref *m)
{
	int rc = mapiter_init(it, m->fd, m->info.key_size, m->lookup_size,
			      m->info.max_entries);

	if (rc)
		return err_fail("out of memory");
	/* A batch over an array of maps stops at the first empty slot. */
	if (m->info.type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	    m->info.type == BPF_MAP_TYPE_HASH_OF_MAPS)
		it->batch = false;
	return EXIT_OK;
}

static int parse_query(const struct mapref *m, const char *verb, int argc,
		       char **argv, struct query **q)
{
	struct strbuf err = STRBUF_INIT;
	int consumed = 0, rc;

	*q = NULL;
	if (!argc)
		return EXIT_OK;
	if (!m->key || !m->value)
		return err_usage("%s %s: unexpected argument '%s'", m->name, verb, argv[0]);
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "mapsh %s %s", m->name, verb);
		rc = query_parse_in(cmd, m->key, m->value, argc, argv, &consumed,
				    q, &err);
	}
	if (rc) {
		rc = err_usage("%s %s: %s", m->name, verb,
			       err.len ? sb_str(&err) : "not a valid query");
		sb_free(&err);
		query_free(*q);
		*q = NULL;
		return rc;
	}
	sb_free(&err);
	if (consumed < argc) {
		query_free(*q);
		*q = NULL;
		return err_usage("%s %s: unexpected '%s' (expected where, sort, limit or fields)",
				 m->name, verb, argv[consumed]);
	}
	return EXIT_OK;
}

/* ---- dump ---- */

/* Entries held for sorting: key, summed value and the raw lookup bytes,
 * one record each, with a spare record after the last (heap_offer). */
struct held {
	struct rowset rows;
	__u32 ks, vs, rs;
};

static void held_fill(const struct held *h, char *p, const void *k,
		      const void *v, const void *raw)
{
	memcpy(p, k, h->ks);
	memcpy(p + h->ks, v, h->vs);
	if (h->rs)
		memcpy(p + h->ks + h->vs, raw, h->rs);
}

static int held_add(struct held *h, const void *k, const void *v,
		    const void *raw)
{
	char *p = rowset_add(&h->rows);

	if (!p)
		return -ENOMEM;
	held_fill(h, p, k, v, raw);
	return 0;
}

struct sort_ctx {
	const struct held *h;
	const struct query *q;
};

static int held_cmp(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *s = arg;
	const struct rowset *r = &s->h->rows;
	const char *ra = r->arena + (size_t)*(const uint32_t *)a * r->rec;
	const char *rb = r->arena + (size_t)*(const uint32_t *)b * r->rec;
	int c = query_cmp(s->q, ra, ra + s->h->ks, rb, rb + s->h->ks);

	/* Equal keys keep the kernel's order. */
	if (!c)
		c = *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
	return c;
}

/* sort ... limit N: only the N first entries in sort order are kept, in
 * a heap whose root is the last of them, so memory is N entries. */
static int rec_cmp(const char *a, const char *b, void *arg)
{
	const struct sort_ctx *s = arg;

	return query_cmp(s->q, a, a + s->h->ks, b, b + s->h->ks);
}

/* Offer one entry to a heap of at most max entries. */
static int heap_offer(struct held *h, const struct query *q, size_t max,
		      const void *k, const void *v, const void *raw)
{
	struct rowset *r = &h->rows;
	struct sort_ctx sc = { h, q };
	char *p, *root;

	if (r->n < max) {
		int rc = held_add(h, k, v, raw);

		if (!rc)
			rowset_sift_up(r, r->n - 1, rec_cmp, &sc);
		return rc;
	}
	/* Better than the worst kept? Compare in place of a scratch slot. */
	p = r->arena + r->len;	/* the spare record */
	root = rowset_at(r, 0);
	memcpy(p, k, h->ks);
	memcpy(p + h->ks, v, h->vs);
	if (rec_cmp(p, root, &sc) >= 0)
		return 0;
	held_fill(h, root, k, v, raw);
	rowset_sift_down(r, 0, rec_cmp, &sc);
	return 0;
}

/* The records the readers formatted, chunk after chunk, to the output:
 * were there any? A read error is left in it->err. */
static bool texts_out(struct out *o, struct mapiter *it)
{
	const char *t;
	size_t len;
	__u32 n;
	bool any = false;

	while (!interrupted() && !o->broken &&
	       mapiter_next_text(it, &t, &len, &n) > 0) {
		out_records_text(o, t, len);
		any = any || n;
	}
	return any;
}

static int dump_run(struct ctx *ctx, struct mapref *m, const struct query *q,
		    bool per_cpu, bool stats, bool bars)
{
	struct out *o = &ctx->out;
	struct entry_out eo;
	struct mapiter it;
	struct held h = { 0 };
	const void *k, *raw;
	long long limit = q ? query_limit(q) : -1, shown = 0;
	bool sorted = q && query_has_sort(q), any = false;
	struct hist_style st;
	bool hist, text_hist;
	int rc, r;

	rc = iter_init(&it, m);
	if (rc)
		return rc;
	mapref_fix_clock(m);
	eo_init(&eo, &ctx->out, m, q, per_cpu);
	eo.wall = true;
	/* Every entry, in plain rows or compact JSON: the split readers (if
	 * the map gets them) format their chunks too, so that formatting
	 * runs on every core the reading does. */
	if (!q && !bars && eo_nhist(&eo) == 0 && eo_rows_apart(&eo))
		mapiter_format_in_readers(&it, eo_format_rows_fn, &eo);
	/* More than a chunk to go through: read the next chunks on a second
	 * thread while this one formats (without it the same, only slower). */
	if (m->info.max_entries > it.chunk &&
	    (sorted || limit < 0 || limit > (long long)it.chunk))
		mapiter_prefetch(&it);
	h.ks = m->info.key_size;
	h.vs = m->value ? tv_plan_size(m->value) : 0;
	h.rs = m->percpu ? m->lookup_size : 0;
	h.rows.rec = h.ks + h.vs + h.rs;
	h.rows.first = 1024;
	h.rows.spare = 1;
	/* Values holding histograms: each entry followed by them drawn. */
	hist = eo_nhist(&eo) > 0;
	text_hist = hist && !out_is_json(o);
	hist_style_init(&st, o, bars);
	if (!text_hist)
		out_list_begin(o);
	if (mapiter_texts(&it)) {
		any = texts_out(o, &it);
		limit = 0;	/* nothing left for the loop below */
	}
	while (limit != 0 && !interrupted() &&
	       (r = mapiter_next(&it, &k, &raw)) > 0) {
		const void *v = eo_total(&eo, raw);

		if (q && !eo_match(&eo, q, k, v, raw))
			continue;
		if (sorted) {
			eo_sort_value(&eo, raw);
			if (limit > 0 ? heap_offer(&h, q, (size_t)limit, k, v, raw)
				      : held_add(&h, k, v, raw)) {
				rc = err_fail("%s dump: out of memory after %zu entries",
					      m->name, h.rows.n);
				break;
			}
			continue;
		}
		if (hist)
			eo_entry_hist(&eo, &st, k, v, raw);
		else
			eo_entry(&eo, k, v, raw);
		any = true;
		if (o->broken)
			break;
		if (limit > 0 && ++shown >= limit)
			break;
	}
	if (!rc && it.err)
		rc = err_fail("%s dump: reading the map failed: %s", m->name,
			      strerror(-it.err));
	if (!rc && sorted) {
		struct sort_ctx sc = { &h, q };

		qsort_r(h.rows.idx, h.rows.n, sizeof(*h.rows.idx), held_cmp, &sc);
		for (size_t i = 0; i < h.rows.n && (limit < 0 || (long long)i < limit); i++) {
			const char *p = rowset_at(&h.rows, i);

			if (hist)
				eo_entry_hist(&eo, &st, p, p + h.ks,
					      h.rs ? p + h.ks + h.vs : p + h.ks);
			else
				eo_entry(&eo, p, p + h.ks, h.rs ? p + h.ks + h.vs : p + h.ks);
			any = true;
			if (o->broken)
				break;
		}
	}
	if (!rc && !any)
		eo_empty(&eo);
	if (!text_hist)
		out_list_end(o);
	if (!rc && o->mode == OUT_TABLE && m->percpu && !eo.per_cpu) {
		struct strbuf sb = STRBUF_INIT;

		if (eo_cpu0_fields(&eo, &sb)) {
			if (tv_plan_is_raw(m->value))
				out_line(o, "(%d CPUs, no BTF: nothing summed; each CPU's bytes where they differ; --per-cpu shows each CPU)",
					 m->ncpus);
			else
				out_line(o, "(%d CPUs: counters and plain integers summed; %s: each CPU's where they differ; --per-cpu shows each CPU)",
					 m->ncpus, sb_str(&sb));
			out_flush(o);
		}
		sb_free(&sb);
	}
	rowset_free(&h.rows);
	if (stats)
		mapiter_print_stats(&it, m->name);
	/* the readers first: they may be formatting with eo still (after a
	 * write error, say) */
	mapiter_fini(&it);
	eo_fini(&eo);
	return rc;
}

int verb_dump(struct ctx *ctx, const struct cmd *cmd,
	      const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct query *q = NULL;
	int rc;

	/* (maps of maps dump in verb_mim_dump) */
	if (opts->count[VOPT_RECURSIVE])
		return err_usage("%s dump: --recursive applies to maps of maps (%s is %s)",
				 m->name, m->name, map_type_str(m->info.type));
	rc = parse_query(m, cmd->name, argc, argv, &q);
	if (rc)
		return rc;
	rc = dump_run(ctx, m, q, opts->count[VOPT_PER_CPU] > 0,
		      opts->count[VOPT_STATS] > 0,
		      opts->count[VOPT_BARS] > 0);
	/* A map whose key is a log2 bucket index: its histogram after the
	 * table (text modes; `hist` gives it in JSON). */
	if (!rc && !q && !out_is_json(&ctx->out) && m->key &&
	    tv_plan_nleaves(m->key) == 1 && tv_plan_is_scalar(m->key) &&
	    tv_plan_leaf(m->key, 0)->fmt == TV_FMT_LOG2) {
		static struct opt_vals hv;

		memset(&hv, 0, sizeof(hv));
		hv.count[VOPT_H_BARS] = opts->count[VOPT_BARS];
		out_line(&ctx->out, "%s", "");
		rc = verb_hist(ctx, cmd, &hv, 0, NULL);
	}
	query_free(q);
	return rc;
}

/* ---- lookup ---- */

/* Does the LPM key `entry` contain the prefix of `want` (and is it no
 * longer)? Both are {u32 prefixlen, address}. */
static bool lpm_contains(const void *entry, const void *want, __u32 key_size)
{
	const unsigned char *e = entry, *w = want;
	__u32 el, wl;

	memcpy(&el, e, 4);
	memcpy(&wl, w, 4);
	if (el > wl || el > (key_size - 4) * 8)
		return false;
	for (__u32 b = 0; b < el; b++) {
		unsigned char mask = (unsigned char)(0x80 >> (b % 8));

		if ((e[4 + b / 8] ^ w[4 + b / 8]) & mask)
			return false;
	}
	return true;
}

/* The longest prefix of an LPM map containing `want`, into key/raw:
 * what the kernel's lookup matched, so it can be shown. */
static void lpm_matched(const struct mapref *m, const void *want, void *key,
			void *raw)
{
	struct mapiter it;
	const void *k, *v;
	long best = -1;

	if (mapiter_init(&it, m->fd, m->info.key_size, m->lookup_size,
			 m->info.max_entries))
		return;
	while (mapiter_next(&it, &k, &v) > 0) {
		__u32 len;

		memcpy(&len, k, 4);
		if ((long)len > best && lpm_contains(k, want, m->info.key_size)) {
			best = len;
			memcpy(key, k, m->info.key_size);
			memcpy(raw, v, m->lookup_size);
		}
	}
	mapiter_fini(&it);
}

int verb_lookup(struct ctx *ctx, const struct cmd *cmd,
		const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct entry_out eo;
	void *key = calloc(1, m->info.key_size + 1);
	void *raw = calloc(1, m->lookup_size + 8);
	const void *v;
	int rc;

	if (!key || !raw) {
		rc = err_fail("out of memory");
		goto out;
	}
	rc = mapref_parse_key(m, cmd->name, argc, argv, key);
	if (rc)
		goto out;
	if (bpf_map_lookup_elem(m->fd, key, raw)) {
		struct strbuf sb = STRBUF_INIT;
		int e = errno;

		mapref_key_text(m, key, &sb);
		/* "10.1.2.3", not "10.1.2.3/32", when the address was bare. */
		if (m->lpm && argc == 1 && !strchr(argv[0], '/') && strchr(sb_str(&sb), '/'))
			sb_trunc(&sb, (size_t)(strrchr(sb_str(&sb), '/') - sb.buf));
		if (e == ENOENT && m->lpm)
			rc = err_fail("%s: no prefix contains %s", m->name, sb_str(&sb));
		else if (e == ENOENT)
			rc = err_fail("%s: no entry with key %s", m->name, sb_str(&sb));
		else
			rc = err_fail("%s lookup: %s", m->name, strerror(e));
		sb_free(&sb);
		goto out;
	}
	if (m->lpm)
		lpm_matched(m, key, key, raw);
	mapref_fix_clock(m);
	eo_init(&eo, &ctx->out, m, NULL, opts->count[VOPT_PER_CPU] > 0);
	eo.wall = true;
	v = eo_total(&eo, raw);
	eo_single(&eo, key, v, raw);
	eo_fini(&eo);
out:
	free(key);
	free(raw);
	return rc;
}

/* ---- getnext ---- */

/* The first key: get_next_key from a key that is not in the map gives the
 * first one (bpf(2)); arrays start over after max_entries, an LPM trie
 * after an impossible prefix length. A real key rather than NULL keeps
 * valgrind, which reads attr->key unconditionally, quiet. Cgroup storages
 * answer a key they do not hold with ENOENT: only NULL starts them. */
static int first_key(const struct mapref *m, void *next)
{
	__u32 ks = m->info.key_size;
	unsigned char *probe = calloc(1, ks + 1);
	void *val = calloc(1, m->lookup_size + 8);
	const void *from = NULL;
	int rc;

	if (probe && val && m->info.type != BPF_MAP_TYPE_CGROUP_STORAGE &&
	    m->info.type != BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE) {
		if (m->is_array || m->lpm) {
			memset(probe, 0xff, ks < 4 ? ks : 4);
			from = probe;
		} else {
			for (int fill = 0; fill < 0x100 && !from; fill += 0x55) {
				memset(probe, fill, ks);
				if (bpf_map_lookup_elem(m->fd, probe, val) && errno == ENOENT)
					from = probe;
			}
		}
	}
	rc = mapiter_get_next_key(m->fd, from, next);
	free(probe);
	free(val);
	return rc;
}

static void key_json(const struct mapref *m, struct jw *jw, const void *key)
{
	tv_format_json(m->key, key, jw);
}

int verb_getnext(struct ctx *ctx, const struct cmd *cmd,
		 const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct out *o = &ctx->out;
	void *key = calloc(1, m->info.key_size + 1);
	void *next = calloc(1, m->info.key_size + 1);
	struct strbuf sb = STRBUF_INIT;
	int rc = EXIT_OK;

	if (!key || !next) {
		rc = err_fail("out of memory");
		goto out;
	}
	if (argc) {
		rc = mapref_parse_key(m, cmd->name, argc, argv, key);
		if (rc)
			goto out;
	}
	if (argc ? mapiter_get_next_key(m->fd, key, next) : first_key(m, next)) {
		int e = errno;

		if (e == ENOENT && !argc) {
			rc = err_fail("%s is empty: there is no first key", m->name);
		} else if (e == ENOENT) {
			mapref_key_text(m, key, &sb);
			rc = err_fail("%s: no key after %s (it is the last)", m->name,
				      sb_str(&sb));
		} else {
			rc = err_fail("%s getnext: %s", m->name, strerror(e));
		}
		goto out;
	}
	if (out_is_json(o)) {
		struct jw *jw;

		out_object_begin(o);
		jw = out_json_field(o, "key");
		if (argc)
			key_json(m, jw, key);
		else
			jw_null(jw);
		jw = out_json_field(o, "next_key");
		key_json(m, jw, next);
		out_object_end(o);
	} else {
		out_list_begin(o);
		out_record_begin(o);
		if (argc)
			mapref_key_text(m, key, &sb);
		else
			sb_adds(&sb, "-");
		out_text_field(o, "key", sb_str(&sb));
		sb_reset(&sb);
		mapref_key_text(m, next, &sb);
		out_text_field(o, "next_key", sb_str(&sb));
		out_record_end(o);
		out_list_end(o);
	}
out:
	sb_free(&sb);
	free(key);
	free(next);
	return rc;
}

/* ---- count ---- */

int verb_count(struct ctx *ctx, const struct cmd *cmd,
	       const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	struct out *o = &ctx->out;
	struct query *q = NULL;
	unsigned long long n = 0;
	int rc;

	rc = parse_query(m, cmd->name, argc, argv, &q);
	if (rc)
		return rc;
	if (!q) {
		long long c = mapref_count(m);

		if (c < 0)
			return err_fail("%s count: reading the map failed", m->name);
		n = (unsigned long long)c;
	} else {
		struct entry_out eo;
		struct mapiter it;
		const void *k, *raw;

		rc = iter_init(&it, m);
		if (rc) {
			query_free(q);
			return rc;
		}
		/* read ahead (split over CPUs for big hash maps) */
		if (m->info.max_entries > it.chunk)
			mapiter_prefetch(&it);
		eo_init(&eo, &ctx->out, m, NULL, false);
		while (mapiter_next(&it, &k, &raw) > 0)
			if (eo_match(&eo, q, k, eo_total(&eo, raw), raw))
				n++;
		if (it.err)
			rc = err_fail("%s count: reading the map failed: %s", m->name,
				      strerror(-it.err));
		eo_fini(&eo);
		mapiter_fini(&it);
	}
	query_free(q);
	if (rc)
		return rc;
	verb_count_out(o, m, n);
	return EXIT_OK;
}

void verb_count_out(struct out *o, const struct mapref *m,
		    unsigned long long n)
{
	if (out_is_json(o)) {
		out_object_begin(o);
		out_u64(o, "entries", n);
		out_u64(o, "max_entries", m->info.max_entries);
		out_object_end(o);
	} else {
		out_list_begin(o);
		out_record_begin(o);
		out_u64(o, "entries", n);
		out_record_end(o);
		out_list_end(o);
	}
}
