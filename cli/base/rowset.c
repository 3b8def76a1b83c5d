// SPDX-License-Identifier: GPL-2.0
/* Records in an arena, ordered through an index: see rowset.h. */
#include <stdlib.h>
#include "base/rowset.h"

char *rowset_add(struct rowset *s)
{
	char *p;

	if (!s->first)
		s->first = 64;
	if (s->len + (1 + s->spare) * s->rec > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : s->rec * s->first;
		char *a = realloc(s->arena, cap);

		if (!a)
			return NULL;
		s->arena = a;
		s->cap = cap;
	}
	if (s->n == s->idx_cap) {
		size_t cap = s->idx_cap ? s->idx_cap * 2 : s->first;
		uint32_t *x = realloc(s->idx, cap * sizeof(*x));

		if (!x)
			return NULL;
		s->idx = x;
		s->idx_cap = cap;
	}
	p = s->arena + s->len;
	s->idx[s->n] = (uint32_t)s->n;
	s->n++;
	s->len += s->rec;
	return p;
}

static int slot_cmp(const struct rowset *s, uint32_t a, uint32_t b,
		    rowset_cmp_fn cmp, void *arg)
{
	return cmp(s->arena + (size_t)a * s->rec, s->arena + (size_t)b * s->rec,
		   arg);
}

void rowset_sift_down(struct rowset *s, size_t i, rowset_cmp_fn cmp, void *arg)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, top = i;
		uint32_t t;

		if (l < s->n && slot_cmp(s, s->idx[l], s->idx[top], cmp, arg) > 0)
			top = l;
		if (r < s->n && slot_cmp(s, s->idx[r], s->idx[top], cmp, arg) > 0)
			top = r;
		if (top == i)
			return;
		t = s->idx[i];
		s->idx[i] = s->idx[top];
		s->idx[top] = t;
		i = top;
	}
}

void rowset_sift_up(struct rowset *s, size_t i, rowset_cmp_fn cmp, void *arg)
{
	while (i) {
		size_t p = (i - 1) / 2;
		uint32_t t;

		if (slot_cmp(s, s->idx[i], s->idx[p], cmp, arg) <= 0)
			return;
		t = s->idx[i];
		s->idx[i] = s->idx[p];
		s->idx[p] = t;
		i = p;
	}
}

void rowset_free(struct rowset *s)
{
	free(s->arena);
	free(s->idx);
	s->arena = NULL;
	s->idx = NULL;
}
