/* SPDX-License-Identifier: GPL-2.0 */
/* Following the pin, not the fd: a long-running command (follow, watch,
 * apply --watch) holds the map it opened, and an `unload` + `load` pins new
 * maps under the same names while the old ones, orphaned, live on for as
 * long as someone holds them. These checks notice it:
 *
 *   the pin names another map (another id)   reopen it through the pin,
 *       with its own BTF and plans (the types may differ), and say one line:
 *       "flows: the pin now names another map (id 41, was 17): following
 *       the new one"
 *   nothing is pinned there                  for MAPREF_PIN_GRACE_MS (the
 *       moment between an unload and a load does not count): say one line
 *       and stop: "flows: nothing is pinned at PATH any more (unloaded?):
 *       stopping"
 *   the pin names a map of another type, or something that is no map
 *                                            say one line and stop.
 *
 * A map selected by NAME or pinned PATH follows its pin path. One opened by
 * id N or name NAME (or an inner map, OUTER[KEY]) has no pin: it is kept,
 * and cannot go away while it is held open, so nothing is checked.
 *
 * Cheap: a check is one bpf_obj_get() of the pin, one
 * bpf_obj_get_info_by_fd() and a close(); mapref_follow_pin does it at
 * most every MAPREF_PIN_EVERY_MS unless told MAPREF_PIN_NOW, so callers
 * may call it at every wake-up. */
#ifndef MAPSH_REPIN_H
#define MAPSH_REPIN_H

#include <linux/types.h>
#include "map/mapref.h"

#define MAPREF_PIN_EVERY_MS 500
#define MAPREF_PIN_GRACE_MS 3000

enum {
	MAPREF_PIN_SAME = 0,	/* unchanged (or not checked now) */
	MAPREF_PIN_NEW = 1,	/* *m is the new map, the line said */
	MAPREF_PIN_GONE = -1,	/* stop with EXIT_FAIL: the line said */
};

#define MAPREF_PIN_NOW 1u	/* check now, whenever it was last checked */

/* The id of the map pinned at path into *id (which holds the id the
 * caller knows, or 0): 0, -ENOENT when nothing is pinned there, -ENOTSUP
 * when what is pinned is no map, else -errno. */
int mapref_pin_id(const char *path, __u32 *id);

/* The check for a map held open by a long-running command: *m is replaced
 * by the map its pin names now (opened with mo, keeping (*m)->name) when
 * that is another one. The old map is handed to the caller in *old, to be
 * freed with mapref_free() once nothing points into it (its plans, its
 * BTF, its fd), or freed here when old is NULL. While nothing is pinned it
 * waits up to MAPREF_PIN_GRACE_MS for a pin to come back (returning
 * MAPREF_PIN_SAME at once on Ctrl-C or SIGTERM). The one line goes to
 * stderr, or into said when not NULL (without the "mapsh: " of stderr). */
int mapref_follow_pin(struct mapref **m, const struct map_opts *mo,
		      unsigned flags, struct mapref **old, struct strbuf *said);

/* The check for a map that is not held open (the shell's `use`): *id is
 * the id last seen pinned at path, 0 once the pin was said gone. Says
 * "NAME: the pin now names another map (id 41, was 17): using the new one"
 * when it changed, "NAME: nothing is pinned at PATH any more (unloaded?)"
 * once when it went, "NAME: pinned again (id 41): using it" when it came
 * back; returns MAPREF_PIN_SAME, _NEW or _GONE. No waiting. */
int mapref_pin_recheck(const char *name, const char *path, __u32 *id);

#endif
