/* SPDX-License-Identifier: GPL-2.0 */
/* The audit log: JSON lines, one object a line, for every change a
 * writing verb makes (update, add, replace, set, delete, clear, apply,
 * push, pop, drain, recover, and the rollback of an interrupted write),
 * appended to the file named by --audit-log FILE or, without it, by
 * $MAPSH_AUDIT_LOG.
 *
 * A change is written in two steps, so that a kill at any moment leaves a
 * trace: first its intent, synced to disk, then the change, then its
 * result, synced to disk, before mapsh says it is done. A change of one
 * entry is one intent record and one result record; a batch (apply, clear:
 * up to 8192 entries) is one intent record per entry and one result record
 * for the batch. Records of one write share its "txn":
 *
 *   {"time":"2024-05-01T09:30:00.123Z",
 *    "user":{"uid":0,"name":"root","sudo_user":"alice"},"pid":4242,
 *    "map":{"name":"blocklist","id":17},"op":"update",
 *    "txn":"18c2f3a9b4e01a2f-4242-1","state":"intent",
 *    "key":{...},"old":{...}|null,"new":{...}|null}
 *   {"time":...,"user":...,"pid":4242,"map":...,"op":"update",
 *    "txn":"18c2f3a9b4e01a2f-4242-1","state":"done","changes":1}
 *
 * The result's state is "done" (every intent of the txn was made) or
 * "failed" (with "error": the kernel's refusal; "changes": how many of its
 * intents, in order, were made). "gone": [key, ...] lists keys whose
 * delete found the entry already gone (deleted meanwhile by a program, or
 * evicted): those intents were not made by mapsh. A pop's result holds the
 * element taken ("old") when it is not the one its intent names. An intent
 * without a result means the process died (or the log failed) in between:
 * the change may or may not be in the map (mapsh MAP recover tells).
 *
 * time is UTC; user.name is null when the uid has no name and sudo_user
 * only appears under sudo. key, old and new are typed JSON as in
 * `mapsh -j MAP dump` (old null: the entry was created; new null: it was
 * deleted). Per-CPU maps log old/new as dump shows them: counters and
 * plain integers summed over the CPUs, other fields the CPUs' one value;
 * when such a field differs between the CPUs, old/new is the string
 * "per_cpu". Always also "old_per_cpu"/"new_per_cpu": [CPU 0's value, ...].
 *
 * The log is opened before the first write of a command: when it cannot
 * be, the command fails and the map is not touched. It must be a regular
 * file: it is opened with O_NOFOLLOW (a symbolic link is refused) and
 * O_NONBLOCK (a FIFO, a device or a directory is refused at once), created
 * 0600. Records are appended under an flock(2) of the log, so several
 * mapsh processes can share it; a record cut short by a full disk is cut
 * off again. When a record cannot be written, the change is not made, or
 * is undone (map/write.h), and the command fails. */
#ifndef MAPSH_AUDIT_H
#define MAPSH_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "map/mapref.h"
#include "base/strbuf.h"

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

/* The records of one write: audit_txn_begin, one audit_txn_add per
 * entry (in the order they are written; entries whose old and new are the
 * same bytes are no change and get no intent), audit_txn_intent before the
 * write and audit_txn_result after it. All are no-ops when the log is off.
 * The two writers return 0 or -errno (the log could not be written; the
 * caller says so). */
struct audit_txn {
	const struct mapref *m;
	const char *op;
	bool on;
	char id[64];
	struct strbuf lines;		/* the intents, not yet written */
	unsigned char *has;		/* per entry: it has an intent */
	size_t n, cap, nintent;
	const void *taken;		/* a pop: the element taken, when not the intent's */
};
void audit_txn_begin(struct audit_txn *t, const struct mapref *m, const char *op);
void audit_txn_add(struct audit_txn *t, const void *key, const void *old,
		   const void *new);
int audit_txn_intent(struct audit_txn *t);
/* done: entries made, in order (gone ones included); gone: indexes of
 * the ngone entries whose delete found nothing, in keys (the entries'
 * keys, key_size apart); err: errno of the kernel's refusal, 0. */
int audit_txn_result(struct audit_txn *t, size_t done, const void *keys,
		     const size_t *gone, size_t ngone, int err);
void audit_txn_free(struct audit_txn *t);
/* A record of a change that is no entry (create: a new map and its
 * pin): the head, then members(jw, arg) into the object, and "error"
 * when err. state: "intent", "done" or "failed". 0 or -errno; a no-op
 * when the log is off. */
struct jw;
int audit_txn_note(struct audit_txn *t, const char *state,
		   void (*members)(struct jw *jw, const void *arg),
		   const void *arg, int err);
/* The log open now (for messages), NULL when off. */
const char *audit_open_path(void);

/* The JSON of one change as the log writes it, without time/user/map
 * (apply --dry-run lists its changes with this): "key", "old", "new" and
 * per-CPU "old_per_cpu"/"new_per_cpu" members into the open object. */
struct jw;
void audit_json_members(struct jw *jw, const struct mapref *m,
			const void *key, const void *old, const void *new);

#endif
