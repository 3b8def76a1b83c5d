/* SPDX-License-Identifier: GPL-2.0 */
/* The audit log: one JSON line per change that a writing verb made
 * (update, add, replace, set, delete, clear, apply), appended to the file
 * named by --audit-log FILE or, without it, by $MAPSH_AUDIT_LOG:
 *
 *   {"time":"2024-05-01T09:30:00.123Z",
 *    "user":{"uid":0,"name":"root","sudo_user":"alice"},"pid":4242,
 *    "map":{"name":"blocklist","id":17},"op":"update",
 *    "key":{...},"old":{...}|null,"new":{...}|null}
 *
 * time is UTC; user.name is null when the uid has no name and sudo_user
 * only appears under sudo. key, old and new are typed JSON as in
 * `mapsh -j MAP dump` (old null: the entry was created; new null: it was
 * deleted). Per-CPU maps log old/new as the sum over the CPUs, as dump
 * shows it, plus "old_per_cpu"/"new_per_cpu": [CPU 0's value, ...].
 *
 * Only writes the kernel accepted are logged, one record each, after the
 * write. Each record is one write(2) on a file opened with O_APPEND, so
 * several mapsh processes can share a log. The log is opened before the
 * first write of a command: when it cannot be, the command fails and the
 * map is not touched. */
#ifndef MAPSH_AUDIT_H
#define MAPSH_AUDIT_H

#include <stdbool.h>
#include <linux/types.h>
#include "map/mapref.h"

/* --audit-log FILE: a copy of path for the settings' audit_log that lives
 * until exit (the words of a REPL or batch line do not outlive the line). */
const char *audit_keep_path(const char *path);
/* The log in effect: setting (--audit-log), else $MAPSH_AUDIT_LOG; NULL
 * when off. */
const char *audit_path(const char *setting);

/* Open the log before a command's first write. EXIT_OK (also when auditing
 * is off), or EXIT_FAIL after printing "mapsh: MAP VERB: audit log ...". */
int audit_begin(const char *setting, const struct mapref *m, const char *verb);
/* Is a log open for the command (audit_begin succeeded with a path)? */
bool audit_active(void);

/* The current value under key (m->lookup_size bytes, malloc'ed) for a
 * record's "old"; NULL when auditing is off or there is no entry. */
void *audit_old(const struct mapref *m, const void *key);
/* The current values of n keys (key_size bytes apart) packed
 * m->lookup_size bytes apart; missing entries read as zero. NULL when
 * auditing is off. */
void *audit_old_n(const struct mapref *m, const void *keys, __u32 n);

/* One change the kernel accepted. old/new are lookup bytes (every CPU of a
 * per-CPU map), NULL for no entry. */
void audit_change(const struct mapref *m, const char *op, const void *key,
		  const void *old, const void *new);
/* n changes: keys key_size bytes apart, olds and news m->lookup_size bytes
 * apart (news NULL: every entry deleted). Entries whose old and new values
 * are the same bytes are not changes and are skipped. */
void audit_changes(const struct mapref *m, const char *op, const void *keys,
		   const void *olds, const void *news, __u32 n);

/* The JSON of one change as the log writes it, without time/user/map
 * (apply --dry-run lists its changes with this): "key", "old", "new" and
 * per-CPU "old_per_cpu"/"new_per_cpu" members into the open object. */
struct jw;
void audit_json_members(struct jw *jw, const struct mapref *m,
			const void *key, const void *old, const void *new);

#endif
