// SPDX-License-Identifier: GPL-2.0
/* One scrape: every exported map read once with batch lookups (mapiter)
 * and printed as Prometheus text. Series come from the value's BTF: a
 * counter field (tv_leaf_is_counter) is a counter, any other plain number
 * a gauge; addresses, enums, flags, times and strings are no values. The
 * key's fields are the labels, formatted by the typed engine as mapsh shows
 * them. A scrape never writes a map. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include "verbs/export/export.h"
#include "map/mapiter.h"
#include "tval/fast.h"
#include "map/mapinfo.h"
#include "map/repin.h"
#include "base/err.h"
#include "base/suggest.h"

enum xkind { XK_NONE, XK_COUNTER, XK_GAUGE, XK_HIST };

/* A histogram: a leaf the engine calls one (tv_leaf_is_hist: tagged
 * log2hist or linhist, --as, or an untagged array named slots, buckets or
 * ..hist..). Bucket i's upper bound is tv_hist_bounds' (log2: 2^i - 1). */
static bool hist_leaf(const struct tv_leaf *l)
{
	return tv_leaf_is_hist(l);
}

static void add_le(struct strbuf *o, const struct tv_leaf *l, uint32_t i)
{
	struct tv_hist h = {
		.linear = l->fmt == TV_FMT_LINHIST, .floor = l->hist_floor,
		.min = l->hist_min,
		.step = l->hist_step ? l->hist_step : 1,
	};
	int64_t lo, hi;

	tv_hist_bounds(&h, i, &lo, &hi);
	if (h.linear)
		sb_addf(o, "%lld", (long long)hi);
	else
		sb_add_u64(o, (unsigned long long)(uint64_t)hi);
}

/* Is l the sum some histogram leaf of p keeps beside it? */
static bool is_hist_sum(const struct tv_plan *p, const struct tv_leaf *l)
{
	for (uint32_t i = 0; i < tv_plan_nleaves(p); i++) {
		const struct tv_leaf *h = tv_plan_leaf(p, i);

		if (hist_leaf(h) && !h->is_padding && !h->in_union_alt &&
		    tv_hist_sum_leaf(p, h) == l)
			return true;
	}
	return false;
}

/* Element i of an unsigned integer array leaf. */
static uint64_t elem_u64(const struct tv_leaf *l, const void *rec, uint32_t i)
{
	uint64_t v = 0;

	memcpy(&v, (const char *)rec + l->offset + (size_t)i * l->elem_size,
	       l->elem_size);
	return v;
}

static enum xkind leaf_kind(const struct tv_plan *p, const struct tv_leaf *l,
			    bool guess)
{
	if (l->is_padding || l->in_union_alt)
		return XK_NONE;
	if (hist_leaf(l))
		return XK_HIST;
	if (l->nelems != 1 || l->ndims)
		return XK_NONE;
	if (tv_leaf_is_counter(p, l, guess))
		return XK_COUNTER;
	if (l->fmt != TV_FMT_NONE)
		return XK_NONE;	/* addresses, ports, times, flags, hex */
	switch (l->kind) {
	case TV_KIND_UINT:
	case TV_KIND_SINT:
	case TV_KIND_FLOAT:
	case TV_KIND_BOOL:
		return XK_GAUGE;
	default:
		return XK_NONE;	/* enums, strings, pointers, bytes */
	}
}

bool xp_plan_has_counter(const struct tv_plan *p, bool guess)
{
	for (uint32_t i = 0; p && i < tv_plan_nleaves(p); i++)
		if (leaf_kind(p, tv_plan_leaf(p, i), guess) == XK_COUNTER)
			return true;
	return false;
}

int xp_check_overrides(const struct xport *x, const struct xmap *xm)
{
	const struct xover_map *om = xm->om;
	const struct tv_plan *p = xm->m ? xm->m->value : NULL;

	for (int pass = 0; om && pass < 2; pass++) {
		int n = pass ? om->nren : om->nfields;

		for (int i = 0; i < n; i++) {
			const char *f = pass ? om->ren_from[i] : om->fields[i];
			const char *sug = NULL;
			const struct tv_leaf *l = p ? tv_find_leaf(p, f, &sug) : NULL;

			if (l && !strcmp(l->name, f) &&
			    leaf_kind(p, l, !x->mo.raw_values) != XK_NONE)
				continue;
			if (l)
				sug = NULL;
			return err_usage("export: %s: maps.%s.%s: '%s' is no numeric field of %s%s%s%s",
					 x->ov->path, om->name, pass ? "rename" : "fields",
					 f, xm->name, sug ? " (did you mean '" : "",
					 sug ? sug : "", sug ? "'?)" : "");
		}
	}
	for (int i = 0; om && i < om->ndrops; i++) {
		const struct tv_plan *kp = xm->m ? xm->m->key : NULL;
		const char *sug = NULL;
		const struct tv_leaf *l = kp && !tv_plan_is_scalar(kp) && !tv_plan_is_raw(kp) ?
			tv_find_leaf(kp, om->drops[i], &sug) : NULL;

		if (l && !strcmp(l->name, om->drops[i]) && !l->is_padding)
			continue;
		if (l)
			sug = NULL;
		return err_usage("export: %s: maps.%s.drop_labels: '%s' is no key field of %s (labels come from the key's fields)%s%s%s",
				 x->ov->path, om->name, om->drops[i], xm->name,
				 sug ? " (did you mean '" : "", sug ? sug : "",
				 sug ? "'?)" : "");
	}
	return EXIT_OK;
}

bool xp_has_values(const struct xport *x, const struct mapref *m)
{
	const struct tv_plan *p = m->value;

	for (uint32_t i = 0; p && i < tv_plan_nleaves(p); i++)
		if (leaf_kind(p, tv_plan_leaf(p, i), !x->mo.raw_values) != XK_NONE)
			return true;
	return false;
}

static void add_help(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			sb_addc(sb, '\\');
		if (*s == '\n') {
			sb_adds(sb, "\\n");
			continue;
		}
		sb_addc(sb, *s);
	}
}

/* One value field of one map: its family name. */
struct xfield {
	const struct tv_leaf *leaf;
	enum xkind kind;
	const struct tv_leaf *sum;	/* a histogram's: its _sum, or NULL */
	struct strbuf fam;	/* "mapsh_flows_packets_total" */
};

/* One map read once: per entry its key, its value (every CPU's) and, for
 * per-CPU maps shown summed, the sum, packed in kv (es bytes each); its
 * labels in lab, entry i's from lo[i] to lo[i + 1]. Each family then walks
 * it, so the labels are formatted once and nothing is copied twice. */
struct xents {
	char *kv;
	size_t es, n, cap;
	bool store_labels;	/* else made again for each family */
	struct strbuf lab;
	size_t *lo;
	struct strbuf *names;	/* key_label_names */
	struct tvf **progs;	/* per key field: its text, compiled */
	struct strbuf pre;	/* the labels of every entry: overrides */
	unsigned char *keep;	/* --max-series: bit per entry, cpu, field */
};

/* Output is handed to flush (which empties it) once it holds this much. */
#define XP_FLUSH_AT (256 * 1024)
/* With this many families or more an entry's labels are kept, not made
 * again for each (making them again is as fast for a few, and keeps no
 * copy of every label). */
#define XP_STORE_LABELS_AT 3

static void maybe_flush(struct strbuf *out, xp_flush_fn flush, void *arg)
{
	if (flush && out->len >= XP_FLUSH_AT)
		flush(arg, out);
}
/* The map gauges, one family each, shared by every map. */
enum { MG_UP, MG_ENTRIES, MG_MAX, MG_MEM, MG_FILL, MG_NONEMPTY, MG_N };
static const char *const mg_names[MG_N] = {
	"map_up", "map_entries", "map_max_entries", "map_memory_bytes",
	"map_fill_ratio", "map_nonempty",
};
static const char *const mg_help[MG_N] = {
	"1 when the map could be read at this scrape, 0 when it is missing",
	"entries in the map (arrays: max_entries)",
	"the map's max_entries",
	"memory the kernel accounts to the map (fdinfo memlock)",
	"how full a ring buffer is (bytes not yet consumed / size)",
	"queues and stacks: 1 when an element waits, else 0 (the kernel keeps no count; a peek is all that reads one without taking it)",
};

static void num_text(const struct tv_leaf *l, const void *v, struct strbuf *sb)
{
	switch (l->kind) {
	case TV_KIND_SINT:
		sb_add_i64(sb, (long long)tv_leaf_get_i64(l, v));
		break;
	case TV_KIND_FLOAT:
		sb_addf(sb, "%.17g", tv_leaf_get_double(l, v, 0));
		break;
	default:
		sb_add_u64(sb, (unsigned long long)tv_leaf_get_u64(l, v));
	}
}

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* Bytes not yet consumed in a ring buffer, from its consumer and producer
 * pages mapped read-only; -1 when they cannot be mapped. */
static long long ring_used(int fd)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd, 0);
	unsigned long cons, prod;

	if (p == MAP_FAILED)
		return -1;
	cons = __atomic_load_n((unsigned long *)p, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n((unsigned long *)((char *)p + page), __ATOMIC_ACQUIRE);
	munmap(p, 2 * page);
	return (long long)(prod - cons);
}

/* Open a missing map again, or follow its pin to a reloaded one. Returns
 * whether the map can be read now. */
static bool ensure_open(struct xport *x, struct xmap *xm)
{
	struct strbuf said = STRBUF_INIT;
	struct strbuf cap = STRBUF_INIT;
	int r;

	if (xm->m && x->follow && xm->m->pin_path) {
		r = mapref_follow_pin(&xm->m, &x->mo, MAPREF_PIN_NOW, NULL, &said);
		if (r != MAPREF_PIN_SAME)
			err_warn("export: %s", sb_str(&said));
		if (r == MAPREF_PIN_GONE) {
			mapref_free(xm->m);
			xm->m = NULL;
			xm->missing_said = true;
		}
	}
	if (!xm->m) {
		err_capture(&cap, false);
		r = mapref_open(&x->mo, &xm->sel, &xm->m);
		err_capture(NULL, false);
		if (r) {
			xm->m = NULL;
			while (cap.len && cap.buf[cap.len - 1] == '\n')
				cap.buf[--cap.len] = 0;
			if (!xm->missing_said)
				err_warn("export: %s: %s (reported as %s_map_up 0)",
					 xm->name, sb_str(&cap), x->prefix);
			xm->missing_said = true;
		} else if (xm->missing_said) {
			err_warn("export: %s: back (id %u): exporting it again",
				 xm->name, xm->m->info.id);
			xm->missing_said = false;
		}
	}
	sb_free(&said);
	sb_free(&cap);
	return xm->m != NULL;
}

/* Is there room for one more series of field f under --max-series (each
 * series counted, in the order entry, CPU, field)? A histogram is all its
 * series or none. */
static bool cap_take(struct xport *x, const struct xfield *f,
		     unsigned long long *nseries)
{
	const struct tv_leaf *l = f->leaf;

	if (f->kind == XK_HIST) {
		unsigned long long n = l->nelems + 2 + (f->sum != NULL);

		if (x->max_series && *nseries + n > x->max_series) {
			x->dropped_total += n;
			return false;
		}
		*nseries += n;
		return true;
	}
	if (x->max_series && *nseries >= x->max_series) {
		x->dropped_total++;
		return false;
	}
	++*nseries;
	return true;
}

/* "cpu=\"N\"", after a comma when there are labels before it. */
static void add_cpu(struct strbuf *o, size_t llen, int cpu)
{
	if (llen)
		sb_addc(o, ',');
	sb_adds(o, "cpu=\"");
	sb_add_u64(o, (unsigned long long)cpu);
	sb_addc(o, '"');
}

/* "FAMSUFFIX{labels,cpu=\"N\"} " (no braces without labels or cpu;
 * cpu < 0: none): the start of one sample line. */
static void series_name(struct strbuf *o, const struct xfield *f,
			const char *suffix, const char *lab, size_t llen, int cpu)
{
	sb_add(o, f->fam.buf, f->fam.len);
	sb_adds(o, suffix);
	if (llen || cpu >= 0) {
		sb_addc(o, '{');
		sb_add(o, lab, llen);
		if (cpu >= 0)
			add_cpu(o, llen, cpu);
		sb_addc(o, '}');
	}
	sb_addc(o, ' ');
}

/* The series of one histogram field of one entry: cumulative buckets,
 * +Inf, _sum when the struct keeps one beside it (tv_hist_sum_leaf) and
 * _count. rec is one CPU's
 * value when cpu >= 0, else every CPU's (summed here). */
static void hist_series(const struct mapref *m, const struct xfield *f,
			const char *lab, size_t llen, int cpu, const void *rec,
			struct strbuf *o)
{
	const struct tv_leaf *l = f->leaf;
	int ncpus = cpu < 0 && m->percpu ? m->ncpus : 1;
	uint64_t cum = 0;

	for (uint32_t i = 0; i <= l->nelems; i++) {
		if (i < l->nelems)
			for (int c = 0; c < ncpus; c++)
				cum += elem_u64(l, (const char *)rec +
						(size_t)c * m->stride, i);
		/* name_bucket{labels,cpu,le} */
		sb_add(o, f->fam.buf, f->fam.len);
		sb_adds(o, "_bucket{");
		sb_add(o, lab, llen);
		if (cpu >= 0) {
			add_cpu(o, llen, cpu);
			sb_addc(o, ',');
		} else if (llen) {
			sb_addc(o, ',');
		}
		if (i < l->nelems) {
			sb_adds(o, "le=\"");
			add_le(o, l, i);
			sb_adds(o, "\"} ");
		} else {
			sb_adds(o, "le=\"+Inf\"} ");
		}
		sb_add_u64(o, (unsigned long long)cum);
		sb_addc(o, '\n');
	}
	if (f->sum) {
		uint64_t su = 0;

		for (int c = 0; c < ncpus; c++)	/* wraps as the field does */
			su += tv_leaf_get_u64(f->sum, (const char *)rec + (size_t)c * m->stride);
		series_name(o, f, "_sum", lab, llen, cpu);
		if (f->sum->kind == TV_KIND_SINT && ncpus == 1)
			sb_add_i64(o, (long long)tv_leaf_get_i64(f->sum, rec));
		else
			sb_add_u64(o, (unsigned long long)su);
		sb_addc(o, '\n');
	}
	series_name(o, f, "_count", lab, llen, cpu);
	sb_add_u64(o, (unsigned long long)cum);
	sb_addc(o, '\n');
}

/* The labels of the entry ent of e into lab. */
static void entry_labels(const struct mapref *m, const struct xents *e,
			 const char *ent, struct strbuf *lab, struct strbuf *tmp)
{
	sb_reset(lab);
	sb_add(lab, e->pre.buf, e->pre.len);
	xp_key_labels(m, e->names, e->progs, ent, lab, tmp);
}

/* Room for one more entry in e: its slot (labels, when kept, are added
 * by the caller at e->lab). */
static char *ents_slot(struct xents *e)
{
	if (e->n == e->cap) {
		size_t nc = e->cap ? e->cap * 2 : 256;
		char *nkv = realloc(e->kv, nc * e->es);
		size_t *nlo = e->store_labels ?
			realloc(e->lo, (nc + 1) * sizeof(*nlo)) : NULL;

		if (!nkv || (e->store_labels && !nlo))
			abort();
		e->kv = nkv;
		e->lo = nlo;
		e->cap = nc;
	}
	return e->kv + e->n * e->es;
}

/* Keep the entry k, v (array slots that were never written are left out)
 * with its labels lab when e keeps them. */
static void ents_add(const struct mapref *m, struct xents *e, bool summed,
		     const void *k, const void *v, const char *lab, size_t llen)
{
	size_t ks = m->info.key_size, ls = m->lookup_size;
	char *ent;

	if (m->is_array && all_zero(v, m->lookup_size))
		return;
	ent = ents_slot(e);
	memcpy(ent, k, ks);
	memcpy(ent + ks, v, ls);
	if (summed)
		mapref_sum_cpus(m, v, ent + ks + ls);
	if (e->store_labels) {
		e->lo[e->n] = e->lab.len;
		sb_add(&e->lab, lab, llen);
	}
	e->n++;
}

/* The split readers' formatter: the labels of each entry, its length (a
 * size_t) before each, made on the reading threads. */
struct reader_labels {
	const struct mapref *m;
	const struct xents *e;
};

static void labels_in_readers(void *arg, const char *keys, const char *values,
			      __u32 n, struct strbuf *sb)
{
	const struct reader_labels *rl = arg;
	struct strbuf lab = STRBUF_INIT, tmp = STRBUF_INIT;
	size_t ks = rl->m->info.key_size;

	(void)values;
	for (__u32 i = 0; i < n; i++) {
		entry_labels(rl->m, rl->e, keys + i * ks, &lab, &tmp);
		sb_add(sb, (const char *)&lab.len, sizeof(lab.len));
		sb_add(sb, lab.buf, lab.len);
	}
	sb_free(&lab);
	sb_free(&tmp);
}

/* The entries of chunks whose labels the readers made: -EPROTO when the
 * text does not hold them all. */
static int read_labelled(struct mapiter *it, const struct mapref *m,
			 struct xents *e, bool summed, long long *n)
{
	const void *keys, *values;
	__u32 cn;
	int rc;

	while ((rc = mapiter_next_chunk(it, &keys, &values, &cn)) > 0) {
		const char *t;
		size_t tl, at = 0;

		mapiter_chunk_text(it, &t, &tl);
		for (__u32 i = 0; i < cn; i++) {
			size_t ll;

			if (tl - at < sizeof(ll))
				return -EPROTO;
			memcpy(&ll, t + at, sizeof(ll));
			at += sizeof(ll);
			if (tl - at < ll)
				return -EPROTO;
			ents_add(m, e, summed,
				 (const char *)keys + (size_t)i * m->info.key_size,
				 (const char *)values + (size_t)i * m->lookup_size,
				 t + at, ll);
			at += ll;
			++*n;
		}
	}
	return rc;
}

/* Read one map into e (array slots never written left out, per-CPU values
 * summed when shown summed) with each entry's labels; the entry count, -1
 * when the map cannot be read this way. Where split readers read the
 * map, they also make the labels (kept then, whatever e->store_labels
 * said). */
static long long map_read(struct xport *x, struct xmap *xm, struct xents *e)
{
	struct mapref *m = xm->m;
	struct mapiter it;
	struct strbuf lab = STRBUF_INIT, tmp = STRBUF_INIT;
	struct reader_labels rl = { .m = m, .e = e };
	const void *k, *v;
	long long n = 0;
	int ncpu_series = x->per_cpu && m->percpu ? m->ncpus : 1;
	bool summed = m->percpu && ncpu_series == 1;
	size_t ks = m->info.key_size, ls = m->lookup_size;
	int rc = 0;

	if (!m->value || (!map_type_is_hash_like(m->info.type) && !m->is_array))
		return -1;
	if (mapiter_init(&it, m->fd, m->info.key_size, m->lookup_size,
			 m->info.max_entries))
		return -1;
	e->es = ks + ls + (summed ? m->info.value_size : 0);
	mapref_fix_clock(m);
	e->names = xp_key_label_names(m, xm->om);
	e->progs = xp_key_label_progs(m);
	if (x->ov && x->ov->labels.len)
		sb_add(&e->pre, x->ov->labels.buf, x->ov->labels.len);
	if (xm->om && xm->om->labels.len) {
		if (e->pre.len)
			sb_addc(&e->pre, ',');
		sb_add(&e->pre, xm->om->labels.buf, xm->om->labels.len);
	}
	if (m->info.max_entries > it.chunk) {
		mapiter_format_in_readers(&it, labels_in_readers, &rl);
		mapiter_prefetch(&it);	/* read ahead, split for big hash maps */
	}
	if (mapiter_texts(&it)) {
		e->store_labels = true;
		rc = read_labelled(&it, m, e, summed, &n);
	} else {
		while ((rc = mapiter_next(&it, &k, &v)) > 0) {
			n++;
			if (e->store_labels)
				entry_labels(m, e, k, &lab, &tmp);
			ents_add(m, e, summed, k, v, lab.buf, lab.len);
		}
	}
	if (e->store_labels && e->lo)
		e->lo[e->n] = e->lab.len;
	if (rc < 0 || it.err) {
		err_warn("export: %s: reading the map failed: %s", xm->name,
			 strerror(it.err ? -it.err : -rc));
		n = -1;
	}
	mapiter_fini(&it);
	sb_free(&lab);
	sb_free(&tmp);
	return n;
}

/* dst += src for one numeric leaf (a histogram: each slot). */
static void leaf_add(const struct xfield *f, void *dst, const void *src)
{
	const struct tv_leaf *l = f->leaf;

	if (f->kind == XK_HIST) {
		for (uint32_t i = 0; i < l->nelems; i++) {
			uint64_t a = elem_u64(l, dst, i) + elem_u64(l, src, i);

			memcpy((char *)dst + l->offset + (size_t)i * l->elem_size,
			       &a, l->elem_size);	/* little-endian */
		}
	} else if (l->kind == TV_KIND_FLOAT && l->elem_size == sizeof(double)) {
		double a, b;

		memcpy(&a, (char *)dst + l->offset, sizeof(a));
		memcpy(&b, (const char *)src + l->offset, sizeof(b));
		a += b;
		memcpy((char *)dst + l->offset, &a, sizeof(a));
	} else if (l->kind == TV_KIND_FLOAT && l->elem_size == sizeof(float)) {
		float a, b;

		memcpy(&a, (char *)dst + l->offset, sizeof(a));
		memcpy(&b, (const char *)src + l->offset, sizeof(b));
		a += b;
		memcpy((char *)dst + l->offset, &a, sizeof(a));
	} else if (l->kind == TV_KIND_BOOL) {
		tv_leaf_set_u64(l, dst, tv_leaf_get_u64(l, dst) | tv_leaf_get_u64(l, src));
	} else {	/* two's complement: signed adds the same way */
		tv_leaf_set_u64(l, dst, tv_leaf_get_u64(l, dst) + tv_leaf_get_u64(l, src));
	}
}

static int label_cmp(const void *a, const void *b, void *arg)
{
	const struct xents *e = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	size_t li = e->lo[i + 1] - e->lo[i], lj = e->lo[j + 1] - e->lo[j];
	int c = memcmp(e->lab.buf + e->lo[i], e->lab.buf + e->lo[j],
		       li < lj ? li : lj);

	if (c || li == lj)
		return c ? c : (i > j) - (i < j);	/* stable: map order */
	return li < lj ? -1 : 1;
}

/* drop_labels: entries whose labels are now the same become one, every
 * exported field added up (each CPU's value and the sum), so no series is
 * printed twice. e keeps its layout, in the order of the labels. */
static void merge_same_labels(const struct mapref *m, struct xents *e,
			      const struct xfield *f, int nf)
{
	size_t ks = m->info.key_size, ls = m->lookup_size;
	int ncpus = m->percpu ? m->ncpus : 1;
	bool summed = e->es > ks + ls;
	size_t *ord, *nlo, nn = 0;
	char *nkv;
	struct strbuf nlab = STRBUF_INIT;

	if (e->n < 2)
		return;
	ord = malloc(e->n * sizeof(*ord));
	nkv = malloc(e->n * e->es);
	nlo = malloc((e->n + 1) * sizeof(*nlo));
	if (!ord || !nkv || !nlo)
		abort();
	for (size_t i = 0; i < e->n; i++)
		ord[i] = i;
	qsort_r(ord, e->n, sizeof(*ord), label_cmp, e);
	for (size_t i = 0; i < e->n; i++) {
		size_t j = ord[i];
		const char *src = e->kv + j * e->es;
		size_t lj = e->lo[j + 1] - e->lo[j];

		if (nn && nlab.len - nlo[nn - 1] == lj &&
		    !memcmp(nlab.buf + nlo[nn - 1], e->lab.buf + e->lo[j], lj)) {
			char *dst = nkv + (nn - 1) * e->es;

			for (int k = 0; k < nf; k++) {
				struct xfield sf = { .leaf = f[k].sum, .kind = XK_GAUGE };

				for (int c = 0; c < ncpus; c++) {
					leaf_add(&f[k], dst + ks + (size_t)c * m->stride,
						 src + ks + (size_t)c * m->stride);
					if (sf.leaf)
						leaf_add(&sf, dst + ks + (size_t)c * m->stride,
							 src + ks + (size_t)c * m->stride);
				}
				if (summed)
					leaf_add(&f[k], dst + ks + ls, src + ks + ls);
				if (summed && sf.leaf)
					leaf_add(&sf, dst + ks + ls, src + ks + ls);
			}
			continue;
		}
		memcpy(nkv + nn * e->es, src, e->es);
		nlo[nn++] = nlab.len;
		sb_add(&nlab, e->lab.buf + e->lo[j], lj);
	}
	nlo[nn] = nlab.len;
	free(e->kv);
	free(e->lo);
	sb_free(&e->lab);
	e->kv = nkv;
	e->lo = nlo;
	e->lab = nlab;
	e->n = nn;
	e->cap = nn;
	free(ord);
}

/* Which series --max-series lets through, counted in the order entry,
 * CPU, field (a bit each in e->keep); without a cap, every one. */
static void cap_series(struct xport *x, struct xents *e, const struct xfield *f,
		       int nf, int ncpu_series, unsigned long long *nseries)
{
	size_t nb = e->n * (size_t)ncpu_series * (size_t)nf, b = 0;

	if (!x->max_series) {
		for (int i = 0; i < nf; i++)
			*nseries += (f[i].kind == XK_HIST ?
				     f[i].leaf->nelems + 2 + (f[i].sum != NULL) : 1) *
				    (unsigned long long)e->n * ncpu_series;
		return;
	}
	e->keep = calloc(nb / 8 + 1, 1);
	if (!e->keep)
		abort();
	for (size_t j = 0; j < e->n; j++)
		for (int c = 0; c < ncpu_series; c++)
			for (int i = 0; i < nf; i++, b++)
				if (cap_take(x, &f[i], nseries))
					e->keep[b / 8] |= 1u << (b % 8);
}

/* The series of field fi of every entry of e, straight into out. */
static void field_series(const struct mapref *m, const struct xents *e,
			 const struct xfield *f, int fi, int nf, int ncpu_series,
			 struct strbuf *out, xp_flush_fn flush, void *arg)
{
	const struct xfield *xf = &f[fi];
	size_t ks = m->info.key_size, ls = m->lookup_size;
	struct strbuf lb = STRBUF_INIT, tmp = STRBUF_INIT;

	for (size_t j = 0; j < e->n; j++) {
		const char *ent = e->kv + j * e->es;
		const char *lab;
		size_t llen;

		if (e->store_labels) {
			lab = e->lab.buf + e->lo[j];
			llen = e->lo[j + 1] - e->lo[j];
		} else {
			entry_labels(m, e, ent, &lb, &tmp);
			lab = lb.buf;
			llen = lb.len;
		}

		for (int c = 0; c < ncpu_series; c++) {
			const void *v = ent + ks, *val = v;
			size_t b = (j * (size_t)ncpu_series + c) * nf + fi;

			if (e->keep && !(e->keep[b / 8] & (1u << (b % 8))))
				continue;
			if (ncpu_series > 1)
				val = (const char *)v + (size_t)c * m->stride;
			else if (m->percpu)	/* the sum, after the value */
				val = ent + ks + ls;
			if (xf->kind == XK_HIST) {
				hist_series(m, xf, lab, llen,
					    ncpu_series > 1 ? c : -1,
					    ncpu_series > 1 ? val : v, out);
				continue;
			}
			series_name(out, xf, "", lab, llen, ncpu_series > 1 ? c : -1);
			num_text(xf->leaf, val, out);
			sb_addc(out, '\n');
		}
		maybe_flush(out, flush, arg);
	}
	sb_free(&lb);
	sb_free(&tmp);
}

static void family_head(struct strbuf *out, const char *fam, const char *type,
			const char *help)
{
	sb_addf(out, "# HELP %s ", fam);
	add_help(out, help);
	sb_addf(out, "\n# TYPE %s %s\n", fam, type);
}

void xp_collect(struct xport *x, struct strbuf *out)
{
	xp_collect_to(x, out, NULL, NULL);
}

void xp_collect_to(struct xport *x, struct strbuf *out, xp_flush_fn flush,
		   void *arg)
{
	struct strbuf mg[MG_N], help = STRBUF_INIT;
	unsigned long long nseries = 0, dropped_before = x->dropped_total;

	x->reads++;
	for (int g = 0; g < MG_N; g++)
		sb_init(&mg[g]);
	for (int i = 0; i < x->nmaps; i++) {
		struct xmap *xm = &x->maps[i];
		struct mapref *m;
		struct xfield *f = NULL;
		int nf = 0;
		long long n;
		uint64_t mem;

		if (!ensure_open(x, xm)) {
			sb_addf(&mg[MG_UP], "%s_%s{map=\"%s\"} 0\n", x->prefix,
				mg_names[MG_UP], xm->name);
			continue;
		}
		m = xm->m;
		/* Queues, stacks and rings cannot be read without taking
		 * their values: only their map gauges. */
		for (uint32_t j = 0; m->value && (m->is_array || map_type_is_hash_like(m->info.type)) &&
				     j < tv_plan_nleaves(m->value); j++) {
			const struct tv_leaf *l = tv_plan_leaf(m->value, j);
			enum xkind kd = leaf_kind(m->value, l, !x->mo.raw_values);
			struct xfield *nfp;

			if (kd == XK_NONE || !xo_wants(xm->om, l->name) ||
			    is_hist_sum(m->value, l))
				continue;	/* (a histogram's sum is its _sum) */
			nfp = realloc(f, (nf + 1) * sizeof(*f));
			if (!nfp)
				abort();
			f = nfp;
			f[nf].leaf = l;
			f[nf].kind = kd;
			f[nf].sum = kd == XK_HIST ? tv_hist_sum_leaf(m->value, l) : NULL;
			sb_init(&f[nf].fam);
			sb_adds(&f[nf].fam, x->prefix);
			sb_addc(&f[nf].fam, '_');
			xp_add_name(&f[nf].fam, xm->name);
			sb_addc(&f[nf].fam, '_');
			if (xo_rename(xm->om, l->name))
				sb_adds(&f[nf].fam, xo_rename(xm->om, l->name));
			else
				xp_add_name(&f[nf].fam, tv_plan_is_scalar(m->value) && !*l->name ?
					 "value" : l->name);
			if (kd == XK_COUNTER) {
				size_t fl = f[nf].fam.len;

				if (fl < 6 || strcmp(f[nf].fam.buf + fl - 6, "_total"))
					sb_adds(&f[nf].fam, "_total");
			}
			nf++;
		}
		{
			struct xents e = { .lab = STRBUF_INIT, .pre = STRBUF_INIT,
					   .store_labels = nf >= XP_STORE_LABELS_AT ||
							   (xm->om && xm->om->ndrops) };
			int ncpu_series = x->per_cpu && m->percpu ? m->ncpus : 1;

			n = map_read(x, xm, &e);
			if (xm->om && xm->om->ndrops)
				merge_same_labels(m, &e, f, nf);
			cap_series(x, &e, f, nf, ncpu_series, &nseries);
			for (int j = 0; j < nf; j++) {
				sb_reset(&help);
				sb_addf(&help, "%s.%s (%s%s) of %s map %s%s", xm->name,
					*f[j].leaf->name ? f[j].leaf->name : "value",
					f[j].leaf->type_name ? f[j].leaf->type_name : "",
					f[j].kind == XK_COUNTER ? ", counter" :
					f[j].kind != XK_HIST ? "" :
					f[j].leaf->fmt == TV_FMT_LINHIST ? ", linear buckets" : ", log2 slots",
					map_type_str(m->info.type), xm->name,
					m->percpu ? (x->per_cpu ? ", per CPU" : ", summed over CPUs") : "");
				family_head(out, sb_str(&f[j].fam),
					    f[j].kind == XK_COUNTER ? "counter" :
					    f[j].kind == XK_HIST ? "histogram" : "gauge",
					    sb_str(&help));
				field_series(m, &e, f, j, nf, ncpu_series, out,
					     flush, arg);
				sb_free(&f[j].fam);
			}
			free(e.kv);
			free(e.lo);
			free(e.keep);
			sb_free(&e.lab);
			sb_free(&e.pre);
			for (uint32_t j = 0; e.names && j < tv_plan_nleaves(m->key); j++) {
				sb_free(&e.names[j]);
				tvf_free(e.progs[j]);
			}
			free(e.names);
			free(e.progs);
		}
		free(f);
		sb_addf(&mg[MG_UP], "%s_%s{map=\"%s\"} 1\n", x->prefix,
			mg_names[MG_UP], xm->name);
		if (n >= 0)
			sb_addf(&mg[MG_ENTRIES], "%s_%s{map=\"%s\"} %lld\n",
				x->prefix, mg_names[MG_ENTRIES], xm->name,
				m->is_array ? (long long)m->info.max_entries : n);
		sb_addf(&mg[MG_MAX], "%s_%s{map=\"%s\"} %u\n", x->prefix,
			mg_names[MG_MAX], xm->name, m->info.max_entries);
		if (!map_memlock(m->fd, &mem))
			sb_addf(&mg[MG_MEM], "%s_%s{map=\"%s\"} %llu\n", x->prefix,
				mg_names[MG_MEM], xm->name, (unsigned long long)mem);
		if (m->info.type == BPF_MAP_TYPE_QUEUE || m->info.type == BPF_MAP_TYPE_STACK) {
			void *buf = malloc(m->info.value_size ? m->info.value_size : 1);
			int r = buf ? bpf_map_lookup_elem(m->fd, NULL, buf) : -1;

			if (buf && (!r || errno == ENOENT))
				sb_addf(&mg[MG_NONEMPTY], "%s_%s{map=\"%s\"} %d\n",
					x->prefix, mg_names[MG_NONEMPTY], xm->name, !r);
			free(buf);
		}
		if (m->info.type == BPF_MAP_TYPE_RINGBUF && m->info.max_entries) {
			long long used = ring_used(m->fd);

			if (used >= 0)
				sb_addf(&mg[MG_FILL], "%s_%s{map=\"%s\"} %.6g\n",
					x->prefix, mg_names[MG_FILL], xm->name,
					(double)used / m->info.max_entries);
		}
	}
	for (int g = 0; g < MG_N; g++) {
		char fam[160];

		if (mg[g].len) {
			snprintf(fam, sizeof(fam), "%s_%s", x->prefix, mg_names[g]);
			family_head(out, fam, "gauge", mg_help[g]);
			sb_add(out, mg[g].buf, mg[g].len);
		}
		sb_free(&mg[g]);
	}
	sb_reset(&help);
	sb_addf(&help, "%s_export_series_dropped_total", x->prefix);
	family_head(out, sb_str(&help), "counter",
		    "series left out by --max-series since the exporter started");
	sb_addf(out, "%s %llu\n", sb_str(&help), x->dropped_total);
	sb_reset(&help);
	sb_addf(&help, "%s_export_reads_total", x->prefix);
	family_head(out, sb_str(&help), "counter",
		    "times the maps were read (concurrent scrapes share one read)");
	sb_addf(out, "%s %llu\n", sb_str(&help), x->reads);
	if (x->dropped_total > dropped_before && !x->cap_said) {
		err_warn("export: more series than --max-series %llu: %llu left out (counted in %s_export_series_dropped_total)",
			 x->max_series, x->dropped_total - dropped_before, x->prefix);
		x->cap_said = true;
	}
	sb_free(&help);
}

void om_from_text(const char *text, struct strbuf *out)
{
	const char *p = text;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) + 1 : strlen(p);

		/* "# HELP x_total ..." / "# TYPE x_total counter": OpenMetrics
		 * names the family x, its samples x_total. */
		if (!strncmp(p, "# HELP ", 7) || !strncmp(p, "# TYPE ", 7)) {
			const char *name = p + 7, *sp = memchr(name, ' ', n - 7);
			const char *next = e ? e + 1 : p + n;
			bool counter = false;

			if (!strncmp(p, "# HELP ", 7)) {
				/* the TYPE line follows */
				const char *t = next;
				const char *te = strchr(t, '\n');

				counter = te && te - t > 8 && !strncmp(te - 8, " counter", 8);
			} else {
				counter = n > 9 && !strncmp(p + n - 9, " counter\n", 9);
			}
			if (sp && counter && sp - name > 6 && !strncmp(sp - 6, "_total", 6)) {
				sb_add(out, p, (size_t)(sp - 6 - p));
				sb_add(out, sp, n - (size_t)(sp - p));
				p += n;
				continue;
			}
		}
		sb_add(out, p, n);
		p += n;
	}
	sb_adds(out, "# EOF\n");
}
