/* SPDX-License-Identifier: GPL-2.0 */
/* tval_fast: formatters compiled for the hot loop of a dump. A program is
 * a list of steps, each a literal followed by one value read at a fixed
 * offset of one of the records it is given. It prints byte for byte what
 * tv_leaf_format_text / tv_format_json (compact) print, with the common
 * cases (integers, ports, ipv4, ipproto, tcpflags, ktime) written straight
 * into the buffer and anything else handed to those functions.
 *
 * A program reflects the plan flags (TV_TEXT_EXACT, TV_KTIME_WALL) at the
 * time it was built: build it again after changing them. The reference
 * clock of ktime ages is read when it runs. */
#ifndef MAPSH_TVAL_FAST_H
#define MAPSH_TVAL_FAST_H

#include <stdbool.h>
#include <stddef.h>
#include "base/strbuf.h"
#include "tval/tval.h"

struct tvf;

/* NULL on out-of-memory. */
struct tvf *tvf_new(void);
void tvf_free(struct tvf *f);
/* Append literal bytes. */
void tvf_lit(struct tvf *f, const char *s, size_t n);
/* Leaf l of the record recs[src] as tv_leaf_format_text prints it, with
 * control bytes (there should be none) as spaces. */
void tvf_leaf_text(struct tvf *f, const struct tv_leaf *l, unsigned src);
/* The record recs[src] as tv_format_json(p) prints it without pretty
 * printing. */
void tvf_plan_json(struct tvf *f, const struct tv_plan *p, unsigned src);
/* Was everything added (no allocation failed, nothing too deep)? A
 * program that is not ok must not be run. */
bool tvf_ok(const struct tvf *f);
/* Append the output for these records (as many as the sources used). */
void tvf_run(const struct tvf *f, struct strbuf *sb, const void *const *recs);

/* The inverse of tvf_run on text: read what the program prints into the
 * records (recs[src], their bytes outside what the program covers kept).
 * Returns the bytes of text it read, or 0 when text is not in the form
 * the program prints (the caller then uses the general parsers). *exact
 * says whether every value was read by its exact inverse; when it is
 * false the read is only a candidate: the caller checks that tvf_run
 * prints those bytes back from the records. Text steps (tvf_leaf_text)
 * are not read: 0. */
size_t tvf_read(const struct tvf *f, const char *text, size_t len,
		void *const *recs, bool *exact);

#endif
