/* SPDX-License-Identifier: GPL-2.0 */
/* The undo journal of a write of several entries (apply, clear): before
 * the first write, every key it will change with its old bytes (or
 * "absent") and its new bytes (or "delete"), as one file
 * STATE/journal/ID (map/lock.h: STATE, the map id ID). The file is written
 * to a temporary name, synced, renamed and its directory synced: a
 * journal that is there is whole. It is removed after the last write, or
 * after a rollback. One that is there while nobody holds the map's write
 * lock is the trace of a writer that died (SIGKILL, a crash, a power cut
 * with a persistent $MAPSH_STATE_DIR): `mapsh MAP recover` puts every
 * journaled key back (--forward: finishes the write).
 *
 * The file: a header (struct jrnl_hdr), then n flag bytes (JF_OLD: the
 * key had an entry, JF_NEW: it gets one), n keys, n old values and n new
 * values (lookup bytes: every CPU of a per-CPU map; zero when absent),
 * then an FNV-1a 64 checksum of all that. This floor's own format: only
 * mapsh reads it. The write path (map/write.h) drives it; this file only
 * builds, stores and reads journals. */
#ifndef MAPSH_MAP_JOURNAL_H
#define MAPSH_MAP_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "map/mapref.h"

#define JF_OLD 1u
#define JF_NEW 2u

struct jrnl {
	__u32 map_id, key_size, lookup_size;
	size_t n, cap;
	unsigned char *flags;
	char *keys, *olds, *news;
	/* who wrote it */
	char verb[32];
	__u32 pid;
	__u64 time_ns;		/* CLOCK_REALTIME */
	char cmdline[320];
};

static inline const char *jrnl_key(const struct jrnl *j, size_t i)
{
	return j->keys + i * j->key_size;
}
/* NULL: absent (the old value) or delete (the new one). */
static inline const char *jrnl_old(const struct jrnl *j, size_t i)
{
	return (j->flags[i] & JF_OLD) ? j->olds + i * j->lookup_size : NULL;
}
static inline const char *jrnl_new(const struct jrnl *j, size_t i)
{
	return (j->flags[i] & JF_NEW) ? j->news + i * j->lookup_size : NULL;
}

/* An empty journal for m, room for n entries: 0 or -ENOMEM. */
int jrnl_init(struct jrnl *j, const struct mapref *m, size_t n, const char *verb);
int jrnl_add(struct jrnl *j, const void *key, const void *old, const void *new);
void jrnl_free(struct jrnl *j);
/* Store it (temp name, fsync, rename, fsync of the directory): 0, or
 * -errno with why in err. */
int jrnl_store(const struct jrnl *j, char *err, size_t errn);
/* Remove the journal of map id (and sync the directory). */
void jrnl_remove(__u32 id);
/* Is there a journal for map id? One stat. */
bool jrnl_exists(__u32 id);
/* Read the journal of m: 1 (read), 0 (none), or -1 after printing why it
 * cannot be used (damaged, another map's). verb names the messages. */
int jrnl_load(const struct mapref *m, const char *verb, struct jrnl *j);
/* "apply (pid 4242, 2024-05-01 09:30:00 UTC)" */
void jrnl_who(const struct jrnl *j, char *buf, size_t n);
/* "mapsh flows recover": the command that recovers m. */
void jrnl_recover_cmd(const struct mapref *m, char *buf, size_t n);

/* The journal of m there, as "apply (pid 4242, 2024-05-01 09:30:00
 * UTC)": false when there is none (or it is not readable). */
bool jrnl_describe(const struct mapref *m, char *who, size_t n);

/* On opening a map (mapref_open): when a journal is there and nobody
 * holds the map's lock, one line on stderr saying so and how to fix it. */
void jrnl_note(const struct mapref *m);
/* recover says it itself: no note while it opens the map. */
void jrnl_quiet(bool quiet);

#endif
