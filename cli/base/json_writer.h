/* SPDX-License-Identifier: GPL-2.0 */
/* A streaming JSON writer on top of a strbuf: it tracks nesting and commas so
 * callers only say what comes next. Compact by default; pretty indents by 2.
 * Integers are written exactly (64-bit values never go through a double). */
#ifndef MAPSH_JSON_WRITER_H
#define MAPSH_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/strbuf.h"

#define JW_MAX_DEPTH 64

struct jw {
	struct strbuf *out;
	bool pretty;
	int depth;
	bool first[JW_MAX_DEPTH];	/* no element written yet at this depth */
	bool after_name;		/* a member name was just written */
	bool lines;	/* compact, but each element of an outermost array
			 * on a line of its own: "[\n1,\n2\n]" */
};

void jw_init(struct jw *w, struct strbuf *out, bool pretty);
/* w->lines = on (see struct jw); pretty output ignores it. */
void jw_set_lines(struct jw *w, bool on);
/* A writer of elements of an array that another writer opened (w at
 * depth 1, its first element without a separator), as a thread that
 * formats records apart writes them; jw_join_elements puts them in. */
void jw_init_elements(struct jw *w, struct strbuf *out, bool lines);
/* Before elements a jw_init_elements writer wrote go to w's output, w in
 * the array they belong to: whether they need a comma first (w has some
 * already); w then has elements. */
bool jw_join_elements(struct jw *w);
void jw_start_object(struct jw *w);
void jw_end_object(struct jw *w);
void jw_start_array(struct jw *w);
void jw_end_array(struct jw *w);
/* Member name inside an object; the next value call writes its value. */
void jw_name(struct jw *w, const char *name);
/* Same, with a name already quoted and escaped ("\"src_ip\""): hot loops
 * precompute their member names once instead of escaping them per record. */
void jw_name_quoted(struct jw *w, const char *quoted, size_t n);
void jw_string(struct jw *w, const char *s);
void jw_string_n(struct jw *w, const char *s, size_t n);
void jw_u64(struct jw *w, uint64_t v);
void jw_i64(struct jw *w, int64_t v);
/* Unsigned 128-bit integer, written as an exact decimal number. */
void jw_u128(struct jw *w, unsigned __int128 v);
void jw_i128(struct jw *w, __int128 v);
void jw_double(struct jw *w, double v);	/* non-finite values become null */
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* Already-valid JSON text, inserted as one value. */
void jw_raw(struct jw *w, const char *json);
/* Begin a value at the current position (commas, indentation): for callers
 * that then append the value's text to w->out themselves. */
void jw_value_begin(struct jw *w);

/* Shorthands: name + value. */
void jw_kv_string(struct jw *w, const char *name, const char *s);
void jw_kv_u64(struct jw *w, const char *name, uint64_t v);
void jw_kv_i64(struct jw *w, const char *name, int64_t v);
void jw_kv_bool(struct jw *w, const char *name, bool v);

#endif
