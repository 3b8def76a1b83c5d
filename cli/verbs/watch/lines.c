// SPDX-License-Identifier: GPL-2.0
/* watch in line mode (not a terminal, or not a table): what changed at
 * each refresh, as text lines or JSON lines, printed as the model reads
 * (watch_lines_sink) or sorted after it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/err.h"
#include "base/clock.h"
#include "base/interrupt.h"
#include "output/screen.h"
#include "output/bpfjson.h"
#include "output/hist.h"
#include "verbs/watch/watch.h"

static void line_json(struct watch *w, const char *row, const char *iso)
{
	const struct mapref *m = w->m;
	struct out *o = &w->ctx->out;
	unsigned fl = watch_row_flags(w, row);
	const void *v = watch_row_value(w, row);
	const void *raw = watch_row_raw(w, row);
	/* Per-CPU maps: "value" when it is the one value of the entry. */
	bool one = !raw || mapref_one_value(m, raw);
	struct jw jw;
	char name[176];

	jw_init(&jw, &o->buf, false);
	jw_start_object(&jw);
	jw_kv_string(&jw, "time", iso);
	if (fl & WROW_REMOVED) {
		jw_name(&jw, "key");
		tv_format_json(m->key, row, &jw);
		jw_kv_bool(&jw, "removed", true);
		goto end;
	}
	if (w->eo.flat) {
		for (int i = 0; i < w->eo.ncols; i++) {
			const struct eo_col *c = &w->eo.cols[i];
			const void *rec = c->in_key ? (const void *)row : v;

			/* Not folded and differing between CPUs: no one
			 * value ("per_cpu" below has them). */
			if (c->kind == EO_COL_CPU ||
			    (!one && !c->in_key && c->kind == EO_COL_LEAF &&
			     mapref_cpus_differ(m, c->leaf, raw) &&
			     tv_leaf_fold(m->value, c->leaf) == TV_FOLD_NONE))
				continue;
			jw_name(&jw, c->name);
			if (c->kind == EO_COL_LEAF) {
				tv_leaf_format_json(c->leaf, rec, &jw);
			} else if (c->kind == EO_COL_LPM) {
				struct strbuf sb = STRBUF_INIT;

				mapref_lpm_text(m, row, &sb);
				jw_string(&jw, sb_str(&sb));
				sb_free(&sb);
			} else {
				tv_format_json(c->in_key ? m->key : m->value, rec, &jw);
			}
		}
	} else {
		jw_name(&jw, "key");
		tv_format_json(m->key, row, &jw);
		if (m->value && one) {
			jw_name(&jw, "value");
			tv_format_json(m->value, v, &jw);
			/* as dump -j: ktime fields as wall-clock times too */
			out_json_wall(&jw, m->value, v, 0, 0);
		}
	}
	if (!one) {	/* as dump -j: every CPU's value */
		jw_name(&jw, "per_cpu");
		jw_start_array(&jw);
		for (int c = 0; c < m->ncpus; c++) {
			jw_start_object(&jw);
			jw_kv_u64(&jw, "cpu", (uint64_t)c);
			jw_name(&jw, "value");
			tv_format_json(m->value, (const char *)raw + (size_t)c * m->stride, &jw);
			jw_end_object(&jw);
		}
		jw_end_array(&jw);
	}
	if ((fl & WROW_RATE) && w->nshow) {
		jw_name(&jw, "delta");
		jw_start_object(&jw);
		for (int i = 0; i < w->nt; i++) {
			uint64_t d = watch_row_delta(w, row, i);

			if (!w->t[i].show)
				continue;
			if (w->t[i].counter)
				jw_kv_u64(&jw, w->t[i].name, d);
			else
				jw_kv_i64(&jw, w->t[i].name, (int64_t)d);
		}
		jw_end_object(&jw);
		jw_name(&jw, "rate");
		jw_start_object(&jw);
		for (int i = 0; i < w->nt; i++) {
			if (!w->t[i].show)
				continue;
			snprintf(name, sizeof(name), "%s/s", w->t[i].name);
			jw_name(&jw, name);
			watch_json_rate(&jw, watch_row_rate(w, row, i));
		}
		jw_end_object(&jw);
	}
	if (fl & WROW_NEW)
		jw_kv_bool(&jw, "new", true);
end:
	jw_end_object(&jw);
	sb_addc(&o->buf, '\n');
	if (o->buf.len >= 64 * 1024)
		out_flush(o);
}

static void line_text(struct watch *w, const char *row, const char *iso)
{
	struct out *o = &w->ctx->out;
	unsigned fl = watch_row_flags(w, row);
	struct strbuf sb = STRBUF_INIT;

	out_record_begin(o);
	out_text_field(o, "time", iso);
	out_text_field(o, "event", fl & WROW_REMOVED ? "removed" :
				   fl & WROW_NEW ? "new" : "changed");
	for (int i = 0; i < w->ncols; i++) {
		const struct watch_col *c = &w->cols[i];

		sb_reset(&sb);
		if ((fl & WROW_REMOVED) && !(c->eo && c->eo->in_key))
			sb_adds(&sb, "-");
		else
			watch_cell_text(w, c, row, false, &sb);
		out_text_field(o, c->name, sb_str(&sb));
	}
	out_record_end(o);
	sb_free(&sb);
}

static void line_row(struct watch *w, const char *row)
{
	char iso[64];

	watch_time_iso(w->last_real, iso, sizeof(iso));
	if (w->json)
		line_json(w, row, iso);
	else
		line_text(w, row, iso);
}

/* The last line of a refresh: what the tty view's header says. */
static void line_summary(struct watch *w)
{
	struct out *o = &w->ctx->out;
	char iso[64];

	watch_time_iso(w->last_real, iso, sizeof(iso));
	if (w->json) {
		struct jw jw;

		jw_init(&jw, &o->buf, false);
		jw_start_object(&jw);
		jw_kv_string(&jw, "time", iso);
		jw_kv_u64(&jw, "refresh", w->refreshes);
		if (w->baseline) {
			jw_kv_bool(&jw, "baseline", true);
		} else {
			jw_name(&jw, "interval");
			watch_json_rate(&jw, w->dt);
		}
		jw_kv_u64(&jw, "entries", w->entries);
		jw_kv_u64(&jw, "max_entries", w->m->info.max_entries);
		if (query_has_where(w->q))
			jw_kv_u64(&jw, "matched", w->matched);
		jw_kv_u64(&jw, "new_entries", w->n_new);
		jw_kv_u64(&jw, "changed_entries", w->n_changed);
		jw_kv_u64(&jw, "removed_entries", w->n_removed);
		jw_end_object(&jw);
		sb_addc(&o->buf, '\n');
	} else {
		struct strbuf sb = STRBUF_INIT;

		watch_usage_text(w, &sb);
		if (w->baseline) {
			out_line(o, "# %s refresh %llu (baseline): %s", iso,
				 w->refreshes, sb_str(&sb));
		} else {
			sb_addf(&sb, ", %llu new, %llu changed, %llu removed",
				w->n_new, w->n_changed, w->n_removed);
			if (w->n_removed)
				sb_addf(&sb, " (%.1f/s)", (double)w->n_removed / w->dt);
			out_line(o, "# %s refresh %llu after %.3fs: %s", iso,
				 w->refreshes, w->dt, sb_str(&sb));
		}
		sb_free(&sb);
	}
	out_flush(o);
}

/* Each histogram field after a refresh (not the baseline): JSON lines
 * {"time", "histogram": FIELD, "total": H, "interval": H}, or the total
 * beside the interval's change: the bucket table (FIELD LO HI TOTAL
 * DELTA), bars on a table. */
static void line_hists(struct watch *w)
{
	struct out *o = &w->ctx->out;
	struct hist_style st;
	char iso[64], lab[64];

	if (!w->nh || w->baseline)
		return;
	watch_time_iso(w->last_real, iso, sizeof(iso));
	hist_style_init(&st, o, false);
	snprintf(lab, sizeof(lab), "last %.3fs", w->dt);
	for (int j = 0; j < w->nh; j++) {
		if (w->json) {
			struct jw jw;

			jw_init(&jw, &o->buf, false);
			jw_start_object(&jw);
			jw_kv_string(&jw, "time", iso);
			jw_kv_string(&jw, "histogram", w->h[j].leaf->name);
			jw_name(&jw, "total");
			hist_json(&jw, &w->h[j].total);
			jw_name(&jw, "interval");
			hist_json(&jw, &w->h[j].delta);
			jw_end_object(&jw);
			sb_addc(&o->buf, '\n');
		} else {
			struct strbuf sb = STRBUF_INIT;

			hist_pair_lines(&sb, &st, w->h[j].leaf->name, &w->h[j].total,
					&w->h[j].delta, lab);
			if (sb.len)
				sb.buf[--sb.len] = '\0';
			out_line(o, "%s", sb_str(&sb));
			sb_free(&sb);
		}
	}
}

static void sink_begin(struct watch *w)
{
	if (!w->json)
		out_list_begin(&w->ctx->out);
}

static void sink_end(struct watch *w, bool complete)
{
	if (!w->json)
		out_list_end(&w->ctx->out);
	if (complete) {
		line_hists(w);
		line_summary(w);
	}
	else
		out_flush(&w->ctx->out);
}

const struct watch_sink watch_lines_sink = {
	.begin = sink_begin,
	.row = line_row,
	.end = sink_end,
};

/* Text lines (a pipe): one '#' line naming the columns of the rows, before
 * the first refresh; whole, however wide (no terminal to fit). */
static void line_header(struct watch *w)
{
	struct out *o = &w->ctx->out;

	if (w->json || o->mode != OUT_PLAIN)
		return;
	sb_adds(&o->buf, "# time\tevent");
	for (int i = 0; i < w->ncols; i++)
		sb_addf(&o->buf, "\t%s", w->cols[i].name);
	sb_addc(&o->buf, '\n');
	out_flush(o);
}

/* Line mode: refresh, print, sleep until the next one is due. */
int watch_lines_run(struct watch *w)
{
	uint64_t step = (uint64_t)(w->interval * 1e9), next = clock_mono_ns();

	if (!step)
		step = 1;
	line_header(w);
	screen_winched = 0;	/* no view here: resizes do not matter */
	for (;;) {
		uint64_t now;

		if (watch_follow_pin(w) < 0)
			return w->err[0] ? err_fail("%s", w->err) : EXIT_FAIL;
		if (watch_refresh(w))
			return err_fail("%s watch: %s", w->m->name, w->err);
		if (interrupted() || w->ctx->out.broken)
			return EXIT_OK;
		if (w->count > 0 && (long long)w->refreshes >= w->count)
			return EXIT_OK;
		next += step;
		now = clock_mono_ns();
		if (next < now)		/* a slow refresh: no catching up */
			next = now;
		while (!interrupted() && (now = clock_mono_ns()) < next)
			screen_wait(NULL, 0, screen_ms_until(next, now));
		if (interrupted())
			return EXIT_OK;
	}
}
