/* SPDX-License-Identifier: GPL-2.0 */
/* Histograms through the output layer, drawn as bcc and bpftrace draw
 * them. Text on a terminal (or with bars asked for):
 *   slots: count 10, sum 87, p50 6, p90 28, p99 31
 *   [0]          1 |███████▌                          |
 *   [1]          0 |                                  |
 *   [2, 4)       2 |███████████████                   |
 * one line per bucket from the first to the last that is not empty, the
 * bar of the largest bucket as wide as the terminal leaves (at least 10
 * columns), UTF-8 blocks in eighths, or '#' with LANG=C (no UTF-8 locale)
 * or NO_COLOR set. In a pipe without bars, the bucket table: the summary
 * line, then "NAME<TAB>LO<TAB>HI<TAB>COUNT" for each of those buckets.
 * JSON: {"count": N, "sum": S (where known), "p50": .., "p90": .., "p99": ..,
 * "buckets": [{"min": LO, "max": HI, "count": C}, ...]} with every bucket
 * (bounds inclusive; percentiles estimated from the buckets, tv_hist). */
#ifndef MAPSH_OUTPUT_HIST_H
#define MAPSH_OUTPUT_HIST_H

#include <stdbool.h>
#include "output/output.h"
#include "tval/tval.h"

struct hist_style {
	bool bars;	/* draw bars (a table on a terminal, or asked for) */
	bool utf8;	/* block characters, else '#' */
	unsigned cols;	/* the terminal's width */
};

/* The style for o: bars when o is a table or bars is asked; the width of
 * the terminal on o (else $COLUMNS, else 80). */
void hist_style_init(struct hist_style *st, const struct out *o, bool bars);
/* One histogram in text modes, under the title name (a field path). */
void hist_text(struct out *o, const struct hist_style *st, const char *name,
	       const struct tv_hist *h);
/* One histogram as a JSON object at the writer's position. */
void hist_json(struct jw *jw, const struct tv_hist *h);

/* Two histograms of the same buckets side by side (watch: the total and
 * the change of the last interval, labelled dlabel): two summary lines
 * ("NAME: total count ..", "NAME: DLABEL count .."), then
 * per bucket "RANGE TOTAL |bar| +DELTA |bar|", each bar half the width;
 * lines appended to sb, each ending in '\n'. Without bars (st->bars
 * false) the bucket table "NAME LO HI TOTAL DELTA", tab-separated. */
void hist_pair_lines(struct strbuf *sb, const struct hist_style *st,
		     const char *name, const struct tv_hist *total,
		     const struct tv_hist *delta, const char *dlabel);
/* A sparkline of v[0..n) (oldest first), scaled to their largest: UTF-8
 * eighth blocks, else " .:-=+*#". */
void hist_spark(struct strbuf *sb, const double *v, unsigned n, bool utf8);

#endif
