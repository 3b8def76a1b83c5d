/* SPDX-License-Identifier: GPL-2.0 */
/* Between mapref.c and refusal.c: opening pins and typing maps when the
 * kernel refuses part of it. */
#ifndef MAPSH_MAPREF_INT_H
#define MAPSH_MAPREF_INT_H

#include <linux/bpf.h>
#include "map/mapinfo.h"

/* The pin at path: read-write, else read-only when the pin lets this user
 * only read. 0 with *fdp set, -ENOENT when there is no such file, or an
 * exit code printed (the kernel's refusal in words). */
int mapref_open_pin(const char *path, int *fdp);
/* What a bpffs pin that is not a map holds ("a pinned program, not a
 * map"). */
const char *mapref_pin_kind(int fd);
/* Types for a map of the bundled programs (same name, type and sizes)
 * from the BTF built into mapsh, for when the kernel does not give the
 * map's own (reading BTF by id needs CAP_SYS_ADMIN); mb unchanged when
 * there is none. */
/* Key and value plans with the user's types and formats (map/typing.c):
 * --btf/--key-type/--value-type, --as, the types files. */
int mapref_typed_plans(const struct map_opts *mo, struct mapref *m,
		       unsigned flags);
void mapref_bundled_types(const struct bpf_map_info *i, struct map_btf *mb);

#endif
