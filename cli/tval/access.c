// SPDX-License-Identifier: GPL-2.0
/* A compiled plan's read-only accessors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tval/tval_int.h"

uint32_t tv_plan_size(const struct tv_plan *p) { return p->size; }
bool tv_plan_is_raw(const struct tv_plan *p) { return p->raw; }
const char *tv_plan_type_name(const struct tv_plan *p) { return p->type_name; }
unsigned tv_plan_flags(const struct tv_plan *p) { return p->flags; }
uint32_t tv_plan_nleaves(const struct tv_plan *p) { return p->nleaves; }
const char *tv_plan_notes(const struct tv_plan *p) { return p->notes; }

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
