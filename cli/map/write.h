/* SPDX-License-Identifier: GPL-2.0 */
/* The one write path: every change mapsh makes to a map goes through here:
 * the map's write lock (map/lock.h), the kernel call, its audit records
 * (map/audit.h: the intent before, the result after), and for writes of
 * several entries the undo journal (map/journal.h).
 *
 * The dispatcher opens a write session for the verbs whose table row says
 * CMD_WRITES (cmd/cmd.h) with mapw_begin, which takes the map's write lock
 * before the verb reads anything it will change; the lock is held until
 * mapw_end (or mapw_release). A write outside a session, or to another
 * map than the session's, is refused. The first write of the session (or
 * mapw_prepare) opens the audit log; when that fails the write is not
 * made.
 *
 * Each call returns 0, -errno (the kernel's refusal), or MAPW_PRINTED when
 * it printed why it wrote nothing (no session, the lock, the audit log). */
#ifndef MAPSH_MAP_WRITE_H
#define MAPSH_MAP_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "map/mapref.h"

#define MAPW_PRINTED (-100000)

/* Entries a batch writes at most; a signal is looked at between batches. */
#define MAPW_CHUNK 8192

/* The exit code for a failed write: EXIT_FAIL after printing the kernel's
 * refusal of key (mapref_write_error), or the message already printed. */
int mapw_error(const struct mapref *m, const char *verb, int rc,
	       const void *key);

struct mapw_session {
	const char *audit_log;	/* --audit-log (NULL: $MAPSH_AUDIT_LOG or none) */
	const char *verb;	/* names the records ("update", "clear") */
	bool no_wait;		/* --no-wait: fail when another writer holds the map */
	bool recovering;	/* recover: may write while a journal is there */
};

/* Open the session on m and take m's write lock (waiting for another
 * writer, or failing under no_wait). Refused while an interrupted write's
 * journal is there (unless recovering). EXIT_OK, or EXIT_FAIL after
 * printing. */
int mapw_begin(const struct mapw_session *s, const struct mapref *m);
void mapw_end(void);
/* Before reading what will be written: the lock (taken again after
 * mapw_release) and the audit log open (a pop prints an element before it
 * removes it). EXIT_OK, or EXIT_FAIL after printing. */
int mapw_prepare(const struct mapref *m);
/* Let other writers in (apply --watch between rounds): the next
 * mapw_prepare or write takes the lock again. */
void mapw_release(const struct mapref *m);
/* The session's map was replaced under a long-running writer (a reload
 * followed, map/repin.h): its writes now go to m, under m's lock. */
void mapw_follow(const struct mapref *m);

int mapw_update(const struct mapref *m, const void *key, const void *value,
		__u64 flags);
int mapw_delete(const struct mapref *m, const void *key);
/* Queues and stacks: add an element; take the next one into value. */
int mapw_push(const struct mapref *m, const void *value, __u64 flags);
int mapw_pop(const struct mapref *m, void *value);
/* A map of maps: the inner map inner_fd (id inner_id) at key; the record
 * holds inner map ids. */
int mapw_inner(const struct mapref *m, const void *key, int inner_fd,
	       __u32 inner_id, __u64 flags);

/* A new map (create): m is the map made and not yet pinned (nobody sees
 * it; closing m->fd frees it). Its intent record ("op":"create", with
 * members(jw, arg)), the pin at pin, the result record; when a record
 * cannot be written the map is not pinned (or the pin is taken back).
 * 0, -errno (the pin failed), or MAPW_PRINTED. */
struct jw;
int mapw_create(const char *audit_log, const struct mapref *m, const char *pin,
		void (*members)(struct jw *jw, const void *arg), const void *arg);

/* ---- writes of several entries, undoable ----
 *
 *   mapw_journal_begin(m, n);                     room for n changes
 *   mapw_journal_add(m, key, old, new) ...        each change, in order:
 *                                                 old NULL: no entry
 *                                                 before; new NULL: delete
 *   mapw_journal_commit(m);                       synced to disk: writes
 *                                                 may start
 *   mapw_journal_write(m, &done);                 writes them all
 *   mapw_journal_done(m);                         after the last write
 *
 * old and new are lookup bytes (every CPU of a per-CPU map). The BPF
 * programs see the map change batch by batch: this is not a transaction
 * of the kernel's, only an undo log. Each returns EXIT_OK or an exit code
 * after printing one line. */
int mapw_journal_begin(const struct mapref *m, size_t n);
int mapw_journal_add(const struct mapref *m, const void *key, const void *old,
		     const void *new);
int mapw_journal_commit(const struct mapref *m);
/* Every journaled change in order, in batches of at most MAPW_CHUNK
 * entries; between batches a SIGINT or SIGTERM (base/interrupt.h) stops
 * it. *done: the changes made (a delete that found the entry gone is not
 * one). When it cannot finish (a signal, the kernel's refusal, the audit
 * log), what it wrote is rolled back (mapw_rollback) and one line says
 * so: "mapsh: flows apply: interrupted: rolled back 12,643 changes; the
 * map is as it was". Returns EXIT_OK, 128 + the signal, or EXIT_FAIL. */
int mapw_journal_write(const struct mapref *m, size_t *done);
/* For the next mapw_journal_write only: fn is called for each update just
 * before its batch is written, and may change the new bytes in place. A
 * map a program keeps writing (the second sweep of a migrate) then adds
 * what the program counted since the journal was made, in a window of one
 * batch instead of the whole write. */
typedef void (*mapw_fresh_fn)(void *arg, const void *key, void *new);
void mapw_journal_fresh(mapw_fresh_fn fn, void *arg);
/* Every journaled key back to its old bytes (the ones that differ), then
 * the journal removed; *restored: how many were written back. EXIT_OK, or
 * EXIT_FAIL after printing (the journal stays for recover). */
int mapw_rollback(const struct mapref *m, size_t *restored);
/* After the last write: the journal removed. */
void mapw_journal_done(const struct mapref *m);

/* recover: the journal an interrupted write left, applied backwards
 * (every key to its old bytes) or forwards (to its new bytes), then
 * removed. Safe to interrupt and run again. *found: there was one;
 * *written: entries written; who: "apply (pid 4242, ...)". EXIT_OK, 128 +
 * signal, or EXIT_FAIL after printing. */
int mapw_recover(const struct mapref *m, bool forward, bool *found,
		 size_t *written, char *who, size_t whon);
/* recover --discard: forget the journal, leave the map as it is. */
int mapw_discard(const struct mapref *m, bool *found);

/* 12,643 */
const char *mapw_count_text(size_t n, char *buf, size_t len);

#endif
