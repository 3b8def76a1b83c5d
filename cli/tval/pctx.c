// SPDX-License-Identifier: GPL-2.0
/* The parse context's small tools, shared by the text walker (parse.c)
 * and the path resolver (path.c): errors, what was given, scalar and
 * character writes into the scratch record. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tval/tval_int.h"

int tv_fail(struct tv_pctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(c->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* "what: " prefix for structural errors, what escaped and shortened. */
void tv_what(struct tv_pctx *c, const char *s, size_t n)
{
	tv_err_prefix(c->err, NULL, 0, false, NULL, s, n);
}

/* "tok: trailing characters 'rest'" */
int tv_trailing(struct tv_pctx *c, const char *tok, size_t n,
		    size_t pos)
{
	tv_what(c, tok, n);
	sb_adds(c->err, "trailing characters '");
	tv_add_shown(c->err, tok + pos, n - pos);
	sb_addc(c->err, '\'');
	return -1;
}

void tv_mark(struct tv_pctx *c, const struct tv_leaf *l, uint32_t first,
	     uint32_t count)
{
	memset(c->given + l->elem_base + first, 1, count);
}

static bool any_given(const struct tv_pctx *c, const struct tv_leaf *l,
		      uint32_t first, uint32_t count)
{
	return memchr(c->given + l->elem_base + first, 1, count) != NULL;
}

/* Elements under one index at `level` (the whole leaf for level 0). */
uint32_t tv_level_count(const struct tv_leaf *l, int level)
{
	uint32_t n = 1;

	for (int k = level; k < l->ndims; k++)
		n *= l->dims[k];
	return n;
}

static int dup_err(struct tv_pctx *c, const struct tv_leaf *l, uint32_t i,
		   bool chars, const char *s, size_t n)
{
	tv_err_prefix(c->err, l, i, chars, NULL, s, n);
	return tv_fail(c, "field '%s' given twice", *l->name ? l->name : "value");
}

/* The given field other than l whose bytes overlap [lo, hi). */
static const char *overlapping(const struct tv_pctx *c,
			       const struct tv_leaf *l, uint32_t lo,
			       uint32_t hi)
{
	for (uint32_t k = 0; k < c->p->nleaves; k++) {
		const struct tv_leaf *o = &c->p->leaves[k];

		if (o != l && o->offset < hi && o->offset + o->size > lo &&
		    memchr(c->given + o->elem_base, 1, o->nelems))
			return *o->name ? o->name : "value";
	}
	return "another member";
}

/* Members of one union share bits: on the command line giving two is
 * refused (the last would silently win); in JSON (a save file of an
 * older mapsh holds every member) they must agree. old holds the bytes
 * from bit fb/8 as they were before this write. */
static int union_check(struct tv_pctx *c, const struct tv_leaf *l,
		       uint32_t i, bool chars, uint32_t fb, uint32_t nb,
		       const uint8_t *old, const char *s, size_t n)
{
	bool over = false, clash = false;
	uint32_t lo = fb / 8, hi = (fb + nb + 7) / 8;

	for (uint32_t b = fb; b < fb + nb; b++) {
		uint8_t bit = (uint8_t)(1u << (b % 8));

		if (c->wbits[b / 8] & bit) {
			over = true;
			if ((old[b / 8 - lo] ^ c->buf[b / 8]) & bit)
				clash = true;
		}
	}
	if (clash || (over && !c->json)) {
		tv_err_prefix(c->err, l, i, chars, NULL, s, n);
		return tv_fail(c, "'%s' is given too and shares these bytes (members of one union): give one",
			       overlapping(c, l, lo, hi));
	}
	for (uint32_t b = fb; b < fb + nb; b++)
		c->wbits[b / 8] |= (uint8_t)(1u << (b % 8));
	return 0;
}

static int write_checked(struct tv_pctx *c, const struct tv_leaf *l,
			 uint32_t i, bool chars, uint32_t len, const char *s,
			 size_t n, enum tv_src src)
{
	uint32_t fb, nb, lo;
	uint8_t small[64], *old = small;
	int r;

	if (l->bit_size) {
		fb = l->offset * 8 + l->bit_offset;
		nb = l->bit_size;
	} else {
		fb = (l->offset + i * (chars ? 1 : l->elem_size)) * 8;
		nb = (chars ? len : l->elem_size) * 8;
	}
	lo = fb / 8;
	if ((fb + nb + 7) / 8 - lo > sizeof(small) &&
	    !(old = malloc((fb + nb + 7) / 8 - lo)))
		abort();
	memcpy(old, c->buf + lo, (fb + nb + 7) / 8 - lo);
	r = chars ? tv_parse_chars(l, c->buf, i, len, s, n, src, c->err)
		  : tv_parse_elem(l, c->buf, i, s, n, src, c->err);
	if (!r)
		r = union_check(c, l, i, chars, fb, nb, old, s, n);
	if (old != small)
		free(old);
	return r;
}

int tv_write_scalar(struct tv_pctx *c, const struct tv_leaf *l,
			uint32_t i, const char *s, size_t n, enum tv_src src)
{
	if (any_given(c, l, i, 1))
		return dup_err(c, l, i, false, s, n);
	if (c->wbits ? write_checked(c, l, i, false, 1, s, n, src)
		     : tv_parse_elem(l, c->buf, i, s, n, src, c->err))
		return -1;
	tv_mark(c, l, i, 1);
	return 0;
}

int tv_write_chars(struct tv_pctx *c, const struct tv_leaf *l,
		       uint32_t i, const char *s, size_t n, enum tv_src src)
{
	uint32_t len = l->dims[l->ndims - 1];

	if (any_given(c, l, i, len))
		return dup_err(c, l, i, true, s, n);
	if (c->wbits ? write_checked(c, l, i, true, len, s, n, src)
		     : tv_parse_chars(l, c->buf, i, len, s, n, src, c->err))
		return -1;
	tv_mark(c, l, i, len);
	return 0;
}

void tv_skip_ws(const char *s, size_t n, size_t *pos)
{
	while (*pos < n && isspace((unsigned char)s[*pos]))
		(*pos)++;
}
