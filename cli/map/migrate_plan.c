// SPDX-License-Identifier: GPL-2.0
/* The field mapping of a migration (migrate_int.h): per field of the new
 * key or value type, the old field it comes from (by name, or renamed) and
 * how (a byte copy, an integer or float conversion, a byte blob), compiled
 * once; then run on one record. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/err.h"
#include "map/migrate_int.h"

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

void mig_say(const struct migrate_opts *o, const char *fmt, ...)
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
const struct tv_leaf *mig_set_leaf(const struct side *s, const char *spec,
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
		*how = op->narrow ? "narrowed, every value checked" :
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
		*how = op->narrow ? "narrowed, every value checked" : "widened";
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
	*how = op->narrow ? "narrowed, every value checked" : "widened";
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

int mig_side_compile(const struct mapref *to, struct side *s,
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
			if (mig_set_leaf(s, o->sets[k], &text, name, sizeof(name)) == nl) {
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
					mig_say(o, "%s %s: new, set to %s", s->what, nl->name, text);
				}
			} else if (report && !nl->is_padding) {
				mig_say(o, "%s %s: new, zero", s->what, nl->name);
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
				mig_say(o, "%s %s: from %s, %s (%s to %s)", s->what, nl->name,
				    ol->name, how, ol->type_name, nl->type_name);
			else if (!strcmp(how, "copied"))
				mig_say(o, "%s %s: copied (%s)", s->what, nl->name, nl->type_name);
			else
				mig_say(o, "%s %s: %s (%s to %s)", s->what, nl->name, how,
				    ol->type_name, nl->type_name);
		}
	}
	for (uint32_t i = 0; i < on && !rc && report; i++) {
		const struct tv_leaf *ol = tv_plan_leaf(s->op, i);

		if (!s->used[i] && !ol->is_padding)
			mig_say(o, "%s %s: dropped (only in the old type)", s->what, ol->name);
	}
	sb_free(&err);
	merge_copies(s);
	return rc;
}

void mig_side_free(struct side *s)
{
	free(s->ops);
	free(s->base);
	free(s->used);
}

/* One record of the old type into the new (n, nsz bytes): the index + 1
 * of the op whose value does not fit, 0 when everything fits. */
uint32_t mig_side_conv(const struct side *s, const char *o, char *n)
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

void mig_fail_add(struct fail *f, const struct mapref *from, const void *okey,
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

void mig_carry(const struct side *s, char *cur, const char *first, const char *now)
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

