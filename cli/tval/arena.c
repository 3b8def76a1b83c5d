// SPDX-License-Identifier: GPL-2.0
/* The arena a plan's names and tables live in, freed with the plan in one
 * go. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tval/tval_int.h"

struct tv_arena {
	struct tv_arena *next;
	size_t used, cap;
	_Alignas(16) char data[];
};

void *tv_arena_alloc(struct tv_arena **a, size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (!*a || (*a)->cap - (*a)->used < n) {
		size_t cap = n > 16384 ? n : 16384;
		struct tv_arena *c = malloc(sizeof(*c) + cap);

		if (!c) {
			fprintf(stderr, "mapsh: out of memory\n");
			abort();
		}
		c->next = *a;
		c->used = 0;
		c->cap = cap;
		*a = c;
	}
	p = (*a)->data + (*a)->used;
	(*a)->used += n;
	memset(p, 0, n);
	return p;
}

char *tv_arena_strdup(struct tv_arena **a, const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(tv_arena_alloc(a, n), s, n);
}

void tv_arena_free(struct tv_arena *a)
{
	while (a) {
		struct tv_arena *next = a->next;

		free(a);
		a = next;
	}
}
