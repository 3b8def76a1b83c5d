// SPDX-License-Identifier: GPL-2.0
/* The output layer: see output.h. Text tables buffer up to
 * OUT_TABLE_BUFFER_ROWS rows to size their columns, then stream with the
 * widths frozen, so a dump of a million entries keeps memory flat. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "output/output.h"
#include "base/err.h"

const char *const out_mode_names[] = {
	[OUT_TABLE] = "table", [OUT_PLAIN] = "plain",
	[OUT_JSON] = "json", [OUT_JSONL] = "jsonl",
	[OUT_CSV] = "csv", [OUT_BPFTOOL] = "bpftool", NULL,
};

#define OUT_FLUSH_AT (64 * 1024)
#define CELL_SEP '\x1f'
#define ROW_SEP '\x1e'

void out_init(struct out *o, enum out_mode mode, bool pretty, FILE *fp)
{
	memset(o, 0, sizeof(*o));
	o->mode = mode;
	o->pretty = pretty && mode == OUT_JSON;
	o->fp = fp;
	o->fd = fileno(fp);
	sb_init(&o->buf);
	sb_init(&o->rows);
	for (int i = 0; i < OUT_MAX_COLS; i++)
		sb_init(&o->cells[i]);
	jw_init(&o->jw, &o->buf, o->pretty);
}

static void reset_columns(struct out *o)
{
	for (int i = 0; i < o->ncols; i++) {
		free(o->col_names[i]);
		o->col_names[i] = NULL;
		o->col_width[i] = 0;
	}
	o->ncols = 0;
	o->widths_fixed = false;
	o->nrows = 0;
	sb_reset(&o->rows);
}

void out_fini(struct out *o)
{
	out_flush(o);
	reset_columns(o);
	sb_free(&o->buf);
	sb_free(&o->rows);
	for (int i = 0; i < OUT_MAX_COLS; i++)
		sb_free(&o->cells[i]);
}

/* A write failed with errno e: a closed pipe (`| head`) ends the output
 * quietly; anything else is said once and fails the command. */
static void write_failed(struct out *o, int e)
{
	o->broken = true;
	if (e == EPIPE || o->werr)
		return;
	o->werr = e ? e : EIO;
	if (o->name)
		err_fail("write error: %s: %s", o->name, strerror(o->werr));
	else
		err_fail("write error: %s", strerror(o->werr));
}

/* len bytes to the file descriptor, whole (o->broken after a failure). */
static void write_all(struct out *o, const char *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(o->fd, buf + off, len - off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			write_failed(o, errno);
			break;
		}
		off += (size_t)n;
		o->written += (unsigned long long)n;
	}
}

void out_text(struct out *o, const char *text, size_t len)
{
	if (o->broken)
		return;
	/* a large block goes out as it is, after what is pending: no copy
	 * through the buffer */
	if (len >= 64 * 1024 && !o->capture) {
		if (out_flush(o))
			write_all(o, text, len);
		return;
	}
	sb_add(&o->buf, text, len);
	if (o->buf.len >= 64 * 1024)
		out_flush(o);
}

bool out_flush(struct out *o)
{
	/* Anything printed with stdio (libbpf, a handler's help text) goes
	 * first so the streams never interleave. */
	errno = 0;
	if ((fflush(o->fp) || ferror(o->fp)) && !o->broken) {
		write_failed(o, errno);
		clearerr(o->fp);
	}
	if (o->capture)
		return !o->broken;
	if (o->broken) {
		sb_reset(&o->buf);
		return false;
	}
	write_all(o, o->buf.buf, o->buf.len);
	sb_reset(&o->buf);
	return !o->broken;
}

int out_status(struct out *o, int rc)
{
	out_flush(o);
	return rc || !out_failed(o) ? rc : EXIT_FAIL;
}

void out_set_lines(struct out *o, bool on)
{
	jw_set_lines(&o->jw, on);
}

static void maybe_flush(struct out *o)
{
	if (o->buf.len >= OUT_FLUSH_AT)
		out_flush(o);
}

static void block_separator(struct out *o)
{
	if (o->any_block && !out_is_json(o) && o->mode == OUT_TABLE)
		sb_addc(&o->buf, '\n');
	o->any_block = true;
}

void out_list_begin(struct out *o)
{
	o->sep_pending = false;
	o->in_list = true;
	o->object_mode = false;
	o->list_in_object = false;
	reset_columns(o);
	if (o->mode == OUT_JSON)
		jw_start_array(&o->jw);
	else if (o->mode == OUT_TABLE)
		block_separator(o);
}

void out_list_begin_named(struct out *o, const char *name)
{
	bool in_object = o->object_mode;

	if (out_is_json(o) && in_object) {
		jw_name(&o->jw, name);
		jw_start_array(&o->jw);
		o->saved_object_mode = true;
		o->object_mode = false;
		o->in_list = true;
		o->list_in_object = true;
		return;
	}
	if (in_object)	/* text: print the object's lines before the table */
		out_object_end(o);
	out_list_begin(o);
	/* plain: the blank line comes with the first row (none for an
	 * empty list) */
	o->sep_pending = o->mode == OUT_PLAIN && o->any_block;
	o->any_block = true;
	/* JSONL has no enclosing object: each record is its own line. */
}

/* RFC 4180: a cell with a comma, a quote, a line break or spaces at an
 * end is quoted, its quotes doubled. */
void out_csv_cell(struct strbuf *sb, const char *c, size_t len)
{
	bool q = len && (c[0] == ' ' || c[len - 1] == ' ');

	for (size_t i = 0; i < len && !q; i++)
		q = c[i] == ',' || c[i] == '"' || c[i] == '\n' || c[i] == '\r';
	if (!q) {
		sb_add(sb, c, len);
		return;
	}
	sb_addc(sb, '"');
	for (size_t i = 0; i < len; i++) {
		if (c[i] == '"')
			sb_addc(sb, '"');
		sb_addc(sb, c[i]);
	}
	sb_addc(sb, '"');
}

static void emit_row_text(struct out *o, const char *const *cells, int n,
			  bool header)
{
	size_t start, end = 0;	/* where the row and the current column end */

	if (o->sep_pending) {
		sb_addc(&o->buf, '\n');
		o->sep_pending = false;
	}
	start = o->buf.len;
	for (int i = 0; i < n; i++) {
		const char *c = cells[i] ? cells[i] : "";
		size_t len = strlen(c);

		if (o->mode == OUT_CSV) {
			if (i)
				sb_addc(&o->buf, ',');
			out_csv_cell(&o->buf, c, len);
			continue;
		}
		if (o->mode == OUT_PLAIN) {
			if (i)
				sb_addc(&o->buf, '\t');
			sb_add(&o->buf, c, len);
			continue;
		}
		if (i)
			sb_add(&o->buf, "  ", 2);
		sb_add(&o->buf, c, len);
		/* Padded up to where its column ends, not by its own length: a
		 * cell wider than its column (a row after the sizing window) is
		 * never cut; it pushes the next cells right, and those with
		 * room to spare come back to their columns. */
		end += (i ? 2 : 0) + (i < o->ncols ? o->col_width[i] : 0);
		if (i + 1 < n && o->buf.len - start < end)
			sb_addcn(&o->buf, ' ', end - (o->buf.len - start));
	}
	(void)header;
	sb_addc(&o->buf, '\n');
	maybe_flush(o);
}

/* Print the header and every buffered row, then freeze the widths. */
static void table_release(struct out *o)
{
	const char *cells[OUT_MAX_COLS];
	char *p, *end;

	if (o->widths_fixed)
		return;
	o->widths_fixed = true;
	if ((o->mode == OUT_TABLE || o->mode == OUT_CSV) && o->ncols && o->nrows)
		emit_row_text(o, (const char *const *)o->col_names, o->ncols,
			      true);
	p = o->rows.buf;
	end = p ? p + o->rows.len : NULL;
	while (p && p < end) {
		int n = 0;
		char *row_end = memchr(p, ROW_SEP, (size_t)(end - p));

		*row_end = '\0';
		while (n < OUT_MAX_COLS) {
			char *sep = strchr(p, CELL_SEP);

			cells[n++] = p;
			if (!sep)
				break;
			*sep = '\0';
			p = sep + 1;
		}
		emit_row_text(o, cells, n, false);
		p = row_end + 1;
	}
	sb_reset(&o->rows);
}

void out_list_empty(struct out *o, const char *const *names, int n,
		    const char *note)
{
	if (o->mode != OUT_TABLE || o->nrows || o->widths_fixed || o->broken)
		return;
	if (n > 0)
		emit_row_text(o, names, n, true);
	out_line(o, "%s", note);
}

void out_list_end(struct out *o)
{
	if (o->mode == OUT_JSON) {
		jw_end_array(&o->jw);
		if (o->list_in_object) {
			o->object_mode = o->saved_object_mode;
			o->in_list = false;
			o->list_in_object = false;
			return;
		}
		sb_addc(&o->buf, '\n');
	} else if (o->mode == OUT_TABLE || o->mode == OUT_PLAIN ||
		   o->mode == OUT_CSV) {
		table_release(o);
	}
	if (o->list_in_object && o->mode == OUT_JSONL) {
		o->object_mode = o->saved_object_mode;
		o->list_in_object = false;
	}
	o->in_list = false;
	out_flush(o);
}

void out_object_begin(struct out *o)
{
	o->object_mode = true;
	o->in_list = false;
	reset_columns(o);
	if (out_is_json(o)) {
		if (o->mode == OUT_JSONL)
			jw_init(&o->jw, &o->buf, false);
		jw_start_object(&o->jw);
	} else {
		block_separator(o);
	}
	o->rec_ncells = 0;
}

void out_object_end(struct out *o)
{
	if (!o->object_mode)
		return;
	if (out_is_json(o)) {
		jw_end_object(&o->jw);
		sb_addc(&o->buf, '\n');
	} else if (o->mode == OUT_CSV) {	/* a header and one row */
		const char *cells[OUT_MAX_COLS];

		for (int i = 0; i < o->ncols; i++)
			cells[i] = sb_str(&o->cells[i]);
		if (o->ncols) {
			emit_row_text(o, (const char *const *)o->col_names,
				      o->ncols, true);
			emit_row_text(o, cells, o->ncols, false);
		}
	} else {
		size_t w = 0;

		for (int i = 0; i < o->ncols; i++)
			if (strlen(o->col_names[i]) > w)
				w = strlen(o->col_names[i]);
		for (int i = 0; i < o->ncols; i++) {
			const char *n = o->col_names[i];

			sb_adds(&o->buf, n);
			if (o->mode == OUT_PLAIN) {
				sb_addc(&o->buf, '\t');
			} else {
				sb_addc(&o->buf, ':');
				for (size_t k = strlen(n); k < w + 1; k++)
					sb_addc(&o->buf, ' ');
			}
			sb_add(&o->buf, o->cells[i].buf ? o->cells[i].buf : "",
			       o->cells[i].len);
			sb_addc(&o->buf, '\n');
		}
	}
	o->object_mode = false;
	reset_columns(o);
	out_flush(o);
}

void out_records_text(struct out *o, const char *text, size_t len)
{
	if (!len)
		return;
	if (o->mode == OUT_JSON && jw_join_elements(&o->jw))
		sb_addc(&o->buf, ',');
	out_text(o, text, len);
}

void out_record_begin(struct out *o)
{
	o->rec_ncells = 0;
	if (out_is_json(o)) {
		if (o->mode == OUT_JSONL && !o->list_in_object)
			jw_init(&o->jw, &o->buf, false);
		jw_start_object(&o->jw);
	}
}

void out_record_end(struct out *o)
{
	if (out_is_json(o)) {
		jw_end_object(&o->jw);
		if (o->mode == OUT_JSONL && !o->list_in_object)
			sb_addc(&o->buf, '\n');
		maybe_flush(o);
		return;
	}
	if (o->widths_fixed || o->mode == OUT_PLAIN) {
		const char *cells[OUT_MAX_COLS];

		for (int i = 0; i < o->rec_ncells; i++)
			cells[i] = sb_str(&o->cells[i]);
		o->widths_fixed = true;
		emit_row_text(o, cells, o->rec_ncells, false);
		return;
	}
	for (int i = 0; i < o->rec_ncells; i++) {
		if (i)
			sb_addc(&o->rows, CELL_SEP);
		sb_add(&o->rows, o->cells[i].buf ? o->cells[i].buf : "",
		       o->cells[i].len);
	}
	sb_addc(&o->rows, ROW_SEP);
	if (++o->nrows >= OUT_TABLE_BUFFER_ROWS)
		table_release(o);
}

/* Text modes: store a cell for the current record (or object line). */
static void add_cell(struct out *o, const char *name, const char *text)
{
	int i = o->rec_ncells;
	struct strbuf *c;

	if (i >= OUT_MAX_COLS)
		return;
	if (i >= o->ncols) {
		o->col_names[i] = strdup(name);
		o->col_width[i] = strlen(name);
		o->ncols = i + 1;
	}
	c = &o->cells[i];
	sb_reset(c);
	sb_adds(c, text);
	/* Cells are one line: tabs, newlines and separators would break
	 * the columns, so they become spaces. */
	for (size_t k = 0; k < c->len; k++) {
		unsigned char ch = (unsigned char)c->buf[k];

		if (ch < 0x20 || ch == 0x7f)
			c->buf[k] = ' ';
	}
	if (!o->widths_fixed && c->len > o->col_width[i])
		o->col_width[i] = c->len;
	o->rec_ncells = i + 1;
}

void out_str(struct out *o, const char *name, const char *val)
{
	if (out_is_json(o)) {
		if (val)
			jw_kv_string(&o->jw, name, val);
		else {
			jw_name(&o->jw, name);
			jw_null(&o->jw);
		}
		return;
	}
	add_cell(o, name, val ? val : "-");
}

void out_human(struct strbuf *sb, uint64_t v, bool bytes)
{
	static const char *const iec[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	static const char si[] = " kMGTPE";
	double d = (double)v;
	unsigned base = bytes ? 1024 : 1000, i = 0;

	if (v < base) {
		sb_addf(sb, bytes ? "%llu B" : "%llu", (unsigned long long)v);
		return;
	}
	while (d >= base && i < 6) {
		d /= base;
		i++;
	}
	if (bytes)
		sb_addf(sb, d < 10 ? "%.1f %s" : "%.0f %s", d, iec[i]);
	else
		sb_addf(sb, d < 10 ? "%.1f%c" : "%.0f%c", d, si[i]);
}

static bool word_in(const char *name, const char *word)
{
	size_t n = strlen(word);
	const char *p = name;

	while ((p = strstr(p, word))) {
		bool start = p == name || p[-1] == '_' || p[-1] == '.';
		bool end = !p[n] || p[n] == '_' || p[n] == '.';

		if (start && end)
			return true;
		p += n;
	}
	return false;
}

bool out_name_is_bytes(const char *name)
{
	return word_in(name, "bytes") || word_in(name, "memory") ||
	       word_in(name, "memlock");
}

bool out_name_is_count(const char *name)
{
	return word_in(name, "entries") || word_in(name, "packets") ||
	       word_in(name, "count") || word_in(name, "hits") ||
	       word_in(name, "drops") || word_in(name, "records");
}

void out_u64(struct out *o, const char *name, uint64_t v)
{
	char tmp[32];

	if (out_is_json(o)) {
		jw_kv_u64(&o->jw, name, v);
		return;
	}
	if (o->human && (out_name_is_bytes(name) || out_name_is_count(name))) {
		struct strbuf sb = STRBUF_INIT;

		out_human(&sb, v, out_name_is_bytes(name));
		add_cell(o, name, sb_str(&sb));
		sb_free(&sb);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v);
	add_cell(o, name, tmp);
}

void out_i64(struct out *o, const char *name, int64_t v)
{
	char tmp[32];

	if (out_is_json(o)) {
		jw_kv_i64(&o->jw, name, v);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%lld", (long long)v);
	add_cell(o, name, tmp);
}

void out_bool(struct out *o, const char *name, bool v)
{
	if (out_is_json(o)) {
		jw_kv_bool(&o->jw, name, v);
		return;
	}
	add_cell(o, name, v ? "yes" : "no");
}

struct jw *out_json_field(struct out *o, const char *name)
{
	if (!out_is_json(o))
		return NULL;
	jw_name(&o->jw, name);
	return &o->jw;
}

void out_text_field(struct out *o, const char *name, const char *text)
{
	if (!out_is_json(o))
		add_cell(o, name, text);
}

void out_line(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (out_is_json(o) || o->mode == OUT_CSV)	/* no free lines in CSV */
		return;
	va_start(ap, fmt);
	sb_vaddf(&o->buf, fmt, ap);
	va_end(ap);
	sb_addc(&o->buf, '\n');
	maybe_flush(o);
}
