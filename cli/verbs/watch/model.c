// SPDX-License-Identifier: GPL-2.0
/* The model of `mapsh MAP watch`: what each refresh read, per key, and the
 * rows it selects; it prints nothing (the views do: lines.c, tty.c).
 *
 * Each refresh reads the whole map through mapiter (BPF_MAP_LOOKUP_BATCH
 * where the kernel has it) and compares every entry with what the previous
 * refresh saw, kept in a compact table (watch.h): per key only the key
 * bytes, the tracked counters, a hash of the value and a flags byte. Keys
 * usually come back in the same order as last time, so the record after
 * the last one found is tried before the index.
 *
 * Counters are value fields tagged mapsh:counter, or, for foreign maps and
 * unless --raw-values, unsigned 64-bit integer fields named packets, bytes,
 * count, hits or drops (also as a suffix: rx_packets) or *_total. A counter
 * that went down was reset: its delta is its new value. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <linux/bpf.h>
#include "base/err.h"
#include "base/clock.h"
#include "base/hash.h"
#include "base/interrupt.h"
#include "map/mapiter.h"
#include "output/screen.h"
#include "verbs/watch/watch.h"

/* Flags of a state record. */
#define RF_USED		1u
#define RF_PARITY	2u	/* which refresh saw it last (alternates) */
#define RF_MATCHED	4u	/* it passed where when last seen */
#define RF_ACTIVE	8u	/* a counter moved at its last refresh */

/* ---- the state table ---- */

static inline char *tab_rec(const struct watch_tab *t, uint32_t r)
{
	return t->arena + (size_t)r * t->rec;
}

static inline uint8_t *tab_flags(const struct watch_tab *t, char *p)
{
	return (uint8_t *)p + t->rec - 1;
}

static inline char *tab_vhash(const struct watch_tab *t, char *p)
{
	return p + t->ks + 8 * (size_t)t->nt;
}

static int tab_init(struct watch_tab *t, uint32_t ks, uint32_t nt)
{
	size_t page = 4096;

	memset(t, 0, sizeof(*t));
	t->ks = ks;
	t->nt = nt;
	t->rec = ks + 8 * (size_t)nt + 4 + 1;
	t->free_head = UINT32_MAX;
	/* Anonymous memory: pages count only once records are written in
	 * them, and growing (mremap) copies nothing. */
	t->arena_bytes = (t->rec * 1024 + page - 1) / page * page;
	t->arena = mmap(NULL, t->arena_bytes, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (t->arena == MAP_FAILED) {
		t->arena = NULL;
		return -ENOMEM;
	}
	t->cap = 1024;
	t->idx = calloc(t->cap, sizeof(*t->idx));
	return t->idx ? 0 : -ENOMEM;
}

static void tab_fini(struct watch_tab *t)
{
	if (t->arena)
		munmap(t->arena, t->arena_bytes);
	free(t->idx);
	memset(t, 0, sizeof(*t));
}

static int tab_grow_index(struct watch_tab *t)
{
	uint32_t cap = t->cap * 2, mask = cap - 1;
	uint32_t *idx;

	if (!cap)
		return -ENOMEM;
	idx = calloc(cap, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (uint32_t r = 0; r < t->nrec; r++) {
		char *p = tab_rec(t, r);
		uint32_t i;

		if (!(*tab_flags(t, p) & RF_USED))
			continue;
		i = (uint32_t)hash_bytes(p, t->ks) & mask;
		while (idx[i])
			i = (i + 1) & mask;
		idx[i] = r + 1;
	}
	free(t->idx);
	t->idx = idx;
	t->cap = cap;
	return 0;
}

static int tab_alloc(struct watch_tab *t, uint32_t *out)
{
	uint32_t r;

	if (t->free_head != UINT32_MAX) {
		r = t->free_head;
		memcpy(&t->free_head, tab_vhash(t, tab_rec(t, r)), 4);
		*out = r;
		return 0;
	}
	if (t->nrec == UINT32_MAX - 1)
		return -ENOMEM;
	if ((size_t)(t->nrec + 1) * t->rec > t->arena_bytes) {
		size_t nb = t->arena_bytes * 2;
		void *a = mremap(t->arena, t->arena_bytes, nb, MREMAP_MAYMOVE);

		if (a == MAP_FAILED)
			return -ENOMEM;
		t->arena = a;
		t->arena_bytes = nb;
	}
	*out = t->nrec++;
	return 0;
}

/* The record of key k, inserted (zeroed, flags 0) when missing: its
 * number, or UINT32_MAX when out of memory. */
static uint32_t tab_get(struct watch_tab *t, const void *k, bool *isnew)
{
	uint32_t r = t->hint, mask, i;
	char *p;

	if (r < t->nrec) {
		p = tab_rec(t, r);
		if ((*tab_flags(t, p) & RF_USED) && !memcmp(p, k, t->ks)) {
			t->hint = r + 1;
			*isnew = false;
			return r;
		}
	}
	mask = t->cap - 1;
	i = (uint32_t)hash_bytes(k, t->ks) & mask;
	while (t->idx[i]) {
		r = t->idx[i] - 1;
		if (!memcmp(tab_rec(t, r), k, t->ks)) {
			t->hint = r + 1;
			*isnew = false;
			return r;
		}
		i = (i + 1) & mask;
	}
	if ((uint64_t)(t->live + 1) * 10 > (uint64_t)t->cap * 7) {
		if (tab_grow_index(t))
			return UINT32_MAX;
		mask = t->cap - 1;
		i = (uint32_t)hash_bytes(k, t->ks) & mask;
		while (t->idx[i])
			i = (i + 1) & mask;
	}
	if (tab_alloc(t, &r))
		return UINT32_MAX;
	p = tab_rec(t, r);
	memset(p, 0, t->rec);
	memcpy(p, k, t->ks);
	t->idx[i] = r + 1;
	t->live++;
	t->hint = r + 1;
	*isnew = true;
	return r;
}

/* Take record r out of the index (backward-shift deletion: no
 * tombstones) and onto the free list. */
static void tab_remove(struct watch_tab *t, uint32_t r)
{
	uint32_t mask = t->cap - 1, i, j;
	char *p = tab_rec(t, r);

	i = (uint32_t)hash_bytes(p, t->ks) & mask;
	while (t->idx[i] && t->idx[i] != r + 1)
		i = (i + 1) & mask;
	if (t->idx[i]) {
		j = i;
		for (;;) {
			uint32_t home;

			j = (j + 1) & mask;
			if (!t->idx[j])
				break;
			home = (uint32_t)hash_bytes(tab_rec(t, t->idx[j] - 1), t->ks) & mask;
			/* Can the entry at j move back to i? Only if its home
			 * is not cyclically in (i, j]. */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
				t->idx[i] = t->idx[j];
				i = j;
			}
		}
		t->idx[i] = 0;
	}
	*tab_flags(t, p) = 0;
	memcpy(tab_vhash(t, p), &t->free_head, 4);
	t->free_head = r;
	t->live--;
}

/* ---- tracked fields ---- */

static bool leaf_is_counter(const struct watch *w, const struct tv_leaf *l)
{
	return tv_leaf_is_counter(w->m->value, l, !w->ctx->set.map.raw_values);
}

static int add_field(struct watch *w, const struct tv_leaf *l, bool counter)
{
	struct watch_field *f;

	for (int i = 0; i < w->nt; i++)
		if (w->t[i].leaf == l)
			return 0;
	if (w->nt >= WATCH_MAX_TRACKED)
		return -1;
	f = &w->t[w->nt++];
	memset(f, 0, sizeof(*f));
	f->leaf = l;
	f->counter = counter;
	f->fast = l->size == 8 && !l->bit_size && l->nelems == 1 &&
		  (l->kind == TV_KIND_UINT || l->kind == TV_KIND_SINT) &&
		  l->fmt != TV_FMT_BE && l->fmt != TV_FMT_PORT;
	/* Named like entry_out names the value's column. */
	eo_leaf_col_name(l, false, w->m->key, f->name, sizeof(f->name));
	return 0;
}

static uint64_t field_get(const struct watch_field *f, const void *rec)
{
	uint64_t v;

	if (f->fast) {
		memcpy(&v, (const char *)rec + f->leaf->offset, 8);
		return v;
	}
	return f->leaf->is_signed ? (uint64_t)tv_leaf_get_i64(f->leaf, rec)
				  : tv_leaf_get_u64(f->leaf, rec);
}

/* The field summed over the CPUs (wrapping at its width, like
 * tv_plan_accumulate). */
static uint64_t field_value(const struct watch *w, const struct watch_field *f,
			    const void *raw)
{
	const struct mapref *m = w->m;
	uint64_t v = field_get(f, raw);
	unsigned bits;

	if (!m->percpu)
		return v;
	for (int c = 1; c < m->ncpus; c++)
		v += field_get(f, (const char *)raw + (size_t)c * m->stride);
	bits = f->leaf->bit_size ? f->leaf->bit_size : f->leaf->size * 8;
	if (bits < 64)
		v &= (1ULL << bits) - 1;
	return v;
}

/* ---- held rows ---- */

/* The value part of a held row: the value folded over the CPUs, then, for
 * per-CPU maps, the lookup itself (every CPU's value), which the views
 * show for the fields that are not folded where the CPUs differ. */
static inline size_t vsize(const struct watch *w)
{
	const struct mapref *m = w->m;

	if (!m->value)
		return 0;
	return tv_plan_size(m->value) + (m->percpu ? m->lookup_size : 0);
}

const void *watch_row_value(const struct watch *w, const char *row)
{
	return row + w->m->info.key_size;
}

const void *watch_row_raw(const struct watch *w, const char *row)
{
	const struct mapref *m = w->m;

	if (!m->percpu || !m->value)
		return NULL;
	return row + m->info.key_size + tv_plan_size(m->value);
}

static inline char *row_deltas(const struct watch *w, const char *row)
{
	return (char *)row + w->m->info.key_size + vsize(w);
}

uint64_t watch_row_delta(const struct watch *w, const char *row, int field)
{
	uint64_t d;

	memcpy(&d, row_deltas(w, row) + 8 * (size_t)field, 8);
	return d;
}

unsigned watch_row_flags(const struct watch *w, const char *row)
{
	return (unsigned char)row[w->held.rec - 1];
}

double watch_row_rate(const struct watch *w, const char *row, int f)
{
	uint64_t d;

	if (f < 0 || f >= w->nt || !(watch_row_flags(w, row) & WROW_RATE) ||
	    w->dt <= 0)
		return NAN;
	d = watch_row_delta(w, row, f);
	return (w->t[f].counter ? (double)d : (double)(int64_t)d) / w->dt;
}

static double rate_cb(void *ctx, const struct tv_leaf *leaf, bool in_key,
		      const void *k, const void *v)
{
	const struct watch *w = ctx;

	(void)v;
	if (in_key)
		return NAN;
	for (int i = 0; i < w->nt; i++)
		if (w->t[i].leaf == leaf)
			return watch_row_rate(w, k, i);
	return NAN;
}

static int row_cmp(const struct watch *w, const char *a, const char *b)
{
	size_t ks = w->m->info.key_size;
	int c = 0;

	if (w->sortq)
		c = query_cmp_ex(w->sortq, a, a + ks, b, b + ks, rate_cb, (void *)w);
	if (!c)
		c = memcmp(a, b, ks);
	return c;
}

static int row_cmp_cb(const char *a, const char *b, void *w)
{
	return row_cmp(w, a, b);
}

static int held_add(struct rowset *h, const char *row)
{
	char *p = rowset_add(h);

	if (!p)
		return -ENOMEM;
	memcpy(p, row, h->rec);
	return 0;
}

/* A max-heap (root = the last row in sort order) of at most hold_max
 * rows: the first hold_max rows of the refresh in sort order. */
static int held_offer(struct watch *w, const char *row)
{
	struct rowset *h = &w->held;
	char *root;

	if (!w->hold_max)
		return 0;
	if (w->hold_max == SIZE_MAX)
		return held_add(h, row);
	if (h->n < w->hold_max) {
		if (held_add(h, row))
			return -ENOMEM;
		rowset_sift_up(h, h->n - 1, row_cmp_cb, w);
		return 0;
	}
	root = rowset_at(h, 0);
	if (row_cmp(w, row, root) >= 0)
		return 0;
	memcpy(root, row, h->rec);
	rowset_sift_down(h, 0, row_cmp_cb, w);
	return 0;
}

static int held_sort_cmp(const void *a, const void *b, void *arg)
{
	const struct watch *w = arg;

	return row_cmp(w, w->held.arena + (size_t)*(const uint32_t *)a * w->held.rec,
		       w->held.arena + (size_t)*(const uint32_t *)b * w->held.rec);
}

void watch_sort_held(struct watch *w)
{
	if (w->held.n < 2)
		return;	/* (an empty map has no index array: qsort_r(NULL) is UB) */
	qsort_r(w->held.idx, w->held.n, sizeof(*w->held.idx), held_sort_cmp, w);
}

int watch_set_sort(struct watch *w, const char *word, bool desc)
{
	char *argv[] = { "sort", (char *)word, desc ? "desc" : "asc", NULL };
	struct strbuf err = STRBUF_INIT;
	struct query *nq = NULL;
	int consumed = 0;

	if (query_parse(w->m->key, w->m->value, 3, argv, &consumed, &nq, &err) ||
	    !nq) {
		sb_free(&err);
		query_free(nq);
		return -1;
	}
	sb_free(&err);
	if (w->own_sortq)
		query_free(w->sortq);
	w->sortq = nq;
	w->own_sortq = true;
	snprintf(w->sort_word, sizeof(w->sort_word), "%s", word);
	w->sort_desc = desc;
	w->sort_col = -1;
	for (int i = 0; i < w->ncols; i++)
		if (!strcmp(w->cols[i].sort_word, word))
			w->sort_col = i;
	return 0;
}

/* ---- one refresh ---- */

struct pass {
	uint8_t cur;		/* RF_PARITY of this refresh */
	bool stream;		/* line mode without sort: print as read */
	long long left;		/* rows still allowed (limit), -1 */
	bool has_where;
	int err;
};

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *s = p;

	return !n || (s[0] == 0 && !memcmp(s, s + 1, n - 1));
}

static void entry(struct watch *w, struct pass *ps, const void *k,
		  const void *raw)
{
	struct watch_tab *t = &w->tab;
	size_t ks = w->m->info.key_size, vs = vsize(w);
	char *row = w->scratch, *deltas = row + ks + vs, *p;
	const void *v = NULL;
	uint32_t r, vh;
	uint8_t *fl;
	bool isnew, changed, active = false, matched = true;

	if (!w->show_zero && w->m->is_array && all_zero(raw, w->m->lookup_size))
		return;
	r = tab_get(t, k, &isnew);
	if (r == UINT32_MAX) {
		ps->err = -ENOMEM;
		return;
	}
	p = tab_rec(t, r);
	fl = tab_flags(t, p);
	if (!isnew && (*fl & RF_PARITY) == ps->cur)
		return;		/* the same key twice in one read */
	w->entries++;
	vh = (uint32_t)hash_bytes(raw, w->m->lookup_size);
	if (isnew) {
		changed = true;
	} else {
		uint32_t old;

		memcpy(&old, tab_vhash(t, p), 4);
		changed = old != vh || (*fl & RF_ACTIVE);
	}
	for (int i = 0; i < w->nt; i++) {
		const struct watch_field *f = &w->t[i];
		uint64_t cur = field_value(w, f, raw), prev, d;

		memcpy(&prev, p + ks + 8 * (size_t)i, 8);
		if (isnew)
			d = w->baseline || !f->counter ? 0 : cur;
		else if (f->counter)
			d = cur >= prev ? cur - prev : cur;	/* a reset */
		else
			d = cur - prev;
		active |= d != 0;
		memcpy(p + ks + 8 * (size_t)i, &cur, 8);
		memcpy(deltas + 8 * (size_t)i, &d, 8);
	}
	memcpy(tab_vhash(t, p), &vh, 4);
	if (ps->has_where) {
		v = eo_total(&w->eo, raw);
		matched = eo_match(&w->eo, w->q, k, v, raw);
	}
	*fl = (uint8_t)(RF_USED | ps->cur | (active ? RF_ACTIVE : 0) |
			(matched ? RF_MATCHED : 0));
	if (!matched)
		return;
	w->matched++;
	if (!w->baseline) {
		if (isnew)
			w->n_new++;
		else if (changed)
			w->n_changed++;
		for (int i = 0; i < w->nt; i++) {
			uint64_t d;

			memcpy(&d, deltas + 8 * (size_t)i, 8);
			w->sum_delta[i] += (double)d;
		}
	}
	if (w->nh) {
		if (!v)
			v = eo_total(&w->eo, raw);
		for (int j = 0; j < w->nh; j++) {
			struct tv_hist e;

			tv_hist_from_leaf(&e, w->h[j].leaf, v);
			for (uint32_t b = 0; b < e.n; b++)
				w->h[j].total.counts[b] += e.counts[b];
		}
	}
	if (!w->tty && (w->baseline || !changed))
		return;
	if (!v)
		v = eo_total(&w->eo, raw);
	/* Sorted as dump sorts: a field not summed by its largest CPU value
	 * (the views show each CPU's where they differ, from raw). */
	if (w->sortq)
		eo_sort_value(&w->eo, raw);
	memcpy(row, k, ks);
	if (vs) {
		size_t ps = tv_plan_size(w->m->value);

		memcpy(row + ks, v, ps);
		if (w->m->percpu)
			memcpy(row + ks + ps, raw, w->m->lookup_size);
	}
	row[w->held.rec - 1] = (char)((isnew && !w->baseline ? WROW_NEW : 0) |
				      (w->baseline ? 0 : WROW_RATE));
	if (ps->stream) {
		if (ps->left != 0) {
			w->sink->row(w, row);
			if (ps->left > 0)
				ps->left--;
		}
		return;
	}
	if (held_offer(w, row))
		ps->err = -ENOMEM;
}

static void removals(struct watch *w, struct pass *ps)
{
	struct watch_tab *t = &w->tab;
	size_t ks = w->m->info.key_size;

	for (uint32_t r = 0; r < t->nrec; r++) {
		char *p = tab_rec(t, r);
		uint8_t fl = *tab_flags(t, p);

		if (!(fl & RF_USED) || (fl & RF_PARITY) == ps->cur)
			continue;
		if (fl & RF_MATCHED) {
			w->n_removed++;
			if (!w->tty) {
				memcpy(w->scratch, p, ks);
				w->scratch[w->held.rec - 1] = WROW_REMOVED;
				w->sink->row(w, w->scratch);
			}
		}
		tab_remove(t, r);
	}
	w->total_removed += w->n_removed;
}

/* After a complete read: the histograms' changes, the counters' rates. */
static void hist_spark_update(struct watch *w)
{
	for (int j = 0; j < w->nh; j++) {
		struct watch_hist *h = &w->h[j];

		for (uint32_t b = 0; b < h->total.n; b++) {
			uint64_t c = h->total.counts[b], p = h->prev.counts[b];

			h->delta.counts[b] = w->baseline ? 0 : c >= p ? c - p : c;
		}
		memcpy(h->prev.counts, h->total.counts, sizeof(h->prev.counts));
	}
	if (w->baseline)
		return;
	if (w->nspark == WATCH_SPARK) {
		for (int i = 0; i < w->nt; i++)
			memmove(w->spark[i], w->spark[i] + 1,
				(WATCH_SPARK - 1) * sizeof(double));
		w->nspark--;
	}
	for (int i = 0; i < w->nt; i++)
		w->spark[i][w->nspark] = w->dt > 0 ? w->sum_delta[i] / w->dt : 0;
	w->nspark++;
}

int watch_refresh(struct watch *w)
{
	struct mapref *m = w->m;
	struct out *o = &w->ctx->out;
	struct pass ps = { 0 };
	struct mapiter it;
	const void *keys, *vals;
	uint64_t mono;
	__u32 n;
	int r;

	if (mapiter_init(&it, m->fd, m->info.key_size, m->lookup_size,
			 m->info.max_entries)) {
		snprintf(w->err, sizeof(w->err), "out of memory");
		return -1;
	}
	if (m->info.max_entries > it.chunk)
		mapiter_prefetch(&it);	/* read ahead, split for big hash maps */
	mono = clock_mono_ns();
	w->last_real = clock_real_ns();
	mapref_set_clock(m, mono, w->last_real);
	w->baseline = w->refreshes == 0 || w->rebase;
	w->rebase = false;
	w->dt = w->baseline ? 0 : (double)(mono - w->last_mono) / 1e9;
	if (!w->baseline && w->dt <= 0)
		w->dt = 1e-9;
	w->last_mono = mono;
	w->refreshes++;
	w->parity ^= 1;
	ps.cur = w->parity ? RF_PARITY : 0;
	ps.has_where = query_has_where(w->q);
	ps.stream = !w->tty && !w->sortq;
	ps.left = query_limit(w->q);
	w->entries = w->matched = w->n_new = w->n_changed = w->n_removed = 0;
	memset(w->sum_delta, 0, sizeof(w->sum_delta));
	for (int j = 0; j < w->nh; j++)
		memset(w->h[j].total.counts, 0, sizeof(w->h[j].total.counts));
	w->held.n = 0;
	w->held.len = 0;
	if (w->sink)
		w->sink->begin(w);

	while ((r = mapiter_next_chunk(&it, &keys, &vals, &n)) > 0) {
		for (__u32 i = 0; i < n && !ps.err; i++)
			entry(w, &ps, (const char *)keys + (size_t)i * m->info.key_size,
			      (const char *)vals + (size_t)i * m->lookup_size);
		if (ps.err || interrupted() || o->broken)
			break;
	}
	mapiter_fini(&it);
	if (r < 0 || ps.err) {
		if (w->sink)
			w->sink->end(w, false);
		if (ps.err)
			snprintf(w->err, sizeof(w->err), "out of memory");
		else
			snprintf(w->err, sizeof(w->err), "reading the map failed: %s",
				 strerror(-r));
		return -1;
	}
	/* A read cut short by Ctrl-C did not see every key: nothing is
	 * known to be gone. */
	if (r > 0) {
		if (w->sink)
			w->sink->end(w, false);
		return 0;
	}
	if (!w->tty && !ps.stream) {
		long long lim = query_limit(w->q);

		watch_sort_held(w);
		for (size_t i = 0; i < w->held.n && (lim < 0 || (long long)i < lim); i++)
			w->sink->row(w, watch_row(w, i));
	}
	removals(w, &ps);
	hist_spark_update(w);
	if (w->sink)
		w->sink->end(w, true);
	return 0;
}

/* ---- set-up ---- */

static int parse_interval(const struct mapref *m, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v <= 0 || v > 86400 * 365.0)
		return err_usage("%s watch: -i '%s': expected an interval in seconds > 0 (1, 0.5)",
				 m->name, s);
	/* As watch(1): shorter than 0.1 s is a busy loop, not a view. */
	if (v < WATCH_MIN_INTERVAL)
		return err_usage("%s watch: -i '%s': the shortest interval is %g s",
				 m->name, s, WATCH_MIN_INTERVAL);
	*out = v;
	return EXIT_OK;
}

static int parse_count(const struct mapref *m, const char *s, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < 1)
		return err_usage("%s watch: --count '%s': expected a number of refreshes >= 1",
				 m->name, s);
	*out = v;
	return EXIT_OK;
}

static int parse_query(struct watch *w, int argc, char **argv)
{
	struct strbuf err = STRBUF_INIT;
	const struct mapref *m = w->m;
	int consumed = 0, rc;

	if (!argc)
		return EXIT_OK;
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "mapsh %s watch", m->name);
		rc = query_parse_in(cmd, m->key, m->value, argc, argv,
				    &consumed, &w->q, &err);
	}
	if (rc) {
		rc = err_usage("%s watch: %s", m->name,
			       err.len ? sb_str(&err) : "not a valid query");
		sb_free(&err);
		w->q = NULL;
		return rc;
	}
	sb_free(&err);
	if (consumed < argc)
		return err_usage("%s watch: unexpected '%s' (expected where, sort, limit or fields)",
				 m->name, argv[consumed]);
	for (int i = 0; i < query_nsort(w->q); i++) {
		const struct query_field *f = query_sort_field(w->q, i);

		if (query_sort_is_rate(w->q, i) && f->in_key)
			return err_usage("%s watch: sort: '%s/s': key fields do not change; a rate needs a value field",
					 m->name, f->name);
	}
	return EXIT_OK;
}

static int setup_fields(struct watch *w)
{
	const struct tv_plan *vp = w->m->value;
	int nf = query_nfields(w->q);

	if (vp)
		for (uint32_t i = 0; i < tv_plan_nleaves(vp); i++) {
			const struct tv_leaf *l = tv_plan_leaf(vp, i);

			if (leaf_is_counter(w, l) && add_field(w, l, true))
				break;
		}
	for (int i = 0; i < query_nsort(w->q); i++) {
		const struct query_field *f = query_sort_field(w->q, i);

		if (query_sort_is_rate(w->q, i) && add_field(w, f->leaf, leaf_is_counter(w, f->leaf)))
			return err_usage("%s watch: sort: too many rate fields", w->m->name);
	}
	for (int i = 0; i < w->nt; i++) {
		struct watch_field *f = &w->t[i];

		f->show = nf == 0;
		for (int j = 0; j < nf && !f->show; j++)
			f->show = query_field(w->q, j)->leaf == f->leaf;
		for (int j = 0; j < query_nsort(w->q) && !f->show; j++)
			f->show = query_sort_is_rate(w->q, j) &&
				  query_sort_field(w->q, j)->leaf == f->leaf;
		w->nshow += f->show;
	}
	return EXIT_OK;
}

/* Columns: the key's, the value's, then the rates (or deltas). The view
 * puts the rates right after the key, where a narrow terminal still shows
 * them. */
static void add_eo_cols(struct watch *w, int *n, bool keys)
{
	for (int i = 0; i < w->eo.ncols; i++) {
		const struct eo_col *e = &w->eo.cols[i];
		struct watch_col *c = &w->cols[*n];

		if (e->kind == EO_COL_CPU || e->in_key != keys)
			continue;
		c->eo = e;
		c->field = -1;
		snprintf(c->name, sizeof(c->name), "%s", e->name);
		snprintf(c->sort_word, sizeof(c->sort_word), "%s",
			 e->kind == EO_COL_LEAF ? e->name : e->in_key ? "key" : "value");
		c->sort_desc = !e->in_key;
		(*n)++;
	}
}

static int setup_cols(struct watch *w)
{
	int n = 0;

	w->cols = calloc((size_t)w->eo.ncols + (size_t)w->nt + 1, sizeof(*w->cols));
	if (!w->cols)
		return err_fail("out of memory");
	add_eo_cols(w, &n, true);
	if (!w->tty)
		add_eo_cols(w, &n, false);
	for (int i = 0; i < w->nt; i++) {
		struct watch_col *c = &w->cols[n];

		if (!w->t[i].show)
			continue;
		c->field = i;
		snprintf(c->name, sizeof(c->name), "%s%s", w->t[i].name,
			 w->delta_mode ? "+" : "/s");
		snprintf(c->sort_word, sizeof(c->sort_word), "%s/s", w->t[i].name);
		c->sort_desc = true;
		n++;
	}
	if (w->tty)
		add_eo_cols(w, &n, false);
	w->ncols = n;
	return EXIT_OK;
}

/* The active sort at the start: the user's, else (the view) the rate of
 * the first counter, highest first, else the key. */
static void setup_sort(struct watch *w)
{
	w->sort_col = -1;
	if (query_has_sort(w->q)) {
		const struct query_field *f = query_sort_field(w->q, 0);

		w->sortq = w->q;
		snprintf(w->sort_word, sizeof(w->sort_word), "%s%s", f->name,
			 query_sort_is_rate(w->q, 0) ? "/s" : "");
		w->sort_desc = query_sort_desc(w->q, 0);
		for (int i = 0; i < w->ncols; i++)
			if (!strcmp(w->cols[i].sort_word, w->sort_word))
				w->sort_col = i;
		return;
	}
	if (!w->tty)
		return;
	for (int i = 0; i < w->ncols; i++)
		if (w->cols[i].field >= 0 && w->t[w->cols[i].field].counter &&
		    !watch_set_sort(w, w->cols[i].sort_word, true))
			return;
	if (w->m->key)
		watch_set_sort(w, "key", false);
}

void watch_free(struct watch *w)
{
	if (w->own_sortq)
		query_free(w->sortq);
	query_free(w->q);
	eo_fini(&w->eo);
	tab_fini(&w->tab);
	rowset_free(&w->held);
	free(w->scratch);
	free(w->cols);
	free(w->h);
	w->h = NULL;
	w->nh = 0;
}

int watch_init(struct watch *w, struct ctx *ctx, const struct opt_vals *opts)
{
	struct mapref *m = ctx->map;
	const char *s;
	int rc;

	memset(w, 0, sizeof(*w));
	w->ctx = ctx;
	w->m = m;
	w->interval = 1;
	w->count = -1;
	if (opts->count[WOPT_RATE] && opts->count[WOPT_DELTA])
		return err_usage("%s watch: --rate and --delta exclude each other", m->name);
	if ((s = opt_get(opts, WOPT_INTERVAL)) && (rc = parse_interval(m, s, &w->interval)))
		return rc;
	if ((s = opt_get(opts, WOPT_COUNT)) && (rc = parse_count(m, s, &w->count)))
		return rc;
	w->json = out_is_json(&ctx->out);
	w->tty = ctx->tty_out && ctx->out.mode == OUT_TABLE && !ctx->out.capture;
	return EXIT_OK;
}

int watch_setup(struct watch *w, const struct opt_vals *opts, int argc,
		char **argv)
{
	struct mapref *m = w->m;
	int rc;

	w->opts = opts;
	w->argc = argc;
	w->argv = argv;
	if (!m->key)
		return err_usage("%s watch: the map has no keys to watch", m->name);
	w->show_zero = opts->count[WOPT_ALL] > 0;
	/* Rates on the terminal, deltas in line mode, unless told. */
	w->delta_mode = opts->count[WOPT_DELTA] ||
			(!opts->count[WOPT_RATE] && !w->tty);

	rc = parse_query(w, argc, argv);
	if (!rc)
		rc = setup_fields(w);
	if (rc) {
		query_free(w->q);
		w->q = NULL;
		return rc;
	}
	eo_init(&w->eo, &w->ctx->out, m, w->q, false);
	rc = setup_cols(w);
	if (rc) {
		watch_free(w);
		return rc;
	}
	setup_sort(w);
	w->held.rec = m->info.key_size + vsize(w) + 8 * (size_t)w->nt + 1;
	w->held.first = 64;
	w->scratch = calloc(1, w->held.rec + 8);
	if (!w->scratch || tab_init(&w->tab, m->info.key_size, (uint32_t)w->nt)) {
		watch_free(w);
		return err_fail("out of memory");
	}
	w->hold_max = query_limit(w->q) >= 0 ? (size_t)query_limit(w->q) : SIZE_MAX;
	w->nspark = 0;
	for (uint32_t i = 0; m->value && i < tv_plan_nleaves(m->value); i++) {
		const struct tv_leaf *l = tv_plan_leaf(m->value, i);
		struct watch_hist *nh;

		if (!tv_leaf_is_hist(l) || l->is_padding || l->in_union_alt)
			continue;
		nh = realloc(w->h, (size_t)(w->nh + 1) * sizeof(*w->h));
		if (!nh) {
			watch_free(w);
			return err_fail("out of memory");
		}
		w->h = nh;
		memset(&w->h[w->nh], 0, sizeof(*w->h));
		w->h[w->nh].leaf = l;
		w->h[w->nh].total.linear = l->fmt == TV_FMT_LINHIST;
		w->h[w->nh].total.floor = l->hist_floor;
		w->h[w->nh].total.min = l->hist_min;
		w->h[w->nh].total.step = l->hist_step ? l->hist_step : 1;
		w->h[w->nh].total.n = l->nelems < TV_HIST_MAX ? l->nelems : TV_HIST_MAX;
		w->h[w->nh].prev = w->h[w->nh].delta = w->h[w->nh].total;
		w->nh++;
	}
	return EXIT_OK;
}
