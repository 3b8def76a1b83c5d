// SPDX-License-Identifier: GPL-2.0
/* How watch shows rates, cells, the map's use and times (both views). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/err.h"
#include "verbs/watch/watch.h"

/* A rate as text: "12.5" (at most 3 decimals), human: "1.2k" / "3.4M". */
void watch_rate_text(struct strbuf *sb, double r, bool human)
{
	char tmp[64];
	double a = fabs(r);
	size_t n;

	if (isnan(r)) {
		sb_adds(sb, "-");
		return;
	}
	if (human && a >= 999.95) {
		const char *unit = "k";
		double s = 1e3;

		if (a >= 999.95e6) {
			unit = "G";
			s = 1e9;
		} else if (a >= 999.95e3) {
			unit = "M";
			s = 1e6;
		}
		sb_addf(sb, "%.1f%s", r / s, unit);
		return;
	}
	snprintf(tmp, sizeof(tmp), human ? "%.1f" : "%.3f", r);
	n = strlen(tmp);
	if (!human && strchr(tmp, '.')) {
		while (n && tmp[n - 1] == '0')
			n--;
		if (n && tmp[n - 1] == '.')
			n--;
	}
	sb_add(sb, tmp, n);
}

void watch_cell_text(const struct watch *w, const struct watch_col *c,
		     const char *row, bool human, struct strbuf *sb)
{
	const struct mapref *m = w->m;
	const void *v = watch_row_value(w, row);

	if (c->eo) {
		switch (c->eo->kind) {
		case EO_COL_LEAF:
			if (c->eo->in_key)
				tv_leaf_format_text(c->eo->leaf, row, sb);
			else	/* per CPU where the CPUs differ, as dump */
				eo_value_text(m, c->eo->leaf, v,
					      watch_row_raw(w, row), sb);
			break;
		case EO_COL_WHOLE:
			if (c->eo->in_key)
				tv_format_text(m->key, row, sb);
			else
				eo_value_text(m, NULL, v, watch_row_raw(w, row), sb);
			break;
		case EO_COL_LPM:
			mapref_lpm_text(m, row, sb);
			break;
		case EO_COL_CPU:
			sb_adds(sb, "all");
			break;
		}
		return;
	}
	if (!(watch_row_flags(w, row) & WROW_RATE)) {
		sb_adds(sb, "-");
	} else if (w->delta_mode) {
		uint64_t d = watch_row_delta(w, row, c->field);

		if (w->t[c->field].counter)
			sb_add_u64(sb, d);
		else
			sb_add_i64(sb, (int64_t)d);
	} else {
		watch_rate_text(sb, watch_row_rate(w, row, c->field), human);
	}
}

void watch_usage_text(const struct watch *w, struct strbuf *sb)
{
	const struct mapref *m = w->m;
	unsigned max = m->info.max_entries;

	if (m->is_array && !w->show_zero) {
		sb_addf(sb, "%llu/%u elements non-zero", w->entries, max);
		return;
	}
	sb_addf(sb, "%llu/%u %s, %.1f%% full", w->entries, max,
		m->is_array ? "elements" : "entries",
		max ? 100.0 * (double)w->entries / max : 0.0);
}

void watch_time_iso(uint64_t real_ns, char *buf, size_t len)
{
	time_t s = (time_t)(real_ns / 1000000000ull);
	unsigned ms = (unsigned)(real_ns % 1000000000ull / 1000000ull);
	struct tm tm;
	size_t n;

	gmtime_r(&s, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03uZ", ms);
}


void watch_json_rate(struct jw *jw, double r)
{
	struct strbuf tmp = STRBUF_INIT;

	if (isnan(r)) {
		jw_null(jw);
		return;
	}
	watch_rate_text(&tmp, r, false);
	jw_value_begin(jw);
	sb_add(jw->out, tmp.buf, tmp.len);
	sb_free(&tmp);
}
