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
#include "verbs/export/export.h"
#include "map/mapiter.h"
#include "map/mapinfo.h"
#include "map/repin.h"
#include "base/err.h"
#include "base/suggest.h"

enum xkind { XK_NONE, XK_COUNTER, XK_GAUGE, XK_HIST };

/* A log2 histogram: an array of 2..64 unsigned integers whose name says it
 * (..hist.., slots, buckets). Slot i counts the values of bit length i
 * (bcc's log2 slots: 0; 1; 2-3; 4-7; ...), so its upper bound is 2^i - 1. */
static bool hist_leaf(const struct tv_leaf *l)
{
	const char *b = strrchr(l->name, '.');

	b = b ? b + 1 : l->name;
	return l->ndims == 1 && l->nelems >= 2 && l->nelems <= 64 &&
	       l->kind == TV_KIND_UINT && !l->bit_size && l->elem_size <= 8 &&
	       (l->fmt == TV_FMT_NONE || l->fmt == TV_FMT_COUNTER) &&
	       (strstr(b, "hist") || !strcmp(b, "slots") || !strcmp(b, "buckets"));
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

/* A metric or label name: [a-zA-Z0-9_], anything else as '_'. */
static void add_name(struct strbuf *sb, const char *s)
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
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			sb_addc(sb, '\\');
		if (*s == '\n') {
			sb_adds(sb, "\\n");
			continue;
		}
		sb_addc(sb, *s);
	}
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

/* One value field of one map: its family name and its sample lines. */
struct xfield {
	const struct tv_leaf *leaf;
	enum xkind kind;
	struct strbuf fam;	/* "mapsh_flows_packets_total" */
	struct strbuf lines;
};

/* The map gauges, one family each, shared by every map. */
enum { MG_UP, MG_ENTRIES, MG_MAX, MG_MEM, MG_FILL, MG_N };
static const char *const mg_names[MG_N] = {
	"map_up", "map_entries", "map_max_entries", "map_memory_bytes",
	"map_fill_ratio",
};
static const char *const mg_help[MG_N] = {
	"1 when the map could be read at this scrape, 0 when it is missing",
	"entries in the map (arrays: max_entries)",
	"the map's max_entries",
	"memory the kernel accounts to the map (fdinfo memlock)",
	"how full a ring buffer is (bytes not yet consumed / size)",
};

static void num_text(const struct tv_leaf *l, const void *v, struct strbuf *sb)
{
	switch (l->kind) {
	case TV_KIND_SINT:
		sb_addf(sb, "%lld", (long long)tv_leaf_get_i64(l, v));
		break;
	case TV_KIND_FLOAT:
		sb_addf(sb, "%.17g", tv_leaf_get_double(l, v, 0));
		break;
	default:
		sb_addf(sb, "%llu", (unsigned long long)tv_leaf_get_u64(l, v));
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

/* The labels of one key: `a="..",b=".."` (no braces). */
static void key_labels(const struct mapref *m, const void *key,
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

		if (l->is_padding || l->in_union_alt)
			continue;
		if (lab->len)
			sb_addc(lab, ',');
		add_name(lab, l->name);
		sb_adds(lab, "=\"");
		sb_reset(tmp);
		tv_leaf_format_text(l, key, tmp);
		xp_label_value(lab, sb_str(tmp));
		sb_addc(lab, '"');
	}
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

/* The series of one histogram field of one entry: cumulative buckets,
 * +Inf and _count (no _sum: the slots do not tell it). rec is one CPU's
 * value when cpu >= 0, else every CPU's (summed here). */
static void hist_series(struct xport *x, const struct mapref *m,
			struct xfield *f, const struct strbuf *lab,
			int cpu, const void *rec, unsigned long long *nseries)
{
	const struct tv_leaf *l = f->leaf;
	struct strbuf *o = &f->lines;
	int ncpus = cpu < 0 && m->percpu ? m->ncpus : 1;
	uint64_t cum = 0;

	if (x->max_series && *nseries + l->nelems + 2 > x->max_series) {
		x->dropped_total += l->nelems + 2;
		return;
	}
	*nseries += l->nelems + 2;
	for (uint32_t i = 0; i <= l->nelems; i++) {
		if (i < l->nelems)
			for (int c = 0; c < ncpus; c++)
				cum += elem_u64(l, (const char *)rec +
						(size_t)c * m->stride, i);
		/* name_bucket{labels,cpu,le} */
		sb_add(o, f->fam.buf, f->fam.len);
		sb_adds(o, "_bucket{");
		sb_add(o, lab->buf, lab->len);
		if (lab->len)
			sb_addc(o, ',');
		if (cpu >= 0)
			sb_addf(o, "cpu=\"%d\",", cpu);
		if (i < l->nelems)
			sb_addf(o, "le=\"%llu\"} %llu\n",
				(1ull << i) - 1,
				(unsigned long long)cum);
		else
			sb_addf(o, "le=\"+Inf\"} %llu\n", (unsigned long long)cum);
	}
	sb_add(o, f->fam.buf, f->fam.len);
	sb_adds(o, "_count");
	if (lab->len || cpu >= 0) {
		sb_addc(o, '{');
		sb_add(o, lab->buf, lab->len);
		if (cpu >= 0)
			sb_addf(o, "%scpu=\"%d\"", lab->len ? "," : "", cpu);
		sb_addc(o, '}');
	}
	sb_addf(o, " %llu\n", (unsigned long long)cum);
}

/* The series of one map's entries into its fields; the entry count. */
static long long map_series(struct xport *x, struct xmap *xm,
			    struct xfield *f, int nf,
			    unsigned long long *nseries)
{
	struct mapref *m = xm->m;
	struct mapiter it;
	struct strbuf lab = STRBUF_INIT, tmp = STRBUF_INIT, num = STRBUF_INIT;
	void *sum = NULL;
	const void *k, *v;
	long long n = 0;
	int ncpu_series = x->per_cpu && m->percpu ? m->ncpus : 1;

	if (!m->value || (!map_type_is_hash_like(m->info.type) && !m->is_array))
		return -1;
	if (mapiter_init(&it, m->fd, m->info.key_size, m->lookup_size,
			 m->info.max_entries))
		return -1;
	sum = calloc(1, m->info.value_size ? m->info.value_size : 1);
	mapref_fix_clock(m);
	while (mapiter_next(&it, &k, &v) > 0) {
		const void *val = v;

		n++;
		/* Array slots that were never written are left out. */
		if (m->is_array && all_zero(v, m->lookup_size))
			continue;
		if (m->percpu && ncpu_series == 1) {
			mapref_sum_cpus(m, v, sum);
			val = sum;
		}
		sb_reset(&lab);
		if (x->ov && x->ov->labels.len)
			sb_add(&lab, x->ov->labels.buf, x->ov->labels.len);
		if (xm->om && xm->om->labels.len) {
			if (lab.len)
				sb_addc(&lab, ',');
			sb_add(&lab, xm->om->labels.buf, xm->om->labels.len);
		}
		key_labels(m, k, &lab, &tmp);
		for (int c = 0; c < ncpu_series; c++) {
			if (ncpu_series > 1)
				val = (const char *)v + (size_t)c * m->stride;
			for (int i = 0; i < nf; i++) {
				struct strbuf *o = &f[i].lines;

				if (f[i].kind == XK_HIST) {
					hist_series(x, m, &f[i], &lab,
						    ncpu_series > 1 ? c : -1,
						    ncpu_series > 1 ? val : v, nseries);
					continue;
				}
				if (x->max_series && *nseries >= x->max_series) {
					x->dropped_total++;
					continue;
				}
				++*nseries;
				sb_add(o, f[i].fam.buf, f[i].fam.len);
				if (lab.len || ncpu_series > 1) {
					sb_addc(o, '{');
					sb_add(o, lab.buf, lab.len);
					if (ncpu_series > 1)
						sb_addf(o, "%scpu=\"%d\"",
							lab.len ? "," : "", c);
					sb_addc(o, '}');
				}
				sb_addc(o, ' ');
				num_text(f[i].leaf, val, o);
				sb_addc(o, '\n');
			}
		}
	}
	if (it.err) {
		err_warn("export: %s: reading the map failed: %s", xm->name,
			 strerror(-it.err));
		n = -1;
	}
	mapiter_fini(&it);
	free(sum);
	sb_free(&lab);
	sb_free(&tmp);
	sb_free(&num);
	return n;
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

			if (kd == XK_NONE || !xo_wants(xm->om, l->name))
				continue;
			nfp = realloc(f, (nf + 1) * sizeof(*f));
			if (!nfp)
				abort();
			f = nfp;
			f[nf].leaf = l;
			f[nf].kind = kd;
			sb_init(&f[nf].fam);
			sb_init(&f[nf].lines);
			sb_adds(&f[nf].fam, x->prefix);
			sb_addc(&f[nf].fam, '_');
			add_name(&f[nf].fam, xm->name);
			sb_addc(&f[nf].fam, '_');
			if (xo_rename(xm->om, l->name))
				sb_adds(&f[nf].fam, xo_rename(xm->om, l->name));
			else
				add_name(&f[nf].fam, tv_plan_is_scalar(m->value) && !*l->name ?
					 "value" : l->name);
			if (kd == XK_COUNTER) {
				size_t fl = f[nf].fam.len;

				if (fl < 6 || strcmp(f[nf].fam.buf + fl - 6, "_total"))
					sb_adds(&f[nf].fam, "_total");
			}
			nf++;
		}
		n = map_series(x, xm, f, nf, &nseries);
		for (int j = 0; j < nf; j++) {
			sb_reset(&help);
			sb_addf(&help, "%s.%s (%s%s) of %s map %s%s", xm->name,
				*f[j].leaf->name ? f[j].leaf->name : "value",
				f[j].leaf->type_name ? f[j].leaf->type_name : "",
				f[j].kind == XK_COUNTER ? ", counter" :
				f[j].kind == XK_HIST ? ", log2 slots" : "",
				map_type_str(m->info.type), xm->name,
				m->percpu ? (x->per_cpu ? ", per CPU" : ", summed over CPUs") : "");
			family_head(out, sb_str(&f[j].fam),
				    f[j].kind == XK_COUNTER ? "counter" :
				    f[j].kind == XK_HIST ? "histogram" : "gauge",
				    sb_str(&help));
			sb_add(out, f[j].lines.buf, f[j].lines.len);
			sb_free(&f[j].fam);
			sb_free(&f[j].lines);
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
