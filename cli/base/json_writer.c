// SPDX-License-Identifier: GPL-2.0
/* Streaming JSON writer (see json_writer.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/json_writer.h"

/* Nesting deeper than JW_MAX_DEPTH still produces valid JSON: the comma
 * state of the deepest levels is shared, which only affects whitespace. */
static int slot(int depth)
{
	if (depth < 0)
		return 0;
	return depth < JW_MAX_DEPTH ? depth : JW_MAX_DEPTH - 1;
}

static void newline_indent(struct jw *w)
{
	sb_addc(w->out, '\n');
	for (int i = 0; i < w->depth; i++)
		sb_add(w->out, "  ", 2);
}

void jw_init(struct jw *w, struct strbuf *out, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->pretty = pretty;
	w->first[0] = true;
}

void jw_set_lines(struct jw *w, bool on)
{
	w->lines = on;
}

void jw_init_elements(struct jw *w, struct strbuf *out, bool lines)
{
	jw_init(w, out, false);
	w->lines = lines;
	w->depth = 1;
	w->first[1] = true;
}

bool jw_join_elements(struct jw *w)
{
	bool *first = &w->first[slot(w->depth)];
	bool comma = w->depth > 0 && !*first;

	*first = false;
	return comma;
}

/* Separator before the next element at the current depth. */
static void element_sep(struct jw *w)
{
	bool *first = &w->first[slot(w->depth)];

	if (w->depth == 0) {
		/* Several top-level values (one per line, like a stream). */
		if (!*first)
			sb_addc(w->out, '\n');
		*first = false;
		return;
	}
	if (!*first)
		sb_addc(w->out, ',');
	*first = false;
	if (w->pretty)
		newline_indent(w);
	else if (w->lines && w->depth == 1)
		sb_addc(w->out, '\n');
}

void jw_value_begin(struct jw *w)
{
	if (w->after_name) {
		w->after_name = false;
		return;
	}
	element_sep(w);
}

static void open_(struct jw *w, char c)
{
	jw_value_begin(w);
	sb_addc(w->out, c);
	w->depth++;
	w->first[slot(w->depth)] = true;
}

static void close_(struct jw *w, char c)
{
	bool empty = w->first[slot(w->depth)];

	if (w->depth > 0)
		w->depth--;
	if (w->pretty && !empty)
		newline_indent(w);
	else if (w->lines && w->depth == 0 && !empty)
		sb_addc(w->out, '\n');
	sb_addc(w->out, c);
}

void jw_start_object(struct jw *w) { open_(w, '{'); }
void jw_end_object(struct jw *w) { close_(w, '}'); }
void jw_start_array(struct jw *w) { open_(w, '['); }
void jw_end_array(struct jw *w) { close_(w, ']'); }

void jw_name_quoted(struct jw *w, const char *quoted, size_t n)
{
	element_sep(w);
	sb_add(w->out, quoted, n);
	if (w->pretty)
		sb_add(w->out, ": ", 2);
	else
		sb_addc(w->out, ':');
	w->after_name = true;
}

void jw_name(struct jw *w, const char *name)
{
	element_sep(w);
	sb_add_json_str(w->out, name, strlen(name));
	if (w->pretty)
		sb_add(w->out, ": ", 2);
	else
		sb_addc(w->out, ':');
	w->after_name = true;
}

void jw_string(struct jw *w, const char *s)
{
	jw_value_begin(w);
	sb_add_json_str(w->out, s, strlen(s));
}

void jw_string_n(struct jw *w, const char *s, size_t n)
{
	jw_value_begin(w);
	sb_add_json_str(w->out, s, n);
}

void jw_u64(struct jw *w, uint64_t v)
{
	jw_value_begin(w);
	sb_add_u64(w->out, v);
}

void jw_i64(struct jw *w, int64_t v)
{
	jw_value_begin(w);
	sb_add_i64(w->out, v);
}

static void add_u128(struct strbuf *sb, unsigned __int128 v)
{
	char tmp[48];
	char *p = tmp + sizeof(tmp);

	do {
		*--p = (char)('0' + (unsigned)(v % 10));
		v /= 10;
	} while (v);
	sb_add(sb, p, (size_t)(tmp + sizeof(tmp) - p));
}

void jw_u128(struct jw *w, unsigned __int128 v)
{
	jw_value_begin(w);
	add_u128(w->out, v);
}

void jw_i128(struct jw *w, __int128 v)
{
	jw_value_begin(w);
	if (v < 0) {
		sb_addc(w->out, '-');
		add_u128(w->out, (unsigned __int128)0 - (unsigned __int128)v);
	} else {
		add_u128(w->out, (unsigned __int128)v);
	}
}

void jw_double(struct jw *w, double v)
{
	char tmp[40];

	jw_value_begin(w);
	if (!isfinite(v)) {
		sb_add(w->out, "null", 4);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.17g", v);
	sb_adds(w->out, tmp);
}

void jw_bool(struct jw *w, bool v)
{
	jw_value_begin(w);
	if (v)
		sb_add(w->out, "true", 4);
	else
		sb_add(w->out, "false", 5);
}

void jw_null(struct jw *w)
{
	jw_value_begin(w);
	sb_add(w->out, "null", 4);
}

void jw_raw(struct jw *w, const char *json)
{
	jw_value_begin(w);
	sb_adds(w->out, json);
}

void jw_kv_string(struct jw *w, const char *name, const char *s)
{
	jw_name(w, name);
	jw_string(w, s);
}

void jw_kv_u64(struct jw *w, const char *name, uint64_t v)
{
	jw_name(w, name);
	jw_u64(w, v);
}

void jw_kv_i64(struct jw *w, const char *name, int64_t v)
{
	jw_name(w, name);
	jw_i64(w, v);
}

void jw_kv_bool(struct jw *w, const char *name, bool v)
{
	jw_name(w, name);
	jw_bool(w, v);
}
