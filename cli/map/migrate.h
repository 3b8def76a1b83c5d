/* SPDX-License-Identifier: GPL-2.0 */
/* Copying a map's entries into another map of a changed type, matching
 * fields by their BTF names (nested structs by path: "a.b", "x[1].y"):
 * `mapsh OLD migrate --to NEW`, and the loader's upgrade of a pinned map
 * (`mapsh load --migrate`).
 *
 * The rules, per field of the key and of the value:
 *   - the same field, the same or a wider type: copied (widened);
 *   - a narrower type: copied when every entry's value fits, else refused
 *     naming the entries that do not fit;
 *   - fields only in the new type: zero, or FIELD=VALUE of opts.sets;
 *   - fields only in the old type: reported as dropped;
 *   - opts.renames "OLD=NEW": the old field OLD goes to the new field NEW;
 *   - two old keys that become one new key: refused, both named;
 *   - more entries than the new map holds: refused.
 * The field mapping is compiled once into a plan of byte copies and
 * widenings, then run over the entries in flat arrays.
 *
 * Writes go through the write path (map/write.h): TO's write lock, the
 * undo journal (a migration killed midway is recovered as an apply is,
 * `mapsh NEW recover`), the audit log. migrate_run opens and ends the write
 * session on TO itself; the caller must not hold one. */
#ifndef MAPSH_MAP_MIGRATE_H
#define MAPSH_MAP_MIGRATE_H

#include <stdbool.h>
#include "map/mapref.h"

struct migrate_opts {
	const char *const *sets;    /* "FIELD=VALUE" for fields only in the new type (new-type paths) */
	int nsets;
	const char *const *renames; /* "OLD=NEW" field paths */
	int nrenames;
	bool dry_run;               /* report what would happen, change nothing */
	bool quiet;
	/* added after the first version; zero is the default */
	const char *audit_log;      /* --audit-log (NULL: $MAPSH_AUDIT_LOG or none) */
	bool no_wait;               /* fail when another writer holds TO */
	/* the plan's lines ("value packets: widened (__u32 to __u64)") and
	 * the summary; NULL: on stderr as notes. Refusals go to stderr. */
	void (*say)(void *arg, const char *line);
	void *say_arg;
};

/* Called between the first and the second sweep (the loader attaches the new
 * program there). Return 0 to go on, non-zero to abort (the new map is then left as
 * after the first sweep and migrate_run returns -1). */
typedef int (*migrate_between_fn)(void *arg);

/* Copy every entry of FROM into TO matching fields by BTF name (nested by path).
 * Refusals (narrowing that does not fit, two old keys to one new key, too many
 * entries) are reported naming the entries and nothing is written. With BETWEEN,
 * a second sweep after it carries over what changed in FROM since the first sweep,
 * counter fields by their delta. Returns 0, or -1 after reporting the error. */
int migrate_run(struct mapref *from, struct mapref *to, const struct migrate_opts *o,
		migrate_between_fn between, void *arg);

#endif
