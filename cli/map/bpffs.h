/* SPDX-License-Identifier: GPL-2.0 */
/* The BPF filesystem: mounting it at /sys/fs/bpf when it is missing there and
 * needed, checking
 * that a pin directory lives on one, creating it, and mapsh's pin layout:
 *
 *   PIN_DIR/<map name>                     every non-internal map (flat, so
 *                                          `mapsh flows ...` finds PIN_DIR/flows)
 *   PIN_DIR/progs/<program name>           the loaded programs
 *   PIN_DIR/inner/<outer>_<ifname>         inner maps of map-in-map maps
 */
#ifndef MAPSH_BPFFS_H
#define MAPSH_BPFFS_H

#include <stdbool.h>
#include <stddef.h>

#define BPFFS_DEFAULT_MNT	"/sys/fs/bpf"
#define PIN_PROGS_SUBDIR	"progs"
#define PIN_INNER_SUBDIR	"inner"

/* True when path itself is on a bpffs (statfs magic). */
bool bpffs_is_bpffs(const char *path);

/* Mount a bpffs at /sys/fs/bpf when dir (or its nearest existing parent)
 * is /sys/fs/bpf or under it and nothing is mounted there; anywhere else,
 * change nothing (a dir on another filesystem is bpffs_check_dir's to
 * refuse). Returns EXIT_OK, or EXIT_FAIL after printing why. */
int bpffs_ensure_for(const char *dir);

/* Check that dir, or its nearest existing parent, is on a bpffs. Changes
 * nothing. Returns EXIT_OK, or EXIT_FAIL after printing the error. */
int bpffs_check_dir(const char *dir);

/* mkdir -p. Directories that did not exist are appended (malloc'd paths, in
 * creation order) to created[] when created is not NULL, up to max; *ncreated
 * counts them. Returns 0 or -errno. */
int bpffs_mkdir_p(const char *dir, char **created, int max, int *ncreated);

/* "PIN_DIR/name", "PIN_DIR/progs/name", "PIN_DIR/inner/outer_ifname".
 * Return 0, or -ENAMETOOLONG when the path does not fit. */
int pin_map_path(char *buf, size_t size, const char *pin_dir, const char *map);
int pin_prog_path(char *buf, size_t size, const char *pin_dir, const char *prog);
int pin_inner_path(char *buf, size_t size, const char *pin_dir,
		   const char *outer, const char *ifname);

/* True when path exists (a pin or anything else). */
bool path_exists(const char *path);

#endif
