/* SPDX-License-Identifier: GPL-2.0 */
/* The one output layer. Commands describe records (name/value pairs); this
 * layer renders them as an aligned table (tty), tab-separated lines (pipe),
 * one JSON document (-j, -p) or JSON lines (--jsonl). No command prints to
 * stdout by itself. Output is buffered and written in large chunks; a closed
 * pipe (EPIPE) ends output quietly. Any other failed write (a full disk,
 * /dev/full) is said once, "mapsh: write error: [FILE: ]REASON", ends the
 * output too, and makes the command fail (out_failed, out_status). */
#ifndef MAPSH_OUTPUT_H
#define MAPSH_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "base/json_writer.h"
#include "base/strbuf.h"

enum out_mode {
	OUT_TABLE,	/* header + aligned columns */
	OUT_PLAIN,	/* tab-separated, no header */
	OUT_JSON,	/* one JSON document */
	OUT_JSONL,	/* one JSON object per line */
	OUT_CSV,	/* comma-separated with a header row, RFC 4180
			 * quoting (a single record: the header and one row) */
	OUT_BPFTOOL,	/* --format bpftool: never the layer's mode; the
			 * command line's choice, run as OUT_JSON with
			 * out.bpftool (cmd_setup_output) */
};

/* Their names, indexed by mode, NULL-terminated: --format and .format. */
extern const char *const out_mode_names[];

#define OUT_MAX_COLS 64
#define OUT_TABLE_BUFFER_ROWS 1024	/* rows held to size columns */

struct out {
	enum out_mode mode;
	bool pretty;
	FILE *fp;
	int fd;
	bool broken;		/* a write failed: drop further output */
	int werr;		/* its errno when that was no closed pipe
				 * (EPIPE): reported once, the command fails */
	const char *name;	/* the file written, for the message; NULL:
				 * standard output */
	unsigned long long written;	/* bytes written to fd so far */
	bool capture;		/* keep output in buf, write nothing (the
				 * batch puts a command's JSON in a member) */
	struct strbuf buf;	/* pending bytes for fp */
	struct jw jw;
	bool bpftool;		/* JSON: map entries in bpftool's shape
				 * (output/bpfjson.h) */
	bool human;		/* -H: text cells of sizes and counts as
				 * 1.2M, 3.4 GiB (out_human) */
	/* list state */
	bool in_list;
	bool object_mode;	/* single record shown as "name: value" lines */
	int ncols;
	char *col_names[OUT_MAX_COLS];
	size_t col_width[OUT_MAX_COLS];
	bool widths_fixed;	/* header printed, widths frozen */
	/* current record (text modes): cells by column */
	int rec_ncells;
	struct strbuf cells[OUT_MAX_COLS];
	/* buffered rows for table sizing */
	struct strbuf rows;	/* cells separated by \x1f, rows by \x1e */
	size_t nrows;
	bool any_block;		/* something printed: blank line between */
	bool sep_pending;	/* plain: a blank line before the next row (a
				 * named list after other lines: `status` in
				 * a pipe keeps its sections apart) */
	bool list_in_object;	/* current list is a member of an object */
	bool saved_object_mode;
};

void out_init(struct out *o, enum out_mode mode, bool pretty, FILE *fp);
void out_fini(struct out *o);
/* Write what is pending to the file descriptor (stdio's buffer of fp
 * first). Returns false once a write failed: after EPIPE quietly, after
 * any other error with the one message "write error: ..." (err_fail). */
bool out_flush(struct out *o);
/* Text already in the mode's form (plain rows formatted elsewhere),
 * appended to what is pending and written once 64 KiB are. */
void out_text(struct out *o, const char *text, size_t len);
/* A write failed other than on a closed pipe (said already). */
static inline bool out_failed(const struct out *o)
{
	return o->werr != 0;
}
/* Flush, then the exit code of a command that returned rc: rc, or
 * EXIT_FAIL when rc is 0 and a write failed. */
int out_status(struct out *o, int rc);
/* JSON: each element of the outermost array on a line of its own,
 * "[\n{...},\n{...}\n]" (save files, for diff and grep); no effect on
 * pretty output. On until turned off or the writer is set up again. */
void out_set_lines(struct out *o, bool on);
static inline bool out_is_json(const struct out *o)
{
	return o->mode == OUT_JSON || o->mode == OUT_JSONL;
}

/* A list of records: a table, lines, a JSON array, or JSON lines. */
void out_list_begin(struct out *o);
void out_list_end(struct out *o);
/* A list that is a member of the current object ("attachments": [...] under
 * -j); in text modes a new table after a blank line. */
void out_list_begin_named(struct out *o, const char *name);
/* Before out_list_end of a list without records: in a table (a
 * terminal) the header of the n columns it would have had, then the note
 * line ("(0 entries)"); nothing in the other modes. */
void out_list_empty(struct out *o, const char *const *names, int n,
		    const char *note);
/* A single record shown as "name: value" lines, or one JSON object. */
void out_object_begin(struct out *o);
void out_object_end(struct out *o);

/* Records formatted apart (eo_format_rows) as out_record_begin and _end
 * would write them, in a JSON array's elements the first without its
 * comma (jw_init_elements), to the output. */
void out_records_text(struct out *o, const char *text, size_t len);
void out_record_begin(struct out *o);
void out_record_end(struct out *o);

/* Fields of the current record: name is the column header and JSON key. */
void out_str(struct out *o, const char *name, const char *val);
void out_u64(struct out *o, const char *name, uint64_t v);
void out_i64(struct out *o, const char *name, int64_t v);
void out_bool(struct out *o, const char *name, bool v);
/* A field whose text cell and JSON value differ (typed values): text is the
 * cell for table/plain modes; in JSON modes the returned writer has the
 * member name written and the caller emits the value. NULL in text modes. */
struct jw *out_json_field(struct out *o, const char *name);
void out_text_field(struct out *o, const char *name, const char *text);

/* -H: v shortened: bytes in IEC units ("512 B", "3.4 KiB", "1.2 GiB"),
 * other counts with k, M, G, T suffixes ("999", "1.2k", "3.4M"). */
void out_human(struct strbuf *sb, uint64_t v, bool bytes);
/* Does a field or column of this name hold bytes (memory, bytes,
 * *_bytes, rx_bytes ...)? */
bool out_name_is_bytes(const char *name);
/* Does a column of this name hold a count worth shortening (entries,
 * max_entries, packets, ...) under -H? */
bool out_name_is_count(const char *name);

/* One CSV cell (RFC 4180: quoted when it holds a comma, a quote, a line
 * break or spaces at an end; quotes doubled). */
void out_csv_cell(struct strbuf *sb, const char *c, size_t len);

/* A free-form message line for text modes only (ignored under -j and in
 * CSV). */
void out_line(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
