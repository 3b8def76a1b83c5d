/* SPDX-License-Identifier: GPL-2.0 */
/* The write lock of a map, and the state directory that holds it.
 *
 * Every mapsh process that changes a map first takes an exclusive flock(2)
 * on STATE/lock/ID (ID: the kernel's map id), so read-modify-writes of
 * two mapsh processes never interleave: the second one waits, saying for
 * whom, or fails at once (--no-wait). The holder writes "PID CMDLINE" into
 * the file after taking it. The kernel drops the lock when the holder
 * exits, however it exits.
 *
 * STATE is $MAPSH_STATE_DIR, else /run/mapsh for root (bpffs cannot hold
 * regular files; /run is a tmpfs and lasts, like pinned maps, until
 * reboot). It must be a directory of the user's own that nobody else can
 * write; mapsh creates it 0700. So a user other than root (one with
 * CAP_BPF, or access to a pin) keeps its state in $XDG_RUNTIME_DIR/mapsh,
 * else /tmp/mapsh-UID: its writers are serialized among themselves, not
 * with root's. Files in it are opened with O_NOFOLLOW. */
#ifndef MAPSH_MAP_LOCK_H
#define MAPSH_MAP_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "map/mapref.h"

#define MAPSH_DEFAULT_STATE_DIR "/run/mapsh"

/* $MAPSH_STATE_DIR or the default. */
const char *state_dir(void);
/* STATE/SUB/NAME into buf (SUB created when create): 0, or -errno with
 * why in err (a sentence naming the path). */
int state_path(const char *sub, const char *name, bool create, char *buf,
	       size_t n, char *err, size_t errn);

struct maplock {
	int fd;			/* -1: not held */
	__u32 id;
};

/* Take the write lock of m for verb (messages). Waits, after one line on
 * stderr naming the holder, unless no_wait. EXIT_OK, or EXIT_FAIL after
 * printing (no_wait and held, the state directory, a signal while
 * waiting). */
int maplock_take(const struct mapref *m, const char *verb, bool no_wait,
		 struct maplock *l);
void maplock_drop(struct maplock *l);
/* Does some process hold the write lock of map id? (false also when no
 * lock file is there). A process that holds it through another open file
 * counts too. */
bool maplock_busy(__u32 id);
/* This process as the lock file and the journal name it: "mapsh flows
 * apply big.json" (argv[0] without its directory). */
const char *maplock_cmdline(void);

#endif
