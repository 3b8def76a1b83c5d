/* SPDX-License-Identifier: GPL-2.0 */
/* `mapsh MAP watch`: private to verb_watch.c (options, the per-key state,
 * one refresh, line mode) and watch_tty.c (the full-screen view).
 *
 * State kept between refreshes, per key: the key bytes, the tracked
 * counters (u64 each), a 32-bit hash of the value bytes and a flags byte,
 * packed in one arena of fixed-size records and found through an
 * open-addressing index of 32-bit record numbers. Nothing else of an entry
 * survives a refresh, except the few rows a refresh selects for display
 * (`held`, bounded by the screen or by limit N). */
#ifndef MAPSH_WATCH_H
#define MAPSH_WATCH_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <termios.h>
#include "cmd/cmd.h"
#include "cmd/ctx.h"
#include "output/entry_out.h"
#include "map/mapref.h"
#include "query/query.h"
#include "base/rowset.h"

#define WATCH_MAX_TRACKED 32
/* The shortest -i, in seconds (watch(1) has the same floor). */
#define WATCH_MIN_INTERVAL 0.1

/* Options of watch (watch_opts, in watch.c). */
enum { WOPT_INTERVAL = 0, WOPT_RATE, WOPT_DELTA, WOPT_COUNT, WOPT_ALL };

/* A value field whose change is tracked: a counter, or a numeric field a
 * `sort FIELD/s` asks the rate of. */
struct watch_field {
	const struct tv_leaf *leaf;
	bool counter;		/* monotonic: a decrease is a reset */
	bool show;		/* has a rate/delta column */
	bool fast;		/* plain little-endian u64 at leaf->offset */
	char name[160];		/* column name of the field ("packets") */
};

/* Rows held for display or sorting (held, a rowset: a heap while
 * selecting the top N): [key | value (folded over CPUs; per-CPU maps:
 * then every CPU's value) | deltas (u64 per tracked field) | flags], rec
 * bytes each. The flags: */
#define WROW_NEW	1u	/* first seen in this refresh */
#define WROW_RATE	2u	/* has deltas/rates (not the baseline) */
#define WROW_REMOVED	4u	/* gone (line mode: key only) */

/* The per-key state table. */
struct watch_tab {
	uint32_t ks, nt;
	size_t rec;		/* ks + 8 * nt + 4 + 1 */
	char *arena;		/* mmap'd, grown with mremap */
	size_t arena_bytes;
	uint32_t nrec;		/* records ever allocated (high-water) */
	uint32_t live;
	uint32_t free_head;	/* UINT32_MAX: none */
	uint32_t *idx;		/* record + 1; 0 = empty */
	uint32_t cap;		/* power of two */
	uint32_t hint;		/* predicted record of the next key */
};

/* One column of the view (text modes). */
struct watch_col {
	const struct eo_col *eo;	/* a key/value column, or NULL */
	int field;			/* else: index of a tracked field */
	char name[168];
	char sort_word[168];		/* how `sort` names it ("" if none) */
	bool sort_desc;			/* its default direction */
};

struct watch;

/* What a refresh reports as it reads, in line mode (the full-screen view
 * reads the held rows after the refresh instead). */
struct watch_sink {
	void (*begin)(struct watch *w);
	void (*row)(struct watch *w, const char *row);	/* a row to show */
	/* complete: every key was read (else an error or Ctrl-C) */
	void (*end)(struct watch *w, bool complete);
};

struct watch {
	struct ctx *ctx;
	const struct watch_sink *sink;	/* NULL: none (the full-screen view) */
	struct mapref *m;
	struct query *q;		/* the user's where/sort/limit/fields */
	struct query *sortq;		/* the active sort (q, or owned) */
	bool own_sortq;
	char sort_word[168];		/* active sort as shown */
	bool sort_desc;
	int sort_col;			/* index into cols, -1 */
	struct entry_out eo;

	/* options */
	double interval;
	long long count;		/* refreshes to do; -1 = forever */
	bool delta_mode;		/* --delta (else rates) */
	bool show_zero;			/* --all: arrays keep all-zero elements */
	bool tty;			/* the full-screen view */
	bool json;			/* line mode: JSON lines */

	struct watch_field t[WATCH_MAX_TRACKED];
	int nt;
	int nshow;			/* of them with a column */
	struct watch_col *cols;
	int ncols;

	struct watch_tab tab;
	struct rowset held;
	size_t hold_max;		/* rows to keep; SIZE_MAX = all */
	char *scratch;			/* one held record */
	uint8_t parity;

	/* the last refresh */
	unsigned long long refreshes;
	bool baseline;			/* it was the first: no rates */
	double dt;			/* seconds since the one before */
	uint64_t last_mono;		/* ns, CLOCK_MONOTONIC of the read */
	uint64_t last_real;		/* ns, CLOCK_REALTIME */
	bool rebase;			/* the next refresh is a baseline (a new map) */
	/* what watch_setup had, to set up again on a new map */
	const struct opt_vals *opts;
	int argc;
	char **argv;
	unsigned long long entries;	/* entries read (arrays: non-zero) */
	unsigned long long matched;	/* ... passing where */
	unsigned long long n_new, n_changed, n_removed;
	unsigned long long total_removed;
	/* Histogram fields of the value (tv_leaf_is_hist): their buckets
	 * summed over the matched entries, this refresh (total) and the
	 * change since the one before (delta: what arrived; a slot that went
	 * down was reset, its change is its value). */
	int nh;
	struct watch_hist {
		const struct tv_leaf *leaf;
		struct tv_hist total, prev, delta;
	} *h;
	/* The map-wide rate of each tracked counter (its changes over the
	 * matched entries summed, per second), the last WATCH_SPARK refreshes
	 * oldest first: the sparklines of the full-screen view. */
#define WATCH_SPARK 20
	double sum_delta[WATCH_MAX_TRACKED];
	double spark[WATCH_MAX_TRACKED][WATCH_SPARK];
	unsigned nspark;
	char err[256];			/* why a refresh failed */
	char note[384];			/* the view: the last reload followed */
};

/* The options every view has (interval, count, rate or delta) for
 * ctx->map: EXIT_OK or a usage error. */
int watch_init(struct watch *w, struct ctx *ctx, const struct opt_vals *opts);
/* The fields, columns, sort and state of a map with keys, from the other
 * options and the where/sort/limit/fields words: EXIT_OK (then
 * watch_free), or the error printed with nothing to free. */
int watch_setup(struct watch *w, const struct opt_vals *opts, int argc,
		char **argv);
void watch_free(struct watch *w);
/* Line mode (lines.c): the sink, and refreshes until --count or Ctrl-C. */
extern const struct watch_sink watch_lines_sink;
int watch_lines_run(struct watch *w);

/* Before a refresh: has the pin of the map moved (map/repin.h)? 0: no;
 * 1: the watch was set up again on the new map (its types, the query
 * parsed against them; the refresh count goes on, the next refresh is a
 * baseline; the view shows the line in w->note); -1: stop with EXIT_FAIL
 * (the pin is gone, or the query does not fit the new map): what is left
 * to say is in w->err (empty when all was said on stderr). */
int watch_follow_pin(struct watch *w);
/* One refresh: read the map, update the state, select rows (and hand them
 * to the sink as they come). 0, or -1 with w->err set. */
int watch_refresh(struct watch *w);
/* Sort the held rows with the active sort. */
void watch_sort_held(struct watch *w);
/* Make `word` (a sort item: a field or FIELD/s) the active sort. 0, or -1
 * when the query engine refuses it. */
int watch_set_sort(struct watch *w, const char *word, bool desc);
/* The row at display position i of the held rows. */
static inline const char *watch_row(const struct watch *w, size_t i)
{
	return rowset_at(&w->held, i);
}
/* Parts of a held row. */
const void *watch_row_value(const struct watch *w, const char *row);
/* Per-CPU maps: every CPU's value as read (lookup_size bytes); else NULL. */
const void *watch_row_raw(const struct watch *w, const char *row);
uint64_t watch_row_delta(const struct watch *w, const char *row, int field);
unsigned watch_row_flags(const struct watch *w, const char *row);
/* The rate of tracked field f of a row; NaN when there is none. */
double watch_row_rate(const struct watch *w, const char *row, int f);
/* Text of one cell of a row into sb (tty: human rates). */
void watch_cell_text(const struct watch *w, const struct watch_col *c,
		     const char *row, bool human, struct strbuf *sb);
/* A rate: "12.5" (at most 3 decimals), human: "1.2k", "3.4M"; "-" NaN. */
void watch_rate_text(struct strbuf *sb, double r, bool human);
/* The same as a JSON number (null for NaN). */
void watch_json_rate(struct jw *jw, double r);
/* "2025-01-02T03:04:05.678Z" */
void watch_time_iso(uint64_t real_ns, char *buf, size_t len);
/* "3/16384 entries, 0.0% full" (arrays: elements non-zero). */
void watch_usage_text(const struct watch *w, struct strbuf *sb);

/* ---- watch_tty.c ---- */

/* The full-screen view until q, Ctrl-C, SIGTERM or --count. */
int watch_tty_run(struct watch *w);

/* ---- watch_ring.c ---- */

/* A ring buffer: follow's records, with a rate line (records/s, bytes/s)
 * per interval; full-screen on a terminal. The map verb table routes
 * watch of a ring buffer here. */
int verb_watch_ring(struct ctx *ctx, const struct cmd *cmd,
		    const struct opt_vals *opts, int argc, char **argv);

#endif
