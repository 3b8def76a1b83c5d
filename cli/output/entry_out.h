/* SPDX-License-Identifier: GPL-2.0 */
/* Map entries through the output layer, typed.
 *
 * Text (table on a tty, tab-separated when piped): one column per
 * non-padding leaf of the key, then of the value, named by the leaf's
 * dotted path ("src_ip", "inner.a", "x[1].y"); a scalar key or value is
 * the column "key" / "value"; a name that both the key and the value have
 * becomes "key.NAME" and "value.NAME". LPM keys are one "prefix" column
 * ("10.0.0.0/8"). Per-CPU maps show the value folded over CPUs
 * (tv_plan_accumulate: counters and plain integers summed), a field that
 * is not folded (tv_leaf_fold NONE) each CPU's where the CPUs differ
 * (eo_value_text), or with per_cpu one row per CPU after a "cpu" column. A selection of fields (dump ... fields a,b) gives exactly those
 * columns. Bytes no field covers (holes, unnamed bitfield bits, a
 * string's bytes after its NUL) are shown where they are not zero, so
 * that entries that differ only there look different: in a table a
 * trailing column "@uncovered" ("key.@uncovered" and "value.@uncovered"
 * when both the key and the value can have them) holding "0x..", present
 * when a row before the header was printed had it; where no header
 * names them (plain output, rows of a long table after the first
 * OUT_TABLE_BUFFER_ROWS) as trailing words "@uncovered=0x.." (with the
 * same key./value. prefix). CSV, whose rows must all have the header's
 * columns, always has those columns (empty cells where zero). Fields
 * that leave no room for them (OUT_MAX_COLS) make one cell of the whole
 * key and one of the value, as too many fields do: their text has the
 * bytes.
 *
 * JSON (-j array, --jsonl lines), bpftool's shape:
 *   {"key": K, "value": V}
 *   per-CPU maps: {"key": K, "value": <sum>,
 *                  "per_cpu": [{"cpu": 0, "value": V0}, ...]}
 *   ("value" only when mapref_one_value: no field that is not folded
 *   differs between CPUs; flat objects leave such fields out)
 *   with eo->wall and ktime fields in the value, a member "wall" after
 *   "value": {"first_seen": "2024-05-01T12:00:00.123456789Z"} (ISO 8601
 *   UTC; the number in "value" stays the raw ns since boot)
 *   --format bpftool (out.bpftool): bpftool's shape, output/bpfjson.h
 * K and V are tv_format_json (raw maps: ["0x0a","0x00",...]). With a field
 * selection each entry is a flat object of the selected columns
 * ({"src_ip": "10.0.0.1", "packets": 7}; per-CPU maps add "per_cpu":
 * [{"cpu": 0, "packets": 3}, ...] with the selected value fields). */
#ifndef MAPSH_ENTRY_OUT_H
#define MAPSH_ENTRY_OUT_H

#include <stdbool.h>
#include "map/mapref.h"
#include "output/output.h"
#include "base/strbuf.h"
#include "tval/tval.h"

#include "query/query.h"
#include "output/hist.h"

struct tvf;

enum eo_col_kind {
	EO_COL_LEAF,	/* one leaf of the key or value */
	EO_COL_WHOLE,	/* the whole key or value as text */
	EO_COL_LPM,	/* an LPM key as ADDR/LEN */
	EO_COL_CPU,	/* the CPU of a per-CPU row */
};

struct eo_col {
	enum eo_col_kind kind;
	bool in_key;
	const struct tv_leaf *leaf;
	char name[160];
};

struct entry_out {
	struct out *o;
	const struct mapref *m;
	bool per_cpu;		/* text: one row per CPU */
	bool flat;		/* a field selection: flat JSON objects */
	bool json_lines;	/* JSON: the writer's lines (jw_set_lines) */
	bool wall;		/* JSON: "wall" after "value" (bpfjson.h:
				 * out_json_wall); dump, lookup, peek, pop
				 * set it, save does not */
	int ncols;
	struct eo_col cols[OUT_MAX_COLS];
	struct strbuf cell;
	void *total;		/* scratch: one value, summed over CPUs */
	void *view;		/* scratch: one CPU's view (eo_match) */
	/* Compiled formatters (tval_fast.h) for the common shapes, NULL
	 * where the generic path runs: */
	struct tvf *row;	/* plain: one whole line */
	struct tvf *kv;		/* compact JSON: the key, then the value */
	struct tvf *cpu_value;	/* compact JSON: one CPU's value */
	struct tvf *cellf[OUT_MAX_COLS];	/* table: one cell a column */
	unsigned fast_flags[2];	/* key, value plan flags they were built for */
	bool fast_now;		/* they may run for the current entry */
	const void *raw;	/* per-CPU maps: the current entry's lookup */
	/* Bytes no field covers (tv_add_uncovered) of the key (0) and the
	 * value (1) in text rows: unc_slot is the trailing cell after the
	 * columns that shows them (-1: that side has none), unc_name its
	 * header, unc the current row's "0x.." (empty: all zero). */
	int nunc;
	int unc_slot[2];
	char unc_name[2][24];
	struct strbuf unc[2];
};

/* q may be NULL (every field). */
void eo_init(struct entry_out *eo, struct out *o, const struct mapref *m,
	     const struct query *q, bool per_cpu);
void eo_fini(struct entry_out *eo);
/* Sum the per-CPU values of one lookup (m->lookup_size bytes) into
 * eo->total and return it; non-per-CPU maps return raw itself. */
const void *eo_total(struct entry_out *eo, const void *raw);
/* Whether entry (key, value from eo_total, raw lookup) passes `where` q
 * (NULL: always). Per-CPU maps: q holds when it holds for some CPU, i.e.
 * with the summed fields and that CPU's value of every field not summed
 * (mapref_cpu_view); so `flags == 1` finds an entry where any CPU holds 1. */
bool eo_match(struct entry_out *eo, const struct query *q, const void *key,
	      const void *value, const void *raw);
/* For `sort`: in eo->total (what eo_total returned for raw), each field
 * not summed becomes its largest CPU value (mapref_max_cpus). */
void eo_sort_value(struct entry_out *eo, const void *raw);
/* One entry as one record of a list (per_cpu text: one per CPU). value is
 * what eo_total returned, raw the lookup's bytes. */
/* Records that eo_format_rows can write apart from the output layer, on
 * the threads that read the map, each into its own buffer: plain rows
 * (the compiled row formatter, no per-CPU values, no -H) and compact JSON
 * and JSON lines (the compiled key and value formatter, no per-CPU
 * values, no field selection, not bpftool's form). */
bool eo_rows_apart(const struct entry_out *eo);
/* The records of n entries (keys and values packed) appended to sb, as
 * eo_entry would print them (for out_records_text); reads eo only. */
void eo_format_rows(const struct entry_out *eo, const char *keys,
		    const char *values, __u32 n, struct strbuf *sb);
/* eo_format_rows for a callback that hands its entry_out over as arg (the
 * split readers' formatter, mapiter_format_in_readers). */
void eo_format_rows_fn(void *arg, const char *keys, const char *values,
		       __u32 n, struct strbuf *sb);
void eo_entry(struct entry_out *eo, const void *key, const void *value,
	      const void *raw);
/* The members of one entry in the current JSON object (lookup -j). */
void eo_json_members(struct entry_out *eo, const void *key,
		     const void *value, const void *raw);
/* No entry was shown: in a table, the header and "(0 entries)". */
void eo_empty(struct entry_out *eo);
/* One entry on its own, as lookup shows it: a JSON object (not a list of
 * one), else a list of one record. */
void eo_single(struct entry_out *eo, const void *key, const void *value,
	       const void *raw);
/* The column of a key (in_key) or value leaf is named by its dotted path;
 * "key" / "value" when it has no name (a scalar); "key.NAME" /
 * "value.NAME" when other (the plan of the value / key) has a leaf of the
 * same name. */
void eo_leaf_col_name(const struct tv_leaf *leaf, bool in_key,
		      const struct tv_plan *other, char *buf, size_t size);
/* A value leaf's cell (l NULL: the whole value) of one entry: value is
 * what eo_total returned; for per-CPU maps raw is the lookup (NULL: no
 * per-CPU view), and a leaf that is not folded (tv_leaf_fold NONE) whose
 * CPUs differ shows each distinct value after the CPUs holding it:
 * "cpu0,2-3=0x10|cpu1=0x1". */
void eo_value_text(const struct mapref *m, const struct tv_leaf *l,
		   const void *value, const void *raw, struct strbuf *sb);
/* Names of value fields that a per-CPU view does not sum (tv_leaf_fold
 * NONE), comma-separated into sb; false when none. */
bool eo_cpu0_fields(const struct entry_out *eo, struct strbuf *sb);

/* Histograms (output/hist.h) in the value: the number of value leaves
 * that are histograms (0 with a field selection). */
int eo_nhist(const struct entry_out *eo);
/* h = the histogram of value leaf l of an entry (value from eo_total),
 * with the sum its struct keeps beside it (sum, total, *_sum) if any. */
void eo_hist_of(const struct entry_out *eo, const struct tv_leaf *l,
		const void *value, struct tv_hist *h);
/* One entry followed by its histograms: in text modes a table (tab-
 * separated lines) of its own then each histogram drawn (hist_text);
 * in JSON the entry's object with one more member, "histograms": {FIELD:
 * hist_json, ...}. Call between out_list_begin and out_list_end. */
void eo_entry_hist(struct entry_out *eo, const struct hist_style *st,
		   const void *key, const void *value, const void *raw);

#endif
