/* SPDX-License-Identifier: GPL-2.0 */
/* The one write path: every change mapsh makes to a map goes through here,
 * the kernel call and, when the command's audit log is on, its record
 * (map/audit.h), with the old value read before the change.
 *
 * The dispatcher opens a write session for the verbs whose table row says
 * CMD_WRITES (cmd/cmd.h); the first write of the session opens the audit
 * log, and when that fails the write is not made. A write outside a
 * session is refused: a verb that writes says so in its row.
 *
 * Each call returns 0, -errno (the kernel's refusal), or MAPW_PRINTED when
 * it printed why it wrote nothing (no session, the audit log). */
#ifndef MAPSH_MAP_WRITE_H
#define MAPSH_MAP_WRITE_H

#include <stdbool.h>
#include <linux/types.h>
#include "map/mapref.h"

#define MAPW_PRINTED (-100000)

/* The exit code for a failed write: EXIT_FAIL after printing the kernel's
 * refusal of key (mapref_write_error), or the message already printed. */
int mapw_error(const struct mapref *m, const char *verb, int rc,
	       const void *key);

/* verb names the records ("update", "clear"); audit_setting is the
 * --audit-log setting (NULL: $MAPSH_AUDIT_LOG or none). */
void mapw_begin(const char *audit_setting, const char *verb);
void mapw_end(void);
/* Open the audit log now, before anything is read that a write would
 * follow (a pop prints an element before it removes it): EXIT_OK, or
 * EXIT_FAIL after printing. */
int mapw_prepare(const struct mapref *m);

int mapw_update(const struct mapref *m, const void *key, const void *value,
		__u64 flags);
int mapw_delete(const struct mapref *m, const void *key);
/* Queues and stacks: add an element; take the next one into value. */
int mapw_push(const struct mapref *m, const void *value, __u64 flags);
int mapw_pop(const struct mapref *m, void *value);
/* Batches: *count entries (keys key_size and values lookup_size bytes
 * apart); *count receives how many were done before an error. The old
 * values of a delete are the caller's (it has just read them), NULL when
 * it has none. */
int mapw_update_batch(const struct mapref *m, const void *keys,
		      const void *values, __u32 *count);
int mapw_delete_batch(const struct mapref *m, const void *keys,
		      const void *olds, __u32 *count);
/* A map of maps: the inner map inner_fd (id inner_id) at key; the record
 * holds inner map ids. */
int mapw_inner(const struct mapref *m, const void *key, int inner_fd,
	       __u32 inner_id, __u64 flags);

#endif
