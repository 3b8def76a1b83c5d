// SPDX-License-Identifier: GPL-2.0
/* Copying a map into a map of a changed type by BTF field names: see
 * migrate.h. The field mapping of the key and of the value is compiled
 * once (struct side: a list of ops, each one field's byte copy, integer or
 * float conversion, or byte blob), then run over flat arrays of the
 * entries read in batches. Everything is checked before the first write;
 * the writes are one journaled batch of the write path. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "base/err.h"
#include "base/hash.h"
#include "base/strbuf.h"
#include "map/mapiter.h"
#include "map/migrate.h"
#include "map/write.h"

#define MAX_LISTED 10	/* refused entries named, then "and N more" */

enum op_kind { OP_COPY, OP_INT, OP_FLOAT, OP_BLOB };
enum cls { C_INT, C_FLOAT, C_STR, C_BLOB };

struct mop {
	enum op_kind kind;
	bool narrow;		/* a value may not fit: checked per entry */
	bool counter;		/* second sweep: carried over by its delta */
	bool ktime;		/* second sweep: the latest */
	bool str;		/* OP_BLOB of char arrays: keep room for a NUL */
	const struct tv_leaf *ol, *nl;
	uint32_t ooff, noff, olen, nlen;	/* bytes (OP_COPY, OP_BLOB) */
	uint32_t nel, oel;	/* elements converted; the old leaf's */
};

struct side {
	const char *what;	/* "key", "value" */
	const struct tv_plan *op, *np;
	uint32_t osz, nsz;
	struct mop *ops;
	uint32_t nops;
	char *base;		/* a new record before the copies: zero + sets */
	bool *used;		/* old leaves some op reads */
};

struct fail {
	size_t n;		/* entries refused */
	struct strbuf sb;	/* the first MAX_LISTED, one a line */
};

/* ---- one leaf's values ---- */

static bool is_be(const struct tv_leaf *l)
{
	return l->fmt == TV_FMT_PORT || l->fmt == TV_FMT_BE;
}

static enum cls leaf_cls(const struct tv_leaf *l)
{
	if (l->fmt == TV_FMT_IPV4 || l->fmt == TV_FMT_IPV6 || l->fmt == TV_FMT_MAC)
		return C_BLOB;
	switch (l->kind) {
	case TV_KIND_UINT: case TV_KIND_SINT: case TV_KIND_BOOL:
	case TV_KIND_ENUM: case TV_KIND_PTR:
		return l->elem_size <= 8 ? C_INT : C_BLOB;
	case TV_KIND_FLOAT:
		return C_FLOAT;
	case TV_KIND_CHAR:
		return C_STR;
	default:
		return C_BLOB;
	}
}

static unsigned leaf_bits(const struct tv_leaf *l)
{
	if (l->kind == TV_KIND_BOOL)
		return 1;
	return l->bit_size ? l->bit_size : l->elem_size * 8;
}

static uint64_t el_get(const struct tv_leaf *l, const char *rec, uint32_t e)
{
	const unsigned char *p = (const unsigned char *)rec + l->offset +
				 (size_t)e * l->elem_size;
	uint64_t v = 0;
	unsigned sh;

	if (l->bit_size)
		return l->is_signed ? (uint64_t)tv_leaf_get_i64(l, rec)
				    : tv_leaf_get_u64(l, rec);
	if (is_be(l))
		for (uint32_t i = 0; i < l->elem_size; i++)
			v = v << 8 | p[i];
	else
		memcpy(&v, p, l->elem_size);
	sh = 64 - 8 * l->elem_size;
	if (l->is_signed && sh && sh < 64)
		v = (uint64_t)((int64_t)(v << sh) >> sh);
	return v;
}

static void el_set(const struct tv_leaf *l, char *rec, uint32_t e, uint64_t v)
{
	unsigned char *p = (unsigned char *)rec + l->offset + (size_t)e * l->elem_size;

	if (l->bit_size) {
		tv_leaf_set_u64(l, rec, v);
		return;
	}
	if (is_be(l))
		for (uint32_t i = l->elem_size; i-- > 0; v >>= 8)
			p[i] = (unsigned char)v;
	else
		memcpy(p, &v, l->elem_size);
}

/* Does v (signed when the old leaf is) fit the new leaf? */
static bool int_fits(const struct tv_leaf *nl, bool osigned, uint64_t v)
{
	unsigned b = leaf_bits(nl);
	int64_t s = (int64_t)v;

	if (nl->is_signed) {
		int64_t hi = b >= 64 ? INT64_MAX : (int64_t)((1ULL << (b - 1)) - 1);
		int64_t lo = b >= 64 ? INT64_MIN : -hi - 1;

		if (!osigned)
			return v <= (uint64_t)hi;
		return s >= lo && s <= hi;
	}
	if (osigned && s < 0)
		return false;
	return b >= 64 || v < (1ULL << b);
}

static double fl_get(const struct tv_leaf *l, const char *rec, uint32_t e)
{
	return tv_leaf_get_double(l, rec, e);
}

static void fl_set(const struct tv_leaf *l, char *rec, uint32_t e, double d)
{
	char *p = rec + l->offset + (size_t)e * l->elem_size;

	if (l->elem_size == 4) {
		float f = (float)d;

		memcpy(p, &f, 4);
	} else {
		memcpy(p, &d, 8);
	}
}

/* ---- compiling a side ---- */

/* The old leaf the new leaf nl comes from: its own name, or through a
 * rename (whole fields or struct prefixes: "a=b" maps a.x to b.x). */
static const struct tv_leaf *old_for(const struct side *s, const struct tv_leaf *nl,
				     const struct migrate_opts *o, const char **renamed)
{
	*renamed = NULL;
	for (int i = 0; i < o->nrenames; i++) {
		const char *r = o->renames[i], *eq = strchr(r, '='), *nn, *rest;
		const char *pfx = strncmp(r, "key.", 4) == 0 ? "key" :
				  strncmp(r, "value.", 6) == 0 ? "value" : NULL;
		char buf[512];
		size_t ol, nlen;

		if (!eq)
			continue;
		if (pfx) {
			if (strcmp(pfx, s->what))
				continue;
			r += strlen(pfx) + 1;
		}
		nn = eq + 1;
		if (!strncmp(nn, "key.", 4) || !strncmp(nn, "value.", 6))
			nn = strchr(nn, '.') + 1;
		nlen = strlen(nn);
		if (strncmp(nl->name, nn, nlen) ||
		    (nl->name[nlen] && nl->name[nlen] != '.' && nl->name[nlen] != '['))
			continue;
		rest = nl->name + nlen;
		ol = (size_t)(eq - r);
		if ((size_t)snprintf(buf, sizeof(buf), "%.*s%s", (int)ol, r, rest) >= sizeof(buf))
			continue;
		*renamed = r;
		return tv_find_leaf(s->op, buf, NULL) &&
		       !strcmp(tv_find_leaf(s->op, buf, NULL)->name, buf) ?
		       tv_find_leaf(s->op, buf, NULL) : NULL;
	}
	{
		const struct tv_leaf *l = tv_find_leaf(s->op, nl->name, NULL);

		/* exact names only (tv_find_leaf falls back to any case) */
		return l && !strcmp(l->name, nl->name) ? l : NULL;
	}
}

static uint32_t leaf_index(const struct tv_plan *p, const struct tv_leaf *l)
{
	uint32_t n = tv_plan_nleaves(p);

	for (uint32_t i = 0; i < n; i++)
		if (tv_plan_leaf(p, i) == l)
			return i;
	return 0;
}

static void say(const struct migrate_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void say(const struct migrate_opts *o, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (o->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (o->say)
		o->say(o->say_arg, line);
	else
		fprintf(stderr, "mapsh: %s\n", line);
}

/* "FIELD=VALUE" (FIELD maybe "key." or "value." first) for this side:
 * the leaf and the value text, or NULL. */
static const struct tv_leaf *set_leaf(const struct side *s, const char *spec,
				      const char **text, char *name, size_t namen)
{
	const char *eq = strchr(spec, '=');
	const struct tv_leaf *l;

	if (!eq || (size_t)(eq - spec) >= namen)
		return NULL;
	snprintf(name, namen, "%.*s", (int)(eq - spec), spec);
	*text = eq + 1;
	if (!strncmp(name, "key.", 4) || !strncmp(name, "value.", 6)) {
		size_t pl = name[0] == 'k' ? 4 : 6;

		if (strncmp(name, s->what, pl - 1))
			return NULL;
		memmove(name, name + pl, strlen(name + pl) + 1);
	}
	l = tv_find_leaf(s->np, name, NULL);
	return l && !strcmp(l->name, name) ? l : NULL;
}

/* How an old leaf goes into a new one: the op, or -1 after printing why
 * the two cannot be converted. */
static int make_op(const struct mapref *to, const struct side *s,
		   const struct tv_leaf *ol, const struct tv_leaf *nl, struct mop *op,
		   const char **how)
{
	enum cls oc = leaf_cls(ol), nc = leaf_cls(nl);

	memset(op, 0, sizeof(*op));
	op->ol = ol;
	op->nl = nl;
	op->ooff = ol->offset;
	op->noff = nl->offset;
	op->olen = ol->size;
	op->nlen = nl->size;
	op->oel = ol->nelems;
	op->nel = ol->nelems < nl->nelems ? ol->nelems : nl->nelems;
	if (oc != nc && !((oc == C_STR && nc == C_BLOB) || (oc == C_BLOB && nc == C_STR))) {
		err_fail("%s migrate: %s field '%s' is %s in the old type and %s in the new one: it cannot be converted (--rename it, or leave it out of one type)",
			 to->name, s->what, nl->name, ol->type_name, nl->type_name);
		return -1;
	}
	if (oc == C_INT) {
		unsigned ob = leaf_bits(ol), nb = leaf_bits(nl);
		bool wider = ol->is_signed == nl->is_signed ? nb >= ob
			     : (!ol->is_signed && nb > ob);

		if (ob == nb && ol->is_signed == nl->is_signed && !ol->bit_size &&
		    !nl->bit_size && is_be(ol) == is_be(nl) &&
		    ol->nelems == nl->nelems && ol->elem_size == nl->elem_size) {
			op->kind = OP_COPY;
			*how = "copied";
			return 0;
		}
		op->kind = OP_INT;
		op->narrow = !wider || nl->nelems < ol->nelems;
		*how = op->narrow ? "narrowed (every value checked)" :
		       ob == nb && nl->nelems == ol->nelems ? "converted" : "widened";
		return 0;
	}
	if (oc == C_FLOAT) {
		if (ol->elem_size == nl->elem_size && ol->nelems == nl->nelems) {
			op->kind = OP_COPY;
			*how = "copied";
			return 0;
		}
		op->kind = OP_FLOAT;
		op->narrow = nl->elem_size < ol->elem_size || nl->nelems < ol->nelems;
		*how = op->narrow ? "narrowed (every value checked)" : "widened";
		return 0;
	}
	if (ol->size == nl->size) {
		op->kind = OP_COPY;
		*how = "copied";
		return 0;
	}
	op->kind = OP_BLOB;
	op->str = nc == C_STR;
	op->narrow = nl->size < ol->size;
	*how = op->narrow ? "narrowed (every value checked)" : "widened";
	return 0;
}

/* Merge OP_COPY ops that continue each other in both records. */
static void merge_copies(struct side *s)
{
	uint32_t w = 0;

	for (uint32_t i = 0; i < s->nops; i++) {
		struct mop *p = w ? &s->ops[w - 1] : NULL, *c = &s->ops[i];

		if (p && p->kind == OP_COPY && c->kind == OP_COPY && !p->counter &&
		    !c->counter && !p->ktime && !c->ktime &&
		    p->ooff + p->olen == c->ooff && p->noff + p->nlen == c->noff) {
			p->olen += c->olen;
			p->nlen += c->nlen;
			continue;
		}
		s->ops[w++] = *c;
	}
	s->nops = w;
}

static int side_compile(const struct mapref *to, struct side *s,
			const struct migrate_opts *o, bool report)
{
	uint32_t nn = tv_plan_nleaves(s->np), on = tv_plan_nleaves(s->op);
	struct strbuf err = STRBUF_INIT;
	int rc = 0;

	s->osz = tv_plan_size(s->op);
	s->nsz = tv_plan_size(s->np);
	s->ops = calloc(nn + 1, sizeof(*s->ops));
	s->base = calloc(1, s->nsz + 1);
	s->used = calloc(on + 1, sizeof(bool));
	if (!s->ops || !s->base || !s->used)
		return err_fail("out of memory"), -1;
	for (uint32_t i = 0; i < nn && !rc; i++) {
		const struct tv_leaf *nl = tv_plan_leaf(s->np, i), *ol;
		const char *renamed, *how = "copied", *text = NULL;
		char name[256];
		bool set = false;

		ol = old_for(s, nl, o, &renamed);
		for (int k = 0; k < o->nsets; k++)
			if (set_leaf(s, o->sets[k], &text, name, sizeof(name)) == nl) {
				set = true;
				break;
			}
		if (!ol) {
			if (set) {
				sb_reset(&err);
				if (tv_leaf_parse(nl, text, s->base, &err)) {
					err_fail("%s migrate: --set %s", to->name, sb_str(&err));
					rc = -1;
				} else if (report) {
					say(o, "%s %s: new, set to %s", s->what, nl->name, text);
				}
			} else if (report && !nl->is_padding) {
				say(o, "%s %s: new, zero", s->what, nl->name);
			}
			continue;
		}
		if (set) {
			err_fail("%s migrate: --set %s=%s: the old type has %s field '%s', which is copied (--set is for fields only in the new type)",
				 to->name, name, text, s->what, ol->name);
			rc = -1;
			break;
		}
		if (make_op(to, s, ol, nl, &s->ops[s->nops], &how)) {
			rc = -1;
			break;
		}
		s->ops[s->nops].counter = tv_leaf_is_counter(s->np, nl, true) ||
					  tv_leaf_is_counter(s->op, ol, true);
		s->ops[s->nops].ktime = nl->fmt == TV_FMT_KTIME;
		s->used[leaf_index(s->op, ol)] = true;
		s->nops++;
		if (report && (o->dry_run || strcmp(how, "copied") || renamed) &&
		    !(nl->is_padding && ol->is_padding)) {
			if (renamed)
				say(o, "%s %s: from %s, %s (%s to %s)", s->what, nl->name,
				    ol->name, how, ol->type_name, nl->type_name);
			else if (!strcmp(how, "copied"))
				say(o, "%s %s: copied (%s)", s->what, nl->name, nl->type_name);
			else
				say(o, "%s %s: %s (%s to %s)", s->what, nl->name, how,
				    ol->type_name, nl->type_name);
		}
	}
	for (uint32_t i = 0; i < on && !rc && report; i++) {
		const struct tv_leaf *ol = tv_plan_leaf(s->op, i);

		if (!s->used[i] && !ol->is_padding)
			say(o, "%s %s: dropped (only in the old type)", s->what, ol->name);
	}
	sb_free(&err);
	merge_copies(s);
	return rc;
}

static void side_free(struct side *s)
{
	free(s->ops);
	free(s->base);
	free(s->used);
}

/* One record of the old type into the new (n, nsz bytes): the index + 1
 * of the op whose value does not fit, 0 when everything fits. */
static uint32_t side_conv(const struct side *s, const char *o, char *n)
{
	memcpy(n, s->base, s->nsz);
	for (uint32_t i = 0; i < s->nops; i++) {
		const struct mop *p = &s->ops[i];

		switch (p->kind) {
		case OP_COPY:
			memcpy(n + p->noff, o + p->ooff, p->olen);
			break;
		case OP_INT:
			for (uint32_t e = 0; e < p->oel; e++) {
				uint64_t v = el_get(p->ol, o, e);

				if (e >= p->nel) {
					if (v)
						return i + 1;
					continue;
				}
				if (p->narrow && !int_fits(p->nl, p->ol->is_signed, v))
					return i + 1;
				el_set(p->nl, n, e, v);
			}
			break;
		case OP_FLOAT:
			for (uint32_t e = 0; e < p->oel; e++) {
				double d = fl_get(p->ol, o, e);

				if (e >= p->nel) {
					if (d != 0)
						return i + 1;
					continue;
				}
				if (p->narrow && !isnan(d) && (double)(float)d != d)
					return i + 1;
				fl_set(p->nl, n, e, d);
			}
			break;
		case OP_BLOB: {
			uint32_t k = p->olen < p->nlen ? p->olen : p->nlen;

			memcpy(n + p->noff, o + p->ooff, k);
			if (p->narrow) {
				/* the bytes that do not fit must be zero (a
				 * string keeps its NUL) */
				uint32_t from = p->str && k ? k - 1 : k;

				for (uint32_t b = from; b < p->olen; b++)
					if (o[p->ooff + b])
						return i + 1;
			}
			break;
		}
		}
	}
	return 0;
}

static void fail_add(struct fail *f, const struct mapref *from, const void *okey,
		     const struct side *s, uint32_t opi, const char *orec)
{
	const struct mop *p = &s->ops[opi - 1];

	if (f->n++ >= MAX_LISTED)
		return;
	sb_adds(&f->sb, "  ");
	mapref_key_text(from, okey, &f->sb);
	sb_addf(&f->sb, ": %s %s=", s->what, p->ol->name);
	tv_leaf_format_text(p->ol, orec, &f->sb);
	sb_addf(&f->sb, " does not fit %s %s\n", p->nl->type_name, p->nl->name);
}

/* ---- the entries ---- */

struct ents {
	size_t n, cap;
	char *keys, *vals;
	uint32_t ks, vs;
};

static int ents_read(const struct mapref *m, struct ents *e)
{
	struct mapiter it;
	const void *k, *v;
	__u32 n;
	int r;

	memset(e, 0, sizeof(*e));
	e->ks = m->info.key_size;
	e->vs = m->lookup_size;
	if (mapiter_init(&it, m->fd, e->ks, e->vs, m->info.max_entries))
		return err_fail("out of memory"), -1;
	while ((r = mapiter_next_chunk(&it, &k, &v, &n)) > 0) {
		if (e->n + n > e->cap) {
			size_t c = e->cap ? e->cap : 4096;
			char *nk, *nv;

			while (c < e->n + n)
				c *= 2;
			nk = realloc(e->keys, c * e->ks);
			if (nk)
				e->keys = nk;
			nv = realloc(e->vals, c * e->vs);
			if (nv)
				e->vals = nv;
			if (!nk || !nv) {
				mapiter_fini(&it);
				return err_fail("out of memory"), -1;
			}
			e->cap = c;
		}
		memcpy(e->keys + e->n * e->ks, k, (size_t)n * e->ks);
		memcpy(e->vals + e->n * e->vs, v, (size_t)n * e->vs);
		e->n += n;
	}
	mapiter_fini(&it);
	if (r < 0)
		return err_fail("%s: reading the entries: %s", m->name, strerror(-r)), -1;
	return 0;
}

static void ents_free(struct ents *e)
{
	free(e->keys);
	free(e->vals);
}

/* Open addressing over the new keys: slot -> index + 1. */
struct kindex {
	uint32_t *slot;
	size_t mask;
	const char *keys;
	uint32_t ks;
};

static int kindex_init(struct kindex *x, const char *keys, uint32_t ks, size_t n)
{
	size_t sz = 16;

	while (sz < 2 * n)
		sz *= 2;
	x->slot = calloc(sz, sizeof(*x->slot));
	x->mask = sz - 1;
	x->keys = keys;
	x->ks = ks;
	return x->slot ? 0 : -1;
}

/* Insert index i: 0, or the index + 1 of an equal key already there. */
static size_t kindex_put(struct kindex *x, size_t i)
{
	const char *k = x->keys + i * x->ks;

	for (size_t h = hash_bytes(k, x->ks) & x->mask;; h = (h + 1) & x->mask) {
		if (!x->slot[h]) {
			x->slot[h] = (uint32_t)(i + 1);
			return 0;
		}
		if (!memcmp(x->keys + (size_t)(x->slot[h] - 1) * x->ks, k, x->ks))
			return x->slot[h];
	}
}

/* The index + 1 of key, 0 when not there. */
static size_t kindex_get(const struct kindex *x, const void *key)
{
	for (size_t h = hash_bytes(key, x->ks) & x->mask; x->slot[h]; h = (h + 1) & x->mask)
		if (!memcmp(x->keys + (size_t)(x->slot[h] - 1) * x->ks, key, x->ks))
			return x->slot[h];
	return 0;
}

struct conv {
	const struct mapref *from, *to;
	struct side key, val;
};

/* A value of FROM (lookup bytes) into TO's lookup bytes. */
static uint32_t val_conv(const struct conv *c, const char *ov, char *nv, char *sum)
{
	const struct mapref *f = c->from, *t = c->to;
	uint32_t bad;

	if (f->percpu == t->percpu) {
		for (int cpu = 0; cpu < t->ncpus; cpu++) {
			if (cpu >= f->ncpus) {
				memcpy(nv + (size_t)cpu * t->stride, c->val.base, c->val.nsz);
				continue;
			}
			bad = side_conv(&c->val, ov + (size_t)cpu * f->stride,
					nv + (size_t)cpu * t->stride);
			if (bad)
				return bad;
		}
		return 0;
	}
	if (f->percpu) {
		mapref_sum_cpus(f, ov, sum);
		return side_conv(&c->val, sum, nv);
	}
	for (int cpu = 1; cpu < t->ncpus; cpu++)
		memcpy(nv + (size_t)cpu * t->stride, c->val.base, c->val.nsz);
	return side_conv(&c->val, ov, nv);
}

static bool is_lru(__u32 t)
{
	return t == BPF_MAP_TYPE_LRU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Entries TO holds without evicting (apply's rule for LRU maps). */
static unsigned long long room(const struct mapref *m)
{
	__u32 max = m->info.max_entries;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	if (ncpu < 1)
		ncpu = 1;
	if (!is_lru(m->info.type))
		return max;
	if (m->info.map_flags & BPF_F_NO_COMMON_LRU)
		return max / (unsigned long long)ncpu;
	return max > 128ULL * ncpu ? max - 128ULL * ncpu : 0;
}

static bool type_ok(__u32 t)
{
	switch (t) {
	case BPF_MAP_TYPE_HASH: case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH: case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_ARRAY: case BPF_MAP_TYPE_PERCPU_ARRAY:
		return true;
	}
	return false;
}

static int check_maps(const struct mapref *from, const struct mapref *to)
{
	const struct mapref *ms[2] = { from, to };

	if (from->info.id == to->info.id)
		return err_fail("%s migrate: --to names the same map", to->name), -1;
	for (int i = 0; i < 2; i++) {
		const struct mapref *m = ms[i];

		if (!type_ok(m->info.type))
			return err_fail("%s migrate: %s is a %s map: migrate copies between hash, LRU hash and array maps (and their per-CPU kinds)",
					to->name, m->name, map_type_str(m->info.type)), -1;
		if (!m->key || !m->value || tv_plan_is_raw(m->key) || tv_plan_is_raw(m->value))
			return err_fail("%s migrate: %s has no BTF for its %s: migrate matches fields by their BTF names",
					to->name, m->name,
					!m->key || tv_plan_is_raw(m->key) ? "key" : "value"), -1;
	}
	return 0;
}

/* The new value of an entry the second sweep carries over: cur (TO now,
 * changed by the new program since the first sweep) with what FROM
 * changed since: counters by their delta (now - first; first NULL: a new
 * entry, its whole count), ktime the latest, other fields FROM's new value
 * where TO still holds what the first sweep wrote (first NULL: TO's). */
static void carry(const struct side *s, char *cur, const char *first, const char *now)
{
	for (uint32_t i = 0; i < s->nops; i++) {
		const struct mop *p = &s->ops[i];
		const struct tv_leaf *l = p->nl;

		if ((p->counter || p->ktime) && leaf_cls(l) == C_INT) {
			for (uint32_t e = 0; e < l->nelems; e++) {
				uint64_t c = el_get(l, cur, e), w = el_get(l, now, e);
				uint64_t f = first ? el_get(l, first, e) : 0;

				if (p->counter)
					el_set(l, cur, e, c + (w - f));
				else if (w > c)
					el_set(l, cur, e, w);
			}
		} else if (first && !memcmp(cur + p->noff, first + p->noff, p->nlen)) {
			memcpy(cur + p->noff, now + p->noff, p->nlen);
		}
	}
}

static void carry_all(const struct conv *c, char *cur, const char *first, const char *now)
{
	const struct mapref *t = c->to;

	for (int cpu = 0; cpu < t->ncpus; cpu++)
		carry(&c->val, cur + (size_t)cpu * t->stride,
		      first ? first + (size_t)cpu * t->stride : NULL,
		      now + (size_t)cpu * t->stride);
}

static int write_journal(const struct mapref *to, size_t *done)
{
	int rc = mapw_journal_commit(to);

	if (!rc)
		rc = mapw_journal_write(to, done);
	if (!rc)
		mapw_journal_done(to);
	return rc;
}

/* The second sweep: what changed in FROM since the first (s1: FROM then,
 * nk/nv: what was written). */
static int sweep2(struct conv *c, const struct ents *s1, const char *nk,
		  const char *nv, struct kindex *x, size_t *changed)
{
	const struct mapref *to = c->to;
	uint32_t nks = to->info.key_size, nvs = to->lookup_size;
	struct ents s2;
	struct fail f = { 0 };
	char *k2 = malloc(nks + 8), *v2 = malloc(nvs + 8), *cur = malloc(nvs + 8);
	char *sum = malloc(c->from->lookup_size + 8);
	bool *seen = calloc(s1->n + 1, 1);
	size_t nch = 0;
	int rc = 0;

	*changed = 0;
	if (!k2 || !v2 || !cur || !sum || !seen) {
		rc = -1;
		err_fail("out of memory");
		goto out;
	}
	if (ents_read(c->from, &s2)) {
		rc = -1;
		goto out;
	}
	rc = mapw_journal_begin(to, 64) ? -1 : 0;
	for (size_t j = 0; !rc && j < s2.n; j++) {
		const char *ok = s2.keys + j * s2.ks, *ov = s2.vals + j * s2.vs;
		uint32_t bad = side_conv(&c->key, ok, k2);
		size_t i;
		bool have;

		if (!bad && (bad = val_conv(c, ov, v2, sum)))
			fail_add(&f, c->from, ok, &c->val, bad, ov);
		else if (bad)
			fail_add(&f, c->from, ok, &c->key, bad, ok);
		if (bad)
			continue;
		i = kindex_get(x, k2);
		if (i) {
			seen[i - 1] = true;
			if (!memcmp(ov, s1->vals + (i - 1) * s1->vs, s1->vs))
				continue;
		}
		have = !bpf_map_lookup_elem(to->fd, k2, cur);
		if (!have) {
			rc = mapw_journal_add(to, k2, NULL, v2) ? -1 : 0;
		} else {
			char *old = malloc(nvs + 8);

			if (!old) {
				rc = -1;
				break;
			}
			memcpy(old, cur, nvs);
			carry_all(c, cur, i ? nv + (i - 1) * nvs : NULL, v2);
			if (memcmp(old, cur, nvs)) {
				rc = mapw_journal_add(to, k2, old, cur) ? -1 : 0;
				nch++;
			}
			free(old);
			continue;
		}
		nch++;
	}
	/* gone from FROM since: gone from TO too, unless the new program
	 * changed it since */
	for (size_t i = 0; !rc && !to->is_array && !c->from->is_array && i < s1->n; i++) {
		if (seen[i])
			continue;
		if (bpf_map_lookup_elem(to->fd, nk + i * nks, cur) ||
		    memcmp(cur, nv + i * nvs, nvs))
			continue;
		rc = mapw_journal_add(to, nk + i * nks, cur, NULL) ? -1 : 0;
		nch++;
	}
	if (!rc && f.n) {
		err_fail("%s migrate: second sweep: %zu entries changed since the first do not fit; the map is as after the first sweep:",
			 to->name, f.n);
		fputs(sb_str(&f.sb), stderr);
		rc = -1;
	}
	if (!rc) {
		size_t done = 0;

		rc = write_journal(to, &done) ? -1 : 0;
	}
	*changed = nch;
	ents_free(&s2);
out:
	sb_free(&f.sb);
	free(k2);
	free(v2);
	free(cur);
	free(sum);
	free(seen);
	return rc;
}

int migrate_run(struct mapref *from, struct mapref *to, const struct migrate_opts *o,
		migrate_between_fn between, void *arg)
{
	struct conv c = { .from = from, .to = to };
	struct ents s1 = { 0 };
	struct kindex x = { 0 };
	struct fail fk = { 0 }, fv = { 0 }, fc = { 0 };
	uint32_t nks = to->info.key_size, nvs = to->lookup_size;
	char *nk = NULL, *nv = NULL, *sum = NULL, *old = NULL;
	unsigned char *had = NULL;
	unsigned long long in_to = 0, adds = 0, fit;
	char b1[32], b2[32];
	int rc = -1;

	if (check_maps(from, to))
		return -1;
	c.key = (struct side){ .what = "key", .op = from->key, .np = to->key };
	c.val = (struct side){ .what = "value", .op = from->value, .np = to->value };
	for (int i = 0; i < o->nrenames; i++)
		if (!strchr(o->renames[i], '=') || o->renames[i][0] == '=') {
			err_fail("%s migrate: --rename %s: expected OLD=NEW (field paths)",
				 to->name, o->renames[i]);
			goto out;
		}
	for (int i = 0; i < o->nsets; i++) {
		char name[256];
		const char *text;

		if (!set_leaf(&c.key, o->sets[i], &text, name, sizeof(name)) &&
		    !set_leaf(&c.val, o->sets[i], &text, name, sizeof(name))) {
			const char *sug = NULL, *eq = strchr(o->sets[i], '=');

			if (eq) {
				snprintf(name, sizeof(name), "%.*s", (int)(eq - o->sets[i]), o->sets[i]);
				if (!tv_find_leaf(to->value, name, &sug) && !sug)
					tv_find_leaf(to->key, name, &sug);
			}
			err_fail("%s migrate: --set %s: %s%s%s%s", to->name, o->sets[i],
				 eq ? "the new type has no such field" : "expected FIELD=VALUE",
				 sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
			goto out;
		}
	}
	if (side_compile(to, &c.key, o, true) || side_compile(to, &c.val, o, true))
		goto out;

	/* the first sweep: FROM as it is now */
	if (ents_read(from, &s1))
		goto out;
	nk = malloc(s1.n * nks + 8);
	nv = malloc(s1.n * nvs + 8);
	sum = malloc(from->lookup_size + 8);
	had = calloc(s1.n + 1, 1);
	old = malloc(nvs + 8);
	if (!nk || !nv || !sum || !had || !old || kindex_init(&x, nk, nks, s1.n)) {
		err_fail("out of memory");
		goto out;
	}
	for (size_t i = 0; i < s1.n; i++) {
		const char *ok = s1.keys + i * s1.ks, *ov = s1.vals + i * s1.vs;
		uint32_t bad = side_conv(&c.key, ok, nk + i * nks);
		size_t dup;

		if (bad) {
			fail_add(&fk, from, ok, &c.key, bad, ok);
			continue;
		}
		if ((bad = val_conv(&c, ov, nv + i * nvs, sum)))
			fail_add(&fv, from, ok, &c.val, bad, from->percpu && !to->percpu ? sum : ov);
		if (to->is_array) {
			__u32 idx;

			memcpy(&idx, nk + i * nks, 4);
			if (idx >= to->info.max_entries && fc.n++ < MAX_LISTED) {
				sb_adds(&fc.sb, "  ");
				mapref_key_text(from, ok, &fc.sb);
				sb_addf(&fc.sb, ": index %u is beyond the array's %u elements\n",
					  idx, to->info.max_entries);
			}
		}
		if ((dup = kindex_put(&x, i)) && fc.n++ < MAX_LISTED) {
			sb_adds(&fc.sb, "  ");
			mapref_key_text(from, s1.keys + (dup - 1) * s1.ks, &fc.sb);
			sb_adds(&fc.sb, " and ");
			mapref_key_text(from, ok, &fc.sb);
			sb_adds(&fc.sb, " both become ");
			mapref_key_text(to, nk + i * nks, &fc.sb);
			sb_addc(&fc.sb, '\n');
		}
	}
	/* what TO holds already */
	if (!to->is_array) {
		long long cnt = mapref_count(to);

		in_to = cnt > 0 ? (unsigned long long)cnt : 0;
		for (size_t i = 0; in_to && i < s1.n; i++)
			had[i] = !bpf_map_lookup_elem(to->fd, nk + i * nks, old);
		for (size_t i = 0; i < s1.n; i++)
			adds += !had[i];
	}
	if (fk.n || fv.n || fc.n) {
		struct fail *fs[3] = { &fk, &fv, &fc };
		const char *why[3] = { "keys that do not fit the new key type",
				       "values that do not fit the new value type",
				       to->is_array ? "keys beyond the new array" :
				       "old keys that become one new key" };

		for (int i = 0; i < 3; i++) {
			if (!fs[i]->n)
				continue;
			err_fail("%s migrate: refused: %s entries with %s%s:", to->name,
				 mapw_count_text(fs[i]->n, b1, sizeof(b1)), why[i],
				 o->dry_run ? "" : "; nothing written");
			fputs(sb_str(&fs[i]->sb), stderr);
			if (fs[i]->n > MAX_LISTED)
				fprintf(stderr, "  ... and %zu more\n", fs[i]->n - MAX_LISTED);
		}
		goto out;
	}
	fit = room(to);
	if (!to->is_array && in_to + adds > fit) {
		err_fail("%s migrate: refused: does not fit: %s would hold %llu entries (%llu now, %llu to add) and %s %u%s; nothing written",
			 to->name, to->name, in_to + adds, in_to, adds,
			 is_lru(to->info.type) ? "an LRU map evicts beyond about" : "its max_entries is",
			 is_lru(to->info.type) ? (unsigned)fit : to->info.max_entries,
			 is_lru(to->info.type) ? " entries" : "");
		goto out;
	}
	if (o->dry_run) {
		say(o, "would copy %s entries of %s into %s (%s, max_entries %u); nothing written",
		    mapw_count_text(s1.n, b1, sizeof(b1)), from->name, to->name,
		    map_type_str(to->info.type), to->info.max_entries);
		rc = 0;
		goto out;
	}

	{
		struct mapw_session ws = { .audit_log = o->audit_log, .verb = "migrate",
					   .no_wait = o->no_wait };
		size_t done = 0, changed = 0;
		bool arr = to->is_array;

		if (mapw_begin(&ws, to))
			goto end;
		if (mapw_journal_begin(to, s1.n))
			goto end;
		for (size_t i = 0; i < s1.n; i++) {
			const char *k = nk + i * nks, *prev = NULL;

			if (arr || had[i]) {
				if (bpf_map_lookup_elem(to->fd, k, old)) {
					if (arr) {
						err_fail("%s migrate: reading element: %s", to->name, strerror(errno));
						goto end;
					}
				} else {
					prev = old;
				}
			}
			if (mapw_journal_add(to, k, prev, nv + i * nvs))
				goto end;
		}
		if (write_journal(to, &done))
			goto end;
		say(o, "copied %s entries of %s into %s", mapw_count_text(s1.n, b1, sizeof(b1)),
		    from->name, to->name);
		if (between) {
			if (between(arg)) {
				say(o, "stopped after the first sweep: %s holds what it copied", to->name);
				goto end;
			}
			if (sweep2(&c, &s1, nk, nv, &x, &changed))
				goto end;
			say(o, "second sweep: %s entries changed since the first carried over",
			    mapw_count_text(changed, b2, sizeof(b2)));
		}
		rc = 0;
end:
		mapw_end();
	}
out:
	side_free(&c.key);
	side_free(&c.val);
	ents_free(&s1);
	free(x.slot);
	free(nk);
	free(nv);
	free(sum);
	free(had);
	free(old);
	sb_free(&fk.sb);
	sb_free(&fv.sb);
	sb_free(&fc.sb);
	return rc;
}
