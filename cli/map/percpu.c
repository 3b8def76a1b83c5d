// SPDX-License-Identifier: GPL-2.0
/* Per-CPU lookups of one map: the value they fold to, and whether their
 * CPUs differ where a fold means nothing (tv_leaf_fold): mapref.h. */
#include <string.h>
#include "map/mapref.h"

void mapref_sum_cpus(const struct mapref *m, const void *raw, void *sum)
{
	memcpy(sum, raw, m->info.value_size);
	for (int c = 1; c < m->ncpus; c++)
		tv_plan_accumulate(m->value, sum,
				   (const char *)raw + (size_t)c * m->stride);
}

bool mapref_cpus_differ(const struct mapref *m, const struct tv_leaf *l,
			const void *raw)
{
	const char *r = raw;

	if (!m->percpu || m->ncpus < 2)
		return false;
	for (int c = 1; c < m->ncpus; c++) {
		const char *o = r + (size_t)c * m->stride;

		if (!l) {
			if (memcmp(r, o, m->info.value_size))
				return true;
			continue;
		}
		if (!l->bit_size) {
			if (memcmp(r + l->offset, o + l->offset, l->size))
				return true;
			continue;
		}
		if (tv_leaf_get_u64(l, r) != tv_leaf_get_u64(l, o))
			return true;	/* a bitfield: its bits only */
	}
	return false;
}

bool mapref_one_value(const struct mapref *m, const void *raw)
{
	const struct tv_plan *p = m->value;

	if (!m->percpu || !p || m->ncpus < 2)
		return true;
	for (uint32_t i = 0; i < tv_plan_nleaves(p); i++) {
		const struct tv_leaf *l = tv_plan_leaf(p, i);

		if (!l->is_padding && !l->in_union_alt &&
		    tv_leaf_fold(p, l) == TV_FOLD_NONE &&
		    mapref_cpus_differ(m, l, raw))
			return false;
	}
	return true;
}

/* Value leaf l of rec src into rec dst (a bitfield: its bits only). */
static void leaf_copy(const struct tv_leaf *l, void *dst, const void *src)
{
	if (l->bit_size)
		tv_leaf_set_u64(l, dst, tv_leaf_get_u64(l, src));
	else
		memcpy((char *)dst + l->offset, (const char *)src + l->offset,
		       l->size);
}

static bool not_folded(const struct tv_plan *p, const struct tv_leaf *l)
{
	return !l->is_padding && !l->in_union_alt &&
	       tv_leaf_fold(p, l) == TV_FOLD_NONE;
}

void mapref_cpu_view(const struct mapref *m, const void *raw,
		     const void *sum, int cpu, void *out)
{
	const struct tv_plan *p = m->value;
	const char *r = (const char *)raw + (size_t)cpu * m->stride;

	memcpy(out, sum, m->info.value_size);
	for (uint32_t i = 0; i < tv_plan_nleaves(p); i++) {
		const struct tv_leaf *l = tv_plan_leaf(p, i);

		if (not_folded(p, l))
			leaf_copy(l, out, r);
	}
}

void mapref_max_cpus(const struct mapref *m, const void *raw, void *sum)
{
	const struct tv_plan *p = m->value;

	for (uint32_t i = 0; i < tv_plan_nleaves(p); i++) {
		const struct tv_leaf *l = tv_plan_leaf(p, i);

		if (!not_folded(p, l))
			continue;
		for (int c = 0; c < m->ncpus; c++) {
			const char *r = (const char *)raw + (size_t)c * m->stride;

			if (tv_leaf_cmp(l, r, sum) > 0)
				leaf_copy(l, sum, r);
		}
	}
}
