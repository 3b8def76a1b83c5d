// SPDX-License-Identifier: GPL-2.0
/* Which leaves are counters: watch shows their rates and deltas, and the
 * shell completes their rate names (packets/s). */
#include <string.h>
#include "tval/tval.h"

/* packets, bytes, count, hits, drops (alone or as a _suffix), *_total. */
static bool counter_name(const char *name)
{
	static const char *const words[] = { "packets", "bytes", "count", "hits", "drops", NULL };
	const char *b = strrchr(name, '.');
	size_t n;

	b = b ? b + 1 : name;
	n = strlen(b);
	if (n > 6 && !strcmp(b + n - 6, "_total"))
		return true;
	for (int i = 0; words[i]; i++) {
		size_t l = strlen(words[i]);

		if (n >= l && !strcmp(b + n - l, words[i]) &&
		    (n == l || b[n - l - 1] == '_'))
			return true;
	}
	return false;
}

bool tv_leaf_is_counter(const struct tv_plan *plan, const struct tv_leaf *l,
			bool guess)
{
	if (l->is_padding || l->nelems != 1 || l->ndims)
		return false;
	if (l->fmt == TV_FMT_COUNTER)
		return l->kind == TV_KIND_UINT || l->kind == TV_KIND_SINT;
	/* The fallback for maps without mapsh tags. */
	if (!guess || tv_plan_is_raw(plan))
		return false;
	return l->fmt == TV_FMT_NONE && l->kind == TV_KIND_UINT &&
	       l->size == 8 && !l->bit_size && counter_name(l->name);
}

/* An untagged integer whose name (alone or as a _suffix) says it is not a
 * quantity: flag bits, a mask, a state, a type or an identity. Summed over CPUs they mean nothing. */
static bool not_quantity_name(const char *name)
{
	static const char *const words[] = {
		"flag", "flags", "mask", "bits", "bitmap", "state", "mode",
		"type", "id", "pid", "tid", "cpu", NULL
	};
	const char *b = strrchr(name, '.');
	size_t n;

	b = b ? b + 1 : name;
	n = strlen(b);
	for (int i = 0; words[i]; i++) {
		size_t l = strlen(words[i]);

		if (n >= l && !strcmp(b + n - l, words[i]) &&
		    (n == l || b[n - l - 1] == '_'))
			return true;
	}
	return false;
}

enum tv_fold tv_leaf_fold(const struct tv_plan *plan, const struct tv_leaf *l)
{
	if (l->is_padding || l->in_union_alt || tv_plan_is_raw(plan))
		return TV_FOLD_NONE;
	if (l->kind != TV_KIND_UINT && l->kind != TV_KIND_SINT)
		return TV_FOLD_NONE;	/* enums, bools, strings, floats, bytes */
	if (l->fmt != TV_FMT_NONE)
		return tv_fmt_info(l->fmt)->fold;	/* counter, ktime, tcpflags */
	if (l->bit_size || not_quantity_name(l->name))
		return TV_FOLD_NONE;
	return TV_FOLD_SUM;
}
