// SPDX-License-Identifier: GPL-2.0
/* Histograms drawn: see hist.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "output/hist.h"

static bool utf8_locale(void)
{
	const char *v = getenv("LC_ALL");

	if (!v || !*v)
		v = getenv("LC_CTYPE");
	if (!v || !*v)
		v = getenv("LANG");
	return v && (strcasestr(v, "utf-8") || strcasestr(v, "utf8"));
}

void hist_style_init(struct hist_style *st, const struct out *o, bool bars)
{
	const char *nc = getenv("NO_COLOR"), *c = getenv("COLUMNS");
	struct winsize ws;

	st->bars = bars || o->mode == OUT_TABLE;
	st->utf8 = utf8_locale() && !(nc && *nc);
	st->cols = 80;
	if (isatty(o->fd) && !ioctl(o->fd, TIOCGWINSZ, &ws) && ws.ws_col)
		st->cols = ws.ws_col;
	else if (c && atoi(c) > 0)
		st->cols = (unsigned)atoi(c);
}

/* v with a K/M/G/T/P/E suffix when it is a multiple of a power of 1024
 * (bpftrace's labels), else plain. */
static void add_num(struct strbuf *sb, int64_t v, bool is_unsigned)
{
	static const char sfx[] = "KMGTPE";
	uint64_t u = is_unsigned ? (uint64_t)v : (uint64_t)(v < 0 ? -v : v);
	int k = 0;

	if (!is_unsigned && v < 0) {
		sb_addf(sb, "%lld", (long long)v);
		return;
	}
	while (u >= 1024 && !(u % 1024) && k < 6) {
		u /= 1024;
		k++;
	}
	if (k)
		sb_addf(sb, "%llu%c", (unsigned long long)u, sfx[k - 1]);
	else
		sb_addf(sb, "%llu", (unsigned long long)u);
}

/* "[lo]" or "[lo, hi+1)" (hi the largest value: "[lo, ...)"). */
static void range_label(struct strbuf *sb, const struct tv_hist *h, uint32_t i)
{
	int64_t lo, hi;
	bool u = !h->linear;

	tv_hist_bounds(h, i, &lo, &hi);
	sb_addc(sb, '[');
	add_num(sb, lo, u);
	if (lo != hi) {
		sb_adds(sb, ", ");
		if ((u && (uint64_t)hi == UINT64_MAX) || (!u && hi == INT64_MAX))
			sb_adds(sb, "...");
		else
			add_num(sb, u ? (int64_t)((uint64_t)hi + 1) : hi + 1, u);
		sb_addc(sb, ')');
	} else {
		sb_addc(sb, ']');
	}
}

/* A percentile: whole numbers as such, else 1 decimal. */
static void add_pct(struct strbuf *sb, double v)
{
	if (v == (double)(long long)v && v < 9e15 && v > -9e15)
		sb_addf(sb, "%lld", (long long)v);
	else
		sb_addf(sb, "%.1f", v);
}

static void summary(struct strbuf *sb, const struct tv_hist *h)
{
	static const double ps[] = { 50, 90, 99 };
	double v;

	sb_addf(sb, "count %llu", (unsigned long long)tv_hist_total(h));
	if (h->has_sum) {
		sb_adds(sb, ", sum ");
		add_pct(sb, h->sum);
	}
	for (int i = 0; i < 3; i++) {
		if (!tv_hist_percentile(h, ps[i], &v))
			break;
		sb_addf(sb, ", p%g ", ps[i]);
		add_pct(sb, v);
	}
}

static void bar(struct strbuf *sb, const struct hist_style *st, uint64_t c,
		uint64_t max, unsigned width)
{
	static const char *const part[] = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉" };
	unsigned used;

	sb_addc(sb, '|');
	if (st->utf8) {
		unsigned long long e = max ? (c * 8ull * width + max / 2) / max : 0;

		if (c && !e)
			e = 1;	/* never an empty bar for a bucket that has some */
		for (used = 0; used < e / 8; used++)
			sb_adds(sb, "█");
		if (e % 8) {
			sb_adds(sb, part[e % 8]);
			used++;
		}
	} else {
		unsigned long long n = max ? (c * width + max / 2) / max : 0;

		if (c && !n)
			n = 1;
		for (used = 0; used < n; used++)
			sb_addc(sb, '#');
	}
	for (; used < width; used++)
		sb_addc(sb, ' ');
	sb_addc(sb, '|');
}

void hist_text(struct out *o, const struct hist_style *st, const char *name,
	       const struct tv_hist *h)
{
	struct strbuf sb = STRBUF_INIT, lab = STRBUF_INIT;
	uint32_t first = h->n, last = 0;
	uint64_t max = 0;
	size_t lw = 0, cw = 1;

	for (uint32_t i = 0; i < h->n; i++) {
		if (!h->counts[i])
			continue;
		if (first == h->n)
			first = i;
		last = i;
		if (h->counts[i] > max)
			max = h->counts[i];
	}
	sb_addf(&sb, "%s: ", name);
	summary(&sb, h);
	out_line(o, "%s", sb_str(&sb));
	for (uint64_t m = max; m >= 10; m /= 10)
		cw++;
	for (uint32_t i = first; i <= last && first < h->n; i++) {
		sb_reset(&lab);
		range_label(&lab, h, i);
		if (lab.len > lw)
			lw = lab.len;
	}
	for (uint32_t i = first; i <= last && first < h->n; i++) {
		int64_t lo, hi;

		sb_reset(&sb);
		sb_reset(&lab);
		if (!st->bars) {
			tv_hist_bounds(h, i, &lo, &hi);
			if (h->linear)
				sb_addf(&sb, "%s\t%lld\t%lld\t%llu", name, (long long)lo,
					(long long)hi, (unsigned long long)h->counts[i]);
			else
				sb_addf(&sb, "%s\t%llu\t%llu\t%llu", name,
					(unsigned long long)lo, (unsigned long long)hi,
					(unsigned long long)h->counts[i]);
		} else {
			unsigned width;
			size_t used = lw + 1 + cw + 1 + 2;

			width = st->cols > used + 10 ? st->cols - (unsigned)used : 10;
			range_label(&lab, h, i);
			sb_addf(&sb, "%-*s %*llu ", (int)lw, sb_str(&lab), (int)cw,
				(unsigned long long)h->counts[i]);
			bar(&sb, st, h->counts[i], max, width);
		}
		out_line(o, "%s", sb_str(&sb));
	}
	sb_free(&sb);
	sb_free(&lab);
}

/* A percentile or sum in JSON: whole numbers exact, else 1 decimal. */
static void json_num(struct jw *jw, double v)
{
	char tmp[48];

	if (v == (double)(long long)v && v < 9e15 && v > -9e15) {
		jw_i64(jw, (long long)v);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.1f", v);
	jw_raw(jw, tmp);
}

void hist_json(struct jw *jw, const struct tv_hist *h)
{
	static const struct { const char *name; double p; } ps[] = {
		{ "p50", 50 }, { "p90", 90 }, { "p99", 99 },
	};
	double v;

	jw_start_object(jw);
	jw_kv_u64(jw, "count", tv_hist_total(h));
	if (h->has_sum) {
		jw_name(jw, "sum");
		json_num(jw, h->sum);
	}
	for (int i = 0; i < 3; i++) {
		jw_name(jw, ps[i].name);
		if (tv_hist_percentile(h, ps[i].p, &v))
			json_num(jw, v);
		else
			jw_null(jw);
	}
	jw_name(jw, "buckets");
	jw_start_array(jw);
	for (uint32_t i = 0; i < h->n; i++) {
		int64_t lo, hi;

		tv_hist_bounds(h, i, &lo, &hi);
		jw_start_object(jw);
		if (h->linear) {
			jw_kv_i64(jw, "min", lo);
			jw_kv_i64(jw, "max", hi);
		} else {
			jw_kv_u64(jw, "min", (uint64_t)lo);
			jw_kv_u64(jw, "max", (uint64_t)hi);
		}
		jw_kv_u64(jw, "count", h->counts[i]);
		jw_end_object(jw);
	}
	jw_end_array(jw);
	jw_end_object(jw);
}

/* Buckets from the first to the last not empty in either of a and b. */
static void span2(const struct tv_hist *a, const struct tv_hist *b,
		  uint32_t *first, uint32_t *last, uint64_t *maxa, uint64_t *maxb)
{
	*first = UINT32_MAX;
	*last = 0;
	*maxa = *maxb = 0;
	for (uint32_t i = 0; i < a->n; i++) {
		uint64_t cb = i < b->n ? b->counts[i] : 0;

		if (!a->counts[i] && !cb)
			continue;
		if (*first == UINT32_MAX)
			*first = i;
		*last = i;
		if (a->counts[i] > *maxa)
			*maxa = a->counts[i];
		if (cb > *maxb)
			*maxb = cb;
	}
}

static unsigned digits(uint64_t v)
{
	unsigned n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

void hist_pair_lines(struct strbuf *sb, const struct hist_style *st,
		     const char *name, const struct tv_hist *total,
		     const struct tv_hist *delta, const char *dlabel)
{
	struct strbuf lab = STRBUF_INIT;
	uint32_t first, last;
	uint64_t ma, mb;
	size_t lw = 0;
	unsigned ca, cb, width;

	span2(total, delta, &first, &last, &ma, &mb);
	sb_addf(sb, "%s: total ", name);
	summary(sb, total);
	sb_addc(sb, '\n');
	sb_addf(sb, "%s: %s ", name, dlabel);
	summary(sb, delta);
	sb_addc(sb, '\n');
	if (first == UINT32_MAX) {
		sb_free(&lab);
		return;
	}
	ca = digits(ma);
	cb = digits(mb) + 1;
	for (uint32_t i = first; i <= last; i++) {
		sb_reset(&lab);
		range_label(&lab, total, i);
		if (lab.len > lw)
			lw = lab.len;
	}
	/* RANGE TOTAL |bar| +DELTA |bar| */
	{
		size_t used = lw + 1 + ca + 1 + 2 + 1 + cb + 1 + 2;

		width = st->cols > used + 20 ? (unsigned)((st->cols - used) / 2) : 10;
	}
	for (uint32_t i = first; i <= last; i++) {
		uint64_t d = i < delta->n ? delta->counts[i] : 0;
		int64_t lo, hi;

		if (!st->bars) {
			tv_hist_bounds(total, i, &lo, &hi);
			if (total->linear)
				sb_addf(sb, "%s\t%lld\t%lld", name, (long long)lo, (long long)hi);
			else
				sb_addf(sb, "%s\t%llu\t%llu", name, (unsigned long long)lo,
					(unsigned long long)hi);
			sb_addf(sb, "\t%llu\t%llu\n", (unsigned long long)total->counts[i],
				(unsigned long long)d);
			continue;
		}
		sb_reset(&lab);
		range_label(&lab, total, i);
		sb_addf(sb, "%-*s %*llu ", (int)lw, sb_str(&lab), (int)ca,
			(unsigned long long)total->counts[i]);
		bar(sb, st, total->counts[i], ma, width);
		sb_reset(&lab);
		sb_addf(&lab, "+%llu", (unsigned long long)d);
		sb_addf(sb, " %*s ", (int)cb, sb_str(&lab));
		bar(sb, st, d, mb, width);
		sb_addc(sb, '\n');
	}
	sb_free(&lab);
}

void hist_spark(struct strbuf *sb, const double *v, unsigned n, bool utf8)
{
	static const char *const blk[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char asc[] = " .:-=+*#";
	double max = 0;

	for (unsigned i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (unsigned i = 0; i < n; i++) {
		int k = max > 0 && v[i] > 0 ? (int)(v[i] / max * 7.0 + 0.5) : 0;

		if (k > 7)
			k = 7;
		if (utf8)
			sb_adds(sb, blk[k]);
		else
			sb_addc(sb, asc[k]);
	}
}
