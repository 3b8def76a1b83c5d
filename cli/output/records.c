// SPDX-License-Identifier: GPL-2.0
/* Record lines: see records.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "base/err.h"
#include "output/records.h"
#include "tval/fast.h"

#define FLUSH_AT (64 * 1024)

/* "2024-05-01T12:00:00.123456Z" */
static void add_now(struct strbuf *sb)
{
	static time_t cached_sec = -1;
	static char prefix[32];
	struct timespec ts;
	char frac[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != cached_sec) {
		struct tm tm;

		gmtime_r(&ts.tv_sec, &tm);
		strftime(prefix, sizeof(prefix), "%Y-%m-%dT%H:%M:%S", &tm);
		cached_sec = ts.tv_sec;
	}
	snprintf(frac, sizeof(frac), ".%06ldZ", ts.tv_nsec / 1000);
	sb_adds(sb, prefix);
	sb_adds(sb, frac);
}

void rec_out_init(struct rec_out *r, struct out *o, const char *name,
		  struct tv_plan *plan, bool wrap, bool timestamp)
{
	memset(r, 0, sizeof(*r));
	r->o = o;
	r->plan = plan;
	r->size = plan ? tv_plan_size(plan) : 0;
	r->json = out_is_json(r->o);
	r->wrap = wrap;
	r->timestamp = timestamp;
	r->cpu = -1;
	r->name = name;
	if (!plan)
		return;
	if (!r->json) {
		tv_plan_set_flags(plan, tv_plan_flags(plan) | TV_KTIME_WALL);
		return;
	}
	/* Every record, element and sample is {"value": V}: one shape for
	 * queues, stacks, ring buffers and perf buffers. */
	r->wrap = true;
	/* The value of a typed JSON record goes through a compiled formatter;
	 * what is around it ("received", "on_cpu", "wall") is written by jw. */
	if (!o->bpftool) {
		r->fast = tvf_new();
		if (r->fast) {
			tvf_plan_json(r->fast, plan, 0);
			if (!tvf_ok(r->fast)) {
				tvf_free(r->fast);
				r->fast = NULL;
			}
		}
	}
}

void rec_out_fini(struct rec_out *r)
{
	tvf_free(r->fast);
	r->fast = NULL;
}

static void maybe_flush(struct out *o)
{
	if (o->buf.len >= FLUSH_AT)
		out_flush(o);
}

static bool typed(struct rec_out *r, size_t len)
{
	/* Perf samples are padded to 8 bytes (with their 4-byte size). */
	if (r->plan && len >= r->size && len < (size_t)r->size + 8)
		return true;
	if (r->plan && !r->warned) {
		r->warned = true;
		err_warn("%s: a record of %zu bytes is not a %s (%u bytes): shown as bytes",
			 r->name, len, tv_plan_type_name(r->plan), r->size);
	}
	return false;
}

static void add_hex_text(struct strbuf *sb, const unsigned char *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	sb_grow(sb, len * 3 + 1);
	for (size_t i = 0; i < len; i++) {
		if (i)
			sb->buf[sb->len++] = ' ';
		sb->buf[sb->len++] = hex[p[i] >> 4];
		sb->buf[sb->len++] = hex[p[i] & 15];
	}
	sb->buf[sb->len] = '\0';
}

/* --format csv: a header of the record's fields before the first, then
 * a row of their text cells each ("data" for bytes of no type). */
static void rec_csv(struct rec_out *r, const void *data, size_t len)
{
	struct strbuf *sb = &r->o->buf, cell = STRBUF_INIT;
	bool is_typed = typed(r, len);
	int n = 0;

	if (r->records == 1) {
		if (r->timestamp)
			sb_adds(sb, n++ ? ",received" : "received");
		if (r->cpu >= 0)
			sb_adds(sb, n++ ? ",on_cpu" : "on_cpu");
		for (uint32_t i = 0; is_typed && i < tv_plan_nleaves(r->plan); i++) {
			const struct tv_leaf *l = tv_plan_leaf(r->plan, i);

			if (l->is_padding || l->in_union_alt)
				continue;
			if (n++)
				sb_addc(sb, ',');
			out_csv_cell(sb, l->name[0] ? l->name : "value",
				     strlen(l->name[0] ? l->name : "value"));
		}
		if (!is_typed)
			sb_adds(sb, n++ ? ",data" : "data");
		sb_addc(sb, '\n');
	}
	n = 0;
	if (r->timestamp) {
		add_now(sb);
		n++;
	}
	if (r->cpu >= 0)
		sb_addf(sb, n++ ? ",%d" : "%d", r->cpu);
	for (uint32_t i = 0; is_typed && i < tv_plan_nleaves(r->plan); i++) {
		const struct tv_leaf *l = tv_plan_leaf(r->plan, i);

		if (l->is_padding || l->in_union_alt)
			continue;
		if (n++)
			sb_addc(sb, ',');
		sb_reset(&cell);
		tv_leaf_format_text(l, data, &cell);
		out_csv_cell(sb, cell.buf ? cell.buf : "", cell.len);
	}
	if (!is_typed) {
		if (n++)
			sb_addc(sb, ',');
		add_hex_text(sb, data, len);
	}
	sb_addc(sb, '\n');
	sb_free(&cell);
}

static void rec_text(struct rec_out *r, const void *data, size_t len)
{
	struct strbuf *sb = &r->o->buf;

	if (r->timestamp) {
		add_now(sb);
		sb_addc(sb, ' ');
	}
	if (r->cpu >= 0)
		sb_addf(sb, "on_cpu=%d ", r->cpu);
	if (typed(r, len)) {
		size_t p = sb->len;

		tv_format_text(r->plan, data, sb);
		/* "{a=1 b=2}" -> "a=1 b=2": the line is the record. */
		if (sb->len - p >= 2 && sb->buf[p] == '{' && sb->buf[sb->len - 1] == '}') {
			memmove(sb->buf + p, sb->buf + p + 1, sb->len - p - 2);
			sb_trunc(sb, sb->len - 2);
		}
	} else {
		add_hex_text(sb, data, len);
	}
	sb_addc(sb, '\n');
}

static void rec_json(struct rec_out *r, const void *data, size_t len)
{
	struct strbuf *sb = &r->o->buf;
	struct jw *jw = &r->jw;

	jw_init(jw, sb, false);
	if (r->bj) {	/* --format bpftool: {"key": [], "value": [...]} */
		jw_start_object(jw);
		if (r->bj->info.value_size == len)
			bj_members(jw, r->bj, NULL, data);
		else {
			jw_name(jw, "key");
			tv_bpftool_hex(NULL, 0, jw);
			jw_name(jw, "value");
			tv_bpftool_hex(data, (uint32_t)len, jw);
		}
		jw_end_object(jw);
		sb_addc(sb, '\n');
		return;
	}
	jw_start_object(jw);
	if (r->timestamp) {
		struct strbuf t = STRBUF_INIT;

		add_now(&t);
		jw_kv_string(jw, "received", sb_str(&t));
		sb_free(&t);
	}
	if (r->cpu >= 0)
		jw_kv_i64(jw, "on_cpu", r->cpu);
	if (typed(r, len)) {
		if (r->fast) {
			jw_name_quoted(jw, "\"value\"", 7);
			jw_value_begin(jw);
			tvf_run(r->fast, sb, (const void *const *)&data);
		} else {
			jw_name(jw, "value");
			tv_format_json(r->plan, data, jw);
		}
		out_json_wall(jw, r->plan, data, 0, 0);
	} else {
		jw_name(jw, "value");
		tv_bpftool_hex(data, (uint32_t)len, jw);
	}
	jw_end_object(jw);
	sb_addc(sb, '\n');
}

void rec_out_add(struct rec_out *r, const void *data, size_t len)
{
	if (r->o->broken)
		return;
	r->records++;
	r->bytes += len;
	if (r->json)
		rec_json(r, data, len);
	else if (r->o->mode == OUT_CSV)
		rec_csv(r, data, len);
	else
		rec_text(r, data, len);
	maybe_flush(r->o);
}

void rec_out_lost(struct rec_out *r, unsigned long long n, int cpu)
{
	struct strbuf *sb = &r->o->buf;

	r->lost += n;
	if (r->o->broken)
		return;
	if (r->json)
		sb_addf(sb, "{\"lost\":%llu,\"cpu\":%d}\n", n, cpu);
	else
		sb_addf(sb, "lost %llu samples on CPU %d\n", n, cpu);
	maybe_flush(r->o);
}

void rec_out_summary(const struct rec_out *r, const char *what)
{
	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "%llu %s%s, %llu bytes", r->records, what,
		r->records == 1 ? "" : "s", r->bytes);
	if (r->lost)
		fprintf(stderr, ", %llu lost", r->lost);
	fputc('\n', stderr);
}
