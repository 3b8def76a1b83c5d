/* SPDX-License-Identifier: GPL-2.0 */
/* Record lines: how drain and follow print what they take out of a map
 * (verbs/stream.c), the queue and stack verbs (verbs/queue.c) and watch
 * on a ring buffer.
 *
 * CSV (--format csv): a header of the record's fields, then a row each.
 * Text: one line per record, the record's text form without its outer
 * braces ("type=EVENT_TYPE_NEW_FLOW src_ip=10.0.0.1 ..."), ktime fields as
 * wall-clock times; bytes ("0a 00 00 01") when no type is known.
 * JSON (-j, -p, --jsonl alike: compact): one object per line, never an
 * array:
 *   every record      {"value": V}: ring buffer and perf records, queue
 *                     and stack elements alike (pop, peek and bpftool's
 *                     shape); ktime fields in V are numbers (ns since
 *                     boot), beside "value" a member "wall" holds them as
 *                     UTC times {"PATH": "2024-05-01T12:00:00.123456789Z"}
 *   no type           {"value": ["0x0a", ...]} (bpftool's raw bytes)
 *   --format bpftool  {"key": [], "value": ["0x0a", ...]} (+ "formatted"
 *                     for a queue or stack with BTF of its own)
 *   --timestamp       a first member "received": "2024-05-01T12:00:00.123456Z"
 *                     (text: a first word)
 *   perf lost counts  {"lost": N, "cpu": C} (text: "lost N samples on CPU C")
 *   perf records      a member "on_cpu": C after "received", the CPU whose
 *                     buffer held it (text: a word on_cpu=C)
 * Records are formatted straight into the output buffer, which is written
 * when it holds 64 KiB and whenever the caller flushes (once per batch). */
#ifndef MAPSH_RECORDS_H
#define MAPSH_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/json_writer.h"
#include "output/output.h"
#include "tval/tval.h"
#include "output/bpfjson.h"

struct tvf;

struct rec_out {
	struct out *o;
	const struct tv_plan *plan;	/* NULL: records shown as bytes */
	uint32_t size;			/* bytes of a typed record */
	bool json;
	bool wrap;			/* JSON {"value": V} (queue elements) */
	bool timestamp;
	int cpu;			/* >= 0: the perf buffer's CPU, shown as
					 * "on_cpu" (set before each record) */
	const char *name;		/* the map, for the warning about sizes */
	bool warned;			/* a record of another size was seen */
	unsigned long long records, bytes, lost;
	struct jw jw;
	struct tvf *fast;		/* JSON lines: compiled formatter */
	const struct mapref *bj;	/* --format bpftool: the map (set by
					 * the caller after rec_out_init) */
};

/* plan may be NULL. Text mode switches the plan's ktime display to wall
 * clock (TV_KTIME_WALL). */
void rec_out_init(struct rec_out *r, struct out *o, const char *name,
		  struct tv_plan *plan, bool wrap, bool timestamp);
void rec_out_fini(struct rec_out *r);
/* Append one record (len bytes) to the output buffer. */
void rec_out_add(struct rec_out *r, const void *data, size_t len);
/* A perf buffer lost n samples on cpu. */
void rec_out_lost(struct rec_out *r, unsigned long long n, int cpu);
/* "N records, M bytes" on stderr when it is a terminal. */
void rec_out_summary(const struct rec_out *r, const char *what);

#endif
