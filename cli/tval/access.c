// SPDX-License-Identifier: GPL-2.0
/* tval_access: a compiled plan's lifetime and read-only accessors, and the
 * arena its names and tables live in (freed with the plan in one go). */
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

/* ----------------------------------------------------------------- plan */

struct tv_plan *tv_plan_for_map(const struct btf *btf, __u32 type_id,
				uint32_t size, unsigned flags)
{
	struct tv_plan *p = NULL;

	if (btf && type_id)
		p = tv_plan_new(btf, type_id, flags, NULL);
	if (p && p->size == size)
		return p;
	tv_plan_free(p);
	return tv_plan_raw(size);
}

void tv_plan_free(struct tv_plan *p)
{
	if (!p)
		return;
	free(p->nodes);
	free(p->leaves);
	tv_arena_free(p->arena);
	free(p);
}

uint32_t tv_plan_size(const struct tv_plan *p) { return p->size; }
bool tv_plan_is_raw(const struct tv_plan *p) { return p->raw; }
const char *tv_plan_type_name(const struct tv_plan *p) { return p->type_name; }
unsigned tv_plan_flags(const struct tv_plan *p) { return p->flags; }
uint32_t tv_plan_nleaves(const struct tv_plan *p) { return p->nleaves; }

bool tv_plan_is_scalar(const struct tv_plan *p)
{
	return p->nnodes > 0 && p->nodes[0].type == TV_N_LEAF;
}

void tv_plan_set_flags(struct tv_plan *p, unsigned flags)
{
	p->flags = flags;
}

void tv_plan_set_clock(struct tv_plan *p, uint64_t now_mono, uint64_t now_real)
{
	p->now_mono = now_mono;
	p->now_real = now_real;
}

const struct tv_leaf *tv_plan_leaf(const struct tv_plan *p, uint32_t i)
{
	return i < p->nleaves ? &p->leaves[i] : NULL;
}

void tv_plan_data_mask(const struct tv_plan *p, void *mask)
{
	uint8_t *m = mask;

	memset(m, 0, p->size);
	for (uint32_t i = 0; i < p->nleaves; i++) {
		const struct tv_leaf *l = &p->leaves[i];

		if (l->is_padding)
			continue;
		if (!l->bit_size) {
			memset(m + l->offset, 0xff, l->size);
			continue;
		}
		for (uint32_t k = 0; k < l->bit_size; k++) {
			uint32_t bit = l->bit_offset + k;

			m[l->offset + bit / 8] |= (uint8_t)(1u << (bit % 8));
		}
	}
}
