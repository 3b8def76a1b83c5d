// SPDX-License-Identifier: GPL-2.0
/* Histograms: the buckets of a histogram leaf, their bounds and the
 * percentiles they estimate. Drawing is the output layer's (output/hist.c). */
#include <string.h>
#include "tval/tval.h"

bool tv_leaf_is_hist(const struct tv_leaf *l)
{
	return l && (l->fmt == TV_FMT_LOG2HIST || l->fmt == TV_FMT_LINHIST);
}

/* slots, buckets, or a name holding "hist" (lat_hist, hist): the last
 * part of a dotted path. */
bool tv_hist_name(const char *name)
{
	const char *b = name ? strrchr(name, '.') : NULL;

	if (!name)
		return false;
	b = b ? b + 1 : name;
	return !strcmp(b, "slots") || !strcmp(b, "buckets") || strstr(b, "hist");
}

void tv_hist_from_leaf(struct tv_hist *h, const struct tv_leaf *l,
		       const void *rec)
{
	memset(h, 0, sizeof(*h));
	h->linear = l->fmt == TV_FMT_LINHIST;
	h->floor = l->hist_floor;
	h->min = l->hist_min;
	h->step = l->hist_step ? l->hist_step : 1;
	h->n = l->nelems < TV_HIST_MAX ? l->nelems : TV_HIST_MAX;
	for (uint32_t i = 0; i < h->n; i++) {
		uint64_t v = 0;

		memcpy(&v, (const char *)rec + l->offset + (size_t)i * l->elem_size,
		       l->elem_size);
		h->counts[i] = v;
	}
}

void tv_hist_bounds(const struct tv_hist *h, uint32_t i, int64_t *lo,
		    int64_t *hi)
{
	if (h->linear) {
		*lo = h->min + (int64_t)(i * h->step);
		*hi = *lo + (int64_t)h->step - 1;
		return;
	}
	if (h->floor) {		/* libbpf-tools: 0-1, 2-3, 4-7, ... */
		*lo = i ? (int64_t)(1ull << i) : 0;
		*hi = (int64_t)(i >= 63 ? UINT64_MAX : (1ull << (i + 1)) - 1);
		return;
	}
	if (!i) {
		*lo = *hi = 0;
		return;
	}
	*lo = (int64_t)(1ull << (i - 1));
	*hi = (int64_t)(i >= 64 ? UINT64_MAX : (1ull << i) - 1);
}

uint64_t tv_hist_total(const struct tv_hist *h)
{
	uint64_t t = 0;

	for (uint32_t i = 0; i < h->n; i++)
		t += h->counts[i];
	return t;
}

bool tv_hist_percentile(const struct tv_hist *h, double p, double *out)
{
	uint64_t total = tv_hist_total(h), cum = 0;
	double want;

	if (!total)
		return false;
	want = p / 100.0 * (double)total;
	for (uint32_t i = 0; i < h->n; i++) {
		int64_t lo, hi;
		double f, a, b;

		if (!h->counts[i] || (double)(cum + h->counts[i]) < want) {
			cum += h->counts[i];
			continue;
		}
		tv_hist_bounds(h, i, &lo, &hi);
		f = (want - (double)cum) / (double)h->counts[i];
		if (f < 0)
			f = 0;
		a = h->linear ? (double)lo : (double)(uint64_t)lo;
		b = h->linear ? (double)hi : (double)(uint64_t)hi;
		*out = a + (b - a) * f;
		return true;
	}
	return false;
}

/* The sum a histogram's struct keeps beside it: a numeric scalar named
 * sum, total or *_sum with the same parent path; NULL when none. */
const struct tv_leaf *tv_hist_sum_leaf(const struct tv_plan *p,
				       const struct tv_leaf *h)
{
	const char *dot = strrchr(h->name, '.');
	size_t plen = dot ? (size_t)(dot - h->name + 1) : 0;

	for (uint32_t i = 0; i < tv_plan_nleaves(p); i++) {
		const struct tv_leaf *l = tv_plan_leaf(p, i);
		const char *b = l->name + plen;
		size_t n;

		if (strncmp(l->name, h->name, plen) || strchr(b, '.') ||
		    l->nelems != 1 || l->is_padding || !tv_leaf_is_numeric(l))
			continue;
		n = strlen(b);
		if (!strcmp(b, "sum") || !strcmp(b, "total") ||
		    (n > 4 && !strcmp(b + n - 4, "_sum")))
			return l;
	}
	return NULL;
}
