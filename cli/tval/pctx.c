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

int tv_write_scalar(struct tv_pctx *c, const struct tv_leaf *l,
			uint32_t i, const char *s, size_t n, enum tv_src src)
{
	if (any_given(c, l, i, 1))
		return dup_err(c, l, i, false, s, n);
	if (tv_parse_elem(l, c->buf, i, s, n, src, c->err))
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
	if (tv_parse_chars(l, c->buf, i, len, s, n, src, c->err))
		return -1;
	tv_mark(c, l, i, len);
	return 0;
}

void tv_skip_ws(const char *s, size_t n, size_t *pos)
{
	while (*pos < n && isspace((unsigned char)s[*pos]))
		(*pos)++;
}
